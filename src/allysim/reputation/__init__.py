"""Indirect reciprocity: organizations judge each other's standing from what they see a partner
do to third parties, and give to those they judge good.

* ``norms``: social norms as 0/1 arrays (assessment and action rules), the named norms (image
  scoring, standing, simple standing, stern judging, shunning, the leading eight L1-L8 of
  Ohtsuki & Iwasa 2004) and the vectorised [`assess`][allysim.reputation.assess] and
  [`act`][allysim.reputation.act];
* ``analytic``: stationary images, cooperation and payoffs under public assessment
  ([`stationary_reputation`][allysim.reputation.stationary_reputation]);
* ``dynamics``: replicator dynamics of action rules with stationary images
  ([`reputation_dynamics`][allysim.reputation.reputation_dynamics]);
* ``simulation``: the vectorised donation game under public or private assessment with errors
  ([`simulate_reputation`][allysim.reputation.simulate_reputation]).
"""

from allysim.reputation.analytic import (
    StationaryReputation,
    stationary_reputation,
    verdict_probabilities,
)
from allysim.reputation.dynamics import ReputationDynamics, reputation_dynamics
from allysim.reputation.norms import (
    IMAGE_SCORING,
    L1,
    L2,
    L3,
    L4,
    L5,
    L6,
    L7,
    L8,
    LEADING_EIGHT,
    NORMS,
    SHUNNING,
    SIMPLE_STANDING,
    STANDING,
    STERN_JUDGING,
    Norm,
    act,
    assess,
    get_norm,
)
from allysim.reputation.simulation import ReputationResult, simulate_reputation

__all__ = [
    "IMAGE_SCORING",
    "L1",
    "L2",
    "L3",
    "L4",
    "L5",
    "L6",
    "L7",
    "L8",
    "LEADING_EIGHT",
    "NORMS",
    "SHUNNING",
    "SIMPLE_STANDING",
    "STANDING",
    "STERN_JUDGING",
    "Norm",
    "ReputationDynamics",
    "ReputationResult",
    "StationaryReputation",
    "act",
    "assess",
    "get_norm",
    "reputation_dynamics",
    "simulate_reputation",
    "stationary_reputation",
    "verdict_probabilities",
]
