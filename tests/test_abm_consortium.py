"""Consortia in the trust model: n-member partnerships playing a public goods game.

Closed forms and exact kernels: with no noise every member's payoff per step is the
PublicGoodsGame's payoff for the consortium's number of contributors (r c - c when all
contribute, 0 when none does), mechanisms included; the long-run contribution rate of
reciprocators with execution noise is the stationary rate of allysim.consortia's exact group
chain (the model is a Monte Carlo of that chain); with consortia ending only by chance, the
hazard is 1 - continuation at every age. Effects over seeds: sanctions and bonds raise
contribution in consortia where ALLD is present (through the model's imitation); defectors'
consortia dissolve on exits far sooner than cooperators'. Invariants of the roster after every
step (hypothesis). Off is the plain model bit for bit.
"""

import importlib.util
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allysim.abm import (
    Consortia,
    TrustModel,
    TrustParams,
    consortia_frame,
    consortia_hazard,
    consortium_roster,
)
from allysim.consortia import (
    GroupGame,
    PublicGoodsGame,
    exact_group_payoffs,
    group_strategy,
    reciprocity_threshold,
    threshold_reciprocity,
    unconditional,
    with_mechanisms,
)
from allysim.mechanisms import Bond, Sanction, ShadowOfFuture
from allysim.strategies import TFT, named

SEEDS = range(3)


def quiet(strategies, *, part, n=60, noise=0.0, seed=0, **kw):
    """Only consortia pay: no bilateral partnerships, no imitation unless asked."""
    kw.setdefault("imitation_every", 0)
    return TrustModel(
        n_organizations=n,
        strategies=list(strategies),
        noise=noise,
        search_rate=0.0,
        consortia=part,
        seed=seed,
        **kw,
    )


def roster(model):
    s = model.part_state["consortia"]
    k = s["k"]
    return s, k, s["members"][:k], s["size"][:k]


# -- off: the plain model -------------------------------------------------------------------


def test_off_is_the_plain_model_bit_for_bit_and_draws_nothing():
    assert TrustParams().consortia is None
    a = TrustModel(n_organizations=50, seed=4)
    b = TrustModel(n_organizations=50, consortia=None, seed=4)
    fa, fb = a.run(15, progress=False), b.run(15, progress=False)
    assert fa.equals(fb) and not any(c.startswith("consortia") for c in fa)
    assert a.rng.bit_generator.state == b.rng.bit_generator.state
    # On but inert (nobody founds, nothing ends by chance): it draws nothing and the
    # bilateral partnerships run exactly as in the plain model.
    inert = Consortia(formation_rate=0.0, continuation=1.0)
    c = TrustModel(n_organizations=50, consortia=inert, seed=4)
    fc = c.run(15, progress=False)
    assert fc[fa.columns].equals(fa)
    assert c.rng.bit_generator.state == a.rng.bit_generator.state
    assert (fc.consortia_count == 0).all() and np.array_equal(c.wealth, a.wealth)


def test_same_seed_same_run():
    part = Consortia(min_size=3, max_size=5, formation_rate=0.1)
    runs = [TrustModel(n_organizations=60, consortia=part, seed=9) for _ in range(2)]
    frames = [m.run(25, progress=False) for m in runs]
    assert frames[0].equals(frames[1])
    assert consortia_frame(runs[0]).equals(consortia_frame(runs[1]))
    assert frames[0].consortia_count.iloc[-1] > 0


@pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="numba is not installed (the 'fast' extra)"
)
def test_compiled_and_numpy_paths_agree_to_the_bit(monkeypatch):
    # The bilateral play runs compiled loops under ALLYSIM_NUMBA=1; consortia (numpy either
    # way) draw from the same Generator after it, so every column and the roster must agree.
    part = Consortia(
        min_size=3,
        max_size=6,
        formation_rate=0.1,
        max_memberships=2,
        perception_noise=0.1,
        mechanisms=[Sanction(fine=1.0, detection=0.5, transfer=True)],
        recipients="contributors",
    )
    runs = []
    for flag in ("0", "1"):
        monkeypatch.setenv("ALLYSIM_NUMBA", flag)
        m = TrustModel(
            n_organizations=80,
            strategies=["TFT", "ALLD", "WSLS"],
            noise=0.05,
            consortia=part,
            seed=7,
        )
        runs.append((m, m.run(30, progress=False)))
    (m0, f0), (m1, f1) = runs
    assert f0.consortia_count.iloc[-1] > 0 and f0.active_partnerships.iloc[-1] > 0
    pd.testing.assert_frame_equal(f0, f1, check_exact=True)
    np.testing.assert_array_equal(m0.wealth, m1.wealth, strict=True)
    s0, s1 = m0.part_state["consortia"], m1.part_state["consortia"]
    for key in consortium_roster.MEMBER_KEYS:
        np.testing.assert_array_equal(s0[key][: s0["k"]], s1[key][: s1["k"]], strict=True)
    pd.testing.assert_frame_equal(consortia_frame(m0), consortia_frame(m1), check_exact=True)


# -- payoffs: the game's closed forms -------------------------------------------------------


@pytest.mark.parametrize("strategy", ["ALLC", "ALLD"])
def test_unanimous_members_earn_the_games_closed_form(strategy):
    r, c = 2.5, 1.0
    part = Consortia(
        min_size=3,
        max_size=7,
        formation_rate=0.2,
        game=PublicGoodsGame(3, multiplier=r, cost=c),
        trust_to_contribute=0.0,
        leave_threshold=0.0,
        continuation=1.0,
    )
    m = quiet([strategy], part=part, seed=1)
    seen_sizes = set()
    for _ in range(12):
        before = m.wealth.copy()
        m.step()
        s, k, mem, size = roster(m)
        valid = mem >= 0
        played = valid & (s["joined"][:k] < m.steps)  # recruits join after the round
        pay = s["payoff"][:k][played]
        expected = r * c - c if strategy == "ALLC" else 0.0
        np.testing.assert_allclose(pay, expected, rtol=0, atol=1e-12)
        # The payoffs reach wealth through the ledger, nothing else pays (no partnerships).
        assert m.wealth.sum() - before.sum() == pytest.approx(s["payoff"][:k][valid].sum())
        seen_sizes |= set(size[played.any(axis=1)].tolist())
    assert len(seen_sizes) >= 2
    assert m.payoff_mean == pytest.approx(m.wealth.mean())


@pytest.mark.parametrize("mechanisms", [(), (Sanction(fine=0.8, detection=0.5, transfer=True),)])
def test_mixed_members_earn_the_games_payoff_for_their_contributors(mechanisms):
    part = Consortia(
        min_size=3,
        max_size=6,
        formation_rate=0.3,
        mechanisms=mechanisms,
        trust_to_contribute=0.0,
        leave_threshold=0.0,
        continuation=1.0,
    )
    m = quiet(["ALLC", "ALLD"], part=part, n=80, seed=3)
    checked = mixed = 0
    for _ in range(6):
        m.step()
        s, k, mem, _size = roster(m)
        played = (mem >= 0) & (s["joined"][:k] < m.steps)  # recruits join after the round
        for row in np.flatnonzero(played.any(axis=1)):
            here = played[row]
            n = int(here.sum())
            coop = m.strategy_of[mem[row, here]] == 0
            j = int(coop.sum())
            game = with_mechanisms(PublicGoodsGame(n, multiplier=2.5, cost=1.0), mechanisms)
            pc, pd = game.payoffs(np.where(coop, j - 1, j).clip(0, n - 1))
            want = np.where(coop, pc, pd)
            np.testing.assert_allclose(s["payoff"][row, here], want, rtol=0, atol=1e-12)
            checked += 1
            mixed += 0 < j < n
    assert checked > 20 and mixed > 10


# -- the group chain: exact kernel vs the model as its Monte Carlo --------------------------


