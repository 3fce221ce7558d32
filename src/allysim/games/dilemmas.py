"""Symmetric 2x2 games: the prisoner's dilemma, its checks, the classification of a game by the
order of its payoffs, and the partnership game built from benefit, cost and synergy.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from allysim._validation import check_bool, check_game, check_real
from allysim.games.stage_game import StageGame

__all__ = [
    "GAME_CLASSES",
    "NotADilemmaWarning",
    "PrisonersDilemma",
    "check_dilemma",
    "classify",
    "partnership_game",
]

#: The names [`classify`][allysim.games.classify] returns.
GAME_CLASSES = ("prisoners_dilemma", "snowdrift", "stag_hunt", "harmony", "other")


class NotADilemmaWarning(UserWarning):
    """A game built as a partnership is not a prisoner's dilemma (contributing is not tempting).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     game = partnership_game(benefit=2, cost=1, synergy=1.5)
    >>> caught[0].category.__name__, classify(game)
    ('NotADilemmaWarning', 'stag_hunt')
    """


def _symmetric_2x2(R: float, S: float, T: float, P: float) -> tuple[np.ndarray, np.ndarray]:
    row = np.array([[R, S], [T, P]], dtype=float)
    return row, row.T.copy()


class PrisonersDilemma(StageGame):
    """The symmetric prisoner's dilemma with payoffs ``R, S, T, P``.

    Requires ``T > R > P > S`` (temptation beats reward beats punishment beats sucker), and for the
    repeated game also ``2R > T + S`` (taking turns at exploiting each other does not beat steady
    mutual contribution). Pass ``repeated=False`` for a one-shot-only dilemma.

    Parameters
    ----------
    R : float, default 3.0
        Reward for mutual contribution, payoff units per round.
    S : float, default 0.0
        Sucker's payoff: contributing while the partner withholds.
    T : float, default 5.0
        Temptation: withholding while the partner contributes.
    P : float, default 1.0
        Punishment for mutual withholding.
    repeated : bool, default True
        Also require ``2R > T + S``.

    Raises
    ------
    TypeError
        A payoff is not a real number (booleans and strings are refused) or ``repeated`` is not
        a bool.
    ValueError
        A payoff is not finite, or an inequality above fails (the message names it).

    Notes
    -----
    Immutable like every [`StageGame`][allysim.games.StageGame]: assignment raises
    ``dataclasses.FrozenInstanceError``.

    Examples
    --------
    >>> PrisonersDilemma().payoff_vector
    (3.0, 0.0, 5.0, 1.0)
    >>> PrisonersDilemma(R=3, S=0, T=7, P=1)
    Traceback (most recent call last):
    ...
    ValueError: not a repeated prisoner's dilemma: needs 2R > T + S, got 2*3 = 6 <= 7 + 0 = 7 \
(pass repeated=False for a one-shot dilemma)
    """

    __slots__ = ()

    def __init__(
        self,
        R: float = 3.0,
        S: float = 0.0,
        T: float = 5.0,
        P: float = 1.0,
        *,
        repeated: bool = True,
    ) -> None:
        R, S, T, P = (check_real(v, k) for v, k in ((R, "R"), (S, "S"), (T, "T"), (P, "P")))
        check_dilemma(R, S, T, P, repeated=repeated)
        row, col = _symmetric_2x2(R, S, T, P)
        super().__init__(row, col, ("C", "D"), ("C", "D"))

    @property
    def R(self) -> float:
        """Reward for mutual contribution."""
        return float(self._row[0, 0])

    @property
    def S(self) -> float:
        """Sucker's payoff: contributing while the partner withholds."""
        return float(self._row[0, 1])

    @property
    def T(self) -> float:
        """Temptation: withholding while the partner contributes."""
        return float(self._row[1, 0])

    @property
    def P(self) -> float:
        """Punishment for mutual withholding."""
        return float(self._row[1, 1])

    def __reduce__(self):
        return (_rebuild_pd, (self.R, self.S, self.T, self.P))

    def __repr__(self) -> str:
        return f"PrisonersDilemma(R={self.R:g}, S={self.S:g}, T={self.T:g}, P={self.P:g})"


def _rebuild_pd(R: float, S: float, T: float, P: float) -> PrisonersDilemma:
    return PrisonersDilemma(R, S, T, P, repeated=2 * R > T + S)


def check_dilemma(R: float, S: float, T: float, P: float, *, repeated: bool = True) -> None:
    """Raise ``ValueError`` naming the violated inequality if (R, S, T, P) is not a dilemma.

    Parameters
    ----------
    R : float
        Reward for mutual contribution.
    S : float
        Sucker's payoff.
    T : float
        Temptation payoff.
    P : float
        Punishment for mutual withholding.
    repeated : bool, default True
        Also require ``2R > T + S`` (the repeated dilemma).

    Returns
    -------
    None
        Returns only when ``T > R > P > S`` (and ``2R > T + S`` if ``repeated``).

    Raises
    ------
    TypeError
        A payoff is not a real number, or ``repeated`` is not a bool.
    ValueError
        A payoff is not finite, or an inequality fails (the message names it).

    Examples
    --------
    >>> check_dilemma(3, 0, 5, 1)
    >>> check_dilemma(3, 0, 2, 1)
    Traceback (most recent call last):
    ...
    ValueError: not a prisoner's dilemma: needs T > R, got T = 2 <= R = 3
    """
    R, S, T, P = (check_real(v, k) for v, k in ((R, "R"), (S, "S"), (T, "T"), (P, "P")))
    repeated = check_bool(repeated, "repeated")
    for big, small, bn, sn in ((T, R, "T", "R"), (R, P, "R", "P"), (P, S, "P", "S")):
        if not big > small:
            raise ValueError(
                f"not a prisoner's dilemma: needs {bn} > {sn}, got {bn} = {big:g} <= {sn} = "
                f"{small:g}"
            )
    if repeated and not 2 * R > T + S:
        raise ValueError(
            f"not a repeated prisoner's dilemma: needs 2R > T + S, got 2*{R:g} = {2 * R:g} <= "
            f"{T:g} + {S:g} = {T + S:g} (pass repeated=False for a one-shot dilemma)"
        )


