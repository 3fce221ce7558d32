"""Expected payoffs of repeated consortium games: an exact Markov chain and Monte Carlo.

Members are grouped into types (members of one type play one strategy), so the exact chain
runs over the number of last-round contributors of each type: ``prod(n_t + 1)`` states
(``n + 1`` for one strategy, ``2^n`` when every member is its own type). Each intended move is
flipped with probability ``noise`` (execution errors). Payoffs are normalised discounted sums
``(1 - w) sum_t w^t u_t`` for a continuation probability ``w``, or the limit of the mean.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.special import gammaln

from allysim._progress import progress_bar
from allysim._results import SavedResult
from allysim._validation import (
    as_generator,
    check_bool,
    check_int,
    check_interval,
    check_memory,
    check_probability,
)
from allysim.consortia.games import GroupGame, as_group_game
from allysim.consortia.strategies import GroupStrategy
from allysim.evolution.mutation_chain import _gth, _log_gth
from allysim.kernels._linalg import solve

__all__ = ["GroupPayoffs", "exact_group_payoffs", "simulate_group_payoffs"]

SeedLike = Any


@dataclass(frozen=True, repr=False)
class GroupPayoffs(SavedResult):
    """Expected payoffs per strategy type in a repeated consortium game.

    Parameters
    ----------
    payoffs : numpy.ndarray
        Shape (T,): expected payoff per round of a member of each type (payoff units).
    contribution : numpy.ndarray
        Shape (T,): expected share of rounds in which a member of each type contributes (same
        weighting as ``payoffs``).
    standard_errors : numpy.ndarray or None, default None
        Shape (T,): Monte Carlo standard errors of ``payoffs`` (None for the exact chain).
    counts : tuple of int, default ()
        Members of each type.
    method : str, default "exact"
        ``"exact"`` or ``"montecarlo"``.
    groups : int, default 0
        Simulated groups (0 for the exact chain).
    rounds : int, default 0
        Simulated rounds per group (0 for the exact chain).

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame, unconditional
    >>> res = exact_group_payoffs(PublicGoodsGame(3), [unconditional(1, 3)], [3], continuation=0.5)
    >>> res.payoffs.tolist()
    [2.0]
    """

    payoffs: np.ndarray
    contribution: np.ndarray
    standard_errors: np.ndarray | None = None
    counts: tuple[int, ...] = ()
    method: str = "exact"
    groups: int = 0
    rounds: int = 0


def _check_types(
    game: Any, strategies: Any, counts: Any
) -> tuple[GroupGame, list[GroupStrategy], list[int]]:
    g = as_group_game(game)
    n = g.group_size
    if isinstance(strategies, GroupStrategy):
        strategies = [strategies]
    strategies = list(strategies)
    if not strategies:
        raise ValueError("strategies must hold at least one GroupStrategy")
    for i, s in enumerate(strategies):
        if not isinstance(s, GroupStrategy):
            raise TypeError(f"strategies[{i}] must be a GroupStrategy, got {type(s).__name__}")
        if s.group_size != n:
            raise ValueError(
                f"strategies[{i}] is written for groups of {s.group_size}, the game has "
                f"group_size {n}"
            )
    if counts is None:
        if len(strategies) != n:
            raise ValueError(
                f"counts may be omitted only with one strategy per member ({n}), got "
                f"{len(strategies)} strategies"
            )
        counts = [1] * n
    counts = [check_int(c, f"counts[{i}]", minimum=1) for i, c in enumerate(counts)]
    if len(counts) != len(strategies):
        raise ValueError(
            f"counts must have one entry per strategy ({len(strategies)}), got {len(counts)}"
        )
    if sum(counts) != n:
        raise ValueError(f"counts must sum to the group size {n}, got {sum(counts)}")
    return g, strategies, counts


def _noisy(p: np.ndarray, eps: float) -> np.ndarray:
    return p * (1 - eps) + (1 - p) * eps


def _noisy_pair(p: Any, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Chances to contribute and to withhold, each computed directly: a small ``eps`` flipping
    an intended contribution survives in the second (``1 - (1 - eps)`` loses its digits, and
    below 1.1e-16 all of it)."""
    p = np.asarray(p, dtype=float)
    return _noisy(p, eps), _noisy(1 - p, eps)


