"""Compiled loops for partner search, the network's draws and imitation (numba, the optional
``fast`` extra).

:meth:`~allysim.abm.search.PartnerSearch.search` on the compiled path is three loops around the
calls that stay in Python (the random draws, the network's candidate draw, the cultural
distance, the parts' acceptance factors, the partnership table's ``add`` and the parts'
``on_form``):

1. :func:`_seekers`: who is free and seeks;
2. :func:`_meet`: the meetings that are judged (the one met is free, another organization and
   not a partner yet);
3. :func:`_judge`: both sides' acceptance scores, acceptance, first-come matching and the new
   partnerships' columns (their goodwill weights too when no mechanism settles the rounds).

The random numbers are drawn by the model's numpy Generator, in bulk and in the numpy path's
order, and passed in. (numba can draw from a numpy Generator inside a loop, bit for bit, but
here it was slower: unboxing the Generator cost 8.5 us a call, a scalar ``rng.random()`` 12-17
ns against numpy's 2.4 ns a number in bulk, and numba's ``shuffle`` five times numpy's
``permutation``.) Every floating-point operation happens in the same order as on the numpy
path, so both paths give the same results to the bit.

numba is imported only when a loop is first needed (:func:`kernels`); the compiled code is
cached on disk.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np

from allysim.abm._compiled import compile_loops

__all__ = ["kernels"]


def _seekers(u, degree, capacity, search_rate, free):  # pragma: no cover - compiled
    """``np.flatnonzero(free & (u < search_rate))``: the free organizations that seek,
    ascending; ``free`` (out) takes ``degree < capacity``."""
    n = degree.shape[0]
    out = np.empty(n, dtype=np.int64)
    k = 0
    # Without a branch: which organizations seek is a coin flip, so a branch on it would
    # be mispredicted half the time.
    for i in range(n):
        fr = degree[i] < capacity[i]
        free[i] = fr
        out[k] = i
        k += fr & (u[i] < search_rate)
    return out[:k]


def _skip_self(cand, seekers):  # pragma: no cover - compiled
    """``cand += cand >= seekers``: a draw over the n - 1 others made an organization index."""
    for k in range(cand.shape[0]):
        if cand[k] >= seekers[k]:
            cand[k] += 1
    return cand


def _skip_own(peer):  # pragma: no cover - compiled
    """``peer += peer >= np.arange(n)``: a draw over the n - 1 others made an index."""
    for i in range(peer.shape[0]):
        if peer[i] >= i:
            peer[i] += 1
    return peer


def _fermi_exponent(payoff, every, peer, minus_selection):  # pragma: no cover - compiled
    """``-selection * (per_step[peer] - per_step)``, ``per_step = payoff / every``: the
    exponent of the Fermi rule, in numpy's order (numpy takes the exponential)."""
    n = payoff.shape[0]
    out = np.empty(n)
    for i in range(n):
        out[i] = minus_selection * (payoff[peer[i]] / every - payoff[i] / every)
    return out


def _graph_candidates(u, seekers, indptr, indices):  # pragma: no cover - compiled
    """TieNetwork.candidates on a CSR network from ``u`` (one uniform per seeker with a
    neighbour, in order): those seekers, and the neighbour ``int(u * degree)`` of each."""
    m = seekers.shape[0]
    n = indptr.shape[0] - 1
    kept = np.empty(m, dtype=np.int64)
    cand = np.empty(m, dtype=np.int64)
    k = 0
    for j in range(m):
        s = seekers[j]
        if s < 0 or s >= n:
            raise IndexError("a seeker is not an organization index")
        deg = indptr[s + 1] - indptr[s]
        if deg > 0:
            kept[k] = s
            cand[k] = indices[indptr[s] + np.int64(u[k] * deg)]
            k += 1
    return kept[:k], cand[:k]


def _with_neighbours(seekers, indptr):  # pragma: no cover - compiled
    """How many of ``seekers`` have a neighbour on the CSR network."""
    n = indptr.shape[0] - 1
    count = 0
    for j in range(seekers.shape[0]):
        s = seekers[j]
        if s < 0 or s >= n:
            raise IndexError("a seeker is not an organization index")
        if indptr[s + 1] > indptr[s]:
            count += 1
    return count