def test_group_strategy_maps_pairwise_strategies_to_group_ones():
    # Its home is allysim.consortia; the trust model's module still exports it (0.4.0 path).
    from allysim.abm import consortium

    assert consortium.group_strategy is group_strategy
    assert consortium.reciprocity_threshold is reciprocity_threshold
    assert group_strategy(TFT, 5, 0.5) == threshold_reciprocity(2, 5, name="TFT")
    assert group_strategy(TFT, 4, 1.0) == threshold_reciprocity(3, 4, name="TFT")
    allc, alld = named("ALLC"), named("ALLD")
    assert group_strategy(allc, 4, 0.5).table.tolist() == unconditional(1, 4).table.tolist()
    assert group_strategy(alld, 4, 0.5).table.tolist() == unconditional(0, 4).table.tolist()
    wsls = group_strategy(named("WSLS"), 4, 0.5)  # (1, 0, 0, 1): win-stay, lose-shift
    assert wsls.after_contribute.tolist() == [0, 0, 1, 1]
    assert wsls.after_withhold.tolist() == [1, 1, 0, 0]
    assert reciprocity_threshold(0.5, np.arange(3, 9)).tolist() == [1, 2, 2, 3, 3, 4]
    assert reciprocity_threshold(0.0, 6) == 0 and reciprocity_threshold(1.0, 6) == 5


@pytest.mark.parametrize(
    ("strategy", "reciprocity", "tolerance", "size"),
    [
        ("WSLS", 0.5, 0.012, 4),
        ("GTFT", 0.5, 0.006, 4),
        ("TFT", 1.0, 0.008, 4),
        # TR(1): k = ceil(0.3 * 3) = 1, away from the noise floor that TR(3) sits on (3 seeds:
        # |rate - exact| <= 0.0008; TR(2) would give 0.50).
        ("TFT", 0.3, 0.004, 4),
        # Another size, so the threshold is looked up by size: k = 3 of 4 others. Fewer
        # consortia of 5 form (11 to 13), so the error is larger (3 seeds: <= 0.006); k = 2 or
        # 4 would give 0.720 or 0.685 against 0.774.
        ("WSLS", 0.75, 0.02, 5),
    ],
)
def test_contribution_rate_matches_the_exact_group_chain(strategy, reciprocity, tolerance, size):
    # About 40 consortia of 4 over 500 steps after a burn-in: 80 000 moves. The tolerances are
    # about 4 standard errors from batch means over time (measured over 3 seeds: WSLS 0.0028,
    # GTFT 0.0012, TR(3) 0.0009 to 0.003).
    e = 0.05
    part = Consortia(
        min_size=size,
        max_size=size,
        formation_rate=0.5,
        reciprocity=reciprocity,
        continuation=1.0,
        leave_threshold=0.0,
        trust_to_contribute=0.0,
        perception_noise=0.0,
    )
    m = quiet([strategy], part=part, n=200, noise=e, seed=0)
    m.run(200, progress=False)
    s = m.part_state["consortia"]
    assert s["k"] >= 10
    c0, n0 = s["contributed_total"], s["moves_total"]
    m.run(500, progress=False)
    rate = (s["contributed_total"] - c0) / (s["moves_total"] - n0)
    gs = group_strategy(m.strategies.objects[0], size, reciprocity)
    exact = exact_group_payoffs(PublicGoodsGame(size, multiplier=2.5), [gs], [size], noise=e)
    assert rate == pytest.approx(exact.contribution[0], abs=tolerance)


def test_chance_hazard_is_one_minus_continuation_at_every_age():
    w = 0.9
    part = Consortia(min_size=3, max_size=5, formation_rate=0.2, continuation=w)
    m = quiet(["ALLC"], part=part, n=120, seed=5)
    m.run(300, progress=False)
    f = consortia_frame(m)
    assert set(f.cause) <= {"chance", "active"}  # cooperators never leave
    h = consortia_hazard(m)
    at_risk, ended = h.at_risk[1:].sum(), h.ended[1:].sum()
    assert h.ended[0] == 0 and ended > 300
    se = math.sqrt(w * (1 - w) / at_risk)
    assert ended / at_risk == pytest.approx(1 - w, abs=4 * se)
    assert int(h.failed.sum()) == 0


