"""Fuzz tests over every public function and class of ``allysim.kernels`` and
``allysim.comparison`` (and the memory budget).

Two contracts are checked for each:

* finite, in-range input gives finite results that keep their invariants: payoffs within the
  game's [min, max], outcome frequencies in [0, 1] summing to 1, shares summing to 1, the
  relabelling symmetry ``col(x, y) = row(y, x)``, and bit-identical results for one seed;
* any other input (NaN, inf, str, bool, None, wrong shapes, out of range) raises only
  ``ValueError`` or ``TypeError``, and the message names the offending parameter.

The number of inputs tried per function is counted and printed at the end of the module (run
with ``-s`` to see it).
"""

from __future__ import annotations

import os
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allysim as ally
from allysim import comparison, kernels
from allysim.mechanisms import Bond, Monitoring, ProfitSharing, Sanction, ShadowOfFuture
from strategies_hyp import dilemma, finite_state, memory_one

COUNTS: Counter[str] = Counter()
# FUZZ_SCALE multiplies the budgets for a deeper one-off run (e.g. FUZZ_SCALE=10).
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
VALID = settings(
    max_examples=40 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
INVALID = settings(
    max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PD = ally.PrisonersDilemma()


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    width = max(map(len, COUNTS), default=0)
    lines = [f"{name:<{width}}  {n:>5}" for name, n in sorted(COUNTS.items())]
    print("\nfuzz inputs tried per function:\n" + "\n".join(lines))


def raises_naming(names, call):
    """``call`` must raise ValueError/TypeError whose message names one of ``names``."""
    if isinstance(names, str):
        names = (names,)
    try:
        call()
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        assert any(n in msg for n in names), f"{type(exc).__name__} does not name {names}: {msg}"
        return
    raise AssertionError(f"no error for a bad {names}")


def _bounds(game):
    r, c = game.outcome_payoffs()
    lo, hi = min(r.min(), c.min()), max(r.max(), c.max())
    return lo - 1e-9 * (1 + abs(lo)), hi + 1e-9 * (1 + abs(hi))


strategy = st.one_of(memory_one(), finite_state())
zoo = st.lists(strategy, min_size=1, max_size=3)
prob = st.floats(0.0, 1.0)
horizon = st.one_of(
    st.builds(lambda t: {"rounds": t}, st.integers(1, 60)),
    st.builds(lambda t: {"rounds": t}, st.sampled_from([10**6, 10**18, 10**40])),
    st.builds(lambda w: {"continuation": w}, st.floats(0.0, 0.99)),
    st.just({}),
)


# ------------------------------------------------------------------------------ valid input


@VALID
@given(zoo, zoo, dilemma(), horizon, prob, prob)
def test_exact_kernel_on_valid_input(xs, ys, game, hz, noise, eta):
    COUNTS["expected_payoffs / outcome_distribution"] += 1
    kw = {**hz, "noise": noise, "perception_noise": eta}
    dist = ally.outcome_distribution(xs, ys, **kw)
    assert dist.shape == (len(xs), len(ys), 4)
    assert np.isfinite(dist).all() and (dist >= -1e-12).all() and (dist <= 1 + 1e-12).all()
    assert np.allclose(dist.sum(axis=-1), 1.0, atol=1e-9)
    row, col = ally.expected_payoffs(xs, ys, game, **kw)
    lo, hi = _bounds(game)
    assert ((row >= lo) & (row <= hi) & (col >= lo) & (col <= hi)).all()
    # Relabelling the seats: the column player's payoff is the row payoff with roles swapped.
    row_t, _ = ally.expected_payoffs(ys, xs, game, **kw)
    assert np.allclose(col, row_t.T, atol=1e-7)
    rates = ally.cooperation_rates(dist)
    assert all(((r >= -1e-12) & (r <= 1 + 1e-12)).all() for r in rates)


@VALID
@given(zoo, zoo, dilemma(), st.integers(1, 30), prob, prob, st.integers(1, 4), st.integers(0, 99))
def test_simulate_on_valid_input(xs, ys, game, rounds, noise, eta, reps, seed):
    COUNTS["simulate / SimulationResult"] += 1
    kw = {"rounds": rounds, "noise": noise, "perception_noise": eta, "repetitions": reps}
    res = ally.simulate(xs, ys, game, seed=seed, history=True, **kw)
    again = ally.simulate(xs, ys, game, seed=seed, history=True, **kw)
    assert np.array_equal(res.outcomes, again.outcomes)
    assert np.array_equal(res.history, again.history)
    assert np.allclose(res.outcomes.sum(axis=-1), 1.0)
    lo, hi = _bounds(game)
    for a in (res.row_payoffs, res.col_payoffs):
        assert ((a >= lo) & (a <= hi)).all()
    assert np.allclose(res.row_cooperation, res.history[..., 0].mean(axis=-1))
    mean = res.mean()
    assert mean[0].shape == (len(xs), len(ys))
    err = res.stderr()
    assert (err is None) == (reps == 1)
    if err is not None:
        assert all(np.isfinite(e).all() and (e >= 0).all() for e in err)


@VALID
@given(zoo, dilemma(), st.floats(0.0, 0.95), prob, st.integers(0, 99))
def test_simulate_random_lengths_on_valid_input(xs, game, w, noise, seed):
    COUNTS["simulate(continuation=...)"] += 1
    res = ally.simulate(xs, xs, game, continuation=w, noise=noise, repetitions=3, seed=seed)
    assert np.isfinite(res.outcomes).all() and (res.outcomes >= 0).all()
    # Per match the counts are scaled by (1 - w): the mean estimates frequencies summing to 1.
    assert res.rounds is None and res.continuation == w


@VALID
@given(
    st.lists(strategy, min_size=2, max_size=4), dilemma(), prob, st.booleans(), st.integers(0, 9)
)
def test_round_robin_on_valid_input(players, game, noise, self_play, seed):
    COUNTS["round_robin / TournamentResult"] += 1
    players = [
        ally.MemoryOne(p.p, p.p0, name=f"s{i}")
        if isinstance(p, ally.MemoryOne)
        else ally.FiniteStateStrategy(p.output, p.transitions, p.initial, name=f"s{i}")
        for i, p in enumerate(players)
    ]
    lo, hi = _bounds(game)
    for method in ("exact", "simulate"):
        res = ally.round_robin(
            players,
            game,
            rounds=20,
            noise=noise,
            method=method,
            self_play=self_play,
            repetitions=3,
            seed=seed,
        )
        assert ((res.scores >= lo) & (res.scores <= hi)).all()
        table = res.ranking
        assert table["score"].is_monotonic_decreasing
        assert ((table["cooperation"] >= 0) & (table["cooperation"] <= 1 + 1e-12)).all()
        assert sorted(table["strategy"]) == sorted(p.name for p in players)


@VALID
@given(
    st.integers(1, 50), prob, prob, st.one_of(prob, st.lists(prob, min_size=1)), st.integers(0, 9)
)
def test_play_round_on_valid_input(k, a, b, eta, seed):
    COUNTS["play_round"] += 1
    if isinstance(eta, list):
        eta = np.resize(np.array(eta), k)
    out = kernels.play_round(
        np.full(k, a),
        np.full(k, b),
        noise=0.1,
        perception_noise=eta,
        rng=np.random.default_rng(seed),
    )
    assert all(o.dtype == bool and o.shape == (k,) for o in out)


mechanism = st.one_of(
    st.builds(ShadowOfFuture, st.floats(0.0, 0.99)),
    st.builds(Monitoring, prob),
    st.builds(Sanction, st.floats(0, 5), prob, st.floats(0, 1), st.booleans()),
    st.builds(Bond, st.floats(0, 5), prob, prob),
    st.builds(ProfitSharing, prob),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(mechanism, max_size=2, unique_by=lambda m: m.kind), min_size=1, max_size=3)
)
def test_compare_mechanisms_on_valid_input(scenario_lists):
    COUNTS["compare_mechanisms"] += 1
    scen = {f"s{i}": mechs for i, mechs in enumerate(scenario_lists)}
    game = comparison.standard_partnership_game()
    table = ally.compare_mechanisms(game, scen, progress=False, population=10)
    shares = table[[c for c in table.columns if c.startswith("share_")]]
    assert np.allclose(shares.sum(axis=1), 1.0)
    assert ((table["cooperation"] >= 0) & (table["cooperation"] <= 1 + 1e-12)).all()
    numeric = table.select_dtypes("number").drop(
        columns=[c for c in table.columns if c.startswith("margin_")]
    )
    assert np.isfinite(numeric.to_numpy()).all()


def test_comparison_helpers():
    COUNTS["default_scenarios / default_strategies / standard_partnership_game"] += 3
    game = comparison.standard_partnership_game()
    assert game.payoff_vector == (1.5, -2.0, 3.0, 0.0)
    assert len(comparison.default_strategies(game)) == 8
    assert comparison.default_scenarios() is not comparison.default_scenarios()


# ---------------------------------------------------------------------------- invalid input

BAD_PROB = [float("nan"), float("inf"), -0.1, 1.5, "0.1", True, None, [0.1]]
BAD_COUNT = [0, -1, 1.5, "3", True, float("nan"), None, [3]]
BAD_GAME = [None, "PD", 3, np.ones((2, 2)), ally.StageGame(np.ones((3, 3)), np.ones((3, 3)))]
BAD_STRATS = [
    None,
    "NOT_A_STRATEGY",  # names are accepted ("TFT"), unknown ones refused
    [],
    [1, 2],
    [ally.TFT, "RANDOM(2)"],
    np.ones((2, 4)),
    np.full((1, 5), np.nan),
    np.full((1, 5), 2.0),
    np.ones((1, 5), dtype=bool),
    np.array([["a"] * 5]),
]
BAD_SEED = [-1, 1.5, "x", True, [1, -2]]

EXACT_CASES = (
    [("noise", v) for v in BAD_PROB]
    + [("perception_noise", v) for v in BAD_PROB]
    + [("continuation", v) for v in BAD_PROB if v is not None]
    + [("continuation", 1.0)]
    + [("rounds", v) for v in BAD_COUNT if v is not None]
    + [("game", v) for v in BAD_GAME]
    + [("row_strategies", v) for v in BAD_STRATS]
    + [("col_strategies", v) for v in BAD_STRATS]
)


@INVALID
@given(st.sampled_from(EXACT_CASES), st.sampled_from(["expected_payoffs", "outcome_distribution"]))
def test_exact_kernel_refuses_bad_input(case, fn):
    name, value = case
    COUNTS[f"{fn} (bad input)"] += 1
    args = {"row_strategies": [ally.TFT], "col_strategies": [ally.WSLS], "game": PD}
    args[name] = value
    if fn == "outcome_distribution":
        if name == "game":
            return None
        args.pop("game")
    call = getattr(ally, fn)
    raises_naming(name, lambda: call(**args))


SIM_CASES = (
    [("noise", v) for v in BAD_PROB]
    + [("perception_noise", v) for v in BAD_PROB]
    + [("rounds", v) for v in BAD_COUNT]
    + [("repetitions", v) for v in BAD_COUNT if v is not None]
    + [("seed", v) for v in BAD_SEED]
    + [("game", v) for v in BAD_GAME]
    + [("row_strategies", v) for v in BAD_STRATS]
    + [("col_strategies", v) for v in BAD_STRATS]
    + [("continuation", v) for v in (float("nan"), 1.0, -0.5, "0.5", True)]
    + [("rounds", 10**10), ("repetitions", 10**12), ("repetitions", 10**8)]
)


@INVALID
@given(st.sampled_from(SIM_CASES))
def test_simulate_refuses_bad_input(case):
    name, value = case
    COUNTS["simulate (bad input)"] += 1
    args = {"row_strategies": [ally.TFT], "col_strategies": [ally.WSLS], "game": PD, "rounds": 5}
    if name == "continuation":
        args.pop("rounds")
    args[name] = value
    raises_naming(name, lambda: ally.simulate(**args))


RR_CASES = (
    [("strategies", v) for v in [*BAD_STRATS, [ally.TFT]]]
    + [("strategies", [ally.TFT, ally.TFT])]
    + [("game", v) for v in BAD_GAME]
    + [("noise", v) for v in BAD_PROB]
    + [("rounds", v) for v in BAD_COUNT if v is not None]
    + [("repetitions", v) for v in BAD_COUNT if v is not None]
    + [("seed", v) for v in BAD_SEED]
    + [("method", v) for v in ("fast", None, 1)]
    + [("self_play", v) for v in ("yes", None, 1)]
)


@INVALID
@given(st.sampled_from(RR_CASES))
def test_round_robin_refuses_bad_input(case):
    name, value = case
    COUNTS["round_robin (bad input)"] += 1
    args = {"strategies": [ally.TFT, ally.ALLD], "game": PD, "method": "simulate", "rounds": 5}
    args[name] = value
    raises_naming(name, lambda: ally.round_robin(**args))


PLAY_CASES = (
    [("coop_a", v) for v in (None, "x", [np.nan], [1.5], [[0.5]], np.ones(3, dtype=bool))]
    + [("coop_b", v) for v in (None, [0.5, 0.5], [np.inf], [-1.0])]
    + [("noise", v) for v in BAD_PROB]
    + [("perception_noise", v) for v in (float("nan"), 2.0, "0.1", None, [0.1, 0.2])]
    + [("rng", v) for v in (None, 1, "x")]
)


@INVALID
@given(st.sampled_from(PLAY_CASES))
def test_play_round_refuses_bad_input(case):
    name, value = case
    COUNTS["play_round (bad input)"] += 1
    args = {"coop_a": [0.5], "coop_b": [0.5], "rng": np.random.default_rng(0)}
    args[name] = value
    raises_naming(name, lambda: kernels.play_round(**args))


@INVALID
@given(st.sampled_from([None, "abc", [[0.5, 0.5]], [np.nan, 0, 0, 1], [-0.5, 0.5, 0.5, 0.5]]))
def test_cooperation_rates_refuses_bad_input(value):
    COUNTS["cooperation_rates (bad input)"] += 1
    raises_naming("outcomes", lambda: ally.cooperation_rates(value))


CMP_CASES = (
    [("game", v) for v in BAD_GAME]
    + [("scenarios", v) for v in (None, {}, [], {"x": ShadowOfFuture(0.5)}, {1: []}, "s")]
    + [("horizon", v) for v in BAD_COUNT]
    + [("population", v) for v in [*BAD_COUNT, 1]]
    + [("selection", v) for v in (float("nan"), -1.0, "1", None)]
    + [("perception_noise", v) for v in BAD_PROB]
    + [("noise", v) for v in BAD_PROB]
    + [("continuation", v) for v in (float("nan"), 1.0, -0.5, "0.5")]
    + [("method", v) for v in ("fast", None)]
    + [("repetitions", v) for v in BAD_COUNT]
)


@INVALID
@given(st.sampled_from(CMP_CASES))
def test_compare_mechanisms_refuses_bad_input(case):
    name, value = case
    COUNTS["compare_mechanisms (bad input)"] += 1
    args = {"game": PD, "scenarios": {"none": []}, "progress": False}
    args[name] = value
    raises_naming(name, lambda: ally.compare_mechanisms(**args))


@given(st.sampled_from([0, -5, 1.5, "1GB", True, None]))
def test_memory_budget_setting(value):
    COUNTS["set_memory_budget"] += 1
    old = ally.memory_budget()
    try:
        if value is None:
            ally.set_memory_budget(None)
            assert ally.memory_budget() == 2 * 1024**3
        else:
            raises_naming("nbytes", lambda: ally.set_memory_budget(value))
    finally:
        ally.set_memory_budget(old)
