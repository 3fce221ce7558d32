"""compare_mechanisms: exact and simulated agree, margins are analytic, bad input is refused."""

import numpy as np
import pandas as pd
import pytest

import allysim as ally
from allysim.comparison import compare_mechanisms, default_scenarios, standard_partnership_game
from allysim.mechanisms import Bond, ProfitSharing, Sanction, ShadowOfFuture

GAME = standard_partnership_game()


@pytest.fixture(scope="module")
def exact():
    return compare_mechanisms(GAME, default_scenarios(), progress=False).set_index("scenario")


def test_default_margins_are_the_analytic_ones(exact):
    # Thresholds: sanction and bond max(T - R, P - S) / d = 2 / 0.8 = 2.5; sharing
    # 2 max(T - R, P - S) / (T - S) = 4 / 5 = 0.8; GRIM's shadow (T - R) / (T - P) = 0.5.
    assert exact.loc["sanctions", "margin_sanction"] == pytest.approx(3.0 - 2.5)
    assert exact.loc["bonds", "margin_bond"] == pytest.approx(3.0 - 2.5)  # was +0.625 at 2.5
    assert exact.loc["profit sharing", "margin_profit_sharing"] == pytest.approx(0.1)
    assert exact.loc["long shadow", "margin_shadow_of_future"] == pytest.approx(0.95 - 0.5)
    both = exact.loc["light sanction + sharing"]
    assert both["margin_sanction"] == pytest.approx(1.5 - 2.5)
    assert both["margin_profit_sharing"] == pytest.approx(0.4 - 0.8)


def test_only_a_sustaining_strategy_is_named_as_the_equilibrium_strategy(exact):
    # Continuation 0.3 is below GRIM's and TFT's shadow threshold 0.5: nothing sustains mutual
    # contribution at baseline, so no strategy may be named as sustaining it (0.4.0 named TFT).
    base = exact.loc["baseline"]
    assert not base["equilibrium"]
    assert pd.isna(base["equilibrium_strategy"])
    assert base["candidate_strategy"] == "TFT"
    assert base["deviation_margin"] < 0
    held = exact[exact["equilibrium"]]
    assert len(held) == 6
    assert (held["equilibrium_strategy"] == held["candidate_strategy"]).all()
    assert (held["deviation_margin"] >= 0).all()


def test_the_table_names_each_mechanism_with_its_parameters(exact):
    # 0.4.0's table (and the CLI's mechanisms.csv) named classes only: "Sanction".
    settings = exact.loc["light sanction + sharing", "mechanism_settings"]
    assert "Sanction(fine=1.5" in settings and "ProfitSharing(share=0.4)" in settings
    assert exact.loc["baseline", "mechanism_settings"] == "none"


def test_a_bond_and_a_transferred_sanction_compare_equal_when_salvage_is_full():
    scen = {
        "bond": [Bond(stake=3.0, detection=0.8, salvage=1.0)],
        "fine": [Sanction(fine=3.0, detection=0.8, transfer=True)],
    }
    table = compare_mechanisms(GAME, scen, progress=False).set_index("scenario")
    numeric = table.select_dtypes("number").drop(columns=["margin_bond", "margin_sanction"])
    assert np.allclose(numeric.loc["bond"].to_numpy(), numeric.loc["fine"].to_numpy())
    assert table.loc["bond", "margin_bond"] == table.loc["fine", "margin_sanction"]


def test_simulated_comparison_runs_with_its_default_continuation_and_agrees(exact):
    # Before: method="simulate" raised with the default continuation=0.3.
    sim = compare_mechanisms(
        GAME, default_scenarios(), method="simulate", repetitions=3000, seed=7, progress=False
    ).set_index("scenario")
    # Equilibrium and margins are analytic: identical.
    assert (sim["equilibrium"] == exact["equilibrium"]).all()
    margins = [c for c in exact.columns if c.startswith("margin_")]
    pd.testing.assert_frame_equal(sim[margins], exact[margins])
    # Tournament cooperation is a mean over 28 pairs x 3000 partnerships: within 0.02.
    assert np.abs(sim["tournament_cooperation"] - exact["tournament_cooperation"]).max() < 0.02
    # Where one norm dominates, the stationary outcome is the same to 0.01. Where reciprocal
    # strategies are near-neutral (the two shadow scenarios) a population of 50 at selection 1
    # amplifies payoff noise of ~0.01 into shifts of ~0.1 in shares, so only the ordering holds.
    clear = ["baseline", "monitoring", "sanctions", "bonds", "profit sharing"]
    assert np.abs(sim.loc[clear, "cooperation"] - exact.loc[clear, "cooperation"]).max() < 0.01
    for name in ("long shadow", "shadow + monitoring"):
        assert sim.loc[name, "cooperation"] > 10 * sim.loc["baseline", "cooperation"]
    again = compare_mechanisms(
        GAME, default_scenarios(), method="simulate", repetitions=3000, seed=7, progress=False
    ).set_index("scenario")
    pd.testing.assert_frame_equal(sim, again)


