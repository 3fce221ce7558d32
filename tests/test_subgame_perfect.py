"""Subgame perfection by the one-shot deviation principle, against closed-form thresholds:
WSLS iff w >= (T - R) / (R - P), the mutual trigger iff w >= (T - R) / (T - P), TFT only on the
knife edge w = (T - R) / (R - S) = (P - S) / (T - P), ALLD always."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from allysim import PrisonersDilemma
from allysim.equilibria import critical_continuation, is_subgame_perfect
from allysim.strategies import ALLD, GRIM, GTFT, TFT, WSLS, FiniteStateStrategy, MemoryOne
from strategies_hyp import dilemma

# Defects for good after any defection, its own included: the textbook grim trigger.
TRIGGER = MemoryOne((1, 0, 0, 0), p0=1, name="trigger")
EPS = 1e-6


def _spe(profile, game, w):
    return is_subgame_perfect(profile, game, w).is_spe


@given(game=dilemma())
def test_wsls_threshold(game):
    R, _, T, P = game.payoff_vector
    w_star = (T - R) / (R - P)
    assume(0.01 < w_star < 0.99)
    assert _spe(WSLS, game, w_star + EPS)
    assert not _spe(WSLS, game, w_star - EPS)


def test_wsls_on_the_boundary_is_within_sqrt_tol_of_one():
    # 2R = T + P in the default dilemma: WSLS is SPE for no w < 1, its deciding gain is
    # 2 (1 - w)^2, so with gains below tol ignored the threshold reads 1 - sqrt(tol / 2).
    game = PrisonersDilemma()
    for tol in (1e-10, 1e-8):
        w = critical_continuation(WSLS, game, tol=tol)
        assert w == pytest.approx(1 - np.sqrt(tol / 2), rel=0, abs=1e-3 * np.sqrt(tol))
    assert not _spe(WSLS, game, 0.99999)


@given(game=dilemma())
def test_trigger_threshold(game):
    R, _, T, P = game.payoff_vector
    w_star = (T - R) / (T - P)
    assume(w_star < 0.99)
    assert _spe(TRIGGER, game, w_star + EPS)
    assert not _spe(TRIGGER, game, w_star - EPS)
    # The deviation at mutual cooperation gains (1 - w) T + w P - R.
    w = w_star / 2
    res = is_subgame_perfect(TRIGGER, game, w)
    at_start = [d for d in res.deviations if d.state == (4, 4) and d.player == 0]
    assert at_start[0].gain == pytest.approx((1 - w) * T + w * P - R, abs=1e-12)


def test_partner_triggered_grim_is_never_subgame_perfect():
    # allysim's GRIM punishes only the partner's defection: after its own, it contributes once
    # more against a punishing partner, and withholding then gains (1 - w)(P - S).
    game = PrisonersDilemma()
    for w in (0.0, 0.5, 0.9, 0.999):
        res = is_subgame_perfect(GRIM, game, w)
        assert not res.is_spe
        gains = {(d.state, d.player): d.gain for d in res.deviations}
        assert gains[(0, 1), 0] == pytest.approx((1 - w) * (1 - 0), abs=1e-12)
        assert gains[(1, 0), 1] == pytest.approx((1 - w) * (1 - 0), abs=1e-12)


@given(
    R=st.floats(0.5, 5.0),
    gap_s=st.floats(0.2, 3.0),
    frac=st.floats(0.05, 0.95),
)
def test_tft_knife_edge(R, gap_s, frac):
    # Build the game in which both of TFT's conditions meet: w* = (T - R) / (R - S) and
    # P = (S + w* T) / (1 + w*) solve (P - S) / (T - P) = w*; 2R > T + S keeps w* < 1.
    S = R - gap_s
    T = R + frac * (R - S)
    w_star = (T - R) / (R - S)
    P = (S + w_star * T) / (1 + w_star)
    game = PrisonersDilemma(R=R, S=S, T=T, P=P)
    assert _spe(TFT, game, w_star)
    assert not _spe(TFT, game, w_star + EPS)
    assert not _spe(TFT, game, w_star - EPS)


def test_tft_is_never_spe_off_the_knife_edge():
    game = PrisonersDilemma()  # (T - R) / (R - S) = 2/3 differs from (P - S) / (T - P) = 1/4
    assert not any(_spe(TFT, game, w) for w in np.linspace(0, 0.999, 200))
    assert critical_continuation(TFT, game) is None


@given(game=dilemma(), w=st.floats(0.0, 0.999))
def test_alld_is_always_spe(game, w):
    assert _spe(ALLD, game, w)


@st.composite
def deterministic_machine(draw, max_states=4):
    k = draw(st.integers(1, max_states))
    out = [float(draw(st.integers(0, 1))) for _ in range(k)]
    nxt = np.array(draw(st.lists(st.integers(0, k - 1), min_size=4 * k, max_size=4 * k)))
    return FiniteStateStrategy(out, nxt.reshape(k, 2, 2), draw(st.integers(0, k - 1)))


@given(
    a=deterministic_machine(),
    b=deterministic_machine(),
    game=dilemma(),
    w=st.floats(0.0, 0.99),
)
def test_relabelling_players_gives_the_same_answer(a, b, game, w):
    ab = is_subgame_perfect((a, b), game, w)
    ba = is_subgame_perfect((b, a), game, w)
    assert ab.is_spe == ba.is_spe and ab.n_states == ba.n_states
    mapped = sorted((d.state[::-1], 1 - d.player, round(d.gain, 9)) for d in ba.deviations)
    assert sorted((d.state, d.player, round(d.gain, 9)) for d in ab.deviations) == mapped


@given(a=deterministic_machine(), game=dilemma(), w=st.floats(0.0, 0.99), data=st.data())
def test_relabelling_machine_states_gives_the_same_answer(a, game, w, data):
    k = a.n_states
    perm = np.array(data.draw(st.permutations(range(k))))  # old state i becomes perm[i]
    inv = np.argsort(perm)
    out = [a.output[inv[j]] for j in range(k)]
    nxt = perm[a.transitions[inv]]
    b = FiniteStateStrategy(out, nxt, int(perm[a.initial]))
    ra = is_subgame_perfect((a, WSLS), game, w)
    rb = is_subgame_perfect((b, WSLS), game, w)
    assert ra.is_spe == rb.is_spe
    assert sorted(round(d.gain, 9) for d in ra.deviations) == sorted(
        round(d.gain, 9) for d in rb.deviations
    )


def test_critical_continuation_matches_closed_forms():
    game = PrisonersDilemma(R=3, S=0, T=4, P=1)
    assert critical_continuation(WSLS, game) == pytest.approx(0.5, abs=1e-8)
    assert critical_continuation(TRIGGER, game) == pytest.approx(1 / 3, abs=1e-8)
    assert critical_continuation(ALLD, game) == 0.0
    assert critical_continuation(GRIM, game) is None


def test_all_states_and_input_checks():
    game = PrisonersDilemma(R=3, S=0, T=4, P=1)
    reachable = is_subgame_perfect(WSLS, game, 0.6)
    every = is_subgame_perfect(WSLS, game, 0.6, all_states=True)
    assert reachable.n_states == 5 and every.n_states == 25
    assert reachable.is_spe
    assert "is_spe=True" in repr(reachable) and "\n" not in repr(every)
    with pytest.raises(ValueError, match=r"profile\[0\] \(GTFT\) must be deterministic"):
        is_subgame_perfect((GTFT(), TFT), game, 0.5)
    with pytest.raises(ValueError, match=r"continuation must lie in \[0, 1\)"):
        is_subgame_perfect(TFT, game, 1.0)
    with pytest.raises(TypeError, match="profile must be a strategy"):
        is_subgame_perfect(42, game, 0.5)
    with pytest.raises(ValueError, match="NO_SUCH"):
        is_subgame_perfect("NO_SUCH", game, 0.5)
    # Names work as everywhere else.
    assert is_subgame_perfect("TFT", game, 0.5) == is_subgame_perfect(TFT, game, 0.5)
    with pytest.raises(ValueError, match="tol must be >= 0"):
        is_subgame_perfect(TFT, game, 0.5, tol=-1)


@given(a=deterministic_machine(), b=deterministic_machine(), game=dilemma(), w=st.floats(0, 0.99))
def test_state_values_match_the_exact_kernel(a, b, game, w):
    # The cycle formula for V agrees with allysim's discounted Markov-chain payoffs at the start.
    from allysim import expected_payoffs
    from allysim.equilibria.subgame_perfect import _product, _values

    js, moves, succ, _ = _product(a, b, all_states=False)
    u0, u1 = game.outcome_payoffs()
    m0, m1 = moves[:, 0], moves[:, 1]
    flow = np.stack([u0[2 * m0 + m1], u1[2 * m0 + m1]], axis=1)
    values = _values(succ[np.arange(len(js)), m0, m1], flow, w)
    x, y = expected_payoffs(a, b, game, continuation=w)
    assert values[0] == pytest.approx([x[0, 0], y[0, 0]], abs=1e-9)
