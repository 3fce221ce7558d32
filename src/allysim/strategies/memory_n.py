"""Memory-n strategies: contribute with a probability that depends on the last n outcomes.

A [`MemoryN`][allysim.strategies.MemoryN] strategy remembers the last ``n`` outcomes (n = 1, 2
or 3), each seen from its own side (own move first, ``2 * my_move + their_move``, so CC, CD,
DC, DD = 0, 1, 2, 3 as for [`MemoryOne`][allysim.strategies.MemoryOne]). A history is indexed
**oldest outcome first**, as the digits of a base-4 number::

    h = o[t - n] * 4**(n - 1) + ... + o[t - 2] * 4 + o[t - 1]

so for memory-two ``p[4 * o_before_last + o_last]``: ``p[0]`` follows (CC, CC), ``p[1]``
follows (CC, CD) (the partner withheld last round), ``p[4]`` follows (CD, CC), and so on. With
n = 1 this is the memory-one order. Axelrod-Python orders its sixteen-vector differently (own
two moves, then the partner's two); [`from_axelrod_vector`][allysim.strategies.from_axelrod_vector]
converts.

**Opening.** In rounds ``t < n`` fewer than ``n`` outcomes exist. By default
(``opening=None``) the strategy plays as if the partnership had been preceded by ``n`` rounds
of mutual cooperation: round ``t`` uses ``p`` at the history CC...CC followed by the ``t``
outcomes so far. So the first move is ``p[0]``, as ``p0 = p_CC`` in
[`deterministic_memory_one`][allysim.strategies.deterministic_memory_one]. Explicit openings
are given either as ``n`` probabilities (round ``t`` contributes with ``opening[t]`` whatever
happened, Axelrod-Python's convention) or as all ``(4**n - 1) / 3`` probabilities of a
shorter memory: round 0, then the 4 histories of round 1, then the 16 of round 2 (each ordered
oldest first as above). ``MemoryOne(p, p0)`` is exactly ``MemoryN(p, opening=(p0,))``.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from allysim._validation import (
    as_probability_array,
    check_int,
    check_probability,
    check_str,
)
from allysim.strategies.finite_state import FiniteStateStrategy
from allysim.strategies.memory_one import MemoryOne

__all__ = [
    "AON2",
    "DELAYED_AON1",
    "TF2T_MEMORY_TWO",
    "MemoryN",
    "deterministic_memory_two",
    "from_axelrod_vector",
    "memory_n_array",
    "reactive",
    "reactive_payoffs",
]

#: Largest memory supported: a memory-3 pair already has 4**3 = 64 joint histories, 4096 with
#: perception noise (the two players' views then differ).
MAX_MEMORY = 3


def _opening_size(n: int) -> int:
    return (4**n - 1) // 3


def _swap_histories(n: int) -> np.ndarray:
    """Index map from a history seen by one player to the same history seen by the other."""
    out = np.zeros(4**n, dtype=np.int64)
    swap = np.array([0, 2, 1, 3])
    for h in range(4**n):
        digits = [(h >> (2 * (n - 1 - k))) & 3 for k in range(n)]
        v = 0
        for d in digits:
            v = 4 * v + int(swap[d])
        out[h] = v
    return out


def _default_opening(p: np.ndarray, n: int) -> np.ndarray:
    # Padding with CC (outcome 0) on the oldest side leaves the index unchanged: the history of
    # round t, padded, is simply the index of its t outcomes.
    parts = [p[: 4**t] for t in range(n)]
    return np.concatenate(parts)


@dataclass(frozen=True, eq=False)
class MemoryN:
    """A memory-n strategy: contribute with probability ``p[history of the last n outcomes]``.

    Parameters
    ----------
    p : sequence of float, length 4, 16 or 64
        Probabilities in [0, 1] to contribute after each history of the last ``n`` outcomes
        (``n = 1, 2, 3`` from the length), indexed oldest outcome first in base 4, each outcome
        ``2 * my_move + their_move`` (CC, CD, DC, DD). See the module notes.
    opening : sequence of float or None, default None
        How the first ``n`` rounds are played. None: as if preceded by ``n`` rounds of mutual
        cooperation. ``n`` values: round ``t`` contributes with ``opening[t]``. ``(4**n - 1)
        / 3`` values (1, 5 or 21): round 0, then one value per history of each later opening
        round. For ``n = 1`` both forms are ``(p0,)``.
    name : str, default "memory-n"
        Label used in tables and plots.

    Attributes
    ----------
    n : int
        The memory length.
    opening : tuple of float
        The opening in the full form, ``(4**n - 1) / 3`` values.

    Raises
    ------
    TypeError
        A probability is not a real number, or ``name`` is not a str.
    ValueError
        ``p`` or ``opening`` has the wrong length, or a probability is outside [0, 1].

    Examples
    --------
    >>> from allysim.strategies import MemoryN
    >>> tft2 = MemoryN.from_memory_one((1, 0, 1, 0), p0=1).lift(2)
    >>> tft2.n, tft2.p[:4]
    (2, (1.0, 0.0, 1.0, 0.0))
    >>> tft2.to_finite_state().n_states  # 16 histories + 5 opening states
    21
    """

    p: tuple[float, ...]
    opening: tuple[float, ...] | None = None
    name: str = "memory-n"

    def __post_init__(self) -> None:
        p = as_probability_array(self.p, "p", shape=(None,))
        sizes = {4**k: k for k in range(1, MAX_MEMORY + 1)}
        if p.shape[0] not in sizes:
            raise ValueError(
                f"p must have 4, 16 or 64 entries (memory n = 1, 2, 3), got {p.shape[0]}"
            )
        n = sizes[p.shape[0]]
        if self.opening is None:
            opening = _default_opening(p, n)
        else:
            raw = as_probability_array(self.opening, "opening", shape=(None,))
            full = _opening_size(n)
            if raw.shape[0] == full:
                opening = raw
            elif raw.shape[0] == n:
                opening = np.concatenate([np.full(4**t, raw[t]) for t in range(n)])
            else:
                raise ValueError(
                    f"opening must have {n} entries (one per opening round) or {full} (one per "
                    f"opening history) for a memory-{n} strategy, got {raw.shape[0]}"
                )
        check_str(self.name, "name")
        object.__setattr__(self, "p", tuple(float(x) for x in p))
        object.__setattr__(self, "opening", tuple(float(x) for x in opening))

    @property
    def n(self) -> int:
        """The memory length (1, 2 or 3)."""
        return {4: 1, 16: 2, 64: 3}[len(self.p)]

    @property
    def is_deterministic(self) -> bool:
        """True when every probability, opening included, is 0 or 1."""
        assert self.opening is not None
        return all(x in (0.0, 1.0) for x in (*self.p, *self.opening))

    @classmethod
    def from_memory_one(cls, p: Any, p0: float = 1.0, name: str = "memory-one") -> MemoryN:
        """The memory-one strategy ``(p, p0)`` (or a ``MemoryOne``) as a ``MemoryN`` with n = 1.

        Parameters
        ----------
        p : MemoryOne or sequence of float, length 4
            A memory-one strategy, or its ``(p_CC, p_CD, p_DC, p_DD)``.
        p0 : float, default 1.0
            First-round probability (ignored when ``p`` is a ``MemoryOne``).
        name : str, default "memory-one"
            Label (ignored when ``p`` is a ``MemoryOne``, whose name is kept).

        Returns
        -------
        MemoryN
            The same strategy, exactly: ``opening = (p0,)``.

        Examples
        --------
        >>> from allysim.strategies import WSLS
        >>> MemoryN.from_memory_one(WSLS).opening
        (1.0,)
        """
        if isinstance(p, MemoryOne):
            return cls(p.p, opening=(p.p0,), name=p.name)
        return cls(p, opening=(check_probability(p0, "p0"),), name=name)

    def lift(self, n: int) -> MemoryN:
        """The same strategy written with a longer memory ``n`` (exact; it ignores the extra).

        Parameters
        ----------
        n : int
            Target memory, from ``self.n`` to 3.

        Returns
        -------
        MemoryN
            A memory-``n`` strategy that plays exactly as this one after every history.

        Raises
        ------
        ValueError
            ``n`` is below ``self.n`` or above 3.

        Examples
        --------
        >>> from allysim.strategies import TFT
        >>> MemoryN.from_memory_one(TFT).lift(2).p[4:8]  # after (CD, *): copy the last move
        (1.0, 0.0, 1.0, 0.0)
        """
        n = check_int(n, "n", minimum=1)
        if not self.n <= n <= MAX_MEMORY:
            raise ValueError(f"n must lie in [{self.n}, {MAX_MEMORY}], got {n}")
        if n == self.n:
            return self
        k = self.n
        p = np.asarray(self.p)
        p_new = p[np.arange(4**n) % 4**k]
        assert self.opening is not None
        opening = list(self.opening)
        # Rounds k..n-1 of the longer memory already see at least k outcomes: the old rule.
        for t in range(k, n):
            opening.extend(p[np.arange(4**t) % 4**k].tolist())
        return MemoryN(tuple(p_new), opening=tuple(opening), name=self.name)

    @functools.cached_property
    def _machine(self) -> FiniteStateStrategy:
        n = self.n
        full = 4**n
        k = full + _opening_size(n)
        nxt = np.empty((k, 2, 2), dtype=np.int64)
        outcome = np.arange(4).reshape(2, 2)  # [my_move, their_move] -> 2 * my + their
        nxt[:full] = (np.arange(full)[:, None, None] * 4 + outcome) % full
        for t in range(n):
            base = full + _opening_size(t)
            for h in range(4**t):
                dest = h * 4 + outcome
                nxt[base + h] = dest if t + 1 == n else full + _opening_size(t + 1) + dest
        assert self.opening is not None
        return FiniteStateStrategy(
            output=(*self.p, *self.opening), next_state=nxt, initial=full, name=self.name
        )

    def to_finite_state(self) -> FiniteStateStrategy:
        """The same strategy as a finite-state machine (exact).

        States ``0 .. 4**n - 1`` are the full histories (same index as ``p``); the opening
        histories follow: ``4**n`` is the first round (the initial state), then the 4 histories
        of round 1, the 16 of round 2. With n = 1 this is ``MemoryOne.to_finite_state()``.

        Returns
        -------
        FiniteStateStrategy
            ``4**n + (4**n - 1) / 3`` states (5, 21 or 85); every kernel and tournament of
            allysim accepts it.

        Examples
        --------
        >>> AON2.to_finite_state().n_states
        21
        """
        return self._machine

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MemoryN):
            return NotImplemented
        return (self.p, self.opening, self.name) == (other.p, other.opening, other.name)

    def __hash__(self) -> int:
        return hash((self.p, self.opening, self.name))


def memory_n_array(strategies: Any, n: int | None = None, *, name: str = "strategies"):
    """Stack memory-n strategies into arrays ``p`` (k, 4**n) and ``opening`` (k, (4**n-1)/3).

    Shorter memories are lifted exactly (see [`MemoryN.lift`][allysim.strategies.MemoryN.lift]);
    ``MemoryOne`` objects are accepted.

    Parameters
    ----------
    strategies : MemoryN, MemoryOne, sequence of them, or array_like of shape (k, 4**m)
        The strategies; an array holds the ``p`` vectors and gets the default opening.
    n : int or None, default None
        Memory to lift to; None uses the longest memory among ``strategies``.
    name : str, default "strategies"
        Parameter name used in error messages.

    Returns
    -------
    tuple of two numpy.ndarray
        ``p`` of shape (k, 4**n) and ``opening`` of shape (k, (4**n - 1) / 3).

    Raises
    ------
    TypeError
        An element is not a strategy of these kinds.
    ValueError
        No strategies, a wrong array shape, or ``n`` shorter than a strategy's memory.

    Examples
    --------
    >>> from allysim.strategies import TFT
    >>> p, opening = memory_n_array([TFT, AON2])
    >>> p.shape, opening.shape
    ((2, 16), (2, 5))
    """
    check_str(name, "name")
    items: list[MemoryN]
    if isinstance(strategies, MemoryN | MemoryOne):
        strategies = [strategies]
    if isinstance(strategies, np.ndarray):
        arr = as_probability_array(strategies, name, shape=(None, None))
        if arr.shape[1] not in (4, 16, 64):
            raise ValueError(
                f"{name} must have 4, 16 or 64 columns (p of memory 1, 2, 3), got {arr.shape[1]}"
            )
        items = [MemoryN(tuple(row), name=f"{name}[{i}]") for i, row in enumerate(arr)]
    elif isinstance(strategies, Sequence) and not isinstance(strategies, str):
        items = []
        for s in strategies:
            if isinstance(s, MemoryOne):
                s = MemoryN.from_memory_one(s)
            if not isinstance(s, MemoryN):
                raise TypeError(
                    f"{name} must hold MemoryN or MemoryOne objects (or be a (k, 4**n) array), "
                    f"got {type(s).__name__}"
                )
            items.append(s)
    else:
        raise TypeError(
            f"{name} must be a MemoryN, a sequence of MemoryN or a (k, 4**n) array, got "
            f"{type(strategies).__name__}"
        )
    if not items:
        raise ValueError(f"{name} must hold at least one strategy, got none")
    longest = max(s.n for s in items)
    if n is None:
        n = longest
    n = check_int(n, "n", minimum=1)
    if not longest <= n <= MAX_MEMORY:
        raise ValueError(f"n must lie in [{longest}, {MAX_MEMORY}] for {name}, got {n}")
    lifted = [s.lift(n) for s in items]
    p = np.array([s.p for s in lifted], dtype=float)
    opening = np.array([s.opening for s in lifted], dtype=float)
    return p, opening


def deterministic_memory_two() -> np.ndarray:
    """The 2**16 = 65,536 deterministic memory-two strategies as a (65536, 16) uint8 array.

    Row ``k`` holds the binary digits of ``k``, most significant first, so row 0 is ALLD and the
    last row ALLC (the order of
    [`deterministic_memory_one`][allysim.strategies.deterministic_memory_one]). With the
    default opening each plays as if after two rounds of mutual cooperation (first move
    ``p[0]``).

    Returns
    -------
    numpy.ndarray, shape (65536, 16), dtype uint8
        ``p`` of every deterministic memory-two strategy.

    Examples
    --------
    >>> space = deterministic_memory_two()
    >>> space.shape, space[0].sum(), space[-1].sum()
    ((65536, 16), np.uint64(0), np.uint64(16))
    >>> int((space == np.array(AON2.p)).all(axis=1).argmax())  # AON2's row
    36873
    """
    k = np.arange(2**16, dtype=np.uint32)
    bits = (k[:, None] >> np.arange(15, -1, -1, dtype=np.uint32)) & 1
    return bits.astype(np.uint8)


def from_axelrod_vector(vector: Any, initial: Any = (1, 1), name: str = "memory-two") -> MemoryN:
    """A memory-two strategy from Axelrod-Python's ``MemoryTwoPlayer`` sixteen-vector.

    Axelrod-Python orders the histories by the player's own last two moves, then the partner's
    (``P(C | my_2 my_1, their_2 their_1)``, older first); allysim orders them by outcome,
    older outcome first (``(my_2 their_2), (my_1 their_1)``).

    Parameters
    ----------
    vector : sequence of float, length 16
        Axelrod-Python's ``sixteen_vector``.
    initial : sequence of float, length 2, default (1, 1)
        Probability to contribute in rounds 1 and 2 (Axelrod-Python's ``initial``: C, C).
    name : str, default "memory-two"
        Label.

    Returns
    -------
    MemoryN
        The same strategy in allysim's order.

    Examples
    --------
    >>> aon2 = from_axelrod_vector((1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1))
    >>> aon2.p == AON2.p
    True
    """
    v = as_probability_array(vector, "vector", shape=(16,))
    init = as_probability_array(initial, "initial", shape=(2,))
    p = np.empty(16)
    for my2, my1, th2, th1 in itertools.product((0, 1), repeat=4):
        p[4 * (2 * my2 + th2) + (2 * my1 + th1)] = v[8 * my2 + 4 * my1 + 2 * th2 + th1]
    return MemoryN(tuple(p), opening=tuple(init), name=name)


def reactive(p: float, q: float, p0: float | None = None, name: str = "reactive") -> MemoryOne:
    """A reactive strategy (Nowak & Sigmund 1990): contribute with ``p`` after a C, ``q`` after D.

    It looks only at the partner's last move: the memory-one strategy
    ``(p_CC, p_CD, p_DC, p_DD) = (p, q, p, q)``.

    Parameters
    ----------
    p : float
        Probability in [0, 1] to contribute after the partner contributed.
    q : float
        Probability in [0, 1] to contribute after the partner withheld.
    p0 : float or None, default None
        First-round probability in [0, 1]; None uses ``p`` (as if the partner had
        contributed).
    name : str, default "reactive"
        Label.

    Returns
    -------
    MemoryOne
        The reactive strategy.

    Examples
    --------
    >>> reactive(1, 0).p  # tit-for-tat
    (1.0, 0.0, 1.0, 0.0)
    """
    p = check_probability(p, "p")
    q = check_probability(q, "q")
    p0 = p if p0 is None else check_probability(p0, "p0")
    return MemoryOne((p, q, p, q), p0=p0, name=name)


def reactive_payoffs(
    x: tuple[float, float], y: tuple[float, float], payoffs: tuple[float, float, float, float]
) -> tuple[float, float]:
    """Closed-form long-run payoffs of two reactive strategies (Nowak & Sigmund 1990).

    With ``r_i = p_i - q_i`` and ``|r_1 r_2| < 1`` player 1 contributes in the long run with
    ``s_1 = (q_1 + r_1 q_2) / (1 - r_1 r_2)`` and player 2 with ``s_2 = (q_2 + r_2 q_1) / (1 -
    r_1 r_2)``; the two moves of a round are independent (each depends on a different chain of
    past moves), so player 1 earns ``R s_1 s_2 + S s_1 (1 - s_2) + T (1 - s_1) s_2 + P (1 -
    s_1)(1 - s_2)`` (Nowak & Sigmund 1990, Acta Appl Math 20:247-265). The opening does not
    matter.

    Parameters
    ----------
    x : tuple of float
        Player 1's ``(p, q)``.
    y : tuple of float
        Player 2's ``(p, q)``.
    payoffs : tuple of float
        ``(R, S, T, P)`` of a symmetric 2x2 game.

    Returns
    -------
    tuple of float
        Player 1's and player 2's payoff per round in the limit of means.

    Raises
    ------
    ValueError
        ``|r_1 r_2| = 1`` (both strategies deterministic tit-for-tat-like, play cycles and
        depends on the opening), or a probability is outside [0, 1].

    Examples
    --------
    >>> reactive_payoffs((1, 0.3), (1, 0.3), (3, 0, 5, 1))  # two GTFT: full cooperation
    (3.0, 3.0)
    """
    p1, q1 = (check_probability(v, f"x[{i}]") for i, v in enumerate(x))
    p2, q2 = (check_probability(v, f"y[{i}]") for i, v in enumerate(y))
    r1, r2 = p1 - q1, p2 - q2
    if abs(r1 * r2) >= 1:
        raise ValueError(
            "x and y must satisfy |r_x r_y| < 1 (r = p - q); with |r_x r_y| = 1 play cycles "
            "and the payoff depends on the opening"
        )
    s1 = (q1 + r1 * q2) / (1 - r1 * r2)
    s2 = (q2 + r2 * q1) / (1 - r1 * r2)
    R, S, T, P = (float(v) for v in payoffs)
    u1 = R * s1 * s2 + S * s1 * (1 - s2) + T * (1 - s1) * s2 + P * (1 - s1) * (1 - s2)
    u2 = R * s1 * s2 + T * s1 * (1 - s2) + S * (1 - s1) * s2 + P * (1 - s1) * (1 - s2)
    return u1, u2


def _aon2() -> MemoryN:
    # Hilbe et al. (2017): contribute iff in each of the last two rounds both players chose the
    # same action (outcome CC or DD).
    same = np.array([1, 0, 0, 1])
    p = np.outer(same, same).ravel()
    return MemoryN(tuple(p), name="AON2")


def _delayed_aon1() -> MemoryN:
    # Axelrod-Python's choice among the variants Hilbe et al. (2017) list (self-cooperation
    # 0.971 there).
    return from_axelrod_vector(
        (1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1), initial=(1, 1), name="Delayed AON1"
    )


def _tf2t() -> MemoryN:
    # Withhold only after two consecutive withheld contributions of the partner.
    their = np.array([0, 1, 0, 1])
    p = 1 - np.outer(their, their).ravel()
    return MemoryN(tuple(p), name="TF2T (memory-two)")


#: All-or-none of memory two (Hilbe, Martinez-Vaquero, Chatterjee & Nowak 2017, PNAS
#: 114:4715): contribute iff in each of the last two rounds both chose the same action.
AON2 = _aon2()
#: A delayed win-stay, lose-shift of memory two, as in Axelrod-Python (Hilbe et al. 2017).
DELAYED_AON1 = _delayed_aon1()
#: Tit-for-two-tats as a memory-two strategy; plays exactly as the finite-state ``TF2T``.
TF2T_MEMORY_TWO = _tf2t()
