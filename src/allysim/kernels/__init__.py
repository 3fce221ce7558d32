"""Vectorised payoff kernels: exact expected payoffs (Markov chains) and batched Monte Carlo.

Conventions (documented in the user guide, docs/concepts.md):

* Outcomes from the row player's view are ordered CC, CD, DC, DD (row move first).
* Execution noise ``noise`` (epsilon): each intended move is flipped with that probability.
* Perception noise ``perception_noise`` (eta, imperfect monitoring): each player misreads the
  partner's actual move with that probability; payoffs follow actual moves, strategies follow
  what they saw. Both noises are part of the exact model.
* Horizon: ``rounds=T`` gives the mean payoff per round over T rounds; ``continuation=w`` the
  normalised discounted payoff ``(1 - w) sum_t w^t u_t`` (the game goes on with probability w);
  neither gives the limit of means, the long-run payoff per round.
* Backend: ``backend`` defaults to ``"auto"`` where the compiled path changes results only by
  round-off (``expected_payoffs``, ``outcome_distribution``) and to ``"numpy"`` where it draws
  another random stream (``simulate``), so a seed's results never depend on whether numba is
  installed (docs/performance.md).

Modules: ``exact`` (expected payoffs), ``montecarlo`` (simulated matches), ``_inputs`` (strategy
batches, horizons, noises), ``_chains`` (the batched Markov-chain solvers ``exact`` uses),
``_compiled`` (the ``backend`` switch) and ``_compiled_numba`` (the numba-compiled loops, loaded
only when used; docs/performance.md).
Tournaments live one layer up, in ``allysim.tournament``; ``round_robin`` and
``TournamentResult`` are still importable from here.
"""

from __future__ import annotations

from typing import Any

from allysim.kernels._compiled import numba_available
from allysim.kernels._inputs import PlaySettings
from allysim.kernels.alternating import alternating_payoffs
from allysim.kernels.exact import cooperation_rates, expected_payoffs, outcome_distribution
from allysim.kernels.memory_n import (
    memory_n_best_response,
    memory_n_outcome_distribution,
    memory_n_payoffs,
)
from allysim.kernels.montecarlo import SimulationResult, play_round, simulate

__all__ = [
    "PlaySettings",
    "SimulationResult",
    "alternating_payoffs",
    "cooperation_rates",
    "expected_payoffs",
    "memory_n_best_response",
    "memory_n_outcome_distribution",
    "memory_n_payoffs",
    "numba_available",
    "outcome_distribution",
    "play_round",
    "simulate",
]


def __getattr__(name: str) -> Any:
    # Tournaments moved to allysim.tournament (which needs pandas); the old names still resolve
    # here without making the kernels import pandas.
    if name in ("round_robin", "TournamentResult"):
        from allysim import tournament

        return getattr(tournament, name)
    raise AttributeError(f"module 'allysim.kernels' has no attribute {name!r}")
