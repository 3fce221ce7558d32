"""Partner search: organizations with free capacity meet candidates and form partnerships.

The step's rule, in full, is :class:`PartnerSearch`'s docstring; in short, each seeker meets one
neighbour, both judge, and the meetings both accepted, taken in a random order, form
partnerships first come, first served: one forms unless either organization already formed one
earlier in the step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from allysim.abm._compiled import use_numba
from allysim.abm._compiled_search import kernels as kernels_search
from allysim.abm.payoffs import goodwill_weights

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = ["PartnerSearch", "first_come_matching", "mutual_assessment"]


def mutual_assessment(
    model: TrustModel,
    a: np.ndarray,
    b: np.ndarray,
    distance: np.ndarray,
    *,
    skip: object = None,
) -> tuple[np.ndarray, np.ndarray]:
    """How ``a[k]`` judges ``b[k]`` and ``b[k]`` judges ``a[k]`` when they meet.

    Each side's score is ``min(1, (1 - distance) * (acceptance_offset + visible record))``,
    the visible record being ``neutral_reputation + visibility * (reputation -
    neutral_reputation)`` of the other, times the acceptance factor of every part of the model
    (capped at 1). Partner search and consortia's formation judge this way.

    Parameters
    ----------
    model : TrustModel
        The model (its parameters, reputations and parts).
    a : numpy.ndarray
        Organizations on one side.
    b : numpy.ndarray
        Organizations on the other side, same length.
    distance : numpy.ndarray
        Cultural distance of each pair, in [0, 1] (``model.cultural_distance(a, b)``).
    skip : object, default None
        A part whose acceptance factor is left out (the part asking).

    Returns
    -------
    tuple of numpy.ndarray
        ``a``'s scores of ``b`` and ``b``'s scores of ``a``, probabilities in [0, 1].

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=4, seed=0)
    >>> a, b = np.array([0, 1]), np.array([2, 3])
    >>> sa, sb = mutual_assessment(m, a, b, m.cultural_distance(a, b))
    >>> bool(((0 <= sa) & (sa <= 1) & (0 <= sb) & (sb <= 1)).all())
    True
    """
    p, s = model.params, model.settings
    neutral = p.neutral_reputation

    def score(other: np.ndarray) -> np.ndarray:
        seen_record = neutral + s.visibility * (model.reputation[other] - neutral)
        return np.minimum(1.0, (1 - distance) * (p.acceptance_offset + seen_record))

    score_a, score_b = score(b), score(a)
    for part in model.parts:
        if part is skip:
            continue
        fa = part.acceptance(model, a, b)
        fb = fa if part.symmetric_acceptance else part.acceptance(model, b, a)
        if fa is not None:
            score_a = np.minimum(1.0, score_a * fa)
        if fb is not None:
            score_b = np.minimum(1.0, score_b * fb)
    return score_a, score_b


def first_come_matching(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Rows of the pairs ``(a[k], b[k])`` kept when they are taken in order and a pair is kept
    unless one of its members is in a pair kept earlier (the greedy maximal matching).

    One pass in order, in time linear in the number of pairs whatever the order. (A vectorised
    computation in rounds was no faster: 0.7 against 0.4 ms for 1,500 pairs, 39 against 27 ms
    for 100,000.) The compiled path runs the same pass as a loop.

    Parameters
    ----------
    a : numpy.ndarray
        First members, integers in ``[0, n)``.
    b : numpy.ndarray
        Second members, the same length, ``b[k] != a[k]``.
    n : int
        Number of organizations.

    Returns
    -------
    numpy.ndarray
        The kept rows, ascending (int64).

    Examples
    --------
    >>> first_come_matching(np.array([3, 2, 1, 0]), np.array([2, 1, 2, 1]), 4)
    array([0, 3])
    """
    used = [False] * n
    kept = []
    for k, (x, y) in enumerate(zip(np.asarray(a).tolist(), np.asarray(b).tolist(), strict=True)):
        if not (used[x] or used[y]):
            used[x] = used[y] = True
            kept.append(k)
    return np.asarray(kept, dtype=np.int64)


def _factor_rows(factors: list[np.ndarray], size: int) -> np.ndarray:
    """The parts' acceptance factors of one side as a C-contiguous (parts, size) float array."""
    if not factors:
        return np.empty((0, size))
    if len(factors) == 1:
        row = np.asarray(factors[0], dtype=float)
        if row.shape == (size,) and row.flags.c_contiguous:
            return row.reshape(1, size)
    return np.stack([np.broadcast_to(np.asarray(f, dtype=float), (size,)) for f in factors])


