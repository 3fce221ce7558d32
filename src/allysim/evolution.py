"""Evolutionary dynamics: how partnering norms spread or die out when organizations copy success.

* Infinite populations: the continuous replicator equation (:func:`replicator_dynamics`) and
  its discrete-time, ecological variant (:func:`discrete_replicator`).
* Finite populations of size Z, well mixed, payoffs against the Z - 1 others (no
  self-interaction): exact fixation probabilities of a single mutant (:func:`fixation_probability`,
  :func:`fixation_matrix`), the stationary distribution in the small-mutation limit or, for few
  strategies, exactly over population compositions (:func:`stationary_distribution`), and a
  seeded simulation of many populations in lockstep (:func:`simulate_population`).

Update rules: ``"fermi"`` is the pairwise comparison rule (Traulsen, Nowak & Pacheco 2006): a
random organization imitates a random other with probability ``1 / (1 + exp(-beta (pi_model -
pi_focal)))``. ``"moran"`` is the frequency-dependent Moran birth-death process (Nowak et al. 2004)
with fitness ``1 - w + w * payoff``, ``w = selection`` in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.integrate import solve_ivp
from scipy.sparse.linalg import spsolve

from allysim._validation import (
    SeedLike,
    as_float_array,
    as_generator,
    check_int,
    check_nonnegative,
    check_probability,
)
from allysim.games import StageGame
from allysim.kernels import expected_payoffs

__all__ = [
    "PopulationResult",
    "StationaryDistribution",
    "discrete_replicator",
    "fixation_matrix",
    "fixation_probability",
    "log_fixation_probability",
    "payoff_matrix_for",
    "replicator_dynamics",
    "simulate_population",
    "stationary_distribution",
]

Rule = Literal["fermi", "moran"]

#: Compositions above this count are refused by the exact mutation chain (memory and time).
MAX_COMPOSITIONS = 2_000_000


# ----------------------------------------------------------------------------------------------
# Validation shared by this module
# ----------------------------------------------------------------------------------------------


def _payoff_matrix(a, name: str = "payoff_matrix") -> np.ndarray:
    arr = as_float_array(a, name, shape=(None, None))
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"{name} must be square (strategy vs strategy), got {arr.shape}")
    if arr.shape[0] < 1:
        raise ValueError(f"{name} must hold at least one strategy")
    return arr


def _simplex_point(x, n: int, name: str) -> np.ndarray:
    arr = as_float_array(x, name, shape=(n,))
    if np.any(arr < 0) or abs(arr.sum() - 1.0) > 1e-9:
        raise ValueError(
            f"{name} must lie on the simplex (non-negative shares summing to 1), got sum "
            f"{arr.sum():.6g} and minimum {arr.min():.3g}"
        )
    return arr


def _population(z) -> int:
    return check_int(z, "population", minimum=2)


def _selection(beta, rule: str) -> float:
    beta = check_nonnegative(beta, "selection")
    if rule == "moran" and beta > 1:
        raise ValueError(f"selection must lie in [0, 1] for rule='moran', got {beta!r}")
    return beta


def _rule(rule: str) -> str:
    if rule not in ("fermi", "moran"):
        raise ValueError(f"rule must be 'fermi' or 'moran', got {rule!r}")
    return rule


# ----------------------------------------------------------------------------------------------
# Infinite populations
# ----------------------------------------------------------------------------------------------


def replicator_dynamics(
    payoff_matrix: np.ndarray,
    x0: Sequence[float],
    t: Sequence[float],
    *,
    method: str = "LSODA",
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> np.ndarray:
    """Solve the replicator equation ``dx_i/dt = x_i ((A x)_i - x.A x)`` with scipy's solve_ivp.

    Parameters
    ----------
    payoff_matrix : (n, n) array, payoff of strategy i against j.
    x0 : initial shares, on the simplex.
    t : increasing times at which to report the shares (time units of the equation).
    method, rtol, atol : passed to :func:`scipy.integrate.solve_ivp`.

    Returns
    -------
    numpy.ndarray, shape (len(t), n)
        Shares at each time.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])  # one-shot dilemma: C, D
    >>> replicator_dynamics(A, [0.9, 0.1], [0, 30])[-1].round(4).tolist()
    [0.0, 1.0]
    """
    a = _payoff_matrix(payoff_matrix)
    x = _simplex_point(x0, a.shape[0], "x0")
    times = as_float_array(t, "t", shape=(None,))
    if times.size < 1 or np.any(np.diff(times) <= 0):
        raise ValueError("t must be a non-empty, strictly increasing sequence of times")

    def rhs(_, y):
        f = a @ y
        return y * (f - y @ f)

    sol = solve_ivp(
        rhs, (times[0], times[-1]), x, t_eval=times, method=method, rtol=rtol, atol=atol
    )
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed: {sol.message}")
    return sol.y.T


def discrete_replicator(
    payoff_matrix: np.ndarray,
    x0: Sequence[float],
    generations: int,
    *,
    background_fitness: float = 0.0,
) -> np.ndarray:
    """Discrete-time (ecological) replicator: ``x_i' = x_i f_i / (x . f)``, ``f = A x + b``.

    This is the dynamic of Axelrod's ecological tournaments, run on a tournament payoff matrix.
    Fitness must stay positive, so ``A + background_fitness`` must be > 0.

    Returns
    -------
    numpy.ndarray, shape (generations + 1, n), the shares from the start.

    Examples
    --------
    >>> A = np.array([[3.0, 0.5], [4.0, 1.0]])
    >>> discrete_replicator(A, [0.5, 0.5], 200)[-1].round(3).tolist()
    [0.0, 1.0]
    """
    a = _payoff_matrix(payoff_matrix)
    x = _simplex_point(x0, a.shape[0], "x0")
    generations = check_int(generations, "generations", minimum=0)
    fit = a + float(background_fitness)
    if np.any(fit <= 0):
        raise ValueError(
            "payoff_matrix + background_fitness must be > 0 everywhere for the discrete "
            f"replicator; the smallest entry is {fit.min():.3g}"
        )
    out = np.empty((generations + 1, a.shape[0]))
    out[0] = x
    for g in range(generations):
        f = fit @ x
        x = x * f / (x @ f)
        out[g + 1] = x
    return out


# ----------------------------------------------------------------------------------------------
# Finite populations: fixation
# ----------------------------------------------------------------------------------------------


def _partial_log_products(a_ii, a_ij, a_ji, a_jj, z: int, beta: float, rule: str) -> np.ndarray:
    """S_j = sum_{k<=j} log(T-(k) / T+(k)) for j = 1..Z-1, broadcast over the leading axes.

    T+(k), T-(k): chances that the number k of invaders goes up or down by one.
    """
    shape = np.broadcast(a_ii, a_ij, a_ji, a_jj).shape
    a_ii, a_ij, a_ji, a_jj = (
        np.asarray(v, dtype=float)[..., None] for v in (a_ii, a_ij, a_ji, a_jj)
    )
    j = np.arange(1, z, dtype=float)
    if rule == "fermi":
        # (Z-1)(pi_inv(k) - pi_res(k)) = u k + v is linear in k, so its partial sums are a
        # quadratic in j: no per-k payoffs and no cumulative sum are needed.
        u = a_ii - a_ij - a_ji + a_jj
        v = z * a_ij - a_ii - (z - 1) * a_jj
        scale = -beta / (z - 1)
        out = (scale * u) * (j * (j + 1) / 2) + (scale * v) * j
        return np.broadcast_to(out, (*shape, z - 1))
    k = j
    pi_inv = ((k - 1) * a_ii + (z - k) * a_ij) / (z - 1)
    pi_res = (k * a_ji + (z - k - 1) * a_jj) / (z - 1)
    f_inv = 1 - beta + beta * pi_inv
    f_res = 1 - beta + beta * pi_res
    if np.any(f_inv <= 0) or np.any(f_res <= 0):
        raise ValueError(
            "rule='moran' needs positive fitness 1 - selection + selection * payoff; shift "
            "the payoffs up or lower selection"
        )
    out = np.cumsum(np.log(f_res) - np.log(f_inv), axis=-1)
    return np.broadcast_to(out, (*shape, z - 1))


def _rho_parts(partial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(top, total) with rho = exp(-top) / total = 1 / (1 + sum_j exp(S_j)).

    Scaling by the largest partial log-product keeps every term in range; with neutral
    selection top = 0 and total = Z exactly, so rho = 1/Z to the last bit.
    """
    top = np.maximum(partial.max(axis=-1), 0.0)
    total = np.exp(-top) + np.exp(partial - top[..., None]).sum(axis=-1)
    return top, total


