"""Compiled loops for the trust model's step (numba, the optional ``fast`` extra).

The trust model's step is many small numpy passes over the partnerships; the functions here fuse
them into one loop each: play (intended moves, the round's moves and perceptions, payoffs, the
credits to wealth, the machines and reputations; the parts' hooks run between these loops at
the numpy path's points), the three Beta-belief updates of
:class:`~allysim.abm.phases.LearnTrust`, :class:`~allysim.abm.phases.AdvanceStages`, the exit
tests of :class:`~allysim.abm.phases.Exit`, the Hofstede distance table's look-up and the
ledger's credits to organizations (:func:`_credit`). The other loops of the step live beside
this module: :mod:`allysim.abm._compiled_table` (the partnership table's ``add`` and ``remove``
and :meth:`~allysim.abm.TrustModel.credit_partners`), :mod:`allysim.abm._compiled_search`
(partner search, the network's draws, imitation), :mod:`allysim.abm._compiled_reporters` (the
reporters and the metrics' step sums), :mod:`allysim.abm._compiled_contracts` (governance,
specific investment and stakeholder pressure) and :mod:`allysim.abm._compiled_value` (value
creation and the metrics' records). They are the numpy path's twins and
give bit-identical results: the random numbers are still drawn by the model's numpy Generator,
in the same order (passed in, or drawn inside a loop from the Generator itself, which numba
draws from exactly as numpy does), and every floating-point operation happens in the same order
as in numpy (sums that numpy leaves to BLAS or to its pairwise summation stay in numpy), so a
model's results do not depend on whether numba is installed.

The loops over independent partnerships also have a parallel (``prange``) twin, used from
:data:`PARALLEL_MIN_ROWS` partnerships; each iteration writes only its own row, so results do
not depend on the number of threads either.

The compiled path is used when numba can be imported, unless the environment variable
``ALLYSIM_NUMBA`` is ``0`` (read at each call of :func:`use_numba`, so it can be switched
within a session).
numba is imported only when a compiled loop is first needed; the first call compiles them
(a few seconds, then cached on disk).
"""

from __future__ import annotations

import functools
import os
import types
from types import SimpleNamespace
from typing import Any

import numpy as np

from allysim.kernels._compiled import numba_available

__all__ = ["use_numba"]


def use_numba() -> bool:
    """Whether the trust model's step runs its compiled loops.

    True when numba is installed and the environment variable ``ALLYSIM_NUMBA`` is not ``0``.
    Both paths give bit-identical results; the compiled one is faster.

    Returns
    -------
    bool
        True: the compiled loops; False: the numpy path.

    Examples
    --------
    >>> import os
    >>> from allysim.abm._compiled import use_numba
    >>> os.environ["ALLYSIM_NUMBA"] = "0"
    >>> use_numba()
    False
    >>> del os.environ["ALLYSIM_NUMBA"]
    """
    data = getattr(os.environ, "_data", None)
    if data is None:  # pragma: no cover - an os.environ without CPython's mapping
        return _decide(os.environ.get(_SWITCH))
    # The step asks ~20 times: os.environ.get decodes the key and value at each call (~1.5
    # us); its raw mapping, looked up with the encoded key, holds the same value (every
    # os.environ write goes through it), and the answer per raw value is remembered.
    raw = data.get(_SWITCH_KEY)
    answer = _ANSWERS.get(raw)
    if answer is None:
        answer = _ANSWERS[raw] = _decide(None if raw is None else os.environ.decodevalue(raw))
    return answer


_SWITCH = "ALLYSIM_NUMBA"
_SWITCH_KEY = os.environ.encodekey(_SWITCH) if hasattr(os.environ, "encodekey") else _SWITCH
_ANSWERS: dict[Any, bool] = {}


def _decide(value: str | None) -> bool:
    """use_numba's answer for the variable's value (None: unset)."""
    return (value if value is not None else "1").strip() != "0" and numba_available()


# The serial loops' prange; the parallel twins built by :func:`kernels` get numba's.
prange = range

# The loops below are plain Python, compiled by :func:`kernels`. Each keeps the numpy path's
# operations and their order (x * 1.0 and x + 0.0 included), so the two agree to the bit; numba
# does not contract a * b + c into a fused multiply-add unless fastmath is on, and it is off.


