"""The set operators behind ``equilibrium_payoffs``: one application each, on a polygon.

* ``_AbreuSannikov``: the exact operator of Abreu & Sannikov (2014, Theoretical Economics 9:
  313-338);
* ``_JYC``: the outer and inner approximations of Judd, Yeltekin & Conklin (2003,
  Econometrica 71: 1239-1254), by polygon vertices or by ``scipy.optimize.linprog``;
* ``_deviation_gains``: each player's best one-shot deviation gain per action profile, which
  both need.

Each operator is called with the current polygon and punishment payoffs and returns the next
polygon (None when no action profile is incentive compatible); the iteration, the stopping rule
and the result live in ``payoff_sets``.
"""

from __future__ import annotations

import numpy as np

from allysim.equilibria._polygons import _clip, _clip_quadrant, _distances, _hull


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
        return self._next_set(best, arg)

    def _next_set(self, best: np.ndarray, arg: np.ndarray) -> np.ndarray | None:
        """The next polygon from the best level (outer) or best point (inner) per direction;
        None when a direction has no feasible image."""
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
        return self._next_set(best, arg)
