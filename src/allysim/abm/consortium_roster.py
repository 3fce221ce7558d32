"""Roster of the trust model's consortia: who is in which consortium, and since when.

The :class:`~allysim.abm.Consortia` part decides who founds, joins, leaves and when a
consortium ends; this module keeps the books those decisions write to. The roster is the part's
state dict (``model.part_state["consortia"]``), whose keys are:

* ``k``: the number of active consortia; rows ``[:k]`` of every array below are theirs, the
  rows after are spare capacity (the arrays double when full).
* Per member, (capacity, ``max_size``) arrays, each row left packed (members first, ``-1`` in
  ``members`` marking an empty place), moved together: ``members`` (organization),
  ``machine`` (its strategy machine's state), ``member_strategy``, ``alpha`` and ``beta`` (its
  Beta belief about the others' contribution rate), ``payoff`` and ``moved`` (last round),
  ``joined`` (step). See :data:`MEMBER_KEYS`.
* Per consortium, (capacity,) arrays: ``size``, ``target`` (size it recruits up to), ``cid``
  (its id, never reused), ``founded`` (step), ``rounds`` (played), ``contributions``,
  ``member_rounds`` and ``peak`` (most members). See :data:`ROW_KEYS`.
* ``member_of``: (n_organizations, ``max_memberships``), the ids of the consortia each
  organization belongs to, left packed, ``-1`` for a free membership.
* ``next_id``: the next consortium id; ``ended``: one record (a dict of arrays with
  :data:`ROW_KEYS`-like columns, plus ``ended`` and ``cause``) per step in which consortia
  ended, read by :func:`~allysim.abm.consortia_frame`.

The rules change the roster only through these functions: :func:`open_consortia` and
:func:`seat` (formation), :func:`join` (recruitment), :func:`remove_members` (exits),
:func:`dissolve` (ends, recorded) and :func:`record_round` (lifetimes). Together they keep
``members`` and ``member_of`` consistent (an organization is in row ``r``'s ``members``
exactly when ``cid[r]`` is in its ``member_of`` row, once :func:`open_consortia`'s members are
seated) and every member's values in its place. Which organizations can still join one is
:func:`free_organizations`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allysim._validation import check_memory

__all__ = [
    "MEMBER_KEYS",
    "ROW_KEYS",
    "dissolve",
    "empty_roster",
    "free_organizations",
    "join",
    "open_consortia",
    "record_round",
    "remove_members",
    "seat",
]

#: Per-member arrays, (capacity, max_size), moved together when rows are packed or compacted.
MEMBER_KEYS = (
    "members",
    "machine",
    "alpha",
    "beta",
    "payoff",
    "moved",
    "member_strategy",
    "joined",
)
#: Per-consortium arrays, (capacity,), moved together when dissolved consortia are compacted.
ROW_KEYS = (
    "size",
    "target",
    "cid",
    "founded",
    "rounds",
    "contributions",
    "member_rounds",
    "peak",
)
_COUNTERS = ("rounds", "contributions", "member_rounds")


def empty_roster(
    n_organizations: int, capacity: int, max_size: int, max_memberships: int
) -> dict[str, Any]:
    """A roster with no consortium, room for ``capacity`` before its arrays grow.

    Parameters
    ----------
    n_organizations : int
        Number of organizations (rows of ``member_of``).
    capacity : int
        Rows allocated for consortia, >= 1.
    max_size : int
        Places per consortium.
    max_memberships : int
        Places per organization in ``member_of``.

    Returns
    -------
    dict
        The roster's keys (see the module's description), ``k = 0``.

    Raises
    ------
    ValueError
        The roster or the memberships would exceed the memory budget.

    Examples
    --------
    >>> r = empty_roster(10, 4, 5, 2)
    >>> r["k"], r["members"].shape, r["member_of"].shape, int(r["members"].max())
    (0, (4, 5), (10, 2), -1)
    """
    check_memory(
        8.0 * capacity * max_size * len(MEMBER_KEYS),
        "max_size",
        hint="the roster holds a few arrays of (n_organizations / min_size) x max_size",
    )
    check_memory(
        8.0 * n_organizations * max_memberships,
        "max_memberships",
        hint="each organization's memberships take max_memberships places",
    )
    shape = (capacity, max_size)
    roster: dict[str, Any] = {
        "k": 0,
        "next_id": 0,
        "members": np.full(shape, -1, dtype=np.int64),
        "machine": np.zeros(shape, dtype=np.int64),
        "alpha": np.ones(shape),
        "beta": np.ones(shape),
        "payoff": np.zeros(shape),
        "moved": np.zeros(shape, dtype=bool),
        "member_strategy": np.zeros(shape, dtype=np.int64),
        "joined": np.zeros(shape, dtype=np.int64),
    }
    for key in ROW_KEYS:
        roster[key] = np.zeros(capacity, dtype=np.int64)
    roster["member_of"] = np.full((n_organizations, max_memberships), -1, dtype=np.int64)
    roster["ended"] = []
    return roster


def free_organizations(roster: dict[str, Any]) -> np.ndarray:
    """Which organizations have a free membership.

    Parameters
    ----------
    roster : dict
        The roster.

    Returns
    -------
    numpy.ndarray
        Boolean, one per organization.

    Examples
    --------
    >>> r = empty_roster(3, 4, 3, 1)
    >>> rows, _ = open_consortia(r, target=np.array([3]), size=np.array([1]), step=0)
    >>> seat(r, rows, np.array([0]), np.array([1]), machine=np.array([0]),
    ...      strategy=np.array([0]), alpha=np.array([1.0]), beta=np.array([1.0]), step=0)
    >>> free_organizations(r).tolist()
    [True, False, True]
    """
    return roster["member_of"][:, -1] < 0


def open_consortia(
    roster: dict[str, Any], target: np.ndarray, size: np.ndarray, step: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rows and fresh ids for new consortia, their members not yet seated.

    Parameters
    ----------
    roster : dict
        The roster; its arrays double when full.
    target : numpy.ndarray
        Each new consortium's target size.
    size : numpy.ndarray
        Each one's number of members, founder included, seated next with :func:`seat`.
    step : int
        Founding step.

    Returns
    -------
    rows : numpy.ndarray
        Their rows, after the active ones.
    cids : numpy.ndarray
        Their ids, the next unused ones.

    Examples
    --------
    >>> r = empty_roster(10, 1, 3, 1)
    >>> rows, cids = open_consortia(r, target=np.array([3, 3]), size=np.array([3, 2]), step=5)
    >>> rows.tolist(), cids.tolist(), r["k"], r["next_id"], r["members"].shape[0]
    ([0, 1], [0, 1], 2, 2, 2)
    """
    f = len(target)
    rows = _grow(roster, f)
    cids = roster["next_id"] + np.arange(f)
    roster["next_id"] += f
    roster["cid"][rows] = cids
    roster["founded"][rows] = step
    roster["target"][rows] = target
    roster["size"][rows] = size
    roster["peak"][rows] = roster["size"][rows]
    for key in _COUNTERS:
        roster[key][rows] = 0
    return rows, cids


