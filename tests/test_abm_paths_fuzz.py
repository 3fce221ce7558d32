"""Fuzzing the trust model's two step paths against each other: numpy and compiled (numba).

The project guarantees that ``ALLYSIM_NUMBA=0`` (numpy, the reference) and ``ALLYSIM_NUMBA=1``
(the compiled loops) give the same run to the bit for the same seed. The fixed configurations of
tests/test_abm_compiled*.py check a few settings; here hypothesis draws valid settings with
random subsets of the partnership parts and their options, runs a few steps on each path and
compares everything a run leaves behind by its bytes (so NaN equals NaN, and -0.0 differs from
0.0). A model switched from one path to the other between steps must give the same run too.

More examples, fresh ones each run, to hunt:
    ALLYSIM_PATHS_FUZZ=1000 HYPOTHESIS_PROFILE=explore pytest tests/test_abm_paths_fuzz.py
(``ALLYSIM_PATHS_FUZZ_STEPS``, default 8, is the most steps a run takes;
``ALLYSIM_PATHS_FUZZ_N``, default 160, the most organizations.)
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import allysim as ally
from allysim.abm import (
    Governance,
    Metrics,
    SpecificInvestment,
    StakeholderPressure,
    Standing,
    TrustModel,
    ValueCreation,
    _compiled,
)
from allysim.abm.consortium import Consortia
from allysim.abm.culture import HOFSTEDE_SCORES
from allysim.abm.governance import DECISION_RIGHTS
from allysim.reputation import NORMS
from test_fuzz_abm import mechanism_lists  # the same mechanisms as the main fuzz

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
pytestmark = pytest.mark.skipif(
    not HAVE_NUMBA, reason="numba is not installed (the optional 'fast' extra)"
)

# CI: 60 derandomized examples (~7 s with the compilation cached); set the variable
# to hunt with many more.
EXAMPLES = int(os.environ.get("ALLYSIM_PATHS_FUZZ", "60"))
MAX_STEPS = int(os.environ.get("ALLYSIM_PATHS_FUZZ_STEPS", "8"))
MAX_N = int(os.environ.get("ALLYSIM_PATHS_FUZZ_N", "160"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

NAMES = ("ALLC", "ALLD", "TFT", "GRIM", "WSLS", "GTFT", "STFT", "TF2T", "ALTERNATOR")
prob = st.floats(0.0, 1.0)
# Probabilities at their edges as often as inside: 0 and 1 take other branches of the loops.
edge_prob = st.one_of(st.sampled_from([0.0, 1.0]), prob, prob)


def _governance() -> st.SearchStrategy[Governance]:
    return st.builds(
        Governance,
        decision_rights=st.sampled_from([None, *DECISION_RIGHTS]),
        early_warning=edge_prob,
        early_warning_cost=st.floats(0.0, 1.0),
        escalation=edge_prob,
        escalation_cost=st.floats(0.0, 1.0),
        facilitation=edge_prob,
        facilitation_cost=st.floats(0.0, 1.0),
        resolved_weight=edge_prob,
        review_every=st.integers(0, 3),
        review_cost=st.floats(0.0, 1.0),
        review_correction=edge_prob,
        notice_period=st.integers(0, 3),
        exit_fee=st.floats(0.0, 2.0),
    )


def _investment() -> st.SearchStrategy[SpecificInvestment]:
    return st.builds(
        SpecificInvestment,
        rate=st.floats(0.0, 2.0),
        timing=st.sampled_from(["staged", "upfront"]),
        imbalance=st.floats(0.0, 0.99),
        specificity=edge_prob,
        recoverability=edge_prob,
        returns=st.floats(0.0, 2.0),
        lock_in=st.floats(0.0, 3.0),
        holdup=edge_prob,
    )


def _value_creation() -> st.SearchStrategy[ValueCreation]:
    return st.builds(
        ValueCreation,
        dimensions=st.integers(1, 5),
        complementarity=st.floats(0.0, 3.0),
        seek_complementarity=st.floats(0.0, 3.0),
        size_spread=st.sampled_from([0.0, 0.3, 1.0]),
        scale_elasticity=st.floats(0.0, 0.99),
        network_effect=st.floats(0.0, 1.0),
        absorptive_capacity=edge_prob,
        dividend_risk=st.sampled_from([0.0, 0.2, 1.0]),
        risk_aversion=st.floats(0.0, 2.0),
    )


def _stakeholders() -> st.SearchStrategy[StakeholderPressure]:
    return st.builds(
        StakeholderPressure,
        association_reward=st.floats(0.0, 2.0),
        scrutiny=edge_prob,
        washing_threshold=edge_prob,
        exposure_penalty=st.floats(0.0, 10.0),
        reputation_hit=edge_prob,
    )


@st.composite
def _standing(draw: Any, names: list[str]) -> Standing:
    return Standing(
        norm=draw(st.sampled_from(list(NORMS))),
        observation=draw(edge_prob),
        assessment_error=draw(prob),
        discriminating=tuple(draw(st.lists(st.sampled_from(names), unique=True, max_size=3))),
        acceptance_weight=draw(edge_prob),
        exit_bias=draw(st.floats(0.0, 1.0)),
    )


@st.composite
def _consortia(draw: Any, n: int) -> Consortia:
    min_size = draw(st.integers(2, min(4, n)))
    return Consortia(
        min_size=min_size,
        max_size=draw(st.integers(min_size, min(8, n))),
        max_memberships=draw(st.integers(1, 2)),
        formation_rate=draw(st.sampled_from([0.0, 0.2, 1.0])),
        recruit_rate=draw(edge_prob),
        invitation_draws=draw(st.integers(1, 4)),
        reciprocity=draw(edge_prob),
        mechanisms=draw(
            st.sampled_from([(), (ally.Sanction(1.0, 0.5),), (ally.ProfitSharing(0.5),)])
        ),
    )


@st.composite
def path_settings(draw: Any) -> dict[str, Any]:
    """Keywords of a valid TrustModel (with seed), parts drawn at random."""
    n = draw(st.one_of(st.integers(2, 6), st.integers(7, 40), st.integers(41, MAX_N)))
    mean = draw(prob)
    spread = draw(st.floats(0.0, min(mean, 1.0 - mean)))
    culture = draw(st.sampled_from(["practice", "hofstede"]))
    culture_spread = draw(st.floats(0.0, 0.5))
    if culture == "hofstede":
        top_noise = 1.0
    else:
        top_noise = min(10.0, 0.999 / (2 * culture_spread)) if culture_spread > 0 else 10.0
    benefit = draw(st.floats(0.01, 100.0))
    cost = draw(st.floats(0.01, 100.0))
    synergy = draw(st.floats(-100.0, 100.0))
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5, unique=True))
    if "GTFT" in names and not max(cost - benefit, (cost - benefit) / 2) <= synergy <= cost:
        names.remove("GTFT")  # GTFT exists only while its generosity is a probability
    names = names or ["TFT"]
    network = draw(
        st.sampled_from(["complete", "small-world", "graph"]) if n >= 3 else st.just("complete")
    )
    p: dict[str, Any] = {
        "n_organizations": n,
        "strategies": names,
        "benefit": benefit,
        "cost": cost,
        "synergy": synergy,
        "mechanisms": draw(mechanism_lists()),
        "continuation": draw(edge_prob),
        "noise": draw(edge_prob),
        "perception_noise": draw(edge_prob),
        "culture_spread": culture_spread,
        "culture_noise": draw(st.floats(0.0, top_noise)),
        "culture_friction": draw(edge_prob),
        "capability_mean": mean,
        "capability_spread": spread,
        "capacity": draw(st.one_of(st.just(1), st.integers(1, min(n - 1, 8)))),
        "search_rate": draw(edge_prob),
        "visibility": draw(edge_prob),
        "trust_to_contribute": draw(edge_prob),
        "competence_floor": draw(edge_prob),
        "forgetting": draw(st.one_of(st.just(1.0), st.floats(1e-3, 1.0))),
        "prior_strength": draw(st.one_of(st.just(0.0), st.floats(0.0, 20.0))),
        "attribution_discount": draw(st.floats(-0.999, 0.999)),
        "exit_threshold": draw(edge_prob),
        "stage_thresholds": sorted(draw(st.lists(st.floats(0.01, 0.99), min_size=4, max_size=4))),
        "stage_min_steps": draw(st.integers(0, 3)),
        "stake_levels": draw(st.lists(st.floats(0.01, 10.0), min_size=5, max_size=5)),
        "absorb_weight": draw(edge_prob),
        "absorb_streak": draw(st.integers(1, 4)),
        "absorb_window": draw(st.integers(0, 5)),
        "imitation_every": draw(st.integers(0, 3)),
        "imitation_payoff": draw(st.sampled_from(["per_stake", "raw"])),
        "selection": draw(st.floats(0.0, 20.0)),
        "mutation": draw(edge_prob),
        "reputation_weight": draw(st.floats(0.01, 1.0)),
        "neutral_reputation": draw(edge_prob),
        "acceptance_offset": draw(st.floats(0.0, 2.0)),
        "culture": culture,
        "seed": draw(st.integers(0, 2**32)),
    }
    if draw(st.booleans()):
        # Half the runs near the defaults, where partnerships form, last and deepen: fully
        # random settings mostly end every partnership at once.
        mean = draw(st.floats(0.6, 1.0))
        p |= {
            "capability_mean": mean,
            "capability_spread": draw(st.floats(0.0, 1.0 - mean)),
            "continuation": draw(st.floats(0.85, 1.0)),
            "search_rate": draw(st.floats(0.3, 1.0)),
            "exit_threshold": draw(st.floats(0.0, 0.4)),
            "trust_to_contribute": draw(st.floats(0.0, 0.5)),
            "competence_floor": draw(st.floats(0.0, 0.6)),
            "noise": draw(st.sampled_from([0.0, 0.01, 0.1])),
            "perception_noise": draw(st.sampled_from([0.0, 0.05, 0.2])),
            "neutral_reputation": draw(st.floats(0.4, 1.0)),
            "acceptance_offset": draw(st.floats(0.3, 2.0)),
            "stage_thresholds": sorted(draw(st.lists(st.floats(0.2, 0.8), min_size=4, max_size=4))),
        }
    if culture == "hofstede":
        countries = draw(st.lists(st.sampled_from(list(HOFSTEDE_SCORES)), min_size=2, unique=True))
        p["countries"] = countries
        if draw(st.booleans()):
            p["country_weights"] = draw(
                st.lists(st.floats(0.1, 5.0), min_size=len(countries), max_size=len(countries))
            )
        p["country_spread"] = draw(st.sampled_from([0.0, 0.0, 5.0, 20.0]))
        p["culture_scale"] = draw(st.floats(0.1, 5.0))
    if network == "small-world":
        p["network"] = "small-world"
        p["network_degree"] = 2 * draw(st.integers(1, (n - 1) // 2))
        p["rewiring"] = draw(prob)
    elif network == "graph":
        graph = draw(st.sampled_from(["gnp", "path", "star", "cycle", "barbell"]))
        if graph == "gnp":
            p["network"] = nx.gnp_random_graph(n, draw(prob), seed=draw(st.integers(0, 99)))
        elif graph == "path":
            p["network"] = nx.path_graph(n)
        elif graph == "star":
            p["network"] = nx.star_graph(n - 1)
        elif graph == "cycle" or n < 4:
            p["network"] = nx.cycle_graph(n)
        else:
            p["network"] = nx.barbell_graph(n // 2, n - 2 * (n // 2))
    parts = draw(
        st.lists(
            st.sampled_from(
                [
                    "investment",
                    "governance",
                    "value_creation",
                    "stakeholders",
                    "metrics",
                    "standing",
                    "consortia",
                ]
            ),
            unique=True,
        )
    )
    if "investment" in parts:
        p["investment"] = draw(_investment())
        p["stake_levels"] = sorted(p["stake_levels"])  # invests per unit rise of the stake
    if "governance" in parts:
        p["governance"] = draw(_governance())
    if "value_creation" in parts:
        p["value_creation"] = draw(_value_creation())
    if "stakeholders" in parts:
        p["stakeholders"] = draw(_stakeholders())
    if "metrics" in parts:
        p["metrics"] = Metrics(satisfaction_weight=draw(st.floats(0.01, 1.0)))
    if "standing" in parts:
        p["standing"] = draw(_standing(names))
    if "consortia" in parts and n >= 3:
        p["consortia"] = draw(_consortia(n))
    if draw(st.booleans()):
        # Strategy objects instead of names (the named ones keep their names, which standing's
        # discriminating list refers to), sometimes with a memory-one strategy of random
        # probabilities, and the initial strategies drawn from uneven shares.
        objects: list[Any] = [ally.strategies.named(name) for name in names]
        if draw(st.booleans()):
            chances = tuple(draw(st.lists(edge_prob, min_size=4, max_size=4)))
            objects.append(ally.strategies.MemoryOne(chances, draw(edge_prob), name="drawn"))
        p["strategies"] = objects
        if draw(st.booleans()):
            weights = draw(
                st.lists(st.floats(0.01, 1.0), min_size=len(objects), max_size=len(objects))
            )
            p["initial_shares"] = [w / sum(weights) for w in weights]
    return p


def _bytes(value: Any) -> Any:
    """What is compared: an array's dtype, shape and bytes; anything else as it is."""
    if isinstance(value, np.ndarray | np.generic):
        a = np.ascontiguousarray(value)
        if a.dtype == object:
            return ("object", a.shape, repr(a.tolist()))
        return (str(a.dtype), a.shape, a.tobytes())
    return value


