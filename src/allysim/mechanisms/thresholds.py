"""Analytic thresholds: the least continuation, fine, bond or profit share that does the job.

Each threshold is the least value of one mechanism's key parameter that makes contributing an
equilibrium (continuation) or dominant (fine, bond, profit share) in a symmetric 2x2 game
(R, S, T, P). Thresholds are never negative: where the bare game already has the property, the
least value is 0; where no value in the parameter's range gives it, they are ``inf`` (or, for a
probability, a value >= 1).
"""

from __future__ import annotations

import math
from typing import Any

from allysim._validation import check_game, check_interval, check_probability, check_str
from allysim.games import StageGame

__all__ = [
    "bond_threshold",
    "continuation_threshold",
    "profit_share_threshold",
    "sanction_threshold",
]


def _rstp(game: Any, name: str = "game") -> tuple[float, float, float, float]:
    game = check_game(game, name)
    if game.shape != (2, 2) or not game.is_symmetric:
        raise ValueError(
            f"{name} must be a symmetric 2x2 game (R, S, T, P) for this threshold, got a "
            f"{'symmetric' if game.is_symmetric else 'non-symmetric'} {game.shape[0]}x"
            f"{game.shape[1]} game"
        )
    return game.payoff_vector


def _unit_rstp(game: Any) -> tuple[float, float, float, float]:
    """(R, S, T, P), divided by the largest magnitude when a difference could overflow.

    Ratio thresholds are scale-free; near the float limit inf / inf would give NaN.
    """
    rstp = _rstp(game)
    top = max(abs(v) for v in rstp)
    if math.isfinite(2 * top):
        return rstp  # differences cannot overflow; unscaled keeps the usual rounding
    return tuple(v / top for v in rstp)  # type: ignore[return-value]


def _least_w(gain: float, loss_rate: float) -> float:
    """Least w in [0, 1) with ``w * loss_rate >= gain`` (inf when none, at any w >= 0)."""
    if gain <= 0:
        return 0.0
    if loss_rate <= 0:
        return math.inf
    return gain / loss_rate


def continuation_threshold(game: StageGame, strategy: str = "GRIM") -> float:
    """Least continuation probability w at which ``strategy`` against itself is a Nash equilibrium.

    Normalised discounted payoffs, no noise. Sources: Friedman (1971) for GRIM; Axelrod (1984)
    and Fudenberg & Tirole (1991) for TFT; Nowak & Sigmund (1993) / Imhof et al. (2007) for WSLS.

    * ``"GRIM"``: ``(T - R) / (T - max(P, S))``: deviating gains T once, after which GRIM
      withholds forever and the deviator's best reply earns ``max(P, S)`` (P in a prisoner's
      dilemma, so ``(T - R) / (T - P)``).
    * ``"TFT"``: ``max((T - R) / (T - P), (T - R) / (R - S))`` (deviating to ALLD, or to
      alternating D, C).
    * ``"WSLS"``: ``max((T - R) / (R - P), (T - R) / (T - S))``. WSLS stays with withholding
      after a round that paid it T, so a deviator can withhold, then contribute, and be
      exploited: it earns T, P, T, P, ... by withholding always (ALLD) or T, S, S, ... by
      withholding once and contributing after. In a prisoner's dilemma (P > S) the first
      binds, ``(T - R) / (R - P)``; with S > P (snowdrift) the second may.

    Each ratio is read as the least w >= 0 with ``w x denominator >= T - R``: 0 when ``T <= R``
    (no temptation), ``inf`` when the denominator is not positive. When ``R >= max(P, S)`` the
    strategy is an equilibrium at every w from the threshold up; otherwise (a game in which
    contributing alone or mutual withholding pays more than mutual contribution) a long shadow
    can break the equilibrium again, and the threshold is only the least such w.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game (R, S, T, P), any finite payoffs.
    strategy : str, default "GRIM"
        ``"GRIM"``, ``"TFT"`` or ``"WSLS"`` (case-insensitive).

    Returns
    -------
    float
        The least w, >= 0; a value >= 1 (possibly ``inf``) when no w < 1 suffices.

    Raises
    ------
    TypeError
        ``game`` is not a StageGame or ``strategy`` is not a str.
    ValueError
        ``game`` is not a symmetric 2x2 game, or ``strategy`` is not one of the three names.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> g = PrisonersDilemma()
    >>> continuation_threshold(g, "GRIM"), continuation_threshold(g, "TFT")
    (0.5, 0.6666666666666666)
    """
    R, S, T, P = _unit_rstp(game)
    name = check_str(strategy, "strategy").upper()
    if name == "GRIM":
        return _least_w(T - R, T - max(P, S))
    if name == "TFT":
        return max(_least_w(T - R, T - P), _least_w(T - R, R - S))
    if name == "WSLS":
        return max(_least_w(T - R, R - P), _least_w(T - R, T - S))
    raise ValueError(f"strategy must be 'GRIM', 'TFT' or 'WSLS', got {strategy!r}")


