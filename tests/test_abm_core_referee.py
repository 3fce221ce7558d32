"""Referee checks of the trust model's core: search, network, imitation, culture, reporters.

Each test computes what the model should do independently (a closed form, a Monte Carlo
frequency against its binomial error, networkx, a brute-force sum) and compares.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allysim.abm import Metrics, TrustModel, gini
from allysim.abm.culture import HOFSTEDE_SCORES, kogut_singh_index, table_variances
from allysim.abm.network import TieNetwork
from allysim.abm.phases import RoundOutcome

# Monte Carlo checks pass within this many binomial standard errors.
Z = 4.5


def _binomial_ok(hits: float, trials: int, p: float) -> bool:
    return abs(hits / trials - p) <= Z * np.sqrt(p * (1 - p) / trials)


def _partner_sets(model: TrustModel) -> tuple[list[set[int]], list[tuple[int, int]]]:
    t, e = model.table, model.n_active
    pairs = list(zip(t.pa[:e].tolist(), t.pb[:e].tolist(), strict=True))
    sets: list[set[int]] = [set() for _ in range(model.n)]
    for a, b in pairs:
        sets[a].add(b)
        sets[b].add(a)
    return sets, pairs


@pytest.mark.parametrize(
    "network",
    ["complete", "small-world", nx.star_graph(11), nx.cycle_graph(12)],
    ids=["complete", "small-world", "star", "cycle"],
)
def test_partnerships_are_symmetric_simple_on_the_network_and_within_capacity(network):
    m = TrustModel(
        n_organizations=12,
        capacity=3,
        network=network,
        network_degree=4,
        search_rate=1.0,
        continuation=0.8,
        seed=2,
    )
    for _ in range(25):
        m.step()
        sets, pairs = _partner_sets(m)
        assert all(a != b for a, b in pairs)  # no partnership with oneself
        assert len({frozenset(p) for p in pairs}) == len(pairs)  # no pair twice
        np.testing.assert_array_equal(m.table.degree, [len(s) for s in sets])
        assert m.table.degree.max() <= 3
        for i in range(m.n):  # the partner table is the rows, seen from both ends
            assert set(m.partners_of(i)) == sets[i]
            assert all(i in m.partners_of(j) for j in sets[i])
        if m.graph is not None:
            assert all(m.graph.has_edge(a, b) for a, b in pairs)


def test_search_favours_no_organization_by_its_index():
    # Organizations are exchangeable (same strategy, capability and culture): how long each is
    # partnered cannot depend on its label. Before meetings were resolved in a random order,
    # the one-new-partnership-per-step rule let the lowest indices win every conflict: the
    # quarter with the lowest indices was partnered 0.82 of the time, the highest 0.62.
    n, partnered = 40, np.zeros(40)
    for seed in range(3):
        m = TrustModel(
            n_organizations=n,
            capacity=1,
            search_rate=1.0,
            continuation=0.5,
            culture_spread=0.0,
            capability_spread=0.0,
            strategies=["ALLC"],
            imitation_every=0,
            seed=seed,
        )
        for _ in range(150):
            m.step()
            partnered += m.table.degree
    share = partnered / (3 * 150)
    low, high = share[: n // 4].mean(), share[-(n // 4) :].mean()
    # Each quarter's share averages 4,500 organization-steps; runs measured 0.004-0.012 apart.
    assert abs(low - high) < 0.04, (low, high)


def test_a_pair_forms_with_the_product_of_both_acceptances():
    # Two organizations, both free: each seeks with chance r, meets the other and both accept
    # with min(1, (1 - d) (offset + seen record)); two independent meetings, so a partnership
    # forms with 1 - (1 - r q)^2, q the product of the two acceptances.
    r, vis, offset, d = 0.7, 0.6, 0.4, 0.2
    rep = np.array([0.1, 0.9])
    m = TrustModel(
        n_organizations=2,
        capacity=1,
        search_rate=r,
        visibility=vis,
        acceptance_offset=offset,
        culture_spread=0.5,
        culture_noise=0.0,
        seed=5,
    )
    m.culture[:] = [[0.5] * 6, [0.5] * 3 + [0.9] * 3]  # mean absolute difference 0.2
    m.reputation[:] = rep
    seen = 0.5 + vis * (rep - 0.5)
    accept = np.minimum(1.0, (1 - d) * (offset + seen[::-1]))  # 0's view of 1, 1's of 0
    p = 1 - (1 - r * accept.prod()) ** 2
    trials, hits = 4000, 0
    for _ in range(trials):
        m.search.search()
        if m.n_active:
            hits += 1
            t = m.table
            # Each side's trust prior sits at its own judgement of the other (k = 2).
            judged = accept[t.pa[0]], accept[t.pb[0]]
            np.testing.assert_allclose(t.alpha[0], 1 + 2 * np.array(judged)[:, None] * [1, 1, 1])
            assert t.distance[0] == pytest.approx(d, abs=1e-15)
            t.remove(np.array([True]))
    assert _binomial_ok(hits, trials, p), (hits / trials, p)


def test_per_organization_capacity_is_what_search_respects():
    m = TrustModel(n_organizations=20, capacity=3, search_rate=1.0, continuation=1.0, seed=0)
    m.capacity[:10] = 1
    for _ in range(15):
        m.step()
    assert m.table.degree[:10].max() == 1
    assert m.table.degree[10:].max() == 3
    assert m.organizations[0].capacity == 1


@pytest.mark.parametrize("capacity", [1, 4])
def test_capacity_cannot_change_through_params_during_a_run(capacity):
    # The partner table is built capacity wide: a wider capacity crashed inside the table, a
    # narrower one was obeyed by search while model.capacity and Organization.capacity said 3.
    m = TrustModel(n_organizations=20, capacity=3, seed=0)
    m.step()
    m.params = m.params.replace(capacity=capacity)
    with pytest.raises(ValueError, match=r"capacity is fixed .* model\.capacity"):
        m.step()
    m = TrustModel(n_organizations=20, capacity=3, seed=0)
    m.capacity[0] = 4
    with pytest.raises(ValueError, match="capacity"):
        m.step()


def test_imitation_switches_with_the_fermi_probability_then_mutates():
    # Organization 1 (ALLD, payoff 1 per step) meets organization 0 (ALLC, 3 per step) and
    # adopts ALLC with 1 / (1 + exp(-s (3 - 1))); then with chance mu it takes one of the
    # k = 3 strategies uniformly (its own included).
    s, mu, every, k = 0.8, 0.3, 2, 3
    m = TrustModel(
        n_organizations=2,
        capacity=1,
        strategies=["ALLC", "ALLD", "TFT"],
        initial_strategies=[0, 1],
        selection=s,
        mutation=mu,
        imitation_every=every,
        seed=4,
    )
    fermi = 1 / (1 + np.exp(-s * (6.0 - 2.0) / every))
    expected = np.array([(1 - mu) * fermi, (1 - mu) * (1 - fermi), 0.0]) + mu / k
    trials, counts = 20000, np.zeros(k)
    for _ in range(trials):
        m.strategy_of = np.array([0, 1])
        m.period_payoff[:] = [6.0, 2.0]
        m.imitation.imitate()
        counts[m.strategy_of[1]] += 1
        assert not m.period_payoff.any()
    for got, p in zip(counts, expected, strict=True):
        assert _binomial_ok(got, trials, p), (counts / trials, expected)


def test_neighbour_draws_are_uniform_and_never_oneself():
    rng = np.random.default_rng(3)
    g = nx.Graph([(0, 1), (0, 2), (0, 3), (1, 2)])
    net = TieNetwork(4, g, 2, 0.0, rng)
    trials = 30000
    seekers, cand = net.candidates(np.zeros(trials, dtype=np.int64), rng)
    assert seekers.size == trials
    for j in (1, 2, 3):
        assert _binomial_ok(np.count_nonzero(cand == j), trials, 1 / 3)
    complete = TieNetwork(5, "complete", 2, 0.0, rng)
    peers = np.array([complete.peers(rng) for _ in range(6000)])
    assert not (peers == np.arange(5)).any()
    for j in range(1, 5):
        assert _binomial_ok(np.count_nonzero(peers[:, 0] == j), 6000, 1 / 4)


def _freeman(graph: nx.Graph) -> float:
    """Freeman (1979) degree centralization from networkx's normalized degree centrality."""
    c = np.array(list(nx.degree_centrality(graph).values()))
    return float((c.max() - c).sum() / (len(c) - 2))


