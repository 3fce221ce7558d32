"""The numba-compiled kernels against the numpy reference (docs/performance.md).

Exact kernels: compiled = numpy to 1e-12 (the closed form runs the same arithmetic in the same
order). Monte Carlo: the compiled path has its own stream, so it is checked for bit
reproducibility (same seed, any thread count, any split into calls) and for agreement in
distribution with the exact kernel and with the numpy path. Without numba the compiled tests
skip and the fallback is tested.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import allysim as ally
from allysim.kernels import _compiled, expected_payoffs, numba_available, simulate

GAME = ally.PrisonersDilemma()
needs_numba = pytest.mark.skipif(not numba_available(), reason="numba not installed")


@pytest.fixture
def threads():
    """Set numba's thread count for one test and restore it afterwards."""
    import numba

    before = numba.get_num_threads()
    yield numba.set_num_threads
    numba.set_num_threads(before)


def _memory_one(seed: int, n: int, snap: bool) -> np.ndarray:
    """Random memory-one rows; ``snap`` rounds some to 0/1 (reducible chains, GTH fallback)."""
    p = np.random.default_rng(seed).random((n, 5))
    if snap:
        mask = np.random.default_rng(seed + 1).random((n, 5)) < 0.5
        p[mask] = np.round(p[mask])
    return p


def test_backend_is_checked():
    with pytest.raises(ValueError, match="backend must be one of 'auto', 'numpy', 'numba'"):
        expected_payoffs(ally.TFT, ally.ALLD, GAME, rounds=3, backend="gpu")
    with pytest.raises(ValueError, match="backend must be one of"):
        simulate(ally.TFT, ally.ALLD, GAME, rounds=3, seed=1, backend=None)


def test_without_numba_auto_is_numpy_and_numba_is_refused(monkeypatch):
    p = _memory_one(0, 250, snap=False)  # 62,500 pairs: above the "auto" threshold
    ref = expected_payoffs(p, p, GAME, continuation=0.9, noise=0.01, backend="numpy")
    monkeypatch.setattr(_compiled, "_load", lambda: None)
    assert not numba_available()
    got = expected_payoffs(p, p, GAME, continuation=0.9, noise=0.01, backend="auto")
    np.testing.assert_array_equal(got[0], ref[0])
    with pytest.raises(ValueError, match=r"allysim\[fast\]"):
        expected_payoffs(p, p, GAME, backend="numba")
    with pytest.raises(ValueError, match=r"allysim\[fast\]"):
        simulate(p, p, GAME, rounds=5, seed=1, backend="numba")


def test_auto_threshold():
    assert _compiled.compiled("auto", _compiled.AUTO_MIN_PAIRS - 1) is None
    assert _compiled.compiled("numpy", 1e12) is None
    if numba_available():
        assert _compiled.compiled("auto", _compiled.AUTO_MIN_PAIRS) is not None


@needs_numba
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(1, 9),
    m=st.integers(1, 40),
    snap=st.booleans(),
    noise=st.sampled_from([0.0, 1e-9, 0.01, 0.2]),
    eta=st.sampled_from([0.0, 1e-7, 0.05]),
    horizon=st.sampled_from(
        [
            ("rounds", 1),
            ("rounds", 7),
            ("rounds", 200),
            ("rounds", 10**6),
            ("continuation", 0.0),
            ("continuation", 0.9),
            ("continuation", 0.999),
            ("limit", None),
        ]
    ),
)
def test_exact_compiled_equals_numpy(seed, n, m, snap, noise, eta, horizon):
    x, y = _memory_one(seed, n, snap), _memory_one(seed + 7, m, snap)
    kind, value = horizon
    kw = {} if kind == "limit" else {kind: value}
    ref = ally.outcome_distribution(x, y, noise=noise, perception_noise=eta, backend="numpy", **kw)
    got = ally.outcome_distribution(x, y, noise=noise, perception_noise=eta, backend="numba", **kw)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


