"""Payments outside a round: what parts pay and receive (investments, fees, rewards, premia).

:class:`Ledger` is mixed into :class:`~allysim.abm.TrustModel`. Every flow goes through
:meth:`Ledger.credit`, so ``wealth`` and what imitation compares (``period_payoff``, per unit
stake by default) stay consistent with the rounds' payoffs.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from allysim.abm import _compiled_table
from allysim.abm._compiled import kernels, use_numba

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.params import TrustParams
    from allysim.abm.partnerships import PartnershipTable

__all__ = ["Ledger"]


@functools.lru_cache(maxsize=16)
def stake_array(levels: tuple[float, ...]) -> np.ndarray:
    """The stake levels as the float array the compiled loops index (made once per tuple of
    levels, not on every call: the loops only read it)."""
    return np.asarray(levels, dtype=float)


# The compiled credits' index argument when the rows are a slice.
_NO_ROWS = np.zeros(0, dtype=np.int64)


class Ledger:
    """Stake look-up and credits to organizations, for the trust model's parts.

    Uses the model's ``params``, ``table``, ``n``, ``wealth`` and ``period_payoff``.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> isinstance(TrustModel(n_organizations=4, seed=0), Ledger)
    True
    """

    params: TrustParams
    table: PartnershipTable
    wealth: np.ndarray
    period_payoff: np.ndarray
    n: Any

    def stakes(self, rows: slice | np.ndarray) -> np.ndarray:
        """The stake multiplier of the partnerships in ``rows`` (their stage's stake level).

        Parameters
        ----------
        rows : slice or numpy.ndarray
            Rows of the partnership table.

        Returns
        -------
        numpy.ndarray
            One stake per row.

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> TrustModel(n_organizations=4, seed=0).stakes(slice(0, 0)).shape
        (0,)
        """
        return np.asarray(self.params.stake_levels)[self.table.stage[rows]]

    def credit_partners(
        self, rows: slice | np.ndarray, amount: np.ndarray, *, utility_only: bool = False
    ) -> None:
        """:meth:`credit` both partners of the partnerships in ``rows``, in one pass.

        Parameters
        ----------
        rows : slice or numpy.ndarray
            Rows of the partnership table.
        amount : numpy.ndarray
            (k, 2): value units for side 0 (``pa``) and side 1 (``pb``) of each row.
        utility_only : bool, default False
            As for :meth:`credit`.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, seed=0)
        >>> m.credit_partners(slice(0, 0), np.zeros((0, 2)))
        """
        t = self.table
        if use_numba():
            # The same additions in the same order as below, without the concatenated arrays.
            lo = hi = 0
            idx = _NO_ROWS
            if isinstance(rows, slice):
                lo, hi, step = rows.indices(t.pa.shape[0])
                if step != 1:
                    idx = np.arange(lo, hi, step, dtype=np.int64)
                hi = max(lo, hi)
            else:
                given = np.asarray(rows)
                idx = np.flatnonzero(given) if given.dtype == bool else given.astype(np.int64)
            use_idx = idx is not _NO_ROWS
            k = idx.size if use_idx else hi - lo
            amount = np.ascontiguousarray(amount, dtype=float)
            if amount.shape != (k, 2):
                raise ValueError(f"amount must have shape ({k}, 2), one row per row of rows")
            _compiled_table.kernels().credit_rows(
                self.wealth,
                self.period_payoff,
                t.pa,
                t.pb,
                t.stage,
                stake_array(self.params.stake_levels),
                lo,
                hi,
                use_idx,
                idx,
                amount,
                not utility_only,
                self.params.imitation_payoff == "per_stake",
                bool(2 * k * 16 < self.n),
            )
            return
        stake = self.stakes(rows)
        self.credit(
            np.concatenate([t.pa[rows], t.pb[rows]]),
            np.concatenate([amount[:, 0], amount[:, 1]]),
            np.concatenate([stake, stake]),
            utility_only=utility_only,
        )

    def credit(
        self,
        organizations: np.ndarray,
        amount: np.ndarray,
        stake: np.ndarray,
        *,
        utility_only: bool = False,
    ) -> None:
        """Add ``amount`` to the payoffs of ``organizations`` outside a round (a part's flows).

        ``wealth`` takes the amount; ``period_payoff`` (what imitation compares) takes it per
        unit stake when ``imitation_payoff="per_stake"``, as the rounds' payoffs are.

        Parameters
        ----------
        organizations : numpy.ndarray
            Organization indices (repeats add up).
        amount : numpy.ndarray
            Value units for each, negative for a payment.
        stake : numpy.ndarray
            The stake of the partnership each flow belongs to.
        utility_only : bool, default False
            Change only what imitation compares, not ``wealth`` (a risk premium is a loss of
            utility, not of money).

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, seed=0)
        >>> m.credit(np.array([0, 0]), np.array([1.0, 2.0]), np.array([1.0, 2.0]))
        >>> m.wealth[0], m.period_payoff[0]
        (np.float64(3.0), np.float64(2.0))
        """
        n = self.n
        amount = np.broadcast_to(amount, np.shape(organizations))
        # A few flows (promotions, exits, audits): add them in place; many: one bincount over
        # all organizations is faster than numpy's unbuffered add.at.
        few = np.size(organizations) * 16 < n
        if use_numba() and np.ndim(organizations) == 1:
            # The same additions in the same order, in one compiled loop.
            kernels().credit(
                self.wealth,
                self.period_payoff,
                np.asarray(organizations, dtype=np.int64),
                np.ascontiguousarray(amount, dtype=float),
                np.ascontiguousarray(np.broadcast_to(stake, amount.shape), dtype=float),
                not utility_only,
                self.params.imitation_payoff == "per_stake",
                bool(few),
            )
            return

        def add(target: np.ndarray, values: np.ndarray) -> None:
            if few:
                np.add.at(target, organizations, values)
            else:
                target += np.bincount(organizations, values, minlength=n)

        if not utility_only:
            add(self.wealth, amount)
        if self.params.imitation_payoff == "per_stake":
            amount = amount / stake
        add(self.period_payoff, amount)
