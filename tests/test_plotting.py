"""The plotting helpers: what they draw, and that missing values (NaN) are skipped cleanly."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from allysim.plotting import payoff_heatmap, ranking_bars


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
    with pytest.raises(ValueError, match=r"\['nope'\] are not among table's columns"):
        mechanism_bars(table, metrics=("nope",))
    plt.close("all")


def test_mechanism_bars_names_table_and_its_columns_when_metrics_are_missing():
    # The default metrics against a table without them: the message names the parameter
    # `table` and lists what it does have, so the caller sees which columns to pass.
    from allysim.plotting import mechanism_bars

    table = pd.DataFrame({"scenario": ["a"], "welfare": [1.0]})
    with pytest.raises(ValueError) as info:
        mechanism_bars(table)
    message = str(info.value)
    assert "['cooperation', 'deviation_margin'] are not among table's columns" in message
    assert "['scenario', 'welfare']" in message
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
    # 95% band with 2 replicates: mean +- t(1 dof, 0.975) * sd / sqrt(2), t = 12.7062 (a
    # normal 1.96 made few-replicate bands six times too narrow)
    assert band[:, 1].max() == pytest.approx(0.7 + 12.706205 * 0.1, abs=1e-4)
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
    known = df["trust_goodwill"].dropna()  # NaN before the first partnership has played
    assert np.allclose(ax.lines[2].get_xdata(), known.index)
    assert np.allclose(ax.lines[2].get_ydata(), known)
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
    # The arrows sit above the bars; the share axis ends a little above the largest share.
    top = res.shares.max()
    assert ax.get_ylim()[1] > top and max(ax.get_yticks()) <= min(1.0, 1.08 * top) + 1e-12
    assert ax.spines["left"].get_bounds() == pytest.approx((0, 1.08 * top))
    plt.close("all")


def test_stationary_bars_headroom_and_frame():
    import allysim as ally
    from allysim.evolution import payoff_matrix_for, stationary_distribution
    from allysim.plotting import stationary_bars

    # allysim evolve's default run: WSLS takes 0.9999 of the stationary distribution.
    zoo = [ally.ALLC, ally.ALLD, ally.TFT, ally.WSLS]
    a = payoff_matrix_for(zoo, ally.partnership_game(3, 1), noise=0.01)
    res = stationary_distribution(a, population=100, selection=1.0)
    top = float(res.shares.max())
    assert top == pytest.approx(0.9999, abs=5e-5)
    ax = stationary_bars(res, [s.name for s in zoo])
    low, high = ax.spines["left"].get_bounds()
    # Headroom: the share axis runs 8% past the tallest bar (before, it ended flush with it).
    assert low == 0 and high == pytest.approx(1.08 * top)
    # ... but reads no further than 1 (its last tick is 1.0, not 1.2).
    ticks = ax.get_yticks()
    assert max(ticks) == pytest.approx(1.0) and min(ticks) == 0
    # The arrows' room above has no frame (before: a top and a right spine, no left one).
    assert not ax.spines["top"].get_visible() and not ax.spines["right"].get_visible()
    assert ax.spines["bottom"].get_visible() and ax.spines["left"].get_visible()
    # Every arrow stays between the end of the share axis and the top of the Axes.
    arrows = [p for p in ax.patches if p.__class__.__name__ == "FancyArrowPatch"]
    assert len(arrows) == int(((res.fixation > 1 / 100) & ~np.eye(4, dtype=bool)).sum()) > 0
    ax.figure.canvas.draw()
    for arrow in arrows:
        # The drawn curves (arc and arrowhead), in data coordinates; not the control points.
        t = np.linspace(0, 1, 41)
        ys = np.concatenate([curve(t)[:, 1] for curve, _ in arrow.get_path().iter_bezier()])
        assert ys.min() > high and ys.max() < ax.get_ylim()[1]
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


# ------------------------------------------------------------------ missing values (NaN)
# The trust model reports NaN for the steps before any partnership has played. Every helper
# skips them: no warning, lines that start at the first known step, finite axis limits.

LEAD = 3  # steps of NaN at the start


def _trust_table(steps=10):
    from allysim.abm.trust import STAGES

    t = np.arange(steps, dtype=float)
    table = {}
    for k, kind in enumerate(("competence", "contractual", "goodwill")):
        table[f"trust_{kind}"] = 0.5 + 0.04 * t + 0.01 * k
    stage = np.full((len(STAGES), steps), 1 / len(STAGES))
    for s, name in enumerate(STAGES):
        table[f"stage_{name}"] = stage[s]
    table["strategy_ALLD"] = np.full(steps, 0.25)
    table["strategy_TFT"] = np.full(steps, 0.75)
    df = pd.DataFrame(table)
    df.iloc[:LEAD] = np.nan
    return df


def _assert_finite_limits(ax):
    assert np.all(np.isfinite(ax.get_xlim())) and np.all(np.isfinite(ax.get_ylim()))


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield
    plt.close("all")


def test_line_plots_start_at_the_first_known_step(no_warnings):
    from allysim.plotting import cooperation_over_time, trust_trajectories

    df = _trust_table()
    ax = trust_trajectories(df)
    for line, kind in zip(ax.lines, ("competence", "contractual", "goodwill"), strict=True):
        x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        assert x.tolist() == list(range(LEAD, 10))  # no NaN point, so no break in the line
        assert np.allclose(y, df[f"trust_{kind}"].iloc[LEAD:])
    _assert_finite_limits(ax)

    # Replicate 0 has data from step 3, replicate 1 from step 5: the mean starts at 3, the band
    # (two replicates needed) at 5, and at step 6 it is mean +- t(1 dof) * |a - b| / 2.
    v = np.array([[np.nan] * 3 + [0.2, 0.3, 0.4, 0.5], [np.nan] * 5 + [0.6, 0.9]])
    ax = cooperation_over_time(v)
    (line,) = ax.lines
    assert np.asarray(line.get_xdata()).tolist() == [3, 4, 5, 6]
    assert np.allclose(line.get_ydata(), [0.2, 0.3, 0.5, 0.7])
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 0].min() == 5 and band[:, 0].max() == 6
    assert np.isfinite(band).all()
    assert band[:, 1].max() == pytest.approx(0.7 + 12.706205 * 0.4 / 2, abs=1e-5)
    _assert_finite_limits(ax)


def test_stacked_plots_skip_incomplete_steps(no_warnings):
    from allysim.plotting import stage_composition, strategy_shares

    df = _trust_table()
    for ax in (stage_composition(df), strategy_shares(df)):
        top = ax.collections[-1].get_paths()[0].vertices
        assert np.isfinite(top).all()
        assert top[:, 0].min() == LEAD and top[:, 0].max() == 9
        assert top[:, 1].max() == pytest.approx(1.0)  # shares stack to one
        _assert_finite_limits(ax)
    arr = np.array([[np.nan, np.nan], [0.5, 0.5], [0.2, 0.8]])
    ax = strategy_shares(arr, ["x", "y"])
    assert ax.collections[0].get_paths()[0].vertices[:, 0].min() == 1


def test_bars_heatmap_and_simplex_skip_nan(no_warnings):
    from allysim.plotting import mechanism_bars, simplex_flow

    ax = payoff_heatmap(np.array([[np.nan, 1.0], [2.0, 3.0]]), ["a", "b"])
    assert [t.get_text() for t in ax.texts] == ["1.00", "2.00", "3.00"]
    assert ax.images[0].get_array().mask[0, 0]
    ax = ranking_bars(["a", "b", "c"], np.array([1.0, np.nan, 3.0]), errors=[0.1, 0.2, np.nan])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "c"]
    assert [p.get_width() for p in ax.patches] == [1.0, 3.0]
    _assert_finite_limits(ax)
    table = pd.DataFrame({"scenario": ["s", "t"], "cooperation": [np.nan, 0.5]})
    (ax,) = mechanism_bars(table, metrics=("cooperation",))
    assert [p.get_width() for p in ax.patches] == [0.0, 0.5]
    _assert_finite_limits(ax)
    rps = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
    traj = np.array([[np.nan] * 3, [0.5, 0.3, 0.2], [0.4, 0.4, 0.2]])
    ax = simplex_flow(rps, ["R", "P", "S"], trajectories=[traj])
    red = [ln for ln in ax.lines if ln.get_color() == "tab:red"]
    assert len(red) == 1 and len(red[0].get_xdata()) == 2


def test_all_missing_draws_nothing_and_infinities_are_refused(no_warnings):
    from allysim.plotting import cooperation_over_time, strategy_shares

    ax = cooperation_over_time(np.full((2, 4), np.nan))
    assert len(ax.lines[0].get_xdata()) == 0 and not ax.collections
    _assert_finite_limits(ax)
    with pytest.raises(ValueError, match="values must not contain infinities"):
        cooperation_over_time(np.array([[0.1, np.inf]]))
    with pytest.raises(ValueError, match="shares must have shape"):
        strategy_shares(np.ones(3), ["x"])
    with pytest.raises(ValueError, match="level must lie in"):
        cooperation_over_time(np.ones((2, 2)), level=1.0)


# ------------------------------------------------------------------ one run, shape messages


def test_cooperation_over_time_takes_one_runs_series(no_warnings):
    from allysim.abm import TrustModel
    from allysim.plotting import cooperation_over_time

    # The natural output of one run: a Series indexed by step, NaN before the first play.
    df = TrustModel(n_organizations=20, seed=0).run(8, progress=False)
    series = df["contribution_rate"]
    known = series.dropna()
    for values in (series, series.to_numpy(), list(series)):
        ax = cooperation_over_time(values)
        (line,) = ax.lines
        assert np.asarray(line.get_xdata()).tolist() == known.index.tolist()
        assert np.allclose(line.get_ydata(), known)
        assert not ax.collections  # one replicate: no band
        # The same as the series given as a one-row (replicates, steps) table.
        twin = cooperation_over_time(series.to_numpy()[np.newaxis, :])
        assert np.array_equal(twin.lines[0].get_ydata(), line.get_ydata())
        plt.close("all")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda P: P.cooperation_over_time(np.ones((2, 3, 4))),
            "values must have shape (replicates, steps) or (steps,), got (2, 3, 4)",
        ),
        (
            lambda P: P.strategy_shares(np.ones(3), ["x"]),
            "shares must have shape (steps, strategies), got (3,)",
        ),
        (
            lambda P: P.payoff_heatmap(np.ones(4), ["a", "b"]),
            "matrix must have shape (strategies, strategies), got (4,)",
        ),
        (
            lambda P: P.payoff_heatmap(np.ones((2, 3)), ["a", "b"]),
            "matrix must be square (strategies, strategies), got (2, 3)",
        ),
        (
            lambda P: P.simplex_flow(np.eye(3), ["a", "b", "c"], trajectories=[np.ones((4, 2))]),
            "trajectories must have shape (steps, 3), got (4, 2)",
        ),
        (
            lambda P: P.ranking_bars(["a", "b"], np.ones(3)),
            "scores must have shape (2,), got (3,)",
        ),
    ],
    ids=["cooperation", "shares", "matrix-1d", "matrix-not-square", "trajectory", "scores"],
)
def test_shape_errors_name_the_dimensions(call, message):
    from allysim import plotting

    # Before, every free size was written "n": "(n, n)" for (replicates, steps).
    with pytest.raises(ValueError) as info:
        call(plotting)
    assert str(info.value) == message
    plt.close("all")


def test_mechanism_figure_leaves_out_tournament_cooperation():
    from allysim.plotting import mechanism_bars

    # tournament_cooperation does not respond to payoff mechanisms (fixed strategies): in the
    # CLI's comparison it is 0.7299 for the baseline and every sanction, bond and sharing
    # scenario, so it is no panel beside the outcomes coloured by equilibrium.
    table = pd.DataFrame(
        {
            "scenario": ["baseline", "sanctions"],
            "equilibrium": [False, True],
            "cooperation": [0.014, 0.98],
            "welfare": [0.02, 1.9],
            "tournament_cooperation": [0.7299, 0.7299],
            "deviation_margin": [-0.6, 1.716],
        }
    )
    axes = mechanism_bars(table)
    assert [ax.get_title() for ax in axes] == ["cooperation", "welfare", "deviation margin"]
    assert [p.get_width() for p in axes[2].patches] == [-0.6, 1.716]
    # Still available on request.
    (ax,) = mechanism_bars(table, metrics=("tournament_cooperation",))
    assert ax.get_title() == "tournament cooperation"
    plt.close("all")


def test_values_off_the_fixed_unit_axis_are_refused():
    # The time figures fix their y axis to 0-1: a value of 1.5, or stacked counts, used to be
    # drawn off the axes (or the stack cut at the top) without a word.
    from allysim.abm.trust import STAGES
    from allysim.plotting import (
        cooperation_over_time,
        stage_composition,
        strategy_shares,
        trust_trajectories,
    )

    with pytest.raises(ValueError, match=r"values must lie in \[0, 1\].*\[0\.5, 1\.5\]"):
        cooperation_over_time(np.array([[0.5, 1.5], [0.5, np.nan]]))
    with pytest.raises(ValueError, match=r"values must lie in \[0, 1\]"):
        cooperation_over_time(np.array([-0.1, 0.5]))
    with pytest.raises(ValueError, match=r"shares must lie in \[0, 1\].*\[20, 40\]"):
        strategy_shares(np.array([[30.0, 30.0], [20.0, 40.0]]), ["a", "b"])
    with pytest.raises(ValueError, match=r"shares must sum to 1 at each step.*got 0\.6"):
        strategy_shares(np.array([[0.3, 0.3], [0.5, 0.5]]), ["a", "b"])
    trust = pd.DataFrame(
        {"trust_competence": [0.5, 2.0], "trust_contractual": [0.5, 0.5], "trust_goodwill": 0.5}
    )
    with pytest.raises(ValueError, match=r"trust_competence must lie in \[0, 1\]"):
        trust_trajectories(trust)
    stages = pd.DataFrame({f"stage_{s}": [np.nan, 0.3] for s in STAGES})
    with pytest.raises(ValueError, match=r"stage shares must sum to 1.*got 1\.5"):
        stage_composition(stages)
    plt.close("all")
    # At the bounds, missing steps and sums off by rounding only are drawn.
    strategy_shares(np.array([[np.nan, 0.5], [1 / 3, 2 / 3], [0.0, 1.0]]), ["a", "b"])
    cooperation_over_time(np.array([[0.0, 1.0, np.nan]]))
    plt.close("all")


def test_band_leaves_a_gap_where_fewer_than_two_replicates_have_data():
    # "Drawn where at least two replicates have data": step 5 has one, so the band stops at 4
    # and starts again at 6 (it was drawn straight across step 5 with made-up limits).
    from allysim.plotting import cooperation_over_time

    rng = np.random.default_rng(0)
    v = rng.random((4, 10))
    v[1:, 5] = np.nan
    ax = cooperation_over_time(v)
    spans = [
        (p.vertices[:, 0].min(), p.vertices[:, 0].max()) for p in ax.collections[0].get_paths()
    ]
    assert spans == [(0.0, 4.0), (6.0, 9.0)]
    plt.close(ax.figure)


@pytest.mark.parametrize(
    ("population", "error"), [(0, ValueError), (-5, ValueError), (2.5, TypeError)]
)
def test_stationary_bars_checks_population(population, error):
    # population=0 fell back to reading Z from the result, and a negative Z drew every arrow.
    from allysim.evolution import stationary_distribution
    from allysim.plotting import stationary_bars

    res = stationary_distribution(np.array([[3.0, 0.0], [5.0, 1.0]]), population=20, selection=1)
    with pytest.raises(error, match="population"):
        stationary_bars(res, ["C", "D"], population=population)
    ax = stationary_bars(res, ["C", "D"], population=20)
    assert "Z = 20" in ax.get_xlabel()
    plt.close("all")
