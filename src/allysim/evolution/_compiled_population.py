"""numba-compiled loop of ``simulate_population`` (imported only when numba is installed).

One population per ``prange`` iteration, each with its own SplitMix64 stream keyed by the seed
and the population's index (the helpers of ``allysim.kernels._compiled_numba``, which also
selects the fork-safe threading layer). What a population does depends only on its stream, so
results do not change with the number of threads, nor with how the steps are split into calls:
the stream state and the counts are carried between calls in arrays.

Rules (codes of ``rule``): 0 pairwise comparison (Fermi; Traulsen, Nowak & Pacheco 2006),
1 Moran birth-death, 2 Moran death-birth, 3 Wright-Fisher; the same events as the numpy path of
``population.simulate_population``, with uniforms from a different stream.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange  # type: ignore[import-untyped]

from allysim.kernels._compiled_numba import _GOLDEN, _gamma, _mix

_S11 = np.uint64(11)
_TWO_M53 = 2.0**-53


@njit(cache=True)
def init_streams(key0, key1, state, gamma):  # pragma: no cover - compiled
    """Population i's stream: start from ``key0`` and i, odd increment from ``key1`` and i."""
    for i in range(state.shape[0]):
        state[i] = _mix(key0 + _GOLDEN * np.uint64(i + 1))
        gamma[i] = _gamma(key1 + _GOLDEN * np.uint64(i + 1))


@njit(inline="always", cache=True)
def _uniform(s):  # pragma: no cover - compiled
    """A uniform double in [0, 1) with 53 random bits from the state after its step ``s``."""
    return np.float64(_mix(s) >> _S11) * _TWO_M53


@njit(inline="always", cache=True)
def _index(u, total):  # pragma: no cover - compiled
    """floor(u total) in 0 .. total - 1 (the guard covers rounding up for very large totals)."""
    k = np.int64(u * total)
    return min(k, total - 1)


@njit(inline="always", cache=True)
def _pick(c, k, skip):  # pragma: no cover - compiled
    """The strategy of the k-th organization (0-based) in count order, one of ``skip`` left out."""
    n = c.shape[0]
    for j in range(n):
        cj = c[j] - (1 if j == skip else 0)
        if k < cj:
            return j
        k -= cj
    return n - 1


@njit(inline="always", cache=True)
def _pick_weighted(w, target):  # pragma: no cover - compiled
    """First j whose cumulative weight exceeds ``target``; the last positive one on round-off."""
    n = w.shape[0]
    acc = 0.0
    last = 0
    for j in range(n):
        if w[j] > 0.0:
            acc += w[j]
            last = j
            if target < acc:
                return j
    return last


@njit(inline="always", cache=True)
def _payoff(a, c, i, z):  # pragma: no cover - compiled
    """Mean payoff of one organization of strategy i against the z - 1 others."""
    total = 0.0
    for j in range(c.shape[0]):
        total += a[i, j] * c[j]
    return (total - a[i, i]) / (z - 1)


@njit(parallel=True, cache=True)
def run_populations(
    a,
    rule,
    beta,
    mu,
    z,
    counts,
    state,
    gamma,
    first,
    last,
    until,
    fixation_step,
    record_every,
    history,
    bad,
):  # pragma: no cover - compiled
    """Advance every population from step ``first`` to ``last`` (or to its fixation).

    ``counts`` (R, n), ``state`` and ``gamma`` (R,) are updated in place. With ``until``, a
    population whose ``fixation_step`` is set is done; its remaining records are filled with
    its (final) counts. ``history`` (records, R, n) receives the counts at every multiple of
    ``record_every`` (0: none). ``bad[i]`` is set to 1 when population i met a non-positive
    fitness (Moran and Wright-Fisher rules) and stops there: the caller raises.
    """
    for i in prange(counts.shape[0]):
        _run_one(
            a,
            rule,
            beta,
            mu,
            z,
            counts,
            state,
            gamma,
            first,
            last,
            until,
            fixation_step,
            record_every,
            history,
            bad,
            i,
        )


