"""Incentive mechanisms that keep partners contributing, as composable immutable objects.

Each mechanism models one idea from the partnership literature and enters the game in one of two
ways: it transforms the stage game (sanctions, bonds, profit sharing) or it changes the
repeated-game settings (shadow of the future, monitoring, communication).
[`apply`][allysim.mechanisms.apply] composes a list of them, in order, into a
[`MechanismSetup`][allysim.mechanisms.MechanismSetup] whose ``game``, ``continuation`` and
``perception_noise`` go straight to the kernels.

Analytic thresholds (the least continuation probability, fine, bond or profit share that makes
contributing an equilibrium or dominant) come with each mechanism, so a benchmark can show
simulation next to theory. Thresholds are never negative: where the bare game already has the
property, the least value is 0; where no value in the parameter's range gives it, they are
``inf`` (or, for a probability, a value >= 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from allysim._validation import (
    SeedLike,
    as_float_array,
    as_generator,
    check_bool,
    check_game,
    check_int,
    check_interval,
    check_memory,
    check_nonnegative,
    check_probability,
    check_str,
)
from allysim.games import StageGame
from allysim.kernels import PlaySettings

__all__ = [
    "Bond",
    "Communication",
    "Mechanism",
    "MechanismSetup",
    "Monitoring",
    "ProfitSharing",
    "RepeatedSettings",
    "Reputation",
    "Sanction",
    "ShadowOfFuture",
    "apply",
    "bond_threshold",
    "continuation_threshold",
    "profit_share_threshold",
    "sanction_threshold",
    "settle_round",
    "simulate_mechanisms",
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


# ----------------------------------------------------------------------------------------------
# Thresholds
# ----------------------------------------------------------------------------------------------


def continuation_threshold(game: StageGame, strategy: str = "GRIM") -> float:
    """Least continuation probability w at which ``strategy`` against itself is a Nash equilibrium.

    Normalised discounted payoffs, no noise. Sources: Friedman (1971) for GRIM; Axelrod (1984)
    and Fudenberg & Tirole (1991) for TFT; Nowak & Sigmund (1993) / Imhof et al. (2007) for WSLS.

    * ``"GRIM"``: ``(T - R) / (T - max(P, S))``: deviating gains T once, after which GRIM
      withholds forever and the deviator's best reply earns ``max(P, S)`` (P in a prisoner's
      dilemma, so ``(T - R) / (T - P)``).
    * ``"TFT"``: ``max((T - R) / (T - P), (T - R) / (R - S))`` (deviating to ALLD, or to
      alternating D, C).
    * ``"WSLS"``: ``(T - R) / (R - P)`` (ALLD earns T, P, T, P, ...).

    Each ratio is read as the least w >= 0 with ``w x denominator >= T - R``: 0 when ``T <= R``
    (no temptation), ``inf`` when the denominator is not positive.

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
        return _least_w(T - R, R - P)
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


# ----------------------------------------------------------------------------------------------
# Mechanisms
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepeatedSettings:
    """Repeated-game settings that mechanisms such as monitoring change.

    Each mechanism's [`adjust`][allysim.mechanisms.Mechanism.adjust] takes and returns one.

    Parameters
    ----------
    continuation : float or None
        Probability in [0, 1) that the partnership continues after a round, or None (a finite
        horizon is used).
    perception_noise : float
        Probability in [0, 1] of misreading the partner's move, before communication.
    clarity : float, default 0.0
        Communication clarity in [0, 1]; the final perception error is
        ``perception_noise x (1 - clarity)``.
    visibility : float, default 0.0
        Share in [0, 1] of a partner's history others can see (trust model).
    enforcement_cost_per_defection : float, default 0.0
        Expected enforcement cost per defection, >= 0, in payoff units (welfare only).

    Raises
    ------
    TypeError
        A value is not a real number.
    ValueError
        A value is out of range or not finite.

    Examples
    --------
    >>> s = RepeatedSettings(continuation=None, perception_noise=0.1)
    >>> ShadowOfFuture(0.9).adjust(s).continuation
    0.9
    """

    continuation: float | None
    perception_noise: float
    clarity: float = 0.0
    visibility: float = 0.0
    enforcement_cost_per_defection: float = 0.0

    def __post_init__(self) -> None:
        if self.continuation is not None:
            object.__setattr__(
                self,
                "continuation",
                check_interval(self.continuation, "continuation", 0.0, 1.0, high_open=True),
            )
        for name in ("perception_noise", "clarity", "visibility"):
            object.__setattr__(self, name, check_probability(getattr(self, name), name))
        cost = check_nonnegative(
            self.enforcement_cost_per_defection, "enforcement_cost_per_defection"
        )
        object.__setattr__(self, "enforcement_cost_per_defection", cost)


def _check_settings(settings: Any) -> RepeatedSettings:
    if not isinstance(settings, RepeatedSettings):
        raise TypeError(
            "settings must be an allysim.mechanisms.RepeatedSettings, got "
            f"{type(settings).__name__}"
        )
    return settings


