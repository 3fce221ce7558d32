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

Where the parts live: this module holds the result and the public functions; the operators are
in ``_payoff_set_solvers``, the polygon geometry in ``_polygons`` and the figure,
[`plot_payoff_set`][allysim.equilibria.plot_payoff_set], in ``payoff_set_plot`` (importable from
here too).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from allysim._progress import progress_bar
from allysim._results import SavedResult
from allysim._validation import (
    as_float_array,
    check_game,
    check_int,
    check_nonnegative,
    check_real,
)
from allysim.equilibria._payoff_set_solvers import _JYC, _AbreuSannikov, _deviation_gains
from allysim.equilibria._polygons import _area, _canonical, _clip, _distances, _hausdorff, _hull
from allysim.equilibria.payoff_set_plot import plot_payoff_set

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
        payoff (then least column payoff; row payoffs within 1e-6 times the largest absolute row
        payoff of the least count as tied); payoffs per round (normalised). One row for a
        point, two for a segment.
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
        > 0, in payoff units (absolute: for payoffs in small units, such as 1e-6, pass a
        tolerance well below them).
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
    Mutual cooperation in a prisoner's dilemma (R, S, T, P) with ``2R > T + S`` is an equilibrium
    payoff exactly when ``continuation >= (T - R) / (T - P)`` (grim trigger); with ``2R < T + S``
    (``PrisonersDilemma(..., repeated=False)`` allows it) taking turns at exploiting each other
    pays more, and ``(R, R)`` is a public-randomization mix from
    ``continuation >= (P - S) / (T - P)`` on. As ``continuation`` tends to 1 the set
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
    unit = _payoff_unit(u)
    u = u / unit
    gains = _deviation_gains(game.row_payoffs, game.col_payoffs) / unit
    # The iteration runs in units of `unit`; tol, in payoff units, follows.
    tol_unit = tol / unit
    scale = max(1.0, float(np.abs(u).max()))
    eps = 1e-11 * scale
    step: Callable[[np.ndarray, np.ndarray], np.ndarray | None]
    if method == "abreu-sannikov":
        step = _AbreuSannikov(u, gains, delta, eps)
    else:
        step = _JYC(u, gains, delta, eps, n_dir, method == "outer", solver)

    bar = None
    if progress:
        # The number of iterations is not known in advance; the bar counts them.
        bar = progress_bar(desc=f"{method} iterations", leave=False)
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
            if gap <= tol_unit:
                break
    finally:
        if bar is not None:
            bar.close()
    # The iterates approach the fixed point geometrically at rate about delta, so the last one
    # is within about tol / (1 - delta) of it; a vertex that close to the chord of its
    # neighbours is an artefact of stopping early, not a vertex of the set.
    poly = _hull(poly, max(eps, min(10.0 * tol_unit / (1.0 - delta), 1e-6 * scale)))
    return PayoffSet(
        vertices=_canonical(poly * unit),
        method=method,
        continuation=delta,
        iterations=it,
        tolerance=gap * unit,
        threat=threat * unit,
        directions=n_dir,
        converged=gap <= tol_unit,
    )


def _payoff_unit(u: np.ndarray) -> float:
    """The unit, a power of two, in which the polygon geometry runs: 1 for ordinary payoffs.

    The geometry multiplies payoff differences (cross products, squared lengths) and drops
    points within 1e-11 of the largest payoff, floored at 1: payoffs far below 1 in absolute
    value (1e-12 and less) collapsed to a point, and beyond 1e154 the products overflowed. Such
    payoffs are divided by a power of two near their largest absolute value, which is exact, so
    the set transforms with the payoffs; payoffs from 2**-20 to 2**40 run as given.
    """
    peak = float(np.abs(u).max())
    if peak == 0.0 or 2.0**-20 <= peak <= 2.0**40:
        return 1.0
    return float(2.0 ** math.floor(math.log2(peak)))


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
    u = np.stack([game.row_payoffs.ravel(), game.col_payoffs.ravel()], axis=1)
    unit = _payoff_unit(u)
    row, col, u = game.row_payoffs / unit, game.col_payoffs / unit, u / unit
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
        vertices=_canonical(poly * unit),
        method="feasible",
        continuation=math.nan,
        iterations=0,
        tolerance=0.0,
        threat=poly.min(axis=0) * unit,
        directions=0,
        converged=True,
    )