@njit(cache=True)
def _run_one(
    a,
    rule,
    beta,
    mu,
    z,
    counts,
    state,
    gamma,
    first,
    last,
    until,
    fixation_step,
    record_every,
    history,
    bad,
    i,
):  # pragma: no cover - compiled
    """Population i of ``run_populations``."""
    if bad[i] != 0 or (until and fixation_step[i] >= 0):
        return
    n = a.shape[0]
    c = counts[i].copy()
    w = np.empty(n)
    s = state[i]
    g = gamma[i]
    records = history.shape[0]
    step = first
    fixed = False
    while step < last:
        loser = 0
        winner = 0
        if rule == 3:
            # Wright-Fisher generation: Z offspring, each drawn by fitness, then mutation.
            total = 0.0
            for j in range(n):
                if c[j] > 0:
                    f = 1.0 - beta + beta * _payoff(a, c, j, z)
                    if f <= 0.0:
                        bad[i] = 1
                        break
                    w[j] = c[j] * f
                else:
                    w[j] = 0.0
                total += w[j]
            if bad[i] != 0:
                break
            share_total = 0.0
            for j in range(n):
                w[j] = w[j] / total
                if mu > 0.0:
                    # An offspring mutates with chance mu, uniformly to one of the n - 1 others.
                    w[j] = (1.0 - mu) * w[j] + mu * (1.0 - w[j]) / (n - 1)
                share_total += w[j]
            for j in range(n):
                c[j] = 0
            for _ in range(z):
                s = s + g
                c[_pick_weighted(w, _uniform(s) * share_total)] += 1
            step += 1
            if until:
                for j in range(n):
                    if c[j] == z:
                        fixed = True
        else:
            mutate = False
            if mu > 0.0:
                s = s + g
                mutate = _uniform(s) < mu
            if mutate:
                # The updating organization (uniform) switches to a uniform other strategy.
                s = s + g
                loser = _pick(c, _index(_uniform(s), z), -1)
                s = s + g
                shift = 1 + min(np.int64(_uniform(s) * (n - 1)), n - 2)
                winner = (loser + shift) % n
            elif rule == 0:
                s = s + g
                loser = _pick(c, _index(_uniform(s), z), -1)
                s = s + g
                model = _pick(c, _index(_uniform(s), z - 1), loser)
                s = s + g
                winner = loser
                if model != loser:
                    delta = _payoff(a, c, model, z) - _payoff(a, c, loser, z)
                    if _uniform(s) < 1.0 / (1.0 + np.exp(-(beta * delta))):
                        winner = model
            else:
                for j in range(n):
                    if c[j] > 0:
                        f = 1.0 - beta + beta * _payoff(a, c, j, z)
                        if f <= 0.0:
                            bad[i] = 1
                        w[j] = f
                    else:
                        w[j] = 0.0
                if bad[i] != 0:
                    break
                s = s + g
                u0 = _uniform(s)
                s = s + g
                u1 = _uniform(s)
                if rule == 1:
                    total = 0.0
                    for j in range(n):
                        w[j] = c[j] * w[j]
                        total += w[j]
                    winner = _pick_weighted(w, u0 * total)
                    loser = _pick(c, _index(u1, z), -1)
                else:
                    # Death-birth: the one that dies does not compete for its own place.
                    loser = _pick(c, _index(u0, z), -1)
                    total = 0.0
                    for j in range(n):
                        w[j] = (c[j] - (1 if j == loser else 0)) * w[j]
                        total += w[j]
                    winner = _pick_weighted(w, u1 * total)
            c[loser] -= 1
            c[winner] += 1
            step += 1
            if until and c[winner] == z:
                fixed = True
        if record_every > 0 and step % record_every == 0:
            history[step // record_every, i, :] = c
        if fixed:
            fixation_step[i] = step
            # Nothing changes after fixation (no mutation): its later records are these counts.
            for k in range(step // record_every + 1 if record_every > 0 else records, records):
                history[k, i, :] = c
            break
    counts[i, :] = c
    state[i] = s
