"""Governance (allysim.abm.governance): each rule's off switch, closed forms and its effect over
several seeds."""

import numpy as np
import pytest

from abm_pairs import quiet_pair
from allysim.abm import DECISION_RIGHTS, Governance, TrustModel

SEEDS = range(6)


def _runs(governance, seeds=SEEDS, steps=150, **kw):
    kw = {"perception_noise": 0.1, "continuation": 0.99} | kw
    out = []
    for seed in seeds:
        m = TrustModel(n_organizations=150, governance=governance, seed=seed, **kw)
        out.append((m, m.run(steps, progress=False)))
    return out


def test_default_governance_is_the_plain_model_bit_for_bit():
    for (_, plain), (_, gov) in zip(
        _runs(None, (0, 1), 60), _runs(Governance(), (0, 1), 60), strict=True
    ):
        assert plain.equals(gov.drop(columns=["governance_cost", "conflicts_resolved"]))


def test_early_warning_keeps_misreadings_from_becoming_betrayals():
    # With 10% misreading, catching 90% of misread withholdings before they count lets
    # reciprocators keep cooperating: contribution and partnership length rise several-fold.
    plain = _runs(None, range(3))
    warned = _runs(Governance(early_warning=0.9), range(3))
    contrib = [
        np.mean([df.contribution_rate.tail(50).mean() for _, df in r]) for r in (plain, warned)
    ]
    age = [np.mean([m.table.age[: m.n_active].mean() for m, _ in r]) for r in (plain, warned)]
    assert contrib[1] > 2 * contrib[0]
    assert age[1] > 2 * age[0]


def test_graduated_resolution_settles_the_expected_share():
    # A conflict is settled by escalation (0.7) or else by facilitation (0.5): 0.85 of them.
    g = Governance(escalation=0.7, facilitation=0.5)
    shares = [df.conflicts_resolved.iloc[-1] for _, df in _runs(g, range(3), 100)]
    conflicts = [m.part_state["governance"]["conflicts"] for m, _ in _runs(g, range(3), 100)]
    n = sum(conflicts)
    assert n > 1000
    assert np.mean(shares) == pytest.approx(0.85, abs=4 * np.sqrt(0.85 * 0.15 / n) + 0.01)


def test_resolved_betrayals_do_not_demote():
    demotions = []
    for g in (None, Governance(escalation=1.0, escalation_cost=0.0)):
        total = 0
        for m, _ in _runs(g, range(3), 100):
            total += m.part_state.get("governance", {}).get("resolved", 0)
        demotions.append(total)
    assert demotions[0] == 0 and demotions[1] > 0
    # Everything resolved: institutionalization is reached more often than without.
    inst = [
        np.mean([df.stage_institutionalization.tail(50).mean() for _, df in _runs(g, range(3))])
        for g in (None, Governance(escalation=1.0, escalation_cost=0.0))
    ]
    assert inst[1] > inst[0]


def test_review_cadence_trades_cost_against_trust():
    # Reviews correct misread withholdings only, so they cut exits where misreading, not real
    # withholding, is the bad news: among reciprocators and unconditional contributors (10
    # seeds, 95% intervals: 150 +- 14 exits without reviews, 96 +- 7 every 10 steps, 128 +- 7
    # every 30). With the default strategies, defection dominates and reviews every 10 steps
    # change exits by +2% +- 8% (docs/trust-model.md, Governance).
    costs, exits = [], []
    for k in (0, 10, 30):
        g = Governance(review_every=k) if k else None
        runs = _runs(g, strategies=["ALLC", "TFT", "GTFT", "WSLS"])
        costs.append(np.mean([df.get("governance_cost", df.exits * 0).iloc[-1] for _, df in runs]))
        exits.append(np.mean([df.exits.sum() for _, df in runs]))
    assert costs[0] == 0 < costs[2] < costs[1]  # more frequent reviews cost more
    assert exits[1] < 0.75 * exits[0]  # and keep more partnerships from ending on bad news
    assert exits[1] < exits[2] < exits[0]


def test_notice_period_and_exit_fee_reduce_exits():
    base = np.mean([df.exits.sum() for _, df in _runs(None, range(3))])
    for g in (Governance(notice_period=3), Governance(exit_fee=1.0)):
        assert np.mean([df.exits.sum() for _, df in _runs(g, range(3))]) < 0.85 * base


