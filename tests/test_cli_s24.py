"""Rough edges of the command line found by a new-user trial (round 24).

Each test failed on the code before its fix: simulated shares printed as NaN without a word,
a fixation check that counted unfinished runs as failed invasions, a demo figure whose panels
shared colours for different things and one panel without a title, and names refused for
their case or without a suggestion.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from allysim.cli import main
from allysim.cli.evolve import _closed_classes, _nonunique_note, _stationary_of
from cli_usage import usage_error

# ------------------------------------------------ 1. NaN simulated shares explain themselves


def test_evolve_says_why_simulated_shares_are_nan(tmp_path, capsys):
    # Stag hunt (synergy 10): ALLC and WSLS are each displaced with exact probability at most
    # 1.4e-8 at Z = 20, so 20 simulated invasions of each never succeed, and the chain built
    # from the simulated fixation probabilities has two absorbing strategies.
    argv = ["evolve", "--synergy", "10", "--population", "20", "--sim-replicates", "20"]
    assert main([*argv, "--seed", "1", "--quiet", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    shares = pd.read_csv(tmp_path / "evolution.csv")
    assert shares["simulated_share"].isna().all()
    fix = pd.read_csv(tmp_path / "fixation.csv")
    # The strategies no simulated invader displaced, read from the written file.
    never = sorted(
        name for name, rows in fix.groupby("resident") if (rows["fixation_simulated"] == 0).all()
    )
    assert never == ["ALLC", "WSLS"]
    (line,) = [x for x in out.splitlines() if x.startswith("note: simulated_share is NaN")]
    assert "no simulated invader displaced ALLC or WSLS (none of the 20 runs of each" in line
    assert "not unique" in line and "1/--sim-replicates (1/20 here)" in line
    # The likeliest of those invasions, exactly: WSLS invading ALLC.
    likeliest = fix.loc[fix["resident"].isin(never), "fixation_exact"].max()
    assert likeliest == pytest.approx(1.4427732909641124e-08, rel=1e-6)
    assert f"exact probability {likeliest:.2g}." in line
    # 1.4e-8 is out of reach of the most --sim-replicates allowed.
    assert "at most 10000" in line and "not these" in line


def test_nonunique_note_says_how_many_replicates_would_resolve_the_invasion():
    # ALLD is displaced with exact probability 0.01: 3 / 0.01 = 300 runs see one with
    # probability 1 - 0.99**300 = 95%.
    rho = np.array([[0.05, 0.0], [0.0, 0.05]])
    exact = np.array([[0.05, 0.01], [1e-5, 0.05]])
    note = _nonunique_note(rho, exact, ["ALLC", "ALLD"], 20)
    assert note is not None and "raise --sim-replicates to about 300." in note
    # One absorbing strategy: the stationary distribution is unique, nothing to explain.
    assert _nonunique_note(np.array([[0.05, 0.0], [0.2, 0.05]]), exact, ["A", "B"], 20) is None


def test_a_closed_class_of_several_strategies_is_named_as_a_group():
    # A and B displace each other, C displaces neither and neither displaces C.
    rho = np.array([[0.1, 0.3, 0.0], [0.4, 0.1, 0.0], [0.0, 0.0, 0.1]])
    note = _nonunique_note(rho, np.full((3, 3), 0.2), ["A", "B", "C"], 50)
    assert note is not None and "displaced {A, B} or C" in note


@given(
    arrays(np.float64, (5, 5), elements=st.sampled_from([0.0, 0.0, 0.3, 1.0, 2.5])),
)
def test_simulated_shares_are_nan_exactly_when_the_chain_has_several_closed_classes(weights):
    # Two ways to the same fact: the rank test of _stationary_of and the graph of moves.
    t = weights + np.diag(np.where(weights.sum(axis=1) == 0, 1.0, 0.0))
    t = t / t.sum(axis=1, keepdims=True)
    several = len(_closed_classes(t)) >= 2
    assert np.isnan(_stationary_of(t)).all() == several
    if not several:
        assert _stationary_of(t).sum() == pytest.approx(1.0)


# ------------------------------------- 2. runs that never fixed are not counted as failures


def test_fixation_check_leaves_out_pairs_whose_runs_did_not_fix(tmp_path, capsys):
    # At selection 1000 ALLC and TFT coexist (one TFT among ALLC earns 1.99 per round, its
    # ALLC neighbours 1.98), so invasions between them stall at a mix: within 2000 updates no
    # run fixes. Before, those runs counted as failed invasions: ALLC invading TFT (exact
    # probability 1) read as 0 simulated, and the check reported a difference of 1.000.
    argv = ["evolve", "--strategies", "ALLC,TFT,ALLD", "--selection", "1000", "--population"]
    argv += ["10", "--sim-replicates", "20", "--sim-steps", "2000", "--quiet"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    fix = pd.read_csv(tmp_path / "fixation.csv")
    stalled = fix[fix["simulated_runs_unfixed"] > 0]
    assert sorted(zip(stalled["invader"], stalled["resident"], strict=True)) == [
        ("ALLC", "TFT"),
        ("TFT", "ALLC"),
    ]
    assert (stalled["simulated_runs_unfixed"] == 20).all()
    allc_tft = stalled[stalled["invader"] == "ALLC"].iloc[0]
    assert allc_tft["fixation_exact"] > 0.99 and allc_tft["fixation_simulated"] == 0.0
    done = fix[fix["simulated_runs_unfixed"] == 0]
    assert len(done) == 4
    worst = (done["fixation_simulated"] - done["fixation_exact"]).abs().max()
    lines = out.splitlines()
    (check,) = [x for x in lines if x.startswith("Monte Carlo check:")]
    assert check.endswith(
        f"largest |simulated - exact| fixation probability {worst:.3f} over the 4 pairs whose "
        "runs all fixed (binomial stderr <= 0.112)"
    )
    # The old figure, over every pair, is the stalled invasion's.
    everything = (fix["fixation_simulated"] - fix["fixation_exact"]).abs().max()
    assert everything > 0.99 and f"{everything:.3f}" not in check
    after = lines[lines.index(check) + 1]
    assert after.startswith(
        "2 pairs had runs that did not fix within --sim-steps (2000 updates); raise it: "
    )
    assert "ALLC invading TFT (20 of 20 runs; ALLC at " in after
    # The NaN shares are put down to the stalled runs, not to too few replicates.
    (nan,) = [x for x in lines if x.startswith("note: simulated_share is NaN")]
    assert "Runs of ALLC invading TFT had not fixed within --sim-steps" in nan
    assert "raise --sim-replicates to about" not in nan


def test_fixation_check_over_every_pair_when_all_runs_fixed(tmp_path, capsys):
    argv = ["evolve", "--population", "10", "--sim-replicates", "30", "--quiet"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    fix = pd.read_csv(tmp_path / "fixation.csv")
    assert (fix["simulated_runs_unfixed"] == 0).all()
    worst = (fix["fixation_simulated"] - fix["fixation_exact"]).abs().max()
    # 30 runs per pair: within 4 binomial standard errors of the exact value.
    assert worst <= 4 * 0.5 / np.sqrt(30)
    assert f"fixation probability {worst:.3f} (binomial stderr <= 0.091)" in out
    assert "did not fix" not in out


# ------------------------------------------ 3. the demo figure: titles, one meaning per colour


def test_trust_figure_titles_every_panel_and_gives_scenario_colours_to_scenarios_alone():
    import argparse

    from matplotlib.colors import to_rgba

    from allysim.cli.output import _matplotlib
    from allysim.cli.trust import _run_trust, _trust_figure
    from allysim.scenarios import trust_scenarios

    # Every scenario at once, so the left panel uses as many colours as it ever can.
    ns = argparse.Namespace(organizations=10, steps=3, replicates=2, quiet=True)
    tables = {
        name: _run_trust(name, ns, np.random.SeedSequence(k))
        for k, name in enumerate(trust_scenarios())
    }
    fig = _trust_figure(tables)
    left, middle, right = fig.axes
    assert all(ax.get_title() for ax in (left, middle, right))
    scenario_colours = {to_rgba(line.get_color()) for line in left.lines}
    assert len(scenario_colours) == len(tables)
    kinds = [to_rgba(line.get_color()) for line in middle.lines]
    assert len(kinds) == 3 and not scenario_colours & set(kinds)
    # Told apart by line style instead.
    assert len({line.get_linestyle() for line in middle.lines}) == 3
    stages = [tuple(area.get_facecolor()[0]) for area in right.collections]
    assert len(set(stages)) == len(stages) == 5
    # Compared without alpha: the stacked areas are drawn translucent.
    assert not {c[:3] for c in scenario_colours} & {c[:3] for c in stages}
    _matplotlib().close("all")


# ------------------------------------------------- 4. names: any case, close matches suggested


def test_a_misspelled_command_is_answered_with_the_command_meant(capsys):
    assert usage_error(["tournment"], capsys) == (
        "allysim: error: argument COMMAND: invalid choice: 'tournment'; did you mean "
        "'tournament'? (choose from 'demo', 'tournament', 'compare', 'evolve', 'trust') "
        "(see 'allysim --help')"
    )
    # Nothing close: the choices alone, as before.
    assert "did you mean" not in usage_error(["fly"], capsys)


def test_scenarios_are_case_insensitive_like_strategy_names(tmp_path, capsys):
    small = ["--organizations", "10", "--steps", "3", "--replicates", "2", "--quiet"]
    runs = {}
    for typed in (["Sanctions"], ["sanctions"], ["SANCTIONS", "sanctions"]):
        out = tmp_path / "-".join(typed)
        argv = ["trust", *small, "--out", str(out)]
        for name in typed:
            argv += ["--scenario", name]
        assert main(argv) == 0
        runs[tuple(typed)] = pd.read_csv(out / "trust.csv")
    capsys.readouterr()
    reference = runs[("sanctions",)]
    assert set(reference["scenario"]) == {"sanctions"} and len(reference) == 2 * 4
    # The same scenario, the same seeds, the same numbers, and a repeat in another case runs once.
    for table in runs.values():
        pd.testing.assert_frame_equal(table, reference)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["trust", "--scenario", "sanction"], "invalid choice: 'sanction'; did you mean "),
        (["trust", "--scenario", "profit sharing"], "did you mean 'profit-sharing'?"),
        (["evolve", "--strategies", "ALLC,wlsl"], "'wlsl' (did you mean 'WSLS'?); known: "),
        (["tournament", "--strategies", "TFT,randm(0.5)"], "(did you mean 'RANDOM(0.5)'?)"),
        (["tournament", "--strategies", "TFT,Random"], "(did you mean 'RANDOM(p)'?)"),
    ],
)
def test_a_misspelled_name_is_answered_with_close_matches(argv, expected, capsys):
    line = usage_error([*argv, "--quiet"], capsys)
    assert expected in line
    option = argv[1]
    assert line.split(": error: ")[1].startswith(f"argument {option}: ")


def _deletions(word):
    return {word[:k] + word[k + 1 :] for k in range(len(word))}


def test_every_name_missing_one_letter_is_suggested():
    from allysim.cli.arguments import _did_you_mean
    from allysim.cli.commands import _build_parser
    from allysim.scenarios import trust_scenarios
    from allysim.strategies import named

    parser = _build_parser()
    (sub,) = [a for a in parser._actions if a.choices and "demo" in a.choices]
    for names in (list(sub.choices), list(trust_scenarios())):
        for name in names:
            for typo in _deletions(name) - set(names):
                assert repr(name) in _did_you_mean(typo.upper(), names), typo
    plain = ["ALLC", "ALLD", "TFT", "STFT", "WSLS", "GRIM", "TF2T", "ALTERNATOR", "GTFT"]
    for name in plain:
        for typo in _deletions(name) - set(plain):
            # The library's own message suggests it, so the CLI and named() agree.
            with pytest.raises(ValueError, match="unknown strategy name") as info:
                named(typo.lower())
            suggested = str(info.value).split("; known:")[0]
            assert "did you mean" in suggested and repr(name) in suggested, typo


def test_compare_and_trust_help_say_their_monitoring_scenarios_differ():
    # compare's "shadow + monitoring" and trust's "long-shadow+monitoring" are different
    # scenarios (continuation 0.9 on a stage game from continuation 0.3 and perception noise
    # 0.05, against 0.99 in the trust model from its 0.5 reference), so the labels stay apart
    # and the help says why.
    from allysim.cli.commands import _build_parser
    from allysim.mechanisms import ShadowOfFuture
    from allysim.scenarios import comparison_scenarios, trust_scenarios

    def shadow(mechanisms):
        (m,) = [m for m in mechanisms if isinstance(m, ShadowOfFuture)]
        return m.continuation

    compare = comparison_scenarios()["shadow + monitoring"]
    trust = trust_scenarios()["long-shadow+monitoring"]
    assert (shadow(compare), shadow(trust)) == (0.9, 0.99)
    parser = _build_parser()
    (sub,) = [a for a in parser._actions if a.choices and "demo" in a.choices]
    for command in ("compare", "trust", "demo"):
        # The description as given (argparse's wrapping splits hyphenated names).
        text = sub.choices[command].description
        assert "The mechanism comparison's scenarios (allysim compare" in text, command
        assert "'shadow + monitoring' sets continuation 0.9 and perception noise 0.01" in text
        assert "'long-shadow+monitoring' adds perception noise 0.01 to 'long-shadow'," in text
        assert "continuation 0.99 (reference 0.5)" in text


def test_the_help_states_the_comparisons_base_settings_as_compare_mechanisms_has_them():
    import inspect

    from allysim.cli import compare
    from allysim.comparison import compare_mechanisms

    defaults = inspect.signature(compare_mechanisms).parameters
    assert defaults["continuation"].default == compare._BASE_CONTINUATION
    assert defaults["perception_noise"].default == compare._BASE_PERCEPTION_NOISE