def test_reporters_on_a_hand_built_state():
    m = TrustModel(
        n_organizations=6,
        capacity=5,
        strategies=["ALLC", "ALLD", "TFT"],
        initial_strategies=[0, 0, 1, 2, 2, 2],
        metrics=Metrics(),
        seed=0,
    )
    a, b = np.array([0, 0, 0, 0, 0, 1]), np.array([1, 2, 3, 4, 5, 2])
    k = a.size
    alpha = np.arange(1.0, 6 * k + 1).reshape(k, 2, 3)
    beta = np.full((k, 2, 3), 2.0)
    m.table.add(
        a,
        b,
        distance=np.zeros(k),
        pair_eta=np.zeros(k),
        machine=np.zeros((k, 2), int),
        alpha=alpha,
        beta=beta,
        goodwill_weight=np.ones((k, 2, 2)),
    )
    m.table.stage[:k] = [0, 0, 1, 4, 4, 4]
    moves = np.array([[1, 1], [0, 1], [0, 0], [1, 0], [1, 1], [0, 0]], bool)
    m.last_round = RoundOutcome(k, moves, moves, np.arange(1.0, 7.0))
    m.wealth[:] = [0, 0, 0, 0, 0, 6.0]
    g = nx.Graph(list(zip(a.tolist(), b.tolist(), strict=True)))
    trust = alpha / (alpha + beta)
    expected = {
        "contribution_rate": 6 / 12,
        "welfare": 3.5,
        "payoff_gini": 5 / 6,  # sum |x_i - x_j| / (2 n^2 mean) = 60 / 72
        "active_partnerships": 6,
        "payoff_mean": 1.0,
        "trust_competence": trust[:, :, 0].mean(),
        "trust_contractual": trust[:, :, 1].mean(),
        "trust_goodwill": trust[:, :, 2].mean(),
        "stage_assessment": 2 / 6,
        "stage_verification": 1 / 6,
        "stage_reinforcement": 0.0,
        "stage_expansion": 0.0,
        "stage_institutionalization": 3 / 6,
        "strategy_ALLC": 2 / 6,
        "strategy_ALLD": 1 / 6,
        "strategy_TFT": 3 / 6,
        "mean_degree": 2 * g.number_of_edges() / 6,
        "degree_centralization": _freeman(g),  # 18 / 20
        "partnered_share": 1.0,
    }
    direct = {name: getattr(m, name) for name in expected}
    m.datacollector.collect(m)
    m.datacollector.collect(m)  # the second collection takes the collector's shared pass
    row = m.datacollector.get_model_vars_dataframe().iloc[-1]
    for name, value in expected.items():
        assert direct[name] == pytest.approx(value, abs=1e-15), name
        assert row[name] == pytest.approx(value, abs=1e-15), name
    assert expected["degree_centralization"] == pytest.approx(18 / 20)


