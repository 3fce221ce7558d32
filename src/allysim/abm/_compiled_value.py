"""Compiled loops for value creation's and the metrics' hooks (numba, the optional ``fast``
extra).

Each loop fuses the numpy passes of one hook (:class:`~allysim.abm.ValueCreation`'s dividend
factor, knowledge exchange, settlement and acceptance factor; :class:`~allysim.abm.Metrics`'
records) and is the numpy path's twin to the bit, as the loops of :mod:`allysim.abm._compiled`
are: every floating-point operation happens in the same order as in numpy. Two kinds of sums
are left to numpy, the loops writing their operands (contiguous, in numpy's layout and order)
to scratch buffers:

* sums and means of contiguous doubles (``np.sum``, ``mean``), which numpy adds pairwise:
  ``np.add.reduce`` over the buffer is the same reduction (and faster than
  :mod:`allysim.evolution._compiled_gth`'s compiled twin of it, which walks the blocks one
  scalar at a time);
* products that numpy leaves to BLAS (``@``: the profiles' means, other than of four areas),
  whose blocked, fused order depends on the machine (the metrics' delivered capability is a
  pairwise sum of products, not a BLAS dot product, whose order would also depend on the
  number of BLAS threads).

The mean of a four-area profile (the default) is written out on both paths
(:func:`allysim.abm.value_creation._row_means`, in the order of the BLAS product it replaced,
checked row by row), so the loops average each row where they make it: no buffer of the
pairs' better profiles, no matmul.

The scratch buffers of the loops live in the part's state (one set per model), so a step
writes the same memory again instead of asking for ~1 MB afresh.

numba is imported only when a loop is first needed (:func:`kernels`); the compiled code is
cached on disk.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import numpy as np

from allysim.abm._compiled import compile_loops

__all__ = ["kernels", "scratch"]


def _max(x, y):  # pragma: no cover - compiled
    """``np.maximum(x, y)`` of two doubles: NaN in either propagates."""
    return x if (x >= y or x != x) else y


def _max_select(x, y):  # pragma: no cover - compiled
    """:func:`_max` as a select on the doubles' bits, not a branch (which of two partners'
    capabilities is the larger is a coin flip a branch would mispredict)."""
    m = -np.int64((x >= y) | (x != x))
    bx = np.float64(x).view(np.int64)
    by = np.float64(y).view(np.int64)
    return np.int64((bx & m) | (by & ~m)).view(np.float64)


def _cap(x):  # pragma: no cover - compiled
    """``np.minimum(x, 1.0)``: NaN stays NaN."""
    return 1.0 if x > 1.0 else x


def _mean4(x0, x1, x2, x3):  # pragma: no cover - compiled
    """The mean of four areas in value_creation._row_means's order (its BLAS's order)."""
    return (x0 * 0.25 + x2 * 0.25) + (x1 * 0.25 + x3 * 0.25)


def _best_mean4(flat, ra, rb):  # pragma: no cover - compiled
    """The mean of ``np.maximum`` of the four-area rows starting at ``ra`` and ``rb``."""
    return _mean4(
        _max_select(flat[ra], flat[rb]),
        _max_select(flat[ra + 1], flat[rb + 1]),
        _max_select(flat[ra + 2], flat[rb + 2]),
        _max_select(flat[ra + 3], flat[rb + 3]),
    )


def _best_into(profile, a, b, out):  # pragma: no cover - compiled
    """``out[:len(a)] = np.maximum(profile[a], profile[b])``: each pair's better profile."""
    n, d = profile.shape
    if d == 4:
        # Both rows loaded before the row is stored: the four maxima go out as one vector
        # (the stores might otherwise alias the loads of the next pair).
        flat = profile.reshape(n * 4)
        o = out.reshape(out.shape[0] * 4)
        for i in range(a.shape[0]):
            ra = a[i] * 4
            rb = b[i] * 4
            x0 = _max(flat[ra], flat[rb])
            x1 = _max(flat[ra + 1], flat[rb + 1])
            x2 = _max(flat[ra + 2], flat[rb + 2])
            x3 = _max(flat[ra + 3], flat[rb + 3])
            k = i * 4
            o[k] = x0
            o[k + 1] = x1
            o[k + 2] = x2
            o[k + 3] = x3
        return
    for i in range(a.shape[0]):
        ra = a[i]
        rb = b[i]
        for j in range(d):
            out[i, j] = _max(profile[ra, j], profile[rb, j])