@needs_numba
def test_exact_closed_form_is_bit_identical_and_thread_independent(threads):
    p = _memory_one(3, 120, snap=True)
    for kw in ({}, {"continuation": 0.95}, {"rounds": 200}):
        ref = expected_payoffs(p, p, GAME, noise=0.02, backend="numpy", **kw)
        threads(1)
        one = expected_payoffs(p, p, GAME, noise=0.02, backend="numba", **kw)
        threads(2)
        two = expected_payoffs(p, p, GAME, noise=0.02, backend="numba", **kw)
        np.testing.assert_array_equal(one[0], two[0])
        np.testing.assert_array_equal(one[1], two[1])
        if "rounds" in kw:
            np.testing.assert_allclose(one[0], ref[0], rtol=0, atol=1e-12)
        else:
            # Same cofactors, same order of operations: the same bits.
            np.testing.assert_array_equal(one[0], ref[0])


@needs_numba
def test_exact_finite_state_falls_back_to_numpy():
    zoo = [ally.TFT, ally.GRIM, ally.TF2T, ally.WSLS]
    ref = expected_payoffs(zoo, zoo, GAME, rounds=50, noise=0.05, backend="numpy")
    got = expected_payoffs(zoo, zoo, GAME, rounds=50, noise=0.05, backend="numba")
    np.testing.assert_array_equal(got[0], ref[0])


@needs_numba
def test_simulate_compiled_deterministic_play_is_exact():
    # Probabilities 0 and 1 are exact integer thresholds: no randomness without noise.
    zoo = [ally.TFT, ally.ALLD, ally.ALLC, ally.GRIM, ally.WSLS, ally.TF2T]
    res = simulate(zoo, zoo, GAME, rounds=37, repetitions=3, seed=5, backend="numba")
    row, col = expected_payoffs(zoo, zoo, GAME, rounds=37, backend="numpy")
    np.testing.assert_allclose(res.row_payoffs, np.repeat(row[..., None], 3, -1), atol=1e-12)
    np.testing.assert_allclose(res.col_payoffs, np.repeat(col[..., None], 3, -1), atol=1e-12)


@needs_numba
def test_simulate_compiled_is_reproducible_and_thread_independent(threads):
    p = _memory_one(11, 30, snap=False)
    kw = {"rounds": 60, "noise": 0.05, "perception_noise": 0.03, "repetitions": 4}
    threads(1)
    one = simulate(p, p, GAME, seed=42, backend="numba", **kw)
    again = simulate(p, p, GAME, seed=np.random.SeedSequence(42), backend="numba", **kw)
    threads(2)
    two = simulate(p, p, GAME, seed=42, backend="numba", **kw)
    for a, b in ((one, again), (one, two)):
        np.testing.assert_array_equal(a.outcomes, b.outcomes)
    other = simulate(p, p, GAME, seed=43, backend="numba", **kw)
    assert not np.array_equal(one.outcomes, other.outcomes)


@needs_numba
def test_play_matches_does_not_depend_on_the_split_into_calls():
    from allysim.kernels import _compiled_numba as fast

    rng = np.random.default_rng(0)
    k, t = 1000, 40
    thr4 = np.repeat((rng.random(3) * 2**24).astype(np.int64), 4)
    next4 = 4 * rng.integers(0, 3, size=12).astype(np.int64)
    sx, sy = 4 * rng.integers(0, 3, size=(2, k)).astype(np.int64)
    lengths = rng.integers(1, t + 1, size=k).astype(np.int64)
    key = (np.uint64(123), np.uint64(456))

    def run(splits):
        tally = np.zeros((k, 4), np.int64)
        h = np.zeros((t, 2, k), bool)
        for lo, hi in itertools.pairwise(splits):
            fast.play_matches(thr4, next4, sx, sy, lengths, 0.1, *key, lo, hi - lo, tally, h)
        return tally, h

    whole = run([0, k])
    parts = run([0, 5, 333, 334, 1000])
    for a, b in zip(whole, parts, strict=True):
        np.testing.assert_array_equal(a, b)
    # The history and the counts describe the same play: outcome 2 x + y (1 = withheld).
    tally, h = whole
    live = np.arange(t)[:, None] < lengths[None, :]
    np.testing.assert_array_equal(tally.sum(1), lengths)
    for o in range(4):
        code = 2 * h[:, 0] + h[:, 1]
        np.testing.assert_array_equal(((code == o) & live).sum(0), tally[:, o])


def _z(mean, se, target):
    return np.abs(mean - target) / se


