"""Evolutionary dynamics: how partnering norms spread or die out when organizations copy success.

* Infinite populations: the continuous replicator equation (:func:`replicator_dynamics`), its
  discrete-time, ecological variant (:func:`discrete_replicator`) and the replicator-mutator
  equation (:func:`replicator_mutator`, Page & Nowak 2002).
* Finite populations of size Z, well mixed, payoffs against the Z - 1 others (no
  self-interaction): exact fixation probabilities of a single mutant (:func:`fixation_probability`,
  :func:`fixation_matrix`), the stationary distribution in the small-mutation limit or, for few
  strategies, exactly over population compositions (:func:`stationary_distribution`), and a
  seeded simulation of many populations in lockstep (:func:`simulate_population`).
* Structured populations: graphs (``graphs``: cycles, lattices, random regular, scale-free, the
  trust model's network) and games on them (``spatial``: Nowak & May's lattice game;
  ``graph_games``: the donation game under death-birth, birth-death, imitation and pairwise
  updating, exact fixation on small graphs).
* Evolution in strategy space (``strategy_space``): Nowak & Sigmund's replicator with mutants and
  the sequential-invasion process of the small-mutation limit.

Update rules in well-mixed populations: ``"fermi"`` is the pairwise comparison rule (Traulsen,
Nowak & Pacheco 2006): a random organization imitates a random other with probability
``1 / (1 + exp(-beta (pi_model - pi_focal)))``. ``"moran"`` is the frequency-dependent Moran
birth-death process (Nowak et al. 2004) with fitness ``1 - w + w * payoff``, ``w = selection``
in [0, 1]; ``"moran_db"`` its death-birth variant; ``"wright_fisher"`` the Wright-Fisher process
(a whole generation resampled in proportion to fitness).

The package's modules: ``replicator`` (infinite populations), ``fixation`` (fixation
probabilities), ``stationary`` (stationary distributions), ``mutation_chain`` (the exact chain
over compositions and its solvers), ``population`` (simulation), ``payoffs``
(:func:`payoff_matrix_for`), ``update_rules`` (the Fermi imitation probability, :func:`fermi`),
``graphs``, ``spatial``, ``graph_games``, ``strategy_space`` and ``memory_n`` (sequential
invasion among deterministic memory-one and memory-two strategies). Every name is importable
from ``allysim.evolution``.
"""

from __future__ import annotations

# The private names stay importable from here as they were from the single module:
# allysim.cli.evolve estimates chain memory with _chain_bytes before it runs.
from allysim.evolution._common import Rule as Rule
from allysim.evolution.fixation import (
    fixation_matrix,
    fixation_probability,
    log_fixation_probability,
)
from allysim.evolution.graph_games import (
    GraphGameResult,
    graph_fixation_probability,
    simulate_graph_game,
)
from allysim.evolution.graphs import (
    cycle_graph,
    degrees,
    lattice_graph,
    neighbour_array,
    random_regular_graph,
    scale_free_graph,
    trust_network,
)
from allysim.evolution.memory_n import deterministic_invasion
from allysim.evolution.mutation_chain import _chain_bytes as _chain_bytes
from allysim.evolution.payoffs import payoff_matrix_for
from allysim.evolution.population import PopulationResult, simulate_population
from allysim.evolution.replicator import (
    discrete_replicator,
    replicator_dynamics,
    replicator_mutator,
)
from allysim.evolution.spatial import NowakMayResult, nowak_may
from allysim.evolution.stationary import DIRECT_MAX_STATES as DIRECT_MAX_STATES
from allysim.evolution.stationary import StationaryDistribution, stationary_distribution
from allysim.evolution.strategy_space import (
    StrategySpaceResult,
    sample_strategies,
    sequential_invasion,
    strategy_space_replicator,
)
from allysim.evolution.update_rules import fermi

__all__ = [
    "GraphGameResult",
    "NowakMayResult",
    "PopulationResult",
    "StationaryDistribution",
    "StrategySpaceResult",
    "cycle_graph",
    "degrees",
    "deterministic_invasion",
    "discrete_replicator",
    "fermi",
    "fixation_matrix",
    "fixation_probability",
    "graph_fixation_probability",
    "lattice_graph",
    "log_fixation_probability",
    "neighbour_array",
    "nowak_may",
    "payoff_matrix_for",
    "random_regular_graph",
    "replicator_dynamics",
    "replicator_mutator",
    "sample_strategies",
    "scale_free_graph",
    "sequential_invasion",
    "simulate_graph_game",
    "simulate_population",
    "stationary_distribution",
    "strategy_space_replicator",
    "trust_network",
]