def _select(m, x, y):  # pragma: no cover - compiled
    """``x`` where the mask ``m`` is -1 (all bits), ``y`` where it is 0: a select of doubles
    by their bits, exact."""
    bx = np.float64(x).view(np.int64)
    by = np.float64(y).view(np.int64)
    return np.int64((bx & m) | (by & ~m)).view(np.float64)


def _pick(c, x, y):  # pragma: no cover - compiled
    """``x if c else y`` for doubles, by :func:`_select` (LLVM makes it a select, not a branch,
    where ``x if c else y`` in a chain of choices on one coin flip became branches)."""
    return _select(-np.int64(c), x, y)


def _learn(
    alpha,
    beta,
    streak,
    stage,
    pa,
    pb,
    capability,
    goodwill_weight,
    contributed,
    seen,
    draws,
    resolved,
    has_resolved,
    resolved_weight,
    institutional,
    absorb_streak,
    absorb_weight,
    forgetting,
    masks,
):  # pragma: no cover - compiled
    """LearnTrust.learn over rows ``[:len(seen)]``: contractual, competence, goodwill, streak.

    The choices on what was seen or done, coin flips, are selects by bit masks
    (:func:`_pick`, :func:`_select`; ``masks`` is ``[0, -1]``, int64): written as
    ``x if c else y`` they became branches, mispredicted about a third of the time (0.26 ms a
    step instead of 0.16). The values and their order are numpy's.
    """
    lam = forgetting
    for i in prange(seen.shape[0]):
        inst = stage[i] == institutional
        cap_b = capability[pb[i]]
        cap_a = capability[pa[i]]
        for s in range(2):
            sn = seen[i, s]
            mine = contributed[i, s]
            partner = contributed[i, 1 - s]
            absorbed = inst & (not sn) & (streak[i, s] >= absorb_streak)
            weight = _pick(absorbed, absorb_weight, 1.0)
            if has_resolved:
                weight = _pick(resolved[i, s], weight * resolved_weight, weight)
            a = alpha[i, s, 1] * lam
            b = beta[i, s, 1] * lam
            alpha[i, s, 1] = a + _pick(sn, weight, 0.0)
            beta[i, s, 1] = b + _pick(sn, 0.0, weight)
            cap = cap_b if s == 0 else cap_a
            delivered = partner & (draws[i, s] < cap)
            fade = _pick(sn, lam, 1.0)
            w = _pick(sn, 1.0, 0.0)
            a = alpha[i, s, 0] * fade
            b = beta[i, s, 0] * fade
            alpha[i, s, 0] = a + _pick(delivered, w, 0.0)
            beta[i, s, 0] = b + _pick(delivered, 0.0, w)
            observed = sn | mine
            credit = _pick(mine, goodwill_weight[i, s, 0], goodwill_weight[i, s, 1])
            fade = _pick(observed, lam, 1.0)
            # The credit is needed only where seen: with a mask LLVM can see, it loads it
            # behind a branch on the coin flip.
            w = _pick(observed, _select(masks[np.int64(sn)], credit, weight), 0.0)
            a = alpha[i, s, 2] * fade
            b = beta[i, s, 2] * fade
            alpha[i, s, 2] = a + _pick(sn, w, 0.0)
            beta[i, s, 2] = b + _pick(sn, 0.0, w)
            # streak + 1 if seen else 0
            streak[i, s] = (streak[i, s] + 1) * np.int64(sn)


def _trust_of(alpha, beta, e, kind):  # pragma: no cover - compiled
    """Trust ``alpha / (alpha + beta)`` of one kind, both sides of rows ``[:e]``: (e, 2)."""
    out = np.empty((e, 2))
    for i in prange(e):
        for s in range(2):
            a = alpha[i, s, kind]
            out[i, s] = a / (a + beta[i, s, kind])
    return out


