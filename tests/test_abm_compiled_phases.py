"""The phases' compiled loops (play's moves, payoffs and credits; exit's tests) against numpy.

The model-level runs reach the branches that the benchmark's configurations leave out: a part
that changes the chances to contribute, settling mechanisms, several or scalar dividend
factors, exit thresholds of another shape, no noise at all.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abm_state import assert_same_state, model_state
from allysim.abm import Governance, SpecificInvestment, TrustModel, TrustParams
from allysim.abm._compiled import use_numba
from allysim.abm.components import Part
from allysim.abm.standing import Standing
from allysim.kernels import play_round
from allysim.mechanisms import Sanction

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(
    not HAVE_NUMBA, reason="numba is not installed (the optional 'fast' extra)"
)


@dataclass(frozen=True)
class _Factor(Part):
    """A dividend factor per partnership (or one scalar), and a scalar exit threshold."""

    name = "factor_test"
    scale: float = 0.9
    scalar: bool = False
    scalar_exit: bool = False

    def dividend(self, model, e):
        if self.scalar:
            return np.float64(self.scale)
        return self.scale + 0.1 * model.capability[model.table.pa[:e]]

    def exit_threshold(self, model, threshold):
        if self.scalar_exit:
            return float(model.params.exit_threshold)  # broadcast by numpy's comparison
        return threshold


def _variants() -> dict[str, tuple[dict, tuple[Part, ...]]]:
    """TrustParams fields and extra parts appended after construction."""
    return {
        # Standing's contribution hook: the chances go through coop, the part, then the moves.
        "standing_discriminating": (
            {"standing": Standing(discriminating=("TFT", "GTFT")), "perception_noise": 0.1},
            (),
        ),
        # Settling without parts, and with a part (enforcement plus overhead).
        "sanction": ({"mechanisms": (Sanction(fine=2.0, detection=0.7),)}, ()),
        "sanction_investment": (
            {
                "mechanisms": (Sanction(fine=2.0, detection=0.7),),
                "investment": SpecificInvestment(),
            },
            (),
        ),
        # No execution noise and no misreadings: the moves' other branches.
        "noiseless": ({"noise": 0.0, "perception_noise": 0.0}, ()),
        # Three factors (governance's, two extra): the dividend computed in numpy first.
        "three_factors": (
            {"governance": Governance(decision_rights="consensus")},
            (_Factor(), _Factor(scale=1.1)),
        ),
        # A scalar factor and a scalar exit threshold: numpy's broadcasting.
        "scalar_factor": ({}, (_Factor(scalar=True, scalar_exit=True),)),
    }


def _run(fields: dict, extra: tuple[Part, ...], numba: str, steps: int = 30) -> TrustModel:
    os.environ["ALLYSIM_NUMBA"] = numba
    m = TrustModel(TrustParams(n_organizations=120, capacity=4, **fields), seed=11)
    if extra:
        m.parts = (*m.parts, *extra)
    for _ in range(steps):
        m.step()
    return m


@needs_numba
@pytest.mark.parametrize("name", list(_variants()))
def test_phases_bit_identical_on_other_branches(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fields, extra = _variants()[name]
    monkeypatch.setenv("ALLYSIM_NUMBA", "0")
    reference = _run(fields, extra, "0")
    compiled = _run(fields, extra, "1")
    assert reference.table.dissolved_total > 0 and reference.n_active > 0
    assert_same_state(model_state(reference), model_state(compiled))
    assert reference.rng.bit_generator.state == compiled.rng.bit_generator.state


class _OwnStakes(TrustModel):
    """A model whose stakes are not the stage's level: the compiled path must ask it."""

    def stakes(self, rows):
        return 1.0 + 0.25 * self.table.age[rows] % 3


@needs_numba
def test_a_model_with_its_own_stakes(monkeypatch: pytest.MonkeyPatch) -> None:
    states = []
    for numba in ("0", "1"):
        monkeypatch.setenv("ALLYSIM_NUMBA", numba)
        m = _OwnStakes(TrustParams(n_organizations=100, capacity=4), seed=2)
        for _ in range(25):
            m.step()
        states.append(model_state(m))
    assert_same_state(*states)
    plain = TrustModel(TrustParams(n_organizations=100, capacity=4), seed=2)
    for _ in range(25):
        plain.step()
    assert not np.array_equal(plain.wealth, states[1]["wealth"])


