"""The alternating partnership game (Nowak & Sigmund 1994): exact payoffs and what they change.

Checks: closed forms for deterministic pairs; memoryless strategies score as in the
simultaneous game; the exact chain against a vectorised Monte Carlo of the alternating game
within 4 standard errors; and the paper's finding that alternation breaks WSLS's error
correction, so evolution favours generous reciprocity (GTFT) over WSLS where the simultaneous
game favours WSLS.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allysim.evolution import stationary_distribution
from allysim.games import PrisonersDilemma, partnership_game
from allysim.kernels import alternating_payoffs, expected_payoffs
from allysim.strategies import FiniteStateStrategy, memory_one_array, named

GAME = partnership_game(benefit=3, cost=1)  # R 2, S -1, T 3, P 0
NAMES = ["ALLD", "TFT", "GTFT", "WSLS", "ALLC"]


def test_deterministic_pairs_in_closed_form():
    row, col = alternating_payoffs(NAMES, NAMES, GAME, rounds=10)
    # TFT moving first against ALLD: S once, then P; ALLD first against TFT: T once, then P.
    assert row[1, 0] == pytest.approx(-0.1) and col[1, 0] == pytest.approx(0.3)
    assert row[0, 1] == pytest.approx(0.3) and col[0, 1] == pytest.approx(-0.1)
    # Reciprocators among themselves contribute throughout: R.
    for i in (1, 2, 3):
        assert row[i, i] == pytest.approx(2.0)
    # ALLC gives, ALLD takes: S and T every round.
    assert (row[4, 0], col[4, 0]) == pytest.approx((-1.0, 3.0))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=3, max_size=3),
    st.floats(0, 0.2),
    st.sampled_from([None, 0.9, 7]),
)
def test_memoryless_strategies_score_as_in_the_simultaneous_game(levels, noise, horizon):
    arr = np.repeat(np.array(levels)[:, None], 5, axis=1)
    kw = {"rounds": horizon} if isinstance(horizon, int) else {"continuation": horizon}
    alt = alternating_payoffs(arr, arr, GAME, noise=noise, **kw)
    sim = expected_payoffs(arr, arr, GAME, noise=noise, **kw)
    np.testing.assert_allclose(alt[0], sim[0], atol=1e-12)
    np.testing.assert_allclose(alt[1], sim[1], atol=1e-12)


def monte_carlo(x, y, noise, rounds, matches, seed):
    """Mean payoff per round of x (first mover) against y, simulated move by move."""
    rng = np.random.default_rng(seed)
    x = x * (1 - 2 * noise) + noise
    y = y * (1 - 2 * noise) + noise
    row_u, _ = GAME.outcome_payoffs()
    total = np.zeros(matches)
    a = rng.random(matches) >= x[4]  # True = withhold
    b = rng.random(matches) >= y[4]
    total += row_u[2 * a + b]
    for _ in range(rounds - 1):
        a_new = rng.random(matches) >= x[2 * a + b]
        b = rng.random(matches) >= y[2 * b + a_new]
        a = a_new
        total += row_u[2 * a + b]
    return total / rounds


@pytest.mark.parametrize("pair", [("WSLS", "WSLS"), ("GTFT", "WSLS"), ("TFT", "GTFT")])
def test_exact_matches_monte_carlo(pair):
    x, y = (memory_one_array([named(s, GAME)])[0] for s in pair)
    exact, _ = alternating_payoffs(x[None], y[None], GAME, rounds=50, noise=0.05)
    sample = monte_carlo(x, y, 0.05, 50, 20_000, seed=len(pair[0]) + 7 * len(pair[1]))
    se = sample.std(ddof=1) / np.sqrt(sample.size)
    assert abs(sample.mean() - exact[0, 0]) < 4 * se


def test_alternation_breaks_wsls_error_correction():
    # Simultaneous: WSLS restores mutual contribution after an error; alternating: it does
    # not, and the pair averages (R + P) / 2 as errors vanish. GTFT is unaffected.
    sim, _ = expected_payoffs(NAMES, NAMES, GAME, noise=1e-4)
    alt, _ = alternating_payoffs(NAMES, NAMES, GAME, noise=1e-4)
    assert sim[3, 3] == pytest.approx(2.0, abs=1e-3)
    assert alt[3, 3] == pytest.approx(1.0, abs=1e-2)
    assert alt[2, 2] == pytest.approx(2.0, abs=1e-2)


@pytest.mark.parametrize("noise", [0.01, 0.05])
def test_evolution_favours_generosity_over_wsls_when_partners_alternate(noise):
    sim, _ = expected_payoffs(NAMES, NAMES, GAME, noise=noise)
    alt, _ = alternating_payoffs(NAMES, NAMES, GAME, noise=noise)
    s = stationary_distribution(sim, population=50, selection=1.0).shares
    a = stationary_distribution(alt, population=50, selection=1.0).shares
    wsls, gtft = NAMES.index("WSLS"), NAMES.index("GTFT")
    assert s[wsls] > 0.7 and s[wsls] > 10 * s[gtft]
    assert a[wsls] < 0.05 and a[gtft] > 5 * a[wsls]


def test_inputs_are_checked():
    with pytest.raises(ValueError, match="equal gains from switching"):
        alternating_payoffs(["TFT"], ["TFT"], PrisonersDilemma())  # 3 + 1 != 0 + 5
    with pytest.raises(ValueError, match="noise"):
        alternating_payoffs(["TFT"], ["TFT"], GAME, noise=1.5)
    with pytest.raises(ValueError, match="rounds or continuation"):
        alternating_payoffs(["TFT"], ["TFT"], GAME, rounds=5, continuation=0.5)
    machine = FiniteStateStrategy(output=[1.0], next_state=[[[0, 0], [0, 0]]], initial=0)
    with pytest.raises(TypeError, match="memory-one"):
        alternating_payoffs([machine], ["TFT"], GAME)
