"""Partnering strategies as plain data: memory-one vectors and finite-state (Moore) machines.

Moves are coded ``C = 0`` (contribute) and ``D = 1`` (withhold); an outcome seen from a player's
own side is ``2 * my_move + their_move``, so outcomes are ordered CC, CD, DC, DD.

* A [`MemoryOne`][allysim.strategies.MemoryOne] strategy is ``p = (p_CC, p_CD, p_DC, p_DD)``,
  the probability to contribute after each outcome of the last round, plus ``p0`` for the first
  round.
* A [`FiniteStateStrategy`][allysim.strategies.FiniteStateStrategy] has ``output[state]``
  (probability to contribute in that state),
  ``next[state, my_move, their_move]`` (the state after a round, from the move it made and the
  move it saw) and an ``initial`` state. Memory-one strategies convert to it exactly.

Because strategies are arrays, a population of thousands is a single ``(n, 5)`` array (see
[`memory_one_array`][allysim.strategies.memory_one_array]) that the kernels process at once.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from allysim._validation import (
    as_float_array,
    as_probability_array,
    check_game,
    check_int,
    check_probability,
    check_real,
    check_str,
)
from allysim.games import PrisonersDilemma, StageGame, _symmetric_payoffs

__all__ = [
    "ALLC",
    "ALLD",
    "ALTERNATOR",
    "CLASSIC",
    "GRIM",
    "GTFT",
    "RANDOM",
    "STFT",
    "TF2T",
    "TFT",
    "WSLS",
    "FiniteStateStrategy",
    "MemoryOne",
    "Strategy",
    "deterministic_memory_one",
    "extortionate",
    "generous",
    "machine_tables",
    "memory_one_array",
    "named",
    "zd_phi_range",
    "zero_determinant",
]

C, D = 0, 1


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
        return FiniteStateStrategy(output=(*self.p, self.p0), next=nxt, initial=4, name=self.name)

    def to_finite_state(self) -> FiniteStateStrategy:
        """The same strategy as a 5-state machine: states 0-3 are the last outcome, 4 the start.

        Returns
        -------
        FiniteStateStrategy
            Output ``(p_CC, p_CD, p_DC, p_DD, p0)``, next state ``2 * my_move + their_move``,
            initial state 4; plays exactly as this strategy.

        Examples
        --------
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


