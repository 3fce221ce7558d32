"""Governance's review under forgetting (allysim.abm.governance): what contractual beta is made
of, and how much of it a review may move.

Contractual beta starts at the prior's ``beta_0 = 1 + prior_strength * (1 - judgement)`` and
every round fades by ``forgetting`` and gains the weight of a perceived withholding. After
``age`` rounds it is ``beta_0 * forgetting ** age`` plus the faded withholdings, seen correctly
or misread, less what earlier reviews moved. The misread ones since the last review are the
record, so a review moves ``review_correction`` times the record and nothing else. The old cap,
``beta - 1`` ("never below the prior's 1"), held back most of the correction under forgetting,
where the prior's share has faded far below 1.

Goodwill beta is made the same way, but fades only in the rounds its side observed something
(it saw a contribution or contributed itself), and a withholding counts against it only where
the side contributed (a betrayal). The same misread withholdings are there, and a review moves
them back too: before, it left goodwill lowered by betrayals the review had found did not happen.

What a review adds to alpha is what correct readings would have given (the records ``missed``
and ``missed_goodwill``): 1 to contractual alpha for each misread contribution, its goodwill
weight to goodwill alpha (also where the side met it by withholding, which took nothing from
goodwill), each faded since as a correct reading would have faded it. Before, a review moved
what the misreading took, which differs where a misread counted less than 1 (absorbed,
resolved) or a contribution is worth less than 1 to goodwill (mechanisms explain it).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm_pairs import quiet_pair
from allysim.abm import Governance, TrustModel

GOODWILL = 2


def _allc_pair(forgetting, correction, every=5):
    """Two ALLC organizations, each misreading the other's move with chance 0.3, nobody
    leaving on low trust; a judgement of 0.8 (acceptance_offset 0.3 + neutral record 0.5) so
    the prior's beta is 1.4, not 1; absorb_weight 1 so every withholding counts 1."""
    return quiet_pair(
        seed=3,
        perception_noise=0.3,
        forgetting=forgetting,
        acceptance_offset=0.3,
        absorb_weight=1.0,
        exit_threshold=0.0,
        governance=Governance(review_every=every, review_correction=correction, review_cost=0.0),
    )


@pytest.mark.parametrize("compiled", ["0", "1"])
@pytest.mark.parametrize("correction", [1.0, 0.5])
@pytest.mark.parametrize("lam", [1.0, 0.9])
def test_review_moves_the_whole_correction_of_a_misread_record(
    compiled, correction, lam, monkeypatch
):
    # Both partners always contribute, so every perceived withholding is a misread: by hand,
    # beta = lam * beta + 1 for each one, the record likewise since the last review, and a
    # review takes correction * record out of beta. With correction 1, beta after a review is
    # the prior's remaining share beta_0 * lam ** age and nothing else. The old cap beta - 1
    # binds under forgetting: at lam 0.9 it left beta at 1 (trust 0.90 instead of 0.99).
    monkeypatch.setenv("ALLYSIM_NUMBA", compiled)
    m = _allc_pair(lam, correction)
    while m.n_active == 0:
        m.step()
    t = m.table
    beta0 = t.beta[0, :, 1].copy()
    assert beta0 == pytest.approx([1.4, 1.4])  # 1 + 2 * (1 - 0.8)
    beta, record = beta0.copy(), np.zeros(2)
    reviews = old_cap_binds = 0
    for _ in range(40):
        m.step()
        misread = ~m.last_round.seen[0]
        assert not np.any(~m.last_round.contributed[0])
        beta = lam * beta + misread
        record = lam * record + misread
        if m.steps % 5 == 0:
            reviews += 1
            old_cap_binds += int(np.any(correction * record > beta - 1))
            beta = beta - correction * record
            record[:] = 0
            if correction == 1.0:
                prior_left = beta0 * lam ** t.age[0]
                np.testing.assert_allclose(t.beta[0, :, 1], prior_left, rtol=1e-9)
        np.testing.assert_allclose(t.beta[0, :, 1], beta, rtol=1e-9)
        np.testing.assert_allclose(t.column("misread")[0], record, rtol=1e-9, atol=1e-12)
    assert reviews == 8
    # Where the old rule went wrong: never without forgetting, at most reviews with it.
    # (Under forgetting: at every review with correction 1, at 3 of the 8 with 0.5.)
    assert old_cap_binds == (0 if lam == 1.0 else {1.0: 8, 0.5: 3}[correction])


