"""Stationary distributions: the small-mutation limit and the exact mutation chain."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from allysim._results import SavedResult
from allysim._validation import (
    check_interval,
    check_memory,
    check_probability,
)
from allysim.evolution._common import (
    PopulationRule,
    _choice,
    _payoff_matrix,
    _population,
    _population_rule,
    _rule,
    _selection,
)
from allysim.evolution.fixation import fixation_matrix
from allysim.evolution.mutation_chain import (
    _chain_bytes,
    _composition_count,
    _dense_chain_stationary,
    _direct_stationary,
    _exact_transitions,
    _iterative_stationary,
    _log_gth,
)


@dataclass(frozen=True, repr=False)
class StationaryDistribution(SavedResult):
    """Long-run distribution of a finite population under mutation and selection.

    Parameters
    ----------
    shares : numpy.ndarray
        Shape (n,): long-run share of each strategy (the probability of each monomorphic state
        in the small-mutation limit; the mean abundance in the exact chain).
    states : numpy.ndarray
        Shape (S, n), int: compositions (counts per strategy) the chain runs over.
    probabilities : numpy.ndarray
        Shape (S,): stationary probability of each state.
    transitions : numpy.ndarray or scipy.sparse.csr_matrix
        Shape (S, S): row-stochastic transition matrix of the chain (dense for the
        small-mutation limit, scipy sparse CSR for the exact chain).
    fixation : numpy.ndarray or None, default None
        Shape (n, n): fixation probabilities (small-mutation limit only), else None.
    residual : float, default 0.0
        ``||pi T - pi||_1`` of the returned ``probabilities``: how far they are from stationary.
    iterations : int, default 0
        Cycles of the iterative solver (0 for a direct solve).
    solver : str, default "dense"
        ``"dense"`` (small-mutation limit), ``"direct"`` (GTH elimination up to 300 states,
        checked sparse LU above) or ``"iterative"``.

    Examples
    --------
    >>> import numpy as np
    >>> res = stationary_distribution(np.array([[3.0, 0.0], [5.0, 1.0]]), population=10,
    ...                               selection=1.0)
    >>> res.solver, res.shares.round(3).tolist()
    ('dense', [0.0, 1.0])
    """

    shares: np.ndarray
    states: np.ndarray
    probabilities: np.ndarray
    transitions: object
    fixation: np.ndarray | None = None
    residual: float = 0.0
    iterations: int = 0
    solver: str = "dense"

    def __repr__(self) -> str:
        shares = np.array2string(self.shares, precision=4, threshold=8)
        return (
            f"StationaryDistribution({len(self.shares)} strategies, {len(self.states)} states, "
            f"solver={self.solver!r}, residual={self.residual:.2g}, shares={shares})"
        )

    def to_frame(self, names: Any = None) -> Any:
        """Long-run share of each strategy.

        Parameters
        ----------
        names : sequence of str or None, default None
            Strategy names; None numbers them.

        Returns
        -------
        pandas.DataFrame
            Columns ``strategy`` and ``share``.

        Examples
        --------
        >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
        >>> res = stationary_distribution(A, population=10, selection=1.0)
        >>> res.to_frame()["share"].round(3).tolist()
        [0.0, 1.0]
        """
        import pandas as pd

        n = len(self.shares)
        labels = list(range(n)) if names is None else list(names)
        return pd.DataFrame({"strategy": labels, "share": self.shares})

    def plot(self, names: Any = None, *, ax: Any = None) -> Any:
        """The shares as bars (with the favoured transitions in the small-mutation limit).

        Parameters
        ----------
        names : sequence of str or None, default None
            Strategy names; None numbers them.
        ax : matplotlib.axes.Axes or None, default None
            Axes to draw on; a new figure is made when None.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on (``allysim.plotting.stationary_bars`` where fixation
            probabilities are known).

        Examples
        --------
        >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
        >>> ax = stationary_distribution(A, population=10, selection=1.0).plot(["C", "D"])
        >>> len(ax.patches) >= 2
        True
        """
        from allysim.plotting import stationary_bars  # deferred: matplotlib
        from allysim.plotting._common import _axes

        n = len(self.shares)
        labels = [f"strategy {i}" for i in range(n)] if names is None else list(names)
        if self.fixation is not None:
            return stationary_bars(self, labels, ax=ax)
        ax = _axes(ax)
        ax.bar(labels, self.shares)
        ax.set_ylabel("long-run share (exact mutation chain)")
        ax.set_ylim(0, 1)
        return ax


_SOLVERS = ("auto", "direct", "iterative")
#: With ``solver="auto"`` chains up to this many states are solved by sparse LU (exact, and
#: faster than iterating there); larger ones iteratively.
DIRECT_MAX_STATES = 20_000


def stationary_distribution(
    payoff_matrix: np.ndarray,
    *,
    population: int,
    selection: float,
    mutation: float | None = None,
    rule: PopulationRule = "fermi",
    solver: Literal["auto", "direct", "iterative"] = "auto",
    tol: float = 1e-10,
    time_limit: float | None = 600.0,
    progress: bool = False,
) -> StationaryDistribution:
    """Stationary distribution of the finite-population dynamics.

    With ``mutation=None`` (or 0): the small-mutation limit (Fudenberg & Imhof 2006). The
    population is monomorphic almost always; a mutant of a uniformly chosen other strategy
    appears and fixes with the exact fixation probability, so the embedded chain over the n
    monomorphic states has ``T[j, i] = rho(i invades j) / (n - 1)``.

    With ``mutation = mu > 0``: the exact chain over all ``C(Z + n - 1, n - 1)`` compositions
    of Z into n strategies (sparse, built without per-state Python loops). Each step a random
    organization mutates with probability mu to a uniformly chosen other strategy, or else
    updates by ``rule``. Chains up to 300 states are solved by GTH elimination (Grassmann,
    Taksar & Heyman 1985), exact to round-off in every probability even when the chain is
    nearly reducible; up to :data:`DIRECT_MAX_STATES` by sparse LU, replaced by GTH (up to
    2000 states) when its residual is above 1e-12; larger ones by multilevel
    aggregation (Horton & Leutenegger 1994: aggregate the composition lattice two by two per
    axis, solve the coarse chain, disaggregate, smooth with Jacobi sweeps) accelerated by
    Anderson mixing (Walker & Ni 2011), until ``||pi T - pi||_1 <= tol``. The error in pi is
    at most about the residual divided by the spectral gap, which is of order ``mu / Z``.
    Memory is estimated first and refused above the budget (:func:`allysim.set_memory_budget`).

    Parameters
    ----------
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j, per interaction.
    population : int
        Population size Z >= 2.
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for ``rule="moran"``).
    mutation : float or None, default None
        Probability in [0, 1] that an update is a mutation; None or 0 gives the small-mutation
        limit.
    rule : {"fermi", "moran", "moran_db", "wright_fisher"}, default "fermi"
        Pairwise comparison (Traulsen, Nowak & Pacheco 2006), frequency-dependent Moran
        birth-death process (Nowak et al. 2004), its death-birth variant, or Wright-Fisher; the
        last two only in the small-mutation limit (``mutation=None``).
    solver : {"auto", "direct", "iterative"}, default "auto"
        How the exact chain is solved: directly (GTH elimination, or checked sparse LU above
        300 states), iteratively, or ``"auto"`` (direct up to :data:`DIRECT_MAX_STATES`
        states). Ignored in the small-mutation limit (GTH up to 300 strategies, a checked
        dense solve above).
    tol : float, default 1e-10
        Target residual ``||pi T - pi||_1`` of the iterative solver, in [1e-15, 1).
    time_limit : float or None, default 600.0
        Seconds the iterative solver may run before it stops with a ``ValueError`` naming
        ``time_limit`` and the residual reached; None for no limit.
    progress : bool, default False
        Show a tqdm progress bar (residual per cycle) while iterating.

    Returns
    -------
    StationaryDistribution
        Shares, states, probabilities, transition matrix and the residual reached.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> stationary_distribution(A, population=50, selection=1.0).shares.round(6).tolist()
    [0.0, 1.0]
    >>> d = stationary_distribution(A, population=50, selection=1.0, mutation=0.1)
    >>> d.shares.round(4).tolist(), d.residual < 1e-10
    ([0.1631, 0.8369], True)
    """
    a = _payoff_matrix(payoff_matrix)
    mu = 0.0 if mutation is None else check_probability(mutation, "mutation")
    # The small-mutation limit needs only fixation probabilities, which every rule has.
    any_rule = _population_rule(rule)
    if mu > 0 and any_rule not in ("fermi", "moran"):
        raise ValueError(
            f"rule {rule!r} is available in the small-mutation limit (mutation=None); with "
            "mutation > 0 the exact chain over compositions takes rule 'fermi' or 'moran'"
        )
    z, beta = _population(population), _selection(selection, any_rule)
    solver = _choice(solver, "solver", _SOLVERS)  # type: ignore[assignment]
    # Below about 1e-15 the residual is round-off: asking for less would only run to time_limit.
    tol = check_interval(tol, "tol", 1e-15, 1.0, high_open=True)
    if time_limit is not None:
        time_limit = check_interval(time_limit, "time_limit", 0.0, math.inf, low_open=True)
    n = a.shape[0]
    if n == 1:
        # One strategy: the only state is monomorphic, with or without mutation.
        one = np.ones(1)
        return StationaryDistribution(one, np.array([[z]]), one, np.ones((1, 1)), one[None])
    if mu == 0:
        rho = fixation_matrix(a, population=z, selection=beta, rule=any_rule)
        t = _embedded_chain(rho)
        off = t - np.diag(np.diag(t))
        if np.all((off > 1e-250) | np.eye(n, dtype=bool)):
            v = _dense_chain_stationary(t)
        else:
            # Some fixation probability is below the float range or near it: eliminate in
            # log space, where the embedded chain keeps its exact (tiny) rates.
            log_t = fixation_matrix(a, population=z, selection=beta, rule=any_rule, log=True).T
            v = _log_gth(log_t - math.log(n - 1))
        res = float(np.abs(v @ t - v).sum())
        return StationaryDistribution(v, z * np.eye(n, dtype=np.int64), v, t, rho, res)
    return _exact_mutation_chain(a, z, beta, mu, _rule(rule), solver, tol, time_limit, progress)


def _embedded_chain(rho: np.ndarray) -> np.ndarray:
    """The small-mutation limit's chain over monomorphic states (Fudenberg & Imhof 2006).

    From resident j a mutant of each other strategy i arises with chance ``1 / (n - 1)`` and
    takes over with ``rho[i, j]`` (invader i, resident j); the rest of the row stays at j.

    Examples
    --------
    >>> _embedded_chain(np.array([[0.5, 0.2], [0.4, 0.5]])).tolist()
    [[0.6, 0.4], [0.2, 0.8]]
    """
    n = rho.shape[0]
    t = rho.T / (n - 1)
    np.fill_diagonal(t, 0.0)
    np.fill_diagonal(t, 1.0 - t.sum(axis=1))
    return t


def _exact_mutation_chain(a, z, beta, mu, rule, solver, tol, time_limit, progress):
    n = a.shape[0]
    s = _composition_count(z, n)
    if solver == "auto":
        solver = "direct" if s <= DIRECT_MAX_STATES else "iterative"
    check_memory(
        _chain_bytes(float(s), n, solver),
        "population",
        hint=(
            f"the exact chain for population={z} and {n} strategies has {s:,} states; use "
            "a smaller population, mutation=None (small-mutation limit) or simulate_population"
            + (", or solver='iterative'" if solver == "direct" else "")
        ),
    )
    states, t = _exact_transitions(a, z, beta, mu, rule)
    if solver == "direct":
        pi, cycles = _direct_stationary(t), 0
        residual = float(np.abs(t.T @ pi - pi).sum())
    else:
        pi, residual, cycles = _iterative_stationary(t, states, tol, time_limit, progress)
    shares = pi @ states / z
    return StationaryDistribution(shares, states, pi, t, None, residual, cycles, solver)
