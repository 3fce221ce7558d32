"""Every function that takes a game takes a StageGame, a nashpy.Game or a pair of payoff arrays,
and gives the same answer for all three."""

import nashpy
import numpy as np
import pytest

import allysim as ally
from allysim.comparison import compare_mechanisms, default_strategies
from allysim.evolution import payoff_matrix_for
from allysim.games import StageGame, classify
from allysim.mechanisms import (
    Bond,
    ProfitSharing,
    Sanction,
    ShadowOfFuture,
    apply,
    bond_threshold,
    continuation_threshold,
    profit_share_threshold,
    sanction_threshold,
    simulate_mechanisms,
)
from allysim.strategies import (
    ALLD,
    TFT,
    extortionate,
    generous,
    gtft,
    named,
    zd_phi_range,
    zero_determinant,
)
from allysim.tournament import round_robin

GAME = ally.partnership_game(benefit=3, cost=2, synergy=0.5)
ROW, COL = (np.array(m) for m in GAME.to_nashpy().payoff_matrices)
FORMS = {
    "StageGame": GAME,
    "nashpy.Game": nashpy.Game(ROW, COL),
    "pair of arrays": (ROW, COL),
    "pair of lists": (ROW.tolist(), COL.tolist()),
}

CALLS = {
    "classify": lambda g: classify(g),
    "gtft": lambda g: gtft(g).p,
    "named": lambda g: named("GTFT", g).p,
    "extortionate": lambda g: extortionate(g, chi=2).p,
    "generous": lambda g: generous(g, chi=2).p,
    "zd_phi_range": lambda g: zd_phi_range(g, chi=2, baseline=0.0),
    "zero_determinant": lambda g: zero_determinant(g, chi=2, phi=0.05, baseline=0.0).p,
    "expected_payoffs": lambda g: ally.expected_payoffs([TFT, ALLD], [TFT], g, rounds=20),
    "simulate": lambda g: ally.simulate([TFT], [ALLD], g, rounds=20, seed=1).row_payoffs,
    "round_robin": lambda g: round_robin([TFT, ALLD], g, rounds=20).scores,
    "apply": lambda g: apply(g, [Sanction(1.0, 0.8)]).game.payoff_vector,
    "bond_threshold": lambda g: bond_threshold(g, 0.8, 0.5),
    "continuation_threshold": lambda g: continuation_threshold(g, "GRIM"),
    "profit_share_threshold": lambda g: profit_share_threshold(g),
    "sanction_threshold": lambda g: sanction_threshold(g),
    "Sanction.threshold": lambda g: Sanction(1.0, 0.8).threshold(g),
    "Bond.margin": lambda g: Bond(3.0, 0.8).margin(g),
    "ProfitSharing.threshold": lambda g: ProfitSharing(0.5).threshold(g),
    "ShadowOfFuture.margin": lambda g: ShadowOfFuture(0.9).margin(g),
    "simulate_mechanisms": lambda g: simulate_mechanisms(
        TFT, ALLD, g, [Sanction(1.0, 0.8)], rounds=10, repetitions=5, seed=2
    )["row"],
    "compare_mechanisms": lambda g: compare_mechanisms(
        g, {"sanction": [Sanction(1.0, 0.8)]}, progress=False
    ).cooperation.to_numpy(),
    "default_strategies": lambda g: [s.name for s in default_strategies(g)],
    "payoff_matrix_for": lambda g: payoff_matrix_for([TFT, ALLD], g, rounds=10),
}


def _same(a, b):
    if isinstance(a, StageGame):
        return a.payoff_vector == b.payoff_vector
    if isinstance(a, tuple | list) and a and not isinstance(a[0], str | float | int):
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    return np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))


@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("form", [f for f in FORMS if f != "StageGame"])
def test_every_game_form_gives_the_same_answer(call, form):
    expected = CALLS[call](FORMS["StageGame"])
    assert _same(CALLS[call](FORMS[form]), expected)


def test_from_nashpy_round_trips():
    g = StageGame.from_nashpy(GAME.to_nashpy())
    assert g.payoff_vector == GAME.payoff_vector
    with pytest.raises(TypeError, match=r"nashpy\.Game"):
        StageGame.from_nashpy("not a game")


@pytest.mark.parametrize(
    ("bad", "kind", "needle"),
    [
        (None, TypeError, "game must be an allysim StageGame.*nashpy.Game.*pair"),
        ("PD", TypeError, "game must be"),
        ((ROW, COL[:1]), ValueError, "game as a pair"),
        (([[1, 2], [3, "x"]], COL), TypeError, "game as a pair"),
        ((ROW, COL, ROW), TypeError, "game must be"),
    ],
)
def test_other_games_are_refused_naming_the_parameter(bad, kind, needle):
    with pytest.raises(kind, match=needle):
        ally.expected_payoffs([TFT], [ALLD], bad, rounds=5)
