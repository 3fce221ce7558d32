"""Axelrod-Python players as allysim strategies, and allysim strategies as Axelrod-Python players.

[`from_axelrod`][allysim.interop.from_axelrod] converts a player exactly where one of these rules
applies, in this order:

* ``"allysim"``: a player made by [`to_axelrod`][allysim.interop.to_axelrod] gives back its
  strategy;
* ``"MemoryOnePlayer"``: Axelrod's ``MemoryOnePlayer`` family (TFT variants, GTFT, the
  zero-determinant players, ...) whose ``strategy`` is the family's own: its four-vector
  ``(P(C|CC), P(C|CD), P(C|DC), P(C|DD))`` and its opening move, read after the player has seen
  the game (the zero-determinant and GTFT vectors depend on it);
* ``"Random"``: ``Random(p)``, which contributes with probability ``p`` in every round, the
  first included;
* ``"FSMPlayer"``: Axelrod's ``FSMPlayer`` family whose ``strategy`` is the family's own. Its
  machines are Mealy machines on the partner's last move (``(state, their_move) -> (state,
  move)``); the allysim machine's states are the reachable pairs (Axelrod state, move about
  to be played), so it plays the same moves;
* ``"probed"``: any other deterministic player whose classifier says memory depth 0 or 1,
  does not use the match length and neither inspects nor manipulates its partner: its answer
  to every history of up to ``probe_depth`` rounds is read by playing it against a scripted
  history, and it converts when every answer depends on the last round only.

Anything else (stochastic players outside the two families above, longer memories, players
that use the match length) raises [`NotConvertibleError`][allysim.interop.NotConvertibleError]
naming the player and the reason.

Moves in Axelrod's histories are the moves made, after its noise has flipped them, and both
families react to them: that is allysim's execution noise (``noise``), so the two libraries'
noisy matches have the same law.

Axelrod-Python is optional (the ``bench`` extra; it imports torch, so install torch's CPU wheel
first). This module imports it only when a function needs it.
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any, ClassVar

from allysim._validation import check_game, check_int
from allysim.games import StageGame
from allysim.strategies import FiniteStateStrategy, MemoryOne, named

__all__ = [
    "NotConvertibleError",
    "axelrod_family",
    "from_axelrod",
    "to_axelrod",
]

#: Classifier keys whose True value marks a player that reads or changes its partner.
_CHEATING = ("inspects_source", "manipulates_source", "manipulates_state")


class NotConvertibleError(ValueError):
    """An Axelrod-Python player has no exact allysim equivalent; the message names it and why.

    Examples
    --------
    >>> issubclass(NotConvertibleError, ValueError)
    True
    """


def _import_axelrod() -> Any:
    try:
        import axelrod  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "allysim.interop.axelrod needs Axelrod-Python: install torch's CPU wheel first "
            "(pip install torch==2.13.0), then pip install 'axelrod>=4.13' (the bench extra)"
        ) from exc
    return axelrod


_PLAYER_CLASS: Any = None


def _player_class() -> Any:
    """Build ``AllysimPlayer`` on first use, so that this module imports without axelrod."""
    global _PLAYER_CLASS
    if _PLAYER_CLASS is not None:
        return _PLAYER_CLASS
    axl = _import_axelrod()
    act_c, act_d = axl.Action.C, axl.Action.D

    class AllysimPlayer(axl.Player):  # type: ignore[misc,name-defined,unused-ignore]
        name = "allysim"
        classifier: ClassVar[dict[str, Any]] = {
            "memory_depth": float("inf"),
            "stochastic": True,
            "long_run_time": False,
            "inspects_source": False,
            "manipulates_source": False,
            "manipulates_state": False,
            "makes_use_of": set(),
        }

        def __init__(self, strategy: MemoryOne | FiniteStateStrategy) -> None:
            super().__init__()
            machine = strategy.to_finite_state()
            self.allysim_strategy = strategy
            self.name = strategy.name
            self._output = machine.output
            self._next = machine.next_state
            self._initial_state = machine.initial
            self._state = machine.initial
            # Axelrod seeds only players classified stochastic, and caches the others' matches.
            self.classifier["stochastic"] = not strategy.is_deterministic
            if isinstance(strategy, MemoryOne):
                constant = len({*strategy.p, strategy.p0}) == 1
                self.classifier["memory_depth"] = 0 if constant else 1

        def strategy(self, opponent: Any) -> Any:
            if not self.history:
                self._state = self._initial_state
            else:
                mine = 0 if self.history[-1] == act_c else 1
                theirs = 0 if opponent.history[-1] == act_c else 1
                self._state = self._next[self._state][mine][theirs]
            p = self._output[self._state]
            # No draw at 0 or 1 (a deterministic player has no generator), as in
            # Axelrod's random_choice; otherwise the same draw MemoryOnePlayer makes.
            if p in (0.0, 1.0):
                return act_c if p == 1.0 else act_d
            return self._random.random_choice(p)

        def __repr__(self) -> str:
            return str(self.name)

    AllysimPlayer.__module__ = __name__
    AllysimPlayer.__qualname__ = "AllysimPlayer"
    AllysimPlayer.__doc__ = (
        "An allysim strategy as an Axelrod-Python player; see ``to_axelrod``. Its class is "
        "importable as ``allysim.interop.axelrod.AllysimPlayer`` (pickling needs that)."
    )
    _PLAYER_CLASS = AllysimPlayer
    return AllysimPlayer


def __getattr__(name: str) -> Any:
    # Pickle finds the player class by name; building it imports axelrod.
    if name == "AllysimPlayer":
        return _player_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _class_names(player: Any) -> list[str]:
    return [cls.__name__ for cls in type(player).__mro__]


def _own_strategy(player: Any, family: str) -> bool:
    """Whether ``player`` plays with ``family``'s own ``strategy`` method (not an override)."""
    for cls in type(player).__mro__:
        if cls.__name__ == family:
            return getattr(type(player), "strategy", None) is cls.__dict__.get("strategy")
    return False