def run_state(model: TrustModel) -> dict[str, Any]:
    """Everything the run leaves behind, keyed by name, each value comparable by ``==``."""
    t, e = model.table, model.table.n_active
    frame = model.datacollector.get_model_vars_dataframe()
    out: dict[str, Any] = {
        "frame.columns": list(frame.columns),
        "frame.index": _bytes(frame.index.to_numpy()),
        "rng": model.rng.bit_generator.state,
        "random": model.random.getstate(),
        "n_active": e,
        "exits": model.exits,
        "counts": (t.formed, t.dissolved, t.formed_total, t.dissolved_total, t._next_pid),
    }
    for column in frame.columns:
        out[f"frame[{column}]"] = _bytes(frame[column].to_numpy())
    for name in ("wealth", "period_payoff", "reputation", "strategy_of", "capability"):
        out[name] = _bytes(np.asarray(getattr(model, name)))
    for name in ("partner_table", "degree", "ended_by_age", "failed_by_age"):
        out[f"table.{name}"] = _bytes(np.asarray(getattr(t, name)))
    for name in t.fields:
        out[f"table.{name}"] = _bytes(getattr(t, name)[:e])
    for part, state in model.part_state.items():
        for key, value in state.items():
            if key != "scratch":  # the compiled path's working memory
                out[f"{part}.{key}"] = _bytes(np.asarray(value))
    return out


