"""Discounted zero-determinant strategies (Hilbe, Traulsen & Sigmund 2015): the linear relation
holds exactly on the discounted payoffs, where Press & Dyson's long-run strategies miss it."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from allysim import PrisonersDilemma, expected_payoffs
from allysim.kernels import outcome_distribution
from allysim.strategies import (
    ALLD,
    GRIM,
    TF2T,
    MemoryOne,
    extortionate,
    generous,
    zd_min_continuation,
    zd_phi_range,
    zero_determinant,
)
from strategies_hyp import dilemma, memory_one

PD = PrisonersDilemma()
# Every deterministic memory-one opponent, first move included: 32 rows [p_CC..p_DD, p0].
DETERMINISTIC = np.array(list(itertools.product((0.0, 1.0), repeat=5)))


def _gap(x, y, chi, baseline):
    return (x - baseline) - chi * (y - baseline)


@given(
    game=dilemma(),
    chi=st.floats(1.1, 5.0),
    level=st.sampled_from(["P", "R", "between"]),
    lam=st.floats(0.05, 0.95),
    p0=st.floats(0.0, 1.0),
    u=st.floats(0.0, 1.0),
    v=st.floats(0.0, 1.0),
    opponents=st.lists(memory_one(), min_size=3, max_size=6),
)
def test_discounted_relation_holds_exactly_against_any_memory_one(
    game, chi, level, lam, p0, u, v, opponents
):
    R, S, T, P = game.payoff_vector
    baseline = {"P": P, "R": R, "between": P + lam * (R - P)}[level]
    p0 = {"P": 0.0, "R": 1.0, "between": p0}[level]
    try:
        w_min = zd_min_continuation(game, chi=chi, baseline=baseline, p0=p0)
    except ValueError:
        assume(False)
    assume(w_min < 0.98)
    w = w_min + u * (0.99 - w_min)
    lo, hi = zd_phi_range(game, chi, baseline, continuation=w, p0=p0)
    phi = max(lo + v * (hi - lo), 1e-9)
    zd = zero_determinant(game, chi=chi, phi=phi, baseline=baseline, p0=p0, continuation=w)
    x, y = expected_payoffs(zd, [*opponents, GRIM, TF2T], game, continuation=w)
    scale = max(abs(R), abs(S), abs(T), abs(P), 1.0) * chi
    assert np.abs(_gap(x, y, chi, baseline)).max() < 1e-10 * scale


def test_long_run_extort3_misses_at_w09_and_the_discounted_one_does_not():
    old = extortionate(PD, chi=3)
    x, y = expected_payoffs(old, DETERMINISTIC, PD, continuation=0.9)
    gap = _gap(x, y, 3, 1)[0]
    # Against ALLD: the opener's sucker payoff and the slow decay of p_CD, closed form -26/11.
    assert gap[0] == pytest.approx(-26 / 11, abs=1e-12)
    # Against "contribute once, then withhold" (the 2.2 units).
    assert gap[1] == pytest.approx(-2.2, abs=1e-12)
    assert np.abs(gap).max() == pytest.approx(26 / 11, abs=1e-12)
    new = extortionate(PD, chi=3, continuation=0.9)
    assert new.p0 == 0.0
    rng = np.random.default_rng(7)
    opponents = np.vstack([DETERMINISTIC, rng.random((200, 5))])
    x, y = expected_payoffs(new, opponents, PD, continuation=0.9)
    assert np.abs(_gap(x, y, 3, 1)).max() < 1e-12


def test_generous_discounted_concedes_exactly():
    g = generous(PD, chi=2, continuation=0.95)
    x, y = expected_payoffs(
        g, [ALLD, GRIM, TF2T, MemoryOne((0.2, 0.7, 0.1, 0.9))], PD, continuation=0.95
    )
    assert np.allclose(3 - x, 2 * (3 - y), rtol=0, atol=1e-12)
    assert np.all(y >= x - 1e-12)


def test_feasibility_thresholds_closed_forms():
    # Extortion, chi = 3, standard payoffs: p_CC = (1 - 4 phi) / w <= 1 and p_CD >= 0 give
    # (1 - w) / 4 <= phi <= 1/13, so w >= 9/13.
    assert zd_min_continuation(PD, chi=3, baseline=1, p0=0) == pytest.approx(9 / 13, abs=1e-14)
    assert zd_phi_range(PD, 3, 1, continuation=0.9, p0=0) == pytest.approx((0.025, 1 / 13))
    # Generosity, chi = 2: (1 - w) / 2 <= phi <= w / 7, so w >= 7/9.
    assert zd_min_continuation(PD, chi=2, baseline=3, p0=1) == pytest.approx(7 / 9, abs=1e-14)
    extortionate(PD, chi=3, continuation=9 / 13)  # the boundary itself is feasible
    with pytest.raises(ValueError, match=r"continuation must be >= 0.692308"):
        extortionate(PD, chi=3, continuation=9 / 13 - 1e-6)
    with pytest.raises(ValueError, match=r"continuation must be >= 0.777778"):
        generous(PD, chi=2, continuation=0.7)


def test_pinned_first_move_and_ranges_are_enforced():
    with pytest.raises(ValueError, match=r"p0 must be 0 .*DD"):
        extortionate(PD, chi=3, p0=1, continuation=0.9)
    with pytest.raises(ValueError, match=r"p0 must be 1 .*CC"):
        generous(PD, chi=2, p0=0.5, continuation=0.9)
    with pytest.raises(ValueError, match=r"phi must lie in \[0.025, 0.0769231\]"):
        zero_determinant(PD, chi=3, phi=0.01, baseline=1, p0=0, continuation=0.9)
    with pytest.raises(ValueError, match=r"continuation must lie in \(0, 1\)"):
        extortionate(PD, continuation=1.0)
    with pytest.raises(ValueError, match=r"p0 must be a probability"):
        zd_phi_range(PD, 3, 1, continuation=0.9, p0=2)
    with pytest.raises(TypeError, match="continuation must be a real number"):
        generous(PD, continuation="0.9")


def test_discounted_strategy_tends_to_press_dyson_as_w_tends_to_1():
    long_run = zero_determinant(PD, chi=3, phi=1 / 26, baseline=1, p0=0)
    near = zero_determinant(PD, chi=3, phi=1 / 26, baseline=1, p0=0, continuation=1 - 1e-9)
    assert np.allclose(near.p, long_run.p, rtol=0, atol=1e-8)


@pytest.mark.parametrize("rounds", [5, 20, 100])
def test_fixed_horizon_error_is_the_last_round_term(rounds):
    # Documented identity: over n rounds, (s_X - l) - chi (s_Y - l) = (p . v_{n-1} - p0) / (n phi).
    phi = 1 / 26
    zd = zero_determinant(PD, chi=3, phi=phi, baseline=1, p0=1)
    opponents = np.vstack([DETERMINISTIC, np.random.default_rng(3).random((20, 5))])
    x, y = expected_payoffs(zd, opponents, PD, rounds=rounds)
    mean_n = outcome_distribution(zd, opponents, rounds=rounds)[0]
    mean_m = outcome_distribution(zd, opponents, rounds=rounds - 1)[0]
    last = rounds * mean_n - (rounds - 1) * mean_m
    predicted = (last @ np.array(zd.p) - zd.p0) / (rounds * phi)
    assert np.allclose(_gap(x, y, 3, 1)[0], predicted, rtol=0, atol=1e-9)
    bound = max(abs(q - zd.p0) for q in zd.p) / (rounds * phi)
    assert np.abs(predicted).max() <= bound + 1e-12
    assert np.abs(predicted).max() > 0.1 * bound  # the bound is attained to within 10x


@given(
    game=dilemma(),
    chi=st.floats(1.1, 5.0),
    level=st.sampled_from(["P", "R", "between"]),
    lam=st.floats(0.05, 0.95),
    p0=st.floats(0.0, 1.0),
)
def test_least_continuation_is_the_feasibility_boundary(game, chi, level, lam, p0):
    R, _, _, P = game.payoff_vector
    baseline = {"P": P, "R": R, "between": P + lam * (R - P)}[level]
    p0 = {"P": 0.0, "R": 1.0, "between": p0}[level]
    try:
        w_min = zd_min_continuation(game, chi=chi, baseline=baseline, p0=p0)
    except ValueError:
        assume(False)
    assume(1e-3 < w_min < 0.99)
    s = zero_determinant(
        game,
        chi=chi,
        phi=sum(zd_phi_range(game, chi, baseline, continuation=w_min, p0=p0)) / 2,
        baseline=baseline,
        p0=p0,
        continuation=w_min,
    )
    assert all(0.0 <= q <= 1.0 for q in s.p)
    with pytest.raises(ValueError, match="continuation must be >="):
        zd_phi_range(game, chi, baseline, continuation=w_min * (1 - 1e-6), p0=p0)
