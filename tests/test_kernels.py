import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import allysim as ally
from allysim import (
    ALLC,
    ALLD,
    ALTERNATOR,
    GRIM,
    GTFT,
    RANDOM,
    STFT,
    TF2T,
    TFT,
    WSLS,
    FiniteStateStrategy,
    MemoryOne,
    PrisonersDilemma,
    StageGame,
    expected_payoffs,
    extortionate,
    generous,
    outcome_distribution,
    round_robin,
    simulate,
)
from strategies_hyp import dilemma, finite_state, interior, memory_one

PD = PrisonersDilemma()
AXELROD_ZOO = [ALLC, ALLD, TFT, STFT, GRIM, WSLS, TF2T, ALTERNATOR]
# Total scores over 200 turns, row player, standard payoffs, from Axelrod-Python 4.14
# (Cooperator, Defector, TitForTat, SuspiciousTitForTat, Grudger, WinStayLoseShift,
# TitFor2Tats, Alternator).
AXELROD_200 = np.array(
    [
        [600, 0, 600, 597, 600, 600, 600, 300],
        [1000, 200, 204, 200, 204, 600, 208, 600],
        [600, 199, 600, 500, 600, 600, 600, 498],
        [602, 200, 500, 200, 203, 401, 602, 500],
        [600, 199, 600, 203, 600, 600, 600, 597],
        [600, 100, 600, 401, 600, 600, 600, 450],
        [600, 198, 600, 597, 600, 600, 600, 300],
        [800, 100, 503, 500, 107, 450, 800, 400],
    ]
)


# ---------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("rounds", [1, 2, 10, 200])
def test_tft_vs_alld_over_t_rounds(rounds):
    row, col = expected_payoffs(TFT, ALLD, PD, rounds=rounds)
    assert row[0, 0] == pytest.approx((0 + (rounds - 1) * 1) / rounds)
    assert col[0, 0] == pytest.approx((5 + (rounds - 1) * 1) / rounds)


@given(st.floats(0.001, 0.499), dilemma())
def test_tft_vs_tft_under_noise_is_the_mean_payoff(eps, game):
    # With execution noise TFT pairs visit CC, CD, DC, DD equally often in the long run.
    R, S, T, P = game.payoff_vector
    row, col = expected_payoffs(TFT, TFT, game, noise=eps)
    assert row[0, 0] == pytest.approx((R + S + T + P) / 4, abs=1e-9)
    assert col[0, 0] == pytest.approx((R + S + T + P) / 4, abs=1e-9)


@pytest.mark.parametrize("eps", [0.001, 0.01, 0.1, 0.3])
def test_wsls_vs_wsls_under_noise(eps):
    # Stationary: pi_CD = pi_DC = e(1-e); pi_CC = (1 - 2e(1-e))(1-e)^2 + 2 e^3 (1-e).
    b = eps * (1 - eps)
    a = (1 - 2 * b) * (1 - eps) ** 2 + 2 * b * eps**2
    d = 1 - a - 2 * b
    row, _ = expected_payoffs(WSLS, WSLS, PD, noise=eps)
    assert row[0, 0] == pytest.approx(3 * a + 0 * b + 5 * b + 1 * d, abs=1e-12)


@given(memory_one(interior), dilemma(), st.floats(1.0, 6.0))
def test_extortioner_enforces_press_dyson_relation(opponent, game, chi):
    # Press & Dyson (2012): s_X - P = chi (s_Y - P) against any opponent, in the long run.
    zd = extortionate(game, chi=chi)
    (sx,), (sy,) = (a.ravel() for a in expected_payoffs(zd, opponent, game))
    P = game.payoff_vector[3]
    assert sx - P == pytest.approx(chi * (sy - P), abs=1e-8)


@given(memory_one(interior), st.floats(1.0, 4.0))
def test_generous_zd_enforces_its_relation(opponent, chi):
    zd = generous(PD, chi=chi)
    (sx,), (sy,) = (a.ravel() for a in expected_payoffs(zd, opponent, PD))
    assert sx - 3 == pytest.approx(chi * (sy - 3), abs=1e-8)


def test_limit_of_means_follows_play_from_the_start():
    # Without noise TFT pairs stay at CC; STFT vs TFT alternates CD/DC.
    row, _ = expected_payoffs([TFT, STFT], [TFT], PD)
    assert row[:, 0] == pytest.approx([3.0, 2.5])
    row, _ = expected_payoffs([GRIM, TF2T], [ALLD, ALTERNATOR], PD)
    # GRIM: T, P alternate; TF2T vs ALLD settles at P; TF2T vs ALTERNATOR: R, S alternate.
    assert row == pytest.approx(np.array([[1.0, 3.0], [1.0, 1.5]]))


