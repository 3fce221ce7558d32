"""Value creation (allysim.abm.value_creation): closed forms, effects over seeds, off switch."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from allysim.abm import RoundOutcome, TrustModel, ValueCreation, complementarity

SEEDS = range(3)
profiles = arrays(float, 5, elements=st.floats(0, 1))


def _runs(v, seeds=SEEDS, steps=150):
    out = []
    for seed in seeds:
        m = TrustModel(n_organizations=150, value_creation=v, seed=seed, continuation=0.99)
        out.append((m, m.run(steps, progress=False)))
    return out


def _mean(runs, column, tail=50):
    return np.mean([df[column].tail(tail).mean() for _, df in runs])


@given(profiles, profiles)
def test_complementarity_is_symmetric_and_bounded(a, b):
    c = complementarity(a, b)
    assert c == pytest.approx(complementarity(b, a))
    assert -1e-12 <= c <= 0.5 + 1e-12
    assert complementarity(a, a) == pytest.approx(0.0, abs=1e-12)


def test_complementarity_closed_form():
    a, b = np.array([0.9, 0.1, 0.5]), np.array([0.2, 0.8, 0.5])
    # mean max = (0.9 + 0.8 + 0.5) / 3; the stronger alone covers max(0.5, 0.5)
    assert complementarity(a, b) == pytest.approx(2.2 / 3 - 0.5)
    with pytest.raises(ValueError, match="profile_a and profile_b"):
        complementarity(a, b[:2])


def test_complementary_partners_create_more_value():
    base = _runs(ValueCreation())
    comp = _runs(ValueCreation(complementarity=2.0))
    assert _mean(comp, "value_created") > 1.2 * _mean(base, "value_created")


def test_network_effects_raise_value():
    base = _runs(ValueCreation())
    net = _runs(ValueCreation(network_effect=0.3))
    assert _mean(net, "value_created") > 1.5 * _mean(base, "value_created")


def test_learning_erodes_complementarity():
    # Hamel (1991)'s learning race: partners that absorb each other's knowledge become alike.
    still = _runs(ValueCreation(complementarity=2.0))
    learn = _runs(ValueCreation(complementarity=2.0, absorptive_capacity=0.05))
    assert _mean(learn, "complementarity") < 0.5 * _mean(still, "complementarity")
    assert all(df.knowledge_transferred.iloc[-1] > 0 for _, df in learn)


def test_withholding_teaches_nothing_and_contribution_closes_the_gap():
    v = ValueCreation(absorptive_capacity=0.25, dimensions=2)
    m = TrustModel(n_organizations=4, value_creation=v, search_rate=1.0, seed=0)
    m.step()
    e = m.n_active
    assert e >= 1
    profile = m.part_state["value_creation"]["profile"]
    a, b = int(m.table.pa[0]), int(m.table.pb[0])
    profile[a], profile[b] = [0.2, 0.8], [0.6, 0.4]
    before = profile.copy()
    contributed = np.zeros((e, 2), bool)
    contributed[0] = [False, True]  # only b contributes: a learns, b does not
    v.after_round(m, RoundOutcome(e, contributed, contributed[:, ::-1], np.zeros(e)))
    np.testing.assert_allclose(profile[a], [0.2 + 0.25 * 0.4, 0.8])
    np.testing.assert_allclose(profile[b], before[b])


def test_seeking_complementarity_finds_more_of_it():
    plain = _runs(ValueCreation(), steps=60)
    seek = _runs(ValueCreation(seek_complementarity=20.0), steps=60)
    assert _mean(seek, "complementarity", 30) > _mean(plain, "complementarity", 30)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"dimensions": 0}, "dimensions"),
        ({"complementarity": -1}, "complementarity"),
        ({"scale_elasticity": 1.0}, "scale_elasticity"),
        ({"absorptive_capacity": 1.5}, "absorptive_capacity"),
        ({"network_effect": float("inf")}, "network_effect"),
    ],
)
def test_bad_parameters_are_named(kwargs, needle):
    with pytest.raises((ValueError, TypeError), match=needle):
        ValueCreation(**kwargs)
