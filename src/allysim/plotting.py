"""Matplotlib helpers. Each takes an optional ``ax``, returns the Axes it drew on, never shows.

Missing values (NaN) in the data are skipped: the trust model reports NaN for the steps before
any partnership has played, so a line starts at the first step with data, a stacked area at the
first complete step, and a band only where two or more replicates have data. Axis limits stay
finite. Infinite values are still refused.

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

__all__ = [
    "cooperation_over_time",
    "mechanism_bars",
    "partnership_network",
    "payoff_heatmap",
    "ranking_bars",
    "simplex_flow",
    "stage_composition",
    "stationary_bars",
    "strategy_shares",
    "trust_trajectories",
]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(6, 5))
    return ax


def _data_array(value, name: str, *, shape: tuple[int | None, ...]) -> np.ndarray:
    """``value`` as a float array of ``shape`` in which NaN means missing; infinities raise."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of real numbers (NaN for missing)") from exc
    if arr.ndim != len(shape) or any(
        w is not None and h != w for h, w in zip(arr.shape, shape, strict=False)
    ):
        want = "(" + ", ".join("n" if w is None else str(w) for w in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if np.isinf(arr).any():
        raise ValueError(f"{name} must not contain infinities (NaN marks missing values)")
    return arr


def _finite_line(ax, x, y, *args, **kwargs):
    """Plot only the points where ``y`` is known, so a series with missing steps still draws."""
    x = np.asarray(x)
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(y)
    return ax.plot(x[keep], y[keep], *args, **kwargs)


def _complete_rows(x, data: np.ndarray):
    """Keep the columns (steps) of a (series, steps) array in which every series is known."""
    keep = np.isfinite(data).all(axis=0)
    return np.asarray(x)[keep], data[:, keep]


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
    m = _data_array(matrix, "matrix", shape=(None, None))
    if m.shape[0] != len(labels) or m.shape[1] != len(labels):
        raise ValueError(f"labels must name the {m.shape[0]} rows and columns of matrix")
    ax = _axes(ax)
    known = np.isfinite(m)
    image = ax.imshow(np.ma.masked_invalid(m), cmap=cmap)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
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
    s = _data_array(scores, "scores", shape=(len(names),))
    order = [i for i in np.argsort(s) if np.isfinite(s[i])]
    ax = _axes(ax)
    err = None
    if errors is not None:
        e = _data_array(errors, "errors", shape=(len(names),))[order]
        err = np.where(np.isfinite(e), e, 0.0)
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
    """One bar chart per metric of a mechanism comparison table.

    The table is one from [`compare_mechanisms`][allysim.comparison.compare_mechanisms]. Bars
    are coloured by whether mutual contribution is an equilibrium in that scenario (green) or not
    (grey), when the table has an ``equilibrium`` column. A NaN value draws no bar.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per scenario, with a ``scenario`` column and one column per metric.
    metrics : sequence of str, optional
        Columns to chart, one panel each; by default "cooperation", "welfare",
        "tournament_cooperation" and "deviation_margin".
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
        values = _data_array(table[metric].to_numpy(dtype=float), metric, shape=(len(names),))
        # A NaN-width bar would still claim its slot: draw it empty, keeping the scenario rows.
        ax.barh(names, np.where(np.isfinite(values), values, 0.0), color=colours)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(metric.replace("_", " "))
    # The axes share y; invert it once so the first scenario is on top.
    if not axes[0].yaxis_inverted():
        axes[0].invert_yaxis()
    return axes


def cooperation_over_time(
    values,
    *,
    ax=None,
    label: str = "contribution rate",
    color: str | None = None,
    level: float = 0.95,
):
    """Mean over replicates with a confidence band: ``values`` is (replicates, steps).

    At each step the mean is over the replicates with data (NaN is missing), and the band is
    mean +- z * standard error, z for the two-sided ``level`` (1.96 for 95%), drawn where at
    least two replicates have data. Steps without data are skipped.

    Parameters
    ----------
    values : array_like of shape (replicates, steps)
        A rate in [0, 1] per replicate and step; NaN marks a missing value.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.
    label : str, default "contribution rate"
        Legend label and y-axis label.
    color : str or None, default None
        Colour of the line and band; None takes the next colour of the cycle.
    level : float, default 0.95
        Confidence level of the band, in (0, 1).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: one line (the mean) and, with two or more replicates, one band.

    Examples
    --------
    >>> ax = cooperation_over_time(np.array([[np.nan, 0.4, 0.6], [np.nan, 0.6, 0.8]]))
    >>> ax.lines[0].get_xdata().tolist(), ax.lines[0].get_ydata().round(2).tolist()
    ([1, 2], [0.5, 0.7])
    """
    from scipy.stats import norm

    from allysim._validation import check_interval

    level = check_interval(level, "level", 0.0, 1.0, low_open=True, high_open=True)
    v = _data_array(values, "values", shape=(None, None))
    ax = _axes(ax)
    steps = np.arange(v.shape[1])
    known = np.isfinite(v)
    count = known.sum(axis=0)
    total = np.where(known, v, 0.0).sum(axis=0)
    has = count > 0
    mean = np.full(v.shape[1], np.nan)
    mean[has] = total[has] / count[has]
    line = _finite_line(ax, steps, mean, label=label, color=color)[0]
    banded = count > 1
    if banded.any():
        dev = np.where(known, v - mean, 0.0)
        var = (dev**2).sum(axis=0)[banded] / (count[banded] - 1)
        half = norm.ppf(0.5 + level / 2) * np.sqrt(var / count[banded])
        ax.fill_between(
            steps[banded],
            mean[banded] - half,
            mean[banded] + half,
            color=line.get_color(),
            alpha=0.25,
        )
    ax.set_xlabel("step")
    ax.set_ylabel(label)
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="best")
    return ax


def trust_trajectories(model_vars, *, ax=None):
    """Mean competence, contractual and goodwill trust over time from a trust-model table.

    Steps where a trust is missing (NaN, before any partnership has played) are skipped.

    Parameters
    ----------
    model_vars : pandas.DataFrame
        ``TrustModel.datacollector.get_model_vars_dataframe()``, or any table indexed by step
        with columns ``trust_competence``, ``trust_contractual`` and ``trust_goodwill``.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, one line per kind of trust.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> df = TrustModel(n_organizations=20, seed=0).run(5, progress=False)
    >>> len(trust_trajectories(df).lines)
    3
    """
    ax = _axes(ax)
    for kind, style in (("competence", ":"), ("contractual", "--"), ("goodwill", "-")):
        column = _data_array(model_vars[f"trust_{kind}"], f"trust_{kind}", shape=(None,))
        _finite_line(ax, model_vars.index, column, style, label=f"{kind} trust")
    ax.set_xlabel("step")
    ax.set_ylabel("mean trust")
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right")
    return ax


def stage_composition(model_vars, *, ax=None):
    """Stacked shares of partnerships in each stage, assessment to institutionalization.

    Steps where any share is missing (NaN, no partnership yet) are skipped.

    Parameters
    ----------
    model_vars : pandas.DataFrame
        ``TrustModel.datacollector.get_model_vars_dataframe()``, or any table indexed by step
        with one ``stage_<name>`` column per stage of ``allysim.abm.trust.STAGES``.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, one stacked area per stage.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> df = TrustModel(n_organizations=20, seed=0).run(5, progress=False)
    >>> len(stage_composition(df).collections)
    5
    """
    from allysim.abm.trust import STAGES

    ax = _axes(ax)
    shares = np.array(
        [_data_array(model_vars[f"stage_{s}"], f"stage_{s}", shape=(None,)) for s in STAGES]
    )
    x, shares = _complete_rows(model_vars.index, shares)
    ax.stackplot(x, shares, labels=list(STAGES), alpha=0.85)
    ax.set_xlabel("step")
    ax.set_ylabel("share of partnerships")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    return ax


def strategy_shares(shares, names: Sequence[str] | None = None, *, ax=None):
    """Stacked strategy shares over time.

    Steps where any share is missing (NaN) are skipped.

    Parameters
    ----------
    shares : array_like of shape (steps, n) or pandas.DataFrame
        Share of each strategy at each step, or a trust-model table (its ``strategy_<name>``
        columns are used and ``names`` is ignored).
    names : sequence of str or None, default None
        The n strategy names; required with an array.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, one stacked area per strategy.

    Examples
    --------
    >>> ax = strategy_shares(np.array([[0.5, 0.5], [0.2, 0.8]]), ["TFT", "ALLD"])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['TFT', 'ALLD']
    """
    if hasattr(shares, "columns"):
        cols = [c for c in shares.columns if c.startswith("strategy_")]
        names = [c[len("strategy_") :] for c in cols]
        x = shares.index
        data = _data_array(shares[cols].to_numpy(dtype=float), "shares", shape=(None, None)).T
    else:
        arr = _data_array(shares, "shares", shape=(None, None))
        if names is None or len(names) != arr.shape[1]:
            raise ValueError("names must name every column of shares")
        x, data = np.arange(arr.shape[0]), arr.T
    x, data = _complete_rows(x, data)
    ax = _axes(ax)
    ax.stackplot(x, data, labels=list(names), alpha=0.9)
    ax.set_xlabel("step")
    ax.set_ylabel("share of organizations")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    return ax


_TRIANGLE = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])


def _to_xy(x: np.ndarray) -> np.ndarray:
    return x @ _TRIANGLE


def _replicator(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    f = x @ a.T
    phi = (x * f).sum(axis=-1, keepdims=True)
    return x * (f - phi)


def _fixed_points(a: np.ndarray) -> list[np.ndarray]:
    pts = [np.eye(3)[i] for i in range(3)]
    for i, j in ((0, 1), (0, 2), (1, 2)):
        # x_i a_ii + (1-x_i) a_ij = x_i a_ji + (1-x_i) a_jj on the edge i-j.
        den = a[i, i] - a[i, j] - a[j, i] + a[j, j]
        if abs(den) > 1e-12:
            xi = (a[j, j] - a[i, j]) / den
            if 1e-9 < xi < 1 - 1e-9:
                p = np.zeros(3)
                p[i], p[j] = xi, 1 - xi
                pts.append(p)
    m = np.vstack([np.hstack([a, -np.ones((3, 1))]), [1, 1, 1, 0]])
    try:
        sol = np.linalg.solve(m, [0, 0, 0, 1])[:3]
        if np.all(sol > 1e-9):
            pts.append(sol)
    except np.linalg.LinAlgError:
        pass
    return pts


def _is_stable(a: np.ndarray, x: np.ndarray) -> bool:
    """Asymptotic stability within the simplex, from the Jacobian on its tangent space."""
    eps = 1e-6
    basis = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, -1.0]]).T  # tangent directions
    jac = np.empty((3, 2))
    for k in range(2):
        d = basis[:, k] * eps
        jac[:, k] = (_replicator(a, x + d) - _replicator(a, x - d)) / (2 * eps)
    reduced = np.linalg.lstsq(basis, jac, rcond=None)[0]
    return bool(np.all(np.linalg.eigvals(reduced).real < -1e-9))


def simplex_flow(
    payoff_matrix: np.ndarray,
    labels: Sequence[str],
    *,
    ax=None,
    density: int = 14,
    trajectories: Sequence[np.ndarray] = (),
):
    """Replicator dynamics of three strategies on the simplex: flow arrows and fixed points.

    Stable rest points are filled, unstable ones open; stability is read from the Jacobian of
    the replicator equation on the simplex's tangent space.

    Parameters
    ----------
    payoff_matrix : array_like of shape (3, 3)
        Payoff of the row strategy against the column strategy (finite).
    labels : sequence of str
        The three strategy names, written at the corners.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.
    density : int, default 14
        Grid points per edge at which an arrow is drawn, >= 2.
    trajectories : sequence of array_like of shape (T, 3), default ()
        Share trajectories drawn as lines (e.g. from
        [`allysim.evolution.replicator_dynamics`][allysim.evolution.replicator_dynamics]); rows
        with a NaN are skipped.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, without axis lines.

    Examples
    --------
    >>> rps = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    >>> ax = simplex_flow(rps, ["rock", "paper", "scissors"])
    >>> sum(ln.get_marker() == "o" for ln in ax.lines)  # three vertices and the centre
    4
    """
    from allysim._validation import check_int

    density = check_int(density, "density", minimum=2)
    a = as_float_array(payoff_matrix, "payoff_matrix", shape=(3, 3))
    if len(labels) != 3:
        raise ValueError("labels must name the three strategies")
    ax = _axes(ax)
    corners = np.vstack([_TRIANGLE, _TRIANGLE[:1]])
    ax.plot(corners[:, 0], corners[:, 1], color="black", lw=1)
    g = np.linspace(0, 1, density)
    pts = np.array([[u, v, 1 - u - v] for u in g for v in g if u + v <= 1 + 1e-12])
    pts = pts[(pts > 1e-3).all(axis=1)]
    vel = _replicator(a, pts)
    xy, dxy = _to_xy(pts), vel @ _TRIANGLE
    speed = np.linalg.norm(dxy, axis=1)
    norm_d = dxy / np.where(speed > 0, speed, 1)[:, None]
    ax.quiver(
        xy[:, 0],
        xy[:, 1],
        norm_d[:, 0],
        norm_d[:, 1],
        speed,
        cmap="viridis",
        angles="xy",
        scale_units="xy",
        scale=density * 1.4,
        width=0.004,
    )
    for traj in trajectories:
        arr = _data_array(traj, "trajectories", shape=(None, 3))
        t = _to_xy(arr[np.isfinite(arr).all(axis=1)])
        ax.plot(t[:, 0], t[:, 1], color="tab:red", lw=1.5)
    for p in _fixed_points(a):
        x, y = _to_xy(p)
        stable = _is_stable(a, p)
        ax.plot(
            x, y, "o", ms=9, mec="black", mfc="black" if stable else "white", zorder=5, label=None
        )
    for (x, y), name, dy in zip(_TRIANGLE, labels, (-0.06, -0.06, 0.03), strict=True):
        ax.text(x, y + dy, name, ha="center", fontsize=11)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


def stationary_bars(result, names: Sequence[str], *, ax=None, population: int | None = None):
    """Stationary shares as bars, with arrows for the transitions selection favours.

    An arrow from strategy j to i is drawn when ``fixation[i, j]`` (i invading j) beats the
    neutral ``1/Z``; its width grows with ``fixation * Z``.

    Parameters
    ----------
    result : allysim.evolution.StationaryDistribution
        A small-mutation-limit result (one with ``fixation``).
    names : sequence of str
        Name of each strategy.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.
    population : int or None, default None
        Population size Z; None reads it from the neutral ``fixation[0, 0] = 1/Z``.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: one bar per strategy, then the arrows.

    Examples
    --------
    >>> from allysim.evolution import stationary_distribution
    >>> res = stationary_distribution(np.array([[3.0, 0.0], [5.0, 1.0]]), population=20,
    ...                               selection=1.0)
    >>> ax = stationary_bars(res, ["C", "D"])
    >>> [round(float(p.get_height()), 3) for p in ax.patches[:2]]
    [0.0, 1.0]
    """
    from matplotlib.patches import FancyArrowPatch

    shares = np.asarray(result.shares, dtype=float)
    if len(names) != shares.size:
        raise ValueError("names must name every strategy")
    if result.fixation is None:
        raise ValueError("stationary_bars needs a small-mutation-limit result (with fixation)")
    z = population or round(1 / result.fixation[0, 0])
    ax = _axes(ax)
    x = np.arange(shares.size)
    ax.bar(x, np.where(np.isfinite(shares), shares, 0.0), color="tab:blue", alpha=0.8)
    ax.set_xticks(x, names, rotation=45, ha="right")
    ax.set_ylabel("stationary share")
    top = max(np.nanmax(shares, initial=0.0), 1e-9)
    ax.set_ylim(0, top * 1.6)
    rho = np.asarray(result.fixation)
    for i in range(shares.size):
        for j in range(shares.size):
            if i == j or not rho[i, j] > 1 / z:
                continue
            width = 0.5 + 2.5 * min(1.0, rho[i, j] * z / 10)
            ax.add_patch(
                FancyArrowPatch(
                    (j, top * 1.1),
                    (i, top * 1.1),
                    connectionstyle="arc3,rad=-0.4",
                    arrowstyle="-|>",
                    mutation_scale=10,
                    lw=width,
                    color="tab:red",
                    alpha=0.6,
                )
            )
    return ax


def partnership_network(model, *, ax=None, kind: str = "goodwill", seed: int = 0):
    """The organizations and their partnerships, edges coloured by mean trust of ``kind``.

    Nodes are coloured by strategy; an edge whose trust is missing (NaN) is drawn grey.

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
    import matplotlib.pyplot as plt
    import networkx as nx

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
        edge_cmap=plt.get_cmap("RdYlGn").with_extremes(bad="lightgrey"),
        edge_vmin=0,
        edge_vmax=1,
    )
    if edges:
        ax.figure.colorbar(drawn, ax=ax, label=f"{kind} trust")
    ax.set_title(f"partnerships coloured by {kind} trust")
    ax.set_axis_off()
    return ax
