"""Figures of payoffs and rankings: a payoff matrix, a tournament ranking, mechanisms compared."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np

from allysim.plotting._common import _axes, _data_array, _names

__all__ = ["mechanism_bars", "payoff_heatmap", "ranking_bars"]


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
    matrix : array_like of shape (n, n)
        Payoffs per round of the row strategy against the column strategy; NaN cells (missing)
        are left blank.
    labels : sequence of str
        The n strategy names, for rows and columns alike.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.
    title : str, default "Payoff per round (row vs column)"
        Title of the Axes.
    fmt : str, default "{:.2f}"
        Format of the values written in the cells.
    cmap : str, default "viridis"
        Name of a matplotlib colormap.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, with one text per known cell.

    Examples
    --------
    >>> ax = payoff_heatmap(np.array([[3.0, np.nan], [5.0, 1.0]]), ["C", "D"])
    >>> [t.get_text() for t in ax.texts]
    ['3.00', '5.00', '1.00']
    """
    labels = _names(labels, "labels")
    m = _data_array(matrix, "matrix", shape=("strategies", "strategies"))
    if m.shape[0] != m.shape[1]:
        raise ValueError(f"matrix must be square (strategies, strategies), got {m.shape}")
    if m.shape[0] != len(labels):
        raise ValueError(f"labels must name the {m.shape[0]} rows and columns of matrix")
    ax = _axes(ax)
    known = np.isfinite(m)
    image = ax.imshow(np.ma.masked_invalid(m), cmap=cmap)
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    bar.set_label("row player's payoff per round")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    mid = (m[known].max() + m[known].min()) / 2 if known.any() else 0.0
    for i, j in zip(*np.nonzero(known), strict=True):
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

    Parameters
    ----------
    names : sequence of str
        Name of each strategy.
    scores : array_like of shape (n,)
        Score of each strategy (payoff per round); strategies with a NaN score are left out.
    errors : array_like of shape (n,) or None, default None
        Half-width of each error bar; NaN draws no bar.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.
    title : str, default "Tournament score (payoff per round)"
        Title of the Axes.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, one bar per strategy with a known score, best on top.

    Examples
    --------
    >>> ax = ranking_bars(["TFT", "ALLD", "NEW"], np.array([2.3, 2.1, np.nan]))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['ALLD', 'TFT']
    """
    names = _names(names, "names")
    s = _data_array(scores, "scores", shape=(len(names),))
    order = [i for i in np.argsort(s) if np.isfinite(s[i])]
    ax = _axes(ax)
    err = None
    if errors is not None:
        e = _data_array(errors, "errors", shape=(len(names),))[order]
        err = np.where(np.isfinite(e), e, 0.0)
    ax.barh([names[i] for i in order], s[order], xerr=err, color="tab:blue", capsize=3)
    ax.set_xlabel("payoff per round (mean over opponents)")
    ax.set_ylabel("strategy")
    ax.set_title(title)
    return ax


# What each bar of a mechanism comparison measures, for its axis label.
_METRIC_UNITS = {
    "cooperation": "contribution rate, 0-1 (long run of evolution)",
    "welfare": "payoff per round per partner, net of enforcement (long run)",
    "tournament_cooperation": "contribution rate, 0-1 (tournament strategies)",
    "deviation_margin": "payoff per round; > 0: deviating does not pay",
}


def mechanism_bars(
    table,
    metrics: Sequence[str] = ("cooperation", "welfare", "deviation_margin"),
    *,
    axes=None,
):
    """One bar chart per metric of a mechanism comparison table.

    The table is one from [`compare_mechanisms`][allysim.comparison.compare_mechanisms]. Bars
    are coloured by whether mutual contribution is an equilibrium in that scenario (green) or not
    (grey), when the table has an ``equilibrium`` column. A NaN value draws no bar.

    ``tournament_cooperation`` is not charted by default: the tournament's strategies are
    fixed and mechanisms change payoffs only, so it is the same under every payoff mechanism
    (it moves only with continuation and noise) and, among panels coloured by equilibrium,
    would read as an outcome. Pass it in ``metrics`` to chart it anyway.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per scenario, with a ``scenario`` column and one column per metric.
    metrics : sequence of str, default ("cooperation", "welfare", "deviation_margin")
        Columns to chart, one panel each.
    axes : sequence of matplotlib.axes.Axes or None, default None
        One Axes per metric; a new row of panels is made when None.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        One Axes per metric, first scenario on top.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"scenario": ["a", "b"], "cooperation": [0.1, 0.9]})
    >>> len(mechanism_bars(table, metrics=("cooperation",)))
    1
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(
            "table must be the DataFrame compare_mechanisms returns (a scenario column and one "
            f"column per metric), got {type(table).__name__}"
        )
    if isinstance(metrics, str):
        raise TypeError(f"metrics must be a sequence of column names, got the string {metrics!r}")
    if "scenario" not in table.columns:
        raise ValueError("table must have a scenario column (one row per scenario)")
    missing = [m for m in metrics if m not in table.columns]
    if missing:
        raise ValueError(
            f"metrics must name columns of table; {missing} are not among table's columns "
            f"{[str(c) for c in table.columns]}"
        )
    if axes is None:
        # Deferred: importing pyplot selects a backend, which only drawing should do.
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
        values = _data_array(table[metric].to_numpy(dtype=float), metric, shape=(len(names),))
        # A NaN-width bar would still claim its slot: draw it empty, keeping the scenario rows.
        ax.barh(names, np.where(np.isfinite(values), values, 0.0), color=colours)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(metric.replace("_", " "))
        # Wrapped: a unit line wider than its panel would run into the next panel's label.
        ax.set_xlabel(textwrap.fill(_METRIC_UNITS.get(metric, metric.replace("_", " ")), 30))
    axes[0].set_ylabel("scenario")
    # The axes share y; invert it once so the first scenario is on top.
    if not axes[0].yaxis_inverted():
        axes[0].invert_yaxis()
    return axes
