"""Governance of a partnership: decision rights, conflict resolution, reviews, exit procedure.

Each rule below is off at its default, so ``Governance()`` is the plain model bit for bit.

* **Decision rights** (``decision_rights``). Joint decisions shape what mutual contribution
  yields: the dividend is multiplied by ``quality * speed`` of the pattern
  (:data:`DECISION_RIGHTS`, a parameter). Participation buys decision quality at the price of
  time (Vroom & Yetton 1973, *Leadership and Decision-Making*): consensus fits best and is
  slowest; independent decisions are fast and fit worst. Under ``"delegated"`` the quality is the
  joint team's competence (the partners' mean capability); under ``"expertise"`` the more
  capable partner decides (their larger capability). Rights can also be allocated to one
  partner by ``"resources"`` (the larger, by ``ValueCreation`` size or else wealth), by
  ``"risk_exposure"`` (the one that has sunk more, with ``SpecificInvestment``) or by
  ``"strategic_importance"`` (the one for which the partnership is a larger share of its
  partnerships); the decision is then as good as that partner's capability.
* **Conflict resolution**, graduated (Ury, Brett & Goldberg 1988, *Getting Disputes Resolved*):
  *early warning* catches a misread withholding before it counts (the partner did contribute):
  each is caught with chance ``early_warning``, at ``early_warning_cost * early_warning`` per
  partner per round; a perceived betrayal not caught is *escalated* to senior level and resolved
  with chance ``escalation`` (cost ``escalation_cost`` per partner), and what escalation leaves is
  settled by a *neutral facilitator* with chance ``facilitation`` (cost ``facilitation_cost``).
  A resolved betrayal does not demote the partnership and counts ``resolved_weight`` as trust
  evidence.
* **Review cadence** (``review_every``). Every k steps each partnership reviews its
  performance in a fact-based discussion: a share ``review_correction`` of the withholdings each
  side misread since the last review is corrected and the conflict record is cleared (the last
  betrayal no longer counts as recent), at ``review_cost`` per partner. A review is one of the
  ways partners work out "internal solutions to conflicts when they arise" while the
  relationship runs (Ring & Van de Ven 1994, *Academy of Management Review* 19: 90-118); once
  it has established that the partner did contribute, it corrects both kinds of trust learned
  from the misreading, to what a correct reading would have made of them: what the misreading
  took leaves the failures (beta) and what a correct reading would have given joins the
  successes (alpha), each faded since as that evidence would have been. Contractual trust: a
  misread took its weight (``resolved_weight`` if escalation resolved it, ``absorb_weight`` if
  it was absorbed as an isolated error, else 1) and a correct reading gives 1. Goodwill trust: a
  misread the side met with its own contribution took the same weight as a betrayal, one it met
  by withholding took nothing (nothing was observed), and a correct reading gives, in both
  cases, the partnership's goodwill weight of the contribution (``goodwill_weight``, met by a
  contribution or by a withholding: below 1 where the mechanisms explain it,
  ``attribution_discount``); goodwill evidence fades only in the rounds its side observed
  something (it saw a contribution or contributed itself), and what was missed also in those a
  correct reading would have observed (it misread one). The reservoir of relational trust is
  itself affected by how conflicts are resolved (Ariño, de la Torre & Ring 2001, *Relational
  quality: managing trust in corporate alliances*, IESE Research Paper D/434), and goodwill
  trust, the partner's intentions, is the trust that bears on relational risk (Das & Teng 2001,
  *Organization Studies* 22: 251-283): a betrayal a review found did not happen is no evidence
  about them, and a contribution it found did happen is. Each kind's failures are its prior
  (``beta_0 = 1 + prior_strength * (1 - judgement)``, faded since the partnership formed: every
  round for contractual trust, ``beta_0 * forgetting ** age``; in the rounds observed for
  goodwill), the withholdings seen correctly and the misread ones, each faded since it counted,
  less what earlier reviews took; the misread ones since the last review are exactly the record
  (columns ``misread``, ``misread_goodwill``), so the review takes ``review_correction`` times
  the record from beta (which stays above the prior's remaining share by construction; a floor
  there only absorbs rounding) and adds ``review_correction`` times what was missed (columns
  ``missed``, ``missed_goodwill``) to alpha. Alpha + beta is not conserved where the two
  differ. What a review does not replay: the forgetting of older goodwill evidence in a round
  a correct reading would have observed and the misreading did not, and what the misreading did
  to the streak of perceived contributions and to the stage (a demotion stays).
* **Exit procedure.** An exit decided on low trust takes effect after ``notice_period`` steps
  and is cancelled if trust recovers meanwhile; the side that leaves pays ``exit_fee`` (per unit
  stake) to the other, which divides its exit threshold by ``1 + exit_fee`` (a costly exit is
  taken on worse news only).

All costs are value units per partner, multiplied by the stage's stake. Whether contractual and
relational governance are substitutes or complements (Poppo & Zenger 2002, *Strategic
Management Journal* 23: 707-725; Cao & Lumineau 2015, *Journal of Operations Management* 33-34:
15-42) is set by :class:`~allysim.abm.TrustParams`'s ``attribution_discount``: positive,
enforcement crowds out goodwill (substitutes); negative, it helps goodwill grow (complements).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from allysim._validation import check_int, check_nonnegative, check_probability
from allysim.abm._compiled import use_numba
from allysim.abm._compiled_contracts import kernels as contract_kernels
from allysim.abm._compiled_contracts import ledger_args
from allysim.abm._compiled_value import scratch
from allysim.abm.components import Part, state_reporter
from allysim.abm.phases import RoundOutcome, _withholding_weight
from allysim.abm.trust import TrustKind

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = ["DECISION_RIGHTS", "Governance"]

# The compiled perception's stand-in for a draw it does not make.
_NO_DRAWS = np.zeros((0, 2))

#: (quality, speed) of each decision-rights pattern: the dividend is multiplied by their
#: product. Modelling assumptions ordered as Vroom & Yetton (1973) describe participation
#: (more say: better fit, slower); "delegated" and "expertise" take their quality from the
#: partners' capabilities instead of the first number.
DECISION_RIGHTS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "independent": (0.8, 1.0),
        "consultative": (0.9, 0.95),
        "consensus": (1.0, 0.85),
        "delegated": (1.0, 0.95),
        "expertise": (1.0, 0.9),
        "resources": (1.0, 0.95),
        "risk_exposure": (1.0, 0.95),
        "strategic_importance": (1.0, 0.95),
    }
)


def _by_resources(model: TrustModel, e: int) -> np.ndarray:
    """Side 0 decides where it holds more resources (its size, or its wealth without sizes)."""
    t = model.table
    vc = model.part_state.get("value_creation")
    own = vc["size"] if vc is not None else model.wealth
    return own[t.pa[:e]] >= own[t.pb[:e]]


def _by_risk_exposure(model: TrustModel, e: int) -> np.ndarray:
    """Side 0 decides where it has sunk more into the partnership (no investments: a tie)."""
    t = model.table
    if "investment" not in model.part_state:
        return np.ones(e, dtype=bool)
    invested = t.column("invested")[:e]
    return invested[:, 0] >= invested[:, 1]


def _by_strategic_importance(model: TrustModel, e: int) -> np.ndarray:
    """Side 0 decides where the partnership is a larger share of its partnerships."""
    t = model.table
    return t.degree[t.pa[:e]] <= t.degree[t.pb[:e]]


# Patterns in which one partner holds the decision rights, and who it is.
_ALLOCATED = {
    "resources": _by_resources,
    "risk_exposure": _by_risk_exposure,
    "strategic_importance": _by_strategic_importance,
}

# Patterns whose decision quality is the partners' capability, not the table's number.
_BY_CAPABILITY = frozenset({"delegated", "expertise", *_ALLOCATED})


@dataclass(frozen=True)
class Governance(Part):
    """How a partnership decides, resolves conflicts, reviews itself and ends.

    Parameters
    ----------
    decision_rights : str or None, default None
        A key of ``decision_table`` (``"independent"``, ``"consultative"``, ``"consensus"``,
        ``"delegated"``, ``"expertise"``, ``"resources"``, ``"risk_exposure"``,
        ``"strategic_importance"``), or None: decisions do not change the dividend.
    decision_table : Mapping[str, tuple[float, float]], optional
        (quality, speed) in [0, 1] of each pattern; by default ``DECISION_RIGHTS``.
    early_warning : float, default 0.0
        Chance in [0, 1] that a misread withholding is caught before it counts.
    early_warning_cost : float, default 0.05
        Cost per partner per round of full early warning (scaled by ``early_warning``), >= 0.
    escalation : float, default 0.0
        Chance in [0, 1] that escalation resolves a perceived betrayal.
    escalation_cost : float, default 0.2
        Cost per partner of an escalated conflict, >= 0.
    facilitation : float, default 0.0
        Chance in [0, 1] that a neutral facilitator settles a conflict escalation left.
    facilitation_cost : float, default 0.5
        Cost per partner of a facilitated conflict, >= 0.
    resolved_weight : float, default 0.5
        Weight in [0, 1] of a resolved betrayal as trust evidence.
    review_every : int, default 0
        Steps between performance reviews (0: none).
    review_cost : float, default 0.1
        Cost per partner of a review, >= 0.
    review_correction : float, default 1.0
        Share in [0, 1] of the misread withholdings since the last review that a review
        corrects.
    notice_period : int, default 0
        Steps between an exit decision and the end, >= 0.
    exit_fee : float, default 0.0
        Paid by a side that exits to the other, per unit stake, >= 0.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> g = Governance(early_warning=0.8, review_every=5)
    >>> df = TrustModel(n_organizations=60, governance=g, seed=2).run(20, progress=False)
    >>> bool(df["governance_cost"].iloc[-1] > 0)
    True
    """

    decision_rights: str | None = None
    decision_table: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: DECISION_RIGHTS
    )
    early_warning: float = 0.0
    early_warning_cost: float = 0.05
    escalation: float = 0.0
    escalation_cost: float = 0.2
    facilitation: float = 0.0
    facilitation_cost: float = 0.5
    resolved_weight: float = 0.5
    review_every: int = 0
    review_cost: float = 0.1
    review_correction: float = 1.0
    notice_period: int = 0
    exit_fee: float = 0.0
    name: ClassVar[str] = "governance"

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        """Pickle (and deepcopy) by the constructor's arguments: the checked decision table is
        a read-only mapping proxy, which cannot be pickled itself, so it travels as a dict."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        values["decision_table"] = dict(self.decision_table)
        return partial(type(self), **values), ()

    def __hash__(self) -> int:
        """Hash by the fields, as a frozen dataclass does, with the decision table as the set of
        its items (a mapping proxy cannot be hashed: a batch_run swept over governance could
        not be grouped by it, and TrustParams with governance could not be a key)."""
        return hash(
            tuple(
                frozenset(self.decision_table.items())
                if f.name == "decision_table"
                else getattr(self, f.name)
                for f in fields(self)
                if f.compare
            )
        )

    def __post_init__(self) -> None:
        put = object.__setattr__
        table = self.decision_table
        if not isinstance(table, Mapping):
            raise TypeError("decision_table must map pattern names to (quality, speed)")
        checked = {}
        for key, pair in table.items():
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise ValueError(f"decision_table[{key!r}] must be (quality, speed), got {pair!r}")
            checked[key] = (
                check_probability(pair[0], f"decision_table[{key!r}] quality"),
                check_probability(pair[1], f"decision_table[{key!r}] speed"),
            )
        put(self, "decision_table", MappingProxyType(checked))
        if self.decision_rights is not None and self.decision_rights not in checked:
            raise ValueError(
                f"decision_rights must be None or one of {sorted(checked)}, "
                f"got {self.decision_rights!r}"
            )
        for name in (
            "early_warning",
            "escalation",
            "facilitation",
            "resolved_weight",
            "review_correction",
        ):
            put(self, name, check_probability(getattr(self, name), name))
        for name in (
            "early_warning_cost",
            "escalation_cost",
            "facilitation_cost",
            "review_cost",
            "exit_fee",
        ):
            put(self, name, check_nonnegative(getattr(self, name), name))
        put(self, "review_every", check_int(self.review_every, "review_every", minimum=0))
        put(self, "notice_period", check_int(self.notice_period, "notice_period", minimum=0))

    def columns(self) -> dict[str, tuple[tuple[int, ...], Any, Any]]:
        """``misread`` (2,): what the withholdings each side misread since the last review
        added to contractual beta; ``missed`` (2,): what reading them correctly would have added
        to contractual alpha; ``misread_goodwill`` and ``missed_goodwill`` (2,): the same for
        goodwill trust; ``notice``: steps left before a decided exit (-1: none); ``beta_prior``
        (2,): each side's contractual beta when the partnership formed (its prior's
        pseudo-failures); ``goodwill_prior`` (2,): what forgetting has left of each side's
        goodwill beta at formation.

        Returns
        -------
        dict
            The columns' trailing shapes, dtypes and start values.

        Examples
        --------
        >>> sorted(Governance().columns())  # doctest: +NORMALIZE_WHITESPACE
        ['beta_prior', 'goodwill_prior', 'misread', 'misread_goodwill', 'missed',
         'missed_goodwill', 'notice']
        """
        return {
            "misread": ((2,), float, 0.0),
            "missed": ((2,), float, 0.0),
            "misread_goodwill": ((2,), float, 0.0),
            "missed_goodwill": ((2,), float, 0.0),
            "notice": ((), np.int64, -1),
            "beta_prior": ((2,), float, 1.0),
            "goodwill_prior": ((2,), float, 1.0),
        }

    def on_form(self, model: TrustModel, rows: slice) -> None:
        """Keep each side's contractual and goodwill prior beta: forgetting fades them, so a
        review must leave ``beta_prior * forgetting ** age`` of the first and ``goodwill_prior``
        (faded as goodwill is, from here) of the second.

        Parameters
        ----------
        model : TrustModel
            The model.
        rows : slice
            The new rows of the table.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=20, governance=Governance(review_every=5), seed=0)
        >>> m.step()
        >>> t = m.table
        >>> bool(np.all(t.column("beta_prior")[: t.n_active] >= 1))
        True
        """
        if self.review_every:
            t = model.table
            t.column("beta_prior")[rows] = t.beta[rows, :, TrustKind.CONTRACTUAL]
            t.column("goodwill_prior")[rows] = t.beta[rows, :, TrustKind.GOODWILL]

    def setup(self, model: TrustModel) -> None:
        """Keep running totals: governance cost, conflicts, resolved conflicts, reviews.

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
        >>> m = TrustModel(n_organizations=4, governance=Governance(), seed=0)
        >>> sorted(m.part_state["governance"])
        ['caught', 'conflicts', 'cost', 'resolved', 'reviews']
        """
        model.part_state[self.name] = dict.fromkeys(
            ("cost", "conflicts", "resolved", "caught", "reviews"), 0.0
        )

    def dividend(self, model: TrustModel, e: int) -> np.ndarray | None:
        """``quality * speed`` of the decision-rights pattern (None when it is None).

        Parameters
        ----------
        model : TrustModel
            The model.
        e : int
            Number of active partnerships.

        Returns
        -------
        numpy.ndarray or None
            (e,) factors on the dividend.

        Examples
        --------
        >>> Governance().dividend(None, 3) is None
        True
        """
        if self.decision_rights is None:
            return None
        quality, speed = self.decision_table[self.decision_rights]
        if self.decision_rights not in _BY_CAPABILITY:
            state = None if model is None else model.part_state.get(self.name)
            if state is not None and use_numba():
                # The compiled step only reads the factors: one array of the constant, kept
                # between steps, rather than a new one each step.
                return _constant(state, quality * speed, e)
            return np.full(e, quality * speed)
        t = model.table
        cap_a, cap_b = model.capability[t.pa[:e]], model.capability[t.pb[:e]]
        if self.decision_rights == "delegated":
            return (cap_a + cap_b) / 2 * speed
        if self.decision_rights == "expertise":
            return np.maximum(cap_a, cap_b) * speed
        # One partner decides; the decision is as good as that partner's capability.
        a_decides = _ALLOCATED[self.decision_rights](model, e)
        return np.where(a_decides, cap_a, cap_b) * speed

    def perceive(self, model: TrustModel, outcome: RoundOutcome) -> RoundOutcome:
        """Early warning, escalation and facilitation; misread withholdings are recorded.

        Parameters
        ----------
        model : TrustModel
            The model.
        outcome : RoundOutcome
            The round as first perceived.

        Returns
        -------
        RoundOutcome
            With caught misreadings seen as contributions and ``resolved`` betrayals marked.

        Examples
        --------
        >>> from allysim.abm import RoundOutcome
        >>> Governance().perceive(None, RoundOutcome.empty()).n
        0
        """
        e = outcome.n
        if e == 0:
            return outcome
        rng = model.rng
        state = model.part_state[self.name]
        if use_numba():
            return self._perceive_compiled(model, outcome)
        partner = outcome.contributed[:, ::-1]
        seen = outcome.seen
        misread = partner & ~seen
        if self.early_warning > 0:
            caught = misread & (rng.random((e, 2)) < self.early_warning)
            seen = seen | caught
            misread = misread & ~caught
            state["caught"] += np.count_nonzero(caught)
        betrayed = ~seen & outcome.contributed
        resolved = np.zeros((e, 2), dtype=bool)
        stake = model.stakes(slice(0, e))
        cost = self.early_warning_cost * self.early_warning * stake * 2
        conflict = betrayed[:, 0] | betrayed[:, 1]
        state["conflicts"] += np.count_nonzero(conflict)
        if self.escalation > 0 or self.facilitation > 0:
            draws = rng.random((e, 2))
            escalated = conflict & (draws[:, 0] < self.escalation)
            facilitated = conflict & ~escalated & (draws[:, 1] < self.facilitation)
            settled = escalated | facilitated
            resolved = betrayed & settled[:, None]
            cost = cost + stake * 2 * (
                np.where(conflict, self.escalation_cost, 0.0)
                + np.where(conflict & ~escalated, self.facilitation_cost, 0.0)
                * (self.facilitation > 0)
            )
            state["resolved"] += np.count_nonzero(settled)
        self._charge(model, cost)
        if self.review_every:
            self._record_misread(model, outcome.contributed, seen, resolved)
        return replace(outcome, seen=seen, resolved=resolved, resolved_weight=self.resolved_weight)

    def _perceive_compiled(self, model: TrustModel, outcome: RoundOutcome) -> RoundOutcome:
        """:meth:`perceive`, its charge and its misread record in one compiled loop; the
        uniforms are drawn here in numpy's order, into buffers kept between steps."""
        e, rng, t, p = outcome.n, model.rng, model.table, model.params
        state = model.part_state[self.name]
        settle = self.escalation > 0 or self.facilitation > 0
        early = escalate = _NO_DRAWS
        # Early warning's (e, 2) uniforms, then escalation's: numpy's stream gives the same
        # numbers to one call that fills both as to one call for each.
        k = (self.early_warning > 0) + settle
        if k:
            draws = rng.random(out=scratch(state, "draws", 2 * k * e)[: 2 * k * e])
            if self.early_warning > 0:
                early = draws[: 2 * e].reshape(e, 2)
            if settle:
                escalate = draws[2 * k * e - 2 * e :].reshape(e, 2)
        seen, resolved, caught, conflicts, settled, charged, total = contract_kernels().perceive(
            np.ascontiguousarray(outcome.contributed),
            np.ascontiguousarray(outcome.seen),
            early,
            escalate,
            float(self.early_warning),
            float(self.early_warning_cost * self.early_warning),
            float(self.escalation),
            float(self.facilitation),
            float(self.escalation_cost),
            float(self.facilitation_cost),
            settle,
            bool(self.review_every),
            t.column("misread"),
            t.column("missed"),
            t.column("misread_goodwill"),
            t.column("missed_goodwill"),
            t.column("goodwill_prior"),
            t.goodwill_weight,
            t.streak,
            float(p.forgetting),
            int(p.absorb_streak),
            float(p.absorb_weight),
            float(self.resolved_weight),
            *ledger_args(model),
        )
        if self.early_warning > 0:
            state["caught"] += caught
        state["conflicts"] += conflicts
        if settle:
            state["resolved"] += settled
        if charged:
            state["cost"] += total
        return RoundOutcome(
            e, outcome.contributed, seen, outcome.welfare, resolved, self.resolved_weight
        )

    def _record_misread(
        self, model: TrustModel, contributed: np.ndarray, seen: np.ndarray, resolved: np.ndarray
    ) -> None:
        """Add this round's misread withholdings to the records: what each took from trust (at
        the weight LearnTrust gave it) and what a correct reading would have given, each faded
        as the evidence it stands for fades.

        A misread that escalation resolved counts ``resolved_weight``, one absorbed as an
        isolated error in an institutionalized partnership ``absorb_weight``: a review that moved
        a whole unit for each would also erase the evidence of withholdings seen correctly. Read
        correctly, the same move would have counted 1 for contractual trust and the
        partnership's goodwill weight for goodwill (``goodwill_weight``: of a contribution met
        by the side's own contribution, or by its withholding). Contractual evidence fades
        every round. Goodwill evidence fades only where the side observed something (it saw a
        contribution or contributed itself): what the misreading took fades so, as does
        goodwill's prior, and counts only where the side contributed (a betrayal); what a
        correct reading would have given fades also in the rounds a correct reading would have
        observed (a misread contribution met by withholding).
        """
        t, e = model.table, seen.shape[0]
        lam = model.params.forgetting
        misread = contributed[:, ::-1] & ~seen
        # LearnTrust's own weight (stage and streak are still those it reads this round).
        weight = _withholding_weight(model, seen, resolved, self.resolved_weight)
        record = t.column("misread")[:e]
        record *= lam
        record += np.where(misread, weight, 0.0)
        missed = t.column("missed")[:e]
        missed *= lam
        missed += np.where(misread, 1.0, 0.0)
        fade = np.where(seen | contributed, lam, 1.0)
        goodwill = t.column("misread_goodwill")[:e]
        goodwill *= fade
        goodwill += np.where(misread & contributed, weight, 0.0)
        gw = t.goodwill_weight[:e]
        credit = np.where(contributed, gw[:, :, 0], gw[:, :, 1])
        missed_goodwill = t.column("missed_goodwill")[:e]
        missed_goodwill *= np.where(seen | contributed | misread, lam, 1.0)
        missed_goodwill += np.where(misread, credit, 0.0)
        t.column("goodwill_prior")[:e] *= fade

    def _charge(self, model: TrustModel, cost: np.ndarray) -> None:
        """Both sides of each partnership pay half of ``cost`` (already doubled per partner)."""
        if not np.any(cost):
            return
        half = -cost / 2
        model.credit_partners(slice(0, cost.size), np.stack([half, half], axis=1))
        model.part_state[self.name]["cost"] += float(cost.sum())

    def exit_threshold(self, model: TrustModel, threshold: np.ndarray) -> np.ndarray:
        """Divide the thresholds by ``1 + exit_fee``.

        Parameters
        ----------
        model : TrustModel
            The model.
        threshold : numpy.ndarray
            (e, 2) the thresholds so far.

        Returns
        -------
        numpy.ndarray
            (e, 2) thresholds.

        Examples
        --------
        >>> Governance(exit_fee=1.0).exit_threshold(None, np.full((1, 2), 0.3)).tolist()
        [[0.15, 0.15]]
        """
        return threshold / (1 + self.exit_fee) if self.exit_fee else threshold

    def confirm_exit(self, model: TrustModel, leaving: np.ndarray) -> np.ndarray | None:
        """Hold decided exits for ``notice_period`` steps; collect the exit fee when one ends.

        Parameters
        ----------
        model : TrustModel
            The model.
        leaving : numpy.ndarray
            (e, 2) bool: which side wants to leave now (low trust).

        Returns
        -------
        numpy.ndarray
            (e,) bool: the partnerships whose exit takes effect now.

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, governance=Governance(), seed=0)
        >>> Governance().confirm_exit(m, np.zeros((0, 2), bool)).shape
        (0,)
        """
        e = leaving.shape[0]
        if use_numba() and e:
            t = model.table
            return contract_kernels().confirm_exit(
                np.ascontiguousarray(leaving),
                t.column("notice"),
                int(self.notice_period),
                float(self.exit_fee),
                *ledger_args(model),
            )
        wants = leaving[:, 0] | leaving[:, 1]
        if self.notice_period == 0:
            now = wants
        else:
            notice = model.table.column("notice")[:e]
            # Trust recovered during the notice: the exit is called off.
            notice[~wants] = -1
            start = wants & (notice < 0)
            notice[start] = self.notice_period
            now = wants & (notice == 0)
            notice[wants & ~now] -= 1
        if self.exit_fee and np.any(now):
            rows = np.flatnonzero(now)
            fee = self.exit_fee * model.stakes(rows)
            pays = leaving[rows]
            # Side 0 pays side 1 if it leaves, and the reverse; both leaving cancels out.
            net = fee * (pays[:, 0].astype(float) - pays[:, 1])
            model.credit_partners(rows, np.stack([-net, net], axis=1))
        return np.asarray(now, dtype=bool)

    def end_step(self, model: TrustModel) -> None:
        """Every ``review_every`` steps, every partnership reviews (see the module).

        Parameters
        ----------
        model : TrustModel
            The model.

        Returns
        -------
        None

        Examples
        --------
        >>> Governance().end_step(None) is None
        True
        """
        k = self.review_every
        if k == 0 or model.steps % k != 0:
            return
        t, e = model.table, model.n_active
        if e == 0:
            return
        if use_numba():
            p = model.params
            charged, total = contract_kernels().review(
                t.alpha,
                t.beta,
                t.column("misread"),
                t.column("missed"),
                t.column("beta_prior"),
                t.age,
                _powers(model.part_state[self.name], p.forgetting, int(t.age[:e].max())),
                t.column("misread_goodwill"),
                t.column("missed_goodwill"),
                t.column("goodwill_prior"),
                t.last_betrayal,
                e,
                int(TrustKind.CONTRACTUAL),
                int(TrustKind.GOODWILL),
                float(self.review_correction),
                int(p.never_betrayed),
                float(2 * self.review_cost),
                *ledger_args(model),
            )
            state = model.part_state[self.name]
            if charged:
                state["cost"] += total
            state["reviews"] += e
            return
        # What forgetting left of the priors: contractual evidence fades every round, from the
        # step after the partnership formed (age counts those rounds); goodwill's prior was
        # faded as goodwill evidence is, with its record.
        floor = t.column("beta_prior")[:e] * model.params.forgetting ** t.age[:e, None]
        goodwill_floor = t.column("goodwill_prior")[:e]
        c = self.review_correction
        for kind, name, low in (
            (TrustKind.CONTRACTUAL, "", floor),
            (TrustKind.GOODWILL, "_goodwill", goodwill_floor),
        ):
            record = t.column("misread" + name)[:e]
            missed = t.column("missed" + name)[:e]
            beta = t.beta[:e, :, kind]
            # Beta holds the record plus the prior's remaining share and other evidence, so
            # taking the record out never reaches the floor but by rounding (the record and beta
            # fade in separate sums); the floor keeps it there.
            taken = np.maximum(np.minimum(c * record, beta - low), 0.0)
            t.alpha[:e, :, kind] += c * missed
            beta -= taken
            record[:] = 0
            missed[:] = 0
        t.last_betrayal[:e] = model.params.never_betrayed
        self._charge(model, 2 * self.review_cost * model.stakes(slice(0, e)))
        model.part_state[self.name]["reviews"] += e

    def reporters(self) -> dict[str, Any]:
        """``governance_cost`` (total so far) and ``conflicts_resolved`` (share so far).

        Returns
        -------
        dict
            Column name -> function of the model.

        Examples
        --------
        >>> list(Governance().reporters())
        ['governance_cost', 'conflicts_resolved']
        """
        return {
            "governance_cost": state_reporter(self, "cost"),
            "conflicts_resolved": partial(_resolved_share, self),
        }


def _constant(state: dict[str, Any], value: float, e: int) -> np.ndarray:
    """``np.full(e, value)``, a view of an array kept with the part's scratch buffers (the
    caller must not write to it)."""
    store = state.setdefault("scratch", {})
    full = store.get("constant")
    if full is None or full.size < e or full[0] != value:
        full = np.full(e + e // 2 + 1, value)
        store["constant"] = full
    return full[:e]


def _powers(state: dict[str, Any], forgetting: float, top: int) -> np.ndarray:
    """``forgetting ** k`` for k = 0 .. at least ``top``, as numpy's power computes each (the
    review's ``forgetting ** age``, looked up instead of computed again for every row: a power
    costs ~15 ns), kept with the part's scratch buffers in ``state`` and grown when an older
    partnership needs it."""
    store = state.setdefault("scratch", {})
    table = store.get("powers")
    if table is None or table[0] != forgetting or table[1].size <= top:
        table = (forgetting, forgetting ** np.arange(max(2 * top, 64)))
        store["powers"] = table
    return table[1]


def _resolved_share(part: Governance, model: TrustModel) -> float:
    s = model.part_state[part.name]
    return s["resolved"] / s["conflicts"] if s["conflicts"] else float("nan")