def seat(
    roster: dict[str, Any],
    rows: np.ndarray,
    slots: np.ndarray,
    orgs: np.ndarray,
    *,
    machine: np.ndarray,
    strategy: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    step: int,
) -> None:
    """Put organizations in given places and record their memberships (sizes unchanged).

    Parameters
    ----------
    roster : dict
        The roster.
    rows : numpy.ndarray
        Each newcomer's consortium row.
    slots : numpy.ndarray
        Its place in the row (the row stays left packed only if these are the next ones).
    orgs : numpy.ndarray
        The organizations, each with a free membership and not already in its row.
    machine : numpy.ndarray
        Each one's starting machine state.
    strategy : numpy.ndarray
        Each one's strategy index.
    alpha : numpy.ndarray
        Each one's prior Beta belief, contributions part.
    beta : numpy.ndarray
        Each one's prior Beta belief, withholdings part.
    step : int
        The step they join.

    Returns
    -------
    None

    Examples
    --------
    >>> r = empty_roster(4, 2, 3, 1)
    >>> rows, cids = open_consortia(r, target=np.array([3]), size=np.array([2]), step=0)
    >>> z, one = np.zeros(2, dtype=int), np.ones(2)
    >>> seat(r, np.array([0, 0]), np.array([0, 1]), np.array([2, 0]), machine=z, strategy=z,
    ...      alpha=one, beta=one, step=0)
    >>> r["members"][0].tolist(), r["member_of"][:, 0].tolist()
    ([2, 0, -1], [0, -1, 0, -1])
    """
    roster["members"][rows, slots] = orgs
    roster["machine"][rows, slots] = machine
    roster["member_strategy"][rows, slots] = strategy
    roster["alpha"][rows, slots] = alpha
    roster["beta"][rows, slots] = beta
    roster["payoff"][rows, slots] = 0.0
    roster["moved"][rows, slots] = False
    roster["joined"][rows, slots] = step
    _add_memberships(roster, orgs, roster["cid"][rows])


