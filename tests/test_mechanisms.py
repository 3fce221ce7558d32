import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import allysim as ally
from allysim.comparison import compare_mechanisms, default_scenarios, standard_partnership_game
from allysim.kernels import expected_payoffs, outcome_distribution
from allysim.mechanisms import (
    Bond,
    Communication,
    Monitoring,
    ProfitSharing,
    Reputation,
    Sanction,
    ShadowOfFuture,
    apply,
    bond_threshold,
    continuation_threshold,
    profit_share_threshold,
    sanction_threshold,
    simulate_mechanisms,
)

PD = ally.PrisonersDilemma()
ZOO = [
    ally.ALLC,
    ally.ALLD,
    ally.TFT,
    ally.STFT,
    ally.GRIM,
    ally.WSLS,
    ally.TF2T,
    ally.ALTERNATOR,
    ally.GTFT(),
    ally.RANDOM(0.5),
    ally.extortionate(),
]


def _gains(game, incumbent, **kw):
    """Payoff of every zoo strategy against the incumbent, minus the incumbent's own."""
    row, _ = expected_payoffs(ZOO, [incumbent], game, **kw)
    own, _ = expected_payoffs(incumbent, incumbent, game, **kw)
    return {s.name: float(row[i, 0] - own[0, 0]) for i, s in enumerate(ZOO)}


# ------------------------------------------------------------------------- transforms


def test_sanction_burned_and_transferred():
    burned = apply(PD, [Sanction(fine=4, detection=0.5)]).game
    assert burned.payoff_vector == (3, 0, 3, -1)
    assert burned.col_payoffs.tolist() == [[3, 3], [0, -1]]
    moved = apply(PD, [Sanction(fine=4, detection=0.5, transfer=True)]).game
    assert moved.payoff_vector == (3, 2, 3, 1)


def test_bond_salvage_and_profit_sharing():
    g = apply(PD, [Bond(stake=2, detection=1.0, salvage=0.25)]).game
    # Defector loses 2; the victim gets 0.5; both defect: -2 + 0.5 each.
    assert g.payoff_vector == (3, 0.5, 3, -0.5)
    shared = apply(PD, [ProfitSharing(0.5)]).game
    # (1 - s) own + s * mean: CD -> 0.5 * 0 + 0.5 * 2.5
    assert shared.payoff_vector == (3, 1.25, 3.75, 1)


def test_order_matters_for_stage_transforms():
    a = apply(PD, [Sanction(fine=2, detection=1), ProfitSharing(0.5)]).game
    b = apply(PD, [ProfitSharing(0.5), Sanction(fine=2, detection=1)]).game
    assert a.payoff_vector != b.payoff_vector
    # Sharing after the fine spreads the fine over both partners.
    assert a.payoff_vector[1] == pytest.approx(0.5 * 0 + 0.5 * (0 + 3) / 2)
    assert b.payoff_vector[1] == pytest.approx(1.25)


def test_settings_mechanisms():
    s = apply(
        PD,
        [Communication(0.5), Monitoring(0.1), ShadowOfFuture(0.9), Reputation(0.7)],
        perception_noise=0.3,
    )
    assert s.perception_noise == pytest.approx(0.05)
    assert s.continuation == 0.9 and s.visibility == 0.7 and s.clarity == 0.5
    assert s.game == PD
    assert s.play_settings(rounds=50, noise=0.01) == ally.PlaySettings(
        rounds=None, continuation=0.9, noise=0.01, perception_noise=s.perception_noise
    )
    # Deprecated in favour of play_settings, but kept working.
    assert s.kernel_options() == {"perception_noise": pytest.approx(0.05), "continuation": 0.9}
    base = apply(PD, [], continuation=0.4, perception_noise=0.2)
    assert (base.continuation, base.perception_noise) == (0.4, 0.2)


