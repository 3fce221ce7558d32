"""Entry points that answered wrongly or refused unclearly, found by a new-user trial.

Each test failed on the code before the fix: a run of years started without a word, a message
named a parameter the user never passed, a plotting helper given the wrong object raised an
internal error, a strategy invading itself got 1/Z, two names of one strategy both entered.
"""

import re
import time

import numpy as np
import pandas as pd
import pytest

from allysim.abm import TrustModel, batch_run
from allysim.cli import main
from allysim.evolution import fixation_matrix
from allysim.evolution.fixation import fixation_probability, log_fixation_probability
from cli_usage import usage_error

# ----------------------------------------------------------------- 1. hours of work refused


@pytest.fixture
def no_work(monkeypatch):
    """Make any start of the work fail at once, so that the old code (which started a run of
    days) fails these tests quickly instead of hanging them."""

    def boom(*args, **kwargs):
        raise RuntimeError("the work started")

    import allysim.cli.evolve
    import allysim.cli.tournament

    monkeypatch.setattr(TrustModel, "__init__", boom)
    monkeypatch.setattr(allysim.cli.tournament.tournament, "round_robin", boom)
    monkeypatch.setattr(allysim.cli.evolve, "simulate_population", boom)
    monkeypatch.setattr(allysim.cli.evolve, "stationary_distribution", boom)


def test_trust_command_refuses_years_of_work_before_starting(tmp_path, capsys, no_work):
    argv = ["trust", "--organizations", "100000", "--steps", "100000", "--replicates", "1000"]
    start = time.perf_counter()
    line = usage_error([*argv, "--quiet", "--out", str(tmp_path / "o")], capsys)
    assert time.perf_counter() - start < 5.0
    assert line.startswith(
        "allysim trust: error: argument --organizations/--steps/--replicates/--scenario:"
    )
    # 1e5 x 1e5 x 1000 x 3 scenarios = 3e13 organization-steps, at 0.3 us each plus 0.5 ms
    # per step: (3e13 x 3e-7 + 3e8 x 5e-4 + 3000 x 1e5 x 6e-6) s = 9.15e6 s = 106 days.
    assert "3e+13 organization-steps" in line
    assert "about 106 days (the limit is 1 hour)" in line
    assert not (tmp_path / "o").exists()


def test_demo_refuses_before_its_tournament_runs(tmp_path, capsys, no_work):
    argv = ["demo", "--organizations", "100000", "--steps", "100000", "--quiet"]
    line = usage_error([*argv, "--out", str(tmp_path)], capsys)
    # demo has no --scenario option, so the message does not name one.
    assert "argument --organizations/--steps/--replicates:" in line
    assert "--scenario" not in line
    assert "6e+11 organization-steps" in line
    assert capsys.readouterr().out == ""  # nothing printed: the tournament never started


def test_trust_command_refuses_a_table_above_the_memory_budget(tmp_path, capsys, no_work):
    # 4 organizations x 100000 steps x 20 replicates x 3 scenarios: 2.5e3 s, under the hour,
    # but 6e6 table rows x 440 bytes = 2.46 GiB, above the 2 GiB budget.
    argv = ["trust", "--organizations", "4", "--steps", "100000", "--replicates", "20"]
    line = usage_error([*argv, "--quiet", "--out", str(tmp_path)], capsys)
    assert "argument --steps/--replicates/--scenario:" in line
    assert "2.46 GiB, above the memory budget of 2 GiB" in line


def test_trust_cost_model_is_linear_and_accepts_the_defaults():
    from allysim.cli.trust import _trust_seconds

    # Defaults (300 organizations, 300 steps, 20 replicates x 3 scenarios): about 11 s.
    assert _trust_seconds(300, 300, 60) == pytest.approx(60 * 300 * (5e-4 + 300 * 3e-7) + 0.108)
    # Every single option at its maximum with the others at 1 stays under the hour.
    assert _trust_seconds(100_000, 100_000, 1) < 3600


