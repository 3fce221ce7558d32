"""numba-compiled inner loops of the kernels (imported only when numba is installed).

Each function is the compiled twin of a numpy path in ``montecarlo`` or ``exact`` and keeps its
arithmetic in the same order, so the exact kernels agree with numpy to round-off. Work is split
over independent pairs or matches with ``prange``; nothing a thread computes depends on which
thread computes it, so results do not change with ``numba.set_num_threads``.
"""

from __future__ import annotations

import os

import numba  # type: ignore[import-untyped]
import numpy as np
from numba import njit, prange

# GNU OpenMP, numba's usual threading layer here, aborts a child process forked after it ran
# (sweeps fork worker processes); the workqueue layer is fork-safe, and the kernels' callers
# hold a lock so it is never entered by two Python threads at once. A layer the user chose
# (NUMBA_THREADING_LAYER) is left alone.
_config = numba.config
if "NUMBA_THREADING_LAYER" not in os.environ and _config.THREADING_LAYER == "default":  # type: ignore[attr-defined]
    _config.THREADING_LAYER = "workqueue"  # type: ignore[attr-defined]

# SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators",
# OOPSLA): a Weyl sequence (state += an odd increment) passed through a 64-bit finaliser.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S40 = np.uint64(40)
_S8 = np.uint64(8)
_LOW24 = np.uint64(0xFFFFFF)
_ONE = np.uint64(1)
_ALTERNATE = np.uint64(0xAAAAAAAAAAAAAAAA)
# Matches advanced together by one thread: enough independent chains for the out-of-order core
# to overlap their table lookups, few enough that LLVM unrolls the lane loop into straight code
# (8 lanes: 3.6e8 match-rounds/s on one core here; 32 lanes, not unrolled: 3.3e8).
_LANES = 8
_FOUR = np.uint64(4)
# Pairs per vectorised block of the finite-horizon solver (its SIMD width times a few: 64 pairs
# ran 8.0e6 pairs/s on one core here, 32 pairs 6.2e6, 128 pairs 5.8e6).
_PAIRS = 64
# The finite-horizon solver may fuse multiply-adds and reassociate its sums: its results differ
# from numpy's in the last bits (the tests allow 1e-12), against about 1.5x the speed.
_FAST_MATH = {"contract", "reassoc", "arcp", "nsz"}
# Squarings between row renormalisations of the power matrix: the row sums of P^(2^k) drift by
# about 2^k ulp without them, so every 4 squarings bounds the drift by 16 ulp between resets.
_RESCALE_EVERY = 4


@njit(inline="always", cache=True)
def _mix(z):  # pragma: no cover - compiled
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always", cache=True)
def _gamma(z):  # pragma: no cover - compiled
    """An odd Weyl increment from z, as SplitMix64's ``mixGamma`` (Steele et al. 2014)."""
    z = _mix(z) | _ONE
    # Increments with few 01/10 bit transitions give visibly weaker streams: flip half the bits.
    x = z ^ (z >> _ONE)
    n = 0
    while x:
        x &= x - _ONE
        n += 1
    if n < 24:
        z ^= _ALTERNATE
    return z


@njit(parallel=True, cache=True)
def play_matches(
    thr4, next4, start_x, start_y, lengths, eta, key0, key1, first, count, tally, hist
):  # pragma: no cover - compiled
    """Play matches ``first .. first + count - 1`` of the arrays: match k's moves come from its
    own SplitMix64 stream (start from ``key0`` and k, increment from ``key1`` and k), so a match
    plays the same whatever its chunk, block or thread.

    ``thr4`` and ``next4`` are the lockstep loop's global machine tables, with each
    cooperation probability p as the integer threshold ``ceil(p 2^24)``: a 24-bit uniform
    integer u withholds when ``u >= ceil(p 2^24)``, exactly when the float32 uniform
    ``u 2^-24`` is ``>= p`` as in the numpy path. ``tally`` (K, 4) receives the counts of the
    outcomes CC, CD, DC, DD (row player's move first) over each match's first ``lengths[k]``
    rounds; ``hist`` (rounds, 2, K) receives the moves (True = withheld) when its first axis is
    not empty.
    """
    keep = hist.shape[0] > 0
    flip = eta > 0.0
    # eta as a 24-bit threshold too: a flip when u 2^-24 < eta, i.e. u < ceil(eta 2^24).
    eta24 = np.int64(np.ceil(eta * 16777216.0))
    n_blocks = (count + _LANES - 1) // _LANES
    for blk in prange(n_blocks):
        _play_block(
            thr4,
            next4,
            start_x,
            start_y,
            lengths,
            eta24,
            flip,
            keep,
            key0,
            key1,
            first,
            count,
            blk,
            tally,
            hist,
        )


