"""The mechanism rules played literally: one round at a time, and whole matches by Monte Carlo.

Nothing here is averaged in advance: each defection is detected or not by its own draw. Use it to
check [`apply`][allysim.mechanisms.apply] against the exact kernel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from allysim._validation import (
    SeedLike,
    as_float_array,
    as_generator,
    check_game,
    check_int,
    check_memory,
    check_probability,
    resolve_seed,
)
from allysim.games import StageGame
from allysim.kernels import simulate
from allysim.mechanisms.base import Mechanism
from allysim.mechanisms.setup import _check_mechanisms, apply
from allysim.strategies import FiniteStateStrategy, MemoryOne

__all__ = ["settle_round", "simulate_mechanisms"]


def _contributions(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype != np.bool_:
        raise TypeError(
            f"{name} must be a boolean array (True = contributed), got dtype {arr.dtype}"
        )
    if arr.shape != shape:
        raise ValueError(f"{name} must have the shape of pay_a, {shape}, got {arr.shape}")
    return arr


def settle_round(
    mechanisms: Sequence[Mechanism],
    pay_a: np.ndarray,
    pay_b: np.ndarray,
    contrib_a: np.ndarray,
    contrib_b: np.ndarray,
    seed: SeedLike = None,
    *,
    rng: SeedLike = None,
    scale: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply the mechanisms' rules literally to realised round payoffs, in list order.

    Each mechanism's [`settle`][allysim.mechanisms.Mechanism.settle] acts in turn. For the
    built-in ones: each withheld contribution is detected by its own draw; a detected defector
    pays the fine (or forfeits the stake), scaled by ``scale`` (e.g. the stakes of a
    partnership's stage), and the victim receives its share; profit sharing pools part of each
    payoff. Settings-only mechanisms change nothing here. A user-defined mechanism that only
    overrides ``transform`` has it applied to each realised outcome.

    Parameters
    ----------
    mechanisms : sequence of Mechanism
        The mechanisms, in order, at most one per kind.
    pay_a : numpy.ndarray
        Realised payoffs of partner a, any shape, finite (payoff units).
    pay_b : numpy.ndarray
        Realised payoffs of partner b, the shape of ``pay_a``.
    contrib_a : numpy.ndarray
        Boolean, the shape of ``pay_a``: True where a contributed.
    contrib_b : numpy.ndarray
        Boolean, the shape of ``pay_a``: True where b contributed.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Source of the detection draws; a Generator is used as given (its stream advances), the
        same int gives the same draws.
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The random stream under its Scientific Python SPEC 7 name; ``seed`` is an alias.
        Give one of the two.
    scale : numpy.ndarray or float, default 1.0
        Factor, >= 0 and finite, on fines and stakes; broadcastable to the shape of ``pay_a``.

    Returns
    -------
    pay_a : numpy.ndarray
        Partner a's payoffs after the rules (a new array).
    pay_b : numpy.ndarray
        Partner b's payoffs after the rules.
    enforcement : numpy.ndarray
        Enforcement cost per partner (the mean over both partners' detected defections).

    Raises
    ------
    TypeError
        A payoff array does not hold real numbers, a contribution array is not boolean,
        ``mechanisms`` is not a sequence, or ``seed`` is of the wrong type.
    ValueError
        Shapes differ, a payoff or ``scale`` is not finite, ``scale`` is negative, or the rules
        push a payoff beyond the float range.

    Examples
    --------
    >>> import numpy as np
    >>> from allysim.mechanisms import Sanction, settle_round
    >>> pay_a, pay_b, cost = settle_round(
    ...     [Sanction(fine=2, detection=1.0, transfer=True)],
    ...     np.array([5.0]), np.array([0.0]), np.array([False]), np.array([True]), seed=0,
    ... )
    >>> pay_a.tolist(), pay_b.tolist(), cost.tolist()
    ([3.0], [2.0], [0.0])
    """
    seed = resolve_seed(seed, rng)
    mechanisms = _check_mechanisms(mechanisms, "mechanisms")
    pay_a = np.array(as_float_array(pay_a, "pay_a"), dtype=float)
    pay_b = np.array(as_float_array(pay_b, "pay_b"), dtype=float)
    if pay_b.shape != pay_a.shape:
        raise ValueError(f"pay_b must have the shape of pay_a, {pay_a.shape}, got {pay_b.shape}")
    contrib_a = _contributions(contrib_a, "contrib_a", pay_a.shape)
    contrib_b = _contributions(contrib_b, "contrib_b", pay_a.shape)
    rng = as_generator(seed, "seed")
    scale_arr = as_float_array(scale, "scale")
    if np.any(scale_arr < 0):
        raise ValueError("scale must be >= 0")
    try:
        fits = np.broadcast_shapes(scale_arr.shape, pay_a.shape) == pay_a.shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"scale must broadcast to the shape of pay_a, {pay_a.shape}, got {scale_arr.shape}"
        )
    scale_value = scale_arr if scale_arr.ndim else float(scale_arr)
    enforcement = np.zeros(np.shape(pay_a))
    # An overflow is reported after the loop, naming the inputs.
    with np.errstate(over="ignore", invalid="ignore"):
        for m in mechanisms:
            pay_a, pay_b, cost = m.settle(pay_a, pay_b, contrib_a, contrib_b, rng, scale_value)
            if cost is not None:
                enforcement += cost
    finite = (np.isfinite(x).all() for x in (pay_a, pay_b, enforcement))
    if not all(finite):
        raise ValueError(
            "mechanisms with these pay_a, pay_b and scale give payoffs or enforcement costs "
            "beyond the float range; use smaller fines, stakes, costs or payoffs"
        )
    return pay_a, pay_b, enforcement