def _graph_peers(u, indptr, indices):  # pragma: no cover - compiled
    """TieNetwork.peers on a CSR network from ``u`` (one uniform per organization): a
    neighbour, or the organization itself when it has none."""
    n = indptr.shape[0] - 1
    peer = np.empty(n, dtype=np.int64)
    for i in range(n):
        deg = indptr[i + 1] - indptr[i]
        pick = min(np.int64(u[i] * deg), max(deg - 1, 0))
        peer[i] = indices[indptr[i] + pick] if deg > 0 else i
    return peer


def _meet(seekers, cand, free, partner_table):  # pragma: no cover - compiled
    """The meetings judged: the one met is free, another organization and not yet a partner."""
    m = seekers.shape[0]
    a = np.empty(m, dtype=np.int64)
    b = np.empty(m, dtype=np.int64)
    k = 0
    for j in range(m):
        s = seekers[j]
        c = cand[j]
        if c == s or not free[c]:
            continue
        partners = False
        for place in range(partner_table.shape[1]):
            if partner_table[s, place] == c:
                partners = True
        if not partners:
            a[k] = s
            b[k] = c
            k += 1
    return a[:k], b[:k]


def _judge(
    u,
    a,
    b,
    dist,
    reputation,
    factors_a,
    factors_b,
    n,
    coefficients,
    start,
    strategy_of,
    capability,
):  # pragma: no cover - compiled
    """Mutual assessment, acceptance (uniforms ``u``, (2, k)), first-come matching and the
    columns of the partnerships formed.

    ``coefficients``: neutral_reputation, visibility, acceptance_offset, perception_noise,
    culture_noise, clarity, prior_strength, benefit, synergy, culture_friction, cost,
    ``1 - attribution_discount * 1.0`` and whether the goodwill weights are computed here (1:
    no settling mechanism) or left to goodwill_weights (0). Returns the formed pairs' a, b,
    distance, pair_eta, machine (f, 2), alpha and beta (f, 2, 1), goodwill_weight (f, 2, 2;
    (0, 2, 2) when left), and goodwill_weights' arguments received_a, received_b and dividend.
    """
    neutral = coefficients[0]
    visibility = coefficients[1]
    offset = coefficients[2]
    perception_noise = coefficients[3]
    culture_noise = coefficients[4]
    clarity = coefficients[5]
    prior = coefficients[6]
    benefit = coefficients[7]
    synergy = coefficients[8]
    friction = coefficients[9]
    cost = coefficients[10]
    untempted = coefficients[11]
    unsettled = coefficients[12] != 0.0
    m = a.shape[0]
    used = np.zeros(n, dtype=np.bool_)
    rows = np.empty(m, dtype=np.int64)
    kept_a = np.empty(m)
    kept_b = np.empty(m)
    f = 0
    # The scores in passes the compiler can stream (the factors' loops vectorize), then the
    # acceptance and matching.
    score = np.empty((2, m))
    for j in range(m):
        near = 1 - dist[j]
        seen_b = neutral + visibility * (reputation[b[j]] - neutral)
        seen_a = neutral + visibility * (reputation[a[j]] - neutral)
        # np.minimum(1.0, x), then np.minimum(1.0, x * factor) for each factor in order
        # (written so that NaN stays NaN, as with np.minimum).
        sa = near * (offset + seen_b)
        score[0, j] = 1.0 if sa >= 1.0 else sa
        sb = near * (offset + seen_a)
        score[1, j] = 1.0 if sb >= 1.0 else sb
    for p in range(factors_a.shape[0]):
        for j in range(m):
            sa = score[0, j] * factors_a[p, j]
            score[0, j] = 1.0 if sa >= 1.0 else sa
    for p in range(factors_b.shape[0]):
        for j in range(m):
            sb = score[1, j] * factors_b[p, j]
            score[1, j] = 1.0 if sb >= 1.0 else sb
    for j in range(m):
        sa = score[0, j]
        sb = score[1, j]
        # Both accept, and neither has formed a partnership earlier in the order. Without a
        # branch: acceptance is a coin flip, so a branch on it would often be mispredicted.
        x = a[j]
        y = b[j]  # != x (meet drops a seeker that met itself)
        ok = (u[0, j] < sa) & (u[1, j] < sb) & ~used[x] & ~used[y]
        used[x] |= ok
        used[y] |= ok
        rows[f] = j
        kept_a[f] = sa
        kept_b[f] = sb
        f += ok
    fa = np.empty(f, dtype=np.int64)
    fb = np.empty(f, dtype=np.int64)
    fdist = np.empty(f)
    pair_eta = np.empty(f)
    machine = np.empty((f, 2), dtype=start.dtype)
    alpha = np.empty((f, 2, 1))
    beta = np.empty((f, 2, 1))
    received_a = np.empty(f)
    received_b = np.empty(f)
    dividend = np.empty(f)
    weight = np.empty((f if unsettled else 0, 2, 2))
    # payoffs._weights_unsettled: withholding against a withholder gains 0 - (-cost).
    against_withholder = 1.0 if 0.0 - (-cost) > 0 else untempted
    keep = 1 - perception_noise
    unclear = 1 - clarity
    for r in range(f):
        j = rows[r]
        x = a[j]
        y = b[j]
        d = dist[j]
        fa[r] = x
        fb[r] = y
        fdist[r] = d
        # Two independent sources of misreading (noisy-OR), as PartnerSearch._form.
        misread = 1 - keep * (1 - culture_noise * d)
        pair_eta[r] = misread * unclear
        machine[r, 0] = start[strategy_of[x]]
        machine[r, 1] = start[strategy_of[y]]
        sa = kept_a[r]
        sb = kept_b[r]
        alpha[r, 0, 0] = 1 + prior * sa
        alpha[r, 1, 0] = 1 + prior * sb
        beta[r, 0, 0] = 1 + prior * (1 - sa)
        beta[r, 1, 0] = 1 + prior * (1 - sb)
        received_a[r] = benefit * capability[y]
        received_b[r] = benefit * capability[x]
        dividend[r] = synergy * (1 - friction * d)
        if unsettled:
            # payoffs._weights_unsettled: withholding against a contributor gains received -
            # (received - cost + dividend); side 0 receives b's contribution, side 1 a's.
            gain_a = received_b[r] - (received_b[r] - cost + dividend[r])
            gain_b = received_a[r] - (received_a[r] - cost + dividend[r])
            weight[r, 0, 0] = 1.0 if gain_a > 0 else untempted
            weight[r, 1, 0] = 1.0 if gain_b > 0 else untempted
            weight[r, 0, 1] = against_withholder
            weight[r, 1, 1] = against_withholder
    return (
        fa,
        fb,
        fdist,
        pair_eta,
        machine,
        alpha,
        beta,
        weight,
        received_a,
        received_b,
        dividend,
    )