def _dividend_factor(
    profile,
    best_mean,
    mean,
    pa,
    pb,
    complementarity,
    scale,
    degree,
    network_effect,
    other,
    rng,
    risk,
    factor,
    expected,
    comp,
    draws,
):  # pragma: no cover - compiled
    """ValueCreation.dividend over rows ``[:len(factor)]``: the factor before the risk draw
    (``np.ones`` times the complementarity, scale and network factors, in that order), each
    pair's complementarity (the mean of its better profile from ``best_mean``, numpy's
    matmul, or, where ``profile`` (four areas) is not empty, averaged here as
    value_creation._row_means does), the expected factor (times ``other``, another part's
    factor, when not empty) and the paid factor (times ``1 + risk * z`` where ``rng`` is not
    None: ``z`` drawn here by the model's Generator, one per row in row order, as
    ``rng.standard_normal(e)`` draws them, into the scratch ``draws``, at least ``e`` long)."""
    fused = profile.shape[0] > 0
    flat = profile.reshape(profile.shape[0] * profile.shape[1])
    has_scale = scale.shape[0] > 0
    has_other = other.shape[0] > 0
    e = factor.shape[0]
    if fused and complementarity != 0 and has_scale and network_effect != 0 and has_other:
        # Every factor on (the loop below, with no test in it).
        for i in range(e):
            a = pa[i]
            b = pb[i]
            c = _best_mean4(flat, a * 4, b * 4) - _max_select(mean[a], mean[b])
            comp[i] = c
            f = 1.0 * (1 + complementarity * c)
            f = f * scale[i]
            f = f * (1 + network_effect * ((degree[a] - 1 + degree[b] - 1) / 2))
            expected[i] = f * other[i]
            factor[i] = f
        e_done = e
    else:
        e_done = 0
    for i in range(e_done, e):
        a = pa[i]
        b = pb[i]
        f = 1.0
        if complementarity != 0:
            bm = _best_mean4(flat, a * 4, b * 4) if fused else best_mean[i]
            c = bm - _max_select(mean[a], mean[b])
            comp[i] = c
            f = f * (1 + complementarity * c)
        if has_scale:
            f = f * scale[i]
        if network_effect != 0:
            others = (degree[a] - 1 + degree[b] - 1) / 2
            f = f * (1 + network_effect * others)
        expected[i] = f * other[i] if has_other else f
        factor[i] = f
    if rng is not None:
        # The draws in a loop of their own (the one above then has no call in it), then
        # applied in a loop that vectorizes.
        z = draws
        for i in range(e):
            z[i] = rng.standard_normal()
        for i in range(e):
            factor[i] = factor[i] * (1 + risk * z[i])


def _acceptance(best_mean, mean, a, b, seek):  # pragma: no cover - compiled
    """``1 + seek * (best_mean - np.maximum(mean[a], mean[b]))``."""
    k = a.shape[0]
    out = np.empty(k)
    for i in range(k):
        out[i] = 1 + seek * (best_mean[i] - _max(mean[a[i]], mean[b[i]]))
    return out


def _acceptance4(profile, mean, a, b, seek):  # pragma: no cover - compiled
    """:func:`_acceptance` of four-area profiles, each pair's better profile averaged here as
    value_creation._row_means does."""
    k = a.shape[0]
    flat = profile.reshape(profile.shape[0] * 4)
    out = np.empty(k)
    for i in range(k):
        x = a[i]
        y = b[i]
        out[i] = 1 + seek * (_best_mean4(flat, x * 4, y * 4) - _max(mean[x], mean[y]))
    return out