def test_welfare_is_net_of_enforcement_and_lost_stakes():
    s = apply(PD, [Sanction(fine=2, detection=0.5, enforcement_cost=1.0)])
    alld = np.array([0.0, 0.0, 0.0, 1.0])
    # P - 0.5*2 fine burned, minus enforcement 0.5 detections * 1.0 per round per partner.
    assert s.welfare(alld) == pytest.approx(1 - 1 - 0.5)
    assert s.welfare(np.array([1.0, 0, 0, 0])) == pytest.approx(3)
    lost = apply(PD, [Bond(stake=2, detection=1, salvage=0.0)])
    assert lost.welfare(np.array([0, 0, 1.0, 0])) == pytest.approx((5 - 2 + 0) / 2)


@pytest.mark.parametrize(
    ("mechanisms", "needle"),
    [
        ([Sanction(1, 0.5), Sanction(2, 0.5)], "counted twice"),
        (["sanction"], "unknown mechanism"),
        ([ShadowOfFuture(0.5), ShadowOfFuture(0.9)], "counted twice"),
    ],
)
def test_bad_compositions(mechanisms, needle):
    with pytest.raises(ValueError, match=needle):
        apply(PD, mechanisms)


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: Sanction(fine=-1, detection=0.5), "fine must be >= 0"),
        (lambda: Sanction(fine=1, detection=1.5), r"detection must be a probability in \[0, 1\]"),
        (lambda: Sanction(fine=1, detection=0.5, enforcement_cost=-2), "enforcement_cost"),
        (lambda: Bond(stake=-1, detection=0.5), "stake"),
        (lambda: Bond(stake=1, detection=0.5, salvage=2), "salvage"),
        (lambda: ProfitSharing(1.2), "share"),
        (lambda: ProfitSharing(float("nan")), "share must be finite"),
        (lambda: ShadowOfFuture(1.0), r"continuation must lie in \[0, 1\)"),
        (lambda: Monitoring(-0.1), "perception_noise"),
        (lambda: Communication(2), "clarity"),
        (lambda: Reputation(-1), "visibility"),
    ],
)
def test_bad_parameters(make, needle):
    with pytest.raises(ValueError, match=needle):
        make()


def test_sanction_transfer_must_be_bool():
    with pytest.raises(TypeError, match="transfer"):
        Sanction(fine=1, detection=0.5, transfer="yes")


# ------------------------------------------------------------------------- exact vs simulation


@pytest.mark.parametrize(
    ("mechanisms", "horizon"),
    [
        (
            [Sanction(fine=3, detection=0.6, enforcement_cost=0.5), ProfitSharing(0.3)],
            {"rounds": 20},
        ),
        ([Bond(stake=2, detection=0.5, salvage=0.5), ShadowOfFuture(0.8)], {}),
        (
            [ProfitSharing(0.4), Sanction(fine=2, detection=0.7, transfer=True), Monitoring(0.1)],
            {"continuation": 0.7},
        ),
    ],
)
def test_expected_payoffs_under_mechanisms_match_literal_simulation(mechanisms, horizon):
    game = standard_partnership_game()
    for x, y in [
        (ally.TFT, ally.RANDOM(0.6)),
        (ally.WSLS, ally.GRIM),
        (ally.GTFT(game), ally.ALLD),
    ]:
        setup = apply(game, mechanisms, continuation=horizon.get("continuation"))
        play = setup.play_settings(rounds=horizon.get("rounds"), noise=0.02)
        row, col = expected_payoffs(x, y, setup.game, settings=play)
        welfare = setup.welfare(outcome_distribution(x, y, settings=play))
        sim = simulate_mechanisms(
            x, y, game, mechanisms, repetitions=20_000, noise=0.02, seed=7, **horizon
        )
        for key, exact in (("row", row), ("col", col), ("welfare", welfare)):
            est = sim[key]
            se = est.std(ddof=1) / math.sqrt(len(est))
            assert abs(est.mean() - float(exact[0, 0])) <= 4 * se + 1e-9, (x.name, y.name, key)


# ------------------------------------------------------------------------- thresholds


