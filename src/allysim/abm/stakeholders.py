"""Why organizations associate, and cause-washing: stakeholders reward visible partnerships.

Organizations partner for strategic complementation (:mod:`allysim.abm.value_creation`), for
value resonance (cultural fit, :mod:`allysim.abm.culture`) and under market and societal
pressure. This part models the pressure: stakeholders (customers, investors, donors,
regulators) reward an organization for each partnership they can see, whatever it puts into it
(institutional legitimacy, DiMaggio & Powell 1983, *American Sociological Review* 48: 147-160).
That reward makes **cause-washing** possible: partnering for the reputation while contributing
little (the alliance analogue of greenwashing; Lyon & Maxwell 2011, *Journal of Economics &
Management Strategy* 20: 3-41; Laufer 2003, *Journal of Business Ethics* 43: 253-261).
Stakeholder scrutiny exposes it.

The rules, each step, per organization:

* **Association reward.** ``association_reward`` value units for each partnership it holds.
* **Scrutiny.** With chance ``scrutiny`` it is audited; if its contribution record (its
  reputation, an exponentially weighted contribution rate) is below ``washing_threshold`` it is
  exposed: it pays ``exposure_penalty`` and its reputation is cut by the share
  ``reputation_hit``, which makes partners less willing to accept it.

Washing pays while the reward of its partnerships beats the expected penalty: with ``k``
partnerships, an organization with a low record gains ``association_reward * k`` per step and
expects to lose ``scrutiny * exposure_penalty``, so scrutiny above ``association_reward * k /
exposure_penalty`` ends it (:meth:`StakeholderPressure.critical_scrutiny`), before counting
what its partners' distrust costs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from allysim._validation import check_nonnegative, check_probability, check_real
from allysim.abm._compiled import use_numba
from allysim.abm._compiled_contracts import kernels as contract_kernels
from allysim.abm.components import Part

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = ["StakeholderPressure"]

# The compiled hook's stand-in for the audit draw it does not make (no scrutiny).
_NO_DRAWS = np.zeros(0)


@dataclass(frozen=True)
class StakeholderPressure(Part):
    """Stakeholders reward visible association; scrutiny exposes cause-washing.

    Parameters
    ----------
    association_reward : float, default 0.5
        Value units per step for each partnership an organization holds, >= 0.
    scrutiny : float, default 0.0
        Chance in [0, 1] that an organization is audited each step.
    washing_threshold : float, default 0.5
        Contribution record in [0, 1] below which an audited organization is exposed.
    exposure_penalty : float, default 5.0
        Value units an exposed organization pays, >= 0.
    reputation_hit : float, default 0.5
        Share in [0, 1] of its reputation an exposed organization loses.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> s = StakeholderPressure(association_reward=1.0, scrutiny=0.2)
    >>> df = TrustModel(n_organizations=60, stakeholders=s, seed=0).run(20, progress=False)
    >>> bool(df["exposed"].sum() > 0)
    True
    """

    association_reward: float = 0.5
    scrutiny: float = 0.0
    washing_threshold: float = 0.5
    exposure_penalty: float = 5.0
    reputation_hit: float = 0.5
    name: ClassVar[str] = "stakeholders"

    def __post_init__(self) -> None:
        put = object.__setattr__
        for name in ("association_reward", "exposure_penalty"):
            put(self, name, check_nonnegative(getattr(self, name), name))
        for name in ("scrutiny", "washing_threshold", "reputation_hit"):
            put(self, name, check_probability(getattr(self, name), name))

    def critical_scrutiny(self, partnerships: float) -> float:
        """Scrutiny above which washing with ``partnerships`` partnerships stops paying.

        Parameters
        ----------
        partnerships : float
            Partnerships the washer holds, >= 0.

        Returns
        -------
        float
            ``association_reward * partnerships / exposure_penalty`` (inf without a penalty).

        Examples
        --------
        >>> StakeholderPressure(association_reward=0.5, exposure_penalty=5).critical_scrutiny(3)
        0.3
        """
        k = check_real(partnerships, "partnerships")
        if k < 0:
            raise ValueError(f"partnerships must be >= 0, got {k!r}")
        if self.exposure_penalty == 0:
            return float("inf") if k * self.association_reward > 0 else 0.0
        return self.association_reward * k / self.exposure_penalty

    def setup(self, model: TrustModel) -> None:
        """Keep per-organization totals of rewards and penalties, and this step's exposures.

        Parameters
        ----------
        model : TrustModel
            The model.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, stakeholders=StakeholderPressure(), seed=0)
        >>> sorted(m.part_state["stakeholders"])
        ['exposed', 'penalties', 'rewards']
        """
        n = model.n
        model.part_state[self.name] = {
            "rewards": np.zeros(n),
            "penalties": np.zeros(n),
            "exposed": 0,
        }

    def end_step(self, model: TrustModel) -> None:
        """Pay the association rewards, audit, expose and penalise.

        Parameters
        ----------
        model : TrustModel
            The model.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, stakeholders=StakeholderPressure(), seed=0)
        >>> StakeholderPressure().end_step(m); float(m.wealth.sum())
        0.0
        """
        state = model.part_state[self.name]
        n = model.n
        if use_numba():
            audit = model.rng.random(n) if self.scrutiny != 0 else _NO_DRAWS
            state["exposed"] = contract_kernels().stakeholders(
                model.table.degree,
                model.reputation,
                model.wealth,
                model.period_payoff,
                state["rewards"],
                state["penalties"],
                float(self.association_reward),
                audit,
                float(self.scrutiny),
                float(self.washing_threshold),
                float(self.exposure_penalty),
                float(1 - self.reputation_hit),
                model.params.imitation_payoff == "per_stake",
            )
            return
        # Rewards and penalties are not partnership payoffs: no stake scales them.
        unit = np.ones(n)
        reward = self.association_reward * model.table.degree
        if self.association_reward:
            model.credit(np.arange(n), reward, unit)
            state["rewards"] += reward
        state["exposed"] = 0
        if self.scrutiny == 0:
            return
        audited = model.rng.random(n) < self.scrutiny
        exposed = audited & (model.reputation < self.washing_threshold)
        if exposed.any():
            who = np.flatnonzero(exposed)
            model.credit(who, np.full(who.size, -self.exposure_penalty), unit[who])
            state["penalties"][who] += self.exposure_penalty
            model.reputation[who] *= 1 - self.reputation_hit
        state["exposed"] = int(exposed.sum())

    def reporters(self) -> dict[str, Any]:
        """``exposed`` (organizations exposed this step) and ``association_rewards`` (total).

        Returns
        -------
        dict
            Column name -> function of the model.

        Examples
        --------
        >>> list(StakeholderPressure().reporters())
        ['exposed', 'association_rewards']
        """
        return {"exposed": partial(_exposed, self), "association_rewards": partial(_rewards, self)}


def _exposed(part: StakeholderPressure, model: TrustModel) -> int:
    return int(model.part_state[part.name]["exposed"])


def _rewards(part: StakeholderPressure, model: TrustModel) -> float:
    return float(model.part_state[part.name]["rewards"].sum())
