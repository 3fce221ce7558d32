import itertools
import math
import warnings

import nashpy
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import allysim as ally
from allysim.evolution import (
    discrete_replicator,
    fermi,
    fixation_matrix,
    fixation_probability,
    log_fixation_probability,
    payoff_matrix_for,
    replicator_dynamics,
    simulate_population,
    stationary_distribution,
)

ONE_SHOT = np.array([[3.0, 0.0], [5.0, 1.0]])  # contribute / withhold, one round
RPS = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])


# ------------------------------------------------------------------------- replicator


@pytest.mark.parametrize(
    ("a", "x0"),
    [
        (RPS, [0.5, 0.3, 0.2]),
        (ONE_SHOT, [0.9, 0.1]),
        (np.array([[1.0, 4.0, 2.0], [3.0, 1.0, 0.5], [2.0, 2.0, 2.0]]), [0.2, 0.3, 0.5]),
    ],
)
def test_replicator_agrees_with_nashpy(a, x0):
    t = np.linspace(0, 8, 81)
    ours = replicator_dynamics(a, x0, t)
    theirs = nashpy.Game(a).replicator_dynamics(y0=np.array(x0), timepoints=t)
    assert np.abs(ours - theirs).max() < 1e-6


@given(st.floats(0.01, 0.99), st.sampled_from([(3, 0, 5, 1), (2, -1, 3, 0), (4, 1, 6, 2)]))
def test_one_shot_dilemma_drives_contribution_to_zero(x, payoffs):
    R, S, T, P = payoffs
    a = np.array([[R, S], [T, P]], dtype=float)
    traj = replicator_dynamics(a, [x, 1 - x], np.linspace(0, 60, 7))
    # Strictly falling until the solver's round-off floor (~1e-15).
    assert np.all(np.diff(traj[:, 0]) < 1e-12)
    assert traj[1, 0] < x
    assert traj[-1, 0] < 1e-6
    assert np.allclose(traj.sum(axis=1), 1)


def test_rock_paper_scissors_conserves_the_product():
    # For zero-sum RPS, x1 x2 x3 is a constant of motion.
    traj = replicator_dynamics(RPS, [0.5, 0.3, 0.2], np.linspace(0, 30, 50))
    assert np.allclose(traj.prod(axis=1), 0.03, rtol=1e-6)


def test_discrete_replicator_ecology():
    # TFT invades nothing but resists ALLD in a long repeated game: from half-half TFT wins.
    a = payoff_matrix_for([ally.TFT, ally.ALLD], ally.PrisonersDilemma(), rounds=50)
    traj = discrete_replicator(a, [0.5, 0.5], 100)
    assert traj.shape == (101, 2)
    assert traj[-1, 0] > 0.999
    with pytest.raises(ValueError, match="background_fitness"):
        discrete_replicator(np.array([[0.0, -1.0], [2.0, 0.0]]), [0.5, 0.5], 3)


# ------------------------------------------------------------------------- fixation


@given(st.integers(2, 400), st.lists(st.floats(-5, 5), min_size=4, max_size=4))
def test_neutral_fixation_is_exactly_one_over_z(z, vals):
    a = np.array(vals).reshape(2, 2)
    assert fixation_probability(a, 0, 1, population=z, selection=0.0) == 1 / z
    assert fixation_probability(a, 1, 0, population=z, selection=0.0, rule="moran") == 1 / z


def test_dilemma_fixation_compared_with_neutral():
    z = 50
    assert fixation_probability(ONE_SHOT, 1, 0, population=z, selection=0.5) > 1 / z
    assert fixation_probability(ONE_SHOT, 0, 1, population=z, selection=0.5) < 1 / z
    assert fixation_probability(ONE_SHOT, 1, 0, population=z, selection=0.1, rule="moran") > 1 / z


def test_fixation_far_below_double_precision_is_not_zero():
    # EGTtools returns exactly 0.0 here; the closed form is exp(-77) ~ 3.4e-34.
    rho = fixation_probability(ONE_SHOT, 0, 1, population=50, selection=1.0)
    # Each extra invader is fitter to replace: the sum is dominated by its last term, e^-77.
    want = _fixation_by_recursion_log(ONE_SHOT, 0, 1, 50, 1.0)
    assert math.log(rho) == pytest.approx(want, rel=1e-12)
    assert 3e-34 < rho < 4e-34
    # Selection 100, Z = 1000: finite and correct in both directions.
    log_rho = log_fixation_probability(ONE_SHOT, 0, 1, population=1000, selection=100)
    assert log_rho == pytest.approx(-100 * sum((k + 1002) / 999 for k in range(1, 1000)))
    assert fixation_probability(ONE_SHOT, 1, 0, population=1000, selection=100) == 1.0