def test_threshold_values():
    assert continuation_threshold(PD, "GRIM") == pytest.approx(0.5)
    assert continuation_threshold(PD, "TFT") == pytest.approx(2 / 3)
    assert continuation_threshold(PD, "WSLS") == pytest.approx(1.0)
    assert sanction_threshold(PD) == 2
    assert profit_share_threshold(PD) == pytest.approx(0.8)
    assert bond_threshold(PD, detection=0.5, salvage=1.0) == pytest.approx(4.0)
    with pytest.raises(ValueError, match="strategy"):
        continuation_threshold(PD, "ALLC")


@given(st.floats(0.2, 2.0), st.floats(0.2, 2.0), st.floats(0.5, 3.0))
def test_grim_continuation_threshold_against_the_kernel(temptation, sucker, reward):
    P, R = 0.0, reward
    T, S = R + temptation, P - sucker
    assume(2 * R > T + S)
    game = ally.PrisonersDilemma(R, S, T, P)
    w = continuation_threshold(game, "GRIM")
    assume(w <= 0.97)
    above = _gains(game, ally.GRIM, continuation=min(w + 0.01, 0.999))
    assert max(above.values()) <= 1e-9
    below = _gains(game, ally.GRIM, continuation=max(w - 0.01, 0.0))
    assert below["ALLD"] > 0


@pytest.mark.parametrize(
    ("payoffs", "deviation"),
    [((3, 0, 5, 1), "STFT"), ((3, 0, 4, 1.5), "ALLD"), ((4, 0, 5, 1), "STFT")],
)
def test_tft_continuation_threshold(payoffs, deviation):
    # Which deviation binds depends on which term of the max is larger.
    game = ally.PrisonersDilemma(*payoffs)
    w = continuation_threshold(game, "TFT")
    assert max(_gains(game, ally.TFT, continuation=w + 0.01).values()) <= 1e-9
    assert _gains(game, ally.TFT, continuation=w - 0.01)[deviation] > 0


@pytest.mark.parametrize("payoffs", [(3, 0, 4, 1), (4, 0, 5, 1), (3, -1, 3.5, 0)])
def test_wsls_continuation_threshold(payoffs):
    game = ally.PrisonersDilemma(*payoffs)
    w = continuation_threshold(game, "WSLS")
    assert w < 1
    assert max(_gains(game, ally.WSLS, continuation=w + 0.01).values()) <= 1e-9
    assert _gains(game, ally.WSLS, continuation=w - 0.01)["ALLD"] > 0


def test_wsls_threshold_in_a_snowdrift_counts_withholding_once_then_contributing():
    # R=3, S=2, T=4, P=0 (S > P). WSLS keeps withholding after earning T, so "withhold once,
    # then contribute" earns (1 - w) T + w S, above R for w < (T - R) / (T - S) = 1/2; ALLD's
    # T, P, T, P binds only below (T - R) / (R - P) = 1/3 (0.4.0 returned 1/3).
    game = ally.StageGame([[3, 2], [4, 0]], [[3, 4], [2, 0]])
    assert continuation_threshold(game, "WSLS") == pytest.approx(0.5)
    once = ally.MemoryOne((1, 1, 1, 1), p0=0.0, name="D then C")

    def gain(w):
        row, _ = expected_payoffs([once, ally.ALLD], [ally.WSLS], game, continuation=w)
        return row[:, 0] - 3.0

    assert gain(0.45)[0] == pytest.approx(0.55 * 4 + 0.45 * 2 - 3)  # 0.1 > 0: not an equilibrium
    assert gain(0.45)[1] < 0
    assert (gain(0.55) < 0).all()


# Each reciprocator as a two-state machine against a deviator: its next move (0 = C) in state
# s, and its next state after (its move, the deviator's move). WSLS shifts after S or P.
_MACHINES = {
    "GRIM": lambda s, m: max(s, m),
    "TFT": lambda s, m: m,
    "WSLS": lambda s, m: int(s != m),
}


