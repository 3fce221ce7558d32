"""Stage games: two-player bimatrix games, the prisoner's dilemma and the partnership builder.

A partnership round is a 2x2 game in which each partner either contributes (C, cooperate) or
withholds (D, defect). Payoffs from the focal (row) player's view are ordered CC, CD, DC, DD (my
move first), giving the payoff vector ``(R, S, T, P)``: Reward for mutual contribution, Sucker's
payoff for contributing alone, Temptation to free-ride, Punishment for mutual withholding.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from allysim._validation import as_float_array, check_bool, check_game, check_real

__all__ = [
    "GAME_CLASSES",
    "NotADilemmaWarning",
    "PrisonersDilemma",
    "StageGame",
    "check_dilemma",
    "classify",
    "partnership_game",
]

#: The names [`classify`][allysim.games.classify] returns.
GAME_CLASSES = ("prisoners_dilemma", "snowdrift", "stag_hunt", "harmony", "other")

NashMethod = Literal["support_enumeration", "vertex_enumeration", "lemke_howson"]
_NASH_METHODS = ("support_enumeration", "vertex_enumeration", "lemke_howson")


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


class StageGame:
    """A two-player bimatrix game, immutable and validated.

    Parameters
    ----------
    row_payoffs : array_like, shape (n, m)
        Payoff to the row player for each action profile (row action, column action), in payoff
        units per round. Integers and floats are accepted; booleans, strings, NaN and infinities
        are refused. The game keeps its own read-only copy.
    col_payoffs : array_like, shape (n, m)
        Payoff to the column player for each action profile, same shape as ``row_payoffs``.
    row_actions : sequence of str, optional
        Distinct labels of the row player's n actions. Default ``("C", "D")`` for two actions,
        else ``("a0", "a1", ...)``.
    col_actions : sequence of str, optional
        Distinct labels of the column player's m actions, with the same default.

    Raises
    ------
    TypeError
        A payoff array holds something other than real numbers (booleans and strings included),
        or a label is not a str.
    ValueError
        Shapes differ or are not 2-D, a payoff is not finite, or labels are the wrong number or
        repeated.

    Notes
    -----
    Games are immutable: assigning or deleting an attribute raises
    ``dataclasses.FrozenInstanceError`` (a subclass of ``AttributeError``), and the payoff
    arrays are read-only (writing to them raises ``ValueError``). Build a new game instead.

    Examples
    --------
    >>> g = StageGame([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> g.shape
    (2, 2)
    >>> g.payoff_vector
    (3.0, 0.0, 5.0, 1.0)
    >>> g.is_symmetric
    True
    """

    __slots__ = ("_col", "_row", "col_actions", "row_actions")
    _row: np.ndarray
    _col: np.ndarray
    row_actions: tuple[str, ...]
    col_actions: tuple[str, ...]

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
            raise ValueError(
                "row_payoffs and col_payoffs need at least one action per player, got shape "
                f"{row.shape}"
            )
        # Copies, so that freezing them leaves the caller's arrays writable and a later write
        # to those arrays cannot change the game.
        row = np.array(row, dtype=float, copy=True)
        col = np.array(col, dtype=float, copy=True)
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
        raise dataclasses.FrozenInstanceError(
            f"cannot assign to {name!r}: {type(self).__name__} is immutable; build a new game "
            "instead"
        )

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(
            f"cannot delete {name!r}: {type(self).__name__} is immutable"
        )

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

        Returns
        -------
        row : numpy.ndarray, shape (4,)
            Row player's payoffs; ``(R, S, T, P)`` for a symmetric game.
        col : numpy.ndarray, shape (4,)
            Column player's payoffs; ``(R, T, S, P)`` for a symmetric game.

        Raises
        ------
        ValueError
            The game is not 2x2.

        Examples
        --------
        >>> row, col = PrisonersDilemma().outcome_payoffs()
        >>> row.tolist(), col.tolist()
        ([3.0, 0.0, 5.0, 1.0], [3.0, 5.0, 0.0, 1.0])
        """
        self._require_2x2("outcome_payoffs")
        return self._row.ravel().copy(), self._col.ravel().copy()

    def to_nashpy(self):
        """Return the equivalent ``nashpy.Game``.

        Returns
        -------
        nashpy.Game
            A game with (writable copies of) the same payoff matrices.

        Examples
        --------
        >>> PrisonersDilemma().to_nashpy().payoff_matrices[0].tolist()
        [[3.0, 0.0], [5.0, 1.0]]
        """
        import nashpy  # type: ignore[import-untyped]

        return nashpy.Game(np.array(self._row), np.array(self._col))

    def nash_equilibria(
        self, method: NashMethod = "support_enumeration"
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Nash equilibria of the one-shot game, computed by nashpy.

        Parameters
        ----------
        method : str, default "support_enumeration"
            The nashpy algorithm: ``"support_enumeration"``, ``"vertex_enumeration"`` or
            ``"lemke_howson"``. Lemke-Howson returns the single equilibrium it finds from the
            first label.

        Returns
        -------
        list of (numpy.ndarray, numpy.ndarray)
            Each equilibrium as the row and column player's mixed strategies, probability
            vectors over their actions.

        Raises
        ------
        ValueError
            ``method`` is not one of the three names.

        Examples
        --------
        >>> [tuple(map(float, s)) for s in PrisonersDilemma().nash_equilibria()[0]]
        [(0.0, 1.0), (0.0, 1.0)]
        """
        if not isinstance(method, str) or method not in _NASH_METHODS:
            raise ValueError(
                "method must be one of 'support_enumeration', 'vertex_enumeration', "
                f"'lemke_howson', got {method!r}"
            )
        game = self.to_nashpy()
        if method == "support_enumeration":
            eqs = game.support_enumeration()
        elif method == "vertex_enumeration":
            eqs = game.vertex_enumeration()
        else:
            eqs = [game.lemke_howson(initial_dropped_label=0)]
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
    # A bare string would silently split into one-letter labels.
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise TypeError(
            f"{name} must be a sequence of str (e.g. ('C', 'D')), got {type(labels).__name__}"
        )
    out = tuple(labels)
    for x in out:
        if not isinstance(x, str):
            raise TypeError(f"{name} must hold str labels, got {type(x).__name__}")
    if len(out) != n:
        raise ValueError(f"{name} must have {n} labels, got {len(out)}")
    if len(set(out)) != n:
        raise ValueError(f"{name} must be distinct labels, got {out}")
    return out


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
    check_game(game, name)
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