def test_limit_of_means_over_several_closed_classes():
    coin_start_grim = MemoryOne((1, 0, 0, 0), p0=0.5, name="coin-GRIM")
    # Start CC (1/4): R forever; CD, DC: S or T once, then P forever; DD: P forever.
    row, _ = expected_payoffs(coin_start_grim, coin_start_grim, PD)
    assert row[0, 0] == pytest.approx(0.25 * 3 + 0.75 * 1, abs=1e-14)
    # The finite-horizon mean converges to it as O(1/T).
    row, _ = expected_payoffs(coin_start_grim, coin_start_grim, PD, rounds=1000)
    assert row[0, 0] == pytest.approx(0.25 * 3 + 0.25 * 0.999 + 0.25 * 1.004 + 0.25 * 1)
    # TFT opening with a coin against itself: CC stays (R), DD stays (P), CD <-> DC cycles
    # ((S + T) / 2): 1/4 R + 1/4 P + 1/2 (S + T) / 2 = 2.25 (refused as "not unique" before).
    coin_tft = MemoryOne((1, 0, 1, 0), p0=0.5, name="coin-TFT")
    row, col = expected_payoffs(coin_tft, coin_tft, PD)
    assert row[0, 0] == pytest.approx(2.25, abs=1e-14)
    assert col[0, 0] == pytest.approx(2.25, abs=1e-14)
    # The finite-state path gives the same.
    row, _ = expected_payoffs(coin_tft, ALTERNATOR, PD)
    ref, _ = expected_payoffs(coin_tft, ALTERNATOR, PD, rounds=2_000_000)
    assert row[0, 0] == pytest.approx(ref[0, 0], abs=1e-5)


def _stationary_mp(p, q, eps, digits=60):
    """Reference long-run distribution of a memory-one pair in 60-digit arithmetic."""
    from mpmath import lu_solve, matrix, mp, mpf

    mp.dps = digits
    eps = mpf(eps)
    a = [mpf(x) * (1 - 2 * eps) + eps for x in p]
    b = [mpf(q[i]) * (1 - 2 * eps) + eps for i in (0, 2, 1, 3)]
    m = matrix(4, 4)
    for s in range(4):
        m[s, 0] = a[s] * b[s]
        m[s, 1] = a[s] * (1 - b[s])
        m[s, 2] = (1 - a[s]) * b[s]
        m[s, 3] = (1 - a[s]) * (1 - b[s])
    # pi (M - I) = 0 with sum pi = 1: replace one equation by the normalisation.
    lhs = (m - mp.eye(4)).T
    for j in range(4):
        lhs[3, j] = 1
    rhs = matrix([0, 0, 0, 1])
    return np.array([float(x) for x in lu_solve(lhs, rhs)])


@pytest.mark.parametrize("eps", [1e-4, 1e-8, 1e-12, 1e-15])
@pytest.mark.parametrize(
    "pair",
    [(TFT, TFT), (TFT, WSLS), (WSLS, WSLS), (TFT, STFT), (MemoryOne((1, 0, 0, 0)), WSLS)],
)
def test_tiny_noise_is_exact(eps, pair):
    x, y = pair
    dist = outcome_distribution(x, y, noise=eps)[0, 0]
    ref = _stationary_mp(x.p, y.p, eps)
    # Before: TFT-TFT raised ValueError at noise 1e-12 and TFT-WSLS was off by 4e-6.
    assert dist == pytest.approx(ref, abs=1e-12)


@given(st.floats(0.0, 0.99))
def test_continuation_closed_forms(w):
    row, col = expected_payoffs([TFT, GRIM], [ALLD], PD, continuation=w)
    # (1 - w) S + w P for both the memory-one and the finite-state path.
    assert row[:, 0] == pytest.approx([(1 - w) * 0 + w * 1] * 2, abs=1e-12)
    assert col[:, 0] == pytest.approx([(1 - w) * 5 + w * 1] * 2, abs=1e-12)
    # ALTERNATOR vs ALLC: S... C, D, C, D: (1 - w) * (R + w T) / (1 - w^2) = (R + w T) / (1 + w)
    row, _ = expected_payoffs(ALTERNATOR, ALLC, PD, continuation=w)
    assert row[0, 0] == pytest.approx((3 + w * 5) / (1 + w), abs=1e-12)


def test_continuation_zero_is_the_first_round():
    row, _ = expected_payoffs([TFT, STFT, RANDOM(0.25)], [ALLC], PD, continuation=0.0)
    assert row[:, 0] == pytest.approx([3, 5, 0.25 * 3 + 0.75 * 5])


def test_perception_noise_is_modelled_exactly():
    # TFT vs ALLC with misperception eta: TFT defects after each misread C, independently.
    eta = 0.2
    row, _ = expected_payoffs(TFT, ALLC, PD, perception_noise=eta)
    assert row[0, 0] == pytest.approx((1 - eta) * 3 + eta * 5)
    # GRIM (finite state) misreads one C and defects forever: long run ALLD vs ALLC.
    row, _ = expected_payoffs(GRIM, ALLC, PD, perception_noise=0.01)
    assert row[0, 0] == pytest.approx(5.0)