@needs_numba
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    e=st.integers(1, 40),
    noise=st.sampled_from([0.0, 0.05, 0.5]),
    eta_kind=st.sampled_from(["zero", "some", "all"]),
    outside=st.booleans(),
)
def test_moves_draw_as_play_round(
    seed: int, e: int, noise: float, eta_kind: str, outside: bool
) -> None:
    """Given chances: play_round's moves and perceptions from the same Generator, which ends in
    the same state; chances outside [0, 1] are counted (play_round refuses them)."""
    from allysim.abm._compiled import kernels

    data = np.random.default_rng(seed)
    coop = data.random((e, 2))
    eta = {
        "zero": np.zeros(e),
        "some": np.where(data.random(e) < 0.5, 0.2, 0.0),
        "all": data.uniform(0.01, 0.5, e),
    }[eta_kind]
    bad = 0
    if outside:
        coop[0, 1] = 1.5
        bad = 1
    else:
        expected = play_round(
            coop[:, 0],
            coop[:, 1],
            noise=noise,
            perception_noise=eta,
            rng=np.random.default_rng(seed + 1),
        )
    rng = np.random.default_rng(seed + 1)
    empty = np.zeros((0, 2, 3))
    machine = np.zeros((0, 2), dtype=np.int64)
    contributed, seen, count = kernels().moves(
        machine, np.zeros(1), empty, empty, e, 0.0, coop, eta, noise, rng
    )
    assert count == bad
    if outside:
        return
    ca, cb, sa, sb = expected
    np.testing.assert_array_equal(contributed, np.stack([ca, cb], 1))
    np.testing.assert_array_equal(seen, np.stack([sa, sb], 1))
    reference = np.random.default_rng(seed + 1)
    reference.random((2, e))
    if np.any(eta > 0):
        reference.random((2, e))
    assert rng.bit_generator.state == reference.bit_generator.state


@needs_numba
def test_exit_tests_match_numpy() -> None:
    """low_trust takes np.minimum's smaller trust (NaN wins), leaving compares each side; gone
    adds the chance ends and counts the exits."""
    from allysim.abm._compiled import kernels

    rng = np.random.default_rng(4)
    e = 50
    alpha, beta = rng.random((e, 2, 3)), rng.random((e, 2, 3))
    alpha[:3, :, 1] = beta[:3, :, 1] = 0.0  # 0 / 0: NaN trust
    alpha[3, 0, 1] = beta[3, 0, 1] = 0.0  # NaN on one side only
    with np.errstate(invalid="ignore"):
        ctr = alpha[:, :, 1] / (alpha[:, :, 1] + beta[:, :, 1])
    low = kernels().low_trust(alpha, beta, e, 0.4)
    np.testing.assert_array_equal(low, np.minimum(ctr[:, 0], ctr[:, 1]) < 0.4)
    threshold = rng.uniform(0.2, 0.6, (e, 2))
    leaving, exit_now = kernels().leaving(alpha, beta, threshold)
    np.testing.assert_array_equal(leaving, ctr < threshold)
    np.testing.assert_array_equal(exit_now, leaving[:, 0] | leaving[:, 1])
    draws = rng.random(e)
    gone, failed = kernels().gone(exit_now, draws, 0.8)
    np.testing.assert_array_equal(gone, exit_now | (draws >= 0.8))
    assert failed == int(exit_now.sum())


