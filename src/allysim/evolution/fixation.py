"""Finite populations: exact fixation probabilities of a single mutant, in log space."""

from __future__ import annotations

import math

import numpy as np

from allysim._validation import (
    check_int,
    check_memory,
)
from allysim.evolution._common import (
    PopulationRule,
    _payoff_matrix,
    _population,
    _population_rule,
    _selection,
)
from allysim.kernels._linalg import solve


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
    _check_fitness(f_inv, f_res, rule)
    log_ratio = np.log(f_res) - np.log(f_inv)
    if rule == "moran_db":
        # Death-birth: a random organization dies and the Z - 1 others compete for its place
        # in proportion to fitness, so the competitors' pool lacks the one that died.
        if max(float(np.max(f_inv)), float(np.max(f_res))) * z < 1e300:
            up_pool = k * f_inv + (z - k - 1) * f_res
            down_pool = (k - 1) * f_inv + (z - k) * f_res
            log_ratio = log_ratio + np.log(up_pool) - np.log(down_pool)
        else:
            # Near the float maximum (payoffs about 1e308) k * f overflows and inf - inf gives
            # NaN, so the pools are summed in log space; log(0) = -inf drops an empty term
            # exactly. Where both fitnesses are equal the pools are both (Z - 1) f: their ratio
            # is exactly 1, which keeps neutral selection at exactly 1 / Z.
            with np.errstate(divide="ignore"):
                log_inv, log_res = np.log(f_inv), np.log(f_res)
                up_pool = np.logaddexp(np.log(k) + log_inv, np.log(z - k - 1) + log_res)
                down_pool = np.logaddexp(np.log(k - 1) + log_inv, np.log(z - k) + log_res)
            log_ratio = log_ratio + np.where(log_inv == log_res, 0.0, up_pool - down_pool)
    out = np.cumsum(log_ratio, axis=-1)
    return np.broadcast_to(out, (*shape, z - 1))


def _check_fitness(f_inv: np.ndarray, f_res: np.ndarray, rule: str) -> None:
    if not (np.all(np.isfinite(f_inv)) and np.all(np.isfinite(f_res))):
        raise ValueError(
            f"rule={rule!r} needs finite fitness 1 - selection + selection * payoff; the "
            "payoff_matrix entries are too large (scale them down)"
        )
    if np.any(f_inv <= 0) or np.any(f_res <= 0):
        raise ValueError(
            f"rule={rule!r} needs positive fitness 1 - selection + selection * payoff; shift "
            "the payoff_matrix up or lower selection"
        )


