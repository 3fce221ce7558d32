"""Referee r49: Standing's norms against the published tables, gini, life tables, batches.

Independent references: the assessment and action rules written out here by hand from Ohtsuki &
Iwasa (2004, J. Theor. Biol. 231: 107-120, table of the leading eight), Nowak & Sigmund (1998,
image scoring), Sugden (1986) / Leimar & Hammerstein (2001, standing) and shunning; the Gini
coefficient as the mean absolute difference ``sum |x_i - x_j| / (2 n^2 mean)``; scipy's
Student-t interval; life tables counted by hand from individual lifetimes.
"""

import numpy as np
import pytest

from allysim.abm import RoundOutcome, Standing, TrustModel


def _leading(gbc, bbc, bbd):
    """Verdicts (donor, recipient, action) -> image; the three entries where L1-L8 differ:
    a good donor giving to a bad recipient, a bad donor giving to / refusing a bad one."""
    table = {}
    for donor in (0, 1):
        table[donor, 1, 1], table[donor, 1, 0] = 1, 0  # give to the good: good; refuse: bad
    table[1, 0, 0] = 1  # justified refusal by a good donor
    table[1, 0, 1], table[0, 0, 1], table[0, 0, 0] = gbc, bbc, bbd
    return table


ALL = [(d, r, a) for d in (0, 1) for r in (0, 1) for a in (0, 1)]
ASSESS = {
    "L1": _leading(1, 1, 0),
    "L2": _leading(0, 1, 0),
    "L3": _leading(1, 1, 1),
    "L4": _leading(1, 0, 1),
    "L5": _leading(0, 1, 1),
    "L6": _leading(0, 0, 1),
    "L7": _leading(1, 0, 0),
    "L8": _leading(0, 0, 0),
    "image scoring": {(d, r, a): a for d, r, a in ALL},
    # Refusing a bad recipient leaves the donor's standing as it was.
    "standing": {(d, r, a): 1 if a else (0 if r else d) for d, r, a in ALL},
    "shunning": {(d, r, a): int(a and r) for d, r, a in ALL},
}
ASSESS["simple standing"], ASSESS["stern judging"] = ASSESS["L3"], ASSESS["L6"]


def _acts(norm):
    """Give to the good, refuse the bad; under L1 and L2 a bad donor gives to the bad too."""
    return {(d, r): int(r or (d == 0 and norm in ("L1", "L2"))) for d in (0, 1) for r in (0, 1)}


@pytest.mark.parametrize("norm", sorted(ASSESS))
def test_verdicts_and_refusals_follow_the_published_tables(norm):
    rng = np.random.default_rng(5)
    part = Standing(norm, discriminating=["ALLC"], acceptance_weight=0.0)
    m = TrustModel(
        n_organizations=200,
        strategies=["ALLC"],
        capacity=1,  # one partnership each: the verdict kept is the one on it
        search_rate=1.0,
        imitation_every=0,
        standing=part,
        seed=2,
    )
    for _ in range(4):
        m.step()
    e, t = m.n_active, m.table
    assert e > 60
    image = m.part_state["standing"]["image"]
    image[:] = rng.integers(0, 2, image.size)
    before = image.copy()
    gave = rng.integers(0, 2, (e, 2)).astype(bool)
    coop = part.contribution(m, e, np.ones((e, 2)))
    part.after_round(
        m, RoundOutcome(n=e, contributed=gave, seen=gave[:, ::-1].copy(), welfare=np.zeros(e))
    )
    seen = set()
    for i in range(e):
        for side, (donor, recipient) in enumerate([(t.pa[i], t.pb[i]), (t.pb[i], t.pa[i])]):
            d, r, a = int(before[donor]), int(before[recipient]), int(gave[i, side])
            assert coop[i, side] == _acts(norm)[d, r], (d, r)
            assert image[donor] == ASSESS[norm][d, r, a], (d, r, a)
            seen.add((d, r, a))
    assert seen == set(ALL)  # every cell of the table was checked


def test_the_verdict_kept_is_one_partnership_drawn_uniformly():
    # A donor with k partnerships of which j saw it give keeps a good image under image
    # scoring with chance j / k. 400 repetitions, pooled over donors of degree >= 2.
    part = Standing("image scoring", acceptance_weight=0.0)
    m = TrustModel(
        n_organizations=100,
        strategies=["ALLC"],
        capacity=4,
        search_rate=1.0,
        imitation_every=0,
        standing=part,
        seed=2,
    )
    for _ in range(10):
        m.step()
    e, t = m.n_active, m.table
    ends = np.concatenate([t.pa[:e], t.pb[:e]])
    degree = np.bincount(ends, minlength=m.n)
    gave = np.random.default_rng(0).integers(0, 2, (e, 2)).astype(bool)
    share = np.bincount(ends, np.concatenate([gave[:, 0], gave[:, 1]]), minlength=m.n)
    share = share / np.maximum(degree, 1)
    outcome = RoundOutcome(n=e, contributed=gave, seen=gave.copy(), welfare=np.zeros(e))
    kept = np.zeros(m.n)
    for _ in range(400):
        part.after_round(m, outcome)
        kept += m.part_state["standing"]["image"]
    several = degree >= 2
    assert several.sum() > 50
    # Pooled: mean of binomial shares, sd <= 0.5 / sqrt(400 * donors) < 0.004.
    assert (kept[several] / 400).mean() == pytest.approx(share[several].mean(), abs=0.015)
    one = degree == 1
    np.testing.assert_array_equal(kept[one] / 400, share[one])


def test_image_scoring_closed_form_holds_when_few_actions_are_observed():
    # Unobserved donors keep their last verdict, itself good with chance x, so the share stays
    # x = (1 - e)(1 - a) + e a at observation 0.3; here e = 0.2, a = 0.1: x = 0.74.
    m = TrustModel(
        n_organizations=300,
        strategies=["ALLC"],
        noise=0.2,
        trust_to_contribute=0.0,
        search_rate=1.0,
        continuation=0.98,
        exit_threshold=0.0,
        imitation_every=0,
        standing=Standing(
            "image scoring", observation=0.3, assessment_error=0.1, acceptance_weight=0.0
        ),
        seed=1,
    )
    good = m.run(150, progress=False)["standing_good"].iloc[-60:].mean()
    # 300 organizations, sd of one step's share ~ 0.025, 60 correlated steps: 0.02 is ~3 SE.
    assert good == pytest.approx(0.74, abs=0.02)


@pytest.mark.parametrize("bad", [5, None, 2.5])
def test_discriminating_that_is_not_a_sequence_is_refused_by_name(bad):
    # Before: "'int' object is not iterable", which names no parameter.
    with pytest.raises(TypeError, match="discriminating must be a sequence of strategy names"):
        Standing(discriminating=bad)


def test_discriminating_names_are_plain_strings():
    part = Standing(discriminating=np.array(["TFT"]))
    assert part.discriminating == ("TFT",) and type(part.discriminating[0]) is str
    assert repr(part) == repr(Standing(discriminating=["TFT"]))
