"""Drawing equilibrium payoff sets: [`plot_payoff_set`][allysim.equilibria.plot_payoff_set].

Kept in ``allysim.equilibria`` rather than ``allysim.plotting``: the package layers let
``equilibria`` import nothing from ``plotting`` at module level, and ``plot_payoff_set`` is
importable from ``allysim.equilibria`` and from ``allysim.equilibria.payoff_sets``. Matplotlib
is imported only when a set is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from allysim.equilibria.payoff_sets import PayoffSet

__all__ = ["plot_payoff_set"]


def plot_payoff_set(
    sets: PayoffSet | Sequence[PayoffSet],
    ax: Any = None,
    *,
    labels: Sequence[str] | None = None,
    colors: Sequence[Any] | None = None,
    fill: bool = True,
    legend: bool = True,
) -> Any:
    """Draw one or several payoff sets on one pair of payoff axes.

    Later sets are drawn on top; draw the largest first. Each set is filled lightly and
    outlined; a point is a marker, a segment a line.

    Parameters
    ----------
    sets : PayoffSet or sequence of PayoffSet
        The sets to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new figure.
    labels : sequence of str, optional
        One legend entry per set; default the method and the discount factor of each.
    colors : sequence of matplotlib colours, optional
        One colour per set; default the colour cycle.
    fill : bool, default True
        Fill the polygons lightly; False draws dashed outlines only (e.g. for a reference set
        such as the feasible set).
    legend : bool, default True
        Put a legend beside the axes.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    TypeError
        ``sets`` holds something other than PayoffSet objects.
    ValueError
        ``labels`` or ``colors`` has the wrong length.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from allysim.equilibria import equilibrium_payoffs, feasible_payoffs
    >>> from allysim.games import PrisonersDilemma
    >>> g = PrisonersDilemma()
    >>> sets = [feasible_payoffs(g), equilibrium_payoffs(g, 0.3)]
    >>> ax = plot_payoff_set(sets, labels=["feasible, IR", "delta 0.3"])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['feasible, IR', 'delta 0.3']
    """
    # Imported here: payoff_sets imports this module, and allysim.plotting sits a layer above.
    from allysim.equilibria.payoff_sets import PayoffSet
    from allysim.plotting._common import _axes, _legend_beside

    items = [sets] if isinstance(sets, PayoffSet) else list(sets)
    for s in items:
        if not isinstance(s, PayoffSet):
            raise TypeError(f"sets must hold PayoffSet objects, got {type(s).__name__}")
    for name, seq in (("labels", labels), ("colors", colors)):
        if seq is not None and len(seq) != len(items):
            raise ValueError(f"{name} must have one entry per set ({len(items)}), got {len(seq)}")
    ax = _axes(ax)
    for k, s in enumerate(items):
        if labels is not None:
            label = labels[k]
        elif s.method == "feasible":
            label = "feasible, individually rational"
        else:
            label = f"{s.method}, delta {s.continuation:g}"
        color = colors[k] if colors is not None else f"C{k % 10}"
        v = s.vertices
        if v.shape[0] == 1:
            ax.plot(v[:, 0], v[:, 1], "o", color=color, label=label, zorder=3)
        elif v.shape[0] == 2:
            ax.plot(v[:, 0], v[:, 1], "-o", color=color, label=label, zorder=3)
        else:
            closed = np.vstack([v, v[:1]])
            if fill:
                ax.fill(v[:, 0], v[:, 1], color=color, alpha=0.18, lw=0)
            style = "-" if fill else "--"
            ax.plot(closed[:, 0], closed[:, 1], style, color=color, label=label, lw=1.6)
    ax.set_xlabel("row player: payoff per round")
    ax.set_ylabel("column player: payoff per round")
    # "box", not "datalim": it also works on axes that share their limits with others.
    ax.set_aspect("equal", adjustable="box")
    if legend:
        _legend_beside(ax)
    return ax
