"""Referee checks of allysim.reputation against independent computations: the stationary
solver on rest points next to the bounds of [0, 1], the replicator's step size, an exact
two-organization Markov chain, the b/c condition against ALLD, and messages for bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allysim.reputation import (
    NORMS,
    Norm,
    assess,
    reputation_dynamics,
    simulate_reputation,
    stationary_reputation,
    verdict_probabilities,
)

# Rest points found by integrating dg/dt = F(g) - g with scipy's LSODA (rtol 1e-12) to
# t = 1e9 from g = 1, in the referee's own script; the flow nears them at rates ~1e-6, so a
# solver that creeps along it needs millions of steps.
SLOW = [
    (
        [1, 0, 0, 0, 1, 1, 1, 1],
        [1, 1, 1, 1],
        [[1, 1, 0, 0], [0, 1, 1, 1], [0, 1, 0, 0]],
        [0.10779388, 0.17373273, 0.71847339],
        1e-6,
        1e-9,
        [0.91251463, 0.99999989, 0.99999989],
    ),
    (
        [0, 1, 0, 0, 0, 1, 1, 1],
        [0, 1, 1, 1],
        [[0, 1, 1, 0], [1, 0, 0, 0], [1, 1, 1, 0]],
        [0.497, 0.046, 0.457],
        1e-6,
        1e-6,
        [0.43396761, 0.49999975, 0.99999571],
    ),
]


@pytest.mark.parametrize(("table", "rule", "strats", "freq", "e1", "e2", "rest"), SLOW)
def test_stationary_solver_reaches_slow_rest_points_next_to_the_bounds(
    table, rule, strats, freq, e1, e2, rest
):
    # The old solver took a Newton step only when all of it stayed in [0, 1], else a flow
    # step of size ~1e-9: the first case raised RuntimeError after 1e6 steps, the second
    # took 81 s. 2,000 steps are ample now.
    norm = Norm("custom", np.reshape(table, (2, 2, 2)), np.reshape(rule, (2, 2)))
    r = stationary_reputation(
        norm,
        [np.reshape(s, (2, 2)) for s in strats],
        freq,
        execution_error=e1,
        assessment_error=e2,
        max_iter=2000,
    )
    assert r.good == pytest.approx(rest, abs=1e-7)


def test_stationary_solver_stops_on_a_field_at_rest_to_rounding():
    # Every share is at rest (the field is 0 up to rounding, its Jacobian singular): the
    # old solver looped to max_iter; the images stay where they start.
    norm = Norm("custom", np.reshape([1, 1, 0, 0, 1, 1, 1, 0], (2, 2, 2)), [[1, 1], [0, 0]])
    r = stationary_reputation(
        norm,
        [[[1, 1], [0, 1]], [[0, 0], [1, 1]]],
        [0.13005248339433656, 0.8699475166056636],
        assessment_error=1.0,
        initial_good=0.3,
        max_iter=2000,
    )
    assert r.good == pytest.approx([0.3, 0.3], abs=1e-12)


@given(st.sampled_from(sorted(NORMS)), st.floats(0.0, 0.3), st.floats(1e-4, 0.3))
def test_stationary_images_solve_the_fixed_point_equations(name, e1, e2):
    # Residual of g_i = F_i(g) written out independently of the package's einsum form.
    norm = NORMS[name]
    rules = {"NORM": norm.action, "ALLC": np.ones((2, 2)), "ALLD": np.zeros((2, 2))}
    f = np.array([0.6, 0.3, 0.1])
    r = stationary_reputation(norm, list(rules), f, execution_error=e1, assessment_error=e2)
    big_g = f @ r.good
    for i, rule in enumerate(rules.values()):
        total = 0.0
        for x, y in itertools.product((0, 1), (0, 1)):
            px = r.good[i] if x else 1 - r.good[i]
            py = big_g if y else 1 - big_g
            if rule[x, y]:
                good = (1 - e1) * norm.assessment[x, y, 1] + e1 * norm.assessment[x, y, 0]
            else:
                good = norm.assessment[x, y, 0]
            total += px * py * ((1 - e2) * good + e2 * (1 - good))
        assert total == pytest.approx(r.good[i], abs=1e-10)


def test_alld_invades_stern_judging_below_the_closed_form_benefit():
    # Rare ALLD among L6 discriminators: pi_L6 - pi_ALLD = (1 - e1)(b (g - g_D) - c g), with
    # g = (1 - e2) / (1 + e1 (1 - 2 e2)) and g_D = g e2 + (1 - g)(1 - e2) (refusing a good
    # recipient is bad, a bad one good); the sign flips at b/c = g / (g - g_D) = 1.07411.
    e1, e2 = 0.05, 0.01
    g = (1 - e2) / (1 + e1 * (1 - 2 * e2))
    g_d = g * e2 + (1 - g) * (1 - e2)
    threshold = g / (g - g_d)
    for b, sign in ((threshold * 0.999, -1), (threshold * 1.001, 1)):
        r = stationary_reputation(
            "L6",
            ["NORM", "ALLD"],
            [1 - 1e-9, 1e-9],
            benefit=b,
            execution_error=e1,
            assessment_error=e2,
        )
        gap = r.payoffs[0] - r.payoffs[1]
        assert gap == pytest.approx((1 - e1) * (b * (g - g_d) - g), abs=1e-7)
        assert np.sign(gap) == sign


def _two_organization_chain(norm, e1, e2, q):
    """Exact long-run good share and cooperation of the synchronous public model, n = 2."""
    states = list(itertools.product((0, 1), (0, 1)))
    trans = np.zeros((4, 4))
    coop = np.zeros(4)
    for i, (x0, x1) in enumerate(states):
        moves = []
        for x, y in ((x0, x1), (x1, x0)):
            give = norm.action[x, y] * (1 - e1)
            good = give * ((1 - e2) if norm.assessment[x, y, 1] else e2)
            good += (1 - give) * ((1 - e2) if norm.assessment[x, y, 0] else e2)
            moves.append((q * good + (1 - q) * x, give))
        coop[i] = (moves[0][1] + moves[1][1]) / 2
        for j, (y0, y1) in enumerate(states):
            p0, p1 = moves[0][0], moves[1][0]
            trans[i, j] = (p0 if y0 else 1 - p0) * (p1 if y1 else 1 - p1)
    w, v = np.linalg.eig(trans.T)
    pi = np.real(v[:, np.argmin(abs(w - 1))])
    pi /= pi.sum()
    return pi @ np.array([(a + b) / 2 for a, b in states]), pi @ coop


@pytest.mark.parametrize("name", ["L1", "L8", "stern judging"])
def test_two_organizations_match_the_exact_markov_chain(name):
    # 40 replicates x 2,000 rounds of a 4-state chain that mixes in a few rounds: the
    # standard errors are below 0.002, so 0.01 is five of them.
    e1, e2, q = 0.3, 0.1, 0.6
    good, coop = _two_organization_chain(NORMS[name], e1, e2, q)
    sim = simulate_reputation(
        name,
        n_organizations=2,
        rounds=2000,
        replicates=40,
        execution_error=e1,
        assessment_error=e2,
        observation=q,
        seed=3,
    )
    assert sim.good[:, 50:].mean() == pytest.approx(good, abs=0.01)
    assert sim.cooperation[:, 50:].mean() == pytest.approx(coop, abs=0.01)


def test_replicator_refuses_a_step_that_would_turn_a_share_negative():
    # b = 20, dt = 1: ALLD's payoff is 4.51 below the mean, so the Euler factor
    # 1 + dt (pi - mean) is negative. The old code clipped ALLD to exactly 0 after one step
    # (and returned DISC 0.277 at t = 1); the replicator equation (dt = 0.01, same to 3e-4 as
    # dt = 0.001) has 11.5% ALLD at t = 0.1, 2e-4 at t = 1, and DISC 0.406.
    kw = dict(initial=[0.6, 0.2, 0.2], benefit=20, execution_error=0.05, assessment_error=0.01)
    with pytest.raises(ValueError, match=r"dt=1 is too long .*'ALLD'.*use dt < 0\.22"):
        reputation_dynamics("image scoring", time=30, dt=1.0, **kw)
    fine = reputation_dynamics("image scoring", time=1.0, dt=0.01, **kw)
    assert fine.frequencies[10, 2] == pytest.approx(0.115, abs=0.002)
    assert fine.frequencies[-1] == pytest.approx([0.406, 0.5935, 0.0002], abs=1e-3)
    assert fine.frequencies[-1, 2] > 0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: verdict_probabilities("L6", "ab"), TypeError, "action_rule"),
        (lambda: verdict_probabilities("L6", [[0, 1], [0]]), ValueError, "action_rule"),
        (lambda: verdict_probabilities("L6", [[0, 1], [0, 2]]), ValueError, "action_rule"),
        (lambda: assess("L6", [[1], [0, 1]], [1]), ValueError, "action"),
        (lambda: Norm("x", [[1], [0, 1]], [[0, 1], [0, 1]]), ValueError, "assessment"),
        (lambda: stationary_reputation("L6", [[[0, 1], [0]]]), TypeError, r"strategies\[0\]"),
    ],
)
def test_ragged_or_text_tables_are_refused_naming_the_parameter(call, error, match):
    # numpy's own "inhomogeneous shape" / "could not convert string" errors named nothing.
    with pytest.raises(error, match=match):
        call()
