"""The ``allysim`` command line: real runs, their files, and one-line usage errors."""

import argparse
import csv
import inspect

import numpy as np
import pandas as pd
import pytest

import allysim
from allysim import cli
from allysim.cli import main
from allysim.evolution import payoff_matrix_for, stationary_distribution
from allysim.games import partnership_game
from allysim.mechanisms import ShadowOfFuture
from allysim.strategies import named


def _usage_error(argv, capsys):
    """Run ``main(argv)``, expect exit status 2; return the stderr lines."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    captured = capsys.readouterr()
    return captured.err.splitlines()


def test_demo_writes_table_and_figure(tmp_path, capsys):
    argv = ["demo", "--out", str(tmp_path), "--rounds", "50", "--repetitions", "20", "--quiet"]
    argv += ["--organizations", "120", "--steps", "150", "--replicates", "2"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "exact_score" in printed and "WSLS" in printed
    assert "excluding the match against a copy of itself" in printed
    with open(tmp_path / "tournament.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 11
    assert [int(r["rank"]) for r in rows] == list(range(1, 12))
    scores = [float(r["exact_score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    # ALLD's exact score without self-play: against ALLC it earns T = 5 per round; the CSV
    # agrees with the kernel called directly with self_play=False.
    game = allysim.PrisonersDilemma()
    zoo = [*allysim.CLASSIC, allysim.RANDOM(0.5), allysim.extortionate(game)]
    ref = allysim.round_robin(zoo, game, rounds=50, noise=0.05, self_play=False)
    by_name = dict(zip(ref.names, ref.scores, strict=True))
    for r in rows:
        assert float(r["exact_score"]) == pytest.approx(by_name[r["strategy"]], abs=1e-12)
    # Every simulated score is within 4 standard errors of the exact one.
    for r in rows:
        assert abs(float(r["simulated_score"]) - float(r["exact_score"])) <= 4 * float(r["stderr"])
    assert (tmp_path / "tournament.png").stat().st_size > 10_000
    assert "light sanction + sharing" in printed
    with open(tmp_path / "mechanisms.csv") as fh:
        mech = {r["scenario"]: r for r in csv.DictReader(fh)}
    assert mech["baseline"]["equilibrium"] == "False"
    assert float(mech["sanctions"]["cooperation"]) > 0.95
    assert (tmp_path / "mechanisms.png").stat().st_size > 10_000
    trust = pd.read_csv(tmp_path / "trust.csv")
    assert list(dict.fromkeys(trust["scenario"])) == list(cli.DEFAULT_TRUST_SCENARIOS)
    assert len(trust) == 3 * 2 * 151
    late = trust[trust["step"] > 120].groupby("scenario")["contribution_rate"].mean()
    assert late["long-shadow+monitoring"] > late["short-shadow"] + 0.5
    assert (tmp_path / "trust.png").stat().st_size > 10_000


def test_evolve_and_trust_commands(tmp_path, capsys):
    argv = ["evolve", "--out", str(tmp_path), "--strategies", "ALLD,TFT,WSLS", "--quiet"]
    assert main([*argv, "--sim-replicates", "20", "--population", "30"]) == 0
    table = pd.read_csv(tmp_path / "evolution.csv")
    assert table["strategy"].iloc[0] == "WSLS" and table["share"].sum() == pytest.approx(1)
    assert "simulated_share" in table.columns
    argv = ["trust", "--out", str(tmp_path), "--quiet", "--steps", "20", "--organizations", "40"]
    assert main([*argv, "--scenario", "sanctions", "--replicates", "1"]) == 0
    assert set(pd.read_csv(tmp_path / "trust.csv")["scenario"]) == {"sanctions"}
    assert "+ sanction (fine 3" in capsys.readouterr().out


def test_compare_and_tournament_commands(tmp_path, capsys):
    assert main(["compare", "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "mechanisms.csv").exists()
    # The printed table says what its columns mean.
    printed = capsys.readouterr().out
    assert "sustained by equilibrium_strategy" in printed
    # The parameter is perception_noise, and the figure's title says "perception noise".
    assert "continuation 0.3, perception noise 0.05;" in printed
    assert "perception error" not in printed
    assert main(["tournament", "--out", str(tmp_path), "--rounds", "20", "--repetitions", "5"]) == 0
    out = capsys.readouterr().out
    assert "ALLD" in out
    # 11 strategies, no self-play: 55 pairs x 5 repetitions.
    assert "Monte Carlo: 275 matches x 20 rounds" in out


# ------------------------------------------------------------------ usage errors


@pytest.mark.parametrize(
    ("argv", "option", "allowed"),
    [
        (["demo", "--noise", "1.5"], "--noise", "[0, 1]"),
        (["demo", "--rounds", "0"], "--rounds", "[1, 100000]"),
        (["tournament", "--rounds", "abc"], "--rounds", "[1, 100000]"),
        (["tournament", "--rounds", "2.5"], "--rounds", "[1, 100000]"),
        (["tournament", "--seed", "-1"], "--seed", "[0, 2**63 - 1]"),
        (["demo", "--seed", "-1"], "--seed", "[0, 2**63 - 1]"),
        (["trust", "--seed", "-1"], "--seed", "[0, 2**63 - 1]"),
        (["evolve", "--seed", "-1"], "--seed", "[0, 2**63 - 1]"),
        (["evolve", "--seed", "1e3"], "--seed", "[0, 2**63 - 1]"),
        (["evolve", "--population", "1"], "--population", "[2, 10000]"),
        (["evolve", "--selection", "-1"], "--selection", "[0, 1000]"),
        (["evolve", "--benefit", "nan"], "--benefit", "(0, 1e+06]"),
        (["evolve", "--cost", "inf"], "--cost", "(0, 1e+06]"),
        (["evolve", "--continuation", "1"], "--continuation", "[0, 1)"),
        (["evolve", "--strategies", "ALLD,NOPE"], "--strategies", "known: ALLC"),
        (["evolve", "--strategies", "ALLD,RANDOM(2)"], "--strategies", "[0, 1]"),
        (["evolve", "--strategies", "TFT,TFT"], "--strategies", "named more than once"),
        (["tournament", "--strategies", "TFT,NOPE"], "--strategies", "known: ALLC"),
        (
            ["tournament", "--strategies", "TFT,ALLD,TFT"],
            "--strategies",
            "TFT is named more than once",
        ),
        (["tournament", "--strategies", "TFT"], "--strategies", "two or more"),
        (["tournament", "--strategies", "TFT,ALLD,"], "--strategies", "an empty name"),
        # Before, evolve ran one strategy (share 1, whatever the game) and took an empty name
        # for an unknown one.
        (["evolve", "--strategies", "ALLC"], "--strategies", "two or more"),
        (["evolve", "--strategies", "ALLC,,ALLD"], "--strategies", "an empty name"),
        (["evolve", "--mutation", "0.1", "--population", "5000"], "--population", "states"),
        (["trust", "--organizations", "1"], "--organizations", "[4, 100000]"),
        (["demo", "--organizations", "3"], "--organizations", "[4, 100000]"),
        (["trust", "--steps", "0"], "--steps", "[1, 100000]"),
        (["trust", "--scenario", "nope"], "--scenario", "long-shadow+monitoring"),
        (["trust", "--replicates", ""], "--replicates", "[1, 1000]"),
        (["compare", "--out", ""], "--out", "non-empty"),
        (["tournament", "--out", "/dev/null"], "--out", "not a folder"),
        (["tournament", "--out", "/proc/allysim-test/x"], "--out", "cannot write"),
    ],
)
def test_bad_argument_is_one_line_exit_2(argv, option, allowed, capsys):
    lines = _usage_error(argv, capsys)
    assert len(lines) == 1, lines
    assert f"argument {option}" in lines[0] or f"{option}:" in lines[0] or option in lines[0]
    assert allowed in lines[0]
    assert "Traceback" not in lines[0] and "_int_in" not in lines[0]


@pytest.mark.parametrize("argv", [["fly"], [], ["tournament", "--bogus", "1"]])
def test_bad_command_is_one_line_exit_2(argv, capsys):
    assert len(_usage_error(argv, capsys)) == 1


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["compare", "--seed", "3"],
            "allysim compare: error: unrecognized arguments: --seed 3 "
            "(see 'allysim compare --help')",
        ),
        (
            ["evolve", "--population", "5", "--stategies", "ALLD"],
            "allysim evolve: error: unrecognized arguments: --stategies ALLD "
            "(see 'allysim evolve --help')",
        ),
        # Before the subcommand, an unknown option is the top-level parser's.
        (
            ["--bogus", "compare"],
            "allysim: error: unrecognized arguments: --bogus (see 'allysim --help')",
        ),
    ],
)
def test_unrecognized_arguments_point_to_the_help_that_lists_the_options(argv, expected, capsys):
    # Before, a subcommand's stray option sent the user to 'allysim --help'.
    assert _usage_error(argv, capsys) == [expected]


def test_nothing_written_when_an_argument_is_refused(tmp_path, capsys):
    out = tmp_path / "new" / "deeper"
    _usage_error(["evolve", "--out", str(out), "--strategies", "ALLD,NOPE"], capsys)
    _usage_error(["trust", "--out", str(out), "--organizations", "1"], capsys)
    # A file in the way of --out, and a folder under a file.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _usage_error(["tournament", "--out", str(blocker)], capsys)
    _usage_error(["tournament", "--out", str(blocker / "sub")], capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert blocker.read_text() == "x"


def test_library_refusal_mid_run_is_one_line_and_leaves_no_files(tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise ValueError("population must be an integer >= 2, got 1")

    # The library refuses inside the compare section, after --out was probed and created.
    monkeypatch.setattr(allysim.comparison, "compare_mechanisms", refuse)
    out = tmp_path / "made" / "by-run"
    lines = _usage_error(["compare", "--out", str(out)], capsys)
    assert len(lines) == 1 and "population must be" in lines[0]
    # The folders --out needed were created to probe them, then removed again.
    assert list(tmp_path.iterdir()) == []


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"allysim {allysim.__version__}"


def _subparsers():
    parser = cli._build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return parser, action.choices


def test_every_option_of_every_command_has_help():
    parser, commands = _subparsers()
    assert set(commands) == {"demo", "tournament", "compare", "evolve", "trust"}
    for name, sub in [("allysim", parser), *commands.items()]:
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and action.help.strip(), (name, action.option_strings)


def test_scenario_texts_say_perception_noise_as_the_parameter_is_named():
    from allysim import scenarios

    _, commands = _subparsers()
    texts = [sub.format_help() for sub in commands.values()]
    texts += list(scenarios.TRUST_SCENARIO_NOTES.values())
    texts += [inspect.getdoc(obj) or "" for obj in vars(scenarios).values() if callable(obj)]
    texts.append(scenarios.__doc__ or "")
    assert not [t for t in texts if "perception error" in " ".join(t.split())]
    assert "+ monitoring (perception noise 0.01)" in scenarios.TRUST_SCENARIO_NOTES["monitoring"]
    assert "perception noise 0.05 -> 0.01" in inspect.getdoc(scenarios.comparison_scenarios)


def test_every_integer_and_number_option_states_its_range_in_help():
    _, commands = _subparsers()
    for sub in commands.values():
        for action in sub._actions:
            if action.type is not None and action.dest != "out":
                assert "[" in action.help or "(" in action.help, action.option_strings


# ------------------------------------------------------------------ evolve's seed


def _evolve_table(tmp_path, capsys, *extra):
    argv = ["evolve", "--out", str(tmp_path), "--quiet", "--strategies", "ALLC,ALLD,WSLS"]
    assert main([*argv, *extra]) == 0
    capsys.readouterr()
    return pd.read_csv(tmp_path / "evolution.csv").set_index("strategy")


@pytest.mark.parametrize(
    "extra",
    [
        ["--population", "12", "--sim-replicates", "30", "--selection", "0.5"],
        ["--population", "12", "--mutation", "0.1", "--sim-replicates", "4", "--sim-steps", "4000"],
    ],
)
def test_evolve_seed_drives_the_simulation_and_reproduces(tmp_path, capsys, extra):
    a = _evolve_table(tmp_path, capsys, *extra, "--seed", "1")
    b = _evolve_table(tmp_path, capsys, *extra, "--seed", "1")
    c = _evolve_table(tmp_path, capsys, *extra, "--seed", "2")
    assert a.equals(b)
    assert not np.allclose(a["simulated_share"], c["simulated_share"])
    # The exact column does not depend on the seed.
    assert np.array_equal(a["share"], c["share"])


def test_evolve_simulation_agrees_with_the_exact_chain(tmp_path, capsys):
    # With mutation, time-averaged shares of the simulated chain estimate the exact mean
    # abundances: 8 populations x 40000 updates, Z = 10; tolerance 0.05 per share.
    extra = ["--population", "10", "--mutation", "0.05", "--sim-replicates", "8"]
    table = _evolve_table(tmp_path, capsys, *extra, "--sim-steps", "40000", "--seed", "3")
    game = partnership_game(3.0, 1.0)
    zoo = [named(x, game) for x in ("ALLC", "ALLD", "WSLS")]
    a = payoff_matrix_for(zoo, game, noise=0.01)
    exact = stationary_distribution(a, population=10, selection=1.0, mutation=0.05).shares
    assert table.loc[["ALLC", "ALLD", "WSLS"], "share"].to_numpy() == pytest.approx(exact)
    sim = table.loc[["ALLC", "ALLD", "WSLS"], "simulated_share"].to_numpy()
    assert np.abs(sim - exact).max() < 0.05


def test_evolve_small_mutation_simulated_fixation(capsys):
    # Neutral selection: every invasion fixes with probability 1/Z; 400 runs per pair estimate
    # it within 4 binomial standard errors (sqrt(0.1 * 0.9 / 400) = 0.015).
    a = np.array([[1.0, 1.0], [1.0, 1.0]])
    res = stationary_distribution(a, population=10, selection=0.0)
    ns = argparse.Namespace(
        population=10, selection=0.0, sim_replicates=400, sim_steps=100_000, seed=5, quiet=True
    )
    shares, note, _, _ = cli._simulate_small_mutation(a, res, ns)
    worst = float(note.split("fixation probability ")[1].split()[0])
    assert worst < 4 * 0.015
    assert shares == pytest.approx([0.5, 0.5], abs=0.1)


# ------------------------------------------------------------------ trust scenarios


def _continuation(mechanisms):
    (shadow,) = [m for m in mechanisms if isinstance(m, ShadowOfFuture)]
    return shadow.continuation


def test_trust_mechanisms_compared_at_one_shadow_of_the_future():
    scenarios = cli.trust_scenarios()
    assert set(scenarios) == set(cli.TRUST_SCENARIO_NOTES)
    for name, mechanisms in scenarios.items():
        note = cli.TRUST_SCENARIO_NOTES[name]
        if name == "short-shadow":
            assert [type(m) for m in mechanisms] == [ShadowOfFuture]
            assert _continuation(mechanisms) == cli.BASE_SHADOW
            continue
        reference = note.split(":")[0].removeprefix("vs ")
        ref = scenarios[reference]
        kinds = {type(m) for m in mechanisms}
        ref_kinds = {type(m) for m in ref}
        if name == "long-shadow":
            # Varies the shadow alone.
            assert kinds == ref_kinds == {ShadowOfFuture}
            assert _continuation(mechanisms) == cli.LONG_SHADOW
        else:
            # Adds exactly one mechanism, at the reference's shadow of the future.
            assert len(kinds - ref_kinds) == 1 and ref_kinds <= kinds
            assert _continuation(mechanisms) == _continuation(ref)
    mechanism_scenarios = ["monitoring", "sanctions", "bonds", "profit-sharing"]
    assert {_continuation(scenarios[n]) for n in mechanism_scenarios} == {cli.BASE_SHADOW}


def test_fewest_organizations_is_what_the_trust_model_accepts(tmp_path, capsys):
    from allysim.abm import TrustModel, TrustParams

    capacity = TrustParams().capacity
    assert capacity + 1 == cli.TRUST_MIN_ORGANIZATIONS
    argv = ["trust", "--out", str(tmp_path), "--quiet", "--steps", "2", "--replicates", "1"]
    assert main([*argv, "--organizations", str(cli.TRUST_MIN_ORGANIZATIONS)]) == 0
    with pytest.raises(ValueError, match="capacity"):
        TrustModel(n_organizations=cli.TRUST_MIN_ORGANIZATIONS - 1)


def test_trust_help_says_what_each_scenario_varies():
    _, commands = _subparsers()
    text = " ".join(commands["trust"].format_help().split())
    for name in cli.trust_scenarios():
        assert f"{name}: " in text


def test_demo_passes_self_play_explicitly():
    assert "self_play" in inspect.signature(allysim.round_robin).parameters
    from allysim.cli.tournament import _tournament_tables
    from allysim.scenarios import tournament_strategies

    ns = argparse.Namespace(rounds=20, noise=0.05, repetitions=2, seed=1)
    table, _ = _tournament_tables(ns)
    game = allysim.PrisonersDilemma()
    ref = allysim.round_robin(tournament_strategies(game), game, rounds=20, noise=0.05)
    by_name = dict(zip(ref.names, ref.scores, strict=True))
    assert table["exact_score"].tolist() == [by_name[n] for n in table["strategy"]]


def test_tournament_plays_the_strategies_it_is_given(tmp_path):
    argv = ["tournament", "--out", str(tmp_path), "--rounds", "10", "--noise", "0"]
    assert main([*argv, "--repetitions", "3", "--strategies", "TFT,ALLD,M1001", "--quiet"]) == 0
    table = pd.read_csv(tmp_path / "tournament.csv").set_index("strategy")
    # 10 rounds, R=3 S=0 T=5 P=1, self-play excluded. ALLD: T + 9P = 14 against TFT; against
    # WSLS (M1001), which cooperates after DD, T and P alternate: 30. TFT: 9 against ALLD, 30
    # against WSLS. WSLS: 30 against TFT, S and P alternating against ALLD: 5.
    expected = {"ALLD": (14 + 30) / 20, "TFT": (9 + 30) / 20, "M1001": (30 + 5) / 20}
    for name, score in expected.items():
        assert table.loc[name, "exact_score"] == pytest.approx(score, abs=1e-12)
    assert list(table.sort_values("rank").index) == ["ALLD", "TFT", "M1001"]


def test_evolve_with_mutation_labels_its_share_axis(capsys):
    # With --mutation the figure is plain bars of the stationary shares; 0.4.0 left its y axis
    # unlabelled (new-user trial).
    import argparse

    import matplotlib.pyplot as plt

    from allysim.cli.arguments import _Parser
    from allysim.cli.evolve import _evolve_section, _evolve_setup

    ns = argparse.Namespace(
        benefit=3.0,
        cost=1.0,
        synergy=0.0,
        strategies="ALLD,WSLS",
        noise=0.01,
        continuation=None,
        population=10,
        selection=1.0,
        mutation=0.1,
        sim_replicates=0,
        sim_steps=10,
        seed=0,
        quiet=True,
    )
    plt.close("all")
    _evolve_section(ns, *_evolve_setup(_Parser(), ns))
    ax = plt.gcf().axes[0]
    assert "stationary share" in ax.get_ylabel()
    assert "mutation 0.1" in ax.get_title()
    plt.close("all")
    capsys.readouterr()


def test_trust_scenarios_do_not_depend_on_their_company(capsys, tmp_path):
    # 0.4.0 spawned seeds by position in the list: short-shadow gave 0.689 listed first and
    # 0.478 listed second. Now by name; the seed column repeats one run alone.
    import matplotlib.pyplot as plt

    from allysim.abm import TrustModel
    from allysim.cli.trust import _trust_section
    from allysim.scenarios import trust_scenarios

    def table(names):
        ns = argparse.Namespace(
            organizations=30, steps=8, replicates=2, quiet=True, seed=5, scenario=list(names)
        )
        (csv_artifact,) = [a for a in _trust_section(ns) if a.name == "trust.csv"]
        plt.close("all")
        path = tmp_path / "trust.csv"
        csv_artifact.write(path)
        return pd.read_csv(path)

    first = table(["short-shadow", "sanctions"])
    second = table(["sanctions", "short-shadow"])
    capsys.readouterr()
    for name in ("short-shadow", "sanctions"):
        a = first[first.scenario == name].reset_index(drop=True)
        b = second[second.scenario == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b)
    row = first[(first.scenario == "sanctions") & (first.replicate == 1)]
    alone = TrustModel(
        n_organizations=30, mechanisms=trust_scenarios()["sanctions"], seed=int(row.seed.iloc[0])
    ).run(8, progress=False)
    np.testing.assert_array_equal(
        row["contribution_rate"].to_numpy(), alone["contribution_rate"].to_numpy()
    )


def test_tournament_csv_has_z_and_deterministic_play_scores_z_zero(tmp_path, capsys):
    # The printed z column is in the CSV too (0.4.0 dropped it); with deterministic play the
    # standard error is exactly 0 and z is 0 where simulated and exact agree, not NaN or inf.
    argv = ["tournament", "--noise", "0", "--rounds", "20", "--repetitions", "5"]
    argv += ["--strategies", "TFT,ALLD,WSLS", "--quiet", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "largest |simulated - exact| / stderr over strategies: 0.00" in out
    table = pd.read_csv(tmp_path / "tournament.csv")
    assert list(table.columns)[-2:] == ["stderr", "z"]
    assert (table["stderr"] == 0).all() and (table["z"] == 0).all()


def test_evolve_writes_the_fixation_probabilities_it_summarises(tmp_path, capsys):
    # 0.4.0 printed a check of simulated against exact fixation probabilities but wrote neither.
    argv = ["evolve", "--quiet", "--population", "12", "--sim-replicates", "40", "--seed", "3"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    fix = pd.read_csv(tmp_path / "fixation.csv")
    names = ["ALLC", "ALLD", "TFT", "WSLS"]
    assert len(fix) == 12 and set(fix["invader"]) == set(names)
    game = partnership_game(3.0, 1.0)
    zoo = [named(x, game) for x in names]
    a = payoff_matrix_for(zoo, game, noise=0.01)
    exact = stationary_distribution(a, population=12, selection=1.0).fixation
    for row in fix.itertuples():
        i, j = names.index(row.invader), names.index(row.resident)
        assert row.fixation_exact == pytest.approx(exact[i, j], abs=1e-15)
        # 40 invasions per pair: within 4 binomial standard errors (at most 0.079).
        assert abs(row.fixation_simulated - row.fixation_exact) <= 4 * 0.5 / np.sqrt(40)


def test_tournament_without_a_standard_error_says_so_instead_of_nan(tmp_path, capsys):
    # Two simulated TFT-ALLD matches of 5 rounds at this seed score alike: stderr 0 while the
    # mean differs from the exact score, so z is undefined. Before, the summary read "nan".
    argv = ["tournament", "--strategies", "TFT,ALLD", "--rounds", "5", "--repetitions", "2"]
    argv += ["--seed", "2024", "--quiet", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    table = pd.read_csv(tmp_path / "tournament.csv")
    assert (table["stderr"] == 0).all() and table["z"].isna().all()
    assert (table["simulated_score"] != table["exact_score"]).all()
    line = next(x for x in out.splitlines() if x.startswith("largest |simulated - exact|"))
    assert "nan" not in line
    assert line.endswith(
        "none; no standard error for ALLD, TFT: their 2 simulated matches per pair all "
        "scored alike (raise --repetitions)"
    )


def test_tournament_with_one_repetition_gives_the_reason_it_has_no_standard_error(tmp_path, capsys):
    # One match per pair: no stderr for anyone, and not because matches "all scored alike"
    # (the line read "their 1 simulated matches per pair all scored alike").
    argv = ["tournament", "--strategies", "TFT,ALLD,RANDOM(0.5)", "--rounds", "20"]
    argv += ["--noise", "0.1", "--repetitions", "1", "--quiet", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert pd.read_csv(tmp_path / "tournament.csv")["stderr"].isna().all()
    line = next(x for x in out.splitlines() if x.startswith("largest |simulated - exact|"))
    assert line.endswith(
        "none; no standard error for ALLD, TFT, RANDOM(0.5): one simulated match per pair has "
        "no spread (use --repetitions 2 or more)"
    ), line


def test_tournament_help_example_pastes_into_the_shell():
    # Unquoted, RANDOM(0.5) in the example is a bash syntax error when pasted.
    import re
    import shutil
    import subprocess

    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("needs bash")
    _, commands = _subparsers()
    (action,) = [a for a in commands["tournament"]._actions if a.dest == "strategies"]
    example = re.search(r"e\.g\. (\S+)", action.help).group(1)
    assert "RANDOM(0.5)" in example
    check = subprocess.run([bash, "-n", "-c", f"allysim tournament --strategies {example}"])
    assert check.returncode == 0, example
