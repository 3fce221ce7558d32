import csv

import matplotlib.pyplot as plt
import numpy as np
import pytest

from allysim.cli import main
from allysim.plotting import payoff_heatmap, ranking_bars


def test_demo_writes_table_and_figure(tmp_path, capsys):
    argv = ["demo", "--out", str(tmp_path), "--rounds", "50", "--repetitions", "20", "--quiet"]
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


def test_compare_and_tournament_commands(tmp_path, capsys):
    assert main(["compare", "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "mechanisms.csv").exists()
    assert main(["tournament", "--out", str(tmp_path), "--rounds", "20", "--repetitions", "5"]) == 0
    assert "ALLD" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [["demo", "--noise", "1.5"], ["demo", "--rounds", "0"], ["fly"], []],
)
def test_bad_flags_exit_with_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_payoff_heatmap_draws_every_value():
    m = np.array([[3.0, 0.0, 1.5], [5.0, 1.0, 2.0], [4.0, 0.5, 2.5]])
    ax = payoff_heatmap(m, ["A", "B", "C"])
    assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for v in m.ravel()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["A", "B", "C"]
    assert ax.images[0].get_array().shape == (3, 3)
    with pytest.raises(ValueError, match="labels"):
        payoff_heatmap(m, ["A", "B"])
    plt.close("all")


def test_ranking_bars_sorted_with_best_on_top():
    fig, ax = plt.subplots()
    out = ranking_bars(["x", "y", "z"], np.array([1.0, 3.0, 2.0]), errors=np.full(3, 0.1), ax=ax)
    assert out is ax
    widths = [p.get_width() for p in ax.patches]
    assert widths == [1.0, 2.0, 3.0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "z", "y"]
    plt.close(fig)


def test_mechanism_bars_one_panel_per_metric():
    import pandas as pd

    from allysim.plotting import mechanism_bars

    table = pd.DataFrame(
        {
            "scenario": ["a", "b", "c"],
            "equilibrium": [False, True, True],
            "cooperation": [0.1, 0.9, 0.5],
            "welfare": [0.0, 1.2, 0.4],
        }
    )
    axes = mechanism_bars(table, metrics=("cooperation", "welfare"))
    assert len(axes) == 2
    assert [p.get_width() for p in axes[0].patches] == [0.1, 0.9, 0.5]
    colours = [p.get_facecolor() for p in axes[1].patches]
    assert colours[0] != colours[1] and colours[1] == colours[2]
    assert axes[0].yaxis_inverted()
    assert axes[1].get_title() == "welfare"
    with pytest.raises(ValueError, match="metrics not in the table"):
        mechanism_bars(table, metrics=("nope",))
    plt.close("all")
