"""Compiled loops for the partnership table and the ledger (numba, the optional ``fast`` extra).

:meth:`~allysim.abm.PartnershipTable.remove` (the age counts, the partner table, the
compaction of every column) and :meth:`~allysim.abm.PartnershipTable.add` (the partner table,
every column of the new rows) each become one compiled call, and
:meth:`~allysim.abm.TrustModel.credit_partners` one call without index arrays. They are the
numpy path's twins: the same rows end up in the same places, and the credits add the same
numbers to each organization in the same order, so results are bit-identical.

The table's columns are passed as tuples of same-dtype (rows, width) views, one tuple per
dtype (:func:`column_groups`), built once and rebuilt only when a column is added or replaced.

numba is imported only when a loop is first needed (:func:`kernels`); the compiled code is
cached on disk.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np

from allysim.abm._compiled import compile_loops

__all__ = ["GROUPED", "kernels"]

#: Column dtypes the compiled loops move and fill a group at a time (the rest stay in numpy).
GROUPED = (np.dtype(np.float64), np.dtype(np.int64), np.dtype(np.bool_))


def _remove(
    gone, failed, has_failed, age, pa, pb, table, degree, ended, failed_by, floats, ints, bools
):  # pragma: no cover - compiled
    """PartnershipTable.remove over rows ``[:len(gone)]``; returns (removed, 1 + oldest age).

    Writes nothing when none is removed, or when the age counts are too short (the caller
    lengthens them to the returned size and calls again).
    """
    e = gone.shape[0]
    width = table.shape[1]
    rows = np.empty(e, dtype=np.int64)
    count = 0
    top = 0
    for i in range(e):
        rows[count] = i
        count += gone[i]
    for q in range(count):
        top = max(top, age[rows[q]] + 1)
    if count == 0 or top > ended.shape[0]:
        return count, top
    for q in range(count):
        i = rows[q]
        a = age[i]
        ended[a] += 1
        failed_by[a] += has_failed & failed[i]  # no branch: which failed is a coin flip
        # Each partner holds the other in exactly one place of its row (found without a
        # branch: which place it is varies at random).
        for side in range(2):
            r = pa[i] if side == 0 else pb[i]
            o = pb[i] if side == 0 else pa[i]
            place = 0
            for c in range(width - 1, -1, -1):
                place = c if table[r, c] == o else place
            table[r, place] = -1
            degree[r] -= 1
    # The holes below the new end (the first removed rows), in order, take the survivors
    # above it, in order.
    k = e - count
    fillers = np.empty(count, dtype=np.int64)
    moved = 0
    for i in range(k, e):
        fillers[moved] = i
        moved += not gone[i]
    holes = rows
    _move(floats, holes, fillers, moved)
    _move(ints, holes, fillers, moved)
    _move(bools, holes, fillers, moved)
    return count, top


def _move(arrays, holes, fillers, moved):  # pragma: no cover - compiled
    """``arr[holes[:moved]] = arr[fillers[:moved]]`` for each (rows, width) array."""
    for arr in arrays:
        w = arr.shape[1]
        if w == 1:
            for q in range(moved):
                arr[holes[q], 0] = arr[fillers[q], 0]
        else:
            for q in range(moved):
                h, f = holes[q], fillers[q]
                for j in range(w):
                    arr[h, j] = arr[f, j]


def _write(arrays, sources, repeats, fills, given, lo, count):  # pragma: no cover - compiled
    """Rows ``[lo:lo + count]`` of each array: its source's rows (each value ``repeats``
    times) where ``given``, else its fill value."""
    for c in range(len(arrays)):
        arr = arrays[c]
        w = arr.shape[1]
        # The rows are one contiguous block of the C-ordered array.
        block = arr.reshape(-1)[lo * w : (lo + count) * w]
        if not given[c]:
            block[:] = fills[c]
            continue
        src = sources[c].reshape(-1)
        r = repeats[c]
        if r == 1:
            block[:] = src[: count * w]
        else:
            for x in range(src.shape[0]):
                v = src[x]
                for q in range(r):
                    block[x * r + q] = v


def _add(
    a,
    b,
    table,
    degree,
    lo,
    floats,
    float_sources,
    float_repeats,
    float_fills,
    float_given,
    ints,
    int_sources,
    int_repeats,
    int_fills,
    int_given,
    bools,
    bool_sources,
    bool_repeats,
    bool_fills,
    bool_given,
):  # pragma: no cover - compiled
    """PartnershipTable.add of rows ``[lo:lo + len(a)]``; False (and nothing written) when an
    organization is out of range or has too few free places.

    Each group's columns take their source's rows (``given``) or their fill value.
    """
    count = a.shape[0]
    n = table.shape[0]
    width = table.shape[1]
    for k in range(count):
        if a[k] < 0 or a[k] >= n or b[k] < 0 or b[k] >= n:
            return False
    # Degrees first: an organization named several times needs that many free places.
    short = False
    for side in range(2):
        for k in range(count):
            r = a[k] if side == 0 else b[k]
            degree[r] += 1
            if degree[r] > width:
                short = True
    if short:
        for side in range(2):
            for k in range(count):
                degree[a[k] if side == 0 else b[k]] -= 1
        return False
    # Each end in order takes the first free place of its row, as _link's rounds place them
    # (found without a branch: which place is first free varies at random).
    for side in range(2):
        for k in range(count):
            r = a[k] if side == 0 else b[k]
            o = b[k] if side == 0 else a[k]
            place = 0
            for c in range(width - 1, -1, -1):
                place = c if table[r, c] < 0 else place
            table[r, place] = o
    _write(floats, float_sources, float_repeats, float_fills, float_given, lo, count)
    _write(ints, int_sources, int_repeats, int_fills, int_given, lo, count)
    _write(bools, bool_sources, bool_repeats, bool_fills, bool_given, lo, count)
    return True


def _credit_rows(
    wealth,
    period_payoff,
    pa,
    pb,
    stage,
    levels,
    lo,
    hi,
    use_idx,
    idx,
    amount,
    to_wealth,
    per_stake,
    few,
):  # pragma: no cover - compiled
    """Ledger.credit_partners over the rows ``idx`` if ``use_idx``, else ``[lo:hi]``.

    The numpy path credits the organizations ``pa[rows]`` then ``pb[rows]`` with
    ``amount[:, 0]`` then ``amount[:, 1]``: in place one by one (``np.add.at``) when ``few``,
    else summed per organization first (``np.bincount``) and the sums added. Wealth and period
    payoff are accumulated in one pass here, each in that order.
    """
    n = wealth.shape[0]
    k = idx.shape[0] if use_idx else hi - lo
    w_total = wealth if few else np.zeros(n if to_wealth else 0)
    p_total = period_payoff if few else np.zeros(n)
    for side in range(2):
        for r in range(k):
            i = idx[r] if use_idx else lo + r
            org = pa[i] if side == 0 else pb[i]
            v = amount[r, side]
            if to_wealth:
                w_total[org] += v
            p_total[org] += v / levels[stage[i]] if per_stake else v
    if not few:
        if to_wealth:
            for j in range(n):
                wealth[j] += w_total[j]
        for j in range(n):
            period_payoff[j] += p_total[j]


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
    ...     assert callable(kernels().remove)
    """
    return compile_loops(
        globals(), ("_remove", "_add", "_credit_rows"), helpers=("_move", "_write")
    )
