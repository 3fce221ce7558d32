"""Memory-n strategies and their exact kernel.

Checked against: the memory-one kernel (n = 1), the finite-state route through
``expected_payoffs`` (n = 2, both noises, all horizons), Monte Carlo through ``simulate``
(n = 2 and 3, within 4 standard errors), the closed forms of Nowak & Sigmund (1990) for
reactive strategies and of AON2 against ALLD, brute force over all 2**16 deterministic
memory-two co-players for the best reply, and the exact stationary distribution of the
small-mutation limit for the memory-one invasion process.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from allysim.evolution import stationary_distribution
from allysim.evolution.memory_n import deterministic_invasion
from allysim.games import PrisonersDilemma, partnership_game
from allysim.kernels import (
    expected_payoffs,
    memory_n_best_response,
    memory_n_outcome_distribution,
    memory_n_payoffs,
    simulate,
)
from allysim.strategies import (
    ALLC,
    ALLD,
    AON2,
    DELAYED_AON1,
    GRIM,
    TF2T,
    TF2T_MEMORY_TWO,
    TFT,
    WSLS,
    MemoryN,
    deterministic_memory_one,
    deterministic_memory_two,
    from_axelrod_vector,
    memory_n_array,
    reactive,
    reactive_payoffs,
)

PD = PrisonersDilemma()
HORIZONS = [
    {"rounds": 1},
    {"rounds": 2},
    {"rounds": 11},
    {"continuation": 0.0},
    {"continuation": 0.85},
    {},
]
NOISES = [(0.0, 0.0), (0.03, 0.0), (0.0, 0.07), (0.02, 0.05)]


def _random_memory_n(rng: np.random.Generator, n: int, count: int) -> list[MemoryN]:
    size = (4**n - 1) // 3
    return [
        MemoryN(tuple(rng.random(4**n)), opening=tuple(rng.random(size)), name=f"r{i}")
        for i in range(count)
    ]


# --- the strategy objects --------------------------------------------------------------------


def test_history_order_and_default_opening():
    # p[4 * o_before_last + o_last]: index 1 is (CC, CD), the partner withheld last round.
    tf2t = TF2T_MEMORY_TWO
    assert tf2t.n == 2
    assert [i for i, x in enumerate(tf2t.p) if x == 0] == [5, 7, 13, 15]
    # The default opening plays p after a padded history of mutual cooperation.
    assert tf2t.opening == (1.0, 1.0, 1.0, 1.0, 1.0)
    assert AON2.opening == (1.0, 1.0, 0.0, 0.0, 1.0)


def test_opening_forms_and_lift_are_exact():
    s = MemoryN(tuple(np.linspace(0, 1, 16)), opening=(0.3, 0.6))
    assert s.opening == (0.3, 0.6, 0.6, 0.6, 0.6)
    lifted = s.lift(3)
    assert lifted.n == 3 and len(lifted.opening) == 21
    assert lifted.lift(3) is lifted
    rng = np.random.default_rng(4)
    others = _random_memory_n(rng, 2, 3)
    for kw in ({"rounds": 7, "noise": 0.05}, {"continuation": 0.7, "noise": 0.1}):
        a = memory_n_outcome_distribution(s, others, **kw)
        b = memory_n_outcome_distribution(lifted, [o.lift(3) for o in others], **kw)
        np.testing.assert_allclose(a, b, atol=1e-13)
    # With perception noise the two memories differ; lifting 1 -> 2 is still exact.
    kw = {"continuation": 0.7, "noise": 0.02, "perception_noise": 0.1}
    a = memory_n_outcome_distribution(TFT, WSLS, **kw)
    b = memory_n_outcome_distribution(
        MemoryN.from_memory_one(TFT).lift(2), MemoryN.from_memory_one(WSLS).lift(2), **kw
    )
    np.testing.assert_allclose(a, b, atol=1e-13)


def test_memory_one_round_trip():
    for m in [*deterministic_memory_one()[::3], TFT, WSLS]:
        mn = MemoryN.from_memory_one(m)
        assert mn.p == m.p and mn.opening == (m.p0,)
        assert mn.to_finite_state().output == m.to_finite_state().output
        assert mn.to_finite_state().next_state == m.to_finite_state().next_state


def test_deterministic_memory_two_space():
    space = deterministic_memory_two()
    assert space.shape == (65536, 16) and space.dtype == np.uint8
    assert len(np.unique(space, axis=0)) == 65536
    weights = 2 ** np.arange(15, -1, -1)
    np.testing.assert_array_equal(space @ weights, np.arange(65536))


def test_axelrod_vector_order():
    # Axelrod-Python's AON2 cooperates after (CC, CC), (CD, CD), (DC, DC), (DD, DD) in its own
    # notation (own two moves, partner's two moves): both chose the same in each round.
    aon2 = from_axelrod_vector((1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1))
    assert aon2.p == AON2.p
    assert aon2.opening == (1.0, 1.0, 1.0, 1.0, 1.0)
    # DelayedAON1 cooperates after own (C, D) with partner's (D, D): outcomes CD then DD.
    assert DELAYED_AON1.p[4 * 1 + 3] == 1.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"p": (1, 0, 1)}, "4, 16 or 64"),
        ({"p": (1,) * 16, "opening": (1, 1, 1)}, "opening must have 2 entries"),
        ({"p": (1.5,) * 4}, r"\[0, 1\]"),
    ],
)
def test_memory_n_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MemoryN(**kwargs)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="n must lie in"):
        AON2.lift(1)
    with pytest.raises(TypeError, match="MemoryN or MemoryOne"):
        memory_n_array([AON2, GRIM])
    with pytest.raises(ValueError, match="row_strategies must have 4, 16 or 64 columns"):
        memory_n_payoffs(np.ones((2, 5)), AON2, PD)
    with pytest.raises(ValueError, match="noise must lie in"):
        memory_n_best_response(AON2, PD, noise=0.0)
    with pytest.raises(ValueError, match="continuation"):
        memory_n_payoffs(AON2, AON2, PD, rounds=3, continuation=0.5)
    with pytest.raises(ValueError, match="memory must be 1 or 2"):
        deterministic_invasion(PD, memory=3, steps=1)
    with pytest.raises(ValueError, match=r"\|r_x r_y\| < 1"):
        reactive_payoffs((1, 0), (1, 0), (3, 0, 5, 1))
    with pytest.raises(TypeError):
        MemoryN((1, 0, 1, 0), name=3)  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        AON2.name = "x"  # type: ignore[misc]


# --- exactness of the kernel -----------------------------------------------------------------


@pytest.mark.parametrize("horizon", HORIZONS)
@pytest.mark.parametrize(("eps", "eta"), NOISES)
def test_memory_one_kernel_agrees(horizon, eps, eta):
    rng = np.random.default_rng(1)
    rows = np.hstack([rng.random((5, 4)), rng.random((5, 1))])
    strategies = [MemoryN.from_memory_one(tuple(r[:4]), p0=r[4]) for r in rows] + [
        MemoryN.from_memory_one(s) for s in (TFT, WSLS, ALLD)
    ]
    arr = np.array([list(s.p) + list(s.opening) for s in strategies])
    kw = {**horizon, "noise": eps, "perception_noise": eta}
    a = memory_n_outcome_distribution(strategies, strategies, **kw)
    from allysim.kernels import outcome_distribution

    b = outcome_distribution(arr, arr, **kw)
    np.testing.assert_allclose(a, b, atol=1e-12)


@pytest.mark.parametrize(
    ("horizon", "eps", "eta"),
    [
        ({"rounds": 2}, 0.0, 0.0),
        ({"rounds": 11}, 0.02, 0.05),
        ({"continuation": 0.85}, 0.0, 0.07),
        ({"continuation": 0.0}, 0.03, 0.0),
        ({}, 0.0, 0.0),
        ({}, 0.02, 0.05),
    ],
)
def test_finite_state_route_agrees(horizon, eps, eta):
    rng = np.random.default_rng(2)
    strategies = [*_random_memory_n(rng, 2, 1), AON2]
    machines = [s.to_finite_state() for s in strategies]
    kw = {**horizon, "noise": eps, "perception_noise": eta}
    a = memory_n_payoffs(strategies, strategies, PD, **kw)
    b = expected_payoffs(machines, machines, PD, **kw)
    np.testing.assert_allclose(a[0], b[0], atol=1e-12)
    np.testing.assert_allclose(a[1], b[1], atol=1e-12)


def test_tf2t_memory_two_is_the_finite_state_tf2t():
    opponents = [ALLC, ALLD, TFT, WSLS, GRIM]
    kw = {"rounds": 30, "noise": 0.04, "perception_noise": 0.06}
    a = memory_n_payoffs(
        TF2T_MEMORY_TWO, [MemoryN.from_memory_one(o) for o in opponents[:4]], PD, **kw
    )
    b = expected_payoffs(TF2T, opponents[:4], PD, **kw)
    np.testing.assert_allclose(a[0], b[0], atol=1e-12)
    np.testing.assert_allclose(a[1], b[1], atol=1e-12)


def test_aon2_against_alld_closed_form():
    # Without noise AON2 against ALLD cycles C, D, D: the defector gets b once in 3 rounds,
    # so AON2 resists ALLD iff b - c >= b / 3, i.e. b / c >= 3 / 2 = (n + 1) / n.
    for b in (1.5, 2.0, 4.0):
        g = partnership_game(b, 1.0)
        row, col = memory_n_payoffs(ALLD, AON2, g)
        assert row[0, 0] == pytest.approx(b / 3, abs=1e-13)
        assert col[0, 0] == pytest.approx(-1 / 3, abs=1e-13)
        row, _ = memory_n_payoffs(ALLD, AON2, g, rounds=4)
        assert row[0, 0] == pytest.approx(2 * b / 4, abs=1e-13)  # C in rounds 1 and 4


# Probabilities below 1e-9 are left out: with subnormal transition probabilities (about 1e-309)
# the shared limit-of-means solver (kernels._chains._gth) can return a wrong class.
PROB = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(1e-9, 1.0))


@settings(max_examples=25)
@given(PROB, PROB, PROB, PROB)
def test_reactive_closed_form(p1, q1, p2, q2):
    assume(abs((p1 - q1) * (p2 - q2)) < 0.999)
    u1, u2 = reactive_payoffs((p1, q1), (p2, q2), PD.payoff_vector)
    x, y = reactive(p1, q1), reactive(p2, q2, p0=0.2)
    row, col = expected_payoffs(x, y, PD)
    assert row[0, 0] == pytest.approx(u1, abs=1e-9)
    assert col[0, 0] == pytest.approx(u2, abs=1e-9)
    row2, _ = memory_n_payoffs(x, MemoryN.from_memory_one(y).lift(2), PD)
    assert row2[0, 0] == pytest.approx(u1, abs=1e-9)


@settings(max_examples=8)
@given(
    st.integers(0, 2**31 - 1),
    st.sampled_from(HORIZONS),
    st.sampled_from(NOISES),
)
def test_pair_symmetry(seed, horizon, noises):
    # The 256-state limit of means (GTH) is slow; test_finite_state_route_agrees covers it.
    assume(horizon or not noises[1])
    # The column player's payoff of (x, y) is the row player's payoff of (y, x).
    rng = np.random.default_rng(seed)
    strategies = _random_memory_n(rng, 2, 2)
    kw = {**horizon, "noise": noises[0], "perception_noise": noises[1]}
    row, col = memory_n_payoffs(strategies, strategies, PD, **kw)
    np.testing.assert_allclose(col, row.T, atol=1e-12)
    dist = memory_n_outcome_distribution(strategies, strategies, **kw)
    np.testing.assert_allclose(dist.sum(axis=-1), 1.0, atol=1e-12)
    assert dist.min() >= 0


@pytest.mark.parametrize(("n", "eps", "eta"), [(2, 0.05, 0.1), (3, 0.03, 0.0)])
def test_monte_carlo_agrees(n, eps, eta):
    rng = np.random.default_rng(10 + n)
    strategies = _random_memory_n(rng, n, 2)
    kw = {"rounds": 12, "noise": eps, "perception_noise": eta}
    exact_row, _ = memory_n_payoffs(strategies, strategies, PD, **kw)
    machines = [s.to_finite_state() for s in strategies]
    sim = simulate(machines, machines, PD, repetitions=4000, seed=7, **kw)
    mean = sim.row_payoffs.mean(axis=-1)
    se = sim.row_payoffs.std(axis=-1) / np.sqrt(sim.row_payoffs.shape[-1])
    assert np.all(np.abs(mean - exact_row) < 4 * se + 1e-9)


# --- best replies and equilibria --------------------------------------------------------------


def test_best_response_equals_brute_force():
    # Against a memory-one resident the best reply is memory-one: the 16 deterministic ones.
    rng = np.random.default_rng(0)
    resident = MemoryN(tuple(rng.random(4)))
    best, _ = memory_n_best_response(resident, PD, noise=0.05)
    space = np.array([m.p for m in deterministic_memory_one()])
    pay = memory_n_payoffs(space, resident, PD, noise=0.05)[0]
    assert best[0] == pytest.approx(pay.max(), abs=1e-12)
    # Against memory two: no sampled memory-two co-player beats it, and the reply attains it.
    resident2 = MemoryN(tuple(rng.random(16)))
    best2, reply2 = memory_n_best_response([resident2, AON2], PD, noise=0.05)
    sample = deterministic_memory_two()[rng.choice(65536, 2000, replace=False)].astype(float)
    pay2 = memory_n_payoffs(sample, [resident2, AON2], PD, noise=0.05)[0]
    assert np.all(pay2.max(axis=0) <= best2 + 1e-12)
    reply_pay = memory_n_payoffs(reply2, [resident2, AON2], PD, noise=0.05)[0]
    np.testing.assert_allclose(np.diag(reply_pay), best2, atol=1e-12)


def test_equilibrium_thresholds_aon2_and_wsls():
    # AON_n resists every deviation iff b / c >= (n + 1) / n (small errors): 3/2 for AON2,
    # 2 for WSLS (AON1). Below the threshold the best reply earns what ALLD earns.
    eps = 1e-5
    for b, aon2_nash, wsls_nash in ((1.4, False, False), (1.6, True, False), (2.1, True, True)):
        g = partnership_game(b, 1.0)
        best, _ = memory_n_best_response([AON2, MemoryN.from_memory_one(WSLS)], g, noise=eps)
        self_pay = np.diag(memory_n_payoffs([AON2, WSLS], [AON2, WSLS], g, noise=eps)[0])
        assert (best[0] <= self_pay[0] + 1e-9) == aon2_nash
        assert (best[1] <= self_pay[1] + 1e-9) == wsls_nash
        if not aon2_nash:
            assert best[0] == pytest.approx(b / 3, abs=1e-3)


# --- evolution --------------------------------------------------------------------------------


def test_invasion_matches_exact_small_mutation_limit():
    g = partnership_game(3, 1)
    space = np.array([s.p for s in deterministic_memory_one()])
    d = memory_n_outcome_distribution(space, space, noise=0.01)
    payoff = d @ g.outcome_payoffs()[0]
    coop = np.diag(d[..., 0] + d[..., 1])
    exact = stationary_distribution(payoff, population=6, selection=3.0).probabilities @ coop
    assert exact == pytest.approx(0.2371, abs=1e-4)  # far from the neutral 0.5
    run = deterministic_invasion(g, memory=1, steps=6000, population=6, selection=3.0, seed=0)
    # Spread of such runs (seeds 0-5): about 0.02.
    assert run.average_cooperation() == pytest.approx(exact, abs=0.06)


def test_invasion_is_reproducible_and_records_residents():
    g = partnership_game(2, 1)
    a = deterministic_invasion(g, memory=2, steps=300, population=20, seed=11)
    b = deterministic_invasion(g, memory=2, steps=300, population=20, seed=11)
    np.testing.assert_array_equal(a.dominant, b.dominant)
    assert a.dominant.shape[1] == 16 and int(a.durations.sum()) == 300
    assert set(np.unique(a.dominant)) <= {0.0, 1.0}
    self_coop = [
        memory_n_outcome_distribution(s[None], s[None], noise=0.01)[0, 0, :2].sum()
        for s in a.dominant
    ]
    np.testing.assert_allclose(a.cooperation, self_coop, atol=1e-12)


def test_direct_stationary_solve_matches_gth():
    # Memory three with perception noise (4096 states) uses one linear solve per irreducible
    # chain instead of GTH; both must give the same stationary distribution.
    from allysim.kernels._chains import _gth
    from allysim.kernels.memory_n import _stationary_solve

    rng = np.random.default_rng(5)
    mats = rng.random((6, 30, 30)) ** 4
    mats /= mats.sum(axis=2, keepdims=True)
    pi = _stationary_solve(mats)
    np.testing.assert_allclose(pi, _gth(mats), atol=1e-13)
    np.testing.assert_allclose(np.einsum("nk,nkj->nj", pi, mats), pi, atol=1e-13)


def test_axelrod_memory_two_players_agree_exactly():
    # Deterministic Axelrod-Python MemoryTwoPlayer matches (random vectors and openings, no
    # noise) score exactly what allysim computes for the converted strategies.
    axl = pytest.importorskip("axelrod")
    rng = np.random.default_rng(3)
    for _ in range(10):
        vx, vy = (tuple(int(b) for b in rng.integers(0, 2, 16)) for _ in range(2))
        ix, iy = (tuple(int(b) for b in rng.integers(0, 2, 2)) for _ in range(2))
        acts = {1: axl.Action.C, 0: axl.Action.D}
        players = (
            axl.MemoryTwoPlayer(vx, initial=tuple(acts[b] for b in ix)),
            axl.MemoryTwoPlayer(vy, initial=tuple(acts[b] for b in iy)),
        )
        match = axl.Match(players, turns=15)
        match.play()
        simulated = np.mean([s[0] for s in match.scores()])
        x, y = from_axelrod_vector(vx, initial=ix), from_axelrod_vector(vy, initial=iy)
        assert memory_n_payoffs(x, y, PD, rounds=15)[0][0, 0] == pytest.approx(simulated, abs=1e-12)