def _payoff_pair(row: Any, col: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validated (row, col) payoff arrays of shape (..., 2, 2), both the same shape."""
    row = as_float_array(row, "row")
    col = as_float_array(col, "col")
    if row.ndim < 2 or row.shape[-2:] != (2, 2):
        raise ValueError(f"row must have shape (..., 2, 2) (row move, col move), got {row.shape}")
    if col.shape != row.shape:
        raise ValueError(f"col must have the shape of row, {row.shape}, got {col.shape}")
    return row, col


def _finite_pair(row: np.ndarray, col: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    if not (np.all(np.isfinite(row)) and np.all(np.isfinite(col))):
        raise ValueError(
            f"{what} with these payoffs (row, col) gives payoffs beyond the float range; "
            f"use a smaller {what} or rescale the payoffs"
        )
    return row, col


class Mechanism:
    """Base of all mechanisms: subclasses override ``transform`` and/or ``adjust``.

    A subclass that changes the stage game overrides
    [`transform`][allysim.mechanisms.Mechanism.transform]; one that changes the repeated-game
    settings overrides [`adjust`][allysim.mechanisms.Mechanism.adjust]; one with an analytic
    threshold overrides [`threshold`][allysim.mechanisms.Mechanism.threshold] and
    [`margin`][allysim.mechanisms.Mechanism.margin]. Each subclass sets a distinct ``kind``:
    [`apply`][allysim.mechanisms.apply] refuses two mechanisms of one kind. The base itself
    leaves everything unchanged.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> apply(PrisonersDilemma(), [Mechanism()]).game == PrisonersDilemma()
    True
    """

    kind: ClassVar[str] = "mechanism"

    def transform(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected stage payoffs (row, col) after this mechanism acts; the base changes nothing.

        Parameters
        ----------
        row : numpy.ndarray
            Row player's payoffs, shape (..., 2, 2) indexed [..., row move, col move] with move
            0 = contribute, 1 = withhold; finite real numbers.
        col : numpy.ndarray
            Column player's payoffs, the same shape.

        Returns
        -------
        row : numpy.ndarray
            Row player's expected payoffs after the mechanism, same shape.
        col : numpy.ndarray
            Column player's expected payoffs after the mechanism, same shape.

        Raises
        ------
        TypeError
            ``row`` or ``col`` does not hold real numbers.
        ValueError
            Wrong shapes, or a payoff is not finite.

        Examples
        --------
        >>> r, c = Mechanism().transform([[3, 0], [5, 1]], [[3, 5], [0, 1]])
        >>> r.tolist(), c.tolist()
        ([[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]])
        """
        return _payoff_pair(row, col)

    def adjust(self, settings: RepeatedSettings) -> RepeatedSettings:
        """Repeated-game settings after this mechanism acts; the base changes nothing.

        Parameters
        ----------
        settings : RepeatedSettings
            The settings before this mechanism.

        Returns
        -------
        RepeatedSettings
            The settings after it (a new object; settings are immutable).

        Raises
        ------
        TypeError
            ``settings`` is not a [`RepeatedSettings`][allysim.mechanisms.RepeatedSettings].

        Examples
        --------
        >>> s = RepeatedSettings(continuation=0.5, perception_noise=0.0)
        >>> Mechanism().adjust(s) == s
        True
        """
        return _check_settings(settings)

    def threshold(self, game: StageGame) -> float | None:
        """The analytic threshold of this mechanism's key parameter, or None (the base has none).

        Parameters
        ----------
        game : StageGame
            The game before the mechanisms (a symmetric 2x2 game for subclasses that have a
            threshold).

        Returns
        -------
        float or None
            The least value of the key parameter, or None.

        Raises
        ------
        TypeError
            ``game`` is not a StageGame.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> Mechanism().threshold(PrisonersDilemma()) is None
        True
        """
        check_game(game, "game")
        return None

    def margin(self, game: StageGame) -> float | None:
        """Key parameter minus its threshold (> 0: above it), or None (the base has none).

        Parameters
        ----------
        game : StageGame
            The game before the mechanisms.

        Returns
        -------
        float or None
            ``parameter - threshold(game)``, or None.

        Raises
        ------
        TypeError
            ``game`` is not a StageGame.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> Mechanism().margin(PrisonersDilemma()) is None
        True
        """
        check_game(game, "game")
        return None


@dataclass(frozen=True)
class ShadowOfFuture(Mechanism):
    """Repeated interaction: the partnership continues after each round with probability w.

    A long shadow of the future (w near 1) makes tomorrow's cooperation worth today's restraint.
    Its threshold is [`continuation_threshold`][allysim.mechanisms.continuation_threshold] for GRIM.

    Parameters
    ----------
    continuation : float
        Probability w in [0, 1) that the partnership continues after a round (expected length
        ``1 / (1 - w)`` rounds).

    Raises
    ------
    TypeError
        ``continuation`` is not a real number.
    ValueError
        ``continuation`` is outside [0, 1) or not finite.

    Examples
    --------
    >>> ShadowOfFuture(0.9).continuation
    0.9
    """

    continuation: float
    kind: ClassVar[str] = "shadow_of_future"

    def __post_init__(self) -> None:
        w = check_interval(self.continuation, "continuation", 0.0, 1.0, high_open=True)
        object.__setattr__(self, "continuation", w)

    def adjust(self, settings: RepeatedSettings) -> RepeatedSettings:
        """Set the continuation probability to this mechanism's w.

        Parameters
        ----------
        settings : RepeatedSettings
            The settings before this mechanism.

        Returns
        -------
        RepeatedSettings
            The settings with ``continuation = w``.

        Examples
        --------
        >>> s = RepeatedSettings(continuation=None, perception_noise=0.0)
        >>> ShadowOfFuture(0.8).adjust(s).continuation
        0.8
        """
        return replace(_check_settings(settings), continuation=self.continuation)

    def threshold(self, game: StageGame) -> float:
        """Least w at which GRIM against GRIM is an equilibrium.

        See [`continuation_threshold`][allysim.mechanisms.continuation_threshold].

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            The least continuation probability, >= 0.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> ShadowOfFuture(0.9).threshold(PrisonersDilemma())  # (5 - 3) / (5 - 1)
        0.5
        """
        return continuation_threshold(game, "GRIM")

    def margin(self, game: StageGame) -> float:
        """This mechanism's w minus its threshold.

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            ``continuation - threshold(game)``; > 0: GRIM is an equilibrium.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> ShadowOfFuture(0.9).margin(PrisonersDilemma())
        0.4
        """
        return self.continuation - self.threshold(game)


@dataclass(frozen=True)
class Monitoring(Mechanism):
    """Transparent observation of the partner: perception error eta (chance to misread a move).

    Parameters
    ----------
    perception_error : float
        Probability in [0, 1] of misreading the partner's move; it replaces the
        ``perception_noise`` given to [`apply`][allysim.mechanisms.apply].

    Raises
    ------
    TypeError
        ``perception_error`` is not a real number.
    ValueError
        ``perception_error`` is outside [0, 1] or not finite.

    Examples
    --------
    >>> Monitoring(0.01).perception_error
    0.01
    """

    perception_error: float
    kind: ClassVar[str] = "monitoring"

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "perception_error", check_probability(self.perception_error, "perception_error")
        )

    def adjust(self, settings: RepeatedSettings) -> RepeatedSettings:
        """Set the perception noise to this mechanism's error.

        Parameters
        ----------
        settings : RepeatedSettings
            The settings before this mechanism.

        Returns
        -------
        RepeatedSettings
            The settings with ``perception_noise = perception_error``.

        Examples
        --------
        >>> s = RepeatedSettings(continuation=None, perception_noise=0.2)
        >>> Monitoring(0.05).adjust(s).perception_noise
        0.05
        """
        return replace(_check_settings(settings), perception_noise=self.perception_error)