@pytest.mark.parametrize(
    ("graph", "value"),
    [(nx.star_graph(5), 1.0), (nx.complete_graph(6), 0.0), (nx.empty_graph(6), 0.0)],
    ids=["star", "complete", "empty"],
)
def test_degree_centralization_is_freemans(graph, value):
    m = TrustModel(n_organizations=6, capacity=5, metrics=Metrics(), seed=0)
    edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
    k = len(edges)
    m.table.add(
        edges[:, 0],
        edges[:, 1],
        distance=np.zeros(k),
        pair_eta=np.zeros(k),
        machine=np.zeros((k, 2), int),
        alpha=np.ones((k, 2, 3)),
        beta=np.ones((k, 2, 3)),
        goodwill_weight=np.ones((k, 2, 2)),
    )
    assert m.degree_centralization == pytest.approx(value, abs=1e-15)
    assert m.degree_centralization == pytest.approx(_freeman(graph), abs=1e-15)
    assert m.mean_degree == pytest.approx(2 * k / 6)


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=30))
def test_gini_is_the_mean_absolute_difference_over_twice_the_mean(values):
    x = np.array(values)
    shifted = x - min(x.min(), 0.0)
    n, total = x.size, shifted.sum()
    expected = np.abs(shifted[:, None] - shifted[None]).sum() / (2 * n * total) if total else 0.0
    assert gini(x) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert 0.0 <= gini(x) < 1.0