def test_the_fix_raises_trust_where_misreads_dominate():
    # The figures of the docstring above: at lam 0.9 after the review at step 40 (age 39), the
    # old rule left beta at 1 and contractual trust at 0.90; the whole correction leaves the
    # prior's 1.4 * 0.9 ** 39 = 0.023 and trust 0.998.
    m = _allc_pair(0.9, 1.0)
    for _ in range(40):
        m.step()
    t = m.table
    assert t.age[0] == 39
    assert t.beta[0, :, 1] == pytest.approx(1.4 * 0.9**39 * np.ones(2), rel=1e-9)
    assert m.trust_contractual > 0.99


class _Watched(Governance):
    """Governance that keeps, at each review, the table before and after it."""

    def end_step(self, model):
        reviewing = self.review_every and model.steps % self.review_every == 0
        t, e = model.table, model.table.n_active
        if reviewing and e:
            before = {
                "alpha": t.alpha[:e, :, 1].copy(),
                "beta": t.beta[:e, :, 1].copy(),
                "record": t.column("misread")[:e].copy(),
                "missed": t.column("missed")[:e].copy(),
                "floor": t.column("beta_prior")[:e] * model.params.forgetting ** t.age[:e, None],
                "gw_alpha": t.alpha[:e, :, GOODWILL].copy(),
                "gw_beta": t.beta[:e, :, GOODWILL].copy(),
                "gw_record": t.column("misread_goodwill")[:e].copy(),
                "gw_missed": t.column("missed_goodwill")[:e].copy(),
                "gw_floor": t.column("goodwill_prior")[:e].copy(),
            }
        super().end_step(model)
        if reviewing and e:
            model.watched.append(
                before
                | {
                    "alpha_after": t.alpha[:e, :, 1].copy(),
                    "beta_after": t.beta[:e, :, 1].copy(),
                    "gw_alpha_after": t.alpha[:e, :, GOODWILL].copy(),
                    "gw_beta_after": t.beta[:e, :, GOODWILL].copy(),
                }
            )


