"""Exact expected payoffs: Markov chains over outcomes (memory-one) or machine states.

Exact memory-one pairs (with ``continuation`` or the limit of means) use a closed form: the
stationary distribution of the 4-state chain from the cofactors of Press & Dyson's (2012)
column-reduced matrix, where two of three columns depend on one player only. It is evaluated for
all pairs at once, in chunks that fit the CPU cache. Nearly reducible pairs, finite horizons and
finite-state strategies use batched matrix algebra on the (product) chain: doubling for finite
horizons, GTH per closed class for the limit of means.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from allysim._validation import (
    as_float_array,
    check_game,
    check_memory,
)
from allysim.games import StageGame
from allysim.kernels import _compiled
from allysim.kernels._chains import _chain_long_run, _chain_mean_rounds
from allysim.kernels._compiled import Backend
from allysim.kernels._inputs import (
    PlaySettings,
    StrategiesLike,
    _as_batch,
    _Batch,
    _horizon,
    _outcome_payoffs,
    _resolve_settings,
    _strategy_objects,
    _with_names,
)
from allysim.strategies import FiniteStateStrategy, MemoryOne

__all__ = ["cooperation_rates", "expected_payoffs", "outcome_distribution"]

# Elements per chunk for the closed-form kernel: small enough that the ~60 temporaries of a chunk
# stay in the CPU's L2 cache, large enough that numpy's per-call overhead is amortised.
_CHUNK = 1 << 13
# Chains whose cofactor sum falls below this are (nearly) reducible: the cofactors then cancel
# to a relative error of about 1e-16 / sum, so these pairs go through the closed-class solver
# (GTH), which keeps full accuracy. At 1e-5 the closed form stays within ~1e-11.
_DEGENERATE = 1e-5
# Y's cooperation probability in X's outcome order: Y sees CC, DC, CD, DD.
_SWAP = np.array([0, 2, 1, 3])
# Same strategy, partner's move misread: CC<->CD, DC<->DD.
_MISREAD = np.array([1, 0, 3, 2])


def _effective_memory_one(
    mo: np.ndarray, eps: float, eta: float, *, withhold: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Cooperation probabilities per true outcome (own view) once both noises act.

    With ``withhold=True`` the complementary (withholding) probabilities are returned, computed
    from ``1 - p`` directly: ``1 - (p (1 - 2 eps) + eps)`` would lose all relative accuracy
    for tiny noise (1 - 0.99999999 keeps 8 digits of 1e-8).
    """
    p = mo[:, :4]
    p0 = mo[:, 4]
    if withhold:
        p, p0 = 1.0 - p, 1.0 - p0
    if eta:
        # With memory one, a misread only changes the very next move, so it folds into p.
        p = (1 - eta) * p + eta * p[:, _MISREAD]
    if eps:
        p = p * (1 - 2 * eps) + eps
        p0 = p0 * (1 - 2 * eps) + eps
    return p, p0


def _memory_one_chain(px, p0x, qy, q0y, dx=None, d0x=None, dy=None, d0y=None):
    """Transition matrices (N, 4, 4) and first-round distributions (N, 4) for paired rows.

    ``dx, d0x, dy, d0y`` are the withholding probabilities (default ``1 - p``); pass them from
    ``_effective_memory_one`` for full relative accuracy under tiny noise.
    """
    dx = 1 - px if dx is None else dx
    d0x = 1 - p0x if d0x is None else d0x
    dy = 1 - qy if dy is None else dy
    d0y = 1 - q0y if d0y is None else d0y
    a, b, na, nb = px, qy[:, _SWAP], dx, dy[:, _SWAP]
    m = np.empty((len(a), 4, 4))
    m[:, :, 0] = a * b
    m[:, :, 1] = a * nb
    m[:, :, 2] = na * b
    m[:, :, 3] = na * nb
    v0 = np.stack([p0x * q0y, p0x * d0y, d0x * q0y, d0x * d0y], axis=1)
    return m, v0


