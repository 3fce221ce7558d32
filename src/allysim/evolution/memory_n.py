"""Evolution in the deterministic memory-one and memory-two spaces, small-mutation limit.

Hilbe, Martinez-Vaquero, Chatterjee & Nowak (2017, PNAS 114:4715-4720) compare evolution among
the 16 deterministic memory-one and the 2**16 = 65,536 deterministic memory-two strategies of
the repeated donation game with small execution errors, and find more cooperation with the
longer memory. [`deterministic_invasion`][allysim.evolution.memory_n.deterministic_invasion]
runs that process: a resident meets one mutant drawn uniformly from the space at a time; the
mutant fixes with its exact fixation probability in a population of ``population`` (Imhof &
Nowak 2010; as in [`sequential_invasion`][allysim.evolution.sequential_invasion], which works in
the continuous memory-one space), on exact payoffs from
[`memory_n_payoffs`][allysim.kernels.memory_n_payoffs].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allysim._validation import (
    SeedLike,
    as_generator,
    as_probability_array,
    check_bool,
    check_int,
    check_interval,
)
from allysim.evolution._common import Rule, _population, _rule, _selection
from allysim.evolution.strategy_space import StrategySpaceResult, _invade, _symmetric_payoffs
from allysim.games import StageGame
from allysim.kernels._inputs import _horizon
from allysim.kernels.memory_n import _chunked
from allysim.strategies.memory_n import _default_opening

__all__ = ["deterministic_invasion"]


def _openings(p: np.ndarray, n: int) -> np.ndarray:
    return np.stack([_default_opening(row, n) for row in p]) if len(p) else p[:, :0]


def deterministic_invasion(
    game: StageGame,
    *,
    memory: int = 2,
    steps: int = 10_000,
    population: int = 100,
    selection: float = 1.0,
    rule: Rule = "fermi",
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.01,
    initial: Any = None,
    seed: SeedLike = None,
    progress: bool = False,
) -> StrategySpaceResult:
    """Sequential invasion among the deterministic memory-``memory`` strategies (rare mutations).

    At each step a mutant is drawn uniformly from the ``2**(4**memory)`` deterministic
    strategies (16 for memory one, 65,536 for memory two; a draw of the resident itself is a
    neutral mutant and changes nothing). It replaces the resident with its exact fixation
    probability (one mutant among ``population - 1`` residents), else it is lost. Strategies
    use the default opening (as if after mutual cooperation). The opening matters with
    ``rounds`` or ``continuation``, and in the limit of means without noise (TFT against
    itself earns ``R`` with this opening, ``P`` if it opened by withholding); with noise > 0
    the limit of means forgets it.

    Parameters
    ----------
    game : StageGame
        A symmetric 2x2 stage game, e.g. ``partnership_game(benefit, cost)`` (the donation
        game).
    memory : int, default 2
        1 or 2: the strategy space.
    steps : int, default 10000
        Number of mutants tried, >= 1.
    population : int, default 100
        Population size N >= 2.
    selection : float, default 1.0
        Selection intensity >= 0 (in [0, 1] for ``rule="moran"``).
    rule : {"fermi", "moran"}, default "fermi"
        Pairwise comparison (Fermi) imitation or Moran birth-death.
    rounds : int or None, default None
        Rounds per game; give this, ``continuation`` or neither (limit of means).
    continuation : float or None, default None
        Probability in [0, 1) that the game goes on after each round.
    noise : float, default 0.01
        Execution error in [0, 0.5].
    initial : array_like of 0/1 or None, default None
        The first resident's ``p`` (length ``4**memory``); None is ALLD.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Random stream; the same seed gives the same run, bit for bit.
    progress : bool, default False
        Show a tqdm progress bar over the mutants.

    Returns
    -------
    StrategySpaceResult
        One record per resident; ``dominant`` and ``mean_strategy`` hold its ``p`` vector
        (``4**memory`` columns), ``cooperation`` its cooperation rate against itself, errors
        included, ``payoff`` its payoff against itself.

    Raises
    ------
    TypeError
        ``game`` is not a game, or an argument has the wrong type.
    ValueError
        An argument is out of range (named in the message), or ``game`` is not a symmetric
        2x2 game.

    Examples
    --------
    >>> from allysim.games import partnership_game
    >>> res = deterministic_invasion(partnership_game(3, 1), memory=1, steps=500, seed=1)
    >>> int(res.durations.sum()), res.dominant.shape[1]
    (500, 4)
    """
    u_row = _symmetric_payoffs(game)
    n = check_int(memory, "memory", minimum=1)
    if n > 2:
        raise ValueError(f"memory must be 1 or 2 (2**64 memory-three strategies), got {n}")
    steps = check_int(steps, "steps", minimum=1)
    z = _population(population)
    rule = _rule(rule)
    beta = _selection(selection, rule)
    kind, value = _horizon(rounds, continuation)
    eps = check_interval(noise, "noise", 0.0, 0.5)
    s = 4**n
    if initial is None:
        resident = np.zeros(s)
    else:
        resident = as_probability_array(initial, "initial", shape=(s,))
        if not np.all((resident == 0) | (resident == 1)):
            raise ValueError("initial must hold only 0 and 1 (a deterministic strategy)")
        resident = resident.astype(float)
    progress = check_bool(progress, "progress")
    rng = as_generator(seed, "seed")

    def play(px: np.ndarray, py: np.ndarray) -> np.ndarray:
        return _chunked(px, _openings(px, n), py, _openings(py, n), n, kind, value, eps, 0.0)

    return _invade(
        resident,
        steps,
        lambda nb: rng.integers(0, 2, size=(nb, s)).astype(float),
        play,
        u_row,
        z,
        beta,
        rule,
        rng,
        progress,
    )