def test_trust_learns_the_perceived_contribution_rate():
    # ALLC without execution noise, each move misread with the model's perception noise eta:
    # alpha + beta is deterministic once the prior has faded (1 / (1 - forgetting)), so the mean
    # trust is the mean perceived share, 1 - eta. One member's trust has standard deviation
    # about 0.05 (4 members, forgetting 0.9); averaged over ~100 members and 60 steps the
    # standard error is below 0.003.
    eta = 0.2
    part = Consortia(
        min_size=4, max_size=4, formation_rate=0.5, continuation=1.0, leave_threshold=0.0
    )
    m = quiet(["ALLC"], part=part, n=120, perception_noise=eta, seed=4)
    assert m.settings.perception_noise == eta
    m.run(100, progress=False)
    trusts = []
    for _ in range(60):
        m.step()
        s, k, mem, _ = roster(m)
        old = (mem >= 0) & (s["joined"][:k] <= m.steps - 80)  # prior weight below 3e-4
        trusts.append((s["alpha"][:k] / (s["alpha"][:k] + s["beta"][:k]))[old])
    trust = np.concatenate(trusts)
    assert trust.size > 3000
    assert trust.mean() == pytest.approx(1 - eta, abs=0.01)
    assert m.consortia_contribution == 1.0  # what is misread is not what is done


# -- mechanisms and exit ---------------------------------------------------------------------


def _with_defectors(mechanisms, seed):
    part = Consortia(
        min_size=4,
        max_size=6,
        formation_rate=0.5,
        recruit_rate=1.0,
        mechanisms=mechanisms,
        leave_threshold=0.0,
        continuation=1.0,
    )
    m = quiet(["ALLC", "ALLD"], part=part, n=80, seed=seed, imitation_every=5, mutation=0.0)
    return m.run(60, progress=False).consortia_contribution.iloc[-10:].mean()


def test_sanctions_and_bonds_raise_contribution_where_defectors_are():
    # A fine above c (1 - r / n) makes withholding the worse move, so imitation turns ALLD
    # members into contributors; without it ALLD takes over (measured, 4 seeds: none 0.03 to
    # 0.07, sanction 0.75 to 1.00, bond 0.66 to 0.92).
    none = np.mean([_with_defectors((), s) for s in SEEDS])
    sanction = np.mean([_with_defectors((Sanction(fine=1.0, detection=1.0),), s) for s in SEEDS])
    bond = np.mean([_with_defectors((Bond(stake=1.0, detection=0.8),), s) for s in SEEDS])
    assert none < 0.2
    assert sanction > none + 0.5
    assert bond > none + 0.25


def _lifetimes(strategy, seed):
    part = Consortia(min_size=3, max_size=6, formation_rate=0.1, continuation=0.95)
    m = quiet([strategy], part=part, noise=0.02, seed=seed)
    m.run(80, progress=False)
    f = consortia_frame(m)
    return f[f.cause != "active"]


def test_defectors_consortia_dissolve_sooner_on_exits():
    for seed in range(2):
        bad, good = _lifetimes("ALLD", seed), _lifetimes("ALLC", seed)
        assert len(bad) > 50 and len(good) > 20
        # Measured: about 4.5 rounds against about 15.
        assert bad.rounds.mean() < 0.5 * good.rounds.mean()
        assert (bad.cause == "exit").mean() > 0.7
        assert (good.cause == "chance").all()


# -- the roster stays consistent -------------------------------------------------------------


def check_roster(model, part):
    s, k, mem, size = roster(model)
    valid = mem >= 0
    assert np.array_equal(valid.sum(axis=1), size)
    assert np.all((size >= part.min_size) & (size <= s["target"][:k]))
    assert np.all(s["target"][:k] <= part.max_size)
    # Members are left packed and distinct.
    assert np.array_equal(valid, np.arange(part.max_size)[None, :] < size[:, None])
    for row in mem:
        here = row[row >= 0]
        assert len(set(here.tolist())) == here.size
    member_of = s["member_of"]
    assert member_of.shape == (model.n, part.max_memberships)
    held = member_of >= 0
    assert np.array_equal(held, np.arange(part.max_memberships)[None, :] < held.sum(1)[:, None])
    cids = s["cid"][:k]
    assert len(set(cids.tolist())) == k
    listed = {(int(o), int(c)) for c, row in zip(cids, mem, strict=True) for o in row[row >= 0]}
    orgs, slots = np.nonzero(held)
    pointed = set(zip(orgs.tolist(), member_of[orgs, slots].tolist(), strict=True))
    assert listed == pointed
    assert model.consortia_share == pytest.approx(held[:, 0].mean())
    ended = s["ended"]
    if ended:
        old = np.concatenate([e["cid"] for e in ended])
        assert not set(old.tolist()) & set(cids.tolist())


