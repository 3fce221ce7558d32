"""Every figure says what it shows: labelled axes (or a title where the axes are off) and
labelled colour bars."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import allysim as ally
from allysim import plotting as P
from allysim.abm import TrustModel
from allysim.comparison import compare_mechanisms
from allysim.evolution import stationary_distribution


def _figures():
    res = ally.round_robin(["TFT", "ALLD", "WSLS"], ally.PrisonersDilemma(), rounds=20)
    a = res.payoff_matrix
    m = TrustModel(n_organizations=40, seed=0)
    df = m.run(20, progress=False)
    table = compare_mechanisms(
        ally.PrisonersDilemma(), {"sanction": [ally.Sanction(2, 0.8)]}, progress=False
    )
    stat = stationary_distribution(a, population=10, selection=1.0)
    return {
        "payoff_heatmap": lambda: P.payoff_heatmap(a, res.names),
        "ranking_bars": lambda: P.ranking_bars(res.names, res.scores),
        "mechanism_bars": lambda: P.mechanism_bars(table),
        "simplex_flow": lambda: P.simplex_flow(a, res.names),
        "stationary_bars": lambda: P.stationary_bars(stat, res.names),
        "cooperation_over_time": lambda: P.cooperation_over_time(np.full((3, 10), 0.5)),
        "trust_trajectories": lambda: P.trust_trajectories(df),
        "stage_composition": lambda: P.stage_composition(df),
        "strategy_shares": lambda: P.strategy_shares(df),
        "partnership_network": lambda: P.partnership_network(m),
    }


@pytest.mark.parametrize("name", list(_figures()))
def test_every_axis_and_colour_bar_is_labelled(name):
    drawn = np.atleast_1d(_figures()[name]())
    fig = drawn[0].figure
    for ax in drawn:
        if ax.axison:
            assert ax.get_xlabel() or ax.get_xticklabels(), f"{name}: x axis unlabelled"
            assert ax.get_ylabel() or ax is not drawn[0], f"{name}: y axis unlabelled"
        else:
            assert ax.get_title(), f"{name}: axes off and no title"
    for extra in fig.axes:
        if all(extra is not ax for ax in drawn):  # a colour bar
            assert extra.get_ylabel() or extra.get_xlabel(), f"{name}: colour bar unlabelled"
    plt.close("all")


def test_network_legend_names_the_strategies_in_use():
    m = TrustModel(n_organizations=40, strategies=["TFT", "ALLD", "WSLS"], seed=1)
    m.run(5, progress=False)
    ax = P.partnership_network(m)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    used = sorted({m.strategy_names[s] for s in m.strategy_of})
    assert sorted(labels) == used
    plt.close("all")
