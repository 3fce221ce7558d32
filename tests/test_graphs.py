"""Graph constructors of allysim.evolution.graphs: sizes, degrees, symmetry, seeding."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import sparse

from allysim.abm import TrustModel
from allysim.evolution import (
    cycle_graph,
    degrees,
    lattice_graph,
    neighbour_array,
    random_regular_graph,
    scale_free_graph,
    trust_network,
)
from allysim.evolution.graphs import _check_adjacency


def _simple(adj) -> None:
    """Symmetric, 0/1, no self-loops."""
    assert sparse.issparse(adj)
    assert (adj != adj.T).nnz == 0
    assert np.all(adj.data == 1.0)
    assert not adj.diagonal().any()


@given(n=st.integers(3, 40), half=st.integers(1, 4))
def test_cycle_is_k_regular_with_nk_over_2_edges(n, half):
    k = 2 * half
    assume(n > k)
    g = cycle_graph(n, k)
    _simple(g)
    assert degrees(g).tolist() == [k] * n
    assert g.nnz == n * k  # each of the n k / 2 edges stored twice


def test_cycle_neighbours_are_the_nearest_on_the_ring():
    nb, k = neighbour_array(cycle_graph(7, 4))
    assert nb[0].tolist() == [1, 2, 5, 6]
    assert k.tolist() == [4] * 7


def test_lattice_neighbourhoods():
    g = lattice_graph(4, 5)
    _simple(g)
    assert degrees(g).tolist() == [4] * 20
    # node 0 = (0, 0): right (0, 1) = 1, left (0, 4) = 4, down (1, 0) = 5, up (3, 0) = 15
    assert neighbour_array(g)[0][0].tolist() == [1, 4, 5, 15]
    m = lattice_graph(4, 5, "moore")
    assert degrees(m).tolist() == [8] * 20
    assert neighbour_array(m)[0][0].tolist() == [1, 4, 5, 6, 9, 15, 16, 19]


@given(n=st.integers(5, 60), k=st.integers(1, 8), seed=st.integers(0, 2**16))
def test_random_regular_is_simple_and_k_regular(n, k, seed):
    assume(n > k and (n * k) % 2 == 0)
    g = random_regular_graph(n, k, seed=seed)
    _simple(g)
    assert degrees(g).tolist() == [k] * n
    assert (random_regular_graph(n, k, seed=seed) != g).nnz == 0  # seeded: reproducible


def test_random_regular_draws_differ_between_seeds():
    graphs = {random_regular_graph(20, 3, seed=s).indices.tobytes() for s in range(5)}
    assert len(graphs) == 5


@given(n=st.integers(3, 120), m=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_scale_free_edge_count_and_minimum_degree(n, m, seed):
    assume(n > m)
    g = scale_free_graph(n, m, seed=seed)
    _simple(g)
    k = degrees(g)
    assert int(k.sum()) // 2 == m + (n - m - 1) * m
    assert k.min() >= 1
    assert np.all(k[m + 1 :] >= m)  # every node after the star brought m edges
    assert nx.is_connected(nx.from_scipy_sparse_array(g))


def test_scale_free_has_hubs():
    k = degrees(scale_free_graph(2000, 2, seed=0))
    # Preferential attachment: the largest degree grows like sqrt(n) (about 90 here); on a
    # random graph of the same mean degree 4 it would be about 12.
    assert k.max() > 40
    assert abs(k.mean() - 4.0) < 0.01


def test_trust_network_ties_and_partnerships():
    m = TrustModel(n_organizations=30, network="small-world", network_degree=4, seed=0)
    ties = trust_network(m)
    _simple(ties)
    assert float(degrees(ties).mean()) == 4.0
    assert (ties != nx.to_scipy_sparse_array(m.graph, nodelist=range(30))).nnz == 0
    m.run(20, progress=False)
    part = trust_network(m, "partnerships")
    _simple(part)
    table = m.partnerships()
    pairs = {tuple(sorted(p)) for p in table[["a", "b"]].to_numpy().tolist()}
    assert part.nnz == 2 * len(pairs) > 0
    # partnerships only form along possible ties
    assert (part.multiply(ties) != part).nnz == 0
    complete = trust_network(TrustModel(n_organizations=6, seed=0))
    assert degrees(complete).tolist() == [5] * 6


def test_bad_inputs_name_the_parameter():
    with pytest.raises(ValueError, match="k must be even"):
        cycle_graph(10, 3)
    with pytest.raises(ValueError, match="n must be an integer >= 3"):
        cycle_graph(2)
    with pytest.raises(ValueError, match="n \\* k must be even"):
        random_regular_graph(5, 3, seed=0)
    with pytest.raises(ValueError, match="neighbourhood"):
        lattice_graph(3, 3, "hex")
    with pytest.raises(TypeError, match="model"):
        trust_network(object())
    with pytest.raises(ValueError, match="which"):
        trust_network(TrustModel(n_organizations=6, seed=0), "friends")
    with pytest.raises(ValueError, match="symmetric"):
        _check_adjacency(np.array([[0, 1], [0, 0]]))
    with pytest.raises(ValueError, match="self-loops"):
        _check_adjacency(np.array([[1, 1], [1, 0]]))
    with pytest.raises(ValueError, match="only 0 and 1"):
        _check_adjacency(np.array([[0, 2], [2, 0]]))