@dataclass(frozen=True)
class Communication(Mechanism):
    """The binding element: clearer communication lowers perception error to ``eta (1 - clarity)``.

    In the trust model it also speeds verification.

    Parameters
    ----------
    clarity : float
        Clarity in [0, 1]: the share of perception errors communication removes.

    Raises
    ------
    TypeError
        ``clarity`` is not a real number.
    ValueError
        ``clarity`` is outside [0, 1] or not finite.

    Examples
    --------
    >>> Communication(0.5).clarity
    0.5
    """

    clarity: float
    kind: ClassVar[str] = "communication"

    def __post_init__(self) -> None:
        object.__setattr__(self, "clarity", check_probability(self.clarity, "clarity"))

    def adjust(self, settings: RepeatedSettings) -> RepeatedSettings:
        """Record the clarity; ``apply`` scales the final perception error by ``1 - clarity``.

        Parameters
        ----------
        settings : RepeatedSettings
            The settings before this mechanism.

        Returns
        -------
        RepeatedSettings
            The settings with ``clarity`` set.

        Examples
        --------
        >>> s = RepeatedSettings(continuation=None, perception_noise=0.2)
        >>> Communication(0.5).adjust(s).clarity
        0.5
        """
        return replace(_check_settings(settings), clarity=self.clarity)


@dataclass(frozen=True)
class Reputation(Mechanism):
    """Observable track record: the share of a partner's history others can see.

    It has no stage-game effect; the trust model uses it in partner choice.

    Parameters
    ----------
    visibility : float
        Share in [0, 1] of a partner's history that others can see.

    Raises
    ------
    TypeError
        ``visibility`` is not a real number.
    ValueError
        ``visibility`` is outside [0, 1] or not finite.

    Examples
    --------
    >>> Reputation(0.8).visibility
    0.8
    """

    visibility: float
    kind: ClassVar[str] = "reputation"

    def __post_init__(self) -> None:
        object.__setattr__(self, "visibility", check_probability(self.visibility, "visibility"))

    def adjust(self, settings: RepeatedSettings) -> RepeatedSettings:
        """Record the visibility (used by the trust model).

        Parameters
        ----------
        settings : RepeatedSettings
            The settings before this mechanism.

        Returns
        -------
        RepeatedSettings
            The settings with ``visibility`` set.

        Examples
        --------
        >>> s = RepeatedSettings(continuation=None, perception_noise=0.0)
        >>> Reputation(0.8).adjust(s).visibility
        0.8
        """
        return replace(_check_settings(settings), visibility=self.visibility)