def _bit(action: Any, what: str) -> int:
    text = str(action)
    if text not in ("C", "D"):
        raise NotConvertibleError(f"{what} must be the action C or D, got {action!r}")
    return 0 if text == "C" else 1


def _label(player: Any) -> str:
    return str(player)


def _check_player(player: Any) -> None:
    if not (
        callable(getattr(player, "strategy", None))
        and isinstance(getattr(player, "classifier", None), dict)
        and callable(getattr(player, "clone", None))
    ):
        raise TypeError(
            "player must be an Axelrod-Python Player instance (with strategy, classifier and "
            f"clone), got {type(player).__name__}"
        )


def _axelrod_game(game: StageGame) -> Any:
    axl = _import_axelrod()
    r, s, t, p = game.payoff_vector
    return axl.Game(r=r, s=s, t=t, p=p)


def _fresh(player: Any, game: StageGame | None) -> Any:
    """A clone of ``player`` that has seen the match attributes (the game for GTFT and ZD)."""
    fresh = player.clone()
    if game is not None and hasattr(fresh, "set_match_attributes"):
        attrs = dict(getattr(fresh, "match_attributes", {}) or {})
        attrs["game"] = _axelrod_game(game)
        try:
            fresh.set_match_attributes(**attrs)
        except ValueError as exc:
            # The zero-determinant players recompute their vector from the game, and some
            # games give probabilities outside [0, 1] (ZDGTFT2 in (4, 0, 6, 1): 1.25).
            raise NotConvertibleError(
                f"{_label(player)}: Axelrod-Python refuses the game (R, S, T, P) = "
                f"{game.payoff_vector} for it: {exc}"
            ) from exc
    return fresh


