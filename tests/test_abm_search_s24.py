"""The trust model's network of possible ties and its partner search: refusals and the rule.

The network tests failed on the code before: a directed graph, a multigraph and a graph with
self-loops ran (one-way meetings, meetings of an organization with itself), and nodes of
mixed types raised Python's "'<' not supported" from a sort.
"""

import re

import networkx as nx
import numpy as np
import pytest

from allysim.abm import TrustModel, TrustParams, batch_run
from allysim.abm._param_checks import check_capacity, check_population

# ----------------------------------------------------------------- 1. the network of ties


def _complete(n):
    return nx.complete_graph(n)


@pytest.mark.parametrize(
    ("graph", "convert"),
    [
        (nx.DiGraph(_complete(10)), "G.to_undirected()"),
        (nx.MultiDiGraph(_complete(10)), "nx.Graph(G.to_undirected())"),
    ],
)
def test_directed_network_refused_with_conversion(graph, convert):
    with pytest.raises(TypeError, match="network must be an undirected") as info:
        TrustModel(n_organizations=10, network=graph, seed=0)
    assert convert in str(info.value)
    assert type(graph).__name__ in str(info.value)


def test_directed_network_refused_through_batch_run():
    with pytest.raises(TypeError, match=r"network must be an undirected.*G\.to_undirected\(\)"):
        batch_run(
            {"n_organizations": 10, "network": nx.DiGraph(_complete(10))},
            max_steps=1,
            display_progress=False,
        )


def test_multigraph_refused():
    with pytest.raises(TypeError, match=r"simple networkx.Graph.*MultiGraph.*nx\.Graph\(G\)"):
        TrustModel(n_organizations=10, network=nx.MultiGraph(_complete(10)), seed=0)


def test_self_loops_refused_naming_nodes():
    g = _complete(10)
    g.add_edges_from([(7, 7), (3, 3)])
    with pytest.raises(ValueError, match=r"no self-loops.*2 at nodes \[3, 7\]"):
        TrustParams(n_organizations=10, network=g)


@pytest.mark.parametrize(
    ("graph", "found"),
    [
        (nx.relabel_nodes(_complete(10), {0: "a"}), r"not in 0\.\.9 \(1\): \['a'\]; missing"),
        (nx.relabel_nodes(_complete(10), lambda v: v + 1), r"\(1\): \[10\]; missing \(1\): \[0\]"),
        (_complete(12), r"got 12 nodes, not in 0\.\.9 \(2\): \[10, 11\];"),
        (_complete(8), r"got 8 nodes, missing \(2\): \[8, 9\];"),
    ],
)
def test_wrong_nodes_refused_naming_them(graph, found):
    with pytest.raises(ValueError, match=r"must have the nodes 0\.\.n_organizations-1") as e:
        TrustParams(n_organizations=10, network=graph)
    assert re.search(found, str(e.value)), str(e.value)
    assert "nx.convert_node_labels_to_integers(G)" in str(e.value)


def test_isolated_organizations_allowed_and_never_partner():
    # Documented: an organization without neighbours never has a partner.
    g = nx.complete_graph(8)
    g.add_nodes_from([8, 9])
    m = TrustModel(n_organizations=10, network=g, search_rate=1.0, seed=0)
    m.run(20, progress=False)
    assert m.table.degree[:8].sum() > 0
    assert m.table.degree[8:].tolist() == [0, 0]


def test_edge_weights_do_not_change_who_meets():
    # A weight of 0 is an edge all the same (networkx keeps it as an explicit zero).
    plain = nx.path_graph(6)
    weighted = nx.path_graph(6)
    for u, v in weighted.edges:
        weighted[u][v]["weight"] = 0.0 if u % 2 else -2.5
    runs = []
    for g in (plain, weighted):
        m = TrustModel(n_organizations=6, capacity=2, network=g, search_rate=1.0, seed=3)
        m.run(15, progress=False)
        runs.append(m.table.partner_table.copy())
    assert (runs[0] == runs[1]).all()
    assert (runs[0] >= 0).any()


# ----------------------------------------------------------------- 3. too few organizations


def _params_with(n, **fields):
    """Valid TrustParams with n_organizations set to ``n`` afterwards (as TrustParams' own
    checks see it when they run)."""
    p = TrustParams(n_organizations=10, **fields)
    object.__setattr__(p, "n_organizations", n)
    return p


@pytest.mark.parametrize("n", [-1, 0, 1])
def test_population_below_two_named_with_default_capacity(n):
    with pytest.raises(ValueError) as info:
        check_population(_params_with(n))
    assert str(info.value) == (
        "n_organizations must be >= capacity + 1 = 4 (capacity is 3 by default; pass "
        f"capacity= for smaller populations), got {n}"
    )


@pytest.mark.parametrize(("n", "cap"), [(0, 2), (1, 1)])
def test_population_below_two_names_capacity_given(n, cap):
    with pytest.raises(ValueError, match=rf">= capacity \+ 1 = {cap + 1} with capacity={cap} "):
        check_population(_params_with(n, capacity=cap))
    # check_capacity said "n_organizations must be an integer >= 2" here before.
    with pytest.raises(ValueError, match=rf">= capacity \+ 1 = {cap + 1} with capacity={cap} "):
        check_capacity(_params_with(n, capacity=cap))


