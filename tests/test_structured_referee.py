"""Referee checks of games on graphs and Nowak & May's lattice game against independent code.

Each check recomputes a claim from scratch: the exact fixation chain by enumerating the update
events of Ohtsuki, Hauert, Lieberman & Nowak (2006) one by one, neutral fixation from the
reproductive values, a lone update step of the simulation against its exact probabilities,
the graph constructors against networkx, Nowak & May (1992) against a site-by-site loop and
against the cluster thresholds derived below, and the memory checks against the memory a call
really takes (tracemalloc).
"""

from __future__ import annotations

import itertools
import math
import tracemalloc

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

import allysim
from allysim.evolution import (
    cycle_graph,
    degrees,
    graph_fixation_probability,
    lattice_graph,
    nowak_may,
    random_regular_graph,
    scale_free_graph,
    simulate_graph_game,
)

RULES = ("db", "bd", "imitation", "pairwise")

# ------------------------------------------------------------------ an independent chain


def _events(a: np.ndarray, s: tuple, b: float, c: float, w: float, rule: str) -> dict:
    """Next configuration -> probability for one update, enumerated event by event."""
    n = len(s)
    nbrs = [np.flatnonzero(a[i]).tolist() for i in range(n)]
    pay = [b * sum(s[j] for j in nbrs[i]) - c * len(nbrs[i]) * s[i] for i in range(n)]
    fit = [1 - w + w * p for p in pay]
    out: dict = {}

    def put(i: int, strategy: int, p: float) -> None:
        t = (*s[:i], strategy, *s[i + 1 :])
        out[t] = out.get(t, 0.0) + p

    for i in range(n):
        if rule == "db":  # i dies, a neighbour's offspring takes the site by fitness
            total = sum(fit[j] for j in nbrs[i])
            for j in nbrs[i]:
                put(i, s[j], fit[j] / total / n)
        elif rule == "imitation":  # i copies itself or a neighbour by fitness
            pool = [*nbrs[i], i]
            total = sum(fit[j] for j in pool)
            for j in pool:
                put(i, s[j], fit[j] / total / n)
        elif rule == "bd":  # i reproduces by fitness onto a random neighbour
            for j in nbrs[i]:
                put(j, s[i], fit[i] / sum(fit) / len(nbrs[i]))
        else:  # i meets a random neighbour j and copies it with the Fermi probability
            for j in nbrs[i]:
                p = 1 / (1 + math.exp(-w * (pay[j] - pay[i])))
                put(i, s[j], p / n / len(nbrs[i]))
                put(i, s[i], (1 - p) / n / len(nbrs[i]))
    return out


def _exact_by_enumeration(a: np.ndarray, b: float, c: float, w: float, rule: str) -> np.ndarray:
    """Fixation probability of one cooperator on each node: dense solve of h = P h."""
    n = a.shape[0]
    states = list(itertools.product((0, 1), repeat=n))
    index = {s: k for k, s in enumerate(states)}
    inner = [k for k, s in enumerate(states) if 0 < sum(s) < n]
    p = np.zeros((len(states), len(states)))
    for k in inner:
        for t, q in _events(a, states[k], b, c, w, rule).items():
            p[k, index[t]] += q
    full = index[(1,) * n]
    h = np.zeros(len(states))
    h[full] = 1.0
    h[inner] = np.linalg.solve(np.eye(len(inner)) - p[np.ix_(inner, inner)], p[inner, full])
    return np.array([h[index[tuple(int(j == i) for j in range(n))]] for i in range(n)])


