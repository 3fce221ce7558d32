"""The partnership table's and the ledger's compiled loops give the numpy path's results to the
bit (allysim.abm._compiled_table)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allysim.abm import TrustModel, TrustParams
from allysim.abm.partnerships import PartnershipTable

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
pytestmark = pytest.mark.skipif(
    not HAVE_NUMBA, reason="numba is not installed (the optional 'fast' extra)"
)

STATE = ("partner_table", "degree", "ended_by_age", "failed_by_age")


def _table(n: int, capacity: int) -> PartnershipTable:
    """A table with a part's columns of every kind the loops treat differently."""
    t = PartnershipTable(n, capacity, never_betrayed=-77)
    t.add_column("flag", (), bool, True)
    t.add_column("extra", (2, 3), float, 0.5)
    t.add_column("notice", (), np.int64, -1)
    t.add_column("low", (2,), np.float32, 0.25)  # not a grouped dtype: numpy moves it
    t.add_column("per_side", (2,), float, np.array([1.0, 2.0]))  # a fill per element
    return t


def _new_rows(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, narrow: bool) -> dict:
    count = a.size
    # The partner search gives priors with a last axis of 1 (broadcast over the kinds).
    kinds = 1 if narrow else 3
    return dict(
        distance=rng.random(count),
        pair_eta=rng.random(count),
        machine=rng.integers(0, 5, (count, 2)),
        alpha=1 + rng.random((count, 2, kinds)),
        beta=1 + rng.random((count, 2, kinds)),
        goodwill_weight=rng.random((count, 2, 2)),
    )


def _pairs(rng: np.random.Generator, t: PartnershipTable, want: int) -> tuple:
    """Up to ``want`` new pairs of organizations with free places that are not partners yet
    (an organization may be in several, as long as its places suffice)."""
    n, capacity = t.partner_table.shape
    free = capacity - t.degree
    a_list: list[int] = []
    b_list: list[int] = []
    for _ in range(4 * want):
        i, j = (int(x) for x in rng.integers(0, n, 2))
        taken = set(zip(a_list, b_list, strict=True)) | set(zip(b_list, a_list, strict=True))
        if i == j or free[i] < 1 or free[j] < 1 or (i, j) in taken or j in t.partners_of(i):
            continue
        a_list.append(i)
        b_list.append(j)
        free[i] -= 1
        free[j] -= 1
        if len(a_list) == want:
            break
    return np.array(a_list, dtype=np.int64), np.array(b_list, dtype=np.int64)


def _both_paths(run: Callable[[], object]) -> list:
    out = []
    for flag in ("0", "1"):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("ALLYSIM_NUMBA", flag)
            out.append(run())
    return out


def _assert_same(t0: PartnershipTable, t1: PartnershipTable) -> None:
    assert (t0.n_active, t0.formed, t0.dissolved) == (t1.n_active, t1.formed, t1.dissolved)
    assert t0._next_pid == t1._next_pid
    for name in (*t0.fields, *STATE):
        np.testing.assert_array_equal(getattr(t0, name), getattr(t1, name), err_msg=name)
    # The degrees still count the partner-table places.
    np.testing.assert_array_equal(t1.degree, (t1.partner_table >= 0).sum(axis=1))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 14),
    capacity=st.integers(1, 4),
    steps=st.integers(1, 6),
    remove_share=st.floats(0.0, 1.0),
    narrow=st.booleans(),
)
def test_add_and_remove_match_numpy(
    seed: int, n: int, capacity: int, steps: int, remove_share: float, narrow: bool
) -> None:
    """Rounds of additions (organizations named several times included) and removals (the
    ages past the counters' first size): the same rows, places, degrees and counters."""

    def run() -> PartnershipTable:
        rng = np.random.default_rng(seed)
        t = _table(n, capacity)
        for _ in range(steps):
            a, b = _pairs(rng, t, int(rng.integers(1, n + 1)))
            t.add(a, b, **_new_rows(rng, a, b, narrow))
            e = t.n_active
            t.age[:e] += rng.integers(0, 12, e)  # past 16 after a few rounds
            gone = rng.random(e) < remove_share
            failed = rng.random(e) < 0.5 if rng.random() < 0.5 else None
            t.remove(gone, failed=failed)
        return t

    _assert_same(*_both_paths(run))