def test_finite_horizon_comparison_and_shares(exact):
    table = compare_mechanisms(
        GAME,
        {"none": [], "sharing": [ProfitSharing(0.9)]},
        continuation=None,
        horizon=50,
        progress=False,
    )
    shares = table[[c for c in table.columns if c.startswith("share_")]]
    assert np.allclose(shares.sum(axis=1), 1.0)
    assert ((shares >= 0) & (shares <= 1)).all().all()
    # Among strategies without end-game play, 50 rounds sustain GRIM even without mechanisms.
    assert table["equilibrium"].tolist() == [True, True]


def test_stronger_shadow_raises_cooperation_monotonically():
    scen = {f"w={w}": [ShadowOfFuture(w)] for w in (0.3, 0.6, 0.9, 0.99)}
    coop = compare_mechanisms(GAME, scen, progress=False)["cooperation"].to_numpy()
    assert np.all(np.diff(coop) > 0)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"game": None}, "game"),
        ({"game": "PD"}, "game"),
        ({"scenarios": {}}, "scenarios"),
        ({"scenarios": {"x": Sanction(fine=1, detection=1)}}, "scenarios"),
        ({"scenarios": {1: []}}, "scenarios"),
        ({"horizon": 0}, "horizon"),
        ({"population": 1}, "population"),
        ({"selection": -1.0}, "selection"),
        ({"selection": float("nan")}, "selection"),
        ({"perception_noise": 1.5}, "perception_noise"),
        ({"continuation": 1.0}, "continuation"),
        ({"method": "guess"}, "method"),
        ({"repetitions": 0}, "repetitions"),
        ({"seed": -1, "method": "simulate"}, "seed"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(kwargs, needle):
    args = {"game": GAME, "scenarios": {"none": []}, "progress": False, **kwargs}
    with pytest.raises((ValueError, TypeError), match=needle):
        compare_mechanisms(**args)


def test_progress_bar_can_be_turned_off(capsys):
    compare_mechanisms(GAME, {"none": []}, progress=False)
    assert capsys.readouterr().err == ""


def test_public_names():
    assert ally.compare_mechanisms is compare_mechanisms


def test_strategies_may_be_given_by_name_and_bad_ones_are_refused_by_name():
    # 0.4.0 raised AttributeError ('str' object has no attribute 'name') on names, which
    # round_robin accepts, and a misleading self_play hint for a single strategy.
    scen = {"sharing": [ProfitSharing(0.9)]}
    by_name = compare_mechanisms(GAME, scen, strategies=["TFT", "ALLD", "GTFT"], progress=False)
    objects = [ally.TFT, ally.ALLD, ally.GTFT(GAME)]
    by_object = compare_mechanisms(GAME, scen, strategies=objects, progress=False)
    pd.testing.assert_frame_equal(by_name, by_object)
    with pytest.raises(ValueError, match="strategies must hold at least 2"):
        compare_mechanisms(GAME, scen, strategies=["TFT"], progress=False)
    with pytest.raises(TypeError, match=r"strategies\[1\] must be a MemoryOne"):
        compare_mechanisms(GAME, scen, strategies=["TFT", 3], progress=False)
    # A factory passed uncalled gets the kernels' advice (it was "got function" alone).
    with pytest.raises(TypeError, match=r"GTFT makes a strategy: call it \(GTFT\(game\)\) or"):
        compare_mechanisms(GAME, scen, strategies=["TFT", ally.GTFT], progress=False)
    with pytest.raises(TypeError, match="strategies must be a sequence"):
        compare_mechanisms(GAME, scen, strategies="TFT", progress=False)