@needs_numba
@pytest.mark.parametrize(
    "kw",
    [
        {"rounds": 50, "noise": 0.05},
        {"rounds": 20, "noise": 0.1, "perception_noise": 0.05},
        {"continuation": 0.9, "noise": 0.05},
    ],
)
def test_simulate_compiled_agrees_with_exact(kw):
    rows = [ally.TFT, ally.WSLS, ally.GTFT(), ally.RANDOM(0.3), ally.GRIM]
    cols = [ally.ALLD, ally.TF2T, ally.STFT, ally.WSLS]
    reps = 3000
    res = simulate(rows, cols, GAME, repetitions=reps, seed=7, backend="numba", **kw)
    exact_row, exact_col = expected_payoffs(rows, cols, GAME, backend="numpy", **kw)
    (row, col), (se_r, se_c) = res.mean(), res.stderr()
    # 20 pairs x 2 players: each z below 4.5 fails by chance with probability < 3e-4 overall.
    assert _z(row, np.maximum(se_r, 1e-12), exact_row).max() < 4.5
    assert _z(col, np.maximum(se_c, 1e-12), exact_col).max() < 4.5


@needs_numba
def test_simulate_compiled_agrees_with_numpy_path():
    p = _memory_one(2, 6, snap=False)
    kw = {"rounds": 30, "noise": 0.05, "perception_noise": 0.02, "repetitions": 2000}
    a = simulate(p, p, GAME, seed=1, backend="numpy", **kw)
    b = simulate(p, p, GAME, seed=1, backend="numba", **kw)
    for x, y in ((a.row_payoffs, b.row_payoffs), (a.row_cooperation, b.row_cooperation)):
        se = np.sqrt(x.var(-1, ddof=1) / x.shape[-1] + y.var(-1, ddof=1) / y.shape[-1])
        assert (np.abs(x.mean(-1) - y.mean(-1)) / np.maximum(se, 1e-12)).max() < 4.5
    # Different streams: the matches themselves differ.
    assert not np.array_equal(a.row_payoffs, b.row_payoffs)


@needs_numba
def test_simulate_compiled_history_and_lengths():
    res = simulate(
        [ally.TFT],
        [ally.RANDOM(0.5)],
        GAME,
        rounds=25,
        repetitions=50,
        seed=3,
        history=True,
        backend="numba",
    )
    assert res.history is not None
    np.testing.assert_allclose(res.history[..., 0].mean(-1), res.row_cooperation)
    np.testing.assert_allclose(res.history[..., 1].mean(-1), res.col_cooperation)
    # Random lengths come from the same generator as the numpy path's: same lengths, so an
    # always-cooperating pair has the same (1 - w) x length outcomes on both backends.
    kw = {"continuation": 0.8, "repetitions": 200, "seed": 9}
    a = simulate(ally.ALLC, ally.ALLC, GAME, backend="numpy", **kw)
    b = simulate(ally.ALLC, ally.ALLC, GAME, backend="numba", **kw)
    np.testing.assert_array_equal(a.outcomes, b.outcomes)


def test_memory_one_tables_equal_the_machines():
    from allysim.kernels.montecarlo import _match_tables, _memory_one_match_tables

    rows = [ally.TFT, ally.GTFT(), ally.RANDOM(0.3), ally.WSLS]
    cols = [ally.ALLD, ally.TFT, ally.MemoryOne((0.9, 0.1, 0.8, 0.2), p0=0.7)]
    px, py = (g.ravel() for g in np.meshgrid(np.arange(4), np.arange(3), indexing="ij"))
    fast = _memory_one_match_tables(rows, cols, px, py, 0.05)
    ref = _match_tables(rows, cols, px, py, 0.05)
    # Global state numbering may differ (no de-duplication); play depends only on what each
    # match reaches: its start, and from any state the output and the next states.
    out_f, nxt_f, sx_f, sy_f = fast
    out_r, nxt_r, sx_r, sy_r = ref
    for start_f, start_r in ((sx_f, sx_r), (sy_f, sy_r)):
        for a, b in zip(start_f, start_r, strict=True):
            seen, todo = {}, [(int(a), int(b))]
            while todo:
                a, b = todo.pop()
                if (a, b) in seen:
                    continue
                seen[a, b] = True
                assert out_f[a] == out_r[b]
                todo += [(int(nxt_f[a + o]), int(nxt_r[b + o])) for o in range(4)]