def axelrod_family(player: Any) -> str:
    """Which conversion rule of [`from_axelrod`][allysim.interop.from_axelrod] applies.

    The rules are described in the module's docstring. This does not probe: a player reported
    ``"probed"`` may still be refused by ``from_axelrod`` when its answers depend on more than
    the last round.

    Parameters
    ----------
    player : axelrod.Player
        An Axelrod-Python player instance.

    Returns
    -------
    str
        ``"allysim"``, ``"MemoryOnePlayer"``, ``"Random"``, ``"FSMPlayer"`` or ``"probed"``.

    Raises
    ------
    TypeError
        ``player`` is not an Axelrod-Python player.
    NotConvertibleError
        No rule applies; the message names the player and the reason.

    Examples
    --------
    >>> import pytest
    >>> axl = pytest.importorskip("axelrod")
    >>> [axelrod_family(p()) for p in (axl.TitForTat, axl.GTFT, axl.Fortress3, axl.Random)]
    ['probed', 'MemoryOnePlayer', 'FSMPlayer', 'Random']
    >>> axelrod_family(axl.Grudger())
    Traceback (most recent call last):
    ...
    allysim.interop.axelrod.NotConvertibleError: Grudger: ... memory depth is inf ...
    """
    _check_player(player)
    names = _class_names(player)
    if "AllysimPlayer" in names and hasattr(player, "allysim_strategy"):
        return "allysim"
    if "MemoryOnePlayer" in names and _own_strategy(player, "MemoryOnePlayer"):
        return "MemoryOnePlayer"
    if names[0] == "Random" and _own_strategy(player, "Random") and hasattr(player, "p"):
        return "Random"
    if "FSMPlayer" in names and _own_strategy(player, "FSMPlayer"):
        return "FSMPlayer"
    cls = player.classifier
    who = _label(player)
    cheats = [key for key in _CHEATING if cls.get(key)]
    if cheats:
        raise NotConvertibleError(f"{who}: its classifier marks it {', '.join(cheats)}")
    depth = cls.get("memory_depth", float("inf"))
    if depth is None or depth > 1:
        raise NotConvertibleError(
            f"{who}: not a MemoryOnePlayer or FSMPlayer, and its memory depth is {depth} "
            "(at most 1 can be probed)"
        )
    if cls.get("stochastic", True):
        raise NotConvertibleError(
            f"{who}: stochastic with memory depth {depth} but not a MemoryOnePlayer, so its "
            "probabilities cannot be read exactly"
        )
    if "length" in set(cls.get("makes_use_of", ())):
        raise NotConvertibleError(
            f"{who}: it uses the match length, which an allysim strategy cannot see"
        )
    return "probed"


def _from_memory_one(player: Any, game: StageGame | None) -> MemoryOne:
    fresh = _fresh(player, game)
    vector = fresh._four_vector
    p = []
    for key in itertools.product("CD", repeat=2):
        match = [v for k, v in vector.items() if tuple(str(a) for a in k) == key]
        if len(match) != 1:
            raise NotConvertibleError(
                f"{_label(player)}: its four-vector has no single entry for {''.join(key)}"
            )
        p.append(float(match[0]))
    p0 = 1.0 - _bit(fresh._initial, f"{_label(player)}'s initial move")
    return MemoryOne(tuple(p), p0=p0, name=_label(player))


def _from_fsm(player: Any) -> FiniteStateStrategy:
    fresh = player.clone()
    table: dict[tuple[int, int], tuple[int, int]] = {}
    for (state, their), (nxt, move) in fresh.fsm.state_transitions.items():
        table[(state, _bit(their, "a transition's input"))] = (
            nxt,
            _bit(move, "a transition's output"),
        )
    start = (fresh.initial_state, _bit(fresh.initial_action, "initial_action"))
    # Moore states: (Axelrod state, move about to be played), the reachable ones in BFS order.
    index = {start: 0}
    queue = deque([start])
    edges: list[list[int]] = []
    while queue:
        state, _move = queue.popleft()
        row = []
        for their in (0, 1):
            if (state, their) not in table:
                raise NotConvertibleError(
                    f"{_label(player)}: its machine has no transition from state {state} on "
                    f"{'CD'[their]}"
                )
            target = table[(state, their)]
            if target not in index:
                index[target] = len(index)
                queue.append(target)
            row.append(index[target])
        edges.append(row)
    order = sorted(index, key=index.__getitem__)
    output = [1.0 - move for _state, move in order]
    # Axelrod's machines read the partner's move only, so both own moves lead alike.
    next_state = [[row, row] for row in edges]
    return FiniteStateStrategy(output, next_state, 0, _label(player))


