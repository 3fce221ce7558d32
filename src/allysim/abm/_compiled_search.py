"""Compiled loops for partner search, the network's draws and imitation (numba, the optional
``fast`` extra).

:meth:`~allysim.abm.search.PartnerSearch.search` on the compiled path is three loops around the
calls that stay in Python (the network's candidate draw, the cultural distance, the parts'
acceptance factors, the partnership table's ``add`` and the parts' ``on_form``):

1. :func:`_seekers`: who is free and seeks, in a random order;
2. :func:`_meet`: the meetings that are judged (the one met is free, another organization and
   not a partner yet);
3. :func:`_judge`: both sides' acceptance scores, the acceptance draws, first-come matching and
   the new partnerships' columns.

The loops draw their random numbers from the model's numpy Generator themselves (numba's
``Generator`` methods give numpy's numbers and leave the Generator in numpy's state), in the
numpy path's order: ``rng.random((2, k))`` fills its first row before its second, so a loop
draws the whole first row before the second. Every floating-point operation happens in the same
order as on the numpy path, so both paths give the same results to the bit.

numba is imported only when a loop is first needed (:func:`kernels`); the compiled code is
cached on disk.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

import numpy as np

__all__ = ["kernels"]


def _seekers(rng, degree, capacity, search_rate, width):  # pragma: no cover - compiled
    """The free organizations that seek (``rng.random(n) < search_rate``), shuffled, and
    True; or nothing drawn and False when an entry of ``capacity`` exceeds ``width``."""
    n = degree.shape[0]
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        if capacity[i] > width:
            return out[:0], False
    k = 0
    for i in range(n):
        u = rng.random()
        if degree[i] < capacity[i] and u < search_rate:
            out[k] = i
            k += 1
    seekers = out[:k]
    if k > 0:
        rng.shuffle(seekers)  # numpy's permutation: a copy, shuffled the same way
    return seekers, True


def _complete_candidates(rng, seekers, n):  # pragma: no cover - compiled
    """TieNetwork.candidates on the complete network: any other organization, uniformly."""
    cand = rng.integers(0, n - 1, seekers.shape[0])
    for k in range(seekers.shape[0]):
        if cand[k] >= seekers[k]:
            cand[k] += 1
    return cand


def _graph_candidates(rng, seekers, indptr, indices):  # pragma: no cover - compiled
    """TieNetwork.candidates on a CSR network: the seekers with a neighbour, and one drawn
    uniformly (``int(u * degree)``) for each."""
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
            pick = np.int64(rng.random() * deg)
            kept[k] = s
            cand[k] = indices[indptr[s] + pick]
            k += 1
    return kept[:k], cand[:k]


def _complete_peers(rng, n):  # pragma: no cover - compiled
    """TieNetwork.peers on the complete network: any other organization, uniformly."""
    peer = rng.integers(0, n - 1, n)
    for i in range(n):
        if peer[i] >= i:
            peer[i] += 1
    return peer


def _graph_peers(rng, indptr, indices):  # pragma: no cover - compiled
    """TieNetwork.peers on a CSR network: a uniform neighbour, or itself when it has none."""
    n = indptr.shape[0] - 1
    peer = np.empty(n, dtype=np.int64)
    for i in range(n):
        deg = indptr[i + 1] - indptr[i]
        pick = min(np.int64(rng.random() * deg), max(deg - 1, 0))
        peer[i] = indices[indptr[i] + pick] if deg > 0 else i
    return peer


def _meet(seekers, cand, degree, capacity, partner_table):  # pragma: no cover - compiled
    """The meetings judged: the one met is free, another organization and not yet a partner."""
    m = seekers.shape[0]
    a = np.empty(m, dtype=np.int64)
    b = np.empty(m, dtype=np.int64)
    k = 0
    for j in range(m):
        s = seekers[j]
        c = cand[j]
        if degree[c] >= capacity[c] or c == s:
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
    rng,
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
    """Mutual assessment, the acceptance draws (``rng.random((2, k))``), first-come matching
    and the columns of the partnerships formed.

    ``coefficients``: neutral_reputation, visibility, acceptance_offset, perception_noise,
    culture_noise, clarity, prior_strength, benefit, synergy, culture_friction. Returns the
    formed pairs' a, b, distance, pair_eta, machine (f, 2), alpha and beta (f, 2, 1), and the
    arguments received_a, received_b and dividend of goodwill_weights.
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
    m = a.shape[0]
    score_a = np.empty(m)
    score_b = np.empty(m)
    for j in range(m):
        near = 1 - dist[j]
        seen_b = neutral + visibility * (reputation[b[j]] - neutral)
        seen_a = neutral + visibility * (reputation[a[j]] - neutral)
        # np.minimum(1.0, x), then np.minimum(1.0, x * factor) for each factor in order
        # (written so that NaN stays NaN, as with np.minimum).
        sa = near * (offset + seen_b)
        sa = 1.0 if sa >= 1.0 else sa
        for p in range(factors_a.shape[0]):
            sa = sa * factors_a[p, j]
            sa = 1.0 if sa >= 1.0 else sa
        sb = near * (offset + seen_a)
        sb = 1.0 if sb >= 1.0 else sb
        for p in range(factors_b.shape[0]):
            sb = sb * factors_b[p, j]
            sb = 1.0 if sb >= 1.0 else sb
        score_a[j] = sa
        score_b[j] = sb
    u0 = rng.random(m)  # the first row of rng.random((2, m)), before any of the second
    used = np.zeros(n, dtype=np.bool_)
    rows = np.empty(m, dtype=np.int64)
    f = 0
    for j in range(m):
        u1 = rng.random()
        if u0[j] < score_a[j] and u1 < score_b[j]:
            x = a[j]
            y = b[j]
            if not used[x] and not used[y]:
                used[x] = True
                used[y] = True
                rows[f] = j
                f += 1
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
        sa = score_a[j]
        sb = score_b[j]
        alpha[r, 0, 0] = 1 + prior * sa
        alpha[r, 1, 0] = 1 + prior * sb
        beta[r, 0, 0] = 1 + prior * (1 - sa)
        beta[r, 1, 0] = 1 + prior * (1 - sb)
        received_a[r] = benefit * capability[y]
        received_b[r] = benefit * capability[x]
        dividend[r] = synergy * (1 - friction * d)
    return fa, fb, fdist, pair_eta, machine, alpha, beta, received_a, received_b, dividend