def _exchange(profile, pa, pb, contributed, rate, gains, delta, pairs, mean):  # pragma: no cover
    """Knowledge exchange over rows ``[:len(contributed)]``; returns how many learners.

    The learners are side 0 where side 1 contributed, in row order, then side 1 where side 0
    did (numpy's concatenation); each gain is ``max(teacher - learner, 0) * rate`` from the
    profiles before this round, written to the flat ``gains`` (at least ``2 e d`` long) in
    that order. Each learner's gains accumulate from 0 in that order in ``delta`` (scratch, as
    long as ``profile``), as ``np.bincount`` does, and are then added to its profile and
    capped at 1, as ``profile[:, j] += bincount`` and ``np.minimum`` do. ``pairs`` (int64
    scratch, at least ``4 e`` long) takes the learners and their teachers. Where ``mean`` is
    not empty (four areas), each profile's new mean is written to it as
    value_creation._row_means makes it.
    """
    n, d = profile.shape
    e = contributed.shape[0]
    learners = pairs[: 2 * e]
    teachers = pairs[2 * e : 4 * e]
    # The (learner, teacher) list first, without a branch (whether a partner contributed is
    # a coin flip a branch would mispredict): every row is written, the count advances only
    # where the partner contributed.
    r = 0
    for i in range(e):
        learners[r] = pa[i]
        teachers[r] = pb[i]
        r += 1 if contributed[i, 1] else 0
    for i in range(e):
        learners[r] = pb[i]
        teachers[r] = pa[i]
        r += 1 if contributed[i, 0] else 0
    flat = profile.reshape(n * d)
    for i in range(n * d):
        delta[i] = 0.0
    if d == 4:
        # A row's four gains computed before any is stored: one vector each way.
        for k in range(r):
            lo = learners[k] * 4
            to = teachers[k] * 4
            g0 = _max(flat[to] - flat[lo], 0.0) * rate
            g1 = _max(flat[to + 1] - flat[lo + 1], 0.0) * rate
            g2 = _max(flat[to + 2] - flat[lo + 2], 0.0) * rate
            g3 = _max(flat[to + 3] - flat[lo + 3], 0.0) * rate
            ko = k * 4
            gains[ko] = g0
            gains[ko + 1] = g1
            gains[ko + 2] = g2
            gains[ko + 3] = g3
            x0 = delta[lo] + g0
            x1 = delta[lo + 1] + g1
            x2 = delta[lo + 2] + g2
            x3 = delta[lo + 3] + g3
            delta[lo] = x0
            delta[lo + 1] = x1
            delta[lo + 2] = x2
            delta[lo + 3] = x3
    else:
        for k in range(r):
            lo = learners[k] * d
            to = teachers[k] * d
            for j in range(d):
                g = _max(flat[to + j] - flat[lo + j], 0.0) * rate
                gains[k * d + j] = g
                delta[lo + j] += g
    if mean.shape[0] > 0:
        for i in range(n):
            o = i * 4
            x0 = _cap(flat[o] + delta[o])
            x1 = _cap(flat[o + 1] + delta[o + 1])
            x2 = _cap(flat[o + 2] + delta[o + 2])
            x3 = _cap(flat[o + 3] + delta[o + 3])
            flat[o] = x0
            flat[o + 1] = x1
            flat[o + 2] = x2
            flat[o + 3] = x3
            mean[i] = _mean4(x0, x1, x2, x3)
        return r
    for i in range(n * d):
        flat[i] = _cap(flat[i] + delta[i])
    return r


def _value_settle(
    pay,
    premium_on,
    distance,
    expected_factor,
    contributed,
    stake,
    synergy,
    friction,
    risk,
    risk_aversion,
    period_payoff,
    pa,
    pb,
    stage,
    levels,
    per_stake,
    n,
    total,
    gap,
):  # pragma: no cover - compiled
    """ValueCreation.settle: (when ``premium_on``) the risk premium, charged to both sides'
    period payoff as ``model.credit_partners(slice(0, e), -[premium, premium],
    utility_only=True)`` does (:func:`allysim.abm._compiled_table._credit_rows`: side 0's rows then
    side 1's, per unit stake where ``per_stake``, added in place when ``2 e * 16 < n``, else
    summed per organization first); ``pay[:, 0] + pay[:, 1]`` into ``total`` and
    ``abs(pay[:, 0] - pay[:, 1])`` into ``gap`` (whose means the caller leaves to numpy's
    pairwise sum)."""
    e = pay.shape[0]
    half = risk_aversion / 2
    # What each side's period payoff gets (the same for both sides of a row).
    give = np.empty(e if premium_on else 0)
    for i in range(e):
        if premium_on:
            expected = synergy * (1 - friction * distance[i]) * expected_factor[i]
            sd = expected * risk * stake[i]
            both = contributed[i, 0] & contributed[i, 1]
            amount = -(half * (sd * sd) if both else 0.0)
            give[i] = amount / levels[stage[i]] if per_stake else amount
        total[i] = pay[i, 0] + pay[i, 1]
        gap[i] = abs(pay[i, 0] - pay[i, 1])
    if not premium_on:
        return
    few = 2 * e * 16 < n
    sums = period_payoff if few else np.zeros(n)
    for side in range(2):
        orgs = pa if side == 0 else pb
        for i in range(e):
            sums[orgs[i]] += give[i]
    if not few:
        for j in range(n):
            period_payoff[j] += sums[j]