def test_asymmetric_game_is_supported():
    g = StageGame([[2, 0], [3, 1]], [[4, 5], [0, 1]])
    row, col = expected_payoffs(ALLC, [ALLC, ALLD], g, rounds=3)
    assert row.tolist() == [[2, 0]] and col.tolist() == [[4, 5]]


def test_outcome_distribution_sums_to_one():
    dist = outcome_distribution([TFT, WSLS, GRIM], [ALLD, GTFT()], noise=0.05, rounds=20)
    assert dist.shape == (3, 2, 4)
    assert np.allclose(dist.sum(-1), 1)


# ---------------------------------------------------------------------------- Axelrod


def test_deterministic_scores_match_axelrod_literal():
    row, col = expected_payoffs(AXELROD_ZOO, AXELROD_ZOO, PD, rounds=200)
    assert np.array_equal(np.rint(row * 200), AXELROD_200)
    assert np.array_equal(np.rint(col * 200), AXELROD_200.T)
    sim = simulate(AXELROD_ZOO, AXELROD_ZOO, PD, rounds=200, seed=3)
    assert np.array_equal(np.rint(sim.row_payoffs[..., 0] * 200), AXELROD_200)


# Turn-for-turn agreement with Axelrod-Python is checked against a recorded fixture in
# tests/test_axelrod_reference.py (benchmarks/record_axelrod.py regenerates it).


@pytest.mark.parametrize(
    ("x", "y", "row_moves", "col_moves"),
    [
        (TF2T, ALTERNATOR, "CCCCCCCC", "CDCDCDCD"),
        (TF2T, ALLD, "CCDDDDDD", "DDDDDDDD"),
        (WSLS, ALLD, "CDCDCDCD", "DDDDDDDD"),
        (WSLS, STFT, "CDDCDDCD", "DCDDCDDC"),
        (GRIM, ALTERNATOR, "CCDDDDDD", "CDCDCDCD"),
        (STFT, TFT, "DCDCDCDC", "CDCDCDCD"),
    ],
)
def test_pinned_move_sequences(x, y, row_moves, col_moves):
    h = simulate(x, y, PD, rounds=8, history=True).history[0, 0, 0]
    assert "".join("C" if c else "D" for c in h[:, 0]) == row_moves
    assert "".join("C" if c else "D" for c in h[:, 1]) == col_moves


# ---------------------------------------------------------------------------- exact vs MC


def _check_agreement(xs, ys, **kw):
    rounds = 30
    exact_r, exact_c = expected_payoffs(xs, ys, PD, rounds=rounds, **kw)
    sim = simulate(xs, ys, PD, rounds=rounds, repetitions=4000, seed=2024, **kw)
    mean_r, mean_c = sim.mean()
    se_r, se_c = sim.stderr()
    # 4 standard errors, plus a floor for pairs that are deterministic (se = 0).
    assert np.all(np.abs(mean_r - exact_r) <= 4 * se_r + 1e-9)
    assert np.all(np.abs(mean_c - exact_c) <= 4 * se_c + 1e-9)
    return np.abs(mean_r - exact_r) / np.maximum(se_r, 1e-12)


@pytest.mark.parametrize(("eps", "eta"), [(0.0, 0.0), (0.05, 0.0), (0.0, 0.1), (0.05, 0.1)])
def test_exact_agrees_with_monte_carlo_memory_one(eps, eta):
    rng = np.random.default_rng(7)
    xs = rng.random((5, 5))
    ys = rng.random((4, 5))
    z = _check_agreement(xs, ys, noise=eps, perception_noise=eta)
    assert z.mean() < 2  # z-scores of a correct estimator average about 0.8


@pytest.mark.parametrize(("eps", "eta"), [(0.0, 0.0), (0.05, 0.0), (0.0, 0.1), (0.05, 0.1)])
def test_exact_agrees_with_monte_carlo_finite_state(eps, eta):
    rng = np.random.default_rng(11)
    machines = []
    for i in range(4):
        k = 3
        machines.append(
            FiniteStateStrategy(
                output=rng.random(k),
                next=rng.integers(0, k, size=(k, 2, 2)),
                initial=0,
                name=f"fsm{i}",
            )
        )
    _check_agreement(machines, [*machines[:2], GRIM, TF2T, WSLS], noise=eps, perception_noise=eta)


# ---------------------------------------------------------------------------- properties


@given(
    st.lists(st.one_of(memory_one(), finite_state()), min_size=1, max_size=3),
    st.lists(st.one_of(memory_one(), finite_state()), min_size=1, max_size=3),
    st.sampled_from([{"rounds": 5}, {"continuation": 0.7}, {"noise": 0.05}]),
    st.sampled_from([0.0, 0.1]),
)
def test_swapping_players_transposes(xs, ys, horizon, eta):
    kw = {"perception_noise": eta, **horizon}
    r1, c1 = expected_payoffs(xs, ys, PD, **kw)
    r2, c2 = expected_payoffs(ys, xs, PD, **kw)
    assert np.allclose(r1, c2.T, atol=1e-9)
    assert np.allclose(c1, r2.T, atol=1e-9)