def _dominance_gap(game: Any) -> float:
    """``max(T - R, P - S)``: what contributing must gain, whatever the partner plays."""
    R, S, T, P = _rstp(game)
    return max(T - R, P - S)


def sanction_threshold(game: StageGame) -> float:
    """Least expected fine per defection (fine x detection) that makes contributing dominant.

    In the stage game a detected defection pays the fine; contributing dominates once
    ``R > T - d F`` and ``S > P - d F`` (the same holds when the fine goes to the victim), i.e.
    ``d F > max(T - R, P - S)``. The result is 0 when contributing already dominates.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game (R, S, T, P).

    Returns
    -------
    float
        ``max(0, T - R, P - S)``, in payoff units (``inf`` only if the difference overflows).

    Raises
    ------
    TypeError
        ``game`` is not a StageGame.
    ValueError
        ``game`` is not a symmetric 2x2 game.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> sanction_threshold(PrisonersDilemma())
    2.0
    """
    return max(0.0, _dominance_gap(game))


def profit_share_threshold(game: StageGame) -> float:
    """Least profit share making contributing dominant: ``2 max(T - R, P - S) / (T - S)``.

    With payoff ``(1 - s) own + s * mean of both``, contributing earns ``R`` against a
    contributor (withholding ``T - s (T - S) / 2``) and ``S + s (T - S) / 2`` against a
    withholder (withholding ``P``), so it dominates once ``s (T - S) / 2 > max(T - R, P - S)``.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game (R, S, T, P).

    Returns
    -------
    float
        The least share, >= 0: 0 when contributing already dominates, ``inf`` when sharing
        cannot make it dominate (``T <= S``); a value above 1 means no share in [0, 1] suffices.

    Raises
    ------
    TypeError
        ``game`` is not a StageGame.
    ValueError
        ``game`` is not a symmetric 2x2 game.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> profit_share_threshold(PrisonersDilemma())
    0.8
    """
    R, S, T, P = _unit_rstp(game)
    gap = max(T - R, P - S)
    if gap < 0:
        return 0.0
    if T - S <= 0:
        return math.inf
    return 2 * gap / (T - S)


def bond_threshold(game: StageGame, detection: float, salvage: float = 1.0) -> float:
    """Least bond (stake) making contributing dominant under detection probability ``detection``.

    A detected defector forfeits the stake B and the partner receives ``salvage`` times it. Row
    player's expected stage payoffs (d = detection, s = salvage):

    * partner contributes: contribute R, withhold ``T - d B``;
    * partner withholds: contribute ``S + s d B``, withhold ``P - d B + s d B`` (a mutual
      withholder also receives the salvage of the partner's forfeited stake).

    So contributing dominates iff ``d B > T - R`` and ``d B > P - S``:
    ``B > max(T - R, P - S) / d``, whatever the salvage (salvage moves welfare, not the
    incentive). With ``salvage = 1`` a bond is a [`Sanction`][allysim.mechanisms.Sanction] with
    ``transfer=True``.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game (R, S, T, P).
    detection : float
        Probability in (0, 1] that a defection is detected.
    salvage : float, default 1.0
        Share in [0, 1] of a forfeited stake that the partner receives; validated, and shown
        here because it does not change the threshold.

    Returns
    -------
    float
        The least stake, in payoff units: ``max(0, T - R, P - S) / detection`` (``inf`` only if
        it overflows).

    Raises
    ------
    TypeError
        ``game`` is not a StageGame, or a number is not a real number.
    ValueError
        ``game`` is not a symmetric 2x2 game, or a number is out of range or not finite.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> bond_threshold(PrisonersDilemma(), detection=0.5)  # max(5 - 3, 1 - 0) / 0.5
    4.0
    """
    gap = _dominance_gap(game)
    d = check_interval(detection, "detection", 0.0, 1.0, low_open=True)
    check_probability(salvage, "salvage")
    return max(0.0, gap) / d


def _stake_threshold(game: Any, detection: float) -> float:
    """Least forfeit per detected defection making contributing dominant, at this detection."""
    gap = _dominance_gap(game)
    if gap < 0:
        return 0.0
    if detection == 0:
        return math.inf
    return gap / detection
