"""The trust model's partnership network."""

from __future__ import annotations

import networkx as nx

from allysim.plotting._common import _axes

__all__ = ["partnership_network"]

# Nodes take tab10's strategy colours (as strategy_shares draws them); the edges' trust scale must
# not reuse them: RdYlGn's red (low trust) was GRIM's red and its green TFT's. cividis runs from
# dark blue to yellow without red or green and stays readable with red-green colour blindness.
_EDGE_CMAP = "cividis"


def partnership_network(model, *, ax=None, kind: str = "goodwill", seed: int = 0):
    """The organizations and their partnerships, edges coloured by mean trust of ``kind``.

    Nodes are coloured by strategy (named in a legend beside the colour bar), edges on the
    cividis scale from dark blue (trust 0) to yellow (trust 1), which shares no colour with the
    strategies'; an edge whose trust is missing (NaN) is drawn light grey.

    Parameters
    ----------
    model : allysim.abm.TrustModel
        The model whose current partnerships are drawn.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.
    kind : {"competence", "contractual", "goodwill"}, default "goodwill"
        Which trust colours the edges (mean of the two partners').
    seed : int, default 0
        Seed of the spring layout, so the same model draws the same picture.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, without axis lines.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> model = TrustModel(n_organizations=20, seed=0)
    >>> _ = model.run(5, progress=False)
    >>> partnership_network(model).get_title()
    'partnerships coloured by goodwill trust'
    """
    import matplotlib.pyplot as plt  # deferred: importing pyplot selects a backend

    from allysim.abm.model import TrustModel  # deferred: mesa, only this figure needs it

    if not isinstance(model, TrustModel):
        raise TypeError(
            f"model must be the TrustModel itself (its current partnerships are drawn), got "
            f"{type(model).__name__}; the table model.run returns has no partnerships"
        )
    if kind not in ("competence", "contractual", "goodwill"):
        raise ValueError(f"kind must be competence, contractual or goodwill, got {kind!r}")
    table = model.partnerships()
    g = nx.Graph()
    g.add_nodes_from(range(model.n))
    trust = (table[f"trust_{kind}_a"] + table[f"trust_{kind}_b"]) / 2
    g.add_edges_from(zip(table["a"], table["b"], strict=True))
    ax = _axes(ax)
    pos = nx.spring_layout(g, seed=seed)
    cmap = plt.get_cmap("tab10")
    nx.draw_networkx_nodes(
        g, pos, ax=ax, node_size=25, node_color=[cmap(s % 10) for s in model.strategy_of]
    )
    edges = list(zip(table["a"], table["b"], strict=True))
    drawn = nx.draw_networkx_edges(
        g,
        pos,
        edgelist=edges,
        ax=ax,
        edge_color=trust.to_numpy(),
        edge_cmap=plt.get_cmap(_EDGE_CMAP).with_extremes(bad="lightgrey"),
        edge_vmin=0,
        edge_vmax=1,
    )
    if edges:
        ax.figure.colorbar(drawn, ax=ax, label=f"{kind} trust")
    # Node colours name the strategies; only those in use get a legend entry.
    used = sorted(set(int(s) for s in model.strategy_of))
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=cmap(s % 10), label=model.strategy_names[s])
        for s in used
    ]
    ax.legend(handles=handles, title="strategy", loc="upper left", bbox_to_anchor=(1.25, 1.0))
    ax.set_title(f"partnerships coloured by {kind} trust")
    ax.set_axis_off()
    return ax
