"""The partnerships of the trust model, one row each, in preallocated arrays.

Active partnerships occupy rows ``[:n_active]``, so every step works on contiguous views of
every partnership at once; a dissolved row is filled by moving a survivor from the end
(compaction moves O(removed) rows). Each organization's current partners are also kept in a
``(n, capacity)`` table so that partner look-ups take constant time.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from allysim.abm import _compiled_table
from allysim.abm._compiled import use_numba
from allysim.abm.trust import trust_mean

__all__ = ["PartnershipTable"]

# The columns whose new rows :meth:`PartnershipTable.add` takes from its arguments; the others
# take a fill value.
_GIVEN = ("pid", "pa", "pb", "distance", "pair_eta", "machine", "alpha", "beta", "goodwill_weight")


class PartnershipTable:
    """Per-partnership arrays with creation, removal, compaction and partner look-up.

    Rows ``[:n_active]`` hold the active partnerships; :meth:`add` appends rows and
    :meth:`remove` deletes rows and compacts. Arrays indexed by side (axis 1, length 2) hold, at
    side 0, what concerns organization ``pa`` (its machine state, its trust in ``pb``), at
    side 1 the same for ``pb``.

    Attributes
    ----------
    pid : numpy.ndarray
        Identifier of each partnership for its whole life (int).
    pa : numpy.ndarray
        Organization index of side 0.
    pb : numpy.ndarray
        Organization index of side 1.
    age : numpy.ndarray
        Steps played.
    stage : numpy.ndarray
        Stage (:class:`~allysim.abm.Stage`).
    in_stage : numpy.ndarray
        Steps played in the current stage.
    last_betrayal : numpy.ndarray
        Step of the last betrayal (``never_betrayed`` when none).
    distance : numpy.ndarray
        Cultural distance of the partners.
    pair_eta : numpy.ndarray
        Chance that each partner misreads the other's move.
    machine : numpy.ndarray
        (rows, 2) finite-state machine state of each side's strategy.
    alpha : numpy.ndarray
        (rows, 2, 3) Beta successes of each side's trust in the other, per
        :class:`~allysim.abm.TrustKind`.
    beta : numpy.ndarray
        (rows, 2, 3) Beta failures, likewise.
    streak : numpy.ndarray
        (rows, 2) contributions in a row each side has perceived.
    goodwill_weight : numpy.ndarray
        (rows, 2, 2): ``[row, side, x]`` is the weight as goodwill evidence, for ``side``, of a
        contribution by its partner when ``side`` played ``x`` (0: contributed, 1: withheld).
    partner_table : numpy.ndarray
        (n, capacity) each organization's partners (-1: a free place).
    degree : numpy.ndarray
        Number of partners of each organization.
    n_active : int
        Number of active partnerships.
    formed : int
        Partnerships formed since the counters were last reset (see :meth:`reset_counts`).
    dissolved : int
        Partnerships dissolved since then.

    Parameters
    ----------
    n_organizations : int
        Number of organizations, >= 2.
    capacity : int
        Most partnerships per organization, >= 1.
    never_betrayed : int
        Step recorded as the last betrayal of a partnership that has had none.

    Examples
    --------
    >>> t = PartnershipTable(4, 2, never_betrayed=-10**9)
    >>> t.add(np.array([0, 2]), np.array([1, 3]), distance=np.zeros(2),
    ...       pair_eta=np.zeros(2), machine=np.zeros((2, 2), int),
    ...       alpha=np.ones((2, 2, 3)), beta=np.ones((2, 2, 3)),
    ...       goodwill_weight=np.ones((2, 2, 2)))
    >>> t.n_active, t.partners_of(3), t.degree.tolist()
    (2, [2], [1, 1, 1, 1])
    >>> t.remove(np.array([True, False]))
    >>> t.n_active, t.pa[:1].tolist(), t.degree.tolist()
    (1, [2], [0, 0, 1, 1])
    """

    #: The per-partnership arrays, moved together by compaction.
    FIELDS = (
        "pid",
        "pa",
        "pb",
        "age",
        "stage",
        "in_stage",
        "last_betrayal",
        "distance",
        "pair_eta",
        "machine",
        "alpha",
        "beta",
        "streak",
        "goodwill_weight",
    )

    def __init__(self, n_organizations: int, capacity: int, *, never_betrayed: int) -> None:
        # Each partnership uses two of the n * capacity places, so this many rows always suffice.
        m = n_organizations * capacity // 2 + 1
        self.never_betrayed = never_betrayed
        self.n_active = 0
        self.pid = np.zeros(m, dtype=np.int64)
        self.pa = np.zeros(m, dtype=np.int64)
        self.pb = np.zeros(m, dtype=np.int64)
        self.age = np.zeros(m, dtype=np.int64)
        self.stage = np.zeros(m, dtype=np.int64)
        self.in_stage = np.zeros(m, dtype=np.int64)
        self.last_betrayal = np.full(m, never_betrayed, dtype=np.int64)
        self.distance = np.zeros(m)
        self.pair_eta = np.zeros(m)
        self.machine = np.zeros((m, 2), dtype=np.int64)
        self.alpha = np.ones((m, 2, 3))
        self.beta = np.ones((m, 2, 3))
        self.streak = np.zeros((m, 2), dtype=np.int64)
        self.goodwill_weight = np.zeros((m, 2, 2))
        self.partner_table = np.full((n_organizations, capacity), -1, dtype=np.int64)
        self.degree = np.zeros(n_organizations, dtype=np.int64)
        self._next_pid = 0
        self.formed = self.dissolved = 0
        self.formed_total = self.dissolved_total = 0
        # ended_by_age[a]: partnerships that ended after playing a rounds (for durations and
        # the dissolution hazard by age).
        self.ended_by_age = np.zeros(16, dtype=np.int64)
        # failed_by_age[a]: those of them that ended on low trust (an exit), not by chance.
        self.failed_by_age = np.zeros(16, dtype=np.int64)
        self.fields: tuple[str, ...] = self.FIELDS
        self._fills: dict[str, object] = {}
        self._rows = m
        self._groups: _Groups | None = None

    def column(self, name: str) -> np.ndarray:
        """A column added by :meth:`add_column` (all rows; the active ones are ``[:n_active]``).

        Parameters
        ----------
        name : str
            The column's name.

        Returns
        -------
        numpy.ndarray
            The column itself (writes change the table).

        Examples
        --------
        >>> t = PartnershipTable(4, 1, never_betrayed=-10**9)
        >>> t.add_column("invested", (2,), float, 0.0); t.column("invested").shape
        (3, 2)
        """
        if name not in self._fills:
            raise KeyError(f"no column {name!r}; the parts' columns are {sorted(self._fills)}")
        return getattr(self, name)

    def add_column(self, name: str, shape: tuple[int, ...], dtype: object, fill: object) -> None:
        """Allocate a per-partnership column that moves with the others (for a part).

        Parameters
        ----------
        name : str
            Attribute name of the column; must not exist yet.
        shape : tuple of int
            Trailing shape of one row (``()`` for a scalar per partnership).
        dtype : object
            numpy dtype.
        fill : object
            Value of a new partnership's row.

        Returns
        -------
        None

        Examples
        --------
        >>> t = PartnershipTable(4, 1, never_betrayed=-10**9)
        >>> t.add_column("invested", (2,), float, 0.0); t.invested.shape
        (3, 2)
        """
        if hasattr(self, name):
            raise ValueError(f"column {name!r} exists already")
        setattr(self, name, np.full((self._rows, *shape), fill, dtype=dtype))
        self.fields = (*self.fields, name)
        self._fills[name] = fill

    def reset_counts(self) -> None:
        """Set the per-step counters ``formed`` and ``dissolved`` to 0.

        Returns
        -------
        None

        Examples
        --------
        >>> t = PartnershipTable(3, 1, never_betrayed=-10**9)
        >>> t.reset_counts(); t.formed
        0
        """
        self.formed = self.dissolved = 0

    def trust(self) -> np.ndarray:
        """Trust of each side in the other, per kind, in the active partnerships.

        Returns
        -------
        numpy.ndarray
            (n_active, 2, 3): the mean of each Beta belief.

        Examples
        --------
        >>> PartnershipTable(3, 1, never_betrayed=-10**9).trust().shape
        (0, 2, 3)
        """
        e = self.n_active
        return trust_mean(self.alpha[:e], self.beta[:e])

    def partners_of(self, i: int) -> list[int]:
        """Indices of organization ``i``'s current partners.

        Parameters
        ----------
        i : int
            Organization index.

        Returns
        -------
        list of int
            Its partners' indices, in the order the places were filled.

        Examples
        --------
        >>> PartnershipTable(3, 1, never_betrayed=-10**9).partners_of(0)
        []
        """
        row = self.partner_table[i]
        return [int(j) for j in row[row >= 0]]

    def are_partners(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether ``a[k]`` and ``b[k]`` are already partners, for each ``k``.

        Parameters
        ----------
        a : numpy.ndarray
            Organization indices.
        b : numpy.ndarray
            Organization indices, same length.

        Returns
        -------
        numpy.ndarray
            Boolean array, same length.

        Examples
        --------
        >>> PartnershipTable(3, 1, never_betrayed=-10**9).are_partners(
        ...     np.array([0]), np.array([1])).tolist()
        [False]
        """
        same = self.partner_table[a] == b[:, None]
        if same.shape[1] > 8:
            return same.any(axis=1)
        # Or-ing the few columns: numpy's any over a short trailing axis is several times slower.
        out = same[:, 0].copy()
        for j in range(1, same.shape[1]):
            out |= same[:, j]
        return out

    def add(
        self,
        a: np.ndarray,
        b: np.ndarray,
        *,
        distance: np.ndarray,
        pair_eta: np.ndarray,
        machine: np.ndarray,
        alpha: np.ndarray,
        beta: np.ndarray,
        goodwill_weight: np.ndarray,
    ) -> None:
        """Start partnerships between ``a[k]`` and ``b[k]`` in assessment.

        Both must have a free place (otherwise ValueError, and nothing is written) and must not
        be partners yet; an organization may appear in several of
        the new partnerships, each taking one of its places.

        Parameters
        ----------
        a : numpy.ndarray
            Organization on side 0 of each new partnership.
        b : numpy.ndarray
            Organization on side 1.
        distance : numpy.ndarray
            Cultural distance of each pair.
        pair_eta : numpy.ndarray
            Chance each partner misreads the other.
        machine : numpy.ndarray
            (count, 2) start state of each side's strategy machine.
        alpha : numpy.ndarray
            (count, 2, 3) prior Beta successes.
        beta : numpy.ndarray
            (count, 2, 3) prior Beta failures.
        goodwill_weight : numpy.ndarray
            (count, 2, 2) goodwill weights (see the class's attributes).

        Returns
        -------
        None

        Examples
        --------
        >>> t = PartnershipTable(2, 1, never_betrayed=-10**9)
        >>> t.add(np.array([0]), np.array([1]), distance=np.zeros(1), pair_eta=np.zeros(1),
        ...       machine=np.zeros((1, 2), int), alpha=np.ones((1, 2, 3)),
        ...       beta=np.ones((1, 2, 3)), goodwill_weight=np.ones((1, 2, 2)))
        >>> t.partners_of(0), t.formed
        ([1], 1)
        """
        count = a.size
        if count == 0:
            return
        if use_numba() and self._add_compiled(
            a,
            b,
            {
                "distance": distance,
                "pair_eta": pair_eta,
                "machine": machine,
                "alpha": alpha,
                "beta": beta,
                "goodwill_weight": goodwill_weight,
            },
        ):
            return
        self._link(np.concatenate([a, b]), np.concatenate([b, a]))
        e = self.n_active
        rows = slice(e, e + count)
        self.n_active = e + count
        self.pid[rows] = np.arange(self._next_pid, self._next_pid + count)
        self._next_pid += count
        self.pa[rows], self.pb[rows] = a, b
        self.age[rows] = self.stage[rows] = self.in_stage[rows] = 0
        self.last_betrayal[rows] = self.never_betrayed
        self.distance[rows] = distance
        self.pair_eta[rows] = pair_eta
        self.machine[rows] = machine
        self.alpha[rows] = alpha
        self.beta[rows] = beta
        self.streak[rows] = 0
        self.goodwill_weight[rows] = goodwill_weight
        for name, fill in self._fills.items():
            getattr(self, name)[rows] = fill
        np.add.at(self.degree, a, 1)
        np.add.at(self.degree, b, 1)
        self.formed += count
        self.formed_total += count

    def _link(self, ends: np.ndarray, others: np.ndarray) -> None:
        """Write ``others[k]`` into a free place of ``ends[k]``'s row of the partner table.

        Checks first that every organization has a place for each time it is named, so a
        refusal writes nothing. One named several times takes that many places: the first
        occurrence of each is placed, then the next, so no place is written twice.
        """
        table = self.partner_table
        # degree counts the filled places of each row, so capacity - degree are the free ones.
        counts = np.bincount(ends, minlength=table.shape[0])[ends]
        short = counts > table.shape[1] - self.degree[ends]
        if short.any():
            raise ValueError(
                f"organization {int(ends[short][0])} has no free place left for its new "
                f"partnerships (capacity {table.shape[1]})"
            )
        if counts.max() == 1:
            table[ends, (table[ends] < 0).argmax(axis=1)] = others
            return
        pending = np.arange(ends.size)
        while pending.size:
            _, first = np.unique(ends[pending], return_index=True)
            now = pending[first]
            rows = ends[now]
            table[rows, (table[rows] < 0).argmax(axis=1)] = others[now]
            pending = np.delete(pending, first)

    def remove(self, gone: np.ndarray, failed: np.ndarray | None = None) -> None:
        """Dissolve the partnerships flagged in ``gone`` and compact the rows.

        Parameters
        ----------
        gone : numpy.ndarray
            Boolean flags over the active rows ``[:n_active]``.
        failed : numpy.ndarray or None, default None
            Flags of the ones among them that failed (ended on low trust), counted by age in
            ``failed_by_age``; None: none failed.

        Returns
        -------
        None

        Examples
        --------
        >>> t = PartnershipTable(2, 1, never_betrayed=-10**9)
        >>> t.remove(np.zeros(0, bool)); t.dissolved
        0
        """
        e = self.n_active
        if use_numba() and self._remove_compiled(gone, failed, e):
            return
        count = int(gone.sum())
        if count == 0:
            return
        ages = self.age[:e][gone]
        top = int(ages.max()) + 1
        if top > self.ended_by_age.size:
            self._grow_age_counts(top)
        self.ended_by_age += np.bincount(ages, minlength=self.ended_by_age.size)
        if failed is not None:
            failed_ages = self.age[:e][gone & failed]
            self.failed_by_age += np.bincount(failed_ages, minlength=self.failed_by_age.size)
        a, b = self.pa[:e][gone], self.pb[:e][gone]
        table = self.partner_table
        table[a, (table[a] == b[:, None]).argmax(axis=1)] = -1
        table[b, (table[b] == a[:, None]).argmax(axis=1)] = -1
        np.subtract.at(self.degree, a, 1)
        np.subtract.at(self.degree, b, 1)
        # Fill the holes below the new end with the survivors above it: O(removed) rows move.
        k = e - count
        holes = np.flatnonzero(gone[:k])
        fillers = k + np.flatnonzero(~gone[k:])
        for name in self.fields:
            arr = getattr(self, name)
            arr[holes] = np.take(arr, fillers, axis=0)  # take: faster than fancy indexing
        self.n_active = k
        self.dissolved += count
        self.dissolved_total += count

    def _column_groups(self) -> _Groups:
        """The compiled loops' view of the columns, rebuilt when a column was added or
        replaced since it was built."""
        groups = self._groups
        if (
            groups is None
            or groups.fields is not self.fields
            or groups.never_betrayed != self.never_betrayed
            or not all(map(operator.is_, groups.get(self), groups.columns))
        ):
            groups = self._groups = _Groups(self)
        return groups

    def _remove_compiled(self, gone: np.ndarray, failed: np.ndarray | None, e: int) -> bool:
        """:meth:`remove` in one compiled call; False (nothing done) where the numpy path must
        run instead (flags that are not booleans over the active rows)."""
        g = self._column_groups()
        if not (
            isinstance(gone, np.ndarray)
            and gone.dtype == np.bool_
            and gone.shape == (e,)
            and e <= g.rows
        ):
            return False
        has_failed = failed is not None
        if has_failed:
            if not (
                isinstance(failed, np.ndarray) and failed.dtype == np.bool_ and failed.shape == (e,)
            ):
                return False
        else:
            failed = gone
        while True:
            count, top = _compiled_table.kernels().remove(
                gone,
                failed,
                has_failed,
                self.age,
                self.pa,
                self.pb,
                self.partner_table,
                self.degree,
                self.ended_by_age,
                self.failed_by_age,
                g.floats,
                g.ints,
                g.bools,
            )
            if count == 0:
                return True
            if top <= self.ended_by_age.size:
                break
            self._grow_age_counts(top)
        if g.others:
            # Columns the loop does not take (other dtypes, not contiguous): the numpy way.
            k = e - count
            holes = np.flatnonzero(gone[:k])
            fillers = k + np.flatnonzero(~gone[k:])
            for name in g.others:
                arr = getattr(self, name)
                arr[holes] = np.take(arr, fillers, axis=0)
        self.n_active = e - count
        self.dissolved += count
        self.dissolved_total += count
        return True

    def _grow_age_counts(self, top: int) -> None:
        """Lengthen ``ended_by_age`` and ``failed_by_age`` to hold age ``top - 1``."""
        size = max(top, 2 * self.ended_by_age.size)
        for name in ("ended_by_age", "failed_by_age"):
            grown = np.zeros(size, dtype=np.int64)
            old = getattr(self, name)
            grown[: old.size] = old
            setattr(self, name, grown)

    def _add_compiled(self, a: np.ndarray, b: np.ndarray, given: dict[str, Any]) -> bool:
        """:meth:`add` in one compiled call; False (nothing done) where the numpy path must run
        instead (it then writes the same, or raises its error)."""
        g = self._column_groups()
        count = a.size
        e = self.n_active
        if not (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == np.int64
            and b.dtype == np.int64
            and a.shape == (count,)
            and b.shape == (count,)
            and e + count <= g.rows
        ):
            return False
        values = dict(given, pa=a, pb=b)
        values["pid"] = np.arange(self._next_pid, self._next_pid + count, dtype=np.int64)
        try:
            sources = g.sources(values, count)
        except (ValueError, TypeError):
            return False
        if not _compiled_table.kernels().add(
            a,
            b,
            self.partner_table,
            self.degree,
            e,
            g.floats,
            *sources[0],
            g.fills[0],
            g.given[0],
            g.ints,
            *sources[1],
            g.fills[1],
            g.given[1],
            g.bools,
            *sources[2],
            g.fills[2],
            g.given[2],
        ):
            return False
        rows = slice(e, e + count)
        for name in g.others:
            value = values[name] if name in values else g.fill_of[name]
            getattr(self, name)[rows] = value
        self.n_active = e + count
        self._next_pid += count
        self.formed += count
        self.formed_total += count
        return True