def log_fixation_probability(
    payoff_matrix: np.ndarray,
    invader: int,
    resident: int,
    *,
    population: int,
    selection: float,
    rule: Rule = "fermi",
) -> float:
    """Natural log of :func:`fixation_probability`, finite even far below the smallest float.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> round(log_fixation_probability(A, 0, 1, population=1000, selection=100), 6)
    -150200.0
    """
    top, total = _pair_rho_parts(payoff_matrix, invader, resident, population, selection, rule)
    return float(-(top + np.log(total)))


def _pair_rho_parts(payoff_matrix, invader, resident, population, selection, rule):
    """Validate one (invader, resident) pair and return (top, total) of its fixation probability."""
    a = _payoff_matrix(payoff_matrix)
    rule = _rule(rule)
    z, beta = _population(population), _selection(selection, rule)
    i, j = _strategy_index(invader, a, "invader"), _strategy_index(resident, a, "resident")
    return _rho_parts(_partial_log_products(a[i, i], a[i, j], a[j, i], a[j, j], z, beta, rule))


def _strategy_index(i, a: np.ndarray, name: str) -> int:
    i = check_int(i, name, minimum=0)
    if i >= a.shape[0]:
        raise ValueError(f"{name} must be a strategy index in [0, {a.shape[0] - 1}], got {i}")
    return i


