"""Finite-population dynamics of n-member games: groups sampled from a population of Z.

Organizations meet in groups of ``n`` drawn at random without replacement from a population of
``Z``, so a focal organization's fitness is its payoff averaged over the hypergeometric number
of each strategy among its ``n - 1`` co-members (Hauert et al. 2007, Science 316:1905; Pacheco,
Santos, Souza & Skyrms 2009, Proc. R. Soc. B 276:315; Gokhale & Traulsen 2010, PNAS 107:5500).
One mutant's fixation probability under the pairwise comparison (Fermi) rule or the Moran
process, the stationary distribution over several strategies in the small-mutation limit
(Fudenberg & Imhof 2006) and the gradient of selection follow.

Payoffs are held in one array ``A`` of shape (s, s, n): ``A[i, j, k]`` is the payoff of an
``i``-player in a group where ``k`` of its ``n - 1`` co-members play ``i`` and the others ``j``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy.special import gammaln, logsumexp

from allysim._results import SavedResult
from allysim._validation import as_float_array, check_int, check_memory, check_nonnegative
from allysim.consortia.games import _TwoActionGroup, as_group_game
from allysim.consortia.kernels import exact_group_payoffs
from allysim.consortia.strategies import GroupStrategy
from allysim.evolution.mutation_chain import _gth, _log_gth

__all__ = [
    "ConsortiumStationary",
    "fixation_probability",
    "gradient_of_selection",
    "group_fitness",
    "interior_roots",
    "repeated_payoff_array",
    "stage_payoff_array",
    "stationary_distribution",
]

Rule = Literal["fermi", "moran"]


def stage_payoff_array(game: Any) -> np.ndarray:
    """Payoff array of the one-shot game with strategies 0 = contribute and 1 = withhold.

    Parameters
    ----------
    game : PublicGoodsGame or GroupGame
        The n-member game.

    Returns
    -------
    numpy.ndarray
        Shape (2, 2, n): ``A[i, j, k]``, payoff of an ``i``-player with ``k`` co-members
        playing ``i`` and ``n - 1 - k`` playing ``j``.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> stage_payoff_array(PublicGoodsGame(3, multiplier=3.0))[0, 1].tolist()  # a contributor
    [0.0, 1.0, 2.0]
    """
    g = as_group_game(game)
    pc, pd = g.tables()
    n = g.group_size
    a = np.empty((2, 2, n))
    a[0, 0] = pc[n - 1]
    a[1, 1] = pd[0]
    a[0, 1] = pc
    a[1, 0] = pd[::-1]  # k other withholders: n - 1 - k contributors
    return a


def repeated_payoff_array(
    game: Any,
    strategies: Sequence[GroupStrategy],
    *,
    continuation: float | None = None,
    noise: float = 0.0,
) -> np.ndarray:
    """Payoff array of repeated-game group strategies, from the exact chain.

    Every group of two strategies is solved with
    [`exact_group_payoffs`][allysim.consortia.exact_group_payoffs]: ``s (s - 1) / 2 (n - 1) + s``
    chains of at most ``(n / 2 + 1)^2`` states.

    Parameters
    ----------
    game : PublicGoodsGame or GroupGame
        The stage game of the n members.
    strategies : sequence of GroupStrategy
        The s >= 1 strategies, each written for the game's group size.
    continuation : float or None, default None
        Continuation probability in [0, 1); None: limit of the mean.
    noise : float, default 0.0
        Execution noise in [0, 1].

    Returns
    -------
    numpy.ndarray
        Shape (s, s, n): ``A[i, j, k]`` as in
        [`stage_payoff_array`][allysim.consortia.stage_payoff_array].

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame, unconditional
    >>> a = repeated_payoff_array(PublicGoodsGame(3), [unconditional(1, 3), unconditional(0, 3)],
    ...                           continuation=0.5)
    >>> a[0, 1].tolist(), a[1, 0].tolist()
    ([0.0, 1.0, 2.0], [2.0, 1.0, 0.0])
    """
    g = as_group_game(game)
    strategies = list(strategies)
    if not strategies:
        raise ValueError("strategies must hold at least one GroupStrategy")
    n = g.group_size
    # Checked here: the chains below see one or two of them and would name the wrong index.
    for i, strategy in enumerate(strategies):
        if not isinstance(strategy, GroupStrategy):
            raise TypeError(
                f"strategies[{i}] must be a GroupStrategy, got {type(strategy).__name__}"
            )
        if strategy.group_size != n:
            raise ValueError(
                f"strategies[{i}] is written for groups of {strategy.group_size}, the game has "
                f"group_size {n}"
            )
    s = len(strategies)
    a = np.empty((s, s, n))
    kw: dict[str, Any] = {"continuation": continuation, "noise": noise}
    for i in range(s):
        a[i, i] = exact_group_payoffs(g, [strategies[i]], [n], **kw).payoffs[0]
    for i in range(s):
        for j in range(i + 1, s):
            a[i, j, n - 1] = a[i, i, 0]
            a[j, i, n - 1] = a[j, j, 0]
            for k in range(n - 1):
                res = exact_group_payoffs(
                    g, [strategies[i], strategies[j]], [k + 1, n - 1 - k], **kw
                )
                a[i, j, k] = res.payoffs[0]
                a[j, i, n - 2 - k] = res.payoffs[1]
    return a


def _payoff_array(payoffs: Any) -> np.ndarray:
    if isinstance(payoffs, _TwoActionGroup):
        return stage_payoff_array(payoffs)
    arr = as_float_array(payoffs, "payoffs", shape=(None, None, None))
    if arr.shape[0] != arr.shape[1] or arr.shape[0] < 1 or arr.shape[2] < 2:
        raise ValueError(
            "payoffs must have shape (s, s, n) with s >= 1 strategies and group size n >= 2, "
            f"got {arr.shape}"
        )
    return arr


def _index(i: Any, s: int, name: str) -> int:
    i = check_int(i, name, minimum=0)
    if i >= s:
        raise ValueError(f"{name} must be a strategy index in [0, {s - 1}], got {i}")
    return i


def _population(z: Any, n: int) -> int:
    z = check_int(z, "population", minimum=2)
    if z < n:
        raise ValueError(f"population must be >= the group size {n}, got {z}")
    return z


def _rule(rule: Any) -> Rule:
    if not isinstance(rule, str):
        raise TypeError(f"rule must be 'fermi' or 'moran', got {type(rule).__name__}")
    if rule == "fermi":
        return "fermi"
    if rule == "moran":
        return "moran"
    raise ValueError(f"rule must be 'fermi' or 'moran', got {rule!r}")


def _log_falling(top: np.ndarray, length: int) -> np.ndarray:
    """``log(top (top - 1) ... (top - b + 1))`` for ``b = 0 .. length``; -inf where it is 0.

    Shape (*top.shape, length + 1). A sum of at most ``length`` logarithms, so accurate to a
    few ulps however large ``top`` is (log-gamma differences lose digits for large arguments).
    """
    steps = np.asarray(top, float)[..., None] - np.arange(length)
    with np.errstate(divide="ignore"):
        logs = np.log(np.maximum(steps, 0.0))
    zero = np.zeros((*logs.shape[:-1], 1))
    return np.concatenate([zero, np.cumsum(logs, axis=-1)], axis=-1)


def _hypergeom(total: int, marked: np.ndarray, draws: int) -> np.ndarray:
    """Shape (len(marked), draws + 1): P(k marked among ``draws`` drawn without replacement
    from ``total`` of which ``marked`` are marked), ``k = 0 .. draws``."""
    k = np.arange(draws + 1)
    log_k_fact = gammaln(k + 1.0)
    log_c_marked = _log_falling(marked, draws) - log_k_fact
    log_c_rest = (_log_falling(total - marked, draws) - log_k_fact)[:, ::-1]
    log_c_all = _log_falling(np.asarray(float(total)), draws)[-1] - log_k_fact[-1]
    return np.exp(log_c_marked + log_c_rest - log_c_all)


def _fitness(a: np.ndarray, i: int, j: int, z: int) -> tuple[np.ndarray, np.ndarray]:
    n = a.shape[2]
    check_memory(
        8.0 * 4 * (z - 1) * n,
        "population",
        hint="fitness needs memory population x group size; use a smaller population",
    )
    inv = np.arange(1, z, dtype=float)
    # A focal invader meets k invaders among n - 1 co-members drawn from the other Z - 1,
    # of whom inv - 1 are invaders; a focal resident meets k invaders among inv.
    h_inv = _hypergeom(z - 1, inv - 1, n - 1)
    h_res = _hypergeom(z - 1, inv, n - 1)
    f_inv = h_inv @ a[i, j]
    f_res = h_res @ a[j, i, ::-1]
    return f_inv, f_res


def group_fitness(
    payoffs: Any, invader: int, resident: int, *, population: int
) -> tuple[np.ndarray, np.ndarray]:
    """Expected payoffs of invaders and residents when groups are sampled from the population.

    Parameters
    ----------
    payoffs : numpy.ndarray, PublicGoodsGame or GroupGame
        Payoff array of shape (s, s, n) (see
        [`stage_payoff_array`][allysim.consortia.stage_payoff_array]), or a game (strategies
        0 = contribute, 1 = withhold).
    invader : int
        Index of the invading strategy.
    resident : int
        Index of the resident strategy.
    population : int
        Population size Z >= max(2, n).

    Returns
    -------
    invader_fitness : numpy.ndarray
        Shape (Z - 1,): expected payoff of an invader when ``j = 1 .. Z - 1`` organizations
        are invaders.
    resident_fitness : numpy.ndarray
        Shape (Z - 1,): expected payoff of a resident at the same ``j``.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> fc, fd = group_fitness(PublicGoodsGame(5, multiplier=3.0), 0, 1, population=20)
    >>> np.round(fc - fd, 12).tolist()[:2]  # c (r/n (Z - n)/(Z - 1) - 1), constant in j
    [-0.526315789474, -0.526315789474]
    """
    a = _payoff_array(payoffs)
    s, n = a.shape[0], a.shape[2]
    i, j = _index(invader, s, "invader"), _index(resident, s, "resident")
    return _fitness(a, i, j, _population(population, n))


def _log_rho(a: np.ndarray, i: int, j: int, z: int, beta: float, rule: Rule) -> float:
    if i == j:
        return -float(np.log(z))
    f_inv, f_res = _fitness(a, i, j, z)
    if rule == "fermi":
        log_ratio = -beta * (f_inv - f_res)
    else:
        g_inv, g_res = 1 - beta + beta * f_inv, 1 - beta + beta * f_res
        if np.any(g_inv <= 0) or np.any(g_res <= 0):
            raise ValueError(
                "rule='moran' needs positive fitness 1 - selection + selection * payoff; shift "
                "the payoffs up or lower selection"
            )
        log_ratio = np.log(g_res) - np.log(g_inv)
    partial = np.cumsum(log_ratio)
    return -float(logsumexp(np.concatenate(([0.0], partial))))


def _selection(beta: Any, rule: Rule) -> float:
    beta = check_nonnegative(beta, "selection")
    if rule == "moran" and beta > 1:
        raise ValueError(f"selection must lie in [0, 1] for rule='moran', got {beta!r}")
    return beta


def fixation_probability(
    payoffs: Any,
    invader: int,
    resident: int,
    *,
    population: int,
    selection: float,
    rule: Rule = "fermi",
) -> float:
    """Probability that one invader takes over a population of residents (n-member groups).

    ``rho = 1 / (1 + sum_{i=1}^{Z-1} prod_{j=1}^{i} T-(j) / T+(j))`` with
    ``T-(j) / T+(j) = exp(-beta (f_inv(j) - f_res(j)))`` (pairwise comparison, Traulsen, Nowak
    & Pacheco 2006) or ``(1 - beta + beta f_res) / (1 - beta + beta f_inv)`` (Moran), the
    fitness from [`group_fitness`][allysim.consortia.group_fitness]. Computed in log space.

    Parameters
    ----------
    payoffs : numpy.ndarray, PublicGoodsGame or GroupGame
        Payoff array of shape (s, s, n), or a game (0 = contribute, 1 = withhold).
    invader : int
        Index of the invading strategy (one mutant).
    resident : int
        Index of the resident strategy.
    population : int
        Population size Z >= max(2, n).
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for ``rule="moran"``).
    rule : {"fermi", "moran"}, default "fermi"
        Pairwise comparison or Moran process.

    Returns
    -------
    float
        The fixation probability in [0, 1]; ``1 / Z`` under neutral selection.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> game = PublicGoodsGame(5, multiplier=3.0)
    >>> rho_c = fixation_probability(game, 0, 1, population=50, selection=1.0)
    >>> rho_d = fixation_probability(game, 1, 0, population=50, selection=1.0)
    >>> rho_d > 1 / 50 > rho_c  # r < n: withholding is favoured
    True
    """
    a = _payoff_array(payoffs)
    s, n = a.shape[0], a.shape[2]
    i, j = _index(invader, s, "invader"), _index(resident, s, "resident")
    if i == j:
        raise ValueError(
            f"invader and resident must be different strategies, got invader = resident = {i} "
            "(a mutant of the resident strategy is neutral: its fixation probability is 1/Z, "
            "the diagonal of stationary_distribution(...).fixation)"
        )
    z = _population(population, n)
    rule = _rule(rule)
    beta = _selection(selection, rule)
    return float(np.exp(_log_rho(a, i, j, z, beta, rule)))


@dataclass(frozen=True, repr=False)
class ConsortiumStationary(SavedResult):
    """Stationary distribution over strategies in the small-mutation limit.

    Parameters
    ----------
    shares : numpy.ndarray
        Shape (s,): long-run probability of each monomorphic population.
    fixation : numpy.ndarray
        Shape (s, s): ``fixation[i, j]``, probability that one ``j`` invader takes over a
        population of ``i`` (``1 / Z`` on the diagonal).
    transitions : numpy.ndarray
        Shape (s, s): the embedded chain, ``fixation[i, j] / (s - 1)`` off the diagonal.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> res = stationary_distribution(PublicGoodsGame(5, multiplier=3.0), population=50,
    ...                               selection=1.0)
    >>> res.shares.round(4).tolist()  # withholding takes over
    [0.0, 1.0]
    """

    shares: np.ndarray
    fixation: np.ndarray
    transitions: np.ndarray


def stationary_distribution(
    payoffs: Any, *, population: int, selection: float, rule: Rule = "fermi"
) -> ConsortiumStationary:
    """Stationary distribution of n-member strategies in the small-mutation limit.

    With rare mutations the population is almost always monomorphic; it moves from ``i`` to
    ``j`` at rate ``fixation_probability(j invades i) / (s - 1)`` (Fudenberg & Imhof 2006, J.
    Econ. Theory 131:251; for n-player games Gokhale & Traulsen 2010 and Vasconcelos, Santos &
    Pacheco 2013).

    Parameters
    ----------
    payoffs : numpy.ndarray, PublicGoodsGame or GroupGame
        Payoff array of shape (s, s, n), or a game (0 = contribute, 1 = withhold).
    population : int
        Population size Z >= max(2, n).
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for ``rule="moran"``).
    rule : {"fermi", "moran"}, default "fermi"
        Pairwise comparison or Moran process.

    Returns
    -------
    ConsortiumStationary
        Shares, fixation matrix and embedded chain.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> res = stationary_distribution(PublicGoodsGame(4), population=20, selection=0.0)
    >>> res.shares.tolist()
    [0.5, 0.5]
    """
    a = _payoff_array(payoffs)
    s, n = a.shape[0], a.shape[2]
    z = _population(population, n)
    rule = _rule(rule)
    beta = _selection(selection, rule)
    log_fix = np.empty((s, s))
    for i in range(s):
        for j in range(s):
            log_fix[i, j] = _log_rho(a, j, i, z, beta, rule)
    fix = np.exp(log_fix)
    if s == 1:
        return ConsortiumStationary(np.ones(1), fix, np.ones((1, 1)))
    trans = fix / (s - 1)
    np.fill_diagonal(trans, 0.0)
    np.fill_diagonal(trans, 1.0 - trans.sum(axis=1))
    # Fixation probabilities near or below the float range: eliminate in log space, as the
    # two-player stationary distribution does (GTH never reads the diagonal).
    tiny = not np.all(trans[~np.eye(s, dtype=bool)] > 1e-250)
    shares = _log_gth(log_fix - math.log(s - 1)) if tiny else _gth(trans)
    return ConsortiumStationary(shares, fix, trans)


def gradient_of_selection(
    payoffs: Any,
    invader: int = 0,
    resident: int = 1,
    *,
    population: int,
    selection: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of selection ``g(j) = T+(j) - T-(j)`` under the pairwise comparison rule.

    ``g(j) = (j / Z) ((Z - j) / Z) tanh(beta (f_inv(j) - f_res(j)) / 2)`` (Pacheco et al. 2009,
    Proc. R. Soc. B 276:315, eq. 2.3): positive where the invaders tend to increase.

    Parameters
    ----------
    payoffs : numpy.ndarray, PublicGoodsGame or GroupGame
        Payoff array of shape (s, s, n), or a game (0 = contribute, 1 = withhold).
    invader : int, default 0
        Index of the strategy counted by ``j``.
    resident : int, default 1
        Index of the other strategy.
    population : int
        Population size Z >= max(2, n).
    selection : float
        Selection intensity beta >= 0.

    Returns
    -------
    fraction : numpy.ndarray
        Shape (Z + 1,): ``j / Z`` for ``j = 0 .. Z``.
    gradient : numpy.ndarray
        Shape (Z + 1,): ``g(j)`` (0 at both ends).

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> x, g = gradient_of_selection(PublicGoodsGame(5), population=10, selection=1.0)
    >>> bool(np.all(g[1:-1] < 0))  # linear game, r < n: contributors always decline
    True
    """
    a = _payoff_array(payoffs)
    s, n = a.shape[0], a.shape[2]
    i, j = _index(invader, s, "invader"), _index(resident, s, "resident")
    z = _population(population, n)
    beta = check_nonnegative(selection, "selection")
    f_inv, f_res = _fitness(a, i, j, z)
    count = np.arange(z + 1)
    g = np.zeros(z + 1)
    inner = count[1:-1]
    g[1:-1] = inner / z * (z - inner) / z * np.tanh(beta * (f_inv - f_res) / 2)
    return count / z, g


