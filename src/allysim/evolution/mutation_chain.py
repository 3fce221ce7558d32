"""The exact mutation-selection chain over population compositions and its solvers."""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve
from scipy.special import expit

from allysim._progress import progress_bar
from allysim.kernels._compiled import numba_available


def _composition_count(z: int, n: int) -> int:
    return math.comb(z + n - 1, n - 1)


def _compositions(z: int, n: int) -> np.ndarray:
    """All compositions of z into n parts, lexicographic, built one coordinate at a time."""
    remaining = np.array([z], dtype=np.int64)
    columns: list[np.ndarray] = []
    for _ in range(n - 1):
        width = remaining + 1
        starts = np.repeat(np.cumsum(width) - width, width)
        k = np.arange(int(width.sum()), dtype=np.int64) - starts
        columns = [np.repeat(c, width) for c in columns]
        columns.append(k)
        remaining = np.repeat(remaining, width) - k
    columns.append(remaining)
    return np.stack(columns, axis=1)


def _count_table(z: int, n: int) -> np.ndarray:
    """table[p, r] = number of compositions of r into p parts = C(r + p - 1, p - 1)."""
    table = np.zeros((n + 1, z + 1), dtype=np.int64)
    for p in range(1, n + 1):
        table[p] = [math.comb(r + p - 1, p - 1) for r in range(z + 1)]
    return table


def _rank(states: np.ndarray, z: int, table: np.ndarray) -> np.ndarray:
    """Lexicographic index of each composition among all compositions of z (closed form)."""
    n = states.shape[1]
    remaining = np.full(len(states), z, dtype=np.int64)
    out = np.zeros(len(states), dtype=np.int64)
    for m in range(n - 1):
        k = states[:, m]
        # Compositions sharing the prefix but with a smaller m-th part come first.
        out += table[n - m, remaining] - table[n - m, remaining - k]
        remaining = remaining - k
    return out


def _chain_bytes(s: float, n: int, solver: str) -> float:
    per_row = n * (n - 1) + 1
    # states and payoffs, build arrays (index + value), CSR and its transpose, solver vectors.
    base = s * (3 * 8 * n + per_row * (8 + 8 + 12 + 12 + 8) + 8 * 24)
    if solver == "direct":
        # LU fill of a lattice of dimension n - 1 ordered by slices: about S^((d-1)/d) per row.
        d = max(n - 1, 1)
        base += 16.0 * s * s ** ((d - 1) / d)
    return base


def _exact_transitions(a, z, beta, mu, rule) -> tuple[np.ndarray, sparse.csr_matrix]:
    """States and the sparse row-stochastic transition matrix, one vectorised pass per pair."""
    n = a.shape[0]
    states = _compositions(z, n)
    s = len(states)
    table = _count_table(z, n)
    own = np.arange(s, dtype=np.int64)
    per_row = n * (n - 1) + 1
    cols = np.empty((s, per_row), dtype=np.int64 if s >= 2**31 else np.int32)
    vals = np.zeros((s, per_row))
    if rule == "fermi":
        # Only beta * payoff differences matter: scale payoffs to [-1, 1] so that huge payoffs
        # cannot overflow, and carry their scale in beta.
        scale = float(np.abs(a).max()) or 1.0
        pay = (states @ (a / scale).T - np.diag(a / scale)[None, :]) / (z - 1)
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            pay = states @ (a.T / (z - 1)) - np.diag(a)[None, :] / (z - 1)
            fit = 1 - beta + beta * pay
        present = states > 0
        if not np.all(np.isfinite(fit[present])) or np.any(fit[present] <= 0):
            raise ValueError(
                "rule='moran' needs finite, positive fitness 1 - selection + selection * "
                "payoff in every state; shift payoff_matrix up, scale it down or lower selection"
            )
        # Only ratios of fitness matter: scale it to at most 1 so that the sum cannot overflow.
        fit = np.where(present, fit, 0.0)
        fit = fit / fit.max()
        total_fit = (states * fit).sum(axis=1)
    c = 0
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            ki, kj = states[:, i], states[:, j]
            if rule == "fermi":
                diff = pay[:, j] - pay[:, i]
                with np.errstate(over="ignore"):
                    x = np.where(diff == 0, 0.0, (beta * scale) * diff)
                update = kj / (z - 1) * expit(x)
            else:
                update = kj * fit[:, j] / total_fit
            p = ki / z * ((1 - mu) * update + mu / (n - 1))
            valid = ki > 0
            dest = states.copy()
            dest[:, i] -= 1
            dest[:, j] += 1
            dest[~valid] = states[~valid]
            cols[:, c] = np.where(valid, _rank(dest, z, table), own)
            vals[:, c] = np.where(valid, p, 0.0)
            c += 1
    cols[:, c] = own
    vals[:, c] = 1.0 - vals[:, :c].sum(axis=1)
    indptr = np.arange(s + 1, dtype=cols.dtype) * per_row
    t = sparse.csr_matrix((vals.ravel(), cols.ravel(), indptr), shape=(s, s))
    t.sum_duplicates()
    t.eliminate_zeros()
    return states, t