def _symmetric_payoffs(game: Any, name: str = "game") -> tuple[float, float, float, float]:
    """``(R, S, T, P)`` of a symmetric 2x2 game, or ``TypeError``/``ValueError`` naming ``name``."""
    game = check_game(game, name)
    if game.shape != (2, 2) or not game.is_symmetric:
        raise ValueError(
            f"{name} must be a symmetric 2x2 game (column payoffs the transpose of the row "
            f"payoffs), got shape {game.shape}"
            + ("" if game.shape != (2, 2) else " with asymmetric payoffs")
        )
    return game.payoff_vector


def classify(game: StageGame) -> str:
    """Name the kind of a symmetric 2x2 game from the order of its payoffs.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game.

    Returns
    -------
    str
        One of ``GAME_CLASSES``: ``"prisoners_dilemma"`` (T > R > P > S), ``"snowdrift"``
        (T > R > S > P, also called chicken or hawk-dove), ``"stag_hunt"`` (R > T > P > S),
        ``"harmony"`` (R > T and S > P: contributing dominates) or ``"other"`` (ties and the
        remaining orders). The label depends only on the order of the payoffs, so it does not
        change under a positive affine change of payoff units.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame].
    ValueError
        ``game`` is not 2x2 or not symmetric.

    Examples
    --------
    >>> classify(PrisonersDilemma())
    'prisoners_dilemma'
    >>> classify(StageGame([[5, 2], [3, 1]], [[5, 3], [2, 1]]))
    'harmony'
    """
    R, S, T, P = _symmetric_payoffs(game, "game")
    if T > R > P > S:
        return "prisoners_dilemma"
    if T > R > S > P:
        return "snowdrift"
    if R > T > P > S:
        return "stag_hunt"
    if R > T and S > P:
        return "harmony"
    return "other"


def partnership_game(benefit: float, cost: float, synergy: float = 0.0) -> StageGame:
    """The partnership game: contributing costs ``cost`` and gives the partner ``benefit``.

    Mutual contribution adds ``synergy`` to each partner (the partnership dividend). Payoffs:
    ``R = benefit - cost + synergy``, ``S = -cost``, ``T = benefit``, ``P = 0`` (units: value per
    partner per round). With ``synergy = 0`` this is the donation game.

    It is a prisoner's dilemma only while ``synergy < cost`` (and ``R > 0``); then a
    [`PrisonersDilemma`][allysim.games.PrisonersDilemma] is returned. Otherwise the plain
    [`StageGame`][allysim.games.StageGame] is returned and a
    [`NotADilemmaWarning`][allysim.games.NotADilemmaWarning] names what the game is instead (see
    [`classify`][allysim.games.classify]).

    Parameters
    ----------
    benefit : float
        Value a contribution gives the partner, > 0.
    cost : float
        Cost of contributing to the contributor, > 0.
    synergy : float, default 0.0
        Extra value each partner gets when both contribute (may be negative).

    Returns
    -------
    StageGame
        A [`PrisonersDilemma`][allysim.games.PrisonersDilemma] when the payoffs form one, else
        a symmetric [`StageGame`][allysim.games.StageGame] (with a
        [`NotADilemmaWarning`][allysim.games.NotADilemmaWarning]).

    Raises
    ------
    TypeError
        A parameter is not a real number.
    ValueError
        A parameter is not finite, or ``benefit`` or ``cost`` is not positive.

    Examples
    --------
    >>> partnership_game(benefit=3, cost=1).payoff_vector
    (2.0, -1.0, 3.0, 0.0)
    """
    b = check_real(benefit, "benefit")
    c = check_real(cost, "cost")
    s = check_real(synergy, "synergy")
    if b <= 0:
        raise ValueError(f"benefit must be > 0, got {benefit!r}")
    if c <= 0:
        raise ValueError(f"cost must be > 0, got {cost!r}")
    R, S, T, P = b - c + s, -c, b, 0.0
    if not all(np.isfinite((R, S, T, P))):
        raise ValueError(
            f"benefit, cost and synergy are too large: the payoffs overflow (R = {R:g})"
        )
    if T > R > P > S:
        return PrisonersDilemma(R, S, T, P, repeated=2 * R > T + S)
    row, col = _symmetric_2x2(R, S, T, P)
    game = StageGame(row, col, ("C", "D"), ("C", "D"))
    kind = classify(game)
    warnings.warn(
        f"partnership_game(benefit={b:g}, cost={c:g}, synergy={s:g}) is not a prisoner's "
        f"dilemma but {kind!r} (R={R:g}, S={S:g}, T={T:g}, P={P:g}); a dilemma needs "
        "0 < benefit - cost + synergy and synergy < cost",
        NotADilemmaWarning,
        stacklevel=2,
    )
    return game