def test_evolve_with_mutation_refuses_hours_of_simulation(tmp_path, capsys, no_work):
    argv = ["evolve", "--mutation", "0.01", "--sim-replicates", "10000"]
    line = usage_error([*argv, "--sim-steps", "10000000", "--out", str(tmp_path)], capsys)
    # 1e7 updates x (40 us + 1e4 x 0.2 us) = 2.04e4 s = 5.67 hours.
    assert "argument --sim-steps/--sim-replicates:" in line
    assert "about 5.67 hours (the limit is 1 hour)" in line


# --------------------------------------------- 2. the default capacity and small populations


@pytest.mark.parametrize("n", [2, 3])
def test_small_population_with_the_default_capacity_names_n_organizations(n):
    want = (
        "n_organizations must be >= capacity + 1 = 4 (capacity is 3 by default; pass "
        f"capacity= for smaller populations), got {n}"
    )
    with pytest.raises(ValueError, match=re.escape(want)):
        TrustModel(n_organizations=n)
    with pytest.raises(ValueError, match=re.escape(want)):
        batch_run({"n_organizations": n}, max_steps=1, display_progress=False)


def test_a_capacity_that_was_passed_keeps_its_own_message():
    with pytest.raises(
        ValueError, match=re.escape("capacity must lie in [1, n_organizations - 1 = 2]")
    ):
        TrustModel(n_organizations=3, capacity=5)
    # And a capacity that fits lets the small population run.
    assert TrustModel(n_organizations=3, capacity=2, seed=0).run(2, progress=False).shape[0] == 3


# ---------------------------------------------------------- 4. no invasion by the resident


@pytest.mark.parametrize("rule", ["fermi", "moran", "moran_db", "wright_fisher"])
@pytest.mark.parametrize("func", [fixation_probability, log_fixation_probability])
def test_an_invader_equal_to_the_resident_is_refused(func, rule):
    a = np.array([[3.0, 0.0], [5.0, 1.0]])
    with pytest.raises(ValueError, match="invader and resident must be different strategies"):
        func(a, 1, 1, population=10, selection=0.5, rule=rule)
    # The neutral 1/Z of a mutant of the resident stays on the matrix's diagonal.
    assert fixation_matrix(a, population=10, selection=0.5, rule=rule)[1, 1] == 0.1


# ----------------------------------------------- 5. one strategy under two names, 6. plurals


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("WSLS,M1001", "WSLS and M1001 are the same strategy"),
        ("TFT,ALLD,M1010", "TFT and M1010 are the same strategy"),
        ("RANDOM(0.5),RANDOM(0.50)", "RANDOM(0.5) and RANDOM(0.50) are the same strategy"),
        ("ALLD,M0000", "ALLD and M0000 are the same strategy"),
        ("TFT,TFT", "TFT is named more than once"),
    ],
)
@pytest.mark.parametrize("command", ["tournament", "evolve"])
def test_two_names_of_one_strategy_are_refused(command, given, said, tmp_path, capsys):
    line = usage_error([command, "--strategies", given, "--out", str(tmp_path)], capsys)
    assert f"argument --strategies: {said}; give each strategy once" in line


