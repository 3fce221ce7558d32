"""Stage games: two-player bimatrix games, the prisoner's dilemma and the partnership builder.

A partnership round is a 2x2 game in which each partner either contributes (C, cooperate) or
withholds (D, defect). Payoffs from the focal (row) player's view are ordered CC, CD, DC, DD (my
move first), giving the payoff vector ``(R, S, T, P)``: Reward for mutual contribution, Sucker's
payoff for contributing alone, Temptation to free-ride, Punishment for mutual withholding.

The package has two modules: ``stage_game`` (the general bimatrix
[`StageGame`][allysim.games.StageGame]) and ``dilemmas`` (the symmetric 2x2 family:
``PrisonersDilemma``, ``check_dilemma``, ``classify``, ``partnership_game``). Every name is
importable from ``allysim.games``.
"""

from __future__ import annotations

# The private names stay importable from here as they were from the single module: pickles
# of a PrisonersDilemma made before the split call allysim.games._rebuild_pd.
from allysim.games.dilemmas import (
    GAME_CLASSES,
    NotADilemmaWarning,
    PrisonersDilemma,
    check_dilemma,
    classify,
    partnership_game,
)
from allysim.games.dilemmas import _rebuild_pd as _rebuild_pd
from allysim.games.dilemmas import _symmetric_payoffs as _symmetric_payoffs
from allysim.games.stage_game import _NASH_METHODS as _NASH_METHODS
from allysim.games.stage_game import NashMethod as NashMethod
from allysim.games.stage_game import StageGame

__all__ = [
    "GAME_CLASSES",
    "NotADilemmaWarning",
    "PrisonersDilemma",
    "StageGame",
    "check_dilemma",
    "classify",
    "partnership_game",
]
