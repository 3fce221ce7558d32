"""Subgame perfection of deterministic finite-state strategy pairs in the discounted repeated game.

A pair of Moore machines induces a product automaton whose joint states stand for the histories
that lead there. By the one-shot deviation principle (Fudenberg & Tirole 1991, Game Theory,
Thm 4.2; valid with discounting because payoffs are bounded), the pair is a subgame-perfect
equilibrium iff in every joint state reachable by some history neither player gains by
changing only the current move and following its machine afterwards. Values are the
normalised discounted payoffs ``(1 - w) sum_t w^t u_t``, the ``continuation`` convention of
[`expected_payoffs`][allysim.kernels.expected_payoffs].
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from allysim._validation import (
    check_bool,
    check_game,
    check_int,
    check_interval,
    check_nonnegative,
)
from allysim.games import StageGame
from allysim.strategies import FiniteStateStrategy, MemoryOne, named

__all__ = ["Deviation", "SubgamePerfection", "critical_continuation", "is_subgame_perfect"]

# Most joint states checked; a pair of 3000-state machines stays well inside it.
_MAX_STATES = 10_000_000


@dataclass(frozen=True)
class Deviation:
    """A profitable one-shot deviation.

    Parameters
    ----------
    state : tuple of int
        The joint state ``(state of player 0's machine, state of player 1's machine)``.
    player : int
        Who deviates: 0 (first strategy of the profile) or 1.
    gain : float
        Gain in normalised discounted payoff (payoff units per round) from switching the
        current move only, > 0.

    Examples
    --------
    >>> Deviation(state=(0, 1), player=0, gain=0.5)
    Deviation(state=(0, 1), player=0, gain=0.5)
    """

    state: tuple[int, int]
    player: int
    gain: float


@dataclass(frozen=True)
class SubgamePerfection:
    """Result of [`is_subgame_perfect`][allysim.equilibria.is_subgame_perfect].

    Parameters
    ----------
    is_spe : bool
        True when no joint state admits a profitable one-shot deviation.
    deviations : tuple of Deviation
        Every profitable one-shot deviation found, largest gain first.
    continuation : float
        The continuation probability ``w`` checked.
    n_states : int
        Number of joint states checked.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import ALLD
    >>> is_subgame_perfect(ALLD, PrisonersDilemma(), continuation=0.9)
    SubgamePerfection(is_spe=True, 5 joint states, w=0.9)
    """

    is_spe: bool
    deviations: tuple[Deviation, ...]
    continuation: float
    n_states: int

    def __repr__(self) -> str:
        states = f"{self.n_states} joint state{'s' if self.n_states != 1 else ''}"
        if self.is_spe:
            return f"SubgamePerfection(is_spe=True, {states}, w={self.continuation:g})"
        best = self.deviations[0]
        return (
            f"SubgamePerfection(is_spe=False, {len(self.deviations)} profitable deviation"
            f"{'s' if len(self.deviations) != 1 else ''} in {states}, best: player "
            f"{best.player} in state {best.state} gains {best.gain:.4g}, "
            f"w={self.continuation:g})"
        )


def _machines(profile: Any, game: Any = None) -> tuple[FiniteStateStrategy, FiniteStateStrategy]:
    kinds = (MemoryOne, FiniteStateStrategy)
    if isinstance(profile, (*kinds, str)):
        pair: tuple[Any, ...] = (profile, profile)
    elif isinstance(profile, (tuple, list)) and len(profile) == 2:
        pair = tuple(profile)
    else:
        raise TypeError(
            "profile must be a strategy or a name (played by both) or a pair of strategies or "
            f"names, got {type(profile).__name__}"
        )
    # Names ("TFT", "WSLS", ...) as everywhere else; game-tuned ones get the game.
    pair = tuple(named(s, game) if isinstance(s, str) else s for s in pair)
    for i, s in enumerate(pair):
        if not isinstance(s, kinds):
            raise TypeError(
                f"profile[{i}] must be a MemoryOne or FiniteStateStrategy, got {type(s).__name__}"
            )
        if not s.is_deterministic:
            raise ValueError(
                f"profile[{i}] ({s.name}) must be deterministic (every probability 0 or 1): "
                "the one-shot deviation check covers pure strategies only"
            )
    return pair[0].to_finite_state(), pair[1].to_finite_state()


def _product(
    f0: FiniteStateStrategy, f1: FiniteStateStrategy, all_states: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Joint states (k, 2), their moves (k, 2), and successor index per move pair (k, 2, 2)."""
    move0 = np.where(np.asarray(f0.output) == 1.0, 0, 1)
    move1 = np.where(np.asarray(f1.output) == 1.0, 0, 1)
    t0, t1 = f0.transitions, f1.transitions
    k0, k1 = f0.n_states, f1.n_states
    if k0 * k1 > _MAX_STATES:
        raise ValueError(
            f"profile has {k0} x {k1} joint states, more than the {_MAX_STATES} this check "
            "handles; use smaller machines"
        )
    index = np.full((k0, k1), -1, dtype=np.int64)
    if all_states:
        index[:] = np.arange(k0 * k1).reshape(k0, k1)
        states = [(i, j) for i in range(k0) for j in range(k1)]
    else:
        states = [(f0.initial, f1.initial)]
        index[f0.initial, f1.initial] = 0
        queue = deque(states)
        while queue:
            i, j = queue.popleft()
            for m0 in (0, 1):
                for m1 in (0, 1):
                    nxt = (int(t0[i, m0, m1]), int(t1[j, m1, m0]))
                    if index[nxt] < 0:
                        index[nxt] = len(states)
                        states.append(nxt)
                        queue.append(nxt)
    js = np.array(states, dtype=np.int64)
    moves = np.stack([move0[js[:, 0]], move1[js[:, 1]]], axis=1)
    succ = np.empty((len(js), 2, 2), dtype=np.int64)
    for m0 in (0, 1):
        for m1 in (0, 1):
            succ[:, m0, m1] = index[t0[js[:, 0], m0, m1], t1[js[:, 1], m1, m0]]
    return js, moves, succ, index


