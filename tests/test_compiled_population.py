"""The compiled ``simulate_population`` (backend="numba") against exact results and numpy.

The compiled loop draws from its own stream (one SplitMix64 stream per population), so it is
checked for bit reproducibility (same seed, 1 or 2 threads, any split into calls) and for
agreement in distribution: fixation frequencies against the exact fixation probability for
each rule, the mutation-selection balance against the exact stationary distribution, and
two-sample comparisons with the numpy path. Without numba the compiled tests skip and the
fallback and its error are tested.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allysim.evolution import fixation_probability, simulate_population, stationary_distribution
from allysim.evolution import population as population_module
from allysim.kernels import _compiled, numba_available

needs_numba = pytest.mark.skipif(not numba_available(), reason="numba not installed")
A = np.array([[3.0, 0.0], [5.0, 1.0]])
RULES = ["fermi", "moran", "moran_db", "wright_fisher"]
# Three strategies with an interior mix: payoffs all positive (Moran fitness stays > 0).
B = np.array([[2.0, 1.0, 3.0], [3.0, 1.5, 1.0], [1.0, 2.5, 2.0]])


@pytest.fixture
def threads():
    """Set numba's thread count for one test and restore it afterwards."""
    import numba

    before = numba.get_num_threads()
    yield numba.set_num_threads
    numba.set_num_threads(before)


def _assert_same(x, y):
    np.testing.assert_array_equal(x.counts, y.counts)
    np.testing.assert_array_equal(x.fixation_step, y.fixation_step)
    assert x.steps == y.steps
    if x.history is None:
        assert y.history is None
    else:
        np.testing.assert_array_equal(x.history, y.history)


def test_backend_is_checked():
    with pytest.raises(ValueError, match="backend must be one of 'auto', 'numpy', 'numba'"):
        simulate_population(A, [5, 5], steps=3, selection=1.0, seed=1, backend="gpu")
    with pytest.raises(ValueError, match="backend must be one of"):
        simulate_population(A, [5, 5], steps=3, selection=1.0, seed=1, backend=None)


def test_without_numba_auto_is_numpy_and_numba_is_refused(monkeypatch):
    # 20,000 updates, made "large" by lowering the threshold (5e6 updates: work / 100).
    monkeypatch.setattr(_compiled, "AUTO_MIN_PAIRS", 100)
    kw = dict(steps=200, selection=1.0, mutation=0.01, replicates=100, seed=3)
    ref = simulate_population(A, [9, 1], backend="numpy", **kw)
    monkeypatch.setattr(_compiled, "_load", lambda: None)
    assert not numba_available()
    _assert_same(simulate_population(A, [9, 1], backend="auto", **kw), ref)
    with pytest.raises(ValueError, match=r"allysim\[fast\]"):
        simulate_population(A, [9, 1], steps=5, selection=1.0, seed=1, backend="numba")


def test_auto_small_run_is_the_numpy_path():
    # 20,000 updates, below "auto"'s 5e6: bit-identical to the numpy path.
    kw = dict(steps=20, selection=1.0, mutation=0.05, replicates=1000, seed=4)
    ref = simulate_population(A, [9, 1], backend="numpy", **kw)
    _assert_same(simulate_population(A, [9, 1], backend="auto", **kw), ref)


@needs_numba
def test_auto_large_run_is_the_compiled_path():
    kw = dict(steps=5000, selection=1.0, mutation=0.01, replicates=1000, seed=5)
    got = simulate_population(A, [9, 1], backend="auto", **kw)
    _assert_same(got, simulate_population(A, [9, 1], backend="numba", **kw))


@needs_numba
@pytest.mark.parametrize("rule", RULES)
def test_compiled_is_reproducible_thread_and_split_independent(rule, threads, monkeypatch):
    beta = 1.0 if rule == "fermi" else 0.3
    kw = dict(steps=300, selection=beta, replicates=37, rule=rule, record_every=7)
    with_mu = dict(kw, mutation=0.1, seed=11)
    until = dict(kw, until_fixation=True, seed=12)
    for args in (with_mu, until):
        threads(1)
        one = simulate_population(B, [4, 3, 3], backend="numba", **args)
        threads(2)
        two = simulate_population(B, [4, 3, 3], backend="numba", **args)
        _assert_same(one, two)
        # Calls of 5 updates each (the progress bar's unit) instead of one call.
        monkeypatch.setattr(population_module, "_CALL_UPDATES", 5)
        split = simulate_population(B, [4, 3, 3], backend="numba", **args)
        monkeypatch.undo()
        _assert_same(one, split)
    other = simulate_population(B, [4, 3, 3], backend="numba", **dict(with_mu, seed=13))
    first = simulate_population(B, [4, 3, 3], backend="numba", **with_mu)
    assert not np.array_equal(first.history, other.history)