def _imitate(
    rng, p_adopt, peer, strategy_of, mutation, k, period_payoff, machine, pa, pb, e, start
):  # pragma: no cover - compiled
    """Imitation.imitate from the adoption chances on: the draws ``rng.random((3, n))`` (row
    by row), the new strategies, the payoffs reset and the machines of changed organizations
    restarted in rows ``[:e]``. Returns the new strategies."""
    n = strategy_of.shape[0]
    u0 = rng.random(n)
    u1 = rng.random(n)
    new = np.empty(n, dtype=np.int64)
    changed = np.zeros(n, dtype=np.bool_)
    any_changed = False
    for i in range(n):
        u2 = rng.random()
        s = strategy_of[peer[i]] if u0[i] < p_adopt[i] else strategy_of[i]
        if u1[i] < mutation:
            s = min(np.int64(u2 * k), k - 1)
        new[i] = s
        if s != strategy_of[i]:
            changed[i] = True
            any_changed = True
        period_payoff[i] = 0.0
    if any_changed:
        for r in range(e):
            if changed[pa[r]]:
                machine[r, 0] = start[new[pa[r]]]
            if changed[pb[r]]:
                machine[r, 1] = start[new[pb[r]]]
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
    import numba  # type: ignore[import-untyped]

    from allysim.kernels import _compiled_numba  # noqa: F401  (the threading layer)

    # numpy's error model: a division by zero gives inf or NaN, as numpy's does. Never
    # parallel: the loops draw from the Generator.
    jit = numba.njit(cache=True, nogil=True, error_model="numpy")
    return SimpleNamespace(
        seekers=jit(_seekers),
        complete_candidates=jit(_complete_candidates),
        graph_candidates=jit(_graph_candidates),
        complete_peers=jit(_complete_peers),
        graph_peers=jit(_graph_peers),
        meet=jit(_meet),
        judge=jit(_judge),
        imitate=jit(_imitate),
    )