@settings(max_examples=25)
@given(
    n=st.integers(8, 30),
    min_size=st.integers(2, 4),
    extra=st.integers(0, 3),
    max_memberships=st.integers(1, 3),
    formation_rate=st.floats(0.0, 1.0),
    recruit_rate=st.floats(0.0, 1.0),
    leave=st.floats(0.0, 0.9),
    continuation=st.floats(0.5, 1.0),
    noise=st.floats(0.0, 0.3),
    perception=st.floats(0.0, 0.3),
    strategies=st.lists(
        st.sampled_from(["ALLC", "ALLD", "TFT", "GRIM", "WSLS"]),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    seed=st.integers(0, 2**16),
)
def test_roster_is_consistent_after_every_step(
    n,
    min_size,
    extra,
    max_memberships,
    formation_rate,
    recruit_rate,
    leave,
    continuation,
    noise,
    perception,
    strategies,
    seed,
):
    part = Consortia(
        min_size=min_size,
        max_size=min(min_size + extra, n),
        max_memberships=max_memberships,
        formation_rate=formation_rate,
        recruit_rate=recruit_rate,
        leave_threshold=leave,
        continuation=continuation,
        perception_noise=perception,
    )
    m = TrustModel(
        n_organizations=n,
        strategies=strategies,
        noise=noise,
        capacity=2,
        imitation_every=3,
        mutation=0.2,
        consortia=part,
        seed=seed,
    )
    for _ in range(12):
        m.step()
        check_roster(m, part)
    f = consortia_frame(m)
    assert len(f) == m.part_state["consortia"]["next_id"]
    assert np.all(f.rounds >= 0) and set(f.cause) <= {"exit", "chance", "active"}


# -- reporters and frames --------------------------------------------------------------------


def test_reporters_and_the_consortia_frame():
    part = Consortia(min_size=3, max_size=5, formation_rate=0.1)
    m = TrustModel(n_organizations=80, consortia=part, seed=2)
    df = m.run(30, progress=False)
    for col in ("count", "size", "share", "contribution", "trust", "formed", "dissolved"):
        assert f"consortia_{col}" in df
    _s, k, _mem, size = roster(m)
    assert df.consortia_count.iloc[-1] == k
    assert df.consortia_size.iloc[-1] == pytest.approx(size.mean())
    assert 0 <= df.consortia_trust.iloc[-1] <= 1
    f = consortia_frame(m)
    assert isinstance(f, pd.DataFrame) and f.cid.is_monotonic_increasing
    assert int(df.consortia_formed.sum()) == len(f)
    assert int(df.consortia_dissolved.sum()) == int((f.cause != "active").sum())
    active = f[f.cause == "active"]
    assert sorted(map(len, active.members)) == sorted(size.tolist())
    assert np.all((f.contribution_rate.dropna() >= 0) & (f.contribution_rate.dropna() <= 1))
    h = consortia_hazard(m)
    assert int(h.ended.sum()) == int((f.cause != "active").sum())
    assert h.at_risk.iloc[0] == len(f)
    with pytest.raises(ValueError, match="consortia"):
        consortia_frame(TrustModel(n_organizations=10, seed=0))


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"min_size": 1}, ValueError, "min_size"),
        ({"min_size": 4, "max_size": 3}, ValueError, "max_size must be >= min_size"),
        ({"max_memberships": 0}, ValueError, "max_memberships"),
        ({"invitation_draws": 0}, ValueError, "invitation_draws"),
        ({"invitation_draws": 101}, ValueError, r"invitation_draws must be in \[1, 100\]"),
        ({"formation_rate": 1.5}, ValueError, r"formation_rate.*\[0, 1\]"),
        ({"recruit_rate": -0.1}, ValueError, "recruit_rate"),
        ({"reciprocity": 2.0}, ValueError, "reciprocity"),
        ({"leave_threshold": 1.2}, ValueError, "leave_threshold"),
        ({"continuation": -1.0}, ValueError, "continuation"),
        ({"perception_noise": 3.0}, ValueError, "perception_noise"),
        ({"prior_strength": -1.0}, ValueError, "prior_strength"),
        ({"forgetting": 0.0}, ValueError, "forgetting"),
        ({"trust_to_contribute": 1.5}, ValueError, "trust_to_contribute"),
        ({"game": GroupGame([0.0, 1.0], [0.5, 2.0])}, TypeError, "game must be a PublicGoodsGame"),
        ({"game": PublicGoodsGame(5, threshold=4)}, ValueError, "game.threshold"),
        ({"mechanisms": [ShadowOfFuture(0.9)]}, TypeError, "mechanisms"),
        ({"mechanisms": "Sanction"}, TypeError, "mechanisms"),
        ({"recipients": "everyone"}, ValueError, "recipients"),
        ({"sharing": "half"}, ValueError, "sharing"),
        ({"min_size": 2.5}, TypeError, "min_size"),
    ],
)
def test_bad_parameters_are_refused_by_name(kwargs, error, match):
    with pytest.raises(error, match=match):
        Consortia(**kwargs)