def _fixation_by_recursion_log(a, i, j, z, beta):
    """log rho by the textbook sum over log-products, with math.fsum in log space."""
    logs, acc = [0.0], 0.0
    for k in range(1, z):
        pi_i = ((k - 1) * a[i, i] + (z - k) * a[i, j]) / (z - 1)
        pi_j = (k * a[j, i] + (z - k - 1) * a[j, j]) / (z - 1)
        acc += -beta * (pi_i - pi_j)
        logs.append(acc)
    top = max(logs)
    return -(top + math.log(math.fsum(math.exp(x - top) for x in logs)))


def _fixation_by_recursion(a, i, j, z, beta):
    """Direct textbook sum in plain floats (fine for moderate selection)."""
    total, prod = 1.0, 1.0
    for k in range(1, z):
        pi_i = ((k - 1) * a[i, i] + (z - k) * a[i, j]) / (z - 1)
        pi_j = (k * a[j, i] + (z - k - 1) * a[j, j]) / (z - 1)
        prod *= math.exp(-beta * (pi_i - pi_j))
        total += prod
    return 1 / total


@given(
    st.lists(st.floats(-3, 3), min_size=9, max_size=9),
    st.integers(2, 60),
    st.floats(0.0, 2.0),
)
def test_fixation_matrix_matches_the_textbook_sum(vals, z, beta):
    a = np.array(vals).reshape(3, 3)
    rho = fixation_matrix(a, population=z, selection=beta)
    for i in range(3):
        for j in range(3):
            want = 1 / z if i == j else _fixation_by_recursion(a, i, j, z, beta)
            assert rho[i, j] == pytest.approx(want, rel=1e-9)


@given(st.lists(st.floats(-3, 3), min_size=4, max_size=4), st.integers(2, 40), st.floats(0, 3))
def test_relabelling_strategies_permutes_the_fixation_matrix(vals, z, beta):
    a = np.array(vals).reshape(2, 2)
    perm = [1, 0]
    rho = fixation_matrix(a, population=z, selection=beta)
    rho_p = fixation_matrix(a[np.ix_(perm, perm)], population=z, selection=beta)
    assert np.allclose(rho_p, rho[np.ix_(perm, perm)], rtol=1e-12)


# ------------------------------------------------------------------------- stationary


def test_small_mutation_limit_two_strategies_closed_form():
    # Two strategies: pi_0 / pi_1 = rho(0 invades 1) / rho(1 invades 0).
    d = stationary_distribution(ONE_SHOT, population=30, selection=0.2)
    r01 = fixation_probability(ONE_SHOT, 0, 1, population=30, selection=0.2)
    r10 = fixation_probability(ONE_SHOT, 1, 0, population=30, selection=0.2)
    assert d.shares[0] / d.shares[1] == pytest.approx(r01 / r10)
    assert d.shares.sum() == pytest.approx(1)


def test_exact_chain_approaches_small_mutation_limit():
    a = payoff_matrix_for([ally.ALLC, ally.ALLD, ally.TFT], ally.PrisonersDilemma(), rounds=10)
    sml = stationary_distribution(a, population=30, selection=1.0)
    exact = stationary_distribution(a, population=30, selection=1.0, mutation=1e-5)
    assert len(exact.states) == math.comb(32, 2)
    assert np.allclose(exact.probabilities.sum(), 1)
    assert np.abs(exact.shares - sml.shares).max() < 0.01
    # High mutation spreads the shares toward uniform.
    mixed = stationary_distribution(a, population=30, selection=1.0, mutation=0.5)
    assert mixed.shares.min() > 0.2


def test_exact_chain_neutral_is_symmetric():
    a = np.zeros((3, 3))
    d = stationary_distribution(a, population=12, selection=0.0, mutation=0.01)
    assert np.allclose(d.shares, 1 / 3)


def test_exact_chain_refuses_huge_state_spaces_by_memory():
    # C(107, 7) = 2.5e10 states: refused from the estimate, before anything is allocated.
    with pytest.raises(ValueError, match=r"population.*memory"):
        stationary_distribution(np.zeros((8, 8)), population=100, selection=1.0, mutation=0.01)
    old = ally.set_memory_budget(50 * 1024**2)
    try:
        with pytest.raises(ValueError, match="population"):
            stationary_distribution(RPS + 2, population=600, selection=1.0, mutation=0.1)
    finally:
        ally.set_memory_budget(old)


