"""Equilibrium and robustness checks for repeated-game strategies.

* [`is_subgame_perfect`][allysim.equilibria.is_subgame_perfect]: whether a pair of
  deterministic finite-state strategies is a subgame-perfect equilibrium of the discounted
  repeated game (one-shot deviation principle on the product automaton), and
  [`critical_continuation`][allysim.equilibria.critical_continuation], the least continuation
  probability from which on it is.
* [`robustness`][allysim.equilibria.robustness]: the share of mutants that cannot selectively
  invade a resident in a finite population (Stewart & Plotkin 2013).
"""

from __future__ import annotations

from allysim.equilibria.robustness import Robustness, robustness
from allysim.equilibria.subgame_perfect import (
    Deviation,
    SubgamePerfection,
    critical_continuation,
    is_subgame_perfect,
)

__all__ = [
    "Deviation",
    "Robustness",
    "SubgamePerfection",
    "critical_continuation",
    "is_subgame_perfect",
    "robustness",
]
