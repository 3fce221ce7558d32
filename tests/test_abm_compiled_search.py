"""Partner search's, the network's and imitation's compiled loops give the numpy path's results
to the bit, and leave the model's Generator in the numpy path's state."""

from __future__ import annotations

import importlib.util

import networkx as nx
import numpy as np
import pytest

from abm_state import assert_same_state, model_state
from allysim.abm import Standing, TrustModel, TrustParams, ValueCreation
from allysim.abm.network import TieNetwork
from allysim.mechanisms import Communication, Monitoring, Reputation, Sanction

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
pytestmark = pytest.mark.skipif(
    not HAVE_NUMBA, reason="numba is not installed (the optional 'fast' extra)"
)


def _graph_with_isolated() -> nx.Graph:
    """A small-world graph on 40 nodes with five of them cut off (they meet nobody)."""
    g = nx.watts_strogatz_graph(40, 4, 0.2, seed=3)
    for i in (0, 7, 8, 21, 39):
        g.remove_edges_from(list(g.edges(i)))
    return g


CASES = {
    # The complete network, imitation every 2 steps with mutation (the imitation loop).
    "complete": {"imitation_every": 2, "mutation": 0.2, "perception_noise": 0.1},
    # The CSR network's draws, with organizations that have no neighbour.
    "isolated": {"network": _graph_with_isolated(), "imitation_every": 3, "mutation": 0.1},
    "small_world": {"network": "small-world", "network_degree": 4, "imitation_every": 1},
    # Acceptance factors: one symmetric part, one judged both ways (two rows on each side).
    "factors": {
        "value_creation": ValueCreation(complementarity=1, seek_complementarity=1.5),
        "standing": Standing(acceptance_weight=0.6),
        "imitation_every": 2,
        "mutation": 0.3,
    },
    # Acceptance scores capped at 1 (offset 1) and a distance that lowers them.
    "sure": {"acceptance_offset": 1.0, "search_rate": 1.0, "culture_noise": 0.3},
    # A settling mechanism (goodwill weights by goodwill_weights), and the mechanisms that set
    # perception noise, clarity and visibility. (Without one, every goodwill weight is 1 in a
    # dilemma: withholding always pays against a contributor.)
    "settled": {
        "mechanisms": [
            Sanction(fine=1.5, detection=0.5),
            Monitoring(0.2),
            Communication(0.5),
            Reputation(0.7),
        ],
        "attribution_discount": 0.6,
    },
}


def _run(fields: dict, path: str, monkeypatch: pytest.MonkeyPatch) -> TrustModel:
    monkeypatch.setenv("ALLYSIM_NUMBA", path)
    m = TrustModel(TrustParams(n_organizations=40, capacity=3, **fields), seed=11)
    for _ in range(25):
        m.step()
    return m


@pytest.mark.parametrize("name", list(CASES))
def test_search_and_imitation_loops_are_the_numpy_path(name, monkeypatch):
    runs = [_run(CASES[name], path, monkeypatch) for path in ("0", "1")]
    # The runs formed partnerships, and imitation changed strategies where it mutates.
    assert runs[0].table.formed_total > 10
    if CASES[name].get("mutation"):
        start = TrustModel(TrustParams(n_organizations=40, capacity=3, **CASES[name]), seed=11)
        assert (runs[1].strategy_of != start.strategy_of).any()
    states = [model_state(m) for m in runs]
    for m, state in zip(runs, states, strict=True):
        state["strategy_of"] = m.strategy_of.copy()
        state["machine"] = m.table.machine[: m.table.n_active].copy()
        state["rng"] = np.array(m.rng.bit_generator.state["state"]["state"], dtype=object)
    assert_same_state(*states)


@pytest.mark.parametrize("n", [2, 3, 50])
@pytest.mark.parametrize("graph", [None, "path", "isolated"])
def test_network_draws_are_numpys(n, graph, monkeypatch):
    if graph == "path":
        network = nx.path_graph(n)
    elif graph == "isolated":
        network = nx.empty_graph(n)
        network.add_edges_from((i, i + 1) for i in range(0, n - 1, 3))
    else:
        network = "complete"
    net = TieNetwork(n, network, 2, 0.0, np.random.default_rng(0))
    seekers = np.random.default_rng(n).permutation(n)
    out = {}
    for path in ("0", "1"):
        monkeypatch.setenv("ALLYSIM_NUMBA", path)
        rng = np.random.default_rng(99)
        s, c = net.candidates(seekers, rng)
        peer = net.peers(rng)
        out[path] = (s.tolist(), c.tolist(), peer.tolist(), rng.random())
    assert out["0"] == out["1"]
    s, c, peer, _ = out["1"]
    # Each met organization is a neighbour; peers are neighbours, or themselves when alone.
    assert all(c_ in net.neighbours(s_) for s_, c_ in zip(s, c, strict=True))
    assert all(
        (p == i) if not net.neighbours(i) else p in net.neighbours(i) for i, p in enumerate(peer)
    )


@pytest.mark.parametrize("path", ["0", "1"])
def test_capacity_above_the_table_refused_before_any_draw(path, monkeypatch):
    monkeypatch.setenv("ALLYSIM_NUMBA", path)
    m = TrustModel(n_organizations=10, capacity=2, search_rate=1.0, seed=0)
    m.capacity[4] = 3
    before = m.rng.bit_generator.state
    with pytest.raises(ValueError, match=r"up to 3 in model\.capacity"):
        m.search.search()
    assert m.rng.bit_generator.state == before


def test_compiled_loops_ran(monkeypatch):
    from allysim.abm._compiled_search import kernels

    for name in CASES:
        _run(CASES[name], "1", monkeypatch)
    k = kernels()
    for name in (
        "seekers",
        "skip_self",
        "graph_candidates",
        "with_neighbours",
        "graph_peers",
        "skip_own",
        "fermi_exponent",
        "meet",
        "judge",
        "imitate",
    ):
        assert getattr(k, name).signatures, name