def join(
    roster: dict[str, Any],
    rows: np.ndarray,
    orgs: np.ndarray,
    *,
    machine: np.ndarray,
    strategy: np.ndarray,
    alpha: np.ndarray,
    beta: np.ndarray,
    step: int,
) -> None:
    """Add one member to each of distinct consortia, in the first empty place.

    Parameters
    ----------
    roster : dict
        The roster.
    rows : numpy.ndarray
        Distinct consortium rows, each below ``max_size`` members.
    orgs : numpy.ndarray
        The newcomers, one per row.
    machine : numpy.ndarray
        Each one's starting machine state.
    strategy : numpy.ndarray
        Each one's strategy index.
    alpha : numpy.ndarray
        Each one's prior Beta belief, contributions part.
    beta : numpy.ndarray
        Each one's prior Beta belief, withholdings part.
    step : int
        The step they join.

    Returns
    -------
    None

    Examples
    --------
    >>> r = empty_roster(4, 2, 3, 1)
    >>> rows, _ = open_consortia(r, target=np.array([3]), size=np.array([0]), step=0)
    >>> z, one = np.zeros(1, dtype=int), np.ones(1)
    >>> for org in (3, 1):
    ...     join(r, rows, np.array([org]), machine=z, strategy=z, alpha=one, beta=one, step=0)
    >>> r["members"][0].tolist(), int(r["size"][0]), int(r["peak"][0])
    ([3, 1, -1], 2, 2)
    """
    seat(
        roster,
        rows,
        roster["size"][rows],
        orgs,
        machine=machine,
        strategy=strategy,
        alpha=alpha,
        beta=beta,
        step=step,
    )
    roster["size"][rows] += 1
    roster["peak"][rows] = np.maximum(roster["peak"][rows], roster["size"][rows])


def record_round(roster: dict[str, Any], contributions: np.ndarray) -> None:
    """Add a played round to every active consortium's lifetime counts.

    Parameters
    ----------
    roster : dict
        The roster.
    contributions : numpy.ndarray
        Each active consortium's number of contributing members this round, (k,).

    Returns
    -------
    None

    Examples
    --------
    >>> r = empty_roster(6, 2, 3, 1)
    >>> _ = open_consortia(r, target=np.array([3, 3]), size=np.array([3, 2]), step=0)
    >>> record_round(r, np.array([2, 0]))
    >>> r["rounds"][:2].tolist(), r["contributions"][:2].tolist(), r["member_rounds"][:2].tolist()
    ([1, 1], [2, 0], [3, 2])
    """
    k = roster["k"]
    roster["rounds"][:k] += 1
    roster["contributions"][:k] += contributions
    roster["member_rounds"][:k] += roster["size"][:k]


def remove_members(roster: dict[str, Any], leave: np.ndarray) -> int:
    """Take members out of their consortia (which may fall below ``min_size``: not checked).

    Parameters
    ----------
    roster : dict
        The roster.
    leave : numpy.ndarray
        Boolean (k, max_size): the places whose members leave.

    Returns
    -------
    int
        How many left.

    Examples
    --------
    >>> r = empty_roster(4, 2, 3, 1)
    >>> rows, _ = open_consortia(r, target=np.array([3]), size=np.array([0]), step=0)
    >>> z, one = np.zeros(3, dtype=int), np.ones(3)
    >>> join(r, np.zeros(1, int), np.array([1]), machine=z[:1], strategy=z[:1],
    ...      alpha=one[:1], beta=one[:1], step=0)
    >>> join(r, np.zeros(1, int), np.array([2]), machine=z[:1], strategy=z[:1],
    ...      alpha=one[:1], beta=one[:1], step=0)
    >>> remove_members(r, np.array([[True, False, False]]))
    1
    >>> r["members"][0].tolist(), int(r["size"][0]), r["member_of"][:, 0].tolist()
    ([2, -1, -1], 1, [-1, -1, 0, -1])
    """
    k = roster["k"]
    mem = roster["members"][:k]
    r, c = np.nonzero(leave)
    _drop_memberships(roster, mem[r, c], roster["cid"][:k][r])
    mem[leave] = -1
    roster["size"][:k] -= leave.sum(axis=1)
    _pack(roster, k)
    return int(leave.sum())


