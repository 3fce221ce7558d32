"""numba-compiled elimination of :func:`allysim.evolution.mutation_chain._gth` (imported only
when numba is installed).

The numpy elimination makes a ``k x k`` temporary for each of the ``n`` states it eliminates, so
on a 1,024-state chain it spends most of its time writing and reading memory. This loop does the
same arithmetic in place and in the same order: each pivot is numpy's pairwise sum of the row
(the algorithm of ``numpy.add.reduce`` on contiguous doubles, reproduced below), each update is
``p[i, j] + col[i] * p[k, j]`` (numba contracts no multiply-add without fastmath), so the
eliminated matrix is numpy's to the bit. What numpy's floating-point error state would have
flagged is reported back (a count of each of its four events), so a caller that runs the
elimination under ``numpy.errstate(all="raise")`` still gets its FloatingPointError, and one
under numpy's default state its RuntimeWarning.
"""

from __future__ import annotations

import numpy as np
from numba import njit  # type: ignore[import-untyped]

_TINY = np.finfo(np.float64).tiny  # the least normal double


@njit(cache=True)
def _block_sum(a, lo, n):  # pragma: no cover - compiled
    """numpy's sum of at most 128 contiguous doubles: 8 partial sums, then the rest in order."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    end = n - n % 8
    while i < end:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def _pairwise_sum(a, lo, n):  # pragma: no cover - compiled
    """``numpy.sum`` of ``a[lo:lo + n]`` bit for bit: numpy's pairwise summation (blocks of up
    to 128, each split in halves at a multiple of 8 above that, the halves' sums added).

    The halving is walked with an explicit stack, not by recursion: numba's on-disk cache of a
    self-recursive function crashes when it is loaded back.
    """
    if n <= 128:
        return _block_sum(a, lo, n)
    frame_lo = np.empty(64, np.int64)
    frame_n = np.empty(64, np.int64)
    phase = np.zeros(64, np.int64)
    sums = np.empty(64)
    top = 0
    count = 0
    frame_lo[0] = lo
    frame_n[0] = n
    while top >= 0:
        start, size = frame_lo[top], frame_n[top]
        if size <= 128:
            sums[count] = _block_sum(a, start, size)
            count += 1
            top -= 1
            continue
        half = size // 2
        half -= half % 8
        if phase[top] == 0:  # the left half first
            phase[top] = 1
            top += 1
            frame_lo[top], frame_n[top], phase[top] = start, half, 0
        elif phase[top] == 1:  # then the right half
            phase[top] = 2
            top += 1
            frame_lo[top], frame_n[top], phase[top] = start + half, size - half, 0
        else:  # both done: left + right, as numpy adds them
            sums[count - 2] = sums[count - 2] + sums[count - 1]
            count -= 1
            top -= 1
    return sums[0]


_SCALE = 2.0**600  # lifts a tiny result into the normal range, exactly


@njit(cache=True)
def _product_inexact(a, b, t):  # pragma: no cover - compiled
    """Whether ``t = a * b`` (tiny, a and b finite and non-zero) was rounded."""
    t2 = a * _SCALE * b if abs(a) < abs(b) else a * (b * _SCALE)
    return not abs(t2) >= _TINY or t * _SCALE != t2


@njit(cache=True)
def _quotient_inexact(a, b, c):  # pragma: no cover - compiled
    """Whether ``c = a / b`` (tiny, a and b finite and non-zero) was rounded."""
    c2 = a * _SCALE / b if abs(a) < 1.0 else a / (b / _SCALE)
    return not abs(c2) >= _TINY or c * _SCALE != c2


@njit(cache=True)
def _sum_flags(a, lo, n, s):  # pragma: no cover - compiled
    """(overflow, invalid) of a non-finite pairwise sum ``s`` of ``a[lo:lo + n]``."""
    pos = False
    neg = False
    for i in range(n):
        x = a[lo + i]
        if x != x:
            return 0, 0  # a NaN operand propagates quietly
        if x == np.inf:
            pos = True
        elif x == -np.inf:
            neg = True
    if pos and neg:
        return 0, 1
    if pos or neg or s != s:
        return 0, 0 if s == s else 1
    return 1, 0


@njit(cache=True, error_model="numpy")
def gth_eliminate(p):  # pragma: no cover - compiled
    """Eliminate states ``n - 1 .. 1`` of ``p`` in place, as ``_gth``'s numpy loop does, and
    return the counts of :func:`_eliminate_checked` (divide, over, under, invalid).

    The checks of every operation cost more than the elimination itself, so it first runs
    unchecked on a copy, keeping only what can reveal an event: a pivot that is 0 or not
    finite, a quotient or a product that may fall below the least normal double (``|c|``
    times the row's least non-zero entry under it), a result that is not finite. Where none
    shows (every chain with ordinary transition probabilities), no event happened and the
    copy is the result: the same operations in the same order as the checked loop. Else the
    checked loop runs on the original to count the events as numpy would.
    """
    q = p.copy()
    if _eliminate_fast(q):
        return _eliminate_checked(p)
    p[:, :] = q
    return 0, 0, 0, 0


@njit(cache=True, error_model="numpy")
def _eliminate_fast(p):  # pragma: no cover - compiled
    """The elimination without per-operation checks; True when an event may have happened."""
    n = p.shape[0]
    col = np.empty(n)
    suspicious = False
    for k in range(n - 1, 0, -1):
        s = _pairwise_sum(p[k], 0, k)
        if not (s > 0.0 and s - s == 0.0):
            suspicious = True
        least = np.inf
        for j in range(k):
            a = abs(p[k, j])
            if a != 0.0 and a < least:
                least = a
        for i in range(k):
            x = p[i, k]
            c = x / s
            # A quotient from a non-zero x that lands below the least normal double (0
            # included), or one whose products with the row may do so, may have underflowed.
            if x != 0.0 and (not abs(c) >= _TINY or not abs(c) * least >= _TINY):
                suspicious = True
            col[i] = c
        for i in range(k):
            c = col[i]
            for j in range(k):
                p[i, j] = p[i, j] + c * p[k, j]
            p[i, k] = c
    for i in range(n):
        for j in range(n):
            if p[i, j] - p[i, j] != 0.0:
                return True
    return suspicious


@njit(cache=True, error_model="numpy")
def _eliminate_checked(p):  # pragma: no cover - compiled
    """Eliminate states ``n - 1 .. 1`` of ``p`` in place, as ``_gth``'s numpy loop does.

    Returns the counts of the events numpy's floating-point error state watches, in numpy's
    order: divisions by zero, overflows, underflows (rounded results below the least normal
    double) and invalid operations (0 / 0, inf - inf, 0 * inf; a NaN operand is not one).
    ``error_model="numpy"``: a zero pivot (a reducible chain, or one whose pivots underflowed
    to 0) gives inf or NaN as numpy's division does, not ZeroDivisionError.
    """
    n = p.shape[0]
    col = np.empty(n)
    divide = 0
    over = 0
    under = 0
    invalid = 0
    for k in range(n - 1, 0, -1):
        s = _pairwise_sum(p[k], 0, k)
        if s - s != 0.0:
            o, v = _sum_flags(p[k], 0, k, s)
            over += o
            invalid += v
        for i in range(k):
            x = p[i, k]
            c = x / s
            if x != x or s != s:
                pass
            elif s == 0.0:
                if x == 0.0:
                    invalid += 1
                else:
                    divide += 1
            elif x - x != 0.0 and s - s != 0.0:
                invalid += 1
            elif x - x == 0.0 and s - s == 0.0:
                if c - c != 0.0:
                    over += 1
                elif x != 0.0 and abs(c) < _TINY and _quotient_inexact(x, s, c):
                    under += 1
            col[i] = c
        for i in range(k):
            c = col[i]
            cf = c - c == 0.0
            for j in range(k):
                r = p[k, j]
                t = c * r
                rf = r - r == 0.0
                if cf and rf:
                    if t - t != 0.0:
                        over += 1
                    elif abs(t) < _TINY and c != 0.0 and r != 0.0 and _product_inexact(c, r, t):
                        under += 1
                elif (c == 0.0 and r - r != 0.0 and r == r) or (r == 0.0 and not cf and c == c):
                    invalid += 1
                q = p[i, j]
                v = q + t
                if v - v != 0.0 and q - q == 0.0 and t - t == 0.0:
                    over += 1
                elif v != v and q == q and t == t:
                    invalid += 1  # inf + -inf
                p[i, j] = v
            p[i, k] = c
    return divide, over, under, invalid