def fixation_probability(
    payoff_matrix: np.ndarray,
    invader: int,
    resident: int,
    *,
    population: int,
    selection: float,
    rule: Rule = "fermi",
) -> float:
    """Probability that one ``invader`` takes over a population of ``resident`` (size Z).

    Exact closed form ``rho = 1 / (1 + sum_{j=1}^{Z-1} prod_{k=1}^{j} T-(k)/T+(k))`` (Nowak et al.
    2004; Traulsen, Nowak & Pacheco 2006), computed in log space so that strong selection in
    large populations neither overflows nor underflows to a wrong answer. Neutral selection gives
    exactly ``1 / Z``. For values below about 1e-308 use :func:`log_fixation_probability`.

    Parameters
    ----------
    payoff_matrix : (n, n) array, payoff of strategy i against j (per interaction).
    invader, resident : strategy indices.
    population : Z >= 2.
    selection : intensity beta >= 0 (in [0, 1] for ``rule="moran"``).
    rule : "fermi" (pairwise comparison) or "moran" (birth-death, linear fitness).

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])  # ALLC vs ALLD, one shot
    >>> fixation_probability(A, 0, 1, population=50, selection=1.0)  # about 3e-34
    3.16...e-34
    >>> fixation_probability(A, 0, 1, population=50, selection=0.0) == 1 / 50
    True
    """
    top, total = _pair_rho_parts(payoff_matrix, invader, resident, population, selection, rule)
    return float(np.exp(-top) / total)


