"""Standing in the trust model: a social norm of indirect reciprocity judges organizations.

Closed forms (every organization unconditionally cooperative, execution error e, assessment
error a, everyone assessed every step): the share in good standing is x = (1-e)(1-a) + e a under
image scoring and 1/2 under stern judging. Qualitative effects over several seeds: image
scoring marks down justified retaliation, standing norms do not; bad standing costs partners;
discriminators refuse the bad; an exit bias ends partnerships with the bad sooner.
"""

import numpy as np
import pytest

from allysim.abm import Standing, TrustModel, TrustParams
from allysim.reputation import get_norm

SEEDS = range(3)


def dense(norm, *, noise, error, seed, steps=150, strategies=("ALLC",)):
    """All-cooperative population where nearly everyone plays every step."""
    m = TrustModel(
        n_organizations=300,
        strategies=list(strategies),
        noise=noise,
        trust_to_contribute=0.0,  # ALLC contributes unless execution fails
        search_rate=1.0,
        continuation=0.98,
        exit_threshold=0.0,
        imitation_every=0,
        standing=Standing(norm, assessment_error=error, acceptance_weight=0.0),
        seed=seed,
    )
    df = m.run(steps, progress=False)
    return df["standing_good"].iloc[-50:].mean()


@pytest.mark.parametrize("noise,error", [(0.05, 0.0), (0.1, 0.02), (0.0, 0.05)])
def test_image_scoring_of_unconditional_cooperators_matches_its_closed_form(noise, error):
    x = (1 - noise) * (1 - error) + noise * error
    got = np.mean([dense("image scoring", noise=noise, error=error, seed=s) for s in SEEDS])
    assert got == pytest.approx(x, abs=0.02)


@pytest.mark.parametrize("noise,error", [(0.05, 0.0), (0.1, 0.02)])
def test_stern_judging_of_unconditional_cooperators_tends_to_one_half(noise, error):
    # Giving to the bad is condemned, so errors spread bad standing until half are bad.
    got = np.mean([dense("stern judging", noise=noise, error=error, seed=s) for s in SEEDS])
    assert got == pytest.approx(0.5, abs=0.03)


def test_without_errors_unconditional_cooperators_all_stay_good():
    assert dense("stern judging", noise=0.0, error=0.0, seed=0) == 1.0


def mixed(norm, seed, **standing):
    m = TrustModel(
        n_organizations=200,
        strategies=["TFT", "ALLD", "ALLC"],
        imitation_every=0,
        standing=Standing(norm, **standing),
        seed=seed,
    )
    return m, m.run(60, progress=False).iloc[-20:].mean()


def test_image_scoring_marks_down_justified_retaliation_and_standing_does_not():
    # Six seeds, paired: the gap is 0.17 (simple standing) and 0.14 (L1) on average, 0.06-0.25
    # on one seed (measured after first-come-first-served partner search).
    tft = {
        norm: np.array([mixed(norm, s)[1]["standing_good_TFT"] for s in range(6)])
        for norm in ("image scoring", "simple standing", "L1")
    }
    # TFT withholds from ALLD: image scoring condemns it, standing norms approve it.
    for norm in ("simple standing", "L1"):
        gap = tft[norm] - tft["image scoring"]
        assert gap.mean() > 0.1 and (gap > 0).all(), (norm, gap)
    for norm in ("image scoring", "simple standing", "stern judging"):
        alld = np.mean([mixed(norm, s)[1]["standing_good_ALLD"] for s in SEEDS])
        assert alld < 0.05, norm


def share_with_alld(model):
    t, e = model.table, model.table.n_active
    alld = model.strategies.names.index("ALLD")
    ends = np.stack([t.pa[:e], t.pb[:e]])
    return np.mean((model.strategy_of[ends] == alld).any(axis=0))


