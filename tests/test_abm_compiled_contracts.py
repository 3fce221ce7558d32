"""The contract parts' compiled hooks (governance, investment, stakeholders) give the numpy
path's results to the bit, in settings the benchmark's configurations leave out."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from abm_state import assert_same_state, model_state
from allysim.abm import (
    Governance,
    SpecificInvestment,
    StakeholderPressure,
    TrustModel,
    TrustParams,
)
from allysim.mechanisms import Sanction

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(
    not HAVE_NUMBA, reason="numba is not installed (the optional 'fast' extra)"
)


def _settings() -> dict[str, dict]:
    """Branches of the compiled hooks: hold-up, notice 0 with an exit fee, reviews, upfront
    investment, zero rate, exposures many and few, raw imitation payoffs, reviews correcting
    goodwill among reciprocators (where most misread withholdings meet a contribution), reviews
    crediting what correct readings would have given under a sanction (goodwill weights below
    1) with misreads absorbed and resolved (weights below 1) and met by withholding, and a
    perception that draws and charges nothing."""
    return {
        "holdup_fee": {
            "investment": SpecificInvestment(holdup=0.3, imbalance=0.4, lock_in=2.0),
            "governance": Governance(exit_fee=0.7, early_warning=0.6, review_every=4),
        },
        "notice_review": {
            "investment": SpecificInvestment(rate=0.0),
            "governance": Governance(
                notice_period=3,
                escalation=0.6,
                facilitation=0.4,
                review_every=3,
                review_correction=0.5,
                decision_rights="expertise",
            ),
        },
        "upfront_raw": {
            "investment": SpecificInvestment(timing="upfront", holdup=0.1),
            "governance": Governance(facilitation=0.9, exit_fee=0.2, review_every=2),
            "stakeholders": StakeholderPressure(association_reward=0.3, scrutiny=0.9),
            "imitation_payoff": "raw",
        },
        "goodwill_review": {
            "strategies": ["ALLC", "TFT", "GTFT", "WSLS", "ALLD"],
            "perception_noise": 0.2,
            "absorb_weight": 0.3,
            "governance": Governance(
                early_warning=0.3,
                escalation=0.5,
                resolved_weight=0.4,
                review_every=3,
                review_correction=0.7,
            ),
        },
        "review_credit": {
            "strategies": ["ALLC", "TFT", "RANDOM(0.5)", "ALLD"],
            "perception_noise": 0.25,
            "forgetting": 0.8,
            "attribution_discount": 0.5,
            "absorb_weight": 0.4,
            "mechanisms": (Sanction(3.0, 0.8),),
            "governance": Governance(
                escalation=0.7, resolved_weight=0.3, review_every=4, review_correction=0.6
            ),
        },
        "few_exposed": {
            "stakeholders": StakeholderPressure(
                association_reward=0.0, scrutiny=0.02, washing_threshold=0.9
            ),
            "governance": Governance(early_warning=1.0, early_warning_cost=0.0),
        },
        # Perception draws nothing (no early warning, escalation or facilitation) and charges
        # nothing; the reviews still keep their records.
        "review_only": {"governance": Governance(review_every=3, notice_period=1)},
        # A constant decision-rights factor: the compiled path keeps one array of it.
        "constant_rights": {"governance": Governance(decision_rights="consultative")},
    }


def _run(fields: dict, steps: int = 40) -> TrustModel:
    m = TrustModel(TrustParams(n_organizations=200, capacity=4, **fields), seed=11)
    for _ in range(steps):
        m.step()
    return m


@needs_numba
@pytest.mark.parametrize("name", list(_settings()))
def test_compiled_hooks_are_bit_identical(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fields = _settings()[name]
    monkeypatch.setenv("ALLYSIM_NUMBA", "0")
    reference = model_state(_run(fields))
    monkeypatch.setenv("ALLYSIM_NUMBA", "1")
    model = _run(fields)
    assert model.table.dissolved_total > 0 and model.table.n_active > 0
    assert_same_state(reference, model_state(model))


@needs_numba
def test_settings_reach_the_branches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings above exercise what they are meant to: fees, hold-up, reviews, exposures."""
    monkeypatch.setenv("ALLYSIM_NUMBA", "1")
    s = _run(_settings()["holdup_fee"]).part_state
    assert s["investment"]["holdup_transfer"] > 0 and s["governance"]["reviews"] > 0
    assert s["governance"]["caught"] > 0 and s["investment"]["lost"] > 0
    s = _run(_settings()["upfront_raw"]).part_state
    assert s["stakeholders"]["penalties"].sum() > 0 and s["governance"]["resolved"] > 0
    # Goodwill: records kept between reviews (step 40 is not one), and its prior fading apart
    # from the contractual one (only in the rounds a side observed something).
    t = _run(_settings()["goodwill_review"]).table
    e = t.n_active
    assert np.count_nonzero(t.column("misread_goodwill")[:e]) > 0
    floor = t.column("beta_prior")[:e] * 0.9 ** t.age[:e, None]
    assert np.count_nonzero(t.column("goodwill_prior")[:e] > floor * (1 + 1e-9)) > 100
    # What correct readings would have given differs from what the misreadings took: more for
    # contractual trust where misreads were absorbed or resolved, other for goodwill (weight
    # 0.5 = 1 - 0.5 under the sanction; misreads met by withholding).
    t = _run(_settings()["review_credit"], 38).table
    e = t.n_active
    assert np.all(t.goodwill_weight[:e] < 1)
    missed, record = t.column("missed")[:e], t.column("misread")[:e]
    assert np.all(missed >= record) and np.count_nonzero(missed > record * (1 + 1e-9)) > 20
    missed, record = t.column("missed_goodwill")[:e], t.column("misread_goodwill")[:e]
    assert np.count_nonzero(missed > record * (1 + 1e-9)) > 20
    assert np.count_nonzero(record > missed * (1 + 1e-9)) > 20
    # A few exposures a step: the penalties are added in place, not summed first.
    m = _run(_settings()["few_exposed"])
    exposed = m.datacollector.get_model_vars_dataframe()["exposed"]
    assert exposed.max() * 16 < m.n and exposed.sum() > 0