def test_decision_rights_scale_the_dividend():
    m = TrustModel(n_organizations=20, search_rate=1.0, seed=0)
    m.step()
    e = m.n_active
    t = m.table
    cap_a, cap_b = m.capability[t.pa[:e]], m.capability[t.pb[:e]]
    for pattern, (quality, speed) in DECISION_RIGHTS.items():
        f = Governance(decision_rights=pattern).dividend(m, e)
        a_bigger = m.wealth[t.pa[:e]] >= m.wealth[t.pb[:e]]
        a_important = t.degree[t.pa[:e]] <= t.degree[t.pb[:e]]
        expected = {
            "delegated": (cap_a + cap_b) / 2 * speed,
            "expertise": np.maximum(cap_a, cap_b) * speed,
            "resources": np.where(a_bigger, cap_a, cap_b) * speed,
            "risk_exposure": cap_a * speed,  # no investments: side 0 by convention
            "strategic_importance": np.where(a_important, cap_a, cap_b) * speed,
        }.get(pattern, np.full(e, quality * speed))
        np.testing.assert_allclose(f, expected)


def test_exit_fee_moves_from_leaver_to_partner():
    g = Governance(exit_fee=2.0)
    m = TrustModel(n_organizations=20, search_rate=1.0, governance=g, seed=0)
    m.step()
    before = m.wealth.copy()
    leaving = np.zeros((m.n_active, 2), bool)
    leaving[0, 0] = True
    now = g.confirm_exit(m, leaving)
    assert now.tolist() == [True] + [False] * (m.n_active - 1)
    stake = m.params.stake_levels[m.table.stage[0]]
    a, b = m.table.pa[0], m.table.pb[0]
    assert m.wealth[a] - before[a] == pytest.approx(-2.0 * stake)
    assert m.wealth[b] - before[b] == pytest.approx(2.0 * stake)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"decision_rights": "vote"}, "decision_rights"),
        ({"decision_table": {"x": (1.5, 1.0)}}, "quality"),
        ({"early_warning": 2}, "early_warning"),
        ({"review_every": -1}, "review_every"),
        ({"notice_period": 1.5}, "notice_period"),
        ({"exit_fee": -1}, "exit_fee"),
        ({"escalation_cost": float("nan")}, "escalation_cost"),
    ],
)
def test_bad_parameters_are_named(kwargs, needle):
    with pytest.raises((ValueError, TypeError), match=needle):
        Governance(**kwargs)


def test_contracts_as_substitutes_or_complements_of_goodwill():
    # attribution_discount > 0: enforcement crowds out goodwill (substitutes); < 0: it helps
    # goodwill grow (complements; Poppo & Zenger 2002). Under a sanction contributing is
    # enforced, so the two positions part clearly; without enforcement they coincide.
    from allysim.mechanisms import Sanction

    def goodwill(a, mechanisms):
        runs = []
        for seed in range(3):
            m = TrustModel(
                n_organizations=150,
                attribution_discount=a,
                mechanisms=mechanisms,
                seed=seed,
                continuation=0.99,
            )
            runs.append(m.run(150, progress=False).trust_goodwill.tail(50).mean())
        return np.mean(runs)

    enforced = [Sanction(fine=3, detection=0.8)]
    substitutes, neutral, complements = (goodwill(a, enforced) for a in (0.8, 0.0, -0.8))
    assert substitutes < neutral - 0.1
    assert complements > neutral
    with pytest.raises(ValueError, match="attribution_discount"):
        TrustModel(n_organizations=10, attribution_discount=-1.0)


