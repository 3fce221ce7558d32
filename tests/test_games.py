import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allysim import NotADilemmaWarning, PrisonersDilemma, StageGame, classify, partnership_game
from allysim.games import check_dilemma


def test_standard_prisoners_dilemma():
    g = PrisonersDilemma()
    assert (g.R, g.S, g.T, g.P) == (3, 0, 5, 1)
    row, col = g.outcome_payoffs()
    assert row.tolist() == [3, 0, 5, 1]
    assert col.tolist() == [3, 5, 0, 1]
    assert g.is_symmetric
    assert classify(g) == "prisoners_dilemma"


@pytest.mark.parametrize(
    ("payoffs", "needle"),
    [
        ((3, 0, 2, 1), "T > R"),
        ((1, 0, 5, 2), "R > P"),
        ((3, 1.5, 5, 1), "P > S"),
        ((3, 0, 7, 1), "2R > T + S"),
    ],
)
def test_non_dilemma_is_refused_with_the_violated_inequality(payoffs, needle):
    with pytest.raises(ValueError, match=needle.replace("+", r"\+")):
        PrisonersDilemma(*payoffs)


def test_one_shot_dilemma_allowed_with_flag():
    g = PrisonersDilemma(3, 0, 7, 1, repeated=False)
    assert g.T == 7
    check_dilemma(3, 0, 7, 1, repeated=False)


@pytest.mark.parametrize(
    ("R", "S", "T", "P", "kind"),
    [
        (3, 0, 5, 1, "prisoners_dilemma"),
        (3, 1, 5, 0, "snowdrift"),
        (5, 0, 3, 1, "stag_hunt"),
        (5, 2, 3, 1, "harmony"),
        (3, 3, 3, 3, "other"),
    ],
)
def test_classify(R, S, T, P, kind):
    g = StageGame([[R, S], [T, P]], [[R, T], [S, P]])
    assert classify(g) == kind


def test_classify_needs_symmetric_2x2():
    with pytest.raises(ValueError, match="symmetric 2x2"):
        classify(StageGame([[1, 2], [3, 4]], [[1, 2], [3, 4]]))
    with pytest.raises(TypeError, match="StageGame"):
        classify([[1, 2], [3, 4]])


def test_partnership_game_payoffs_and_dilemma():
    g = partnership_game(benefit=4, cost=1.5, synergy=0.5)
    assert isinstance(g, PrisonersDilemma)
    assert g.payoff_vector == (3.0, -1.5, 4.0, 0.0)


def test_partnership_game_warns_when_synergy_removes_the_dilemma():
    # Synergy above cost makes mutual contribution the best outcome: a coordination game.
    with pytest.warns(NotADilemmaWarning, match="stag_hunt"):
        g = partnership_game(benefit=2, cost=1, synergy=1.5)
    assert classify(g) == "stag_hunt"
    assert g.payoff_vector == (2.5, -1.0, 2.0, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        partnership_game(benefit=2, cost=1, synergy=0.5)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"benefit": 0, "cost": 1}, "benefit"),
        ({"benefit": 2, "cost": -1}, "cost"),
        ({"benefit": float("nan"), "cost": 1}, "benefit"),
        ({"benefit": 2, "cost": 1, "synergy": float("inf")}, "synergy"),
    ],
)
def test_partnership_game_bad_input(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        partnership_game(**kwargs)


def test_stage_game_validation_and_immutability():
    with pytest.raises(ValueError, match="same shape"):
        StageGame([[1, 2]], [[1], [2]])
    with pytest.raises(ValueError, match="finite"):
        StageGame([[1, np.nan], [0, 1]], [[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="shape"):
        StageGame([1, 2], [1, 2])
    with pytest.raises(ValueError, match="labels"):
        StageGame([[1, 2], [3, 4]], [[1, 2], [3, 4]], row_actions=("a",))
    g = PrisonersDilemma()
    with pytest.raises(AttributeError):
        g.foo = 1
    with pytest.raises(ValueError):
        g.row_payoffs[0, 0] = 9


def test_equality_hash_and_pickle():
    import pickle

    g = PrisonersDilemma()
    assert g == PrisonersDilemma()
    assert hash(g) == hash(PrisonersDilemma())
    assert pickle.loads(pickle.dumps(g)) == g
    assert g != PrisonersDilemma(R=4)


def test_nash_equilibria_known_games():
    (eq,) = PrisonersDilemma().nash_equilibria()
    assert np.allclose(eq[0], [0, 1]) and np.allclose(eq[1], [0, 1])
    pennies = StageGame([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    for method in ("support_enumeration", "vertex_enumeration", "lemke_howson"):
        eqs = pennies.nash_equilibria(method=method)
        assert len(eqs) == 1
        assert np.allclose(eqs[0][0], [0.5, 0.5]) and np.allclose(eqs[0][1], [0.5, 0.5])
    # Stag hunt: two pure equilibria and a mixed one at p(stag) = (P - S) / (R - T + P - S).
    hunt = StageGame([[5, 0], [3, 1]], [[5, 3], [0, 1]])
    eqs = hunt.nash_equilibria()
    assert len(eqs) == 3
    mixed = next(e for e in eqs if 0 < e[0][0] < 1)
    assert mixed[0][0] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="method"):
        hunt.nash_equilibria(method="simplex")


# Random games are often degenerate; nashpy says so with a RuntimeWarning. The property below
# is checked for whatever it returns.
@pytest.mark.filterwarnings("ignore::RuntimeWarning:nashpy")
@given(st.lists(st.floats(-10, 10), min_size=8, max_size=8))
def test_equilibria_are_mutual_best_responses(vals):
    a = np.array(vals[:4]).reshape(2, 2)
    b = np.array(vals[4:]).reshape(2, 2)
    g = StageGame(a, b)
    assert isinstance(g.to_nashpy(), nashpy.Game)
    for x, y in g.nash_equilibria():
        row_value, col_value = x @ a @ y, x @ b @ y
        assert (a @ y).max() <= row_value + 1e-7
        assert (x @ b).max() <= col_value + 1e-7