def _advance(
    alpha,
    beta,
    stage,
    in_stage,
    age,
    last_betrayal,
    contributed,
    seen,
    resolved,
    has_resolved,
    threshold,
    min_steps,
    competence_floor,
    steps,
    absorb_window,
    top,
    promote,
):  # pragma: no cover - compiled
    """AdvanceStages.advance over rows ``[:len(seen)]``; ``promote`` (out) flags promotions.

    ``threshold`` and ``min_steps`` are per stage (``inf`` above the top); the trust minima
    are taken in the numpy path's order: min(min(contractual), min(goodwill)).
    """
    # The six divisions stay in this loop: a first pass computing all six trusts over the
    # flat beliefs does vectorize (62 us for 11,500 rows), but this loop without them still
    # took 70 us, against 123 us for both together (the divisions overlap the rest here).
    for i in prange(seen.shape[0]):
        age[i] += 1
        moved = in_stage[i] + 1
        c0 = alpha[i, 0, 0] / (alpha[i, 0, 0] + beta[i, 0, 0])
        c1 = alpha[i, 1, 0] / (alpha[i, 1, 0] + beta[i, 1, 0])
        k0 = alpha[i, 0, 1] / (alpha[i, 0, 1] + beta[i, 0, 1])
        k1 = alpha[i, 1, 1] / (alpha[i, 1, 1] + beta[i, 1, 1])
        g0 = alpha[i, 0, 2] / (alpha[i, 0, 2] + beta[i, 0, 2])
        g1 = alpha[i, 1, 2] / (alpha[i, 1, 2] + beta[i, 1, 2])
        weakest = min(min(k0, k1), min(g0, g1))
        competent = min(c0, c1) >= competence_floor
        b0 = contributed[i, 0] & (not seen[i, 0])
        b1 = contributed[i, 1] & (not seen[i, 1])
        if has_resolved:
            b0 = b0 & (not resolved[i, 0])
            b1 = b1 & (not resolved[i, 1])
        betrayed = b0 | b1
        st = stage[i]
        # threshold and min_steps have an entry for the top stage too (inf: never promoted).
        up = (st < top) & (weakest > threshold[st]) & (moved >= min_steps[st])
        up = up & (not betrayed) & competent
        recent = (steps - last_betrayal[i]) <= absorb_window
        down = betrayed & ((st < top) | recent) & (st > 0)
        last_betrayal[i] = steps if betrayed else last_betrayal[i]
        stage[i] = st + (1 if up else 0) - (1 if down else 0)
        in_stage[i] = 0 if (up | down) else moved
        promote[i] = up


def _credit(
    wealth, period_payoff, organizations, amount, stake, to_wealth, per_stake, few
):  # pragma: no cover - compiled
    """Ledger.credit: ``amount`` to wealth (unless utility only), per stake to period payoff.

    As there: added in place one by one (``np.add.at``) when ``few``, else summed first over
    all organizations (``np.bincount``) and the sums added everywhere.
    """
    n = wealth.shape[0]
    for which in range(2):
        if which == 0 and not to_wealth:
            continue
        target = wealth if which == 0 else period_payoff
        divide = which == 1 and per_stake
        total = target if few else np.zeros(n)
        for i in range(organizations.shape[0]):
            v = amount[i] / stake[i] if divide else amount[i]
            total[organizations[i]] += v
        if not few:
            for j in range(n):
                target[j] += total[j]


def _coop(machine, out, alpha, beta, e, trust_to_contribute):  # pragma: no cover - compiled
    """Play's intended cooperation: the machine's output, held back by low contractual trust."""
    coop = np.empty((e, 2))
    for i in prange(e):
        for s in range(2):
            want = out[machine[i, s]]
            if trust_to_contribute > 0:
                a = alpha[i, s, 1]
                r = a / (a + beta[i, s, 1]) / trust_to_contribute
                # np.minimum(1.0, r): NaN stays NaN.
                coop[i, s] = want * (1.0 if r >= 1.0 else r)
            else:
                coop[i, s] = want
    return coop


def _moves(
    machine, out, alpha, beta, e, trust_to_contribute, coop, eta, noise, rng
):  # pragma: no cover - compiled
    """play_round's moves and perceptions, its uniforms drawn here from ``rng`` in its order.

    ``coop`` (e, 2) is the chance to contribute, or empty: then it is :func:`_coop`'s, computed
    here. The moves' (2, e) uniforms are drawn side 0's row first, then side 1's; the
    misreadings' (2, e) likewise, only when some ``eta`` is positive. Returns contributed and
    seen (e, 2) bool and the number of chances outside [0, 1] (play_round would refuse them).
    """
    contributed = np.empty((e, 2), dtype=np.bool_)
    seen = np.empty((e, 2), dtype=np.bool_)
    given = coop.shape[0] > 0
    keep = 1 - 2 * noise
    noisy = noise != 0
    bad = 0
    # The divisions overlap the draws here: moved to a vectorized pass of their own (gather,
    # then divide) they cost 75 us where they add ~15 us to this loop (the draws, ~61 us for
    # 23,000 uniforms, are the floor).
    for s in range(2):
        for i in range(e):
            if given:
                p = coop[i, s]
            else:
                p = out[machine[i, s]]
                if trust_to_contribute > 0:
                    a = alpha[i, s, 1]
                    r = a / (a + beta[i, s, 1]) / trust_to_contribute
                    # np.minimum(1.0, r): NaN stays NaN.
                    p = p * (1.0 if r >= 1.0 else r)
            if not ((p >= 0.0) & (p <= 1.0)):
                bad += 1
            if noisy:
                p = p * keep + noise
            contributed[i, s] = rng.random() < p
    misreads = False
    for i in range(e):
        if eta[i] > 0:
            misreads = True
            break
    for s in range(2):
        for i in range(e):
            partner = contributed[i, 1 - s]
            if misreads:
                partner = partner ^ (rng.random() < eta[i])
            seen[i, s] = partner
    return contributed, seen, bad


