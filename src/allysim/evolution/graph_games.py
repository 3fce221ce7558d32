"""Games on graphs: the donation game under the update rules of Ohtsuki et al. (2006).

* [`simulate_graph_game`][allysim.evolution.simulate_graph_game]: the donation game (a
  cooperator pays ``c`` for each neighbour, each neighbour gains ``b``) on any graph, with the
  stochastic update rules of Ohtsuki, Hauert, Lieberman & Nowak (2006, Nature 441:502):
  death-birth, birth-death and imitation with fitness ``1 - w + w * payoff``, and the pairwise
  comparison (Fermi) rule of Szabo & Toke (1998, Phys. Rev. E 58:69); many replicate runs in
  lockstep, seeded.
* [`graph_fixation_probability`][allysim.evolution.graph_fixation_probability]: the exact
  fixation probability of one cooperator on a small graph, from the Markov chain over all
  ``2^N`` configurations (Ohtsuki et al. 2006, Supplementary Information; Hindersin, Moller,
  Traulsen & Bauer 2016, BioSystems 150:87).

Graphs come from ``allysim.evolution.graphs``; the lattice game of Nowak & May is in
``allysim.evolution.spatial``, which also re-exports these names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import LinearOperator, gmres, spsolve

from allysim._progress import progress_bar
from allysim._results import SavedResult
from allysim._validation import (
    SeedLike,
    as_generator,
    check_bool,
    check_int,
    check_interval,
    check_memory,
    check_nonnegative,
    check_real,
)
from allysim.evolution._common import _choice
from allysim.evolution.graphs import _check_adjacency, neighbour_array
from allysim.evolution.update_rules import _fermi

__all__ = ["GraphGameResult", "graph_fixation_probability", "simulate_graph_game"]

GraphRule = Literal["db", "bd", "imitation", "pairwise"]
_GRAPH_RULES = ("db", "bd", "imitation", "pairwise")
_BLOCK_DOUBLES = 1 << 20


def _game_checks(benefit: Any, cost: Any, rule: Any, selection: Any, k_max: int):
    b = check_real(benefit, "benefit")
    c = check_real(cost, "cost")
    _choice(rule, "rule", _GRAPH_RULES)
    if rule == "pairwise":
        w = check_nonnegative(selection, "selection")
    else:
        w = check_interval(selection, "selection", 0.0, 1.0)
        low = k_max * (min(0.0, b) - max(0.0, c))
        if 1 - w + w * low <= 0:
            raise ValueError(
                f"selection must keep the fitness 1 - selection + selection * payoff positive "
                f"for rule={rule!r}: the lowest payoff here is {low:g}, so selection must be "
                f"< {1 / (1 - low):.6g}, got {w!r}"
            )
    return b, c, w


@dataclass(frozen=True, repr=False)
class GraphGameResult(SavedResult):
    """Result of [`simulate_graph_game`][allysim.evolution.simulate_graph_game].

    Parameters
    ----------
    states : numpy.ndarray
        Shape (replicates, N): final strategy of every node, 1 = cooperator.
    cooperators : numpy.ndarray
        Shape (records, replicates): number of cooperators every ``record_every`` steps, the
        start included; shape (0, replicates) without ``record_every``.
    fixation_step : numpy.ndarray
        Shape (replicates,): step at which each run became all-C or all-D (-1 if it did not).
    steps : int
        Number of update events run (per replicate).

    Examples
    --------
    >>> from allysim.evolution import cycle_graph
    >>> res = simulate_graph_game(cycle_graph(6), benefit=3.0, cost=1.0, rule="db",
    ...                           selection=0.1, steps=5000, replicates=4,
    ...                           until_fixation=True, seed=2)
    >>> sorted(set(res.states.sum(axis=1).tolist()) - {0, 6})
    []
    """

    states: np.ndarray
    cooperators: np.ndarray
    fixation_step: np.ndarray
    steps: int

    def fixed_cooperators(self) -> np.ndarray:
        """Which runs ended with every node a cooperator.

        Returns
        -------
        numpy.ndarray
            Boolean, shape (replicates,).

        Examples
        --------
        >>> r = GraphGameResult(np.array([[1, 1], [0, 1]]), np.zeros((0, 2)),
        ...                     np.array([3, -1]), 10)
        >>> r.fixed_cooperators().tolist()
        [True, False]
        """
        return np.asarray(self.states.all(axis=1))


def simulate_graph_game(
    adjacency: Any,
    initial: Any = None,
    *,
    benefit: float,
    cost: float,
    rule: GraphRule = "db",
    selection: float,
    steps: int,
    replicates: int = 1,
    until_fixation: bool = False,
    record_every: int | None = None,
    seed: SeedLike = None,
    progress: bool = False,
) -> GraphGameResult:
    """Simulate the donation game on a graph, many runs in lockstep, one update per step.

    Payoffs are accumulated over neighbours (Ohtsuki et al. 2006): a cooperator with ``k``
    neighbours pays ``c k``, and every node gains ``b`` per cooperating neighbour. Each step, in
    every run at once (Ohtsuki, Hauert, Lieberman & Nowak 2006, Nature 441:502):

    * ``"db"`` (death-birth): a random node dies; its neighbours compete for the site with
      probability proportional to fitness ``1 - w + w * payoff``.
    * ``"bd"`` (birth-death): a node is chosen for reproduction in proportion to fitness over
      the whole graph; its offspring replaces a random neighbour.
    * ``"imitation"``: a random node keeps its strategy or copies a neighbour's, in proportion
      to fitness (its own included).
    * ``"pairwise"``: a random node copies a random neighbour with probability
      ``1 / (1 + exp(-w (payoff_neighbour - payoff_own)))`` (Szabo & Toke 1998); here ``w`` is
      the Fermi selection intensity, any value >= 0.

    Under weak selection, cooperators are favoured (fixation above 1/N) when ``b / c > k``
    for death-birth and ``b / c > k + 2`` for imitation, never for birth-death (Ohtsuki et al.
    2006, for large graphs of degree k).

    Parameters
    ----------
    adjacency : scipy.sparse.csr_array or numpy.ndarray
        Symmetric 0/1 adjacency, shape (N, N), zero diagonal (from
        ``allysim.evolution.graphs``).
    initial : numpy.ndarray or None, default None
        Starting strategies, N values of 0/1 shared by every run; None puts one cooperator on a
        uniformly drawn node of each run (the start of a fixation experiment).
    benefit : float
        Benefit b a neighbour of a cooperator receives, finite.
    cost : float
        Cost c a cooperator pays per neighbour, finite.
    rule : {"db", "bd", "imitation", "pairwise"}, default "db"
        Update rule.
    selection : float
        Selection intensity w: in [0, 1] with fitness kept positive for "db", "bd" and
        "imitation"; any value >= 0 for "pairwise".
    steps : int
        Maximum number of update events per run, >= 0.
    replicates : int, default 1
        Number of independent runs, >= 1.
    until_fixation : bool, default False
        Stop once every run is all-C or all-D.
    record_every : int or None, default None
        Keep the number of cooperators every this many steps (>= 1).
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Source of randomness; an int or SeedSequence reproduces the run bit for bit.
    progress : bool, default False
        Show a tqdm progress bar.

    Returns
    -------
    GraphGameResult
        Final strategies, the recorded numbers of cooperators and the fixation steps.

    Examples
    --------
    >>> from allysim.evolution import cycle_graph
    >>> res = simulate_graph_game(cycle_graph(10), benefit=5.0, cost=1.0, rule="db",
    ...                           selection=0.2, steps=100_000, replicates=1000,
    ...                           until_fixation=True, seed=1)
    >>> float(res.fixed_cooperators().mean())  # exact 0.1525 (neutral 0.1)
    0.144
    """
    adj = _check_adjacency(adjacency)
    deg = np.diff(adj.indptr).astype(np.int64)
    n, k_max = adj.shape[0], max(int(deg.max()), 1)
    b, c, w = _game_checks(benefit, cost, rule, selection, int(deg.max()))
    steps = check_int(steps, "steps", minimum=0)
    r = check_int(replicates, "replicates", minimum=1)
    until_fixation = check_bool(until_fixation, "until_fixation")
    check_bool(progress, "progress")
    if record_every is not None:
        record_every = check_int(record_every, "record_every", minimum=1)
    records = 1 + steps // record_every if record_every else 0
    # Uniforms are drawn for a block of steps at once, at most about 8 MB of them; the stream
    # is the same whatever the block (numpy fills a draw in order), so results do not depend
    # on it.
    block = max(1, min(1024, _BLOCK_DOUBLES // (3 * r)))
    # Held at once: states and payoffs (2 x (N + 1) per run), about four N-wide temporaries
    # (the starting payoffs; "bd"'s fitness, cumulative sum and comparison), the neighbour-wide
    # ones of the other rules, two blocks of uniforms (the next is drawn while the last is
    # held) and the records.
    # The padded neighbour lists (with and without the node itself) are N x (largest degree).
    check_memory(
        8.0 * r * (6 * (n + 1) + 6 * (k_max + 2) + 6 * block + records) + 8.0 * 3 * n * (k_max + 2),
        "adjacency, replicates, steps, record_every",
        hint="run fewer replicates per call, raise record_every or use a smaller graph",
    )
    nb, _ = neighbour_array(adj)
    rng = as_generator(seed)
    s = np.zeros((r, n + 1), dtype=np.int64)  # column n: the padding node, never a cooperator
    if initial is None:
        s[np.arange(r), rng.integers(n, size=r)] = 1
    else:
        init = np.asarray(initial)
        if init.shape != (n,) or not (np.issubdtype(init.dtype, np.number) or init.dtype == bool):
            raise ValueError(f"initial must be N = {n} values of 0/1, got shape {init.shape}")
        if not np.all((init == 0) | (init == 1)):
            raise ValueError("initial must hold only 0 (defector) and 1 (cooperator)")
        s[:, :n] = init.astype(np.int64)
    deg_pad = np.append(deg, 0).astype(float)
    nb_self = np.concatenate([nb, np.arange(n)[:, None]], axis=1)
    pay = np.zeros((r, n + 1))
    pay[:, :n] = b * (adj @ s[:, :n].T.astype(float)).T - c * deg * s[:, :n]
    count = s[:, :n].sum(axis=1)
    history = np.empty((records, r), dtype=np.int64)
    n_rec = 0
    if records:
        history[0] = count
        n_rec = 1
    fixation_step = np.full(r, -1, dtype=np.int64)
    done = (count == 0) | (count == n)
    fixation_step[done] = 0
    rows = np.arange(r)
    rows_col = rows[:, None]

    def pick(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
        cum = np.cumsum(weights, axis=1)
        return np.minimum((u[:, None] * cum[:, -1:] >= cum).sum(axis=1), weights.shape[1] - 1)

    bar = None
    if progress:
        bar = progress_bar(total=steps, desc="graph updates", unit="step")
    step = 0
    while step < steps and not (until_fixation and done.all()):
        nb_steps = min(block, steps - step)
        u = rng.random((nb_steps, 3, r))
        for t in range(nb_steps):
            ub = u[t]
            if rule == "bd":
                fit = 1 - w + w * pay[:, :n]
                parent = pick(fit, ub[0])
                dp = deg[parent]
                slot = np.minimum((ub[1] * dp).astype(np.int64), np.maximum(dp - 1, 0))
                focal = np.where(dp > 0, nb[parent, slot], parent)
                new = s[rows, parent]
            else:
                focal = np.minimum((ub[0] * n).astype(np.int64), n - 1)
                if rule == "pairwise":
                    df = deg[focal]
                    slot = np.minimum((ub[1] * df).astype(np.int64), np.maximum(df - 1, 0))
                    model = np.where(df > 0, nb[focal, slot], focal)
                    adopt = ub[2] < _fermi(pay[rows, model] - pay[rows, focal], w)
                    new = np.where(adopt, s[rows, model], s[rows, focal])
                else:
                    cand = nb[focal] if rule == "db" else nb_self[focal]
                    fit = np.where(cand < n, 1 - w + w * pay[rows_col, cand], 0.0)
                    choice = cand[rows, pick(fit, ub[1])]
                    # A node without neighbours cannot be replaced (db): it keeps its strategy.
                    new = np.where(fit.sum(axis=1) > 0, s[rows, choice], s[rows, focal])
            ds = new - s[rows, focal]
            if ds.any():
                s[rows, focal] = new
                pay[rows, focal] -= c * deg_pad[focal] * ds
                pay[rows_col, nb[focal]] += b * ds[:, None]
                count += ds
            step += 1
            newly = ((count == 0) | (count == n)) & ~done
            if newly.any():
                fixation_step[newly] = step
                done |= newly
            if records and record_every and step % record_every == 0:
                history[n_rec] = count
                n_rec += 1
            if until_fixation and done.all():
                break
        if bar is not None:
            bar.update(t + 1)
    if bar is not None:
        bar.close()
    return GraphGameResult(
        states=s[:, :n].astype(np.int8),
        cooperators=history[:n_rec],
        fixation_step=fixation_step,
        steps=step,
    )


def _solve(lap: sparse.csr_array, rhs: np.ndarray) -> np.ndarray:
    """Solve the absorption system: GMRES with a Jacobi preconditioner, else sparse LU.

    A direct LU of a hypercube-shaped chain fills in badly (10 s at N = 12); the Jacobi-
    preconditioned GMRES takes 0.05 s there and about 1 s at N = 14. The LU stays as the
    fallback, with the ordering that fills in least on these matrices.
    """
    diag = lap.diagonal()
    if np.all(diag > 0):
        precond = LinearOperator(lap.shape, matvec=lambda v: v / diag)
        x, info = gmres(lap, rhs, M=precond, rtol=1e-11, atol=0.0, restart=400, maxiter=5000)
        if info == 0 and np.abs(lap @ x - rhs).max() <= 1e-9 * max(1.0, np.abs(rhs).max()):
            return x
    return spsolve(sparse.csc_array(lap), rhs, permc_spec="MMD_AT_PLUS_A")


def graph_fixation_probability(
    adjacency: Any,
    *,
    benefit: float,
    cost: float,
    rule: GraphRule = "db",
    selection: float,
    start: int | None = None,
) -> float:
    """Exact fixation probability of one cooperator among defectors on a small graph.

    The update rules of [`simulate_graph_game`][allysim.evolution.simulate_graph_game] define
    a Markov chain over the ``2^N`` configurations of cooperators and defectors; each step
    flips at most one node. The
    probability of absorption in all-C is the solution of a sparse linear system over the
    ``2^N - 2`` transient configurations (Ohtsuki et al. 2006, Supplementary Information;
    Hindersin, Moller, Traulsen & Bauer 2016, BioSystems 150:87), solved by Jacobi-
    preconditioned GMRES (``scipy.sparse.linalg.gmres``), checked by its residual, with a
    sparse LU (``spsolve``) as the fallback.

    Parameters
    ----------
    adjacency : scipy.sparse.csr_array or numpy.ndarray
        Symmetric 0/1 adjacency of a connected graph, shape (N, N), 2 <= N <= 14 (about
        1 s at N = 14).
    benefit : float
        Benefit b a neighbour of a cooperator receives, finite.
    cost : float
        Cost c a cooperator pays per neighbour, finite.
    rule : {"db", "bd", "imitation", "pairwise"}, default "db"
        Update rule (see [`simulate_graph_game`][allysim.evolution.simulate_graph_game]).
    selection : float
        Selection intensity w (in [0, 1] with positive fitness except for "pairwise").
    start : int or None, default None
        Node of the first cooperator; None averages over a uniformly placed one.

    Returns
    -------
    float
        The fixation probability, in [0, 1]; exactly ``1 / N`` without selection.

    Examples
    --------
    >>> from allysim.evolution import cycle_graph
    >>> round(graph_fixation_probability(cycle_graph(10), benefit=5.0, cost=1.0,
    ...                                  selection=0.2), 4)
    0.1525
    >>> graph_fixation_probability(cycle_graph(8), benefit=5.0, cost=1.0, selection=0.0)
    0.125
    """
    adj = _check_adjacency(adjacency)
    n = adj.shape[0]
    if n > 14:
        raise ValueError(
            f"adjacency must have at most 14 nodes for the exact chain over 2^N states, got "
            f"{n}; use simulate_graph_game for larger graphs"
        )
    if connected_components(adj, directed=False)[0] != 1:
        raise ValueError("adjacency must be connected (otherwise nothing can fix for sure)")
    deg = np.diff(adj.indptr).astype(float)
    b, c, w = _game_checks(benefit, cost, rule, selection, int(deg.max()))
    if start is not None:
        start = check_int(start, "start", minimum=0)
        if start >= n:
            raise ValueError(f"start must be a node in [0, {n - 1}], got {start}")
    n_states = 1 << n
    # About 32 float arrays of 2^N x N (payoffs, fitness, flip rates, the sparse chain and its
    # conversions) and GMRES's Krylov basis of up to 400 vectors of 2^N.
    check_memory(8.0 * n_states * (32 * n + 420), "adjacency", hint="use a graph of fewer nodes")
    a = adj.toarray()
    x = np.arange(n_states, dtype=np.int64)
    bits = ((x[:, None] >> np.arange(n)) & 1).astype(float)
    pay = b * bits @ a - c * deg * bits
    if rule == "pairwise":
        ei, ej = np.nonzero(a)
        differ = bits[:, ei] != bits[:, ej]
        val = np.where(differ, _fermi(pay[:, ej] - pay[:, ei], w), 0.0)
        flip = (val @ (ei[:, None] == np.arange(n)).astype(float)) / (n * deg)
    else:
        fit = 1 - w + w * pay
        fc, fd = (fit * bits), (fit * (1 - bits))
        if rule == "bd":
            total = fit.sum(axis=1, keepdims=True)
            # Node i flips when a neighbour j of the other strategy reproduces (chance
            # f_j / F) and its offspring lands on i (chance 1 / k_j).
            flip = (bits * ((fd / deg) @ a) + (1 - bits) * ((fc / deg) @ a)) / total
        else:
            other = bits * (fd @ a) + (1 - bits) * (fc @ a)
            pool = fit @ a + (fit if rule == "imitation" else 0.0)
            flip = other / (n * pool)
    src = np.repeat(x, n)
    dst = (x[:, None] ^ (1 << np.arange(n))).ravel()
    q = sparse.csr_array((flip.ravel(), (src, dst)), shape=(n_states, n_states))
    out_rate = flip.sum(axis=1)
    full = n_states - 1
    transient = x[1:full]
    lap = sparse.diags(out_rate[transient]) - q[transient][:, transient]
    rhs = q[transient][:, [full]].toarray().ravel()
    h = np.zeros(n_states)
    h[full] = 1.0
    h[transient] = _solve(sparse.csr_array(lap), rhs)
    singles = h[1 << np.arange(n)]
    value = singles[start] if start is not None else singles.mean()
    if w == 0:
        # Neutral drift: the chain is solved in floating point, the answer is known exactly.
        value = 1.0 / n if start is None else value
    return float(min(max(value, 0.0), 1.0)) if math.isfinite(value) else math.nan