@needs_numba
def test_compiled_hooks_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    from allysim.abm._compiled_contracts import kernels

    monkeypatch.setenv("ALLYSIM_NUMBA", "1")
    _run(_settings()["holdup_fee"], 12)
    _run(_settings()["upfront_raw"], 12)
    for name in (
        "perceive",
        "review",
        "confirm_exit",
        "settle",
        "lock_in",
        "promote",
        "dissolve",
        "stakeholders",
    ):
        assert getattr(kernels(), name).signatures, name


@needs_numba
@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 127, 128, 129, 300, 1031])
def test_charged_totals_are_numpys_pairwise_sums(size: int) -> None:
    """The totals the kernels return (cost, investment, sunk) are numpy's sums to the bit."""
    from allysim.abm._compiled_contracts import kernels

    rng = np.random.default_rng(size)
    e = max(size, 1)
    gone = np.zeros(e, bool)
    gone[:size] = True
    invested = rng.random((e, 2)) * 10.0 ** rng.integers(-3, 4, (e, 2))
    n = 50
    pa, pb = rng.integers(0, n, e), rng.integers(0, n, e)
    wealth, period = np.zeros(n), np.zeros(n)
    levels = np.array([1.0, 1.5, 2.0, 3.0, 4.0])
    stage = rng.integers(0, 5, e)
    ended, lost = kernels().dissolve(
        gone, invested, 0.45, wealth, period, pa, pb, stage, levels, True, n
    )
    sunk = 0.45 * invested[:size]
    assert ended == (size > 0)
    if size:
        assert lost == float(sunk.sum())
        refund = invested[:size] - sunk
        # The ledger's additions: side 0's rows, then side 1's, per organization.
        expected = np.zeros(n)
        np.add.at(expected, np.concatenate([pa[:size], pb[:size]]), refund.T.ravel())
        np.testing.assert_array_equal(wealth, expected)


def test_review_powers_are_numpys() -> None:
    """The compiled review looks ``forgetting ** age`` up in a table of numpy's own powers: the
    same bits as the numpy path's power of each age; the table grows when a partnership is
    older than it reaches, and is made again for another forgetting."""
    from allysim.abm.governance import _powers

    state: dict = {}
    age = np.random.default_rng(0).integers(0, 3000, 2000)
    for lam in (0.9, 0.97, 0.5, 0.123456789):
        small = _powers(state, lam, 10)
        assert small.size == 64 and small[10] == lam**10
        table = _powers(state, lam, int(age.max()))
        assert table.size > age.max()
        assert table[age].tobytes() == (lam ** age[:, None])[:, 0].tobytes()
        assert _powers(state, lam, 5) is table


@needs_numba
def test_review_of_old_partnerships_is_bit_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    """Partnerships older than the first powers table (64 steps) are reviewed as numpy does."""
    fields = {
        "strategies": ["ALLC", "TFT"],
        "perception_noise": 0.1,
        "exit_threshold": 0.1,
        "continuation": 0.995,
        "forgetting": 0.95,
        "governance": Governance(early_warning=0.4, escalation=0.5, review_every=7),
    }
    monkeypatch.setenv("ALLYSIM_NUMBA", "0")
    reference = _run(fields, 84)
    monkeypatch.setenv("ALLYSIM_NUMBA", "1")
    model = _run(fields, 84)
    t = model.table
    assert np.count_nonzero(t.age[: t.n_active] > 64) > 100 and t.dissolved_total > 0
    assert_same_state(model_state(reference), model_state(model))


def test_constant_factor_is_kept_and_remade() -> None:
    """The compiled path's decision-rights factor is ``np.full(e, value)``, one array kept
    between steps, made again when more rows or another value need it."""
    from allysim.abm.governance import _constant

    state: dict = {}
    first = _constant(state, 0.855, 10)
    assert first.tobytes() == np.full(10, 0.855).tobytes()
    assert np.shares_memory(_constant(state, 0.855, 12), first)
    assert _constant(state, 0.855, 40).tobytes() == np.full(40, 0.855).tobytes()
    assert _constant(state, 0.5, 7).tobytes() == np.full(7, 0.5).tobytes()
