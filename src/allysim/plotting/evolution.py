"""Figures of evolutionary dynamics: replicator flow on the simplex, stationary distributions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.patches import FancyArrowPatch
from matplotlib.path import Path

from allysim._validation import as_float_array, check_int
from allysim.plotting._common import _axes, _data_array, _names

__all__ = ["simplex_flow", "stationary_bars"]


# Heights in stationary_bars, as multiples of the largest share: where the share axis ends,
# the arrows' base line, and the top of the Axes.
_HEADROOM = 1.08
_ARROW_BASE = 1.16
_ARROW_TOP = 1.75

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
    density = check_int(density, "density", minimum=2)
    a = as_float_array(payoff_matrix, "payoff_matrix", shape=(3, 3))
    labels = _names(labels, "labels")
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
        arr = _data_array(traj, "trajectories", shape=("steps", 3))
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
    # The axes are off, so the title says what arrows and dots are.
    ax.set_title(
        "replicator flow (arrows, colour: speed); dots: rest points, filled if stable",
        fontsize=9,
    )
    return ax


def stationary_bars(result, names: Sequence[str], *, ax=None, population: int | None = None):
    """Stationary shares as bars, with arrows for the transitions selection favours.

    An arrow from strategy j to i is drawn when ``fixation[i, j]`` (i invading j) beats the
    neutral ``1/Z``; its width grows with ``fixation * Z``. The arrows arc upwards in the
    unframed room above the bars (left-to-right arcs the taller); the share axis ends 8% above
    the largest share, with ticks no further than 1.

    Parameters
    ----------
    result : allysim.evolution.StationaryDistribution
        A small-mutation-limit result (one with ``fixation``).
    names : sequence of str
        Name of each strategy.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.
    population : int or None, default None
        Population size Z, >= 2; None reads it from the neutral ``fixation[0, 0] = 1/Z``.

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
    if not (hasattr(result, "shares") and hasattr(result, "fixation")):
        raise TypeError(
            "result must be the StationaryDistribution that stationary_distribution returns "
            f"(with shares and fixation), got {type(result).__name__}; pass "
            "stationary_distribution(payoff_matrix, population=..., selection=...)"
        )
    names = _names(names, "names")
    shares = np.asarray(result.shares, dtype=float)
    if len(names) != shares.size:
        raise ValueError("names must name every strategy")
    if result.fixation is None:
        raise ValueError("stationary_bars needs a small-mutation-limit result (with fixation)")
    if population is None:
        z = round(1 / result.fixation[0, 0])
    else:
        z = check_int(population, "population", minimum=2)
    ax = _axes(ax)
    x = np.arange(shares.size)
    ax.bar(x, np.where(np.isfinite(shares), shares, 0.0), color="tab:blue", alpha=0.8)
    ax.set_xticks(x, names, rotation=45, ha="right")
    ax.set_ylabel("stationary share")
    ax.set_xlabel(f"strategy (arrows: invasion favoured, fixation above 1/Z, Z = {z})")
    top = max(np.nanmax(shares, initial=0.0), 1e-9)
    # The share axis runs a little past the tallest bar, so a share of 0.9999 does not end
    # flush with it, but its ticks never read past 1. The arrows get the room above, which
    # has no frame: no top or right spine, and the left spine only along the shares.
    axis_end = top * _HEADROOM
    base = top * _ARROW_BASE
    ax.set_ylim(0, top * _ARROW_TOP)
    ticks = [t for t in ax.get_yticks() if 0 <= t <= min(1.0, axis_end) + 1e-12]
    ax.set_yticks(ticks)
    ax.spines["left"].set_bounds(0, axis_end)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    rho = np.asarray(result.fixation)
    span = max(shares.size - 1, 1)
    for i in range(shares.size):
        for j in range(shares.size):
            if i == j or not rho[i, j] > 1 / z:
                continue
            width = 0.5 + 2.5 * min(1.0, rho[i, j] * z / 10)
            # Every arc bows upwards from the arrows' base line, so none dips into the bars;
            # left-to-right arcs are the taller, so i -> j and j -> i nest without crossing.
            rise = (0.35 + 0.65 * abs(i - j) / span) * (1.0 if j < i else 0.55)
            peak = base + rise * (top * _ARROW_TOP - base) * 0.9
            # A quadratic Bezier curve peaks halfway to its control point.
            control = ((i + j) / 2, base + 2 * (peak - base))
            ax.add_patch(
                FancyArrowPatch(
                    path=Path(
                        [(j, base), control, (i, base)], [Path.MOVETO, Path.CURVE3, Path.CURVE3]
                    ),
                    arrowstyle="-|>",
                    mutation_scale=10,
                    lw=width,
                    color="tab:red",
                    alpha=0.6,
                )
            )
    return ax
