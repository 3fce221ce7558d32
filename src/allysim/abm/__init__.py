"""Agent-based model (Mesa 3) of trust evolution among organizations in partnerships.

* :mod:`allysim.abm.model`: :class:`TrustModel` and the seeded :func:`batch_run` wrapper.
* :mod:`allysim.abm.agents`: :class:`Organization`, the Mesa agent.
* :mod:`allysim.abm.trust`: the three kinds of trust, Beta-Bernoulli learning, the stages.
"""

from allysim.abm.agents import CULTURE_DIMENSIONS, Organization
from allysim.abm.model import TrustModel, batch_run, gini
from allysim.abm.trust import KINDS, STAGES, Stage, TrustKind

__all__ = [
    "CULTURE_DIMENSIONS",
    "KINDS",
    "STAGES",
    "Organization",
    "Stage",
    "TrustKind",
    "TrustModel",
    "batch_run",
    "gini",
]