def _scorecard(
    pay,
    enforcement,
    overhead,
    contributed,
    stake,
    capability,
    pa,
    pb,
    value_total,
    cost_total,
    contributions,
    satisfaction,
    benefit,
    cost,
    synergy,
    w,
    dots,
):  # pragma: no cover - compiled
    """Metrics.settle's per-partnership records over rows ``[:len(pay)]``, in one pass.

    Returns how many contributions were made; lays out the operands of settle's four sums as
    the rows of ``dots`` (4, e), whose sums the caller leaves to numpy's pairwise sum: the
    products ``cap_a * ca`` and ``cap_b * cb`` (the contributions as 0.0 / 1.0, as numpy casts
    them) in rows 0 and 2, the round's value and costs per partnership in rows 1 and 3.
    """
    e = pay.shape[0]
    given = 0
    keep = 1 - w
    for i in range(e):
        p0 = pay[i, 0]
        p1 = pay[i, 1]
        v = p0 + p1
        c = 2 * (enforcement[i] + overhead[i])
        value_total[i] += v
        cost_total[i] += c
        cap_a = capability[pa[i]]
        cap_b = capability[pb[i]]
        # Counted without a branch: the moves are coin flips.
        g0 = 1 if contributed[i, 0] else 0
        g1 = 1 if contributed[i, 1] else 0
        contributions[i, 0] += g0
        contributions[i, 1] += g1
        given += g0 + g1
        dots[0, i] = cap_a * (1.0 if g0 else 0.0)
        dots[1, i] = v
        dots[2, i] = cap_b * (1.0 if g1 else 0.0)
        dots[3, i] = c
        # Each side's satisfaction against mutual contribution with what it received; both
        # quotients computed and the zero divisor's discarded, so the loop has no branch.
        s = stake[i]
        m0 = abs((benefit * cap_b - cost + synergy) * s)
        m1 = abs((benefit * cap_a - cost + synergy) * s)
        r0 = p0 / m0 if m0 != 0 else 0.0
        r1 = p1 / m1 if m1 != 0 else 0.0
        o0 = satisfaction[i, 0]
        o1 = satisfaction[i, 1]
        satisfaction[i, 0] = r0 if o0 != o0 else keep * o0 + w * r0
        satisfaction[i, 1] = r1 if o1 != o1 else keep * o1 + w * r1
    return given


def _conflicts(contributed, seen, resolved, conflicts):  # pragma: no cover - compiled
    """Metrics.after_round: ``conflicts[:e] += any_betrayed``; returns how many rows had one
    (a side contributed and saw a withholding, not resolved; ``resolved`` empty: none)."""
    e = contributed.shape[0]
    # The flags as bytes (numpy's bools are 0 or 1), combined bitwise: no branch on the
    # moves, which are coin flips, and the loop vectorizes.
    c = contributed.reshape(2 * e).view(np.uint8)
    s = seen.reshape(2 * e).view(np.uint8)
    count = 0
    if resolved.shape[0] > 0:
        r = resolved.reshape(2 * e).view(np.uint8)
        for i in range(e):
            j = 2 * i
            hit = ((c[j] & ~s[j] & ~r[j]) | (c[j + 1] & ~s[j + 1] & ~r[j + 1])) & 1
            conflicts[i] += hit
            count += hit
    else:
        for i in range(e):
            j = 2 * i
            hit = ((c[j] & ~s[j]) | (c[j + 1] & ~s[j + 1])) & 1
            conflicts[i] += hit
            count += hit
    return count


@functools.cache
def kernels() -> SimpleNamespace:
    """The compiled loops (numba imported and the functions compiled on first use).

    Returns
    -------
    types.SimpleNamespace
        One dispatcher per loop of this module.

    Examples
    --------
    >>> from allysim.abm._compiled import use_numba
    >>> if use_numba():
    ...     assert callable(kernels().exchange)
    """
    return compile_loops(
        globals(),
        (
            "_best_into",
            "_dividend_factor",
            "_acceptance",
            "_acceptance4",
            "_exchange",
            "_value_settle",
            "_scorecard",
            "_conflicts",
        ),
        helpers=("_max", "_max_select", "_cap", "_mean4", "_best_mean4"),
    )


def scratch(state: dict[str, Any], name: str, size: int, dtype: Any = float) -> np.ndarray:
    """A buffer of at least ``size`` elements kept in ``state`` between steps.

    Grown (by half again) when too small, so a step reuses the memory of the last one.

    Parameters
    ----------
    state : dict
        The part's state, which keeps the buffers.
    name : str
        The buffer's name.
    size : int
        Elements needed, >= 0.
    dtype : numpy.dtype or type, default float
        The buffer's element type (a buffer of another type under the same name is replaced).

    Returns
    -------
    numpy.ndarray
        The whole 1-d buffer (uninitialized where not written before); the caller uses its
        first ``size`` elements.

    Examples
    --------
    >>> buffers = {}
    >>> scratch(buffers, "x", 10).shape
    (16,)
    >>> scratch(buffers, "x", 12) is scratch(buffers, "x", 4)
    True
    >>> scratch(buffers, "i", 4, np.int64).dtype
    dtype('int64')
    """
    if size < 0:
        raise ValueError(f"size must be >= 0, got {size}")
    store = state.setdefault("scratch", {})
    buf = store.get(name)
    if buf is None or buf.shape[0] < size or buf.dtype != dtype:
        buf = np.empty(size + size // 2 + 1, dtype=dtype)
        store[name] = buf
    return buf
