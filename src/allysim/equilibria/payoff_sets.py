"""Subgame-perfect equilibrium payoff sets of discounted repeated two-player games.

The set ``V`` of payoff pairs of pure-strategy subgame-perfect equilibria of the infinitely
repeated game with perfect monitoring, public randomization and common discount factor
``delta`` (called the continuation probability ``w`` elsewhere in allysim), with payoffs
normalised to per-round units, ``(1 - delta) * sum_t delta**t * u_t``. ``V`` is the largest
fixed point of the Abreu-Pearce-Stacchetti operator

    B(W) = co U_a { (1 - delta) u(a) + delta w : w in W, w_i >= p_i + (1 - delta)/delta g_i(a) },

where ``g_i(a)`` is player i's best one-shot deviation gain at action profile ``a`` and
``p_i = min {w_i : w in W}`` the worst continuation payoff (the punishment) for player i
(Abreu, Pearce & Stacchetti 1990, Econometrica 58: 1041-1063). Three ways to compute it:

* ``"abreu-sannikov"``: the exact algorithm of Abreu & Sannikov (2014, Theoretical Economics 9:
  313-338) for two players, which keeps at most four candidate extreme points per action profile
  and converges to the vertices of ``V``;
* ``"outer"``: the outer approximation of Judd, Yeltekin & Conklin (2003, Econometrica 71:
  1239-1254), a polygon of supporting half-planes in ``D`` directions, each level the value of a
  linear program; it contains ``V``;
* ``"inner"``: their inner approximation, the convex hull of the ``D`` maximising points; it is
  contained in ``V``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from allysim._results import SavedResult
from allysim._validation import (
    as_float_array,
    check_game,
    check_int,
    check_nonnegative,
    check_real,
)

__all__ = ["PayoffSet", "equilibrium_payoffs", "feasible_payoffs", "plot_payoff_set"]

Method = Literal["abreu-sannikov", "outer", "inner"]
Solver = Literal["vertex", "linprog"]
_METHODS = ("abreu-sannikov", "outer", "inner")
_SOLVERS = ("vertex", "linprog")


@dataclass(frozen=True, repr=False, eq=False)
class PayoffSet(SavedResult):
    """A convex set of payoff pairs (a polygon, a segment or a point), as a solver returns it.

    Parameters
    ----------
    vertices : numpy.ndarray, shape (k, 2)
        The extreme points in counterclockwise order, starting from the one with the least row
        payoff (then least column payoff); payoffs per round (normalised). One row for a point,
        two for a segment.
    method : str
        How it was computed: ``"abreu-sannikov"``, ``"outer"``, ``"inner"`` or ``"feasible"``.
    continuation : float
        Discount factor delta in (0, 1) (NaN for the feasible set, which has none).
    iterations : int
        Operator iterations performed (0 for the feasible set).
    tolerance : float
        Hausdorff distance between the last two iterates (payoff units): the stated convergence
        reached (0 for the feasible set).
    threat : numpy.ndarray, shape (2,)
        The worst payoff of each player in the set: the punishment that deters deviations.
    directions : int
        Number of search directions D of the Judd-Yeltekin-Conklin approximations (0 for the
        other methods).
    converged : bool
        Whether ``tolerance`` fell below the requested tolerance before the iteration limit.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> s = equilibrium_payoffs(PrisonersDilemma(), 0.6)  # R, S, T, P = 3, 0, 5, 1
    >>> s
    PayoffSet(abreu-sannikov, delta=0.6, 4 vertices, area=6.66667, 41 iterations, converged)
    >>> s.vertices.round(4).tolist()
    [[1.0, 1.0], [4.3333, 1.0], [3.0, 3.0], [1.0, 4.3333]]
    >>> s.contains([3, 3]), s.contains([3.5, 3.5])
    (True, False)
    """

    vertices: np.ndarray
    method: str
    continuation: float
    iterations: int
    tolerance: float
    threat: np.ndarray
    directions: int
    converged: bool

    def __post_init__(self) -> None:
        v = as_float_array(self.vertices, "vertices", shape=(None, 2))
        if v.shape[0] < 1:
            raise ValueError("vertices must hold at least one point, got none")
        v = np.array(v, dtype=float, copy=True)
        v.setflags(write=False)
        t = np.array(as_float_array(self.threat, "threat", shape=(2,)), dtype=float, copy=True)
        t.setflags(write=False)
        object.__setattr__(self, "vertices", v)
        object.__setattr__(self, "threat", t)
        object.__setattr__(self, "continuation", float(self.continuation))
        object.__setattr__(self, "iterations", int(self.iterations))
        object.__setattr__(self, "tolerance", float(self.tolerance))
        object.__setattr__(self, "directions", int(self.directions))
        object.__setattr__(self, "converged", bool(self.converged))

    def __repr__(self) -> str:
        n = self.vertices.shape[0]
        state = "converged" if self.converged else f"not converged (gap {self.tolerance:.2g})"
        d = f", D={self.directions}" if self.directions else ""
        return (
            f"PayoffSet({self.method}, delta={self.continuation:g}{d}, {n} "
            f"vert{'ex' if n == 1 else 'ices'}, area={self.area:.6g}, "
            f"{self.iterations} iterations, {state})"
        )

    @property
    def area(self) -> float:
        """Area of the set (payoff units squared); 0 for a point or a segment."""
        return _area(self.vertices)

    def contains(self, point: Any, tol: float = 1e-7) -> bool:
        """Whether a payoff pair lies in the set, up to a distance ``tol``.

        Parameters
        ----------
        point : array_like, shape (2,)
            Row and column player's payoff per round.
        tol : float, default 1e-07
            Largest distance (payoff units, >= 0) from the set still counted as inside.

        Returns
        -------
        bool
            True when the Euclidean distance from ``point`` to the set is at most ``tol``.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> s = equilibrium_payoffs(PrisonersDilemma(), 0.1)  # only mutual defection
        >>> s.contains([1, 1]), s.contains([1, 1.01]), s.contains([1, 1.01], tol=0.02)
        (True, False, True)
        """
        p = as_float_array(point, "point", shape=(2,))
        tol = check_nonnegative(tol, "tol")
        return bool(_distances(p[None, :], self.vertices)[0] <= tol)

    def hausdorff(self, other: PayoffSet) -> float:
        """Hausdorff distance to another set (payoff units).

        Parameters
        ----------
        other : PayoffSet
            The set to compare with.

        Returns
        -------
        float
            The largest distance from a point of either set to the other set.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> g = PrisonersDilemma()
        >>> exact = equilibrium_payoffs(g, 0.6)
        >>> outer = equilibrium_payoffs(g, 0.6, "outer", directions=8)
        >>> round(exact.hausdorff(outer), 4)
        0.4438
        """
        if not isinstance(other, PayoffSet):
            raise TypeError(f"other must be a PayoffSet, got {type(other).__name__}")
        return _hausdorff(self.vertices, other.vertices)

    def plot(self, ax: Any = None, *, label: str | None = None, color: Any = None) -> Any:
        """Draw the set: a filled polygon, a segment or a point, on labelled axes.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; default a new figure.
        label : str, optional
            Legend entry; default the method and the discount factor.
        color : matplotlib colour, optional
            Colour of the outline and the fill; default the next colour of the cycle.

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from allysim.games import PrisonersDilemma
        >>> ax = equilibrium_payoffs(PrisonersDilemma(), 0.9).plot()
        >>> ax.get_xlabel()
        'row player: payoff per round'
        """
        return plot_payoff_set(
            [self],
            ax=ax,
            labels=None if label is None else [label],
            colors=None if color is None else [color],
            legend=False,
        )


def equilibrium_payoffs(
    game: Any,
    continuation: float,
    method: Method = "abreu-sannikov",
    *,
    directions: int | None = None,
    solver: Solver = "vertex",
    tol: float = 1e-9,
    max_iter: int = 20_000,
    progress: bool = False,
) -> PayoffSet:
    """The set of pure-strategy subgame-perfect equilibrium payoffs of the repeated game.

    Perfect monitoring, public randomization, common discount factor ``continuation`` and payoffs
    normalised to per-round units. Every method starts from the feasible set (the convex hull
    of the stage payoffs) and applies its operator until two iterates lie within Hausdorff
    distance ``tol``; the punishment of each player is the worst payoff for that player in the
    current iterate. Methods: ``"abreu-sannikov"`` (Abreu & Sannikov 2014, exact vertices),
    ``"outer"`` and ``"inner"`` (Judd, Yeltekin & Conklin 2003; ``outer`` contains the set,
    ``inner`` is contained in it, and both close in on it as ``directions`` grows).

    Parameters
    ----------
    game : StageGame or nashpy.Game or (array_like, array_like)
        The two-player stage game, n x m actions (payoffs per round).
    continuation : float
        Discount factor delta, in (0, 1): the weight of the next round (the continuation
        probability).
    method : str, default "abreu-sannikov"
        ``"abreu-sannikov"``, ``"outer"`` or ``"inner"``.
    directions : int, optional
        Number D >= 3 of search directions, equally spaced angles starting at 0, for
        ``"outer"`` and ``"inner"`` (default 32); not accepted by ``"abreu-sannikov"``.
    solver : str, default "vertex"
        How ``"outer"`` and ``"inner"`` solve their linear programs in two unknowns: ``"vertex"``
        evaluates the objective at the vertices of the clipped feasible polygon (exact and
        fast); ``"linprog"`` calls ``scipy.optimize.linprog`` (HiGHS) for each direction and
        action profile, as Judd, Yeltekin & Conklin do. Ignored by ``"abreu-sannikov"``.
    tol : float, default 1e-09
        Stop when successive iterates (and punishments) are within this Hausdorff distance,
        > 0, in payoff units.
    max_iter : int, default 20000
        Largest number of iterations, >= 1; ``converged`` is False when it is reached first.
        Convergence is geometric at rate about ``continuation``, so values near 1 need more.
    progress : bool, default False
        Show a tqdm progress bar over the iterations.

    Returns
    -------
    PayoffSet
        The set (vertices counterclockwise), the method, the iterations, the tolerance reached
        and the punishment payoffs.

    Raises
    ------
    TypeError
        ``game`` is not a game, or a number is not a real number or an int.
    ValueError
        ``continuation`` is outside (0, 1), ``method`` or ``solver`` is unknown, ``directions`` is
        below 3 or given to ``"abreu-sannikov"``, ``tol`` <= 0, ``max_iter`` < 1, or the game has
        no pure-strategy subgame-perfect equilibrium at this discount factor (e.g. matching
        pennies).

    Notes
    -----
    Mutual cooperation in a prisoner's dilemma (R, S, T, P) is an equilibrium payoff exactly when
    ``continuation >= (T - R) / (T - P)`` (grim trigger), and as ``continuation`` tends to 1 the set
    fills the feasible, individually rational set (the folk theorem, see
    [`feasible_payoffs`][allysim.equilibria.feasible_payoffs]).

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> g = PrisonersDilemma()  # R, S, T, P = 3, 0, 5, 1
    >>> equilibrium_payoffs(g, 0.5).contains([3, 3]), equilibrium_payoffs(g, 0.49).contains([3, 3])
    (True, False)
    >>> outer = equilibrium_payoffs(g, 0.6, "outer", directions=16)
    >>> inner = equilibrium_payoffs(g, 0.6, "inner", directions=16)
    >>> exact = equilibrium_payoffs(g, 0.6)
    >>> bool(inner.area <= exact.area <= outer.area)
    True
    """
    game = check_game(game, "game")
    delta = check_real(continuation, "continuation")
    if not 0.0 < delta < 1.0:
        raise ValueError(f"continuation must be in (0, 1), got {delta!r}")
    if not isinstance(method, str) or method not in _METHODS:
        raise ValueError(
            f"method must be one of 'abreu-sannikov', 'outer', 'inner', got {method!r}"
        )
    if not isinstance(solver, str) or solver not in _SOLVERS:
        raise ValueError(f"solver must be 'vertex' or 'linprog', got {solver!r}")
    if method == "abreu-sannikov":
        if directions is not None:
            raise ValueError(
                "directions applies to method 'outer' and 'inner' only; 'abreu-sannikov' "
                "finds the vertices themselves"
            )
        n_dir = 0
    else:
        n_dir = 32 if directions is None else check_int(directions, "directions", minimum=3)
    tol = check_real(tol, "tol")
    if not tol > 0:
        raise ValueError(f"tol must be > 0, got {tol!r}")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")

    u = np.stack([game.row_payoffs.ravel(), game.col_payoffs.ravel()], axis=1)
    gains = _deviation_gains(game.row_payoffs, game.col_payoffs)
    scale = max(1.0, float(np.abs(u).max()))
    eps = 1e-11 * scale
    step: Callable[[np.ndarray, np.ndarray], np.ndarray | None]
    if method == "abreu-sannikov":
        step = _AbreuSannikov(u, gains, delta, eps)
    else:
        step = _JYC(u, gains, delta, eps, n_dir, method == "outer", solver)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        # The number of iterations is not known in advance; the bar counts them.
        bar = tqdm(desc=f"{method} iterations", leave=False)
    poly = _hull(u, eps)
    threat = poly.min(axis=0)
    gap = math.inf
    it = 0
    try:
        while it < max_iter:
            new_poly = step(poly, threat)
            if new_poly is None:
                raise ValueError(
                    f"the game has no pure-strategy subgame-perfect equilibrium at continuation "
                    f"{delta!r} (no action profile is incentive compatible); try a larger "
                    "continuation"
                )
            new_threat = new_poly.min(axis=0)
            gap = max(_hausdorff(poly, new_poly), float(np.abs(new_threat - threat).max()))
            poly, threat = new_poly, new_threat
            it += 1
            if bar is not None:
                bar.update(1)
            if gap <= tol:
                break
    finally:
        if bar is not None:
            bar.close()
    # The iterates approach the fixed point geometrically at rate about delta, so the last one
    # is within about tol / (1 - delta) of it; a vertex that close to the chord of its
    # neighbours is an artefact of stopping early, not a vertex of the set.
    poly = _hull(poly, max(eps, min(10.0 * tol / (1.0 - delta), 1e-6 * scale)))
    return PayoffSet(
        vertices=_canonical(poly),
        method=method,
        continuation=delta,
        iterations=it,
        tolerance=gap,
        threat=threat,
        directions=n_dir,
        converged=gap <= tol,
    )


def feasible_payoffs(game: Any, individually_rational: bool = True) -> PayoffSet:
    """The feasible payoff set, optionally cut to payoffs at or above each player's minmax.

    Feasible: the convex hull of the stage payoff pairs (public randomization mixes outcomes).
    Individually rational: at least the pure-action minmax payoff ``min over the partner's
    actions of max over one's own``, the least payoff a player can guarantee against pure
    punishments. The folk theorem (Fudenberg & Maskin 1986, Econometrica 54: 533-554) says the
    equilibrium payoff set tends to this set as the discount factor tends to 1, when the pure
    minmax profiles are equilibria or can be enforced (as in the prisoner's dilemma).

    Parameters
    ----------
    game : StageGame or nashpy.Game or (array_like, array_like)
        The two-player stage game.
    individually_rational : bool, default True
        Cut the hull to payoffs at or above both pure minmax payoffs.

    Returns
    -------
    PayoffSet
        With ``method="feasible"``, ``continuation`` NaN and ``threat`` the two minmax payoffs
        (or the least payoffs when ``individually_rational`` is False).

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> f = feasible_payoffs(PrisonersDilemma())
    >>> f.vertices.round(4).tolist(), round(f.area, 4)
    ([[1.0, 1.0], [4.3333, 1.0], [3.0, 3.0], [1.0, 4.3333]], 6.6667)
    """
    game = check_game(game, "game")
    if not isinstance(individually_rational, bool):
        raise TypeError(
            f"individually_rational must be a bool, got {type(individually_rational).__name__}"
        )
    row, col = game.row_payoffs, game.col_payoffs
    u = np.stack([row.ravel(), col.ravel()], axis=1)
    eps = 1e-11 * max(1.0, float(np.abs(u).max()))
    poly = _hull(u, eps)
    if individually_rational:
        minmax = np.array([row.max(axis=0).min(), col.max(axis=1).min()])
        for i in range(2):
            normal = np.zeros(2)
            normal[i] = -1.0
            poly = _clip(poly, normal, -minmax[i], eps)
        poly = _hull(poly, eps)
    return PayoffSet(
        vertices=_canonical(poly),
        method="feasible",
        continuation=math.nan,
        iterations=0,
        tolerance=0.0,
        threat=poly.min(axis=0),
        directions=0,
        converged=True,
    )


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
    >>> from allysim.games import PrisonersDilemma
    >>> g = PrisonersDilemma()
    >>> sets = [feasible_payoffs(g), equilibrium_payoffs(g, 0.3)]
    >>> ax = plot_payoff_set(sets, labels=["feasible, IR", "delta 0.3"])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['feasible, IR', 'delta 0.3']
    """
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


# --- the operators ---------------------------------------------------------------------------


def _deviation_gains(row: np.ndarray, col: np.ndarray) -> np.ndarray:
    """Best one-shot deviation gain of each player per action profile, shape (n*m, 2)."""
    g_row = row.max(axis=0, keepdims=True) - row
    g_col = col.max(axis=1, keepdims=True) - col
    return np.stack([g_row.ravel(), g_col.ravel()], axis=1)


class _AbreuSannikov:
    """One application of the Abreu-Sannikov (2014) operator R(W, p) (their Section 3).

    For each action profile a with payoff u(a) and incentive region
    Q(a) = {w : w_i >= p_i + (1 - delta)/delta g_i(a)}: if u(a) lies in W and in Q(a), the only
    extreme point a generates is u(a) itself (play a for ever); otherwise the candidates are the
    extreme points of W n Q(a) on the boundary of Q(a) (where an incentive constraint binds: at
    most four, the corner of Q(a) included when it lies in W), mapped to
    (1 - delta) u(a) + delta w. The new set is the convex hull of all candidates.
    """

    def __init__(self, u: np.ndarray, gains: np.ndarray, delta: float, eps: float) -> None:
        self.u, self.delta, self.eps = u, delta, eps
        self.slack = (1.0 - delta) / delta * gains

    def __call__(self, poly: np.ndarray, threat: np.ndarray) -> np.ndarray | None:
        eps, delta = self.eps, self.delta
        points: list[np.ndarray] = []
        for ua, s in zip(self.u, self.slack, strict=True):
            ic = threat + s
            if np.all(ua >= ic - eps) and _distances(ua[None, :], poly)[0] <= eps:
                points.append(ua)
                continue
            part = _clip_quadrant(poly, ic, eps)
            on_line = (np.abs(part - ic) <= eps).any(axis=1)
            points.extend((1.0 - delta) * ua + delta * part[on_line])
        if not points:
            return None
        return _hull(np.array(points), eps)


class _JYC:
    """One application of the Judd-Yeltekin-Conklin (2003) outer or inner operator.

    For each direction h_l (angle 2 pi l / D) and action profile a, the linear program
    max h_l . ((1 - delta) u(a) + delta w) over w in W with w in Q(a). Outer: the new set is
    the intersection of the half-planes h_l . x <= (largest value over a), which contains
    B(W). Inner: the new set is the convex hull of the maximising points, which lies in B(W).
    """

    def __init__(
        self,
        u: np.ndarray,
        gains: np.ndarray,
        delta: float,
        eps: float,
        n_dir: int,
        outer: bool,
        solver: str,
    ) -> None:
        self.u, self.delta, self.eps, self.outer, self.solver = u, delta, eps, outer, solver
        self.slack = (1.0 - delta) / delta * gains
        angles = 2.0 * np.pi * np.arange(n_dir) / n_dir
        h = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        # Exact axis directions: the punishments are read off them.
        h[np.abs(h) < 1e-15] = 0.0
        self.h = h
        lo, hi = u.min(axis=0) - 1.0, u.max(axis=0) + 1.0
        self.box = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
        self.levels: np.ndarray | None = None

    def _polygon(self, levels: np.ndarray) -> np.ndarray:
        poly = self.box
        for hl, cl in zip(self.h, levels, strict=True):
            poly = _clip(poly, hl, cl, self.eps)
            if poly.shape[0] == 0:
                break
        return _hull(poly, self.eps) if poly.shape[0] else poly

    def __call__(self, poly: np.ndarray, threat: np.ndarray) -> np.ndarray | None:
        if self.levels is None and self.outer:
            self.levels = (poly @ self.h.T).max(axis=0)
        if self.solver == "linprog":
            return self._step_linprog(poly)
        best = np.full(len(self.h), -np.inf)
        arg = np.zeros((len(self.h), 2))
        for ua, s in zip(self.u, self.slack, strict=True):
            ic = threat + s
            part = _clip_quadrant(poly, ic, self.eps)
            if part.shape[0] == 0:
                continue
            images = (1.0 - self.delta) * ua + self.delta * part
            values = images @ self.h.T
            k = values.argmax(axis=0)
            top = values[k, np.arange(len(self.h))]
            better = top > best
            best[better] = top[better]
            arg[better] = images[k[better]]
        if not np.isfinite(best).all():
            return None
        if self.outer:
            self.levels = best
            new = self._polygon(best)
            return new if new.shape[0] else None
        return _hull(arg, self.eps)

    def _step_linprog(self, poly: np.ndarray) -> np.ndarray | None:
        from scipy.optimize import linprog

        n_dir = len(self.h)
        if self.outer:
            assert self.levels is not None
            a_ub, b_ub = self.h, self.levels
            # The punishments are linear programs too: min w_i over the current polygon.
            threat = np.array(
                [
                    linprog(np.eye(2)[i], A_ub=a_ub, b_ub=b_ub, bounds=[(None, None)] * 2).fun
                    for i in range(2)
                ]
            )
        else:
            threat = poly.min(axis=0)
        best = np.full(n_dir, -np.inf)
        arg = np.zeros((n_dir, 2))
        for ua, s in zip(self.u, self.slack, strict=True):
            ic = threat + s
            for ell, hl in enumerate(self.h):
                if self.outer:
                    res = linprog(
                        -hl, A_ub=a_ub, b_ub=b_ub + self.eps, bounds=[(ic[0], None), (ic[1], None)]
                    )
                    w = res.x
                else:
                    # w as a convex combination of the inner polygon's vertices.
                    k = poly.shape[0]
                    res = linprog(
                        -(poly @ hl),
                        A_ub=-poly.T,
                        b_ub=-ic + self.eps,
                        A_eq=np.ones((1, k)),
                        b_eq=[1.0],
                        bounds=[(0, None)] * k,
                    )
                    w = None if res.x is None else poly.T @ res.x
                if res.status != 0 or w is None:
                    continue
                image = (1.0 - self.delta) * ua + self.delta * w
                value = float(image @ hl)
                if value > best[ell]:
                    best[ell] = value
                    arg[ell] = image
        if not np.isfinite(best).all():
            return None
        if self.outer:
            self.levels = best
            new = self._polygon(best)
            return new if new.shape[0] else None
        return _hull(arg, self.eps)


# --- planar geometry -------------------------------------------------------------------------


def _hull(points: np.ndarray, eps: float) -> np.ndarray:
    """Convex hull, counterclockwise, without collinear or repeated points (Andrew 1979).

    A point or a segment comes back as one or two rows.
    """
    pts = np.unique(np.asarray(points, dtype=float), axis=0)
    if pts.shape[0] <= 1:
        return pts

    def cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
        return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))

    def chain(seq: np.ndarray) -> list[np.ndarray]:
        out: list[np.ndarray] = []
        for p in seq:
            while len(out) >= 2:
                # Pop the middle point when it is within eps of the chord (distance, not area).
                chord = max(float(np.hypot(*(p - out[-2]))), 1e-300)
                if cross(out[-2], out[-1], p) > eps * chord:
                    break
                out.pop()
            out.append(p)
        return out

    lower = chain(pts)
    upper = chain(pts[::-1])
    ring = lower[:-1] + upper[:-1]
    hull = np.array(ring) if ring else pts[:1]
    # Merge points closer than eps (round-off duplicates of one vertex).
    keep = [hull[0]]
    for p in hull[1:]:
        if np.hypot(*(p - keep[-1])) > 10 * eps:
            keep.append(p)
    if len(keep) > 1 and np.hypot(*(keep[-1] - keep[0])) <= 10 * eps:
        keep.pop()
    # The chains never test their end points (least and greatest x); with near-ties in x one of
    # them can sit within eps of the chord of its neighbours, so sweep the ring once more.
    changed = True
    while changed and len(keep) >= 3:
        changed = False
        for j in range(len(keep)):
            o, a, b = keep[j - 1], keep[j], keep[(j + 1) % len(keep)]
            chord = max(float(np.hypot(*(b - o))), 1e-300)
            if cross(o, a, b) <= eps * chord:
                del keep[j]
                changed = True
                break
    return np.array(keep)