def interior_roots(
    payoffs: Any, invader: int = 0, resident: int = 1, *, population: int | None = None
) -> np.ndarray:
    """Interior roots of the gradient of selection: where ``f_inv - f_res`` changes sign.

    For a finite population the roots are read off the sign changes between consecutive ``j``
    (linear interpolation of ``f_inv - f_res``); for ``population=None`` they are the roots in
    (0, 1) of the infinite-population payoff difference, a polynomial of degree ``n - 1`` in
    the invaders' share ``x`` (binomial group sampling; at most ``n - 1`` interior roots,
    Gokhale & Traulsen 2010).

    Parameters
    ----------
    payoffs : numpy.ndarray, PublicGoodsGame or GroupGame
        Payoff array of shape (s, s, n), or a game (0 = contribute, 1 = withhold).
    invader : int, default 0
        Index of the strategy whose share is ``x``.
    resident : int, default 1
        Index of the other strategy.
    population : int or None, default None
        Population size Z >= max(2, n); None: infinite.

    Returns
    -------
    numpy.ndarray
        Sorted roots, shares of invaders in (0, 1).

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> stag = PublicGoodsGame(4, multiplier=8.0, threshold=4)  # all four needed
    >>> interior_roots(stag).round(6).tolist()  # x^3 r c = c: x = 8^(-1/3)
    [0.5]
    """
    a = _payoff_array(payoffs)
    s, n = a.shape[0], a.shape[2]
    i, j = _index(invader, s, "invader"), _index(resident, s, "resident")
    # Roots do not change with the payoffs' scale: the payoffs are divided by a power of two
    # near the largest (exact), so that near the float limit their differences do not overflow
    # (a LinAlgError on inf) and far below 1 the tolerances below, in units of that largest
    # payoff, do not take a game for neutral (payoffs times 1e-200 had no roots).
    a = a[[i, j]][:, [i, j]]
    peak = float(np.abs(a).max())
    if peak > 0.0:
        a = a / 2.0 ** math.floor(math.log2(peak))
    i, j = 0, 1
    if population is not None:
        z = _population(population, n)
        f_inv, f_res = _fitness(a, i, j, z)
        d = f_inv - f_res
        x = np.arange(1, z) / z
        if np.all(d == 0):
            return np.array([])  # neutral: no isolated roots
        roots = [float(x[m]) for m in range(z - 1) if d[m] == 0]
        for m in range(z - 2):
            if d[m] * d[m + 1] < 0:
                roots.append(float(x[m] + (x[m + 1] - x[m]) * d[m] / (d[m] - d[m + 1])))
        return np.array(sorted(roots))
    diff = a[i, j] - a[j, i, ::-1]  # payoff difference with k co-members playing the invader
    # Bernstein form sum_k C(n-1, k) x^k (1-x)^(n-1-k) diff[k], expanded in powers of x.
    m = n - 1
    coef = np.zeros(n)
    for k in range(n):
        base = np.polynomial.polynomial.polypow([1.0, -1.0], m - k)
        term = np.zeros(n)
        term[k : k + len(base)] = base
        coef += math.comb(m, k) * diff[k] * term
    if np.all(np.abs(coef) <= 1e-14 * max(1.0, float(np.abs(diff).max()))):
        return np.array([])
    found = np.polynomial.polynomial.polyroots(np.trim_zeros(coef, "b"))
    real = found[np.abs(found.imag) <= 1e-9 * np.maximum(1.0, np.abs(found.real))].real
    inside = real[(real > 1e-12) & (real < 1 - 1e-12)]
    return np.unique(np.round(inside, 12))