def _fine_matrices(amount: float, to_victim: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected change of (row, col) payoffs when each detected defector pays ``amount``.

    The victim (the partner) receives ``to_victim`` times it. Rows: row move, cols: col move.
    """
    defect = np.array([[0.0, 0.0], [1.0, 1.0]])  # row player withholds
    row = -amount * defect + to_victim * amount * defect.T
    return row, row.T.copy()


def _stake_threshold(game: Any, detection: float) -> float:
    """Least forfeit per detected defection making contributing dominant, at this detection."""
    gap = _dominance_gap(game)
    if gap < 0:
        return 0.0
    if detection == 0:
        return math.inf
    return gap / detection


@dataclass(frozen=True)
class Sanction(Mechanism):
    """Credible consequences: a detected defection pays ``fine``.

    Parameters
    ----------
    fine : float
        Fine, >= 0, paid by a detected defector (payoff units).
    detection : float
        Probability in [0, 1] that a defection is detected.
    enforcement_cost : float, default 0.0
        Cost, >= 0, to the enforcing institution per detected defection (payoff units); it does
        not change the partners' incentives but counts against welfare.
    transfer : bool, default False
        Hand the fine to the victim (True) or burn it (False).

    Raises
    ------
    TypeError
        A number is not a real number, or ``transfer`` is not a bool.
    ValueError
        A number is out of range or not finite.

    Examples
    --------
    >>> Sanction(fine=4, detection=0.5).expected_fine
    2.0
    """

    fine: float
    detection: float
    enforcement_cost: float = 0.0
    transfer: bool = False
    kind: ClassVar[str] = "sanction"

    def __post_init__(self) -> None:
        object.__setattr__(self, "fine", check_nonnegative(self.fine, "fine"))
        object.__setattr__(self, "detection", check_probability(self.detection, "detection"))
        object.__setattr__(
            self, "enforcement_cost", check_nonnegative(self.enforcement_cost, "enforcement_cost")
        )
        object.__setattr__(self, "transfer", check_bool(self.transfer, "transfer"))

    @property
    def expected_fine(self) -> float:
        """Fine times detection: the expected cost of one defection (payoff units)."""
        return self.fine * self.detection

    @property
    def forfeit(self) -> float:
        """What a detected defector pays (the fine, payoff units)."""
        return self.fine

    @property
    def victim_share(self) -> float:
        """Share of the fine the partner receives: 1 with transfer, else 0 (burned)."""
        return 1.0 if self.transfer else 0.0

    def transform(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Subtract the expected fine from each withholding payoff (and pay it to the victim).

        Parameters
        ----------
        row : numpy.ndarray
            Row player's payoffs, shape (..., 2, 2) indexed [..., row move, col move] with move
            0 = contribute, 1 = withhold.
        col : numpy.ndarray
            Column player's payoffs, the same shape.

        Returns
        -------
        row : numpy.ndarray
            Row player's expected payoffs after the fine.
        col : numpy.ndarray
            Column player's expected payoffs after the fine.

        Raises
        ------
        ValueError
            Bad shapes, or the fine pushes a payoff beyond the float range.

        Examples
        --------
        >>> r, c = Sanction(fine=4, detection=0.5).transform([[3, 0], [5, 1]], [[3, 5], [0, 1]])
        >>> r.tolist(), c.tolist()
        ([[3.0, 0.0], [3.0, -1.0]], [[3.0, 3.0], [0.0, -1.0]])
        """
        row, col = _payoff_pair(row, col)
        dr, dc = _fine_matrices(self.expected_fine, self.victim_share)
        with np.errstate(over="ignore"):  # an overflow is reported below, naming the fine
            return _finite_pair(row + dr, col + dc, "fine")

    def adjust(self, settings: RepeatedSettings) -> RepeatedSettings:
        """Add the expected enforcement cost per defection (``detection x enforcement_cost``).

        Parameters
        ----------
        settings : RepeatedSettings
            The settings before this mechanism.

        Returns
        -------
        RepeatedSettings
            The settings with the enforcement cost added.

        Examples
        --------
        >>> s = RepeatedSettings(continuation=None, perception_noise=0.0)
        >>> Sanction(2, 0.5, enforcement_cost=1.0).adjust(s).enforcement_cost_per_defection
        0.5
        """
        settings = _check_settings(settings)
        extra = self.detection * self.enforcement_cost
        return replace(
            settings, enforcement_cost_per_defection=settings.enforcement_cost_per_defection + extra
        )

    def threshold(self, game: StageGame) -> float:
        """Least fine at this detection probability that makes contributing dominant.

        ``sanction_threshold(game) / detection``; 0 when contributing already dominates, ``inf``
        when it does not and detection is 0.

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            The least fine, >= 0, in payoff units.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> Sanction(fine=5, detection=0.5).threshold(PrisonersDilemma())  # 2 / 0.5
        4.0
        """
        return _stake_threshold(game, self.detection)

    def margin(self, game: StageGame) -> float:
        """The fine minus its threshold.

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            ``fine - threshold(game)``; > 0: contributing dominates.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> Sanction(fine=5, detection=0.5).margin(PrisonersDilemma())
        1.0
        """
        return self.fine - self.threshold(game)


@dataclass(frozen=True)
class Bond(Mechanism):
    """Mutual hostages: each partner posts ``stake``, forfeited on a detected defection.

    The partner receives ``salvage`` times the forfeited stake (1: a pure transfer; 0: a hostage
    that is destroyed). Forfeits are re-posted, so the bond binds every round. What is not
    salvaged counts against welfare. Source: Williamson (1983), credible commitments.

    Parameters
    ----------
    stake : float
        Bond, >= 0, posted by each partner (payoff units).
    detection : float
        Probability in [0, 1] that a defection is detected.
    salvage : float, default 1.0
        Share in [0, 1] of a forfeited stake that the partner receives.

    Raises
    ------
    TypeError
        A number is not a real number.
    ValueError
        A number is out of range or not finite.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> Bond(stake=4, detection=0.5).threshold(PrisonersDilemma())
    4.0
    """

    stake: float
    detection: float
    salvage: float = 1.0
    kind: ClassVar[str] = "bond"

    def __post_init__(self) -> None:
        object.__setattr__(self, "stake", check_nonnegative(self.stake, "stake"))
        object.__setattr__(self, "detection", check_probability(self.detection, "detection"))
        object.__setattr__(self, "salvage", check_probability(self.salvage, "salvage"))

    @property
    def forfeit(self) -> float:
        """What a detected defector loses (the stake, payoff units)."""
        return self.stake

    @property
    def victim_share(self) -> float:
        """Share of the forfeited stake the partner receives (the salvage)."""
        return self.salvage

    def transform(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Subtract the expected forfeit from each withholding payoff; the victim gets the salvage.

        Parameters
        ----------
        row : numpy.ndarray
            Row player's payoffs, shape (..., 2, 2) indexed [..., row move, col move] with move
            0 = contribute, 1 = withhold.
        col : numpy.ndarray
            Column player's payoffs, the same shape.

        Returns
        -------
        row : numpy.ndarray
            Row player's expected payoffs after the bond.
        col : numpy.ndarray
            Column player's expected payoffs after the bond.

        Raises
        ------
        ValueError
            Bad shapes, or the stake pushes a payoff beyond the float range.

        Examples
        --------
        >>> bond = Bond(stake=2, detection=1.0, salvage=0.25)
        >>> r, c = bond.transform([[3, 0], [5, 1]], [[3, 5], [0, 1]])
        >>> r.tolist()
        [[3.0, 0.5], [3.0, -0.5]]
        """
        row, col = _payoff_pair(row, col)
        dr, dc = _fine_matrices(self.stake * self.detection, self.salvage)
        with np.errstate(over="ignore"):  # an overflow is reported below, naming the stake
            return _finite_pair(row + dr, col + dc, "stake")

    def threshold(self, game: StageGame) -> float:
        """Least stake at this detection that makes contributing dominant.

        See [`bond_threshold`][allysim.mechanisms.bond_threshold]; 0 when contributing already
        dominates, ``inf`` when it does not and detection is 0.

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            The least stake, >= 0, in payoff units.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> Bond(stake=1, detection=0.25).threshold(PrisonersDilemma())  # 2 / 0.25
        8.0
        """
        if self.detection == 0:
            return _stake_threshold(game, 0.0)
        return bond_threshold(game, self.detection, self.salvage)

    def margin(self, game: StageGame) -> float:
        """The stake minus its threshold.

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            ``stake - threshold(game)``; > 0: contributing dominates.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> Bond(stake=1, detection=0.25).margin(PrisonersDilemma())
        -7.0
        """
        return self.stake - self.threshold(game)


@dataclass(frozen=True)
class ProfitSharing(Mechanism):
    """Rewards tied to joint results: payoff = ``(1 - share) own + share * mean of both``.

    It only redistributes: the sum of both payoffs in each outcome is unchanged.

    Parameters
    ----------
    share : float
        Share in [0, 1] of each partner's payoff that is pooled and split equally.

    Raises
    ------
    TypeError
        ``share`` is not a real number.
    ValueError
        ``share`` is outside [0, 1] or not finite.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> ProfitSharing(0.5).threshold(PrisonersDilemma())
    0.8
    """

    share: float
    kind: ClassVar[str] = "profit_sharing"

    def __post_init__(self) -> None:
        object.__setattr__(self, "share", check_probability(self.share, "share"))

    def transform(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pool ``share`` of each payoff and split the pool equally.

        Parameters
        ----------
        row : numpy.ndarray
            Row player's payoffs, shape (..., 2, 2) indexed [..., row move, col move] with move
            0 = contribute, 1 = withhold.
        col : numpy.ndarray
            Column player's payoffs, the same shape.

        Returns
        -------
        row : numpy.ndarray
            ``(1 - share) row + share (row + col) / 2``.
        col : numpy.ndarray
            ``(1 - share) col + share (row + col) / 2``.

        Raises
        ------
        ValueError
            Bad shapes, or a payoff beyond the float range.

        Examples
        --------
        >>> r, c = ProfitSharing(0.5).transform([[3, 0], [5, 1]], [[3, 5], [0, 1]])
        >>> r.tolist()
        [[3.0, 1.25], [3.75, 1.0]]
        """
        row, col = _payoff_pair(row, col)
        # Halves first: (row + col) / 2 would overflow for payoffs near the float limit.
        mean = row / 2 + col / 2
        s = self.share
        with np.errstate(over="ignore"):
            return _finite_pair((1 - s) * row + s * mean, (1 - s) * col + s * mean, "share")

    def threshold(self, game: StageGame) -> float:
        """Least share that makes contributing dominant.

        See [`profit_share_threshold`][allysim.mechanisms.profit_share_threshold].

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            The least share, >= 0; above 1 (or ``inf``) when no share suffices.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> ProfitSharing(0.9).threshold(PrisonersDilemma())
        0.8
        """
        return profit_share_threshold(game)

    def margin(self, game: StageGame) -> float:
        """The share minus its threshold.

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            ``share - threshold(game)``; > 0: contributing dominates.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> round(ProfitSharing(0.9).margin(PrisonersDilemma()), 12)
        0.1
        """
        return self.share - self.threshold(game)


# ----------------------------------------------------------------------------------------------
# Composition
# ----------------------------------------------------------------------------------------------

_KNOWN = "ShadowOfFuture, Monitoring, Sanction, Bond, ProfitSharing, Communication or Reputation"


def _check_mechanisms(mechanisms: Any, name: str = "mechanisms") -> tuple[Mechanism, ...]:
    """A tuple of Mechanism objects, at most one of each kind (a single one is wrapped)."""
    if isinstance(mechanisms, Mechanism):
        return (mechanisms,)
    if isinstance(mechanisms, str | bytes) or not isinstance(mechanisms, Sequence):
        raise TypeError(
            f"{name} must be a sequence of mechanism objects ({_KNOWN}), got "
            f"{type(mechanisms).__name__}"
        )
    items = tuple(mechanisms)
    seen: set[str] = set()
    for m in items:
        if not isinstance(m, Mechanism):
            raise ValueError(f"unknown mechanism {m!r}: {name} must hold {_KNOWN} objects")
        if m.kind in seen:
            raise ValueError(
                f"two {type(m).__name__} mechanisms in one scenario ({name}) would be counted "
                "twice; combine them into one"
            )
        seen.add(m.kind)
    return items


@dataclass(frozen=True)
class MechanismSetup:
    """A stage game and repeated-game settings after a list of mechanisms has been applied.

    Built by [`apply`][allysim.mechanisms.apply]; the fields are validated when built directly.

    Parameters
    ----------
    game : StageGame
        The transformed 2x2 stage game (expected payoffs including fines, forfeits, sharing).
    base_game : StageGame
        The 2x2 game before the mechanisms.
    continuation : float or None
        Continuation probability in [0, 1), or None (then use a finite horizon).
    perception_noise : float
        Chance in [0, 1] to misread a partner's move, after monitoring and communication.
    enforcement_cost_per_defection : float
        Expected enforcement cost per defection, >= 0, in payoff units (welfare only).
    visibility : float
        Reputation visibility in [0, 1] (used by the trust model).
    clarity : float
        Communication clarity in [0, 1] (used by the trust model).
    mechanisms : tuple of Mechanism, default ()
        The mechanisms, in the order applied.

    Raises
    ------
    TypeError
        A game is not a StageGame, a number is not a real number, or ``mechanisms`` holds
        something else than mechanisms.
    ValueError
        A game is not 2x2, or a number is out of range or not finite.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> setup = apply(PrisonersDilemma(), [Monitoring(0.1), Communication(0.5)])
    >>> setup.perception_noise, setup.clarity
    (0.05, 0.5)
    """

    game: StageGame
    base_game: StageGame
    continuation: float | None
    perception_noise: float
    enforcement_cost_per_defection: float
    visibility: float
    clarity: float
    mechanisms: tuple[Mechanism, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("game", "base_game"):
            game = check_game(getattr(self, name), name)
            if game.shape != (2, 2):
                raise ValueError(f"{name} must be a 2x2 game, got shape {game.shape}")
        # Through RepeatedSettings for the same checks and messages.
        RepeatedSettings(
            self.continuation,
            self.perception_noise,
            clarity=self.clarity,
            visibility=self.visibility,
            enforcement_cost_per_defection=self.enforcement_cost_per_defection,
        )
        for name in ("perception_noise", "clarity", "visibility", "enforcement_cost_per_defection"):
            object.__setattr__(self, name, float(getattr(self, name)))
        if self.continuation is not None:
            object.__setattr__(self, "continuation", float(self.continuation))
        object.__setattr__(self, "mechanisms", _check_mechanisms(self.mechanisms))

    def kernel_options(self) -> dict[str, Any]:
        """Keyword arguments for the kernels' ``expected_payoffs`` (no horizon if None).

        See [`expected_payoffs`][allysim.kernels.expected_payoffs].

        Returns
        -------
        dict
            ``perception_noise``, and ``continuation`` when it is not None.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> apply(PrisonersDilemma(), [ShadowOfFuture(0.9)]).kernel_options()
        {'perception_noise': 0.0, 'continuation': 0.9}
        """
        out: dict[str, Any] = {"perception_noise": self.perception_noise}
        if self.continuation is not None:
            out["continuation"] = self.continuation
        return out

    def play_settings(self, *, rounds: int | None = None, noise: float = 0.0) -> PlaySettings:
        """The [`PlaySettings`][allysim.kernels.PlaySettings] these mechanisms produce.

        The continuation and perception noise come from the mechanisms; ``rounds`` is used only
        when no mechanism set a continuation (otherwise the shadow of the future sets the
        horizon), and ``noise`` is the execution noise, which no mechanism changes.

        Parameters
        ----------
        rounds : int or None, default None
            Rounds per partnership when there is no continuation (None: limit of means).
        noise : float, default 0.0
            Execution noise in [0, 1].

        Returns
        -------
        PlaySettings
            To pass as ``settings=`` to any kernel function.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> setup = apply(PrisonersDilemma(), [ShadowOfFuture(0.9), Monitoring(0.02)])
        >>> setup.play_settings(rounds=50, noise=0.01)
        PlaySettings(rounds=None, continuation=0.9, noise=0.01, perception_noise=0.02)
        """
        return PlaySettings(
            rounds=rounds if self.continuation is None else None,
            continuation=self.continuation,
            noise=noise,
            perception_noise=self.perception_noise,
        )

    def welfare(self, outcomes: np.ndarray) -> np.ndarray:
        """Welfare per partner per round from outcome frequencies.

        The mean of both partners' payoffs in the transformed game (burned fines and unsalvaged
        stakes already subtracted) minus the expected enforcement cost.

        Parameters
        ----------
        outcomes : numpy.ndarray
            Outcome frequencies, shape (..., 4), in the order CC, CD, DC, DD (row's move
            first): finite and >= 0, normally summing to 1 over the last axis (per-match
            estimates of a discounted match may not).

        Returns
        -------
        numpy.ndarray
            Welfare, shape ``outcomes.shape[:-1]``, in payoff units per partner per round.

        Raises
        ------
        TypeError
            ``outcomes`` does not hold real numbers.
        ValueError
            The last axis is not of length 4, or a frequency is negative or not finite.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> setup = apply(PrisonersDilemma(), [Sanction(fine=2, detection=1.0)])
        >>> float(setup.welfare([0.0, 0.0, 0.0, 1.0]))  # mutual withholding, both fined 2
        -1.0
        """
        outcomes = as_float_array(outcomes, "outcomes")
        if outcomes.ndim < 1 or outcomes.shape[-1] != 4:
            raise ValueError(
                f"outcomes must have shape (..., 4) (CC, CD, DC, DD), got {outcomes.shape}"
            )
        if np.any(outcomes < 0):
            raise ValueError("outcomes must be frequencies >= 0")
        u_row, u_col = self.game.outcome_payoffs()
        mean_payoff = outcomes @ ((u_row + u_col) / 2)
        defection = (outcomes[..., 2] + outcomes[..., 3] + outcomes[..., 1] + outcomes[..., 3]) / 2
        return mean_payoff - self.enforcement_cost_per_defection * defection

    def margins(self) -> dict[str, float]:
        """Each mechanism's key parameter minus its analytic threshold, by mechanism kind.

        Mechanisms without a threshold are left out.

        Returns
        -------
        dict
            ``{kind: margin}``; a margin > 0 means the parameter is above its threshold.

        Raises
        ------
        ValueError
            ``base_game`` is not symmetric and a mechanism has a threshold.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> apply(PrisonersDilemma(), [Sanction(fine=4.5, detection=0.5)]).margins()
        {'sanction': 0.5}
        """
        out = {}
        for m in self.mechanisms:
            value = m.margin(self.base_game)
            if value is not None:
                out[m.kind] = value
        return out


def apply(
    game: StageGame,
    mechanisms: Sequence[Mechanism] = (),
    *,
    continuation: float | None = None,
    perception_noise: float = 0.0,
) -> MechanismSetup:
    """Apply mechanisms in order to a 2x2 stage game and to the repeated-game settings.

    ``continuation`` and ``perception_noise`` are the settings without mechanisms (a
    [`ShadowOfFuture`][allysim.mechanisms.ShadowOfFuture] or
    [`Monitoring`][allysim.mechanisms.Monitoring] replaces them). Stage-game transforms apply in
    list order (a sanction before profit sharing is shared; after it is not). Communication scales
    the final perception error by ``1 - clarity`` wherever it stands in the list. Two mechanisms
    of one kind raise ``ValueError``: they would be counted twice.

    Parameters
    ----------
    game : StageGame
        A 2x2 stage game (it need not be symmetric; thresholds do need a symmetric one).
    mechanisms : sequence of Mechanism, default ()
        The mechanisms, in order (a single mechanism is also accepted); at most one per kind.
    continuation : float or None, default None
        Continuation probability in [0, 1) without mechanisms; None: a finite horizon.
    perception_noise : float, default 0.0
        Probability in [0, 1] of misreading the partner's move without mechanisms.

    Returns
    -------
    MechanismSetup
        The transformed game and settings.

    Raises
    ------
    TypeError
        ``game`` is not a StageGame, ``mechanisms`` is not a sequence, or a number is not a real
        number.
    ValueError
        ``game`` is not 2x2, ``mechanisms`` holds something else than mechanisms or two of one
        kind, a number is out of range, or the transformed payoffs overflow.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> s = apply(PrisonersDilemma(), [Sanction(fine=4, detection=0.5), ShadowOfFuture(0.9)])
    >>> s.game.payoff_vector, s.continuation
    ((3.0, 0.0, 3.0, -1.0), 0.9)
    """
    game = check_game(game, "game")
    if game.shape != (2, 2):
        raise ValueError(f"game must be a 2x2 game, got shape {game.shape}")
    mechanisms = _check_mechanisms(mechanisms, "mechanisms")
    settings = RepeatedSettings(continuation, perception_noise)
    row, col = np.array(game.row_payoffs), np.array(game.col_payoffs)
    for m in mechanisms:
        row, col = m.transform(row, col)
        settings = m.adjust(settings)
    new_game = StageGame(row, col, game.row_actions, game.col_actions)
    return MechanismSetup(
        game=new_game,
        base_game=game,
        continuation=settings.continuation,
        perception_noise=settings.perception_noise * (1 - settings.clarity),
        enforcement_cost_per_defection=settings.enforcement_cost_per_defection,
        visibility=settings.visibility,
        clarity=settings.clarity,
        mechanisms=mechanisms,
    )


# ----------------------------------------------------------------------------------------------
# Literal Monte Carlo of the mechanism rules
# ----------------------------------------------------------------------------------------------


def _contributions(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype != np.bool_:
        raise TypeError(
            f"{name} must be a boolean array (True = contributed), got dtype {arr.dtype}"
        )
    if arr.shape != shape:
        raise ValueError(f"{name} must have the shape of pay_a, {shape}, got {arr.shape}")
    return arr


def settle_round(
    mechanisms: Sequence[Mechanism],
    pay_a: np.ndarray,
    pay_b: np.ndarray,
    contrib_a: np.ndarray,
    contrib_b: np.ndarray,
    seed: SeedLike = None,
    *,
    scale: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply sanction, bond and profit-sharing rules literally to realised round payoffs.

    Each withheld contribution is detected by its own draw; a detected defector pays the fine
    (or forfeits the stake), scaled by ``scale`` (e.g. the stakes of a partnership's stage), and
    the victim receives its share; profit is then shared, all in list order. Settings-only
    mechanisms are ignored here.

    Parameters
    ----------
    mechanisms : sequence of Mechanism
        The mechanisms, in order, at most one per kind.
    pay_a : numpy.ndarray
        Realised payoffs of partner a, any shape, finite (payoff units).
    pay_b : numpy.ndarray
        Realised payoffs of partner b, the shape of ``pay_a``.
    contrib_a : numpy.ndarray
        Boolean, the shape of ``pay_a``: True where a contributed.
    contrib_b : numpy.ndarray
        Boolean, the shape of ``pay_a``: True where b contributed.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Source of the detection draws; a Generator is used as given (its stream advances), the
        same int gives the same draws.
    scale : numpy.ndarray or float, default 1.0
        Factor, >= 0 and finite, on fines and stakes; broadcastable to the shape of ``pay_a``.

    Returns
    -------
    pay_a : numpy.ndarray
        Partner a's payoffs after the rules (a new array).
    pay_b : numpy.ndarray
        Partner b's payoffs after the rules.
    enforcement : numpy.ndarray
        Enforcement cost per partner (the mean over both partners' detected defections).

    Raises
    ------
    TypeError
        A payoff array does not hold real numbers, a contribution array is not boolean,
        ``mechanisms`` is not a sequence, or ``seed`` is of the wrong type.
    ValueError
        Shapes differ, a payoff or ``scale`` is not finite, ``scale`` is negative, or the rules
        push a payoff beyond the float range.

    Examples
    --------
    >>> import numpy as np
    >>> pay_a, pay_b, cost = settle_round(
    ...     [Sanction(fine=2, detection=1.0, transfer=True)],
    ...     np.array([5.0]), np.array([0.0]), np.array([False]), np.array([True]), seed=0,
    ... )
    >>> pay_a.tolist(), pay_b.tolist(), cost.tolist()
    ([3.0], [2.0], [0.0])
    """
    mechanisms = _check_mechanisms(mechanisms, "mechanisms")
    pay_a = np.array(as_float_array(pay_a, "pay_a"), dtype=float)
    pay_b = np.array(as_float_array(pay_b, "pay_b"), dtype=float)
    if pay_b.shape != pay_a.shape:
        raise ValueError(f"pay_b must have the shape of pay_a, {pay_a.shape}, got {pay_b.shape}")
    contrib_a = _contributions(contrib_a, "contrib_a", pay_a.shape)
    contrib_b = _contributions(contrib_b, "contrib_b", pay_a.shape)
    rng = as_generator(seed, "seed")
    scale_arr = as_float_array(scale, "scale")
    if np.any(scale_arr < 0):
        raise ValueError("scale must be >= 0")
    try:
        fits = np.broadcast_shapes(scale_arr.shape, pay_a.shape) == pay_a.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"scale must broadcast to the shape of pay_a, {pay_a.shape}, got {scale_arr.shape}"
        )
    scale_value = scale_arr if scale_arr.ndim else float(scale_arr)
    enforcement = np.zeros(np.shape(pay_a))
    # An overflow is reported after the loop, naming the inputs.
    with np.errstate(over="ignore", invalid="ignore"):
        for m in mechanisms:
            if isinstance(m, Sanction | Bond):
                amount, to_victim = m.forfeit * scale_value, m.victim_share
                caught_a = ~contrib_a & (rng.random(np.shape(pay_a)) < m.detection)
                caught_b = ~contrib_b & (rng.random(np.shape(pay_b)) < m.detection)
                pay_a += -amount * caught_a + to_victim * amount * caught_b
                pay_b += -amount * caught_b + to_victim * amount * caught_a
                if isinstance(m, Sanction):
                    enforcement += m.enforcement_cost * (caught_a.astype(float) + caught_b) / 2
            elif isinstance(m, ProfitSharing):
                mean = pay_a / 2 + pay_b / 2
                pay_a = (1 - m.share) * pay_a + m.share * mean
                pay_b = (1 - m.share) * pay_b + m.share * mean
    finite = (np.isfinite(x).all() for x in (pay_a, pay_b, enforcement))
    if not all(finite):
        raise ValueError(
            "mechanisms with these pay_a, pay_b and scale give payoffs or enforcement costs "
            "beyond the float range; use smaller fines, stakes, costs or payoffs"
        )
    return pay_a, pay_b, enforcement


def _single_strategy(value: Any, name: str) -> Any:
    from allysim.strategies import FiniteStateStrategy, MemoryOne

    if not isinstance(value, MemoryOne | FiniteStateStrategy):
        raise TypeError(
            f"{name} must be one strategy (MemoryOne or FiniteStateStrategy, e.g. allysim.TFT), "
            f"got {type(value).__name__}"
        )
    return value


# Bytes per match-round: the bool history (copied twice by simulate), payoffs of both partners,
# two uniform draws per sanction or bond, temporaries, welfare and the weighted products.
_BYTES_PER_MATCH_ROUND = 6.0 + 8.0 * 12


def simulate_mechanisms(
    row_strategy,
    col_strategy,
    game: StageGame,
    mechanisms: Sequence[Mechanism] = (),
    *,
    repetitions: int,
    rounds: int | None = None,
    continuation: float | None = None,
    perception_noise: float = 0.0,
    noise: float = 0.0,
    seed: SeedLike = None,
    progress: bool | None = None,
) -> dict[str, np.ndarray]:
    """Play the mechanism rules literally, match by match, and return per-match estimates.

    Unlike [`apply`][allysim.mechanisms.apply], nothing is averaged in advance: each defection
    is detected or not by its own draw, fines and forfeits move between partners as drawn,
    profit is shared round by round in list order, and with a continuation probability each
    partnership lasts a random (geometric) number of rounds, the payoff estimate being
    ``(1 - w) * sum of payoffs``. Use it to check ``apply`` with the exact kernel.

    Parameters
    ----------
    row_strategy : MemoryOne or FiniteStateStrategy
        The row partner's strategy (one strategy).
    col_strategy : MemoryOne or FiniteStateStrategy
        The column partner's strategy.
    game : StageGame
        A 2x2 stage game, before the mechanisms.
    mechanisms : sequence of Mechanism, default ()
        The mechanisms, in order, at most one per kind.
    repetitions : int
        Number of independent matches (at least 1).
    rounds : int or None, default None
        Rounds per match (at least 1) when there is no continuation probability; refused when
        there is one (given here or by a [`ShadowOfFuture`][allysim.mechanisms.ShadowOfFuture]).
    continuation : float or None, default None
        Continuation probability in [0, 1) without mechanisms (a
        [`ShadowOfFuture`][allysim.mechanisms.ShadowOfFuture]
        replaces it). Matches are played for the horizon past which less than 1e-12 of the
        weight remains, so memory grows like ``repetitions x log(1e-12) / log(w)``.
    perception_noise : float, default 0.0
        Probability in [0, 1] of misreading the partner's move without mechanisms.
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The same seed gives bit-identical results.
    progress : bool or None, default None
        Progress bar of the match simulation (see [`simulate`][allysim.kernels.simulate]).

    Returns
    -------
    dict
        Arrays of shape (repetitions,): ``row``, ``col`` (payoff per round) and ``welfare``
        (per partner per round, net of enforcement costs).

    Raises
    ------
    TypeError
        A strategy is not one strategy object, ``game`` is not a StageGame, or a number or
        ``seed`` is of the wrong type.
    ValueError
        A number is out of range, neither or both of a horizon and a continuation are given,
        or the run would exceed the memory budget (``allysim.set_memory_budget``).

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import ALLD, TFT
    >>> out = simulate_mechanisms(
    ...     TFT, ALLD, PrisonersDilemma(), [Sanction(fine=2, detection=1.0)],
    ...     repetitions=3, rounds=10, seed=1,
    ... )
    >>> out["col"].tolist()  # ALLD: 5 - 2 in round 1, then 1 - 2 for nine rounds
    [-0.6, -0.6, -0.6]
    """
    from allysim.kernels import simulate

    row_strategy = _single_strategy(row_strategy, "row_strategy")
    col_strategy = _single_strategy(col_strategy, "col_strategy")
    setup = apply(game, mechanisms, continuation=continuation, perception_noise=perception_noise)
    repetitions = check_int(repetitions, "repetitions", minimum=1)
    noise = check_probability(noise, "noise")
    rng = as_generator(seed, "seed")
    w = setup.continuation
    if w is None:
        if rounds is None:
            raise ValueError(
                "give rounds=T or a continuation (directly or by ShadowOfFuture), got neither"
            )
        horizon = check_int(rounds, "rounds", minimum=1)
    else:
        if rounds is not None:
            raise ValueError(
                f"rounds must be None when there is a continuation probability (w={w:g}, given "
                "directly or by ShadowOfFuture): give one horizon"
            )
        # Rounds past this carry less than 1e-12 of the weight.
        horizon = max(1, math.ceil(math.log(1e-12) / math.log(w))) if w > 0 else 1
    check_memory(
        _BYTES_PER_MATCH_ROUND * horizon * repetitions,
        "repetitions x rounds (with a continuation w, rounds = log(1e-12) / log(w))",
        hint="use fewer repetitions, a shorter horizon or a smaller continuation, or the exact "
        "kernel on apply(...).game",
    )
    play_rng, rule_rng = rng.spawn(2)
    sim = simulate(
        row_strategy,
        col_strategy,
        game,
        rounds=horizon,
        noise=noise,
        perception_noise=setup.perception_noise,
        repetitions=repetitions,
        seed=play_rng,
        history=True,
        progress=progress,
    )
    history = sim.history
    assert history is not None  # history=True always records the moves
    coop = history[0, 0]  # (reps, T, 2)
    x_c, y_c = coop[..., 0], coop[..., 1]
    ix, iy = (~x_c).astype(int), (~y_c).astype(int)
    pay_r = game.row_payoffs[ix, iy].astype(float)
    pay_c = game.col_payoffs[ix, iy].astype(float)
    pay_r, pay_c, enforcement = settle_round(setup.mechanisms, pay_r, pay_c, x_c, y_c, rule_rng)
    welfare = (pay_r + pay_c) / 2 - enforcement
    if w is None:
        weights = np.full(horizon, 1.0 / horizon)
        weights = np.broadcast_to(weights, pay_r.shape)
    else:
        length = rule_rng.geometric(1 - w, size=repetitions) if w > 0 else np.ones(repetitions)
        t = np.arange(horizon)
        weights = (t[None, :] < length[:, None]) * (1 - w)
    return {
        "row": (pay_r * weights).sum(axis=1),
        "col": (pay_c * weights).sum(axis=1),
        "welfare": (welfare * weights).sum(axis=1),
    }