@needs_numba
@pytest.mark.parametrize("rule", RULES)
def test_fixation_frequency_matches_the_exact_probability(rule):
    # Strong selection in a small population keeps the rules apart: exact 0.924 (fermi),
    # 0.514 (moran), 0.443 (moran_db), 0.757 (wright_fisher), 7 to 9 standard errors apart.
    z, reps, a = 6, 4000, A + 0.5
    res = simulate_population(
        a,
        [z - 1, 1],
        steps=100_000,
        selection=1.0,
        replicates=reps,
        rule=rule,
        until_fixation=True,
        seed=21,
        backend="numba",
    )
    assert (res.fixation_step > 0).all() and res.steps == res.fixation_step.max()
    exact = fixation_probability(a, 1, 0, population=z, selection=1.0, rule=rule)
    se = np.sqrt(exact * (1 - exact) / reps)
    assert abs(res.fixed(1).mean() - exact) < 4 * se, (res.fixed(1).mean(), exact, se)


@needs_numba
@pytest.mark.parametrize("rule", ["fermi", "moran"])
def test_mutation_selection_balance_matches_the_stationary_distribution(rule):
    # Independent populations sampled after a burn-in far beyond the chain's mixing time
    # (mutation 0.05 in a population of 8: a mutant every 20 updates).
    z, reps, mu = 8, 3000, 0.05
    beta = 1.0 if rule == "fermi" else 0.3
    res = simulate_population(
        B, [z, 0, 0], steps=4000, selection=beta, mutation=mu, replicates=reps, rule=rule,
        seed=31, backend="numba",
    )  # fmt: skip
    exact = stationary_distribution(B, population=z, selection=beta, mutation=mu, rule=rule)
    share = res.counts / z
    se = share.std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.all(np.abs(share.mean(axis=0) - exact.shares) < 4 * se), (
        share.mean(axis=0),
        exact.shares,
    )
    # The whole distribution over the 45 compositions, state by state.
    seen = (res.counts[:, None, :] == exact.states[None, :, :]).all(axis=2).mean(axis=0)
    p = exact.probabilities
    assert np.all(np.abs(seen - p) < 4 * np.sqrt(p * (1 - p) / reps) + 1e-3)


@needs_numba
@pytest.mark.parametrize("rule", ["moran_db", "wright_fisher"])
def test_compiled_agrees_with_numpy_in_distribution(rule):
    # Two-sample z-scores of the mean share of each strategy after a fixed number of steps.
    kw = dict(steps=60, selection=0.4, mutation=0.02, replicates=3000, rule=rule)
    ref = simulate_population(B, [10, 5, 5], seed=41, backend="numpy", **kw).counts / 20
    got = simulate_population(B, [10, 5, 5], seed=42, backend="numba", **kw).counts / 20
    se = np.sqrt(ref.var(axis=0, ddof=1) / len(ref) + got.var(axis=0, ddof=1) / len(got))
    z = np.abs(ref.mean(axis=0) - got.mean(axis=0)) / se
    assert np.all(z < 4), z