@needs_numba
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 20), e=st.integers(1, 40))
def test_gain_welfare_matches_numpy(seed: int, n: int, e: int) -> None:
    """Credits as two bincounts summed, per stake or raw; welfare less the enforcement plus
    the parts' overhead (numpy's zeros where there is none)."""
    from allysim.abm._compiled import kernels

    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, e), rng.integers(0, n, e)
    pay, stake = rng.normal(size=(e, 2)), rng.uniform(0.5, 4.0, e)
    contributed = rng.random((e, 2)) < 0.5
    for per_stake in (True, False):
        for enforcement, overhead in (
            (np.zeros(0), np.zeros(0)),
            (rng.random(e), np.zeros(0)),
            (rng.random(e), rng.random(e)),
            (np.zeros(0), rng.random(e)),
        ):
            wealth, period = rng.normal(size=n), rng.normal(size=n)
            w0, p0 = wealth.copy(), period.copy()
            gain = np.bincount(a, pay[:, 0], minlength=n) + np.bincount(b, pay[:, 1], minlength=n)
            w0 += gain
            if per_stake:
                gain = np.bincount(a, pay[:, 0] / stake, minlength=n) + np.bincount(
                    b, pay[:, 1] / stake, minlength=n
                )
            p0 += gain
            charged = enforcement if enforcement.size else np.zeros(e)
            if overhead.size:
                charged = charged + overhead
            welfare, tallies = kernels().gain_welfare(
                wealth, period, a, b, pay, stake, per_stake, enforcement, overhead, contributed
            )
            np.testing.assert_array_equal(wealth, w0)
            np.testing.assert_array_equal(period, p0)
            np.testing.assert_array_equal(welfare, (pay[:, 0] + pay[:, 1]) / 2 - charged)
            both = np.concatenate([a, b])
            np.testing.assert_array_equal(tallies[:, 4], np.bincount(both, minlength=n))
            np.testing.assert_array_equal(
                tallies[:, 5],
                np.bincount(both, np.concatenate([contributed[:, 0], contributed[:, 1]]), n),
            )


def test_switch_is_read_at_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """The remembered answers follow the variable through every change, spaces included."""
    for value, expected in (("0", False), ("1", HAVE_NUMBA), (" 0 ", False), ("yes", HAVE_NUMBA)):
        monkeypatch.setenv("ALLYSIM_NUMBA", value)
        assert use_numba() is expected
        assert use_numba() is expected
    monkeypatch.delenv("ALLYSIM_NUMBA")
    assert use_numba() is HAVE_NUMBA
    os.environ["ALLYSIM_NUMBA"] = "0"
    try:
        assert use_numba() is False
    finally:
        del os.environ["ALLYSIM_NUMBA"]
    assert use_numba() is HAVE_NUMBA


@needs_numba
def test_bit_mask_select_is_exact() -> None:
    """_pick gives x or y to the bit: NaN payloads, signed zeros, infinities, subnormals."""
    from allysim.abm import _compiled

    _compiled.kernels()  # compiles the helpers
    special = np.array(
        [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -1.5, 2.0**1000], dtype=np.float64
    )
    special = np.append(special, np.array([0x7FF8000000000123], dtype=np.int64).view(np.float64))
    for x in special:
        for y in special:
            for c in (True, False):
                got = np.float64(_compiled._pick(c, x, y)).view(np.int64)
                assert got == (x if c else y).view(np.int64)


@needs_numba
@pytest.mark.parametrize("with_resolved", [False, True])
def test_learn_matches_numpy_on_odd_values(
    with_resolved: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LearnTrust's compiled loop (selects by bit masks) against numpy's updates, to the bit,
    on a state with signed zeros, NaN and infinite weights and beliefs."""
    from allysim.abm.phases import LearnTrust, RoundOutcome

    states = []
    for flag in ("0", "1"):
        monkeypatch.setenv("ALLYSIM_NUMBA", "0")
        m = TrustModel(TrustParams(n_organizations=40, capacity=3, perception_noise=0.2), seed=3)
        for _ in range(6):
            m.step()
        t, e = m.table, m.table.n_active
        rng = np.random.default_rng(8)
        gw = t.goodwill_weight[:e]
        gw[0] = -0.0
        gw[1, 0, 0] = np.nan
        gw[2, 1, 1] = np.inf
        t.alpha[3, :, :] = -0.0
        t.beta[4, 0, 2] = np.inf
        t.streak[:e] = rng.integers(0, 8, (e, 2))
        t.stage[:e] = rng.integers(0, 5, e)
        contributed = rng.random((e, 2)) < 0.6
        seen = rng.random((e, 2)) < 0.6
        resolved = (rng.random((e, 2)) < 0.3) if with_resolved else None
        outcome = RoundOutcome(e, contributed, seen, np.zeros(e), resolved, 0.25)
        monkeypatch.setenv("ALLYSIM_NUMBA", flag)
        LearnTrust(m).learn(outcome)
        states.append((t.alpha[:e].copy(), t.beta[:e].copy(), t.streak[:e].copy()))
    assert e > 10
    for x, y in zip(states[0], states[1], strict=True):
        np.testing.assert_array_equal(x.view(np.int64), y.view(np.int64))