def _canonical(poly: np.ndarray) -> np.ndarray:
    """Counterclockwise from the vertex with the least (row, column) payoff, lexicographically."""
    if poly.shape[0] <= 1:
        return np.array(poly, dtype=float).reshape(-1, 2) + 0.0
    # Rounded, so that a round-off difference in x does not pick another start.
    key = np.round(poly, 5)
    start = int(np.lexsort((key[:, 1], key[:, 0]))[0])
    # + 0.0 turns -0.0 into 0.0.
    return np.roll(poly, -start, axis=0) + 0.0


def _clip(poly: np.ndarray, normal: np.ndarray, level: float, eps: float) -> np.ndarray:
    """The part of a convex polygon where ``normal . x <= level + eps`` (Sutherland-Hodgman)."""
    k = poly.shape[0]
    if k == 0:
        return poly
    d = poly @ normal - level
    inside = d <= eps
    if inside.all():
        return poly
    if not inside.any():
        return poly[:0]
    nxt = np.roll(np.arange(k), -1)
    # An edge crosses the line when exactly one end is inside; then d and d[nxt] differ by more
    # than nothing (one is <= eps, the other > eps), so the division is safe.
    crossing = inside != inside[nxt]
    t = np.zeros(k)
    t[crossing] = d[crossing] / (d[crossing] - d[nxt][crossing])
    meets = poly + t[:, None] * (poly[nxt] - poly)
    # Each edge contributes its start (when inside) and then its crossing point (if any).
    points = np.stack([poly, meets], axis=1).reshape(-1, 2)
    keep = np.stack([inside, crossing], axis=1).reshape(-1)
    return points[keep]


