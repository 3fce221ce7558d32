"""allysim: simulate the incentives inside partnerships between organizations.

Layers, bottom to top (each imports only from its own layer or below; tests/test_architecture.py
checks it):

0. the shared helpers: argument checks (``_validation``), saved results (``_results``) and the
   progress bars (``_progress``);
1. ``allysim.games`` (stage games) and ``allysim.strategies`` (memory-one, memory-n and
   finite-state strategies);
2. ``allysim.kernels`` (exact and Monte Carlo payoff kernels, the alternating game,
   ``PlaySettings``);
3. ``allysim.tournament`` (round robins and their ranking), ``allysim.mechanisms`` (incentive
   mechanisms and their thresholds), ``allysim.evolution`` (replicator, fixation, stationary
   distributions, structured populations, strategy-space evolution), ``allysim.reputation``
   (indirect reciprocity) and ``allysim.consortia`` (partnerships of n members);
4. ``allysim.equilibria`` (subgame perfection, equilibrium payoff sets, robustness),
   ``allysim.scenarios`` (the shared registries of scenarios and strategy sets),
   ``allysim.comparison`` (mechanisms side by side), ``allysim.abm`` (the Mesa trust model),
   ``allysim.experiments`` (seeded sweeps), ``allysim.sensitivity`` and ``allysim.interop``
   (Axelrod-Python);
5. ``allysim.plotting`` and ``allysim.cli``.
"""

from allysim import comparison, evolution, mechanisms
from allysim._progress import set_progress_delay
from allysim._validation import memory_budget, set_memory_budget
from allysim.comparison import compare_mechanisms, standard_partnership_game
from allysim.games import (
    NotADilemmaWarning,
    PrisonersDilemma,
    StageGame,
    classify,
    partnership_game,
)
from allysim.kernels import (
    PlaySettings,
    SimulationResult,
    cooperation_rates,
    expected_payoffs,
    outcome_distribution,
    simulate,
)
from allysim.mechanisms import (
    Bond,
    Communication,
    Monitoring,
    ProfitSharing,
    Reputation,
    Sanction,
    ShadowOfFuture,
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
    gtft,
    random_strategy,
    zero_determinant,
)
from allysim.tournament import TournamentResult, round_robin

__version__ = "0.4.0"

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
    "Bond",
    "Communication",
    "FiniteStateStrategy",
    "MemoryOne",
    "Monitoring",
    "NotADilemmaWarning",
    "PlaySettings",
    "PrisonersDilemma",
    "ProfitSharing",
    "Reputation",
    "Sanction",
    "ShadowOfFuture",
    "SimulationResult",
    "StageGame",
    "TournamentResult",
    "__version__",
    "classify",
    "compare_mechanisms",
    "comparison",
    "cooperation_rates",
    "deterministic_memory_one",
    "evolution",
    "expected_payoffs",
    "extortionate",
    "generous",
    "gtft",
    "mechanisms",
    "memory_budget",
    "outcome_distribution",
    "partnership_game",
    "random_strategy",
    "round_robin",
    "set_memory_budget",
    "set_progress_delay",
    "simulate",
    "standard_partnership_game",
    "zero_determinant",
]
