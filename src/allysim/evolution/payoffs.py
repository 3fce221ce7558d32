"""From strategies to the payoff matrix the dynamics run on."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from allysim._validation import (
    check_game,
)
from allysim.games import StageGame
from allysim.kernels import expected_payoffs


def payoff_matrix_for(
    strategies: Sequence,
    game: StageGame,
    *,
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
) -> np.ndarray:
    """Strategy-vs-strategy payoff matrix (payoff per round) from the exact kernel.

    Parameters
    ----------
    strategies : sequence of Strategy or str
        At least one allysim strategy or strategy name (see ``allysim.strategies.named``); row
        and column i belong to ``strategies[i]``.
    game : StageGame
        The stage game (e.g. ``allysim.PrisonersDilemma()``).
    rounds : int or None, default None
        Fixed number of rounds; None with ``continuation=None`` gives the limit of means.
    continuation : float or None, default None
        Probability in [0, 1) of another round (geometric game length) instead of ``rounds``.
    noise : float, default 0.0
        Probability in [0, 1] that an intended action is flipped (execution error).
    perception_noise : float, default 0.0
        Probability in [0, 1] that the opponent's action is misperceived.

    Returns
    -------
    numpy.ndarray
        Shape (n, n): mean payoff per round of strategy i against strategy j.

    Examples
    --------
    >>> from allysim import ALLC, ALLD, TFT, PrisonersDilemma
    >>> payoff_matrix_for([ALLC, ALLD, TFT], PrisonersDilemma(), rounds=10).round(2).tolist()
    [[3.0, 0.0, 3.0], [5.0, 1.0, 1.4], [3.0, 0.9, 3.0]]
    """
    game = check_game(game, "game")
    if isinstance(strategies, str | bytes) or not isinstance(strategies, Sequence):
        raise TypeError(
            "strategies must be a sequence of allysim strategies or names, got "
            f"{type(strategies).__name__}"
        )
    if len(strategies) < 1:
        raise ValueError("strategies must hold at least 1 strategy, got an empty sequence")
    row, _ = expected_payoffs(
        strategies,
        strategies,
        game,
        rounds=rounds,
        continuation=continuation,
        noise=noise,
        perception_noise=perception_noise,
    )
    return row
