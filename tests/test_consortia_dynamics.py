"""Finite-population dynamics of n-member games: neutral drift, the linear public goods game
in closed form, the two-player model at n = 2, roots of the gradient of selection.
EGTtools is compared in benchmarks/bench_consortia.py (importing it under pytest crashed)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from allysim import evolution
from allysim.consortia import (
    PublicGoodsGame,
    fixation_probability,
    gradient_of_selection,
    group_fitness,
    interior_roots,
    repeated_payoff_array,
    stage_payoff_array,
    stationary_distribution,
    threshold_reciprocity,
    unconditional,
)

payoffs = st.integers(2, 6).flatmap(
    lambda n: arrays(float, (2, 2, n), elements=st.floats(-5.0, 5.0))
)


@given(a=payoffs, z=st.integers(6, 60), rule=st.sampled_from(["fermi", "moran"]))
def test_neutral_fixation_is_one_over_z(a, z, rule):
    rho = fixation_probability(a, 0, 1, population=z, selection=0.0, rule=rule)
    assert rho == pytest.approx(1 / z, rel=1e-12)


def _linear_rho(n, r, c, z, beta):
    # Fermi rule: f_C - f_D = c (r/n (Z - n)/(Z - 1) - 1) = delta for every j, so
    # rho_C = 1 / sum_{i<Z} exp(-beta delta i) = (1 - e^{-beta delta}) / (1 - e^{-beta delta Z}).
    delta = c * (r / n * (z - n) / (z - 1) - 1)
    x = -beta * delta
    if abs(x) < 1e-12:
        return 1 / z
    return math.expm1(x) / math.expm1(x * z)


@given(
    n=st.integers(2, 10),
    r=st.floats(0.5, 15.0),
    c=st.floats(0.1, 2.0),
    z=st.integers(10, 100),
    beta=st.floats(0.0, 2.0),
)
def test_linear_pgg_fixation_closed_form(n, r, c, z, beta):
    assume(z >= n)
    game = PublicGoodsGame(n, multiplier=r, cost=c)
    rho_c = fixation_probability(game, 0, 1, population=z, selection=beta)
    rho_d = fixation_probability(game, 1, 0, population=z, selection=beta)
    assert rho_c == pytest.approx(_linear_rho(n, r, c, z, beta), rel=1e-9, abs=1e-300)
    assert rho_d == pytest.approx(_linear_rho_defector(n, r, c, z, beta), rel=1e-9, abs=1e-300)


def _linear_rho_defector(n, r, c, z, beta):
    # The same sum with the sign of delta reversed.
    delta = -c * (r / n * (z - n) / (z - 1) - 1)
    x = -beta * delta
    if abs(x) < 1e-12:
        return 1 / z
    return math.expm1(x) / math.expm1(x * z)


@given(
    n=st.integers(2, 10),
    frac=st.floats(0.05, 0.95),
    z=st.integers(12, 100),
    beta=st.floats(0.05, 2.0),
)
def test_defection_favoured_when_r_below_n(n, frac, z, beta):
    # Linear public goods game with 1 < r < n: rho_D > 1/Z > rho_C (Hauert et al. 2007).
    assume(z > n)
    r = 1 + frac * (n - 1)
    game = PublicGoodsGame(n, multiplier=r, cost=1.0)
    rho_c = fixation_probability(game, 0, 1, population=z, selection=beta)
    rho_d = fixation_probability(game, 1, 0, population=z, selection=beta)
    assert rho_d > 1 / z > rho_c


@pytest.mark.parametrize(("n", "z"), [(5, 20), (4, 50)])
def test_cooperation_favoured_above_r_star(n, z):
    # rho_C > 1/Z iff r > n (Z - 1) / (Z - n), the finite-population threshold above r = n.
    r_star = n * (z - 1) / (z - n)
    for r, favoured in [(r_star * 0.99, False), (r_star * 1.01, True)]:
        rho_c = fixation_probability(
            PublicGoodsGame(n, multiplier=r), 0, 1, population=z, selection=1
        )
        assert (rho_c > 1 / z) == favoured


@given(
    m=arrays(float, (2, 2), elements=st.floats(0.0, 5.0)),
    z=st.integers(3, 60),
    beta=st.floats(0.0, 1.0),
    rule=st.sampled_from(["fermi", "moran"]),
)
def test_two_members_is_the_two_player_model(m, z, beta, rule):
    # n = 2: a co-member drawn from the other Z - 1 is the two-player pairwise model.
    a = np.empty((2, 2, 2))
    for i in range(2):
        j = 1 - i
        a[i, j] = [m[i, j], m[i, i]]
        a[i, i] = m[i, i]
    mine = fixation_probability(a, 0, 1, population=z, selection=beta, rule=rule)
    theirs = evolution.fixation_probability(m, 0, 1, population=z, selection=beta, rule=rule)
    assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-300)


def test_stationary_two_members_matches_evolution():
    m = np.array([[3.0, 0.0, 3.0], [5.0, 1.0, 1.2], [3.0, 0.9, 3.0]])
    a = np.empty((3, 3, 2))
    for i in range(3):
        for j in range(3):
            a[i, j] = [m[i, j], m[i, i]]
    mine = stationary_distribution(a, population=30, selection=0.5)
    theirs = evolution.stationary_distribution(m, population=30, selection=0.5)
    np.testing.assert_allclose(mine.shares, theirs.shares, rtol=1e-9, atol=1e-14)
    assert mine.shares @ mine.transitions == pytest.approx(mine.shares, abs=1e-14)


def test_stationary_two_strategies_closed_form():
    game = PublicGoodsGame(5, multiplier=4.5, threshold=3)
    res = stationary_distribution(game, population=40, selection=0.3)
    rho_cd, rho_dc = res.fixation[1, 0], res.fixation[0, 1]  # C invades D, D invades C
    assert res.shares[0] == pytest.approx(rho_cd / (rho_cd + rho_dc), rel=1e-12)


def test_fitness_is_hypergeometric_average():
    game = PublicGoodsGame(4, multiplier=3.0, threshold=2)
    z = 9
    f_c, f_d = group_fitness(game, 0, 1, population=z)
    pc, pd = game.tables()
    for j in range(1, z):
        # Enumerate co-member draws directly: other contributors among 3 drawn from Z - 1.
        want_c = sum(
            math.comb(j - 1, k) * math.comb(z - j, 3 - k) * pc[k] for k in range(4)
        ) / math.comb(z - 1, 3)
        want_d = sum(math.comb(j, k) * math.comb(z - 1 - j, 3 - k) * pd[k] for k in range(4)) / (
            math.comb(z - 1, 3)
        )
        assert f_c[j - 1] == pytest.approx(want_c, abs=1e-12)
        assert f_d[j - 1] == pytest.approx(want_d, abs=1e-12)


@pytest.mark.parametrize(("n", "r"), [(3, 4.0), (4, 8.0), (6, 2.0)])
def test_all_needed_stag_hunt_root(n, r):
    # Threshold n: cooperators gain r c only when all n contribute; f_C - f_D = c (r x^(n-1) - 1).
    game = PublicGoodsGame(n, multiplier=r, cost=1.0, threshold=n)
    np.testing.assert_allclose(interior_roots(game), [r ** (-1 / (n - 1))], rtol=1e-9)
    # Finite populations approach it as Z grows (Pacheco et al. 2009).
    finite = interior_roots(game, population=1000)
    assert finite.shape == (1,) and finite[0] == pytest.approx(r ** (-1 / (n - 1)), abs=2e-3)


@pytest.mark.parametrize(("n", "r"), [(5, 10.0), (3, 6.0)])
def test_volunteers_dilemma_root(n, r):
    # Diekmann (1985): volunteer with probability 1 - (c / b)^(1/(n-1)), here b = r c / n.
    game = PublicGoodsGame(n, multiplier=r, cost=1.0, threshold=1, synergy=0.0)
    np.testing.assert_allclose(interior_roots(game), [1 - (n / r) ** (1 / (n - 1))], rtol=1e-9)


def test_threshold_game_has_two_roots_and_gradient_signs():
    # N-person stag hunt (Pacheco et al. 2009): N = 10, M = 5, F = 6: a coordination point x_L
    # and a stable mixture x_R; the gradient is negative below x_L, positive between, negative
    # above x_R.
    game = PublicGoodsGame(10, multiplier=6.0, cost=1.0, threshold=5)
    x_l, x_r = interior_roots(game)
    assert 0 < x_l < x_r < 1
    z = 500
    x, g = gradient_of_selection(game, population=z, selection=1.0)
    assert g[0] == g[-1] == 0
    for lo, hi, sign in [(0.0, x_l, -1), (x_l, x_r, 1), (x_r, 1.0, -1)]:
        inside = (x > lo + 0.02) & (x < hi - 0.02)
        assert np.all(np.sign(g[inside]) == sign)
    finite = interior_roots(game, population=z)
    np.testing.assert_allclose(finite, [x_l, x_r], atol=0.02)
    assert interior_roots(PublicGoodsGame(10, multiplier=6.0)).size == 0  # linear: none


def test_roots_do_not_change_with_the_payoffs_scale_up_to_the_float_limit():
    # Payoffs of about 1e308: their differences overflowed (LinAlgError on inf, or no roots).
    a = stage_payoff_array(PublicGoodsGame(10, multiplier=6.0, cost=1.0, threshold=5))
    big = a * (1.5e308 / np.abs(a).max())
    np.testing.assert_allclose(interior_roots(big), interior_roots(a), rtol=1e-9)
    np.testing.assert_allclose(
        interior_roots(big, population=500), interior_roots(a, population=500), rtol=1e-9
    )
    assert interior_roots(big).size == 2


@pytest.mark.parametrize("scale", [1e-3, 1e-200, 1e-310])
def test_roots_do_not_change_with_the_payoffs_scale_far_below_one(scale):
    # The stag hunt of four, all needed, multiplier 8: the infinite-population root is
    # x^3 = 1/8, x = 1/2. Before, payoffs times 1e-200 (or 1e-310) had no roots at all: the
    # neutrality test was absolute (|coefficients| <= 1e-14).
    a = stage_payoff_array(PublicGoodsGame(4, multiplier=8.0, threshold=4))
    np.testing.assert_allclose(interior_roots(a * scale), [0.5], rtol=1e-12)
    np.testing.assert_array_equal(
        interior_roots(a * scale, population=50), interior_roots(a, population=50)
    )


@given(a=payoffs)
def test_at_most_n_minus_one_roots(a):
    # Gokhale & Traulsen (2010): a polynomial of degree n - 1 in x.
    assert interior_roots(a).size <= a.shape[2] - 1


def test_finite_roots_include_exact_zeros_and_neutral_has_none():
    # f_inv(j) - f_res(j) = (2 j - 1 - Z) / (Z - 1): exactly 0 at j = 3 of Z = 5; x = 1/2
    # in an infinite population.
    a = np.zeros((2, 2, 2))
    a[0, 1] = [-1.0, 1.0]
    assert interior_roots(a, population=5).tolist() == [0.6]
    assert interior_roots(a, population=6).tolist() == pytest.approx([7 / 12])
    assert interior_roots(a).tolist() == pytest.approx([0.5])
    assert interior_roots(np.zeros((2, 2, 3)), population=10).size == 0


def test_repeated_payoff_array_and_reciprocity():
    game = PublicGoodsGame(4, multiplier=3.0, cost=1.0)
    strategies = [unconditional(0, 4), threshold_reciprocity(3, 4), unconditional(1, 4)]
    a = repeated_payoff_array(game, strategies, continuation=0.9, noise=0.0)
    # ALLD vs TR(3): TR(3) contributes once unless all others are reciprocators.
    np.testing.assert_allclose(a[0, 0], 0.0)
    np.testing.assert_allclose(a[1, 1], 2.0)  # all TR(3): everyone contributes
    np.testing.assert_allclose(a[1, 0, 0], 0.1 * (3 / 4 - 1))  # alone among ALLD
    stage = stage_payoff_array(game)
    np.testing.assert_allclose(a[np.ix_([0, 2], [0, 2])], stage[::-1, ::-1], atol=1e-12)
    res = stationary_distribution(a, population=50, selection=1.0)
    assert res.shares[1] > 0.5  # a long shadow of the future: all-or-none reciprocity leads
    one_shot = repeated_payoff_array(game, strategies, continuation=0.0)
    np.testing.assert_allclose(one_shot[np.ix_([0, 2], [0, 2])], stage[::-1, ::-1], atol=1e-12)
    res = stationary_distribution(one_shot, population=50, selection=1.0)
    assert res.shares[0] > 0.999  # one round: TR(3) is ALLC and ALLD takes over
    assert res.shares[1] == pytest.approx(res.shares[2], rel=1e-9)


def test_repeated_payoff_array_names_the_bad_strategy():
    # The pairwise chains see strategies[1] first as their strategies[0]: the message named it.
    game = PublicGoodsGame(3)
    with pytest.raises(ValueError, match=r"strategies\[1\] is written for groups of 4"):
        repeated_payoff_array(game, [unconditional(1, 3), unconditional(0, 4)])
    with pytest.raises(TypeError, match=r"strategies\[2\] must be a GroupStrategy, got str"):
        repeated_payoff_array(game, [unconditional(1, 3), unconditional(0, 3), "TFT"])


def test_validation():
    game = PublicGoodsGame(5)
    with pytest.raises(ValueError, match="population must be >= the group size 5"):
        fixation_probability(game, 0, 1, population=4, selection=1.0)
    with pytest.raises(ValueError, match=r"invader must be a strategy index in \[0, 1\]"):
        fixation_probability(game, 2, 1, population=10, selection=1.0)
    with pytest.raises(ValueError, match="selection must lie in"):
        fixation_probability(game, 0, 1, population=10, selection=2.0, rule="moran")
    with pytest.raises(ValueError, match="rule must be"):
        fixation_probability(game, 0, 1, population=10, selection=1.0, rule="wright")
    with pytest.raises(ValueError, match="payoffs must have shape"):
        fixation_probability(np.zeros((2, 3, 4)), 0, 1, population=10, selection=1.0)


def test_an_invader_equal_to_the_resident_is_refused():
    # It returned 1/Z (0.02 at Z = 50): a mutant of the resident is no invasion.
    from allysim.consortia import PublicGoodsGame, fixation_probability

    with pytest.raises(ValueError, match="invader and resident must be different"):
        fixation_probability(PublicGoodsGame(5, multiplier=3.0), 0, 0, population=50, selection=1.0)
