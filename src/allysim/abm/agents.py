"""Organizations: Mesa agents whose state lives in the model's arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = ["CULTURE_DIMENSIONS", "Organization"]

#: The six dimensions of an organization's cultural profile, each in [0, 1].
CULTURE_DIMENSIONS = (
    "risk_tolerance",
    "time_orientation",
    "formality",
    "decision_style",
    "communication_norms",
    "innovation_approach",
)


class Organization(mesa.Agent):
    """An organization that forms partnerships.

    An organization holds no state of its own: its attributes are read-only views into the
    model's per-organization arrays (``model.capability``, ``model.wealth``, ...) and its
    partnership table. The model updates those arrays for every organization and partnership at
    once, which is what makes it fast (about 1.75 million organization-steps per second against
    tens of thousands for the same rules written one agent and one dict per partnership; see
    benchmarks/bench_abm.py). The views are always current, so an :class:`mesa.AgentSet` query
    such as ``model.agents.select(lambda o: o.strategy == "TFT")`` works as usual.

    Attributes
    ----------
    index : position in the model's arrays.
    capability : share of its contribution's value that reaches the partner (the partner
        receives ``capability * benefit``), and the chance a contribution is seen to deliver,
        so competence trust estimates it.
    culture : six-dimensional cultural profile (see :data:`CULTURE_DIMENSIONS`).
    strategy : name of its partnering strategy.
    capacity : most partnerships it can hold at once.
    payoff : accumulated payoff.
    reputation : its public record of contributing (exponentially weighted), in [0, 1].
    partners : unique_ids of its current partners.

    Parameters
    ----------
    model : TrustModel
        The model whose arrays hold this organization's state.
    index : int
        Its position in the model's arrays.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=5, capacity=2, seed=0)
    >>> org = m.organizations[0]
    >>> org.index, 0.65 <= org.capability <= 0.95, org.partners
    (0, True, [])
    """

    culture_dimensions: ClassVar[tuple[str, ...]] = CULTURE_DIMENSIONS

    def __init__(self, model: TrustModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def capability(self) -> float:
        """Share of its contribution's value that reaches the partner."""
        return float(self.model.capability[self.index])

    @property
    def culture(self) -> np.ndarray:
        """Its cultural profile (a copy)."""
        return self.model.culture[self.index].copy()

    @property
    def strategy(self) -> str:
        """Name of its current strategy."""
        return self.model.strategy_names[self.model.strategy_of[self.index]]

    @property
    def capacity(self) -> int:
        """Most partnerships it can hold."""
        return int(self.model.capacity[self.index])

    @property
    def payoff(self) -> float:
        """Accumulated payoff."""
        return float(self.model.wealth[self.index])

    @property
    def reputation(self) -> float:
        """Exponentially weighted record of contributing."""
        return float(self.model.reputation[self.index])

    @property
    def partners(self) -> list[int]:
        """unique_ids of its current partners."""
        return [self.model.organizations[j].unique_id for j in self.model.partners_of(self.index)]

    def __repr__(self) -> str:
        return f"Organization(id={self.unique_id}, strategy={self.strategy!r})"
