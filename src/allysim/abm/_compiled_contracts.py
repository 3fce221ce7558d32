"""Compiled hooks of the contract parts: governance, specific investment, stakeholder pressure.

Each function below is one part hook on the compiled path (numba, the optional ``fast`` extra),
fused into one loop: what the numpy path does in several passes over the partnerships, and the
credits it then makes through :meth:`~allysim.abm.TrustModel.credit_partners` or
:meth:`~allysim.abm.TrustModel.credit`. They are the numpy path's twins and give bit-identical
results, as the loops of :mod:`allysim.abm._compiled` do: random numbers are drawn by the
model's numpy Generator and passed in, every floating-point operation happens in numpy's order,
and the credits add the same amounts in the same order as the ledger's (one by one where it adds
in place, through a per-organization sum where it sums first). Totals that numpy sums pairwise
(``cost.sum()``) are summed by numpy's pairwise algorithm
(:func:`allysim.evolution._compiled_gth._pairwise_sum`).

numba is imported, and the loops compiled (then cached on disk), when :func:`kernels` is first
called; the hooks call it only when :func:`allysim.abm._compiled.use_numba` says so.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

from allysim.abm._compiled import compile_loops
from allysim.abm._compiled_table import _credit_rows as _credit_partners
from allysim.abm.ledger import stake_array
from allysim.abm.trust import Stage

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

# Where LearnTrust absorbs an isolated perceived withholding (a plain int for the loops).
_INSTITUTIONAL = int(Stage.INSTITUTIONALIZATION)


def _pairwise_sum(a, lo, n):  # pragma: no cover - replaced by the compiled walker
    """``a[lo:lo + n].sum()``; :func:`kernels` replaces it by the compiled pairwise walker."""
    return float(np.sum(a[lo : lo + n]))


def _credit_rows(
    wealth, period_payoff, pa, pb, stage, levels, rows, k, amount, per_stake, n
):  # pragma: no cover - compiled
    """``model.credit_partners(rows[:k], amount[:k])`` on the compiled path: the ledger's own
    loop, in place when ``2 k * 16 < n`` as the ledger decides, else summed per organization
    first."""
    _credit_partners(
        wealth,
        period_payoff,
        pa,
        pb,
        stage,
        levels,
        0,
        0,
        True,
        rows[:k],
        amount,
        True,
        per_stake,
        2 * k * 16 < n,
    )


def _credit_halves(cost, period, e, wealth, period_payoff, pa, pb, n):
    # pragma: no cover - compiled
    """``model.credit_partners(slice(0, e), [-cost / 2, -cost / 2])`` (``period``: what each
    side's period payoff gets, ``-cost / 2`` per unit stake where so) as
    :func:`allysim.abm._compiled_table._credit_rows` adds it: side 0's rows then side 1's, each
    amount added in place when ``2 e * 16 < n``, else summed per organization first; wealth
    and period payoff in one loop (they are separate sums, kept side by side so that each
    organization's two sums share a cache line)."""
    if 2 * e * 16 < n:
        for side in range(2):
            orgs = pa if side == 0 else pb
            for i in range(e):
                org = orgs[i]
                wealth[org] += -cost[i] / 2
                period_payoff[org] += period[i]
        return
    total = np.zeros((n, 2))
    for side in range(2):
        orgs = pa if side == 0 else pb
        for i in range(e):
            org = orgs[i]
            total[org, 0] += -cost[i] / 2
            total[org, 1] += period[i]
    for j in range(n):
        wealth[j] += total[j, 0]
        period_payoff[j] += total[j, 1]


def _np_min(a, b):  # pragma: no cover - compiled
    """``np.minimum`` of two doubles: a NaN in either is the result."""
    return a if (a <= b or a != a) else b


def _np_max(a, b):  # pragma: no cover - compiled
    """``np.maximum`` of two doubles: a NaN in either is the result."""
    return a if (a >= b or a != a) else b


def _record_misread(
    put,
    seen,
    resolved,
    misread,
    record,
    missed,
    goodwill_record,
    missed_goodwill,
    goodwill_prior,
    goodwill_weight,
    streak,
    stage,
    forgetting,
    absorb_streak,
    absorb_weight,
    resolved_weight,
):  # pragma: no cover - compiled
    """Governance._record_misread over the flat sides ``j`` (row ``j >> 1``) of the flags
    ``put``, ``seen``, ``resolved`` and ``misread`` and of the flattened records, in loops
    that each write one or two columns (so that the compiler vectorizes them)."""
    e2 = seen.shape[0]
    # LearnTrust's weight of each misread withholding (phases._withholding_weight).
    weight = np.empty(e2)
    for i in range(e2 // 2):
        institutional = stage[i] == _INSTITUTIONAL
        for side in range(2):
            j = 2 * i + side
            w = (
                absorb_weight
                if institutional & (seen[j] == 0) & (streak[j] >= absorb_streak)
                else 1.0
            )
            weighted = w * resolved_weight
            weight[j] = weighted if resolved[j] else w
    for j in range(e2):
        m = misread[j]
        record[j] = record[j] * forgetting + (weight[j] if m else 0.0)
        missed[j] = missed[j] * forgetting + (1.0 if m else 0.0)
    for j in range(e2):
        f = forgetting if seen[j] | put[j] else 1.0
        goodwill_record[j] = goodwill_record[j] * f + (weight[j] if misread[j] & put[j] else 0.0)
        goodwill_prior[j] = goodwill_prior[j] * f
    for j in range(e2):
        m = misread[j]
        # Both loaded, then one chosen: a load under a condition does not vectorize.
        met = goodwill_weight[2 * j]
        unmet = goodwill_weight[2 * j + 1]
        g = met if put[j] else unmet
        h = forgetting if seen[j] | put[j] | m else 1.0
        missed_goodwill[j] = missed_goodwill[j] * h + (g if m else 0.0)


def _perceive(
    contributed,
    seen,
    early,
    escalate,
    early_warning,
    early_cost,
    escalation,
    facilitation,
    escalation_cost,
    facilitation_cost,
    settle,
    keep_record,
    record,
    missed,
    goodwill_record,
    missed_goodwill,
    goodwill_prior,
    goodwill_weight,
    streak,
    forgetting,
    absorb_streak,
    absorb_weight,
    resolved_weight,
    wealth,
    period_payoff,
    pa,
    pb,
    stage,
    levels,
    per_stake,
    n,
):  # pragma: no cover - compiled
    """Governance.perceive: early warning, conflicts, escalation and facilitation, the charge
    for them, and (``keep_record``) the records of misread withholdings.

    ``early`` and ``escalate`` hold the uniforms numpy draws (empty when that draw is skipped);
    ``early_cost`` is ``early_warning_cost * early_warning``. The record fades by ``forgetting``
    and takes each misread withholding at LearnTrust's weight (``phases._withholding_weight``:
    ``absorb_weight`` for an isolated one in an institutionalized partnership, times
    ``resolved_weight`` where resolved), ``missed`` at 1 (a correct reading's weight). The
    goodwill record and goodwill's faded prior fade where the side observed something (saw a
    contribution or contributed), and the record takes a misread withholding at that weight
    where the side contributed; ``missed_goodwill`` fades also where the side misread, and takes
    the goodwill weight of the misread contribution (``Governance._record_misread``). The charge
    is ``Governance._charge``'s, credited as the ledger credits partners
    (:func:`_credit_halves`). Returns the new ``seen``, the ``resolved`` flags, the counts
    caught, conflicts and settled, whether a cost was charged and the total charged.
    """
    e = seen.shape[0]
    e2 = 2 * e
    # The (e, 2) flags as flat bytes (side s of row i at 2 i + s), combined with & | ^ rather
    # than branched on: moves and perceptions are coin flips, and a branch on them is
    # mispredicted half the time; so written, the loops vectorize.
    put = contributed.reshape(e2).view(np.uint8)
    was_seen = seen.reshape(e2).view(np.uint8)
    new_seen = np.empty(e2, dtype=np.uint8)
    resolved = np.zeros(e2, dtype=np.uint8)
    # The misread withholdings, and the side's own withholding perceived as a betrayal.
    misread = np.empty(e2, dtype=np.uint8)
    betrayed = np.empty(e2, dtype=np.uint8)
    caught = conflicts = settled = 0
    warn = early.shape[0] > 0
    draws = early.reshape(early.size)
    for i in range(e):
        c0 = put[2 * i]
        c1 = put[2 * i + 1]
        s0 = was_seen[2 * i]
        s1 = was_seen[2 * i + 1]
        if warn:
            k0 = c1 & (s0 ^ 1) & (draws[2 * i] < early_warning)
            k1 = c0 & (s1 ^ 1) & (draws[2 * i + 1] < early_warning)
            s0 = s0 | k0
            s1 = s1 | k1
            caught += k0 + k1
        new_seen[2 * i] = s0
        new_seen[2 * i + 1] = s1
        misread[2 * i] = c1 & (s0 ^ 1)
        misread[2 * i + 1] = c0 & (s1 ^ 1)
        betrayed[2 * i] = (s0 ^ 1) & c0
        betrayed[2 * i + 1] = (s1 ^ 1) & c1
    # A row's cost depends only on its stage and on how its conflict went (none, escalated,
    # facilitated or not): each of these cases' cost and period credit, computed as numpy
    # computes them, is looked up rather than computed again in every row.
    facilitating = 1.0 if facilitation > 0 else 0.0
    cases = np.empty(3 * levels.shape[0])
    credits = np.empty(3 * levels.shape[0])
    for g in range(levels.shape[0]):
        stake = levels[g]
        for q in range(3):
            c = early_cost * stake * 2
            if settle:
                extra = (escalation_cost if q > 0 else 0.0) + (
                    facilitation_cost if q == 2 else 0.0
                ) * facilitating
                c = c + stake * 2 * extra
            cases[3 * g + q] = c
            half = -c / 2
            credits[3 * g + q] = half / stake if per_stake else half
    cost = np.empty(e)
    # What each side is credited in period payoff (per unit stake where so), beside -cost / 2.
    period = np.empty(e)
    for i in range(e):
        b0 = betrayed[2 * i]
        b1 = betrayed[2 * i + 1]
        conflict = b0 | b1
        conflicts += conflict
        case = 3 * stage[i]
        if settle:
            escalated = conflict & (escalate[i, 0] < escalation)
            facilitated = conflict & (escalated ^ 1) & (escalate[i, 1] < facilitation)
            ok = escalated | facilitated
            settled += ok
            resolved[2 * i] = b0 & ok
            resolved[2 * i + 1] = b1 & ok
            case += conflict + (conflict & (escalated ^ 1))
        cost[i] = cases[case]
        period[i] = credits[case]
    if keep_record:
        _record_misread(
            put,
            new_seen,
            resolved,
            misread,
            record.reshape(record.size),
            missed.reshape(missed.size),
            goodwill_record.reshape(goodwill_record.size),
            missed_goodwill.reshape(missed_goodwill.size),
            goodwill_prior.reshape(goodwill_prior.size),
            goodwill_weight.reshape(goodwill_weight.size),
            streak.reshape(streak.size),
            stage,
            forgetting,
            absorb_streak,
            absorb_weight,
            resolved_weight,
        )
    seen_now = new_seen.view(np.bool_).reshape(e, 2)
    resolved_now = resolved.view(np.bool_).reshape(e, 2)
    for i in range(e):
        if cost[i] != 0.0:  # NaN too, as np.any
            break
    else:
        return seen_now, resolved_now, caught, conflicts, settled, False, 0.0
    _credit_halves(cost, period, e, wealth, period_payoff, pa, pb, n)
    return seen_now, resolved_now, caught, conflicts, settled, True, _pairwise_sum(cost, 0, e)


def _review(
    alpha,
    beta,
    misread,
    missed,
    beta_prior,
    age,
    powers,
    goodwill_misread,
    missed_goodwill,
    goodwill_floor,
    last_betrayal,
    e,
    kind,
    goodwill_kind,
    correction,
    never_betrayed,
    review_cost,
    wealth,
    period_payoff,
    pa,
    pb,
    stage,
    levels,
    per_stake,
    n,
):  # pragma: no cover - compiled
    """Governance.end_step's review of rows ``[:e]``: what the misreadings took leaves beta
    (``max(min(correction * misread, beta - floor), 0)``, ``floor`` what forgetting left of the
    prior, ``beta_prior * powers[age]``, ``powers`` numpy's ``forgetting ** k``) and what
    correct readings would have given joins alpha (``correction * missed``), in contractual
    trust (``kind``: ``misread``, ``missed``, ``floor``) and in goodwill trust
    (``goodwill_kind``: ``goodwill_misread``, ``missed_goodwill``, the floor
    ``goodwill_floor``, goodwill's faded prior); the records and the conflict memory are cleared,
    and each side pays ``review_cost`` per unit stake (``review_cost`` here is
    ``2 * review_cost``). Returns whether a cost was charged and the total charged."""
    for i in range(e):
        fade = powers[age[i]]
        for s in range(2):
            if (
                misread[i, s] == 0.0
                and missed[i, s] == 0.0
                and goodwill_misread[i, s] == 0.0
                and missed_goodwill[i, s] == 0.0
            ):
                # No misreading since the last review: nothing is taken from beta (the record
                # is 0), alpha gains 0.0 (it is never -0.0: counts of evidence), the records
                # stay 0.
                continue
            b = beta[i, s, kind]
            floor = beta_prior[i, s] * fade
            taken = _np_max(_np_min(correction * misread[i, s], b - floor), 0.0)
            alpha[i, s, kind] = alpha[i, s, kind] + correction * missed[i, s]
            beta[i, s, kind] = b - taken
            misread[i, s] = 0.0
            missed[i, s] = 0.0
            b = beta[i, s, goodwill_kind]
            taken = _np_max(
                _np_min(correction * goodwill_misread[i, s], b - goodwill_floor[i, s]), 0.0
            )
            alpha[i, s, goodwill_kind] = (
                alpha[i, s, goodwill_kind] + correction * missed_goodwill[i, s]
            )
            beta[i, s, goodwill_kind] = b - taken
            goodwill_misread[i, s] = 0.0
            missed_goodwill[i, s] = 0.0
        last_betrayal[i] = never_betrayed
    # Each side pays review_cost / 2 per unit stake (Governance._charge): one cost and one
    # period credit per stage, computed as numpy computes them and looked up.
    cases = np.empty(levels.shape[0])
    credits = np.empty(levels.shape[0])
    for g in range(levels.shape[0]):
        c = review_cost * levels[g]
        cases[g] = c
        half = -c / 2
        credits[g] = half / levels[g] if per_stake else half
    cost = np.empty(e)
    period = np.empty(e)
    charged = False
    for i in range(e):
        c = cases[stage[i]]
        cost[i] = c
        period[i] = credits[stage[i]]
        charged |= c != 0.0  # NaN too, as np.any
    if not charged:
        return False, 0.0
    _credit_halves(cost, period, e, wealth, period_payoff, pa, pb, n)
    return True, _pairwise_sum(cost, 0, e)


def _confirm_exit(
    leaving,
    notice,
    notice_period,
    exit_fee,
    wealth,
    period_payoff,
    pa,
    pb,
    stage,
    levels,
    per_stake,
    n,
):  # pragma: no cover - compiled
    """Governance.confirm_exit: the notice countdown, and the exit fee of the exits that take
    effect now, paid by the side that leaves to the other. Returns the (e,) exits now."""
    e = leaving.shape[0]
    now = np.empty(e, dtype=np.bool_)
    k = 0
    for i in range(e):
        wants = leaving[i, 0] or leaving[i, 1]
        if notice_period == 0:
            go = wants
        else:
            if not wants:
                notice[i] = -1
            elif notice[i] < 0:
                notice[i] = notice_period
            go = wants and notice[i] == 0
            if wants and not go:
                notice[i] -= 1
        now[i] = go
        if go:
            k += 1
    if exit_fee != 0 and k > 0:
        rows = np.empty(k, dtype=np.int64)
        net = np.empty((k, 2))
        r = 0
        for i in range(e):
            if now[i]:
                fee = exit_fee * levels[stage[i]]
                x = fee * ((1.0 if leaving[i, 0] else 0.0) - (1.0 if leaving[i, 1] else 0.0))
                rows[r] = i
                net[r, 0] = -x
                net[r, 1] = x
                r += 1
        _credit_rows(wealth, period_payoff, pa, pb, stage, levels, rows, k, net, per_stake, n)
    return now


def _settle(pay, contributed, invested, specificity, returns, holdup, sunk_share):
    # pragma: no cover - compiled
    """SpecificInvestment.settle: the quasi-rent on mutual contribution and (``holdup > 0``)
    the hold-up transfer, into ``pay`` in place. Returns the total transferred
    (``abs(transfer).sum()``, 0.0 without hold-up)."""
    e = pay.shape[0]
    for i in range(e):
        s0 = specificity * invested[i, 0]
        s1 = specificity * invested[i, 1]
        rent = returns * np.sqrt(s0 * s1)
        r = rent * (1.0 if contributed[i, 0] & contributed[i, 1] else 0.0)
        pay[i, 0] += r
        pay[i, 1] += r
    if not holdup > 0:
        return 0.0
    moved = np.empty(e)
    for i in range(e):
        transfer = holdup * (sunk_share * invested[i, 0] - sunk_share * invested[i, 1])
        pay[i, 0] -= transfer
        pay[i, 1] += transfer
        moved[i] = abs(transfer)
    return _pairwise_sum(moved, 0, e)


def _lock_in(threshold, invested, stage, levels, lock_in, sunk_share):
    # pragma: no cover - compiled
    """SpecificInvestment.exit_threshold: ``threshold / (1 + lock_in * sunk / stake)``."""
    e = threshold.shape[0]
    # Each side's stake first, then one flat loop over both sides: one the compiler
    # vectorizes (the divisions dominate).
    stake = np.empty(2 * e)
    for i in range(e):
        x = levels[stage[i]]
        stake[2 * i] = x
        stake[2 * i + 1] = x
    flat = threshold.reshape(2 * e)
    sunk = invested[:e].reshape(2 * e)
    out = np.empty(2 * e)
    for j in range(2 * e):
        out[j] = flat[j] / (1 + lock_in * (sunk_share * sunk[j]) / stake[j])
    return out.reshape(e, 2)


def _promote(
    promoted,
    invested,
    reached,
    rate,
    side0,
    side1,
    wealth,
    period_payoff,
    pa,
    pb,
    stage,
    levels,
    per_stake,
    n,
):  # pragma: no cover - compiled
    """SpecificInvestment.on_promote (staged): each promoted partnership whose new stage is
    above the highest it invested for invests ``rate`` per unit rise of the stake (side 0
    ``side0`` times it, side 1 ``side1`` times), paid now. Returns whether any invested and the
    total invested."""
    e = promoted.shape[0]
    k = 0
    for i in range(e):
        if promoted[i] and stage[i] > reached[i]:
            k += 1
    rows = np.empty(k, dtype=np.int64)
    amount = np.empty((k, 2))
    paid = np.empty((k, 2))
    r = 0
    for i in range(e):
        if promoted[i] and stage[i] > reached[i]:
            new = stage[i]
            base = rate * (levels[new] - levels[new - 1])
            a0 = base * side0
            a1 = base * side1
            rows[r] = i
            amount[r, 0] = a0
            amount[r, 1] = a1
            paid[r, 0] = -a0
            paid[r, 1] = -a1
            reached[i] = new
            r += 1
    if k == 0 or rate == 0:
        return False, 0.0
    for r in range(k):
        i = rows[r]
        invested[i, 0] += amount[r, 0]
        invested[i, 1] += amount[r, 1]
    _credit_rows(wealth, period_payoff, pa, pb, stage, levels, rows, k, paid, per_stake, n)
    return True, _pairwise_sum(amount.reshape(2 * k), 0, 2 * k)


def _dissolve(
    gone, invested, sunk_share, wealth, period_payoff, pa, pb, stage, levels, per_stake, n
):  # pragma: no cover - compiled
    """SpecificInvestment.on_dissolve: each side of the ending partnerships gets back what is
    recoverable. Returns whether any ended and the total sunk."""
    e = gone.shape[0]
    k = 0
    for i in range(e):
        if gone[i]:
            k += 1
    if k == 0:
        return False, 0.0
    rows = np.empty(k, dtype=np.int64)
    sunk = np.empty((k, 2))
    back = np.empty((k, 2))
    r = 0
    for i in range(e):
        if gone[i]:
            rows[r] = i
            for s in range(2):
                lost = sunk_share * invested[i, s]
                sunk[r, s] = lost
                back[r, s] = invested[i, s] - lost
            r += 1
    _credit_rows(wealth, period_payoff, pa, pb, stage, levels, rows, k, back, per_stake, n)
    return True, _pairwise_sum(sunk.reshape(2 * k), 0, 2 * k)


def _stakeholders(
    degree,
    reputation,
    wealth,
    period_payoff,
    rewards,
    penalties,
    association_reward,
    audit,
    scrutiny,
    washing_threshold,
    exposure_penalty,
    keep,
    per_stake,
):  # pragma: no cover - compiled
    """StakeholderPressure.end_step: the association rewards (when ``association_reward`` is
    not 0), then (``audit`` holds the uniforms; empty without scrutiny) the exposures: a
    penalty and a cut of the reputation to ``keep`` times it. The credits are the ledger's:
    the rewards go to every organization, so they are summed first; the penalties are added
    in place when few (``k * 16 < n``). Stakes are 1. Returns how many were exposed."""
    n = wealth.shape[0]
    if association_reward != 0:
        for j in range(n):
            r = association_reward * degree[j]
            wealth[j] += 0.0 + r
            period_payoff[j] += 0.0 + (r / 1.0 if per_stake else r)
            rewards[j] += r
    if audit.shape[0] == 0:
        return 0
    k = 0
    for j in range(n):
        if audit[j] < scrutiny and reputation[j] < washing_threshold:
            k += 1
    if k == 0:
        return 0
    few = k * 16 < n
    v = -exposure_penalty
    p = v / 1.0 if per_stake else v
    for j in range(n):
        if audit[j] < scrutiny and reputation[j] < washing_threshold:
            if few:
                wealth[j] += v
                period_payoff[j] += p
            else:
                wealth[j] += 0.0 + v
                period_payoff[j] += 0.0 + p
            penalties[j] += exposure_penalty
            reputation[j] *= keep
        elif not few:
            wealth[j] += 0.0
            period_payoff[j] += 0.0
    return k


def ledger_args(model: TrustModel) -> tuple[Any, ...]:
    """The trailing arguments with which the hooks below credit partners as the model's ledger
    does: wealth, period payoff, the sides, the stages and their stakes, whether period payoff is
    per unit stake, and the number of organizations."""
    t, p = model.table, model.params
    return (
        model.wealth,
        model.period_payoff,
        t.pa,
        t.pb,
        t.stage,
        stake_array(p.stake_levels),
        p.imitation_payoff == "per_stake",
        int(model.n),
    )


@functools.cache
def kernels() -> SimpleNamespace:
    """The compiled hooks (numba imported and the functions compiled on first use).

    Returns
    -------
    types.SimpleNamespace
        ``perceive``, ``review``, ``confirm_exit``, ``settle``, ``lock_in``, ``promote``,
        ``dissolve``, ``stakeholders``.
    """
    from allysim.evolution import _compiled_gth

    scope = globals()
    scope["_pairwise_sum"] = _compiled_gth._pairwise_sum
    return compile_loops(
        scope,
        (
            "_perceive",
            "_review",
            "_confirm_exit",
            "_settle",
            "_lock_in",
            "_promote",
            "_dissolve",
            "_stakeholders",
        ),
        helpers=(
            "_credit_partners",
            "_credit_rows",
            "_credit_halves",
            "_record_misread",
            "_np_min",
            "_np_max",
        ),
    )
