"""National culture (allysim.abm.culture): published Hofstede scores, the Kogut-Singh index in
closed form and its invariances, the bounded distance, and seeded organization profiles."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from allysim.abm.culture import (
    HOFSTEDE_DIMENSIONS,
    HOFSTEDE_SCORES,
    hofstede_profiles,
    kogut_singh_index,
    normalized_distance,
    table_variances,
)

TABLE = np.array(list(HOFSTEDE_SCORES.values()), dtype=float)
K = len(TABLE)


# --- the published scores --------------------------------------------------------------------


def test_published_scores_are_what_the_table_holds():
    # Hofstede, Hofstede & Minkov (2010); geerthofstede.com data matrix 2015-08-16
    # (PDI, IDV, MAS, UAI, LTO-WVS, IVR)
    assert HOFSTEDE_SCORES["Germany"] == (35, 67, 66, 65, 83, 40)
    assert HOFSTEDE_SCORES["United States"] == (40, 91, 62, 46, 26, 68)
    assert HOFSTEDE_SCORES["Japan"] == (54, 46, 95, 92, 88, 42)
    assert HOFSTEDE_SCORES["Sweden"] == (31, 71, 5, 29, 53, 78)


def test_table_shape_range_and_read_only():
    assert len(HOFSTEDE_DIMENSIONS) == 6
    assert 10 <= K <= 15
    assert TABLE.shape == (K, 6)
    assert np.all((TABLE >= 0) & (TABLE <= 100))
    assert all(isinstance(x, int) for row in HOFSTEDE_SCORES.values() for x in row)
    with pytest.raises(TypeError):
        HOFSTEDE_SCORES["Atlantis"] = (1, 2, 3, 4, 5, 6)  # type: ignore[index]


# --- Kogut-Singh index in closed form --------------------------------------------------------


def test_index_of_a_country_with_itself_is_zero_and_pairs_are_symmetric():
    v = table_variances()
    np.testing.assert_array_equal(kogut_singh_index(TABLE, TABLE, v), np.zeros(K))
    m = kogut_singh_index(TABLE[:, None, :], TABLE[None, :, :], v)
    assert m.shape == (K, K)
    np.testing.assert_array_equal(m, m.T)
    assert np.all(m[~np.eye(K, dtype=bool)] > 0)  # no two countries share all six scores


def test_two_dimensional_profiles_by_hand():
    # ((1 - 4)^2 / 9 + (3 - 1)^2 / 2) / 2 = (1 + 2) / 2
    assert kogut_singh_index([1.0, 3.0], [4.0, 1.0], [9.0, 2.0]) == pytest.approx(1.5, abs=1e-15)
    assert isinstance(kogut_singh_index([1.0, 3.0], [4.0, 1.0], [9.0, 2.0]), float)


def test_germany_japan_by_hand():
    v = table_variances()
    diff = np.array([35 - 54, 67 - 46, 66 - 95, 65 - 92, 83 - 88, 40 - 42], dtype=float)
    want = float(np.sum(diff**2 / v) / 6)
    got = kogut_singh_index(HOFSTEDE_SCORES["Germany"], HOFSTEDE_SCORES["Japan"], v)
    assert got == pytest.approx(want, rel=1e-14)


def test_mean_index_over_distinct_pairs_is_two_with_sample_variances():
    # sum over ordered pairs of (x_i - x_j)^2 = 2 k (k - 1) V (ddof=1), so each dimension
    # contributes exactly 2 on average over the k (k - 1) ordered pairs of distinct countries
    for countries in (None, ["Germany", "Japan", "Brazil", "Sweden", "India"]):
        names = list(HOFSTEDE_SCORES) if countries is None else countries
        x = np.array([HOFSTEDE_SCORES[c] for c in names], dtype=float)
        k = len(x)
        m = kogut_singh_index(x[:, None, :], x[None, :, :], table_variances(countries))
        assert m.sum() / (k * (k - 1)) == pytest.approx(2.0, rel=1e-12)
        m0 = kogut_singh_index(x[:, None, :], x[None, :, :], table_variances(countries, ddof=0))
        assert m0.sum() / (k * (k - 1)) == pytest.approx(2.0 * k / (k - 1), rel=1e-12)


def test_table_variances_are_the_sample_variances_of_the_table():
    np.testing.assert_allclose(table_variances(), TABLE.var(axis=0, ddof=1), rtol=1e-14)
    np.testing.assert_allclose(
        table_variances(["Germany", "Japan"]), [180.5, 220.5, 420.5, 364.5, 12.5, 2.0]
    )


def test_zero_variance_dimension_is_refused():
    # Germany and Great Britain share power distance (35) and masculinity (66)
    with pytest.raises(ValueError, match=r"countries:.*power_distance, masculinity"):
        table_variances(["Germany", "Great Britain"])


# --- normalized distance ---------------------------------------------------------------------


def test_normalized_distance_closed_form_range_and_monotone():
    v = table_variances()
    cd = kogut_singh_index(TABLE[:, None, :], TABLE[None, :, :], v)
    for scale in (0.5, 2.0, 7.0):
        nd = normalized_distance(TABLE[:, None, :], TABLE[None, :, :], v, scale)
        np.testing.assert_allclose(nd, cd / (cd + scale), rtol=1e-15)
        assert np.all((nd >= 0) & (nd < 1))
        order = np.argsort(cd, axis=None, kind="stable")
        assert np.all(np.diff(nd.ravel()[order]) >= 0)
        assert np.all(np.diff(np.unique(nd)) > 0) and len(np.unique(nd)) == len(np.unique(cd))
    # the index equal to scale gives 0.5; a huge index stays below 1
    assert normalized_distance([0.0], [3.0], [3.0], scale=3.0) == 0.5
    assert normalized_distance([0.0], [1e6], [1.0]) < 1.0


# --- hypothesis properties -------------------------------------------------------------------

coord = st.floats(-1e3, 1e3, allow_nan=False)
var = st.floats(1e-2, 1e4, allow_nan=False)


@st.composite
def pair_and_variances(draw):
    d = draw(st.integers(1, 6))
    a = np.array(draw(st.lists(coord, min_size=d, max_size=d)))
    b = np.array(draw(st.lists(coord, min_size=d, max_size=d)))
    v = np.array(draw(st.lists(var, min_size=d, max_size=d)))
    return a, b, v


@given(pair_and_variances())
def test_index_symmetric_and_nonnegative(abv):
    a, b, v = abv
    ab = kogut_singh_index(a, b, v)
    assert ab == kogut_singh_index(b, a, v)
    assert ab >= 0
    if np.array_equal(a, b):
        assert ab == 0


@given(pair_and_variances(), coord)
def test_index_invariant_to_a_common_shift(abv, c):
    a, b, v = abv
    base = kogut_singh_index(a, b, v)
    shifted = kogut_singh_index(a + c, b + c, v)
    # rounding of x + c is at most eps * (|x| + |c|) per coordinate
    mag = np.max(np.abs(np.concatenate([a, b]))) + abs(c)
    slack = 8 * np.finfo(float).eps * mag * (np.max(np.abs(a - b)) + mag) / v.min()
    assert shifted == pytest.approx(base, rel=1e-12, abs=slack)


@given(pair_and_variances(), st.floats(1e-3, 1e3), st.data())
def test_scaling_a_dimension_and_its_variance_leaves_the_index(abv, c, data):
    a, b, v = abv
    i = data.draw(st.integers(0, len(a) - 1))
    assume(c != 1.0)
    a2, b2, v2 = a.copy(), b.copy(), v.copy()
    a2[i] *= c
    b2[i] *= c
    v2[i] *= c**2
    assert kogut_singh_index(a2, b2, v2) == pytest.approx(kogut_singh_index(a, b, v), rel=1e-12)


@given(pair_and_variances(), st.floats(1e-3, 1e3))
def test_normalized_distance_bounded_and_monotone_in_scale(abv, scale):
    a, b, v = abv
    nd = normalized_distance(a, b, v, scale)
    assert 0 <= nd < 1
    # a larger scale never increases the distance
    assert normalized_distance(a, b, v, 2 * scale) <= nd


# --- organization profiles -------------------------------------------------------------------


def test_profiles_without_spread_are_the_country_scores():
    country, prof = hofstede_profiles(500, rng=3)
    assert country.dtype == np.int64 and country.shape == (500,)
    assert prof.shape == (500, 6)
    np.testing.assert_array_equal(prof, TABLE[country])
    names = ["Mexico", "China"]
    c2, p2 = hofstede_profiles(50, countries=names, rng=3)
    np.testing.assert_array_equal(p2, np.array([HOFSTEDE_SCORES[names[j]] for j in c2], float))
    c0, p0 = hofstede_profiles(0, rng=3)
    assert c0.shape == (0,) and p0.shape == (0, 6)


def test_country_frequencies_follow_weights():
    n = 30_000
    country, _ = hofstede_profiles(n, rng=11)
    freq = np.bincount(country, minlength=K) / n
    # binomial sd of each share is about sqrt((1/K)(1 - 1/K)/n) ~ 0.0014; 6 sd
    np.testing.assert_allclose(freq, 1 / K, atol=0.009)
    country, _ = hofstede_profiles(
        n, countries=["Italy", "India", "Spain"], weights=[1.0, 0.0, 3.0], rng=12
    )
    freq = np.bincount(country, minlength=3) / n
    assert freq[1] == 0
    assert freq[2] == pytest.approx(0.75, abs=0.015)  # sd 0.0025


def test_within_country_noise_has_the_stated_spread_and_is_not_clipped():
    country, prof = hofstede_profiles(4000, spread=5.0, rng=7)
    resid = (prof - TABLE[country]).ravel()
    # 24 000 draws: sd of the mean 0.032, of the sample sd about 0.023
    assert abs(resid.mean()) < 0.16
    assert resid.std() == pytest.approx(5.0, abs=0.12)
    _, wide = hofstede_profiles(2000, spread=40.0, rng=7)
    assert wide.max() > 100 and wide.min() < 0


def test_same_seed_same_arrays_and_seed_kinds_agree():
    runs = [
        hofstede_profiles(200, spread=3.0, rng=r)
        for r in (
            5,
            5,
            np.random.default_rng(5),
            np.random.SeedSequence(5),
        )
    ]
    for c, p in runs[1:]:
        np.testing.assert_array_equal(c, runs[0][0])
        np.testing.assert_array_equal(p, runs[0][1])
    _, p6 = hofstede_profiles(200, spread=3.0, rng=6)
    assert not np.array_equal(p6, runs[0][1])
    gen = np.random.default_rng(5)
    first = hofstede_profiles(200, spread=3.0, rng=gen)[1]
    second = hofstede_profiles(200, spread=3.0, rng=gen)[1]
    assert not np.array_equal(first, second)  # a Generator is advanced


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [
        (lambda: kogut_singh_index([1.0, 2.0], [1.0, 2.0], [1.0, 0.0]), ValueError, "variances"),
        (lambda: kogut_singh_index([1.0, 2.0], [1.0, 2.0], [1.0, -2.0]), ValueError, "variances"),
        (lambda: kogut_singh_index([1.0], [1.0], []), ValueError, "variances"),
        (lambda: kogut_singh_index([1.0], [1.0], [[1.0]]), ValueError, "variances"),
        (lambda: kogut_singh_index([1.0, 2.0, 3.0], [1.0, 2.0], [1.0, 1.0]), ValueError, "^a "),
        (lambda: kogut_singh_index([1.0, 2.0], [1.0], [1.0, 1.0]), ValueError, "^b "),
        (lambda: kogut_singh_index(1.0, [1.0], [1.0]), ValueError, "^a "),
        (lambda: kogut_singh_index([np.nan], [1.0], [1.0]), ValueError, "^a "),
        (lambda: kogut_singh_index([True], [1.0], [1.0]), TypeError, "^a "),
        (
            lambda: kogut_singh_index(np.zeros((2, 3)), np.zeros((3, 3)), np.ones(3)),
            ValueError,
            "a and b",
        ),
        (lambda: normalized_distance([1.0], [2.0], [1.0], 0.0), ValueError, "scale"),
        (lambda: normalized_distance([1.0], [2.0], [1.0], -1.0), ValueError, "scale"),
        (lambda: normalized_distance([1.0], [2.0], [1.0], np.inf), ValueError, "scale"),
        (lambda: table_variances(["Germany"]), ValueError, "countries"),
        (lambda: table_variances(["Atlantis", "Germany"]), ValueError, "countries"),
        (lambda: table_variances("Germany"), TypeError, "countries"),
        (lambda: table_variances(["Germany", "Germany"]), ValueError, "countries"),
        (lambda: table_variances(ddof=2), ValueError, "ddof"),
        (lambda: table_variances(ddof=1.0), TypeError, "ddof"),
        (lambda: hofstede_profiles(-1), ValueError, "^n "),
        (lambda: hofstede_profiles(2.5), TypeError, "^n "),
        (lambda: hofstede_profiles(3, countries=[]), ValueError, "countries"),
        (lambda: hofstede_profiles(3, countries=["Japan", 1]), TypeError, "countries"),
        (lambda: hofstede_profiles(3, countries=["Japan"], weights=[1, 1]), ValueError, "weights"),
        (lambda: hofstede_profiles(3, countries=["Japan"], weights=[-1]), ValueError, "weights"),
        (lambda: hofstede_profiles(3, countries=["Japan"], weights=[0]), ValueError, "weights"),
        (lambda: hofstede_profiles(3, spread=-1.0), ValueError, "spread"),
        (lambda: hofstede_profiles(3, spread=np.nan), ValueError, "spread"),
        (lambda: hofstede_profiles(3, rng=-4), ValueError, "rng"),
        (lambda: hofstede_profiles(3, rng="x"), TypeError, "rng"),
    ],
    ids=itertools.count(),
)
def test_bad_input_names_the_parameter(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()
