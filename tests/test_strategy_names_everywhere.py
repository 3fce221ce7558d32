"""Every function that takes strategies takes objects, names (with parameters) or an (n, 5)
memory-one array, consistently."""

import re

import numpy as np
import pytest

import allysim as ally
from allysim.evolution import payoff_matrix_for
from allysim.strategies import ALLD, TFT, WSLS, extortionate, gtft, named, random_strategy
from allysim.tournament import round_robin

GAME = ally.partnership_game(benefit=3, cost=2, synergy=0.5)


def test_names_give_the_same_payoffs_as_objects():
    names = ["TFT", "gtft", "RANDOM(0.3)", "EXTORT(3)", "M1001"]
    objects = [TFT, gtft(GAME), random_strategy(0.3), extortionate(GAME, chi=3), WSLS]
    a = ally.expected_payoffs(names, ["ALLD", "TFT"], GAME, rounds=30)
    b = ally.expected_payoffs(objects, [ALLD, TFT], GAME, rounds=30)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    # GTFT and EXTORT are tuned to the game passed, not to a default one.
    assert named("GTFT", GAME).p == gtft(GAME).p != gtft(ally.PrisonersDilemma()).p


def test_a_single_name_and_mixed_sequences():
    one = ally.expected_payoffs("TFT", "ALLD", GAME, rounds=10)
    obj = ally.expected_payoffs(TFT, ALLD, GAME, rounds=10)
    np.testing.assert_array_equal(one[0], obj[0])
    mixed = round_robin(["TFT", ALLD, "WSLS"], GAME, rounds=50)
    plain = round_robin([TFT, ALLD, WSLS], GAME, rounds=50)
    np.testing.assert_array_equal(mixed.scores, plain.scores)
    assert list(mixed.ranking["strategy"]) == list(plain.ranking["strategy"])


def test_simulate_and_payoff_matrix_take_names():
    a = ally.simulate(["TFT"], ["RANDOM(0.5)"], GAME, rounds=20, repetitions=50, seed=3)
    b = ally.simulate([TFT], [random_strategy(0.5)], GAME, rounds=20, repetitions=50, seed=3)
    np.testing.assert_array_equal(a.row_payoffs, b.row_payoffs)
    m1 = payoff_matrix_for(["TFT", "ALLD", "GTFT"], GAME, rounds=10)
    m2 = payoff_matrix_for([TFT, ALLD, gtft(GAME)], GAME, rounds=10)
    np.testing.assert_array_equal(m1, m2)


def test_memory_one_arrays_still_work():
    arr = np.array(
        [[1.0, 0, 1, 0, 1], [0, 0, 0, 0, 0]]
    )  # TFT (p for CC, CD, DC, DD, then p0), ALLD
    a = ally.expected_payoffs(arr, arr, GAME, rounds=10)
    b = ally.expected_payoffs([TFT, ALLD], [TFT, ALLD], GAME, rounds=10)
    np.testing.assert_allclose(a[0], b[0])


@pytest.mark.parametrize(
    ("strategies", "needle"),
    [
        ("NOPE", r"row_strategies: unknown strategy name 'NOPE'"),
        (["TFT", "RANDOM(1.5)"], r"row_strategies: name 'RANDOM\(1.5\)'"),
        ([TFT, 3], "row_strategies must hold MemoryOne or FiniteStateStrategy objects or names"),
    ],
)
def test_bad_names_are_refused_naming_the_parameter(strategies, needle):
    with pytest.raises((ValueError, TypeError), match=needle):
        ally.expected_payoffs(strategies, [ALLD], GAME, rounds=5)


def test_a_strategy_factory_in_place_of_a_strategy_gets_a_hint():
    for factory, hint in ((ally.GTFT, "GTFT(game)"), (ally.RANDOM, "RANDOM(0.5)")):
        with pytest.raises(TypeError, match=re.escape(hint)):
            ally.expected_payoffs([ally.ALLC, factory], ["TFT"], ally.PrisonersDilemma())
