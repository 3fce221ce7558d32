"""The compiled reporters (allysim.abm._compiled_reporters) give the numpy path's values to the
bit: within one model, every collected value equals what the numpy path's reporter computes from
the same state, and each kernel equals its numpy reference on arrays drawn at random."""

from __future__ import annotations

import importlib.util
import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allysim.abm import Metrics, TrustModel
from allysim.abm.stats import gini

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
pytestmark = pytest.mark.skipif(
    not HAVE_NUMBA, reason="numba is not installed (the optional 'fast' extra)"
)


def _bits(x: float) -> bytes:
    """The float's bytes: NaN equals NaN, and 0.0 differs from -0.0."""
    return struct.pack("<d", x)


def _model(**fields: object) -> TrustModel:
    from allysim.abm import Governance, SpecificInvestment, ValueCreation

    return TrustModel(
        n_organizations=120,
        capacity=4,
        metrics=Metrics(),
        governance=Governance(early_warning=0.5, review_every=5),
        investment=SpecificInvestment(),
        value_creation=ValueCreation(complementarity=1, absorptive_capacity=0.1),
        seed=7,
        **fields,
    )


def test_every_collected_value_is_the_numpy_reporters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLYSIM_NUMBA", "1")
    m = _model()
    reporters = m.datacollector.model_reporters
    checked = 0
    for _ in range(25):
        m.step()
        row = m.datacollector.get_model_vars_dataframe().iloc[-1]
        # The numpy path's reporters, outside a collection, on the same state.
        monkeypatch.setenv("ALLYSIM_NUMBA", "0")
        for name, reporter in reporters.items():
            if callable(reporter):
                assert _bits(float(row[name])) == _bits(reporter(m)), name
                checked += 1
        monkeypatch.setenv("ALLYSIM_NUMBA", "1")
    assert m.n_active > 50
    # The trust, stage, strategy, welfare, Gini and the five Metrics columns at least.
    assert checked >= 25 * 20


@given(
    values=st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=0,
        max_size=400,
    ),
    scale=st.sampled_from([1.0, 1e-300, 1e295, -1.0]),
)
@settings(max_examples=60, deadline=None)
def test_gini_kernel_is_ginis_to_the_bit(values: list[float], scale: float) -> None:
    from allysim.abm._compiled_reporters import kernels

    x = np.array(values) * scale
    assert _bits(kernels().gini_sorted(np.sort(x))) == _bits(gini(x))


def test_gini_kernel_edge_cases() -> None:
    from allysim.abm._compiled_reporters import kernels

    k = kernels()
    for x in ([], [3.0], [2.0, 2.0, 2.0], [-0.0, 0.0, 1.0], [-1.0, 1.0], [1e308, -1e308, 0.0]):
        arr = np.array(x, dtype=float)
        assert _bits(k.gini_sorted(np.sort(arr))) == _bits(gini(arr)), x
    # NaN or an infinity: NaN, so that the reporter lets gini raise its error.
    for bad in (math.nan, math.inf, -math.inf):
        assert math.isnan(k.gini_sorted(np.sort(np.array([1.0, bad, 2.0]))))


def test_payoff_gini_refuses_nan_wealth_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from allysim.abm.reporters import payoff_gini

    m = TrustModel(n_organizations=10, seed=0)
    m.wealth[3] = math.nan
    for flag in ("0", "1"):
        monkeypatch.setenv("ALLYSIM_NUMBA", flag)
        with pytest.raises(ValueError, match="values"):
            payoff_gini(m)