def fixation_matrix(
    payoff_matrix: np.ndarray,
    *,
    population: int,
    selection: float,
    rule: Rule = "fermi",
    log: bool = False,
) -> np.ndarray:
    """Fixation probabilities for every ordered pair at once: ``out[i, j]`` = i invading j.

    Vectorised over pairs and population states, in row blocks that bound memory. The diagonal
    holds the neutral value ``1 / Z``.

    Returns
    -------
    numpy.ndarray, shape (n, n); natural logs when ``log=True``.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> fixation_matrix(A, population=10, selection=0.0).tolist()
    [[0.1, 0.1], [0.1, 0.1]]
    """
    a = _payoff_matrix(payoff_matrix)
    rule = _rule(rule)
    z, beta = _population(population), _selection(selection, rule)
    n = a.shape[0]
    d = np.diag(a)
    out = np.empty((n, n))
    block = max(1, (1 << 22) // max(1, n * (z - 1)))
    for r0 in range(0, n, block):
        rows = slice(r0, min(n, r0 + block))
        lg = _partial_log_products(
            d[rows, None], a[rows, :], a[:, rows].T, d[None, :], z, beta, rule
        )
        top, total = _rho_parts(lg)
        out[rows] = -(top + np.log(total)) if log else np.exp(-top) / total
    np.fill_diagonal(out, -math.log(z) if log else 1.0 / z)
    return out


# ----------------------------------------------------------------------------------------------
# Stationary distributions
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StationaryDistribution:
    """Long-run distribution of a finite population under mutation and selection.

    Attributes
    ----------
    shares : (n,) long-run share of each strategy (the probability of each monomorphic state
        in the small-mutation limit; the mean abundance in the exact chain).
    states : (S, n) int compositions (counts per strategy) the chain runs over.
    probabilities : (S,) stationary probability of each state.
    transitions : (S, S) transition matrix of the chain (dense for the small-mutation limit,
        scipy sparse for the exact chain).
    fixation : (n, n) fixation probabilities (small-mutation limit only), else None.
    """

    shares: np.ndarray
    states: np.ndarray
    probabilities: np.ndarray
    transitions: object
    fixation: np.ndarray | None = None


def _dense_stationary(t: np.ndarray) -> np.ndarray:
    n = t.shape[0]
    lhs = (np.eye(n) - t + 1.0).T
    v = np.linalg.solve(lhs, np.ones(n))
    v = np.maximum(v, 0.0)
    return v / v.sum()


def stationary_distribution(
    payoff_matrix: np.ndarray,
    *,
    population: int,
    selection: float,
    mutation: float | None = None,
    rule: Rule = "fermi",
) -> StationaryDistribution:
    """Stationary distribution of the finite-population dynamics.

    With ``mutation=None`` (or 0): the small-mutation limit (Fudenberg & Imhof 2006). The
    population is monomorphic almost always; a mutant of a uniformly chosen other strategy
    appears and fixes with the exact fixation probability, so the embedded chain over the n
    monomorphic states has ``T[j, i] = rho(i invades j) / (n - 1)``.

    With ``mutation = mu > 0``: the exact chain over all compositions of Z into n strategies
    (sparse). Each step a random organization mutates with probability mu to a uniformly chosen
    other strategy, or else updates by ``rule``. Refused with a clear error when the number of
    compositions ``C(Z + n - 1, n - 1)`` exceeds :data:`MAX_COMPOSITIONS`.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> stationary_distribution(A, population=50, selection=1.0).shares.round(6).tolist()
    [0.0, 1.0]
    """
    a = _payoff_matrix(payoff_matrix)
    rule = _rule(rule)
    z, beta = _population(population), _selection(selection, rule)
    n = a.shape[0]
    if mutation is None or mutation == 0:
        if n == 1:
            one = np.ones(1)
            return StationaryDistribution(one, np.array([[z]]), one, np.ones((1, 1)), one[None])
        rho = fixation_matrix(a, population=z, selection=beta, rule=rule)
        t = rho.T / (n - 1)
        np.fill_diagonal(t, 0.0)
        np.fill_diagonal(t, 1.0 - t.sum(axis=1))
        v = _dense_stationary(t)
        return StationaryDistribution(v, z * np.eye(n, dtype=np.int64), v, t, rho)
    mu = check_probability(mutation, "mutation")
    return _exact_mutation_chain(a, z, beta, mu, rule)


def _compositions(z: int, n: int) -> np.ndarray:
    count = math.comb(z + n - 1, n - 1)
    if count > MAX_COMPOSITIONS:
        raise ValueError(
            f"the exact chain for population={z} and {n} strategies has {count:,} states, more "
            f"than MAX_COMPOSITIONS={MAX_COMPOSITIONS:,}; use mutation=None (small-mutation "
            "limit) or simulate_population"
        )
    if n == 1:
        return np.array([[z]], dtype=np.int64)
    # Stars and bars: choose n - 1 bar positions among z + n - 1 slots.
    from itertools import combinations

    bars = np.array(list(combinations(range(z + n - 1), n - 1)), dtype=np.int64)
    edges = np.concatenate(
        [np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), z + n - 1)], axis=1
    )
    return np.diff(edges, axis=1) - 1


