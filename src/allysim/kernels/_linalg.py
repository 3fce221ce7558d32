"""Dense linear solves whose answer does not depend on the number of BLAS/LAPACK threads.

``numpy.linalg.solve`` calls LAPACK's ``getrf``/``getrs``, and OpenBLAS factorises a matrix of
more than about 100 rows with a parallel algorithm whose blocking follows the thread count:
the last bits of the answer then follow ``OPENBLAS_NUM_THREADS`` (and differ between BLAS
builds and CPUs). :func:`solve` is Gaussian elimination with partial pivoting written so that
every floating-point operation, and its order, is fixed: each update ``a[i, j] - l[i] * a[k, j]``
is one rounded product and one rounded difference (elementwise numpy, or a numba loop that
does the same operations in the same order; numba contracts no multiply-add without fastmath),
and no dot product is summed by BLAS. Its answer is the same to the bit with any number of
threads, with or without numba, on any BLAS. numpy's loop is the reference; numba's is blocked
(panels, register tiles, vectorised), which changes when each element is updated but not the
order of its updates, so its bits are numpy's. It takes 1.3 to 2.6 times single-threaded
LAPACK's time (1.7 at 1,024 rows, 2.0 at 2,048, 2.6 at 4,096; the unblocked loop it replaced
took 2.5 to 6 times longer; docs/performance.md), and LAPACK on many cores is faster still.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from allysim.kernels._compiled import numba_available

#: From this many unknowns :func:`solve` runs the compiled loop when numba is installed (below
#: it numpy's loop is fast enough, and importing numba would cost more than it saves).
COMPILED_FROM = 48

# The compiled loop's blocking (measured on a 2-core Xeon with 48 KiB L1d and 2 MiB L2 per
# core, 1,024 to 4,096 unknowns: 32 to 128 columns a panel, 8 to 32 a sub-panel and tiles of
# 256 to 1,024 columns were all within 10% of each other). They change the speed, not the bits.
#: Columns factorised before the rest of the matrix is updated with them.
PANEL = 64
#: Columns of a panel factorised by rank-1 updates before the panel's other columns are.
SUBPANEL = 16
#: Columns of the rest of the matrix updated in one pass (a tile of 4 rows stays in L1).
TILE = 512


def solve(a: Any, b: Any, *, compiled: bool | None = None) -> np.ndarray:
    """Solve ``a @ x = b`` for one or a stack of square systems, bit-reproducibly.

    Gaussian elimination with partial pivoting (the row of largest ``|a[i, k]|`` in column k,
    the first on ties, as ``numpy.argmax``), then back substitution by columns. The answer
    does not depend on the BLAS/LAPACK thread count, on the BLAS, or on ``compiled``.

    Parameters
    ----------
    a : array_like
        Coefficients, shape ``(..., n, n)`` with n >= 1.
    b : array_like
        Right-hand sides, shape ``(..., n)`` (the leading shape of ``a``).
    compiled : bool or None, default None
        True: numba's loop (ValueError without numba); False: numpy's loop; None: numba's
        from :data:`COMPILED_FROM` unknowns when it is installed. Both give the same bits.

    Returns
    -------
    numpy.ndarray
        ``x`` of shape ``(..., n)``, float64.

    Raises
    ------
    TypeError
        ``a`` or ``b`` is complex.
    ValueError
        ``a`` is not a stack of square matrices, or ``b`` does not match its shape.
    numpy.linalg.LinAlgError
        A pivot is exactly 0 (the matrix, or one of the stack, is singular), as
        ``numpy.linalg.solve`` raises. It is a ValueError.

    Examples
    --------
    >>> from allysim.kernels._linalg import solve
    >>> solve([[2.0, 1.0], [1.0, 3.0]], [3.0, 5.0]).tolist()
    [0.8, 1.4]
    """
    for value, name in ((a, "a"), (b, "b")):
        # A complex array cast to float loses its imaginary part with only a warning.
        if np.iscomplexobj(value):
            raise TypeError(f"{name} must be real, got a complex array")
    a = np.array(a, dtype=float)
    b = np.array(b, dtype=float)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2] or a.shape[-1] < 1:
        raise ValueError(f"a must have shape (..., n, n) with n >= 1, got {a.shape}")
    if b.shape != a.shape[:-1]:
        raise ValueError(
            f"b must have shape {a.shape[:-1]} (a's shape without its last axis), got {b.shape}"
        )
    n = a.shape[-1]
    lead = a.shape[:-2]
    a = np.ascontiguousarray(a.reshape(-1, n, n))
    b = np.ascontiguousarray(b.reshape(-1, n))
    if compiled is None:
        compiled = n >= COMPILED_FROM and numba_available()
    if compiled:
        if not numba_available():
            raise ValueError("compiled=True needs numba: pip install 'allysim[fast]'")
        x = _solve_compiled(a, b)
    else:
        x = _solve_numpy(a, b)
    return x.reshape(*lead, n)


def _solve_compiled(
    a: np.ndarray, b: np.ndarray, panel: int = PANEL, sub: int = SUBPANEL, tile: int = TILE
) -> np.ndarray:
    """:func:`solve` on ``(m, n, n)`` and ``(m, n)`` arrays it may overwrite, numba's loop.

    ``panel``, ``sub`` and ``tile`` (positive) only change the speed, never the bits.
    """
    x = np.empty_like(b)
    if len(a) and _kernel()(a, b, x, panel, sub, tile) >= 0:
        _singular()
    return x


def _singular() -> None:
    raise np.linalg.LinAlgError("Singular matrix: a has a pivot of exactly 0")


def _solve_numpy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`solve` on ``(m, n, n)`` and ``(m, n)`` arrays it may overwrite, numpy's loop."""
    # The caller's error state must not change the outcome: numba's loop never signals, and
    # numpy.linalg.solve ignores underflow, overflow and division. Under np.seterr(all="raise")
    # an underflowing product (a chain with noise 1e-100) raised FloatingPointError here.
    with np.errstate(all="ignore"):
        return _eliminate_numpy(a, b)


