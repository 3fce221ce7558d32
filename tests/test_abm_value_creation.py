"""Value creation (allysim.abm.value_creation): closed forms, effects over seeds, off switch."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from abm_pairs import quiet_pair
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
    # With strategies free to evolve, value created varies 0.2-1.8 between seeds with whether
    # contribution takes hold, and complementarity's effect is about two standard errors in it
    # (16 seeds: paired difference 0.29 +- 0.15 SE). Held to one strategy, each seed shows it:
    # complementarity 2 on pairs whose mean complementarity is about 0.086 multiplies the
    # dividend by about 1 + 2 * 0.086, about 1.09 of everything created (6 seeds: 1.08-1.10).
    for seed in range(3):
        base, comp = (
            TrustModel(
                n_organizations=150,
                value_creation=v,
                seed=seed,
                continuation=0.99,
                strategies=["ALLC"],
            ).run(150, progress=False)
            for v in (ValueCreation(), ValueCreation(complementarity=2.0))
        )
        ratio = comp["value_created"].tail(50).mean() / base["value_created"].tail(50).mean()
        assert 1.05 < ratio < 1.15, (seed, ratio)


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


def test_dividend_shock_statistics():
    # One standard-normal draw per partnership and round: the factor has mean 1 and standard
    # deviation dividend_risk (times the expected factor, 1 here).
    v = ValueCreation(dividend_risk=0.3)
    m = TrustModel(n_organizations=200, value_creation=v, search_rate=1.0, seed=0)
    m.step()
    e = m.n_active
    draws = np.concatenate([v.dividend(m, e) for _ in range(200)])
    assert draws.size > 10_000
    se = 0.3 / np.sqrt(draws.size)
    assert abs(draws.mean() - 1) < 5 * se
    assert draws.std() == pytest.approx(0.3, rel=0.03)


def test_risk_premium_lowers_utility_not_wealth():
    from allysim.abm.components import PlayedRound

    v = ValueCreation(dividend_risk=0.5, risk_aversion=2.0)
    m = TrustModel(n_organizations=20, value_creation=v, search_rate=1.0, seed=1)
    m.step()
    e = m.n_active
    v.dividend(m, e)  # sets the expected factor (1: no other effect on)
    m.table.stage[:e] = 2  # stake level 2.0, as the round below is played at
    stake = np.full(e, 2.0)
    played = PlayedRound(e, np.ones((e, 2), bool), stake, np.zeros((e, 2)))
    w, u = m.wealth.copy(), m.period_payoff.copy()
    v.settle(m, played)
    t, p = m.table, m.params
    dividend = p.synergy * (1 - p.culture_friction * t.distance[:e])
    premium = 2.0 / 2 * (dividend * 0.5 * 2.0) ** 2 / 2.0  # per unit stake, as imitation sees it
    expected = np.bincount(t.pa[:e], premium, minlength=20) + np.bincount(
        t.pb[:e], premium, minlength=20
    )
    np.testing.assert_array_equal(m.wealth, w)
    np.testing.assert_allclose(u - m.period_payoff, expected, rtol=1e-12)


def test_risk_aversion_deters_contribution_to_a_risky_dividend():
    # Contributors are the ones exposed to the dividend's risk; risk-averse organizations
    # imitate away from them.
    out = []
    for r in (0.0, 2.0):
        runs = []
        for seed in SEEDS:
            m = TrustModel(
                n_organizations=150,
                value_creation=ValueCreation(dividend_risk=1.0, risk_aversion=r),
                synergy=1.0,
                seed=seed,
                continuation=0.99,
            )
            runs.append(m.run(150, progress=False).contribution_rate.tail(50).mean())
        out.append(np.mean(runs))
    assert out[1] < 0.5 * out[0]


@pytest.mark.parametrize("numba_on", ["0", "1"])
def test_risk_premium_prices_the_dividend_governance_pays(numba_on, monkeypatch):
    # Decision rights scale the dividend (independent: quality 0.8 x speed 1.0), so the shock
    # each partner bears has standard deviation 0.8 * synergy * dividend_risk * stake and the
    # Arrow-Pratt premium is r / 2 times its square: 2 / 2 * (0.8 * 0.5 * 0.5) ** 2 = 0.04
    # (before: 0.0625, the dividend without governance's factor).
    from allysim.abm import Governance

    monkeypatch.setenv("ALLYSIM_NUMBA", numba_on)
    for governance, factor in ((None, 1.0), (Governance(decision_rights="independent"), 0.8)):
        m = quiet_pair(
            imitation_payoff="raw",
            governance=governance,
            value_creation=ValueCreation(dividend_risk=0.5, risk_aversion=2.0),
        )
        m.step()  # the partnership forms
        before = m.wealth - m.period_payoff
        m.step()
        premium = (m.wealth - m.period_payoff) - before
        np.testing.assert_allclose(premium, 2.0 / 2 * (factor * 0.5 * 0.5) ** 2, rtol=1e-12)