@njit(inline="always", cache=True)
def _play_block(
    thr4,
    next4,
    start_x,
    start_y,
    lengths,
    eta24,
    flip,
    keep,
    key0,
    key1,
    first,
    count,
    blk,
    tally_out,
    hist,
):  # pragma: no cover - compiled
    """Block ``blk`` of ``_LANES`` matches of ``play_matches``, all its rounds.

    Every loop over lanes runs all ``_LANES`` of them (a short last block repeats its last
    match in the spare lanes, whose own streams leave the others untouched, and drops their
    counts) so that LLVM unrolls it into straight code. Indices are unsigned, which spares
    numba's negative-index wraparound on each table read, and each lane counts its outcomes
    (4 j + 2 x + y) in one histogram instead of three counters.
    """
    lo = first + blk * _LANES
    nl = min(_LANES, first + count - lo)
    sx = np.empty(_LANES, np.uint64)
    sy = np.empty(_LANES, np.uint64)
    rng = np.empty(_LANES, np.uint64)
    gamma = np.empty(_LANES, np.uint64)
    length = np.empty(_LANES, np.int64)
    tally = np.zeros(4 * _LANES, np.int64)
    for j in range(_LANES):
        k = lo + min(j, nl - 1)
        sx[j] = np.uint64(start_x[k])
        sy[j] = np.uint64(start_y[k])
        # Each match its own start and its own odd increment (as SplitMix64's split does):
        # streams with different increments are different sequences, not shifted copies of
        # one, so no two matches can replay the same segment of draws.
        rng[j] = _mix(key0 + _GOLDEN * np.uint64(k + 1))
        gamma[j] = _gamma(key1 + _GOLDEN * np.uint64(k + 1))
        length[j] = lengths[k]
    shortest = length[0]
    horizon = length[0]
    for j in range(_LANES):
        shortest = min(shortest, length[j])
        horizon = max(horizon, length[j])
    if not (flip or keep):
        # The hot loop: rounds that every lane plays, then the longer matches' tails.
        for _t in range(shortest):
            for j in range(_LANES):
                _plain_round(j, 1, thr4, next4, sx, sy, rng, gamma, tally)
        for t in range(shortest, horizon):
            for j in range(_LANES):
                _plain_round(j, 1 if t < length[j] else 0, thr4, next4, sx, sy, rng, gamma, tally)
    else:
        for t in range(horizon):
            for j in range(_LANES):
                s = rng[j] + gamma[j]
                z = _mix(s)
                a = sx[j]
                b = sy[j]
                mx = np.uint64(np.int64(z >> _S40) >= thr4[a])
                my = np.uint64(np.int64((z >> _S8) & _LOW24) >= thr4[b])
                seen_y = my
                seen_x = mx
                if flip:
                    s = s + gamma[j]
                    z = _mix(s)
                    if np.int64(z >> _S40) < eta24:
                        seen_y = _ONE - my
                    if np.int64((z >> _S8) & _LOW24) < eta24:
                        seen_x = _ONE - mx
                rng[j] = s
                o = mx + mx + my
                sx[j] = np.uint64(next4[a + mx + mx + seen_y])
                sy[j] = np.uint64(next4[b + my + my + seen_x])
                on = t < length[j]
                tally[_FOUR * np.uint64(j) + o] += 1 if on else 0
                if keep and on and j < nl:
                    hist[t, 0, lo + j] = mx == _ONE
                    hist[t, 1, lo + j] = my == _ONE
    for j in range(nl):
        for o in range(4):
            tally_out[lo + j, o] = tally[4 * j + o]


@njit(inline="always", cache=True)
def _plain_round(j, count, thr4, next4, sx, sy, rng, gamma, tally):  # pragma: no cover
    """One round of lane j without perception noise or history; ``count`` (0 or 1) says
    whether its outcome is counted (0 past the match's end)."""
    s = rng[j] + gamma[j]
    z = _mix(s)
    rng[j] = s
    a = sx[j]
    b = sy[j]
    mx = np.uint64(np.int64(z >> _S40) >= thr4[a])
    my = np.uint64(np.int64((z >> _S8) & _LOW24) >= thr4[b])
    o = mx + mx + my
    sx[j] = np.uint64(next4[a + o])
    sy[j] = np.uint64(next4[b + my + my + mx])
    tally[_FOUR * np.uint64(j) + o] += count