def _exact_mutation_chain(a, z, beta, mu, rule) -> StationaryDistribution:
    n = a.shape[0]
    states = _compositions(z, n)
    s = len(states)
    # Index compositions by a mixed-radix code so a neighbour's row is one lookup.
    radix = (z + 1) ** np.arange(n)
    code = states @ radix
    order = np.argsort(code)
    sorted_code = code[order]
    pay = (states @ a.T - np.diag(a)[None, :]) / (z - 1)  # (S, n): payoff of one i-player
    rows, cols, vals = [], [], []
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            # One i-organization becomes j.
            ki, kj = states[:, i], states[:, j]
            valid = ki > 0
            if rule == "fermi":
                imitate = kj / (z - 1) / (1 + np.exp(-beta * (pay[:, j] - pay[:, i])))
                p = ki / z * ((1 - mu) * imitate + mu / (n - 1))
            else:
                fit = 1 - beta + beta * pay
                total_fit = (states * fit).sum(axis=1)
                birth_j = kj * fit[:, j] / total_fit
                p = (1 - mu) * birth_j * ki / z + mu * ki / z / (n - 1)
            src = np.flatnonzero(valid & (p > 0))
            dest_code = code[src] - radix[i] + radix[j]
            dest = order[np.searchsorted(sorted_code, dest_code)]
            rows.append(src)
            cols.append(dest)
            vals.append(p[src])
    rows, cols, vals = (np.concatenate(x) for x in (rows, cols, vals))
    t = sparse.csr_matrix((vals, (rows, cols)), shape=(s, s))
    stay = 1.0 - np.asarray(t.sum(axis=1)).ravel()
    t = t + sparse.diags(stay)
    # Solve pi (I - T) = 0 with one equation replaced by sum(pi) = 1.
    lhs = (sparse.eye(s) - t).T.tolil()
    lhs[0, :] = np.ones(s)
    rhs = np.zeros(s)
    rhs[0] = 1.0
    pi = spsolve(lhs.tocsc(), rhs)
    pi = np.maximum(pi, 0.0)
    pi /= pi.sum()
    shares = pi @ states / z
    return StationaryDistribution(shares, states, pi, t.tocsr(), None)


# ----------------------------------------------------------------------------------------------
# Simulation
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationResult:
    """Result of :func:`simulate_population`.

    Attributes
    ----------
    counts : (replicates, n) final number of organizations using each strategy.
    history : (records, replicates, n) counts every ``record_every`` steps (incl. the start),
        or None.
    fixation_step : (replicates,) step at which each population became monomorphic
        (-1 if it did not, or if mutation > 0).
    steps : number of update steps run.
    """

    counts: np.ndarray
    history: np.ndarray | None
    fixation_step: np.ndarray
    steps: int

    def fixed(self, strategy: int) -> np.ndarray:
        """Boolean (replicates,): populations that ended monomorphic for ``strategy``."""
        return self.counts[:, strategy] == self.counts.sum(axis=1)