def test_exact_chain_with_underflowing_tails():
    # Far corners of the simplex have probabilities below 1e-308; the solver must not divide
    # by their zero weight (it returned NaN before).
    d = stationary_distribution(RPS + 2, population=200, selection=1.0, mutation=0.1)
    assert np.isfinite(d.probabilities).all() and d.residual <= 1e-10
    assert d.probabilities.sum() == pytest.approx(1.0)
    assert np.allclose(d.shares, 1 / 3, atol=1e-9)  # RPS is symmetric under rotation


def _chain_by_definition(a, z, beta, mu, rule):
    """Transition matrix of the mutation chain written out state by state (no vectorisation).

    Fermi: a random organization (strategy i, chance k_i / Z) mutates with chance mu to one of
    the n - 1 others, else imitates a random other organization (strategy j, chance
    k_j / (Z - 1)) with the Fermi probability. Moran (Nowak et al. 2004): one organization is
    chosen to reproduce in proportion to fitness 1 - w + w pi, one (chance k_i / Z) dies and is
    replaced by the offspring's strategy, or with chance mu by a uniformly chosen other one.
    """
    n = a.shape[0]
    states = [s for s in itertools.product(range(z + 1), repeat=n) if sum(s) == z]
    index = {s: k for k, s in enumerate(states)}
    t = np.zeros((len(states), len(states)))
    for s in states:
        pay = [
            sum(a[i, j] * (s[j] - (i == j)) for j in range(n)) / (z - 1) if s[i] else 0.0
            for i in range(n)
        ]
        fit = [1 - beta + beta * p for p in pay]
        total_fit = sum(s[i] * fit[i] for i in range(n))
        for i in range(n):
            for j in range(n):
                if i == j or s[i] == 0:
                    continue
                if rule == "fermi":
                    select = s[j] / (z - 1) / (1 + math.exp(-beta * (pay[j] - pay[i])))
                else:
                    select = s[j] * fit[j] / total_fit
                p = s[i] / z * ((1 - mu) * select + mu / (n - 1))
                d = list(s)
                d[i] -= 1
                d[j] += 1
                t[index[s], index[tuple(d)]] += p
        t[index[s], index[s]] = 1 - t[index[s]].sum()
    w, v = np.linalg.eig(t.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1))])
    return np.array(states), t, pi / pi.sum()


@pytest.mark.parametrize("rule", ["moran", "fermi"])
@pytest.mark.parametrize("solver", ["direct", "iterative"])
def test_exact_chain_matches_its_definition(rule, solver):
    # Issue 10 item 14: the Moran chain with mutation runs and equals an independent build.
    a = np.array([[1.0, 0.5, 2.0], [1.5, 1.0, 0.2], [0.4, 1.8, 1.0]])
    z, beta, mu = 7, 0.6, 0.05
    states, t, pi = _chain_by_definition(a, z, beta, mu, rule)
    d = stationary_distribution(
        a, population=z, selection=beta, mutation=mu, rule=rule, solver=solver, tol=1e-14
    )
    assert d.solver == solver
    order = {tuple(s): k for k, s in enumerate(d.states)}
    perm = [order[tuple(s)] for s in states]
    assert np.abs(d.transitions.toarray()[np.ix_(perm, perm)] - t).max() < 1e-14
    assert np.abs(d.probabilities[perm] - pi).max() < 1e-12
    back = np.argsort(perm)
    by_hand = np.abs(d.probabilities @ t[np.ix_(back, back)] - d.probabilities).sum()
    assert d.residual == pytest.approx(by_hand, abs=1e-15)


def test_two_strategy_moran_chain_is_the_birth_death_closed_form():
    # With two strategies the chain is a birth-death chain, so pi_k / pi_{k-1} =
    # T+(k - 1) / T-(k) (detailed balance), with mutation inside T+ and T-.
    a = np.array([[2.0, 1.0], [1.5, 2.5]])
    z, w, mu = 40, 0.3, 0.02
    d = stationary_distribution(a, population=z, selection=w, mutation=mu, rule="moran")
    k = d.states[:, 0]
    pi = d.probabilities[np.argsort(k)]

    def t_plus_minus(k):
        pa = ((k - 1) * a[0, 0] + (z - k) * a[0, 1]) / (z - 1)
        pb = (k * a[1, 0] + (z - k - 1) * a[1, 1]) / (z - 1)
        fa, fb = 1 - w + w * pa, 1 - w + w * pb
        tot = k * fa + (z - k) * fb
        up = (z - k) / z * ((1 - mu) * k * fa / tot + mu)
        down = k / z * ((1 - mu) * (z - k) * fb / tot + mu)
        return up, down

    ratios = [t_plus_minus(k - 1)[0] / t_plus_minus(k)[1] for k in range(1, z + 1)]
    assert np.allclose(pi[1:] / pi[:-1], ratios, rtol=1e-9)


