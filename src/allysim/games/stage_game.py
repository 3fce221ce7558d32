"""The two-player bimatrix game: validated, immutable payoffs and their Nash equilibria."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from allysim._validation import as_float_array

__all__ = ["StageGame"]

NashMethod = Literal["support_enumeration", "vertex_enumeration", "lemke_howson"]
_NASH_METHODS = ("support_enumeration", "vertex_enumeration", "lemke_howson")


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

        >>> from allysim.games import PrisonersDilemma
        >>> row, col = PrisonersDilemma().outcome_payoffs()
        >>> row.tolist(), col.tolist()
        ([3.0, 0.0, 5.0, 1.0], [3.0, 5.0, 0.0, 1.0])
        """
        self._require_2x2("outcome_payoffs")
        return self._row.ravel().copy(), self._col.ravel().copy()

    @classmethod
    def from_nashpy(cls, game: Any) -> StageGame:
        """The allysim game with the payoff matrices of a ``nashpy.Game``.

        Parameters
        ----------
        game : nashpy.Game
            A two-player game; its ``payoff_matrices`` become the row and column payoffs.

        Returns
        -------
        StageGame
            The same game, validated (finite real payoffs, equal shapes).

        Examples
        --------
        >>> import nashpy
        >>> g = StageGame.from_nashpy(nashpy.Game([[3, 0], [5, 1]], [[3, 5], [0, 1]]))
        >>> g.payoff_vector, g.is_symmetric
        ((3.0, 0.0, 5.0, 1.0), True)
        """
        matrices = getattr(game, "payoff_matrices", None)
        if matrices is None or len(matrices) != 2:
            raise TypeError(f"game must be a nashpy.Game, got {type(game).__name__}")
        return cls(np.asarray(matrices[0]), np.asarray(matrices[1]))

    def to_nashpy(self):
        """Return the equivalent ``nashpy.Game``.

        Returns
        -------
        nashpy.Game
            A game with (writable copies of) the same payoff matrices.

        Examples
        --------

        >>> from allysim.games import PrisonersDilemma
        >>> PrisonersDilemma().to_nashpy().payoff_matrices[0].tolist()
        [[3.0, 0.0], [5.0, 1.0]]
        """
        # Deferred: nashpy takes ~0.1 s to import and only this conversion needs it.
        import nashpy  # type: ignore[import-untyped]

        return nashpy.Game(np.array(self._row), np.array(self._col))

    def nash_equilibria(
        self, method: NashMethod = "support_enumeration"
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Nash equilibria of the one-shot game, computed by nashpy.

        Probabilities within 1e-9 of 0 (round-off of nashpy's linear algebra) are set to 0
        and each strategy renormalised, so every vector is a probability vector. Vertex
        enumeration on badly scaled payoffs (ratios of 1e5 between entries) is accurate only
        to about 1e-8 of the payoff range; prefer support enumeration there.

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

        >>> from allysim.games import PrisonersDilemma
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
        return [(_probability_vector(a), _probability_vector(b)) for a, b in eqs]

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


def _probability_vector(v: Any) -> np.ndarray:
    """nashpy's strategy as a probability vector: round-off below 1e-9 removed, sum 1."""
    out = np.asarray(v, dtype=float).copy()
    out[np.abs(out) < 1e-9] = 0.0
    return out / out.sum()