def _single_strategy(value: Any, name: str) -> Any:
    if not isinstance(value, MemoryOne | FiniteStateStrategy):
        raise TypeError(
            f"{name} must be one strategy (MemoryOne or FiniteStateStrategy, e.g. allysim.TFT), "
            f"got {type(value).__name__}"
        )
    return value


# Bytes per match-round: the bool history (copied twice by simulate), payoffs of both partners,
# two uniform draws per sanction or bond, temporaries, welfare and the weighted products.
_BYTES_PER_MATCH_ROUND = 6.0 + 8.0 * 12


def simulate_mechanisms(
    row_strategy,
    col_strategy,
    game: StageGame,
    mechanisms: Sequence[Mechanism] = (),
    *,
    repetitions: int,
    rounds: int | None = None,
    continuation: float | None = None,
    perception_noise: float = 0.0,
    noise: float = 0.0,
    seed: SeedLike = None,
    rng: SeedLike = None,
    progress: bool | None = None,
) -> dict[str, np.ndarray]:
    """Play the mechanism rules literally, match by match, and return per-match estimates.

    Unlike [`apply`][allysim.mechanisms.apply], nothing is averaged in advance: each defection
    is detected or not by its own draw, fines and forfeits move between partners as drawn,
    profit is shared round by round in list order, and with a continuation probability each
    partnership lasts a random (geometric) number of rounds, the payoff estimate being
    ``(1 - w) * sum of payoffs``. Use it to check ``apply`` with the exact kernel.

    Parameters
    ----------
    row_strategy : MemoryOne or FiniteStateStrategy
        The row partner's strategy (one strategy).
    col_strategy : MemoryOne or FiniteStateStrategy
        The column partner's strategy.
    game : StageGame
        A 2x2 stage game, before the mechanisms.
    mechanisms : sequence of Mechanism, default ()
        The mechanisms, in order, at most one per kind.
    repetitions : int
        Number of independent matches (at least 1).
    rounds : int or None, default None
        Rounds per match (at least 1) when there is no continuation probability; refused when
        there is one (given here or by a [`ShadowOfFuture`][allysim.mechanisms.ShadowOfFuture]).
    continuation : float or None, default None
        Continuation probability in [0, 1) without mechanisms (a
        [`ShadowOfFuture`][allysim.mechanisms.ShadowOfFuture]
        replaces it). Matches are played for the horizon past which less than 1e-12 of the
        weight remains, so memory grows like ``repetitions x log(1e-12) / log(w)``.
    perception_noise : float, default 0.0
        Probability in [0, 1] of misreading the partner's move without mechanisms.
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The same seed gives bit-identical results.
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The random stream under its Scientific Python SPEC 7 name; ``seed`` is an alias.
        Give one of the two.
    progress : bool or None, default None
        Progress bar of the match simulation (see [`simulate`][allysim.kernels.simulate]).

    Returns
    -------
    dict
        Arrays of shape (repetitions,): ``row``, ``col`` (payoff per round) and ``welfare``
        (per partner per round, net of enforcement costs).

    Raises
    ------
    TypeError
        A strategy is not one strategy object, ``game`` is not a StageGame, or a number or
        ``seed`` is of the wrong type.
    ValueError
        A number is out of range, neither or both of a horizon and a continuation are given,
        or the run would exceed the memory budget (``allysim.set_memory_budget``).

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import ALLD, TFT
    >>> from allysim.mechanisms import Sanction, simulate_mechanisms
    >>> out = simulate_mechanisms(
    ...     TFT, ALLD, PrisonersDilemma(), [Sanction(fine=2, detection=1.0)],
    ...     repetitions=3, rounds=10, seed=1,
    ... )
    >>> out["col"].tolist()  # ALLD: 5 - 2 in round 1, then 1 - 2 for nine rounds
    [-0.6, -0.6, -0.6]
    """
    seed = resolve_seed(seed, rng)
    row_strategy = _single_strategy(row_strategy, "row_strategy")
    col_strategy = _single_strategy(col_strategy, "col_strategy")
    game = check_game(game, "game")
    setup = apply(game, mechanisms, continuation=continuation, perception_noise=perception_noise)
    repetitions = check_int(repetitions, "repetitions", minimum=1)
    noise = check_probability(noise, "noise")
    rng = as_generator(seed, "seed")
    w = setup.continuation
    if w is None:
        if rounds is None:
            raise ValueError(
                "give rounds=T or a continuation (directly or by ShadowOfFuture), got neither"
            )
        horizon = check_int(rounds, "rounds", minimum=1)
    else:
        if rounds is not None:
            raise ValueError(
                f"rounds must be None when there is a continuation probability (w={w:g}, given "
                "directly or by ShadowOfFuture): give one horizon"
            )
        # Rounds past this carry less than 1e-12 of the weight.
        horizon = max(1, math.ceil(math.log(1e-12) / math.log(w))) if w > 0 else 1
    check_memory(
        _BYTES_PER_MATCH_ROUND * horizon * repetitions,
        "repetitions x rounds (with a continuation w, rounds = log(1e-12) / log(w))",
        hint="use fewer repetitions, a shorter horizon or a smaller continuation, or the exact "
        "kernel on apply(...).game",
    )
    play_rng, rule_rng = rng.spawn(2)
    sim = simulate(
        row_strategy,
        col_strategy,
        game,
        rounds=horizon,
        noise=noise,
        perception_noise=setup.perception_noise,
        repetitions=repetitions,
        seed=play_rng,
        history=True,
        progress=progress,
    )
    history = sim.history
    assert history is not None  # history=True always records the moves
    coop = history[0, 0]  # (reps, T, 2)
    x_c, y_c = coop[..., 0], coop[..., 1]
    ix, iy = (~x_c).astype(int), (~y_c).astype(int)
    pay_r = game.row_payoffs[ix, iy].astype(float)
    pay_c = game.col_payoffs[ix, iy].astype(float)
    pay_r, pay_c, enforcement = settle_round(setup.mechanisms, pay_r, pay_c, x_c, y_c, rule_rng)
    welfare = (pay_r + pay_c) / 2 - enforcement
    if w is None:
        weights = np.full(horizon, 1.0 / horizon)
        weights = np.broadcast_to(weights, pay_r.shape)
    else:
        length = rule_rng.geometric(1 - w, size=repetitions) if w > 0 else np.ones(repetitions)
        t = np.arange(horizon)
        weights = (t[None, :] < length[:, None]) * (1 - w)
    return {
        "row": (pay_r * weights).sum(axis=1),
        "col": (pay_c * weights).sum(axis=1),
        "welfare": (welfare * weights).sum(axis=1),
    }