@pytest.mark.parametrize("n", [3, 4])
@pytest.mark.parametrize("rule", ["fermi", "moran"])
def test_iterative_solver_agrees_with_direct_solve(n, rule):
    rng = np.random.default_rng(n)
    a = rng.random((n, n)) * 2
    kw = {"population": 10, "selection": 0.8, "mutation": 0.03, "rule": rule, "tol": 1e-14}
    direct = stationary_distribution(a, solver="direct", **kw)
    iterative = stationary_distribution(a, solver="iterative", **kw)
    assert iterative.solver == "iterative" and iterative.iterations > 0
    assert iterative.residual <= 1e-14
    assert np.abs(iterative.probabilities - direct.probabilities).max() < 1e-10


def test_iterative_solver_on_a_multilevel_chain_agrees_with_direct():
    # Z = 40 with 4 strategies (12,341 states) goes through three aggregation levels.
    a = payoff_matrix_for(
        [ally.ALLC, ally.ALLD, ally.TFT, ally.WSLS], ally.partnership_game(3, 1), noise=0.01
    )
    kw = {"population": 40, "selection": 1.0, "mutation": 0.1}
    direct = stationary_distribution(a, solver="direct", **kw)
    iterative = stationary_distribution(a, solver="iterative", tol=1e-12, **kw)
    assert iterative.residual <= 1e-12
    assert np.abs(iterative.shares - direct.shares).max() < 1e-9
    assert np.abs(iterative.probabilities - direct.probabilities).max() < 1e-11


@pytest.mark.parametrize("solver", ["direct", "iterative"])
def test_exact_chain_tends_to_the_small_mutation_limit(solver):
    a = np.array([[1.0, 0.5, 2.0], [1.5, 1.0, 0.2], [0.4, 1.8, 1.0]])
    kw = {"population": 12, "selection": 1.0, "solver": solver}
    sml = stationary_distribution(a, **kw).shares
    gaps = [
        np.abs(stationary_distribution(a, mutation=mu, tol=1e-15, **kw).shares - sml).max()
        for mu in (1e-3, 1e-4, 1e-5)
    ]
    # The gap shrinks linearly in mu (first-order perturbation of the embedded chain).
    assert gaps[2] < 1e-3
    assert gaps[1] / gaps[0] == pytest.approx(0.1, rel=0.1)
    assert gaps[2] / gaps[1] == pytest.approx(0.1, rel=0.1)


def test_one_strategy_with_mutation_is_certain():
    d = stationary_distribution(np.ones((1, 1)), population=5, selection=1.0, mutation=0.3)
    assert d.shares.tolist() == [1.0]


@pytest.mark.parametrize(("bc", "winner"), [(1.5, "ALLD"), (2.0, "ALLD"), (3.0, "WSLS")])
def test_imhof_fudenberg_nowak_2007(bc, winner):
    # Imhof, Fudenberg & Nowak (2007), J. Theor. Biol. 247:574, "Tit-for-tat or win-stay,
    # lose-shift?": in the small-mutation limit with errors, WSLS prevails among ALLC, ALLD,
    # TFT and WSLS when benefit/cost is high, ALLD when it is low.
    zoo = [ally.ALLC, ally.ALLD, ally.TFT, ally.WSLS]
    a = payoff_matrix_for(zoo, ally.partnership_game(benefit=bc, cost=1.0), noise=0.01)
    d = stationary_distribution(a, population=100, selection=1.0)
    assert zoo[int(np.argmax(d.shares))].name == winner
    assert d.shares.max() > 0.6


def test_sixteen_memory_one_strategies_under_noise():
    # Documented in docs/evolution.md: in the donation game (b/c = 3) WSLS takes almost all;
    # in the standard dilemma (T + P = 2R) WSLS cannot hold and ALLD and GRIM share the lead.
    zoo = ally.deterministic_memory_one()
    donation = payoff_matrix_for(zoo, ally.partnership_game(benefit=3, cost=1), noise=0.01)
    d = stationary_distribution(donation, population=100, selection=1.0)
    assert zoo[int(np.argmax(d.shares))].name == "M1001"
    assert d.shares.max() > 0.95
    standard = payoff_matrix_for(zoo, ally.PrisonersDilemma(), noise=0.01)
    d = stationary_distribution(standard, population=100, selection=1.0)
    top2 = {zoo[i].name for i in np.argsort(-d.shares)[:2]}
    assert top2 == {"M0000", "M1000"}