def _probe(player: Any, game: StageGame | None, depth: int) -> MemoryOne:
    who = _label(player)

    def answer(history: tuple[tuple[int, ...], ...]) -> int:
        me = _fresh(player, game)
        partner = _fresh(player, game)  # a history holder only: its moves are scripted
        first = me.strategy(partner)
        actions = {"C": None, "D": None}
        act_type = type(first)
        for text in actions:
            actions[text] = getattr(act_type, text, None)
        if actions["C"] is None or actions["D"] is None:
            raise NotConvertibleError(f"{who}: its moves are not Axelrod actions C and D")
        move = first
        for k, (mine, theirs) in enumerate(history):
            if k:
                move = me.strategy(partner)
            a, b = actions["CD"[mine]], actions["CD"[theirs]]
            me.update_history(a, b)
            partner.update_history(b, a)
        if history:
            move = me.strategy(partner)
        return _bit(move, f"{who}'s move")

    seen: dict[tuple[tuple[int, ...], ...], int] = {}
    for length in range(depth + 1):
        for history in itertools.product(itertools.product((0, 1), repeat=2), repeat=length):
            got = answer(history)
            if answer(history) != got:
                raise NotConvertibleError(
                    f"{who}: answers the same history {history} differently (not deterministic)"
                )
            seen[history] = got
            if length > 1 and got != seen[history[-1:]]:
                raise NotConvertibleError(
                    f"{who}: its move after {history} differs from its move after "
                    f"{history[-1:]}, so it is not memory-one (probed up to {depth} rounds)"
                )
    p = tuple(1.0 - seen[((mine, theirs),)] for mine, theirs in itertools.product((0, 1), (0, 1)))
    return MemoryOne(p, p0=1.0 - seen[()], name=who)