def _closed_form_block(a, a0, b, b0, w):
    """Long-run outcome distribution for a block of memory-one pairs (Press & Dyson reduction).

    ``a`` (r, 1, 4), ``a0`` (r, 1): row player's effective cooperation probabilities per outcome;
    ``b`` (1, c, 4), ``b0`` (1, c): column player's, already in the row player's outcome order.
    ``w`` is the continuation probability (1 for the limit of means): the discounted
    distribution is the stationary distribution of the chain that restarts with probability
    ``1 - w``. Returns the unnormalised distribution (4, r, c) and its sum.
    """
    # Columns of (M_w - I) after adding column CC to columns CD and DC: the second depends on the
    # row player only, the third on the column player only, so the 2x2 minors are outer products.
    aw = [w * a[..., s] + (1 - w) * a0 for s in range(4)]
    bw = [w * b[..., s] + (1 - w) * b0 for s in range(4)]
    if w < 1:
        ab0 = (1 - w) * (a0 * b0)
        c1 = [w * (a[..., s] * b[..., s]) + ab0 for s in range(4)]
    else:
        c1 = [a[..., s] * b[..., s] for s in range(4)]
    c1[0] = c1[0] - 1.0
    c2 = [aw[0] - 1.0, aw[1] - 1.0, aw[2], aw[3]]
    c3 = [bw[0] - 1.0, bw[1], bw[2] - 1.0, bw[3]]
    minor = {}
    for i in range(4):
        for j in range(i + 1, 4):
            minor[i, j] = c2[i] * c3[j] - c2[j] * c3[i]
    # Cofactor of entry (j, 3) of the 4x4 matrix [c1 c2 c3 f]: sign (-1)^(j+3).
    v = []
    for j in range(4):
        r1, r2, r3 = (r for r in range(4) if r != j)
        det = c1[r1] * minor[r2, r3] - c1[r2] * minor[r1, r3] + c1[r3] * minor[r1, r2]
        v.append(det if j % 2 else -det)
    total = v[0] + v[1] + v[2] + v[3]
    return v, total


