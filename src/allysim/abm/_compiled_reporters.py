"""Compiled loops for the trust model's reporters and the metrics' step sums (numba).

A collection of the trust model's data reads every active partnership several times: the
three kinds of trust, the stages, the welfare and the moves for :mod:`allysim.abm.reporters`;
the satisfaction, ages, contributions and degrees for :class:`~allysim.abm.Metrics`; the
organizations' strategies and wealth. The functions here take each group in one call and give
the numpy path's numbers to the bit. A mean of floats is either left to numpy (the loop lays
the values out as numpy has them) or is numpy's sum in the loop: 0.0 plus the pairwise sum of
:func:`allysim.evolution._compiled_gth._pairwise_sum` (numpy's algorithm), divided by the
count. Sums of integers (counts, ages, degrees) are exact in any order. The Gini coefficient
sums numpy's sorted wealth in numpy's order. Compiled on first use, as
:func:`allysim.abm._compiled.kernels`.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np

from allysim.abm._compiled import compile_loops

# Above HUGE / n**2 the Gini's values are scaled first (as allysim.abm.stats.gini does).
_HUGE = 1e300

#: Slots of :func:`_model_values`' result before the stage and strategy shares.
TRUST, WELFARE, CONTRIBUTION, STAGES = 0, 3, 4, 5

#: Slots of :func:`_metrics_values`' result.
RELIABILITY, SATISFACTION, MEAN_DEGREE, CENTRALIZATION, PARTNERED = range(5)


def _pairwise_sum(a, lo, n):  # pragma: no cover - replaced by the compiled walker
    """``a[lo:lo + n].sum()``; :func:`kernels` replaces it by the compiled pairwise walker."""
    return a[lo : lo + n].sum()


def _model_values(
    alpha, beta, e, stage, n_stages, strategy_of, n_strategies, moves, welfare, trust
):  # pragma: no cover - compiled
    """The model reporters' values: the welfare mean, the contribution rate (``moves``: the
    round's (n, 2) moves as 0 / 1 bytes, flat), the stage shares, the strategy shares (NaN
    where the reporters give NaN); the trust slots are left for the caller to fill.
    Fills ``trust`` (6 e) with the trust of rows ``[:e]`` in the layout of ``alpha`` (e, 2, 3):
    ``trust[kind::3]`` holds one kind's values in the order of the numpy path's (e, 2) block,
    whose sums the caller leaves to numpy (its pairwise sum is faster than the compiled
    walker's, on a strided view too)."""
    out = np.empty(STAGES + n_stages + n_strategies)
    a_flat = alpha.reshape(-1)
    b_flat = beta.reshape(-1)
    # One contiguous loop: it vectorizes (twice as fast as a loop per kind).
    for j in range(6 * e):
        a = a_flat[j]
        trust[j] = a / (a + b_flat[j])
    played = welfare.shape[0]
    # numpy's sum starts from 0.0 (so a sum of -0.0s is 0.0), then adds the pairwise sum.
    out[WELFARE] = (0.0 + _pairwise_sum(welfare, 0, played)) / played if played else np.nan
    given = 0
    for j in range(moves.shape[0]):
        given += moves[j]
    out[CONTRIBUTION] = given / moves.shape[0] if moves.shape[0] else np.nan
    counts = _counts(stage, e, n_stages)
    for k in range(n_stages):
        out[STAGES + k] = counts[k] / e if e else np.nan
    n = strategy_of.shape[0]
    counts = _counts(strategy_of, n, n_strategies)
    for k in range(n_strategies):
        out[STAGES + n_stages + k] = counts[k] / n
    return out


def _counts(values, e, size):  # pragma: no cover - compiled
    """How many of ``values[:e]`` equal each of ``0 .. size - 1`` (others count for none, as
    in the numpy path's comparisons)."""
    # Four partial counts: consecutive rows mostly share a value, and one counter would make
    # each increment wait for the last.
    partial = np.zeros((4, size), np.int64)
    for i in range(e):
        k = values[i]
        if 0 <= k < size:
            partial[i & 3, k] += 1
    counts = np.zeros(size, np.int64)
    for r in range(4):
        for k in range(size):
            counts[k] += partial[r, k]
    return counts


def _metrics_values(satisfaction, age, contributions, degree, e, work):  # pragma: no cover
    """The Metrics reporters computed from the table: reliability, satisfaction, mean degree,
    degree centralization, partnered share (NaN where they give NaN). ``work`` holds at least
    ``2 e`` doubles; ``satisfaction`` and ``contributions`` are C-contiguous (the table's)."""
    out = np.empty(5)
    # Separate loops over flat views: each vectorizes, or runs without a branch per value.
    rounds = 0
    for i in range(e):
        rounds += age[i]
    rounds *= 2
    flat = contributions.reshape(-1)
    given = 0
    for j in range(2 * e):
        given += flat[j]
    out[RELIABILITY] = given / rounds if rounds != 0 else np.nan
    # The values that are not NaN, in order (a NaN is written, then overwritten).
    flat_sat = satisfaction.reshape(-1)
    known = 0
    for j in range(2 * e):
        v = flat_sat[j]
        work[known] = v
        known += 1 if v == v else 0
    out[SATISFACTION] = (0.0 + _pairwise_sum(work, 0, known)) / known if known else np.nan
    n = degree.shape[0]
    total = 0
    top = degree[0] if n else 0
    partnered = 0
    for i in range(n):
        d = degree[i]
        total += d
        top = max(top, d)
        partnered += 1 if d != 0 else 0
    out[MEAN_DEGREE] = total / n if n else np.nan
    # (max - d) summed over the organizations, exact in integers as in floats.
    out[CENTRALIZATION] = (top * n - total) / ((n - 1) * (n - 2)) if n >= 3 else np.nan
    out[PARTNERED] = partnered / n if n else np.nan
    return out


def _gini_sorted(x):  # pragma: no cover - compiled
    """:func:`allysim.abm.stats.gini` of the sorted ``x``, which it overwrites; NaN when ``x``
    holds NaN or an infinity (the caller lets ``gini`` raise its error)."""
    n = x.shape[0]
    if n and not (np.isfinite(x[0]) and np.isfinite(x[-1])):
        return np.nan
    if n == 0 or x[0] == x[-1]:
        return 0.0
    work = x
    big = -x[0]
    if x[-1] > big:
        big = x[-1]
    scale = big > _HUGE / (n * n)
    for i in range(n):
        work[i] = x[i] / big if scale else x[i]
    low = work[0]
    if low < 0:
        for i in range(n):
            work[i] = work[i] - low
    total = 0.0 + _pairwise_sum(work, 0, n)
    for i in range(n):
        work[i] = (i + 1) * work[i]
    g = 2 * (0.0 + _pairwise_sum(work, 0, n)) / (n * total) - (n + 1) / n
    return max(g, 0.0)


@functools.cache
def kernels() -> SimpleNamespace:
    """The compiled reporters (numba imported and the functions compiled on first use).

    Returns
    -------
    types.SimpleNamespace
        ``model_values``, ``metrics_values`` and ``gini_sorted``.
    """
    from allysim.evolution import _compiled_gth

    scope = globals()
    scope["_pairwise_sum"] = _compiled_gth._pairwise_sum
    return compile_loops(
        scope, ("_model_values", "_metrics_values", "_gini_sorted"), helpers=("_counts",)
    )
