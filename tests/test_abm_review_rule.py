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
                "floor": t.column("beta_prior")[:e] * model.params.forgetting ** t.age[:e, None],
                "gw_alpha": t.alpha[:e, :, GOODWILL].copy(),
                "gw_beta": t.beta[:e, :, GOODWILL].copy(),
                "gw_record": t.column("misread_goodwill")[:e].copy(),
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
    seed=st.integers(0, 2**16),
)
def test_review_moves_the_record_and_nothing_else(
    forgetting,
    every,
    correction,
    noise,
    early_warning,
    escalation,
    resolved_weight,
    absorb_weight,
    seed,
):
    # Derived on paper (module docstring): beta minus the record is at least the prior's
    # remaining share, so the floor binds only by rounding and the review moves exactly
    # correction * record; alpha + beta is unchanged; nothing moves from successes to failures.
    # All of it for contractual trust and for goodwill trust alike.
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
        governance=g,
        seed=seed,
    )
    m.watched = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ALLYSIM_NUMBA", "0")
        for _ in range(24):
            m.step()
    assert m.watched
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
            np.testing.assert_allclose(
                w[k + "alpha_after"] + w[k + "beta_after"],
                w[k + "alpha"] + w[k + "beta"],
                rtol=1e-14,
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
