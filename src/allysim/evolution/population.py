"""Seeded simulation of many finite populations in lockstep."""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from allysim._progress import progress_bar
from allysim._results import SavedResult
from allysim._validation import (
    SeedLike,
    as_float_array,
    as_generator,
    check_int,
    check_memory,
    check_probability,
    resolve_seed,
)
from allysim.evolution._common import PopulationRule, _payoff_matrix, _population_rule, _selection
from allysim.evolution.update_rules import _fermi
from allysim.kernels import _compiled
from allysim.kernels._compiled import Backend

_RULE_CODES = {"fermi": 0, "moran": 1, "moran_db": 2, "wright_fisher": 3}
# Population updates per compiled call (the progress bar moves between calls; the split does
# not change the results, since every population carries its own stream state across calls).
_CALL_UPDATES = 1 << 24


@dataclass(frozen=True, repr=False)
class PopulationResult(SavedResult):
    """Result of [`simulate_population`][allysim.evolution.simulate_population].

    Parameters
    ----------
    counts : numpy.ndarray
        Shape (replicates, n): final number of organizations using each strategy.
    history : numpy.ndarray or None
        Shape (records, replicates, n): counts every ``record_every`` steps, the start
        included; None without ``record_every``.
    fixation_step : numpy.ndarray
        Shape (replicates,): with ``until_fixation``, the step at which each population
        became monomorphic (0 if it started so; -1 if it did not); all -1 without
        ``until_fixation``.
    steps : int
        Number of update steps run.

    Examples
    --------
    >>> import numpy as np
    >>> res = simulate_population(np.array([[3.0, 0.0], [5.0, 1.0]]), [5, 5], steps=500,
    ...                           selection=2.0, replicates=3, until_fixation=True, seed=1)
    >>> res.counts.sum(axis=1).tolist()
    [10, 10, 10]
    """

    counts: np.ndarray
    history: np.ndarray | None
    fixation_step: np.ndarray
    steps: int

    def to_frame(self) -> Any:
        """One row per replicate and strategy: final count and fixation step.

        Returns
        -------
        pandas.DataFrame
            Columns ``replicate``, ``strategy`` (index), ``count``, ``fixation_step``.

        Examples
        --------
        >>> import numpy as np
        >>> PopulationResult(np.array([[10, 0]]), None, np.array([7]), 50).to_frame().shape
        (2, 4)
        """
        import pandas as pd

        reps, n = self.counts.shape
        rep, strat = np.divmod(np.arange(reps * n), n)
        return pd.DataFrame(
            {
                "replicate": rep,
                "strategy": strat,
                "count": self.counts.ravel(),
                "fixation_step": self.fixation_step[rep],
            }
        )

    def plot(self, names: Any = None, *, ax: Any = None) -> Any:
        """Mean strategy shares over replicates: over time with a history, else at the end.

        Parameters
        ----------
        names : sequence of str or None, default None
            Strategy names; None numbers them.
        ax : matplotlib.axes.Axes or None, default None
            Axes to draw on; a new figure is made when None.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.

        Examples
        --------
        >>> import numpy as np
        >>> ax = PopulationResult(np.array([[10, 0], [4, 6]]), None, np.array([7, -1]), 50).plot()
        >>> len(ax.patches)
        2
        """
        from allysim.plotting import strategy_shares  # deferred: matplotlib
        from allysim.plotting._common import _axes

        n = self.counts.shape[1]
        names = [f"strategy {i}" for i in range(n)] if names is None else list(names)
        if self.history is not None:
            shares = self.history / self.history.sum(axis=2, keepdims=True)
            return strategy_shares(shares.mean(axis=1), names, ax=ax)
        ax = _axes(ax)
        final = (self.counts / self.counts.sum(axis=1, keepdims=True)).mean(axis=0)
        ax.bar(names, final)
        ax.set_ylabel(f"mean share after {self.steps} steps ({len(self.counts)} replicates)")
        ax.set_ylim(0, 1)
        return ax

    def fixed(self, strategy: int) -> np.ndarray:
        """Which populations ended monomorphic for ``strategy``.

        Parameters
        ----------
        strategy : int
            Strategy index.

        Returns
        -------
        numpy.ndarray
            Boolean, shape (replicates,).

        Examples
        --------
        >>> import numpy as np
        >>> res = PopulationResult(np.array([[10, 0], [4, 6]]), None, np.array([7, -1]), 50)
        >>> res.fixed(0).tolist()
        [True, False]
        """
        return self.counts[:, strategy] == self.counts.sum(axis=1)