@dataclass(frozen=True, eq=False)
class FiniteStateStrategy:
    """A finite-state (Moore machine) strategy.

    Parameters
    ----------
    output : sequence of float, length k >= 1
        Probability in [0, 1] to contribute in each state.
    next : array_like of int, shape (k, 2, 2)
        ``next[state, my_move, their_move]``: the state after a round in which this player made
        ``my_move`` and saw ``their_move`` (0 = C, 1 = D). Under perception noise ``their_move``
        is what it saw, not what happened. Entries are states in ``[0, k - 1]``; integral floats
        are accepted, booleans are not.
    initial : int, default 0
        Starting state, in ``[0, k - 1]``.
    name : str, default "finite-state"
        Label used in tables and plots.

    Raises
    ------
    TypeError
        An entry is not a real number (booleans and strings included), ``initial`` is not an
        integer, or ``name`` is not a str.
    ValueError
        Wrong shapes, an output outside [0, 1], a next state that is not an integer state, or an
        ``initial`` state out of range.

    Notes
    -----
    Frozen: assigning an attribute raises ``dataclasses.FrozenInstanceError``, and
    ``transitions`` is read-only.

    Examples
    --------
    >>> GRIM.n_states, GRIM.output
    (2, (1.0, 0.0))
    """

    output: tuple[float, ...]
    next: Any
    initial: int = 0
    name: str = "finite-state"
    _next: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        out = as_probability_array(self.output, "output", shape=(None,))
        k = out.shape[0]
        if k < 1:
            raise ValueError("output must have at least one state, got an empty sequence")
        nxt_f = as_float_array(self.next, "next")
        if nxt_f.shape != (k, 2, 2):
            raise ValueError(
                f"next must have shape ({k}, 2, 2), one (2, 2) table per state of output, got "
                f"{nxt_f.shape}"
            )
        if np.any(nxt_f != np.round(nxt_f)) or np.any((nxt_f < 0) | (nxt_f >= k)):
            raise ValueError(f"next must hold integer states in [0, {k - 1}]")
        nxt = nxt_f.astype(np.int64)
        nxt.setflags(write=False)
        initial = check_int(self.initial, "initial", minimum=0)
        if initial >= k:
            raise ValueError(f"initial must be a state in [0, {k - 1}], got {initial}")
        object.__setattr__(self, "output", tuple(float(x) for x in out))
        object.__setattr__(self, "_next", nxt)
        object.__setattr__(self, "next", tuple(map(tuple, nxt.reshape(k, 4).tolist())))
        object.__setattr__(self, "initial", initial)
        check_str(self.name, "name")

    @property
    def n_states(self) -> int:
        """Number of states k."""
        return len(self.output)

    @property
    def transitions(self) -> np.ndarray:
        """``next`` as a read-only int array of shape (k, 2, 2)."""
        return self._next

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
        >>> GRIM.to_finite_state() is GRIM
        True
        """
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FiniteStateStrategy):
            return NotImplemented
        return (self.output, self.next, self.initial, self.name) == (
            other.output,
            other.next,
            other.initial,
            other.name,
        )

    def __hash__(self) -> int:
        return hash((self.output, self.next, self.initial, self.name))

    def __reduce__(self):
        return (
            FiniteStateStrategy,
            (self.output, np.asarray(self._next), self.initial, self.name),
        )


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


def _grudger() -> FiniteStateStrategy:
    # State 0 contributes; the first withheld contribution seen moves it to 1 for good.
    nxt = np.zeros((2, 2, 2), dtype=np.int64)
    nxt[0, :, D] = 1
    nxt[1] = 1
    return FiniteStateStrategy(output=(1.0, 0.0), next=nxt, initial=0, name="GRIM")


def _tit_for_two_tats() -> FiniteStateStrategy:
    # State = number of consecutive partner defections seen, capped at 2.
    nxt = np.zeros((3, 2, 2), dtype=np.int64)
    nxt[0, :, D] = 1
    nxt[1, :, D] = 2
    nxt[2, :, D] = 2
    return FiniteStateStrategy(output=(1.0, 1.0, 0.0), next=nxt, initial=0, name="TF2T")


def _alternator() -> FiniteStateStrategy:
    # Follows its own last actual move (as Axelrod-Python's Alternator does), so an
    # execution error shifts its phase.
    nxt = np.zeros((2, 2, 2), dtype=np.int64)
    nxt[:, C, :] = 1
    nxt[:, D, :] = 0
    return FiniteStateStrategy(output=(1.0, 0.0), next=nxt, initial=0, name="ALTERNATOR")


#: Always contribute.
ALLC = MemoryOne((1, 1, 1, 1), p0=1, name="ALLC")
#: Always withhold.
ALLD = MemoryOne((0, 0, 0, 0), p0=0, name="ALLD")
#: Tit-for-tat (Rapoport; Axelrod 1980): contribute first, then copy the partner's last move.
TFT = MemoryOne((1, 0, 1, 0), p0=1, name="TFT")
#: Suspicious tit-for-tat: as TFT but withhold in the first round.
STFT = MemoryOne((1, 0, 1, 0), p0=0, name="STFT")
#: Win-stay, lose-shift / Pavlov (Nowak & Sigmund 1993): repeat after R or T, switch after S or P.
WSLS = MemoryOne((1, 0, 0, 1), p0=1, name="WSLS")
#: Grim trigger / Grudger (Friedman 1971): contribute until the partner withholds once, then never.
GRIM = _grudger()
#: Tit-for-two-tats (Axelrod 1984): withhold only after two consecutive partner defections.
TF2T = _tit_for_two_tats()
#: Alternator: C, D, C, D, ...
ALTERNATOR = _alternator()


def GTFT(game: StageGame | None = None) -> MemoryOne:
    """Generous tit-for-tat (Nowak & Sigmund 1992), with generosity from the game's payoffs.

    ``p = (1, g, 1, g)``, ``p0 = 1``, with ``g = min(1 - (T - R) / (R - S), (R - P) / (T - P))``
    (Nowak & Sigmund 1992, Nature 355:250; the rule Axelrod-Python uses).

    Parameters
    ----------
    game : StageGame, optional
        A symmetric 2x2 game with ``R > S`` and ``T > P`` whose generosity ``g`` lies in
        [0, 1], as in every repeated prisoner's dilemma. Default ``PrisonersDilemma()`` (R=3,
        S=0, T=5, P=1), giving ``g = 1/3``.

    Returns
    -------
    MemoryOne
        Named ``"GTFT"``.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame].
    ValueError
        ``game`` is not a symmetric 2x2 game, or its payoffs give no generosity in [0, 1]
        (for instance R = S, T = P, or a harmony game).

    Examples
    --------
    >>> [round(x, 4) for x in GTFT().p]
    [1.0, 0.3333, 1.0, 0.3333]
    >>> [round(x, 4) for x in GTFT(PrisonersDilemma(R=3, S=0, T=4, P=1)).p]
    [1.0, 0.6667, 1.0, 0.6667]
    """
    game = PrisonersDilemma() if game is None else game
    R, S, T, P = _symmetric_payoffs(game, "game")
    advice = (
        "GTFT's generosity g = min(1 - (T-R)/(R-S), (R-P)/(T-P)) (Nowak & Sigmund 1992) needs a "
        "prisoner's dilemma (T > R > P > S, 2R > T + S); pass such a game, or build generous "
        "tit-for-tat with an explicit generosity g in [0, 1] as MemoryOne((1, g, 1, g), p0=1, "
        "name='GTFT')"
    )
    payoffs = f"R={R:g}, S={S:g}, T={T:g}, P={P:g}"
    if not (R > S and T > P):
        raise ValueError(f"game has {payoffs}, so R > S and T > P fail: {advice}")
    g = min(1 - (T - R) / (R - S), (R - P) / (T - P))
    if not 0 <= g <= 1:
        raise ValueError(
            f"game has {payoffs}, giving generosity g = {g:g}, not in [0, 1]: {advice}"
        )
    return MemoryOne((1, g, 1, g), p0=1, name="GTFT")


def RANDOM(p: float = 0.5) -> MemoryOne:
    """Contribute with probability ``p`` every round, the first included.

    Parameters
    ----------
    p : float, default 0.5
        Probability in [0, 1] to contribute.

    Returns
    -------
    MemoryOne
        ``p = (p, p, p, p)``, ``p0 = p``, named ``"RANDOM(p)"``.

    Raises
    ------
    TypeError
        ``p`` is not a real number.
    ValueError
        ``p`` is not finite or outside [0, 1].

    Examples
    --------
    >>> RANDOM(0.25).p
    (0.25, 0.25, 0.25, 0.25)
    """
    p = check_probability(p, "p")
    return MemoryOne((p, p, p, p), p0=p, name=f"RANDOM({p:g})")


#: The classic strategies of the literature, for tournaments and the demo.
CLASSIC: tuple[Strategy, ...] = (ALLC, ALLD, TFT, STFT, GTFT(), WSLS, GRIM, TF2T, ALTERNATOR)


def _zd_parts(
    payoffs: tuple[float, float, float, float], chi: float, baseline: float
) -> tuple[np.ndarray, np.ndarray]:
    R, S, T, P = payoffs
    sx = np.array([R, S, T, P])
    sy = np.array([R, T, S, P])
    # Press & Dyson: p - (1, 1, 0, 0) = phi * [(S_X - l) - chi (S_Y - l)] enforces
    # s_X - l = chi (s_Y - l) in the long run.
    return np.array([1.0, 1.0, 0.0, 0.0]), (sx - baseline) - chi * (sy - baseline)


def _phi_max(game: Any, chi: Any, baseline: Any) -> tuple[float, float, float, np.ndarray]:
    payoffs = _symmetric_payoffs(game, "game")
    chi = check_real(chi, "chi")
    baseline = check_real(baseline, "baseline")
    a, b = _zd_parts(payoffs, chi, baseline)
    if not np.all(np.isfinite(b)):
        raise ValueError(
            f"chi={chi:g} and baseline={baseline:g} are too large for this game's payoffs: the "
            "strategy's coefficients overflow"
        )
    if not np.any(b):
        raise ValueError(
            f"chi={chi:g} with this game (S = T) makes s_X - {baseline:g} = chi (s_Y - "
            f"{baseline:g}) hold for every strategy, so it defines no zero-determinant strategy; "
            "pick chi != 1"
        )
    phi_max = np.inf
    for ai, bi in zip(a, b, strict=True):
        if bi > 0:
            phi_max = min(phi_max, (1 - ai) / bi)
        elif bi < 0:
            phi_max = min(phi_max, -ai / bi)
    if not phi_max > 0:
        raise ValueError(
            f"no zero-determinant strategy enforces s_X - {baseline:g} = {chi:g} (s_Y - "
            f"{baseline:g}) in this game (chi={chi:g}, baseline={baseline:g}): no phi > 0 gives "
            "probabilities in [0, 1]; the baseline must lie between P and R"
        )
    return float(phi_max), chi, baseline, b


def zd_phi_range(game: StageGame, chi: float, baseline: float) -> tuple[float, float]:
    """The open-closed interval ``(0, phi_max]`` of feasible ``phi`` for a ZD strategy.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game.
    chi : float
        The slope ``chi`` of the enforced relation ``s_X - baseline = chi (s_Y - baseline)``.
    baseline : float
        The payoff level ``l`` of the relation, in payoff units.

    Returns
    -------
    tuple of float
        ``(0.0, phi_max)``: every ``phi`` with ``0 < phi <= phi_max`` gives probabilities in
        [0, 1].

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], or ``chi`` or ``baseline``
        is not a real number.
    ValueError
        ``game`` is not symmetric 2x2, ``chi`` or ``baseline`` is not finite, or no ``phi > 0``
        is feasible (the message names ``chi`` and ``baseline``).

    Examples
    --------
    >>> zd_phi_range(PrisonersDilemma(), chi=3, baseline=1)  # Press & Dyson: phi <= 1/13
    (0.0, 0.07692307692307693)
    """
    return 0.0, _phi_max(game, chi, baseline)[0]


def zero_determinant(
    game: StageGame,
    *,
    chi: float,
    phi: float,
    baseline: float,
    p0: float = 1.0,
    name: str | None = None,
) -> MemoryOne:
    """A zero-determinant strategy enforcing ``s_X - baseline = chi (s_Y - baseline)``.

    From Press & Dyson (2012, PNAS 109:10409): ``p = (1, 1, 0, 0) + phi [(S_X - l) - chi (S_Y -
    l)]`` with ``S_X = (R, S, T, P)``, ``S_Y = (R, T, S, P)`` and ``l = baseline``. In the long run
    (limit of means) the relation holds against any opponent. ``baseline = P`` gives extortion,
    ``baseline = R`` generosity (Stewart & Plotkin 2013).

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 game.
    chi : float
        Slope of the enforced relation.
    phi : float
        Scale in ``(0, phi_max]`` (see [`zd_phi_range`][allysim.strategies.zd_phi_range]).
    baseline : float
        Payoff level ``l`` of the relation.
    p0 : float, default 1.0
        Probability in [0, 1] to contribute in the first round (it does not affect the
        long-run relation).
    name : str, optional
        Label; default ``"ZD(chi=..., l=...)"``.

    Returns
    -------
    MemoryOne
        The strategy. Round-off at the boundary ``phi = phi_max`` is clipped into [0, 1];
        larger excursions are refused.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], a number is not a real number, or
        ``name`` is not a str.
    ValueError
        A number is not finite, ``phi`` is outside the feasible range (the message gives it), or
        no ZD strategy enforces the relation in ``game``.

    Examples
    --------
    >>> s = zero_determinant(PrisonersDilemma(), chi=3, phi=1 / 26, baseline=1)
    >>> [round(x, 4) for x in s.p]  # Press & Dyson's Extort-3: (11/13, 1/2, 7/26, 0)
    [0.8462, 0.5, 0.2692, 0.0]
    """
    phi = check_real(phi, "phi")
    if name is not None:
        check_str(name, "name")
    phi_max, chi, baseline, b = _phi_max(game, chi, baseline)
    if not 0 < phi <= phi_max * (1 + 1e-12):
        raise ValueError(
            f"phi must lie in (0, {phi_max:.6g}] for chi={chi:g}, baseline={baseline:g}, got "
            f"{phi!r}"
        )
    p = np.clip(np.array([1.0, 1.0, 0.0, 0.0]) + phi * b, 0.0, 1.0)
    label = name if name is not None else f"ZD(chi={chi:g}, l={baseline:g})"
    return MemoryOne(tuple(float(x) for x in p), p0=p0, name=label)


def _zd_family(game: Any, chi: Any, phi: Any, which: str) -> tuple[StageGame, float, float | None]:
    game = PrisonersDilemma() if game is None else game
    check_game(game, "game")
    chi = check_real(chi, "chi")
    if chi < 1:
        raise ValueError(f"chi must be >= 1 for {which} strategy, got {chi!r}")
    return game, chi, None if phi is None else check_real(phi, "phi")


def extortionate(
    game: StageGame | None = None, chi: float = 3.0, phi: float | None = None, p0: float = 1.0
) -> MemoryOne:
    """An extortionate ZD strategy (Press & Dyson 2012): ``s_X - P = chi (s_Y - P)``, chi >= 1.

    Parameters
    ----------
    game : StageGame, optional
        A symmetric 2x2 game; default ``PrisonersDilemma()``.
    chi : float, default 3.0
        Extortion factor, >= 1: the strategy's surplus over P is ``chi`` times the partner's.
    phi : float, optional
        Scale in ``(0, phi_max]``; default half of ``phi_max``, which for the standard payoffs
        and chi=3 gives Press & Dyson's Extort-3 ``(11/13, 1/2, 7/26, 0)``.
    p0 : float, default 1.0
        Probability in [0, 1] to contribute in the first round.

    Returns
    -------
    MemoryOne
        Named ``"EXTORT(chi)"``.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], or a number is not a real number.
    ValueError
        ``chi < 1``, a number is not finite, ``phi`` is infeasible, or ``game`` admits no such
        strategy (not symmetric 2x2, or no feasible phi).

    Examples
    --------
    >>> s = extortionate()
    >>> s.name, [round(x, 4) for x in s.p]
    ('EXTORT(3)', [0.8462, 0.5, 0.2692, 0.0])
    """
    game, chi, phi = _zd_family(game, chi, phi, "an extortionate")
    P = _symmetric_payoffs(game, "game")[3]
    if phi is None:
        phi = _phi_max(game, chi, P)[0] / 2
    return zero_determinant(game, chi=chi, phi=phi, baseline=P, p0=p0, name=f"EXTORT({chi:g})")


def generous(
    game: StageGame | None = None, chi: float = 2.0, phi: float | None = None, p0: float = 1.0
) -> MemoryOne:
    """A generous ZD strategy (Stewart & Plotkin 2013): ``s_X - R = chi (s_Y - R)``, ``chi >= 1``.

    It concedes: the partner never earns less than it does.

    Parameters
    ----------
    game : StageGame, optional
        A symmetric 2x2 game; default ``PrisonersDilemma()``.
    chi : float, default 2.0
        Generosity factor, >= 1: the strategy's shortfall below R is ``chi`` times the
        partner's.
    phi : float, optional
        Scale in ``(0, phi_max]``; default half of ``phi_max``.
    p0 : float, default 1.0
        Probability in [0, 1] to contribute in the first round.

    Returns
    -------
    MemoryOne
        Named ``"GENEROUS(chi)"``.

    Raises
    ------
    TypeError
        ``game`` is not a [`StageGame`][allysim.games.StageGame], or a number is not a real number.
    ValueError
        ``chi < 1``, a number is not finite, ``phi`` is infeasible, or ``game`` admits no such
        strategy.

    Examples
    --------
    >>> s = generous()
    >>> s.name, s.p  # standard payoffs: phi_max = 1/8, phi = 1/16
    ('GENEROUS(2)', (1.0, 0.5625, 0.5, 0.125))
    """
    game, chi, phi = _zd_family(game, chi, phi, "a generous")
    R = _symmetric_payoffs(game, "game")[0]
    if phi is None:
        phi = _phi_max(game, chi, R)[0] / 2
    return zero_determinant(game, chi=chi, phi=phi, baseline=R, p0=p0, name=f"GENEROUS({chi:g})")


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


_NAMED: dict[str, Strategy] = {
    "ALLC": ALLC,
    "ALLD": ALLD,
    "TFT": TFT,
    "STFT": STFT,
    "WSLS": WSLS,
    "GRIM": GRIM,
    "TF2T": TF2T,
    "ALTERNATOR": ALTERNATOR,
}

_PARAMETRISED: dict[str, Callable[..., MemoryOne]] = {
    "RANDOM(": RANDOM,
    "EXTORT(": extortionate,
    "GENEROUS(": generous,
}


def named(name: str, game: StageGame | None = None) -> Strategy:
    """Look a strategy up by its name, as used in tables and on the command line.

    Parameters
    ----------
    name : str
        Case-insensitive. Plain names: ALLC, ALLD, TFT, STFT, WSLS, GRIM, TF2T, ALTERNATOR,
        GTFT (tuned to ``game``); with a parameter: ``RANDOM(p)``, ``EXTORT(chi)``,
        ``GENEROUS(chi)`` (built for ``game`` by
        [`extortionate`][allysim.strategies.extortionate] and
        [`generous`][allysim.strategies.generous]);
        and ``Mpqrs`` (four binary digits) for the deterministic memory-one strategies.
    game : StageGame, optional
        The game GTFT, EXTORT and GENEROUS are tuned to; default ``PrisonersDilemma()``.

    Returns
    -------
    MemoryOne or FiniteStateStrategy
        The strategy (the module's own object for the plain names).

    Raises
    ------
    TypeError
        ``name`` is not a str, or ``game`` is given and is not a
        [`StageGame`][allysim.games.StageGame].
    ValueError
        The name is unknown or its parameter is invalid (the message names ``name``), or the
        strategy cannot be built for ``game``.

    Examples
    --------
    >>> named("RANDOM(0.3)").p0
    0.3
    >>> named("M1001").p == WSLS.p
    True
    >>> [round(x, 4) for x in named("extort(3)").p]
    [0.8462, 0.5, 0.2692, 0.0]
    """
    check_str(name, "name")
    if game is not None:
        check_game(game, "game")
    key = name.strip().upper()
    if key in _NAMED:
        return _NAMED[key]
    if key == "GTFT":
        return GTFT(game)
    if len(key) == 5 and key[0] == "M" and set(key[1:]) <= {"0", "1"}:
        bits = tuple(int(c) for c in key[1:])
        return MemoryOne(bits, p0=bits[0], name=key)
    for prefix, make in _PARAMETRISED.items():
        if key.startswith(prefix) and key.endswith(")"):
            try:
                value = float(key[len(prefix) : -1])
            except ValueError:
                break
            try:
                return make(value) if make is RANDOM else make(game, chi=value)
            except ValueError as exc:
                raise ValueError(f"name {name!r}: {exc}") from exc
    known = ", ".join([*_NAMED, "GTFT", "RANDOM(p)", "EXTORT(chi)", "GENEROUS(chi)", "Mpqrs"])
    raise ValueError(f"unknown strategy name {name!r}; known: {known}")


def machine_tables(strategies: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate strategies' machines into global tables, so many can play as arrays.

    Parameters
    ----------
    strategies : MemoryOne, FiniteStateStrategy, or sequence of them
        At least one strategy.

    Returns
    -------
    output : numpy.ndarray, shape (G,)
        Probability to contribute in each global state (G = total number of states).
    next : numpy.ndarray, shape (G, 2, 2)
        Global next state from ``[state, my_move, their_move (as seen)]``.
    start : numpy.ndarray, shape (n,)
        Global starting state of each strategy.

    Raises
    ------
    TypeError
        ``strategies`` is not a strategy or a sequence of them.
    ValueError
        ``strategies`` is empty.

    Examples
    --------
    >>> out, nxt, start = machine_tables([GRIM, TFT])
    >>> out.shape, start.tolist()
    ((7,), [0, 6])
    """
    if isinstance(strategies, MemoryOne | FiniteStateStrategy):
        strategies = [strategies]
    if isinstance(strategies, str) or not isinstance(strategies, Sequence):
        raise TypeError(
            "strategies must be a strategy or a sequence of MemoryOne / FiniteStateStrategy "
            f"objects, got {type(strategies).__name__}"
        )
    if len(strategies) == 0:
        raise ValueError("strategies must hold at least one strategy, got an empty sequence")
    for s in strategies:
        if not isinstance(s, MemoryOne | FiniteStateStrategy):
            raise TypeError(
                "strategies must hold MemoryOne or FiniteStateStrategy objects, got "
                f"{type(s).__name__}"
            )
    machines = [s.to_finite_state() for s in strategies]
    sizes = np.array([f.n_states for f in machines], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    output = np.concatenate([np.asarray(f.output, dtype=float) for f in machines])
    nxt = np.concatenate([f.transitions + off for f, off in zip(machines, offsets, strict=True)])
    start = offsets + np.array([f.initial for f in machines], dtype=np.int64)
    return output, nxt, start
