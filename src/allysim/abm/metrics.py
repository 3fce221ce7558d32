"""The partnership's scorecard: the five metric families, per step and per partnership.

Alliance performance is measured in several families at once, because each alone misleads
(Kale & Singh 2009, *Academy of Management Perspectives* 23(3): 45-62; Gulati 1998,
*Strategic Management Journal* 19: 293-317). :class:`Metrics` records, for every partnership,
and reports, each step:

=======================  ======================================================================
family                   reported
=======================  ======================================================================
financial                ``value_created``: both partners' payoffs together, mean per
                         partnership this round; ``partnership_costs``: enforcement and
                         governance overhead per partnership
operational              ``reliability``: share of the partner-rounds of the active
                         partnerships, over their lives, with a contribution; ``delivery``:
                         expected share of a
                         contribution that reaches the partner (the contributors' capability)
innovation               ``knowledge_transferred``: capability gained this step through
                         knowledge exchange (needs ``ValueCreation(absorptive_capacity > 0)``,
                         else 0)
market                   ``mean_degree``, ``degree_centralization`` (Freeman 1979, *Social
                         Networks* 1: 215-239, normalised to [0, 1]), ``partnered_share``
relationship health      trust of each kind (the model's own columns), ``conflict_rate``:
                         share of the partnerships that played this round in which a side
                         perceived a betrayal (not resolved by governance); ``satisfaction``:
                         an exponentially weighted payoff per round relative to what mutual
                         contribution would pay without cultural friction or the parts'
                         dividend factors (``benefit * partner's capability - cost +
                         synergy``, times the stake), mean over partners
=======================  ======================================================================

The per-partnership records are columns of :meth:`~allysim.abm.TrustModel.partnerships`.
Metrics only observe: ``Metrics()`` on or off gives the same run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from allysim._validation import check_interval
from allysim.abm import _compiled_reporters as compiled
from allysim.abm._compiled import use_numba
from allysim.abm._compiled_value import kernels, scratch
from allysim.abm.components import Part, PlayedRound, state_reporter
from allysim.abm.reporters import _shared

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel
    from allysim.abm.phases import RoundOutcome

__all__ = ["Metrics", "degree_centralization"]

# The compiled loop's "no betrayal was resolved".
_NO_RESOLVED = np.zeros((0, 2), dtype=bool)


def degree_centralization(degree: np.ndarray) -> float:
    """Freeman's degree centralization of a network, in [0, 1] (1: a star).

    Parameters
    ----------
    degree : numpy.ndarray
        Degree of each node, (n,), n >= 3.

    Returns
    -------
    float
        ``sum(max(d) - d) / ((n - 1) (n - 2))``.

    Examples
    --------
    >>> degree_centralization(np.array([3, 1, 1, 1]))
    1.0
    >>> degree_centralization(np.array([2, 2, 2]))
    0.0
    """
    d = np.asarray(degree, dtype=float)
    n = d.size
    if d.ndim != 1 or n < 3:
        raise ValueError(f"degree must be a 1-d array of at least 3 nodes, got shape {d.shape}")
    return float((d.max() - d).sum() / ((n - 1) * (n - 2)))


@dataclass(frozen=True)
class Metrics(Part):
    """Record and report the five metric families of the partnership literature.

    Parameters
    ----------
    satisfaction_weight : float, default 0.1
        Weight in (0, 1] of the latest round in each partner's satisfaction record.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=60, metrics=Metrics(), seed=1)
    >>> df = m.run(20, progress=False)
    >>> {"value_created", "reliability", "conflict_rate", "satisfaction"} <= set(df.columns)
    True
    """

    satisfaction_weight: float = 0.1
    name: ClassVar[str] = "metrics"

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "satisfaction_weight",
            check_interval(
                self.satisfaction_weight, "satisfaction_weight", 0.0, 1.0, low_open=True
            ),
        )

    def columns(self) -> dict[str, tuple[tuple[int, ...], Any, Any]]:
        """Per-partnership records: value, costs, contributions, conflicts, satisfaction.

        Returns
        -------
        dict
            ``value_total`` and ``cost_total`` (value units over the partnership's life),
            ``contributions`` (2,) and ``conflicts`` (counts), ``satisfaction`` (2,).

        Examples
        --------
        >>> sorted(Metrics().columns())
        ['conflicts', 'contributions', 'cost_total', 'satisfaction', 'value_total']
        """
        return {
            "value_total": ((), float, 0.0),
            "cost_total": ((), float, 0.0),
            "contributions": ((2,), np.int64, 0),
            "conflicts": ((), np.int64, 0),
            "satisfaction": ((2,), float, np.nan),
        }

    def setup(self, model: TrustModel) -> None:
        """Start the step's records empty.

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
        >>> m = TrustModel(n_organizations=4, metrics=Metrics(), seed=0)
        >>> m.part_state["metrics"]["value"]
        nan
        """
        model.part_state[self.name] = dict.fromkeys(
            ("value", "costs", "delivery", "conflicts", "knowledge"), float("nan")
        )
        model.part_state[self.name]["knowledge_before"] = 0.0

    def settle(self, model: TrustModel, played: PlayedRound) -> None:
        """Record the round's value, costs, delivery and satisfaction.

        Parameters
        ----------
        model : TrustModel
            The model.
        played : PlayedRound
            The round's payoffs (not changed).

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, metrics=Metrics(), seed=0)
        >>> Metrics().settle(m, PlayedRound(0, np.zeros((0, 2), bool), np.zeros(0),
        ...                                 np.zeros((0, 2))))
        """
        e = played.e
        state = model.part_state[self.name]
        if e == 0:
            state.update(value=float("nan"), costs=float("nan"), delivery=float("nan"))
            return
        t, p = model.table, model.params
        pay = played.pay
        if use_numba():
            self._settle_compiled(model, played)
            return
        value = pay[:, 0] + pay[:, 1]
        costs = 2 * (played.enforcement + played.overhead)
        t.column("value_total")[:e] += value
        t.column("cost_total")[:e] += costs
        t.column("contributions")[:e] += played.contributed
        state["value"] = float(value.mean())
        state["costs"] = float(costs.mean())
        cap_a, cap_b = model.capability[t.pa[:e]], model.capability[t.pb[:e]]
        ca, cb = played.contributed[:, 0], played.contributed[:, 1]
        given = np.count_nonzero(ca) + np.count_nonzero(cb)
        # numpy's pairwise sums of the products, not BLAS dot products: a threaded BLAS splits
        # a long dot product across its threads, so its last bits would depend on how many
        # there are (OPENBLAS_NUM_THREADS), and a model's results must not.
        delivered = np.add.reduce(cap_a * ca) + np.add.reduce(cap_b * cb)
        state["delivery"] = float(delivered / given) if given else float("nan")
        # The benchmark of a satisfied partner: what mutual contribution pays each side at
        # this stake with the full synergy, so cultural friction and the parts' dividend
        # factors show as lower satisfaction.
        sat = t.column("satisfaction")[:e]
        w = self.satisfaction_weight
        for side, received in ((0, cap_b), (1, cap_a)):
            mutual = np.abs((p.benefit * received - p.cost + p.synergy) * played.stake)
            ratio = np.divide(pay[:, side], mutual, out=np.zeros(e), where=mutual != 0)
            old = sat[:, side]
            sat[:, side] = np.where(np.isnan(old), ratio, (1 - w) * old + w * ratio)

    def _settle_compiled(self, model: TrustModel, played: PlayedRound) -> None:
        """:meth:`settle` in one compiled loop (the same numbers: the means and the delivered
        capability by numpy's pairwise sums, on operands the loop lays out)."""
        t, p, e = model.table, model.params, played.e
        state = model.part_state[self.name]
        dots = scratch(state, "dots", 4 * e)[: 4 * e].reshape(4, e)
        given = kernels().scorecard(
            np.ascontiguousarray(played.pay, dtype=float),
            np.ascontiguousarray(played.enforcement, dtype=float),
            np.ascontiguousarray(played.overhead, dtype=float),
            np.ascontiguousarray(played.contributed),
            np.ascontiguousarray(played.stake, dtype=float),
            model.capability,
            t.pa,
            t.pb,
            t.column("value_total"),
            t.column("cost_total"),
            t.column("contributions"),
            t.column("satisfaction"),
            float(p.benefit),
            float(p.cost),
            float(p.synergy),
            float(self.satisfaction_weight),
            dots,
        )
        # The four sums of settle in one numpy call: np.mean's (pairwise, over contiguous
        # doubles) of value and costs, and of the products of settle, each row's pairwise sum
        # along the contiguous axis: independent of the number of BLAS threads.
        sums = np.add.reduce(dots, axis=1)
        state["value"] = float(sums[1] / e)
        state["costs"] = float(sums[3] / e)
        delivered = sums[0] + sums[2]
        state["delivery"] = float(delivered / given) if given else float("nan")

    def after_round(self, model: TrustModel, outcome: RoundOutcome) -> None:
        """Count perceived betrayals, and the knowledge transferred this step.

        Parameters
        ----------
        model : TrustModel
            The model.
        outcome : RoundOutcome
            The round as perceived.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import RoundOutcome, TrustModel
        >>> m = TrustModel(n_organizations=4, metrics=Metrics(), seed=0)
        >>> Metrics().after_round(m, RoundOutcome.empty())
        """
        state = model.part_state[self.name]
        e = outcome.n
        if e and use_numba():
            # The same counts in one loop; the mean of 0/1 values is exact in any order.
            count = kernels().conflicts(
                np.ascontiguousarray(outcome.contributed),
                np.ascontiguousarray(outcome.seen),
                _NO_RESOLVED
                if outcome.resolved is None
                else np.ascontiguousarray(outcome.resolved),
                model.table.column("conflicts"),
            )
            state["conflicts"] = count / e
        else:
            conflict = outcome.any_betrayed
            if e:
                model.table.column("conflicts")[:e] += conflict
            state["conflicts"] = float(conflict.mean()) if e else float("nan")
        vc = model.part_state.get("value_creation")
        total = vc["transferred"] if vc is not None else 0.0
        state["knowledge"] = total - state["knowledge_before"]
        state["knowledge_before"] = total

    def reporters(self) -> dict[str, Any]:
        """The step's metrics, by column name (see the module's table).

        Returns
        -------
        dict
            Column name -> function of the model.

        Examples
        --------
        >>> list(Metrics().reporters())[:3]
        ['value_created', 'partnership_costs', 'reliability']
        """
        return {
            "value_created": state_reporter(self, "value"),
            "partnership_costs": state_reporter(self, "costs"),
            "reliability": partial(_reliability, self),
            "delivery": state_reporter(self, "delivery"),
            "knowledge_transferred": state_reporter(self, "knowledge"),
            "mean_degree": _mean_degree,
            "degree_centralization": _centralization,
            "partnered_share": _partnered,
            "conflict_rate": state_reporter(self, "conflicts"),
            "satisfaction": partial(_satisfaction, self),
        }


def _compiled_values(model: TrustModel) -> np.ndarray | None:
    """The Metrics reporters' values in one compiled call, once per collection (None: the
    numpy path, or no collection in progress)."""
    shared = _shared(model)
    if shared is None or not shared.compiled:
        return None

    def compute() -> np.ndarray:
        t, e = model.table, model.n_active
        return compiled.kernels().metrics_values(
            t.column("satisfaction"),
            t.age,
            t.column("contributions"),
            t.degree,
            e,
            shared.buffer("satisfaction", 2 * e),
        )

    values: np.ndarray = shared.get("metrics", compute)
    return values


def _reliability(part: Metrics, model: TrustModel) -> float:
    values = _compiled_values(model)
    if values is not None:
        return float(values[compiled.RELIABILITY])
    t, e = model.table, model.n_active
    age = t.age[:e]
    rounds = 2 * age.sum()
    # Partnerships that have not played yet have no contributions and add no rounds.
    if rounds == 0:
        return float("nan")
    contributions = t.column("contributions")[:e]
    return float((contributions[:, 0].sum() + contributions[:, 1].sum()) / rounds)


def _satisfaction(part: Metrics, model: TrustModel) -> float:
    values = _compiled_values(model)
    if values is not None:
        return float(values[compiled.SATISFACTION])
    sat = model.table.column("satisfaction")[: model.n_active].ravel()
    known = sat[~np.isnan(sat)]
    return float(known.mean()) if known.size else float("nan")


def _mean_degree(model: TrustModel) -> float:
    values = _compiled_values(model)
    if values is not None:
        return float(values[compiled.MEAN_DEGREE])
    return float(model.table.degree.mean())


def _centralization(model: TrustModel) -> float:
    values = _compiled_values(model)
    if values is not None:
        return float(values[compiled.CENTRALIZATION])
    return degree_centralization(model.table.degree) if model.n >= 3 else float("nan")


def _partnered(model: TrustModel) -> float:
    values = _compiled_values(model)
    if values is not None:
        return float(values[compiled.PARTNERED])
    return float(np.count_nonzero(model.table.degree) / model.n)