@given(
    e=st.integers(0, 300),
    n=st.integers(1, 200),
    seed=st.integers(0, 2**32 - 1),
    nan_share=st.sampled_from([0.0, 0.3, 1.0]),
)
@settings(max_examples=40, deadline=None)
def test_kernels_match_numpy_on_random_tables(e: int, n: int, seed: int, nan_share: float) -> None:
    from allysim.abm._compiled_reporters import (
        CENTRALIZATION,
        CONTRIBUTION,
        MEAN_DEGREE,
        PARTNERED,
        RELIABILITY,
        SATISFACTION,
        STAGES,
        TRUST,
        WELFARE,
        kernels,
    )

    rng = np.random.default_rng(seed)
    rows = e + 5  # the table's spare rows are not read
    alpha = rng.uniform(0.1, 50, (rows, 2, 3))
    beta = rng.uniform(0.1, 50, (rows, 2, 3))
    stage = rng.integers(0, 5, rows)
    strategy_of = rng.integers(0, 4, n)
    played = int(rng.integers(0, e + 1))
    contributed = rng.random((played, 2)) < 0.5
    welfare = rng.normal(size=2 * played)[::2]  # a strided view
    k = kernels()
    trust = np.empty(6 * e)
    values = k.model_values(
        alpha,
        beta,
        e,
        stage,
        5,
        strategy_of,
        4,
        contributed.reshape(-1).view(np.uint8),
        np.ascontiguousarray(welfare),
        trust,
    )
    for kind in range(3):
        block = alpha[:e, :, kind] / (alpha[:e, :, kind] + beta[:e, :, kind])
        np.testing.assert_array_equal(trust[kind::3], block.ravel())
        if e:
            assert np.add.reduce(trust[kind::3]) / (2 * e) == block.mean()
    nan = float("nan")
    assert _bits(values[WELFARE]) == _bits(float(welfare.mean()) if played else nan)
    rate = float(np.count_nonzero(contributed) / contributed.size) if played else nan
    assert _bits(values[CONTRIBUTION]) == _bits(rate)
    for s in range(5):
        share = float(np.count_nonzero(stage[:e] == s) / e) if e else nan
        assert _bits(values[STAGES + s]) == _bits(share)
    for s in range(4):
        share = float(np.count_nonzero(strategy_of == s) / n)
        assert _bits(values[STAGES + 5 + s]) == _bits(share)
    assert values[TRUST : TRUST + 3].shape == (3,)

    satisfaction = rng.normal(size=(rows, 2))
    satisfaction[rng.random((rows, 2)) < nan_share] = np.nan
    age = rng.integers(0, 30, rows)
    contributions = np.minimum(rng.integers(0, 30, (rows, 2)), age[:, None])
    degree = rng.integers(0, 5, n)
    got = k.metrics_values(satisfaction, age, contributions, degree, e, np.empty(2 * e))
    rounds = 2 * age[:e].sum()
    given_ = contributions[:e, 0].sum() + contributions[:e, 1].sum()
    assert _bits(got[RELIABILITY]) == _bits(float(given_ / rounds) if rounds else nan)
    sat = satisfaction[:e].ravel()
    known = sat[~np.isnan(sat)]
    assert _bits(got[SATISFACTION]) == _bits(float(known.mean()) if known.size else nan)
    d = degree.astype(float)
    assert _bits(got[MEAN_DEGREE]) == _bits(float(d.mean()))
    cent = float((d.max() - d).sum() / ((n - 1) * (n - 2))) if n >= 3 else nan
    assert _bits(got[CENTRALIZATION]) == _bits(cent)
    assert _bits(got[PARTNERED]) == _bits(float(np.count_nonzero(degree) / n))


def test_sums_of_negative_zeros_start_from_zero_as_numpys() -> None:
    from allysim.abm._compiled_reporters import SATISFACTION, WELFARE, kernels

    k = kernels()
    zeros = np.full(300, -0.0)
    assert _bits(zeros.mean()) == _bits(0.0)
    values = k.model_values(
        np.ones((1, 2, 3)),
        np.ones((1, 2, 3)),
        0,
        np.zeros(1, np.int64),
        5,
        np.zeros(3, np.int64),
        1,
        np.zeros(2, np.uint8),
        zeros,
        np.empty(0),
    )
    assert _bits(values[WELFARE]) == _bits(0.0)
    got = k.metrics_values(
        np.full((150, 2), -0.0),
        np.ones(150, np.int64),
        np.zeros((150, 2), np.int64),
        np.zeros(3, np.int64),
        150,
        np.empty(300),
    )
    assert _bits(got[SATISFACTION]) == _bits(0.0)


def test_metrics_step_means_match_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    states = []
    for flag in ("0", "1"):
        monkeypatch.setenv("ALLYSIM_NUMBA", flag)
        m = _model()
        record = []
        for _ in range(15):
            m.step()
            s = m.part_state["metrics"]
            record.append(tuple(_bits(s[k]) for k in ("value", "costs", "delivery")))
        states.append(record)
    assert states[0] == states[1]
    assert not math.isnan(struct.unpack("<d", states[1][-1][2])[0])


def test_replaced_reporters_are_read_where_they_point(monkeypatch: pytest.MonkeyPatch) -> None:
    from functools import partial

    from allysim.abm.reporters import trust_level

    frames = []
    for flag in ("0", "1"):
        monkeypatch.setenv("ALLYSIM_NUMBA", flag)
        m = TrustModel(n_organizations=60, seed=4)
        reporters = m.datacollector.model_reporters
        # Competence under the goodwill column; a kind given as a numpy integer and a lambda
        # are called as Mesa calls them.
        reporters["trust_goodwill"] = partial(trust_level, kind=0)
        reporters["trust_contractual"] = partial(trust_level, kind=np.int64(0))
        reporters["welfare"] = lambda model: 0.5 * model.contribution_rate
        for _ in range(12):
            m.step()
        frames.append(m.datacollector.get_model_vars_dataframe().iloc[1:])
    ref, got = frames
    for frame in frames:
        assert frame.trust_goodwill.equals(frame.trust_competence)
        assert frame.trust_contractual.equals(frame.trust_competence)
    rates = got.contribution_rate.iloc[1:].dropna()
    assert len(rates) > 5 and (got.welfare.loc[rates.index] == 0.5 * rates).all()
    for name in ref.columns:
        assert [_bits(v) for v in ref[name]] == [_bits(v) for v in got[name]], name
