"""Zero-determinant strategies (Press & Dyson 2012): memory-one strategies that enforce a linear
relation between their own long-run payoff and the partner's, whatever the partner does.

``zero_determinant`` builds the general family; ``extortionate`` (baseline P, Press & Dyson
2012) and ``generous`` (baseline R, Stewart & Plotkin 2013) are its two named branches, and
``zd_phi_range`` gives the feasible scale.

With ``continuation=w`` each builds the discounted version instead (Hilbe, Traulsen & Sigmund
2015; Ichinose & Masuda 2018), which enforces the relation exactly on the normalised discounted
payoffs ``(1 - w) sum_t w^t u_t``; ``zd_min_continuation`` gives the least ``w`` for which it
exists. A fixed number of rounds admits no exact time-invariant version: the relation then holds
only up to a last-round term of order ``1 / (rounds phi)`` (see ``zero_determinant``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allysim._validation import check_game, check_interval, check_probability, check_real, check_str
from allysim.games import PrisonersDilemma, StageGame
from allysim.games.dilemmas import _symmetric_payoffs
from allysim.strategies.memory_one import MemoryOne

__all__ = [
    "extortionate",
    "generous",
    "zd_min_continuation",
    "zd_phi_range",
    "zero_determinant",
]


def _zd_parts(
    payoffs: tuple[float, float, float, float], chi: float, baseline: float
) -> tuple[np.ndarray, np.ndarray]:
    R, S, T, P = payoffs
    sx = np.array([R, S, T, P])
    sy = np.array([R, T, S, P])
    # Press & Dyson: p - (1, 1, 0, 0) = phi * [(S_X - l) - chi (S_Y - l)] enforces
    # s_X - l = chi (s_Y - l) in the long run.
    return np.array([1.0, 1.0, 0.0, 0.0]), (sx - baseline) - chi * (sy - baseline)


def _phi_max(game: Any, chi: Any, baseline: Any) -> tuple[float, float, float, np.ndarray]:
    payoffs = _symmetric_payoffs(game, "game")
    chi = check_real(chi, "chi")
    baseline = check_real(baseline, "baseline")
    a, b = _zd_parts(payoffs, chi, baseline)
    if not np.all(np.isfinite(b)):
        raise ValueError(
            f"chi={chi:g} and baseline={baseline:g} are too large for this game's payoffs: the "
            "strategy's coefficients overflow"
        )
    if not np.any(b):
        raise ValueError(
            f"chi={chi:g} with this game (S = T) makes s_X - {baseline:g} = chi (s_Y - "
            f"{baseline:g}) hold for every strategy, so it defines no zero-determinant strategy; "
            "pick chi != 1"
        )
    phi_max = np.inf
    for ai, bi in zip(a, b, strict=True):
        if bi > 0:
            phi_max = min(phi_max, (1 - ai) / bi)
        elif bi < 0:
            phi_max = min(phi_max, -ai / bi)
    if not phi_max > 0:
        raise ValueError(
            f"no zero-determinant strategy enforces s_X - {baseline:g} = {chi:g} (s_Y - "
            f"{baseline:g}) in this game (chi={chi:g}, baseline={baseline:g}): no phi > 0 gives "
            "probabilities in [0, 1]; the baseline must lie between P and R"
        )
    return float(phi_max), chi, baseline, b


class _FirstMove:
    """Default ``p0`` of ``extortionate`` and ``generous``: 1.0 in the long run, the value the
    relation pins with ``continuation``. A sentinel, so that an explicit ``None`` is refused."""

    def __repr__(self) -> str:
        return "1.0 (long run) or the pinned value (discounted)"


_PINNED = _FirstMove()

# Absolute slack for round-off in the feasibility checks (payoffs of order 1-10).
_TOL = 1e-12


def _affine_bounds(
    b: np.ndarray, p0: float
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], list[int]]:
    """Bounds on phi that are affine in w: ``lo(w) = max_j (c_j + d_j w)``, ``hi(w) = min_k ...``.

    From ``p = ((1, 1, 0, 0) - (1 - w) p0 + phi b) / w`` in [0, 1]: for each outcome ``i``,
    ``p0 - a_i - p0 w <= phi b_i <= p0 - a_i + (1 - p0) w``. Outcomes with ``b_i = 0`` bound
    nothing but need ``p0 = a_i``; they are returned as the third list.
    """
    a = (1.0, 1.0, 0.0, 0.0)
    lower: list[tuple[float, float]] = [(0.0, 0.0)]
    upper: list[tuple[float, float]] = []
    pinned = []
    for i, (ai, bi) in enumerate(zip(a, b, strict=True)):
        if not bi:
            pinned.append(i)
            continue
        low = ((p0 - ai) / bi, -p0 / bi)
        up = ((p0 - ai) / bi, (1.0 - p0) / bi)
        # Dividing by a negative coefficient swaps the two sides.
        lower.append(low if bi > 0 else up)
        upper.append(up if bi > 0 else low)
    return lower, upper, pinned


def _interval_at(
    lower: list[tuple[float, float]], upper: list[tuple[float, float]], w: float
) -> tuple[float, float]:
    lo = max(c + d * w for c, d in lower)
    hi = min((c + d * w for c, d in upper), default=np.inf)
    return float(lo), float(hi)


def _feasible(lo: float, hi: float) -> bool:
    # phi = 0 is no strategy (it enforces nothing), so a zero upper bound is infeasible.
    return hi > _TOL and lo <= hi + _TOL


def _pinned_p0_error(pinned: list[int], p0: float, chi: float, baseline: float) -> str | None:
    for i in pinned:
        need = 1.0 if i < 2 else 0.0
        if p0 != need:
            outcome = ("CC", "CD", "DC", "DD")[i]
            return (
                f"p0 must be {need:g} for a discounted ZD strategy enforcing s_X - {baseline:g} = "
                f"{chi:g} (s_Y - {baseline:g}): its coefficient after {outcome} vanishes, which "
                f"pins the first move (Hilbe, Traulsen & Sigmund 2015), got p0={p0!r}"
            )
    return None


def _min_continuation(
    lower: list[tuple[float, float]], upper: list[tuple[float, float]]
) -> float | None:
    """Least w in (0, 1] with a feasible phi, or None. hi - lo is concave in w, so the feasible
    set is an interval whose left end is 0 or a crossing of a lower and an upper bound."""
    if _feasible(*_interval_at(lower, upper, 1e-300)):
        return 0.0
    candidates = [1.0]
    for c1, d1 in lower:
        for c2, d2 in upper:
            if d1 != d2:
                w = (c2 - c1) / (d1 - d2)
                if 0.0 < w < 1.0:
                    candidates.append(w)
    feasible = [w for w in candidates if _feasible(*_interval_at(lower, upper, w))]
    return float(min(feasible)) if feasible else None


def _discounted(
    game: Any, chi: Any, baseline: Any, continuation: Any, p0: Any
) -> tuple[float, float, float, float, float, np.ndarray]:
    """Feasible ``[phi_min, phi_max]`` of the discounted ZD strategy, with the checked inputs."""
    payoffs = _symmetric_payoffs(game, "game")
    chi = check_real(chi, "chi")
    baseline = check_real(baseline, "baseline")
    w = check_interval(continuation, "continuation", 0.0, 1.0, low_open=True, high_open=True)
    p0 = check_probability(p0, "p0")
    _, b = _zd_parts(payoffs, chi, baseline)
    # The undiscounted checks (overflow, trivial relation, no feasible phi at all) come first.
    _phi_max(game, chi, baseline)
    lower, upper, pinned = _affine_bounds(b, p0)
    message = _pinned_p0_error(pinned, p0, chi, baseline)
    if message is not None:
        raise ValueError(message)
    lo, hi = _interval_at(lower, upper, w)
    if not _feasible(lo, hi):
        w_min = _min_continuation(lower, upper)
        where = (
            f"continuation must be >= {w_min:.6g}"
            if w_min is not None
            else "no continuation in (0, 1) admits one; try another p0"
        )
        raise ValueError(
            f"no discounted ZD strategy enforces s_X - {baseline:g} = {chi:g} (s_Y - "
            f"{baseline:g}) at continuation={w!r} with p0={p0:g}: {where}"
        )
    return max(lo, 0.0), hi, chi, baseline, w, b


def zd_phi_range(
    game: StageGame,
    chi: float,
    baseline: float,
    *,
    continuation: float | None = None,
    p0: float = 1.0,
) -> tuple[float, float]:
    """The interval of feasible ``phi`` for a ZD strategy, long-run or discounted.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game.
    chi : float
        The slope ``chi`` of the enforced relation ``s_X - baseline = chi (s_Y - baseline)``.
    baseline : float
        The payoff level ``l`` of the relation, in payoff units.
    continuation : float or None, default None
        Continuation probability ``w`` in (0, 1) of the discounted game; None for the limit of
        means (Press & Dyson 2012).
    p0 : float, default 1.0
        Probability in [0, 1] to contribute in the first round. It matters only with
        ``continuation``.

    Returns
    -------
    tuple of float
        ``(phi_min, phi_max)``. Without ``continuation``: ``(0.0, phi_max)``, the open-closed
        interval ``0 < phi <= phi_max``. With it: the closed interval of ``phi`` (``phi_min``
        may be 0, then open there) for which the discounted strategy has probabilities in
        [0, 1].

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], or a number is not a real
        number.
    ValueError
        ``game`` is not symmetric 2x2, a number is not finite, ``continuation`` is outside
        (0, 1), ``p0`` outside [0, 1], or no ``phi > 0`` is feasible (the message names
        ``chi`` and ``baseline``, and with ``continuation`` the least feasible continuation or
        the ``p0`` the relation needs).

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> zd_phi_range(PrisonersDilemma(), chi=3, baseline=1)  # Press & Dyson: phi <= 1/13
    (0.0, 0.07692307692307693)
    >>> lo, hi = zd_phi_range(PrisonersDilemma(), chi=3, baseline=1, continuation=0.9, p0=0)
    >>> round(lo, 6), round(hi, 6)  # discounting raises the least phi above 0
    (0.025, 0.076923)
    """
    if continuation is None:
        check_probability(p0, "p0")
        return 0.0, _phi_max(game, chi, baseline)[0]
    lo, hi = _discounted(game, chi, baseline, continuation, p0)[:2]
    return lo, hi


def zd_min_continuation(game: StageGame, *, chi: float, baseline: float, p0: float) -> float:
    """Least continuation probability ``w`` for which a discounted ZD strategy exists.

    The discounted strategy ``p = ((1, 1, 0, 0) - (1 - w) p0 + phi b) / w`` (see
    [`zero_determinant`][allysim.strategies.zero_determinant]) has probabilities in [0, 1] for
    some ``phi > 0`` exactly when ``w >= zd_min_continuation(...)`` (Hilbe, Traulsen & Sigmund
    2015; Ichinose & Masuda 2018). The bounds on ``phi`` are affine in ``w``, so the least ``w``
    is found exactly among their crossings.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game.
    chi : float
        Slope of the relation ``s_X - baseline = chi (s_Y - baseline)``.
    baseline : float
        Payoff level ``l`` of the relation.
    p0 : float
        Probability in [0, 1] to contribute in the first round. Extortion (``baseline = P``)
        needs ``p0 = 0`` and generosity (``baseline = R``) ``p0 = 1``.

    Returns
    -------
    float
        The least ``w`` in [0, 1); 0.0 when every ``w`` in (0, 1) admits the strategy.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], or a number is not a real
        number.
    ValueError
        ``game`` is not symmetric 2x2, a number is not finite, ``p0`` is outside [0, 1] or not
        the value the relation pins, or no continuation in (0, 1) admits the strategy.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> zd_min_continuation(PrisonersDilemma(), chi=3, baseline=1, p0=0)  # w >= 9/13
    0.6923076923076923
    >>> zd_min_continuation(PrisonersDilemma(), chi=2, baseline=3, p0=1)  # w >= 7/9
    0.7777777777777779
    """
    payoffs = _symmetric_payoffs(game, "game")
    chi = check_real(chi, "chi")
    baseline = check_real(baseline, "baseline")
    p0 = check_probability(p0, "p0")
    _, b = _zd_parts(payoffs, chi, baseline)
    _phi_max(game, chi, baseline)
    lower, upper, pinned = _affine_bounds(b, p0)
    message = _pinned_p0_error(pinned, p0, chi, baseline)
    if message is not None:
        raise ValueError(message)
    w_min = _min_continuation(lower, upper)
    if w_min is None or w_min >= 1.0:
        raise ValueError(
            f"no continuation in (0, 1) admits a discounted ZD strategy enforcing s_X - "
            f"{baseline:g} = {chi:g} (s_Y - {baseline:g}) with p0={p0:g}"
        )
    return w_min


def zero_determinant(
    game: StageGame,
    *,
    chi: float,
    phi: float,
    baseline: float,
    p0: float = 1.0,
    name: str | None = None,
    continuation: float | None = None,
) -> MemoryOne:
    """A zero-determinant strategy enforcing ``s_X - baseline = chi (s_Y - baseline)``.

    From Press & Dyson (2012, PNAS 109:10409): ``p = (1, 1, 0, 0) + phi [(S_X - l) - chi (S_Y -
    l)]`` with ``S_X = (R, S, T, P)``, ``S_Y = (R, T, S, P)`` and ``l = baseline``. In the long run
    (limit of means) the relation holds against any opponent. ``baseline = P`` gives extortion,
    ``baseline = R`` generosity (Stewart & Plotkin 2013).

    With ``continuation = w`` the discounted version of Hilbe, Traulsen & Sigmund (2015, Games
    Econ Behav 92:41-52) is built instead: ``p = ((1, 1, 0, 0) - (1 - w) p0 + phi [(S_X - l) -
    chi (S_Y - l)]) / w``. It enforces the relation exactly on the normalised discounted payoffs
    ``(1 - w) sum_t w^t u_t`` (the ``continuation`` convention of
    [`expected_payoffs`][allysim.kernels.expected_payoffs]), against any opponent. It exists
    only for ``w >= zd_min_continuation(...)`` and ``phi`` in the range of
    [`zd_phi_range`][allysim.strategies.zd_phi_range]; extortion needs ``p0 = 0`` and
    generosity ``p0 = 1``.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game.
    chi : float
        Slope of the enforced relation.
    phi : float
        Scale in the feasible range (see [`zd_phi_range`][allysim.strategies.zd_phi_range]):
        ``(0, phi_max]`` in the long run, ``[phi_min, phi_max]`` with ``continuation``.
    baseline : float
        Payoff level ``l`` of the relation.
    p0 : float, default 1.0
        Probability in [0, 1] to contribute in the first round. It does not affect the
        long-run relation; with ``continuation`` it enters the strategy.
    name : str, optional
        Label; default ``"ZD(chi=..., l=...)"``, with ``", w=..."`` when discounted.
    continuation : float or None, default None
        Continuation probability ``w`` in (0, 1) of the discounted game (expected number of
        rounds ``1 / (1 - w)``); None for the limit of means.

    Returns
    -------
    MemoryOne
        The strategy. Round-off at the boundary of the feasible range is clipped into [0, 1];
        larger excursions are refused.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], a number is not a real number, or
        ``name`` is not a str.
    ValueError
        A number is not finite, ``phi`` is outside the feasible range (the message gives it), no
        ZD strategy enforces the relation in ``game``, or with ``continuation``: ``continuation``
        is outside (0, 1) or below the least feasible one (the message gives it), or ``p0`` is
        not the value the relation pins.

    Notes
    -----
    For a fixed number ``n`` of rounds no time-invariant memory-one strategy enforces the
    relation exactly. Summing ``P(X contributes in round t) = p . v_{t-1}`` over the rounds
    gives, for the long-run strategy, ``(s_X - l) - chi (s_Y - l) = (p . v_{n-1} - p0) /
    (n phi)`` on the mean payoffs, where ``v_{n-1}`` is the last round's outcome distribution,
    which the opponent controls: the error is at most ``max_i |p_i - p0| / (n phi)``.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> s = zero_determinant(PrisonersDilemma(), chi=3, phi=1 / 26, baseline=1)
    >>> [round(x, 4) for x in s.p]  # Press & Dyson's Extort-3: (11/13, 1/2, 7/26, 0)
    [0.8462, 0.5, 0.2692, 0.0]
    >>> d = zero_determinant(
    ...     PrisonersDilemma(), chi=3, phi=1 / 26, baseline=1, p0=0, continuation=0.9
    ... )
    >>> [round(x, 4) for x in d.p], d.p0
    ([0.9402, 0.5556, 0.2991, 0.0], 0.0)
    """
    phi = check_real(phi, "phi")
    if name is not None:
        check_str(name, "name")
    if continuation is not None:
        lo, hi, chi, baseline, w, b = _discounted(game, chi, baseline, continuation, p0)
        if not (phi > 0 and lo * (1 - 1e-12) <= phi <= hi * (1 + 1e-12)):
            raise ValueError(
                f"phi must lie in [{lo:.6g}, {hi:.6g}] (and be > 0) for chi={chi:g}, "
                f"baseline={baseline:g}, continuation={w:g}, p0={p0:g}, got {phi!r}"
            )
        p0 = float(p0)
        raw = (np.array([1.0, 1.0, 0.0, 0.0]) - (1 - w) * p0 + phi * b) / w
        p = np.clip(raw, 0.0, 1.0)
        label = name if name is not None else f"ZD(chi={chi:g}, l={baseline:g}, w={w:g})"
        return MemoryOne(tuple(float(x) for x in p), p0=p0, name=label)
    phi_max, chi, baseline, b = _phi_max(game, chi, baseline)
    if not 0 < phi <= phi_max * (1 + 1e-12):
        raise ValueError(
            f"phi must lie in (0, {phi_max:.6g}] for chi={chi:g}, baseline={baseline:g}, got "
            f"{phi!r}"
        )
    p = np.clip(np.array([1.0, 1.0, 0.0, 0.0]) + phi * b, 0.0, 1.0)
    label = name if name is not None else f"ZD(chi={chi:g}, l={baseline:g})"
    return MemoryOne(tuple(float(x) for x in p), p0=p0, name=label)


def _zd_family(game: Any, chi: Any, phi: Any, which: str) -> tuple[StageGame, float, float | None]:
    game = PrisonersDilemma() if game is None else game
    game = check_game(game, "game")
    chi = check_real(chi, "chi")
    if chi < 1:
        raise ValueError(f"chi must be >= 1 for {which} strategy, got {chi!r}")
    return game, chi, None if phi is None else check_real(phi, "phi")


def _named_branch(
    game: StageGame,
    chi: float,
    phi: float | None,
    p0: Any,
    continuation: float | None,
    baseline: float,
    pinned_p0: float,
    label: str,
) -> MemoryOne:
    if continuation is None:
        p0 = 1.0 if p0 is _PINNED else p0
        if phi is None:
            phi = _phi_max(game, chi, baseline)[0] / 2
        return zero_determinant(game, chi=chi, phi=phi, baseline=baseline, p0=p0, name=label)
    p0 = pinned_p0 if p0 is _PINNED else p0
    if phi is None:
        lo, hi = zd_phi_range(game, chi, baseline, continuation=continuation, p0=p0)
        phi = (lo + hi) / 2
    w = check_real(continuation, "continuation")
    return zero_determinant(
        game,
        chi=chi,
        phi=phi,
        baseline=baseline,
        p0=p0,
        name=f"{label[:-1]}, w={w:g})",
        continuation=continuation,
    )


def extortionate(
    game: StageGame | None = None,
    chi: float = 3.0,
    phi: float | None = None,
    p0: float | _FirstMove = _PINNED,
    *,
    continuation: float | None = None,
) -> MemoryOne:
    """An extortionate ZD strategy (Press & Dyson 2012): ``s_X - P = chi (s_Y - P)``, chi >= 1.

    With ``continuation`` it is the discounted extortioner of Hilbe, Traulsen & Sigmund (2015),
    which enforces the relation on the discounted payoffs; it must open by withholding
    (``p0 = 0``) and exists for ``w >= zd_min_continuation(game, chi=chi, baseline=P, p0=0)``.

    Parameters
    ----------
    game : StageGame, optional
        A symmetric 2x2 game; default ``PrisonersDilemma()``.
    chi : float, default 3.0
        Extortion factor, >= 1 (> 1 with ``continuation``): the strategy's surplus over P is
        ``chi`` times the partner's.
    phi : float, optional
        Scale in the feasible range; default its midpoint: ``phi_max / 2`` in the long run,
        which for the standard payoffs and chi=3 gives Press & Dyson's Extort-3 ``(11/13, 1/2,
        7/26, 0)``, and ``(phi_min + phi_max) / 2`` with ``continuation``.
    p0 : float, optional
        Probability in [0, 1] to contribute in the first round; default 1.0 in the long run and
        0.0 (the only feasible value) with ``continuation``.
    continuation : float or None, default None
        Continuation probability ``w`` in (0, 1) of the discounted game; None for the limit of
        means.

    Returns
    -------
    MemoryOne
        Named ``"EXTORT(chi)"``, or ``"EXTORT(chi, w=...)"`` when discounted.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], or a number is not a real number.
    ValueError
        ``chi < 1``, a number is not finite, ``phi`` is infeasible, ``game`` admits no such
        strategy (not symmetric 2x2, or no feasible phi), or with ``continuation``: it is below
        the least feasible continuation, or ``p0 != 0``.

    Examples
    --------
    >>> s = extortionate()
    >>> s.name, [round(x, 4) for x in s.p]
    ('EXTORT(3)', [0.8462, 0.5, 0.2692, 0.0])
    >>> d = extortionate(continuation=0.9)
    >>> d.name, [round(x, 4) for x in d.p], d.p0
    ('EXTORT(3, w=0.9)', [0.8846, 0.375, 0.3964, 0.0], 0.0)
    """
    game, chi, phi = _zd_family(game, chi, phi, "an extortionate")
    P = _symmetric_payoffs(game, "game")[3]
    return _named_branch(game, chi, phi, p0, continuation, P, 0.0, f"EXTORT({chi:g})")


def generous(
    game: StageGame | None = None,
    chi: float = 2.0,
    phi: float | None = None,
    p0: float | _FirstMove = _PINNED,
    *,
    continuation: float | None = None,
) -> MemoryOne:
    """A generous ZD strategy (Stewart & Plotkin 2013): ``s_X - R = chi (s_Y - R)``, ``chi >= 1``.

    It concedes: the partner never earns less than it does. With ``continuation`` it is the
    discounted version (Hilbe, Traulsen & Sigmund 2015), which must open by contributing
    (``p0 = 1``).

    Parameters
    ----------
    game : StageGame, optional
        A symmetric 2x2 game; default ``PrisonersDilemma()``.
    chi : float, default 2.0
        Generosity factor, >= 1 (> 1 with ``continuation``): the strategy's shortfall below R
        is ``chi`` times the partner's.
    phi : float, optional
        Scale in the feasible range; default its midpoint (``phi_max / 2`` in the long run).
    p0 : float, optional
        Probability in [0, 1] to contribute in the first round; default 1.0 (the only feasible
        value with ``continuation``).
    continuation : float or None, default None
        Continuation probability ``w`` in (0, 1) of the discounted game; None for the limit of
        means.

    Returns
    -------
    MemoryOne
        Named ``"GENEROUS(chi)"``, or ``"GENEROUS(chi, w=...)"`` when discounted.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], or a number is not a real number.
    ValueError
        ``chi < 1``, a number is not finite, ``phi`` is infeasible, ``game`` admits no such
        strategy, or with ``continuation``: it is below the least feasible continuation, or
        ``p0 != 1``.

    Examples
    --------
    >>> s = generous()
    >>> s.name, s.p  # standard payoffs: phi_max = 1/8, phi = 1/16
    ('GENEROUS(2)', (1.0, 0.5625, 0.5, 0.125))
    >>> d = generous(continuation=0.9)
    >>> d.name, [round(x, 4) for x in d.p]
    ('GENEROUS(2, w=0.9)', [1.0, 0.3194, 0.6667, 0.0833])
    """
    game, chi, phi = _zd_family(game, chi, phi, "a generous")
    R = _symmetric_payoffs(game, "game")[0]
    return _named_branch(game, chi, phi, p0, continuation, R, 1.0, f"GENEROUS({chi:g})")
