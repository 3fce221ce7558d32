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
    assert "no simulated invader displaced ALLC or WSLS (none of 20 runs per invader fixed)" in line
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