def test_sizes_must_fit_the_population_and_the_field_takes_only_a_consortia():
    with pytest.raises(ValueError, match="max_size must be <= n_organizations = 5"):
        TrustModel(n_organizations=5, consortia=Consortia(max_size=8), seed=0)
    with pytest.raises(TypeError, match="consortia must be a Consortia"):
        TrustParams(consortia="yes")
    with pytest.raises(ValueError, match="size must lie in"):
        Consortia().game_of_size(9)


def test_memberships_beyond_the_memory_budget_are_refused_naming_the_parameter():
    with pytest.raises(ValueError, match="max_memberships"):
        TrustModel(n_organizations=1000, consortia=Consortia(max_memberships=10**9), seed=0)


def test_a_network_too_sparse_for_min_size_warns_that_none_can_form():
    # A ring of degree 2, rewired: at most 3 neighbours, and a founder needs 4 of them.
    part = Consortia(min_size=5, max_size=6, formation_rate=1.0)
    kw = {"n_organizations": 50, "network": "small-world", "consortia": part, "seed": 0}
    with pytest.warns(UserWarning, match=r"min_size = 5 but the network's largest degree is \d"):
        m = TrustModel(network_degree=2, **kw)
    m.run(10, progress=False)
    assert m.part_state["consortia"]["formed"] == 0 and m.part_state["consortia"]["k"] == 0
    # A network where some founder has 4 neighbours does not warn.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TrustModel(network_degree=10, **kw)


def test_consortia_keep_forming_when_every_free_organization_founds():
    # Founders may be invited by founders of higher priority: before, a founder could not be
    # invited, so at formation_rate 1 nobody was left to invite and none ever formed.
    formed = {}
    for rate in (0.1, 1.0):
        m = TrustModel(n_organizations=100, consortia=Consortia(formation_rate=rate), seed=0)
        m.run(60, progress=False)
        formed[rate] = m.part_state["consortia"]["next_id"]
    assert formed[0.1] > 50 and formed[1.0] > 50


# -- the roster module on its own ------------------------------------------------------------


