"""Population structures for evolutionary games: who plays and competes with whom.

Every constructor returns the adjacency of a simple undirected graph as a symmetric
``scipy.sparse.csr_array`` of 0/1 floats (no self-loops, no multiple edges, node ``i`` is row
``i``): the form the games of ``allysim.evolution.spatial`` (lattice) and
``allysim.evolution.graph_games`` (graphs) take, cheap to multiply by a vector of strategies to
get payoffs.

Graphs:

* [`cycle_graph`][allysim.evolution.cycle_graph]: a ring, each node linked to its ``k / 2``
  nearest on either side;
* [`lattice_graph`][allysim.evolution.lattice_graph]: a periodic square lattice, von Neumann or
  Moore neighbourhood;
* [`random_regular_graph`][allysim.evolution.random_regular_graph]: a random ``k``-regular
  graph, seeded;
* [`scale_free_graph`][allysim.evolution.scale_free_graph]: Barabasi & Albert (1999)
  preferential attachment, seeded;
* [`trust_network`][allysim.evolution.trust_network]: the trust model's network of possible
  ties, or of its active partnerships.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

from allysim._validation import SeedLike, as_generator, check_int, check_memory
from allysim.evolution._common import _choice

__all__ = [
    "cycle_graph",
    "degrees",
    "lattice_graph",
    "neighbour_array",
    "random_regular_graph",
    "scale_free_graph",
    "trust_network",
]


def _from_edges(n: int, i: np.ndarray, j: np.ndarray) -> sparse.csr_array:
    """Symmetric 0/1 adjacency from an edge list (duplicates merged, self-loops refused)."""
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    rows = np.concatenate([i, j])
    cols = np.concatenate([j, i])
    adj = sparse.csr_array((np.ones(rows.size), (rows, cols)), shape=(n, n))
    adj.sum_duplicates()
    adj.data[:] = 1.0
    adj.sort_indices()
    return adj


def _check_adjacency(adjacency: Any, name: str = "adjacency") -> sparse.csr_array:
    """A validated symmetric 0/1 CSR adjacency without self-loops (at least 2 nodes)."""
    if sparse.issparse(adjacency):
        adj = sparse.csr_array(adjacency, dtype=float)
    else:
        arr = np.asarray(adjacency)
        if arr.dtype == bool:
            arr = arr.astype(float)
        if arr.ndim != 2 or not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"{name} must be a square 0/1 matrix (numpy array or scipy sparse)")
        adj = sparse.csr_array(arr.astype(float))
    if adj.ndim != 2 or adj.shape[0] != adj.shape[1]:
        raise ValueError(f"{name} must be square, got shape {adj.shape}")
    if adj.shape[0] < 2:
        raise ValueError(f"{name} must have at least 2 nodes, got {adj.shape[0]}")
    adj.eliminate_zeros()
    if adj.nnz and not np.all(adj.data == 1.0):
        raise ValueError(f"{name} must hold only 0 and 1 (an unweighted graph)")
    if adj.diagonal().any():
        raise ValueError(f"{name} must have no self-loops (a zero diagonal)")
    if (adj != adj.T).nnz:
        raise ValueError(f"{name} must be symmetric (an undirected graph)")
    adj.sort_indices()
    return adj


def degrees(adjacency: Any) -> np.ndarray:
    """Number of neighbours of each node.

    Parameters
    ----------
    adjacency : scipy.sparse.csr_array or numpy.ndarray
        Symmetric 0/1 adjacency, shape (N, N), zero diagonal.

    Returns
    -------
    numpy.ndarray
        Shape (N,), integer degrees.

    Examples
    --------
    >>> degrees(cycle_graph(5)).tolist()
    [2, 2, 2, 2, 2]
    """
    adj = _check_adjacency(adjacency)
    return np.diff(adj.indptr).astype(np.int64)


def neighbour_array(adjacency: Any) -> tuple[np.ndarray, np.ndarray]:
    """Neighbours of each node as a padded array, for vectorised draws over nodes.

    Parameters
    ----------
    adjacency : scipy.sparse.csr_array or numpy.ndarray
        Symmetric 0/1 adjacency, shape (N, N), zero diagonal.

    Returns
    -------
    tuple of numpy.ndarray
        ``(neighbours, degree)``: ``neighbours`` has shape (N, max degree), row ``i`` holds the
        neighbours of ``i`` in ascending order, padded with ``N`` (a node that does not exist);
        ``degree`` has shape (N,).

    Examples
    --------
    >>> nb, k = neighbour_array(cycle_graph(4))
    >>> nb.tolist(), k.tolist()
    ([[1, 3], [0, 2], [1, 3], [0, 2]], [2, 2, 2, 2])
    """
    adj = _check_adjacency(adjacency)
    n = adj.shape[0]
    deg = np.diff(adj.indptr).astype(np.int64)
    width = int(deg.max()) if n else 0
    # One row per node, as wide as the largest degree: a hub makes it far larger than the graph.
    check_memory(
        8.0 * n * (max(width, 1) + 2), "adjacency", hint="use a graph with a smaller largest degree"
    )
    out = np.full((n, max(width, 1)), n, dtype=np.int64)
    rows = np.repeat(np.arange(n), deg)
    cols = np.arange(adj.indices.size) - np.repeat(adj.indptr[:-1], deg)
    out[rows, cols] = adj.indices
    return out, deg


def cycle_graph(n: int, k: int = 2) -> sparse.csr_array:
    """A ring of ``n`` nodes, each linked to its ``k / 2`` nearest neighbours on either side.

    ``k = 2`` is the cycle of Ohtsuki & Nowak (2006, Proc. R. Soc. B 273:2249); larger even
    ``k`` gives the one-dimensional ring lattice (a circulant graph, vertex-transitive and
    ``k``-regular).

    Parameters
    ----------
    n : int
        Number of nodes, > ``k``.
    k : int, default 2
        Degree, even and >= 2.

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric 0/1 adjacency, shape (n, n).

    Examples
    --------
    >>> cycle_graph(4).toarray().astype(int).tolist()
    [[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0]]
    >>> degrees(cycle_graph(10, k=4)).tolist() == [4] * 10
    True
    """
    k = check_int(k, "k", minimum=2)
    if k % 2:
        raise ValueError(f"k must be even (k / 2 neighbours on either side), got {k}")
    n = check_int(n, "n", minimum=k + 1)
    node = np.arange(n)
    i = np.concatenate([node] * (k // 2))
    j = np.concatenate([(node + d) % n for d in range(1, k // 2 + 1)])
    return _from_edges(n, i, j)


_NEIGHBOURHOODS = ("von_neumann", "moore")


def lattice_graph(rows: int, cols: int, neighbourhood: str = "von_neumann") -> sparse.csr_array:
    """A periodic square lattice (a torus): node ``r * cols + c`` sits at row r, column c.

    Parameters
    ----------
    rows : int
        Number of rows, >= 3 (so the periodic neighbours are distinct).
    cols : int
        Number of columns, >= 3.
    neighbourhood : {"von_neumann", "moore"}, default "von_neumann"
        The 4 orthogonal neighbours, or those 4 and the 4 diagonal ones (8).

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric 0/1 adjacency, shape (rows * cols, rows * cols).

    Examples
    --------
    >>> degrees(lattice_graph(3, 4)).tolist() == [4] * 12
    True
    >>> int(degrees(lattice_graph(5, 5, "moore")).min())
    8
    """
    rows = check_int(rows, "rows", minimum=3)
    cols = check_int(cols, "cols", minimum=3)
    _choice(neighbourhood, "neighbourhood", _NEIGHBOURHOODS)
    check_memory(8.0 * 2 * 8 * 3 * rows * cols, "rows, cols", hint="use a smaller lattice")
    shifts = [(0, 1), (1, 0)]
    if neighbourhood == "moore":
        shifts += [(1, 1), (1, -1)]
    r, c = np.divmod(np.arange(rows * cols), cols)
    i = np.concatenate([r * cols + c] * len(shifts))
    j = np.concatenate([((r + dr) % rows) * cols + (c + dc) % cols for dr, dc in shifts])
    return _from_edges(rows * cols, i, j)


def random_regular_graph(n: int, k: int, *, seed: SeedLike = None) -> sparse.csr_array:
    """A random ``k``-regular graph on ``n`` nodes (seeded).

    Drawn by networkx's ``random_regular_graph`` (Steger & Wormald 1999, Combin. Probab.
    Comput. 8:377: stubs paired one at a time, avoiding loops and double edges, which is
    asymptotically uniform over the simple ``k``-regular graphs for ``k`` small against ``n``),
    seeded from ``seed``.

    Parameters
    ----------
    n : int
        Number of nodes, > ``k``; ``n * k`` must be even.
    k : int
        Degree, >= 1.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Source of randomness; an int reproduces the graph.

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric 0/1 adjacency, shape (n, n).

    Examples
    --------
    >>> g = random_regular_graph(10, 3, seed=1)
    >>> degrees(g).tolist() == [3] * 10
    True
    """
    import networkx as nx  # deferred: only this constructor needs it

    k = check_int(k, "k", minimum=1)
    n = check_int(n, "n", minimum=k + 1)
    if (n * k) % 2:
        raise ValueError(f"n * k must be even for a k-regular graph, got n={n}, k={k}")
    check_memory(8.0 * 40 * n * k, "n", hint="use fewer nodes")
    rng = as_generator(seed)
    graph = nx.random_regular_graph(k, n, seed=int(rng.integers(2**31)))
    edges = np.array(list(graph.edges()), dtype=np.int64).reshape(-1, 2)
    return _from_edges(n, edges[:, 0], edges[:, 1])


def scale_free_graph(n: int, m: int, *, seed: SeedLike = None) -> sparse.csr_array:
    """A Barabasi-Albert scale-free graph: each new node links to ``m`` nodes by degree.

    Barabasi & Albert (1999, Science 286:509): the graph starts from a star of ``m + 1`` nodes
    (node ``m`` linked to nodes ``0..m-1``, so that every node has an edge); every later node
    links to ``m`` distinct earlier nodes chosen with probability proportional to their degree.
    The degree distribution tends to ``P(d) ~ d^-3``; the mean degree tends to ``2 m``.

    Parameters
    ----------
    n : int
        Number of nodes, > ``m``.
    m : int
        Edges added with each new node, >= 1.
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Source of randomness; an int reproduces the graph.

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric 0/1 adjacency, shape (n, n).

    Examples
    --------
    >>> g = scale_free_graph(200, 2, seed=3)
    >>> int(g.sum()) // 2  # m + (n - m - 1) m edges
    396
    """
    m = check_int(m, "m", minimum=1)
    n = check_int(n, "n", minimum=m + 1)
    check_memory(8.0 * 8 * n * m, "n", hint="use fewer nodes")
    rng = as_generator(seed)
    # Every edge end is one entry: drawing an entry uniformly draws a node by its degree.
    ends = np.empty(2 * m * n, dtype=np.int64)
    src = np.empty(m * n, dtype=np.int64)
    dst = np.empty(m * n, dtype=np.int64)
    src[:m], dst[:m] = m, np.arange(m)
    ends[: 2 * m : 2], ends[1 : 2 * m : 2] = m, np.arange(m)
    n_edges, n_ends = m, 2 * m
    for new in range(m + 1, n):
        chosen: set[int] = set()
        while len(chosen) < m:
            chosen.add(int(ends[rng.integers(n_ends)]))
        targets = np.fromiter(sorted(chosen), dtype=np.int64, count=m)
        src[n_edges : n_edges + m], dst[n_edges : n_edges + m] = new, targets
        ends[n_ends : n_ends + 2 * m : 2], ends[n_ends + 1 : n_ends + 2 * m : 2] = new, targets
        n_edges += m
        n_ends += 2 * m
    return _from_edges(n, src[:n_edges], dst[:n_edges])


_TRUST_WHICH = ("ties", "partnerships")


def trust_network(model: Any, which: str = "ties") -> sparse.csr_array:
    """The trust model's network as an adjacency, to run graph games on the same structure.

    Parameters
    ----------
    model : allysim.abm.TrustModel
        A trust model (built or run).
    which : {"ties", "partnerships"}, default "ties"
        ``"ties"``: the network of possible ties (who may meet whom; the complete graph when
        the model was built with ``network="complete"``). ``"partnerships"``: the active
        partnerships at the model's current step (organizations ``a`` and ``b`` of each row
        of ``model.partnerships()``).

    Returns
    -------
    scipy.sparse.csr_array
        Symmetric 0/1 adjacency, shape (n_organizations, n_organizations).

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=30, network="small-world", network_degree=4, seed=0)
    >>> float(degrees(trust_network(m)).mean())
    4.0
    """
    _choice(which, "which", _TRUST_WHICH)
    network = getattr(model, "network", None)
    n = getattr(network, "n", None)
    if network is None or not isinstance(n, int) or not hasattr(model, "partnerships"):
        raise TypeError(f"model must be an allysim.abm.TrustModel, got {type(model).__name__}")
    if which == "partnerships":
        table = model.partnerships()
        a = table["a"].to_numpy(dtype=np.int64)
        b = table["b"].to_numpy(dtype=np.int64)
        return _from_edges(n, a, b)
    graph = network.graph
    if graph is None:
        i, j = np.triu_indices(n, 1)
        return _from_edges(n, i, j)
    edges = np.array([(u, v) for u, v in graph.edges() if u != v], dtype=np.int64).reshape(-1, 2)
    return _from_edges(n, edges[:, 0], edges[:, 1])
