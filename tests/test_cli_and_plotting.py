import csv

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from allysim.cli import main
from allysim.plotting import payoff_heatmap, ranking_bars


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


# ------------------------------------------------------------------ more plots


@pytest.fixture(scope="module")
def trust_run():
    import allysim as ally
    from allysim.abm import TrustModel

    m = TrustModel(n_organizations=60, seed=1, mechanisms=[ally.ShadowOfFuture(0.98)])
    for _ in range(30):
        m.step()
    return m


def test_cooperation_over_time_band():
    from allysim.plotting import cooperation_over_time

    values = np.array([[0.2, 0.4, 0.6], [0.4, 0.6, 0.8]])
    ax = cooperation_over_time(values)
    (line,) = ax.lines
    assert np.allclose(line.get_ydata(), [0.3, 0.5, 0.7])
    band = ax.collections[0].get_paths()[0].vertices
    # 95% band: mean +- 1.96 * sd / sqrt(2) = mean +- 1.96 * 0.1414 / 1.414
    assert band[:, 1].max() == pytest.approx(0.7 + 1.959964 * 0.1, abs=1e-4)
    plt.close("all")


def test_trust_stage_and_strategy_plots(trust_run):
    from allysim.plotting import stage_composition, strategy_shares, trust_trajectories

    df = trust_run.datacollector.get_model_vars_dataframe()
    ax = trust_trajectories(df)
    assert [ln.get_label() for ln in ax.lines] == [
        "competence trust",
        "contractual trust",
        "goodwill trust",
    ]
    assert np.allclose(ax.lines[2].get_ydata(), df["trust_goodwill"])
    ax = stage_composition(df)
    assert len(ax.collections) == 5
    assert ax.get_legend().get_texts()[-1].get_text() == "institutionalization"
    ax = strategy_shares(df)
    assert len(ax.collections) == len(trust_run.strategy_names)
    ax = strategy_shares(np.array([[0.5, 0.5], [0.2, 0.8]]), ["x", "y"])
    assert ax.get_ylim() == (0, 1)
    with pytest.raises(ValueError, match="names"):
        strategy_shares(np.ones((2, 2)) / 2, ["x"])
    plt.close("all")


def test_simplex_flow_fixed_points_and_arrows():
    from allysim.plotting import simplex_flow

    # Rock-paper-scissors with a positive-sum twist: the interior point is stable.
    a = np.array([[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]])
    ax = simplex_flow(a, ["R", "P", "S"], trajectories=[np.array([[0.5, 0.3, 0.2]] * 2)])
    markers = [ln for ln in ax.lines if ln.get_marker() == "o"]
    filled = [ln for ln in markers if ln.get_markerfacecolor() == "black"]
    assert len(markers) == 4  # three vertices and the interior rest point
    assert len(filled) == 1
    x, y = filled[0].get_xdata()[0], filled[0].get_ydata()[0]
    assert (x, y) == pytest.approx((0.5, np.sqrt(3) / 6))  # the centre
    assert len(ax.collections) == 1  # the quiver
    assert sorted(t.get_text() for t in ax.texts) == ["P", "R", "S"]
    with pytest.raises(ValueError, match="shape"):
        simplex_flow(np.ones((2, 2)), ["a", "b", "c"])
    plt.close("all")


def test_stationary_bars_arrows():
    import allysim as ally
    from allysim.evolution import payoff_matrix_for, stationary_distribution
    from allysim.plotting import stationary_bars

    zoo = [ally.ALLC, ally.ALLD, ally.WSLS]
    res = stationary_distribution(
        payoff_matrix_for(zoo, ally.partnership_game(3, 1), noise=0.01),
        population=50,
        selection=1.0,
    )
    ax = stationary_bars(res, [s.name for s in zoo])
    bars = [p for p in ax.patches if p.__class__.__name__ == "Rectangle"]
    assert [b.get_height() for b in bars] == pytest.approx(res.shares.tolist())
    arrows = [p for p in ax.patches if p.__class__.__name__ == "FancyArrowPatch"]
    favoured = int(((res.fixation > 1 / 50) & ~np.eye(3, dtype=bool)).sum())
    assert len(arrows) == favoured > 0
    plt.close("all")


def test_partnership_network(trust_run):
    from allysim.plotting import partnership_network

    ax = partnership_network(trust_run, kind="contractual")
    edges = ax.collections[1]
    assert len(edges.get_paths()) == trust_run.active_partnerships
    assert ax.collections[0].get_offsets().shape == (60, 2)
    with pytest.raises(ValueError, match="kind"):
        partnership_network(trust_run, kind="love")
    plt.close("all")