def _eliminate_numpy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    m, n, _ = a.shape
    rows = np.arange(m)
    for k in range(n):
        p = k + np.argmax(np.abs(a[:, k:, k]), axis=1)
        swap = p != k
        if swap.any():
            r, q = rows[swap], p[swap]
            top = a[r, k, k:].copy()
            a[r, k, k:] = a[r, q, k:]
            a[r, q, k:] = top
            top_b = b[r, k].copy()
            b[r, k] = b[r, q]
            b[r, q] = top_b
        pivot = a[:, k, k]
        if np.any(pivot == 0):
            _singular()
        lower = a[:, k + 1 :, k] / pivot[:, None]
        b[:, k + 1 :] -= lower * b[:, k, None]
        a[:, k + 1 :, k + 1 :] -= lower[:, :, None] * a[:, k, None, k + 1 :]
    x = np.empty_like(b)
    for k in range(n - 1, -1, -1):
        x[:, k] = b[:, k] / a[:, k, k]
        b[:, :k] -= a[:, :k, k] * x[:, k, None]
    return x


def _eliminate(a, b, x, panel, sub, tile):  # pragma: no cover - compiled by numba
    """:func:`_solve_numpy` as a blocked loop: the same operations in the same order per element.

    Right-looking blocked LU. Element ``a[i, j]`` receives ``a[i, j] - l[i, k] * a[k, j]`` for
    k = 0, 1, ... in increasing order, each a rounded product then a rounded difference, as
    in numpy's loop; the blocking only changes which element is updated when. Columns are
    factorised ``panel`` at a time (within a panel, ``sub`` at a time by rank-1 updates), and
    each panel then updates the rest of the matrix ``tile`` columns at a time: four rows at
    once take four of the panel's k in one pass, a running value per element that stays in a
    register, so the tile is read and written once per four k instead of once per k. Pivots
    are chosen from the same values (a column is searched after every earlier update) and
    whole rows are swapped, the multipliers ``l`` (kept below the diagonal) with them, so
    the forward substitution afterwards applies to ``b`` what numpy's loop applied during the
    elimination, in the same order. Loops run over slices (``range(size)``, not
    ``range(j0, j1)``): with a start that might be negative LLVM does not vectorise them.

    Returns -1, or the first column with a zero pivot (``a``, ``b`` are then garbage).
    """
    m, n, _ = a.shape

    def update(aa, k0, k1, j0, j1):
        # Columns j0..j1-1 receive the updates of k0..k1-1 (each earlier k already applied).
        # Rows k0+1..k1-1 first (U's rows of the panel): row k must be final before use.
        for k in range(k0, k1):
            u = aa[k, j0:j1]
            for i in range(k + 1, k1):
                li = aa[i, k]
                r = aa[i, j0:j1]
                for j in range(r.size):
                    r[j] = r[j] - li * u[j]
        rows = aa.shape[0]
        i = k1
        while i + 4 <= rows:
            r0 = aa[i, j0:j1]
            r1 = aa[i + 1, j0:j1]
            r2 = aa[i + 2, j0:j1]
            r3 = aa[i + 3, j0:j1]
            k = k0
            while k + 4 <= k1:
                u0 = aa[k, j0:j1]
                u1 = aa[k + 1, j0:j1]
                u2 = aa[k + 2, j0:j1]
                u3 = aa[k + 3, j0:j1]
                l00, l01, l02, l03 = aa[i, k], aa[i, k + 1], aa[i, k + 2], aa[i, k + 3]
                l10, l11, l12, l13 = (
                    aa[i + 1, k],
                    aa[i + 1, k + 1],
                    aa[i + 1, k + 2],
                    aa[i + 1, k + 3],
                )
                l20, l21, l22, l23 = (
                    aa[i + 2, k],
                    aa[i + 2, k + 1],
                    aa[i + 2, k + 2],
                    aa[i + 2, k + 3],
                )
                l30, l31, l32, l33 = (
                    aa[i + 3, k],
                    aa[i + 3, k + 1],
                    aa[i + 3, k + 2],
                    aa[i + 3, k + 3],
                )
                for j in range(r0.size):
                    v0 = u0[j]
                    v1 = u1[j]
                    v2 = u2[j]
                    v3 = u3[j]
                    t = r0[j] - l00 * v0
                    t = t - l01 * v1
                    t = t - l02 * v2
                    r0[j] = t - l03 * v3
                    t = r1[j] - l10 * v0
                    t = t - l11 * v1
                    t = t - l12 * v2
                    r1[j] = t - l13 * v3
                    t = r2[j] - l20 * v0
                    t = t - l21 * v1
                    t = t - l22 * v2
                    r2[j] = t - l23 * v3
                    t = r3[j] - l30 * v0
                    t = t - l31 * v1
                    t = t - l32 * v2
                    r3[j] = t - l33 * v3
                k += 4
            while k < k1:
                u0 = aa[k, j0:j1]
                l00, l10, l20, l30 = aa[i, k], aa[i + 1, k], aa[i + 2, k], aa[i + 3, k]
                for j in range(r0.size):
                    v0 = u0[j]
                    r0[j] = r0[j] - l00 * v0
                    r1[j] = r1[j] - l10 * v0
                    r2[j] = r2[j] - l20 * v0
                    r3[j] = r3[j] - l30 * v0
                k += 1
            i += 4
        while i < rows:
            r0 = aa[i, j0:j1]
            for k in range(k0, k1):
                u0 = aa[k, j0:j1]
                l00 = aa[i, k]
                for j in range(r0.size):
                    r0[j] = r0[j] - l00 * u0[j]
            i += 1

    for s in range(m):
        aa = a[s]
        bb = b[s]
        for k0 in range(0, n, panel):
            k1 = min(k0 + panel, n)
            for q0 in range(k0, k1, sub):
                q1 = min(q0 + sub, k1)
                for k in range(q0, q1):
                    # numpy.argmax: the first largest, or the first NaN.
                    p = k
                    best = abs(aa[k, k])
                    if best == best:
                        for i in range(k + 1, n):
                            v = abs(aa[i, k])
                            if v > best:
                                best = v
                                p = i
                            elif v != v:
                                p = i
                                break
                    if p != k:
                        rk = aa[k]
                        rp = aa[p]
                        for j in range(n):
                            t = rk[j]
                            rk[j] = rp[j]
                            rp[j] = t
                        t = bb[k]
                        bb[k] = bb[p]
                        bb[p] = t
                    pivot = aa[k, k]
                    if pivot == 0.0:
                        return k
                    u = aa[k, k + 1 : q1]
                    for i in range(k + 1, n):
                        li = aa[i, k] / pivot
                        aa[i, k] = li
                        r = aa[i, k + 1 : q1]
                        for j in range(r.size):
                            r[j] = r[j] - li * u[j]
                if q1 < k1:
                    update(aa, q0, q1, q1, k1)
            for j0 in range(k1, n, tile):
                update(aa, k0, k1, j0, min(j0 + tile, n))
        # b[i] - l[i, 0] * b[0] - l[i, 1] * b[1] - ..., then (b[i] - u[i, n-1] * x[n-1] - ...)
        # / u[i, i]: numpy's loop subtracts in these orders too, one rounding each.
        for i in range(n):
            r = aa[i]
            t = bb[i]
            for k in range(i):
                t = t - r[k] * bb[k]
            bb[i] = t
        for i in range(n - 1, -1, -1):
            r = aa[i]
            t = bb[i]
            for k in range(n - 1, i, -1):
                t = t - r[k] * x[s, k]
            x[s, i] = t / r[i]
    return -1


@functools.cache
def _kernel() -> Any:
    """:func:`_eliminate` compiled, or None without numba."""
    if not numba_available():
        return None
    from numba import njit  # type: ignore[import-untyped]

    return njit(cache=True, error_model="numpy")(_eliminate)