def _values(nxt: np.ndarray, flow: np.ndarray, w: float) -> np.ndarray:
    """Exact ``V = (1 - w) flow + w V[nxt]`` on a functional graph: each path ends in a cycle,
    whose values have a closed form; the rest follows backwards. ``flow`` is (k, 2)."""
    k = len(nxt)
    values = np.zeros((k, 2))
    status = np.zeros(k, dtype=np.int8)  # 0 new, 1 on the current path, 2 done
    for start in range(k):
        path = []
        cur = start
        while status[cur] == 0:
            status[cur] = 1
            path.append(cur)
            cur = int(nxt[cur])
        if status[cur] == 1:
            first = path.index(cur)
            cycle = path[first:]
            length = len(cycle)
            discount = w ** np.arange(length)
            head = (1 - w) * (discount @ flow[cycle]) / (1 - w**length)
            values[cycle[0]] = head
            after = head
            for s in reversed(cycle[1:]):
                after = (1 - w) * flow[s] + w * after
                values[s] = after
            for s in cycle:
                status[s] = 2
            path = path[:first]
        for s in reversed(path):
            values[s] = (1 - w) * flow[s] + w * values[nxt[s]]
            status[s] = 2
    return values


def is_subgame_perfect(
    profile: Any,
    game: StageGame,
    continuation: float,
    *,
    tol: float = 1e-10,
    all_states: bool = False,
) -> SubgamePerfection:
    """Whether a pair of deterministic strategies is a subgame-perfect equilibrium.

    Builds the product automaton of the two machines, computes both players' normalised
    discounted continuation values in every joint state exactly, and applies the one-shot
    deviation principle there: in state ``s`` player ``i`` gains
    ``(1 - w) u_i(a'_i, a_-i) + w V_i(s') - V_i(s)`` by playing the other move ``a'_i`` once,
    where ``s'`` is the joint state both machines move to after that round (the deviator's own
    machine sees its own deviation). No noise.

    Parameters
    ----------
    profile : MemoryOne, FiniteStateStrategy, or pair of them
        The two strategies (player 0, player 1); a single strategy is played by both.
        Every probability must be 0 or 1.
    game : StageGame
        A 2x2 stage game (need not be symmetric); player 0 is the row player.
    continuation : float
        Continuation probability (discount factor) ``w`` in [0, 1).
    tol : float, default 1e-10
        A deviation counts as profitable when its gain exceeds ``tol`` (payoff units), so
        round-off at a threshold is not reported. Gains are in normalised payoffs, which
        shrink with ``1 - w``: for ``w`` within about ``tol`` of 1 a genuine gain can fall
        below it (allysim's ``GRIM`` gains ``2 (1 - w)`` in the default dilemma and reads as
        SPE at ``w = 1 - 1e-11``).
    all_states : bool, default False
        Check every pair of machine states, not only the pairs some history reaches. Pairs no
        history reaches are no subgame, so the default is the definition of subgame
        perfection; ``True`` is a stricter test.

    Returns
    -------
    SubgamePerfection
        ``is_spe``, the profitable deviations (joint state, player, gain), ``continuation`` and
        the number of joint states checked.

    Raises
    ------
    TypeError
        ``profile`` is not a strategy or a pair of strategies, ``game`` is not a
        [`StageGame`][allysim.games.StageGame], or a number is not a real number.
    ValueError
        A strategy is not deterministic, ``game`` is not 2x2, ``continuation`` is outside
        [0, 1), ``tol`` is negative, or the product has more than 10 million joint states.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import WSLS
    >>> game = PrisonersDilemma()  # (T - R) / (R - P) = 1: WSLS is never SPE here
    >>> is_subgame_perfect(WSLS, game, continuation=0.9).is_spe
    False
    >>> game = PrisonersDilemma(R=3, S=0, T=4, P=1)  # SPE iff w >= (T - R) / (R - P) = 1/2
    >>> is_subgame_perfect(WSLS, game, continuation=0.6)
    SubgamePerfection(is_spe=True, 5 joint states, w=0.6)
    >>> is_subgame_perfect(WSLS, game, continuation=0.4)
    SubgamePerfection(is_spe=False, 6 profitable deviations in 5 joint states, best: player 0 in state (0, 0) gains 0.12, w=0.4)
    """  # noqa: E501
    game = check_game(game, "game")
    f0, f1 = _machines(profile, game)
    if game.shape != (2, 2):
        raise ValueError(f"game must be a 2x2 game (contribute / withhold), got {game.shape}")
    w = check_interval(continuation, "continuation", 0.0, 1.0, high_open=True)
    tol = check_nonnegative(tol, "tol")
    all_states = check_bool(all_states, "all_states")
    u0, u1 = game.outcome_payoffs()
    js, moves, succ, _ = _product(f0, f1, all_states)
    rows = np.arange(len(js))
    m0, m1 = moves[:, 0], moves[:, 1]
    flow = np.stack([u0[2 * m0 + m1], u1[2 * m0 + m1]], axis=1)
    values = _values(succ[rows, m0, m1], flow, w)
    found = []
    for player, (d0, d1) in enumerate(((1 - m0, m1), (m0, 1 - m1))):
        u = (u0, u1)[player]
        after = values[succ[rows, d0, d1], player]
        gain = (1 - w) * u[2 * d0 + d1] + w * after - values[:, player]
        for s in np.flatnonzero(gain > tol):
            found.append(Deviation((int(js[s, 0]), int(js[s, 1])), player, float(gain[s])))
    found.sort(key=lambda d: (-d.gain, d.player, d.state))
    return SubgamePerfection(not found, tuple(found), w, len(js))