#: Chains up to this many states are always solved by dense GTH (about 30 ms at 300 states);
#: larger ones by a fast solver whose answer is checked, with GTH as the fallback up to
#: GTH_MAX_STATES (about 1.5 s at 1000 states here).
GTH_ALWAYS_STATES = 300
GTH_MAX_STATES = 2000
#: A fast solve is kept when its residual ||pi T - pi||_1 is below this.
FAST_SOLVE_RESIDUAL = 1e-12


def _gth(t: np.ndarray) -> np.ndarray:
    """Stationary distribution of a dense irreducible chain by Grassmann, Taksar & Heyman (1985).

    State elimination that never subtracts: each pivot is the sum of the outflow to the states
    not yet eliminated, not ``1 - t_kk``. So every probability comes out to relative round-off,
    even for nearly reducible chains (strong selection, rare mutation), where LU on ``I - T``
    loses all digits (Heyman 1987; Stewart 1994, ch. 2).
    """
    p = np.array(t, dtype=float)
    n = p.shape[0]
    if n >= GTH_COMPILED_FROM and numba_available():
        _eliminate_compiled(p)
    else:
        for k in range(n - 1, 0, -1):
            col = p[:k, k] / p[k, :k].sum()
            p[:k, :k] += col[:, None] * p[k, :k][None, :]
            p[:k, k] = col
    pi = np.empty(n)
    pi[0] = 1.0
    for j in range(1, n):
        pi[j] = pi[:j] @ p[:j, j]
    return pi / pi.sum()


#: From this many states :func:`_gth` eliminates in a compiled loop when numba is installed (the
#: same bits as numpy's loop, which makes a k x k temporary per state).
GTH_COMPILED_FROM = 48


def _eliminate_compiled(p: np.ndarray) -> None:
    """:func:`_gth`'s elimination in place by the compiled loop, reporting what numpy would.

    numpy's loop runs under the caller's ``numpy.errstate``; the compiled one counts each of
    its four events instead, handled here as that state says: "raise" a FloatingPointError
    (the consortia's exact chains fall back to logarithms on it), "warn" or "print" a
    RuntimeWarning, "call" or "log" the error callback, "ignore" nothing.
    """
    from allysim.evolution._compiled_gth import gth_eliminate

    counts = gth_eliminate(p)
    state: dict[str, str] = {k: str(v) for k, v in np.geterr().items()}
    for (kind, what, flag), count in zip(_FP_EVENTS, counts, strict=True):
        mode = state[kind]
        if not count or mode == "ignore":
            continue
        message = f"{what} encountered in the elimination"
        if mode == "raise":
            raise FloatingPointError(message)
        if mode in ("warn", "print"):
            warnings.warn(message, RuntimeWarning, stacklevel=3)
        else:
            handler = np.geterrcall()
            if mode == "call" and callable(handler):
                handler(message, flag)
            elif mode == "log" and hasattr(handler, "write"):
                handler.write(  # type: ignore[union-attr]
                    f"Warning: {message}\n"
                )


