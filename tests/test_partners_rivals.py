"""Partners and rivals (Hilbe, Traulsen & Sigmund 2015; Akin 2016; Hilbe, Chatterjee & Nowak 2018).

The closed-form classifier is checked against brute force: exact limit-of-means payoffs against
a panel of co-players (the 32 deterministic memory-one strategies with both openings and 800
random ones, uniform and U-shaped). Then the 2018 result: in the sequential-invasion process the
residents are partners more often when the game lasts longer and less often with more errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from allysim.evolution import sequential_invasion
from allysim.games import PrisonersDilemma, StageGame
from allysim.kernels import expected_payoffs
from allysim.strategies import (
    ALLC,
    ALLD,
    GTFT,
    TFT,
    WSLS,
    MemoryOne,
    deterministic_memory_one,
    extortionate,
    is_partner,
    is_rival,
    memory_one_array,
    partner_rival_class,
)

GAME = PrisonersDilemma()  # R=3, S=0, T=5, P=1
R = 3.0


def _panel() -> np.ndarray:
    rng = np.random.default_rng(2015)
    det = memory_one_array(deterministic_memory_one())
    flipped = det.copy()
    flipped[:, 4] = 1 - flipped[:, 4]
    return np.vstack([det, flipped, rng.random((400, 5)), rng.beta(0.3, 0.3, (400, 5))])


PANEL = _panel()


def _random_focal(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.random((n, 5))
    x[: n // 2, 0] = 1.0  # half agreeable, so that partners occur
    x[n // 4 : n // 2, 3] *= 0.3
    # A quarter with p_DD = 0 and mostly p_CD + p_DC <= 1, so that rivals occur.
    x[n // 2 : 3 * n // 4, 3] = 0.0
    x[n // 2 : 3 * n // 4, 2] *= 1.2 * (1 - x[n // 2 : 3 * n // 4, 1])
    return x


def test_named_strategies():
    assert partner_rival_class([ALLC, ALLD, TFT, WSLS]).tolist() == [
        "neither",
        "rival",
        "both",
        "neither",
    ]
    # WSLS is a partner exactly when 2R > T + P; GTFT's generosity 1/3 sits on the boundary.
    assert is_partner(WSLS, PrisonersDilemma(R=3, S=0, T=4, P=1))
    assert not is_partner(WSLS) and is_partner(WSLS, strict=False)
    assert not is_partner(GTFT()) and is_partner(GTFT(), strict=False)
    assert is_partner(MemoryOne((1, 0.3, 1, 0.3)))
    assert is_rival(extortionate(chi=3)) and not is_partner(extortionate(chi=3))


def test_classifier_matches_brute_force():
    focal = _random_focal(200, 1)
    px, py = expected_payoffs(focal, PANEL, GAME)
    part = is_partner(focal, GAME)
    weak = is_partner(focal, GAME, strict=False)
    riv = is_rival(focal, GAME)
    assert part.sum() >= 40 and riv.sum() >= 40
    # Partners: no co-player earns more than R, and one that earns R leaves the partner R too.
    assert py[weak].max() <= R + 1e-9
    at_r = part[:, None] & (py >= R - 1e-9)
    assert np.all(np.abs(px[at_r] - R) < 1e-6)
    # Rivals: never below the co-player.
    assert (px - py)[riv].min() >= -1e-9
    # Non-partners that are agreeable: some co-player earns more than R (by at least 1e-3 when
    # the condition fails by a margin of 0.05).
    slack = np.minimum(
        (R - 0) * (1 - focal[:, 1]) - (5 - R) * focal[:, 2],
        (R - 1) * (1 - focal[:, 1]) - (5 - R) * focal[:, 3],
    )
    clear = (focal[:, 0] == 1) & (slack < -0.05)
    assert clear.sum() >= 20
    assert np.all(py[clear].max(axis=1) > R + 1e-3)
    # Non-rivals with p_DD > 0.05: ALLD out-earns them.
    clear_r = focal[:, 3] > 0.05
    assert np.all((px - py)[clear_r].min(axis=1) < -1e-3)


@given(st.tuples(*[st.floats(0, 1) for _ in range(5)]), st.booleans(), st.booleans())
def test_guarantees_property(p, agreeable, no_dd):
    # Whatever the strategy, a partner's co-players never exceed R and a rival is never behind.
    x = np.array([p])
    if agreeable:
        x[0, 0] = 1.0
    if no_dd:
        x[0, 3] = 0.0
    part, riv = bool(is_partner(x[0], strict=False)), bool(is_rival(x[0]))
    assume(part or riv)
    px, py = expected_payoffs(x, PANEL, GAME)
    if part:
        assert py.max() <= R + 1e-9
    if riv:
        assert (px - py).min() >= -1e-9


def test_relabelling_invariance_of_payoff_scale():
    # Partners and rivals depend on the game only through its payoff order and ratios: scaling
    # and shifting payoffs changes nothing.
    focal = _random_focal(200, 7)
    scaled = PrisonersDilemma(R=3 * 2 + 1, S=0 * 2 + 1, T=5 * 2 + 1, P=1 * 2 + 1)
    assert np.array_equal(is_partner(focal), is_partner(focal, scaled))
    assert np.array_equal(is_rival(focal), is_rival(focal, scaled))


def test_bad_input():
    with pytest.raises(ValueError, match="tolerance"):
        is_partner(TFT, tolerance=2)
    with pytest.raises(ValueError, match="prisoner's dilemma"):
        is_partner(TFT, StageGame(np.array([[4.0, 0], [3, 1]]), np.array([[4.0, 3], [0, 1]])))
    with pytest.raises(ValueError, match="strategy"):
        is_rival([[1, 0, 1]])


def test_partners_evolve_with_long_games_and_rare_errors():
    """Hilbe, Chatterjee & Nowak (2018): partners need many rounds and few errors.

    Donation game b = 3, c = 1, population 100, selection 1, memory-one mutants, 15000 mutants
    per run, 3 seeds pooled; residents classified with tolerance 0.1 (evolved strategies never
    have p_CC = 1 exactly). Measured shares of time spent as partners: about 0 with 2 expected
    rounds (continuation 0.5), about 0.4 with 25 rounds (0.96) and errors 0.001 (one seed of three
    stays near ALLD), about 0.05 with errors 0.05.
    """
    game = PrisonersDilemma(R=2, S=-1, T=3, P=0)
    share = {}
    for delta, eps in [(0.5, 0.001), (0.96, 0.001), (0.96, 0.05)]:
        parts = []
        for seed in range(3):
            res = sequential_invasion(
                game,
                steps=15_000,
                continuation=delta,
                noise=eps,
                population=100,
                selection=1.0,
                seed=seed,
            )
            w = res.durations / res.durations.sum()
            parts.append(w @ is_partner(res.dominant, game, strict=False, tolerance=0.1))
        share[delta, eps] = float(np.mean(parts))
    assert share[0.5, 0.001] < 0.05
    assert share[0.96, 0.001] > 0.25
    assert share[0.96, 0.05] < share[0.96, 0.001] - 0.15