def _binom_pmf(k: np.ndarray, n: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Binomial probabilities with success chance ``p`` and failure chance ``q = 1 - p`` (given
    apart, for accuracy), broadcast; exact zeros where p or q is 0 (0^0 = 1).

    Written out rather than taken from scipy.stats, which is slow to import.
    """
    k, n, p, q = np.broadcast_arrays(
        np.asarray(k, float), np.asarray(n, float), np.asarray(p, float), np.asarray(q, float)
    )
    ok = (k >= 0) & (k <= n)
    kk, nn = np.where(ok, k, 0.0), np.where(ok, n, 0.0)
    comb = np.exp(gammaln(nn + 1) - gammaln(kk + 1) - gammaln(nn - kk + 1))
    return np.where(ok, comb * p**kk * q ** (nn - kk), 0.0)


def _states(counts: Sequence[int]) -> np.ndarray:
    grids = np.meshgrid(*[np.arange(c + 1) for c in counts], indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1)


def _chain(g, strategies, counts, eps):
    """(initial distribution, transition matrix, per-state payoffs and contributions by type)."""
    n = g.group_size
    s_count = math.prod(c + 1 for c in counts)
    check_memory(
        8.0 * s_count * s_count * 3,
        "counts",
        hint="the exact chain needs memory quadratic in prod(counts + 1); use fewer types "
        "or simulate_group_payoffs",
    )
    states = _states(counts)
    t_count = states.shape[1]
    total = states.sum(axis=1)
    pc, pd = g.tables()
    cnt = np.asarray(counts, dtype=float)
    # Payoff of a type-t member: contributors see K - 1 other contributors, withholders K.
    u_c = pc[np.clip(total - 1, 0, n - 1)][:, None]
    u_d = pd[np.clip(total, 0, n - 1)][:, None]
    payoff = (states * u_c + (cnt - states) * u_d) / cnt
    share = states / cnt
    trans = np.ones((s_count, 1))
    init = np.ones(1)
    for t, (strategy, n_t) in enumerate(zip(strategies, counts, strict=True)):
        c_t = states[:, t]
        p_c, q_c = _noisy_pair(strategy.after_contribute[np.clip(total - 1, 0, n - 1)], eps)
        p_d, q_d = _noisy_pair(strategy.after_withhold[np.clip(total, 0, n - 1)], eps)
        x = np.arange(n_t + 1)
        from_c = _binom_pmf(x[None, :], c_t[:, None], p_c[:, None], q_c[:, None])
        from_d = _binom_pmf(x[None, :], (n_t - c_t)[:, None], p_d[:, None], q_d[:, None])
        per_type = np.stack(
            [np.convolve(a, b)[: n_t + 1] for a, b in zip(from_c, from_d, strict=True)]
        )
        trans = (trans[:, :, None] * per_type[:, None, :]).reshape(s_count, -1)
        p0, q0 = _noisy_pair(strategy.initial, eps)
        init = np.outer(init, _binom_pmf(x, n_t, p0, q0)).ravel()
    return init, trans, payoff, share, t_count


def _entry(init: np.ndarray, trans: np.ndarray, transient: np.ndarray) -> np.ndarray:
    """Where play is when it first reaches a recurrent state: ``init`` with the transient states
    eliminated one at a time.

    Each transient state's outflow is redirected to where it leaves for, normalised by the sum
    of that outflow rather than by ``1 - trans[k, k]``: no subtraction, as in Grassmann, Taksar
    & Heyman (1985), so states left with a tiny probability per round (small ``noise``) keep
    their digits, where solving ``(I - Q) x = init`` loses them or finds ``I - Q`` singular.
    """
    rows = np.flatnonzero(transient)
    flow = trans[rows].copy()
    mass = init.astype(float).copy()
    for pos, k in enumerate(rows):
        out = flow[pos].copy()
        out[k] = 0.0  # staying in k only delays leaving it
        out /= out.sum()
        mass += mass[k] * out
        mass[k] = 0.0
        later = flow[pos + 1 :]
        later += later[:, k : k + 1] * out[None, :]
        later[:, k] = 0.0
    return mass


def _long_run(init: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """Cesaro limit of ``init T^t``: each closed class's stationary law, weighted by the chance
    of reaching that class from the first round (exact zeros in ``trans`` are structural).

    Both parts by elimination without subtraction (:func:`_entry`; the stationary laws by
    Grassmann, Taksar & Heyman 1985), so a chain that is nearly reducible, as with a small
    ``noise``, keeps relative accuracy.
    """
    n_comp, labels = connected_components(csr_matrix(trans > 0), directed=True, connection="strong")
    closed = []
    for c in range(n_comp):
        members = labels == c
        if not np.any(trans[np.ix_(members, ~members)] > 0):
            closed.append(members)
    transient = ~np.any(np.stack(closed), axis=0)
    entry = _entry(init, trans, transient) if transient.any() else init
    occupancy = np.zeros(trans.shape[0])
    for members in closed:
        block = trans[np.ix_(members, members)]
        try:
            # Products of two transitions below about 1e-154 underflow inside the elimination
            # (a pivot of 0, then NaN) and its ratios can overflow: any such event sends the
            # class to the logarithms, as the small-mutation stationary distribution does.
            with np.errstate(all="raise"):
                law = _gth(block)
        except FloatingPointError:
            with np.errstate(divide="ignore"):
                law = _log_gth(np.log(block))
        occupancy[members] = entry[members].sum() * law
    return occupancy


def _warn_if_underflowed(g: Any, strategies: Any, counts: Any, trans: np.ndarray) -> None:
    """Warn when a transition that any noise in (0, 1) makes possible is 0 at this noise.

    A move that needs k simultaneous flips has chance about ``noise**k``, which underflows
    float64 below about 1e-308. Where such a move is the only way out of a set of states, the
    chain's closed classes change and the limit of the mean with them (TR(2) x 4 at noise
    1e-200: 1.0 where the exact answer is 0.5); where it is not, the answer is unaffected. The
    pattern of possible moves is the same for every noise in (0, 1), so it is read off a chain
    built at noise 0.25.
    """
    reference = _chain(g, strategies, counts, 0.25)[1]
    lost = int(np.count_nonzero((reference > 0) & (trans == 0)))
    if lost:
        warnings.warn(
            f"noise is so small that {lost} transitions of the chain underflow to 0 (a move "
            "needing k simultaneous flips has chance noise**k, below float64's range); the "
            "limit of the mean can then be wrong. Use a larger noise (noise**n >= 1e-300 for "
            "n members keeps every transition) or noise=0",
            RuntimeWarning,
            stacklevel=3,
        )


def exact_group_payoffs(
    game: Any,
    strategies: Sequence[GroupStrategy] | GroupStrategy,
    counts: Sequence[int] | None = None,
    *,
    continuation: float | None = None,
    noise: float = 0.0,
) -> GroupPayoffs:
    """Exact expected payoffs of a repeated consortium game from its Markov chain.

    The chain runs over the number of last-round contributors of each type; with one type per
    member it is the chain over all ``2^n`` action profiles (keep n <= about 10).

    Parameters
    ----------
    game : PublicGoodsGame or GroupGame
        The stage game of the n members.
    strategies : sequence of GroupStrategy or GroupStrategy
        One strategy per type, each written for the game's group size.
    counts : sequence of int or None, default None
        Members of each type (>= 1 each, summing to n); None: one member per strategy.
    continuation : float or None, default None
        Continuation probability w in [0, 1): normalised discounted payoffs
        ``(1 - w) sum_t w^t u_t``; None: the limit of the mean payoff per round. It always
        exists: when play can settle in more than one closed class (no noise), the classes'
        long-run laws are mixed by the chance of reaching each from the first round.
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.

    Returns
    -------
    GroupPayoffs
        Payoff and contribution rate of each type.

    Raises
    ------
    TypeError
        A strategy or the game has the wrong type.
    ValueError
        Counts do not sum to n, a strategy has another group size, a probability is out of
        range, or the chain exceeds the memory budget.

    Warns
    -----
    RuntimeWarning
        In the limit of the mean, when ``noise`` is so small that moves needing several
        simultaneous flips (chance about ``noise**k``) underflow float64 to 0: where such a
        move is the only way out of a set of states the answer is wrong. ``noise**n >= 1e-300``
        keeps every move.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame, threshold_reciprocity, unconditional
    >>> game = PublicGoodsGame(4, multiplier=3.0)
    >>> tr, alld = threshold_reciprocity(2, 4), unconditional(0, 4)
    >>> res = exact_group_payoffs(game, [tr, alld], [3, 1], continuation=0.9)
    >>> res.payoffs.round(4).tolist()  # round one: 3 contribute; later TR(2) keeps going
    [1.25, 2.25]
    """
    g, strategies, counts = _check_types(game, strategies, counts)
    eps = check_probability(noise, "noise")
    w = (
        None
        if continuation is None
        else check_interval(continuation, "continuation", 0.0, 1.0, high_open=True)
    )
    init, trans, payoff, share, _ = _chain(g, strategies, counts, eps)
    s_count = trans.shape[0]
    if w is not None:
        # Not numpy.linalg.solve: LAPACK's answer from about 100 states follows the BLAS
        # thread count.
        occupancy = (1 - w) * solve(np.eye(s_count) - w * trans.T, init)
    else:
        # Each member's move has chance at least min(noise, 1 - noise), so every possible
        # transition is at least that to the n-th power: only below 1e-300 can one underflow,
        # and only then is the reference chain worth building.
        if 0 < eps < 1 and min(eps, 1 - eps) ** g.group_size < 1e-300:
            _warn_if_underflowed(g, strategies, counts, trans)
        occupancy = _long_run(init, trans)
    return GroupPayoffs(
        payoffs=occupancy @ payoff,
        contribution=occupancy @ share,
        standard_errors=None,
        counts=tuple(counts),
        method="exact",
    )


def simulate_group_payoffs(
    game: Any,
    strategies: Sequence[GroupStrategy] | GroupStrategy,
    counts: Sequence[int] | None = None,
    *,
    groups: int = 1000,
    continuation: float | None = None,
    rounds: int | None = None,
    noise: float = 0.0,
    seed: SeedLike = None,
    progress: bool = False,
) -> GroupPayoffs:
    """Monte Carlo payoffs of a repeated consortium game, vectorised over groups.

    Every group has the same composition; each round draws every member's move. With
    ``continuation`` the rounds are weighted ``(1 - w) w^t`` up to the round where
    ``w^t < 1e-12`` (the dropped tail is below 1e-12 of the largest payoff); with ``rounds``
    payoffs are averaged over a fixed number of rounds (an estimate of the limit of the mean,
    biased by the first rounds by O(1 / rounds)). The standard errors are those of the mean over
    independent groups.

    Parameters
    ----------
    game : PublicGoodsGame or GroupGame
        The stage game of the n members.
    strategies : sequence of GroupStrategy or GroupStrategy
        One strategy per type, each written for the game's group size.
    counts : sequence of int or None, default None
        Members of each type (>= 1 each, summing to n); None: one member per strategy.
    groups : int, default 1000
        Number of independent groups >= 1.
    continuation : float or None, default None
        Continuation probability w in [0, 1); give this or ``rounds``.
    rounds : int or None, default None
        Number of rounds >= 1 for an average payoff per round; give this or ``continuation``.
    noise : float, default 0.0
        Execution noise in [0, 1].
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Random stream; the same seed gives bit-identical results.
    progress : bool, default False
        Show a progress bar over rounds.

    Returns
    -------
    GroupPayoffs
        Payoff, contribution rate and standard error of each type.

    Raises
    ------
    TypeError
        An argument has the wrong type.
    ValueError
        Both or neither of ``continuation`` and ``rounds`` are given, a value is out of range,
        or the run exceeds the memory budget.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame, unconditional
    >>> game = PublicGoodsGame(5, multiplier=3.0)
    >>> res = simulate_group_payoffs(game, [unconditional(0.5, 5)], [5], rounds=10, groups=200,
    ...                              seed=1)
    >>> bool(abs(res.payoffs[0] - 1.0) < 4 * res.standard_errors[0])  # exact: 3 * 2.5 / 5 - 0.5
    True
    """
    g, strategies, counts = _check_types(game, strategies, counts)
    n_groups = check_int(groups, "groups", minimum=1)
    eps = check_probability(noise, "noise")
    progress = check_bool(progress, "progress")
    if (continuation is None) == (rounds is None):
        raise ValueError("give exactly one of continuation (discounted) and rounds (mean)")
    if continuation is not None:
        w = check_interval(continuation, "continuation", 0.0, 1.0, high_open=True)
        horizon = 1 if w == 0 else max(1, math.ceil(math.log(1e-12) / math.log(w)))
        weights = (1 - w) * w ** np.arange(horizon)
    else:
        horizon = check_int(rounds, "rounds", minimum=1)
        weights = np.full(horizon, 1.0 / horizon)
    rng = as_generator(seed, "seed")
    n = g.group_size
    check_memory(
        8.0 * n_groups * n * 6,
        "groups",
        hint="the simulation holds a few arrays of groups x group_size; use fewer groups",
    )
    types = np.repeat(np.arange(len(counts)), counts)
    onehot = np.zeros((n, len(counts)))
    onehot[np.arange(n), types] = 1.0 / np.asarray(counts, dtype=float)[types]
    after_c = _noisy(np.stack([s.after_contribute for s in strategies]), eps)[types]
    after_d = _noisy(np.stack([s.after_withhold for s in strategies]), eps)[types]
    first = _noisy(np.array([s.initial for s in strategies]), eps)[types]
    pc, pd = g.tables()
    member = np.arange(n)[None, :]
    acc_pay = np.zeros((n_groups, len(counts)))
    acc_share = np.zeros((n_groups, len(counts)))
    steps: Any = range(horizon)
    if progress:
        steps = progress_bar(steps, desc="rounds", unit="round")
    moves = rng.random((n_groups, n)) < first
    for t in steps:
        total = moves.sum(axis=1, keepdims=True)
        others = total - moves
        pay = np.where(moves, pc[others], pd[others])
        acc_pay += weights[t] * (pay @ onehot)
        acc_share += weights[t] * (moves @ onehot)
        if t + 1 < horizon:
            p = np.where(moves, after_c[member, others], after_d[member, others])
            moves = rng.random((n_groups, n)) < p
    se = acc_pay.std(axis=0, ddof=1) / math.sqrt(n_groups) if n_groups > 1 else None
    return GroupPayoffs(
        payoffs=acc_pay.mean(axis=0),
        contribution=acc_share.mean(axis=0),
        standard_errors=None if se is None else np.asarray(se),
        counts=tuple(counts),
        method="montecarlo",
        groups=n_groups,
        rounds=horizon,
    )