def from_axelrod(
    player: Any,
    *,
    game: StageGame | None = None,
    probe_depth: int = 3,
) -> MemoryOne | FiniteStateStrategy:
    """An Axelrod-Python player as the allysim strategy that plays it exactly.

    Memory-one players (Axelrod's ``MemoryOnePlayer`` family, ``Random`` and deterministic
    players whose classifier says memory depth at most 1, checked by probing) become a
    [`MemoryOne`][allysim.strategies.MemoryOne]; Axelrod's ``FSMPlayer`` family becomes a
    [`FiniteStateStrategy`][allysim.strategies.FiniteStateStrategy]. The rules, in order, are
    listed in the module's docstring; ``str(player)`` becomes the strategy's name.

    Parameters
    ----------
    player : axelrod.Player
        An Axelrod-Python player instance (it is cloned, not changed).
    game : StageGame or None, default None
        A symmetric game given to the player before it is read, for players whose strategy
        depends on the game (GTFT, the zero-determinant players); None leaves Axelrod's default
        game (R, S, T, P) = (3, 0, 5, 1).
    probe_depth : int, default 3
        For the ``"probed"`` rule: every history of up to this many rounds is played (at
        least 2, so that the answer to a last round is compared across earlier rounds).

    Returns
    -------
    MemoryOne or FiniteStateStrategy
        The strategy, named ``str(player)``.

    Raises
    ------
    TypeError
        ``player`` is not an Axelrod-Python player, or ``game`` is not a StageGame.
    ValueError
        ``probe_depth`` is below 2, or ``game`` is not symmetric.
    NotConvertibleError
        The player has no exact allysim equivalent, or Axelrod-Python refuses ``game`` for it
        (a zero-determinant vector outside [0, 1]); the message names it and the reason.

    Examples
    --------
    >>> import pytest
    >>> axl = pytest.importorskip("axelrod")
    >>> from_axelrod(axl.TitForTat())
    MemoryOne(p=(1.0, 0.0, 1.0, 0.0), p0=1.0, name='Tit For Tat')
    >>> [round(x, 4) for x in from_axelrod(axl.GTFT()).p]  # generosity 1/3 in (3, 0, 5, 1)
    [1.0, 0.3333, 1.0, 0.3333]
    >>> from_axelrod(axl.Fortress3()).n_states  # reachable (state, move) pairs
    3
    """
    _check_player(player)
    if game is not None:
        game = check_game(game, "game")
        if not isinstance(game, StageGame):
            raise TypeError(f"game must be a StageGame, got {type(game).__name__}")
        if game.shape != (2, 2) or not game.is_symmetric:
            raise ValueError(
                "game must be a symmetric 2x2 game to pass to Axelrod-Python's Game(r, s, t, p)"
            )
    probe_depth = check_int(probe_depth, "probe_depth", minimum=2)
    family = axelrod_family(player)
    if family == "allysim":
        strategy: MemoryOne | FiniteStateStrategy = player.allysim_strategy
        return strategy
    if family == "MemoryOnePlayer":
        return _from_memory_one(player, game)
    if family == "Random":
        p = float(player.p)
        return MemoryOne((p, p, p, p), p0=p, name=_label(player))
    if family == "FSMPlayer":
        return _from_fsm(player)
    return _probe(player, game, probe_depth)


def to_axelrod(
    strategy: MemoryOne | FiniteStateStrategy | str,
    *,
    game: StageGame | None = None,
) -> Any:
    """An allysim strategy as an Axelrod-Python player that plays it identically.

    The player runs the strategy's finite-state machine on the moves recorded in Axelrod's
    histories (its own and its partner's, after Axelrod's noise: allysim's execution noise)
    and draws each move from its own generator with Axelrod's ``random_choice``, so Axelrod's
    seeds reproduce its matches and tournaments. ``str(player)`` is the strategy's name, and
    ``from_axelrod(to_axelrod(s)) == s``.

    Parameters
    ----------
    strategy : MemoryOne, FiniteStateStrategy or str
        The strategy, or a name as [`named`][allysim.strategies.named] takes it (``"TFT"``,
        ``"GTFT"``, ``"RANDOM(0.3)"``, ...).
    game : StageGame or None, default None
        The game a named strategy is tuned to (GTFT, EXTORT, GENEROUS); default
        ``PrisonersDilemma()``. Only used with a name.

    Returns
    -------
    axelrod.Player
        An ``allysim.interop.axelrod.AllysimPlayer``; ``player.allysim_strategy`` is the
        strategy.

    Raises
    ------
    TypeError
        ``strategy`` is neither a strategy nor a str.
    ValueError
        The name is unknown.
    ImportError
        Axelrod-Python is not installed.

    Examples
    --------
    >>> import pytest
    >>> axl = pytest.importorskip("axelrod")
    >>> match = axl.Match((to_axelrod("TFT"), axl.Alternator()), turns=4)
    >>> "".join(str(a) for a, _ in match.play())
    'CCDC'
    >>> from_axelrod(to_axelrod("GRIM")).name
    'GRIM'
    """
    if isinstance(strategy, str):
        strategy = named(strategy, game)
    if not isinstance(strategy, MemoryOne | FiniteStateStrategy):
        raise TypeError(
            "strategy must be a MemoryOne, a FiniteStateStrategy or a strategy name, got "
            f"{type(strategy).__name__}"
        )
    return _player_class()(strategy)
