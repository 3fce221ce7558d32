"""Repeated consortium games: the exact chain against closed forms, the two-player kernel at
n = 2, the 2^n profile chain, and Monte Carlo within its standard errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allysim.consortia import (
    GroupStrategy,
    PublicGoodsGame,
    exact_group_payoffs,
    simulate_group_payoffs,
    threshold_reciprocity,
    unconditional,
)
from allysim.games import StageGame
from allysim.kernels import expected_payoffs
from allysim.strategies import MemoryOne

probs = st.floats(0.0, 1.0)


def group_strategy(n: int):
    table = st.lists(probs, min_size=n, max_size=n)
    return st.builds(GroupStrategy, table, table, initial=probs)


@pytest.mark.filterwarnings("ignore:noise is so small:RuntimeWarning")
@given(
    n=st.integers(2, 8),
    eps=st.floats(0.0, 0.5),
    w=st.one_of(st.none(), st.floats(0.0, 0.99)),
)
def test_unconditional_closed_form(n, eps, w):
    # Each member contributes with probability 1 - eps (ALLC) or eps (ALLD), independently.
    game = PublicGoodsGame(n, multiplier=3.0, cost=1.0)
    allc, alld = unconditional(1, n), unconditional(0, n)
    res = exact_group_payoffs(game, [allc, alld], [1, n - 1], continuation=w, noise=eps)
    mean_contrib = (1 - eps) + (n - 1) * eps
    np.testing.assert_allclose(
        res.payoffs,
        [3.0 * mean_contrib / n - (1 - eps), 3.0 * mean_contrib / n - eps],
        rtol=1e-9,
        atol=1e-12,
    )
    np.testing.assert_allclose(res.contribution, [1 - eps, eps], atol=1e-12)


@pytest.mark.parametrize("w", [0.0, 0.5, 0.9])
def test_threshold_reciprocity_deterministic(w):
    game = PublicGoodsGame(4, multiplier=3.0, cost=1.0)
    alld = unconditional(0, 4)
    # TR(2) with three reciprocators: each sees two others contribute, so all keep going.
    res = exact_group_payoffs(game, [threshold_reciprocity(2, 4), alld], [3, 1], continuation=w)
    np.testing.assert_allclose(res.payoffs, [1.25, 2.25], atol=1e-12)
    # TR(3) sees only two: round one as above, then nobody contributes.
    res = exact_group_payoffs(game, [threshold_reciprocity(3, 4), alld], [3, 1], continuation=w)
    np.testing.assert_allclose(res.payoffs, [(1 - w) * 1.25, (1 - w) * 2.25], atol=1e-12)


def test_limit_of_means_mixes_closed_classes():
    # TR(3) opening with a coin flip, no noise: all four contribute forever only if all four
    # open with a contribution (1/16); every other start dies out. Payoff 2 * 1/16.
    game = PublicGoodsGame(4, multiplier=3.0, cost=1.0)
    res = exact_group_payoffs(game, [threshold_reciprocity(3, 4, initial=0.5)], [4])
    assert res.payoffs[0] == pytest.approx(2.0 / 16, abs=1e-12)


@pytest.mark.parametrize("eps", [1e-9, 1e-12])
def test_limit_of_means_with_tiny_noise_stays_a_probability(eps):
    # TR(3) in a group of four, coin-flip opening: with noise eps the group contributes at
    # rate eps (1 + 1.25 eps) in the long run (the five-state chain solved in exact
    # rationals). Before: LU on I - T of this nearly reducible chain gave -2.6e-8 and -2.2e-5.
    game = PublicGoodsGame(4, multiplier=3.0, cost=1.0)
    tr3 = threshold_reciprocity(3, 4, initial=0.5)
    res = exact_group_payoffs(game, [tr3], [4], noise=eps)
    assert res.contribution[0] == pytest.approx(eps, rel=1e-3)
    assert res.payoffs[0] == pytest.approx(2 * eps, rel=1e-3)  # (r - 1) c per contribution
    # The same group as its chain over the 2^4 action profiles.
    each = exact_group_payoffs(game, [tr3] * 4, noise=eps)
    np.testing.assert_allclose(each.contribution, eps, rtol=1e-3)


@pytest.mark.filterwarnings("ignore:noise is so small:RuntimeWarning")
@pytest.mark.parametrize("eps", [1e-17, 1e-100])
def test_noise_below_the_float_resolution_of_one_still_flips_contributions(eps):
    # 1 - eps rounds to 1, so a contribution's flip must not be computed as 1 - (1 - eps):
    # before, TR(3) x 4 (as above) never left full contribution and its rate came out 1.0.
    game = PublicGoodsGame(4, multiplier=3.0, cost=1.0)
    tr3 = threshold_reciprocity(3, 4, initial=0.5)
    res = exact_group_payoffs(game, [tr3], [4], noise=eps)
    assert res.contribution[0] == pytest.approx(eps, rel=1e-6)


@pytest.mark.filterwarnings("ignore:noise is so small:RuntimeWarning")
@pytest.mark.parametrize("eps", [1e-170, 1e-200, 1e-250])
def test_noise_whose_square_underflows_keeps_the_stationary_law_finite(eps):
    # In floats, products of two transitions below about 1e-154 underflow inside the
    # elimination. Four deterministic rules (one each), coin-flip opening: in 1800-digit mpmath
    # on the 16-profile chain the long-run contributions are (1, 5 eps, 1, eps). Before, noise
    # between about 1e-170 and 1e-250 gave NaN for all four (only entries below 1e-250 went to
    # logarithms).
    game = PublicGoodsGame(4, multiplier=3.0, cost=1.0)
    rules = [
        GroupStrategy([0, 1, 1, 1], [0, 0, 1, 1], initial=0.5),
        GroupStrategy([0, 0, 1, 0], [0, 1, 0, 0], initial=0.5),
        GroupStrategy([1, 1, 0, 0], [1, 1, 1, 1], initial=0.5),
        GroupStrategy([1, 0, 0, 1], [0, 0, 0, 0], initial=0.5),
    ]
    res = exact_group_payoffs(game, rules, noise=eps)
    np.testing.assert_allclose(res.contribution, [1.0, 5 * eps, 1.0, eps], rtol=1e-9)
    # A group of four of one rule that returns to contributing from every withholding state
    # (mpmath: contribution 1 - O(eps)); before, NaN.
    rule = GroupStrategy([1, 0, 0, 1], [1, 1, 1, 1], initial=0.5)
    alone = exact_group_payoffs(game, [rule], [4], noise=eps)
    assert alone.contribution[0] == pytest.approx(1.0, rel=1e-12)
    assert alone.payoffs[0] == pytest.approx(2.0, rel=1e-12)


@pytest.mark.filterwarnings("ignore:noise is so small:RuntimeWarning")
def test_six_members_whose_pivots_underflow_fall_back_to_logarithms(monkeypatch):
    # Six members, one rule each: a 64-profile closed class, eliminated by the compiled loop
    # when numba is installed. At noise 1e-170 a pivot underflows to 0; numba's division then
    # raised ZeroDivisionError (not FloatingPointError, so no fallback to logarithms). The
    # numpy elimination's answer (contribution of the fifth rule 4e-170, the others 1/14,
    # 1, 15/28, 3/7, 15/28) must come out to the bit.
    from allysim.evolution import mutation_chain

    game = PublicGoodsGame(6, multiplier=3.0, cost=1.0)
    tables = [
        ([0, 0, 1, 0, 1, 0], [1, 0, 0, 0, 0, 0]),
        ([1, 1, 1, 0, 1, 0], [1, 1, 1, 1, 1, 0]),
        ([1, 0, 1, 1, 1, 0], [0, 1, 1, 0, 1, 0]),
        ([1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0]),
        ([1, 0, 0, 0, 0, 0], [1, 1, 0, 0, 1, 1]),
        ([1, 0, 1, 0, 0, 1], [0, 0, 1, 0, 0, 1]),
    ]
    rules = [GroupStrategy(c, d, initial=0.5) for c, d in tables]
    res = exact_group_payoffs(game, rules, noise=1e-170)
    np.testing.assert_allclose(
        res.contribution, [1 / 14, 1.0, 15 / 28, 3 / 7, 4e-170, 15 / 28], rtol=1e-9
    )
    monkeypatch.setattr(mutation_chain, "GTH_COMPILED_FROM", 10**9)
    reference = exact_group_payoffs(game, rules, noise=1e-170)
    np.testing.assert_array_equal(res.contribution, reference.contribution)
    np.testing.assert_array_equal(res.payoffs, reference.payoffs)


@given(
    p=st.lists(probs, min_size=4, max_size=4),
    q=st.lists(probs, min_size=4, max_size=4),
    p0=probs,
    q0=probs,
    eps=st.floats(0.0, 0.2),
    w=st.one_of(st.none(), st.floats(0.0, 0.95)),
)
def test_two_members_is_the_two_player_kernel(p, q, p0, q0, eps, w):
    # A group memory-one strategy at n = 2: after_contribute[k] = p_C?, k = partner contributed.
    game = PublicGoodsGame(2, multiplier=1.6, cost=1.0)
    pc, pd = game.tables()
    stage = StageGame([[pc[1], pc[0]], [pd[1], pd[0]]], [[pc[1], pd[1]], [pc[0], pd[0]]])

    def group(m, m0):
        return GroupStrategy([m[1], m[0]], [m[3], m[2]], initial=m0)

    mine = exact_group_payoffs(game, [group(p, p0), group(q, q0)], continuation=w, noise=eps)
    row, col = expected_payoffs(
        [MemoryOne(p, p0=p0)], [MemoryOne(q, p0=q0)], stage, continuation=w, noise=eps
    )
    np.testing.assert_allclose(mine.payoffs, [row[0, 0], col[0, 0]], rtol=1e-7, atol=1e-9)


@given(data=st.data(), n=st.integers(2, 4), eps=st.floats(0.0, 0.3), w=st.floats(0.0, 0.9))
def test_profile_chain_equals_type_chain_and_relabelling(data, n, eps, w):
    game = PublicGoodsGame(n, multiplier=2.5, cost=1.0, threshold=1)
    a = data.draw(group_strategy(n))
    b = data.draw(group_strategy(n))
    grouped = exact_group_payoffs(game, [a, b], [n - 1, 1], continuation=w, noise=eps)
    members = [b] + [a] * (n - 1)  # 2^n profile chain, the b member listed first
    each = exact_group_payoffs(game, members, continuation=w, noise=eps)
    np.testing.assert_allclose(each.payoffs[1:], grouped.payoffs[0], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(each.payoffs[0], grouped.payoffs[1], rtol=1e-8, atol=1e-10)


def test_monte_carlo_agrees_with_exact_within_standard_errors():
    game = PublicGoodsGame(5, multiplier=3.0, cost=1.0, threshold=2, synergy=1.2)
    strategies = [threshold_reciprocity(3, 5), unconditional(0, 5), unconditional(0.7, 5)]
    kw = {"continuation": 0.8, "noise": 0.05}
    exact = exact_group_payoffs(game, strategies, [3, 1, 1], **kw)
    mc = simulate_group_payoffs(game, strategies, [3, 1, 1], groups=4000, seed=7, **kw)
    # 4 standard errors: each of the three comparisons fails by chance with p < 1e-4.
    assert np.all(np.abs(mc.payoffs - exact.payoffs) < 4 * mc.standard_errors)
    assert np.all(mc.standard_errors < 0.05)
    np.testing.assert_allclose(mc.contribution, exact.contribution, atol=0.02)


def test_monte_carlo_large_group_agrees_with_exact():
    # 40 members: the exact chain over (TR contributors, ALLD contributors) has 41 x 2 states.
    n = 40
    game = PublicGoodsGame(n, multiplier=10.0, cost=1.0, threshold=20)
    strategies = [threshold_reciprocity(30, n), unconditional(0, n)]
    kw = {"continuation": 0.8, "noise": 0.05}
    exact = exact_group_payoffs(game, strategies, [36, 4], **kw)
    mc = simulate_group_payoffs(game, strategies, [36, 4], groups=500, seed=5, **kw)
    assert np.all(np.abs(mc.payoffs - exact.payoffs) < 4 * mc.standard_errors)
    assert np.all(mc.standard_errors < 0.05)


def test_monte_carlo_mean_over_rounds_approaches_the_limit():
    game = PublicGoodsGame(4, multiplier=3.0, cost=1.0)
    strategies = [threshold_reciprocity(2, 4), unconditional(0, 4)]
    exact = exact_group_payoffs(game, strategies, [3, 1], noise=0.05)
    mc = simulate_group_payoffs(
        game, strategies, [3, 1], rounds=2000, groups=200, noise=0.05, seed=3
    )
    # Sampling error plus the O(1/rounds) start-up bias (at most ~10 rounds of payoff 2.25).
    assert np.all(np.abs(mc.payoffs - exact.payoffs) < 4 * mc.standard_errors + 10 * 2.25 / 2000)


def test_monte_carlo_is_bit_reproducible():
    game = PublicGoodsGame(6, multiplier=4.0)
    s = [threshold_reciprocity(3, 6), unconditional(0.5, 6)]
    a = simulate_group_payoffs(game, s, [4, 2], groups=50, continuation=0.9, noise=0.1, seed=11)
    b = simulate_group_payoffs(
        game, s, [4, 2], groups=50, continuation=0.9, noise=0.1, seed=np.random.SeedSequence(11)
    )
    c = simulate_group_payoffs(game, s, [4, 2], groups=50, continuation=0.9, noise=0.1, seed=12)
    assert a.payoffs.tobytes() == b.payoffs.tobytes()
    assert a.payoffs.tobytes() != c.payoffs.tobytes()


def test_progress_bar_changes_nothing(capsys):
    game = PublicGoodsGame(3)
    s = [threshold_reciprocity(1, 3)]
    kw = {"groups": 20, "rounds": 5, "noise": 0.1, "seed": 2}
    quiet = simulate_group_payoffs(game, s, [3], progress=False, **kw)
    shown = simulate_group_payoffs(game, s, [3], progress=True, **kw)
    assert quiet.payoffs.tobytes() == shown.payoffs.tobytes()
    assert "rounds" in capsys.readouterr().err


def test_memory_budget_refuses_a_huge_profile_chain():
    n = 40  # 2^40 action profiles
    game = PublicGoodsGame(n)
    with pytest.raises(ValueError, match="memory"):
        exact_group_payoffs(game, [unconditional(1, n)] * n)


def test_result_saves_and_loads(tmp_path):
    game = PublicGoodsGame(3)
    res = exact_group_payoffs(game, [unconditional(1, 3)], [3], continuation=0.5)
    loaded = type(res).load(res.save(tmp_path / "r"))
    assert loaded.payoffs.tolist() == res.payoffs.tolist() == [2.0]


def test_validation():
    game = PublicGoodsGame(4)
    tr = threshold_reciprocity(2, 4)
    with pytest.raises(ValueError, match="counts must sum to the group size 4"):
        exact_group_payoffs(game, [tr], [3])
    with pytest.raises(ValueError, match="written for groups of 3"):
        exact_group_payoffs(game, [threshold_reciprocity(1, 3)], [4])
    with pytest.raises(ValueError, match="one strategy per member"):
        exact_group_payoffs(game, [tr, tr])
    with pytest.raises(TypeError, match=r"strategies\[0\] must be a GroupStrategy"):
        exact_group_payoffs(game, ["TFT"], [4])
    with pytest.raises(ValueError, match="noise"):
        exact_group_payoffs(game, [tr], [4], noise=1.5)
    with pytest.raises(ValueError, match="continuation"):
        exact_group_payoffs(game, [tr], [4], continuation=1.0)
    with pytest.raises(ValueError, match="exactly one of continuation"):
        simulate_group_payoffs(game, [tr], [4], groups=2)
    with pytest.raises(ValueError, match="groups must be an integer >= 1"):
        simulate_group_payoffs(game, [tr], [4], groups=0, rounds=3)
    with pytest.raises(ValueError, match=r"k must lie in \[0, group_size=4\]"):
        threshold_reciprocity(5, 4)
    with pytest.raises(ValueError, match="after_contribute"):
        GroupStrategy([0.5, 1.2], [0.0, 0.0])


def test_noise_so_small_that_transitions_underflow_warns():
    # TR(2) x 4 from a coin-flip opening: in the limit of the mean half the runs settle on
    # contributing, half on withholding, for every noise in (0, 1) (the classes are left only
    # by k simultaneous flips, chance ~ noise**k). At 1e-200 those moves underflow to 0 and the
    # chain's classes change (1.0 comes out); the function says so instead of answering quietly.
    game = PublicGoodsGame(4, multiplier=3.0, cost=1.0)
    tr2 = threshold_reciprocity(2, 4, initial=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # noise**4 = 1e-280 keeps every transition: no warning
        assert exact_group_payoffs(game, [tr2], [4], noise=1e-70).contribution[0] == 0.5
    with pytest.warns(RuntimeWarning, match="underflow to 0"):
        exact_group_payoffs(game, [tr2], [4], noise=1e-200)
    # Discounted payoffs are not affected (such moves weigh noise**k / (1 - w)): no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exact_group_payoffs(game, [tr2], [4], noise=1e-200, continuation=0.9)