@given(
    st.lists(memory_one(), min_size=1, max_size=4),
    dilemma(),
    st.sampled_from([{"rounds": 3}, {"continuation": 0.9}, {"noise": 0.02}]),
)
def test_payoffs_lie_between_the_extremes(xs, game, horizon):
    r, c = expected_payoffs(xs, xs, game, **horizon)
    lo, hi = min(game.payoff_vector), max(game.payoff_vector)
    assert np.all((r >= lo - 1e-9) & (r <= hi + 1e-9))
    assert np.all((c >= lo - 1e-9) & (c <= hi + 1e-9))


@given(st.lists(memory_one(), min_size=2, max_size=5), st.randoms(use_true_random=False))
def test_relabelling_strategies_permutes_the_matrix(xs, rnd):
    perm = list(range(len(xs)))
    rnd.shuffle(perm)
    r, _ = expected_payoffs(xs, xs, PD, rounds=6, noise=0.01)
    rp, _ = expected_payoffs([xs[i] for i in perm], [xs[i] for i in perm], PD, rounds=6, noise=0.01)
    assert np.allclose(rp, r[np.ix_(perm, perm)])


@given(st.integers(0, 2**32), st.sampled_from([0.0, 0.1]))
def test_same_seed_same_simulation(seed, eta):
    kw = {"rounds": 20, "noise": 0.1, "perception_noise": eta, "repetitions": 3}
    a = simulate([TFT, GRIM], [WSLS, RANDOM(0.5)], PD, seed=seed, **kw)
    b = simulate([TFT, GRIM], [WSLS, RANDOM(0.5)], PD, seed=seed, **kw)
    c = simulate([TFT, GRIM], [WSLS, RANDOM(0.5)], PD, seed=np.random.SeedSequence(seed), **kw)
    assert np.array_equal(a.row_payoffs, b.row_payoffs)
    assert np.array_equal(a.outcomes, c.outcomes)


def test_different_seeds_differ_and_generator_is_accepted():
    kw = {"rounds": 50, "noise": 0.1, "repetitions": 5}
    a = simulate(TFT, WSLS, PD, seed=1, **kw)
    b = simulate(TFT, WSLS, PD, seed=2, **kw)
    assert not np.array_equal(a.row_payoffs, b.row_payoffs)
    g = simulate(TFT, WSLS, PD, seed=np.random.default_rng(1), **kw)
    assert g.row_payoffs.shape == (1, 1, 5)


def test_simulation_history_and_counts_agree():
    sim = simulate([TFT, RANDOM(0.4)], [GRIM], PD, rounds=25, noise=0.1, history=True, seed=5)
    h = sim.history
    assert h.shape == (2, 1, 1, 25, 2)
    assert np.allclose(sim.row_cooperation, h[..., 0].mean(-1))
    assert np.allclose(sim.col_cooperation, h[..., 1].mean(-1))
    cc = (h[..., 0] & h[..., 1]).mean(-1)
    assert np.allclose(sim.outcomes[..., 0], cc)


# ---------------------------------------------------------------------------- tournaments


def test_round_robin_exact_and_simulated_agree():
    zoo = [ALLC, ALLD, TFT, GRIM, WSLS, GTFT(), TF2T, RANDOM(0.5)]
    exact = round_robin(zoo, PD, rounds=200, noise=0.05, method="exact")
    sim = round_robin(zoo, PD, rounds=200, noise=0.05, repetitions=50, seed=9, method="simulate")
    err = np.abs(exact.payoff_matrix - sim.payoff_matrix)
    assert np.all(err <= 4 * sim.stderr_matrix + 1e-9)
    assert list(exact.ranking.columns) == [
        "rank",
        "strategy",
        "score",
        "score_stderr",
        "cooperation",
        "wins",
    ]
    off_diagonal = ~np.eye(len(zoo), dtype=bool)
    expect = (exact.payoff_matrix * off_diagonal).sum(axis=1) / (len(zoo) - 1)
    assert exact.scores == pytest.approx(expect)
    with_self = round_robin(zoo, PD, rounds=200, noise=0.05, self_play=True)
    assert with_self.scores == pytest.approx(exact.payoff_matrix.mean(axis=1))
    assert sim.score_stderr is not None and exact.score_stderr is None


def test_deterministic_play_has_a_standard_error_of_exactly_zero():
    # Without noise every repetition scores the same: the standard error is 0, not the 4.7e-16
    # the mean's rounding left when deviations were taken from the mean (0.4.0).
    game = PrisonersDilemma(R=3.1, S=0.3, T=5.2, P=1.1)
    sim = round_robin(
        [TFT, ALLD, WSLS], game, rounds=137, repetitions=10, seed=1, method="simulate"
    )
    assert sim.stderr_matrix is not None
    assert np.all(sim.stderr_matrix == 0.0)
    assert np.all(sim.score_stderr == 0.0)
    # Shifted deviations leave a spread unchanged: the standard error of known samples.
    one = simulate(TFT, RANDOM(0.5), game, rounds=20, repetitions=64, seed=3)
    se_r, _ = one.stderr()
    assert se_r == pytest.approx(one.row_payoffs.std(ddof=1) / 8, rel=1e-12)


