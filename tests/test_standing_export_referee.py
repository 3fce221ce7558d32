"""Referee r49: Standing's norms against the published tables, gini, life tables, batches.

Independent references: the assessment and action rules written out here by hand from Ohtsuki &
Iwasa (2004, J. Theor. Biol. 231: 107-120, table of the leading eight), Nowak & Sigmund (1998,
image scoring), Sugden (1986) / Leimar & Hammerstein (2001, standing) and shunning; the Gini
coefficient as the mean absolute difference ``sum |x_i - x_j| / (2 n^2 mean)``; scipy's
Student-t interval; life tables counted by hand from individual lifetimes.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st

from allysim.abm import (
    Governance,
    RoundOutcome,
    Standing,
    TrustModel,
    batch_run,
    gini,
    replicate_summary,
)
from allysim.abm.stats import life_table


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


# ---- gini ----


def _mean_absolute_difference(x):
    x = np.asarray(x, float)
    if x.min() < 0:
        x = x - x.min()
    if x.sum() == 0:
        return 0.0
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(st.lists(finite, min_size=1, max_size=30), st.floats(1e-3, 1e3), st.randoms())
def test_gini_is_the_mean_absolute_difference_and_ignores_order_and_scale(xs, scale, random):
    x = np.array(xs)
    g = gini(x)
    assert g == pytest.approx(_mean_absolute_difference(x), abs=1e-9)
    assert 0 <= g < 1
    random.shuffle(xs)
    assert gini(np.array(xs)) == pytest.approx(g, abs=1e-12)
    assert gini(x * scale) == pytest.approx(g, abs=1e-12)


@pytest.mark.parametrize(("n", "value"), [(38, 123.456), (20, 0.1), (25, 1e-5), (31, 7.7)])
def test_gini_of_equal_values_is_exactly_zero(n, value):
    # Before: the formula's rounding residue, -2.2e-16 or +2.2e-16 on these arrays (about
    # half of all equal arrays), below the documented range [0, 1) where negative.
    assert gini(np.full(n, value)) == 0.0


def test_gini_never_falls_below_zero():
    # Values all equal but one a hair above (true Gini ~ 1e-17): before, -2.2e-16 here.
    x = np.full(38, 123.456)
    x[-1] = np.nextafter(x[-1], np.inf)
    assert 0 <= gini(x) < 1e-15


def test_gini_of_the_largest_floats_is_finite_and_scale_free():
    # Before: NaN with overflow warnings (the shift and the rank-weighted sum overflowed).
    big = float(np.finfo(float).max)
    assert gini(np.array([-big, big])) == gini(np.array([-1.0, 1.0])) == 0.5
    assert gini(np.array([0.0, big, big])) == pytest.approx(1 / 3)
    assert gini(np.array([1e305] * 100 + [0.0])) == pytest.approx(1 / 101)


# ---- life_table ----


def test_life_table_counts_match_a_hand_count_of_lifetimes():
    rng = np.random.default_rng(1)
    ages = rng.integers(0, 9, 60)
    status = rng.integers(0, 3, 60)  # 0 still alive (censored), 1 ended, 2 ended on an exit
    table = life_table(
        np.bincount(ages[status > 0], minlength=9),
        np.bincount(ages[status == 2], minlength=9),
        np.bincount(ages[status == 0], minlength=9),
    )
    assert table["age"].tolist() == list(range(ages.max() + 1))
    for a in table["age"]:
        reached = np.sum(ages >= a)
        ended = np.sum((ages == a) & (status > 0))
        failed = np.sum((ages == a) & (status == 2))
        row = table.iloc[a]
        assert (row.at_risk, row.ended, row.failed) == (reached, ended, failed)
        assert row.hazard == pytest.approx(ended / reached)
        assert row.failure_hazard == pytest.approx(failed / reached)


# ---- batches ----


def test_replicate_summary_matches_scipy_with_nan_left_out():
    runs = pd.DataFrame(
        {"g": [0, 0, 0, 0, 1, 1, 1], "x": [0.3, np.nan, 0.5, 0.9, 2.0, 4.0, np.nan]}
    )
    table = replicate_summary(runs, "x", by="g", level=0.9)
    for _, row in table.iterrows():
        values = runs.loc[runs["g"] == row["g"], "x"].dropna().to_numpy()
        low, high = scipy.stats.t.interval(
            0.9, values.size - 1, loc=values.mean(), scale=scipy.stats.sem(values)
        )
        assert (row["n"], row["missing"]) == (values.size, 1)
        assert (row["low"], row["high"]) == pytest.approx((low, high), rel=1e-12)


def test_batch_gives_the_same_rows_on_one_and_two_processes():
    # Each replicate's seed comes from SeedSequence(seed).spawn, not from the worker.
    kw = {"replicates": 2, "max_steps": 3, "seed": 4, "display_progress": False}
    # Governance too: up to 0.4.0 it could not be pickled to a worker (a mapping proxy).
    sweep = {
        "n_organizations": 12,
        "noise": [0.0, 0.1],
        "standing": [None, Standing("L1")],
        "governance": Governance(early_warning=0.5, review_every=2),
    }
    one = batch_run(sweep, number_processes=1, **kw)
    two = batch_run(sweep, number_processes=2, **kw)
    pd.testing.assert_frame_equal(one, two)
    seeds = [int(c.generate_state(1, np.uint32)[0]) for c in np.random.SeedSequence(4).spawn(2)]
    assert one.groupby("replicate")["seed"].first().tolist() == seeds
