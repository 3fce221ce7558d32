"""Stakeholder pressure and cause-washing (allysim.abm.stakeholders)."""

import numpy as np
import pytest

from allysim.abm import StakeholderPressure, TrustModel
from allysim.strategies import random_strategy

WASHER = random_strategy(0.1)


def _washer_share(scrutiny, seeds=range(3)):
    out = []
    for seed in seeds:
        s = StakeholderPressure(association_reward=1.0, scrutiny=scrutiny, exposure_penalty=10)
        m = TrustModel(
            n_organizations=150,
            stakeholders=s,
            strategies=["ALLC", "TFT", WASHER],
            seed=seed,
            continuation=0.99,
            # Tolerant partners and unconditional contribution: washers keep their partners.
            exit_threshold=0.05,
            trust_to_contribute=0.0,
        )
        df = m.run(200, progress=False)
        out.append((df[f"strategy_{WASHER.name}"].tail(50).mean(), m.degree.mean()))
    return np.mean(out, axis=0)


def test_no_reward_and_no_scrutiny_is_the_plain_model():
    quiet = StakeholderPressure(association_reward=0.0, scrutiny=0.0)
    for seed in (0, 1):
        plain = TrustModel(n_organizations=60, seed=seed).run(40, progress=False)
        off = TrustModel(n_organizations=60, stakeholders=quiet, seed=seed).run(40, progress=False)
        assert plain.equals(off.drop(columns=["exposed", "association_rewards"]))


def test_rewards_and_exposure_in_closed_form():
    s = StakeholderPressure(
        association_reward=0.7, scrutiny=1.0, washing_threshold=0.5, exposure_penalty=3.0
    )
    m = TrustModel(n_organizations=20, stakeholders=s, search_rate=1.0, seed=0)
    m.step()
    m.reputation[:] = np.where(np.arange(20) % 2 == 0, 0.2, 0.9)
    before_w, before_r = m.wealth.copy(), m.reputation.copy()
    s.end_step(m)
    low = before_r < 0.5  # audited with certainty: every low record is exposed
    expected = 0.7 * m.table.degree - 3.0 * low
    np.testing.assert_allclose(m.wealth - before_w, expected)
    np.testing.assert_allclose(m.reputation, np.where(low, before_r * 0.5, before_r))
    assert m.part_state["stakeholders"]["exposed"] == low.sum()


def test_scrutiny_ends_cause_washing_near_its_critical_value():
    # Washers (contributing 10%) partner for the association reward. Without scrutiny they
    # take over; the expected penalty beats the reward above association_reward * k / penalty
    # (about 0.26 at k = 2.6 partnerships), and at twice that they are nearly gone.
    # Six seeds: single runs split (at scrutiny 0.5, seeds 0-8 give 0.008-0.12; mean 0.029).
    seeds = range(6)
    none, _ = _washer_share(0.0, seeds)
    mid, k = _washer_share(0.2, seeds)
    high, _ = _washer_share(0.5, seeds)
    critical = StakeholderPressure(association_reward=1.0, exposure_penalty=10).critical_scrutiny(k)
    assert 0.15 < critical < 0.35
    assert none > 0.6
    assert none > mid > high
    assert high < 0.1


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"association_reward": -1}, "association_reward"),
        ({"scrutiny": 1.5}, "scrutiny"),
        ({"washing_threshold": float("nan")}, "washing_threshold"),
        ({"exposure_penalty": -2}, "exposure_penalty"),
        ({"reputation_hit": 2}, "reputation_hit"),
    ],
)
def test_bad_parameters_are_named(kwargs, needle):
    with pytest.raises((ValueError, TypeError), match=needle):
        StakeholderPressure(**kwargs)


def test_critical_scrutiny_refuses_negative_partnerships():
    with pytest.raises(ValueError, match="partnerships"):
        StakeholderPressure().critical_scrutiny(-1)
