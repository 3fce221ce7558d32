"""Compiled loops for the trust model's reporters and the metrics' step means (numba).

A collection of the trust model's data reads every active partnership several times: the
three kinds of trust, the stage counts, the welfare and the moves for
:mod:`allysim.abm.reporters`, the satisfaction, ages, contributions and degrees for
:class:`~allysim.abm.Metrics`, the organizations' strategies and wealth. The functions here
take each group in one call and return the reported numbers, the numpy path's to the bit:
every mean of floats is numpy's pairwise sum
(:func:`allysim.evolution._compiled_gth._pairwise_sum`, numpy's algorithm, over the same values
laid out contiguously as numpy has them) divided by the count; sums of integers (counts, ages,
degrees) are exact in any order; the Gini coefficient sums numpy's sorted wealth in numpy's
order. Compiled on first use, as :func:`allysim.abm._compiled.kernels`.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np

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
    alpha, beta, e, stage, n_stages, strategy_of, n_strategies, contributed, welfare, work
):  # pragma: no cover - compiled
    """The model reporters' values: the three kinds' mean trust, the welfare mean, the
    contribution rate, then the stage shares and the strategy shares (NaN where the reporters
    give NaN). ``work`` holds at least ``max(6 e, len(welfare))`` doubles."""
    out = np.empty(STAGES + n_stages + n_strategies)
    m = 2 * e
    # Each kind's (e, 2) block as the numpy path lays it out before its mean.
    for i in range(e):
        for s in range(2):
            for kind in range(3):
                a = alpha[i, s, kind]
                work[kind * m + 2 * i + s] = a / (a + beta[i, s, kind])
    for kind in range(3):
        out[TRUST + kind] = _pairwise_sum(work, kind * m, m) / m if e else np.nan
    played = welfare.shape[0]
    if played:
        for i in range(played):
            work[i] = welfare[i]
        out[WELFARE] = _pairwise_sum(work, 0, played) / played
    else:
        out[WELFARE] = np.nan
    given = 0
    for i in range(contributed.shape[0]):
        for s in range(2):
            if contributed[i, s]:
                given += 1
    moves = 2 * contributed.shape[0]
    out[CONTRIBUTION] = given / moves if moves else np.nan
    # A value outside the range counts for no share, as in the numpy path's comparisons.
    counts = np.zeros(n_stages, np.int64)
    for i in range(e):
        k = stage[i]
        if 0 <= k < n_stages:
            counts[k] += 1
    for k in range(n_stages):
        out[STAGES + k] = counts[k] / e if e else np.nan
    n = strategy_of.shape[0]
    counts = np.zeros(n_strategies, np.int64)
    for i in range(n):
        k = strategy_of[i]
        if 0 <= k < n_strategies:
            counts[k] += 1
    for k in range(n_strategies):
        out[STAGES + n_stages + k] = counts[k] / n
    return out


def _metrics_values(satisfaction, age, contributions, degree, e, work):  # pragma: no cover
    """The Metrics reporters computed from the table: reliability, satisfaction, mean degree,
    degree centralization, partnered share (NaN where they give NaN). ``work`` holds at least
    ``2 e`` doubles."""
    out = np.empty(5)
    rounds = 0
    given = 0
    known = 0
    for i in range(e):
        rounds += age[i]
        given += contributions[i, 0] + contributions[i, 1]
        for s in range(2):
            v = satisfaction[i, s]
            if v == v:
                work[known] = v
                known += 1
    rounds *= 2
    out[RELIABILITY] = given / rounds if rounds != 0 else np.nan
    out[SATISFACTION] = _pairwise_sum(work, 0, known) / known if known else np.nan
    n = degree.shape[0]
    total = 0
    top = degree[0] if n else 0
    partnered = 0
    for i in range(n):
        d = degree[i]
        total += d
        if d > top:
            top = d
        if d != 0:
            partnered += 1
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
    total = _pairwise_sum(work, 0, n)
    for i in range(n):
        work[i] = (i + 1) * work[i]
    g = 2 * _pairwise_sum(work, 0, n) / (n * total) - (n + 1) / n
    return max(g, 0.0)


def _settle_means(value, costs, dots, e):  # pragma: no cover - compiled
    """Metrics.settle's step means: of ``value[:e]``, of ``costs[:e]``, and the delivered
    capability ``sum(dots[0] * dots[1]) + sum(dots[2] * dots[3])`` (numpy's products and
    pairwise sums; ``dots[0]`` and ``dots[2]`` are overwritten by the products)."""
    for i in range(e):
        dots[0, i] = dots[0, i] * dots[1, i]
        dots[2, i] = dots[2, i] * dots[3, i]
    delivered = _pairwise_sum(dots[0], 0, e) + _pairwise_sum(dots[2], 0, e)
    return _pairwise_sum(value, 0, e) / e, _pairwise_sum(costs, 0, e) / e, delivered


@functools.cache
def kernels() -> SimpleNamespace:
    """The compiled reporters (numba imported and the functions compiled on first use).

    Returns
    -------
    types.SimpleNamespace
        ``model_values``, ``metrics_values``, ``gini_sorted``, ``settle_means``.
    """
    import numba  # type: ignore[import-untyped]

    from allysim.evolution import _compiled_gth

    # numpy's error model: a division by zero gives inf or NaN, as numpy's does.
    jit = numba.njit(cache=True, nogil=True, error_model="numpy")
    globals()["_pairwise_sum"] = _compiled_gth._pairwise_sum
    return SimpleNamespace(
        model_values=jit(_model_values),
        metrics_values=jit(_metrics_values),
        gini_sorted=jit(_gini_sorted),
        settle_means=jit(_settle_means),
    )