def test_round_robin_self_play_changes_the_ranking_as_axelrod_reports():
    # Without self-play ALLD beats TFT (as in Axelrod-Python's scores); counting self-play,
    # TFT's 3 per round against itself lifts it above ALLD's 1.
    zoo = [ALLC, ALLD, TFT]
    res = round_robin(zoo, PD, rounds=200)
    assert res.ranking["strategy"].tolist() == ["ALLD", "TFT", "ALLC"]
    assert res.ranking["score"].tolist() == pytest.approx(
        [(5 + 204 / 200) / 2, (3 + 199 / 200) / 2, 1.5]
    )
    res_self = round_robin(zoo, PD, rounds=200, self_play=True)
    assert res_self.ranking["strategy"].tolist() == ["ALLD", "TFT", "ALLC"]
    assert res_self.ranking["score"].tolist() == pytest.approx([1404 / 600, 1399 / 600, 2.0])
    with pytest.raises(ValueError, match="at least 2"):
        round_robin([TFT], PD)
    assert round_robin([TFT], PD, self_play=True).scores.tolist() == [3.0]
    with pytest.raises(TypeError, match="self_play"):
        round_robin(zoo, PD, self_play="no")


def test_round_robin_simulates_random_partnership_lengths():
    zoo = [ALLC, ALLD, TFT, WSLS]
    exact = round_robin(zoo, PD, rounds=None, continuation=0.9, noise=0.02)
    with pytest.raises(ValueError, match="rounds=None"):
        round_robin(zoo, PD, continuation=0.9)
    sim = round_robin(
        zoo,
        PD,
        rounds=None,
        continuation=0.9,
        noise=0.02,
        repetitions=4000,
        seed=3,
        method="simulate",
    )
    err = np.abs(exact.payoff_matrix - sim.payoff_matrix)
    assert np.all(err <= 4.5 * sim.stderr_matrix + 1e-9)
    again = round_robin(
        zoo,
        PD,
        rounds=None,
        continuation=0.9,
        noise=0.02,
        repetitions=4000,
        seed=3,
        method="simulate",
    )
    assert np.array_equal(sim.payoff_matrix, again.payoff_matrix)


def test_round_robin_ranking_without_noise():
    res = round_robin([ALLC, ALLD, TFT], PD, rounds=200, self_play=True)
    # ALLD: (1000 + 200 + 204) / 600; TFT: (600 + 199 + 600) / 600; ALLC: (600 + 0 + 600) / 600
    assert res.ranking["strategy"].tolist() == ["ALLD", "TFT", "ALLC"]
    assert res.ranking["score"].tolist() == pytest.approx([1404 / 600, 1399 / 600, 2.0])
    assert res.ranking["wins"].tolist() == [2, 0, 0]
    assert res.payoff_matrix[1, 2] == pytest.approx(204 / 200)


def test_round_robin_rejects_duplicate_names_and_bad_method():
    with pytest.raises(ValueError, match="distinct names"):
        round_robin([TFT, TFT], PD)
    with pytest.raises(ValueError, match="method"):
        round_robin([TFT, ALLD], PD, method="fast")
    with pytest.raises(ValueError, match="needs rounds"):
        round_robin([TFT, ALLD], PD, rounds=None, method="simulate")


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"rounds": 0}, ValueError, "rounds must be an integer >= 1"),
        ({"rounds": -5}, ValueError, "rounds"),
        ({"rounds": 2.5}, TypeError, "rounds must be an integer"),
        ({"continuation": 1.0}, ValueError, r"continuation must lie in \[0, 1\)"),
        ({"continuation": -0.1}, ValueError, "continuation"),
        ({"continuation": float("nan")}, ValueError, "continuation must be finite"),
        ({"rounds": 5, "continuation": 0.5}, ValueError, "either rounds or continuation"),
        ({"noise": 1.5}, ValueError, r"noise must be a probability in \[0, 1\]"),
        ({"noise": float("nan")}, ValueError, "noise must be finite"),
        ({"perception_noise": -0.2}, ValueError, "perception_noise"),
    ],
)
def test_bad_kernel_arguments(kwargs, error, needle):
    with pytest.raises(error, match=needle):
        expected_payoffs(TFT, ALLD, PD, **kwargs)