def critical_continuation(
    profile: Any,
    game: StageGame,
    *,
    tol: float = 1e-10,
    grid: int = 256,
) -> float | None:
    """The least continuation probability from which on the profile is subgame perfect.

    Checks [`is_subgame_perfect`][allysim.equilibria.is_subgame_perfect] on ``grid`` equally
    spaced ``w`` in [0, 1) plus ``1 - 1e-9``, then bisects (60 steps) between the largest
    ``w`` where it fails and the next grid point. The set of ``w`` where a profile is SPE need
    not be an interval (TFT's is at most one point), so the answer means: SPE at every grid
    point at or above it.

    Parameters
    ----------
    profile : MemoryOne, FiniteStateStrategy, or pair of them
        Deterministic strategies, as for ``is_subgame_perfect``.
    game : StageGame
        A 2x2 stage game.
    tol : float, default 1e-10
        Tolerance on the deviation gains, as for ``is_subgame_perfect``.
    grid : int, default 256
        Number of grid points, >= 2.

    Returns
    -------
    float or None
        The threshold ``w*``, 0.0 when SPE at every grid point, None when not SPE at
        ``w = 1 - 1e-9``. Deviations gaining less than ``tol`` do not count, so ``w*`` lies
        below the exact threshold by about ``tol`` divided by the slope of the deciding gain
        in ``w`` (2.5e-11 for the example). A profile on the boundary, SPE for no ``w < 1``
        but with gains vanishing as ``w -> 1``, is the exception: WSLS in a game with
        ``2R = T + P`` (the default dilemma) gains ``2 (1 - w)**2``, so the answer is
        ``1 - sqrt(tol / 2)`` (0.999993 at the default ``tol``), not None.

    Raises
    ------
    TypeError
        As for ``is_subgame_perfect``, or ``grid`` is not an integer.
    ValueError
        As for ``is_subgame_perfect``, or ``grid < 2``.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import MemoryOne
    >>> trigger = MemoryOne((1, 0, 0, 0), p0=1, name="trigger")  # defects after any defection
    >>> round(critical_continuation(trigger, PrisonersDilemma()), 8)  # (T - R) / (T - P)
    0.5
    """
    grid = check_int(grid, "grid", minimum=2)

    def ok(w: float) -> bool:
        return is_subgame_perfect(profile, game, w, tol=tol).is_spe

    points = [*np.linspace(0.0, 1.0, grid, endpoint=False).tolist(), 1.0 - 1e-9]
    flags = [ok(w) for w in points]
    if not flags[-1]:
        return None
    bad = [i for i, f in enumerate(flags) if not f]
    if not bad:
        return 0.0
    lo, hi = points[bad[-1]], points[bad[-1] + 1]
    for _ in range(60):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi
