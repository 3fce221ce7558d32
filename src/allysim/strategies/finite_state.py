"""Finite-state (Moore machine) strategies, and the machines of GRIM, TF2T and ALTERNATOR.

A machine has ``output[state]`` (probability to contribute in that state),
``next_state[state][my_move][their_move]`` (the state after a round, from the move it made and
the move it saw; 0 = C, 1 = D) and an ``initial`` state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from allysim._validation import as_float_array, as_probability_array, check_int, check_str

__all__ = ["FiniteStateStrategy"]

C, D = 0, 1

#: The type of ``FiniteStateStrategy.next_state``: ``k`` tables of 2 x 2 next states.
StateTable = tuple[tuple[tuple[int, int], tuple[int, int]], ...]


@dataclass(frozen=True, eq=False, init=False)
class FiniteStateStrategy:
    """A finite-state (Moore machine) strategy.

    Parameters
    ----------
    output : sequence of float, length k >= 1
        Probability in [0, 1] to contribute in each state.
    next_state : array_like of int, shape (k, 2, 2)
        ``next_state[state][my_move][their_move]``: the state after a round in which this player
        made ``my_move`` and saw ``their_move`` (0 = C, 1 = D). Under perception noise
        ``their_move`` is what it saw, not what happened. Entries are states in ``[0, k - 1]``;
        integral floats are accepted, booleans are not. Stored as nested tuples of shape
        (k, 2, 2), so the strategy is hashable; ``next`` (the former name) is accepted as a
        keyword in its place.
    initial : int, default 0
        Starting state, in ``[0, k - 1]``.
    name : str, default "finite-state"
        Label used in tables and plots.
    next : array_like of int, optional
        Keyword-only alias of ``next_state``, the field's former name (which shadows a
        builtin). Give one of the two, not both.

    Attributes
    ----------
    output : tuple of float
        The outputs, as floats.
    next_state : tuple of tuple of tuple of int
        The next-state table, nested tuples of shape (k, 2, 2).
    next : tuple of tuple of tuple of int
        Read-only alias of ``next_state``.
    transitions : numpy.ndarray
        The same table as a read-only int64 array of shape (k, 2, 2), the form the kernels read.

    Raises
    ------
    TypeError
        An entry is not a real number (booleans and strings included), ``initial`` is not an
        integer, ``name`` is not a str, or both or neither of ``next_state`` and ``next`` are
        given.
    ValueError
        Wrong shapes, an output outside [0, 1], a next state that is not an integer state, or an
        ``initial`` state out of range.

    Notes
    -----
    Frozen: assigning an attribute raises ``dataclasses.FrozenInstanceError``, and
    ``transitions`` is read-only. ``FiniteStateStrategy(f.output, f.next_state, f.initial,
    f.name)`` and ``dataclasses.replace(f, name="x")`` rebuild an equal machine.

    Examples
    --------
    >>> from allysim.strategies import GRIM
    >>> GRIM.n_states, GRIM.output
    (2, (1.0, 0.0))
    >>> GRIM.next_state  # state 1 is absorbing; state 0 moves there when the partner withholds
    (((0, 1), (0, 1)), ((1, 1), (1, 1)))
    >>> FiniteStateStrategy(GRIM.output, GRIM.next_state, GRIM.initial, "GRIM") == GRIM
    True
    """

    output: tuple[float, ...]
    next_state: StateTable
    initial: int = 0
    name: str = "finite-state"
    _table: np.ndarray = field(repr=False, init=False)

    def __init__(
        self,
        output: Any,
        next_state: Any = None,
        initial: int = 0,
        name: str = "finite-state",
        *,
        next: Any = None,
    ) -> None:
        # Errors name the keyword the caller used.
        key = "next_state"
        if next is not None:
            if next_state is not None:
                raise TypeError("give next_state or its alias next, not both")
            next_state, key = next, "next"
        if next_state is None:
            raise TypeError(
                "FiniteStateStrategy needs next_state, the (k, 2, 2) table of next states"
            )
        out = as_probability_array(output, "output", shape=(None,))
        k = out.shape[0]
        if k < 1:
            raise ValueError("output must have at least one state, got an empty sequence")
        nxt_f = as_float_array(next_state, key)
        if nxt_f.shape != (k, 2, 2):
            raise ValueError(
                f"{key} must have shape ({k}, 2, 2), one (2, 2) table per state of output, got "
                f"{nxt_f.shape}"
            )
        if np.any(nxt_f != np.round(nxt_f)) or np.any((nxt_f < 0) | (nxt_f >= k)):
            raise ValueError(f"{key} must hold integer states in [0, {k - 1}]")
        table = nxt_f.astype(np.int64)
        table.setflags(write=False)
        initial = check_int(initial, "initial", minimum=0)
        if initial >= k:
            raise ValueError(f"initial must be a state in [0, {k - 1}], got {initial}")
        check_str(name, "name")
        nested = tuple(tuple(tuple(row) for row in state) for state in table.tolist())
        object.__setattr__(self, "output", tuple(float(x) for x in out))
        object.__setattr__(self, "next_state", nested)
        object.__setattr__(self, "initial", initial)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "_table", table)

    @property
    def next(self) -> StateTable:
        """Alias of ``next_state``, the (k, 2, 2) nested tuples (read-only)."""
        return self.next_state

    @property
    def n_states(self) -> int:
        """Number of states k."""
        return len(self.output)

    @property
    def transitions(self) -> np.ndarray:
        """``next_state`` as a read-only int64 array of shape (k, 2, 2)."""
        return self._table

    @property
    def is_deterministic(self) -> bool:
        """True when every state's output is 0 or 1."""
        return all(x in (0.0, 1.0) for x in self.output)

    def to_finite_state(self) -> FiniteStateStrategy:
        """Return itself, for symmetry with ``MemoryOne.to_finite_state``.

        Returns
        -------
        FiniteStateStrategy
            ``self``.

        Examples
        --------
        >>> from allysim.strategies import GRIM
        >>> GRIM.to_finite_state() is GRIM
        True
        """
        return self

    def _key(self) -> tuple[Any, ...]:
        return (self.output, self.next_state, self.initial, self.name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FiniteStateStrategy):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[Any, ...]:
        return (FiniteStateStrategy, self._key())


def _grudger() -> FiniteStateStrategy:
    # State 0 contributes; the first withheld contribution seen moves it to 1 for good.
    nxt = np.zeros((2, 2, 2), dtype=np.int64)
    nxt[0, :, D] = 1
    nxt[1] = 1
    return FiniteStateStrategy(output=(1.0, 0.0), next_state=nxt, initial=0, name="GRIM")


def _tit_for_two_tats() -> FiniteStateStrategy:
    # State = number of consecutive partner defections seen, capped at 2.
    nxt = np.zeros((3, 2, 2), dtype=np.int64)
    nxt[0, :, D] = 1
    nxt[1, :, D] = 2
    nxt[2, :, D] = 2
    return FiniteStateStrategy(output=(1.0, 1.0, 0.0), next_state=nxt, initial=0, name="TF2T")


def _alternator() -> FiniteStateStrategy:
    # Follows its own last actual move (as Axelrod-Python's Alternator does), so an
    # execution error shifts its phase.
    nxt = np.zeros((2, 2, 2), dtype=np.int64)
    nxt[:, C, :] = 1
    nxt[:, D, :] = 0
    return FiniteStateStrategy(output=(1.0, 0.0), next_state=nxt, initial=0, name="ALTERNATOR")