def test_bad_strategies_and_games():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        expected_payoffs(np.array([[1, 0, 1, 0, 1.5]]), TFT, PD, rounds=2)
    with pytest.raises(ValueError, match=r"shape \(n, 5\)"):
        expected_payoffs(np.ones((2, 4)), TFT, PD, rounds=2)
    with pytest.raises(ValueError, match="finite"):
        expected_payoffs(np.array([[1, np.nan, 1, 0, 1]]), TFT, PD, rounds=2)
    with pytest.raises(TypeError, match="game must be an allysim StageGame"):
        expected_payoffs(TFT, TFT, (3, 0, 5, 1), rounds=2)
    with pytest.raises(ValueError, match="2x2"):
        expected_payoffs(TFT, TFT, StageGame(np.ones((3, 3)), np.ones((3, 3))), rounds=2)
    with pytest.raises(ValueError, match="row_strategies: unknown strategy name"):
        expected_payoffs(["TIT_FOR_TAT"], TFT, PD, rounds=2)
    with pytest.raises(ValueError, match="at least one"):
        expected_payoffs([], TFT, PD, rounds=2)
    with pytest.raises(ValueError, match="repetitions"):
        simulate(TFT, TFT, PD, rounds=3, repetitions=0)
    with pytest.raises(TypeError, match="seed"):
        simulate(TFT, TFT, PD, rounds=3, seed="abc")


@pytest.mark.parametrize("rounds", [10**15, 10**18, 10**30, 10**300])
def test_huge_horizons_converge_to_the_limit_of_means(rounds):
    # Before: rounds=10**30 returned payoffs of about 1e-14 (round-off compounded by squaring).
    zoo = [TFT, WSLS, GRIM, ALTERNATOR, RANDOM(0.3)]
    limit, _ = expected_payoffs(zoo, zoo, PD, noise=0.01)
    long, _ = expected_payoffs(zoo, zoo, PD, rounds=rounds, noise=0.01)
    assert long == pytest.approx(limit, abs=1e-10)


@given(memory_one(), memory_one(), st.integers(1, 60))
def test_finite_horizon_mean_matches_step_by_step(x, y, rounds):
    # sum_{t<T} v0 M^t / T by doubling equals the plain recursion.
    dist = outcome_distribution(x, y, rounds=rounds)[0, 0]
    px = np.array([*x.p])
    py = np.array([*y.p])[[0, 2, 1, 3]]
    m = np.stack([px * py, px * (1 - py), (1 - px) * py, (1 - px) * (1 - py)], axis=1)
    v = np.array([x.p0 * y.p0, x.p0 * (1 - y.p0), (1 - x.p0) * y.p0, (1 - x.p0) * (1 - y.p0)])
    acc = np.zeros(4)
    for _ in range(rounds):
        acc += v
        v = v @ m
    assert dist == pytest.approx(acc / rounds, abs=1e-12)


# ------------------------------------------------------------------------- PlaySettings


@pytest.mark.parametrize(
    "kw",
    [
        {"rounds": 30, "noise": 0.02},
        {"continuation": 0.8, "perception_noise": 0.03},
        {"noise": 0.01},
    ],
)
def test_play_settings_equal_the_keywords_in_every_kernel(kw):
    from allysim import PlaySettings

    zoo = [TFT, WSLS, GRIM, RANDOM(0.4)]
    s = PlaySettings(**kw)
    assert np.array_equal(
        outcome_distribution(zoo, zoo, settings=s), outcome_distribution(zoo, zoo, **kw)
    )
    a = expected_payoffs(zoo, zoo, PD, settings=s)
    b = expected_payoffs(zoo, zoo, PD, **kw)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    rr_kw = {"rounds": None, **kw}
    assert np.array_equal(
        round_robin(zoo, PD, settings=s).payoff_matrix, round_robin(zoo, PD, **rr_kw).payoff_matrix
    )
    if s.horizon != "limit":
        sim_a = simulate(zoo, zoo, PD, settings=s, repetitions=3, seed=4)
        sim_b = simulate(zoo, zoo, PD, repetitions=3, seed=4, **kw)
        assert np.array_equal(sim_a.outcomes, sim_b.outcomes)


def test_play_settings_validate_and_refuse_mixing():
    from allysim import PlaySettings

    with pytest.raises(ValueError, match="rounds or continuation"):
        PlaySettings(rounds=5, continuation=0.5)
    with pytest.raises(ValueError, match="noise"):
        PlaySettings(noise=1.5)
    with pytest.raises(TypeError, match="rounds"):
        PlaySettings(rounds=2.5)
    s = PlaySettings(rounds=10)
    assert (s.horizon, PlaySettings().horizon) == ("rounds", "limit")
    with pytest.raises(ValueError, match="settings or noise"):
        expected_payoffs(TFT, TFT, PD, settings=s, noise=0.1)
    with pytest.raises(ValueError, match="settings or rounds"):
        round_robin([TFT, ALLD], PD, settings=s, rounds=50)
    with pytest.raises(TypeError, match="settings"):
        expected_payoffs(TFT, TFT, PD, settings={"rounds": 10})
    with pytest.raises(ValueError, match="settings"):
        simulate(TFT, TFT, PD, settings=PlaySettings())