@njit(parallel=True, cache=True)
def closed_form(px, p0x, qs, q0y, w, out, bad, threshold):  # pragma: no cover - compiled
    """Press & Dyson cofactors for every pair, as ``exact._closed_form_block`` computes them.

    ``qs`` is the column player's effective table already in the row player's outcome order.
    Writes the normalised distribution to ``out`` (n, m, 4) and flags in ``bad`` (n, m) the
    nearly reducible pairs (|cofactor sum| < threshold), whose ``out`` the caller replaces.
    """
    n = px.shape[0]
    m = qs.shape[0]
    dis = 1.0 - w
    for i in prange(n):
        a_0 = px[i, 0]
        a_1 = px[i, 1]
        a_2 = px[i, 2]
        a_3 = px[i, 3]
        a0 = p0x[i]
        c2_0 = (w * a_0 + dis * a0) - 1.0
        c2_1 = (w * a_1 + dis * a0) - 1.0
        c2_2 = w * a_2 + dis * a0
        c2_3 = w * a_3 + dis * a0
        for j in range(m):
            b_0 = qs[j, 0]
            b_1 = qs[j, 1]
            b_2 = qs[j, 2]
            b_3 = qs[j, 3]
            b0 = q0y[j]
            if w < 1.0:
                ab0 = dis * (a0 * b0)
                c1_0 = (w * (a_0 * b_0) + ab0) - 1.0
                c1_1 = w * (a_1 * b_1) + ab0
                c1_2 = w * (a_2 * b_2) + ab0
                c1_3 = w * (a_3 * b_3) + ab0
            else:
                c1_0 = a_0 * b_0 - 1.0
                c1_1 = a_1 * b_1
                c1_2 = a_2 * b_2
                c1_3 = a_3 * b_3
            c3_0 = (w * b_0 + dis * b0) - 1.0
            c3_1 = w * b_1 + dis * b0
            c3_2 = (w * b_2 + dis * b0) - 1.0
            c3_3 = w * b_3 + dis * b0
            m01 = c2_0 * c3_1 - c2_1 * c3_0
            m02 = c2_0 * c3_2 - c2_2 * c3_0
            m03 = c2_0 * c3_3 - c2_3 * c3_0
            m12 = c2_1 * c3_2 - c2_2 * c3_1
            m13 = c2_1 * c3_3 - c2_3 * c3_1
            m23 = c2_2 * c3_3 - c2_3 * c3_2
            v0 = -(c1_1 * m23 - c1_2 * m13 + c1_3 * m12)
            v1 = c1_0 * m23 - c1_2 * m03 + c1_3 * m02
            v2 = -(c1_0 * m13 - c1_1 * m03 + c1_3 * m01)
            v3 = c1_0 * m12 - c1_1 * m02 + c1_2 * m01
            total = v0 + v1 + v2 + v3
            if abs(total) < threshold:
                bad[i, j] = True
                continue
            bad[i, j] = False
            v0 = max(v0 / total, 0.0)
            v1 = max(v1 / total, 0.0)
            v2 = max(v2 / total, 0.0)
            v3 = max(v3 / total, 0.0)
            s = v0 + v1 + v2 + v3
            out[i, j, 0] = v0 / s
            out[i, j, 1] = v1 / s
            out[i, j, 2] = v2 / s
            out[i, j, 3] = v3 / s


@njit(inline="always", cache=True, fastmath=_FAST_MATH)
def _matmul(a, b, c, nb):  # pragma: no cover - compiled
    """c[i, j, :] = sum_l a[i, l, :] b[l, j, :] over a block of nb pairs (last axis)."""
    for i in range(4):
        for j in range(4):
            for p in range(nb):
                c[i, j, p] = (
                    a[i, 0, p] * b[0, j, p]
                    + a[i, 1, p] * b[1, j, p]
                    + a[i, 2, p] * b[2, j, p]
                    + a[i, 3, p] * b[3, j, p]
                )


@njit(inline="always", cache=True, fastmath=_FAST_MATH)
def _vecmul(v, a, out, nb):  # pragma: no cover - compiled
    """out[j, :] = sum_l v[l, :] a[l, j, :] over a block of nb pairs."""
    for j in range(4):
        for p in range(nb):
            out[j, p] = (
                v[0, p] * a[0, j, p]
                + v[1, p] * a[1, j, p]
                + v[2, p] * a[2, j, p]
                + v[3, p] * a[3, j, p]
            )