def simulate_population(
    payoff_matrix: np.ndarray,
    initial: Sequence[int],
    *,
    steps: int,
    selection: float,
    mutation: float = 0.0,
    replicates: int = 1,
    rule: Rule = "fermi",
    until_fixation: bool = False,
    record_every: int | None = None,
    seed: SeedLike = None,
    progress: bool = False,
) -> PopulationResult:
    """Simulate many finite populations in lockstep, one update event per step.

    Each step, in every population at once: with ``rule="fermi"`` a random organization
    (the focal) compares itself with a random other and imitates it with probability
    ``1 / (1 + exp(-beta (pi_model - pi_focal)))``; with ``rule="moran"`` one organization is
    chosen to reproduce in proportion to fitness ``1 - w + w pi`` and replaces a random one.
    With probability ``mutation`` the updating organization instead switches to a uniformly
    chosen other strategy. Payoffs are against the Z - 1 others. Organizations of one strategy
    are exchangeable, so a population is held as its counts per strategy.

    Parameters
    ----------
    payoff_matrix : (n, n) payoffs per interaction.
    initial : n counts summing to the population size Z >= 2.
    steps : maximum number of update events.
    selection : beta >= 0 (in [0, 1] for "moran").
    mutation : probability in [0, 1].
    replicates : independent populations.
    until_fixation : stop once every population is monomorphic (needs mutation = 0).
    record_every : keep the counts every this many steps.
    seed : int, Generator or SeedSequence.
    progress : show a tqdm progress bar.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> res = simulate_population(A, [99, 1], steps=100_000, selection=1.0, replicates=200,
    ...                           until_fixation=True, seed=1)
    >>> float(res.fixed(1).mean())  # exact: fixation_probability(A, 1, 0, ...) = 0.869
    0.85
    """
    a = _payoff_matrix(payoff_matrix)
    rule = _rule(rule)
    n = a.shape[0]
    init = as_float_array(initial, "initial", shape=(n,))
    if np.any(init < 0) or np.any(init != np.round(init)):
        raise ValueError("initial must hold non-negative integer counts per strategy")
    z = _population(int(init.sum()))
    beta = _selection(selection, rule)
    mu = check_probability(mutation, "mutation")
    steps = check_int(steps, "steps", minimum=0)
    r = check_int(replicates, "replicates", minimum=1)
    if mu > 0 and n < 2:
        raise ValueError("mutation needs at least two strategies")
    if until_fixation and mu > 0:
        raise ValueError("until_fixation needs mutation = 0 (with mutation nothing fixes for good)")
    if record_every is not None:
        record_every = check_int(record_every, "record_every", minimum=1)
    rng = as_generator(seed)

    counts = np.tile(init.astype(np.int64), (r, 1))
    rows = np.arange(r)
    history = [counts.copy()] if record_every else None
    fixation_step = np.full(r, -1, dtype=np.int64)
    diag = np.diag(a)

    def draw_type(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
        cum = np.cumsum(weights, axis=1)
        return (u[:, None] * cum[:, -1:] >= cum).sum(axis=1).clip(max=n - 1)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="population updates", unit="step")
    step = 0
    block = 1024
    while step < steps:
        nb = min(block, steps - step)
        u = rng.random((nb, 4, r))
        for b in range(nb):
            pay = (counts @ a.T - diag) / (z - 1)  # (R, n)
            if rule == "fermi":
                focal = draw_type(counts, u[b, 0])
                rest = counts.copy()
                rest[rows, focal] -= 1
                model = draw_type(rest, u[b, 1])
                delta = pay[rows, model] - pay[rows, focal]
                adopt = u[b, 2] < 1.0 / (1.0 + np.exp(-beta * delta))
                loser, winner = focal, np.where(adopt, model, focal)
            else:
                fit = 1 - beta + beta * pay
                if np.any(fit <= 0):
                    raise ValueError("rule='moran' needs positive fitness 1 - w + w * payoff")
                winner = draw_type(counts * fit, u[b, 0])
                loser = draw_type(counts, u[b, 1])
            if mu:
                mutate = u[b, 3] < mu
                if mutate.any():
                    # Mutant strategy: uniform among the n - 1 others of the updating one.
                    shift = 1 + np.minimum((u[b, 2] * (n - 1)).astype(np.int64), n - 2)
                    winner = np.where(mutate, (loser + shift) % n, winner)
            counts[rows, loser] -= 1
            counts[rows, winner] += 1
            step += 1
            if until_fixation:
                mono = (counts == z).any(axis=1)
                newly = mono & (fixation_step < 0)
                fixation_step[newly] = step
            if record_every and step % record_every == 0:
                history.append(counts.copy())
            if until_fixation and (fixation_step >= 0).all():
                break
        if bar is not None:
            bar.update(b + 1)
        if until_fixation and (fixation_step >= 0).all():
            break
    if bar is not None:
        bar.close()
    return PopulationResult(
        counts=counts,
        history=np.array(history) if history is not None else None,
        fixation_step=fixation_step,
        steps=step,
    )


# ----------------------------------------------------------------------------------------------
# From strategies to a payoff matrix
# ----------------------------------------------------------------------------------------------


def payoff_matrix_for(
    strategies: Sequence,
    game: StageGame,
    *,
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
) -> np.ndarray:
    """Strategy-vs-strategy payoff matrix (payoff per round) from the exact kernel.

    Examples
    --------
    >>> from allysim import ALLC, ALLD, TFT, PrisonersDilemma
    >>> payoff_matrix_for([ALLC, ALLD, TFT], PrisonersDilemma(), rounds=10).round(2).tolist()
    [[3.0, 0.0, 3.0], [5.0, 1.0, 1.4], [3.0, 0.9, 3.0]]
    """
    row, _ = expected_payoffs(
        strategies,
        strategies,
        game,
        rounds=rounds,
        continuation=continuation,
        noise=noise,
        perception_noise=perception_noise,
    )
    return row
