"""The network of possible ties: who may meet whom, for partner search and imitation."""

from __future__ import annotations

import networkx as nx
import numpy as np

from allysim.abm._compiled import use_numba

__all__ = ["TieNetwork"]


class TieNetwork:
    """Possible ties between organizations, with random draws of neighbours.

    The complete network is not built (``graph`` is None): a neighbour is any other
    organization. Other networks are held as a CSR adjacency for constant-time draws.

    Parameters
    ----------
    n : int
        Number of organizations.
    network : str or networkx.Graph
        ``"complete"``, ``"small-world"`` or a simple undirected graph on nodes ``0..n-1``
        without self-loops (already validated by :class:`~allysim.abm.TrustParams`). Edge
        weights and attributes are ignored: a tie lets two organizations meet or it does not.
        An isolated node is an organization that meets nobody.
    degree : int
        Degree of the small-world (Watts-Strogatz) network.
    rewiring : float
        Rewiring probability of the small-world network.
    rng : numpy.random.Generator
        Draws the small-world network's seed (one integer; nothing for other networks).

    Examples
    --------
    >>> net = TieNetwork(4, nx.path_graph(4), 2, 0.0, np.random.default_rng(0))
    >>> net.neighbours(0)
    [1]
    """

    def __init__(
        self,
        n: int,
        network: str | nx.Graph,
        degree: int,
        rewiring: float,
        rng: np.random.Generator,
    ) -> None:
        self.n = n
        if isinstance(network, str) and network == "complete":
            self.graph: nx.Graph | None = None
            return
        if isinstance(network, str):
            network = nx.watts_strogatz_graph(n, degree, rewiring, seed=int(rng.integers(2**31)))
        adj = nx.to_scipy_sparse_array(network, nodelist=range(n), weight=None, format="csr")
        self.graph = network
        self._indptr, self._indices = adj.indptr, adj.indices

    def neighbours(self, i: int) -> list[int]:
        """The organizations ``i`` may meet.

        Parameters
        ----------
        i : int
            Organization index.

        Returns
        -------
        list of int
            Its neighbours' indices, ascending.

        Examples
        --------
        >>> TieNetwork(3, "complete", 2, 0.0, np.random.default_rng(0)).neighbours(1)
        [0, 2]
        """
        if self.graph is None:
            return [j for j in range(self.n) if j != i]
        return [int(j) for j in self._indices[self._indptr[i] : self._indptr[i + 1]]]

    def candidates(
        self, seekers: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """One uniformly drawn neighbour for each seeker that has one.

        Parameters
        ----------
        seekers : numpy.ndarray
            Organization indices.
        rng : numpy.random.Generator
            Randomness.

        Returns
        -------
        tuple of numpy.ndarray
            The seekers that have a neighbour, and the neighbour drawn for each.

        Examples
        --------
        >>> net = TieNetwork(3, nx.path_graph(3), 2, 0.0, np.random.default_rng(0))
        >>> s, c = net.candidates(np.array([0, 2]), np.random.default_rng(0))
        >>> s.tolist(), c.tolist()
        ([0, 2], [1, 1])
        """
        if use_numba():
            from allysim.abm._compiled_search import kernels

            loops = kernels()
            if self.graph is None:
                cand = rng.integers(0, self.n - 1, size=seekers.size)
                return seekers, loops.skip_self(cand, seekers)
            u = rng.random(loops.with_neighbours(seekers, self._indptr))
            return loops.graph_candidates(u, seekers, self._indptr, self._indices)
        if self.graph is None:
            cand = rng.integers(0, self.n - 1, size=seekers.size)
            cand += cand >= seekers  # uniform over the others
            return seekers, cand
        deg = self._indptr[seekers + 1] - self._indptr[seekers]
        keep = deg > 0
        seekers, deg = seekers[keep], deg[keep]
        pick = (rng.random(seekers.size) * deg).astype(np.int64)
        return seekers, self._indices[self._indptr[seekers] + pick]

    def peers(self, rng: np.random.Generator) -> np.ndarray:
        """A uniformly drawn neighbour of every organization (itself when it has none).

        Parameters
        ----------
        rng : numpy.random.Generator
            Randomness.

        Returns
        -------
        numpy.ndarray
            ``n`` organization indices.

        Examples
        --------
        >>> TieNetwork(3, nx.empty_graph(3), 2, 0.0, np.random.default_rng(0)).peers(
        ...     np.random.default_rng(0)).tolist()
        [0, 1, 2]
        """
        n = self.n
        if use_numba():
            from allysim.abm._compiled_search import kernels

            if self.graph is None:
                return kernels().skip_own(rng.integers(0, n - 1, size=n))
            return kernels().graph_peers(rng.random(n), self._indptr, self._indices)
        if self.graph is None:
            peer = rng.integers(0, n - 1, size=n)
            peer += peer >= np.arange(n)
            return peer
        deg = self._indptr[1:] - self._indptr[:-1]
        pick = np.minimum((rng.random(n) * deg).astype(np.int64), np.maximum(deg - 1, 0))
        peer = np.arange(n)
        has = deg > 0
        peer[has] = self._indices[self._indptr[:-1][has] + pick[has]]
        return peer