def _connected_graph(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    while True:
        g = nx.gnp_random_graph(n, 0.5, seed=int(rng.integers(2**31)))
        if nx.is_connected(g):
            return nx.to_numpy_array(g, nodelist=range(n))


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("seed", [1, 2])
def test_exact_chain_equals_event_by_event_enumeration(rule, seed):
    # Irregular graphs (the padded neighbour lists and per-node costs c k_i matter), every
    # start node, payoffs of both signs.
    a = _connected_graph(6, seed)
    b, c = (4.5, 1.0) if seed == 1 else (-0.7, -0.4)
    w = 1.3 if rule == "pairwise" else 0.08
    mine = _exact_by_enumeration(a, b, c, w, rule)
    theirs = [
        graph_fixation_probability(a, benefit=b, cost=c, rule=rule, selection=w, start=i)
        for i in range(6)
    ]
    np.testing.assert_allclose(theirs, mine, rtol=0, atol=1e-10)
    mean = graph_fixation_probability(a, benefit=b, cost=c, rule=rule, selection=w)
    assert mean == pytest.approx(mine.mean(), abs=1e-10)


@pytest.mark.parametrize("rule", RULES)
def test_neutral_fixation_from_a_node_is_its_reproductive_value(rule):
    # Without selection the fixation probability of node i's type is its reproductive value:
    # k_i / sum k for death-birth and pairwise comparison (i is replaced at rate 1/N and copied
    # at rates 1/(N k_j) by its k_i neighbours), (1/k_i) / sum (1/k) for birth-death and
    # (k_i + 1) / sum (k + 1) for imitation. They average to 1/N on any graph.
    a = scale_free_graph(9, 2, seed=0)
    k = degrees(a).astype(float)
    assert len(set(k.tolist())) > 2
    value = {"db": k, "pairwise": k, "bd": 1 / k, "imitation": k + 1}[rule]
    rho = [
        graph_fixation_probability(a, benefit=3.0, cost=1.0, rule=rule, selection=0.0, start=i)
        for i in range(9)
    ]
    np.testing.assert_allclose(rho, value / value.sum(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("rule", RULES)
def test_two_nodes_closed_forms(rule):
    # N = 2, b = 3, c = 1, w = 0.1: the cooperator earns -1, the defector 3; fitness 0.8 and
    # 1.2. DB: the survivor always fills the site, 1/2 at any w. BD: the cooperator must
    # reproduce first, 0.8 / 2 = 0.4. Imitation: the two one-step exits have chances
    # (1/2)(0.8/2) and (1/2)(1.2/2), so 0.4. Pairwise: fermi(-0.4) / (fermi(-0.4) +
    # fermi(0.4)) = fermi(-0.4).
    a = np.array([[0, 1], [1, 0]])
    want = {"db": 0.5, "bd": 0.4, "imitation": 0.4, "pairwise": 1 / (1 + math.exp(0.4))}[rule]
    rho = graph_fixation_probability(a, benefit=3.0, cost=1.0, rule=rule, selection=0.1)
    assert rho == pytest.approx(want, abs=1e-12)


@pytest.mark.parametrize("rule", RULES)
def test_one_simulated_step_has_the_exact_transition_probabilities(rule):
    a = scale_free_graph(7, 2, seed=0).toarray()
    s = (1, 0, 0, 1, 1, 0, 0)
    w = 1.5 if rule == "pairwise" else 0.12
    exact = _events(a, s, 4.0, 1.0, w, rule)
    reps = 20_000
    kw = dict(benefit=4.0, cost=1.0, rule=rule, selection=w)
    res = simulate_graph_game(a, np.array(s), steps=1, replicates=reps, seed=5, **kw)
    seen: dict = {}
    for row in map(tuple, res.states.tolist()):
        seen[row] = seen.get(row, 0) + 1
    assert set(seen) <= set(exact)  # no configuration the rule cannot reach in one step
    for t, p in exact.items():
        # 5 standard errors on each of at most 8 outcomes: a false alarm about once in 10^5.
        assert abs(seen.get(t, 0) / reps - p) < 5 * math.sqrt(p * (1 - p) / reps) + 1e-12


@settings(max_examples=15, deadline=None)
@given(perm_seed=st.integers(0, 2**16), rule=st.sampled_from(RULES), start=st.integers(0, 5))
def test_relabelling_the_nodes_relabels_the_fixation_probabilities(perm_seed, rule, start):
    a = _connected_graph(6, 3)
    perm = np.random.default_rng(perm_seed).permutation(6)
    relabelled = a[np.ix_(perm, perm)]  # node i of relabelled is node perm[i] of a
    kw = dict(benefit=5.0, cost=1.0, rule=rule, selection=0.05)
    new_start = int(np.flatnonzero(perm == start)[0])
    assert graph_fixation_probability(relabelled, start=new_start, **kw) == pytest.approx(
        graph_fixation_probability(a, start=start, **kw), abs=1e-11
    )


# ------------------------------------------------------------------ constructors, seeds


def _same_graph(adj: sparse.csr_array, g: nx.Graph) -> bool:
    ref = nx.to_scipy_sparse_array(g, nodelist=range(g.number_of_nodes()), format="csr")
    return adj.shape == ref.shape and (adj != ref.astype(float)).nnz == 0


@pytest.mark.parametrize(("n", "k"), [(3, 2), (9, 2), (5, 4), (11, 6), (16, 8)])
def test_cycle_graph_is_networkx_circulant_graph(n, k):
    assert _same_graph(cycle_graph(n, k), nx.circulant_graph(n, range(1, k // 2 + 1)))


@pytest.mark.parametrize(("rows", "cols"), [(3, 3), (3, 5), (4, 7), (6, 6)])
def test_lattice_graph_is_the_torus_grid_and_kings_graph(rows, cols):
    grid = nx.grid_2d_graph(rows, cols, periodic=True)
    grid = nx.relabel_nodes(grid, {(r, c): r * cols + c for r, c in grid})
    assert _same_graph(lattice_graph(rows, cols), grid)
    king = nx.Graph()
    king.add_nodes_from(range(rows * cols))
    for r, c, dr, dc in itertools.product(range(rows), range(cols), (-1, 0, 1), (-1, 0, 1)):
        if (dr, dc) != (0, 0):
            king.add_edge(r * cols + c, ((r + dr) % rows) * cols + (c + dc) % cols)
    assert _same_graph(lattice_graph(rows, cols, "moore"), king)


def test_int_seed_sequence_and_generator_give_the_same_draws():
    for make, size in ((random_regular_graph, (20, 3)), (scale_free_graph, (40, 2))):
        ref = make(*size, seed=9)
        for seed in (np.random.SeedSequence(9), np.random.default_rng(9)):
            assert (make(*size, seed=seed) != ref).nnz == 0
    kw = dict(benefit=4.0, cost=1.0, selection=0.1, steps=800, replicates=6, record_every=50)
    ref = simulate_graph_game(cycle_graph(9), seed=4, **kw)
    for seed in (np.random.SeedSequence(4), np.random.default_rng(4)):
        res = simulate_graph_game(cycle_graph(9), seed=seed, **kw)
        for name in ("states", "cooperators", "fixation_step"):
            np.testing.assert_array_equal(getattr(res, name), getattr(ref, name))


# ------------------------------------------------------------------ Nowak & May


def _nowak_may_by_sites(grid: np.ndarray, b: float, moore: bool, self_play: bool) -> np.ndarray:
    """One generation, site by site: score, then copy the best of the neighbourhood."""
    rows, cols = grid.shape
    offsets = [
        (dr, dc)
        for dr, dc in itertools.product((-1, 0, 1), repeat=2)
        if (dr, dc) != (0, 0) and (moore or dr == 0 or dc == 0)
    ]
    score = np.zeros(grid.shape)
    for r, c in itertools.product(range(rows), range(cols)):
        coop = sum(grid[(r + dr) % rows, (c + dc) % cols] for dr, dc in offsets)
        score[r, c] = coop + self_play if grid[r, c] else b * coop
    new = grid.copy()
    for r, c in itertools.product(range(rows), range(cols)):
        best = {0: -np.inf, 1: -np.inf}
        for dr, dc in [*offsets, (0, 0)]:
            rr, cc = (r + dr) % rows, (c + dc) % cols
            best[grid[rr, cc]] = max(best[grid[rr, cc]], score[rr, cc])
        if best[1] != best[0]:
            new[r, c] = int(best[1] > best[0])
    return new


@pytest.mark.parametrize("moore", [True, False])
@pytest.mark.parametrize("self_play", [True, False])
def test_nowak_may_equals_a_site_by_site_loop(moore, self_play):
    rng = np.random.default_rng(int(moore) + 2 * int(self_play))
    grid = (rng.random((7, 9)) < 0.6).astype(np.int8)
    nbh = "moore" if moore else "von_neumann"
    for b in (1.05, 1.35, 1.5, 1.7, 1.9, 2.4):
        res = nowak_may(grid, temptation=b, steps=4, neighbourhood=nbh, self_interaction=self_play)
        mine = grid
        for _ in range(4):
            mine = _nowak_may_by_sites(mine, b, moore, self_play)
        np.testing.assert_array_equal(res.grid, mine)


@pytest.mark.parametrize(
    ("b", "cycle"),
    [(1.2, [9, 1]), (1.3, [9, 1]), (1.45, [9, 5, 1]), (1.55, [9, 5, 1]), (1.7, [9]), (1.77, [9])],
)
def test_lone_defector_block_follows_the_derived_thresholds(b, cycle):
    # Moore neighbourhood with self-interaction. A lone defector takes its 8 neighbours when
    # 8b > 9. In the 3 x 3 block the best defector in reach of every member is a corner (5b);
    # a corner sees a cooperator scoring 8, an edge member one scoring 7, the centre none:
    # corners stay defectors iff b > 8/5, edges iff b > 7/5. So for 9/8 < b < 7/5 the block
    # falls back to one defector (period 2: 9, 1), for 7/5 < b < 8/5 to a plus of 5 then one
    # (period 3), and for 8/5 < b < 9/5 it stays (its outer cooperators, scoring 6 to 8 with
    # a 9 behind them, turn only when 5b > 9).
    g = np.ones((15, 15), dtype=np.int8)
    g[7, 7] = 0
    res = nowak_may(g, temptation=b, steps=12)
    defectors = np.rint(225 * (1 - res.cooperators[1:])).astype(int).tolist()
    assert defectors == (cycle * 12)[:12]


@pytest.mark.parametrize("b", [1.3, 1.7, 1.9, 1.99, 2.01, 2.3])
def test_a_two_by_two_cooperator_cluster_grows_below_two_and_dies_above(b):
    # Each member of a 2 x 2 cluster in a sea of defectors scores 4 (three cooperating
    # neighbours and itself); the defectors beside it score at most 2b. So for b < 2 the
    # members stay and convert their neighbours; for b > 2 they all defect at once.
    g = np.zeros((25, 25), dtype=np.int8)
    g[12:14, 12:14] = 1
    after = np.rint(625 * nowak_may(g, temptation=b, steps=6).cooperators).astype(int)
    if b < 2:
        assert after[1] > 4 and after[-1] > after[1]
    else:
        assert after[1:].tolist() == [0] * 6


# ------------------------------------------------------------------ memory checks


def _peak_or_refused(call, budget: int) -> float:
    """Peak traced memory of ``call`` under ``budget``; 0 if the memory check refused it."""
    old = allysim.set_memory_budget(budget)
    tracemalloc.start()
    try:
        call()
    except ValueError as err:
        assert "memory" in str(err)
        return 0.0
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        allysim.set_memory_budget(old)
    return peak


def test_graph_game_stays_within_the_budget_it_checks():
    # The uniforms were drawn for 1024 steps at once whatever the replicates (here 300 x 3 x
    # 20,000 doubles = 144 MB) and left out of the estimate (9.6 MB): far past a 40 MB budget.
    budget = 40 * 2**20
    kw = dict(benefit=3.0, cost=1.0, selection=0.1, steps=300, replicates=20_000, seed=0)
    peak = _peak_or_refused(lambda: simulate_graph_game(cycle_graph(10), **kw), budget)
    assert 0 < peak <= budget


def test_graph_game_on_a_hub_is_refused_before_the_padded_neighbour_lists():
    # A star of 3000 nodes: the padded neighbour lists are 3000 x 2999 int64 (72 MB, twice),
    # built before the check, which counted only per-replicate arrays (0.2 MB).
    star = nx.to_scipy_sparse_array(nx.star_graph(2999), format="csr")
    budget = 32 * 2**20
    kw = dict(benefit=3.0, cost=1.0, selection=1e-4, steps=1)
    assert _peak_or_refused(lambda: simulate_graph_game(star, **kw), budget) <= budget


def test_exact_chain_stays_within_the_budget_it_checks():
    # At N = 12 the chain takes about 20 MB (its arrays and GMRES's Krylov basis); the old
    # estimate said 4.7 MB and let it run under a 12 MB budget.
    adj = random_regular_graph(12, 3, seed=1)
    kw = dict(benefit=3.0, cost=1.0, selection=0.01)
    budget = 12 * 2**20
    assert _peak_or_refused(lambda: graph_fixation_probability(adj, **kw), budget) <= budget
    assert _peak_or_refused(lambda: graph_fixation_probability(adj, **kw), 32 * 2**20) > 0


def test_lattice_game_stays_within_the_budget_it_checks():
    # A generation takes about 68 bytes a site (float lattices of counts, scores and best
    # scores); the old estimate said 16 and let a 300 x 300 lattice (6 MB) run under 4 MB.
    grid = (np.random.default_rng(0).random((300, 300)) > 0.1).astype(np.int8)

    def lattice():
        return nowak_may(grid, temptation=1.85, steps=2)

    assert _peak_or_refused(lattice, 4 * 2**20) <= 4 * 2**20
    assert _peak_or_refused(lattice, 8 * 2**20) > 0  # and the estimate is not far above