def test_strategies_that_differ_only_off_the_noiseless_path_both_enter(tmp_path, capsys):
    # GRIM and M1000 play alike without noise, but after a slip to mutual contribution GRIM
    # keeps defecting and M1000 returns to contributing: two strategies.
    argv = ["tournament", "--strategies", "GRIM,M1000", "--rounds", "3", "--repetitions", "2"]
    assert main([*argv, "--quiet", "--out", str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "tournament.csv")
    assert sorted(table["strategy"]) == ["GRIM", "M1000"]


def test_trust_header_says_one_replicate_and_one_step(tmp_path, capsys):
    argv = ["trust", "--organizations", "10", "--steps", "1", "--replicates", "1"]
    assert main([*argv, "--scenario", "bonds", "--quiet", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "10 organizations, 1 step, 1 replicate per scenario;" in out
    assert "1 replicates" not in out and "1 steps" not in out


def test_tournament_line_says_one_match_and_one_round(tmp_path, capsys):
    argv = ["tournament", "--strategies", "TFT,ALLD", "--rounds", "1", "--repetitions", "1"]
    assert main([*argv, "--quiet", "--out", str(tmp_path)]) == 0
    assert "Monte Carlo: 1 match x 1 round in" in capsys.readouterr().out


# ------------------------------------------- 3. plotting helpers given the wrong object


@pytest.fixture(scope="module")
def run():
    model = TrustModel(n_organizations=12, seed=0)
    frame = model.run(3, progress=False)
    return model, frame


def _refused(error, pattern, func, *args, **kwargs):
    import matplotlib.pyplot as plt

    with pytest.raises(error, match=pattern):
        func(*args, **kwargs)
    plt.close("all")


def test_trust_figures_refuse_a_model_or_a_table_without_their_columns(run):
    from allysim.plotting import stage_composition, trust_trajectories

    model, frame = run
    hint = re.escape("got TrustModel; pass model.run(...) or model.datacollector")
    for func in (trust_trajectories, stage_composition):
        _refused(TypeError, "model_vars must be the DataFrame TrustModel.run returns", func, model)
        _refused(TypeError, hint, func, model)
        _refused(TypeError, "got ndarray", func, frame.to_numpy())
    _refused(ValueError, "it has no column trust_competence", trust_trajectories, pd.DataFrame())
    _refused(
        ValueError, "it has no column stage_assessment", stage_composition, pd.DataFrame({"a": [1]})
    )
    # Only what is missing is named.
    _refused(
        ValueError,
        "it has no column trust_goodwill$",
        trust_trajectories,
        frame.drop(columns="trust_goodwill"),
    )


def test_network_refuses_the_run_table(run):
    from allysim.plotting import partnership_network

    _, frame = run
    _refused(
        TypeError, "model must be the TrustModel itself.*got DataFrame", partnership_network, frame
    )


def test_series_figures_refuse_a_model_or_a_whole_run_table(run):
    from allysim.plotting import cooperation_over_time, strategy_shares

    model, frame = run
    _refused(
        TypeError,
        re.escape("pass model.run(...)['contribution_rate']"),
        cooperation_over_time,
        model,
    )
    _refused(TypeError, re.escape("pass frame['contribution_rate']"), cooperation_over_time, frame)
    _refused(TypeError, "shares must be data, got TrustModel", strategy_shares, model)
    _refused(
        ValueError,
        "one strategy_<name> column per strategy; it has none",
        strategy_shares,
        pd.DataFrame({0: [0.5]}),
    )
    _refused(
        TypeError, "names must be a sequence of strategy names", strategy_shares, np.eye(2), "AB"
    )


def test_evolution_and_payoff_figures_refuse_the_wrong_objects():
    from allysim.plotting import (
        mechanism_bars,
        payoff_heatmap,
        ranking_bars,
        simplex_flow,
        stationary_bars,
    )

    _refused(
        TypeError,
        "result must be the StationaryDistribution.*got ndarray",
        stationary_bars,
        np.array([0.2, 0.8]),
        ["a", "b"],
    )
    _refused(
        TypeError,
        "labels must be a sequence of strategy names.*got str",
        payoff_heatmap,
        np.eye(3),
        "ABC",
    )
    _refused(TypeError, "labels must be a sequence.*got int", simplex_flow, np.eye(3), 3)
    _refused(
        TypeError,
        "names must be a sequence.*got DataFrame",
        ranking_bars,
        pd.DataFrame({"s": [1.0]}),
        [1.0],
    )
    _refused(
        TypeError,
        "table must be the DataFrame compare_mechanisms returns.*got dict",
        mechanism_bars,
        {"a": 1},
    )
    _refused(
        ValueError,
        "table must have a scenario column",
        mechanism_bars,
        pd.DataFrame({"cooperation": [0.5]}),
        ["cooperation"],
    )
    _refused(
        TypeError,
        "metrics must be a sequence of column names",
        mechanism_bars,
        pd.DataFrame({"scenario": ["a"]}),
        "cooperation",
    )
