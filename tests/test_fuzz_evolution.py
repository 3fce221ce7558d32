"""Fuzz every public function of allysim.evolution (hypothesis).

Contract: for finite, in-range inputs the result has no NaN and keeps its invariants (shares
and probabilities in [0, 1] summing to 1, fixation in [0, 1], neutral fixation exactly 1/Z,
trajectories on the simplex); for any other input the only exceptions are ValueError or
TypeError whose message names the offending parameter. ``TRIED`` counts the inputs tried per
function; run with ``-s`` to see the table.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import allysim as ally
from allysim.evolution import (
    PopulationResult,
    StationaryDistribution,
    discrete_replicator,
    fermi,
    fixation_matrix,
    fixation_probability,
    log_fixation_probability,
    payoff_matrix_for,
    replicator_dynamics,
    simulate_population,
    stationary_distribution,
)

TRIED: Counter[str] = Counter()
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    print("\ninputs tried per function:")
    for name, count in sorted(TRIED.items()):
        print(f"  {name:<28} {count}")


# ------------------------------------------------------------------------ valid inputs

payoff_value = st.floats(-50, 50, allow_nan=False)
positive_payoff = st.floats(0.05, 50, allow_nan=False)


@st.composite
def payoff_matrices(draw, n_min=1, n_max=4, elements=payoff_value):
    n = draw(st.integers(n_min, n_max))
    return np.array(draw(st.lists(elements, min_size=n * n, max_size=n * n))).reshape(n, n)


@st.composite
def simplex_points(draw, n):
    w = np.array(draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)))
    assume(w.sum() > 1e-3)
    return w / w.sum()


def _on_simplex(x: np.ndarray, atol: float = 1e-6) -> bool:
    return bool(
        np.all(np.isfinite(x))
        and np.all(x >= -atol)
        and np.all(x <= 1 + atol)
        and np.allclose(x.sum(axis=-1), 1, atol=atol)
    )


@FUZZ
@given(st.data())
def test_replicator_dynamics_valid(data):
    a = data.draw(payoff_matrices(elements=st.floats(-5, 5)))
    x0 = data.draw(simplex_points(a.shape[0]))
    t = np.cumsum(data.draw(st.lists(st.floats(0.01, 2), min_size=1, max_size=5)))
    TRIED["replicator_dynamics"] += 1
    traj = replicator_dynamics(a, x0, t.tolist())
    assert traj.shape == (len(t), a.shape[0])
    assert _on_simplex(traj)


@FUZZ
@given(st.floats(-1e6, 1e6), st.floats(0, 1e3))
def test_fermi_valid(diff, beta):
    TRIED["fermi"] += 1
    p = fermi(diff, beta)
    q = fermi(-diff, beta)
    assert 0.0 <= p <= 1.0
    assert p + q == pytest.approx(1.0, abs=1e-15)
    # The model is imitated more often than not exactly when it earns more.
    assert p >= 0.5 if diff * beta >= 0 else p <= 0.5
    np.testing.assert_array_equal(fermi(np.array([diff, -diff]), beta), [p, q])


@FUZZ
@given(st.data())
def test_discrete_replicator_valid(data):
    a = data.draw(payoff_matrices(elements=positive_payoff))
    x0 = data.draw(simplex_points(a.shape[0]))
    g = data.draw(st.integers(0, 30))
    b = data.draw(st.floats(0, 1e6))
    TRIED["discrete_replicator"] += 1
    traj = discrete_replicator(a, x0, g, background_fitness=b)
    assert traj.shape == (g + 1, a.shape[0])
    assert _on_simplex(traj, atol=1e-9)


@FUZZ
@given(
    payoff_matrices(n_min=2, elements=positive_payoff),
    st.integers(2, 300),
    st.floats(0, 1),
    st.sampled_from(["fermi", "moran"]),
    st.data(),
)
def test_fixation_valid(a, z, beta, rule, data):
    n = a.shape[0]
    # Two different strategies: a strategy among its own kind is no invasion (refused).
    i = data.draw(st.integers(0, n - 1))
    j = (i + data.draw(st.integers(1, n - 1))) % n
    if rule == "fermi":
        beta *= data.draw(st.sampled_from([1.0, 10.0, 1e3, 1e308]))
    TRIED["fixation_probability"] += 1
    rho = fixation_probability(a, i, j, population=z, selection=beta, rule=rule)
    assert 0.0 <= rho <= 1.0
    TRIED["fixation_matrix"] += 1
    m = fixation_matrix(a, population=z, selection=beta, rule=rule)
    assert np.all((m >= 0) & (m <= 1))
    assert m[i, j] == pytest.approx(rho, rel=1e-9, abs=1e-300)
    assert np.all(np.diag(m) == 1 / z)
    TRIED["log_fixation_probability"] += 1
    try:
        lg = log_fixation_probability(a, i, j, population=z, selection=beta, rule=rule)
    except ValueError as exc:  # below the float range: only for astronomically strong selection
        assert "selection" in str(exc) and rho == 0.0
    else:
        assert lg <= 1e-12 and math.isfinite(lg)
        if rho > 1e-300:
            assert lg == pytest.approx(math.log(rho), rel=1e-9, abs=1e-12)
    # Neutral selection: exactly 1/Z.
    assert fixation_probability(a, i, j, population=z, selection=0.0, rule=rule) == 1 / z


@FUZZ
@given(
    payoff_matrices(n_min=1, n_max=3, elements=positive_payoff),
    st.integers(2, 9),
    st.floats(0, 1),
    st.one_of(st.none(), st.just(0.0), st.floats(1e-4, 1)),
    st.sampled_from(["fermi", "moran"]),
    st.sampled_from(["auto", "direct", "iterative"]),
)
def test_stationary_distribution_valid(a, z, beta, mu, rule, solver):
    TRIED["stationary_distribution"] += 1
    d = stationary_distribution(
        a,
        population=z,
        selection=beta,
        mutation=mu,
        rule=rule,
        solver=solver,
        tol=1e-12,
        time_limit=60,
    )
    assert isinstance(d, StationaryDistribution)
    assert _on_simplex(d.shares, atol=1e-9)
    assert _on_simplex(d.probabilities, atol=1e-9)
    assert len(d.probabilities) == len(d.states)
    assert np.all(d.states.sum(axis=1) == (z if mu else d.states.sum(axis=1)))
    assert d.residual <= 1e-10


@FUZZ
@given(
    payoff_matrices(n_min=1, n_max=3, elements=positive_payoff),
    st.data(),
    st.integers(0, 60),
    st.floats(0, 1),
    st.floats(0, 1),
    st.integers(1, 5),
    st.sampled_from(["fermi", "moran"]),
    st.one_of(st.none(), st.integers(1, 20)),
    st.integers(0, 2**32),
)
def test_simulate_population_valid(a, data, steps, beta, mu, reps, rule, every, seed):
    n = a.shape[0]
    init = data.draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))
    assume(sum(init) >= 2)
    mu = mu if n > 1 else 0.0
    TRIED["simulate_population"] += 1
    kw = {"selection": beta, "mutation": mu, "replicates": reps, "rule": rule}
    res = simulate_population(a, init, steps=steps, record_every=every, seed=seed, **kw)
    again = simulate_population(a, init, steps=steps, record_every=every, seed=seed, **kw)
    assert isinstance(res, PopulationResult)
    assert np.array_equal(res.counts, again.counts)
    assert (res.counts >= 0).all() and (res.counts.sum(axis=1) == sum(init)).all()
    assert res.steps == steps
    if every is not None:
        assert res.history.shape == (1 + steps // every, reps, n)
    TRIED["PopulationResult.fixed"] += 1
    fixed = res.fixed(0)
    assert fixed.dtype == bool and fixed.shape == (reps,)


STRATEGIES = [ally.ALLC, ally.ALLD, ally.TFT, ally.WSLS, ally.GRIM]


@FUZZ
@given(
    st.lists(st.sampled_from(STRATEGIES), min_size=1, max_size=3),
    st.integers(1, 20),
    st.floats(0, 1),
)
def test_payoff_matrix_for_valid(zoo, rounds, noise):
    TRIED["payoff_matrix_for"] += 1
    a = payoff_matrix_for(zoo, ally.PrisonersDilemma(), rounds=rounds, noise=noise)
    assert a.shape == (len(zoo), len(zoo))
    assert np.all(np.isfinite(a)) and np.all((a >= 0) & (a <= 5 + 1e-12))


# ------------------------------------------------------------------------ any other input

junk = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    # Small or astronomically large: mid-sized counts are valid but only slow.
    st.integers(-5, 40),
    st.sampled_from([2**63, 2**70, -(2**70)]),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
    st.just([[1.0, 2.0], [3.0]]),
    st.just(np.full((2, 3), 1.0)),
    st.just(np.full((0, 0), 1.0)),
    st.just(np.array([[np.nan, 1.0], [1.0, 1.0]])),
    st.just(np.array([[1e308, -1e308], [1e308, 1.0]])),
)

A2 = np.array([[3.0, 0.5], [4.0, 1.0]])
VALID = {
    "replicator_dynamics": (
        replicator_dynamics,
        {"payoff_matrix": A2, "x0": [0.5, 0.5], "t": [0.0, 1.0]},
        {"method": "LSODA", "rtol": 1e-8, "atol": 1e-10},
    ),
    "discrete_replicator": (
        discrete_replicator,
        {"payoff_matrix": A2, "x0": [0.5, 0.5], "generations": 5},
        {"background_fitness": 0.0},
    ),
    "fixation_probability": (
        fixation_probability,
        {"payoff_matrix": A2, "invader": 0, "resident": 1},
        {"population": 20, "selection": 0.5, "rule": "fermi"},
    ),
    "log_fixation_probability": (
        log_fixation_probability,
        {"payoff_matrix": A2, "invader": 0, "resident": 1},
        {"population": 20, "selection": 0.5, "rule": "moran"},
    ),
    "fixation_matrix": (
        fixation_matrix,
        {"payoff_matrix": A2},
        {"population": 20, "selection": 0.5, "rule": "fermi", "log": False},
    ),
    "stationary_distribution": (
        stationary_distribution,
        {"payoff_matrix": A2},
        {
            "population": 8,
            "selection": 0.5,
            "mutation": 0.05,
            "rule": "moran",
            "solver": "iterative",
            "tol": 1e-10,
            "time_limit": 60.0,
        },
    ),
    "simulate_population": (
        simulate_population,
        {"payoff_matrix": A2, "initial": [3, 3]},
        {
            "steps": 20,
            "selection": 0.5,
            "mutation": 0.1,
            "replicates": 2,
            "rule": "fermi",
            "record_every": 5,
            "seed": 1,
        },
    ),
    "payoff_matrix_for": (
        payoff_matrix_for,
        {"strategies": [ally.ALLC, ally.TFT], "game": ally.PrisonersDilemma()},
        {"rounds": 5, "noise": 0.0, "perception_noise": 0.0},
    ),
}
CASES = [(f, p) for f, (_, pos, kw) in VALID.items() for p in [*pos, *kw]]


def _check_result(name: str, out) -> None:
    if name in ("replicator_dynamics", "discrete_replicator"):
        assert _on_simplex(out)
    elif name in ("fixation_probability",):
        assert 0.0 <= out <= 1.0
    elif name == "log_fixation_probability":
        assert math.isfinite(out) and out <= 1e-12
    elif name == "fixation_matrix":
        assert not np.isnan(out).any()
    elif name == "stationary_distribution":
        assert _on_simplex(out.shares) and _on_simplex(out.probabilities)
    elif name == "simulate_population":
        assert (out.counts >= 0).all()
    elif name == "payoff_matrix_for":
        assert np.all(np.isfinite(out))


@pytest.mark.parametrize(("name", "param"), CASES, ids=[f"{f}-{p}" for f, p in CASES])
@settings(max_examples=25, deadline=None, database=None)
@given(value=junk)
def test_any_other_input_fails_naming_the_parameter(name, param, value):
    fn, positional, keywords = VALID[name]
    args = dict(positional)
    kwargs = dict(keywords)
    (args if param in args else kwargs)[param] = value
    TRIED[name] += 1
    try:
        out = fn(*args.values(), **kwargs)
    except (ValueError, TypeError) as exc:
        assert param in str(exc), f"{type(exc).__name__} without {param!r}: {exc}"
    else:
        _check_result(name, out)