def _best_deviation(payoffs, name, w):
    """Best normalised discounted payoff against the machine from its start state (C), by
    enumerating the deviator's four stationary policies (optimal in a finite discounted MDP)."""
    R, S, T, P = payoffs
    pay = {(0, 0): R, (0, 1): S, (1, 0): T, (1, 1): P}  # (deviator's move, machine's move)
    step = _MACHINES[name]
    best = -math.inf
    for policy in ((0, 0), (0, 1), (1, 0), (1, 1)):  # deviator's move in machine state 0, 1
        a = np.eye(2)
        u = np.zeros(2)
        for s in (0, 1):
            m = policy[s]
            a[s, step(s, m)] -= w
            u[s] = (1 - w) * pay[(m, s)]
        best = max(best, float(np.linalg.solve(a, u)[0]))
    return best


@pytest.mark.parametrize("name", ["GRIM", "TFT", "WSLS"])
@given(s=st.integers(-6, 6), t=st.integers(-6, 9), p=st.integers(-6, 6), lead=st.integers(0, 4))
def test_continuation_thresholds_against_every_stationary_deviation(name, s, t, p, lead):
    # Any symmetric game with R >= max(P, S) (dilemmas, snowdrift, stag hunt, harmony): the
    # strategy is a Nash equilibrium exactly from its threshold up (one-shot deviations from a
    # two-state machine; 0.4.0's WSLS threshold missed "withhold once, then contribute").
    R, S, T, P = float(max(p, s) + lead), float(s), float(t), float(p)
    game = ally.StageGame([[R, S], [T, P]], [[R, T], [S, P]])
    w_star = continuation_threshold(game, name)
    for w in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99):
        if abs(w - w_star) < 1e-9:
            continue  # on the threshold itself the best deviation ties
        gain = _best_deviation((R, S, T, P), name, w) - R
        assert (gain <= 1e-9) == (w > w_star), (w, w_star, gain)


@pytest.mark.parametrize("payoffs", [(3, 0, 5, 1), (3, -2, 4, 0), (2, -1, 3, 0)])
def test_sanction_threshold_against_the_kernel(payoffs):
    base = ally.PrisonersDilemma(*payoffs)
    R, S, T, P = payoffs
    need = sanction_threshold(base)
    for transfer in (False, True):
        hi = apply(base, [Sanction(fine=need + 0.01, detection=1.0, transfer=transfer)]).game
        lo = apply(base, [Sanction(fine=need - 0.01, detection=1.0, transfer=transfer)]).game
        # One-shot (continuation 0): contributing is dominant just above the threshold ...
        assert max(_gains(hi, ally.ALLC, continuation=0.0).values()) <= 1e-9
        hr = hi.payoff_vector
        assert hr[0] > hr[2] and hr[1] > hr[3]
        # ... and just below it the binding deviation gains.
        lr = lo.payoff_vector
        if T - R >= P - S:
            assert _gains(lo, ally.ALLC, continuation=0.0)["ALLD"] > 0
        else:
            assert lr[3] > lr[1]  # withholding pays against a withholder


@pytest.mark.parametrize("payoffs", [(3, 0, 5, 1), (3, -2, 4, 0), (1.5, -2, 3, 0)])
def test_profit_share_threshold_against_the_kernel(payoffs):
    base = ally.PrisonersDilemma(*payoffs)
    need = profit_share_threshold(base)
    hi = apply(base, [ProfitSharing(min(need + 0.01, 1.0))]).game
    lo = apply(base, [ProfitSharing(need - 0.01)]).game
    hr, lr = hi.payoff_vector, lo.payoff_vector
    assert hr[0] > hr[2] and hr[1] > hr[3]
    assert not (lr[0] > lr[2] and lr[1] > lr[3])
    assert max(_gains(hi, ally.ALLC, continuation=0.0).values()) <= 1e-9


