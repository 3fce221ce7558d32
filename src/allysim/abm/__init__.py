"""Agent-based model (Mesa 3) of trust evolution among organizations in partnerships.

* :mod:`allysim.abm.model`: :class:`TrustModel`, which wires the components below, and its
  reporter functions.
* :mod:`allysim.abm.params`: :class:`TrustParams`, every parameter validated once.
* :mod:`allysim.abm.agents`: :class:`Organization`, the Mesa agent (a view over the model's
  arrays).
* :mod:`allysim.abm.partnerships`: :class:`PartnershipTable`, the partnerships' arrays.
* :mod:`allysim.abm.phases`, :mod:`allysim.abm.search`, :mod:`allysim.abm.imitation`: the step
  phases, passing a :class:`RoundOutcome`.
* :mod:`allysim.abm.payoffs`: the partnership game's payoffs for every partnership at once.
* :mod:`allysim.abm.trust`: the three kinds of trust, Beta-Bernoulli learning, the stages.
* :mod:`allysim.abm.batch`: the seeded :func:`batch_run` wrapper.
* :mod:`allysim.abm.components`: :class:`Part`, the base of the optional partnership parts,
  and the hooks the step calls.
* :mod:`allysim.abm.culture`: Hofstede's six dimensions by country and the Kogut & Singh
  distance (``TrustParams(culture="hofstede")``).
* :mod:`allysim.abm.governance`: :class:`Governance`, decision rights, conflict resolution,
  reviews and the exit procedure.
* :mod:`allysim.abm.metrics`: :class:`Metrics`, the five metric families per step and per
  partnership.
* :mod:`allysim.abm.standing`: :class:`Standing`, public standing judged by a social norm
  (indirect reciprocity, :mod:`allysim.reputation`).
* :mod:`allysim.abm.stakeholders`: :class:`StakeholderPressure`, rewards for visible
  association and the scrutiny that exposes cause-washing.
* :mod:`allysim.abm.value_creation`: :class:`ValueCreation`, where the dividend comes from.
* :mod:`allysim.abm.investment`: :class:`SpecificInvestment`, relationship-specific
  investments and hold-up.
* :mod:`allysim.abm.consortium`: :class:`Consortia`, partnerships of more than two
  organizations playing a public goods game (:func:`consortia_frame`,
  :func:`consortia_hazard`).
* :mod:`allysim.abm.consortium_roster`: who is in which consortium (the padded roster,
  memberships, lifetimes).
"""

from allysim.abm.agents import CULTURE_DIMENSIONS, Organization
from allysim.abm.batch import batch_run
from allysim.abm.components import Part, PlayedRound
from allysim.abm.consortium import Consortia
from allysim.abm.consortium_records import consortia_frame, consortia_hazard
from allysim.abm.culture import HOFSTEDE_DIMENSIONS, HOFSTEDE_SCORES, kogut_singh_index
from allysim.abm.export import to_tidy, to_xarray
from allysim.abm.governance import DECISION_RIGHTS, Governance
from allysim.abm.investment import SpecificInvestment
from allysim.abm.metrics import Metrics, degree_centralization
from allysim.abm.model import TrustModel, gini
from allysim.abm.params import TrustParams
from allysim.abm.partnerships import PartnershipTable
from allysim.abm.phases import RoundOutcome
from allysim.abm.stakeholders import StakeholderPressure
from allysim.abm.standing import Standing
from allysim.abm.stats import replicate_summary
from allysim.abm.trust import KINDS, STAGES, Stage, TrustKind
from allysim.abm.value_creation import ValueCreation, complementarity

__all__ = [
    "CULTURE_DIMENSIONS",
    "DECISION_RIGHTS",
    "HOFSTEDE_DIMENSIONS",
    "HOFSTEDE_SCORES",
    "KINDS",
    "STAGES",
    "Consortia",
    "Governance",
    "Metrics",
    "Organization",
    "Part",
    "PartnershipTable",
    "PlayedRound",
    "RoundOutcome",
    "SpecificInvestment",
    "Stage",
    "StakeholderPressure",
    "Standing",
    "TrustKind",
    "TrustModel",
    "TrustParams",
    "ValueCreation",
    "batch_run",
    "complementarity",
    "consortia_frame",
    "consortia_hazard",
    "degree_centralization",
    "gini",
    "kogut_singh_index",
    "replicate_summary",
    "to_tidy",
    "to_xarray",
]
