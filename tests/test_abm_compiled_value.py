"""Value creation's and the metrics' compiled loops (allysim.abm._compiled_value) give the numpy
path's results to the bit."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm_state import assert_same_state, model_state
from allysim.abm import Governance, Metrics, TrustModel, TrustParams, ValueCreation
from allysim.abm._compiled_value import scratch
from allysim.abm.value_creation import _row_means

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(
    not HAVE_NUMBA, reason="numba is not installed (the optional 'fast' extra)"
)

_RISKY = {
    "complementarity": 1.0,
    "seek_complementarity": 1.0,
    "size_spread": 0.3,
    "scale_elasticity": 0.3,
    "network_effect": 0.1,
    "absorptive_capacity": 0.05,
    "dividend_risk": 0.2,
    "risk_aversion": 0.5,
}

# Each setting takes other branches of the loops: every option on with governance's decision
# rights as a second dividend factor and resolved betrayals (the dividend's loop with every
# factor on); no complementarity (no profiles averaged, no acceptance factor); risk without
# aversion (no premium, no other factors); knowledge exchange alone (dividend factor None);
# three capability areas.
SETTINGS = {
    "all_options_governed": {
        "value_creation": ValueCreation(**_RISKY),
        "governance": Governance(escalation=0.6, facilitation=0.5, decision_rights="consensus"),
    },
    "no_complementarity": {
        "value_creation": ValueCreation(
            **{**_RISKY, "complementarity": 0.0, "seek_complementarity": 0.0}
        )
    },
    "risk_without_aversion": {
        "value_creation": ValueCreation(complementarity=2.0, dividend_risk=0.3, dimensions=3)
    },
    "exchange_only": {"value_creation": ValueCreation(absorptive_capacity=0.2, dimensions=3)},
    # Three areas: the profiles averaged by the matmul, not in the loops.
    "three_areas_all_options": {"value_creation": ValueCreation(**{**_RISKY, "dimensions": 3})},
}


def _run(fields: dict, monkeypatch: pytest.MonkeyPatch, flag: str) -> TrustModel:
    monkeypatch.setenv("ALLYSIM_NUMBA", flag)
    params = TrustParams(n_organizations=120, capacity=4, metrics=Metrics(), **fields)
    model = TrustModel(params, seed=11)
    for _ in range(25):
        model.step()
    return model


@needs_numba
@pytest.mark.parametrize("name", list(SETTINGS))
def test_value_and_metrics_loops_match_numpy(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole run, the part's state and the metrics' records, bit for bit."""
    m0 = _run(SETTINGS[name], monkeypatch, "0")
    m1 = _run(SETTINGS[name], monkeypatch, "1")
    assert m1.table.n_active > 0 and m1.table.dissolved_total > 0
    state = model_state(m1)
    assert "value_creation.profile" in state and "metrics.delivery" in state
    assert_same_state(model_state(m0), state)


@needs_numba
def test_value_loops_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    from allysim.abm._compiled_value import kernels

    k = kernels()
    _run(SETTINGS["all_options_governed"], monkeypatch, "1")
    names = ("dividend_factor", "acceptance4", "exchange", "value_settle")
    for name in (*names, "scorecard", "conflicts"):
        assert getattr(k, name).signatures, name
    _run(SETTINGS["three_areas_all_options"], monkeypatch, "1")
    assert k.best_into.signatures and k.acceptance.signatures


@needs_numba
@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 40),
    e=st.integers(0, 60),
    d=st.integers(1, 5),
    rate=st.floats(0.0, 1.0),
)
def test_exchange_matches_numpy_gains(seed: int, n: int, e: int, d: int, rate: float) -> None:
    """Random profiles and partnerships (repeated learners included): the same profiles after
    learning and the same total as ValueCreation's numpy gains."""
    from types import SimpleNamespace

    from allysim.abm._compiled_value import kernels

    rng = np.random.default_rng(seed)
    profile = rng.random((n, d))
    pa, pb = rng.integers(0, n, e), rng.integers(0, n, e)
    contributed = rng.random((e, 2)) < 0.6
    want = profile.copy()
    gains = ValueCreation(dimensions=d)._gains(
        want, pa, pb, SimpleNamespace(contributed=contributed), rate
    )
    np.minimum(want, 1.0, out=want)
    got = profile.copy()
    buffers: dict = {}
    flat = scratch(buffers, "gains", 2 * e * d)
    used = kernels().exchange(
        got,
        pa,
        pb,
        contributed,
        rate,
        flat,
        scratch(buffers, "delta", n * d),
        scratch(buffers, "pairs", 4 * e, np.int64),
        # Four areas: the new means written as _row_means makes them.
        mean := np.full(n if d == 4 else 0, np.nan),
    )
    np.testing.assert_array_equal(got, want, strict=True)
    if d == 4:
        np.testing.assert_array_equal(mean, _row_means(want), strict=True)
    assert used == gains.shape[0]
    assert np.add.reduce(flat[: used * d]) == gains.sum()


@needs_numba
@pytest.mark.parametrize("e", [1, 7, 30])
def test_scorecard_matches_numpy_settle(e: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Metrics.settle on a crafted round, compiled and numpy: zero stakes (no quotient), a
    first satisfaction (NaN before), negative and zero payoffs, every contribution pattern."""
    from allysim.abm import PlayedRound

    rng = np.random.default_rng(e)
    played = PlayedRound(
        e,
        rng.random((e, 2)) < 0.5,
        np.where(rng.random(e) < 0.3, 0.0, rng.choice([0.5, 1.0, 2.0], e)),
        np.round(rng.normal(size=(e, 2)), 1),
        rng.random(e),
        rng.random(e),
    )
    known = rng.random(((e + 1) // 2, 2))
    states = []
    for flag in ("0", "1"):
        monkeypatch.setenv("ALLYSIM_NUMBA", flag)
        model = TrustModel(TrustParams(n_organizations=60, capacity=4, metrics=Metrics()), seed=3)
        for _ in range(3):
            model.step()
        t = model.table
        assert t.n_active >= e
        # Half the rows' satisfaction known, half not yet (NaN).
        t.column("satisfaction")[:e:2] = known
        Metrics().settle(model, played)
        states.append(model_state(model))
    assert_same_state(*states)
    assert np.isfinite(states[1]["satisfaction"][:e]).all()


def test_scratch_grows_and_keeps_its_buffer() -> None:
    buffers: dict = {}
    first = scratch(buffers, "x", 100)
    assert first.shape == (151,)
    assert scratch(buffers, "x", 151) is first
    bigger = scratch(buffers, "x", 152)
    assert bigger.shape == (229,) and buffers["scratch"]["x"] is bigger
    with pytest.raises(ValueError, match="size"):
        scratch(buffers, "x", -1)
    index = scratch(buffers, "x", 4, np.int64)
    assert index.dtype == np.int64 and buffers["scratch"]["x"] is index