class PartnerSearch:
    """Organizations with free capacity meet a candidate; mutual assessment forms ties.

    One round of search (:meth:`search`, once per step) goes as follows.

    1. An organization is free when it has fewer partners than its ``model.capacity``; each free
       one seeks with probability ``search_rate``.
    2. The seekers are put in a uniformly random order (one permutation per step), and each
       meets one neighbour drawn uniformly on the network of possible ties (on the complete
       network, any other organization); a seeker without neighbours meets nobody. A seeker
       meets one organization, but may itself be met by other seekers.
    3. A meeting is dropped unjudged when the one met is not free (at the start of the step),
       is the seeker itself or is already its partner.
    4. Both sides judge the other: each accepts with probability ``min(1, (1 - distance) *
       (acceptance_offset + visible record))``, the visible record being
       ``neutral_reputation + visibility * (reputation - neutral_reputation)``, times the
       parts' acceptance factors (:func:`mutual_assessment`), by independent draws. A meeting
       is *accepted* when both accept.
    5. **Conflicts.** An organization forms at most one partnership per step (so a free one
       never exceeds its capacity). The accepted meetings are taken in the order of step 2, and
       each forms a partnership unless one of its organizations has already formed one earlier
       in that order (first come, first served). A meeting dropped in step 3 or refused in
       step 4 binds nobody. Two organizations that met each other both ways form one
       partnership.

    The partnerships formed are therefore a maximal matching of the accepted meetings: no
    accepted meeting is left unformed while both of its organizations stay without a new
    partner. (Up to version 0.4.0, an organization was bound to its first accepted meeting even
    when that meeting lost, so it formed nothing in the step although a later accepted meeting of
    its own was free; organizations with several accepted meetings, the sought-after ones, lost
    most.) The random order keeps any organization from being favoured by its index.

    A new partnership starts in assessment with a trust prior of ``prior_strength``
    pseudo-observations at each side's acceptance probability.

    Parameters
    ----------
    model : TrustModel
        The model whose organizations search.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=10, search_rate=1.0, seed=0)
    >>> PartnerSearch(m).search(); m.n_active > 0
    True
    """

    def __init__(self, model: TrustModel) -> None:
        self.model = model
        # The compiled path's free flags, written again at each search.
        self._free: np.ndarray | None = None

    def search(self) -> None:
        """One round of search; new partnerships are added to the model's table.

        Returns
        -------
        None

        Raises
        ------
        ValueError
            If ``model.params.capacity`` was changed after the model was built, or an entry of
            ``model.capacity`` exceeds it (the partner table has that many places).

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=10, search_rate=0.0, seed=0)
        >>> PartnerSearch(m).search(); m.n_active
        0
        """
        m, t, p = self.model, self.model.table, self.model.params
        rng = m.rng
        width = t.partner_table.shape[1]
        if p.capacity != width or m.capacity.max(initial=0) > width:
            raise self._capacity_error()
        if use_numba() and m.capacity.shape == t.degree.shape:
            self._search_compiled()
            return
        free = t.degree < m.capacity
        seekers = np.flatnonzero(free & (rng.random(p.n_organizations) < p.search_rate))
        if seekers.size == 0:
            return
        # Conflicts go first come, first served in this order (below): a random order, or the
        # lowest indices would win every conflict.
        seekers = rng.permutation(seekers)
        seekers, cand = m.network.candidates(seekers, rng)
        ok = free[cand] & (cand != seekers)
        ok &= ~t.are_partners(seekers, cand)
        seekers, cand = seekers[ok], cand[ok]
        if seekers.size == 0:
            return
        dist = m.cultural_distance(seekers, cand)
        # The seeker's view of the candidate, and the candidate's of the seeker.
        score_s, score_c = mutual_assessment(m, seekers, cand, dist)
        u = rng.random((2, seekers.size))
        accept = (u[0] < score_s) & (u[1] < score_c)
        seekers, cand = seekers[accept], cand[accept]
        dist, score_s, score_c = dist[accept], score_s[accept], score_c[accept]
        keep = first_come_matching(seekers, cand, p.n_organizations)
        self._form(seekers[keep], cand[keep], dist[keep], score_s[keep], score_c[keep])

    def _capacity_error(self) -> ValueError:
        """The refusal of a capacity that does not fit the partner table."""
        m, p = self.model, self.model.params
        width = m.table.partner_table.shape[1]
        return ValueError(
            f"capacity is fixed when the model is built ({width} places per organization, "
            f"the partner table's width), got capacity={p.capacity} in model.params and up "
            f"to {int(m.capacity.max(initial=0))} in model.capacity; to change it during a "
            f"run, set model.capacity (per organization, each at most {width})"
        )

    def _search_compiled(self) -> None:
        """:meth:`search` after its checks, on the compiled path: the same draws in the same
        order and the same numbers, in three loops around what stays in Python (numpy's
        draws, the network's candidates, the cultural distance, the parts' factors, the
        table's ``add`` and the parts' ``on_form``)."""
        m, t, p, s = self.model, self.model.table, self.model.params, self.model.settings
        rng = m.rng
        loops = kernels_search()
        u = rng.random(p.n_organizations)
        free = self._free
        if free is None or free.shape != t.degree.shape:
            free = self._free = np.empty(t.degree.shape, dtype=bool)
        seekers = loops.seekers(u, t.degree, m.capacity, float(p.search_rate), free)
        if seekers.size == 0:
            return
        seekers = rng.permutation(seekers)  # as on the numpy path: numba's shuffle is slower
        seekers, cand = m.network.candidates(seekers, rng)
        a, b = loops.meet(np.asarray(seekers), np.asarray(cand), free, t.partner_table)
        if a.size == 0:
            return
        dist = np.ascontiguousarray(m.cultural_distance(a, b), dtype=float)
        side_a: list[np.ndarray] = []
        side_b: list[np.ndarray] = []
        for part in m.parts:
            fa = part.acceptance(m, a, b)
            fb = fa if part.symmetric_acceptance else part.acceptance(m, b, a)
            if fa is not None:
                side_a.append(fa)
            if fb is not None:
                side_b.append(fb)
        coefficients = np.array(
            [
                p.neutral_reputation,
                s.visibility,
                p.acceptance_offset,
                s.perception_noise,
                p.culture_noise,
                s.clarity,
                p.prior_strength,
                p.benefit,
                p.synergy,
                p.culture_friction,
                p.cost,
                1 - p.attribution_discount * 1.0,
                0.0 if s.settling else 1.0,
            ],
            dtype=float,
        )
        u = rng.random((2, a.size))
        formed = loops.judge(
            u,
            a,
            b,
            dist,
            m.reputation,
            _factor_rows(side_a, a.size),
            _factor_rows(side_b, a.size),
            p.n_organizations,
            coefficients,
            m.strategies.start,
            m.strategy_of,
            m.capability,
        )
        new_a, new_b, dist, pair_eta, machine, alpha, beta, weight, got_a, got_b, div = formed
        if new_a.size == 0:
            return
        if s.settling:
            weight = goodwill_weights(got_a, got_b, p.cost, div, s.settling, p.attribution_discount)
        first = t.n_active
        t.add(
            new_a,
            new_b,
            distance=dist,
            pair_eta=pair_eta,
            machine=machine,
            alpha=alpha,
            beta=beta,
            goodwill_weight=weight,
        )
        rows = slice(first, t.n_active)
        for part in m.parts:
            part.on_form(m, rows)

    def _form(self, a, b, dist, score_a, score_b) -> None:
        """Start partnerships between a[i] and b[i], with trust priors from the assessments."""
        if a.size == 0:
            return
        m, p, s = self.model, self.model.params, self.model.settings
        first = m.table.n_active
        # Two independent sources of misreading (noisy-OR), so eta stays a probability.
        misread = 1 - (1 - s.perception_noise) * (1 - p.culture_noise * dist)
        start = m.strategies.start
        k = p.prior_strength
        score = np.stack([score_a, score_b], axis=1)[:, :, None]
        m.table.add(
            a,
            b,
            distance=dist,
            pair_eta=misread * (1 - s.clarity),
            machine=np.stack([start[m.strategy_of[a]], start[m.strategy_of[b]]], axis=1),
            alpha=1 + k * score,
            beta=1 + k * (1 - score),
            goodwill_weight=goodwill_weights(
                p.benefit * m.capability[b],
                p.benefit * m.capability[a],
                p.cost,
                p.synergy * (1 - p.culture_friction * dist),
                s.settling,
                p.attribution_discount,
            ),
        )
        rows = slice(first, m.table.n_active)
        for part in m.parts:
            part.on_form(m, rows)