def test_bad_standing_costs_partners():
    with_weight = np.mean([share_with_alld(mixed("L1", s)[0]) for s in SEEDS])
    without = np.mean([share_with_alld(mixed("L1", s, acceptance_weight=0.0)[0]) for s in SEEDS])
    assert with_weight < 0.6 * without


def test_discriminators_refuse_partners_in_bad_standing():
    refused, wealth = [], {}
    for who in ((), ("ALLC",)):
        runs = [mixed("L1", s, discriminating=who, acceptance_weight=0.0) for s in SEEDS]
        refused.append(np.mean([r[1]["standing_refused"] for r in runs]))
        wealth[who] = np.mean(
            [m.wealth[m.strategy_of == m.strategies.names.index("ALLD")].mean() for m, _ in runs]
        )
    assert refused[0] == 0 and refused[1] > 100
    # ALLC that refuse the bad are no longer exploited by ALLD.
    assert wealth[("ALLC",)] < wealth[()] - 1


def test_exit_bias_ends_partnerships_with_the_bad_sooner():
    base = np.mean([share_with_alld(mixed("L1", s, acceptance_weight=0.0)[0]) for s in SEEDS])
    biased = np.mean(
        [share_with_alld(mixed("L1", s, acceptance_weight=0.0, exit_bias=1.0)[0]) for s in SEEDS]
    )
    assert biased < 0.7 * base


def test_parameters_are_validated_with_their_names():
    with pytest.raises(ValueError, match="observation"):
        Standing(observation=1.5)
    with pytest.raises(ValueError, match="assessment_error"):
        Standing(assessment_error=-0.1)
    with pytest.raises(ValueError, match="exit_bias"):
        Standing(exit_bias=-1)
    with pytest.raises(TypeError, match="discriminating"):
        Standing(discriminating="TFT")
    with pytest.raises(ValueError, match="norm"):
        Standing(norm="no such norm")
    with pytest.raises(ValueError, match="discriminating"):
        TrustModel(n_organizations=10, strategies=["TFT"], standing=Standing(discriminating=["X"]))
    assert Standing("L6").norm == get_norm("stern judging")


def test_standing_is_a_trust_params_part_and_off_by_default():
    assert TrustParams().standing is None
    assert TrustParams(standing=Standing()).parts()[0].name == "standing"
    a = TrustModel(n_organizations=50, seed=4).run(10, progress=False)
    b = TrustModel(n_organizations=50, standing=None, seed=4).run(10, progress=False)
    assert a.equals(b) and "standing_good" not in a


def test_discrimination_follows_the_strategy_an_organization_uses_now():
    # Imitation and mutation change strategies; the action rule is the strategy's, so an
    # organization that took up ALLC refuses the bad and one that left it no longer does (it
    # was fixed at the start before).
    m = TrustModel(
        n_organizations=40,
        strategies=["ALLC", "TFT"],
        imitation_every=1,
        mutation=0.5,
        standing=Standing("stern judging", discriminating=["ALLC"]),
        seed=1,
    )
    first = m.strategy_of.copy()
    for _ in range(5):
        m.step()
    e = m.n_active
    ends = np.stack([m.table.pa[:e], m.table.pb[:e]], axis=1)
    assert (first[ends] != m.strategy_of[ends]).sum() > 5
    m.part_state["standing"]["image"][:] = 0  # stern judging gives only to the good
    coop = m.params.standing.contribution(m, e, np.ones((e, 2)))
    np.testing.assert_array_equal(coop == 0, m.strategy_of[ends] == 0)


@pytest.mark.parametrize("observation", [0.0, 0.002])
def test_a_round_in_which_nobody_is_observed_keeps_every_standing(observation):
    # observation 0 (allowed) or a round with no action seen failed with an IndexError.
    m = TrustModel(n_organizations=30, standing=Standing(observation=observation), seed=0)
    df = m.run(10, progress=False)
    assert m.n_active > 0
    if observation == 0:
        assert (df["standing_good"] == 1.0).all()
        assert m.part_state["standing"]["image"].all()
