"""Consortia: partnerships of n members as n-player public goods games.

* ``games``: [`PublicGoodsGame`][allysim.consortia.PublicGoodsGame] (linear, threshold,
  synergy and discounting) and [`GroupGame`][allysim.consortia.GroupGame] (any symmetric
  two-move n-member game as two payoff tables);
* ``mechanisms``: sanctions, bonds and profit sharing per member, and their thresholds;
* ``strategies``: group memory-one strategies (unconditional, threshold reciprocity, a pairwise
  strategy read in a group: :func:`group_strategy`);
* ``kernels``: exact (Markov chain) and Monte Carlo payoffs of the repeated game;
* ``dynamics``: finite-population fixation, stationary distributions and the gradient of
  selection with groups sampled from the population (Gokhale & Traulsen 2010; Pacheco et al.
  2009).
"""

from allysim.consortia.dynamics import (
    ConsortiumStationary,
    fixation_probability,
    gradient_of_selection,
    group_fitness,
    interior_roots,
    repeated_payoff_array,
    stage_payoff_array,
    stationary_distribution,
)
from allysim.consortia.games import GroupGame, PublicGoodsGame, as_group_game
from allysim.consortia.kernels import GroupPayoffs, exact_group_payoffs, simulate_group_payoffs
from allysim.consortia.mechanisms import (
    fine_threshold,
    share_threshold,
    stake_threshold,
    with_mechanisms,
)
from allysim.consortia.strategies import (
    GroupStrategy,
    group_strategy,
    reciprocity_threshold,
    threshold_reciprocity,
    unconditional,
)

__all__ = [
    "ConsortiumStationary",
    "GroupGame",
    "GroupPayoffs",
    "GroupStrategy",
    "PublicGoodsGame",
    "as_group_game",
    "exact_group_payoffs",
    "fine_threshold",
    "fixation_probability",
    "gradient_of_selection",
    "group_fitness",
    "group_strategy",
    "interior_roots",
    "reciprocity_threshold",
    "repeated_payoff_array",
    "share_threshold",
    "simulate_group_payoffs",
    "stage_payoff_array",
    "stake_threshold",
    "stationary_distribution",
    "threshold_reciprocity",
    "unconditional",
    "with_mechanisms",
]