@needs_numba
def test_history_after_fixation_and_monomorphic_start_match_numpy():
    # A monomorphic start is deterministic: both paths fix at step 1 and stop there.
    for rule in RULES:
        kw = dict(steps=50, selection=0.5, replicates=3, rule=rule, until_fixation=True)
        ref = simulate_population(A, [0, 6], seed=1, record_every=1, backend="numpy", **kw)
        got = simulate_population(A, [0, 6], seed=1, record_every=1, backend="numba", **kw)
        _assert_same(ref, got)
    res = simulate_population(
        A, [5, 5], steps=10_000, selection=1.0, replicates=50, until_fixation=True,
        record_every=3, seed=7, backend="numba",
    )  # fmt: skip
    h = res.history
    assert h.shape == (1 + res.steps // 3, 50, 2)
    assert (h[0] == [5, 5]).all()
    for i, f in enumerate(res.fixation_step):
        assert (res.counts[i] == 10).any()
        after = np.arange(len(h)) * 3 >= f
        assert (h[after, i] == res.counts[i]).all()
        assert not (h[~after, i] == 10).any(axis=1).any()


@needs_numba
def test_non_positive_fitness_is_refused():
    bad = np.array([[-3.0, 0.0], [0.0, 1.0]])
    for rule in ("moran", "moran_db", "wright_fisher"):
        with pytest.raises(ValueError, match="positive fitness"):
            simulate_population(bad, [8, 2], steps=50, selection=1.0, rule=rule, seed=1,
                                backend="numba")  # fmt: skip


@needs_numba
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 4),
    z=st.integers(2, 30),
    rule=st.sampled_from(RULES),
    mutation=st.sampled_from([0.0, 0.1, 1.0]),
    selection=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_compiled_keeps_the_population(seed, n, z, rule, mutation, selection):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.1, 5.0, (n, n))
    init = rng.multinomial(z, np.full(n, 1 / n))
    until = mutation == 0.0
    if n < 2 and mutation > 0:
        mutation = 0.0
    res = simulate_population(
        a, init, steps=40, selection=selection, mutation=mutation, replicates=5, rule=rule,
        until_fixation=until, record_every=4, seed=seed, backend="numba",
    )  # fmt: skip
    assert (res.counts >= 0).all() and (res.counts.sum(axis=1) == z).all()
    assert (res.history >= 0).all() and (res.history.sum(axis=2) == z).all()
    assert res.history.shape == (1 + res.steps // 4, 5, n)
    fixed = res.fixation_step >= 0
    assert (res.counts[fixed] == z).any(axis=1).all()
    if until and fixed.all():
        assert res.steps == res.fixation_step.max()


@needs_numba
def test_progress_bar_does_not_change_the_result(capsys):
    kw = dict(steps=500, selection=1.0, mutation=0.05, replicates=8, seed=9, backend="numba")
    quiet = simulate_population(A, [5, 5], **kw)
    shown = simulate_population(A, [5, 5], progress=True, **kw)
    _assert_same(quiet, shown)
    assert "population updates" in capsys.readouterr().err


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_payoffs_that_overflow_are_refused_naming_payoff_matrix(rule, backend):
    # Finite entries near 1.8e308: the payoffs against the Z - 1 others overflowed to inf, and
    # the Fermi rule froze (inf - inf = NaN never adopts: 0 of 200 fixed, where the exact
    # fixation probability is 1), Moran fixed the invader always (exact 0.41), Wright-Fisher
    # failed inside numpy's multinomial. Now refused upfront.
    huge = np.array([[1e308, 1e308], [1.7e308, 1.7e308]])
    with pytest.raises(ValueError, match="payoff_matrix entries times the population overflow"):
        simulate_population(
            huge, [9, 1], steps=100, selection=1.0, rule=rule, seed=1, backend=backend
        )
    # Entries just below the bound are simulated: with w = 1 only fitness ratios matter, and
    # scaling by a power of two is exact, so the Moran rules repeat the small matrix's run.
    ok = huge * 2.0**-8
    small = huge * 2.0**-1022
    if rule in ("moran", "moran_db"):
        got = simulate_population(
            ok, [9, 1], steps=50, selection=1.0, rule=rule, seed=1, replicates=20, backend=backend
        )
        want = simulate_population(
            small,
            [9, 1],
            steps=50,
            selection=1.0,
            rule=rule,
            seed=1,
            replicates=20,
            backend=backend,
        )
        assert np.array_equal(got.counts, want.counts)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_a_population_that_starts_monomorphic_fixed_at_step_zero(rule, backend):
    # It became monomorphic at step 0: no update is run (before: fixation_step 1 after one
    # update, and -1, "did not fix", with steps=0).
    for steps in (0, 40):
        res = simulate_population(
            B,
            [0, 6, 0],
            steps=steps,
            selection=0.5,
            rule=rule,
            replicates=3,
            until_fixation=True,
            record_every=4,
            seed=2,
            backend=backend,
        )
        assert res.fixation_step.tolist() == [0, 0, 0] and res.steps == 0
        assert res.counts.tolist() == [[0, 6, 0]] * 3
        assert res.history.tolist() == [[[0, 6, 0]] * 3]
    # Without until_fixation nothing is recorded, as documented: a run that fixes keeps -1.
    res = simulate_population(
        A, [1, 9], steps=5000, selection=0.5, rule=rule, replicates=4, seed=2, backend=backend
    )
    assert (res.counts.max(axis=1) == 10).all() and (res.fixation_step == -1).all()