# ------------------------------------------------------------------------- simulation


@pytest.mark.parametrize(
    ("rule", "beta", "invader", "resident"),
    [("fermi", 1.0, 1, 0), ("fermi", 0.3, 0, 1), ("moran", 0.2, 1, 0), ("fermi", 0.0, 0, 1)],
)
def test_simulated_fixation_matches_exact(rule, beta, invader, resident):
    z, reps = 20, 3000
    init = np.zeros(2, dtype=int)
    init[resident], init[invader] = z - 1, 1
    res = simulate_population(
        ONE_SHOT,
        init,
        steps=200_000,
        selection=beta,
        replicates=reps,
        rule=rule,
        until_fixation=True,
        seed=42,
    )
    assert (res.fixation_step > 0).all()
    rho = fixation_probability(ONE_SHOT, invader, resident, population=z, selection=beta, rule=rule)
    freq = res.fixed(invader).mean()
    se = math.sqrt(max(rho * (1 - rho), 1e-12) / reps)
    assert abs(freq - rho) <= 4 * se + 1 / reps


def test_simulated_mutation_selection_balance_matches_exact_chain():
    a = np.array([[2.0, 1.0], [1.5, 2.5]])
    exact = stationary_distribution(a, population=10, selection=0.5, mutation=0.05)
    res = simulate_population(
        a,
        [5, 5],
        steps=4000,
        selection=0.5,
        mutation=0.05,
        replicates=400,
        record_every=10,
        seed=3,
    )
    # Time-average after burn-in over all replicates.
    share = res.history[100:, :, 0].mean() / 10
    assert share == pytest.approx(exact.shares[0], abs=0.02)


def test_simulation_is_reproducible():
    kw = {"steps": 300, "selection": 1.0, "mutation": 0.01, "replicates": 7, "record_every": 50}
    a = simulate_population(RPS + 2, [10, 10, 10], seed=5, **kw)
    b = simulate_population(RPS + 2, [10, 10, 10], seed=5, **kw)
    c = simulate_population(RPS + 2, [10, 10, 10], seed=6, **kw)
    assert np.array_equal(a.history, b.history)
    assert not np.array_equal(a.history, c.history)
    assert (a.counts.sum(axis=1) == 30).all()


def test_two_calls_from_strategies_to_a_distribution():
    a = payoff_matrix_for([ally.ALLD, ally.TFT, ally.WSLS], ally.PrisonersDilemma(), noise=0.05)
    d = stationary_distribution(a, population=50, selection=0.5)
    assert d.shares.shape == (3,) and d.fixation.shape == (3, 3)


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: fixation_probability(ONE_SHOT, 0, 1, population=1, selection=1), "population"),
        (lambda: fixation_probability(ONE_SHOT, 0, 1, population=10, selection=-1), "selection"),
        (lambda: fixation_probability(ONE_SHOT, 0, 2, population=10, selection=1), "resident"),
        (
            lambda: fixation_probability(ONE_SHOT, 0, 1, population=10, selection=2, rule="moran"),
            "selection must lie in",
        ),
        (lambda: fixation_matrix(ONE_SHOT, population=10, selection=1, rule="x"), "rule"),
        (lambda: fixation_matrix(np.ones((2, 3)), population=10, selection=1), "square"),
        (lambda: fixation_matrix(np.array([[np.nan]]), population=10, selection=1), "finite"),
        (
            lambda: stationary_distribution(ONE_SHOT, population=10, selection=1, mutation=1.5),
            "mutation",
        ),
        (lambda: replicator_dynamics(RPS, [0.5, 0.6, 0.1], [0, 1]), "simplex"),
        (lambda: replicator_dynamics(RPS, [0.5, 0.5], [0, 1]), "shape"),
        (lambda: replicator_dynamics(RPS, [0.5, 0.3, 0.2], [1, 0]), "increasing"),
        (
            lambda: simulate_population(ONE_SHOT, [1, 0], steps=5, selection=1),
            "population",
        ),
        (
            lambda: simulate_population(ONE_SHOT, [5, 5], steps=5, selection=1, mutation=2),
            "mutation",
        ),
        (
            lambda: simulate_population(
                ONE_SHOT, [5, 5], steps=5, selection=1, mutation=0.1, until_fixation=True
            ),
            "until_fixation",
        ),
    ],
)
def test_bad_input(call, needle):
    with pytest.raises(ValueError, match=needle):
        call()


