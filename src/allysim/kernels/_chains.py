"""Batched Markov-chain solvers behind the exact kernels.

Each function takes a batch of transition matrices ``(N, k, k)`` (and first-round distributions
``(N, k)``) and returns one state distribution per chain: the mean over a finite horizon
(doubling), the discounted distribution (a linear solve) or the limit of means (closed classes
by transitive closure, each solved by GTH). They know nothing of strategies or games.
"""

from __future__ import annotations

import numpy as np

from allysim.kernels._linalg import solve


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


def _log_gth(mats: np.ndarray) -> np.ndarray:
    """:func:`_gth` on natural logs, for chains whose products of transitions underflow.

    With transitions near 1e-300 the elimination's products (1e-600) flush to zero and GTH
    loses states; in log space every product keeps its value.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = np.log(mats)
        n, k, _ = lp.shape
        for j in range(k - 1, 0, -1):
            out = np.logaddexp.reduce(lp[:, j, :j], axis=1)  # (n,)
            share = lp[:, j, :j] - out[:, None]  # (n, j)
            share = np.where(np.isfinite(out)[:, None], share, -np.inf)
            lp[:, :j, :j] = np.logaddexp(
                lp[:, :j, :j], lp[:, :j, j][:, :, None] + share[:, None, :]
            )
        log_pi = np.full((n, k), -np.inf)
        log_pi[:, 0] = 0.0
        for j in range(1, k):
            out = np.logaddexp.reduce(lp[:, j, :j], axis=1)
            inflow = np.logaddexp.reduce(log_pi[:, :j] + lp[:, :j, j], axis=1)
            log_pi[:, j] = np.where(np.isfinite(out), inflow - out, -np.inf)
    log_pi -= log_pi.max(axis=1, keepdims=True)
    pi = np.exp(log_pi)
    return pi / pi.sum(axis=1, keepdims=True)


def _gth(mats: np.ndarray) -> np.ndarray:
    """Stationary distribution of irreducible stochastic matrices by Grassmann-Taksar-Heyman.

    GTH (Grassmann, Taksar & Heyman 1985) eliminates states without subtractions, so it keeps
    full relative accuracy however nearly reducible the chain is (e.g. noise 1e-12), where a
    linear solve loses it. States with no transitions at all (zero row and column, used to mask
    states outside a class) get probability 0. State 0 must belong to the class.
    """
    # Transitions so small that a product of two underflows: eliminate in log space instead.
    tiny = np.any((mats > 0) & (mats < 1e-150), axis=(1, 2))
    if tiny.any():
        pi = np.empty(mats.shape[:2])
        pi[tiny] = _log_gth(mats[tiny])
        if (~tiny).any():
            pi[~tiny] = _gth(mats[~tiny])
        return pi
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
    # Where play started in v0 first enters the recurrent states: eliminate the transient
    # states one by one, passing each one's inflow on along its exits in proportion (state
    # reduction, as in GTH: the exit total is a sum, never 1 - q_jj). A linear solve of
    # (I - Q) loses every digit when the transient states leak only 1e-200 per step out of
    # their set (noise 1e-103), and about 4 digits at noise 1e-12.
    p = mats * (1.0 - np.eye(k))
    v = v0.astype(float)
    diag = np.arange(k)
    for j in range(k):
        t = transient[:, j]
        if not t.any():
            continue
        exits = p[:, j, :].sum(axis=1)
        share = np.divide(
            p[:, j, :],
            exits[:, None],
            out=np.zeros((n, k)),
            where=(t & (exits > 0))[:, None],
        )
        p += p[:, :, j : j + 1] * share[:, None, :]
        v += v[:, j : j + 1] * share
        p[t, :, j] = 0.0
        v[t, j] = 0.0
        # A loop back to its own state does not change where a state is left for.
        p[:, diag, diag] = 0.0
    entry = v * recurrent
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
        # Not numpy.linalg.solve: LAPACK's answer for 256 states follows the BLAS thread count.
        return solve(a, (1 - w) * v0)
    return _limit_of_means(mats, v0)
