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

    Examples
    --------
    >>> ax = ranking_bars(["TFT", "ALLD"], np.array([2.3, 2.1]))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['ALLD', 'TFT']
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
        ax.barh(names, table[metric].to_numpy(dtype=float), color=colours)
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

    The band is mean +- z * standard error (z for the two-sided ``level``; 1.96 for 95%).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = cooperation_over_time(np.array([[0.2, 0.4], [0.4, 0.6]]))
    >>> ax.lines[0].get_ydata().tolist()
    [0.30000000000000004, 0.5]
    """
    from scipy.stats import norm

    v = as_float_array(values, "values", shape=(None, None))
    ax = _axes(ax)
    steps = np.arange(v.shape[1])
    mean = v.mean(axis=0)
    line = ax.plot(steps, mean, label=label, color=color)[0]
    if v.shape[0] > 1:
        z = norm.ppf(0.5 + level / 2)
        half = z * v.std(axis=0, ddof=1) / np.sqrt(v.shape[0])
        ax.fill_between(steps, mean - half, mean + half, color=line.get_color(), alpha=0.25)
    ax.set_xlabel("step")
    ax.set_ylabel(label)
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="best")
    return ax


def trust_trajectories(model_vars, *, ax=None):
    """Mean competence, contractual and goodwill trust over time from a trust-model table.

    ``model_vars`` is ``TrustModel.datacollector.get_model_vars_dataframe()``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> df = TrustModel(n_organizations=20, seed=0).run(5, progress=False)
    >>> len(trust_trajectories(df).lines)
    3
    """
    ax = _axes(ax)
    for kind, style in (("competence", ":"), ("contractual", "--"), ("goodwill", "-")):
        ax.plot(model_vars.index, model_vars[f"trust_{kind}"], style, label=f"{kind} trust")
    ax.set_xlabel("step")
    ax.set_ylabel("mean trust")
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right")
    return ax


def stage_composition(model_vars, *, ax=None):
    """Stacked shares of partnerships in each stage, assessment to institutionalization.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> df = TrustModel(n_organizations=20, seed=0).run(5, progress=False)
    >>> len(stage_composition(df).collections)
    5
    """
    from allysim.abm.trust import STAGES

    ax = _axes(ax)
    shares = np.array([model_vars[f"stage_{s}"].to_numpy(dtype=float) for s in STAGES])
    ax.stackplot(model_vars.index, shares, labels=list(STAGES), alpha=0.85)
    ax.set_xlabel("step")
    ax.set_ylabel("share of partnerships")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8)
    return ax


def strategy_shares(shares, names: Sequence[str] | None = None, *, ax=None):
    """Stacked strategy shares over time.

    ``shares`` is a (steps, n) array with ``names``, or a trust-model table (its
    ``strategy_<name>`` columns are used).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = strategy_shares(np.array([[0.5, 0.5], [0.2, 0.8]]), ["TFT", "ALLD"])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['TFT', 'ALLD']
    """
    if hasattr(shares, "columns"):
        cols = [c for c in shares.columns if c.startswith("strategy_")]
        names = [c[len("strategy_") :] for c in cols]
        x, data = shares.index, shares[cols].to_numpy(dtype=float).T
    else:
        arr = as_float_array(shares, "shares", shape=(None, None))
        if names is None or len(names) != arr.shape[1]:
            raise ValueError("names must name every column of shares")
        x, data = np.arange(arr.shape[0]), arr.T
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

    Stable rest points are filled, unstable ones open. ``trajectories`` are (T, 3) share arrays
    (e.g. from :func:`allysim.evolution.replicator_dynamics`) drawn as lines.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> rps = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    >>> ax = simplex_flow(rps, ["rock", "paper", "scissors"])
    >>> sum(ln.get_marker() == "o" for ln in ax.lines)  # three vertices and the centre
    4
    """
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
        t = _to_xy(as_float_array(traj, "trajectory", shape=(None, 3)))
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
    neutral ``1/Z``; its width grows with ``fixation * Z``. ``result`` is a small-mutation
    :class:`~allysim.evolution.StationaryDistribution`.

    Returns
    -------
    matplotlib.axes.Axes

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
    ax.bar(x, shares, color="tab:blue", alpha=0.8)
    ax.set_xticks(x, names, rotation=45, ha="right")
    ax.set_ylabel("stationary share")
    top = max(shares.max(), 1e-9)
    ax.set_ylim(0, top * 1.6)
    rho = np.asarray(result.fixation)
    for i in range(shares.size):
        for j in range(shares.size):
            if i == j or rho[i, j] <= 1 / z:
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

    Nodes are coloured by strategy. ``model`` is a :class:`~allysim.abm.TrustModel`.

    Returns
    -------
    matplotlib.axes.Axes

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
        edge_cmap=plt.get_cmap("RdYlGn"),
        edge_vmin=0,
        edge_vmax=1,
    )
    if edges:
        ax.figure.colorbar(drawn, ax=ax, label=f"{kind} trust")
    ax.set_title(f"partnerships coloured by {kind} trust")
    ax.set_axis_off()
    return ax
