"""Hofstede cultures in the trust model: wiring, the distance it uses, and its effect."""

import numpy as np
import pytest

from allysim.abm import TrustModel
from allysim.abm.culture import HOFSTEDE_SCORES, normalized_distance, table_variances


def _cross_border_share(countries, seeds=range(3)):
    shares = []
    for seed in seeds:
        m = TrustModel(
            n_organizations=150,
            culture="hofstede",
            countries=countries,
            seed=seed,
            continuation=0.99,
        )
        m.run(100, progress=False)
        t, e = m.table, m.n_active
        shares.append(np.mean(m.country[t.pa[:e]] != m.country[t.pb[:e]]))
    return np.mean(shares)


def test_profiles_and_distance_are_the_published_ones():
    m = TrustModel(n_organizations=30, culture="hofstede", countries=["Japan", "Sweden"], seed=4)
    names = ("Japan", "Sweden")
    for i in range(30):
        assert tuple(m.culture[i]) == HOFSTEDE_SCORES[names[m.country[i]]]
    a, b = np.arange(15), np.arange(15, 30)
    expected = normalized_distance(m.culture[a], m.culture[b], table_variances(), 2.0)
    np.testing.assert_allclose(m.cultural_distance(a, b), expected)
    # Same country: 0; Japan-Sweden: CD / (CD + 2) with CD = 4.93.
    d = m.cultural_distance(a, b)
    cross = m.country[a] != m.country[b]
    assert np.all(d[~cross] == 0)
    np.testing.assert_allclose(d[cross], 4.927655 / 6.927655, rtol=1e-6)


def test_distant_cultures_partner_across_borders_less():
    # Kogut & Singh (1988): cultural distance deters cooperative entry. Japan-Sweden is the
    # most distant pair of the table (index 4.93), Britain-United States one of the closest
    # (0.26): with equal numbers of each, about half the partnerships cross the border
    # between close cultures and few between distant ones.
    close = _cross_border_share(["Great Britain", "United States"])
    far = _cross_border_share(["Japan", "Sweden"])
    assert close > 0.3
    assert far < 0.5 * close


def test_practice_culture_is_unchanged_by_the_option():
    a = TrustModel(n_organizations=40, seed=1).run(20, progress=False)
    b = TrustModel(n_organizations=40, culture="practice", seed=1).run(20, progress=False)
    assert a.equals(b)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"culture": "national"}, "culture must be"),
        ({"culture": "hofstede", "countries": ["Atlantis", "Japan"]}, "Atlantis"),
        ({"countries": ["Japan", "Sweden"]}, "culture='hofstede'"),
        ({"culture": "hofstede", "culture_scale": 0}, "culture_scale"),
        ({"culture": "hofstede", "country_spread": -1}, "country_spread"),
    ],
)
def test_bad_culture_settings_are_named(kwargs, needle):
    with pytest.raises((ValueError, TypeError), match=needle):
        TrustModel(n_organizations=10, **kwargs)