def _payoffs(
    contributed,
    capability,
    pa,
    pb,
    benefit,
    cost,
    distance,
    synergy,
    friction,
    f1,
    f2,
    n_factors,
    dividend,
    stage,
    levels,
    stakes,
):  # pragma: no cover - compiled
    """partnership_payoff of both sides times the stake (``levels[stage]``, or ``stakes`` as
    given when it is not empty); returns pay (e, 2) and the stakes (e,).

    The dividend is ``synergy * (1 - friction * distance)`` times the parts' factors ``f1``
    then ``f2`` (the first ``n_factors`` of them), as phases._dividend; or ``dividend`` as given
    when ``n_factors`` is negative.
    """
    e = contributed.shape[0]
    pay = np.empty((e, 2))
    stake = np.empty(e)
    neg = -cost
    given_stakes = stakes.shape[0] > 0
    for i in prange(e):
        if n_factors < 0:
            d = dividend[i]
        else:
            d = synergy * (1 - friction * distance[i])
            if n_factors > 0:
                d = d * f1[i]
            if n_factors > 1:
                d = d * f2[i]
        st = stakes[i] if given_stakes else levels[stage[i]]
        stake[i] = st
        c0 = contributed[i, 0]
        c1 = contributed[i, 1]
        got_a = benefit * capability[pb[i]]
        got_b = benefit * capability[pa[i]]
        both_a = got_a - cost + d
        both_b = got_b - cost + d
        # partnership_payoff: both, only me (-cost), only the partner (received), neither (0).
        xa = both_a if c1 else neg
        ya = got_a if c1 else 0.0
        xb = both_b if c0 else neg
        yb = got_b if c0 else 0.0
        pay[i, 0] = (xa if c0 else ya) * st
        pay[i, 1] = (xb if c1 else yb) * st
    return pay, stake


def _gain_welfare(
    wealth, period_payoff, pa, pb, pay, stake, per_stake, enforcement, overhead, contributed
):  # pragma: no cover - compiled
    """Play's credits and tallies in one pass over the partnerships.

    Wealth takes each side's pay summed per organization (two bincounts, then their sum),
    period payoff the same sums, per unit stake when ``per_stake``. Returns each partnership's
    welfare ``(pay_a + pay_b) / 2 - (enforcement + overhead)`` (``enforcement`` empty: 0.0 as
    numpy's zeros; ``overhead`` empty: none added), and each organization's tallies for
    :func:`_after_play` (n, 6): rounds played and contributions made in columns 4 and 5 (whole
    numbers, exact in any order).
    """
    n = wealth.shape[0]
    e = pay.shape[0]
    # One record per organization (the two sides' pay sums, the same per unit stake, rounds,
    # contributions): each credit touches one cache line, not six arrays'.
    acc = np.zeros((n, 6))
    welfare = np.empty(e)
    charged = enforcement.shape[0] > 0
    extra = overhead.shape[0] > 0
    for i in range(e):
        a = pa[i]
        b = pb[i]
        pay_a = pay[i, 0]
        pay_b = pay[i, 1]
        acc[a, 0] += pay_a
        acc[b, 1] += pay_b
        if per_stake:
            acc[a, 2] += pay_a / stake[i]
            acc[b, 3] += pay_b / stake[i]
        acc[a, 4] += 1.0
        acc[b, 4] += 1.0
        acc[a, 5] += 1.0 if contributed[i, 0] else 0.0
        acc[b, 5] += 1.0 if contributed[i, 1] else 0.0
        cost = enforcement[i] if charged else 0.0
        if extra:
            cost = cost + overhead[i]
        welfare[i] = (pay_a + pay_b) / 2 - cost
    raw = 0 if per_stake else 2
    for j in range(n):
        wealth[j] += acc[j, 0] + acc[j, 1]
        period_payoff[j] += acc[j, 2 - raw] + acc[j, 3 - raw]
    return welfare, acc


