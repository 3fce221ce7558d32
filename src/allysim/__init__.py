"""allysim: simulate the incentives inside partnerships between organizations.

Layers, bottom to top: :mod:`allysim.games` (stage games), :mod:`allysim.strategies`
(memory-one and finite-state strategies), :mod:`allysim.kernels` (exact and Monte Carlo payoff
kernels).
"""

from allysim.games import (
    NotADilemmaWarning,
    PrisonersDilemma,
    StageGame,
    classify,
    partnership_game,
)
from allysim.kernels import (
    SimulationResult,
    TournamentResult,
    cooperation_rates,
    expected_payoffs,
    outcome_distribution,
    round_robin,
    simulate,
)
from allysim.strategies import (
    ALLC,
    ALLD,
    ALTERNATOR,
    CLASSIC,
    GRIM,
    GTFT,
    RANDOM,
    STFT,
    TF2T,
    TFT,
    WSLS,
    FiniteStateStrategy,
    MemoryOne,
    deterministic_memory_one,
    extortionate,
    generous,
    zero_determinant,
)

__version__ = "0.1.0"

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
    "NotADilemmaWarning",
    "PrisonersDilemma",
    "SimulationResult",
    "StageGame",
    "TournamentResult",
    "__version__",
    "classify",
    "cooperation_rates",
    "deterministic_memory_one",
    "expected_payoffs",
    "extortionate",
    "generous",
    "outcome_distribution",
    "partnership_game",
    "round_robin",
    "simulate",
    "zero_determinant",
]
