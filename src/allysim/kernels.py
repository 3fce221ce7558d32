"""Vectorised payoff kernels: exact expected payoffs (Markov chains) and batched Monte Carlo.

Conventions (documented in the user guide, docs/concepts.md):

* Outcomes from the row player's view are ordered CC, CD, DC, DD (row move first).
* Execution noise ``noise`` (epsilon): each intended move is flipped with that probability.
* Perception noise ``perception_noise`` (eta, imperfect monitoring): each player misreads the
  partner's actual move with that probability; payoffs follow actual moves, strategies follow
  what they saw. Both noises are part of the exact model.
* Horizon: ``rounds=T`` gives the mean payoff per round over T rounds; ``continuation=w`` the
  normalised discounted payoff ``(1 - w) sum_t w^t u_t`` (the game goes on with probability w);
  neither gives the limit of means, the long-run payoff per round.

Exact memory-one pairs (with ``continuation`` or the limit of means) use a closed form: the
stationary distribution of the 4-state chain from the cofactors of Press & Dyson's (2012)
column-reduced matrix, where two of three columns depend on one player only. It is evaluated for
all pairs at once, in chunks that fit the CPU cache. Finite horizons and finite-state strategies
use batched matrix algebra on the (product) chain.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from allysim._validation import (
    SeedLike,
    as_float_array,
    as_generator,
    as_probability_array,
    check_game,
    check_int,
    check_interval,
    check_memory,
    check_probability,
)
from allysim.games import StageGame
from allysim.strategies import FiniteStateStrategy, MemoryOne, machine_tables, memory_one_array

__all__ = [
    "SimulationResult",
    "TournamentResult",
    "cooperation_rates",
    "expected_payoffs",
    "outcome_distribution",
    "play_round",
    "round_robin",
    "simulate",
]

StrategiesLike = Any  # a strategy, a sequence of strategies, or an (n, 5) memory-one array

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


# ----------------------------------------------------------------------------------------------
# Input handling
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Batch:
    names: tuple[str, ...]
    memory_one: np.ndarray | None  # (n, 5) when every strategy is memory-one
    strategies: tuple[MemoryOne | FiniteStateStrategy, ...] | None

    def __len__(self) -> int:
        return len(self.names)


def _as_batch(strategies: StrategiesLike, name: str) -> _Batch:
    if isinstance(strategies, np.ndarray):
        arr = memory_one_array(strategies, name=name)
        return _Batch(tuple(f"{name}[{i}]" for i in range(len(arr))), arr, None)
    if isinstance(strategies, MemoryOne | FiniteStateStrategy):
        strategies = [strategies]
    if isinstance(strategies, str) or not isinstance(strategies, Sequence):
        raise TypeError(
            f"{name} must be a strategy, a sequence of strategies or an (n, 5) array, got "
            f"{type(strategies).__name__}"
        )
    items = tuple(strategies)
    if not items:
        raise ValueError(f"{name} must hold at least one strategy")
    for s in items:
        if not isinstance(s, MemoryOne | FiniteStateStrategy):
            raise TypeError(f"{name} must hold MemoryOne or FiniteStateStrategy objects, got {s!r}")
    names = tuple(s.name for s in items)
    if all(isinstance(s, MemoryOne) for s in items):
        return _Batch(names, memory_one_array(list(items), name=name), items)
    return _Batch(names, None, items)


def _horizon(rounds: int | None, continuation: float | None) -> tuple[str, float]:
    if rounds is not None and continuation is not None:
        raise ValueError("give either rounds or continuation, not both (neither: limit of means)")
    if rounds is not None:
        return "rounds", float(check_int(rounds, "rounds", minimum=1))
    if continuation is not None:
        w = check_interval(continuation, "continuation", 0.0, 1.0, high_open=True)
        return "continuation", w
    return "limit", 1.0


def _outcome_payoffs(game: StageGame) -> tuple[np.ndarray, np.ndarray]:
    check_game(game, "game")
    if game.shape != (2, 2):
        raise ValueError(f"game must be a 2x2 game (contribute / withhold), got {game.shape}")
    return game.outcome_payoffs()


def _noises(noise: float, perception_noise: float) -> tuple[float, float]:
    return (
        check_probability(noise, "noise"),
        check_probability(perception_noise, "perception_noise"),
    )


# ----------------------------------------------------------------------------------------------
# Exact kernel
# ----------------------------------------------------------------------------------------------


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
    x: np.ndarray, y: np.ndarray, eps: float, eta: float, w: float, names
) -> np.ndarray:
    """Long-run (w = 1) or discounted (w < 1) outcome distribution, shape (n, m, 4)."""
    px, p0x = _effective_memory_one(x, eps, eta)
    qy, q0y = _effective_memory_one(y, eps, eta)
    qy_swapped = qy[:, _SWAP]
    n, m = len(px), len(qy)
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
        dx, d0x = _effective_memory_one(x, eps, eta, withhold=True)
        dy, d0y = _effective_memory_one(y, eps, eta, withhold=True)
        mats, v0 = _memory_one_chain(
            px[ii], p0x[ii], qy[jj], q0y[jj], dx[ii], d0x[ii], dy[jj], d0y[jj]
        )
        out[ii, jj] = _chain_long_run(mats, v0, w)
    # Cofactors of a stochastic chain are exact up to round-off; tiny negatives are round-off.
    np.maximum(out, 0.0, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def _pair_chunks(n: int, m: int, step: int):
    """Yield (rows, row_index, col_index) covering all n*m (row, col) pairs in chunks."""
    ii, jj = (g.ravel() for g in np.meshgrid(np.arange(n), np.arange(m), indexing="ij"))
    for start in range(0, n * m, step):
        sel = slice(start, start + step)
        yield sel, ii[sel], jj[sel]


def _chain_mean_rounds(mats: np.ndarray, v0: np.ndarray, rounds: int) -> np.ndarray:
    """Mean state distribution over ``rounds`` steps, sum_{t<T} v0 M^t / T, by doubling.

    Each squaring is renormalised to its exact row sums (1 for a power of M, the number of
    terms for a block of powers): otherwise round-off of about 1e-16 per row compounds over
    the ~log2(T) squarings into a factor (1 + 1e-16)^T, which wipes out horizons past ~1e15.
    """
    acc = np.zeros_like(v0)
    cur = v0[:, None, :]
    power = mats
    block_sum = np.broadcast_to(np.eye(mats.shape[-1]), mats.shape).copy()
    block_len = 1  # block_sum = sum of the first block_len powers
    t = rounds
    while t:
        if t & 1:
            acc += (cur @ block_sum)[:, 0, :]
            cur = cur @ power
            cur /= cur.sum(axis=-1, keepdims=True)
        t >>= 1
        if t:
            block_sum = block_sum + block_sum @ power
            block_len *= 2
            block_sum *= block_len / block_sum.sum(axis=-1, keepdims=True)
            power = power @ power
            power /= power.sum(axis=-1, keepdims=True)
    return acc / acc.sum(axis=-1, keepdims=True)


def _closure(mats: np.ndarray) -> np.ndarray:
    """Reflexive-transitive closure of the transition graphs, (N, k, k) bool: i reaches j."""
    k = mats.shape[-1]
    reach = (mats > 0) | np.eye(k, dtype=bool)
    steps = 1
    while steps < k:
        # Boolean matrix product through float64: entries count paths, only > 0 matters.
        sq = reach.astype(np.float64)
        reach = (sq @ sq) > 0
        steps *= 2
    return reach


def _gth(mats: np.ndarray) -> np.ndarray:
    """Stationary distribution of irreducible stochastic matrices by Grassmann-Taksar-Heyman.

    GTH (Grassmann, Taksar & Heyman 1985) eliminates states without subtractions, so it keeps
    full relative accuracy however nearly reducible the chain is (e.g. noise 1e-12), where a
    linear solve loses it. States with no transitions at all (zero row and column, used to mask
    states outside a class) get probability 0. State 0 must belong to the class.
    """
    a = mats.copy()
    n, k, _ = a.shape
    for j in range(k - 1, 0, -1):
        out = a[:, j, :j].sum(axis=1)
        # Divide the row rather than multiply by 1 / out: 1 / out overflows for subnormal out.
        share = np.divide(
            a[:, j : j + 1, :j],
            out[:, None, None],
            out=np.zeros_like(a[:, j : j + 1, :j]),
            where=out[:, None, None] > 0,
        )
        a[:, :j, :j] += a[:, :j, j : j + 1] * share
    pi = np.zeros((n, k))
    pi[:, 0] = 1.0
    for j in range(1, k):
        out = a[:, j, :j].sum(axis=1)
        inflow = np.einsum("ni,ni->n", pi[:, :j], a[:, :j, j])
        with np.errstate(over="ignore"):
            pi[:, j] = np.divide(inflow, out, out=np.zeros_like(out), where=out > 0)
        # A state left with subnormal probability gets a weight beyond the float range: keep
        # the ratio by scaling the states before it down instead.
        huge = ~np.isfinite(pi[:, j])
        if huge.any():
            pi[huge, :j] *= (out[huge] / inflow[huge])[:, None]
            pi[huge, j] = 1.0
        big = pi[:, : j + 1].max(axis=1)
        if np.any(big > 1e200):
            pi[:, : j + 1] /= np.where(big > 1e200, big, 1.0)[:, None]
    return pi / pi.sum(axis=1, keepdims=True)


def _limit_of_means(mats: np.ndarray, v0: np.ndarray) -> np.ndarray:
    """Long-run mean state distribution lim (1/T) sum_{t<T} v0 M^t for a batch of chains.

    The limit always exists for a finite chain: it is the mixture of the stationary
    distributions of the closed classes, weighted by the probability that play started in
    ``v0`` ends in each (Kemeny & Snell 1960, ch. 3). Classes come from the transitive closure
    of the transition graph, each class's distribution from GTH, the weights from the
    absorption equations of the transient states.
    """
    n, k, _ = mats.shape
    reach = _closure(mats)
    # Recurrent: every state it reaches reaches it back.
    recurrent = np.all(~reach | np.swapaxes(reach, 1, 2), axis=2)
    mutual = reach & np.swapaxes(reach, 1, 2)
    # A class is represented by its lowest-numbered state.
    first = np.argmax(mutual, axis=2)
    is_rep = recurrent & (first == np.arange(k))
    transient = ~recurrent
    # Probability of first entering each recurrent state: x = v0_T (I - Q)^{-1}, then one step.
    # As in GTH, the diagonal 1 - q_ii is the sum of the other exits (no cancellation), and each
    # row is divided by it, so a state left with probability 1e-300 is as well posed as any.
    off = mats * (1.0 - np.eye(k))
    exits = off.sum(axis=2)
    scale = np.where(transient & (exits > 0), exits, 1.0)
    step = np.divide(off, scale[:, :, None])  # exit probabilities, per unit of exit
    b = np.eye(k) - step * transient[:, :, None] * transient[:, None, :]
    y = np.linalg.solve(np.swapaxes(b, 1, 2), (v0 * transient)[..., None])[..., 0]
    entry = v0 * recurrent + np.einsum("ni,nij->nj", y * transient, step) * recurrent
    out = np.zeros((n, k))
    for r in range(k):
        rows = np.flatnonzero(is_rep[:, r])
        if rows.size == 0:
            continue
        member = mutual[rows, r, :]  # (R, k) states of the class of r
        weight = (entry[rows] * member).sum(axis=1)
        # Put r first, the rest of its class next, everything else last (masked to zero).
        order = np.argsort(np.where(member, 1, 2) - (np.arange(k) == r), axis=1, kind="stable")
        sub = np.take_along_axis(mats[rows], order[:, :, None], axis=1)
        sub = np.take_along_axis(sub, order[:, None, :], axis=2)
        keep = np.take_along_axis(member, order, axis=1)
        sub = sub * keep[:, :, None] * keep[:, None, :]
        pi = np.zeros((rows.size, k))
        np.put_along_axis(pi, order, _gth(sub), axis=1)
        out[rows] += weight[:, None] * pi
    return out / out.sum(axis=1, keepdims=True)


def _chain_long_run(mats: np.ndarray, v0: np.ndarray, w: float) -> np.ndarray:
    """Discounted (w < 1) or long-run (w = 1) state distribution for a batch of chains."""
    if w < 1:
        k = mats.shape[-1]
        a = np.swapaxes(np.eye(k) - w * mats, 1, 2)
        return np.linalg.solve(a, (1 - w) * v0[..., None])[..., 0]
    return _limit_of_means(mats, v0)


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


def _finite_state_distribution(
    xb: _Batch, yb: _Batch, kind: str, value: float, eps: float, eta: float
) -> np.ndarray:
    ox, nx, ix = _fsm_tables(_strategy_objects(xb))
    oy, ny, iy = _fsm_tables(_strategy_objects(yb))
    n, m = len(xb), len(yb)
    k = ox.shape[1] * oy.shape[1]
    # One pair's product chain is k x k; the solvers hold a few such matrices at once.
    check_memory(
        8.0 * k * k * 8,
        "row_strategies and col_strategies (finite-state machines with "
        f"{ox.shape[1]} x {oy.shape[1]} = {k} joint states)",
        hint="use machines with fewer states, or simulate() (memory O(matches))",
    )
    out = np.empty((n * m, 4))
    # Bound the size of the (pairs, k, k, 16) temporaries.
    for sel, a, b in _pair_chunks(n, m, max(1, (1 << 21) // (k * k * 4))):
        mats, v0, p_out = _product_chain(ox[a], nx[a], ix[a], oy[b], ny[b], iy[b], eps, eta)
        if kind == "rounds":
            dist = _chain_mean_rounds(mats, v0, int(value))
        else:
            dist = _chain_long_run(mats, v0, value)
        out[sel] = np.einsum("nk,nko->no", dist, p_out)
    return out.reshape(n, m, 4)


def outcome_distribution(
    row_strategies: StrategiesLike,
    col_strategies: StrategiesLike,
    *,
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
) -> np.ndarray:
    """Exact expected frequency of each outcome CC, CD, DC, DD for every pair of strategies.

    The frequencies are averaged over the horizon as the payoffs are (mean over ``rounds``,
    discounted with ``continuation``, or long-run). Rows of the result sum to 1.

    Parameters
    ----------
    row_strategies : strategy, sequence of strategies, or (n, 5) array
        Row players, as for [`expected_payoffs`][allysim.kernels.expected_payoffs].
    col_strategies : strategy, sequence of strategies, or (m, 5) array
        Column players, as for [`expected_payoffs`][allysim.kernels.expected_payoffs].
    rounds : int or None, default None
        Average over exactly this many rounds.
    continuation : float or None, default None
        Probability in [0, 1) that the partnership continues after each round (discounted).
    noise : float, default 0.0
        Execution noise in [0, 1].
    perception_noise : float, default 0.0
        Probability in [0, 1] of misreading the partner's move.

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
    kind, value = _horizon(rounds, continuation)
    eps, eta = _noises(noise, perception_noise)
    xb = _as_batch(row_strategies, "row_strategies")
    yb = _as_batch(col_strategies, "col_strategies")
    # The result and the payoffs computed from it, (n, m, 4) float64 each, plus temporaries.
    check_memory(
        3.0 * len(xb) * len(yb) * 4 * 8,
        "row_strategies x col_strategies",
        hint="evaluate the pairs in blocks of rows",
    )
    if xb.memory_one is not None and yb.memory_one is not None:
        if kind == "rounds":
            return _memory_one_rounds(xb.memory_one, yb.memory_one, eps, eta, int(value))
        names = (xb.names, yb.names)
        return _memory_one_long_run(xb.memory_one, yb.memory_one, eps, eta, value, names)
    return _finite_state_distribution(xb, yb, kind, value, eps, eta)