def _wright_fisher_generation(
    counts: np.ndarray,
    pay: np.ndarray,
    beta: float,
    mu: float,
    z: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """One Wright-Fisher generation: Z offspring drawn by fitness, then mutation."""
    fit = np.where(counts > 0, 1 - beta + beta * pay, 1.0)
    if np.any(fit <= 0):
        raise ValueError(
            "rule='wright_fisher' needs positive fitness 1 - selection + selection * payoff; "
            "shift the payoff_matrix up or lower selection"
        )
    weight = counts * fit
    share = weight / weight.sum(axis=1, keepdims=True)
    n = counts.shape[1]
    if mu:
        # An offspring mutates with chance mu, to one of the n - 1 other strategies uniformly.
        share = (1 - mu) * share + mu * (1 - share) / (n - 1)
    share = share / share.sum(axis=1, keepdims=True)
    return rng.multinomial(z, share).astype(np.int64)


def _simulate_compiled(
    a: np.ndarray,
    rule: str,
    beta: float,
    mu: float,
    z: int,
    counts: np.ndarray,
    steps: int,
    until_fixation: bool,
    record_every: int | None,
    records: int,
    rng: np.random.Generator,
    progress: bool,
) -> PopulationResult:
    """``simulate_population`` through the compiled loop (arguments already checked)."""
    from allysim.evolution import _compiled_population as fast  # deferred: imports numba

    r, n = counts.shape
    key0, key1 = (np.uint64(v) for v in rng.integers(0, 2**64, size=2, dtype=np.uint64))
    state = np.empty(r, np.uint64)
    gamma = np.empty(r, np.uint64)
    fixation_step = np.full(r, -1, dtype=np.int64)
    if until_fixation:
        fixation_step[(counts == z).any(axis=1)] = 0
    bad = np.zeros(r, dtype=np.int64)
    history = np.empty((records, r, n), dtype=np.int64)
    if records:
        history[0] = counts
        # The compiled loop skips a population done at step 0: its records stay its start.
        history[1:, fixation_step == 0] = counts[fixation_step == 0]
    a = np.ascontiguousarray(a, dtype=np.float64)
    per_step = r * (z if rule == "wright_fisher" else 1)
    chunk = max(1, _CALL_UPDATES // per_step)
    bar = None
    if progress:
        bar = progress_bar(total=steps, desc="population updates", unit="step")
    try:
        with _compiled.LOCK:
            fast.init_streams(key0, key1, state, gamma)
        first = 0
        while first < steps:
            last = min(steps, first + chunk)
            with _compiled.LOCK:
                fast.run_populations(
                    a,
                    _RULE_CODES[rule],
                    float(beta),
                    float(mu),
                    z,
                    counts,
                    state,
                    gamma,
                    first,
                    last,
                    bool(until_fixation),
                    fixation_step,
                    record_every or 0,
                    history,
                    bad,
                )
            if bad.any():
                raise ValueError(
                    f"rule={rule!r} needs positive fitness 1 - selection + selection * "
                    "payoff; shift the payoff_matrix up or lower selection"
                )
            if bar is not None:
                bar.update(last - first)
            first = last
            if until_fixation and (fixation_step >= 0).all():
                break
    finally:
        if bar is not None:
            bar.close()
    done = int(fixation_step.max()) if until_fixation and (fixation_step >= 0).all() else steps
    return PopulationResult(
        counts=counts,
        history=history[: 1 + done // record_every] if record_every else None,
        fixation_step=fixation_step,
        steps=done,
    )


def simulate_population(
    payoff_matrix: np.ndarray,
    initial: Sequence[int],
    *,
    steps: int,
    selection: float,
    mutation: float = 0.0,
    replicates: int = 1,
    rule: PopulationRule = "fermi",
    until_fixation: bool = False,
    record_every: int | None = None,
    seed: SeedLike = None,
    rng: SeedLike = None,
    progress: bool = False,
    backend: Backend = "numpy",
) -> PopulationResult:
    """Simulate many finite populations in lockstep, one update event per step.

    Each step, in every population at once: with ``rule="fermi"`` a random organization
    (the focal) compares itself with a random other and imitates it with probability
    ``1 / (1 + exp(-beta (pi_model - pi_focal)))``; with ``rule="moran"`` one organization is
    chosen to reproduce in proportion to fitness ``1 - w + w pi`` and replaces a random one;
    with ``rule="moran_db"`` a random organization dies and the others compete for its place
    in proportion to fitness. With probability ``mutation`` the updating organization instead
    switches to a uniformly chosen other strategy. With ``rule="wright_fisher"`` a step is a
    whole generation: Z offspring are drawn by fitness (a multinomial), each mutating with
    probability ``mutation``. Payoffs are against the Z - 1 others. Organizations of one strategy
    are exchangeable, so a population is held as its counts per strategy.

    Parameters
    ----------
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j, per interaction.
    initial : sequence of int
        n non-negative counts summing to the population size Z >= 2.
    steps : int
        Maximum number of update events, >= 0.
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for the Moran and Wright-Fisher rules).
    mutation : float, default 0.0
        Probability in [0, 1] that an update is a mutation instead.
    replicates : int, default 1
        Number of independent populations, >= 1.
    rule : {"fermi", "moran", "moran_db", "wright_fisher"}, default "fermi"
        Pairwise comparison, Moran birth-death, Moran death-birth or Wright-Fisher process
        (see [`fixation_probability`][allysim.evolution.fixation_probability]).
    until_fixation : bool, default False
        Stop once every population is monomorphic (needs mutation = 0).
    record_every : int or None, default None
        Keep the counts every this many steps (>= 1); the memory this takes is checked
        against the budget (:func:`allysim.set_memory_budget`).
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Source of randomness; an int or SeedSequence reproduces the run bit for bit.
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The random stream under its Scientific Python SPEC 7 name; ``seed`` is an alias.
        Give one of the two.
    progress : bool, default False
        Show a tqdm progress bar.
    backend : {"numpy", "numba", "auto"}, default "numpy"
        ``"numpy"``: the reference implementation, all populations in lockstep. ``"numba"``:
        a compiled loop per population, spread over the cores (needs the ``fast`` extra), with
        its own random stream: each population draws from a SplitMix64 stream keyed by the seed
        and its index, so a seed gives the same result for any number of threads, but not the
        numpy path's populations (the same process in distribution; docs/performance.md).
        ``"auto"``: numba when it is installed and the run has at least 5e6 updates
        (Wright-Fisher: offspring), else numpy.

    Returns
    -------
    PopulationResult
        Final counts, the recorded history and the fixation steps.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> res = simulate_population(A, [99, 1], steps=100_000, selection=1.0, replicates=200,
    ...                           until_fixation=True, seed=1)
    >>> float(res.fixed(1).mean())  # exact: fixation_probability(A, 1, 0, ...) = 0.869
    0.85
    """
    seed = resolve_seed(seed, rng)
    _compiled.check_backend(backend)
    a = _payoff_matrix(payoff_matrix)
    rule = _population_rule(rule)
    n = a.shape[0]
    init = as_float_array(initial, "initial", shape=(n,))
    if np.any(init < 0) or np.any(init != np.round(init)) or init.sum() > 2**53:
        raise ValueError(
            "initial must hold non-negative integer counts per strategy (total at most 2**53), "
            f"got {reprlib.repr(init.tolist())}"
        )
    if init.sum() < 2:
        raise ValueError(f"initial must sum to a population of at least 2, got {int(init.sum())}")
    z = int(init.sum())
    if not np.isfinite(2.0 * (z + 1) * float(np.abs(a).max())):
        # The payoffs against the Z - 1 others are sums of up to Z entries: beyond this they
        # overflow, and inf - inf froze the Fermi rule or gave NaN weights.
        raise ValueError(
            "payoff_matrix entries times the population overflow float64 (largest |entry| "
            f"{float(np.abs(a).max()):.3g}, population {z}); scale payoff_matrix down (and "
            "selection up by the same factor for rule='fermi')"
        )
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

    records = 1 + steps // record_every if record_every else 0
    check_memory(
        8.0 * r * n * (records + 8) + 8.0 * 4 * 1024 * r,
        "steps, record_every, replicates" if record_every else "replicates",
        hint=(
            "raise record_every (keep fewer snapshots) or leave it None"
            if record_every
            else "run fewer replicates per call"
        ),
    )
    counts = np.tile(init.astype(np.int64), (r, 1))
    updates = float(steps) * r * (z if rule == "wright_fisher" else 1)
    if _compiled.compiled(backend, updates / 100) is not None:
        return _simulate_compiled(
            a,
            rule,
            beta,
            mu,
            z,
            counts,
            steps,
            until_fixation,
            record_every,
            records,
            rng,
            progress,
        )
    rows = np.arange(r)
    history = np.empty((records, r, n), dtype=np.int64) if record_every else None
    n_recorded = 0
    if history is not None:
        history[0] = counts
        n_recorded = 1
    fixation_step = np.full(r, -1, dtype=np.int64)
    if until_fixation:
        fixation_step[(counts == z).any(axis=1)] = 0
    diag = np.diag(a)

    def draw_type(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
        cum = np.cumsum(weights, axis=1)
        return (u[:, None] * cum[:, -1:] >= cum).sum(axis=1).clip(max=n - 1)

    bar = None
    if progress:
        bar = progress_bar(total=steps, desc="population updates", unit="step")
    step = 0
    block = 1024
    while step < steps and not (until_fixation and (fixation_step >= 0).all()):
        nb = min(block, steps - step)
        # Wright-Fisher draws whole generations from a multinomial instead of uniforms.
        u = rng.random((nb, 4, r)) if rule != "wright_fisher" else np.empty((nb, 4, 0))
        for b in range(nb):
            pay = (counts @ a.T - diag) / (z - 1)  # (R, n)
            if rule == "wright_fisher":
                counts = _wright_fisher_generation(counts, pay, beta, mu, z, rng)
            elif rule == "fermi":
                focal = draw_type(counts, u[b, 0])
                rest = counts.copy()
                rest[rows, focal] -= 1
                model = draw_type(rest, u[b, 1])
                delta = pay[rows, model] - pay[rows, focal]
                adopt = u[b, 2] < _fermi(delta, beta)
                loser, winner = focal, np.where(adopt, model, focal)
            else:
                fit = 1 - beta + beta * pay
                # Absent strategies have no fitness to speak of (their payoff is notional).
                present = counts > 0
                fit = np.where(present, fit, 1.0)
                if np.any(fit <= 0):
                    raise ValueError(
                        f"rule={rule!r} needs positive fitness 1 - selection + selection * "
                        "payoff; shift the payoff_matrix up or lower selection"
                    )
                if rule == "moran":
                    winner = draw_type(counts * fit, u[b, 0])
                    loser = draw_type(counts, u[b, 1])
                else:
                    # Death-birth: the one that dies is not among those competing for its place.
                    loser = draw_type(counts, u[b, 0])
                    rest = counts.copy()
                    rest[rows, loser] -= 1
                    winner = draw_type(rest * fit, u[b, 1])
            if mu and rule != "wright_fisher":
                mutate = u[b, 3] < mu
                if mutate.any():
                    # Mutant strategy: uniform among the n - 1 others of the updating one.
                    shift = 1 + np.minimum((u[b, 2] * (n - 1)).astype(np.int64), n - 2)
                    winner = np.where(mutate, (loser + shift) % n, winner)
            if rule != "wright_fisher":
                counts[rows, loser] -= 1
                counts[rows, winner] += 1
            step += 1
            if until_fixation:
                mono = (counts == z).any(axis=1)
                newly = mono & (fixation_step < 0)
                fixation_step[newly] = step
            if history is not None and record_every and step % record_every == 0:
                history[n_recorded] = counts
                n_recorded += 1
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
        history=history[:n_recorded] if history is not None else None,
        fixation_step=fixation_step,
        steps=step,
    )
