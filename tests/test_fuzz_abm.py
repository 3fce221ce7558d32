"""Property-based (hypothesis) fuzzing of TrustModel and batch_run over their parameters.

Valid finite inputs must run a few steps with collected data in range and NaN exactly where
nothing was measured; any other input must raise only ValueError or TypeError naming the
parameter. ``pytest --hypothesis-show-statistics`` reports how many inputs each test tried.
"""

import math
import warnings

import hypothesis
import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allysim as ally
from allysim.abm import STAGES, TrustModel, TrustParams, batch_run

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
NAMES = ("ALLC", "ALLD", "TFT", "GRIM", "WSLS", "GTFT")
prob = st.floats(0.0, 1.0)


@st.composite
def mechanism_lists(draw):
    pool = [
        st.builds(ally.ShadowOfFuture, st.floats(0.0, 0.999)),
        st.builds(ally.Monitoring, prob),
        st.builds(ally.Sanction, st.floats(0.0, 10.0), prob),
        st.builds(ally.Bond, st.floats(0.0, 10.0), prob, prob),
        st.builds(ally.ProfitSharing, prob),
        st.builds(ally.Communication, prob),
        st.builds(ally.Reputation, prob),
    ]
    chosen = draw(st.lists(st.integers(0, len(pool) - 1), unique=True, max_size=4))
    return [draw(pool[i]) for i in chosen]