def differences(reference: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """The names whose values differ, with the first differing element of an array."""
    diffs = []
    for key in sorted(reference.keys() | other.keys()):
        a, b = reference.get(key), other.get(key)
        if a == b:
            continue
        note = key
        if isinstance(a, tuple) and len(a) == 3 and isinstance(a[2], bytes) and a[:2] == b[:2]:
            x = np.frombuffer(a[2], dtype=a[0])
            y = np.frombuffer(b[2], dtype=b[0])
            if x.size:
                bad = np.flatnonzero(
                    [x[j : j + 1].tobytes() != y[j : j + 1].tobytes() for j in range(x.size)]
                )
                i = int(bad[0])
                note += f" (flat index {i} of {a[1]}: {x[i]!r} vs {y[i]!r}, {bad.size} differ)"
        diffs.append(note)
    return diffs


def run(params: dict[str, Any], paths: str) -> dict[str, Any]:
    """Step the model once per character of ``paths`` ("0": numpy, "1": compiled)."""
    previous = os.environ.get("ALLYSIM_NUMBA")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = TrustModel(**params)
            for path in paths:
                os.environ["ALLYSIM_NUMBA"] = path
                model.step()
    finally:
        if previous is None:
            os.environ.pop("ALLYSIM_NUMBA", None)
        else:
            os.environ["ALLYSIM_NUMBA"] = previous
    return run_state(model)


def _check(params: dict[str, Any], steps: int, switch_at: int, parallel: bool) -> None:
    old = _compiled.PARALLEL_MIN_ROWS
    # The parallel twins of the row loops run from PARALLEL_MIN_ROWS rows (50,000): at 0 they
    # run at these sizes too.
    _compiled.PARALLEL_MIN_ROWS = 0 if parallel else old
    try:
        reference = run(params, "0" * steps)
        compiled = run(params, "1" * steps)
        mixed = run(params, "1" * switch_at + "0" * (steps - switch_at))
        mixed_back = run(params, "0" * switch_at + "1" * (steps - switch_at))
    finally:
        _compiled.PARALLEL_MIN_ROWS = old
    # What the runs reached (pytest --hypothesis-show-statistics): not only empty tables.
    dtype, _, raw = reference["table.stage"]
    stages = np.frombuffer(raw, dtype=dtype)
    event(f"highest stage at the end: {stages.max() if stages.size else 'no partnership'}")
    event(f"dissolved: {'some' if reference['counts'][3] else 'none'}")
    assert differences(reference, compiled) == [], "compiled"
    assert differences(reference, mixed) == [], "compiled, then numpy"
    assert differences(reference, mixed_back) == [], "numpy, then compiled"


@FUZZ
@given(path_settings(), st.integers(1, MAX_STEPS), st.data())
def test_paths_give_the_same_run(params: dict[str, Any], steps: int, data: Any) -> None:
    switch_at = data.draw(st.integers(0, steps), label="switch_at")
    parallel = data.draw(st.booleans(), label="parallel")
    _check(params, steps, switch_at, parallel)


def test_the_comparison_sees_a_difference() -> None:
    """The bytes comparison: NaN equals NaN, -0.0 differs from 0.0, another seed differs."""
    nan, zero = np.array([np.nan, 0.0]), np.array([np.nan, -0.0])
    assert differences({"x": _bytes(nan)}, {"x": _bytes(nan.copy())}) == []
    assert differences({"x": _bytes(nan)}, {"x": _bytes(zero)}) == [
        "x (flat index 1 of (2,): np.float64(0.0) vs np.float64(-0.0), 1 differ)"
    ]
    params = {"n_organizations": 12, "capacity": 2, "seed": 4}
    other = run({**params, "seed": 5}, "00")
    assert any(d.startswith("table.alpha") for d in differences(run(params, "00"), other))
