"""Adversarial checks of the session-24 changes (reviewer r50): each test here failed on the
code before its fix, or pins a property the review attacked."""

import time

import numpy as np
import pytest

from abm_state import assert_same_state, model_state
from allysim.abm import TrustModel, TrustParams
from allysim.abm._compiled import use_numba
from allysim.abm.search import first_come_matching
from allysim.abm.trust import TrustKind


def _greedy(a, b):
    used, out = set(), []
    for k in range(len(a)):
        if a[k] not in used and b[k] not in used:
            used.update((int(a[k]), int(b[k])))
            out.append(k)
    return out


# ----------------------------------------------------------- 1. first come, first served


def test_first_come_matching_chained_order_is_not_quadratic():
    # A path met in order 0-1, 1-2, 2-3, ...: each round of the rounds computation decided one
    # pair, so 30,000 pairs took 15,000 rounds over 100,000 organizations (about 9 s; 16,000
    # pairs 2.5 s, 100,000 pairs an extrapolated 100 s). Now a few milliseconds.
    n, size = 100_000, 30_000
    a = np.arange(size)
    for order in (a, a[::-1].copy()):
        start = time.perf_counter()
        kept = first_come_matching(order, order + 1, n)
        elapsed = time.perf_counter() - start
        assert elapsed < 1.0
        assert kept.tolist() == _greedy(order, order + 1)


@pytest.mark.parametrize("seed", range(4))
def test_first_come_matching_adversarial_orders_match_the_loop(seed):
    # Chains in both directions, repeated pairs, a pair met both ways, organizations that are
    # never met, and the empty input.
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n = int(rng.integers(2, 40))
        size = int(rng.integers(0, 200))
        a = np.arange(size) % n
        b = (a + 1) % n
        flip = rng.random(size) < rng.random()
        a, b = np.where(flip, b, a), np.where(flip, a, b)
        if rng.random() < 0.5:
            repeat = rng.integers(0, max(size, 1), size)
            a, b = a[repeat % max(size, 1)], b[repeat % max(size, 1)]
        kept = first_come_matching(a, b, n + int(rng.integers(0, 5)))
        assert kept.dtype == np.int64
        assert kept.tolist() == _greedy(a, b)


# ----------------------------------------------------------- 2. reviews correct goodwill


def _review_settings(rng):
    from allysim.abm import Governance
    from allysim.mechanisms import Sanction

    fields = {
        "governance": Governance(
            early_warning=float(rng.choice([0.0, 1.0, rng.random()])),
            escalation=float(rng.choice([0.0, 1.0, rng.random()])),
            review_every=int(rng.integers(1, 6)),
            review_correction=float(rng.choice([0.0, 1.0, rng.random()])),
            resolved_weight=float(rng.random()),
            notice_period=int(rng.integers(0, 3)),
        ),
        "forgetting": float(rng.choice([1.0, 0.3, rng.uniform(0.5, 1.0)])),
        "attribution_discount": float(rng.choice([0.0, 0.99, 0.99 * rng.random()])),
        "perception_noise": float(rng.choice([0.3, 0.5 * rng.random()])),
        "absorb_weight": float(rng.choice([0.0, 1.0, rng.random()])),
        "absorb_streak": int(rng.integers(1, 4)),
        "strategies": ("TFT", "GRIM", "ALLC", "ALLD"),
        "stage_min_steps": int(rng.integers(1, 4)),
    }
    if rng.random() < 0.6:
        fields["mechanisms"] = (Sanction(fine=float(rng.uniform(0.5, 3)), detection=0.9),)
    return fields


@pytest.mark.parametrize("seed", range(3))
def test_review_records_stay_inside_beta_and_paths_agree(seed, monkeypatch):
    # 150 random settings were tried in review (numpy == compiled in all, records above
    # beta - floor by at most 3.3e-16): each record is the part of beta a review may move, so
    # a stale record in a reused row, or a goodwill fade applied to one and not the other,
    # would leave it above beta - floor.
    fields = _review_settings(np.random.default_rng(100 + seed))

    def run():
        m = TrustModel(TrustParams(n_organizations=60, capacity=3, **fields), seed=seed)
        for _ in range(30):
            m.step()
            t, e = m.table, m.table.n_active
            for kind, record, floor in (
                (TrustKind.GOODWILL, "misread_goodwill", t.column("goodwill_prior")[:e]),
                (
                    TrustKind.CONTRACTUAL,
                    "misread",
                    t.column("beta_prior")[:e] * m.params.forgetting ** t.age[:e, None],
                ),
            ):
                beta = t.beta[:e, :, kind]
                assert np.isfinite(beta).all() and (t.alpha[:e, :, kind] > 0).all()
                assert (beta >= floor - 1e-12).all()
                assert (t.column(record)[:e] <= beta - floor + 1e-12).all()
                # What correct readings would have given (a review adds it to alpha).
                missed = t.column(record.replace("misread", "missed"))[:e]
                assert np.isfinite(missed).all() and (missed >= 0).all()
            # A misread took at most 1 from contractual trust; a correct reading gives 1.
            assert (t.column("missed")[:e] >= t.column("misread")[:e]).all()
        assert m.table.dissolved_total > 0  # rows were freed and reused
        return model_state(m)

    monkeypatch.setenv("ALLYSIM_NUMBA", "0")
    reference = run()
    monkeypatch.setenv("ALLYSIM_NUMBA", "1")
    if use_numba():
        assert_same_state(reference, run())
