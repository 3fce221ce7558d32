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

``import allysim`` loads none of these: each name of ``__all__`` (and each subpackage, as
``allysim.abm``) is imported on first use (PEP 562), so ``allysim --version`` and scripts that use
one corner of the library do not pay for pandas, scipy, Mesa or numba.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.5.0"

# Where each public name lives: the module it was imported from when this file imported
# everything eagerly, so ``allysim.<name>`` is the same object it always was.
_HOMES: dict[str, tuple[str, ...]] = {
    "allysim._progress": ("set_progress_delay",),
    "allysim._validation": ("memory_budget", "set_memory_budget"),
    "allysim.comparison": ("compare_mechanisms", "standard_partnership_game"),
    "allysim.games": (
        "NotADilemmaWarning",
        "PrisonersDilemma",
        "StageGame",
        "classify",
        "partnership_game",
    ),
    "allysim.kernels": (
        "PlaySettings",
        "SimulationResult",
        "cooperation_rates",
        "expected_payoffs",
        "outcome_distribution",
        "simulate",
    ),
    "allysim.mechanisms": (
        "Bond",
        "Communication",
        "Monitoring",
        "ProfitSharing",
        "Reputation",
        "Sanction",
        "ShadowOfFuture",
    ),
    "allysim.strategies": (
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
        "deterministic_memory_one",
        "extortionate",
        "generous",
        "gtft",
        "random_strategy",
        "zero_determinant",
    ),
    "allysim.tournament": ("TournamentResult", "round_robin"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ loads these
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


# Hidden from type checkers: a module-level __getattr__ would make them accept any
# ``allysim.<typo>`` as Any; they see the TYPE_CHECKING imports above instead.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Load a public name or a subpackage on first use (PEP 562)."""
        home = _HOME.get(name)
        if home is not None:
            value = getattr(importlib.import_module(home), name)
            globals()[name] = value  # later lookups skip this function
            return value
        if not name.startswith("__"):
            # ``import allysim; allysim.abm.TrustModel`` worked while this file imported
            # every subpackage that the names above needed; it keeps working for all of them.
            try:
                return importlib.import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as err:
                if err.name != f"{__name__}.{name}":
                    raise  # the subpackage exists but needs something not installed
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}", name=name)

    def __dir__() -> list[str]:
        """The names of ``__all__`` with what is already loaded (tab completion, ``dir``)."""
        return sorted(set(globals()) | set(__all__))