def _after_play(machine, nxt, contributed, seen, rep, tallies, w):  # pragma: no cover
    """The machines move on what each side did and saw; reputations take the round (the
    exponentially weighted contribution rate of each organization that played, from
    :func:`_gain_welfare`'s tallies: rounds in column 4, contributions in column 5)."""
    e = contributed.shape[0]
    for i in range(e):
        for s in range(2):
            c = contributed[i, s]
            machine[i, s] = nxt[machine[i, s], 0 if c else 1, 0 if seen[i, s] else 1]
    for j in range(rep.shape[0]):
        rounds = tallies[j, 4]
        if rounds > 0:
            rep[j] = (1 - w) * rep[j] + w * (tallies[j, 5] / rounds)


def _leaving(alpha, beta, threshold):  # pragma: no cover - compiled
    """Exit with the parts on: ``leaving`` (e, 2), each side's contractual trust below its
    ``threshold``, and ``exit_now`` (e,), either side leaving."""
    e = threshold.shape[0]
    leaving = np.empty((e, 2), dtype=np.bool_)
    exit_now = np.empty(e, dtype=np.bool_)
    for i in range(e):
        low0 = alpha[i, 0, 1] / (alpha[i, 0, 1] + beta[i, 0, 1]) < threshold[i, 0]
        low1 = alpha[i, 1, 1] / (alpha[i, 1, 1] + beta[i, 1, 1]) < threshold[i, 1]
        leaving[i, 0] = low0
        leaving[i, 1] = low1
        exit_now[i] = low0 | low1
    return leaving, exit_now


def _low_trust(alpha, beta, e, threshold):  # pragma: no cover - compiled
    """Exit without parts: the smaller contractual trust (np.minimum's: NaN wins) is below
    ``threshold``, per partnership of rows ``[:e]``."""
    out = np.empty(e, dtype=np.bool_)
    for i in range(e):
        c0 = alpha[i, 0, 1] / (alpha[i, 0, 1] + beta[i, 0, 1])
        c1 = alpha[i, 1, 1] / (alpha[i, 1, 1] + beta[i, 1, 1])
        lo = c0 if (c0 <= c1) | (c0 != c0) else c1
        out[i] = lo < threshold
    return out


def _gone(exit_now, draws, continuation):  # pragma: no cover - compiled
    """The partnerships that end (on low trust, or ``draws >= continuation``) and how many
    ended on low trust."""
    e = exit_now.shape[0]
    gone = np.empty(e, dtype=np.bool_)
    failed = 0
    for i in range(e):
        x = exit_now[i]
        failed += 1 if x else 0
        gone[i] = x | (draws[i] >= continuation)
    return gone, failed


def _mean_abs_distance(culture, a, b):  # pragma: no cover - compiled
    """``np.abs(culture[a] - culture[b]).mean(axis=1)`` without the (k, d) temporaries: a
    left-to-right sum, then one division, which is numpy's order for fewer than 8 columns
    (the caller keeps numpy for more, where numpy's reduction unrolls)."""
    k = a.shape[0]
    d = culture.shape[1]
    out = np.empty(k)
    for i in range(k):
        s = 0.0
        for j in range(d):
            s += abs(culture[a[i], j] - culture[b[i], j])
        out[i] = s / d
    return out


def _pair_lookup(table, group, a, b):  # pragma: no cover - compiled
    """``table[group[a], group[b]]`` without the index temporaries (the country-by-country
    distance table of the Hofstede culture); ``ok`` False when an index is outside
    ``[0, len(group))`` (the caller leaves those to numpy)."""
    k = a.shape[0]
    n = group.shape[0]
    out = np.empty(k)
    for i in range(k):
        x = a[i]
        y = b[i]
        if x < 0 or x >= n or y < 0 or y >= n:
            return out, False
        out[i] = table[group[x], group[y]]
    return out, True


_select_py, _pick_py = _select, _pick

#: Partnerships from which the loops over independent rows run on several threads: below it
#: (about 10,000 organizations) starting the threads costs more than the loop.
PARALLEL_MIN_ROWS = 50_000


