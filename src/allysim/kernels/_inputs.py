"""Input normalisation shared by the kernels: strategy batches, horizons, noises, games."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from allysim._validation import (
    check_game,
    check_int,
    check_interval,
    check_probability,
)
from allysim.games import StageGame
from allysim.strategies import FiniteStateStrategy, MemoryOne, memory_one_array, named

StrategiesLike = Any  # a strategy, a sequence of strategies, or an (n, 5) memory-one array


@dataclass(frozen=True)
class _Batch:
    names: tuple[str, ...]
    memory_one: np.ndarray | None  # (n, 5) when every strategy is memory-one
    strategies: tuple[MemoryOne | FiniteStateStrategy, ...] | None

    def __len__(self) -> int:
        return len(self.names)


def _with_names(strategies: StrategiesLike, name: str, game: Any = None) -> StrategiesLike:
    """Strategy names ("TFT", "GTFT", "RANDOM(0.3)", "EXTORT(3)", ...) replaced by strategies.

    Names go through [`named`][allysim.strategies.named], tuned to ``game`` where the strategy
    depends on it (GTFT, EXTORT, GENEROUS); other items are left to the caller's checks.
    """

    def lookup(label: str) -> MemoryOne | FiniteStateStrategy:
        try:
            return named(label, game)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None

    if isinstance(strategies, str):
        return [lookup(strategies)]
    if isinstance(strategies, Sequence) and any(isinstance(s, str) for s in strategies):
        return [lookup(s) if isinstance(s, str) else s for s in strategies]
    return strategies


def factory_hint(s: Any) -> str:
    """Advice for a callable passed where a strategy belongs ("" for anything else)."""
    if not callable(s):
        return ""
    # allysim.GTFT and allysim.RANDOM are factories (GTFT's generosity depends on the game,
    # RANDOM's on its probability); both have names that the lookup takes.
    factories = {
        "gtft": ("GTFT", "GTFT(game)", "'GTFT'"),
        "random_strategy": ("RANDOM", "RANDOM(0.5)", "'RANDOM(0.5)'"),
    }
    fname = getattr(s, "__name__", "") or "it"
    label, call, known = factories.get(fname, (fname, f"{fname}(...)", ""))
    hint = f"; {label} makes a strategy: call it ({call})"
    return hint + f" or pass the name {known}" if known else hint


def _as_batch(strategies: StrategiesLike, name: str, game: Any = None) -> _Batch:
    strategies = _with_names(strategies, name, game)
    if isinstance(strategies, np.ndarray):
        arr = memory_one_array(strategies, name=name)
        return _Batch(tuple(f"{name}[{i}]" for i in range(len(arr))), arr, None)
    if isinstance(strategies, MemoryOne | FiniteStateStrategy):
        strategies = [strategies]
    if isinstance(strategies, str) or not isinstance(strategies, Sequence):
        raise TypeError(
            f"{name} must be a strategy, a name, a sequence of strategies or names, or an "
            f"(n, 5) array, got {type(strategies).__name__}{factory_hint(strategies)}"
        )
    items = tuple(strategies)
    if not items:
        raise ValueError(f"{name} must hold at least one strategy")
    for s in items:
        if not isinstance(s, MemoryOne | FiniteStateStrategy):
            raise TypeError(
                f"{name} must hold MemoryOne or FiniteStateStrategy objects or names, got "
                f"{s!r}{factory_hint(s)}"
            )
    names = tuple(s.name for s in items)
    if all(isinstance(s, MemoryOne) for s in items):
        return _Batch(names, memory_one_array(list(items), name=name), items)
    return _Batch(names, None, items)


def _horizon(rounds: int | None, continuation: float | None) -> tuple[str, float]:
    if rounds is not None and continuation is not None:
        raise ValueError("give either rounds or continuation, not both (neither: limit of means)")
    if rounds is not None:
        return "rounds", float(check_int(rounds, "rounds", minimum=1))
    if continuation is not None:
        w = check_interval(continuation, "continuation", 0.0, 1.0, high_open=True)
        return "continuation", w
    return "limit", 1.0


def _outcome_payoffs(game: StageGame) -> tuple[np.ndarray, np.ndarray]:
    game = check_game(game, "game")
    if game.shape != (2, 2):
        raise ValueError(f"game must be a 2x2 game (contribute / withhold), got {game.shape}")
    return game.outcome_payoffs()


def _noises(noise: float, perception_noise: float) -> tuple[float, float]:
    return (
        check_probability(noise, "noise"),
        check_probability(perception_noise, "perception_noise"),
    )


def _strategy_objects(batch: _Batch) -> list[MemoryOne | FiniteStateStrategy]:
    if batch.strategies is not None:
        return list(batch.strategies)
    assert batch.memory_one is not None  # a batch holds objects or a memory-one array
    return [
        MemoryOne._from_checked(tuple(row[:4]), row[4], name)
        for row, name in zip(batch.memory_one.tolist(), batch.names, strict=True)
    ]


@dataclass(frozen=True)
class PlaySettings:
    """How partners play: the horizon of the partnership and the two kinds of noise.

    Every kernel function (``expected_payoffs``, ``outcome_distribution``, ``simulate``,
    ``round_robin``) takes one as ``settings=``, in place of the four keywords of the same
    names; ``MechanismSetup.play_settings()`` produces one from a list of mechanisms.

    Parameters
    ----------
    rounds : int or None, default None
        Rounds per partnership (at least 1). Give at most one of ``rounds`` and
        ``continuation``; neither means the limit of means (the long-run payoff per round).
    continuation : float or None, default None
        Probability in [0, 1) that the partnership continues after each round (the shadow of
        the future); payoffs are normalised per round, ``(1 - w) sum_t w^t u_t``.
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.
    perception_noise : float, default 0.0
        Probability in [0, 1] that a partner's move is misread (imperfect monitoring).

    Examples
    --------
    >>> import allysim as ally
    >>> s = ally.PlaySettings(continuation=0.9, noise=0.01)
    >>> s.horizon
    'continuation'
    >>> row, _ = ally.expected_payoffs(ally.TFT, ally.ALLD, ally.PrisonersDilemma(), settings=s)
    >>> round(float(row[0, 0]), 4)
    0.922
    """

    rounds: int | None = None
    continuation: float | None = None
    noise: float = 0.0
    perception_noise: float = 0.0

    def __post_init__(self) -> None:
        kind, value = _horizon(self.rounds, self.continuation)
        eps, eta = _noises(self.noise, self.perception_noise)
        if kind == "rounds":
            object.__setattr__(self, "rounds", int(value))
        if kind == "continuation":
            object.__setattr__(self, "continuation", float(value))
        object.__setattr__(self, "noise", eps)
        object.__setattr__(self, "perception_noise", eta)

    @property
    def horizon(self) -> str:
        """Which horizon is set: ``"rounds"``, ``"continuation"`` or ``"limit"`` (of means)."""
        if self.rounds is not None:
            return "rounds"
        return "limit" if self.continuation is None else "continuation"


def _resolve_settings(
    settings: PlaySettings | None,
    rounds: int | None,
    continuation: float | None,
    noise: float,
    perception_noise: float,
    *,
    default_rounds: int | None = None,
) -> PlaySettings:
    """One PlaySettings from either ``settings`` or the four keywords (not both)."""
    if settings is None:
        return PlaySettings(rounds, continuation, noise, perception_noise)
    if not isinstance(settings, PlaySettings):
        raise TypeError(
            f"settings must be an allysim.PlaySettings or None, got {type(settings).__name__}"
        )
    given = [
        name
        for name, value, default in (
            ("rounds", rounds, default_rounds),
            ("continuation", continuation, None),
            ("noise", noise, 0.0),
            ("perception_noise", perception_noise, 0.0),
        )
        if value is not default and value != default
    ]
    if given:
        raise ValueError(
            f"give either settings or {', '.join(given)}, not both (settings already holds "
            "the horizon and the noises)"
        )
    return settings
