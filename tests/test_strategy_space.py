"""Evolution in strategy space: Nowak & Sigmund (1992, 1993) and the sequential-invasion process.

Small settings (seconds); the published-size runs are in docs/scripts/classic_evolution.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import betainc

from allysim.evolution import (
    fixation_probability,
    sample_strategies,
    sequential_invasion,
    strategy_space_replicator,
)
from allysim.games import PrisonersDilemma
from allysim.kernels import expected_payoffs

GAME = PrisonersDilemma()  # R=3, S=0, T=5, P=1
LABELS = ("ALLD", "TFT", "GTFT", "ALLC", "other")


def _label(p: float, q: float) -> str:
    """Regions of the reactive square named after the strategy at their corner or edge."""
    if p < 0.5:
        return "ALLD" if q < 0.5 else "other"
    if q < 0.1:
        return "TFT"
    return "GTFT" if q < 0.5 else "ALLC"


def test_sample_strategies_shapes_and_bias():
    reactive = sample_strategies(2000, space="reactive", seed=1)
    assert np.array_equal(reactive[:, 0], reactive[:, 2])
    assert np.array_equal(reactive[:, 1], reactive[:, 3])
    assert np.array_equal(reactive[:, 0], reactive[:, 4])
    uniform = sample_strategies(20000, seed=2)
    biased = sample_strategies(20000, corner_bias=0.2, seed=2)
    near = lambda x: np.mean((x < 0.05) | (x > 0.95))  # noqa: E731
    # Uniform: 10% within 0.05 of a corner; Beta(0.2, 0.2): 2 I_0.05(0.2, 0.2) = 0.5821.
    assert near(uniform) == pytest.approx(0.10, abs=0.01)
    assert near(biased) == pytest.approx(2 * betainc(0.2, 0.2, 0.05), abs=0.01)
    assert np.array_equal(sample_strategies(5, seed=9), sample_strategies(5, seed=9))


def test_sequential_invasion_fixes_with_exact_probability():
    # One mutant per run against ALLD in a population of 4: the number of runs (of 300 seeds)
    # in which it fixes matches 300 times the mean exact fixation probability of a uniform
    # reactive mutant (300 draws), within 4 standard errors (binomial plus the draws' own).
    n, runs, z = 300, 300, 4
    resident = np.zeros((1, 5))
    mutants = sample_strategies(n, space="reactive", seed=5)
    u_mm = np.diag(expected_payoffs(mutants, mutants, GAME, noise=0.01)[0])
    u_mr, u_rm = (a[:, 0] for a in expected_payoffs(mutants, resident, GAME, noise=0.01))
    u_rr = float(expected_payoffs(resident, resident, GAME, noise=0.01)[0][0, 0])
    rho = np.array(
        [
            fixation_probability(
                np.array([[u_mm[i], u_mr[i]], [u_rm[i], u_rr]]), 0, 1, population=z, selection=1.0
            )
            for i in range(n)
        ]
    )
    expected = float(rho.mean())
    fixed = sum(
        len(
            sequential_invasion(
                GAME, steps=1, space="reactive", noise=0.01, population=z, seed=s
            ).times
        )
        - 1
        for s in range(runs)
    )
    se = np.sqrt(runs * expected * (1 - expected) + (runs * rho.std() / np.sqrt(n)) ** 2)
    assert 0.05 < expected < 0.5
    assert abs(fixed - runs * expected) < 4 * se


def test_sequential_invasion_neutral_and_reproducible():
    # Neutral selection: every mutant fixes with probability 1 / N, so N = 10 gives about
    # steps / 10 changes of resident (binomial, 1000 steps: 100 +- 9.5).
    res = sequential_invasion(GAME, steps=1000, population=10, selection=0.0, seed=4)
    assert 100 - 4 * 9.5 < len(res.times) - 1 < 100 + 4 * 9.5
    again = sequential_invasion(GAME, steps=1000, population=10, selection=0.0, seed=4)
    assert np.array_equal(res.dominant, again.dominant)
    assert int(res.durations.sum()) == 1000
    assert np.all(np.diff(res.times) >= 0)


def test_gtft_emerges_in_reactive_space():
    """Nowak & Sigmund (1992): the population ends at generous tit-for-tat, q near 1/3.

    20000 generations, 100 initial strategies, mutants every 100 generations at share 0.01,
    threshold 0.001, errors 0.001, 5 seeds. Measured: 5 of 5 end with p > 0.9 and q in
    [0.1, 0.45], with mean q 0.24 (published: q = 1/3).
    """
    finals = []
    for seed in range(5):
        res = strategy_space_replicator(GAME, generations=20_000, record_every=100, seed=seed)
        finals.append(res.dominant[-1, :2])
    finals_arr = np.array(finals)
    gtft = (finals_arr[:, 0] > 0.9) & (finals_arr[:, 1] > 0.1) & (finals_arr[:, 1] < 0.45)
    assert gtft.sum() >= 3
    assert abs(finals_arr[gtft, 1].mean() - 1 / 3) < 0.12


def test_memory_one_space_reaches_cooperation_after_mutual_defection():
    """Nowak & Sigmund (1993), the step before win-stay, lose-shift (Pavlov) wins.

    30000 generations, U-shaped mutants Beta(0.5, 0.5), errors 0.001, 3 seeds: at least 2 end
    at p_CC > 0.9, p_CD < 0.3, p_DD > 0.5 (cooperating again after mutual defection, unlike TFT
    and GRIM). Measured: seeds 1 and 2, at (1.0, 0.06, 0.86, 0.83) and (1.0, 0.01, 0.80, 0.85);
    seed 0 at (1, 0.55, 0.2, 0.99). Their p_DC is still high, so this is not yet Pavlov, which
    takes about 500000 generations (docs/classic/nowak-sigmund.md: 7 of 12 seeds).
    """
    pavlov = 0
    for seed in range(3):
        res = strategy_space_replicator(
            GAME,
            generations=30_000,
            space="memory-one",
            corner_bias=0.5,
            record_every=100,
            seed=seed,
        )
        p = res.dominant[-1]
        pavlov += bool(p[0] > 0.9 and p[1] < 0.3 and p[3] > 0.5)
    assert pavlov >= 2


def test_cycle_alld_tft_gtft_allc():
    """The cycle ALLD -> TFT -> GTFT -> ALLC -> ALLD in the sequence of residents.

    Reactive space, sequential invasion, N = 100, selection 1, errors 0.01, 2 seeds of 20000
    mutants. Measured (seed 0): 39 moves along the cycle, 4 against it.
    """
    forward = backward = 0
    for seed in range(2):
        res = sequential_invasion(
            GAME,
            steps=20_000,
            space="reactive",
            noise=0.01,
            population=100,
            selection=1.0,
            seed=seed,
        )
        labels = [_label(p, q) for p, q in res.dominant[:, :2]]
        runs = [labels[0]] + [b for a, b in itertools.pairwise(labels) if a != b]
        for a, b in itertools.pairwise(runs):
            i, j = LABELS.index(a), LABELS.index(b)
            if i < 4 and j == (i + 1) % 4:
                forward += 1
            elif i < 4 and j == (i - 1) % 4:
                backward += 1
    assert forward >= 40
    assert forward >= 4 * backward


@given(
    st.integers(1, 60),
    st.integers(0, 2**32 - 1),
    st.integers(2, 30),
    st.floats(0, 5),
    st.sampled_from(["reactive", "memory-one"]),
)
def test_sequential_invasion_bookkeeping(steps, seed, population, selection, space):
    res = sequential_invasion(
        GAME,
        steps=steps,
        space=space,
        population=population,
        selection=selection,
        noise=0.01,
        seed=seed,
    )
    assert int(res.durations.sum()) == steps
    assert res.times[0] == 0 and np.all(np.diff(res.times) > 0) and res.times[-1] <= steps
    assert np.all((res.dominant >= 0) & (res.dominant <= 1))
    assert np.all((res.cooperation >= 0) & (res.cooperation <= 1))
    # Payoffs of a resident against itself lie between the game's smallest and largest payoff.
    assert np.all((res.payoff >= 0) & (res.payoff <= 5))
    again = sequential_invasion(
        GAME,
        steps=steps,
        space=space,
        population=population,
        selection=selection,
        noise=0.01,
        seed=seed,
    )
    assert np.array_equal(res.dominant, again.dominant)


def test_bad_input():
    with pytest.raises(ValueError, match="space"):
        sequential_invasion(GAME, steps=10, space="memory-two")
    with pytest.raises(ValueError, match="corner_bias"):
        sample_strategies(3, corner_bias=0.0)
    with pytest.raises(ValueError, match="noise"):
        sequential_invasion(GAME, steps=10, noise=0.7)
    with pytest.raises(ValueError, match="rounds or continuation"):
        strategy_space_replicator(GAME, generations=5, rounds=10, continuation=0.9)
    with pytest.raises(ValueError, match="mutant_share"):
        strategy_space_replicator(GAME, generations=5, mutant_share=1.0)
    with pytest.raises(ValueError, match="initial"):
        sequential_invasion(GAME, steps=5, initial=(1, 0, 1, 0))


def test_moran_without_positive_fitness_names_selection_and_game():
    # The message named payoff_matrix, which neither function takes.
    from allysim.evolution import deterministic_invasion
    from allysim.games import partnership_game

    game = partnership_game(3, 1)  # the sucker's payoff -1: fitness 1 - w - w <= 0 at w = 1
    for run in (
        lambda: sequential_invasion(game, steps=20, rule="moran", selection=1.0, seed=1),
        lambda: deterministic_invasion(
            game, memory=1, steps=20, rule="moran", selection=1.0, seed=1
        ),
    ):
        with pytest.raises(ValueError, match="lower selection or shift the game's payoffs up"):
            run()
    # The memory check's own message is left alone.
    with pytest.raises(ValueError, match="population"):
        sequential_invasion(game, steps=5, population=2**40, seed=1)
