"""Consortia games and per-member mechanisms: closed forms, the two-player rule at n = 2, and
thresholds as best-response boundaries."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from allysim.consortia import (
    GroupGame,
    PublicGoodsGame,
    as_group_game,
    fine_threshold,
    reciprocity_threshold,
    share_threshold,
    stake_threshold,
    with_mechanisms,
)
from allysim.games import StageGame
from allysim.mechanisms import Bond, ProfitSharing, Sanction, apply, profit_share_threshold

sizes = st.integers(2, 12)
positive = st.floats(0.05, 20.0)
prob = st.floats(0.05, 1.0)


def _stage(game) -> StageGame:
    """The two-player stage game of a 2-member group game (move 0 = contribute)."""
    pc, pd = as_group_game(game).tables()
    row = np.array([[pc[1], pc[0]], [pd[1], pd[0]]])
    return StageGame(row, row.T)


# --- games ---------------------------------------------------------------------------------


@given(n=sizes, r=st.floats(0.0, 30.0), c=st.floats(0.0, 10.0))
def test_linear_payoffs_closed_form(n, r, c):
    pc, pd = PublicGoodsGame(n, multiplier=r, cost=c).tables()
    k = np.arange(n)
    np.testing.assert_allclose(pc, r * c * (k + 1) / n - c, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pd, r * c * k / n, rtol=1e-12, atol=1e-12)


@given(n=sizes, w=st.floats(0.0, 3.0).filter(lambda w: abs(w - 1) > 1e-3), r=positive)
def test_synergy_discounting_hauert_2006(n, w, r):
    # Hauert et al. (2006): with j contributors each member gets (b/n)(1 - w^j)/(1 - w), b = r c.
    g = PublicGoodsGame(n, multiplier=r, cost=1.0, synergy=w)
    j = np.arange(n + 1)
    np.testing.assert_allclose(g.benefit(j), r / n * (1 - w**j) / (1 - w), rtol=1e-9)


@given(n=sizes, r=st.floats(0.0, 30.0))
def test_linear_dilemma_iff_one_below_r_below_n(n, r):
    assume(abs(r - 1) > 1e-9 and abs(r - n) > 1e-9)
    g = PublicGoodsGame(n, multiplier=r, cost=1.0)
    assert g.is_dilemma == (1 < r < n)
    assert g.withholding_dominant == (r < n)


def test_volunteers_dilemma_and_collective_risk():
    vd = PublicGoodsGame(5, multiplier=10.0, cost=1.0, threshold=1, synergy=0.0)
    pc, pd = vd.tables()
    assert pc.tolist() == [1.0] * 5  # b' - c with b' = r c / n = 2, whatever the others do
    assert pd.tolist() == [0.0, 2.0, 2.0, 2.0, 2.0]  # free ride once somebody volunteers
    assert vd.is_dilemma and not vd.withholding_dominant
    # Santos & Pacheco (2011): risk 0.6 of losing the endowment b = 1 below M = 3 contributors.
    cr = PublicGoodsGame(4, multiplier=0.0, cost=0.1, threshold=3, loss=0.6)
    pc, pd = cr.tables()
    np.testing.assert_allclose(pc, [-0.7, -0.7, -0.1, -0.1])
    np.testing.assert_allclose(pd, [-0.6, -0.6, -0.6, 0.0])


def test_welfare_and_payoffs_agree():
    g = PublicGoodsGame(4, multiplier=2.0, threshold=2)
    pc, pd = g.tables()
    for j in range(5):
        want = (j * (pc[j - 1] if j else 0) + (4 - j) * (pd[j] if j < 4 else 0)) / 4
        assert g.welfare(j) == pytest.approx(want)
    assert g.to_group_game() == GroupGame(pc, pd)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"group_size": 1}, ValueError, "group_size must be an integer >= 2"),
        ({"group_size": 2.5}, TypeError, "group_size must be an integer"),
        ({"group_size": True}, TypeError, "group_size must be an integer"),
        ({"group_size": 3, "multiplier": -1}, ValueError, "multiplier"),
        ({"group_size": 3, "cost": float("nan")}, ValueError, "cost"),
        (
            {"group_size": 3, "threshold": 4},
            ValueError,
            r"threshold must lie in \[0, group_size=3\]",
        ),
        ({"group_size": 3, "synergy": -0.5}, ValueError, "synergy"),
        ({"group_size": 3, "loss": "1"}, TypeError, "loss"),
        ({"group_size": 2000, "synergy": 1e6}, ValueError, "synergy is too large"),
    ],
)
def test_game_validation(kwargs, error, match):
    with pytest.raises(error, match=match):
        PublicGoodsGame(**kwargs)


def test_other_validation():
    g = PublicGoodsGame(3)
    with pytest.raises(ValueError, match=r"k must lie in \[0, 2\]"):
        g.payoffs(3)
    # The type as written (0.4.0 printed numpy dtypes: "got <U1", "got float64").
    with pytest.raises(
        TypeError, match=r"k must be an integer or an array of integers, got float 0\.5"
    ):
        g.payoffs(0.5)
    with pytest.raises(TypeError, match="got str '2'"):
        g.payoffs("2")
    with pytest.raises(TypeError, match="got an array of float64"):
        g.payoffs([0.5, 1.0])
    with pytest.raises(ValueError, match="same length"):
        GroupGame([0.0, 1.0], [0.0, 1.0, 2.0])
    with pytest.raises(TypeError, match="game must be a PublicGoodsGame or GroupGame"):
        as_group_game(_stage(g))


# --- mechanisms per member ------------------------------------------------------------------


@given(r=st.floats(0.5, 4.0), c=positive, d=prob, f=st.floats(0.0, 5.0), v=st.floats(0.0, 1.0))
def test_two_members_is_the_two_player_rule(r, c, d, f, v):
    base = PublicGoodsGame(2, multiplier=r, cost=c)
    for mech in (
        Sanction(fine=f, detection=d),
        Sanction(fine=f, detection=d, transfer=True),
        Bond(stake=f, detection=d, salvage=v),
        ProfitSharing(share=v),
    ):
        mine = _stage(with_mechanisms(base, [mech]))
        theirs = apply(_stage(base), [mech]).game
        np.testing.assert_allclose(mine.row_payoffs, theirs.row_payoffs, rtol=1e-12, atol=1e-12)


@given(n=sizes, r=st.floats(0.0, 30.0), c=positive, d=prob, f=st.floats(0.0, 5.0))
def test_transfers_and_sharing_keep_welfare(n, r, c, d, f):
    base = PublicGoodsGame(n, multiplier=r, cost=c, threshold=n // 2)
    j = np.arange(n + 1)
    for mech, kw in [
        (Sanction(fine=f, detection=d, transfer=True), {"recipients": "others"}),
        (ProfitSharing(0.4), {"sharing": "equal"}),
        (ProfitSharing(0.4), {"sharing": "contribution"}),
    ]:
        after = with_mechanisms(base, [mech], **kw).welfare(j)
        np.testing.assert_allclose(after, base.welfare(j), rtol=1e-9, atol=1e-9)
    # Transfers to contributors only: the fines are burned when nobody contributes.
    after = with_mechanisms(base, Sanction(f, d, transfer=True), recipients="contributors")
    np.testing.assert_allclose(after.welfare(j[1:]), base.welfare(j[1:]), rtol=1e-9, atol=1e-9)
    assert after.welfare(0) == pytest.approx(base.welfare(0) - d * f)


@given(n=sizes, r=st.floats(0.0, 30.0), c=positive, d=prob)
def test_linear_fine_threshold_closed_form(n, r, c, d):
    g = PublicGoodsGame(n, multiplier=r, cost=c)
    want = max(c * (1 - r / n), 0.0) / d
    assert fine_threshold(g, d) == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert stake_threshold(g, d, salvage=0.3) == pytest.approx(want, rel=1e-9, abs=1e-12)


@given(n=st.integers(3, 12), r=st.floats(1.0, 12.0))
def test_linear_share_threshold_closed_form(n, r):
    assume(r <= n)
    g = PublicGoodsGame(n, multiplier=r, cost=1.0)
    assert share_threshold(g) == pytest.approx((n - r) / (n - 1), rel=1e-9, abs=1e-12)


@given(r=st.floats(1.0, 2.0), c=positive)
def test_share_threshold_matches_two_player(r, c):
    g = PublicGoodsGame(2, multiplier=r, cost=c)
    assert share_threshold(g) == pytest.approx(profit_share_threshold(_stage(g)), abs=1e-12)


def _contributing_is_best_reply(game) -> bool:
    return bool(np.all(game.gain_from_contributing(np.arange(game.group_size)) >= 0))


games = sizes.flatmap(
    lambda n: st.builds(
        PublicGoodsGame,
        group_size=st.just(n),
        multiplier=st.floats(0.0, 12.0),
        cost=st.floats(0.1, 5.0),
        threshold=st.integers(0, n),
        synergy=st.floats(0.0, 1.5),
        loss=st.sampled_from([0.0, 0.5]),
    )
)


@given(game=games, d=prob, transfer=st.booleans(), to=st.sampled_from(["others", "contributors"]))
def test_fine_threshold_is_the_best_response_boundary(game, d, transfer, to):
    thr = fine_threshold(game, d, transfer=transfer, recipients=to)
    assume(math.isfinite(thr))

    def fined(f):
        return with_mechanisms(game, Sanction(f, d, transfer=transfer), recipients=to)

    assert _contributing_is_best_reply(fined(thr * (1 + 1e-6) + 1e-6))
    if thr > 1e-6:
        assert not _contributing_is_best_reply(fined(thr - 1e-6))


@given(game=games, d=prob, v=st.floats(0.0, 1.0), to=st.sampled_from(["others", "contributors"]))
def test_stake_threshold_is_the_best_response_boundary(game, d, v, to):
    thr = stake_threshold(game, d, salvage=v, recipients=to)
    assume(math.isfinite(thr))

    def bonded(b):
        return with_mechanisms(game, Bond(b, d, salvage=v), recipients=to)

    assert _contributing_is_best_reply(bonded(thr * (1 + 1e-6) + 1e-6))
    if thr > 1e-6:
        assert not _contributing_is_best_reply(bonded(thr - 1e-6))


@given(game=games, how=st.sampled_from(["equal", "contribution"]))
def test_share_threshold_is_the_best_response_boundary(game, how):
    thr = share_threshold(game, sharing=how)
    if not math.isfinite(thr):
        # No share in [0, 1] works: check a grid, so an inf cannot hide a missed share.
        for s in np.linspace(0, 1, 101):
            assert not _contributing_is_best_reply(
                with_mechanisms(game, ProfitSharing(s), sharing=how)
            )
        return
    up = min(thr + 1e-6, 1.0)
    assert _contributing_is_best_reply(with_mechanisms(game, ProfitSharing(up), sharing=how))
    if thr > 1e-6:
        below = with_mechanisms(game, ProfitSharing(thr - 1e-6), sharing=how)
        assert not _contributing_is_best_reply(below)


def test_threshold_edge_cases():
    g = PublicGoodsGame(5, multiplier=3.0)
    assert fine_threshold(g, 0.0) == math.inf
    assert fine_threshold(PublicGoodsGame(5, multiplier=6.0), 0.0) == 0.0  # r > n: no need
    assert share_threshold(PublicGoodsGame(5, multiplier=0.5)) == math.inf  # r < 1: waste
    with pytest.raises(ValueError, match="recipients must be one of"):
        with_mechanisms(g, Sanction(1, 1), recipients="victims")
    with pytest.raises(TypeError, match=r"mechanisms\[0\] must be a Sanction"):
        with_mechanisms(g, ["fine"])
    with pytest.raises(ValueError, match="detection"):
        fine_threshold(g, 1.5)


# --- reading a group as one partner -----------------------------------------------------------


@given(i=st.integers(0, 40), d=st.integers(1, 40), n=st.integers(1, 200))
def test_reciprocity_threshold_is_the_ceiling_of_the_rational_share(i, d, n):
    # q = i / d as a float: k(n) = ceil(q (n - 1)) of the rational i / d, so shares such as
    # 1/3 and 0.7 that land an ulp above an integer do not round up.
    assume(i <= d)
    want = math.ceil(Fraction(i, d) * (n - 1))
    assert int(reciprocity_threshold(i / d, n)) == want
    assert reciprocity_threshold(i / d, np.array([n, n])).tolist() == [want, want]


def test_reciprocity_threshold_small_shares_and_bad_sizes():
    # ceil(1e-10 * 4) = 1 (before: a 1e-9 slack gave 0) and just above a half of two others, 2.
    assert int(reciprocity_threshold(1e-10, 5)) == 1
    assert int(reciprocity_threshold(0.5000000001, 3)) == 2
    # Sizes were cast to int64: 3.7 read as 3, -3 gave a threshold of -2.
    with pytest.raises(TypeError, match="size must be an integer or an array of integers"):
        reciprocity_threshold(0.5, 3.7)
    with pytest.raises(TypeError, match="size must be an integer"):
        reciprocity_threshold(0.5, np.array([3.0, 4.0]))
    with pytest.raises(ValueError, match=r"size must be >= 1"):
        reciprocity_threshold(0.5, -3)