def _source(value: Any, shape: tuple[int, ...], dtype: np.dtype) -> tuple[np.ndarray, int]:
    """``value`` as the C-contiguous (count, width / r) rows that ``column[rows] = value``
    writes, each value repeated ``r`` times (``shape``: the rows' shape, ``dtype``: the
    column's). ``r`` > 1 where ``value`` has a last axis of 1 that numpy broadcasts (the
    partner search's priors): the loop repeats it instead of a broadcast copy."""
    if type(value) is np.ndarray and value.dtype == dtype and value.flags.c_contiguous:
        if value.shape == shape:
            return (value if len(shape) == 2 else value.reshape(shape[0], -1)), 1
        if len(shape) > 1 and value.shape == (*shape[:-1], 1):
            return value.reshape(shape[0], -1), shape[-1]
    value = np.ascontiguousarray(np.broadcast_to(value, shape), dtype=dtype)
    return value.reshape(shape[0], -1), 1


def _width(column: np.ndarray) -> int:
    """Values per row of a column."""
    return math.prod(column.shape[1:])


class _Groups:
    """A table's columns as the compiled loops take them: per dtype of
    :data:`~allysim.abm._compiled_table.GROUPED`, a tuple of (rows, width) views, each
    column's fill value for new rows and whether :meth:`PartnershipTable.add` is given its
    values instead; ``others``: the columns left to numpy."""

    def __init__(self, table: PartnershipTable) -> None:
        self.fields = table.fields
        self.get = operator.attrgetter(*self.fields)
        self.columns = self.get(table)
        if len(self.fields) == 1:
            self.columns = (self.columns,)
        fill_of: dict[str, Any] = {
            "age": 0,
            "stage": 0,
            "in_stage": 0,
            "last_betrayal": table.never_betrayed,
            "streak": 0,
            **table._fills,
        }
        self.fill_of = fill_of
        names: list[list[str]] = [[], [], []]
        views: list[list[np.ndarray]] = [[], [], []]
        columns: list[list[np.ndarray]] = [[], [], []]
        fills: list[list[np.ndarray]] = [[], [], []]
        self.others: list[str] = []
        self.rows = min((c.shape[0] for c in self.columns), default=0)
        for name, col in zip(self.fields, self.columns, strict=True):
            grouped = col.ndim >= 1 and col.flags.c_contiguous and col.dtype in _GROUPED_DTYPES
            if grouped and name not in _GIVEN and np.ndim(fill_of.get(name, 0)) != 0:
                grouped = False  # a fill per row element: numpy's broadcasting
            if not grouped:
                self.others.append(name)
                continue
            at = _GROUPED_DTYPES.index(col.dtype)
            names[at].append(name)
            columns[at].append(col)
            views[at].append(col.reshape(col.shape[0], _width(col)))
            # The value numpy writes for the fill (cast to the column's dtype as it casts).
            one = np.empty(1, dtype=col.dtype)
            one[:] = fill_of.get(name, 0)
            fills[at].append(one)
        self.names = names
        self.dummy = tuple(np.zeros((0, 0), dtype=d) for d in _GROUPED_DTYPES)
        groups = [tuple(v) if v else (self.dummy[at],) for at, v in enumerate(views)]
        self.floats, self.ints, self.bools = groups
        self.fills = tuple(
            np.concatenate(f) if f else np.zeros(1, dtype=d)
            for f, d in zip(fills, _GROUPED_DTYPES, strict=True)
        )
        self.given = tuple(
            np.array([name in _GIVEN for name in group] or [False]) for group in names
        )
        self.by_group = [[(c.shape[1:], c.dtype) for c in group] for group in columns]
        # Per group: (place, name, trailing shape, dtype) of the columns add may be given, and
        # the placeholders of the others.
        self.slots = [
            [
                (place, name, *self.by_group[at][place])
                for place, name in enumerate(group)
                if name in _GIVEN
            ]
            for at, group in enumerate(names)
        ]
        self.blank = [(self.dummy[at],) * max(len(group), 1) for at, group in enumerate(names)]
        self.never_betrayed = table.never_betrayed

    def sources(
        self, values: dict[str, Any], count: int
    ) -> list[tuple[tuple[np.ndarray, ...], np.ndarray]]:
        """Per group, each column's new rows where it is given (an empty array elsewhere),
        and how many times the loop repeats each of their values (see :func:`_source`)."""
        out: list[tuple[tuple[np.ndarray, ...], np.ndarray]] = []
        for at, slots in enumerate(self.slots):
            # Only the given columns take their rows; the others keep the empty placeholder.
            arrays = list(self.blank[at])
            repeats = [1] * len(arrays)
            for place, name, trailing, dtype in slots:
                if name in values:
                    arrays[place], repeats[place] = _source(values[name], (count, *trailing), dtype)
            out.append((tuple(arrays), np.array(repeats, dtype=np.int64)))
        return out


_GROUPED_DTYPES = _compiled_table.GROUPED