def dissolve(roster: dict[str, Any], ended: np.ndarray, cause: np.ndarray, step: int) -> None:
    """End consortia: record them, free their members, compact the rows that remain.

    Parameters
    ----------
    roster : dict
        The roster.
    ended : numpy.ndarray
        Increasing rows (< k) of the consortia that end.
    cause : numpy.ndarray
        Each one's cause, an index into :data:`~allysim.abm.consortium.CAUSES`.
    step : int
        The step they end.

    Returns
    -------
    None

    Examples
    --------
    >>> r = empty_roster(4, 2, 3, 1)
    >>> rows, _ = open_consortia(r, target=np.array([3, 3]), size=np.array([1, 1]), step=0)
    >>> z, one = np.zeros(2, dtype=int), np.ones(2)
    >>> seat(r, rows, z, np.array([3, 1]), machine=z, strategy=z, alpha=one, beta=one, step=0)
    >>> dissolve(r, np.array([0]), np.array([1]), step=7)
    >>> r["k"], r["cid"][:1].tolist(), r["members"][:1, 0].tolist(), r["member_of"][:, 0].tolist()
    (1, [1], [1], [-1, 1, -1, -1])
    >>> r["ended"][0]["cid"].tolist(), r["ended"][0]["ended"].tolist()
    ([0], [7])
    """
    k = roster["k"]
    roster["ended"].append(
        {
            "cid": roster["cid"][ended].copy(),
            "founded": roster["founded"][ended].copy(),
            "ended": np.full(ended.size, step, dtype=np.int64),
            "rounds": roster["rounds"][ended].copy(),
            "cause": cause,
            "size": roster["size"][ended].copy(),
            "peak": roster["peak"][ended].copy(),
            "contributions": roster["contributions"][ended].copy(),
            "member_rounds": roster["member_rounds"][ended].copy(),
        }
    )
    gone = np.zeros(k, dtype=bool)
    gone[ended] = True
    mem = roster["members"][:k]
    r, c = np.nonzero(gone[:, None] & (mem >= 0))
    _drop_memberships(roster, mem[r, c], roster["cid"][:k][r])
    _keep_rows(roster, np.flatnonzero(~gone))


def _grow(roster: dict[str, Any], extra: int) -> np.ndarray:
    """Rows for ``extra`` new consortia, doubling the arrays when full."""
    k = roster["k"]
    cap = roster["size"].shape[0]
    if k + extra > cap:
        new_cap = max(2 * cap, k + extra)
        for key in MEMBER_KEYS + ROW_KEYS:
            old = roster[key]
            fill = -1 if key == "members" else (1 if key in ("alpha", "beta") else 0)
            grown = np.full((new_cap, *old.shape[1:]), fill, dtype=old.dtype)
            grown[:k] = old[:k]
            roster[key] = grown
    rows = np.arange(k, k + extra)
    roster["members"][rows] = -1
    roster["alpha"][rows] = 1.0
    roster["beta"][rows] = 1.0
    roster["k"] = k + extra
    return rows


def _keep_rows(roster: dict[str, Any], keep: np.ndarray) -> None:
    k = keep.size
    for key in MEMBER_KEYS + ROW_KEYS:
        roster[key][:k] = roster[key][keep]
    roster["members"][k : roster["k"]] = -1
    roster["k"] = k


def _pack(roster: dict[str, Any], k: int) -> None:
    """Move each row's members to its first places (empty places last)."""
    order = np.argsort(roster["members"][:k] < 0, axis=1, kind="stable")
    for key in MEMBER_KEYS:
        roster[key][:k] = np.take_along_axis(roster[key][:k], order, axis=1)


def _add_memberships(roster: dict[str, Any], orgs: np.ndarray, cids: np.ndarray) -> None:
    member_of = roster["member_of"]
    slot = (member_of[orgs] >= 0).sum(axis=1)
    member_of[orgs, slot] = cids


def _drop_memberships(roster: dict[str, Any], orgs: np.ndarray, cids: np.ndarray) -> None:
    if orgs.size == 0:
        return
    member_of = roster["member_of"]
    slot = np.argmax(member_of[orgs] == cids[:, None], axis=1)
    member_of[orgs, slot] = -1
    touched = np.unique(orgs)
    order = np.argsort(member_of[touched] < 0, axis=1, kind="stable")
    member_of[touched] = np.take_along_axis(member_of[touched], order, axis=1)