def _memory_one_rounds(x: np.ndarray, y: np.ndarray, eps: float, eta: float, rounds: int):
    px, p0x = _effective_memory_one(x, eps, eta)
    qy, q0y = _effective_memory_one(y, eps, eta)
    dx, d0x = _effective_memory_one(x, eps, eta, withhold=True)
    dy, d0y = _effective_memory_one(y, eps, eta, withhold=True)
    n, m = len(px), len(qy)
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
) -> tuple[np.ndarray, np.ndarray]:
    """Exact expected payoff per round of both players, for every pair of strategies.

    With neither ``rounds`` nor ``continuation`` the limit of means is returned. It always
    exists: when play can settle into more than one closed class of outcomes (no noise), it
    mixes the classes' long-run distributions by the probability of reaching each from the
    first round (e.g. TFT opening with a coin flip against itself earns 2.25 in the standard
    game: R, P and the S/T cycle with probabilities 1/4, 1/4, 1/2).

    Parameters
    ----------
    row_strategies : strategy, sequence of strategies, or (n, 5) array
        Memory-one ([`MemoryOne`][allysim.strategies.MemoryOne] or rows ``[p_CC, p_CD, p_DC, p_DD,
        p0]``) or finite-state strategies.
    col_strategies : strategy, sequence of strategies, or (m, 5) array
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
    u_row, u_col = _outcome_payoffs(game)
    dist = outcome_distribution(
        row_strategies,
        col_strategies,
        rounds=rounds,
        continuation=continuation,
        noise=noise,
        perception_noise=perception_noise,
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


# ----------------------------------------------------------------------------------------------
# Monte Carlo kernel
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulationResult:
    """Per-match results of [`simulate`][allysim.kernels.simulate], arrays (n, m, repetitions).

    Parameters
    ----------
    row_payoffs : numpy.ndarray
        Mean payoff per round of the row player in each match, (n, m, repetitions).
    col_payoffs : numpy.ndarray
        Mean payoff per round of the column player in each match, (n, m, repetitions).
    row_cooperation : numpy.ndarray
        Share of rounds in which the row player contributed, (n, m, repetitions).
    col_cooperation : numpy.ndarray
        Share of rounds in which the column player contributed, (n, m, repetitions).
    outcomes : numpy.ndarray
        Frequencies of CC, CD, DC, DD from the row player's view, (n, m, repetitions, 4).
    rounds : int or None
        Rounds per match, or None for matches of random length (``continuation``).
    continuation : float or None, default None
        The continuation probability for matches of random length, else None.
    history : numpy.ndarray or None, default None
        (n, m, repetitions, rounds, 2) bool, True where the (row, col) player contributed;
        None unless ``history=True`` was asked for.

    Examples
    --------
    >>> from allysim import ALLD, TFT, PrisonersDilemma, simulate
    >>> res = simulate([TFT], [ALLD], PrisonersDilemma(), rounds=10, repetitions=3, seed=1)
    >>> res.row_payoffs.shape, float(res.row_cooperation[0, 0, 0])
    ((1, 1, 3), 0.1)
    """

    row_payoffs: np.ndarray
    col_payoffs: np.ndarray
    row_cooperation: np.ndarray
    col_cooperation: np.ndarray
    outcomes: np.ndarray
    rounds: int | None
    continuation: float | None = None
    history: np.ndarray | None = None

    def mean(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean payoffs per pair over repetitions.

        Returns
        -------
        tuple of two numpy.ndarray, shape (n, m)
            Row and column players' mean payoff per round.

        Examples
        --------
        >>> from allysim import ALLD, TFT, PrisonersDilemma, simulate
        >>> row, col = simulate(TFT, ALLD, PrisonersDilemma(), rounds=10, seed=1).mean()
        >>> float(row[0, 0]), float(col[0, 0])
        (0.9, 1.4)
        """
        return self.row_payoffs.mean(axis=-1), self.col_payoffs.mean(axis=-1)

    def stderr(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Standard errors of the means; None with a single repetition.

        One match per pair gives no estimate of the spread, so there is nothing to report.

        Returns
        -------
        tuple of two numpy.ndarray of shape (n, m), or None
            Standard errors of the row and column players' mean payoffs.

        Examples
        --------
        >>> from allysim import RANDOM, PrisonersDilemma, simulate
        >>> game = PrisonersDilemma()
        >>> simulate(RANDOM(), RANDOM(), game, rounds=10, seed=1).stderr() is None
        True
        >>> res = simulate(RANDOM(), RANDOM(), game, rounds=10, repetitions=50, seed=1)
        >>> bool(res.stderr()[0][0, 0] > 0)
        True
        """
        if self.row_payoffs.shape[-1] < 2:
            return None
        return _stderr(self.row_payoffs), _stderr(self.col_payoffs)


def _global_tables(strategies, eps: float):
    """Global machine tables laid out for the lockstep loop: index ``4 * global_state``."""
    out, nxt, start = machine_tables(strategies)
    out = out * (1 - 2 * eps) + eps
    # Layout: index 4*g + 2*my + their -> 4 * next global state.
    next4 = (4 * nxt.reshape(-1)).astype(np.int32)
    # Moves are drawn as "withhold" when u >= p(cooperate); float32 keeps p = 0 and p = 1 exact.
    out4 = np.repeat(out.astype(np.float32), 4)
    return out4, next4, (4 * start).astype(np.int32)


def _play(
    row_list,
    col_list,
    pair_x,
    pair_y,
    rounds,
    eps,
    eta,
    rng,
    history: bool,
    lengths: np.ndarray | None = None,
    bar=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Play K matches in lockstep; returns withheld counts (2, K), mutual-withhold counts (K,).

    With ``lengths`` (K,), match k counts only its first ``lengths[k]`` rounds (``rounds`` is
    then the longest); ``bar`` is a progress bar advanced by match-rounds.
    """
    uniq = list(dict.fromkeys([*row_list, *col_list]))
    index = {s: i for i, s in enumerate(uniq)}
    out4, next4, start4 = _global_tables(uniq, eps)
    k = len(pair_x)
    gx = np.array([index[row_list[i]] for i in range(len(row_list))])[pair_x]
    gy = np.array([index[col_list[j]] for j in range(len(col_list))])[pair_y]
    state = np.stack([start4[gx], start4[gy]]).astype(np.int32)  # (2, K): seat 0 row, seat 1 col
    withheld = np.zeros((2, k), dtype=np.int64)
    both = np.zeros(k, dtype=np.int64)
    prob = np.empty((2, k), dtype=np.float32)
    seen = np.empty((2, k), dtype=bool)
    idx = np.empty((2, k), dtype=np.int32)
    hist = np.empty((rounds, 2, k), dtype=bool) if history else None
    move_rng, seen_rng = rng.spawn(2)
    # Random numbers come in blocks of rounds so memory stays O(K); the block length depends
    # only on (K, rounds), so a seed reproduces the same play.
    block = max(1, min(rounds, (1 << 22) // (2 * k)))
    moves = np.empty((block, 2, k), dtype=bool)
    for t0 in range(0, rounds, block):
        nb = min(block, rounds - t0)
        draws = move_rng.random((nb, 2, k), dtype=np.float32)
        flips = seen_rng.random((nb, 2, k), dtype=np.float32) < eta if eta else None
        for t in range(nb):
            move = moves[t]
            out4.take(state, out=prob)
            np.less_equal(prob, draws[t], out=move)  # True = withhold
            np.add(state, move, out=idx)
            np.add(idx, move, out=idx)
            if flips is not None:
                np.not_equal(move[::-1], flips[t], out=seen)
                np.add(idx, seen, out=idx)
            else:
                np.add(idx, move[::-1], out=idx)
            next4.take(idx, out=state)
        # Counting once per block keeps the per-round work to six array operations.
        done = moves[:nb]
        if lengths is not None:
            # Rounds past a match's end were played in lockstep but do not count.
            done &= (t0 + np.arange(nb))[:, None, None] < lengths[None, None, :]
        if bar is not None:
            bar.update(nb * k)
        withheld += np.add.reduce(done.view(np.uint8), axis=0, dtype=np.int32)
        both_t = np.logical_and(done[:, 0], done[:, 1]).view(np.uint8)
        both += np.add.reduce(both_t, axis=0, dtype=np.int32)
        if hist is not None:
            hist[t0 : t0 + nb] = done
    return withheld, both, hist


def play_round(
    coop_a: np.ndarray,
    coop_b: np.ndarray,
    *,
    noise: float = 0.0,
    perception_noise: float | np.ndarray = 0.0,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One round of many matches at once: draw moves, then what each side perceives.

    The building block of agent-based models (the trust model plays all its partnerships with
    it): intended moves are flipped by execution ``noise``, and each side misreads the other's
    actual move with probability ``perception_noise``.

    Parameters
    ----------
    coop_a : array_like, shape (k,)
        Intended cooperation probabilities of side A, one per match, in [0, 1].
    coop_b : array_like, shape (k,)
        Intended cooperation probabilities of side B, one per match, in [0, 1].
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.
    perception_noise : float or array_like of shape (k,), default 0.0
        Probability in [0, 1] of misreading the partner's move, one value or one per match.
    rng : numpy.random.Generator
        The generator to draw from (it advances).

    Returns
    -------
    tuple of four numpy.ndarray of bool, shape (k,)
        ``(contrib_a, contrib_b, a_sees_b, b_sees_a)``: True = contributed (as perceived).

    Examples
    --------
    >>> a, b, sa, sb = play_round(np.ones(3), np.zeros(3), rng=np.random.default_rng(0))
    >>> a.tolist(), b.tolist(), sa.tolist()
    ([True, True, True], [False, False, False], [False, False, False])
    """
    pa = as_probability_array(coop_a, "coop_a", shape=(None,))
    pb = as_probability_array(coop_b, "coop_b", shape=(pa.shape[0],))
    noise = check_probability(noise, "noise")
    if isinstance(perception_noise, numbers.Real) and not isinstance(perception_noise, bool):
        eta = np.asarray(check_probability(perception_noise, "perception_noise"))
    else:
        eta = as_probability_array(perception_noise, "perception_noise", shape=(pa.shape[0],))
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    if noise:
        pa = pa * (1 - 2 * noise) + noise
        pb = pb * (1 - 2 * noise) + noise
    u = rng.random((2, pa.shape[0]))
    contrib_a, contrib_b = u[0] < pa, u[1] < pb
    if np.any(eta > 0):
        flips = rng.random((2, pa.shape[0])) < eta
        return contrib_a, contrib_b, contrib_b ^ flips[0], contrib_a ^ flips[1]
    return contrib_a, contrib_b, contrib_b.copy(), contrib_a.copy()


def _outcome_frequencies(withheld: np.ndarray, both: np.ndarray, rounds, scale: float):
    """Outcome counts CC, CD, DC, DD per match (``rounds`` scalar or per match) times ``scale``."""
    dx, dy = withheld
    cc = rounds - dx - dy + both
    return np.stack([cc, dy - both, dx - both, both], axis=-1) * scale


# Matches played in lockstep per chunk: bounds memory to O(chunk) whatever the batch size.
_MATCH_CHUNK = 1 << 20
# Cost model of the lockstep loop on one core (measured on a 2020s laptop core, rounded up):
# a fixed cost per round (about 12 numpy calls) plus a cost per match-round.
_SECONDS_PER_ROUND = 5e-6
_SECONDS_PER_MATCH_ROUND = 5e-9
# Refuse runs estimated beyond an hour; show a progress bar beyond a few seconds.
_MAX_SECONDS = 3600.0
_PROGRESS_SECONDS = 5.0


def _check_match_memory(k: int) -> None:
    """Per-match results (payoffs, rates, outcomes, indices) cost about 200 bytes a match."""
    check_memory(
        200.0 * k,
        "row_strategies x col_strategies x repetitions",
        hint="use fewer repetitions (the standard error falls only as 1/sqrt(repetitions)), or "
        "the exact kernel (expected_payoffs) for expected values",
    )


def _simulate_pairs(
    xs,
    ys,
    pair_x: np.ndarray,
    pair_y: np.ndarray,
    rounds: int | None,
    continuation: float | None,
    eps: float,
    eta: float,
    seed: SeedLike,
    history: bool,
    progress: bool | None = False,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Monte Carlo outcome frequencies (K, 4) for K matches, in chunks of bounded memory.

    With ``rounds`` every match lasts ``rounds`` rounds and frequencies are per round. With
    ``continuation`` w, match k lasts L_k ~ Geometric(1 - w) rounds (mean 1 / (1 - w)) and its
    outcome counts are multiplied by (1 - w): an unbiased estimate of the normalised discounted
    frequencies ``(1 - w) sum_t w^t P(outcome at t)`` that the exact kernel computes (a single
    match's "frequencies" can then exceed 1; their mean over matches cannot). Returns
    ``(frequencies, history or None, lengths or None)``.
    """
    rng = as_generator(seed)
    k = len(pair_x)
    if continuation is not None:
        w = check_interval(continuation, "continuation", 0.0, 1.0, high_open=True)
        if history:
            raise ValueError(
                "history=True needs rounds=T (matches of random length with "
                "continuation have no common history shape)"
            )
        length_rng, rng = rng.spawn(2)
        lengths = length_rng.geometric(1.0 - w, size=k).astype(np.int64)
        horizon = int(lengths.max()) if k else 1
        scale = 1.0 - w
    else:
        horizon = check_int(rounds, "rounds", minimum=1)
        lengths = None
        scale = 1.0 / horizon
    work = float(horizon) * k
    seconds = horizon * _SECONDS_PER_ROUND + work * _SECONDS_PER_MATCH_ROUND
    if seconds > _MAX_SECONDS:
        raise ValueError(
            f"rounds ({horizon:.3g}) x repetitions x pairs ({k}) would take about "
            f"{seconds / 3600:.3g} hours (the limit is 1 hour); use fewer rounds or repetitions, "
            "or the exact kernel (expected_payoffs) for expected values"
        )
    if history:
        # The bool history is copied twice on the way out (reorder, invert).
        check_memory(
            3.0 * 2 * horizon * k,
            "rounds x repetitions x pairs with history=True",
            hint="history=False keeps per-match summaries in O(matches) memory; or ask for "
            "fewer rounds or repetitions",
        )
    show = seconds > _PROGRESS_SECONDS if progress is None else bool(progress)
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=int(work), desc="matches", unit="match-round", unit_scale=True)
    n_chunks = max(1, -(-k // _MATCH_CHUNK))
    # One chunk uses the generator itself, so small runs keep the streams they always had.
    rngs = [rng] if n_chunks == 1 else rng.spawn(n_chunks)
    freq = np.empty((k, 4))
    hist = np.empty((horizon, 2, k), dtype=bool) if history else None
    try:
        for c, sub_rng in enumerate(rngs):
            sel = slice(c * _MATCH_CHUNK, (c + 1) * _MATCH_CHUNK)
            sub_len = None if lengths is None else lengths[sel]
            sub_h = horizon if sub_len is None else int(sub_len.max())
            withheld, both, h = _play(
                xs, ys, pair_x[sel], pair_y[sel], sub_h, eps, eta, sub_rng, history, sub_len, bar
            )
            counted = horizon if sub_len is None else sub_len
            freq[sel] = _outcome_frequencies(withheld, both, counted, scale)
            if hist is not None:
                hist[:, :, sel] = h
    finally:
        if bar is not None:
            bar.close()
    return freq, hist, lengths


def simulate(
    row_strategies: StrategiesLike,
    col_strategies: StrategiesLike,
    game: StageGame,
    *,
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
    repetitions: int = 1,
    seed: SeedLike = None,
    history: bool = False,
    progress: bool | None = None,
) -> SimulationResult:
    """Monte Carlo play of every (row, column) pair, all matches advancing in lockstep.

    Each round is one vectorised step over all ``n * m * repetitions`` matches, in chunks of
    about a million matches so memory stays bounded whatever the batch size (unless
    ``history=True``, which is checked against ``allysim.memory_budget()``).
    Moves are drawn from float32 uniforms, so probabilities are resolved to about 6e-8 (0 and 1
    exactly).

    Parameters
    ----------
    row_strategies : strategy, sequence of strategies, or (n, 5) array
        Row players, as for [`expected_payoffs`][allysim.kernels.expected_payoffs].
    col_strategies : strategy, sequence of strategies, or (m, 5) array
        Column players, as for [`expected_payoffs`][allysim.kernels.expected_payoffs].
    game : StageGame
        A 2x2 stage game.
    rounds : int or None, default None
        Rounds per match (at least 1). Give exactly one of ``rounds`` and ``continuation``.
    continuation : float or None, default None
        Probability in [0, 1) that a match continues after each round: match lengths are drawn
        from the geometric distribution with mean ``1 / (1 - continuation)`` and results are
        normalised as the exact kernel's, ``(1 - w) x`` the match's totals, so their mean
        estimates [`expected_payoffs`][allysim.kernels.expected_payoffs] with the same
        ``continuation`` without bias.
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.
    perception_noise : float, default 0.0
        Probability in [0, 1] that a player misreads the partner's move.
    repetitions : int, default 1
        Independent matches per pair (at least 1).
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The same seed gives bit-identical results.
    history : bool, default False
        Keep every move (memory ``2 x rounds x matches`` bytes; needs ``rounds``).
    progress : bool or None, default None
        Show a tqdm bar; None shows it only for runs estimated to take over 5 seconds.

    Returns
    -------
    SimulationResult
        Per-match payoffs per round, contribution rates and outcome frequencies.

    Raises
    ------
    ValueError
        For out-of-range arguments, for runs estimated to take over an hour (about 5 us per
        round plus 5 ns per match-round), and when ``history=True`` would exceed the memory
        budget.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import TFT, ALLD
    >>> res = simulate([TFT], [ALLD], PrisonersDilemma(), rounds=10, seed=1)
    >>> float(res.row_payoffs[0, 0, 0]), float(res.col_payoffs[0, 0, 0])
    (0.9, 1.4)
    """
    if (rounds is None) == (continuation is None):
        raise ValueError("give exactly one of rounds=T and continuation=w")
    if rounds is not None:
        rounds = check_int(rounds, "rounds", minimum=1)
    repetitions = check_int(repetitions, "repetitions", minimum=1)
    eps, eta = _noises(noise, perception_noise)
    u_row, u_col = _outcome_payoffs(game)
    xb = _as_batch(row_strategies, "row_strategies")
    yb = _as_batch(col_strategies, "col_strategies")
    xs, ys = _strategy_objects(xb), _strategy_objects(yb)
    n, m = len(xs), len(ys)
    _check_match_memory(n * m * repetitions)
    px, py, _ = (
        g.ravel()
        for g in np.meshgrid(np.arange(n), np.arange(m), np.arange(repetitions), indexing="ij")
    )
    flat, hist, _ = _simulate_pairs(
        xs, ys, px, py, rounds, continuation, eps, eta, seed, bool(history), progress
    )
    freq = flat.reshape(n, m, repetitions, 4)
    row_coop, col_coop = cooperation_rates(freq)
    history_out = None
    if hist is not None:
        history_out = ~np.moveaxis(hist, 0, -1).reshape(2, n, m, repetitions, -1)
        history_out = np.moveaxis(history_out, 0, -1)
    return SimulationResult(
        row_payoffs=freq @ u_row,
        col_payoffs=freq @ u_col,
        row_cooperation=row_coop,
        col_cooperation=col_coop,
        outcomes=freq,
        rounds=rounds,
        continuation=None if continuation is None else float(continuation),
        history=history_out,
    )


def _strategy_objects(batch: _Batch) -> list[MemoryOne | FiniteStateStrategy]:
    if batch.strategies is not None:
        return list(batch.strategies)
    assert batch.memory_one is not None  # a batch holds objects or a memory-one array
    return [
        MemoryOne(tuple(row[:4]), p0=row[4], name=name)
        for row, name in zip(batch.memory_one, batch.names, strict=True)
    ]


# ----------------------------------------------------------------------------------------------
# Tournaments
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TournamentResult:
    """A round-robin tournament (see [`round_robin`][allysim.kernels.round_robin]).

    Parameters
    ----------
    names : tuple of str
        Strategy names, in input order.
    payoff_matrix : numpy.ndarray
        (n, n) mean payoff per round of the row strategy against the column strategy; the
        diagonal holds self-play.
    cooperation_matrix : numpy.ndarray
        (n, n) contribution rate of the row strategy in that match.
    method : str
        "exact" or "simulate".
    stderr_matrix : numpy.ndarray or None, default None
        (n, n) standard errors of ``payoff_matrix`` (simulate with repetitions > 1), else None.
    self_play : bool, default False
        Whether scores count the match against a copy of oneself.

    Examples
    --------
    >>> from allysim import ALLC, ALLD, PrisonersDilemma, round_robin
    >>> res = round_robin([ALLC, ALLD], PrisonersDilemma(), rounds=10)
    >>> res.payoff_matrix.tolist(), res.scores.tolist()
    ([[3.0, 0.0], [5.0, 1.0]], [0.0, 5.0])
    """

    names: tuple[str, ...]
    payoff_matrix: np.ndarray
    cooperation_matrix: np.ndarray
    method: str
    stderr_matrix: np.ndarray | None = None
    self_play: bool = False

    def _opponents(self) -> np.ndarray:
        """(n, n) weights: 1 for each opponent that counts in a score, 0 elsewhere."""
        n = len(self.names)
        weights = np.ones((n, n))
        if not self.self_play:
            np.fill_diagonal(weights, 0.0)
        return weights

    @property
    def scores(self) -> np.ndarray:
        """Mean payoff per round of each strategy over its opponents, (n,).

        Self-play counts only when the tournament was run with ``self_play=True``; without it
        the score is the mean over the other ``n - 1`` strategies, as Axelrod-Python's
        ``ResultSet`` scores are.
        """
        weights = self._opponents()
        return (self.payoff_matrix * weights).sum(axis=1) / weights.sum(axis=1)

    @property
    def score_stderr(self) -> np.ndarray | None:
        """Standard error of each score, (n,); None for the exact method (no sampling error)."""
        if self.stderr_matrix is None:
            return None
        weights = self._opponents()
        return np.sqrt(((self.stderr_matrix * weights) ** 2).sum(axis=1)) / weights.sum(axis=1)

    @property
    def cooperation(self) -> np.ndarray:
        """Mean contribution rate of each strategy over its opponents (as for ``scores``), (n,)."""
        weights = self._opponents()
        return (self.cooperation_matrix * weights).sum(axis=1) / weights.sum(axis=1)

    @property
    def ranking(self) -> pd.DataFrame:
        """Strategies sorted by score: rank, strategy, score, score_stderr, cooperation, wins.

        ``score_stderr`` is NaN (not applicable) for the exact method; ``wins`` counts the
        opponents a strategy out-earns head to head.
        """
        payoff, n = self.payoff_matrix, len(self.names)
        stderr = self.score_stderr
        columns: dict[str, Any] = {
            "strategy": list(self.names),
            "score": self.scores,
            "score_stderr": np.full(n, np.nan) if stderr is None else stderr,
        }
        columns["cooperation"] = self.cooperation
        columns["wins"] = (payoff > payoff.T + 1e-12).sum(axis=1)
        table = pd.DataFrame(columns)
        table = table.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
        table.insert(0, "rank", np.arange(1, n + 1))
        return table


def _stderr(samples: np.ndarray) -> np.ndarray:
    """Standard error of the mean over the last axis (NaN for a single sample)."""
    r = samples.shape[-1]
    if r < 2:
        return np.full(samples.shape[:-1], np.nan)
    return samples.std(axis=-1, ddof=1) / math.sqrt(r)


def round_robin(
    strategies: Sequence[MemoryOne | FiniteStateStrategy],
    game: StageGame,
    *,
    rounds: int | None = 200,
    continuation: float | None = None,
    noise: float = 0.0,
    perception_noise: float = 0.0,
    repetitions: int = 10,
    seed: SeedLike = None,
    method: Literal["exact", "simulate"] = "exact",
    self_play: bool = False,
) -> TournamentResult:
    """A round-robin tournament: every strategy meets every other (and, optionally, itself).

    ``method="exact"`` uses the Markov-chain kernel (``rounds``, ``continuation`` or, with
    ``rounds=None``, the limit of means); ``method="simulate"`` plays ``repetitions`` matches
    for each unordered pair, of ``rounds`` rounds or of random length with ``continuation``
    (see [`simulate`][allysim.kernels.simulate]), and reports standard errors. The payoff
    matrix always holds self-play on its diagonal; scores count it only with
    ``self_play=True``. The default (``False``) matches the scores and ranking of
    Axelrod-Python's ``Tournament``.

    Parameters
    ----------
    strategies : sequence of MemoryOne or FiniteStateStrategy
        The entrants, with distinct names; at least two unless ``self_play=True``.
    game : StageGame
        A 2x2 stage game.
    rounds : int or None, default 200
        Rounds per match; None with ``continuation=None`` is the limit of means (exact only).
    continuation : float or None, default None
        Probability in [0, 1) that a partnership continues after each round (instead of
        ``rounds``); payoffs are normalised per round, ``(1 - w) sum_t w^t u_t``.
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.
    perception_noise : float, default 0.0
        Probability in [0, 1] that a player misreads the partner's move.
    repetitions : int, default 10
        Matches per pair for ``method="simulate"`` (at least 1).
    seed : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        Seed for ``method="simulate"``; the same seed gives identical results.
    method : {"exact", "simulate"}, default "exact"
        Exact expected payoffs or Monte Carlo matches.
    self_play : bool, default False
        Count each strategy's match against a copy of itself in its score.

    Returns
    -------
    TournamentResult
        Payoff and cooperation matrices (payoff units per round), scores and the ranking.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import ALLC, ALLD, TFT
    >>> res = round_robin([ALLC, ALLD, TFT], PrisonersDilemma(), rounds=200)
    >>> res.ranking["strategy"].tolist()
    ['ALLD', 'TFT', 'ALLC']
    >>> res.scores.round(4).tolist()  # ALLD: (T + (T + 199 P) / 200) / 2, self-play excluded
    [1.5, 3.01, 1.9975]
    """
    batch = _as_batch(strategies, "strategies")
    if not isinstance(self_play, bool | np.bool_):
        raise TypeError(f"self_play must be True or False, got {type(self_play).__name__}")
    names = batch.names
    if len(set(names)) != len(names):
        raise ValueError(f"strategies must have distinct names, got {list(names)}")
    n = len(batch)
    if rounds is not None and continuation is not None:
        raise ValueError(
            "give either rounds or continuation, not both: round_robin defaults to rounds=200, "
            "so pass rounds=None with continuation=w"
        )
    if n < 2 and not self_play:
        raise ValueError(
            "strategies must hold at least 2 entrants when self_play=False (a strategy alone "
            "has no opponent); pass self_play=True to score self-play"
        )
    if method == "exact":
        players = _strategy_objects(batch)
        dist = outcome_distribution(
            players,
            players,
            rounds=rounds,
            continuation=continuation,
            noise=noise,
            perception_noise=perception_noise,
        )
        u_row, _ = _outcome_payoffs(game)
        payoff = dist @ u_row
        coop = cooperation_rates(dist)[0]
        stderr = None
    elif method == "simulate":
        if rounds is None and continuation is None:
            raise ValueError(
                "method='simulate' needs rounds=T or continuation=w (the limit of means has no "
                "finite simulation)"
            )
        repetitions = check_int(repetitions, "repetitions", minimum=1)
        u_row, u_col = _outcome_payoffs(game)
        eps, eta = _noises(noise, perception_noise)
        objs = _strategy_objects(batch)
        _check_match_memory(n * (n + 1) // 2 * repetitions)
        iu, ju = np.triu_indices(n)
        pair_x = np.repeat(iu, repetitions)
        pair_y = np.repeat(ju, repetitions)
        freq = _simulate_pairs(
            objs, objs, pair_x, pair_y, rounds, continuation, eps, eta, seed, False
        )[0].reshape(len(iu), repetitions, 4)
        rx, cx = cooperation_rates(freq)
        pay_r, pay_c = freq @ u_row, freq @ u_col
        payoff, coop, stderr = (np.zeros((n, n)) for _ in range(3))
        diag = iu == ju
        # Self-play: both seats are the same strategy; average them.
        payoff[iu, ju] = np.where(diag, (pay_r + pay_c).mean(-1) / 2, pay_r.mean(-1))
        payoff[ju, iu] = np.where(diag, payoff[iu, ju], pay_c.mean(-1))
        coop[iu, ju] = np.where(diag, (rx + cx).mean(-1) / 2, rx.mean(-1))
        coop[ju, iu] = np.where(diag, coop[iu, ju], cx.mean(-1))
        if repetitions > 1:
            stderr[iu, ju] = _stderr(np.where(diag[:, None], (pay_r + pay_c) / 2, pay_r))
            stderr[ju, iu] = _stderr(np.where(diag[:, None], (pay_r + pay_c) / 2, pay_c))
        else:
            stderr = None
    else:
        raise ValueError(f"method must be 'exact' or 'simulate', got {method!r}")
    return TournamentResult(
        names=tuple(names),
        payoff_matrix=payoff,
        cooperation_matrix=coop,
        method=method,
        stderr_matrix=stderr,
        self_play=bool(self_play),
    )
