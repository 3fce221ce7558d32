"""Equilibrium and robustness checks for repeated-game strategies.

* [`is_subgame_perfect`][allysim.equilibria.is_subgame_perfect]: whether a pair of
  deterministic finite-state strategies is a subgame-perfect equilibrium of the discounted
  repeated game (one-shot deviation principle on the product automaton), and
  [`critical_continuation`][allysim.equilibria.critical_continuation], the least continuation
  probability from which on it is.
* [`robustness`][allysim.equilibria.robustness]: the share of mutants that cannot selectively
  invade a resident in a finite population (Stewart & Plotkin 2013).
* [`equilibrium_payoffs`][allysim.equilibria.equilibrium_payoffs]: the set of subgame-perfect
  equilibrium payoffs of the discounted repeated two-player game with public randomization
  (Abreu & Sannikov 2014 exact; Judd, Yeltekin & Conklin 2003 outer and inner approximations),
  as a [`PayoffSet`][allysim.equilibria.PayoffSet].
"""

from __future__ import annotations

from allysim.equilibria.evolutionary_robustness import Robustness, robustness
from allysim.equilibria.payoff_sets import (
    PayoffSet,
    equilibrium_payoffs,
    feasible_payoffs,
    plot_payoff_set,
)
from allysim.equilibria.subgame_perfect import (
    Deviation,
    SubgamePerfection,
    critical_continuation,
    is_subgame_perfect,
)

__all__ = [
    "Deviation",
    "PayoffSet",
    "Robustness",
    "SubgamePerfection",
    "critical_continuation",
    "equilibrium_payoffs",
    "feasible_payoffs",
    "is_subgame_perfect",
    "plot_payoff_set",
    "robustness",
]