def _clip_quadrant(poly: np.ndarray, corner: np.ndarray, eps: float) -> np.ndarray:
    """The part of a convex polygon where both coordinates are at least ``corner``'s."""
    for i in range(2):
        normal = np.zeros(2)
        normal[i] = -1.0
        poly = _clip(poly, normal, -float(corner[i]), eps)
    return poly


def _area(poly: np.ndarray) -> float:
    if poly.shape[0] < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _distances(points: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Euclidean distance from each point to a convex polygon (0 inside)."""
    points = np.asarray(points, dtype=float)
    if poly.shape[0] == 1:
        return np.hypot(*(points - poly[0]).T)
    a = poly
    b = np.roll(poly, -1, axis=0)
    ab = b - a  # (k, 2)
    ap = points[:, None, :] - a[None, :, :]  # (n, k, 2)
    length2 = np.maximum((ab**2).sum(axis=1), 1e-300)
    t = np.clip((ap * ab[None]).sum(axis=2) / length2, 0.0, 1.0)
    nearest = a[None] + t[..., None] * ab[None]
    dist = np.hypot(*(points[:, None, :] - nearest).transpose(2, 0, 1)).min(axis=1)
    if poly.shape[0] >= 3:
        cross = ab[None, :, 0] * ap[..., 1] - ab[None, :, 1] * ap[..., 0]
        inside = (cross >= 0).all(axis=1)
        dist[inside] = 0.0
    return dist


def _hausdorff(p: np.ndarray, q: np.ndarray) -> float:
    """Hausdorff distance of two convex polygons: attained at a vertex of one of them."""
    return float(max(_distances(p, q).max(), _distances(q, p).max()))