def _wright_fisher_rho(a_ii: float, a_ij: float, a_ji: float, a_jj: float, z: int, beta: float):
    """Fixation probability of one invader under Wright-Fisher sampling (Imhof & Nowak 2006).

    Each generation the Z offspring are drawn independently, an invader with chance
    ``k f_inv / (k f_inv + (Z - k) f_res)``: a chain on k = 0..Z whose absorption probability
    solves a dense (Z - 1) x (Z - 1) system.
    """
    if beta == 0:
        return 1.0 / z
    check_memory(
        8.0 * 4 * (z + 1) ** 2,
        "population",
        hint="the Wright-Fisher chain needs memory quadratic in the population; use a smaller one",
    )
    k = np.arange(1, z, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        f_inv = 1 - beta + beta * (((k - 1) * a_ii + (z - k) * a_ij) / (z - 1))
        f_res = 1 - beta + beta * ((k * a_ji + (z - k - 1) * a_jj) / (z - 1))
    _check_fitness(f_inv, f_res, "wright_fisher")
    p = k * f_inv / (k * f_inv + (z - k) * f_res)
    from scipy.stats import binom  # deferred: scipy.stats takes ~0.4 s to import

    trans = binom.pmf(np.arange(z + 1)[None, :], z, p[:, None])  # (Z - 1, Z + 1)
    system = np.eye(z - 1) - trans[:, 1:z]
    # Not numpy.linalg.solve: LAPACK's answer from about 100 rows follows the BLAS thread count.
    h = solve(system, trans[:, z])
    return float(min(max(h[0], 0.0), 1.0))


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
    rule: PopulationRule = "fermi",
) -> float:
    """Natural log of :func:`fixation_probability`, finite even far below the smallest float.

    Parameters
    ----------
    payoff_matrix : numpy.ndarray
        Shape (n, n): payoff of strategy i against strategy j, per interaction.
    invader : int
        Index of the invading strategy (one mutant).
    resident : int
        Index of the resident strategy (Z - 1 organizations), other than ``invader``
        (ValueError otherwise).
    population : int
        Population size Z >= 2.
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for the Moran and Wright-Fisher rules).
    rule : {"fermi", "moran", "moran_db", "wright_fisher"}, default "fermi"
        Pairwise comparison, Moran birth-death, Moran death-birth or Wright-Fisher process
        (see [`fixation_probability`][allysim.evolution.fixation_probability]).

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
    rule = _population_rule(rule)
    if rule == "wright_fisher":
        rho = _wright_fisher_pair(payoff_matrix, invader, resident, population, selection)
        if rho <= 0:
            raise ValueError(
                "the Wright-Fisher fixation probability is below the float range; its log is "
                "only available for the birth-death rules"
            )
        return math.log(rho)
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
    rule = _population_rule(rule)
    z, beta = _population(population), _selection(selection, rule)
    i, j = _invasion_pair(invader, resident, a)
    return _rho_parts(_partial_log_products(a[i, i], a[i, j], a[j, i], a[j, j], z, beta, rule))


def _wright_fisher_pair(payoff_matrix, invader, resident, population, selection) -> float:
    a = _payoff_matrix(payoff_matrix)
    z, beta = _population(population), _selection(selection, "wright_fisher")
    i, j = _invasion_pair(invader, resident, a)
    return _wright_fisher_rho(a[i, i], a[i, j], a[j, i], a[j, j], z, beta)


def _invasion_pair(invader, resident, a: np.ndarray) -> tuple[int, int]:
    """Checked (invader, resident) indices; one strategy among its own kind is no invasion.

    The 1/Z a neutral mutant would have is not returned for it: a caller asking how strategy
    i fares among i has almost surely mistyped an index, and 1/Z looks like an answer.
    """
    i, j = _strategy_index(invader, a, "invader"), _strategy_index(resident, a, "resident")
    if i == j:
        raise ValueError(
            f"invader and resident must be different strategies, got invader = resident = {i} "
            "(a mutant of the resident strategy is neutral: its fixation probability is 1/Z, "
            "the diagonal of fixation_matrix)"
        )
    return i, j


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
    rule: PopulationRule = "fermi",
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
        Index of the resident strategy (Z - 1 organizations), other than ``invader``
        (ValueError otherwise).
    population : int
        Population size Z >= 2. Memory grows linearly with Z and is checked against the
        budget (:func:`allysim.set_memory_budget`).
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for the Moran and Wright-Fisher rules).
    rule : {"fermi", "moran", "moran_db", "wright_fisher"}, default "fermi"
        Pairwise comparison (Fermi) rule; Moran birth-death (``"moran"``: one organization
        reproduces in proportion to fitness ``1 - w + w pi``, its offspring replaces a random
        one, possibly the parent; Nowak et al. 2004); Moran death-birth (``"moran_db"``: a
        random organization dies, the Z - 1 others compete for its place in proportion to
        fitness; Kaveh, Komarova & Kohandel 2015, R. Soc. Open Sci. 2:140465); or Wright-Fisher
        (``"wright_fisher"``: non-overlapping generations, Z offspring drawn by fitness;
        Imhof & Nowak 2006, J. Math. Biol. 52:667), solved exactly over its Z + 1 states.

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
    rule = _population_rule(rule)
    if rule == "wright_fisher":
        return _wright_fisher_pair(payoff_matrix, invader, resident, population, selection)
    top, total = _pair_rho_parts(payoff_matrix, invader, resident, population, selection, rule)
    return float(np.exp(-top) / total)


def fixation_matrix(
    payoff_matrix: np.ndarray,
    *,
    population: int,
    selection: float,
    rule: PopulationRule = "fermi",
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
        Selection intensity beta >= 0 (in [0, 1] for the Moran and Wright-Fisher rules).
    rule : {"fermi", "moran", "moran_db", "wright_fisher"}, default "fermi"
        Pairwise comparison, Moran birth-death, Moran death-birth or Wright-Fisher process
        (see [`fixation_probability`][allysim.evolution.fixation_probability]).
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
    rule = _population_rule(rule)
    z, beta = _population(population), _selection(selection, rule)
    if not isinstance(log, bool | np.bool_):
        raise TypeError(f"log must be True or False, got {type(log).__name__}")
    n = a.shape[0]
    if rule == "wright_fisher":
        rho = np.full((n, n), 1.0 / z)
        for i in range(n):
            for j in range(n):
                if i != j:
                    rho[i, j] = _wright_fisher_rho(a[i, i], a[i, j], a[j, i], a[j, j], z, beta)
        if not log:
            return rho
        if np.any(rho <= 0):
            raise ValueError(
                "a Wright-Fisher fixation probability is below the float range; its log is "
                "only available for the birth-death rules"
            )
        return np.log(rho)
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
