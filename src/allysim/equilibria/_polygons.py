"""Planar convex-polygon geometry behind the equilibrium payoff sets.

Polygons are arrays of shape (k, 2), counterclockwise; a point or a segment is one or two rows.
``_hull`` (Andrew's monotone chain, with an ``eps`` that drops near-collinear and repeated
points), ``_canonical`` (the starting vertex a ``PayoffSet`` is stored from), ``_clip`` and
``_clip_quadrant`` (Sutherland-Hodgman against a half-plane and against the quadrant above a
corner), ``_area``, ``_distances`` (point to polygon) and ``_hausdorff``. Used by
``payoff_sets`` and ``_payoff_set_solvers``.
"""

from __future__ import annotations

import numpy as np


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
            # Pop the middle point on a turn that is not to the left, or when it is within eps
            # of the chord.
            while len(out) >= 2 and (
                cross(out[-2], out[-1], p) <= 0.0 or _segment_distance(out[-1], out[-2], p) <= eps
            ):
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
            if cross(o, a, b) <= 0.0 or _segment_distance(a, o, b) <= eps:
                del keep[j]
                changed = True
                break
    return np.array(keep)


def _segment_distance(a: np.ndarray, o: np.ndarray, b: np.ndarray) -> float:
    """Distance from ``a`` to the segment from ``o`` to ``b``.

    The segment, not its line: a vertex close to the line through its neighbours but beyond one
    of them (three points nearly on one vertical line, say) is a true corner; dropping it would
    cut off everything out to it.
    """
    ob = b - o
    length2 = float(ob @ ob)
    t = 0.0 if length2 == 0.0 else min(1.0, max(0.0, float((a - o) @ ob) / length2))
    return float(np.hypot(*(a - o - t * ob)))


def _canonical(poly: np.ndarray) -> np.ndarray:
    """Counterclockwise from the vertex with the least (row, column) payoff, lexicographically."""
    if poly.shape[0] <= 1:
        return np.array(poly, dtype=float).reshape(-1, 2) + 0.0
    # Row payoffs within a millionth of the row payoffs' scale of the least count as tied, so
    # that a round-off difference in x does not pick another start; relative, so that payoffs
    # in other units (1e-9 or 1e12 times these, for either player) start from the same vertex.
    scale = float(np.abs(poly[:, 0]).max())
    tied = np.flatnonzero(poly[:, 0] <= poly[:, 0].min() + 1e-6 * scale)
    start = int(tied[np.argmin(poly[tied, 1])])
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
    # In units of a power of two near the largest coordinate (exact), so that the products of
    # coordinates beyond 1e154 do not overflow to inf - inf = NaN; an area beyond the float
    # range is inf.
    peak = float(np.abs(poly).max())
    unit = float(2.0 ** np.floor(np.log2(peak))) if peak > 0.0 else 1.0
    x, y = poly[:, 0] / unit, poly[:, 1] / unit
    area = float(0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    return area if area == 0.0 else area * unit * unit


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
