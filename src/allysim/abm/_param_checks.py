"""Checks of the trust model's parameters that need several fields at once.

Called by :class:`~allysim.abm.TrustParams` while it validates itself (``params`` is the
parameters being built; checked values are written back with ``object.__setattr__``, as a
frozen dataclass requires).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from allysim._validation import (
    as_float_array,
    check_int,
    check_memory,
    check_nonnegative,
    check_real,
)
from allysim.abm.culture import hofstede_profiles
from allysim.strategies import FiniteStateStrategy, MemoryOne

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.params import TrustParams


def check_strategies(params: TrustParams) -> None:
    s = params.strategies
    if isinstance(s, str) or not isinstance(s, Sequence) or not s:
        raise ValueError("strategies must be a non-empty list of names or strategy objects")
    for x in s:
        if not isinstance(x, str | MemoryOne | FiniteStateStrategy):
            raise TypeError(f"strategies must be names or strategy objects, got {x!r}")
    object.__setattr__(params, "strategies", tuple(s))
    if params.initial_strategies is not None and params.initial_shares is not None:
        raise ValueError("give initial_shares or initial_strategies, not both")
    if params.initial_shares is not None:
        k = len(s)
        probs = as_float_array(params.initial_shares, "initial_shares", shape=(k,))
        if np.any(probs < 0) or abs(probs.sum() - 1) > 1e-9:
            raise ValueError("initial_shares must be non-negative and sum to 1")
        object.__setattr__(params, "initial_shares", tuple(float(x) for x in probs))


def check_culture(params: TrustParams) -> None:
    if params.culture not in ("practice", "hofstede"):
        raise ValueError(f"culture must be 'practice' or 'hofstede', got {params.culture!r}")
    put = object.__setattr__
    put(params, "country_spread", check_nonnegative(params.country_spread, "country_spread"))
    scale = check_real(params.culture_scale, "culture_scale")
    if scale <= 0:
        raise ValueError(f"culture_scale must be > 0, got {scale!r}")
    put(params, "culture_scale", scale)
    if params.culture != "hofstede":
        if params.countries is not None or params.country_weights is not None:
            raise ValueError("countries and country_weights need culture='hofstede'")
        return
    countries = None if params.countries is None else tuple(params.countries)
    # Checked by drawing nothing: the function the model calls validates names and weights.
    hofstede_profiles(0, countries, params.country_weights, params.country_spread, rng=0)
    put(params, "countries", countries)
    if params.country_weights is not None:
        put(params, "country_weights", tuple(float(w) for w in params.country_weights))


def _population_text(n: int, cap: int, default: object) -> str:
    """Why ``n`` organizations are too few for ``cap`` partners each."""
    if cap == default:
        # The population is what is too small: a user who never set capacity should not be
        # told its range (a frozen dataclass cannot tell a default from the same value passed,
        # so the message holds either way).
        return (
            f"n_organizations must be >= capacity + 1 = {cap + 1} (capacity is {cap} by "
            f"default; pass capacity= for smaller populations), got {n}"
        )
    return (
        f"n_organizations must be >= capacity + 1 = {cap + 1} with capacity={cap} (and >= 2: "
        f"a partnership needs two organizations), got {n}"
    )


def check_population(params: TrustParams) -> int:
    """``params.n_organizations`` as an int, refusing fewer than two organizations.

    Run first in TrustParams' checks (the other checks take the population's size as valid);
    a population of 2 or more that is too small for ``capacity`` is :func:`check_capacity`'s.
    The message names the least population that works with the capacity given, or the
    default capacity, rather than ">= 2", which the default capacity 3 would still refuse.
    """
    n = check_int(params.n_organizations, "n_organizations")
    if n < 2:
        cap = check_int(params.capacity, "capacity", minimum=1)
        default = type(params).__dataclass_fields__["capacity"].default
        raise ValueError(_population_text(n, cap, default))
    return n


def check_capacity(params: TrustParams) -> None:
    n = params.n_organizations
    cap = check_int(params.capacity, "capacity", minimum=1)
    default = type(params).__dataclass_fields__["capacity"].default
    if (cap > n - 1 and cap == default) or n < 2:
        raise ValueError(_population_text(n, cap, default))
    if cap > n - 1:
        raise ValueError(
            f"capacity must lie in [1, n_organizations - 1 = {n - 1}] (an organization "
            f"cannot have more partners than there are others), got {params.capacity!r}"
        )
    object.__setattr__(params, "capacity", cap)
    # About 250 bytes per partnership row, 8 per partner-table entry, 2 kB per agent.
    check_memory(
        125.0 * n * cap + 8.0 * n * cap + 2000.0 * n,
        "n_organizations and capacity",
        hint="use fewer organizations or a smaller capacity",
    )


def check_network(params: TrustParams) -> None:
    net, n = params.network, params.n_organizations
    if isinstance(net, str):
        if net not in ("complete", "small-world"):
            raise ValueError(
                f"network must be 'complete', 'small-world' or a networkx graph, got {net!r}"
            )
        if net == "small-world" and params.network_degree >= n:
            raise ValueError("network_degree must be < n_organizations")
        if net == "small-world" and params.network_degree % 2:
            # Watts & Strogatz's ring ties each node to k/2 neighbours on either side; networkx
            # rounds an odd k down, which silently gave every organization degree k - 1.
            raise ValueError(
                "network_degree must be even for network='small-world' (network_degree / 2 "
                f"neighbours on each side of the ring), got {params.network_degree}"
            )
    elif isinstance(net, nx.Graph):
        check_graph(net, n)
    else:
        raise TypeError(
            "network must be 'complete', 'small-world' or a networkx graph, got "
            f"{type(net).__name__}"
        )


def check_graph(net: nx.Graph, n: int) -> None:
    """Refuse a graph of possible ties that partner search would read wrongly.

    A partnership is mutual, so a tie is undirected: a directed graph would give one-way
    meetings. Parallel ties add nothing (two organizations may meet or not) yet count in
    networkx's degrees, and a self-loop is a meeting of an organization with itself, which
    search drops, so it silently lowers that organization's search rate. Isolated nodes are
    allowed: such an organization never has a partner (documented in TrustParams).
    """
    kind = type(net).__name__
    if net.is_directed():
        convert = "nx.Graph(G.to_undirected())" if net.is_multigraph() else "G.to_undirected()"
        raise TypeError(
            f"network must be an undirected networkx.Graph (partnerships are mutual, so a tie "
            f"lets both organizations meet), got a {kind}; convert it with {convert} (a tie "
            "wherever either direction exists; to_undirected(reciprocal=True) keeps only the "
            "ties present in both directions)"
        )
    if net.is_multigraph():
        raise TypeError(
            f"network must be a simple networkx.Graph (two organizations may meet or not; "
            f"parallel ties add nothing), got a {kind}; convert it with nx.Graph(G)"
        )
    nodes = list(net.nodes)
    wanted = set(range(n))
    # Compared as sets: sorting nodes of mixed types (0 and "a") raises inside Python.
    if len(nodes) != n or set(nodes) != wanted:
        extra = [v for v in nodes if v not in wanted]
        missing = sorted(wanted.difference(nodes))
        found = "; ".join(
            f"{what} ({len(vals)}): {vals[:3]}{' ...' if len(vals) > 3 else ''}"
            for what, vals in ((f"not in 0..{n - 1}", extra), ("missing", missing))
            if vals
        )
        raise ValueError(
            f"network must have the nodes 0..n_organizations-1 = 0..{n - 1} (one per "
            f"organization), got {len(nodes)} nodes, {found}; relabel with "
            "nx.convert_node_labels_to_integers(G), or set n_organizations to the node count"
        )
    loops = sorted(v for v, _ in nx.selfloop_edges(net))
    if loops:
        raise ValueError(
            f"network must have no self-loops (an organization cannot partner itself), got "
            f"{len(loops)} at nodes {loops[:5]}; remove them with "
            "G.remove_edges_from(nx.selfloop_edges(G))"
        )