@njit(inline="always", cache=True, fastmath=_FAST_MATH)
def _scale_rows(a, total, nb):  # pragma: no cover - compiled
    """Rescale each row of a block of matrices so that it sums to ``total``."""
    for i in range(4):
        for p in range(nb):
            f = total / (((a[i, 0, p] + a[i, 1, p]) + a[i, 2, p]) + a[i, 3, p])
            a[i, 0, p] *= f
            a[i, 1, p] *= f
            a[i, 2, p] *= f
            a[i, 3, p] *= f


@njit(parallel=True, cache=True)
def mean_rounds_memory_one(px, p0x, dx, d0x, qy, q0y, dy, d0y, swap, rounds, out):
    # pragma: no cover - compiled
    """Mean outcome distribution over ``rounds`` for every memory-one pair, by doubling.

    The algorithm of ``_chains._chain_mean_rounds`` (the same squarings), laid out with pairs on
    the last axis so each 4x4 product runs as SIMD over a block of pairs, with fewer row
    renormalisations (see ``_RESCALE_EVERY``) and fused multiply-adds: within 1e-15 of numpy
    from 1 to 1e9 rounds. ``out`` is (n, m, 4).
    """
    n = px.shape[0]
    m = qy.shape[0]
    n_col_blocks = (m + _PAIRS - 1) // _PAIRS
    for task in prange(n * n_col_blocks):
        i = task // n_col_blocks
        c0 = (task % n_col_blocks) * _PAIRS
        _mean_rounds_block(px, p0x, dx, d0x, qy, q0y, dy, d0y, swap, rounds, out, i, c0)


@njit(cache=True, fastmath=_FAST_MATH)
def _mean_rounds_block(px, p0x, dx, d0x, qy, q0y, dy, d0y, swap, rounds, out, i, c0):
    # pragma: no cover - compiled
    """Row i's pairs with columns c0 .. c0 + _PAIRS - 1 (fewer at the end)."""
    m = qy.shape[0]
    nb = min(_PAIRS, m - c0)
    power = np.empty((4, 4, _PAIRS))
    block_sum = np.zeros((4, 4, _PAIRS))
    tmp = np.empty((4, 4, _PAIRS))
    cur = np.empty((4, _PAIRS))
    acc = np.zeros((4, _PAIRS))
    vtmp = np.empty((4, _PAIRS))
    for p in range(nb):
        j = c0 + p
        for s in range(4):
            a = px[i, s]
            na = dx[i, s]
            b = qy[j, swap[s]]
            nbb = dy[j, swap[s]]
            power[s, 0, p] = a * b
            power[s, 1, p] = a * nbb
            power[s, 2, p] = na * b
            power[s, 3, p] = na * nbb
            block_sum[s, s, p] = 1.0
        cur[0, p] = p0x[i] * q0y[j]
        cur[1, p] = p0x[i] * d0y[j]
        cur[2, p] = d0x[i] * q0y[j]
        cur[3, p] = d0x[i] * d0y[j]
    level = 0
    t = rounds
    while t:
        if t & 1:
            _vecmul(cur, block_sum, vtmp, nb)
            for s in range(4):
                for p in range(nb):
                    acc[s, p] += vtmp[s, p]
            _vecmul(cur, power, vtmp, nb)
            for p in range(nb):
                tot = vtmp[0, p] + vtmp[1, p] + vtmp[2, p] + vtmp[3, p]
                for s in range(4):
                    cur[s, p] = vtmp[s, p] / tot
        t >>= 1
        if t:
            _matmul(block_sum, power, tmp, nb)
            for r in range(4):
                for c in range(4):
                    for p in range(nb):
                        block_sum[r, c, p] += tmp[r, c, p]
            _matmul(power, power, tmp, nb)
            power, tmp = tmp, power
            level += 1
            # The sums need no renormalisation: their drift adds up over the log2(T) levels
            # (the final division by the total removes their common scale); the powers' drift
            # doubles with each squaring.
            if level % _RESCALE_EVERY == 0:
                _scale_rows(power, 1.0, nb)
    for p in range(nb):
        tot = acc[0, p] + acc[1, p] + acc[2, p] + acc[3, p]
        for s in range(4):
            out[i, c0 + p, s] = acc[s, p] / tot
