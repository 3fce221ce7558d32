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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.integrate import solve_ivp
from scipy.sparse.linalg import spsolve
from scipy.special import expit

from allysim._validation import (
    SeedLike,
    as_float_array,
    as_generator,
    check_game,
    check_int,
    check_interval,
    check_memory,
    check_nonnegative,
    check_probability,
    check_real,
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


def _choice(value, name: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(allowed)}, got {type(value).__name__}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _rule(rule: str) -> Rule:
    _choice(rule, "rule", ("fermi", "moran"))
    if rule == "fermi":
        return "fermi"
    if rule == "moran":
        return "moran"
    raise ValueError(f"rule must be 'fermi' or 'moran', got {rule!r}")


# ----------------------------------------------------------------------------------------------
# Infinite populations
# ----------------------------------------------------------------------------------------------


_ODE_METHODS = ("RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA")


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
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j.
    x0 : sequence of float
        Initial shares, n non-negative numbers summing to 1.
    t : sequence of float
        Strictly increasing times at which to report the shares (time units of the equation);
        any sequence (list, tuple, array).
    method : str, default "LSODA"
        Integrator of :func:`scipy.integrate.solve_ivp`: one of "RK45", "RK23", "DOP853",
        "Radau", "BDF", "LSODA".
    rtol : float, default 1e-10
        Relative tolerance of the integrator, > 0.
    atol : float, default 1e-12
        Absolute tolerance of the integrator, > 0.

    Returns
    -------
    numpy.ndarray
        Shape (len(t), n): the shares at each time.

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
    method = _choice(method, "method", _ODE_METHODS)
    rtol = check_interval(rtol, "rtol", 0.0, math.inf, low_open=True)
    atol = check_interval(atol, "atol", 0.0, math.inf, low_open=True)

    if times.size == 1:
        # solve_ivp cannot integrate over an empty span (it fails with an AttributeError).
        return x[None, :].copy()

    # x(t) under c A is x(c t) under A: integrate with payoffs scaled to [-1, 1] so that the
    # right-hand side stays bounded (huge payoffs otherwise overflow and stall the solver).
    scale = float(np.abs(a).max()) or 1.0
    if scale * (times[-1] - times[0]) < 1e-15:
        # Shares move by at most 2 x payoff x time: below float64 resolution they stay put,
        # and a span this short (subnormal payoffs) would stall the integrator.
        return np.tile(x, (times.size, 1))
    a = a / scale
    with np.errstate(over="ignore"):
        clock = times * scale
    if not np.all(np.isfinite(clock)) or np.any(np.diff(clock) <= 0):
        raise ValueError(
            "payoff_matrix entries times the times t overflow (or collapse) in float64; scale "
            "payoff_matrix down or use a shorter t"
        )

    def rhs(_, y):
        f = a @ y
        return y * (f - y @ f)

    sol = solve_ivp(
        rhs, (clock[0], clock[-1]), x, t_eval=clock, method=method, rtol=rtol, atol=atol
    )
    if not sol.success or not np.all(np.isfinite(sol.y)):
        raise ValueError(
            f"replicator_dynamics: the integration failed ({sol.message}); payoff_matrix "
            "entries times the time span t are too large to integrate, scale payoff_matrix "
            "down or shorten t"
        )
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

    Parameters
    ----------
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j (e.g. a tournament's mean scores).
    x0 : sequence of float
        Initial shares, n non-negative numbers summing to 1.
    generations : int
        Number of generations to run, >= 0.
    background_fitness : float, default 0.0
        Finite fitness b added to every payoff.

    Returns
    -------
    numpy.ndarray
        Shape (generations + 1, n): the shares from the start.

    Examples
    --------
    >>> A = np.array([[3.0, 0.5], [4.0, 1.0]])
    >>> discrete_replicator(A, [0.5, 0.5], 200)[-1].round(3).tolist()
    [0.0, 1.0]
    """
    a = _payoff_matrix(payoff_matrix)
    x = _simplex_point(x0, a.shape[0], "x0")
    generations = check_int(generations, "generations", minimum=0)
    fit = a + check_real(background_fitness, "background_fitness")
    if not np.all(np.isfinite(fit)):
        raise ValueError("payoff_matrix + background_fitness overflows; use smaller values")
    check_memory(
        8.0 * (generations + 1) * a.shape[0],
        "generations",
        hint="run fewer generations per call and continue from the last shares",
    )
    if np.any(fit <= 0):
        raise ValueError(
            "payoff_matrix + background_fitness must be > 0 everywhere for the discrete "
            f"replicator; the smallest entry is {fit.min():.3g}"
        )
    # Scaling fitness by a constant leaves the shares unchanged; at most 1 it cannot overflow.
    fit = fit / fit.max()
    out = np.empty((generations + 1, a.shape[0]))
    out[0] = x
    for g in range(generations):
        f = fit @ x
        mean = x @ f
        if not mean > 0:
            raise ValueError(
                "payoff_matrix + background_fitness spans too many orders of magnitude for "
                "the discrete replicator (the mean fitness underflows to 0)"
            )
        x = x * f / mean
        out[g + 1] = x
    return out


# ----------------------------------------------------------------------------------------------
# Finite populations: fixation
# ----------------------------------------------------------------------------------------------


def _partial_log_products(a_ii, a_ij, a_ji, a_jj, z: int, beta: float, rule: str) -> np.ndarray:
    """S_j = sum_{k<=j} log(T-(k) / T+(k)) for j = 1..Z-1, broadcast over the leading axes.

    T+(k), T-(k): chances that the number k of invaders goes up or down by one. Entries may be
    +inf or -inf when selection times payoffs exceeds the float range, never NaN.
    """
    shape = np.broadcast(a_ii, a_ij, a_ji, a_jj).shape
    check_memory(
        4.0 * 8 * max(1, math.prod(shape)) * (z - 1),
        "population",
        hint="fixation probabilities need memory linear in the population; use a smaller one",
    )
    a_ii, a_ij, a_ji, a_jj = (
        np.asarray(v, dtype=float)[..., None] for v in (a_ii, a_ij, a_ji, a_jj)
    )
    j = np.arange(1, z, dtype=float)
    if rule == "fermi":
        # (Z-1)(pi_inv(k) - pi_res(k)) = u k + v is linear in k, so its partial sums are a
        # quadratic in j: no per-k payoffs and no cumulative sum are needed. Payoffs are scaled
        # to [-1, 1] and j to [0, 1] and the magnitudes multiplied back in log space, so huge
        # payoffs or selection give +-inf (an exact 0 or 1 below), never inf - inf = NaN.
        m = max(float(np.max(np.abs(np.stack(np.broadcast_arrays(a_ii, a_ij, a_ji, a_jj))))), 1.0)
        b_ii, b_ij, b_ji, b_jj = (v / m for v in (a_ii, a_ij, a_ji, a_jj))
        u = b_ii - b_ij - b_ji + b_jj
        x = j / z
        v = b_ij - (b_ii + (z - 1) * b_jj) / z
        quad = (
            u * (x * (x + 1 / z) / 2) + v * x
        )  # (u j(j+1)/2 + (z a_ij - a_ii - (z-1) a_jj) j) / (m z^2)
        with np.errstate(divide="ignore", over="ignore"):
            log_mag = math.log(beta) if beta > 0 else -math.inf
            log_mag += math.log(m) + 2 * math.log(z) - math.log(z - 1)
            out = -np.sign(quad) * np.exp(log_mag + np.log(np.abs(quad)))
        out = np.where(quad == 0, 0.0, out)
        return np.broadcast_to(out, (*shape, z - 1))
    k = j
    with np.errstate(over="ignore", invalid="ignore"):
        pi_inv = ((k - 1) / (z - 1)) * a_ii + ((z - k) / (z - 1)) * a_ij
        pi_res = (k / (z - 1)) * a_ji + ((z - k - 1) / (z - 1)) * a_jj
        f_inv = 1 - beta + beta * pi_inv
        f_res = 1 - beta + beta * pi_res
    if not (np.all(np.isfinite(f_inv)) and np.all(np.isfinite(f_res))):
        raise ValueError(
            "rule='moran' needs finite fitness 1 - selection + selection * payoff; the "
            "payoff_matrix entries are too large (scale them down)"
        )
    if np.any(f_inv <= 0) or np.any(f_res <= 0):
        raise ValueError(
            "rule='moran' needs positive fitness 1 - selection + selection * payoff; shift "
            "the payoff_matrix up or lower selection"
        )
    out = np.cumsum(np.log(f_res) - np.log(f_inv), axis=-1)
    return np.broadcast_to(out, (*shape, z - 1))


def _rho_parts(partial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(top, total) with rho = exp(-top) / total = 1 / (1 + sum_j exp(S_j)).

    Scaling by the largest partial log-product keeps every term in range; with neutral
    selection top = 0 and total = Z exactly, so rho = 1/Z to the last bit.
    """
    top = np.maximum(partial.max(axis=-1), 0.0)
    # top = inf means some S_j overflowed: rho is below every float (exp(-top) = 0 below).
    finite_top = np.where(np.isinf(top), 0.0, top)
    with np.errstate(over="ignore"):
        total = np.exp(-finite_top) + np.exp(partial - finite_top[..., None]).sum(axis=-1)
    total = np.where(np.isinf(top), np.inf, total)
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

    Parameters
    ----------
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j, per interaction.
    invader : int
        Index of the invading strategy (one mutant).
    resident : int
        Index of the resident strategy (Z - 1 organizations).
    population : int
        Population size Z >= 2.
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for ``rule="moran"``).
    rule : {"fermi", "moran"}, default "fermi"
        Pairwise comparison or Moran birth-death process.

    Returns
    -------
    float
        ``log(rho)`` <= 0. Raises ``ValueError`` if it lies below the float range (about
        -1.8e308), which needs astronomically strong selection.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> round(log_fixation_probability(A, 0, 1, population=1000, selection=100), 6)
    -150200.0
    """
    top, total = _pair_rho_parts(payoff_matrix, invader, resident, population, selection, rule)
    if np.isinf(top):
        raise ValueError(
            "the log fixation probability is below -1.8e308 (selection times the payoff "
            "differences overflows float64); lower selection or scale payoff_matrix down"
        )
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
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j, per interaction.
    invader : int
        Index of the invading strategy (one mutant).
    resident : int
        Index of the resident strategy (Z - 1 organizations).
    population : int
        Population size Z >= 2. Memory grows linearly with Z and is checked against the
        budget (:func:`allysim.set_memory_budget`).
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for ``rule="moran"``).
    rule : {"fermi", "moran"}, default "fermi"
        Pairwise comparison (Fermi) rule or Moran birth-death process with linear fitness.

    Returns
    -------
    float
        The fixation probability, in [0, 1]; exactly 0.0 or 1.0 when the true value is beyond
        double precision.

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

    Parameters
    ----------
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j, per interaction.
    population : int
        Population size Z >= 2.
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for ``rule="moran"``).
    rule : {"fermi", "moran"}, default "fermi"
        Pairwise comparison or Moran birth-death process.
    log : bool, default False
        Return natural logs of the probabilities (finite far below the smallest float).

    Returns
    -------
    numpy.ndarray
        Shape (n, n): ``out[i, j]`` is the probability that one i fixes among j.

    Examples
    --------
    >>> A = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> fixation_matrix(A, population=10, selection=0.0).tolist()
    [[0.1, 0.1], [0.1, 0.1]]
    """
    a = _payoff_matrix(payoff_matrix)
    rule = _rule(rule)
    z, beta = _population(population), _selection(selection, rule)
    if not isinstance(log, bool | np.bool_):
        raise TypeError(f"log must be True or False, got {type(log).__name__}")
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
        if log and np.any(np.isinf(top)):
            raise ValueError(
                "a log fixation probability is below -1.8e308 (selection times the payoff "
                "differences overflows float64); lower selection or scale payoff_matrix down"
            )
        out[rows] = -(top + np.log(total)) if log else np.exp(-top) / total
    np.fill_diagonal(out, -math.log(z) if log else 1.0 / z)
    return out


# ----------------------------------------------------------------------------------------------
# Stationary distributions
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StationaryDistribution:
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
        ``"dense"`` (small-mutation limit), ``"direct"`` (sparse LU) or ``"iterative"``.

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


def _dense_stationary(t: np.ndarray) -> np.ndarray:
    n = t.shape[0]
    lhs = (np.eye(n) - t + 1.0).T
    v = np.linalg.solve(lhs, np.ones(n))
    v = np.maximum(v, 0.0)
    return v / v.sum()


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
    rule: Rule = "fermi",
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
    updates by ``rule``. Small chains are solved by sparse LU; large ones by multilevel
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
    rule : {"fermi", "moran"}, default "fermi"
        Pairwise comparison (Traulsen, Nowak & Pacheco 2006) or frequency-dependent Moran
        process (Nowak et al. 2004).
    solver : {"auto", "direct", "iterative"}, default "auto"
        How the exact chain is solved: sparse LU, the iterative solver, or ``"auto"`` (LU up
        to :data:`DIRECT_MAX_STATES` states). Ignored in the small-mutation limit.
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
    rule = _rule(rule)
    z, beta = _population(population), _selection(selection, rule)
    solver = _choice(solver, "solver", _SOLVERS)  # type: ignore[assignment]
    # Below about 1e-15 the residual is round-off: asking for less would only run to time_limit.
    tol = check_interval(tol, "tol", 1e-15, 1.0, high_open=True)
    if time_limit is not None:
        time_limit = check_interval(time_limit, "time_limit", 0.0, math.inf, low_open=True)
    n = a.shape[0]
    mu = 0.0 if mutation is None else check_probability(mutation, "mutation")
    if n == 1:
        # One strategy: the only state is monomorphic, with or without mutation.
        one = np.ones(1)
        return StationaryDistribution(one, np.array([[z]]), one, np.ones((1, 1)), one[None])
    if mu == 0:
        rho = fixation_matrix(a, population=z, selection=beta, rule=rule)
        t = rho.T / (n - 1)
        np.fill_diagonal(t, 0.0)
        np.fill_diagonal(t, 1.0 - t.sum(axis=1))
        v = _dense_stationary(t)
        res = float(np.abs(v @ t - v).sum())
        return StationaryDistribution(v, z * np.eye(n, dtype=np.int64), v, t, rho, res)
    return _exact_mutation_chain(a, z, beta, mu, rule, solver, tol, time_limit, progress)


def _composition_count(z: int, n: int) -> int:
    return math.comb(z + n - 1, n - 1)


def _compositions(z: int, n: int) -> np.ndarray:
    """All compositions of z into n parts, lexicographic, built one coordinate at a time."""
    remaining = np.array([z], dtype=np.int64)
    columns: list[np.ndarray] = []
    for _ in range(n - 1):
        width = remaining + 1
        starts = np.repeat(np.cumsum(width) - width, width)
        k = np.arange(int(width.sum()), dtype=np.int64) - starts
        columns = [np.repeat(c, width) for c in columns]
        columns.append(k)
        remaining = np.repeat(remaining, width) - k
    columns.append(remaining)
    return np.stack(columns, axis=1)


def _count_table(z: int, n: int) -> np.ndarray:
    """table[p, r] = number of compositions of r into p parts = C(r + p - 1, p - 1)."""
    table = np.zeros((n + 1, z + 1), dtype=np.int64)
    for p in range(1, n + 1):
        table[p] = [math.comb(r + p - 1, p - 1) for r in range(z + 1)]
    return table


def _rank(states: np.ndarray, z: int, table: np.ndarray) -> np.ndarray:
    """Lexicographic index of each composition among all compositions of z (closed form)."""
    n = states.shape[1]
    remaining = np.full(len(states), z, dtype=np.int64)
    out = np.zeros(len(states), dtype=np.int64)
    for m in range(n - 1):
        k = states[:, m]
        # Compositions sharing the prefix but with a smaller m-th part come first.
        out += table[n - m, remaining] - table[n - m, remaining - k]
        remaining = remaining - k
    return out


def _chain_bytes(s: float, n: int, solver: str) -> float:
    per_row = n * (n - 1) + 1
    # states and payoffs, build arrays (index + value), CSR and its transpose, solver vectors.
    base = s * (3 * 8 * n + per_row * (8 + 8 + 12 + 12 + 8) + 8 * 24)
    if solver == "direct":
        # LU fill of a lattice of dimension n - 1 ordered by slices: about S^((d-1)/d) per row.
        d = max(n - 1, 1)
        base += 16.0 * s * s ** ((d - 1) / d)
    return base


def _exact_transitions(a, z, beta, mu, rule) -> tuple[np.ndarray, sparse.csr_matrix]:
    """States and the sparse row-stochastic transition matrix, one vectorised pass per pair."""
    n = a.shape[0]
    states = _compositions(z, n)
    s = len(states)
    table = _count_table(z, n)
    own = np.arange(s, dtype=np.int64)
    per_row = n * (n - 1) + 1
    cols = np.empty((s, per_row), dtype=np.int64 if s >= 2**31 else np.int32)
    vals = np.zeros((s, per_row))
    if rule == "fermi":
        # Only beta * payoff differences matter: scale payoffs to [-1, 1] so that huge payoffs
        # cannot overflow, and carry their scale in beta.
        scale = float(np.abs(a).max()) or 1.0
        pay = (states @ (a / scale).T - np.diag(a / scale)[None, :]) / (z - 1)
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            pay = states @ (a.T / (z - 1)) - np.diag(a)[None, :] / (z - 1)
            fit = 1 - beta + beta * pay
        present = states > 0
        if not np.all(np.isfinite(fit[present])) or np.any(fit[present] <= 0):
            raise ValueError(
                "rule='moran' needs finite, positive fitness 1 - selection + selection * "
                "payoff in every state; shift payoff_matrix up, scale it down or lower selection"
            )
        # Only ratios of fitness matter: scale it to at most 1 so that the sum cannot overflow.
        fit = np.where(present, fit, 0.0)
        fit = fit / fit.max()
        total_fit = (states * fit).sum(axis=1)
    c = 0
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            ki, kj = states[:, i], states[:, j]
            if rule == "fermi":
                diff = pay[:, j] - pay[:, i]
                with np.errstate(over="ignore"):
                    x = np.where(diff == 0, 0.0, (beta * scale) * diff)
                update = kj / (z - 1) * expit(x)
            else:
                update = kj * fit[:, j] / total_fit
            p = ki / z * ((1 - mu) * update + mu / (n - 1))
            valid = ki > 0
            dest = states.copy()
            dest[:, i] -= 1
            dest[:, j] += 1
            dest[~valid] = states[~valid]
            cols[:, c] = np.where(valid, _rank(dest, z, table), own)
            vals[:, c] = np.where(valid, p, 0.0)
            c += 1
    cols[:, c] = own
    vals[:, c] = 1.0 - vals[:, :c].sum(axis=1)
    indptr = np.arange(s + 1, dtype=cols.dtype) * per_row
    t = sparse.csr_matrix((vals.ravel(), cols.ravel(), indptr), shape=(s, s))
    t.sum_duplicates()
    t.eliminate_zeros()
    return states, t


def _direct_stationary(t: sparse.csr_matrix, anchor: int | None = None) -> np.ndarray:
    """Solve pi (I - T) = 0 with pi_anchor = 1 by sparse LU on the other S - 1 equations.

    Fixing one component (rather than replacing an equation by the dense normalisation row)
    keeps the system sparse, so the LU fills in like the lattice, not like a dense matrix. The
    anchor should carry much probability: anchored at a state of probability 1e-300 the others
    overflow. Without a guess, a first solve finds such a state.
    """
    s = t.shape[0]
    if s == 1:
        return np.ones(1)
    lhs = (sparse.identity(s, format="csc") - t.T.tocsc()).tocsc()

    def solve(k: int) -> np.ndarray:
        keep = np.arange(s) != k
        x = np.empty(s)
        x[k] = 1.0
        with np.errstate(over="ignore", invalid="ignore"):
            x[keep] = spsolve(lhs[keep][:, keep], -lhs[keep][:, [k]].toarray().ravel())
        return x

    x = solve(0 if anchor is None else anchor)
    if anchor is None and not (np.all(np.isfinite(x)) and np.abs(x).max() < 1e100):
        x = solve(int(np.argmax(np.where(np.isnan(x), -np.inf, np.abs(x)))))
    x = np.maximum(x, 0.0)
    return x / x.sum()


class _Level:
    """Sparsity structure of one level of the aggregation hierarchy, fixed across cycles.

    Only the values of a coarse chain change from cycle to cycle (they are weighted by the
    current estimate), so the index work (sorting, transposing, merging duplicates) is done once.
    """

    def __init__(self, rows: np.ndarray, cols: np.ndarray, size: int, *, top: bool = False):
        self.rows, self.cols, self.size = rows, cols, size
        self.diag_entries = np.flatnonzero(rows == cols)
        self.agg: np.ndarray | None = None
        self.plan: np.ndarray | None = None
        self.coarse: _Level | None = None
        if not top:
            # Transposed off-diagonal part in CSR order (the finest level uses its CSC view).
            off = np.flatnonzero(rows != cols)
            order = off[np.lexsort((rows[off], cols[off]))]
            self.t_order = order
            self.t_indices = rows[order]
            counts = np.bincount(cols[order], minlength=size)
            self.t_indptr = np.concatenate([[0], np.cumsum(counts)])

    def coarsen(self, agg: np.ndarray) -> _Level:
        """Attach the coarse level and, per entry, its position among the coarse entries."""
        size = int(agg.max()) + 1
        index = np.int32 if len(self.rows) < 2**31 else np.int64
        plan = np.empty(len(self.rows), dtype=index)
        keys = []
        chunk = 1 << 22
        for c0 in range(0, len(self.rows), chunk):
            sl = slice(c0, c0 + chunk)
            keys.append(np.unique(agg[self.rows[sl]].astype(np.int64) * size + agg[self.cols[sl]]))
        coarse_keys = np.unique(np.concatenate(keys))
        del keys
        for c0 in range(0, len(self.rows), chunk):
            sl = slice(c0, c0 + chunk)
            key = agg[self.rows[sl]].astype(np.int64) * size + agg[self.cols[sl]]
            plan[sl] = np.searchsorted(coarse_keys, key)
        self.agg, self.plan = agg, plan
        self.coarse = _Level(coarse_keys // size, coarse_keys % size, size)
        return self.coarse

    def smoother(self, data: np.ndarray) -> tuple[Callable, np.ndarray]:
        """Inflow operator (transposed off-diagonal part) and 1 / (1 - stay), for Jacobi."""
        off_t = sparse.csr_matrix(
            (data[self.t_order], self.t_indices, self.t_indptr), shape=(self.size, self.size)
        )
        stay = np.bincount(
            self.rows[self.diag_entries], data[self.diag_entries], minlength=self.size
        )
        return off_t.__matmul__, 1.0 / (1.0 - stay)

    def matrix(self, data: np.ndarray) -> sparse.csr_matrix:
        return sparse.csr_matrix((data, (self.rows, self.cols)), shape=(self.size, self.size))


def _hierarchy(states: np.ndarray, t: sparse.csr_matrix, coarsest: int) -> _Level:
    """Levels that halve every count, until few states are left (or halving stops helping)."""
    s = t.shape[0]
    rows = np.repeat(np.arange(s, dtype=t.indices.dtype), np.diff(t.indptr))
    top = _Level(rows, t.indices, s, top=True)
    level, coords = top, states[:, :-1]
    while level.size > coarsest:
        coarse, inverse = np.unique(coords // 2, axis=0, return_inverse=True)
        if len(coarse) > 0.9 * len(coords):
            break
        level = level.coarsen(inverse.ravel())
        coords = coarse
    return top


def _smooth(smoother: tuple[Callable, np.ndarray], pi: np.ndarray) -> np.ndarray:
    # Two Jacobi sweeps for pi (I - T) = 0: the mass flowing in over the chance of flowing out.
    inflow, inv_out = smoother
    for _ in range(2):
        pi = inflow(pi) * inv_out
    return pi


def _cycle(level: _Level, data: np.ndarray, pi: np.ndarray, smoother=None) -> np.ndarray:
    """One W-cycle of multilevel aggregation, returning an improved (unnormalised) pi.

    Coarse chain: T_c[I, J] = sum_{s in I, t in J} pi_s T[s, t] / sum_{s in I} pi_s; its
    stationary vector xi corrects pi by the factor xi_I / sum_{s in I} pi_s on aggregate I.
    """
    if level.coarse is None:
        return _direct_stationary(level.matrix(data), int(np.argmax(pi))) * pi.sum()
    smoother = smoother or level.smoother(data)
    pi = _smooth(smoother, pi)
    # States far in the tails can underflow to 0; a floor keeps every aggregate's weight > 0.
    pi = pi + 1e-300 * pi.sum()
    agg, coarse, plan = level.agg, level.coarse, level.plan
    assert agg is not None and plan is not None
    weight = np.bincount(agg, weights=pi, minlength=coarse.size)
    flow = np.bincount(plan, weights=pi[level.rows] * data, minlength=len(coarse.rows))
    coarse_data = flow / weight[coarse.rows]
    xi = weight
    for _ in range(2 if coarse.coarse is not None else 1):
        xi = _cycle(coarse, coarse_data, xi)
    pi = pi * (xi / weight)[agg]
    return _smooth(smoother, pi)


def _iterative_stationary(t, states, tol, time_limit, progress):
    """Multilevel aggregation cycles with Anderson mixing until ||pi T - pi||_1 <= tol."""
    start = time.perf_counter()
    top = _hierarchy(states, t, 2000)
    data = t.data
    # t.T is a CSC view: the finest level needs no transposed copy of the chain.
    t_t = t.T
    stay = t.diagonal()
    smoother = ((lambda p: t_t @ p - stay * p), 1.0 / (1.0 - stay))
    s = t.shape[0]
    depth = 6
    x = np.full(s, 1.0 / s)
    dfs = np.zeros((depth, s))
    dgs = np.zeros((depth, s))
    f_old = g_old = None
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(desc="stationary distribution", unit="cycle")
    residual, cycles = math.inf, 0
    try:
        while True:
            # Aggregation needs positive weights; Anderson steps can leave round-off negatives.
            w = np.maximum(x, 0.0) + 1e-300
            g = _cycle(top, data, w / w.sum(), smoother)
            g /= g.sum()
            f = g - x
            if f_old is not None:
                slot = (cycles - 1) % depth
                dfs[slot] = f - f_old
                dgs[slot] = g - g_old
            f_old, g_old = f, g
            used = min(cycles, depth)
            if used:
                # Anderson mixing (Walker & Ni 2011) on the last few cycle maps.
                df, dg = dfs[:used], dgs[:used]
                gamma = np.linalg.lstsq(df @ df.T, df @ f, rcond=1e-14)[0]
                x = g - gamma @ dg
                x /= x.sum()
            else:
                x = g
            cycles += 1
            pi = np.maximum(x, 0.0)
            pi /= pi.sum()
            residual = float(np.abs(t_t @ pi - pi).sum())
            if bar is not None:
                bar.update(1)
                bar.set_postfix(residual=f"{residual:.2e}")
            if residual <= tol:
                return pi, residual, cycles
            if time_limit is not None and time.perf_counter() - start > time_limit:
                raise ValueError(
                    f"stationary_distribution: time_limit={time_limit:g} s reached after "
                    f"{cycles} cycles with residual {residual:.3g} > tol={tol:g}; raise "
                    "time_limit or tol, or use mutation=None (small-mutation limit)"
                )
    finally:
        if bar is not None:
            bar.close()


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


# ----------------------------------------------------------------------------------------------
# Simulation
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationResult:
    """Result of [`simulate_population`][allysim.evolution.simulate_population].

    Parameters
    ----------
    counts : numpy.ndarray
        Shape (replicates, n): final number of organizations using each strategy.
    history : numpy.ndarray or None
        Shape (records, replicates, n): counts every ``record_every`` steps, the start
        included; None without ``record_every``.
    fixation_step : numpy.ndarray
        Shape (replicates,): step at which each population became monomorphic (-1 if it did
        not, or if mutation > 0).
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
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j, per interaction.
    initial : sequence of int
        n non-negative counts summing to the population size Z >= 2.
    steps : int
        Maximum number of update events, >= 0.
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for ``rule="moran"``).
    mutation : float, default 0.0
        Probability in [0, 1] that an update is a mutation instead.
    replicates : int, default 1
        Number of independent populations, >= 1.
    rule : {"fermi", "moran"}, default "fermi"
        Pairwise comparison or Moran birth-death process.
    until_fixation : bool, default False
        Stop once every population is monomorphic (needs mutation = 0).
    record_every : int or None, default None
        Keep the counts every this many steps (>= 1); the memory this takes is checked
        against the budget (:func:`allysim.set_memory_budget`).
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Source of randomness; an int or SeedSequence reproduces the run bit for bit.
    progress : bool, default False
        Show a tqdm progress bar.

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
    a = _payoff_matrix(payoff_matrix)
    rule = _rule(rule)
    n = a.shape[0]
    init = as_float_array(initial, "initial", shape=(n,))
    if np.any(init < 0) or np.any(init != np.round(init)) or init.sum() > 2**53:
        raise ValueError(
            "initial must hold non-negative integer counts per strategy (total at most 2**53)"
        )
    if init.sum() < 2:
        raise ValueError(f"initial must sum to a population of at least 2, got {int(init.sum())}")
    z = int(init.sum())
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
    rows = np.arange(r)
    history = np.empty((records, r, n), dtype=np.int64) if record_every else None
    n_recorded = 0
    if history is not None:
        history[0] = counts
        n_recorded = 1
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
                adopt = u[b, 2] < expit(beta * delta)
                loser, winner = focal, np.where(adopt, model, focal)
            else:
                fit = 1 - beta + beta * pay
                # Absent strategies have no fitness to speak of (their payoff is notional).
                present = counts > 0
                fit = np.where(present, fit, 1.0)
                if np.any(fit <= 0):
                    raise ValueError(
                        "rule='moran' needs positive fitness 1 - selection + selection * "
                        "payoff; shift the payoff_matrix up or lower selection"
                    )
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

    Parameters
    ----------
    strategies : sequence of Strategy
        At least one allysim strategy; row and column i belong to ``strategies[i]``.
    game : StageGame
        The stage game (e.g. ``allysim.PrisonersDilemma()``).
    rounds : int or None, default None
        Fixed number of rounds; None with ``continuation=None`` gives the limit of means.
    continuation : float or None, default None
        Probability in [0, 1) of another round (geometric game length) instead of ``rounds``.
    noise : float, default 0.0
        Probability in [0, 1] that an intended action is flipped (execution error).
    perception_noise : float, default 0.0
        Probability in [0, 1] that the opponent's action is misperceived.

    Returns
    -------
    numpy.ndarray
        Shape (n, n): mean payoff per round of strategy i against strategy j.

    Examples
    --------
    >>> from allysim import ALLC, ALLD, TFT, PrisonersDilemma
    >>> payoff_matrix_for([ALLC, ALLD, TFT], PrisonersDilemma(), rounds=10).round(2).tolist()
    [[3.0, 0.0, 3.0], [5.0, 1.0, 1.4], [3.0, 0.9, 3.0]]
    """
    check_game(game, "game")
    if isinstance(strategies, str | bytes) or not isinstance(strategies, Sequence):
        raise TypeError(
            f"strategies must be a sequence of allysim strategies, got {type(strategies).__name__}"
        )
    if len(strategies) < 1:
        raise ValueError("strategies must hold at least 1 strategy, got an empty sequence")
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
