"""Mechanisms that change the stage game: sanctions, bonds and profit sharing.

Sanctions and bonds share one rule (a detected defector forfeits an amount and the partner
receives a share of it), implemented once in ``_Forfeit`` (module ``forfeit``); profit sharing
pools part of each payoff. Each gives its expected effect (``transform``), its literal per-round
effect (``settle``) and an analytic threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from allysim._validation import check_bool, check_nonnegative, check_probability
from allysim.games import StageGame
from allysim.mechanisms.base import (
    Mechanism,
    RepeatedSettings,
    _check_settings,
    _finite_pair,
    _payoff_pair,
)
from allysim.mechanisms.forfeit import _Forfeit
from allysim.mechanisms.thresholds import profit_share_threshold

__all__ = ["Bond", "ProfitSharing", "Sanction"]


@dataclass(frozen=True)
class Sanction(_Forfeit):
    """Credible consequences: a detected defection pays ``fine``.

    The fine is burned, or with ``transfer=True`` handed to the victim. Its expected effect,
    threshold and literal per-round rule are those shared with
    [`Bond`][allysim.mechanisms.Bond] (``forfeit = fine``, ``victim_share`` 0 or 1).

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
    >>> from allysim.games import PrisonersDilemma
    >>> s = Sanction(fine=4, detection=0.5)
    >>> s.expected_fine, s.threshold(PrisonersDilemma())  # max(5 - 3, 1 - 0) / 0.5
    (2.0, 4.0)
    """

    fine: float
    detection: float
    enforcement_cost: float = 0.0
    transfer: bool = False
    kind: ClassVar[str] = "sanction"
    _amount_name: ClassVar[str] = "fine"

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

    def _enforcement(self, caught_a: np.ndarray, caught_b: np.ndarray) -> np.ndarray | None:
        return self.enforcement_cost * (caught_a.astype(float) + caught_b) / 2

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
        >>> from allysim.mechanisms import RepeatedSettings
        >>> s = RepeatedSettings(continuation=None, perception_noise=0.0)
        >>> Sanction(2, 0.5, enforcement_cost=1.0).adjust(s).enforcement_cost_per_defection
        0.5
        """
        settings = _check_settings(settings)
        extra = self.detection * self.enforcement_cost
        return replace(
            settings, enforcement_cost_per_defection=settings.enforcement_cost_per_defection + extra
        )


@dataclass(frozen=True)
class Bond(_Forfeit):
    """Mutual hostages: each partner posts ``stake``, forfeited on a detected defection.

    The partner receives ``salvage`` times the forfeited stake (1: a pure transfer; 0: a hostage
    that is destroyed). Forfeits are re-posted, so the bond binds every round. What is not
    salvaged counts against welfare. The rule is the one shared with
    [`Sanction`][allysim.mechanisms.Sanction] (``forfeit = stake``,
    ``victim_share = salvage``); with ``salvage = 1`` a bond is a sanction with
    ``transfer=True``. Source: Williamson (1983), credible commitments.

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
    _amount_name: ClassVar[str] = "stake"

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

    def settle(
        self,
        pay_a: np.ndarray,
        pay_b: np.ndarray,
        contrib_a: np.ndarray,
        contrib_b: np.ndarray,
        rng: np.random.Generator,
        scale: np.ndarray | float = 1.0,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Pool ``share`` of each realised payoff and split the pool equally.

        Sharing is proportional, so neither the moves, the draws nor ``scale`` enter.

        Parameters
        ----------
        pay_a : numpy.ndarray
            Realised payoffs of partner a, any shape (payoff units).
        pay_b : numpy.ndarray
            Realised payoffs of partner b, the shape of ``pay_a``.
        contrib_a : numpy.ndarray
            Boolean, the shape of ``pay_a``: True where a contributed (not used).
        contrib_b : numpy.ndarray
            Boolean, the shape of ``pay_a``: True where b contributed (not used).
        rng : numpy.random.Generator
            Not used: the rule draws nothing.
        scale : numpy.ndarray or float, default 1.0
            Not used: sharing is proportional to the payoffs.

        Returns
        -------
        pay_a : numpy.ndarray
            ``(1 - share) pay_a + share (pay_a + pay_b) / 2``.
        pay_b : numpy.ndarray
            ``(1 - share) pay_b + share (pay_a + pay_b) / 2``.
        enforcement : None
            Sharing has no enforcement cost.

        Examples
        --------
        >>> import numpy as np
        >>> a, b, _ = ProfitSharing(0.5).settle(
        ...     np.array([4.0]), np.array([0.0]), np.array([True]), np.array([False]),
        ...     np.random.default_rng(0),
        ... )
        >>> a.tolist(), b.tolist()
        ([3.0], [1.0])
        """
        mean = pay_a / 2 + pay_b / 2
        return (
            (1 - self.share) * pay_a + self.share * mean,
            (1 - self.share) * pay_b + self.share * mean,
            None,
        )

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