def test_mechanism_setup_produces_play_settings():
    from allysim import PlaySettings
    from allysim.mechanisms import Monitoring, ShadowOfFuture, apply

    setup = apply(PD, [ShadowOfFuture(0.9), Monitoring(0.02)])
    assert setup.play_settings(rounds=50, noise=0.01) == PlaySettings(
        continuation=0.9, noise=0.01, perception_noise=0.02
    )
    assert apply(PD, []).play_settings(rounds=50) == PlaySettings(rounds=50)


def test_the_kernel_layer_does_not_import_pandas():
    # Tournaments (and their pandas ranking table) sit one layer above the kernels.
    import ast
    from pathlib import Path

    import allysim.kernels

    for path in Path(allysim.kernels.__file__).parent.glob("*.py"):
        modules = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules.add(node.module)
        assert not {m for m in modules if m.split(".")[0] == "pandas"}, path.name
        assert "allysim.tournament" not in modules or path.name == "__init__.py", path.name
    from allysim import kernels, tournament

    assert kernels.round_robin is tournament.round_robin  # the old import path still works


def test_limit_of_means_with_vanishing_noise_is_finite_and_exact():
    # Transient states that leak only ~1e-205 per round out of their set made the absorption
    # solve singular (LinAlgError at noise 4.4e-103, found by the explore fuzz profile); state
    # reduction keeps it exact. Against ALLD, this strategy's partner earns T * noise + ...:
    # the leading term 3 * noise (T - S over x's noisy cooperations) holds at every scale.
    from allysim.strategies import FiniteStateStrategy, MemoryOne

    x = MemoryOne(p=(0.0, 0.0, 1.0, 0.0), p0=0.0, name="x")
    alld = MemoryOne(p=(0.0, 0.0, 0.0, 0.0), p0=0.0, name="alld")
    fsm = FiniteStateStrategy(
        output=(0.0, 1.0), next_state=(((0, 0), (0, 0)), ((1, 1), (0, 0))), initial=0, name="f"
    )
    import allysim as ally

    game = ally.PrisonersDilemma(R=1, S=-1, T=2, P=0)
    for noise in (4.388e-103, 1e-30, 1e-12):
        for y in (alld, fsm):
            px, py = ally.kernels.expected_payoffs(x, y, game, noise=noise)
            assert np.isfinite(px).all() and np.isfinite(py).all()
            assert py[0, 0] == pytest.approx(3 * noise, rel=1e-6)


def test_chains_with_subnormal_transitions_keep_their_long_run():
    # Products of two transitions near 1e-300 underflow; the class's stationary distribution
    # then needs log-space elimination. TFT against an all-but-certain defector: mostly DD.
    from allysim.kernels import memory_n_outcome_distribution
    from allysim.kernels._chains import _gth, _log_gth
    from allysim.strategies.memory_n import MemoryN, reactive

    tft = reactive(1, 0)
    defector = reactive(7.3e-261, 2.2e-309, p0=0.2)
    one = outcome_distribution([tft], [defector])[0, 0]
    two = memory_n_outcome_distribution(tft, MemoryN.from_memory_one(defector).lift(2))[0, 0]
    assert one[3] == pytest.approx(1.0) and two[3] == pytest.approx(1.0)
    np.testing.assert_allclose(two, one, rtol=1e-9, atol=0)
    # Where nothing underflows, the log-space elimination equals the plain one.
    rng = np.random.default_rng(0)
    mats = rng.random((20, 7, 7))
    mats /= mats.sum(axis=2, keepdims=True)
    np.testing.assert_allclose(_log_gth(mats), _gth(mats), rtol=1e-12)


@pytest.mark.parametrize(
    ("factory", "advice"),
    [
        (ally.RANDOM, "or pass the name 'RANDOM(0.5)'"),
        (ally.GTFT, "or pass the name 'GTFT'"),
        (ally.generous, "generous makes a strategy: call it (generous(...))"),
    ],
)
def test_a_strategy_factory_passed_as_a_strategy_gets_advice_that_works(factory, advice):
    game = ally.PrisonersDilemma()
    with pytest.raises(TypeError, match=re.escape(advice)) as info:
        ally.round_robin([ally.TFT, factory], game, rounds=5)
    # The name suggested is one the lookup takes (0.4.0 suggested 'RANDOM', which it refuses).
    if "pass the name" in advice:
        name = advice.split("'")[1]
        assert ally.round_robin([ally.TFT, name], game, rounds=5).ranking.shape[0] == 2
    assert "pass the name" in str(info.value) or factory is ally.generous