@pytest.mark.parametrize("values", [[[1.0, 2.0]], [1.0, np.nan], [1.0, np.inf], "abc"])
def test_gini_refuses_what_is_not_a_finite_vector(values):
    with pytest.raises((ValueError, TypeError), match="values"):
        gini(values)


def test_japan_sweden_is_the_most_distant_pair_of_the_table():
    # The docs' most distant pair (Japan, Sweden) and close pair (Britain, United States), by
    # the Kogut-Singh index with the table's sample variances computed by hand.
    x = np.array(list(HOFSTEDE_SCORES.values()), dtype=float)
    v = ((x - x.mean(0)) ** 2).sum(0) / (len(x) - 1)
    np.testing.assert_allclose(table_variances(), v, rtol=1e-14)
    names = list(HOFSTEDE_SCORES)
    index = {
        (a, b): float(np.mean((x[i] - x[j]) ** 2 / v))
        for (i, a), (j, b) in itertools.combinations(enumerate(names), 2)
    }
    assert max(index, key=index.__getitem__) == ("Japan", "Sweden")
    assert index["Great Britain", "United States"] < 0.26 < 4.9 < index["Japan", "Sweden"]
    assert np.mean(list(index.values())) == pytest.approx(2.0, rel=1e-12)
    assert kogut_singh_index(x[names.index("Japan")], x[names.index("Sweden")], v) == (
        pytest.approx(index["Japan", "Sweden"], rel=1e-14)
    )


@pytest.mark.parametrize(
    "seed", [5, np.random.SeedSequence(5), "generator"], ids=["int", "seedsequence", "generator"]
)
def test_each_kind_of_seed_reproduces_the_run(seed):
    def run():
        s = np.random.default_rng(5) if seed == "generator" else seed
        return TrustModel(n_organizations=30, search_rate=0.8, seed=s).run(10, progress=False)

    first, second = run(), run()
    assert first.equals(second)
    other = TrustModel(n_organizations=30, search_rate=0.8, seed=6).run(10, progress=False)
    assert not first.equals(other)


def test_life_table_by_hand_and_refuses_counts_that_are_not_counts():
    from allysim.abm.stats import life_table

    # Ends 0, 2, 1 and alive 1, 0, 1 at ages 0-2: 5 reached age 0, 4 age 1, 2 age 2.
    t = life_table(np.array([0, 2, 1]), np.array([0, 1, 0]), np.array([1, 0, 1]))
    assert t.at_risk.tolist() == [5, 4, 2]
    assert t.hazard.tolist() == [0.0, 0.5, 0.5]
    assert t.failure_hazard.tolist() == [0.0, 0.25, 0.0]
    # A fraction was cut to a whole count, and more failures than ends gave a hazard of 1.
    for ended, failed, alive, pattern in (
        ([1.5], [0], [0], "ended must hold whole counts"),
        ([1, 2], [3, 0], [0, 1], "failed must be at most ended"),
        ([1], [0], [-1], "alive must hold whole counts"),
    ):
        with pytest.raises(ValueError, match=pattern):
            life_table(np.array(ended), np.array(failed), np.array(alive))