# ------------------------------------------------------------------------- issue 17


@pytest.mark.parametrize(
    ("scale", "beta", "invader", "resident", "want"),
    [
        (1.0, 1e308, 0, 1, 0.0),  # ALLC among ALLD: below every float
        (1.0, 1e308, 1, 0, 1.0),  # ALLD among ALLC: certain
        (1e300, 1e10, 0, 1, 0.0),
        (1e300, 1e10, 1, 0, 1.0),
        (1e300, 0.0, 0, 1, 0.1),  # neutral stays exactly 1/Z whatever the payoffs
    ],
)
def test_fixation_with_overflowing_selection_is_finite(scale, beta, invader, resident, want):
    rho = fixation_probability(ONE_SHOT * scale, invader, resident, population=10, selection=beta)
    assert rho == want
    row = fixation_matrix(ONE_SHOT * scale, population=10, selection=beta)[invader, resident]
    assert row == want


def test_log_fixation_below_the_float_range_is_a_clear_error():
    with pytest.raises(ValueError, match="selection"):
        log_fixation_probability(ONE_SHOT, 0, 1, population=10, selection=1e308)
    with pytest.raises(ValueError, match="selection"):
        fixation_matrix(ONE_SHOT, population=10, selection=1e308, log=True)
    # Still exact where it is representable: 9 steps of -beta (u k + v) / (Z - 1).
    got = log_fixation_probability(ONE_SHOT, 0, 1, population=10, selection=1e300)
    assert got == pytest.approx(-1e300 * sum((k + 12) / 9 for k in range(1, 10)), rel=1e-12)


def test_moran_near_the_float_limit_is_scale_invariant():
    # With w = 1 fitness is the payoff, and only fitness ratios matter: payoffs near 1.8e308
    # give the same answers as small ones instead of inf / inf = NaN.
    small = ONE_SHOT + 1.0
    huge = small * 2.5e307
    kw = {"population": 10, "selection": 1.0, "rule": "moran"}
    for i, j in ((0, 1), (1, 0)):
        want = fixation_probability(small, i, j, **kw)
        assert fixation_probability(huge, i, j, **kw) == pytest.approx(want, rel=1e-12)
    want = stationary_distribution(small, mutation=0.1, **kw).probabilities
    got = stationary_distribution(huge, mutation=0.1, **kw).probabilities
    assert np.abs(got - want).max() < 1e-12


def test_huge_population_is_refused_before_allocating():
    with pytest.raises(ValueError, match="population"):
        fixation_probability(ONE_SHOT, 0, 1, population=10**9, selection=1.0)
    with pytest.raises(ValueError, match="population"):
        fixation_matrix(ONE_SHOT, population=10**9, selection=1.0)


