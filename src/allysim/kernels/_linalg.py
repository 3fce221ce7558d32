"""Dense linear solves whose answer does not depend on the number of BLAS/LAPACK threads.

``numpy.linalg.solve`` calls LAPACK's ``getrf``/``getrs``, and OpenBLAS factorises a matrix of
more than about 100 rows with a parallel algorithm whose blocking follows the thread count:
the last bits of the answer then follow ``OPENBLAS_NUM_THREADS`` (and differ between BLAS
builds and CPUs). :func:`solve` is Gaussian elimination with partial pivoting written so that
every floating-point operation, and its order, is fixed: each update ``a[i, j] - l[i] * a[k, j]``
is one rounded product and one rounded difference (elementwise numpy, or a numba loop that
does the same operations in the same order; numba contracts no multiply-add without fastmath),
and no dot product is summed by BLAS. Its answer is the same to the bit with any number of
threads, with or without numba, on any BLAS. It is slower than LAPACK (an unblocked loop: about
5 to 10 times single-threaded LAPACK from a few hundred rows; docs/performance.md).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from allysim.kernels._compiled import numba_available

#: From this many unknowns :func:`solve` runs the compiled loop when numba is installed (below
#: it numpy's loop is fast enough, and importing numba would cost more than it saves).
COMPILED_FROM = 48


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
        kernel = _kernel()
        if kernel is None:
            raise ValueError("compiled=True needs numba: pip install 'allysim[fast]'")
        x = np.empty_like(b)
        if len(a) and kernel(a, b, x) >= 0:
            _singular()
    else:
        x = _solve_numpy(a, b)
    return x.reshape(*lead, n)


def _singular() -> None:
    raise np.linalg.LinAlgError("Singular matrix: a has a pivot of exactly 0")


def _solve_numpy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`solve` on ``(m, n, n)`` and ``(m, n)`` arrays it may overwrite, numpy's loop."""
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


def _eliminate(a, b, x):  # pragma: no cover - compiled by numba
    """:func:`_solve_numpy` as loops: the same operations in the same order per element.

    Returns -1, or the first column with a zero pivot (``a``, ``b`` are then garbage).
    """
    m, n, _ = a.shape
    lower = np.empty(n)
    for s in range(m):
        aa = a[s]
        bb = b[s]
        for k in range(n):
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
                for j in range(k, n):
                    t = aa[k, j]
                    aa[k, j] = aa[p, j]
                    aa[p, j] = t
                t = bb[k]
                bb[k] = bb[p]
                bb[p] = t
            pivot = aa[k, k]
            if pivot == 0.0:
                return k
            u = aa[k]
            bk = bb[k]
            for i in range(k + 1, n):
                lower[i] = aa[i, k] / pivot
                bb[i] = bb[i] - lower[i] * bk
            # Four rows per pass over row k: each element still gets one product and one
            # difference, so the bits are numpy's.
            i = k + 1
            while i + 4 <= n:
                r0 = aa[i]
                r1 = aa[i + 1]
                r2 = aa[i + 2]
                r3 = aa[i + 3]
                l0 = lower[i]
                l1 = lower[i + 1]
                l2 = lower[i + 2]
                l3 = lower[i + 3]
                for j in range(k + 1, n):
                    uj = u[j]
                    r0[j] = r0[j] - l0 * uj
                    r1[j] = r1[j] - l1 * uj
                    r2[j] = r2[j] - l2 * uj
                    r3[j] = r3[j] - l3 * uj
                i += 4
            while i < n:
                r0 = aa[i]
                l0 = lower[i]
                for j in range(k + 1, n):
                    r0[j] = r0[j] - l0 * u[j]
                i += 1
        for k in range(n - 1, -1, -1):
            xk = bb[k] / aa[k, k]
            x[s, k] = xk
            for i in range(k):
                bb[i] = bb[i] - aa[i, k] * xk
    return -1


@functools.cache
def _kernel() -> Any:
    """:func:`_eliminate` compiled, or None without numba."""
    if not numba_available():
        return None
    from numba import njit  # type: ignore[import-untyped]

    return njit(cache=True, error_model="numpy")(_eliminate)
