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

import math

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
    to 128, each split in halves at a multiple of 8 above that, the halves' sums added)."""
    # An empty flags array: no checks (a module-level one would be read-only to numba).
    return _pairwise_walk(a, lo, n, np.zeros(0, np.int64))


@njit(cache=True)
def _pairwise_walk(a, lo, n, flags):  # pragma: no cover - compiled
    """The pairwise summation of :func:`_pairwise_sum`; with a non-empty ``flags`` every
    addition is checked by :func:`_add_flags` (:func:`_pairwise_sum_flags`).

    The halving is walked with an explicit stack, not by recursion: numba's on-disk cache of a
    self-recursive function crashes when it is loaded back.
    """
    checked = flags.shape[0] > 0
    if n <= 128:
        return _block_sum_flags(a, lo, n, flags) if checked else _block_sum(a, lo, n)
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
            if checked:
                sums[count] = _block_sum_flags(a, start, size, flags)
            else:
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
            if checked:
                sums[count - 2] = _add_flags(sums[count - 2], sums[count - 1], flags)
            else:
                sums[count - 2] = sums[count - 2] + sums[count - 1]
            count -= 1
            top -= 1
    return sums[0]


_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for doubles


@njit(cache=True)
def _product_error(a, b, p):  # pragma: no cover - compiled
    """``a * b - p`` exactly (Dekker's two-product) for ``p = a * b``, a and b in [0.5, 2]."""
    ca = _SPLIT * a
    ah = ca - (ca - a)
    al = a - ah
    cb = _SPLIT * b
    bh = cb - (cb - b)
    bl = b - bh
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl


@njit(cache=True)
def _product_underflows(a, b, t):  # pragma: no cover - compiled
    """Whether ``t = a * b`` (a and b finite and non-zero) raised IEEE underflow: the product
    rounded to 53 bits with an unbounded exponent lies below the least normal double (x86
    detects tininess after rounding, so a result that rounds up to it is tiny too) and ``t``
    is not the exact product (a double rounding can land on the 53-bit value, so comparing
    the two roundings is not enough)."""
    ma, ea = math.frexp(a)
    mb, eb = math.frexp(b)
    m = ma * mb  # the product's significand, rounded once; its error says if it is exact
    e = ea + eb
    exact = _product_error(ma, mb, m) == 0.0 and math.ldexp(t, -e) == m
    return math.frexp(m)[1] + e <= -1022 and not exact


@njit(cache=True)
def _quotient_underflows(a, b, c):  # pragma: no cover - compiled
    """Whether ``c = a / b`` (a and b finite and non-zero) raised IEEE underflow, as
    :func:`_product_underflows` judges a product."""
    ma, ea = math.frexp(a)
    mb, eb = math.frexp(b)
    m = ma / mb
    e = ea - eb
    exact = m * mb == ma and _product_error(m, mb, m * mb) == 0.0 and math.ldexp(c, -e) == m
    return math.frexp(m)[1] + e <= -1022 and not exact


@njit(cache=True)
def _add_flags(x, y, flags):  # pragma: no cover - compiled
    """``x + y``, counting in ``flags`` an overflow (finite operands, non-finite sum) or an
    invalid operation (inf + -inf; a NaN operand is not one)."""
    r = x + y
    if r - r != 0.0:
        if x - x == 0.0 and y - y == 0.0:
            flags[0] += 1
        elif r != r and x == x and y == y:
            flags[1] += 1
    return r


@njit(cache=True)
def _block_sum_flags(a, lo, n, flags):  # pragma: no cover - compiled
    """:func:`_block_sum`, each addition checked by :func:`_add_flags`."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res = _add_flags(res, a[lo + i], flags)
        return res
    r = np.empty(8)
    for m in range(8):
        r[m] = a[lo + m]
    i = 8
    end = n - n % 8
    while i < end:
        for m in range(8):
            r[m] = _add_flags(r[m], a[lo + i + m], flags)
        i += 8
    left = _add_flags(_add_flags(r[0], r[1], flags), _add_flags(r[2], r[3], flags), flags)
    right = _add_flags(_add_flags(r[4], r[5], flags), _add_flags(r[6], r[7], flags), flags)
    res = _add_flags(left, right, flags)
    while i < n:
        res = _add_flags(res, a[lo + i], flags)
        i += 1
    return res


@njit(cache=True)
def _pairwise_sum_flags(a, lo, n, flags):  # pragma: no cover - compiled
    """:func:`_pairwise_sum`, each addition checked by :func:`_add_flags` (an overflow or an
    inf - inf on the way to a non-finite sum is flagged by numpy even when an inf or a NaN
    elsewhere in the row decides the sum's value)."""
    return _pairwise_walk(a, lo, n, flags)


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
            # The least normal double itself may be a tiny result rounded up, so only results
            # above it are known to be normal.
            if x != 0.0 and (not abs(c) > _TINY or not abs(c) * least > _TINY):
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
            flags = np.zeros(2, np.int64)
            _pairwise_sum_flags(p[k], 0, k, flags)
            over += flags[0]
            invalid += flags[1]
        for i in range(k):
            x = p[i, k]
            c = x / s
            if x != x or s != s:
                pass
            elif s == 0.0:
                if x == 0.0:
                    invalid += 1
                elif x - x == 0.0:  # inf / 0 is an exact inf, no event
                    divide += 1
            elif x - x != 0.0 and s - s != 0.0:
                invalid += 1
            elif x - x == 0.0 and s - s == 0.0:
                if c - c != 0.0:
                    over += 1
                elif x != 0.0 and abs(c) <= _TINY and _quotient_underflows(x, s, c):
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
                    elif abs(t) <= _TINY and c != 0.0 and r != 0.0 and _product_underflows(c, r, t):
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
