"""Matplotlib helpers. Each takes an optional ``ax``, returns the Axes it drew on, never shows.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import numpy as np
>>> ax = payoff_heatmap(np.array([[3.0, 0.0], [5.0, 1.0]]), ["C", "D"])
>>> len(ax.texts)
4
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from allysim._validation import as_float_array

__all__ = ["mechanism_bars", "payoff_heatmap", "ranking_bars"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 5))
    return ax


def payoff_heatmap(
    matrix: np.ndarray,
    labels: Sequence[str],
    *,
    ax=None,
    title: str = "Payoff per round (row vs column)",
    fmt: str = "{:.2f}",
    cmap: str = "viridis",
):
    """Heatmap of an (n, n) strategy-vs-strategy payoff matrix with the values written in.

    Parameters
    ----------
    matrix : (n, n) array of payoffs per round (row player's).
    labels : n strategy names.
    ax : matplotlib Axes, optional; a new figure is made when omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    m = as_float_array(matrix, "matrix", shape=(None, None))
    if m.shape[0] != len(labels) or m.shape[1] != len(labels):
        raise ValueError(f"labels must name the {m.shape[0]} rows and columns of matrix")
    ax = _axes(ax)
    image = ax.imshow(m, cmap=cmap)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    mid = (np.nanmax(m) + np.nanmin(m)) / 2
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(
                j,
                i,
                fmt.format(m[i, j]),
                ha="center",
                va="center",
                fontsize=8,
                color="black" if m[i, j] > mid else "white",
            )
    ax.set_xlabel("partner (column)")
    ax.set_ylabel("focal organization (row)")
    ax.set_title(title)
    return ax


def ranking_bars(
    names: Sequence[str],
    scores: np.ndarray,
    *,
    errors: np.ndarray | None = None,
    ax=None,
    title: str = "Tournament score (payoff per round)",
):
    """Horizontal bars of scores, best on top, with optional error bars.

    Returns
    -------
    matplotlib.axes.Axes
    """
    s = as_float_array(scores, "scores", shape=(len(names),))
    order = np.argsort(s)
    ax = _axes(ax)
    err = None
    if errors is not None:
        err = np.asarray(errors, dtype=float)[order]
        err = np.where(np.isfinite(err), err, 0.0)
    ax.barh([names[i] for i in order], s[order], xerr=err, color="tab:blue")
    ax.set_xlabel("payoff per round")
    ax.set_title(title)
    return ax


def mechanism_bars(
    table,
    metrics: Sequence[str] = (
        "cooperation",
        "welfare",
        "tournament_cooperation",
        "deviation_margin",
    ),
    *,
    axes=None,
):
    """One bar chart per metric of a :func:`~allysim.comparison.compare_mechanisms` table.

    Bars are coloured by whether mutual contribution is an equilibrium in that scenario (green)
    or not (grey), when the table has an ``equilibrium`` column.

    Returns
    -------
    numpy array of matplotlib Axes, one per metric.
    """
    missing = [m for m in metrics if m not in table.columns]
    if missing:
        raise ValueError(f"metrics not in the table: {missing}")
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 4.5), sharey=True)
    axes = np.atleast_1d(axes)
    if len(axes) != len(metrics):
        raise ValueError(f"axes must hold {len(metrics)} Axes, one per metric")
    names = list(table["scenario"])
    colours = ["tab:gray"] * len(names)
    if "equilibrium" in table.columns:
        colours = ["tab:green" if e else "tab:gray" for e in table["equilibrium"]]
    for ax, metric in zip(axes, metrics, strict=True):
        ax.barh(names, table[metric].to_numpy(dtype=float), color=colours)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(metric.replace("_", " "))
    # The axes share y; invert it once so the first scenario is on top.
    if not axes[0].yaxis_inverted():
        axes[0].invert_yaxis()
    return axes
