"""Spatial and graph games: Nowak & May (1992), Ohtsuki et al. (2006), exact vs simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allysim.evolution import (
    cycle_graph,
    degrees,
    fixation_probability,
    graph_fixation_probability,
    lattice_graph,
    nowak_may,
    random_regular_graph,
    scale_free_graph,
    simulate_graph_game,
)

# ------------------------------------------------------------------ Nowak & May


def _lone_defector(size: int) -> np.ndarray:
    g = np.ones((size, size), dtype=np.int8)
    g[size // 2, size // 2] = 0
    return g


@pytest.mark.parametrize("b", [1.05, 1.1, 1.2, 1.5, 1.7])
def test_lone_defector_threshold_nine_eighths(b):
    # Moore neighbourhood with self-interaction: the defector scores 8b, its 8 cooperating
    # neighbours 8 each, and the cooperators two sites away 9. A neighbour turns D iff
    # 8b > 9 (its best cooperator scores 9); the defector stays D since 8b > 8. So for
    # 1 < b < 9/8 the lone defector stays alone, above 9/8 it becomes a 3 x 3 block.
    res = nowak_may(_lone_defector(9), temptation=b, steps=4)
    defectors = np.rint(81 * (1 - res.cooperators)).astype(int)
    if 8 * b > 9:
        assert defectors[1] == 9
    else:
        assert defectors.tolist() == [1] * 5


def test_kaleidoscope_keeps_the_symmetry_and_never_settles():
    # 1.8 < b < 2: a lone defector grows into a symmetric pattern that keeps changing.
    res = nowak_may(_lone_defector(49), temptation=1.9, steps=120, record_every=1)
    g = res.grid
    assert np.array_equal(g, g[::-1, :]) and np.array_equal(g, g.T)
    assert np.array_equal(g, np.rot90(g))
    snaps = res.snapshots.reshape(res.snapshots.shape[0], -1)
    late = snaps[60:]
    assert len({s.tobytes() for s in late}) > 30  # no short cycle
    assert 0.05 < res.cooperators[60:].mean() < 0.7


def test_chaotic_regime_share_near_twelve_ln2_minus_eight():
    # Nowak & May (1992): for 1.8 < b < 2 the cooperator share from random starts fluctuates
    # around 12 ln 2 - 8 = 0.318. Four 64 x 64 lattices, generations 80..160, 10% defectors.
    rng = np.random.default_rng(7)
    start = (rng.random((4, 64, 64)) > 0.1).astype(np.int8)
    res = nowak_may(start, temptation=1.85, steps=160)
    share = float(res.cooperators[80:].mean())
    assert abs(share - (12 * math.log(2) - 8)) < 0.03


def test_defection_wins_above_two_and_cooperation_below_nine_eighths():
    rng = np.random.default_rng(1)
    start = (rng.random((64, 64)) > 0.1).astype(np.int8)
    high = nowak_may(start, temptation=2.2, steps=60).cooperators[-1]
    low = nowak_may(start, temptation=1.05, steps=60).cooperators[-1]
    assert high < 0.15  # b > 2: defector clusters grow everywhere
    assert low > 0.9  # b < 9/8: isolated defectors are converted


def test_batch_equals_one_by_one_and_colours():
    rng = np.random.default_rng(3)
    starts = (rng.random((3, 12, 12)) > 0.3).astype(np.int8)
    batch = nowak_may(starts, temptation=1.6, steps=10, neighbourhood="von_neumann")
    for i in range(3):
        one = nowak_may(starts[i], temptation=1.6, steps=10, neighbourhood="von_neumann")
        assert np.array_equal(one.grid, batch.grid[i])
        assert np.allclose(one.cooperators, batch.cooperators[:, i])
    col = batch.colours()
    assert np.array_equal(col == 0, (batch.grid == 1) & (batch.previous == 1))
    assert np.array_equal(col == 2, (batch.grid == 0) & (batch.previous == 1))


def test_nowak_may_rejects_bad_input():
    with pytest.raises(ValueError, match="only 0"):
        nowak_may(np.full((4, 4), 2), temptation=1.5, steps=1)
    with pytest.raises(ValueError, match="at least 3 rows"):
        nowak_may(np.ones((2, 5)), temptation=1.5, steps=1)
    with pytest.raises(TypeError, match="temptation"):
        nowak_may(np.ones((4, 4)), temptation="1.5", steps=1)


# ------------------------------------------------------------------ exact fixation on graphs


def _critical_ratio(adj, rule="db", w=1e-5):
    """b/c at which the fixation probability crosses 1/N under weak selection.

    The first-order effect of selection is linear in (b, c), so two derivatives (by finite
    difference at small w) give the threshold.
    """
    n = adj.shape[0]

    def slope(b, c):
        return (
            graph_fixation_probability(adj, benefit=b, cost=c, rule=rule, selection=w) - 1 / n
        ) / w

    return -slope(0.0, 1.0) / slope(1.0, 0.0), slope(1.0, 0.0)


@pytest.mark.parametrize(
    ("adj", "k"),
    [
        (cycle_graph(8), 2),
        (cycle_graph(10), 2),
        (cycle_graph(12, 4), 4),
        (random_regular_graph(12, 3, seed=1), 3),
    ],
)
def test_death_birth_threshold_b_over_c(adj, k):
    # Ohtsuki et al. (2006): b/c > k for large N; for finite N the exact weak-selection
    # threshold is (N - 2) / (N / k - 2) (Ohtsuki & Nowak 2006 for the cycle; Taylor, Day &
    # Wild 2007 for transitive graphs; Chen 2013 for every regular graph).
    n = adj.shape[0]
    ratio, _ = _critical_ratio(adj)
    assert ratio == pytest.approx((n - 2) / (n / k - 2), rel=1e-3)


def test_birth_death_never_favours_cooperators():
    # Ohtsuki et al. (2006): under BD updating cooperators are never favoured. The weak
    # selection slope is negative in the benefit too, so no b/c helps.
    _, slope_b = _critical_ratio(cycle_graph(10), rule="bd")
    assert slope_b < 0
    rho = graph_fixation_probability(
        cycle_graph(10), benefit=30.0, cost=1.0, rule="bd", selection=0.01
    )
    assert rho < 0.1


def test_imitation_needs_more_than_death_birth():
    # b/c > k + 2 for imitation versus k for death-birth on large graphs; the order holds at
    # N = 12 too (7 against (N - 2) / (N / 2 - 2) = 2.5 on the cycle).
    db, _ = _critical_ratio(cycle_graph(12), rule="db")
    im, _ = _critical_ratio(cycle_graph(12), rule="imitation")
    assert db == pytest.approx(2.5, rel=1e-3)
    assert im == pytest.approx(7.0, rel=1e-3)


@pytest.mark.parametrize("rule", ["db", "bd", "imitation", "pairwise"])
def test_neutral_fixation_is_one_over_n(rule):
    adj = random_regular_graph(10, 3, seed=4)
    rho = graph_fixation_probability(adj, benefit=3.0, cost=1.0, rule=rule, selection=0.0)
    assert rho == pytest.approx(0.1, abs=1e-12)


@given(n=st.integers(3, 9), b=st.floats(0.0, 4.0), c=st.floats(0.0, 1.0), w=st.floats(0.0, 0.1))
def test_complete_graph_equals_the_well_mixed_closed_forms(n, b, c, w):
    # On the complete graph the accumulated payoffs are N - 1 times the well-mixed averages,
    # and DB, BD and pairwise updating are the well-mixed Moran death-birth, Moran
    # birth-death and Fermi processes (the fixation probability of a birth-death chain
    # depends only on the ratios T-/T+).
    adj = np.ones((n, n)) - np.eye(n)
    game = (n - 1) * np.array([[b - c, -c], [b, 0.0]])
    for graph_rule, rule in (("db", "moran_db"), ("bd", "moran"), ("pairwise", "fermi")):
        exact = graph_fixation_probability(adj, benefit=b, cost=c, rule=graph_rule, selection=w)
        closed = fixation_probability(game, 0, 1, population=n, selection=w, rule=rule)
        assert exact == pytest.approx(closed, rel=1e-8, abs=1e-12)


# ------------------------------------------------------------------ simulation vs exact


@pytest.mark.parametrize("rule", ["db", "bd", "imitation", "pairwise"])
def test_simulation_matches_the_exact_chain(rule):
    adj = cycle_graph(7)
    exact = graph_fixation_probability(adj, benefit=6.0, cost=1.0, rule=rule, selection=0.15)
    reps = 3000
    res = simulate_graph_game(
        adj,
        benefit=6.0,
        cost=1.0,
        rule=rule,
        selection=0.15,
        steps=50_000,
        replicates=reps,
        until_fixation=True,
        seed=11,
    )
    assert (res.fixation_step > 0).all()
    est = res.fixed_cooperators().mean()
    # 4 standard errors: fails by chance about once in 16,000 runs.
    assert abs(est - exact) < 4 * math.sqrt(exact * (1 - exact) / reps)


def test_simulation_is_seeded_and_keeps_payoffs_consistent():
    adj = lattice_graph(4, 4)
    start = np.zeros(16, dtype=int)
    start[[0, 1, 5]] = 1
    kw = dict(
        benefit=4.0, cost=1.0, rule="db", selection=0.1, steps=300, replicates=5, record_every=10
    )
    a = simulate_graph_game(adj, start, seed=3, **kw)
    b = simulate_graph_game(adj, start, seed=3, **kw)
    assert np.array_equal(a.states, b.states) and np.array_equal(a.cooperators, b.cooperators)
    assert a.cooperators.shape == (31, 5)
    assert a.cooperators[0].tolist() == [3] * 5
    assert np.array_equal(a.cooperators[-1], a.states.sum(axis=1))


def test_graph_game_rejects_bad_input():
    adj = cycle_graph(6)
    with pytest.raises(ValueError, match="selection must keep the fitness"):
        simulate_graph_game(adj, benefit=3.0, cost=1.0, selection=0.5, steps=1)
    with pytest.raises(ValueError, match="rule"):
        simulate_graph_game(adj, benefit=3.0, cost=1.0, rule="dB", selection=0.1, steps=1)
    with pytest.raises(ValueError, match="initial"):
        simulate_graph_game(adj, [1, 0], benefit=3.0, cost=1.0, selection=0.1, steps=1)
    with pytest.raises(ValueError, match="at most 14 nodes"):
        graph_fixation_probability(cycle_graph(15), benefit=3.0, cost=1.0, selection=0.1)
    disconnected = np.zeros((4, 4))
    disconnected[0, 1] = disconnected[1, 0] = disconnected[2, 3] = disconnected[3, 2] = 1
    with pytest.raises(ValueError, match="connected"):
        graph_fixation_probability(disconnected, benefit=3.0, cost=1.0, selection=0.1)


@pytest.mark.parametrize("rule", ["db", "bd", "imitation", "pairwise"])
def test_simulation_matches_the_exact_chain_on_an_irregular_graph(rule):
    # Degrees 2 to 6: exercises the padded neighbour lists and the per-node costs c k_i.
    adj = scale_free_graph(8, 2, seed=0)
    assert len(set(degrees(adj).tolist())) > 2
    exact = graph_fixation_probability(adj, benefit=5.0, cost=1.0, rule=rule, selection=0.1)
    reps = 3000
    res = simulate_graph_game(
        adj,
        benefit=5.0,
        cost=1.0,
        rule=rule,
        selection=0.1,
        steps=50_000,
        replicates=reps,
        until_fixation=True,
        seed=12,
    )
    assert (res.fixation_step > 0).all()
    est = res.fixed_cooperators().mean()
    assert abs(est - exact) < 4 * math.sqrt(exact * (1 - exact) / reps)