def _imitate(
    u, exp_term, peer, strategy_of, mutation, k, period_payoff, machine, pa, pb, e, start
):  # pragma: no cover - compiled
    """Imitation.imitate from the exponentials of the Fermi rule's exponents (the adoption
    chance is ``1.0 / (1.0 + exp_term)``) and the uniforms ``u`` (3, n) on: the new
    strategies, the payoffs reset and the machines of changed organizations
    restarted in rows ``[:e]``. Returns the new strategies."""
    n = strategy_of.shape[0]
    new = np.empty(n, dtype=np.int64)
    changed = np.zeros(n, dtype=np.bool_)
    any_changed = False
    for i in range(n):
        p_adopt = 1.0 / (1.0 + exp_term[i])
        s = strategy_of[peer[i]] if u[0, i] < p_adopt else strategy_of[i]
        if u[1, i] < mutation:
            s = min(np.int64(u[2, i] * k), k - 1)
        new[i] = s
        ch = s != strategy_of[i]
        changed[i] = ch
        any_changed |= ch
        period_payoff[i] = 0.0
    if any_changed:
        # Without a branch: which organizations changed is close to a coin flip.
        for r in range(e):
            x = pa[r]
            y = pb[r]
            machine[r, 0] = start[new[x]] if changed[x] else machine[r, 0]
            machine[r, 1] = start[new[y]] if changed[y] else machine[r, 1]
    return new


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
    ...     assert callable(kernels().judge)
    """
    return compile_loops(
        globals(),
        (
            "_seekers",
            "_skip_self",
            "_skip_own",
            "_fermi_exponent",
            "_graph_candidates",
            "_with_neighbours",
            "_graph_peers",
            "_meet",
            "_judge",
            "_imitate",
        ),
    )