@st.composite
def valid_parameters(draw):
    n = draw(st.integers(2, 25))
    mean = draw(prob)
    spread = draw(st.floats(0.0, min(mean, 1.0 - mean)))
    culture_spread = draw(st.floats(0.0, 0.5))
    top_noise = min(10.0, 0.999 / (2 * culture_spread)) if culture_spread > 0 else 10.0
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, unique=True))
    network = draw(
        st.sampled_from(["complete", "small-world", "graph"]) if n >= 3 else st.just("complete")
    )
    p = {
        "n_organizations": n,
        "strategies": names,
        "benefit": draw(st.floats(0.01, 100.0)),
        "cost": draw(st.floats(0.01, 100.0)),
        "synergy": draw(st.floats(-100.0, 100.0)),
        "mechanisms": draw(mechanism_lists()),
        "continuation": draw(prob),
        "noise": draw(prob),
        "perception_noise": draw(prob),
        "culture_spread": culture_spread,
        "culture_noise": draw(st.floats(0.0, top_noise)),
        "culture_friction": draw(prob),
        "capability_mean": mean,
        "capability_spread": spread,
        "capacity": draw(st.integers(1, n - 1)),
        "search_rate": draw(prob),
        "visibility": draw(prob),
        "trust_to_contribute": draw(prob),
        "competence_floor": draw(prob),
        "forgetting": draw(st.floats(1e-3, 1.0)),
        "prior_strength": draw(st.floats(0.0, 100.0)),
        "attribution_discount": draw(st.floats(-0.999, 0.999)),
        "exit_threshold": draw(prob),
        "stage_thresholds": sorted(draw(st.lists(st.floats(0.01, 0.99), min_size=4, max_size=4))),
        "stage_min_steps": draw(st.integers(0, 4)),
        "stake_levels": draw(st.lists(st.floats(0.01, 100.0), min_size=5, max_size=5)),
        "absorb_weight": draw(prob),
        "imitation_every": draw(st.integers(0, 3)),
        "imitation_payoff": draw(st.sampled_from(["per_stake", "raw"])),
        "selection": draw(st.floats(0.0, 100.0)),
        "mutation": draw(prob),
        "seed": draw(st.integers(0, 2**32)),
    }
    if network == "small-world":
        p["network"] = "small-world"
        p["network_degree"] = 2 * draw(st.integers(1, (n - 1) // 2))
        p["rewiring"] = draw(prob)
    elif network == "graph":
        p["network"] = nx.gnp_random_graph(n, draw(prob), seed=draw(st.integers(0, 99)))
    return p


def _gtft_ok(p):
    b, c, s = p["benefit"], p["cost"], p["synergy"]
    return "GTFT" not in p["strategies"] or max(c - b, (c - b) / 2) <= s <= c


def _check_data(df):
    active = df["active_partnerships"].to_numpy()
    rate = df["contribution_rate"].to_numpy()
    # A round is played at step t by the partnerships active at the end of step t - 1.
    played = np.concatenate([[0], active[:-1]]) > 0
    assert np.array_equal(~np.isnan(rate), played)
    assert np.array_equal(~np.isnan(df["welfare"].to_numpy()), played)
    assert np.isfinite(df.loc[played, "welfare"]).all()
    for col in [c for c in df.columns if c.startswith(("trust_", "stage_"))]:
        values = df[col].to_numpy()
        assert np.array_equal(np.isnan(values), active == 0), col
        ok = values[active > 0]
        assert ((ok >= 0) & (ok <= 1 + 1e-12)).all(), col
    ok = rate[played]
    assert ((ok >= 0) & (ok <= 1)).all()
    shares = df[[c for c in df.columns if c.startswith("strategy_")]]
    assert np.allclose(shares.sum(axis=1), 1)
    stages = df.loc[active > 0, [f"stage_{s}" for s in STAGES]]
    assert np.allclose(stages.sum(axis=1), 1)
    for col in ("payoff_mean", "payoff_gini"):
        assert np.isfinite(df[col]).all(), col


@FUZZ
@given(valid_parameters(), st.integers(2, 5))
def test_valid_parameters_run_with_data_in_range(params, steps):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not _gtft_ok(params):
            with pytest.raises(ValueError, match="synergy"):
                TrustModel(**params)
            return
        model = TrustModel(**params)
        df = model.run(steps, progress=False)
    assert len(df) == steps + 1
    _check_data(df)
    assert model.degree.max() <= params["capacity"]


def _bad_values(name):
    """Values that are wrong for parameter ``name``."""
    common = [None, "x", float("nan"), float("inf"), [0.5], True]
    probability = [*common, -0.1, 1.5, -math.inf]
    nonneg = [*common, -1e-9, -5.0]
    integer = [None, "3", 1.5, True, float("nan")]
    table = {
        "n_organizations": [*integer, 1, 0, -3, 10**12],
        "benefit": [*common, 0.0, -1.0, 1e300],
        "cost": [*common, 0.0, -2.0, 1e300],
        "synergy": [*common, 1e300, 5.0, -1.0],
        "continuation": probability,
        "noise": probability,
        "perception_noise": probability,
        "culture_spread": [*common, -0.1, 0.51],
        "culture_noise": [*nonneg, 1e6],
        "culture_friction": probability,
        "capability_mean": probability,
        "capability_spread": [*nonneg, 0.5],
        "capacity": [*integer, 0, -1, 10, 10**6],
        "network": [None, "ring", 3, nx.path_graph(3)],
        "network_degree": [*integer, 1, 0],
        "rewiring": probability,
        "search_rate": probability,
        "visibility": probability,
        "trust_to_contribute": probability,
        "competence_floor": probability,
        "forgetting": [*common, 0.0, -0.5, 1.01],
        "prior_strength": nonneg,
        "attribution_discount": [*common, -1.0, 1.0, 1.5, -math.inf],
        "exit_threshold": probability,
        "stage_thresholds": [None, "x", (0.5, 0.4, 0.6, 0.7), (0.0, 0.5, 0.6, 0.7), (0.5,) * 3],
        "stage_min_steps": [*integer, -1],
        "stake_levels": [None, "x", (1, 1, 1, 1, 0), (1,) * 4, (1, 1, 1, 1, 1e200)],
        "absorb_weight": probability,
        "imitation_every": [*integer, -1],
        "imitation_payoff": [None, 1, "total", "RAW"],
        "selection": nonneg,
        "mutation": probability,
        "seed": [-1, "x", 1.5, [1, 2], True, -(2**40)],
        "rng": [-1, "x", 1.5, True],
        "strategies": [None, "ALLC", [], ["NOPE"], [1], ["ALLC", "ALLC"]],
        "initial_shares": ["x", (1.0,), (0.5, 0.6, 0, 0, 0, 0), (-0.5, 1.5, 0, 0, 0, 0)],
        "initial_strategies": [[1.7] * 10, [True] * 10, [None] * 10, [0] * 3, [9] * 10, "x", 5],
        "mechanisms": [[1], ["Sanction"], [ally.Sanction(1, 0.5), ally.Sanction(2, 0.5)]],
        "reputation_weight": [*probability, 0.0],
        "neutral_reputation": probability,
        "acceptance_offset": nonneg,
        "absorb_streak": [*integer, 0, -2],
        "absorb_window": [*integer, -1],
        "never_betrayed": [*integer, -10, 0, 5],
    }
    return table[name]


@st.composite
def one_bad_parameter(draw):
    name = draw(st.sampled_from(sorted(_BAD)))
    return name, draw(st.sampled_from(_bad_values(name)))


_BAD = {
    "n_organizations", "benefit", "cost", "synergy", "continuation", "noise",
    "perception_noise", "culture_spread", "culture_noise", "culture_friction",
    "capability_mean", "capability_spread", "capacity", "network", "network_degree", "rewiring",
    "search_rate", "visibility", "trust_to_contribute", "competence_floor", "forgetting",
    "prior_strength", "attribution_discount", "exit_threshold", "stage_thresholds",
    "stage_min_steps", "stake_levels", "absorb_weight", "imitation_every", "imitation_payoff",
    "selection", "mutation", "seed", "rng", "strategies", "initial_shares", "initial_strategies",
    "mechanisms", "reputation_weight", "neutral_reputation", "acceptance_offset",
    "absorb_streak", "absorb_window", "never_betrayed",
}  # fmt: skip
# What a message may call a parameter, where it is not spelled the same.
_ALIASES = {"mechanisms": ("mechanism",), "synergy": ("synergy", "GTFT")}


@FUZZ
@given(one_bad_parameter())
def test_bad_parameters_raise_value_or_type_error_naming_them(case):
    name, value = case
    params = {"n_organizations": 10, "network": "small-world", "network_degree": 4, name: value}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises((ValueError, TypeError)) as info:
            TrustModel(**params)
    message = str(info.value)
    assert any(alias in message for alias in _ALIASES.get(name, (name,))), (name, message)
    if name not in ("seed", "rng"):
        # The same refusal, with the same message, through a TrustParams object.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises((ValueError, TypeError)) as again:
                TrustModel(params=TrustParams(**params))
        assert str(again.value) == message


@FUZZ
@given(valid_parameters(), st.integers(1, 3))
def test_params_object_and_keywords_give_bit_identical_runs(params, steps):
    hypothesis.assume(_gtft_ok(params))
    params = dict(params)
    seed = params.pop("seed", 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_keywords = TrustModel(**params, seed=seed).run(steps, progress=False)
        model = TrustModel(params=TrustParams(**params), seed=seed)
        by_params = model.run(steps, progress=False)
    assert by_params.equals(by_keywords)
    assert model.params == TrustParams(**params)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    st.integers(0, 2**32),
    st.integers(1, 2),
    st.integers(1, 4),
    st.sampled_from([-1, 1, 2]),
    st.lists(st.floats(0.0, 0.999), min_size=1, max_size=2),
)
def test_batch_run_valid(seed, replicates, max_steps, period, continuations):
    df = batch_run(
        {"n_organizations": 6, "continuation": continuations},
        replicates=replicates,
        seed=seed,
        max_steps=max_steps,
        data_collection_period=period,
    )
    assert set(df["replicate"]) == set(range(replicates))
    assert (df["Step"] <= max_steps).all()
    rate = df["contribution_rate"].dropna()
    assert ((rate >= 0) & (rate <= 1)).all()
    for col in ("trust_goodwill", "trust_contractual", "trust_competence"):
        values = df[col].to_numpy()
        assert np.array_equal(np.isnan(values), df["active_partnerships"].to_numpy() == 0)


_BATCH_BAD = {
    "seed": [-1, "x", 1.5, True],
    "replicates": [0, -1, 1.5, "2", None],
    "max_steps": [0, -3, 2.5, None],
    "data_collection_period": [0, -2, 1.5, None],
    "number_processes": [0, -1, 1.5, "2"],
    "display_progress": [1, "yes", None],
    "parameters": [None, [("n_organizations", 5)], {"seed": 3}, {"n_organizations": 1}],
}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.sampled_from(sorted(_BATCH_BAD)).flatmap(
    lambda k: st.tuples(st.just(k), st.sampled_from(_BATCH_BAD[k]))
))  # fmt: skip
def test_batch_run_invalid(case):
    name, value = case
    kwargs = {"parameters": {"n_organizations": 5}, "max_steps": 2, name: value}
    with pytest.raises((ValueError, TypeError)) as info:
        batch_run(**kwargs)
    needle = {"parameters": ("parameters", "seed", "n_organizations")}.get(name, (name,))
    assert any(n in str(info.value) for n in needle), (name, str(info.value))
