"""Fuzz every public function and class of allysim.mechanisms.

For finite, in-range inputs nothing is NaN and the invariants hold: transformed payoffs are
finite, thresholds are >= 0 and mean what they say, margin = parameter - threshold, apply([])
leaves the game alone, profit sharing and transferred sanctions keep the sum of both payoffs in
every outcome while a burned sanction lowers it by the expected fine per defection (a bond by the
unsalvaged expected forfeit), and symmetric games stay symmetric. Any other input raises only
ValueError or TypeError, with a message naming the parameter. Each function's tried inputs are
counted and printed by the last test.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import allysim as ally
from allysim.games import StageGame
from allysim.mechanisms import (
    Bond,
    Communication,
    Mechanism,
    MechanismSetup,
    Monitoring,
    ProfitSharing,
    RepeatedSettings,
    Reputation,
    Sanction,
    ShadowOfFuture,
    apply,
    bond_threshold,
    continuation_threshold,
    profit_share_threshold,
    sanction_threshold,
    settle_round,
    simulate_mechanisms,
)

TRIED: Counter[str] = Counter()


def fuzz(n: int):
    return settings(max_examples=n, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ generators

moderate = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
any_finite = st.floats(allow_nan=False, allow_infinity=False)
prob = st.floats(0.0, 1.0)
below_one = st.floats(0.0, 1.0, exclude_max=True)
amount = st.floats(0.0, 1e6)


def sym_game(payoff=moderate):
    return st.tuples(payoff, payoff, payoff, payoff).map(
        lambda v: StageGame([[v[0], v[1]], [v[2], v[3]]], [[v[0], v[2]], [v[1], v[3]]])
    )


def any_game(payoff=moderate):
    cell = st.lists(payoff, min_size=4, max_size=4).map(lambda v: np.reshape(v, (2, 2)))
    return st.tuples(cell, cell).map(lambda rc: StageGame(*rc))


MECHANISMS = st.one_of(
    st.builds(ShadowOfFuture, below_one),
    st.builds(Monitoring, prob),
    st.builds(Communication, prob),
    st.builds(Reputation, prob),
    st.builds(Sanction, amount, prob, amount, st.booleans()),
    st.builds(Bond, amount, prob, prob),
    st.builds(ProfitSharing, prob),
)
MECHANISM_LISTS = st.lists(MECHANISMS, max_size=7, unique_by=lambda m: m.kind)
THRESHOLDED = (ShadowOfFuture, Sanction, Bond, ProfitSharing)
KEY = {ShadowOfFuture: "continuation", Sanction: "fine", Bond: "stake", ProfitSharing: "share"}

NOT_NUMBERS = st.one_of(
    st.none(), st.text(max_size=3), st.booleans(), st.just(1j), st.lists(st.integers(), max_size=2)
)
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])


def bad_number(low: float, high: float | None = None, *, low_open=False, high_open=False):
    """Values refused where a real number in the interval goes."""
    parts = [NOT_NUMBERS, NON_FINITE]
    parts.append(st.floats(max_value=low, exclude_max=not low_open, allow_infinity=False))
    if high is not None:
        parts.append(st.floats(min_value=high, exclude_min=not high_open, allow_infinity=False))
    return st.one_of(*parts)


BAD_PROB = bad_number(0.0, 1.0)
BAD_NONNEG = bad_number(0.0)
BAD_GAME = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.integers(),
    st.just([[3, 0], [5, 1]]),
    st.just(StageGame(np.zeros((3, 3)), np.zeros((3, 3)))),
    st.just(StageGame(np.zeros((2, 3)), np.zeros((2, 3)))),
)
ASYMMETRIC = (
    st.tuples(any_game(st.floats(-10, 10)), st.just(None))
    .map(lambda t: t[0])
    .filter(lambda g: not g.is_symmetric)
)
anything = st.one_of(NOT_NUMBERS, NON_FINITE, st.integers(-5, 5), st.just(object()))


def raises_naming(call, *params):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    message = str(info.value)
    assert any(p in message for p in params), message


def rstp(game):
    return game.payoff_vector


# ------------------------------------------------------------------ thresholds


@fuzz(150)
@given(sym_game(any_finite), st.floats(0.0, 1.0, exclude_min=True), prob)
def test_thresholds_are_nonnegative_and_never_nan_for_any_finite_game(game, detection, salvage):
    for name in ("GRIM", "TFT", "WSLS", "grim"):
        TRIED["continuation_threshold"] += 1
        w = continuation_threshold(game, name)
        assert w >= 0 and not math.isnan(w)
    TRIED["sanction_threshold"] += 1
    TRIED["profit_share_threshold"] += 1
    TRIED["bond_threshold"] += 1
    for value in (
        sanction_threshold(game),
        profit_share_threshold(game),
        bond_threshold(game, detection, salvage),
    ):
        assert value >= 0 and not math.isnan(value)


@fuzz(150)
@given(sym_game(st.floats(-100, 100)))
def test_grim_threshold_is_where_deviating_stops_paying(game):
    # Against GRIM a deviator earns T once, then P (withholding on) or S (contributing again).
    TRIED["continuation_threshold"] += 1
    R, S, T, P = rstp(game)
    w = continuation_threshold(game, "GRIM")

    def gain(v):
        # Differences first: at |R| = 100 a gain of 1e-17 vanishes if R is subtracted last.
        return max((1 - v) * (T - R) + v * (P - R), (1 - v) * (T - R) + v * (S - R))

    tol = 1e-9 * (1 + max(map(abs, (R, S, T, P))))
    if w == 0:
        assert gain(0.0) <= tol
    elif w < 1:
        assert gain(w) <= tol
        assert gain(0.99 * w) > 0
    else:
        assert gain(0.999) > 0  # no w < 1 suffices


@fuzz(150)
@given(sym_game(st.floats(-100, 100)), st.floats(0.01, 1.0), prob)
def test_stage_thresholds_closed_forms(game, detection, salvage):
    TRIED["sanction_threshold"] += 1
    TRIED["bond_threshold"] += 1
    TRIED["profit_share_threshold"] += 1
    R, S, T, P = rstp(game)
    gap = max(T - R, P - S)
    assert sanction_threshold(game) == max(0.0, gap)
    stake = bond_threshold(game, detection, salvage)
    assert stake == pytest.approx(max(0.0, gap) / detection, rel=1e-12)
    assert stake == bond_threshold(game, detection, 1.0 - salvage)  # salvage is irrelevant
    share = profit_share_threshold(game)
    if gap < 0:
        assert share == 0  # contributing dominates already
    elif T - S > 0:
        assert share == pytest.approx(2 * gap / (T - S), rel=1e-12)
    else:
        assert share == math.inf


@fuzz(100)
@given(
    st.one_of(BAD_GAME, ASYMMETRIC),
    st.sampled_from(
        [
            lambda g: continuation_threshold(g),
            lambda g: continuation_threshold(g, "TFT"),
            sanction_threshold,
            profit_share_threshold,
            lambda g: bond_threshold(g, 0.5),
            lambda g: Sanction(1, 0.5).threshold(g),
            lambda g: Bond(1, 0.5).margin(g),
            lambda g: ProfitSharing(0.5).margin(g),
            lambda g: ShadowOfFuture(0.5).threshold(g),
        ]
    ),
)
def test_thresholds_refuse_a_bad_game(game, call):
    TRIED["thresholds (bad game)"] += 1
    raises_naming(lambda: call(game), "game")


@fuzz(50)
@given(
    st.one_of(anything, st.just([[3, 0], [5, 1]])), st.sampled_from([Monitoring(0.1), Mechanism()])
)
def test_thresholdless_mechanisms_still_refuse_a_non_game(game, m):
    TRIED[f"{type(m).__name__}.threshold/margin"] += 1
    raises_naming(lambda: m.threshold(game), "game")
    raises_naming(lambda: m.margin(game), "game")


@fuzz(100)
@given(
    st.one_of(
        anything, st.text(max_size=5).filter(lambda s: s.upper() not in {"GRIM", "TFT", "WSLS"})
    )
)
def test_continuation_threshold_refuses_a_bad_strategy(strategy):
    TRIED["continuation_threshold"] += 1
    raises_naming(lambda: continuation_threshold(ally.PrisonersDilemma(), strategy), "strategy")


@fuzz(100)
@given(st.one_of(bad_number(0.0, 1.0, low_open=True), st.just(0.0)), BAD_PROB, st.booleans())
def test_bond_threshold_refuses_bad_numbers(detection, salvage, which):
    TRIED["bond_threshold"] += 1
    pd = ally.PrisonersDilemma()
    if which:
        raises_naming(lambda: bond_threshold(pd, detection, 0.5), "detection")
    else:
        raises_naming(lambda: bond_threshold(pd, 0.5, salvage), "salvage")


# ------------------------------------------------------------------ mechanism classes

FIELDS = {
    ShadowOfFuture: {"continuation": (below_one, bad_number(0.0, 1.0, high_open=True))},
    Monitoring: {"perception_noise": (prob, BAD_PROB)},
    Communication: {"clarity": (prob, BAD_PROB)},
    Reputation: {"visibility": (prob, BAD_PROB)},
    Sanction: {
        "fine": (amount, BAD_NONNEG),
        "detection": (prob, BAD_PROB),
        "enforcement_cost": (amount, BAD_NONNEG),
        "transfer": (st.booleans(), st.one_of(st.none(), st.integers(0, 1), st.text(max_size=3))),
    },
    Bond: {
        "stake": (amount, BAD_NONNEG),
        "detection": (prob, BAD_PROB),
        "salvage": (prob, BAD_PROB),
    },
    ProfitSharing: {"share": (prob, BAD_PROB)},
    RepeatedSettings: {
        "continuation": (
            st.one_of(st.none(), below_one),
            bad_number(0.0, 1.0, high_open=True).filter(lambda v: v is not None),  # None: no w
        ),
        "perception_noise": (prob, BAD_PROB),
        "clarity": (prob, BAD_PROB),
        "visibility": (prob, BAD_PROB),
        "enforcement_cost_per_defection": (amount, BAD_NONNEG),
    },
}


@st.composite
def construction(draw, good: bool):
    cls = draw(st.sampled_from(sorted(FIELDS, key=lambda c: c.__name__)))
    fields = FIELDS[cls]
    kwargs = {name: draw(ok) for name, (ok, _) in fields.items()}
    broken = None
    if not good:
        broken = draw(st.sampled_from(sorted(fields)))
        kwargs[broken] = draw(fields[broken][1])
    return cls, kwargs, broken


@fuzz(300)
@given(construction(good=True))
def test_classes_keep_in_range_values(case):
    cls, kwargs, _ = case
    TRIED[cls.__name__] += 1
    obj = cls(**kwargs)
    for name, value in kwargs.items():
        kept = getattr(obj, name)
        assert kept == value and type(kept) is type(value)
    if isinstance(obj, Mechanism):
        assert obj.kind != "mechanism"
    with pytest.raises(AttributeError):  # frozen
        setattr(obj, next(iter(kwargs)), kwargs[next(iter(kwargs))])


@fuzz(300)
@given(construction(good=False))
def test_classes_refuse_bad_values_naming_the_field(case):
    cls, kwargs, broken = case
    TRIED[cls.__name__] += 1
    raises_naming(lambda: cls(**kwargs), broken)


def _defections():
    """Number of withholders in each outcome [row move, col move] (0 = contribute)."""
    return np.array([[0.0, 1.0], [1.0, 2.0]])


@fuzz(300)
@given(MECHANISMS, sym_game(), st.integers(1, 3))
def test_transform_invariants(m, game, batch):
    TRIED[f"{type(m).__name__}.transform"] += 1
    row, col = np.array(game.row_payoffs), np.array(game.col_payoffs)
    new_row, new_col = m.transform(row, col)
    assert new_row.shape == new_col.shape == (2, 2)
    assert np.all(np.isfinite(new_row)) and np.all(np.isfinite(new_col))
    assert np.array_equal(new_row, new_col.T)  # symmetric stays symmetric, exactly
    before, after = row + col, new_row + new_col
    scale = 1 + np.abs(row).max() + np.abs(col).max()
    if isinstance(m, Sanction):
        burned = 0.0 if m.transfer else m.expected_fine
        expect = before - burned * _defections()
        assert np.allclose(after, expect, rtol=1e-12, atol=1e-12 * (scale + m.expected_fine))
    elif isinstance(m, Bond):
        lost = m.stake * m.detection * (1 - m.salvage)
        expect = before - lost * _defections()
        assert np.allclose(after, expect, rtol=1e-12, atol=1e-12 * (scale + m.stake))
    elif isinstance(m, ProfitSharing):
        assert np.allclose(after, before, rtol=1e-12, atol=1e-12 * scale)
    else:
        assert np.array_equal(new_row, row) and np.array_equal(new_col, col)
    # A stack of games is transformed game by game.
    stack_row = np.stack([row + k for k in range(batch)])
    stack_col = np.stack([col + k for k in range(batch)])
    sr, sc = m.transform(stack_row, stack_col)
    for k in range(batch):
        one_r, one_c = m.transform(row + k, col + k)
        assert np.array_equal(sr[k], one_r) and np.array_equal(sc[k], one_c)


@fuzz(200)
@given(
    MECHANISMS,
    st.one_of(
        st.tuples(st.just("row"), st.one_of(anything, st.just(np.zeros((2, 3))))),
        st.tuples(st.just("col"), st.one_of(anything, st.just(np.zeros((3, 2))))),
        st.tuples(st.just("settings"), anything),
    ),
)
def test_transform_and_adjust_refuse_bad_input(m, case):
    which, bad = case
    TRIED[f"{type(m).__name__}.transform/adjust"] += 1
    good = np.array([[3.0, 0.0], [5.0, 1.0]])
    if which == "row":
        raises_naming(lambda: m.transform(bad, good.T), "row")
    elif which == "col":
        raises_naming(lambda: m.transform(good, bad), "col")
    else:
        raises_naming(lambda: m.adjust(bad), "settings")


@fuzz(100)
@given(
    st.sampled_from([Sanction(1.5e308, 1.0), Bond(1.5e308, 1.0, 0.0)]), st.floats(1e308, 1.7e308)
)
def test_transform_overflow_is_a_value_error(m, big):
    TRIED[f"{type(m).__name__}.transform"] += 1
    row = np.full((2, 2), -big)
    raises_naming(lambda: m.transform(row, row), "fine", "stake")


@fuzz(300)
@given(st.one_of(MECHANISMS, st.just(Mechanism())), sym_game(st.floats(-1e3, 1e3)))
def test_threshold_and_margin(m, game):
    TRIED[f"{type(m).__name__}.threshold/margin"] += 1
    t, margin = m.threshold(game), m.margin(game)
    if not isinstance(m, THRESHOLDED):
        assert t is None and margin is None
    else:
        assert t >= 0 and not math.isnan(t)
        assert margin == getattr(m, KEY[type(m)]) - t
        if isinstance(m, Sanction | Bond) and m.detection > 0:
            assert t == pytest.approx(sanction_threshold(game) / m.detection, rel=1e-12)
        if isinstance(m, ShadowOfFuture):
            assert t == continuation_threshold(game, "GRIM")
        if isinstance(m, ProfitSharing):
            assert t == profit_share_threshold(game)


# ------------------------------------------------------------------ apply and MechanismSetup


@fuzz(300)
@given(
    st.one_of(sym_game(), any_game()),
    MECHANISM_LISTS,
    st.one_of(st.none(), below_one),
    prob,
    st.lists(st.floats(0, 1), min_size=4, max_size=4),
)
def test_apply_invariants(game, mechanisms, continuation, noise, freq):
    TRIED["apply"] += 1
    TRIED["MechanismSetup"] += 1
    bare = apply(game, [], continuation=continuation, perception_noise=noise)
    assert bare.game == game and bare.base_game is game
    assert bare.continuation == continuation and bare.perception_noise == noise
    assert bare.mechanisms == () and bare.margins() == {}

    setup = apply(game, mechanisms, continuation=continuation, perception_noise=noise)
    assert np.all(np.isfinite(setup.game.row_payoffs)) and np.all(
        np.isfinite(setup.game.col_payoffs)
    )
    assert setup.game.is_symmetric or not game.is_symmetric
    by_kind = {m.kind: m for m in mechanisms}
    w = by_kind["shadow_of_future"].continuation if "shadow_of_future" in by_kind else continuation
    assert setup.continuation == w
    eta = by_kind["monitoring"].perception_noise if "monitoring" in by_kind else noise
    clarity = by_kind["communication"].clarity if "communication" in by_kind else 0.0
    assert setup.perception_noise == pytest.approx(eta * (1 - clarity), abs=1e-15)
    assert 0 <= setup.perception_noise <= 1
    s = by_kind.get("sanction")
    cost = s.detection * s.enforcement_cost if s else 0.0
    assert setup.enforcement_cost_per_defection == cost
    play = setup.play_settings(rounds=7, noise=noise)
    assert play.perception_noise == setup.perception_noise
    assert play.continuation == setup.continuation
    assert play.rounds == (7 if setup.continuation is None else None) and play.noise == noise
    # Welfare: the mean payoff per outcome, less the enforcement cost per defection.
    outcomes = np.array(freq)
    u_row, u_col = setup.game.outcome_payoffs()
    expect = outcomes @ ((u_row + u_col) / 2) - cost * outcomes @ np.array([0, 0.5, 0.5, 1])
    welfare = setup.welfare(outcomes)
    assert np.isfinite(welfare) and welfare == pytest.approx(expect, rel=1e-9, abs=1e-6)
    if game.is_symmetric:
        margins = setup.margins()
        assert set(margins) == {m.kind for m in mechanisms if isinstance(m, THRESHOLDED)}
        for m in mechanisms:
            if m.kind in margins:
                assert margins[m.kind] == m.margin(game)


BAD_MECHANISMS = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=4),
    st.lists(st.one_of(st.none(), st.text(max_size=3), st.integers()), min_size=1, max_size=3),
    st.just([Sanction(1, 0.5), Sanction(2, 0.5)]),
    st.just([ProfitSharing(0.1), ShadowOfFuture(0.5), ProfitSharing(0.2)]),
    st.just({"sanction": Sanction(1, 0.5)}),
)


@fuzz(200)
@given(
    st.one_of(
        st.tuples(st.just("game"), BAD_GAME),
        st.tuples(st.just("mechanisms"), BAD_MECHANISMS),
        st.tuples(st.just("continuation"), bad_number(0.0, 1.0, high_open=True)),
        st.tuples(st.just("perception_noise"), BAD_PROB),
    )
)
def test_apply_refuses_bad_input(case):
    name, bad = case
    TRIED["apply"] += 1
    kwargs = {"game": ally.PrisonersDilemma(), "mechanisms": [Sanction(1, 0.5)]}
    assume(not (name == "continuation" and bad is None))  # None: no continuation, valid
    kwargs[name] = bad
    raises_naming(lambda: apply(**kwargs), name)


SETUP_FIELDS = {
    "game": BAD_GAME,
    "base_game": BAD_GAME,
    "continuation": bad_number(0.0, 1.0, high_open=True).filter(lambda v: v is not None),
    "perception_noise": BAD_PROB,
    "enforcement_cost_per_defection": BAD_NONNEG,
    "visibility": BAD_PROB,
    "clarity": BAD_PROB,
    "mechanisms": BAD_MECHANISMS,
}


@fuzz(200)
@given(
    st.sampled_from(sorted(SETUP_FIELDS)).flatmap(lambda n: st.tuples(st.just(n), SETUP_FIELDS[n]))
)
def test_mechanism_setup_refuses_bad_fields(case):
    name, bad = case
    TRIED["MechanismSetup"] += 1
    pd = ally.PrisonersDilemma()
    kwargs = dict(
        game=pd,
        base_game=pd,
        continuation=0.5,
        perception_noise=0.0,
        enforcement_cost_per_defection=0.0,
        visibility=0.0,
        clarity=0.0,
        mechanisms=(),
    )
    kwargs[name] = bad
    needle = name if name != "mechanisms" else "mechanism"
    raises_naming(lambda: MechanismSetup(**kwargs), needle)


@fuzz(100)
@given(
    st.one_of(
        anything,
        st.lists(st.floats(0, 1), min_size=3, max_size=3),
        st.just([[0.5, 0.5, -0.1, 0.1]]),
        st.just([0.5, math.nan, 0.5, 0.0]),
    )
)
def test_welfare_refuses_bad_outcomes(outcomes):
    TRIED["MechanismSetup.welfare"] += 1
    raises_naming(lambda: apply(ally.PrisonersDilemma()).welfare(outcomes), "outcomes")


# ------------------------------------------------------------------ settle_round


@fuzz(200)
@given(
    MECHANISM_LISTS,
    st.integers(1, 30),
    st.integers(0, 2**32),
    st.floats(0, 10),
    st.data(),
)
def test_settle_round_invariants(mechanisms, n, seed, scale, data):
    TRIED["settle_round"] += 1
    pay_a = np.array(data.draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n)))
    pay_b = np.array(data.draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n)))
    ca = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    cb = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    a, b, cost = settle_round(mechanisms, pay_a, pay_b, ca, cb, seed, scale=scale)
    again = settle_round(mechanisms, pay_a, pay_b, ca, cb, seed, scale=scale)
    assert all(np.array_equal(x, y) for x, y in zip((a, b, cost), again, strict=True))
    for x in (a, b, cost):
        assert x.shape == (n,) and np.all(np.isfinite(x))
    assert np.all(cost >= 0)
    money = [m for m in mechanisms if isinstance(m, Sanction | Bond | ProfitSharing)]
    lossless = all(
        isinstance(m, ProfitSharing)
        or (isinstance(m, Sanction) and m.transfer)
        or (isinstance(m, Bond) and m.salvage == 1)
        for m in money
    )
    if lossless:
        assert np.allclose(a + b, pay_a + pay_b, rtol=1e-12, atol=1e-9 * (1 + scale))
    else:
        assert np.all(a + b <= pay_a + pay_b + 1e-9 * (1 + scale))
    if not any(isinstance(m, ProfitSharing) for m in money):
        # Fines and forfeits only ever hit withholders: a contributor never loses.
        assert np.all(a[ca] >= pay_a[ca]) and np.all(b[cb] >= pay_b[cb])
    if not money:
        assert np.array_equal(a, pay_a) and np.array_equal(b, pay_b) and not cost.any()


@fuzz(200)
@given(
    st.sampled_from(["mechanisms", "pay_a", "pay_b", "contrib_a", "contrib_b", "seed", "scale"]),
    st.data(),
)
def test_settle_round_refuses_bad_input(name, data):
    TRIED["settle_round"] += 1
    kwargs = dict(
        mechanisms=[Sanction(1.0, 0.5)],
        pay_a=np.zeros(3),
        pay_b=np.zeros(3),
        contrib_a=np.ones(3, bool),
        contrib_b=np.zeros(3, bool),
        seed=0,
        scale=1.0,
    )
    bad = {
        "mechanisms": BAD_MECHANISMS,
        "pay_a": st.one_of(NOT_NUMBERS, st.just([0.0, math.nan, 1.0]), st.just(np.zeros(4))),
        "pay_b": st.one_of(NOT_NUMBERS, st.just(np.zeros((3, 1))), st.just([1.0, 2.0, math.inf])),
        "contrib_a": st.one_of(st.just(np.ones(3)), st.just(np.ones(2, bool)), st.just("yes")),
        "contrib_b": st.one_of(st.just([1, 0, 1]), st.just(np.zeros((3, 2), bool))),
        "seed": st.one_of(
            st.text(max_size=2), st.floats(), st.integers(max_value=-1), st.booleans()
        ),
        "scale": st.one_of(
            st.floats(max_value=0.0, exclude_max=True),
            NON_FINITE,
            st.just(np.ones(2)),
            st.just("2"),
        ),
    }[name]
    kwargs[name] = data.draw(bad)
    raises_naming(lambda: settle_round(**kwargs), "mechanism" if name == "mechanisms" else name)


# ------------------------------------------------------------------ simulate_mechanisms

STRATS = st.sampled_from([ally.ALLC, ally.ALLD, ally.TFT, ally.GRIM, ally.WSLS, ally.RANDOM(0.5)])


@fuzz(40)
@given(
    STRATS,
    STRATS,
    MECHANISM_LISTS,
    st.integers(1, 20),
    st.one_of(st.tuples(st.integers(1, 8), st.none()), st.tuples(st.none(), st.floats(0, 0.8))),
    prob,
    st.integers(0, 2**32),
)
def test_simulate_mechanisms_invariants(x, y, mechanisms, reps, horizon, noise, seed):
    TRIED["simulate_mechanisms"] += 1
    rounds, continuation = horizon
    # One horizon only, and a short one (w near 1 means millions of rounds: the memory guard).
    mechanisms = [
        m
        for m in mechanisms
        if not (isinstance(m, ShadowOfFuture) and (rounds is not None or m.continuation > 0.8))
    ]
    game = ally.PrisonersDilemma()
    kw = dict(repetitions=reps, rounds=rounds, continuation=continuation, noise=noise, seed=seed)
    out = simulate_mechanisms(x, y, game, mechanisms, **kw)
    again = simulate_mechanisms(x, y, game, mechanisms, **kw)
    assert set(out) == {"row", "col", "welfare"}
    for key, arr in out.items():
        assert arr.shape == (reps,) and np.all(np.isfinite(arr))
        assert np.array_equal(arr, again[key])  # bit-reproducible
    if not mechanisms and noise == 0 and x is ally.ALLC and y is ally.ALLC and rounds is not None:
        assert np.allclose(out["row"], 3.0) and np.allclose(out["welfare"], 3.0)


@fuzz(100)
@given(
    st.sampled_from(
        ["row_strategy", "col_strategy", "game", "repetitions", "rounds", "noise", "seed", "both"]
    ),
    st.data(),
)
def test_simulate_mechanisms_refuses_bad_input(name, data):
    TRIED["simulate_mechanisms"] += 1
    kwargs = dict(
        row_strategy=ally.TFT,
        col_strategy=ally.ALLD,
        game=ally.PrisonersDilemma(),
        mechanisms=[],
        repetitions=2,
        rounds=3,
        seed=0,
    )
    bad = {
        "row_strategy": st.one_of(anything, st.just([ally.TFT]), st.just("TFT")),
        "col_strategy": st.one_of(anything, st.just((ally.TFT, ally.ALLD))),
        "game": BAD_GAME,
        "repetitions": st.one_of(st.integers(max_value=0), st.floats(), st.text(max_size=2)),
        "rounds": st.one_of(st.integers(max_value=0), st.floats(), st.booleans()),
        "noise": BAD_PROB,
        "seed": st.one_of(st.text(max_size=2), st.floats(), st.integers(max_value=-1)),
        "both": st.floats(0, 0.9),
    }[name]
    value = data.draw(bad)
    if name == "both":
        kwargs["continuation"] = value  # rounds and a continuation: one horizon too many
        name = "rounds"
    else:
        kwargs[name] = value
    raises_naming(lambda: simulate_mechanisms(**kwargs), name)


def test_simulate_mechanisms_memory_guard():
    TRIED["simulate_mechanisms"] += 1
    old = ally.set_memory_budget(10**6)
    try:
        raises_naming(
            lambda: simulate_mechanisms(
                ally.TFT,
                ally.TFT,
                ally.PrisonersDilemma(),
                [ShadowOfFuture(0.999)],
                repetitions=1000,
            ),
            "repetitions",
        )
    finally:
        ally.set_memory_budget(old)


def test_zz_report_counts():
    print("\nfuzz inputs tried:", dict(sorted(TRIED.items())))
    assert not TRIED or TRIED["apply"] > 0