@pytest.mark.parametrize("factory", [ally.gtft, ally.random_strategy])
def test_a_bare_strategy_factory_gets_the_same_advice_as_one_in_a_list(factory):
    # A factory inside a list got the advice, a bare one only "got function".
    game = ally.PrisonersDilemma()
    messages = []
    for strategies in (factory, [factory]):
        with pytest.raises(TypeError, match="row_strategies") as info:
            ally.expected_payoffs(strategies, "TFT", game, rounds=3)
        messages.append(str(info.value))
    assert "makes a strategy: call it" in messages[0]
    assert messages[0].split("; ", 1)[1] == messages[1].split("; ", 1)[1]


def _brute_force_matches(x, y, u, n, rounds, w, eps, eta, rng):
    """An independent per-round simulator: (row, col) payoffs of n matches, as the kernels
    normalise them. Each player draws its intended move, execution noise flips it with
    probability eps, each side misreads the other's actual move with probability eta, and
    a player's machine moves on its own actual move and the move it saw."""

    def machine(s):
        if isinstance(s, ally.MemoryOne):
            # States 0-3: the last outcome (own move, seen move) as 2 * own + seen; 4: start.
            nxt = np.broadcast_to(2 * np.arange(2)[:, None] + np.arange(2), (5, 2, 2))
            return np.array([*s.p, s.p0]), nxt, 4
        return np.array(s.output), np.array(s.next_state), s.initial

    (ox, nx, ix), (oy, ny, iy) = machine(x), machine(y)
    sx, sy = np.full(n, ix), np.full(n, iy)
    lengths = np.full(n, rounds) if w is None else rng.geometric(1 - w, size=n)
    total = np.zeros((2, n))
    for t in range(int(lengths.max())):
        dx = (rng.random(n) >= ox[sx]) ^ (rng.random(n) < eps)  # True = withhold
        dy = (rng.random(n) >= oy[sy]) ^ (rng.random(n) < eps)
        seen_y, seen_x = dy ^ (rng.random(n) < eta), dx ^ (rng.random(n) < eta)
        alive = t < lengths
        total[0] += np.where(alive, u[0][dx.astype(int), dy.astype(int)], 0.0)
        total[1] += np.where(alive, u[1][dx.astype(int), dy.astype(int)], 0.0)
        sx, sy = (
            nx[sx, dx.astype(int), seen_y.astype(int)],
            ny[sy, dy.astype(int), seen_x.astype(int)],
        )
    return total * ((1 - w) if w is not None else 1 / rounds)


@pytest.mark.parametrize(
    "horizon", [{"rounds": 9}, {"continuation": 0.8}], ids=["rounds", "continuation"]
)
def test_exact_and_simulated_payoffs_match_an_independent_per_round_simulator(horizon):
    # Both noises at once, memory-one and finite-state strategies, rows != columns.
    game = ally.PrisonersDilemma()
    u = (np.array([[3.0, 0.0], [5.0, 1.0]]), np.array([[3.0, 5.0], [0.0, 1.0]]))
    rows, cols = [ally.GRIM, ally.gtft(), "ALTERNATOR"], [ally.TF2T, "WSLS", "RANDOM(0.3)"]
    eps, eta, n = 0.06, 0.1, 6000
    kw = dict(horizon, noise=eps, perception_noise=eta)
    ex, ey = ally.expected_payoffs(rows, cols, game, **kw)
    sim = ally.simulate(rows, cols, game, repetitions=n, seed=11, **kw)
    rng = np.random.default_rng(12)
    for i, x in enumerate(rows):
        for j, y in enumerate(cols):
            xs = ally.strategies.named(x) if isinstance(x, str) else x
            ys = ally.strategies.named(y) if isinstance(y, str) else y
            bf = _brute_force_matches(
                xs, ys, u, n, horizon.get("rounds"), horizon.get("continuation"), eps, eta, rng
            )
            se = bf.std(axis=1, ddof=1) / np.sqrt(n)
            assert abs(bf[0].mean() - ex[i, j]) < 4.5 * se[0]
            assert abs(bf[1].mean() - ey[i, j]) < 4.5 * se[1]
            # simulate and the brute force are independent samples of the same law.
            diff = sim.row_payoffs[i, j].mean() - bf[0].mean()
            assert abs(diff) < 4.5 * np.hypot(se[0], sim.stderr()[0][i, j])


@pytest.mark.parametrize("horizon", [{"continuation": 0.9}, {"rounds": 50}, {}])
@pytest.mark.parametrize(
    "names", [["ALLC", "ALLD", "TFT", "WSLS"], ["ALLC", "ALLD", "TFT", "GRIM", "WSLS"]]
)
def test_exact_kernels_answer_under_a_raising_error_state(horizon, names):
    # Noise 1e-200 makes products of probabilities underflow, which is the right answer; under
    # np.errstate(all="raise") the call raised FloatingPointError (up to 0.4.0).
    quiet = outcome_distribution(names, names, noise=1e-200, **horizon)
    with np.errstate(all="raise"):
        strict = outcome_distribution(names, names, noise=1e-200, **horizon)
    assert np.array_equal(quiet, strict)
    np.testing.assert_allclose(strict.sum(axis=-1), 1.0, atol=1e-12)