def test_history_too_large_for_memory_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="record_every"):
        simulate_population(
            ONE_SHOT, [5, 5], steps=10**7, selection=1, replicates=1000, record_every=1
        )
    # Preallocated history: the start, then every 10 steps.
    res = simulate_population(ONE_SHOT, [5, 5], steps=95, selection=1, record_every=10, seed=0)
    assert res.history.shape == (10, 1, 2)
    assert (res.history.sum(axis=2) == 10).all()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_discrete_replicator_refuses_non_finite_background(bad):
    with pytest.raises(ValueError, match="background_fitness"):
        discrete_replicator(ONE_SHOT, [0.5, 0.5], 3, background_fitness=bad)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"rtol": -1}, "rtol"),
        ({"rtol": 0}, "rtol"),
        ({"atol": -1e-9}, "atol"),
        ({"atol": float("nan")}, "atol"),
        ({"method": "Euler"}, "RK45, RK23, DOP853, Radau, BDF, LSODA"),
    ],
)
def test_replicator_refuses_bad_integrator_settings(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        replicator_dynamics(ONE_SHOT, [0.5, 0.5], [0, 1], **kwargs)


def test_replicator_takes_times_as_any_sequence():
    want = replicator_dynamics(ONE_SHOT, [0.5, 0.5], np.array([0.0, 1.0, 2.0]))
    for t in ([0, 1, 2], (0.0, 1.0, 2.0), range(3)):
        assert np.array_equal(replicator_dynamics(ONE_SHOT, [0.5, 0.5], t), want)


def test_payoff_matrix_for_names_its_parameters():
    with pytest.raises(ValueError, match=r"^strategies"):
        payoff_matrix_for([], ally.PrisonersDilemma(), rounds=3)
    with pytest.raises(TypeError, match=r"^strategies"):
        payoff_matrix_for("ALLC", ally.PrisonersDilemma(), rounds=3)
    for game in (None, "PrisonersDilemma"):
        with pytest.raises(TypeError, match="game"):
            payoff_matrix_for([ally.ALLC], game, rounds=3)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"solver": "lu"}, "solver"),
        ({"tol": 0}, "tol"),
        ({"tol": 1.5}, "tol"),
        ({"time_limit": -1}, "time_limit"),
    ],
)
def test_stationary_distribution_refuses_bad_solver_settings(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        stationary_distribution(ONE_SHOT, population=10, selection=1, mutation=0.1, **kwargs)


def test_time_limit_stops_the_iterative_solver():
    a = payoff_matrix_for(
        [ally.ALLC, ally.ALLD, ally.TFT, ally.WSLS], ally.partnership_game(3, 1), noise=0.01
    )
    with pytest.raises(ValueError, match="time_limit"):
        stationary_distribution(
            a, population=40, selection=1, mutation=1e-4, solver="iterative", time_limit=1e-9
        )


def test_replicator_with_subnormal_payoffs_returns_instead_of_stalling():
    # Found by the fuzz suite: payoffs of 5e-324 scaled the time span to subnormal numbers and
    # the integrator never finished. Shares cannot move below float64 resolution.
    a = np.array([[5e-324, 0.0], [0.0, 0.0]])
    traj = replicator_dynamics(a, [0.5, 0.5], [0.5, 1.0])
    assert traj.tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_fermi_matches_the_closed_form():
    for diff in (-7.5, -1.0, -1e-3, 0.0, 0.25, 2.0, 30.0):
        for beta in (0.0, 0.01, 1.0, 3.0):
            expected = 1.0 / (1.0 + math.exp(-beta * diff))
            assert fermi(diff, beta) == pytest.approx(expected, rel=1e-15, abs=0)
    arr = np.array([[-1.0, 0.0], [1.0, 2.0]])
    out = fermi(arr, 0.5)
    assert isinstance(out, np.ndarray) and out.shape == (2, 2)
    np.testing.assert_allclose(out, 1.0 / (1.0 + np.exp(-0.5 * arr)), rtol=1e-15, atol=0)
    assert isinstance(fermi(1.0, 1.0), float) and fermi(0.0, 9.0) == 0.5


def test_fermi_saturates_without_overflow():
    with np.errstate(all="raise"):
        assert fermi(1e300, 1e300) == 1.0
        assert fermi(-1e300, 1e300) == 0.0
        assert fermi(np.array([-1e308, 1e308]), 10.0).tolist() == [0.0, 1.0]


def test_fermi_is_the_fixation_probability_of_a_pair():
    # Z = 2, one invader, one resident: rho = T+ / (T+ + T-) = fermi(d) / (fermi(d) + fermi(-d))
    # = fermi(d), with d = a[i, j] - a[j, i] (no self-interaction).
    a = np.array([[0.3, -1.2], [0.7, 2.0]])
    for beta in (0.0, 0.4, 2.5):
        rho = fixation_probability(a, 0, 1, population=2, selection=beta)
        assert rho == pytest.approx(fermi(a[0, 1] - a[1, 0], beta), rel=1e-12)


@pytest.mark.parametrize(
    ("diff", "beta", "error", "needle"),
    [
        (1.0, -0.1, ValueError, "selection must be >= 0"),
        (1.0, float("inf"), ValueError, "selection must be finite"),
        (float("nan"), 1.0, ValueError, "payoff_difference"),
        (np.array([0.0, np.inf]), 1.0, ValueError, "payoff_difference"),
        (True, 1.0, TypeError, "payoff_difference"),
        ("1", 1.0, TypeError, "payoff_difference"),
        (1.0, True, TypeError, "selection"),
    ],
)
def test_fermi_rejects_bad_input(diff, beta, error, needle):
    with pytest.raises(error, match=needle):
        fermi(diff, beta)


def test_a_strategy_invading_itself_is_neutral_at_any_selection():
    # Found by the fuzz suite: at selection 1e308 the round-off of a zero payoff difference
    # was amplified and gave 0 or 1 instead of 1/Z. The neutral 1/Z lives on fixation_matrix's
    # diagonal; fixation_probability refuses invader == resident (no invasion: a new-user
    # trial got 1/Z back for a mistyped index).
    a = np.array([[4.31774433, 4.14939487], [29.37286502, 0.25578542]])
    for rule, beta in (("fermi", 1e308), ("moran", 1.0)):
        diagonal = np.diag(fixation_matrix(a, population=126, selection=beta, rule=rule))
        assert diagonal.tolist() == [1 / 126, 1 / 126]
        for i in (0, 1):
            with pytest.raises(ValueError, match="invader and resident must be different"):
                fixation_probability(a, i, i, population=126, selection=beta, rule=rule)


def test_replicator_stays_on_the_simplex_over_astronomical_spans():
    # Found by the fuzz suite: over t = 2e38 the integrator drifted to shares summing to
    # 1.000001; trajectories are projected back onto the simplex.
    a = np.array([[1.0, 0.0], [0.0, 1.0]])
    for b in (a, np.array([[3.0, 0.0], [5.0, 1.0]])):
        traj = replicator_dynamics(b, [0.5, 0.5], [0.0, 2.1689980317371705e38])
        assert np.all(traj >= 0) and np.allclose(traj.sum(axis=1), 1.0, atol=1e-12)


def test_nearly_reducible_chain_matches_a_50_digit_solve():
    # Two strategies that each resist the other (31 vs 1, 33 vs 2) and strong selection: the
    # chain is nearly reducible. LU on I - T anchored at a rare state put 0.9994 of the mass
    # on the all-third-strategy state (found by the fuzz suite); GTH elimination is exact.
    mpmath = pytest.importorskip("mpmath")
    a = np.array([[31.0, 2.0, 1.0], [1.0, 33.0, 1.0], [1.0, 1.0, 1.0]])
    for solver in ("direct", "iterative"):
        d = stationary_distribution(
            a, population=6, selection=1.0, mutation=1e-4, solver=solver, tol=1e-12
        )
        t = d.transitions.toarray()
        mpmath.mp.dps = 50
        s = t.shape[0]
        m = mpmath.matrix(s, s)
        # The diagonal of I - T is the exact outflow (the sum of the off-diagonal rates): a
        # float 1 - t_ii would perturb rates of order 1e-20 between the two basins.
        for i in range(s):
            for j in range(s):
                if i != j:
                    m[i, j] = -mpmath.mpf(t[j, i])
        for i in range(s):
            m[i, i] = mpmath.fsum(mpmath.mpf(t[i, j]) for j in range(s) if j != i)
        for j in range(s):
            m[s - 1, j] = 1
        rhs = mpmath.matrix([0] * (s - 1) + [1])
        ref = np.array([float(x) for x in mpmath.lu_solve(m, rhs)])
        np.testing.assert_allclose(d.probabilities, ref, rtol=1e-9, atol=1e-300)
        assert d.residual < 1e-15
        np.testing.assert_allclose(d.shares, [0.456708, 0.543242, 5.0003e-5], rtol=1e-5)


def test_small_mutation_limit_survives_underflowing_fixation():
    # A coordination game under strong selection: both invasions fix with probability far
    # below 1e-308. The two-state embedded chain has pi_0 / pi_1 = rho(0 -> 1) / rho(1 -> 0),
    # so the answer is a logistic of the difference of the log fixation probabilities.
    a = np.array([[5.0, 0.0], [0.0, 4.0]])
    z, beta = 400, 20.0
    l01 = log_fixation_probability(a, 0, 1, population=z, selection=beta)
    l10 = log_fixation_probability(a, 1, 0, population=z, selection=beta)
    assert l01 < -710 and l10 < -710
    d = stationary_distribution(a, population=z, selection=beta)
    expected = 1 / (1 + math.exp(l10 - l01))
    assert d.shares[0] == pytest.approx(expected, rel=1e-9)
    assert d.shares[1] == pytest.approx(1 - expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(
    ("t", "message"),
    [
        ([0.0, 1e300], "the shares overflowed"),
        ([0.0, 1e308], "overflow"),
        ([1e308, -1e308], "strictly increasing"),
    ],
)
def test_replicator_refuses_spans_too_long_without_numpy_warnings(t, message):
    # The refusal is the ValueError; numpy's overflow warnings from inside the solver (23 of
    # them for these three spans in 0.4.0) said nothing a user could act on.
    a = np.array([[3.0, 0.5], [4.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=message):
            replicator_dynamics(a, [0.5, 0.5], t)