@settings(max_examples=40, deadline=None)
@given(
    forgetting=st.sampled_from([0.5, 0.8, 0.9, 0.97, 1.0]),
    every=st.integers(1, 6),
    correction=st.sampled_from([0.0, 0.3, 1.0]),
    noise=st.sampled_from([0.05, 0.2, 0.4]),
    early_warning=st.sampled_from([0.0, 0.5]),
    escalation=st.sampled_from([0.0, 1.0]),
    resolved_weight=st.sampled_from([0.0, 0.5]),
    absorb_weight=st.sampled_from([0.2, 1.0]),
    sanction=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_review_takes_the_record_and_credits_what_was_missed(
    forgetting,
    every,
    correction,
    noise,
    early_warning,
    escalation,
    resolved_weight,
    absorb_weight,
    sanction,
    seed,
):
    # Derived on paper (module docstring): beta minus the record is at least the prior's
    # remaining share, so the floor binds only by rounding and the review takes exactly
    # correction * record from beta; it adds exactly correction * missed (what correct readings
    # would have given) to alpha; nothing else moves; both kinds alike. alpha + beta is no
    # longer conserved: it changes by correction * (missed - record). What holds instead:
    # contractual missed >= record (a misread took at most 1, a correct reading gives 1, both
    # faded every round), equal where every misread counted 1 (absorb_weight 1, nothing
    # resolved), so there alpha + beta is conserved as before; goodwill missed and record have
    # no such order (a misread met by a withholding adds to missed only, and a correct reading
    # fades missed where the misreading did not fade the record).
    from allysim.mechanisms import Sanction

    g = _Watched(
        review_every=every,
        review_correction=correction,
        early_warning=early_warning,
        escalation=escalation,
        resolved_weight=resolved_weight,
    )
    m = TrustModel(
        n_organizations=10,
        capacity=2,
        strategies=["ALLC", "TFT", "RANDOM(0.5)", "ALLD"],
        perception_noise=noise,
        forgetting=forgetting,
        absorb_weight=absorb_weight,
        absorb_streak=2,
        continuation=0.97,
        search_rate=1.0,
        imitation_every=0,
        mechanisms=(Sanction(3.0, 0.8),) if sanction else (),
        governance=g,
        seed=seed,
    )
    m.watched = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ALLYSIM_NUMBA", "0")
        for _ in range(24):
            m.step()
    assert m.watched
    all_one = absorb_weight == 1.0 and escalation == 0.0
    for w in m.watched:
        for k in ("", "gw_"):
            moved = w[k + "beta"] - w[k + "beta_after"]
            scale = 1 + w[k + "beta"]
            np.testing.assert_allclose(
                moved, correction * w[k + "record"], rtol=0, atol=1e-12 * scale.max()
            )
            # (moved is read back as a difference of beta, so it carries beta's rounding.)
            assert np.all(moved >= -1e-15 * scale)
            assert np.all(moved <= correction * w[k + "record"] + 1e-15 * scale)
            assert np.all(w[k + "beta_after"] >= w[k + "floor"] - 1e-13 * scale)
            # Alpha gains the missed credit to the bit: alpha + correction * missed.
            np.testing.assert_array_equal(
                w[k + "alpha_after"], w[k + "alpha"] + correction * w[k + "missed"]
            )
            assert np.all(w[k + "missed"] >= 0) and np.all(w[k + "record"] >= 0)
            np.testing.assert_allclose(
                w[k + "alpha_after"] + w[k + "beta_after"],
                w[k + "alpha"] + w[k + "beta"] + correction * (w[k + "missed"] - w[k + "record"]),
                rtol=1e-14,
                atol=1e-13,
            )
        assert np.all(w["missed"] >= w["record"])
        if all_one:
            np.testing.assert_array_equal(w["missed"], w["record"])
            np.testing.assert_allclose(
                w["alpha_after"] + w["beta_after"], w["alpha"] + w["beta"], rtol=1e-14
            )


@pytest.mark.parametrize("compiled", ["0", "1"])
@pytest.mark.parametrize("correction", [1.0, 0.5])
@pytest.mark.parametrize("lam", [1.0, 0.9])
def test_review_corrects_goodwill_as_it_corrects_contractual_trust(
    compiled, correction, lam, monkeypatch
):
    # Both partners always contribute, so each side observes every round and every perceived
    # withholding is a misread met with its own contribution: a betrayal against goodwill at
    # weight 1. By hand, goodwill beta = lam * beta + misread, as contractual beta; goodwill
    # alpha = lam * alpha + credit * seen (credit: the partnership's goodwill weight of a
    # contribution); a review moves correction * record from beta to alpha. With correction 1,
    # goodwill beta after a review is the prior's remaining share beta_0 * lam ** age. The old
    # review left goodwill beta alone: at the end (step 41, one misread since the last review)
    # it stood at 15.4 and 10.4 at lam 1 against 2.4 and 1.4 corrected, and at 3.6 and 2.7 at
    # lam 0.9 against 1.02 and 0.02 (correction 1; goodwill trust 0.96 and 0.95 corrected).
    monkeypatch.setenv("ALLYSIM_NUMBA", compiled)
    m = _allc_pair(lam, correction)
    while m.n_active == 0:
        m.step()
    t = m.table
    credit = t.goodwill_weight[0, :, 0].copy()  # (the weight of a contribution met by one)
    alpha, beta = t.alpha[0, :, GOODWILL].copy(), t.beta[0, :, GOODWILL].copy()
    assert beta == pytest.approx([1.4, 1.4])
    beta0, record = beta.copy(), np.zeros(2)
    old_beta = beta.copy()  # the old rule: goodwill never corrected
    misread_total = 0
    for _ in range(40):
        m.step()
        seen = m.last_round.seen[0]
        misread_total += int((~seen).sum())
        alpha = lam * alpha + np.where(seen, credit, 0.0)
        beta = lam * beta + ~seen
        old_beta = lam * old_beta + ~seen
        record = lam * record + ~seen
        if m.steps % 5 == 0:
            alpha, beta = alpha + correction * record, beta - correction * record
            record[:] = 0
            if correction == 1.0:
                np.testing.assert_allclose(
                    t.beta[0, :, GOODWILL], beta0 * lam ** t.age[0], rtol=1e-9
                )
        np.testing.assert_allclose(t.alpha[0, :, GOODWILL], alpha, rtol=1e-9)
        np.testing.assert_allclose(t.beta[0, :, GOODWILL], beta, rtol=1e-9)
        np.testing.assert_allclose(t.column("misread_goodwill")[0], record, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(t.column("goodwill_prior")[0], beta0 * lam ** t.age[0])
    assert misread_total > 10
    # What the old rule got wrong: its goodwill beta stands well above the corrected one.
    assert np.all(old_beta - beta > (0.9 if lam < 1 else 3.0))


@pytest.mark.parametrize("compiled", ["0", "1"])
@pytest.mark.parametrize("lam", [1.0, 0.8])
def test_goodwill_record_counts_betrayals_and_fades_where_observed(compiled, lam, monkeypatch):
    # ALLC (side 0) and RANDOM(0.5) (side 1), each misreading the other's move with chance
    # 0.3. Goodwill learns only where its side saw a contribution or contributed, and counts a
    # withholding against it only where its side contributed. So side 1's record skips the
    # rounds in which it withheld and saw a withholding (no fading), and a misread it met by
    # withholding is no betrayal (not recorded); side 0 always contributes and so records
    # every misread. With correction 1 a review leaves in goodwill beta exactly the prior's
    # faded share and the real betrayals (partner withheld, seen so, own contribution), each
    # faded since it counted.
    monkeypatch.setenv("ALLYSIM_NUMBA", compiled)
    m = quiet_pair(
        seed=1,
        strategies=["ALLC", "RANDOM(0.5)"],
        initial_strategies=[0, 1],
        perception_noise=0.3,
        forgetting=lam,
        absorb_weight=1.0,
        exit_threshold=0.0,
        governance=Governance(review_every=7, review_cost=0.0),
    )
    m.step()  # forms the partnership after play
    t = m.table
    assert m.strategy_of[t.pa[0]] == 0
    prior = t.beta[0, :, GOODWILL].copy()
    real, record = np.zeros(2), np.zeros(2)
    unobserved = unrecorded_misreads = reviews = 0
    for _ in range(70):
        m.step()
        r = m.last_round
        mine, partner, seen = r.contributed[0], r.contributed[0, ::-1], r.seen[0]
        observed = seen | mine
        fade = np.where(observed, lam, 1.0)
        prior, real, record = prior * fade, real * fade, record * fade
        real += mine & ~partner & ~seen
        record += mine & partner & ~seen
        unobserved += int((~observed).sum())
        unrecorded_misreads += int((~mine & partner & ~seen).sum())
        if m.steps % 7 == 0:
            reviews += 1
            record[:] = 0
            np.testing.assert_allclose(t.beta[0, :, GOODWILL], prior + real, rtol=1e-12)
        np.testing.assert_allclose(t.column("misread_goodwill")[0], record, rtol=1e-12)
        np.testing.assert_allclose(t.column("goodwill_prior")[0], prior, rtol=1e-12)
    assert reviews == 10 and unobserved > 5 and unrecorded_misreads > 5


# ------------------------------------------------------- what a correct reading would have given


def _sanctioned_pair(strategies, lam, correction, **kw):
    """A pair under Sanction(3, 0.8), which removes the whole temptation: with
    attribution_discount 0.8 a contribution is worth 0.2 to goodwill (goodwill_weight)."""
    from allysim.mechanisms import Sanction

    gov = kw.pop("governance_kw", {})
    return quiet_pair(
        seed=kw.pop("seed", 2),
        strategies=strategies,
        initial_strategies=[0, len(strategies) - 1],
        perception_noise=0.3,
        forgetting=lam,
        exit_threshold=0.0,
        mechanisms=(Sanction(3.0, 0.8),),
        governance=Governance(review_every=5, review_correction=correction, review_cost=0.0, **gov),
        **kw,
    )


@pytest.mark.parametrize("compiled", ["0", "1"])
@pytest.mark.parametrize("correction", [1.0, 0.5])
@pytest.mark.parametrize("lam", [1.0, 0.9])
def test_review_credits_what_a_correct_reading_would_have(compiled, correction, lam, monkeypatch):
    # Two ALLC organizations, every perceived withholding a misread met with the side's own
    # contribution, and escalation resolving every such betrayal: it counts resolved_weight 0.5
    # against contractual and goodwill trust. Read correctly, the partner's contribution would
    # have added 1 to contractual alpha and its goodwill weight 0.2 to goodwill alpha. By hand:
    # alpha = lam * alpha + credit * seen, beta = lam * beta + 0.5 * misread, the records
    # likewise (taken: 0.5 a misread, missed: the credit), and a review adds correction * missed
    # to alpha and takes correction * taken out of beta. The old review moved the 0.5 it took
    # to alpha instead: half of the contractual credit, and 2.5 times the goodwill credit.
    monkeypatch.setenv("ALLYSIM_NUMBA", compiled)
    m = _sanctioned_pair(
        ["ALLC"],
        lam,
        correction,
        absorb_weight=1.0,
        governance_kw={"escalation": 1.0, "resolved_weight": 0.5},
    )
    while m.n_active == 0:
        m.step()
    t = m.table
    np.testing.assert_allclose(t.goodwill_weight[0], 0.2)  # 1 - 0.8, to rounding
    credit = {1: np.ones(2), GOODWILL: t.goodwill_weight[0, :, 0].copy()}
    alpha = {k: t.alpha[0, :, k].copy() for k in credit}
    beta = {k: t.beta[0, :, k].copy() for k in credit}
    taken = {k: np.zeros(2) for k in credit}
    missed = {k: np.zeros(2) for k in credit}
    old_alpha = {k: alpha[k].copy() for k in credit}  # the old review: alpha += taken
    misreads, reviewed, since = 0, np.zeros(2), np.zeros(2)
    for _ in range(40):
        m.step()
        seen = m.last_round.seen[0]
        misreads += int((~seen).sum())
        since += ~seen
        if m.steps % 5 == 0:
            reviewed, since = reviewed + since, np.zeros(2)
        for k in credit:
            alpha[k] = lam * alpha[k] + np.where(seen, credit[k], 0.0)
            old_alpha[k] = lam * old_alpha[k] + np.where(seen, credit[k], 0.0)
            beta[k] = lam * beta[k] + 0.5 * ~seen
            taken[k] = lam * taken[k] + 0.5 * ~seen
            missed[k] = lam * missed[k] + np.where(~seen, credit[k], 0.0)
            if m.steps % 5 == 0:
                alpha[k] = alpha[k] + correction * missed[k]
                old_alpha[k] = old_alpha[k] + correction * taken[k]
                beta[k] = beta[k] - correction * taken[k]
                taken[k][:], missed[k][:] = 0, 0
            np.testing.assert_allclose(t.alpha[0, :, k], alpha[k], rtol=1e-12)
            np.testing.assert_allclose(t.beta[0, :, k], beta[k], rtol=1e-12)
        np.testing.assert_allclose(t.column("missed")[0], missed[1], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(t.column("missed_goodwill")[0], missed[GOODWILL], atol=1e-15)
    assert misreads > 20 and m.part_state["governance"]["resolved"] > 10
    # Where the old rule went wrong, at the end (step 41): contractual alpha short by
    # correction * (1 - 0.5) per misread reviewed, goodwill alpha over by correction * (0.5 -
    # 0.2) (without forgetting: 5 and 7.5 short, 3 and 4.5 over at correction 1; at lam 0.9,
    # 0.77 and 1.60 short, 0.46 and 0.96 over).
    short, over = alpha[1] - old_alpha[1], old_alpha[GOODWILL] - alpha[GOODWILL]
    if lam == 1.0:
        np.testing.assert_allclose(short, correction * 0.5 * reviewed, rtol=1e-12)
        np.testing.assert_allclose(over, correction * (0.5 - credit[GOODWILL]) * reviewed)
    assert np.all(short > 0.7 * correction) and np.all(over > 0.4 * correction)


@pytest.mark.parametrize("compiled", ["0", "1"])
@pytest.mark.parametrize("sanction", [True, False])
@pytest.mark.parametrize("lam", [1.0, 0.9])
def test_review_credits_goodwill_for_a_contribution_misread_by_a_withholder(
    compiled, sanction, lam, monkeypatch
):
    # ALLC (side 0) and RANDOM(0.5) (side 1), with the sanction or without (goodwill weights
    # 0.2 or 1). Where side 1 withheld and misread ALLC's contribution, nothing counted against
    # its goodwill (no betrayal) and nothing faded (it observed nothing), but a correct reading
    # would have added the contribution's goodwill weight (goodwill_weight[1, 1], met by a
    # withholding) to its alpha, and would have observed: that credit fades from then on in
    # every round a correct reading observes (the side saw a contribution, contributed, or
    # misread one). Where a side contributed and misread, the betrayal took 1 from goodwill and
    # a correct reading would have given gw[side, 0]. By hand, with correction 1, a review adds
    # the missed credits to alpha and takes the betrayals out of beta. The old review added
    # nothing for side 1's withheld misreads (so it fails without the sanction too) and the
    # betrayals' 1 instead of gw[side, 0].
    monkeypatch.setenv("ALLYSIM_NUMBA", compiled)
    m = _sanctioned_pair(["ALLC", "RANDOM(0.5)"], lam, 1.0, absorb_weight=1.0, seed=1)
    if not sanction:
        m = quiet_pair(
            seed=1,
            strategies=["ALLC", "RANDOM(0.5)"],
            initial_strategies=[0, 1],
            perception_noise=0.3,
            forgetting=lam,
            absorb_weight=1.0,
            exit_threshold=0.0,
            governance=Governance(review_every=5, review_cost=0.0),
        )
    m.step()  # forms the partnership after play
    t = m.table
    assert m.strategy_of[t.pa[0]] == 0
    gw = t.goodwill_weight[0].copy()
    np.testing.assert_allclose(gw, 0.2 if sanction else 1.0)
    alpha, beta = t.alpha[0, :, GOODWILL].copy(), t.beta[0, :, GOODWILL].copy()
    taken, missed = np.zeros(2), np.zeros(2)
    withheld_misreads = 0
    for _ in range(60):
        m.step()
        r = m.last_round
        mine, partner, seen = r.contributed[0], r.contributed[0, ::-1], r.seen[0]
        credit = np.where(mine, gw[:, 0], gw[:, 1])
        misread = partner & ~seen
        fade = np.where(seen | mine, lam, 1.0)
        alpha = alpha * fade + np.where(seen, credit, 0.0)
        beta = beta * fade + (mine & ~seen)
        taken = taken * fade + (mine & misread)
        missed = missed * np.where(seen | mine | misread, lam, 1.0) + np.where(misread, credit, 0.0)
        withheld_misreads += int((misread & ~mine).sum())
        if m.steps % 5 == 0:
            alpha, beta = alpha + missed, beta - taken
            taken, missed = np.zeros(2), np.zeros(2)
        np.testing.assert_allclose(t.alpha[0, :, GOODWILL], alpha, rtol=1e-12)
        np.testing.assert_allclose(t.beta[0, :, GOODWILL], beta, rtol=1e-12)
        np.testing.assert_allclose(t.column("missed_goodwill")[0], missed, rtol=1e-12, atol=1e-15)
    assert withheld_misreads >= 5
