"""Memory-one strategies: contribute with a probability that depends on the last outcome.

A strategy is ``p = (p_CC, p_CD, p_DC, p_DD)``, the probability to contribute after each
outcome of the last round seen from its own side (own move first), plus ``p0`` for the first
round. It converts exactly to a 5-state
[`FiniteStateStrategy`][allysim.strategies.FiniteStateStrategy].
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from allysim._validation import as_probability_array, check_probability, check_str
from allysim.strategies.finite_state import C, D, FiniteStateStrategy

__all__ = ["MemoryOne", "Strategy", "deterministic_memory_one", "memory_one_array"]


@dataclass(frozen=True, eq=False)
class MemoryOne:
    """A memory-one strategy: cooperate with probability ``p[last outcome]``.

    Parameters
    ----------
    p : sequence of float, length 4
        Probabilities in [0, 1] to contribute after CC, CD, DC, DD (own move first). Integers
        such as ``(1, 0, 1, 0)`` are fine; booleans and strings are refused.
    p0 : float, default 1.0
        Probability in [0, 1] to contribute in the first round.
    name : str, default "memory-one"
        Label used in tables and plots.

    Raises
    ------
    TypeError
        A probability is not a real number (booleans and strings included), or ``name`` is not
        a str.
    ValueError
        ``p`` does not have 4 entries, or a probability is not finite or outside [0, 1].

    Notes
    -----
    Frozen: assigning an attribute raises ``dataclasses.FrozenInstanceError`` (a subclass
    of ``AttributeError``). Use ``dataclasses.replace`` for a modified copy.

    Examples
    --------
    >>> tft = MemoryOne((1, 0, 1, 0), p0=1, name="TFT")
    >>> tft.is_deterministic
    True
    >>> tft.to_finite_state().n_states
    5
    """

    p: tuple[float, ...]
    p0: float = 1.0
    name: str = "memory-one"

    def __post_init__(self) -> None:
        p = as_probability_array(self.p, "p", shape=(4,))
        object.__setattr__(self, "p", tuple(float(x) for x in p))
        object.__setattr__(self, "p0", check_probability(self.p0, "p0"))
        check_str(self.name, "name")

    @classmethod
    def _from_checked(cls, p: tuple[float, ...], p0: float, name: str) -> MemoryOne:
        """A strategy from values already validated (rows of ``memory_one_array``): the
        kernels rebuild hundreds of these per call, where ``__post_init__``'s checks cost more
        than the compiled play itself."""
        obj = object.__new__(cls)
        object.__setattr__(obj, "p", p)
        object.__setattr__(obj, "p0", p0)
        object.__setattr__(obj, "name", name)
        return obj

    @property
    def vector(self) -> np.ndarray:
        """``[p_CC, p_CD, p_DC, p_DD, p0]`` as a float array of shape (5,)."""
        return np.array([*self.p, self.p0])

    @property
    def is_deterministic(self) -> bool:
        """True when every probability is 0 or 1."""
        return all(x in (0.0, 1.0) for x in (*self.p, self.p0))

    @functools.cached_property
    def _machine(self) -> FiniteStateStrategy:
        nxt = np.empty((5, 2, 2), dtype=np.int64)
        for my, their in itertools.product((C, D), repeat=2):
            nxt[:, my, their] = 2 * my + their
        return FiniteStateStrategy(
            output=(*self.p, self.p0), next_state=nxt, initial=4, name=self.name
        )

    def to_finite_state(self) -> FiniteStateStrategy:
        """The same strategy as a 5-state machine: states 0-3 are the last outcome, 4 the start.

        Returns
        -------
        FiniteStateStrategy
            Output ``(p_CC, p_CD, p_DC, p_DD, p0)``, next state ``2 * my_move + their_move``,
            initial state 4; plays exactly as this strategy.

        Examples
        --------
        >>> from allysim.strategies import TFT
        >>> TFT.to_finite_state().output
        (1.0, 0.0, 1.0, 0.0, 1.0)
        """
        return self._machine

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MemoryOne):
            return NotImplemented
        return (self.p, self.p0, self.name) == (other.p, other.p0, other.name)

    def __hash__(self) -> int:
        return hash((self.p, self.p0, self.name))


#: Either kind of strategy; every function that plays strategies accepts both.
Strategy = MemoryOne | FiniteStateStrategy


def memory_one_array(strategies: Any, *, name: str = "strategies") -> np.ndarray:
    """Stack memory-one strategies into an ``(n, 5)`` array ``[p_CC, p_CD, p_DC, p_DD, p0]``.

    Parameters
    ----------
    strategies : MemoryOne, sequence of MemoryOne, or array_like of shape (n, 5)
        The strategies; an array is validated as probabilities (integer arrays such as
        ``np.array([[1, 0, 1, 0, 1]])`` are accepted, boolean ones are not). At least one.
    name : str, default "strategies"
        Parameter name used in error messages (callers pass their own, e.g. ``"row_strategies"``).

    Returns
    -------
    numpy.ndarray, shape (n, 5)
        One row per strategy.

    Raises
    ------
    TypeError
        An element is not a [`MemoryOne`][allysim.strategies.MemoryOne], or the array does not
        hold real numbers.
    ValueError
        No strategies, a wrong shape, or an entry outside [0, 1].

    Examples
    --------
    >>> from allysim.strategies import ALLC, TFT
    >>> memory_one_array([ALLC, TFT]).tolist()
    [[1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 1.0, 0.0, 1.0]]
    >>> memory_one_array(np.array([[1, 0, 1, 0, 1]])).tolist()
    [[1.0, 0.0, 1.0, 0.0, 1.0]]
    """
    check_str(name, "name")
    if isinstance(strategies, MemoryOne):
        strategies = [strategies]
    if isinstance(strategies, np.ndarray):
        arr = as_probability_array(strategies, name, shape=(None, 5))
    elif isinstance(strategies, Sequence) and not isinstance(strategies, str):
        rows = []
        for s in strategies:
            if not isinstance(s, MemoryOne):
                raise TypeError(
                    f"{name} must hold MemoryOne objects (or be an (n, 5) array), got "
                    f"{type(s).__name__}"
                )
            rows.append(s.vector)
        arr = np.array(rows, dtype=float).reshape(len(rows), 5)
    else:
        raise TypeError(
            f"{name} must be a MemoryOne, a sequence of MemoryOne or an (n, 5) array, got "
            f"{type(strategies).__name__}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one strategy, got none")
    return arr


def deterministic_memory_one() -> list[MemoryOne]:
    """The 16 deterministic memory-one strategies, each with ``p0 = p_CC``.

    Named by their vector, e.g. ``M1010`` is TFT and ``M1001`` is WSLS.

    Returns
    -------
    list of MemoryOne
        In binary order of ``(p_CC, p_CD, p_DC, p_DD)``, from ``M0000`` to ``M1111``.

    Examples
    --------
    >>> [s.name for s in deterministic_memory_one()][:3]
    ['M0000', 'M0001', 'M0010']
    """
    out = []
    for bits in itertools.product((0, 1), repeat=4):
        out.append(MemoryOne(bits, p0=bits[0], name="M" + "".join(map(str, bits))))
    return out
