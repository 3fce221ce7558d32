"""Well-mixed dynamics: Moran death-birth, Wright-Fisher, replicator-mutator."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import brentq

from allysim.evolution import (
    fixation_matrix,
    fixation_probability,
    log_fixation_probability,
    replicator_dynamics,
    replicator_mutator,
    simulate_population,
)

PD = np.array([[3.0, 0.0], [5.0, 1.0]])


def _constant_fitness(r: float, w: float) -> np.ndarray:
    """Payoffs whose fitness 1 - w + w * payoff is r for strategy 0 and 1 for strategy 1."""
    p = (r - 1 + w) / w
    return np.array([[p, p], [1.0, 1.0]])


@given(r=st.floats(0.5, 3.0), z=st.integers(2, 60))
def test_birth_death_constant_fitness_closed_form(r, z):
    assume(abs(r - 1) > 1e-3)  # the closed form loses digits at r = 1 (neutral: 1/Z below)
    rho = fixation_probability(
        _constant_fitness(r, 0.5), 0, 1, population=z, selection=0.5, rule="moran"
    )
    expected = (1 - 1 / r) / (1 - r**-z)
    assert rho == pytest.approx(expected, rel=1e-9)


@given(r=st.floats(0.5, 3.0), z=st.integers(2, 60))
def test_death_birth_constant_fitness_closed_form(r, z):
    assume(abs(r - 1) > 1e-3)
    # Kaveh, Komarova & Kohandel (2015): on the complete graph, death-birth gives
    # rho = (Z - 1) / Z * (1 - 1/r) / (1 - r^-(Z - 1)).
    rho = fixation_probability(
        _constant_fitness(r, 0.5), 0, 1, population=z, selection=0.5, rule="moran_db"
    )
    expected = (z - 1) / z * (1 - 1 / r) / (1 - r ** -(z - 1))
    assert rho == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("z", [2, 3, 10, 40])
def test_death_birth_near_the_float_limit_is_scale_invariant(z):
    # With w = 1 fitness is the payoff and only fitness ratios matter, so payoffs near 1.8e308
    # give the answer of small ones (the competitors' pools k f + (Z - k - 1) f' overflowed to
    # inf and inf - inf gave NaN before).
    small = PD + 1.0
    huge = small * 2.5e307
    kw = {"population": z, "selection": 1.0, "rule": "moran_db"}
    for i, j in ((0, 1), (1, 0)):
        want = fixation_probability(small, i, j, **kw)
        assert fixation_probability(huge, i, j, **kw) == pytest.approx(want, rel=1e-12)
        log_want = log_fixation_probability(small, i, j, **kw)
        log_got = log_fixation_probability(huge, i, j, **kw)
        assert log_got == pytest.approx(log_want, rel=1e-12)
    np.testing.assert_allclose(
        fixation_matrix(huge, **kw), fixation_matrix(small, **kw), rtol=1e-12
    )
    # Constant fitness ratio 1.7 at the float limit: Kaveh, Komarova & Kohandel's closed form.
    const = np.array([[1.7e308, 1.7e308], [1e308, 1e308]])
    r = 1.7
    expected = (z - 1) / z * (1 - 1 / r) / (1 - r ** -(z - 1))
    assert fixation_probability(const, 0, 1, **kw) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("rule", ["moran", "moran_db", "wright_fisher", "fermi"])
def test_neutral_fixation_is_exactly_one_over_z(rule):
    assert fixation_probability(PD, 0, 1, population=37, selection=0.0, rule=rule) == 1 / 37


def test_wright_fisher_weak_selection_matches_kimura():
    # Kimura (1962): rho = (1 - exp(-2 s)) / (1 - exp(-2 Z s)) for a small advantage s.
    for s, z in ((0.01, 100), (0.005, 200), (-0.01, 100)):
        rho = fixation_probability(
            _constant_fitness(1 + s, 0.5), 0, 1, population=z, selection=0.5, rule="wright_fisher"
        )
        kimura = (1 - math.exp(-2 * s)) / (1 - math.exp(-2 * z * s))
        assert rho == pytest.approx(kimura, rel=0.01)


def test_wright_fisher_strong_selection_tends_to_branching_survival():
    # Haldane (1927): in a large population a mutant of fitness r survives with the
    # probability x solving x = 1 - exp(-r x) (Poisson offspring): 0.7968 for r = 2.
    x = brentq(lambda v: v - 1 + math.exp(-2 * v), 0.1, 1.0)
    rho = fixation_probability(
        _constant_fitness(2.0, 0.5), 0, 1, population=300, selection=0.5, rule="wright_fisher"
    )
    assert rho == pytest.approx(x, abs=0.003)


@pytest.mark.parametrize("rule", ["moran_db", "wright_fisher"])
def test_matrix_and_log_agree_with_the_pairwise_function(rule):
    a = np.array([[3.0, 0.5, 2.0], [4.0, 1.0, 0.0], [2.5, 1.5, 2.0]])
    m = fixation_matrix(a, population=15, selection=0.2, rule=rule)
    lg = fixation_matrix(a, population=15, selection=0.2, rule=rule, log=True)
    for i in range(3):
        for j in range(3):
            if i == j:
                assert m[i, j] == 1 / 15
                continue
            p = fixation_probability(a, i, j, population=15, selection=0.2, rule=rule)
            assert m[i, j] == pytest.approx(p, rel=1e-12)
            assert lg[i, j] == pytest.approx(math.log(p), rel=1e-12)
            assert log_fixation_probability(
                a, i, j, population=15, selection=0.2, rule=rule
            ) == pytest.approx(math.log(p), rel=1e-12)


@pytest.mark.parametrize(("rule", "w"), [("moran_db", 0.3), ("wright_fisher", 0.1)])
def test_simulation_matches_exact_fixation(rule, w):
    z, reps = 12, 3000
    res = simulate_population(
        PD,
        [1, z - 1],
        steps=100_000,
        selection=w,
        replicates=reps,
        rule=rule,
        until_fixation=True,
        seed=5,
    )
    exact = fixation_probability(PD, 0, 1, population=z, selection=w, rule=rule)
    assert (res.fixation_step > 0).all()
    assert abs(res.fixed(0).mean() - exact) < 4 * math.sqrt(exact * (1 - exact) / reps)


def test_wright_fisher_with_mutation_keeps_the_population_size():
    res = simulate_population(
        PD,
        [10, 10],
        steps=40,
        selection=0.05,
        mutation=0.1,
        replicates=6,
        rule="wright_fisher",
        record_every=1,
        seed=2,
    )
    assert res.history.shape == (41, 6, 2)
    assert (res.history.sum(axis=2) == 20).all()
    same = simulate_population(
        PD,
        [10, 10],
        steps=40,
        selection=0.05,
        mutation=0.1,
        replicates=6,
        rule="wright_fisher",
        record_every=1,
        seed=2,
    )
    assert np.array_equal(res.history, same.history)


def test_new_rules_check_selection_and_name():
    with pytest.raises(ValueError, match="selection must lie in \\[0, 1\\] for rule='moran_db'"):
        fixation_probability(PD, 0, 1, population=10, selection=2.0, rule="moran_db")
    with pytest.raises(ValueError, match="rule must be one of"):
        fixation_probability(PD, 0, 1, population=10, selection=0.1, rule="moran-db")
    with pytest.raises(ValueError, match="positive fitness"):
        fixation_probability(-PD, 0, 1, population=10, selection=1.0, rule="wright_fisher")


# ------------------------------------------------------------------ replicator-mutator


def test_identity_mutation_recovers_the_replicator():
    a = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]) + 2
    t = np.linspace(0, 20, 11)
    x0 = [0.5, 0.3, 0.2]
    rm = replicator_mutator(a, np.eye(3), x0, t)
    rd = replicator_dynamics(a, x0, t)
    assert np.allclose(rm, rd, atol=1e-7)


@given(a=st.floats(1.1, 5.0), mu=st.floats(0.001, 0.4))
def test_two_type_quasispecies_fixed_point(a, mu):
    # Constant fitness a and 1, symmetric mutation mu: the rest point x solves
    # (a - 1) x^2 - (a (1 - mu) - mu - 1) x - mu = 0 (Page & Nowak 2002 with A constant).
    big_a = np.array([[a, a], [1.0, 1.0]])
    q = np.array([[1 - mu, mu], [mu, 1 - mu]])
    x_end = replicator_mutator(big_a, q, [0.5, 0.5], [0.0, 400.0])[-1, 0]
    bq = -(a * (1 - mu) - mu - 1)
    root = (-bq + math.sqrt(bq * bq + 4 * (a - 1) * mu)) / (2 * (a - 1))
    assert x_end == pytest.approx(root, abs=1e-6)


def test_replicator_mutator_rejects_a_bad_mutation_matrix():
    with pytest.raises(ValueError, match="row-stochastic"):
        replicator_mutator(PD, [[0.5, 0.4], [0.1, 0.9]], [0.5, 0.5], [0, 1])
    with pytest.raises(ValueError, match="mutation_matrix"):
        replicator_mutator(PD, np.eye(3), [0.5, 0.5], [0, 1])


@pytest.mark.parametrize("rule", ["moran_db", "wright_fisher"])
def test_stationary_distribution_in_the_small_mutation_limit_takes_every_rule(rule):
    from allysim.evolution import fixation_matrix, stationary_distribution

    a = np.array([[3.0, 0.0, 3.0], [5.0, 1.0, 1.2], [3.0, 0.8, 3.0]])
    got = stationary_distribution(a, population=30, selection=0.2, rule=rule).shares
    # The embedded chain by hand: leave a monomorphic state for each other one with chance
    # rho / (n - 1), and take its stationary vector.
    t = fixation_matrix(a, population=30, selection=0.2, rule=rule).T / 2
    np.fill_diagonal(t, 0.0)
    np.fill_diagonal(t, 1.0 - t.sum(axis=1))
    w, v = np.linalg.eig(t.T)
    want = np.real(v[:, np.argmin(np.abs(w - 1))])
    np.testing.assert_allclose(got, want / want.sum(), rtol=1e-9)
    # Without selection every strategy is as likely.
    neutral = stationary_distribution(a, population=30, selection=0.0, rule=rule).shares
    np.testing.assert_allclose(neutral, 1 / 3, rtol=1e-12)
    with pytest.raises(ValueError, match="small-mutation limit"):
        stationary_distribution(a, population=30, selection=0.2, rule=rule, mutation=0.01)


@pytest.mark.parametrize("n", [48, 127, 129, 300])
def test_compiled_gth_elimination_is_numpys_to_the_bit(n, monkeypatch):
    # The compiled loop reproduces numpy's pairwise row sums and the update's order, so the
    # stationary law is the same bits with or without numba (and several times faster).
    pytest.importorskip("numba")
    from allysim.evolution import mutation_chain

    rng = np.random.default_rng(n)
    for skew in (1, 8, 30):
        t = rng.random((n, n)) ** skew
        t[rng.random((n, n)) < 0.5] = 0.0
        t += np.eye(n, k=1) + np.eye(n, k=1 - n)  # irreducible
        t /= t.sum(axis=1, keepdims=True)
        compiled = mutation_chain._gth(t)
        monkeypatch.setattr(mutation_chain, "GTH_COMPILED_FROM", 10**9)
        reference = mutation_chain._gth(t)
        monkeypatch.undo()
        np.testing.assert_array_equal(compiled, reference)


def test_compiled_gth_raises_what_numpy_raises_under_errstate():
    # The consortia's exact chains run the elimination under errstate(all="raise") and fall
    # back to logarithms on an underflow; the compiled loop must raise it too.
    pytest.importorskip("numba")
    from allysim.evolution import mutation_chain

    block = np.array([[1 - 1e-200, 1e-200, 0], [1e-200, 1 - 2e-200, 1e-200], [0, 1e-200, 1]])
    t = np.kron(np.eye(20), block) + 1e-300
    t /= t.sum(axis=1, keepdims=True)
    assert t.shape[0] >= mutation_chain.GTH_COMPILED_FROM
    with np.errstate(all="raise"), pytest.raises(FloatingPointError, match="underflow"):
        mutation_chain._gth(t)
    with np.errstate(under="ignore"):
        assert np.isfinite(mutation_chain._gth(t)).all()


def _numpy_gth(t, monkeypatch):
    from allysim.evolution import mutation_chain

    monkeypatch.setattr(mutation_chain, "GTH_COMPILED_FROM", 10**9)
    try:
        return mutation_chain._gth(t)
    finally:
        monkeypatch.undo()


def _outcome(f, t, **errstate):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(**errstate):
                value = f(t)
        except FloatingPointError as err:
            value = str(err).split(" encountered")[0]
    return value, sorted({str(w.message).split(" encountered")[0] for w in caught})


def test_compiled_gth_zero_pivot_and_error_states_are_numpys(monkeypatch):
    # A zero pivot (a row with no way out to the states left; or pivots underflowed to 0) made
    # numba raise ZeroDivisionError under every errstate, where numpy gives inf / NaN, warns by
    # default and raises FloatingPointError only where asked; and the compiled loop lumped the
    # events (divide="raise" raised on a 0 * inf) and counted exact subnormal results as
    # underflows (numpy does not flag them).
    pytest.importorskip("numba")
    from allysim.evolution import mutation_chain

    rng = np.random.default_rng(0)
    t = rng.random((60, 60))
    t /= t.sum(axis=1, keepdims=True)
    zero_row = t.copy()
    zero_row[5] = 0.0
    inf_entry = t.copy()
    inf_entry[3, 7] = np.inf
    nan_entry = t.copy()
    nan_entry[3, 7] = np.nan
    subnormal = t.copy()
    subnormal[10, 3], subnormal[20, 50] = 5e-324, 1e-310
    overflowing = rng.random((60, 60)) * 1e307  # row sums past the largest double
    states = [{}, {"all": "ignore"}, {"all": "raise"}, {"divide": "raise"}, {"invalid": "raise"}]
    states += [{"over": "raise", "divide": "ignore", "invalid": "ignore"}, {"under": "raise"}]
    for m in (zero_row, inf_entry, nan_entry, subnormal, overflowing):
        for state in states:
            got, got_warned = _outcome(mutation_chain._gth, m, **state)
            want, want_warned = _outcome(lambda x: _numpy_gth(x, monkeypatch), m, **state)
            assert got_warned == want_warned, state
            if isinstance(want, str):
                assert got == want, state
            else:
                np.testing.assert_array_equal(got, want)
    assert _outcome(mutation_chain._gth, zero_row)[1] == ["divide by zero", "invalid value"]


def test_compiled_pairwise_sum_is_numpys_sum_to_the_bit():
    pytest.importorskip("numba")
    from allysim.evolution._compiled_gth import _pairwise_sum

    rng = np.random.default_rng(7)
    for n in [*range(0, 300), 511, 1000, 1024, 2049, 5000]:
        a = rng.random(n) * 10.0 ** rng.uniform(-8, 8, n)
        assert _pairwise_sum(a, 0, n) == np.sum(a), n
        if n > 10:  # an offset row, as the elimination reads p[k, :k]
            assert _pairwise_sum(a, 3, n - 3) == np.sum(a[3:]), n


def test_compiled_gth_flags_a_quotient_that_underflows_to_zero():
    # A subnormal entry over a large pivot rounds to exactly 0: numpy flags the underflow (and
    # raises under errstate), so the compiled loop's unchecked pass must not take 0 for "no
    # event" (it did: only non-zero quotients were screened).
    pytest.importorskip("numba")
    from allysim.evolution import mutation_chain

    t = np.random.default_rng(3).random((60, 60)) * 1e10
    t[5, 59] = 1e-320
    with np.errstate(under="raise"), pytest.raises(FloatingPointError, match="underflow"):
        mutation_chain._gth(t)
    with np.errstate(under="ignore"):
        compiled = mutation_chain._gth(t)
    assert np.isfinite(compiled).all()


def _numpy_elimination_events(t):
    """The events numpy's elimination loop flags (errstate "call"), in numpy's order."""
    p = np.array(t, dtype=float)
    seen = [0]
    old = np.seterrcall(lambda _msg, flag: seen.__setitem__(0, seen[0] | flag))
    try:
        with np.errstate(all="call"):
            for k in range(p.shape[0] - 1, 0, -1):
                col = p[:k, k] / p[k, :k].sum()
                p[:k, :k] += col[:, None] * p[k, :k][None, :]
                p[:k, k] = col
    finally:
        np.seterrcall(old)
    return tuple(bool(seen[0] & bit) for bit in (1, 2, 4, 8))


def test_compiled_gth_flags_what_numpy_flags_at_the_edges():
    # x86 detects tininess after rounding: a product or quotient that rounds up to the least
    # normal double still underflows, and one whose subnormal rounding coincides with its
    # 53-bit rounding is still inexact (comparing the two roundings missed both, in the
    # unchecked pass and the checked loop). inf / 0 is exact (no divide by zero); an overflow
    # inside a row sum that an inf or NaN elsewhere then absorbs is still flagged by numpy.
    pytest.importorskip("numba")
    from allysim.evolution._compiled_gth import gth_eliminate

    n, k = 48, 47
    base = np.full((n, n), 1.0 / n)
    base[k, :], base[:, k], base[k, k] = 0.0, 0.0, 1.0
    cases = []
    for row, entry in [
        ((2.0**-522, 1.0), (1 - 2**-53) * 2.0**-500),  # product rounds up to the least normal
        ((2.0**-523 * (1 - 2**-40), 1.0), 2.0**-500 * (1 + 2**-40)),  # double rounding agrees
        ((1 + 2**-40,), 2.0**-1023),  # a quotient's double rounding agrees
    ]:
        t = base.copy()
        t[k, : len(row)] = row
        t[0, k] = entry
        cases.append(t)
    t = base.copy()
    t[0, k] = np.inf  # inf / 0
    cases.append(t)
    for row in ([1e308, 1e308, np.inf], [1e308, 1e308, np.nan], [1e308, 1e308, -np.inf]):
        t = np.full((50, 50), 0.02)
        t[3, :3] = row
        cases.append(t)
    for t in cases:
        want = _numpy_elimination_events(t)
        p = t.copy()
        got = tuple(bool(c) for c in gth_eliminate(p))
        assert got == want
    assert _numpy_elimination_events(cases[0]) == (False, False, True, False)
    assert _numpy_elimination_events(cases[3]) == (False, False, False, True)


@pytest.mark.parametrize(
    ("initial", "shown"),
    [([4.5, 5.5], "[4.5, 5.5]"), ([-1, 5], "[-1.0, 5.0]")],
)
def test_simulate_population_echoes_the_initial_counts_it_rejects(initial, shown):
    with pytest.raises(ValueError, match="initial must hold non-negative integer counts") as info:
        simulate_population(PD, initial, steps=10, selection=1.0, seed=1)
    assert str(info.value).endswith(f"got {shown}")
