"""Stage games: two-player bimatrix games, the prisoner's dilemma and the partnership builder.

A partnership round is a 2x2 game in which each partner either contributes (C, cooperate) or
withholds (D, defect). Payoffs from the focal (row) player's view are ordered CC, CD, DC, DD (my
move first), giving the payoff vector ``(R, S, T, P)``: Reward for mutual contribution, Sucker's
payoff for contributing alone, Temptation to free-ride, Punishment for mutual withholding.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from allysim._validation import as_float_array, check_real

__all__ = [
    "GAME_CLASSES",
    "NotADilemmaWarning",
    "PrisonersDilemma",
    "StageGame",
    "classify",
    "partnership_game",
]

#: The names :func:`classify` returns.
GAME_CLASSES = ("prisoners_dilemma", "snowdrift", "stag_hunt", "harmony", "other")

NashMethod = Literal["support_enumeration", "vertex_enumeration", "lemke_howson"]


class NotADilemmaWarning(UserWarning):
    """A game built as a partnership is not a prisoner's dilemma (contributing is not tempting)."""


class StageGame:
    """A two-player bimatrix game, immutable and validated.

    Parameters
    ----------
    row_payoffs, col_payoffs : array_like, shape (n, m)
        Payoff to the row and column player for each action profile (row action, column action).
    row_actions, col_actions : sequence of str, optional
        Action labels; default ``("C", "D")`` for 2x2 games, else ``("a0", "a1", ...)``.

    Examples
    --------
    >>> g = StageGame([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> g.shape
    (2, 2)
    >>> g.payoff_vector
    (3.0, 0.0, 5.0, 1.0)
    """

    __slots__ = ("_col", "_row", "col_actions", "row_actions")

    def __init__(
        self,
        row_payoffs: Any,
        col_payoffs: Any,
        row_actions: Sequence[str] | None = None,
        col_actions: Sequence[str] | None = None,
    ) -> None:
        row = as_float_array(row_payoffs, "row_payoffs", shape=(None, None))
        col = as_float_array(col_payoffs, "col_payoffs", shape=(None, None))
        if row.shape != col.shape:
            raise ValueError(
                f"row_payoffs and col_payoffs must have the same shape, got {row.shape} "
                f"and {col.shape}"
            )
        if row.shape[0] < 1 or row.shape[1] < 1:
            raise ValueError("a game needs at least one action per player")
        row.setflags(write=False)
        col.setflags(write=False)
        n, m = row.shape
        ra = _labels(row_actions, n, "row_actions")
        ca = _labels(col_actions, m, "col_actions")
        object.__setattr__(self, "_row", row)
        object.__setattr__(self, "_col", col)
        object.__setattr__(self, "row_actions", ra)
        object.__setattr__(self, "col_actions", ca)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; build a new game instead")

    @property
    def row_payoffs(self) -> np.ndarray:
        """Row player's payoffs, shape (n, m), read-only."""
        return self._row

    @property
    def col_payoffs(self) -> np.ndarray:
        """Column player's payoffs, shape (n, m), read-only."""
        return self._col

    @property
    def shape(self) -> tuple[int, int]:
        """Numbers of row and column actions."""
        return self._row.shape  # type: ignore[return-value]

    @property
    def is_symmetric(self) -> bool:
        """True when the column player's payoffs are the transpose of the row player's."""
        return self._row.shape[0] == self._row.shape[1] and bool(
            np.array_equal(self._row, self._col.T)
        )

    @property
    def payoff_vector(self) -> tuple[float, float, float, float]:
        """Row player's payoffs ``(R, S, T, P)`` in outcome order CC, CD, DC, DD (2x2 only)."""
        self._require_2x2("payoff_vector")
        r = self._row
        return (float(r[0, 0]), float(r[0, 1]), float(r[1, 0]), float(r[1, 1]))

    def outcome_payoffs(self) -> tuple[np.ndarray, np.ndarray]:
        """Payoffs of row and column player per outcome CC, CD, DC, DD (row's move first).

        Returns two arrays of shape (4,). For a symmetric game they are ``(R, S, T, P)`` and
        ``(R, T, S, P)``.
        """
        self._require_2x2("outcome_payoffs")
        return self._row.ravel().copy(), self._col.ravel().copy()

    def to_nashpy(self):
        """Return the equivalent ``nashpy.Game``."""
        import nashpy

        return nashpy.Game(np.array(self._row), np.array(self._col))

    def nash_equilibria(
        self, method: NashMethod = "support_enumeration"
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Nash equilibria of the one-shot game, computed by nashpy.

        Parameters
        ----------
        method : {"support_enumeration", "vertex_enumeration", "lemke_howson"}
            The nashpy algorithm. Lemke-Howson returns the single equilibrium it finds from the
            first label.

        Returns
        -------
        list of (row_strategy, col_strategy)
            Mixed strategies as probability vectors over the actions.

        Examples
        --------
        >>> [tuple(map(float, s)) for s in PrisonersDilemma().nash_equilibria()[0]]
        [(0.0, 1.0), (0.0, 1.0)]
        """
        game = self.to_nashpy()
        if method == "support_enumeration":
            eqs = game.support_enumeration()
        elif method == "vertex_enumeration":
            eqs = game.vertex_enumeration()
        elif method == "lemke_howson":
            eqs = [game.lemke_howson(initial_dropped_label=0)]
        else:
            raise ValueError(
                "method must be one of 'support_enumeration', 'vertex_enumeration', "
                f"'lemke_howson', got {method!r}"
            )
        return [(np.asarray(a, dtype=float), np.asarray(b, dtype=float)) for a, b in eqs]

    def _require_2x2(self, what: str) -> None:
        if self._row.shape != (2, 2):
            raise ValueError(f"{what} needs a 2x2 game, this one is {self._row.shape}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StageGame):
            return NotImplemented
        return (
            np.array_equal(self._row, other._row)
            and np.array_equal(self._col, other._col)
            and self.row_actions == other.row_actions
            and self.col_actions == other.col_actions
        )

    def __hash__(self) -> int:
        return hash((self._row.tobytes(), self._col.tobytes(), self.row_actions, self.col_actions))

    def __reduce__(self):
        return (StageGame, (self._row, self._col, self.row_actions, self.col_actions))

    def __repr__(self) -> str:
        return (
            f"StageGame(row_payoffs={self._row.tolist()}, col_payoffs={self._col.tolist()}, "
            f"row_actions={self.row_actions}, col_actions={self.col_actions})"
        )


def _labels(labels: Sequence[str] | None, n: int, name: str) -> tuple[str, ...]:
    if labels is None:
        return ("C", "D") if n == 2 else tuple(f"a{i}" for i in range(n))
    out = tuple(str(x) for x in labels)
    if len(out) != n:
        raise ValueError(f"{name} must have {n} labels, got {len(out)}")
    return out


def _symmetric_2x2(R: float, S: float, T: float, P: float) -> tuple[np.ndarray, np.ndarray]:
    row = np.array([[R, S], [T, P]], dtype=float)
    return row, row.T.copy()


class PrisonersDilemma(StageGame):
    """The symmetric prisoner's dilemma with payoffs ``R, S, T, P``.

    Requires ``T > R > P > S`` (temptation beats reward beats punishment beats sucker), and for the
    repeated game also ``2R > T + S`` (taking turns at exploiting each other does not beat steady
    mutual contribution). Pass ``repeated=False`` for a one-shot-only dilemma.

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

    Examples
    --------
    >>> check_dilemma(3, 0, 5, 1)
    >>> check_dilemma(3, 0, 2, 1)
    Traceback (most recent call last):
    ...
    ValueError: not a prisoner's dilemma: needs T > R, got T = 2 <= R = 3
    """
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


def classify(game: StageGame) -> str:
    """Name the kind of a symmetric 2x2 game from the order of its payoffs.

    Returns one of ``"prisoners_dilemma"`` (T > R > P > S), ``"snowdrift"`` (T > R > S > P,
    also called chicken or hawk-dove), ``"stag_hunt"`` (R > T > P > S), ``"harmony"`` (R > T and
    S > P: contributing dominates) or ``"other"`` (ties and the remaining orders).

    Examples
    --------
    >>> classify(PrisonersDilemma())
    'prisoners_dilemma'
    >>> classify(StageGame([[5, 2], [3, 1]], [[5, 3], [2, 1]]))
    'harmony'
    """
    if not isinstance(game, StageGame):
        raise TypeError(f"game must be a StageGame, got {type(game).__name__}")
    if game.shape != (2, 2) or not game.is_symmetric:
        raise ValueError("classify needs a symmetric 2x2 game")
    R, S, T, P = game.payoff_vector
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
    :class:`PrisonersDilemma` is returned. Otherwise the plain :class:`StageGame` is returned and a
    :class:`NotADilemmaWarning` names what the game is instead (see :func:`classify`).

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