@pytest.mark.parametrize(("detection", "salvage"), [(1.0, 1.0), (0.5, 0.0), (0.8, 0.5)])
def test_bond_threshold_against_the_kernel(detection, salvage):
    need = bond_threshold(PD, detection, salvage)
    hi = apply(PD, [Bond(stake=need + 0.01, detection=detection, salvage=salvage)]).game
    lo = apply(PD, [Bond(stake=need - 0.01, detection=detection, salvage=salvage)]).game
    hr, lr = hi.payoff_vector, lo.payoff_vector
    assert hr[0] > hr[2] and hr[1] > hr[3]
    assert not (lr[0] > lr[2] and lr[1] > lr[3])


def _contributing_dominates(game) -> bool:
    """Best response in the transformed stage game: contribute against both partner moves."""
    R, S, T, P = game.payoff_vector
    return R > T and S > P


@st.composite
def _dilemma_payoffs(draw):
    # Both orders of T - R and P - S, so both terms of each max get to bind.
    P = draw(st.floats(-2, 2))
    R = P + draw(st.floats(0.1, 3))
    T = R + draw(st.floats(0.1, 3))
    S = P - draw(st.floats(0.1, 3))
    return R, S, T, P


@given(_dilemma_payoffs(), st.floats(0.05, 1.0), st.floats(0.0, 1.0), st.booleans())
def test_every_stage_threshold_is_the_best_response_boundary(payoffs, detection, salvage, up):
    # Issue: bond_threshold returned max((T-R)/d, (P-S)/(d(1+s))); with salvage the withholder
    # also receives the salvage of the partner's forfeit, so the truth is max(T-R, P-S)/d.
    base = ally.PrisonersDilemma(*payoffs, repeated=False)
    factor = 1 + 1e-6 if up else 1 - 1e-6
    stake = bond_threshold(base, detection, salvage)
    bonded = apply(base, [Bond(stake=stake * factor, detection=detection, salvage=salvage)])
    assert _contributing_dominates(bonded.game) is up
    fine = Sanction(fine=1.0, detection=detection).threshold(base)
    for transfer in (False, True):
        fined = apply(base, [Sanction(fine=fine * factor, detection=detection, transfer=transfer)])
        assert _contributing_dominates(fined.game) is up
    share = profit_share_threshold(base)
    assume(share * factor <= 1)
    shared = apply(base, [ProfitSharing(share * factor)])
    assert _contributing_dominates(shared.game) is up


def test_bond_threshold_regression_numbers():
    # The standard partnership game (R=1.5 S=-2 T=3 P=0): T-R = 1.5 < P-S = 2.
    game = standard_partnership_game()
    R, S, T, P = game.payoff_vector
    assert (T - R, P - S) == (1.5, 2.0)
    assert bond_threshold(game, detection=0.8, salvage=0.5) == pytest.approx(2.5)  # was 1.875
    assert bond_threshold(game, detection=0.8, salvage=0.0) == pytest.approx(2.5)
    assert Bond(stake=2.5, detection=0.8, salvage=0.5).margin(game) == pytest.approx(0.0)
    # A bond with full salvage is a transferred sanction: same game, same threshold.
    bond = Bond(stake=3.0, detection=0.8, salvage=1.0)
    fine = Sanction(fine=3.0, detection=0.8, transfer=True)
    assert apply(game, [bond]).game == apply(game, [fine]).game
    assert bond.threshold(game) == pytest.approx(fine.threshold(game))


# ------------------------------------------------------------------------- comparison


def test_compare_mechanisms_default_scenarios():
    table = compare_mechanisms(standard_partnership_game(), default_scenarios(), progress=False)
    by = table.set_index("scenario")
    assert len(table) == 8
    assert not by.loc["baseline", "equilibrium"]
    for name in ("long shadow", "sanctions", "bonds", "profit sharing"):
        assert by.loc[name, "equilibrium"], name
    # Sanctions, bonds and sharing above their thresholds make contribution the norm.
    for name in ("sanctions", "bonds", "profit sharing"):
        assert by.loc[name, "cooperation"] > 0.95
        assert by.loc[name, "welfare"] > 1.3
    assert by.loc["baseline", "cooperation"] < 0.05
    assert by.loc["sanctions", "margin_sanction"] == pytest.approx(3.0 - 2.0 / 0.8)
    assert by.loc["profit sharing", "margin_profit_sharing"] == pytest.approx(0.9 - 0.8)
    shares = table[[c for c in table.columns if c.startswith("share_")]]
    assert np.allclose(shares.sum(axis=1), 1)
    # Enforcement costs make sanctions cost more welfare than an equally strong bond.
    assert by.loc["sanctions", "welfare"] < by.loc["profit sharing", "welfare"]