@functools.cache
def kernels() -> SimpleNamespace:
    """The compiled loops (numba imported and the functions compiled on first use).

    The loops over partnerships whose rows are independent (learn, coop, payoffs, advance,
    trust_of) have a ``prange`` twin used from :data:`PARALLEL_MIN_ROWS` rows: each
    iteration writes only its own row, so results do not depend on the number of threads.
    The twins run under the kernels' lock, as numba's fork-safe workqueue threading layer
    (set where :mod:`allysim.kernels._compiled_numba` is imported) must not be entered by two
    Python threads at once.
    """
    import numba  # type: ignore[import-untyped]

    from allysim.kernels import _compiled_numba  # noqa: F401  (the threading layer)

    # numpy's error model: a division by zero gives inf or NaN as numpy's does (not an
    # exception), and the unchecked divisions let loops vectorize.
    jit = numba.njit(cache=True, nogil=True, error_model="numpy")
    parallel = numba.njit(cache=True, nogil=True, parallel=True, error_model="numpy")

    # The helper first: the loops call it as a compiled function (inlined into each).
    helper = numba.njit(cache=True, nogil=True, inline="always")
    globals()["_select"] = helper(_select_py)
    globals()["_pick"] = helper(_pick_py)

    def either(fn: Any, rows_at: int) -> Any:
        return _Either(jit(fn), parallel(_prange_twin(fn, numba.prange)), rows_at)

    return SimpleNamespace(
        learn=either(_learn, 9),
        trust_of=either(_trust_of, 2),
        advance=either(_advance, 7),
        credit=jit(_credit),
        coop=either(_coop, 4),
        moves=jit(_moves),
        payoffs=either(_payoffs, 0),
        gain_welfare=jit(_gain_welfare),
        leaving=jit(_leaving),
        low_trust=jit(_low_trust),
        gone=jit(_gone),
        after_play=jit(_after_play),
        mean_abs_distance=jit(_mean_abs_distance),
        pair_lookup=jit(_pair_lookup),
    )


def compile_loops(
    scope: dict[str, Any], loops: tuple[str, ...], helpers: tuple[str, ...] = ()
) -> SimpleNamespace:
    """numba-compile a module's loops, as every trust-model loop module does in ``kernels()``.

    Parameters
    ----------
    scope : dict
        The module's globals, where the loops (plain Python functions) are defined.
    loops : tuple of str
        Names of the loops to compile; the namespace names each without its leading underscore.
    helpers : tuple of str, default ()
        Functions the loops call: compiled first and put back in ``scope`` under their names,
        so that the loops call the compiled ones.

    Returns
    -------
    types.SimpleNamespace
        One dispatcher per loop. Each uses numpy's error model (a division by zero gives inf or
        NaN as numpy's does, and needs no check, so loops can vectorize), releases the GIL and
        is cached on disk.

    Examples
    --------
    >>> from allysim.abm import _compiled_table
    >>> if use_numba():
    ...     loops = compile_loops(vars(_compiled_table), ("_credit_rows",))
    ...     assert callable(loops.credit_rows)
    """
    import numba  # type: ignore[import-untyped]

    jit = numba.njit(cache=True, nogil=True, error_model="numpy")
    for name in helpers:
        scope[name] = jit(scope[name])
    return SimpleNamespace(**{name.lstrip("_"): jit(scope[name]) for name in loops})


def _prange_twin(fn: Any, prange_: Any) -> Any:
    """A copy of ``fn`` whose ``prange`` is numba's (under its own name: numba caches compiled
    code by function name, and the serial and parallel versions must not share an entry)."""
    scope = dict(fn.__globals__)
    scope["prange"] = prange_
    twin = types.FunctionType(fn.__code__, scope, fn.__name__ + "_parallel")
    twin.__qualname__ = fn.__qualname__ + "_parallel"
    return twin


class _Either:
    """A serial loop and its parallel twin; the twin from :data:`PARALLEL_MIN_ROWS` rows (the
    row count is argument ``rows_at``: an int, or an array's length)."""

    def __init__(self, serial: Any, parallel: Any, rows_at: int) -> None:
        self.serial, self.parallel, self.rows_at = serial, parallel, rows_at

    def __call__(self, *args: Any) -> Any:
        rows = args[self.rows_at]
        rows = rows.shape[0] if isinstance(rows, np.ndarray) else int(rows)
        if rows < PARALLEL_MIN_ROWS:
            return self.serial(*args)
        from allysim.kernels._compiled import LOCK

        with LOCK:
            return self.parallel(*args)
