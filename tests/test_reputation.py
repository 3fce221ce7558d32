"""Indirect reciprocity (allysim.reputation): the norm tables, the closed forms under public
assessment, the simulation against them, and the classic results (image scoring unstable under
errors, the leading eight stable under public and degraded under private assessment)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from allysim.reputation import (
    IMAGE_SCORING,
    L3,
    L6,
    LEADING_EIGHT,
    NORMS,
    SHUNNING,
    SIMPLE_STANDING,
    STANDING,
    STERN_JUDGING,
    Norm,
    ReputationDynamics,
    ReputationResult,
    act,
    assess,
    get_norm,
    reputation_dynamics,
    simulate_reputation,
    stationary_reputation,
    verdict_probabilities,
)

# Ohtsuki & Iwasa (2004, 2006), in the layout of their tables, independently of the package's
# encoding: for (donor, recipient) = GG, GB, BG, BB the verdict on C, the verdict on D, and
# the action.
PAPER = {
    "L1": ("GGGG", "BGBB", "CDCC"),
    "L2": ("GBGG", "BGBB", "CDCC"),
    "L3": ("GGGG", "BGBG", "CDCD"),
    "L4": ("GGGB", "BGBG", "CDCD"),
    "L5": ("GBGG", "BGBG", "CDCD"),
    "L6": ("GBGB", "BGBG", "CDCD"),
    "L7": ("GGGB", "BGBB", "CDCD"),
    "L8": ("GBGB", "BGBB", "CDCD"),
}
PAIRS = [(1, 1), (1, 0), (0, 1), (0, 0)]  # GG, GB, BG, BB as (donor, recipient) images
ERR = {"execution_error": 0.05, "assessment_error": 0.01}
# Rates below ~1e-12 vanish in double precision next to 1 (1 - 1e-17 == 1), and the solved
# share loses ~1e-16 / rate of accuracy, so the closed forms are checked from 1e-6 up.
probs = st.one_of(st.just(0.0), st.floats(1e-6, 0.3))


# ---------------------------------------------------------------- norms


@pytest.mark.parametrize("name", sorted(PAPER))
def test_leading_eight_match_the_paper_table(name):
    on_c, on_d, action = PAPER[name]
    norm = get_norm(name)
    for k, (x, y) in enumerate(PAIRS):
        assert norm.assessment[x, y, 1] == (on_c[k] == "G")
        assert norm.assessment[x, y, 0] == (on_d[k] == "G")
        assert norm.action[x, y] == (action[k] == "C")


def test_leading_eight_are_eight_distinct_norms_sharing_the_core():
    assert len({n: None for n in LEADING_EIGHT}) == 8
    for n in LEADING_EIGHT:
        # Giving to a good recipient is good and refusing one is bad, whatever the donor;
        # a good donor refusing a bad recipient stays good (justified defection).
        assert n.assessment[:, 1, 1].tolist() == [1, 1]
        assert n.assessment[:, 1, 0].tolist() == [0, 0]
        assert n.assessment[1, 0, 0] == 1
        assert n.action[:, 1].tolist() == [1, 1] and n.action[1, 0] == 0


def test_named_second_order_norms():
    assert STERN_JUDGING == L6 and SIMPLE_STANDING == L3
    assert [n.order for n in (IMAGE_SCORING, SHUNNING, STERN_JUDGING, STANDING)] == [1, 2, 2, 3]
    assert sorted(n.order for n in LEADING_EIGHT) == [2, 2, 3, 3, 3, 3, 3, 3]
    # Shunning: only giving to a good recipient is good.
    assert SHUNNING.assessment.sum() == 2 and SHUNNING.assessment[:, 1, 1].all()
    # Standing: refusing a bad recipient keeps the donor's image.
    assert STANDING.assessment[:, 0, 0].tolist() == [0, 1]
    assert len(NORMS) == 13


@given(
    st.sampled_from(sorted(NORMS)),
    st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 1)), min_size=1),
)
def test_assess_and_act_are_elementwise_lookups(name, triples):
    norm = NORMS[name]
    a, r, d = (np.array(v) for v in zip(*triples, strict=True))
    got = assess(norm, a, r, d)
    assert got.tolist() == [int(norm.assessment[x, y, z]) for z, y, x in triples]
    assert act(name, d, r).tolist() == [int(norm.action[x, y]) for _, y, x in triples]
    if norm.order < 3:  # the donor's image cannot matter
        assert np.array_equal(assess(norm, a, r), got)
        assert np.array_equal(assess(norm, a, r, 1 - d), got)


def test_norm_and_assess_validation():
    with pytest.raises(ValueError, match="donor_image is required"):
        assess("L1", [1], [0])
    with pytest.raises(ValueError, match="norm must be a Norm or one of"):
        get_norm("tit for tat")
    with pytest.raises(TypeError, match="norm must be a Norm"):
        get_norm(3)
    with pytest.raises(ValueError, match="assessment must have shape"):
        Norm("x", np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="action entries must be 0"):
        Norm("x", np.zeros((2, 2, 2)), np.full((2, 2), 2))
    with pytest.raises(ValueError, match="action entries must be 0 or 1"):
        assess("L6", [2], [0])
    with pytest.raises(TypeError, match="recipient_image must hold integers"):
        assess("L6", [1], [0.5])
    assert "L6" in repr(L6) and not L6.assessment.flags.writeable


# ---------------------------------------------------------------- closed forms


@given(probs, probs)
def test_stern_judging_and_image_scoring_closed_forms(e1, e2):
    # Monomorphic DISC populations, derived in docs/classic/indirect-reciprocity.md.
    for name in ("stern judging", "simple standing"):
        r = stationary_reputation(name, execution_error=e1, assessment_error=e2)
        assert r.good_share == pytest.approx((1 - e2) / (1 + e1 * (1 - 2 * e2)), abs=1e-9)
        assert r.cooperation == pytest.approx(r.good_share * (1 - e1), abs=1e-9)
    assume(e1 + e2 > 0)  # without errors image scoring keeps any initial share
    r = stationary_reputation("image scoring", execution_error=e1, assessment_error=e2)
    assert r.good_share == pytest.approx(e2 / (e1 + 2 * e2 - 2 * e1 * e2), abs=1e-9)


@given(probs, probs)
def test_l8_and_l1_quadratic_closed_forms(e1, e2):
    a = (1 - e1) * (1 - e2) + e1 * e2  # good verdict when a gift to a good recipient is meant
    b = 1 - e2  # good verdict when refusing a bad recipient is right
    # L8 (and L7): a bad donor refusing a bad recipient stays bad.
    #   g = a g + (1 - g) (b g + e2 (1 - g))
    # L1 (and L2): a bad donor gives to a bad recipient and is judged good for it.
    #   g = a g + (1 - g) (b g + a (1 - g))
    for name, bb in (("L8", e2), ("L1", a)):
        roots = np.roots([bb - b, a + b - 2 * bb - 1, bb])
        real = [z.real for z in roots if abs(z.imag) < 1e-12 and -1e-12 <= z.real <= 1 + 1e-12]
        r = stationary_reputation(name, execution_error=e1, assessment_error=e2)
        assert min(abs(r.good_share - z) for z in real) < 1e-9


@given(probs, probs, st.floats(1.0, 10.0), st.floats(0.0, 1.0))
def test_image_scoring_allc_beats_disc_by_the_closed_form(e1, e2, b, f_disc):
    # Payoff(ALLC) - payoff(DISC) = (1 - e1)(1 - g)(b f_DISC (a - e2) - c), with a the
    # probability that a gift is judged good; ALLC wins whenever b f_DISC (a - e2) > c.
    assume(0.0 < f_disc < 1.0)
    r = stationary_reputation(
        "image scoring",
        ["DISC", "ALLC"],
        [f_disc, 1 - f_disc],
        benefit=b,
        cost=1.0,
        execution_error=e1,
        assessment_error=e2,
        initial_good=0.5,
    )
    a = (1 - e1) * (1 - e2) + e1 * e2
    expected = (1 - e1) * (1 - r.good_share) * (b * f_disc * (a - e2) - 1.0)
    assert r.payoffs[1] - r.payoffs[0] == pytest.approx(expected, abs=1e-9)


@given(st.sampled_from(sorted(NORMS)), probs, probs, st.floats(0.0, 1.0))
def test_stationary_bounds_and_accounting(name, e1, e2, f_allc):
    r = stationary_reputation(
        name,
        ["NORM", "ALLC", "ALLD"],
        [1 - f_allc, f_allc / 2, f_allc / 2],
        benefit=3.0,
        execution_error=e1,
        assessment_error=e2,
    )
    assert np.all((r.good >= 0) & (r.good <= 1))
    assert 0 <= r.cooperation <= 1 - e1 + 1e-12
    assert r.giving[2] == 0 and r.giving[1] == pytest.approx(1 - e1)
    # Every gift made is a gift received: mean payoff = (b - c) x cooperation.
    assert r.frequencies @ r.payoffs == pytest.approx(2.0 * r.cooperation, abs=1e-9)


def test_verdict_probabilities_and_validation():
    h = verdict_probabilities(IMAGE_SCORING, [[0, 1], [0, 1]], 0.1, 0.2)
    assert h[:, 0].tolist() == pytest.approx([0.2, 0.2])  # refuse: bad, flipped with e2
    assert h[:, 1].tolist() == pytest.approx([0.9 * 0.8 + 0.1 * 0.2] * 2)
    with pytest.raises(ValueError, match="frequencies must sum to 1"):
        stationary_reputation("L1", ["ALLC", "ALLD"], [0.5, 0.6])
    with pytest.raises(ValueError, match="execution_error must be a probability"):
        stationary_reputation("L1", execution_error=1.5)
    with pytest.raises(TypeError, match=r"strategies\[0\] must be"):
        stationary_reputation("L1", [[1, 2, 3]])


# ---------------------------------------------------------------- simulation vs closed form


@pytest.mark.parametrize("name", ["image scoring", "stern judging", "L1", "L8"])
def test_simulation_matches_the_stationary_images(name):
    # 200 organizations x 4 replicates x 500 recorded rounds: the standard error of the mean
    # good share is below 0.005 (image scoring, the slowest to mix) and the finite-size bias
    # below 1/(n - 1); 0.015 leaves three standard errors.
    sim = simulate_reputation(name, n_organizations=200, rounds=600, replicates=4, seed=11, **ERR)
    exact = stationary_reputation(name, **ERR)
    assert sim.good[:, 100:].mean() == pytest.approx(exact.good_share, abs=0.015)
    assert sim.cooperation[:, 100:].mean() == pytest.approx(exact.cooperation, abs=0.015)


def test_simulation_accounting_and_exact_cases():
    r = simulate_reputation(
        "L2", ["NORM", "ALLC", "ALLD"], [10, 5, 5], rounds=50, replicates=3, seed=2, **ERR
    )
    # Gifts made = gifts received, so the mean payoff is (b - c) x the cooperation rate.
    mean_payoff = (r.payoffs * r.counts).sum(axis=1) / r.counts.sum()
    assert mean_payoff == pytest.approx(r.cooperation.mean(axis=1) * 1.0)
    assert np.all(r.giving[:, 2] == 0)
    assert r.giving[:, 1] == pytest.approx(0.95, abs=0.05)
    # Without errors every leading-eight population starting all good cooperates fully.
    for norm in LEADING_EIGHT:
        for mode in ("public", "private"):
            ok = simulate_reputation(norm, n_organizations=12, rounds=20, assessment=mode, seed=0)
            assert np.all(ok.cooperation == 1.0) and np.all(ok.good == 1.0)
    # Nobody observed: images never change, everyone keeps giving to the (good) recipients.
    blind = simulate_reputation("L6", rounds=30, observation=0.0, seed=1, **ERR)
    assert np.all(blind.good == 1.0)


def test_private_assessment_without_assessment_errors_keeps_agreement():
    # Everyone sees every action (q = 1) and judges it without error from images they share,
    # so views never diverge even though gifts fail.
    r = simulate_reputation(
        "L8", n_organizations=30, rounds=80, assessment="private", execution_error=0.1, seed=4
    )
    assert np.all(r.agreement == 1.0)
    assert r.good.min() < 1.0  # the errors did change images


def test_reproducible_and_saved(tmp_path):
    kw = dict(n_organizations=25, rounds=40, replicates=2, assessment="private", **ERR)
    a = simulate_reputation("L5", seed=9, **kw)
    b = simulate_reputation("L5", seed=np.random.default_rng(9), **kw)
    c = simulate_reputation("L5", seed=np.random.SeedSequence(9), **kw)
    for field in ("cooperation", "good", "agreement", "payoffs"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
        assert np.array_equal(getattr(a, field), getattr(c, field))
    back = ReputationResult.load(a.save(tmp_path / "rep"))
    assert np.array_equal(back.good, a.good) and back.strategies == a.strategies
    assert "\n" not in repr(a) and len(repr(a)) < 300


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"assessment": "gossip"}, ValueError, "assessment must be 'public' or 'private'"),
        ({"rounds": 0}, ValueError, "rounds"),
        ({"n_organizations": 1}, ValueError, "n_organizations"),
        ({"observation": -0.1}, ValueError, "observation must be a probability"),
        ({"assessment_error": "0.1"}, TypeError, "assessment_error must be a real number"),
        ({"progress": 1}, TypeError, "progress must be True or False"),
        ({"seed": "x"}, TypeError, "seed"),
        ({"counts": [3, 4]}, ValueError, "counts must have one entry per strategy"),
        ({"strategies": "ALLC"}, TypeError, "strategies must be a sequence"),
    ],
)
def test_simulation_validation(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate_reputation("L3", **{"rounds": 5, **kwargs})


def test_private_memory_guard():
    with pytest.raises(ValueError, match="n_organizations"):
        simulate_reputation("L3", n_organizations=20_000, rounds=1, assessment="private")


# ---------------------------------------------------------------- classic results


def test_image_scoring_collapses_under_errors_where_the_leading_eight_do_not():
    # Nowak & Sigmund (1998) vs Ohtsuki & Iwasa (2004): with e1 = 0.05, e2 = 0.01 a population
    # of discriminators judged by image scoring cooperates ~14% of the time (exact 0.138),
    # the leading eight ~89-90% (exact 0.893-0.899). Three seeds, 60 organizations.
    for seed in range(3):
        kw = dict(n_organizations=60, rounds=300, replicates=2, seed=seed, **ERR)
        im = simulate_reputation("image scoring", **kw).cooperation[:, 100:].mean()
        assert im < 0.25
        for norm in LEADING_EIGHT:
            assert simulate_reputation(norm, **kw).cooperation[:, 100:].mean() > 0.85


def test_image_scoring_discriminators_are_outearned_by_unconditional_givers():
    # DISC is not stable under image scoring with errors: ALLC earns more (neutral drift
    # without errors becomes selection), so ALLC invades and then ALLD invades ALLC.
    exact = stationary_reputation("image scoring", ["DISC", "ALLC"], [0.9, 0.1], benefit=3, **ERR)
    assert exact.payoffs[1] - exact.payoffs[0] > 0.4
    for seed in range(3):
        r = simulate_reputation(
            "image scoring", ["DISC", "ALLC"], [90, 10], benefit=3, rounds=300, seed=seed, **ERR
        )
        assert r.payoffs[0, 1] - r.payoffs[0, 0] == pytest.approx(
            exact.payoffs[1] - exact.payoffs[0], abs=0.3
        )


@pytest.mark.parametrize("norm", LEADING_EIGHT, ids=lambda n: n.name)
def test_leading_eight_resist_allc_and_alld_under_public_assessment(norm):
    # Ohtsuki & Iwasa (2004): with b/c = 5 and small errors a resident population of each
    # leading-eight norm earns more than rare ALLC or ALLD mutants judged by the same norm.
    r = stationary_reputation(norm, ["NORM", "ALLC", "ALLD"], [0.98, 0.01, 0.01], benefit=5, **ERR)
    assert r.payoffs[0] > r.payoffs[1] + 0.05
    assert r.payoffs[0] > r.payoffs[2] + 3.0
    is_ = stationary_reputation(
        "image scoring", ["NORM", "ALLC", "ALLD"], [0.98, 0.01, 0.01], benefit=5, **ERR
    )
    assert is_.payoffs[1] > is_.payoffs[0]  # where image scoring's discriminators do not


def test_rare_mutants_earn_less_in_simulated_leading_eight_populations():
    # The gaps the closed form predicts for L2, L6 and L8 against ALLC are 0.30-0.35 per
    # round; in 4 replicates x 400 rounds the payoff of 4 mutants has a standard error
    # below 0.05, so the ordering is checked with 3 seeds.
    for norm in ("L2", "L6", "L8"):
        exact = stationary_reputation(
            norm, ["NORM", "ALLC", "ALLD"], [0.92, 0.04, 0.04], benefit=5, **ERR
        )
        for seed in range(3):
            r = simulate_reputation(
                norm,
                ["NORM", "ALLC", "ALLD"],
                [92, 4, 4],
                benefit=5,
                rounds=400,
                replicates=4,
                seed=seed,
                **ERR,
            )
            pay = r.payoffs.mean(axis=0)
            assert pay[0] > pay[1] > pay[2]
            assert pay == pytest.approx(exact.payoffs, abs=0.15)


def test_private_assessment_breaks_the_agreement_the_leading_eight_rely_on():
    # Uchida & Sasaki (2013), Hilbe et al. (2018): with private, noisy (e1 = 0.05, e2 = 0.01)
    # and incomplete (q = 0.9) observation, cooperation falls below the public level for every
    # leading-eight norm; for stern judging (L6) and L8 views decorrelate (agreement near
    # 1/2 and 0.8) and cooperation drops to ~0.47 and ~0.10 (public: ~0.9). Measured over
    # seeds 0-3 the private rates are 0.47-0.88, at least 0.015 below public in every seed.
    kw = dict(n_organizations=40, rounds=250, replicates=3, observation=0.9, **ERR)
    for seed in range(2):
        for norm in LEADING_EIGHT:
            pub = simulate_reputation(norm, seed=seed, **kw)
            pri = simulate_reputation(norm, assessment="private", seed=seed, **kw)
            assert pri.cooperation[:, 50:].mean() < pub.cooperation[:, 50:].mean() - 0.01
            assert np.all(pub.agreement == 1.0)
        sj = simulate_reputation("L6", assessment="private", seed=seed, **kw)
        l8 = simulate_reputation("L8", assessment="private", seed=seed, **kw)
        assert sj.cooperation[:, 50:].mean() == pytest.approx(0.47, abs=0.05)
        assert sj.agreement[:, 50:].mean() == pytest.approx(0.51, abs=0.05)
        # Uchida & Sasaki (2013) prove that under private assessment with errors half the
        # image matrix is good under stern judging; measured 0.510-0.513 over seeds 0-2.
        assert sj.good[:, 50:].mean() == pytest.approx(0.5, abs=0.03)
        assert l8.cooperation[:, 50:].mean() < 0.2


@pytest.mark.parametrize("benefit", [3.0, 5.0])
def test_image_scoring_replicator_stops_on_the_neutral_line(benefit):
    # Unconditional givers displace discriminators until b f_DISC (a - e2) = c, where the
    # payoffs of DISC, ALLC and ALLD are all equal (closed form above); ALLD is gone by then.
    r = reputation_dynamics("image scoring", benefit=benefit, time=200, dt=0.1, **ERR)
    a = 0.95 * 0.99 + 0.05 * 0.01
    assert r.frequencies[-1, 0] == pytest.approx(1 / (benefit * (a - 0.01)), abs=2e-3)
    assert np.ptp(r.payoffs[-1]) < 1e-2
    assert r.frequencies[-1, 2] < 1e-3
    assert np.allclose(r.frequencies.sum(axis=1), 1.0) and r.frequencies.min() >= 0


@pytest.mark.parametrize("norm", LEADING_EIGHT, ids=lambda n: n.name)
def test_leading_eight_replicator_restores_the_discriminators(norm):
    r = reputation_dynamics(norm, benefit=5, time=80, dt=0.2, **ERR)
    assert r.frequencies[-1, 0] > 0.995
    exact = stationary_reputation(norm, **ERR)
    assert r.cooperation[-1] == pytest.approx(exact.cooperation, abs=0.01)
    assert isinstance(r, ReputationDynamics) and r.times[-1] == pytest.approx(80.0)


def test_reputation_dynamics_validation():
    with pytest.raises(ValueError, match="initial must sum to 1"):
        reputation_dynamics("L3", initial=[0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="dt must lie in"):
        reputation_dynamics("L3", dt=2.0)
    with pytest.raises(ValueError, match="time must lie in"):
        reputation_dynamics("L3", time=0.0)


# ---------------------------------------------------------------- vectorisation checks

binary_norms = st.tuples(
    st.lists(st.integers(0, 1), min_size=8, max_size=8),
    st.lists(st.integers(0, 1), min_size=4, max_size=4),
).map(lambda t: Norm("random", np.reshape(t[0], (2, 2, 2)), np.reshape(t[1], (2, 2))))


def _reference(norm, n, rounds, reps, e1, e2, q, mode, seed):
    """Organization-by-organization loops drawing the same random numbers in the same order."""
    rng = np.random.default_rng(seed)
    img = np.ones((reps, n, n) if mode == "private" else (reps, n), dtype=int)
    coop = np.zeros((reps, rounds))
    for t in range(rounds):
        rec = (np.arange(n) + rng.integers(1, n, size=(reps, n))) % n
        fail = rng.random((reps, n)) < e1
        if mode == "public":
            wrong = rng.random((reps, n)) < e2
            seen_by = rng.random((reps, n)) < q
        else:
            wrong = rng.random((reps, n, n)) < e2
            seen_by = rng.random((reps, n, n)) < q
        new = img.copy()
        for r in range(reps):
            for d in range(n):
                j = rec[r, d]
                if mode == "public":
                    give = norm.action[img[r, d], img[r, j]] and not fail[r, d]
                    if seen_by[r, d]:
                        new[r, d] = norm.assessment[img[r, d], img[r, j], int(give)] ^ wrong[r, d]
                else:
                    give = norm.action[img[r, d, d], img[r, d, j]] and not fail[r, d]
                    for o in range(n):
                        if seen_by[r, o, d]:
                            verdict = norm.assessment[img[r, o, d], img[r, o, j], int(give)]
                            new[r, o, d] = verdict ^ wrong[r, o, d]
                coop[r, t] += give / n
        img = new
    return coop, img


@given(binary_norms, st.sampled_from(["public", "private"]), st.integers(0, 2**32 - 1))
def test_simulation_equals_an_organization_by_organization_reference(norm, mode, seed):
    kw = dict(execution_error=0.2, assessment_error=0.1, observation=0.7)
    r = simulate_reputation(
        norm, n_organizations=5, rounds=6, replicates=2, assessment=mode, seed=seed, **kw
    )
    coop, img = _reference(norm, 5, 6, 2, 0.2, 0.1, 0.7, mode, seed)
    assert np.allclose(r.cooperation, coop, atol=1e-12)
    assert r.good[:, -1] == pytest.approx(img.reshape(2, -1).mean(axis=1))


@given(binary_norms, st.sampled_from(["public", "private"]), st.integers(0, 2**32 - 1))
def test_relabelling_good_and_bad_mirrors_the_run(norm, mode, seed):
    # Swapping the labels good and bad everywhere (in the norm's inputs and outputs, and in
    # the initial images) is the same model: every image flips, every action stays.
    mirror = Norm("mirror", 1 - norm.assessment[::-1, ::-1, :], norm.action[::-1, ::-1])
    kw = dict(n_organizations=8, rounds=15, replicates=2, assessment=mode, seed=seed, **ERR)
    a = simulate_reputation(norm, initial_good=1.0, **kw)
    b = simulate_reputation(mirror, initial_good=0.0, **kw)
    assert np.array_equal(a.cooperation, b.cooperation)
    assert np.allclose(a.good, 1.0 - b.good)
    assert np.array_equal(a.agreement, b.agreement)


def test_progress_bar_runs(capsys):
    r = simulate_reputation("L3", n_organizations=5, rounds=3, progress=True, seed=0)
    assert r.cooperation.shape == (1, 3)


def test_empty_strategy_and_saved_stationary(tmp_path):
    r = simulate_reputation("L3", ["NORM", "ALLC"], [6, 0], rounds=5, seed=0)
    assert np.isnan(r.payoffs[0, 1]) and np.isnan(r.giving[0, 1])
    assert np.isfinite(r.payoffs[0, 0])
    s = stationary_reputation("L7", ["NORM", "ALLD"], [0.5, 0.5], **ERR)
    back = type(s).load(s.save(tmp_path / "stat"))
    assert np.array_equal(back.payoffs, s.payoffs) and back.strategies == ("L7", "ALLD")
