"""One ``backend`` convention across the payoff entry points (docs/performance.md).

``"auto"`` is the default where the backend changes results only by round-off (the exact
kernels), ``"numpy"`` where the compiled path draws another random stream (``simulate``).
``round_robin`` passes its ``backend`` to the kernel its method calls and, left at None, keeps
that kernel's default. Tests that run compiled code skip without numba.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import allysim as ally
from allysim.kernels import _compiled, numba_available, simulate
from allysim.tournament import round_robin

GAME = ally.PrisonersDilemma()
needs_numba = pytest.mark.skipif(not numba_available(), reason="numba not installed")
DETERMINISTIC = [ally.TFT, ally.WSLS, ally.ALLD, ally.GRIM, ally.TF2T, ally.ALTERNATOR]


@pytest.mark.parametrize("method", ["exact", "simulate"])
@pytest.mark.parametrize("bad", ["gpu", "NUMPY", "", 3, np.array([1]), True])
def test_round_robin_refuses_an_unknown_backend_naming_it(method, bad):
    with pytest.raises(ValueError, match=r"^backend must be None .* 'auto', 'numpy', 'numba'"):
        round_robin([ally.TFT, ally.ALLD], GAME, method=method, backend=bad, seed=0)


def test_round_robin_backend_numba_without_numba_names_the_extra(monkeypatch):
    monkeypatch.setattr(_compiled, "_load", lambda: None)
    with pytest.raises(ValueError, match=r"backend='numba' needs numba: pip install"):
        round_robin([ally.TFT, ally.ALLD], GAME, backend="numba")


@needs_numba
@settings(max_examples=10)
@given(
    seed=st.integers(0, 2**32 - 1),
    horizon=st.sampled_from(
        [{"rounds": 1}, {"rounds": 37}, {"rounds": None, "continuation": 0.9}, {"rounds": None}]
    ),
    noise=st.sampled_from([0.0, 0.01, 0.2]),
)
def test_round_robin_exact_agrees_across_backends(seed, horizon, noise):
    # Memory-one entrants run compiled under "numba"; the kernel's documented agreement is
    # round-off (a relative 8e-16 for rounds, bit-identical otherwise), so 1e-12 absolute.
    p = np.random.default_rng(seed).random((6, 5))
    entrants = [ally.MemoryOne(tuple(r[:4]), r[4], name=f"s{i}") for i, r in enumerate(p)]
    runs = {
        b: round_robin(entrants, GAME, noise=noise, backend=b, **horizon)
        for b in (None, "auto", "numpy", "numba")
    }
    ref = runs["numpy"]
    for b in ("auto", "numba"):
        np.testing.assert_allclose(runs[b].payoff_matrix, ref.payoff_matrix, rtol=0, atol=1e-12)
        np.testing.assert_allclose(
            runs[b].cooperation_matrix, ref.cooperation_matrix, rtol=0, atol=1e-12
        )
    # None is the kernel's default "auto", bit for bit.
    assert np.array_equal(runs[None].payoff_matrix, runs["auto"].payoff_matrix)


@needs_numba
def test_round_robin_exact_finite_state_is_bit_identical_across_backends():
    # Finite-state pairs stay on numpy whatever the backend.
    runs = [
        round_robin(DETERMINISTIC, GAME, rounds=50, noise=0.05, backend=b)
        for b in ("numpy", "numba")
    ]
    assert np.array_equal(runs[0].payoff_matrix, runs[1].payoff_matrix)


@needs_numba
@pytest.mark.parametrize("horizon", [{"rounds": 60}, {"rounds": None, "continuation": 0.95}])
def test_round_robin_simulate_without_draws_is_bit_identical_across_backends(horizon):
    # Deterministic entrants without noise: no draw can change a move (probabilities 0 and 1
    # are exact on both paths, and match lengths come from the same numpy generator).
    runs = [
        round_robin(
            DETERMINISTIC, GAME, method="simulate", repetitions=3, seed=5, backend=b, **horizon
        )
        for b in ("numpy", "numba")
    ]
    assert np.array_equal(runs[0].payoff_matrix, runs[1].payoff_matrix)
    assert np.array_equal(runs[0].cooperation_matrix, runs[1].cooperation_matrix)


@needs_numba
def test_round_robin_simulate_agrees_in_distribution_across_backends():
    # Noisy play: each backend's mean payoffs are within 5 standard errors of the exact ones
    # (a false alarm has probability below 1e-5 per entry for 36 entries), and the two
    # backends' matches differ (their streams are not the same).
    entrants = [ally.TFT, ally.WSLS, ally.GTFT(GAME), ally.RANDOM(0.4)]
    exact = round_robin(entrants, GAME, rounds=40, noise=0.05).payoff_matrix
    runs = {
        b: round_robin(
            entrants,
            GAME,
            rounds=40,
            noise=0.05,
            method="simulate",
            repetitions=400,
            seed=3,
            backend=b,
        )
        for b in ("numpy", "numba")
    }
    for res in runs.values():
        z = np.abs(res.payoff_matrix - exact) / res.stderr_matrix
        assert z.max() < 5.0, z.max()
    assert not np.array_equal(runs["numpy"].payoff_matrix, runs["numba"].payoff_matrix)


@needs_numba
def test_round_robin_simulate_default_keeps_the_numpy_stream(monkeypatch):
    # With "auto" choosing the compiled loop for every size, the default (None) must still
    # give the numpy path's matches: a seed's results may not depend on numba being present.
    monkeypatch.setattr(_compiled, "AUTO_MIN_PAIRS", 0)
    kw = dict(rounds=30, noise=0.1, method="simulate", repetitions=5, seed=11)
    default = round_robin([ally.TFT, ally.WSLS, ally.GTFT(GAME)], GAME, **kw)
    numpy = round_robin([ally.TFT, ally.WSLS, ally.GTFT(GAME)], GAME, backend="numpy", **kw)
    auto = round_robin([ally.TFT, ally.WSLS, ally.GTFT(GAME)], GAME, backend="auto", **kw)
    assert np.array_equal(default.payoff_matrix, numpy.payoff_matrix)
    assert not np.array_equal(default.payoff_matrix, auto.payoff_matrix)


@needs_numba
def test_simulate_default_keeps_the_numpy_stream(monkeypatch):
    # The documented, deliberate default: simulate's backend is "numpy", not "auto".
    monkeypatch.setattr(_compiled, "AUTO_MIN_PAIRS", 0)
    kw = dict(rounds=30, noise=0.1, repetitions=5, seed=11)
    default = simulate([ally.TFT, ally.GTFT(GAME)], [ally.WSLS], GAME, **kw)
    numpy = simulate([ally.TFT, ally.GTFT(GAME)], [ally.WSLS], GAME, backend="numpy", **kw)
    auto = simulate([ally.TFT, ally.GTFT(GAME)], [ally.WSLS], GAME, backend="auto", **kw)
    assert np.array_equal(default.outcomes, numpy.outcomes)
    assert not np.array_equal(default.outcomes, auto.outcomes)
