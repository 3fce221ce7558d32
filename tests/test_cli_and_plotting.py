import csv

import pandas as pd
import pytest

from allysim.cli import main


def test_demo_writes_table_and_figure(tmp_path, capsys):
    argv = ["demo", "--out", str(tmp_path), "--rounds", "50", "--repetitions", "20", "--quiet"]
    argv += ["--organizations", "120", "--steps", "150", "--replicates", "2"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "exact_score" in printed and "WSLS" in printed
    with open(tmp_path / "tournament.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 11
    assert [int(r["rank"]) for r in rows] == list(range(1, 12))
    scores = [float(r["exact_score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
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
    assert set(trust["scenario"]) == {"short-shadow", "long-shadow+monitoring"}
    assert len(trust) == 2 * 2 * 151
    late = trust[trust["step"] > 120].groupby("scenario")["contribution_rate"].mean()
    assert late["long-shadow+monitoring"] > late["short-shadow"] + 0.5
    assert (tmp_path / "trust.png").stat().st_size > 10_000


def test_evolve_and_trust_commands(tmp_path, capsys):
    assert main(["evolve", "--out", str(tmp_path), "--strategies", "ALLD,TFT,WSLS"]) == 0
    table = pd.read_csv(tmp_path / "evolution.csv")
    assert table["strategy"].iloc[0] == "WSLS" and table["share"].sum() == pytest.approx(1)
    argv = ["trust", "--out", str(tmp_path), "--quiet", "--steps", "20", "--organizations", "40"]
    assert main([*argv, "--scenario", "sanctions", "--replicates", "1"]) == 0
    assert set(pd.read_csv(tmp_path / "trust.csv")["scenario"]) == {"sanctions"}
    assert "Sanction" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="unknown strategy"):
        main(["evolve", "--out", str(tmp_path), "--strategies", "ALLD,NOPE"])


def test_compare_and_tournament_commands(tmp_path, capsys):
    assert main(["compare", "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "mechanisms.csv").exists()
    assert main(["tournament", "--out", str(tmp_path), "--rounds", "20", "--repetitions", "5"]) == 0
    assert "ALLD" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--noise", "1.5"],
        ["demo", "--rounds", "0"],
        ["fly"],
        [],
        ["trust", "--scenario", "nope"],
        ["evolve", "--selection", "-1"],
        ["trust", "--steps", "0"],
    ],
)
def test_bad_flags_exit_with_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage" in capsys.readouterr().err