#: numpy's floating-point events in the order it reports them: errstate key, wording, flag bit.
_FP_EVENTS = (
    ("divide", "divide by zero", 1),
    ("over", "overflow", 2),
    ("under", "underflow", 4),
    ("invalid", "invalid value", 8),
)


def _log_gth(log_t: np.ndarray) -> np.ndarray:
    """:func:`_gth` on natural logs of the transitions, for chains whose rates underflow.

    The embedded chain of the small-mutation limit can hold fixation probabilities like
    ``exp(-1000)``; in log space they keep their value and the elimination stays exact.
    """
    lp = np.array(log_t, dtype=float)
    n = lp.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(n - 1, 0, -1):
            col = lp[:k, k] - np.logaddexp.reduce(lp[k, :k])
            lp[:k, :k] = np.logaddexp(lp[:k, :k], col[:, None] + lp[k, :k][None, :])
            lp[:k, k] = col
        log_pi = np.empty(n)
        log_pi[0] = 0.0
        for j in range(1, n):
            log_pi[j] = np.logaddexp.reduce(log_pi[:j] + lp[:j, j])
    log_pi -= log_pi.max()
    pi = np.exp(log_pi)
    return pi / pi.sum()


def _residual(t, pi: np.ndarray) -> float:
    return float(np.abs(t.T @ pi - pi).sum())


def _direct_stationary(t: sparse.csr_matrix, anchor: int | None = None) -> np.ndarray:
    """Solve pi (I - T) = 0 exactly: GTH for small chains, else a checked sparse LU.

    The LU solves the other S - 1 equations with pi_anchor = 1. Fixing one component (rather
    than replacing an equation by the dense normalisation row) keeps the system sparse, so the
    LU fills in like the lattice, not like a dense matrix. The anchor must carry much
    probability: anchored at a state of probability 1e-30 the others lose their digits, and at
    1e-300 they overflow. Without a guess, a first solve finds such a state and, if the anchor
    was far from it, a second solve is anchored there. An LU answer whose residual is above
    :data:`FAST_SOLVE_RESIDUAL` (a nearly reducible chain) is replaced by GTH where the chain
    has at most :data:`GTH_MAX_STATES` states. Inside the multilevel cycles (``anchor`` given)
    the coarse answer is corrected by the cycles, so it is not checked.
    """
    s = t.shape[0]
    if s <= GTH_ALWAYS_STATES:
        return _gth(t.toarray() if sparse.issparse(t) else t)
    lhs = (sparse.identity(s, format="csc") - t.T.tocsc()).tocsc()

    def solve(k: int) -> np.ndarray:
        keep = np.arange(s) != k
        x = np.empty(s)
        x[k] = 1.0
        with np.errstate(over="ignore", invalid="ignore"):
            x[keep] = spsolve(lhs[keep][:, keep], -lhs[keep][:, [k]].toarray().ravel())
        return x

    def normalised(x: np.ndarray) -> np.ndarray:
        x = np.maximum(np.nan_to_num(x, nan=0.0, posinf=0.0), 0.0)
        return x / x.sum() if x.sum() > 0 else np.full(s, 1.0 / s)

    if anchor is not None:
        return normalised(solve(anchor))
    x = solve(0)
    size = np.where(np.isnan(x), -np.inf, np.abs(x))
    if not (np.all(np.isfinite(x)) and size.max() <= 1e3):
        x = solve(int(np.argmax(size)))
    pi = normalised(x)
    if _residual(t, pi) > FAST_SOLVE_RESIDUAL and s <= GTH_MAX_STATES:
        return _gth(t.toarray())
    return pi


