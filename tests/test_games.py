import dataclasses
import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from allysim import NotADilemmaWarning, PrisonersDilemma, StageGame, classify, partnership_game
from allysim.games import GAME_CLASSES, check_dilemma


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
    with pytest.raises(ValueError, match="game must be a symmetric 2x2 game"):
        classify(StageGame([[1, 2], [3, 4]], [[1, 2], [3, 4]]))
    with pytest.raises(ValueError, match=r"game must be a symmetric 2x2 game.*\(3, 3\)"):
        classify(StageGame(np.eye(3), np.eye(3)))
    for bad in ([[1, 2], [3, 4]], None, "prisoners_dilemma"):
        with pytest.raises(TypeError, match="game must be an allysim StageGame"):
            classify(bad)


payoff = st.floats(-100, 100, allow_nan=False)


@given(payoff, payoff, payoff, payoff, st.floats(0.01, 100), st.floats(-100, 100))
def test_classify_depends_only_on_the_order_of_payoffs(R, S, T, P, scale, shift):
    # A positive affine change of units keeps the order of R, S, T, P, and so the label,
    # unless round-off creates or breaks a tie.
    vals = np.array([R, S, T, P])
    new = vals * scale + shift
    assume(np.all(np.sign(np.subtract.outer(new, new)) == np.sign(np.subtract.outer(vals, vals))))
    g = StageGame([[R, S], [T, P]], [[R, T], [S, P]])
    h = StageGame(new[[0, 1, 2, 3]].reshape(2, 2), new[[0, 2, 1, 3]].reshape(2, 2))
    assert classify(g) == classify(h)
    assert classify(g) in GAME_CLASSES


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


def test_partnership_game_refuses_overflowing_payoffs_by_name():
    with pytest.raises(ValueError, match="benefit, cost and synergy are too large"):
        partnership_game(benefit=1e308, cost=1.0, synergy=1e308)
    with pytest.raises(TypeError, match="synergy must be a real number"):
        partnership_game(benefit=2, cost=1, synergy="0.5")


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
    with pytest.raises(dataclasses.FrozenInstanceError, match="immutable"):
        g.foo = 1
    with pytest.raises(dataclasses.FrozenInstanceError, match="immutable"):
        g.row_actions = ("X", "Y")
    with pytest.raises(dataclasses.FrozenInstanceError, match="immutable"):
        del g.row_actions
    assert g.row_actions == ("C", "D")
    with pytest.raises(ValueError):
        g.row_payoffs[0, 0] = 9


def test_game_keeps_its_own_copy_of_the_payoffs():
    # Before: the caller's float array was frozen in place and shared with the game.
    a = np.array([[3.0, 0.0], [5.0, 1.0]])
    b = a.T.copy()
    g = StageGame(a, b)
    assert a.flags.writeable
    a[0, 0] = 100.0
    assert g.payoff_vector == (3.0, 0.0, 5.0, 1.0)


@pytest.mark.parametrize(
    ("row", "exc", "needle"),
    [
        ([[1, "0.5"], [1, 0]], TypeError, "row_payoffs must hold real numbers, got strings"),
        ([[True, 0], [1, 0]], TypeError, "row_payoffs must hold real numbers, got a bool"),
        (np.array([[True, False], [True, True]]), TypeError, r"row_payoffs.*\.astype\(float\)"),
        ([[1, None], [1, 0]], TypeError, "row_payoffs must hold real numbers, got NoneType"),
        ("3 0 5 1", TypeError, "row_payoffs must be an array of real numbers"),
        ([[1, 2], [3]], ValueError, "row_payoffs must be a rectangular array"),
        ([[1 + 1j, 0], [1, 0]], TypeError, "row_payoffs must hold real numbers"),
    ],
)
def test_payoffs_refuse_bools_strings_and_ragged_input(row, exc, needle):
    with pytest.raises(exc, match=needle):
        StageGame(row, [[1, 0], [1, 0]])


def test_empty_game_is_refused():
    with pytest.raises(ValueError, match="row_payoffs and col_payoffs need at least one action"):
        StageGame(np.zeros((0, 2)), np.zeros((0, 2)))


def test_integer_payoff_arrays_are_accepted():
    g = StageGame(np.array([[3, 0], [5, 1]], dtype=np.int8), np.array([[3, 5], [0, 1]]))
    assert g.row_payoffs.dtype == np.float64
    assert classify(g) == "prisoners_dilemma"


@pytest.mark.parametrize(
    ("kwargs", "exc", "needle"),
    [
        ({"R": "3"}, TypeError, "R must be a real number"),
        ({"S": True}, TypeError, "S must be a real number"),
        ({"T": None}, TypeError, "T must be a real number"),
        ({"P": float("nan")}, ValueError, "P must be finite"),
        ({"repeated": "no"}, TypeError, "repeated must be True or False"),
        ({"repeated": 0}, TypeError, "repeated must be True or False"),
    ],
)
def test_prisoners_dilemma_refuses_non_numbers(kwargs, exc, needle):
    with pytest.raises(exc, match=needle):
        PrisonersDilemma(**kwargs)
    if "repeated" not in kwargs:
        args = {"R": 3, "S": 0, "T": 5, "P": 1, **kwargs}
        with pytest.raises(exc, match=needle):
            check_dilemma(args["R"], args["S"], args["T"], args["P"])


@pytest.mark.parametrize(
    ("labels", "exc", "needle"),
    [
        ("CD", TypeError, "row_actions must be a sequence of str"),
        ((0, 1), TypeError, "row_actions must hold str labels"),
        (("C", "C"), ValueError, "row_actions must be distinct"),
        (("C",), ValueError, "row_actions must have 2 labels"),
    ],
)
def test_action_labels_are_checked(labels, exc, needle):
    with pytest.raises(exc, match=needle):
        StageGame([[1, 2], [3, 4]], [[1, 2], [3, 4]], row_actions=labels)


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
    with pytest.raises(ValueError, match="method"):
        hunt.nash_equilibria(method=None)


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