def _memory_one_long_run(
    x: np.ndarray, y: np.ndarray, eps: float, eta: float, w: float, names, fast=None
) -> np.ndarray:
    """Long-run (w = 1) or discounted (w < 1) outcome distribution, shape (n, m, 4).

    ``fast``, the compiled module or None, evaluates the same cofactors in the same order.
    """
    px, p0x = _effective_memory_one(x, eps, eta)
    qy, q0y = _effective_memory_one(y, eps, eta)
    qy_swapped = qy[:, _SWAP]
    n, m = len(px), len(qy)
    if fast is not None:
        out = np.empty((n, m, 4))
        bad = np.empty((n, m), dtype=bool)
        # One array layout (C-contiguous float64) for every call: one compiled signature.
        args = (np.ascontiguousarray(a, dtype=np.float64) for a in (px, p0x, qy_swapped, q0y))
        with _compiled.LOCK:
            fast.closed_form(*args, float(w), out, bad, _DEGENERATE)
        if bad.any():
            ii, jj = np.nonzero(bad)
            out[ii, jj] = _degenerate_pairs(x, y, px, p0x, qy, q0y, ii, jj, eps, eta, w)
        return out
    out = np.empty((n, m, 4))
    col_block = min(m, _CHUNK)
    row_block = max(1, _CHUNK // col_block)
    degenerate = []
    for c0 in range(0, m, col_block):
        cs = slice(c0, c0 + col_block)
        b, b0 = qy_swapped[None, cs, :], q0y[None, cs]
        for r0 in range(0, n, row_block):
            rs = slice(r0, r0 + row_block)
            v, total = _closed_form_block(px[rs, None, :], p0x[rs, None], b, b0, w)
            bad = np.abs(total) < _DEGENERATE
            with np.errstate(divide="ignore", invalid="ignore"):
                block = out[rs, cs]
                for s in range(4):
                    block[..., s] = v[s] / total
            if bad.any():
                ii, jj = np.nonzero(bad)
                degenerate.append((ii + r0, jj + c0))
    if degenerate:
        ii = np.concatenate([d[0] for d in degenerate])
        jj = np.concatenate([d[1] for d in degenerate])
        mats, v0 = _pairs_chain(x, y, px, p0x, qy, q0y, ii, jj, eps, eta)
        out[ii, jj] = _chain_long_run(mats, v0, w)
    # Cofactors of a stochastic chain are exact up to round-off; tiny negatives are round-off.
    np.maximum(out, 0.0, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def _pairs_chain(x, y, px, p0x, qy, q0y, ii, jj, eps: float, eta: float):
    """Chains of the pairs (ii[k], jj[k]), with withholding probabilities at full accuracy."""
    dx, d0x = _effective_memory_one(x, eps, eta, withhold=True)
    dy, d0y = _effective_memory_one(y, eps, eta, withhold=True)
    return _memory_one_chain(px[ii], p0x[ii], qy[jj], q0y[jj], dx[ii], d0x[ii], dy[jj], d0y[jj])


def _degenerate_pairs(x, y, px, p0x, qy, q0y, ii, jj, eps: float, eta: float, w: float):
    """The numpy path's treatment of nearly reducible pairs: GTH, then clip and renormalise."""
    mats, v0 = _pairs_chain(x, y, px, p0x, qy, q0y, ii, jj, eps, eta)
    dist = _chain_long_run(mats, v0, w)
    np.maximum(dist, 0.0, out=dist)
    return dist / dist.sum(axis=-1, keepdims=True)


def _pair_chunks(n: int, m: int, step: int):
    """Yield (rows, row_index, col_index) covering all n*m (row, col) pairs in chunks."""
    ii, jj = (g.ravel() for g in np.meshgrid(np.arange(n), np.arange(m), indexing="ij"))
    for start in range(0, n * m, step):
        sel = slice(start, start + step)
        yield sel, ii[sel], jj[sel]


def _fsm_tables(strategies: Sequence[MemoryOne | FiniteStateStrategy]):
    """Padded arrays (output (n, K), next (n, K, 2, 2), initial (n,)) for finite-state play."""
    machines = [s.to_finite_state() for s in strategies]
    k = max(f.n_states for f in machines)
    out = np.zeros((len(machines), k))
    nxt = np.empty((len(machines), k, 2, 2), dtype=np.int64)
    init = np.empty(len(machines), dtype=np.int64)
    for i, f in enumerate(machines):
        out[i, : f.n_states] = f.output
        # Padding states lead back to the start and are never entered.
        nxt[i] = f.initial
        nxt[i, : f.n_states] = f.transitions
        init[i] = f.initial
    return out, nxt, init


def _product_chain(ox, nx, ix, oy, ny, iy, eps: float, eta: float):
    """Transition matrices over pairs of machine states, plus outcome probabilities per state.

    Returns ``mats`` (N, k, k), ``v0`` (N, k) and ``p_out`` (N, k, 4) with ``k = Kx * Ky``.
    """
    n, kx = ox.shape
    ky = oy.shape[1]
    k = kx * ky
    # Both move probabilities from the table, so tiny noise keeps its relative accuracy.
    move_x = np.stack([ox, 1 - ox], axis=-1) * (1 - 2 * eps) + eps  # (N, Kx, mx)
    move_y = np.stack([oy, 1 - oy], axis=-1) * (1 - 2 * eps) + eps  # (N, Ky, my)
    flips = np.array([1 - eta, eta]) if eta else np.array([1.0])
    nf = len(flips)
    seen = np.bitwise_xor.outer(np.arange(2), np.arange(nf))  # [partner move, flip]
    # dest_x[N, sx, mx, my, fx] = nx[N, sx, mx, my ^ fx]
    dest_x = nx[:, :, :, seen]
    # dest_y[N, sy, my, mx, fy] = ny[N, sy, my, mx ^ fy] -> reorder to (N, sy, mx, my, fy)
    dest_y = np.swapaxes(ny[:, :, :, seen], 2, 3)
    dest = (
        dest_x[:, :, None, :, :, :, None] * ky + dest_y[:, None, :, :, :, None, :]
    )  # (N, Kx, Ky, mx, my, fx, fy)
    prob = (
        move_x[:, :, None, :, None, None, None]
        * move_y[:, None, :, None, :, None, None]
        * flips[:, None]
        * flips[None, :]
    )
    src = (np.arange(kx)[:, None] * ky + np.arange(ky)[None, :])[None, :, :, None, None, None, None]
    flat = (np.arange(n)[:, None, None, None, None, None, None] * k + src) * k + dest
    prob, flat = np.broadcast_arrays(prob, flat)
    mats = np.bincount(flat.ravel(), weights=prob.ravel(), minlength=n * k * k)
    mats = mats.reshape(n, k, k)
    v0 = np.zeros((n, k))
    v0[np.arange(n), ix * ky + iy] = 1.0
    p_out = (move_x[:, :, None, :, None] * move_y[:, None, :, None, :]).reshape(n, k, 4)
    return mats, v0, p_out


def _mean_rounds_forward(mats: np.ndarray, v0: np.ndarray, rounds: int) -> np.ndarray:
    """Mean state distribution over ``rounds`` steps by stepping forward, sum_{t<T} v0 M^t / T."""
    acc = v0.copy()
    cur = v0
    for _ in range(rounds - 1):
        cur = (cur[:, None, :] @ mats)[:, 0, :]
        acc += cur
    return acc / acc.sum(axis=-1, keepdims=True)


def _finite_state_block(xs, ys, kind: str, value: float, eps: float, eta: float) -> np.ndarray:
    ox, nx, ix = _fsm_tables(xs)
    oy, ny, iy = _fsm_tables(ys)
    n, m = len(xs), len(ys)
    k = ox.shape[1] * oy.shape[1]
    # One pair's product chain is k x k; the solvers hold a few such matrices at once.
    check_memory(
        8.0 * k * k * 8,
        "row_strategies and col_strategies (finite-state machines with "
        f"{ox.shape[1]} x {oy.shape[1]} = {k} joint states)",
        hint="use machines with fewer states, or simulate() (memory O(matches))",
    )
    out = np.empty((n * m, 4))
    rounds = int(value) if kind == "rounds" else 0
    # Stepping forward costs rounds * k^2 per pair, doubling about 2 log2(rounds) * k^3.
    forward = 0 < rounds < 2 * k * max(1, rounds.bit_length())
    # Bound the size of the (pairs, k, k, 16) temporaries.
    for sel, a, b in _pair_chunks(n, m, max(1, (1 << 21) // (k * k * 4))):
        mats, v0, p_out = _product_chain(ox[a], nx[a], ix[a], oy[b], ny[b], iy[b], eps, eta)
        if forward:
            dist = _mean_rounds_forward(mats, v0, rounds)
        elif kind == "rounds":
            dist = _chain_mean_rounds(mats, v0, rounds)
        else:
            dist = _chain_long_run(mats, v0, value)
        out[sel] = np.einsum("nk,nko->no", dist, p_out)
    return out.reshape(n, m, 4)


def _size_groups(machines: Sequence[FiniteStateStrategy]) -> list[np.ndarray]:
    sizes = np.array([f.n_states for f in machines])
    return [np.flatnonzero(sizes == size) for size in np.unique(sizes)]


def _finite_state_distribution(
    xb: _Batch, yb: _Batch, kind: str, value: float, eps: float, eta: float
) -> np.ndarray:
    xs = [s.to_finite_state() for s in _strategy_objects(xb)]
    ys = [s.to_finite_state() for s in _strategy_objects(yb)]
    out = np.empty((len(xs), len(ys), 4))
    # Machines are padded only to the largest of their own size group: a pair's product chain
    # is then as small as its two machines allow (one large machine in a batch would otherwise
    # make every pair's chain large).
    for rows in _size_groups(xs):
        for cols in _size_groups(ys):
            block = _finite_state_block(
                [xs[i] for i in rows], [ys[j] for j in cols], kind, value, eps, eta
            )
            out[np.ix_(rows, cols)] = block
    return out


def outcome_distribution(
    row_strategies: StrategiesLike,
    col_strategies: StrategiesLike,
    *,
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
    settings: PlaySettings | None = None,
    backend: Backend = "auto",
) -> np.ndarray:
    """Exact expected frequency of each outcome CC, CD, DC, DD for every pair of strategies.

    The frequencies are averaged over the horizon as the payoffs are (mean over ``rounds``,
    discounted with ``continuation``, or long-run). Rows of the result sum to 1.

    Parameters
    ----------
    row_strategies : strategy, name, sequence of strategies or names, or (n, 5) array
        Row players, as for [`expected_payoffs`][allysim.kernels.expected_payoffs] (names
        tuned to the default prisoner's dilemma, as no game is given here).
    col_strategies : strategy, name, sequence of strategies or names, or (m, 5) array
        Column players, as for [`expected_payoffs`][allysim.kernels.expected_payoffs].
    rounds : int or None, default None
        Average over exactly this many rounds.
    continuation : float or None, default None
        Probability in [0, 1) that the partnership continues after each round (discounted).
    noise : float, default 0.0
        Execution noise in [0, 1].
    perception_noise : float, default 0.0
        Probability in [0, 1] of misreading the partner's move.
    settings : PlaySettings or None, default None
        Horizon and noises in one object, instead of ``rounds``, ``continuation``, ``noise`` and
        ``perception_noise`` (give one or the other).
    backend : {"auto", "numpy", "numba"}, default "auto"
        Memory-one pairs can run compiled (``pip install 'allysim[fast]'``): ``"auto"`` does
        so when numba is installed and there are at least 50,000 pairs; the results equal the
        numpy path's to round-off (about 1e-15). See docs/performance.md.

    Returns
    -------
    numpy.ndarray, shape (n, m, 4)
        Outcome frequencies from the row player's view.

    Examples
    --------
    >>> from allysim.strategies import TFT, ALLD
    >>> outcome_distribution(TFT, ALLD, rounds=10)[0, 0].round(2).tolist()
    [0.0, 0.1, 0.0, 0.9]
    """
    _compiled.check_backend(backend)
    play = _resolve_settings(settings, rounds, continuation, noise, perception_noise)
    kind, value = _horizon(play.rounds, play.continuation)
    eps, eta = play.noise, play.perception_noise
    xb = _as_batch(row_strategies, "row_strategies")
    yb = _as_batch(col_strategies, "col_strategies")
    # The result and the payoffs computed from it, (n, m, 4) float64 each, plus temporaries.
    check_memory(
        3.0 * len(xb) * len(yb) * 4 * 8,
        "row_strategies x col_strategies",
        hint="evaluate the pairs in blocks of rows",
    )
    # Products of tiny probabilities (noise 1e-200) underflow to subnormals or 0, which is the
    # right answer: a caller's np.errstate(under="raise") must not turn it into an error.
    with np.errstate(under="ignore"):
        if xb.memory_one is not None and yb.memory_one is not None:
            fast = _compiled.compiled(backend, len(xb) * len(yb))
            x, y = xb.memory_one, yb.memory_one
            if kind == "rounds":
                return _memory_one_rounds(x, y, eps, eta, int(value), fast)
            names = (xb.names, yb.names)
            return _memory_one_long_run(x, y, eps, eta, value, names, fast)
        return _finite_state_distribution(xb, yb, kind, value, eps, eta)


def _memory_one_rounds(
    x: np.ndarray, y: np.ndarray, eps: float, eta: float, rounds: int, fast=None
) -> np.ndarray:
    px, p0x = _effective_memory_one(x, eps, eta)
    qy, q0y = _effective_memory_one(y, eps, eta)
    dx, d0x = _effective_memory_one(x, eps, eta, withhold=True)
    dy, d0y = _effective_memory_one(y, eps, eta, withhold=True)
    n, m = len(px), len(qy)
    if fast is not None:
        res = np.empty((n, m, 4))
        args = (
            np.ascontiguousarray(a, dtype=np.float64) for a in (px, p0x, dx, d0x, qy, q0y, dy, d0y)
        )
        with _compiled.LOCK:
            fast.mean_rounds_memory_one(*args, _SWAP, int(rounds), res)
        return res
    out = np.empty((n * m, 4))
    for sel, a, b in _pair_chunks(n, m, 1 << 14):
        mats, v0 = _memory_one_chain(px[a], p0x[a], qy[b], q0y[b], dx[a], d0x[a], dy[b], d0y[b])
        out[sel] = _chain_mean_rounds(mats, v0, rounds)
    return out.reshape(n, m, 4)


def expected_payoffs(
    row_strategies: StrategiesLike,
    col_strategies: StrategiesLike,
    game: StageGame,
    *,
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
    settings: PlaySettings | None = None,
    backend: Backend = "auto",
) -> tuple[np.ndarray, np.ndarray]:
    """Exact expected payoff per round of both players, for every pair of strategies.

    With neither ``rounds`` nor ``continuation`` the limit of means is returned. It always
    exists: when play can settle into more than one closed class of outcomes (no noise), it
    mixes the classes' long-run distributions by the probability of reaching each from the
    first round (e.g. TFT opening with a coin flip against itself earns 2.25 in the standard
    game: R, P and the S/T cycle with probabilities 1/4, 1/4, 1/2).

    Parameters
    ----------
    row_strategies : strategy, name, sequence of strategies or names, or (n, 5) array
        Memory-one ([`MemoryOne`][allysim.strategies.MemoryOne] or rows ``[p_CC, p_CD, p_DC, p_DD,
        p0]``) or finite-state strategies, or their names (``"TFT"``, ``"GTFT"``,
        ``"RANDOM(0.3)"``, ``"EXTORT(3)"``, ...; see [`named`][allysim.strategies.named]),
        tuned to ``game`` where they depend on it.
    col_strategies : strategy, name, sequence of strategies or names, or (m, 5) array
        The same for the column players. All pairs (row i, column j) are evaluated.
    game : StageGame
        A 2x2 stage game (need not be symmetric).
    rounds : int or None, default None
        Mean payoff per round over exactly this many rounds (any size: horizons beyond ~1e15
        equal the limit of means to round-off).
    continuation : float or None, default None
        Probability w in [0, 1) that the partnership continues after each round; gives the
        normalised discounted payoff ``(1 - w) sum_t w^t u_t``.
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.
    perception_noise : float, default 0.0
        Probability in [0, 1] that a player misreads the partner's move.
    settings : PlaySettings or None, default None
        Horizon and noises in one object, instead of ``rounds``, ``continuation``, ``noise`` and
        ``perception_noise`` (give one or the other).
    backend : {"auto", "numpy", "numba"}, default "auto"
        ``"numpy"`` is the reference implementation; ``"numba"`` runs memory-one pairs through
        compiled loops on all cores (``pip install 'allysim[fast]'``; finite-state pairs stay
        on numpy); ``"auto"`` picks numba when it is installed and there are at least 50,000
        pairs. Both give the same payoffs to round-off (about 1e-15); see
        docs/performance.md.

    Returns
    -------
    tuple of two numpy.ndarray, shape (n, m)
        Row and column players' expected payoffs, in payoff units per round.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import TFT, ALLD
    >>> row, col = expected_payoffs([TFT, ALLD], [TFT, ALLD], PrisonersDilemma(), rounds=10)
    >>> row.tolist()  # TFT vs ALLD: (S + 9 P) / 10
    [[3.0, 0.9], [1.4, 1.0]]
    """
    game = check_game(game, "game")
    u_row, u_col = _outcome_payoffs(game)
    dist = outcome_distribution(
        _with_names(row_strategies, "row_strategies", game),
        _with_names(col_strategies, "col_strategies", game),
        settings=_resolve_settings(settings, rounds, continuation, noise, perception_noise),
        backend=backend,
    )
    return dist @ u_row, dist @ u_col


def cooperation_rates(outcomes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Contribution rates of row and column players from outcome frequencies.

    Parameters
    ----------
    outcomes : array_like, shape (..., 4)
        Frequencies of CC, CD, DC, DD from the row player's view (finite, >= 0).

    Returns
    -------
    tuple of two numpy.ndarray, shape (...)
        Row player's rate ``CC + CD`` and column player's rate ``CC + DC``.

    Examples
    --------
    >>> cooperation_rates(np.array([0.5, 0.25, 0.0, 0.25]))
    (np.float64(0.75), np.float64(0.5))
    """
    outcomes = as_float_array(outcomes, "outcomes")
    if outcomes.shape[-1:] != (4,):
        raise ValueError(f"outcomes must have a last axis of length 4, got {outcomes.shape}")
    if np.any(outcomes < 0):
        raise ValueError("outcomes must be frequencies >= 0")
    return outcomes[..., 0] + outcomes[..., 1], outcomes[..., 0] + outcomes[..., 2]