def test_risk_exposure_gives_the_decision_to_the_more_invested_partner():
    from allysim.abm import SpecificInvestment

    g = Governance(decision_rights="risk_exposure")
    m = TrustModel(
        n_organizations=20,
        search_rate=1.0,
        governance=g,
        investment=SpecificInvestment(timing="upfront", imbalance=0.5),
        seed=0,
    )
    m.step()
    e, t = m.n_active, m.table
    invested = t.column("invested")[:e].copy()
    invested[: e // 2] = invested[: e // 2, ::-1]  # side 1 more exposed in half of them
    t.column("invested")[:e] = invested
    speed = g.decision_table["risk_exposure"][1]
    cap_a, cap_b = m.capability[t.pa[:e]], m.capability[t.pb[:e]]
    expected = np.where(invested[:, 0] >= invested[:, 1], cap_a, cap_b) * speed
    np.testing.assert_allclose(g.dividend(m, e), expected)
    assert (invested[: e // 2, 1] > invested[: e // 2, 0]).all()


def _pair(**kw):
    """Two organizations in one partnership that never ends, no noise of any kind."""
    return quiet_pair(**kw)


def test_review_of_a_clean_record_leaves_trust_alone():
    # Forgetting fades the prior's 1 in beta as well, so after a run of contributions beta < 1.
    # A review with nothing misread must move no evidence (before: it moved beta - 1 < 0, from
    # successes to failures: contractual trust 0.897 instead of 0.995 after 30 steps).
    plain = _pair()
    reviewed = _pair(governance=Governance(review_every=5, review_cost=0.0))
    for _ in range(30):
        plain.step()
        reviewed.step()
    np.testing.assert_array_equal(reviewed.table.alpha[:1], plain.table.alpha[:1])
    np.testing.assert_array_equal(reviewed.table.beta[:1], plain.table.beta[:1])
    assert plain.table.beta[0, 0, 1] < 1  # the case the old rule got wrong
    assert reviewed.trust_contractual == pytest.approx(0.9952, abs=1e-4)


def test_review_keeps_trust_a_probability():
    # Resolved betrayals at weight 0 and strong forgetting shrink both Beta parameters towards
    # 0; the old review then set alpha to alpha + beta - 1 < 0 (trust -2499, and the numpy path
    # failed in play_round while the compiled one went on).
    m = _pair(
        strategies=["ALLC", "ALLD"],
        initial_strategies=[0, 1],
        forgetting=0.01,
        exit_threshold=0.0,
        governance=Governance(escalation=1.0, resolved_weight=0.0, review_every=3),
    )
    for _ in range(7):
        m.step()
        e = m.n_active
        assert np.all(m.table.alpha[:e] > 0) and np.all(m.table.beta[:e] > 0)
        assert 0 <= m.trust_contractual <= 1


def _misreading_pair(forgetting, governance, **kw):
    """An ALLC organization and a RANDOM(0.5) one in one partnership, each misreading the
    other's move with chance 0.3, nobody leaving on low trust."""
    return _pair(
        strategies=["ALLC", "RANDOM(0.5)"],
        initial_strategies=[0, 1],
        perception_noise=0.3,
        forgetting=forgetting,
        exit_threshold=0.0,
        governance=governance,
        **kw,
    )


@pytest.mark.parametrize("compiled", ["0", "1"])
def test_misread_record_fades_every_round_as_contractual_evidence_does(compiled, monkeypatch):
    # The record of misread withholdings sits in contractual beta, which fades by `forgetting`
    # every round; so must the record. Before, it did not fade in rounds where the partner
    # really withheld (seen correctly), and a later review moved more than was left in beta.
    monkeypatch.setenv("ALLYSIM_NUMBA", compiled)
    lam = 0.8
    m = _misreading_pair(lam, Governance(review_every=1000))
    expected = np.zeros(2)
    rounds_with_true_withholding = 0
    for _ in range(40):
        m.step()
        r = m.last_round
        if r.n == 0:  # the first step forms the partnership after play
            continue
        misread = r.contributed[0, ::-1] & ~r.seen[0]
        rounds_with_true_withholding += int((~r.contributed[0, ::-1] & ~r.seen[0]).any())
        expected = expected * lam + misread
        np.testing.assert_allclose(m.table.column("misread")[0], expected, rtol=1e-12)
    assert rounds_with_true_withholding > 5  # the rounds the old rule did not fade


@pytest.mark.parametrize("compiled", ["0", "1"])
@pytest.mark.parametrize("lam", [1.0, 0.9])
def test_review_removes_exactly_the_misread_evidence(compiled, lam, monkeypatch):
    # A review with review_correction 1 leaves in contractual beta exactly the evidence of the
    # withholdings seen correctly and the prior's faded share: b = lam * b + w * (partner
    # withheld and it was seen), from the prior, w the weight LearnTrust gave it
    # (resolved_weight here: every betrayal is resolved). Before, the record counted a resolved
    # misread as 1, not 0.5, so the review also erased evidence of real withholdings (seed 3,
    # 20 steps: beta 2.69 instead of 4.19); and under forgetting the review's cap at beta - 1
    # (the prior's 1, which forgetting fades too) held back part of the correction.
    monkeypatch.setenv("ALLYSIM_NUMBA", compiled)
    # absorb_weight 1: an institutionalized partnership weighs a withholding as any other
    # (reviews also correct goodwill, so this pair reaches institutionalization at lam 0.9).
    m = _misreading_pair(
        lam,
        Governance(escalation=1.0, resolved_weight=0.5, escalation_cost=0.0, review_every=10),
        absorb_weight=1.0,
    )
    m.step()  # forms the partnership after play
    assert m.strategy_of[m.table.pa[0]] == 0
    true = m.table.beta[0, 0, 1]  # side 0 is the ALLC organization: every withholding betrays it
    misreads = reviews = 0
    for _ in range(40):
        m.step()
        r = m.last_round
        withheld_seen = not r.contributed[0, 1] and not r.seen[0, 0]
        misreads += int(r.contributed[0, 1] and not r.seen[0, 0])
        true = lam * true + 0.5 * withheld_seen
        if m.steps % 10 == 0:
            reviews += 1
            assert m.table.beta[0, 0, 1] == pytest.approx(true, rel=1e-12, abs=1e-15)
    assert reviews == 4 and misreads > 3