def test_population_check_keeps_type_errors_and_valid_sizes():
    with pytest.raises(TypeError, match="n_organizations must be an integer, got float"):
        check_population(_params_with(2.5))
    assert check_population(_params_with(2, capacity=1)) == 2


@pytest.mark.parametrize("n", [0, 1])
def test_trust_model_below_two_organizations_names_capacity(n):
    with pytest.raises(ValueError, match=r"n_organizations must be >= capacity \+ 1 = 4"):
        TrustModel(n_organizations=n)


def test_trust_model_two_and_three_organizations_name_capacity():
    for n in (2, 3):
        with pytest.raises(ValueError, match=r"n_organizations must be >= capacity \+ 1 = 4"):
            TrustModel(n_organizations=n)


# ----------------------------------------------------------------- 2. the conflict rule


def _sure_acceptance_model(graph, seed, **fields):
    """Four organizations that always accept each other (no cultural distance, and
    acceptance_offset 1 puts every acceptance probability at 1), all seeking."""
    return TrustModel(
        n_organizations=4,
        network=graph,
        search_rate=1.0,
        acceptance_offset=1.0,
        culture_spread=0.0,
        seed=seed,
        **fields,
    )


def _pairs(model):
    t = model.table
    return sorted(
        (int(min(a, b)), int(max(a, b)))
        for a, b in zip(t.pa[: t.n_active], t.pb[: t.n_active], strict=True)
    )


def _fixed_meetings(model, meetings):
    """Make the next search meet exactly ``meetings`` (seeker, met), in this order."""
    seekers = np.array([s for s, _ in meetings], dtype=np.int64)
    met = np.array([c for _, c in meetings], dtype=np.int64)
    model.network.candidates = lambda _seekers, _rng: (seekers, met)


@pytest.fixture(params=["0", "1"], ids=["numpy", "compiled"])
def path(request, monkeypatch):
    """Both paths of the step (the compiled one where numba is installed)."""
    monkeypatch.setenv("ALLYSIM_NUMBA", request.param)


def test_seeded_path_network_forms_a_maximal_matching(path):
    # Seed 0 on the path 0 - 1 - 2 - 3: 3 meets 2, 2 meets 1, 1 meets 2, 0 meets 1, all
    # accepted. 3-2 forms first; 2-1 and 1-2 touch 2, which has formed; 0-1 touches nobody who
    # has formed, so it forms too. (Up to 0.4.0, 1 stayed bound to its lost meeting with 2 and
    # 0-1 was refused although 0 and 1 stayed without partners.)
    m = _sure_acceptance_model(nx.path_graph(4), seed=0)
    seen = []
    draw = m.network.candidates

    def record(seekers, rng):
        s, c = draw(seekers, rng)
        seen.extend(zip(s.tolist(), c.tolist(), strict=True))
        return s, c

    m.network.candidates = record
    m.search.search()
    assert seen == [(3, 2), (2, 1), (1, 2), (0, 1)]
    assert _pairs(m) == [(0, 1), (2, 3)]
    assert m.table.degree.tolist() == [1, 1, 1, 1]


@pytest.mark.parametrize(
    ("meetings", "formed"),
    [
        # 2-1 comes first and forms; 0-1 and 3-2 each meet an organization that formed.
        ([(2, 1), (0, 1), (3, 2)], [(1, 2)]),
        # 2-1 loses to 0-1, but 2 formed nothing, so it is free to take 3-2 (up to 0.4.0 the
        # lost meeting bound 2 and 3-2 was refused).
        ([(0, 1), (2, 1), (3, 2)], [(0, 1), (2, 3)]),
        # Two meetings of one pair (both ways) form one partnership; 2-3 is free of them.
        ([(0, 1), (1, 0), (3, 2)], [(0, 1), (2, 3)]),
        # Disjoint meetings all form.
        ([(1, 0), (2, 3)], [(0, 1), (2, 3)]),
    ],
)
def test_first_come_first_served(path, meetings, formed):
    m = _sure_acceptance_model(nx.complete_graph(4), seed=1)
    _fixed_meetings(m, meetings)
    m.search.search()
    assert _pairs(m) == formed


def test_meetings_dropped_unjudged_bind_nobody(path):
    # 1-2 are partners already: 2 meeting 1 again is dropped before judging, so 2 is still free
    # to take the later meeting with 3.
    m = _sure_acceptance_model(nx.complete_graph(4), seed=2)
    _fixed_meetings(m, [(1, 2)])
    m.search.search()
    assert _pairs(m) == [(1, 2)]
    _fixed_meetings(m, [(2, 1), (3, 2)])
    m.search.search()
    assert _pairs(m) == [(1, 2), (2, 3)]


def test_first_come_matching_is_the_sequential_greedy_rule():
    # The rounds computation against the rule written as a loop, on random orders with many
    # conflicts (few organizations, many meetings).
    from allysim.abm.search import first_come_matching

    rng = np.random.default_rng(5)
    for _ in range(500):
        n = int(rng.integers(2, 30))
        size = int(rng.integers(0, 80))
        a = rng.integers(0, n, size)
        b = (a + rng.integers(1, n, size)) % n
        used, expect = set(), []
        for k in range(size):
            if a[k] not in used and b[k] not in used:
                used.update((a[k], b[k]))
                expect.append(k)
        assert first_come_matching(a, b, n).tolist() == expect