def test_compare_mechanisms_bad_input():
    with pytest.raises(ValueError, match="scenarios"):
        compare_mechanisms(PD, {}, progress=False)
    with pytest.raises(ValueError, match="counted twice"):
        compare_mechanisms(PD, {"x": [ProfitSharing(0.1), ProfitSharing(0.2)]}, progress=False)


# ------------------------------------------------------- perception_noise and deprecations


def test_monitoring_perception_noise_and_deprecated_alias():
    import dataclasses
    import pickle

    assert Monitoring(0.2) == Monitoring(perception_noise=0.2)
    assert Monitoring(0.2).perception_noise == 0.2
    with pytest.warns(DeprecationWarning, match="perception_noise"):
        old = Monitoring(perception_error=0.2)
    assert old == Monitoring(0.2)
    with pytest.warns(DeprecationWarning, match="perception_error is deprecated"):
        assert Monitoring(0.3).perception_error == 0.3
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="perception_error"):
        Monitoring(perception_error=1.5)  # the message names the keyword the caller used
    with pytest.raises(TypeError, match="not both"):
        Monitoring(0.1, perception_error=0.1)
    with pytest.raises(TypeError, match="perception_noise"):
        Monitoring()
    assert dataclasses.replace(Monitoring(0.1), perception_noise=0.4) == Monitoring(0.4)
    assert pickle.loads(pickle.dumps(Monitoring(0.1))) == Monitoring(0.1)
    assert repr(Monitoring(0.1)) == "Monitoring(perception_noise=0.1)"
    assert apply(PD, [Monitoring(0.07)], perception_noise=0.5).perception_noise == 0.07


# ------------------------------------------------------------ the shared forfeit rule


@given(
    st.floats(0, 50, allow_nan=False),
    st.floats(0, 1),
    st.integers(0, 2**32 - 1),
)
def test_sanction_with_transfer_is_a_full_salvage_bond(amount, detection, seed):
    """One rule: a fine handed to the victim is a bond salvaged in full (and burned: salvage 0)."""
    game = standard_partnership_game()
    rng = np.random.default_rng(seed)
    pay_a, pay_b = rng.normal(size=(2, 40))
    contrib_a, contrib_b = rng.random((2, 40)) < 0.5
    for transfer, salvage in ((True, 1.0), (False, 0.0)):
        s = Sanction(fine=amount, detection=detection, transfer=transfer)
        b = Bond(stake=amount, detection=detection, salvage=salvage)
        assert (s.forfeit, s.victim_share) == (b.forfeit, b.victim_share)
        assert apply(game, [s]).game == apply(game, [b]).game
        assert s.threshold(game) == b.threshold(game)
        assert s.margin(game) == b.margin(game)
        out_s = ally.mechanisms.settle_round([s], pay_a, pay_b, contrib_a, contrib_b, seed)
        out_b = ally.mechanisms.settle_round([b], pay_a, pay_b, contrib_a, contrib_b, seed)
        for x, y in zip(out_s, out_b, strict=True):
            assert np.array_equal(x, y)
    # Expected forfeit d F at the threshold: contributing just dominates, R - (T - d F) >= 0.
    R, S, T, P = game.payoff_vector
    if detection > 0:
        assume(amount * detection > max(T - R, P - S) + 1e-9)
        moved = apply(game, [Bond(stake=amount, detection=detection)]).game.payoff_vector
        assert moved[0] > moved[2] and moved[1] > moved[3]