@settings(max_examples=40)
@given(
    n=st.integers(2, 25),
    max_size=st.integers(2, 6),
    max_memberships=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_roster_operations_keep_members_memberships_and_their_values_together(
    n, max_size, max_memberships, seed
):
    # Random valid sequences of the roster's operations, from a capacity of one row (so the
    # arrays grow): each member's values are tagged with its organization, consortium and
    # step, and must travel with it through packing and compaction.
    rng = np.random.default_rng(seed)
    r = consortium_roster.empty_roster(n, 1, max_size, max_memberships)
    mem_keys = consortium_roster.MEMBER_KEYS

    def tags(orgs, rows, step):
        cid = r["cid"][rows]
        return {
            "machine": orgs + 100 * cid,
            "strategy": orgs % 3,
            "alpha": 1.0 + orgs + 0.5 * cid,
            "beta": 2.0 + step + 0.25 * orgs,
        }

    ended_total = 0
    for step in range(15):
        free = np.flatnonzero(consortium_roster.free_organizations(r))
        rng.shuffle(free)
        op = rng.integers(4)
        k = r["k"]
        if op == 0 and free.size:
            sizes = rng.integers(1, max_size + 1, size=rng.integers(1, 3))
            sizes = sizes[np.cumsum(sizes) <= free.size]
            if sizes.size:
                rows, cids = consortium_roster.open_consortia(r, sizes + 0, sizes, step)
                assert np.array_equal(cids, r["cid"][rows])
                row = np.repeat(rows, sizes)
                slot = np.arange(row.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
                orgs = free[: row.size]
                consortium_roster.seat(r, row, slot, orgs, step=step, **tags(orgs, row, step))
        elif op == 1 and k and free.size:
            rows = np.flatnonzero(r["size"][:k] < max_size)[: free.size]
            orgs = free[: rows.size]
            fresh = ~(r["members"][rows] == orgs[:, None]).any(axis=1)
            rows, orgs = rows[fresh], orgs[fresh]
            consortium_roster.join(r, rows, orgs, step=step, **tags(orgs, rows, step))
        elif op == 2 and k:
            leave = (r["members"][:k] >= 0) & (rng.random((k, max_size)) < 0.3)
            assert consortium_roster.remove_members(r, leave) == leave.sum()
        elif op == 3 and k:
            ended = np.flatnonzero(rng.random(k) < 0.4)
            consortium_roster.dissolve(r, ended, np.zeros(ended.size, dtype=int), step)
            ended_total += ended.size
        k = r["k"]
        mem, size = r["members"][:k], r["size"][:k]
        valid = mem >= 0
        assert all(r[key].shape[0] >= k for key in mem_keys)
        assert np.array_equal(valid, np.arange(max_size)[None, :] < size[:, None])
        assert np.all(r["peak"][:k] >= size)
        cids = r["cid"][:k]
        assert np.all(np.diff(cids) > 0) and r["next_id"] == k + ended_total
        held = r["member_of"] >= 0
        assert np.array_equal(held, np.arange(max_memberships)[None, :] < held.sum(1)[:, None])
        rr, cc = np.nonzero(valid)
        listed = set(zip(mem[rr, cc].tolist(), cids[rr].tolist(), strict=True))
        oo, ss = np.nonzero(held)
        assert listed == set(zip(oo.tolist(), r["member_of"][oo, ss].tolist(), strict=True))
        assert len(listed) == rr.size  # no organization twice in one consortium
        o, c = mem[valid], np.broadcast_to(cids[:, None], mem.shape)[valid]
        assert np.array_equal(r["machine"][:k][valid], o + 100 * c)
        assert np.array_equal(r["member_strategy"][:k][valid], o % 3)
        assert np.array_equal(r["alpha"][:k][valid], 1.0 + o + 0.5 * c)
        assert np.array_equal(r["beta"][:k][valid], 2.0 + r["joined"][:k][valid] + 0.25 * o)
    if r["ended"]:
        ended_cids = np.concatenate([e["cid"] for e in r["ended"]])
        assert ended_cids.size == ended_total
        assert not set(ended_cids.tolist()) & set(r["cid"][: r["k"]].tolist())


# -- formation: founders invited by founders ----------------------------------------------


def _forming_top_down(group, joins, enough, priority):
    """Reference: settle the consortia one at a time from the highest priority down."""
    forms = np.zeros(enough.size, dtype=bool)
    seated = set()  # founders seated in a consortium that formed
    for g in np.argsort(priority):
        forms[g] = enough[g] and g not in seated
        if forms[g]:
            seated |= {int(j) for j in joins[(group == g) & (joins >= 0)]}
    return forms


def test_a_founder_keeps_its_consortium_when_the_one_it_accepted_falls_short():
    from allysim.abm.consortium import _forming

    # Consortium 0 (first in priority) has too few acceptors; the founder of 1 accepted it.
    # Before, founder 1 gave up its own consortium (which had enough) and ended in none.
    group, joins = np.array([0, 1, 1]), np.array([1, -1, -1])
    assert _forming(group, joins, np.array([False, True])).tolist() == [False, True]
    # A chain 0 > 1 > 2: 0 falls short, so 1 forms, and 2's founder, who accepted 1, joins it
    # (before: [False, False, True]).
    group, joins = np.array([0, 1, 2, 2]), np.array([1, 2, -1, -1])
    assert _forming(group, joins, np.array([False, True, True])).tolist() == [False, True, False]
    # When the higher one forms, the founder who accepted it gives its own up.
    assert _forming(group, joins, np.array([True, True, True])).tolist() == [True, False, True]


@settings(max_examples=60)
@given(groups=st.integers(1, 8), acceptances=st.integers(0, 20), seed=st.integers(0, 2**16))
def test_forming_settles_founders_as_one_pass_from_the_top(groups, acceptances, seed):
    from allysim.abm.consortium import _forming

    rng = np.random.default_rng(seed)
    priority = rng.permutation(groups)
    group = rng.integers(0, groups, size=acceptances)
    # Each founder accepts at most one invitation, from a consortium of higher priority.
    joins = np.full(acceptances, -1)
    for i in rng.permutation(acceptances):
        j = int(rng.integers(0, groups))
        if priority[group[i]] < priority[j] and j not in joins and rng.random() < 0.7:
            joins[i] = j
    enough = rng.random(groups) < 0.6
    want = _forming_top_down(group, joins, enough, priority)
    assert _forming(group, joins, enough).tolist() == want.tolist()


@pytest.mark.parametrize(("n", "q"), [(5, 0.5), (5, 0.75), (5, 1.0), (4, 0.75), (6, 0.8)])
def test_one_defector_among_threshold_reciprocators_closed_form(n, q):
    # n - 1 TFT members (TR(k), k = ceil(q (n - 1))) and one ALLD, no noise: the reciprocators
    # see n - 2 contributing others, so they go on contributing iff k <= n - 2 (Boyd &
    # Richerson 1988), earning r c (n - 1) / n - c against the defector's r c (n - 1) / n;
    # else everybody earns 0 from round 2. Trust is the faded Beta of the seen shares.
    part = Consortia(
        min_size=3,
        max_size=8,
        formation_rate=0.0,
        recruit_rate=0.0,
        continuation=1.0,
        leave_threshold=0.0,
        trust_to_contribute=0.0,
        reciprocity=q,
        perception_noise=0.0,
    )
    m = quiet(["TFT", "ALLD"], part=part, n=20)
    s = m.part_state["consortia"]
    orgs = np.concatenate([np.flatnonzero(m.strategy_of == 0)[: n - 1], [m.strategy_of.argmax()]])
    rows, _ = consortium_roster.open_consortia(s, np.array([n]), np.array([n]), step=0)
    newcomers = part._newcomers(m, part._settings(m), orgs, np.full(n, 0.5))
    consortium_roster.seat(s, np.repeat(rows, n), np.arange(n), orgs, step=0, **newcomers)
    keep = n - 2 >= math.ceil(q * (n - 1))
    r, lam, k0 = 2.5, m.params.forgetting, m.params.prior_strength
    a = np.full(n, 1 + k0 * 0.5)
    for t in range(4):
        m.step()
        on = keep or t == 0
        want = [r * (n - 1) / n - 1] * (n - 1) + [r * (n - 1) / n] if on else [0.0] * n
        np.testing.assert_allclose(s["payoff"][0, :n], want, rtol=0, atol=1e-12)
        seen = np.array([(n - 2) / (n - 1)] * (n - 1) + [1.0]) if on else np.zeros(n)
        a = lam * a + seen
        np.testing.assert_allclose(s["alpha"][0, :n], a, rtol=0, atol=1e-12)
        np.testing.assert_allclose(
            s["alpha"][0, :n] + s["beta"][0, :n],
            lam ** (t + 1) * (2 + k0) + (1 - lam ** (t + 1)) / (1 - lam),
            rtol=0,
            atol=1e-12,
        )
