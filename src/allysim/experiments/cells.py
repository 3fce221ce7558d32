"""Ready-made cell functions for [`sweep`][allysim.experiments.sweep]."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from allysim.games import PrisonersDilemma
from allysim.kernels import simulate
from allysim.strategies import named

__all__ = ["match_cell"]


def match_cell(
    row: str,
    col: str,
    *,
    rounds: int = 100,
    noise: float = 0.0,
    perception_noise: float = 0.0,
    repetitions: int = 100,
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
) -> dict[str, float]:
    """A sweep-ready cell: simulate ``row`` against ``col`` (strategy names) and summarise.

    The matches use the standard prisoner's dilemma payoffs (R, S, T, P) = (3, 0, 5, 1) and
    [`allysim.kernels.simulate`][allysim.kernels.simulate].

    Parameters
    ----------
    row : str
        Name of the row player's strategy, as accepted by
        [`allysim.strategies.named`][allysim.strategies.named] (e.g. "TFT", "RANDOM(0.5)", "M1001").
    col : str
        Name of the column player's strategy.
    rounds : int, default 100
        Rounds per match, >= 1.
    noise : float, default 0.0
        Execution noise: probability in [0, 1] that a move is flipped.
    perception_noise : float, default 0.0
        Probability in [0, 1] that a player misreads the partner's move.
    repetitions : int, default 100
        Independent matches, >= 1.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None, default None
        Seed of the matches; the same seed gives the same result.

    Returns
    -------
    dict of str to float
        ``row_payoff`` and ``col_payoff`` (mean payoff per round), their standard errors over
        the repetitions ``row_payoff_se`` and ``col_payoff_se`` (NaN when ``repetitions`` is 1:
        one match has no spread to measure), and ``row_cooperation`` and ``col_cooperation``
        (share of rounds in which each side contributed).

    Raises
    ------
    TypeError
        If ``row`` or ``col`` is not a str, or another argument has the wrong type.
    ValueError
        If ``row`` or ``col`` names no strategy, or a number is out of range.

    Examples
    --------
    >>> match_cell("TFT", "ALLD", rounds=10, repetitions=2, seed=0)["row_payoff"]
    0.9
    """
    res = simulate(
        _named(row, "row"),
        _named(col, "col"),
        PrisonersDilemma(),
        rounds=rounds,
        noise=noise,
        perception_noise=perception_noise,
        repetitions=repetitions,
        seed=seed,
    )
    errors = res.stderr()  # None for a single repetition: one match has no spread
    se_r, se_c = (math.nan, math.nan) if errors is None else (e[0, 0] for e in errors)
    return {
        "row_payoff": float(res.row_payoffs.mean()),
        "col_payoff": float(res.col_payoffs.mean()),
        "row_payoff_se": float(se_r),
        "col_payoff_se": float(se_c),
        "row_cooperation": float(res.row_cooperation.mean()),
        "col_cooperation": float(res.col_cooperation.mean()),
    }


def _named(name: Any, param: str):
    if not isinstance(name, str):
        raise TypeError(f"{param} must be a strategy name (str), got {type(name).__name__}")
    try:
        return named(name)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{param}: {exc}") from exc