def _dense_chain_stationary(t: np.ndarray) -> np.ndarray:
    """Stationary distribution of a dense chain by GTH at every size.

    Not by LAPACK (``numpy.linalg.solve`` on ``I - T`` above a few hundred states, as before):
    OpenBLAS factorises such a matrix in an order that follows its thread count, so the last
    bits of the answer followed ``OPENBLAS_NUM_THREADS``. GTH's elimination is elementwise,
    its pivots numpy's pairwise sums, so its bits are fixed; it is also accurate to relative
    round-off where LU on ``I - T`` is not.
    """
    return _gth(t)


class _Level:
    """Sparsity structure of one level of the aggregation hierarchy, fixed across cycles.

    Only the values of a coarse chain change from cycle to cycle (they are weighted by the
    current estimate), so the index work (sorting, transposing, merging duplicates) is done once.
    """

    def __init__(self, rows: np.ndarray, cols: np.ndarray, size: int, *, top: bool = False):
        self.rows, self.cols, self.size = rows, cols, size
        self.diag_entries = np.flatnonzero(rows == cols)
        self.agg: np.ndarray | None = None
        self.plan: np.ndarray | None = None
        self.coarse: _Level | None = None
        if not top:
            # Transposed off-diagonal part in CSR order (the finest level uses its CSC view).
            off = np.flatnonzero(rows != cols)
            order = off[np.lexsort((rows[off], cols[off]))]
            self.t_order = order
            self.t_indices = rows[order]
            counts = np.bincount(cols[order], minlength=size)
            self.t_indptr = np.concatenate([[0], np.cumsum(counts)])

    def coarsen(self, agg: np.ndarray) -> _Level:
        """Attach the coarse level and, per entry, its position among the coarse entries."""
        size = int(agg.max()) + 1
        index = np.int32 if len(self.rows) < 2**31 else np.int64
        plan = np.empty(len(self.rows), dtype=index)
        keys = []
        chunk = 1 << 22
        for c0 in range(0, len(self.rows), chunk):
            sl = slice(c0, c0 + chunk)
            keys.append(np.unique(agg[self.rows[sl]].astype(np.int64) * size + agg[self.cols[sl]]))
        coarse_keys = np.unique(np.concatenate(keys))
        del keys
        for c0 in range(0, len(self.rows), chunk):
            sl = slice(c0, c0 + chunk)
            key = agg[self.rows[sl]].astype(np.int64) * size + agg[self.cols[sl]]
            plan[sl] = np.searchsorted(coarse_keys, key)
        self.agg, self.plan = agg, plan
        self.coarse = _Level(coarse_keys // size, coarse_keys % size, size)
        return self.coarse

    def smoother(self, data: np.ndarray) -> tuple[Callable, np.ndarray]:
        """Inflow operator (transposed off-diagonal part) and 1 / (1 - stay), for Jacobi."""
        off_t = sparse.csr_matrix(
            (data[self.t_order], self.t_indices, self.t_indptr), shape=(self.size, self.size)
        )
        stay = np.bincount(
            self.rows[self.diag_entries], data[self.diag_entries], minlength=self.size
        )
        return off_t.__matmul__, 1.0 / (1.0 - stay)

    def matrix(self, data: np.ndarray) -> sparse.csr_matrix:
        return sparse.csr_matrix((data, (self.rows, self.cols)), shape=(self.size, self.size))


def _hierarchy(states: np.ndarray, t: sparse.csr_matrix, coarsest: int) -> _Level:
    """Levels that halve every count, until few states are left (or halving stops helping)."""
    s = t.shape[0]
    rows = np.repeat(np.arange(s, dtype=t.indices.dtype), np.diff(t.indptr))
    top = _Level(rows, t.indices, s, top=True)
    level, coords = top, states[:, :-1]
    while level.size > coarsest:
        coarse, inverse = np.unique(coords // 2, axis=0, return_inverse=True)
        if len(coarse) > 0.9 * len(coords):
            break
        level = level.coarsen(inverse.ravel())
        coords = coarse
    return top


def _smooth(smoother: tuple[Callable, np.ndarray], pi: np.ndarray) -> np.ndarray:
    # Two Jacobi sweeps for pi (I - T) = 0: the mass flowing in over the chance of flowing out.
    inflow, inv_out = smoother
    for _ in range(2):
        pi = inflow(pi) * inv_out
    return pi


def _cycle(level: _Level, data: np.ndarray, pi: np.ndarray, smoother=None) -> np.ndarray:
    """One W-cycle of multilevel aggregation, returning an improved (unnormalised) pi.

    Coarse chain: T_c[I, J] = sum_{s in I, t in J} pi_s T[s, t] / sum_{s in I} pi_s; its
    stationary vector xi corrects pi by the factor xi_I / sum_{s in I} pi_s on aggregate I.
    """
    if level.coarse is None:
        return _direct_stationary(level.matrix(data), int(np.argmax(pi))) * pi.sum()
    smoother = smoother or level.smoother(data)
    pi = _smooth(smoother, pi)
    # States far in the tails can underflow to 0; a floor keeps every aggregate's weight > 0.
    pi = pi + 1e-300 * pi.sum()
    agg, coarse, plan = level.agg, level.coarse, level.plan
    assert agg is not None and plan is not None
    weight = np.bincount(agg, weights=pi, minlength=coarse.size)
    flow = np.bincount(plan, weights=pi[level.rows] * data, minlength=len(coarse.rows))
    coarse_data = flow / weight[coarse.rows]
    xi = weight
    for _ in range(2 if coarse.coarse is not None else 1):
        xi = _cycle(coarse, coarse_data, xi)
    pi = pi * (xi / weight)[agg]
    return _smooth(smoother, pi)


def _iterative_stationary(t, states, tol, time_limit, progress):
    """Multilevel aggregation cycles with Anderson mixing until ||pi T - pi||_1 <= tol."""
    start = time.perf_counter()
    top = _hierarchy(states, t, 2000)
    data = t.data
    # t.T is a CSC view: the finest level needs no transposed copy of the chain.
    t_t = t.T
    stay = t.diagonal()
    smoother = ((lambda p: t_t @ p - stay * p), 1.0 / (1.0 - stay))
    s = t.shape[0]
    depth = 6
    x = np.full(s, 1.0 / s)
    dfs = np.zeros((depth, s))
    dgs = np.zeros((depth, s))
    f_old = g_old = None
    bar = None
    if progress:
        bar = progress_bar(desc="stationary distribution", unit="cycle")
    residual, cycles = math.inf, 0
    try:
        while True:
            # Aggregation needs positive weights; Anderson steps can leave round-off negatives.
            w = np.maximum(x, 0.0) + 1e-300
            g = _cycle(top, data, w / w.sum(), smoother)
            g /= g.sum()
            f = g - x
            if f_old is not None:
                slot = (cycles - 1) % depth
                dfs[slot] = f - f_old
                dgs[slot] = g - g_old
            f_old, g_old = f, g
            used = min(cycles, depth)
            if used:
                # Anderson mixing (Walker & Ni 2011) on the last few cycle maps.
                df, dg = dfs[:used], dgs[:used]
                gamma = np.linalg.lstsq(df @ df.T, df @ f, rcond=1e-14)[0]
                x = g - gamma @ dg
                x /= x.sum()
            else:
                x = g
            cycles += 1
            pi = np.maximum(x, 0.0)
            pi /= pi.sum()
            residual = float(np.abs(t_t @ pi - pi).sum())
            if bar is not None:
                bar.update(1)
                bar.set_postfix(residual=f"{residual:.2e}")
            if residual <= tol:
                return pi, residual, cycles
            if time_limit is not None and time.perf_counter() - start > time_limit:
                raise ValueError(
                    f"stationary_distribution: time_limit={time_limit:g} s reached after "
                    f"{cycles} cycles with residual {residual:.3g} > tol={tol:g}; raise "
                    "time_limit or tol, or use mutation=None (small-mutation limit)"
                )
    finally:
        if bar is not None:
            bar.close()