def test_a_refused_addition_writes_nothing_on_either_path() -> None:
    """Too few free places: the same ValueError, and the table as it was."""

    def run() -> tuple[str, PartnershipTable]:
        rng = np.random.default_rng(1)
        t = _table(5, 2)
        t.add(np.array([0, 1]), np.array([2, 3]), **_new_rows(rng, np.zeros(2), None, True))
        # Organization 0 has one free place left and is named twice.
        a, b = np.array([0, 0]), np.array([3, 4])
        with pytest.raises(ValueError, match="no free place") as info:
            t.add(a, b, **_new_rows(rng, a, b, False))
        return str(info.value), t

    (m0, t0), (m1, t1) = _both_paths(run)
    assert m0 == m1 == "organization 0 has no free place left for its new partnerships (capacity 2)"
    _assert_same(t0, t1)
    assert t1.n_active == 2 and t1.degree.tolist() == [1, 1, 1, 1, 0]


def test_out_of_range_organization_raises_as_numpy_does() -> None:
    """An organization index past the table: numpy's IndexError, not a write past the end."""
    for flag in ("0", "1"):
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("ALLYSIM_NUMBA", flag)
            t = _table(3, 2)
            a, b = np.array([0]), np.array([3])
            with pytest.raises(IndexError):
                t.add(a, b, **_new_rows(np.random.default_rng(0), a, b, True))


def test_a_replaced_column_is_the_one_the_loops_write() -> None:
    """A column replaced by a new array after the loops' view of the columns was built: the
    new array moves and fills as numpy's path does."""

    def run() -> PartnershipTable:
        rng = np.random.default_rng(4)
        t = _table(12, 3)
        for step in range(4):
            a, b = _pairs(rng, t, 6)
            t.add(a, b, **_new_rows(rng, a, b, True))
            if step == 1:
                t.extra = t.extra + rng.random(t.extra.shape)
                t.never_betrayed = -5
            t.remove(rng.random(t.n_active) < 0.4)
        return t

    t0, t1 = _both_paths(run)
    _assert_same(t0, t1)
    assert (t1.last_betrayal[: t1.n_active] == -5).any()


@pytest.mark.parametrize(
    "rows", ["slice", "stepped", "empty", "mask", "indices"], ids=lambda r: str(r)
)
@pytest.mark.parametrize("n", [20, 400])
@pytest.mark.parametrize("per_stake", [True, False])
def test_credit_partners_matches_numpy(rows: str, n: int, per_stake: bool) -> None:
    """Slices (no index array), stepped slices, masks and indices; few flows (added one by
    one) and many (summed per organization first)."""

    def run() -> tuple[np.ndarray, np.ndarray]:
        payoff = "per_stake" if per_stake else "raw"
        m = TrustModel(TrustParams(n_organizations=n, imitation_payoff=payoff), seed=11)
        for _ in range(12):
            m.step()
        e = m.table.n_active
        which = {
            "slice": slice(1, e),
            "stepped": slice(0, e, 3),
            "empty": slice(e, 2),
            # A mask over every row of the table, as the numpy path indexes it.
            "mask": (np.arange(m.table.pa.size) % 4 == 1) & (np.arange(m.table.pa.size) < e),
            "indices": np.arange(0, e, 3)[:5],
        }[rows]
        count = m.table.pa[which].size
        amount = np.random.default_rng(5).normal(size=(count, 2))
        m.credit_partners(which, amount)
        m.credit_partners(which, -0.3 * amount, utility_only=True)
        return m.wealth.copy(), m.period_payoff.copy()

    (w0, p0), (w1, p1) = _both_paths(run)
    np.testing.assert_array_equal(w0, w1, strict=True)
    np.testing.assert_array_equal(p0, p1, strict=True)


def test_credit_partners_refuses_an_amount_of_the_wrong_shape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALLYSIM_NUMBA", "1")
    m = TrustModel(n_organizations=6, seed=0)
    with pytest.raises(ValueError, match=r"amount must have shape \(3, 2\)"):
        m.credit_partners(slice(0, 3), np.zeros((2, 2)))


def test_the_loops_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    from allysim.abm._compiled_table import kernels

    monkeypatch.setenv("ALLYSIM_NUMBA", "1")
    p = TrustParams(n_organizations=60, capacity=3, imitation_payoff="per_stake")
    m = TrustModel(p, seed=2)
    for _ in range(10):
        m.step()
    m.credit_partners(slice(0, m.table.n_active), np.ones((m.table.n_active, 2)))
    for name in ("remove", "add", "credit_rows"):
        assert getattr(kernels(), name).signatures, name
