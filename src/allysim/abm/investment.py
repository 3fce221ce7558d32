"""Relationship-specific investments, quasi-rents and hold-up.

Deepening a partnership takes investments that are worth more inside it than outside
(dedicated staff, co-located plant, shared systems). What they earn inside over what they would
fetch outside is a quasi-rent (Klein, Crawford & Alchian 1978, *Journal of Law and Economics* 21:
297-326); the part that cannot be recovered on exit makes leaving costly, so balanced
investments are mutual hostages (Williamson 1983, *American Economic Review* 73: 519-540;
Williamson 1985, *The Economic Institutions of Capitalism*), while an unbalanced one exposes the
more invested partner to hold-up: the other can threaten to leave and appropriate part of the
quasi-rent.

The rules, per partnership and side (value units, the stage's stake included):

* **Investment (proportionality, timing).** Each side invests ``rate`` per unit by which the
  stake rises: with ``timing="staged"`` at each promotion ``rate * (stake[new] - stake[old])``,
  with ``timing="upfront"`` all of ``rate * (stake[top] - stake[0])`` when the partnership
  forms. Side 0 (the organization that searched) invests ``1 + imbalance`` times that, side 1
  ``1 - imbalance`` times. An investment is paid when it is made. Specific assets outlast a
  demotion (the investment stays in ``invested``), so a partnership promoted again to a stage
  it had reached invests only for a rise above the highest stake it has invested for: staged
  investments add up to at most what ``"upfront"`` invests.
* **Specificity and returns.** A share ``specificity`` of each investment is specific. While
  both contribute, each side earns ``returns * sqrt(k_0 * k_1)`` per round on the specific
  capital ``k`` of the two sides: the quasi-rent, largest when the hostages are balanced.
* **Recoverability and exit.** On exit each side gets back its non-specific investment and a
  share ``recoverability`` of its specific one; the rest, ``sunk = specificity * (1 -
  recoverability) * invested``, is lost. Sunk investment lowers a side's exit threshold to
  ``exit_threshold / (1 + lock_in * sunk / stake)``: it stays through worse news than a
  partner with nothing at stake.
* **Hold-up.** Each round the less invested side appropriates ``holdup * |sunk_0 - sunk_1|``
  from the more invested one (a transfer: the value created is unchanged, its split is not).

``SpecificInvestment(rate=0)`` changes nothing (tests check the run is bit-identical to the
model without the part).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from allysim._validation import check_interval, check_nonnegative, check_probability
from allysim.abm._compiled import use_numba
from allysim.abm._compiled_contracts import kernels as contract_kernels
from allysim.abm._compiled_contracts import ledger_args
from allysim.abm.components import Part, PlayedRound, state_reporter
from allysim.abm.ledger import stake_array

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = ["SpecificInvestment"]

_TIMINGS = ("staged", "upfront")


@dataclass(frozen=True)
class SpecificInvestment(Part):
    """Relationship-specific investments: quasi-rents, exit costs and hold-up.

    Parameters
    ----------
    rate : float, default 0.5
        Investment per side per unit rise of the stage's stake, value units, >= 0.
    timing : {"staged", "upfront"}, default "staged"
        Invest at each promotion, or all at formation.
    imbalance : float, default 0.0
        In [0, 1): side 0 invests ``1 + imbalance`` times the base amount, side 1 ``1 -
        imbalance`` times.
    specificity : float, default 0.8
        Share in [0, 1] of an investment that is specific to the partnership.
    recoverability : float, default 0.25
        Share in [0, 1] of the specific investment recovered on exit.
    returns : float, default 0.5
        Extra payoff per round to each side while both contribute, per unit of the geometric
        mean of the two sides' specific capital, >= 0.
    lock_in : float, default 1.0
        How much sunk investment (per unit stake) divides the exit threshold, >= 0.
    holdup : float, default 0.0
        Share in [0, 1] of the difference in sunk investment that the less invested side
        appropriates each round.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=60, investment=SpecificInvestment(), seed=3)
    >>> df = m.run(40, progress=False)
    >>> bool(df["investment_sunk"].iloc[-1] > 0)
    True
    """

    rate: float = 0.5
    timing: str = "staged"
    imbalance: float = 0.0
    specificity: float = 0.8
    recoverability: float = 0.25
    returns: float = 0.5
    lock_in: float = 1.0
    holdup: float = 0.0
    name: ClassVar[str] = "investment"

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "rate", check_nonnegative(self.rate, "rate"))
        if not isinstance(self.timing, str) or self.timing not in _TIMINGS:
            raise ValueError(f"timing must be 'staged' or 'upfront', got {self.timing!r}")
        put(
            self,
            "imbalance",
            check_interval(self.imbalance, "imbalance", 0.0, 1.0, high_open=True),
        )
        for name in ("specificity", "recoverability", "holdup"):
            put(self, name, check_probability(getattr(self, name), name))
        for name in ("returns", "lock_in"):
            put(self, name, check_nonnegative(getattr(self, name), name))

    def columns(self) -> dict[str, tuple[tuple[int, ...], Any, Any]]:
        """``invested``: (2,) value invested so far by each side; ``invested_stage``: the
        highest stage invested for.

        Returns
        -------
        dict
            Each column's trailing shape, dtype and start value.

        Examples
        --------
        >>> list(SpecificInvestment().columns())
        ['invested', 'invested_stage']
        """
        return {"invested": ((2,), float, 0.0), "invested_stage": ((), np.int64, 0)}

    def setup(self, model: TrustModel) -> None:
        """Keep running totals: investment made, sunk on exit, transferred by hold-up.

        Parameters
        ----------
        model : TrustModel
            The model.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, investment=SpecificInvestment(), seed=0)
        >>> sorted(m.part_state["investment"])
        ['holdup_transfer', 'invested', 'lost']
        """
        model.part_state[self.name] = {"invested": 0.0, "lost": 0.0, "holdup_transfer": 0.0}

    def _sides(self) -> np.ndarray:
        return np.array([1.0 + self.imbalance, 1.0 - self.imbalance])

    def _invest(self, model: TrustModel, rows: np.ndarray, base: np.ndarray) -> None:
        """Rows ``rows`` invest ``base`` (per side before imbalance), paid now."""
        if rows.size == 0 or self.rate == 0:
            return
        amount = base[:, None] * self._sides()[None, :]
        model.table.column("invested")[rows] += amount
        model.credit_partners(rows, -amount)
        model.part_state[self.name]["invested"] += float(amount.sum())

    def on_form(self, model: TrustModel, rows: slice) -> None:
        """With ``timing="upfront"``, the new partnerships invest everything now.

        Parameters
        ----------
        model : TrustModel
            The model.
        rows : slice
            The new rows of the table.

        Returns
        -------
        None

        Examples
        --------
        >>> SpecificInvestment().on_form(None, slice(0, 0)) is None
        True
        """
        if self.timing != "upfront":
            return
        stakes = model.params.stake_levels
        idx = np.arange(rows.start, rows.stop)
        model.table.column("invested_stage")[idx] = len(stakes) - 1
        self._invest(model, idx, np.full(idx.size, self.rate * (stakes[-1] - stakes[0])))

    def on_promote(self, model: TrustModel, promoted: np.ndarray) -> None:
        """With ``timing="staged"``, promoted partnerships invest for the stake's rise.

        Parameters
        ----------
        model : TrustModel
            The model.
        promoted : numpy.ndarray
            (e,) bool: the partnerships promoted this step (already in their new stage).

        Returns
        -------
        None

        Examples
        --------
        >>> SpecificInvestment(timing="upfront").on_promote(None, np.zeros(0, bool)) is None
        True
        """
        if self.timing != "staged":
            return
        if use_numba():
            t = model.table
            invested, total = contract_kernels().promote(
                np.ascontiguousarray(promoted, dtype=bool),
                t.column("invested"),
                t.column("invested_stage"),
                float(self.rate),
                1.0 + self.imbalance,
                1.0 - self.imbalance,
                *ledger_args(model),
            )
            if invested:
                model.part_state[self.name]["invested"] += total
            return
        rows = np.flatnonzero(promoted)
        stakes = np.asarray(model.params.stake_levels)
        new = model.table.stage[rows]
        reached = model.table.column("invested_stage")
        # A re-promotion after a demotion finds its specific assets still in place.
        rise = new > reached[rows]
        rows, new = rows[rise], new[rise]
        self._invest(model, rows, self.rate * (stakes[new] - stakes[new - 1]))
        reached[rows] = new

    def _sunk(self, model: TrustModel, rows: slice | np.ndarray) -> np.ndarray:
        """(k, 2) the investment each side of ``rows`` would lose on exit."""
        return self.specificity * (1 - self.recoverability) * model.table.column("invested")[rows]

    def settle(self, model: TrustModel, played: PlayedRound) -> None:
        """Pay the quasi-rent on mutual contribution; move the hold-up transfer.

        Parameters
        ----------
        model : TrustModel
            The model.
        played : PlayedRound
            The round's payoffs, changed in place.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, investment=SpecificInvestment(), seed=0)
        >>> SpecificInvestment().settle(m, PlayedRound(0, np.zeros((0, 2), bool), np.zeros(0),
        ...                                            np.zeros((0, 2))))
        """
        e = played.e
        if use_numba() and e:
            moved = contract_kernels().settle(
                played.pay,
                np.ascontiguousarray(played.contributed),
                model.table.column("invested"),
                float(self.specificity),
                float(self.returns),
                float(self.holdup),
                float(self.specificity * (1 - self.recoverability)),
            )
            if self.holdup > 0:
                model.part_state[self.name]["holdup_transfer"] += moved
            return
        specific = self.specificity * model.table.column("invested")[:e]
        both = played.contributed[:, 0] & played.contributed[:, 1]
        rent = self.returns * np.sqrt(specific[:, 0] * specific[:, 1])
        played.pay += (rent * both)[:, None]
        if self.holdup > 0:
            sunk = self._sunk(model, slice(0, e))
            # Positive: side 1 (less invested) takes from side 0.
            transfer = self.holdup * (sunk[:, 0] - sunk[:, 1])
            played.pay[:, 0] -= transfer
            played.pay[:, 1] += transfer
            model.part_state[self.name]["holdup_transfer"] += float(np.abs(transfer).sum())

    def exit_threshold(self, model: TrustModel, threshold: np.ndarray) -> np.ndarray:
        """Divide each side's threshold by ``1 + lock_in * sunk / stake``.

        Parameters
        ----------
        model : TrustModel
            The model.
        threshold : numpy.ndarray
            (e, 2) the thresholds so far.

        Returns
        -------
        numpy.ndarray
            (e, 2) the lowered thresholds.

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, investment=SpecificInvestment(), seed=0)
        >>> SpecificInvestment().exit_threshold(m, np.zeros((0, 2))).shape
        (0, 2)
        """
        e = threshold.shape[0]
        if use_numba():
            t = model.table
            return contract_kernels().lock_in(
                np.ascontiguousarray(threshold, dtype=float),
                t.column("invested"),
                t.stage,
                stake_array(model.params.stake_levels),
                float(self.lock_in),
                float(self.specificity * (1 - self.recoverability)),
            )
        stake = model.stakes(slice(0, e))
        return threshold / (1 + self.lock_in * self._sunk(model, slice(0, e)) / stake[:, None])

    def on_dissolve(self, model: TrustModel, gone: np.ndarray) -> None:
        """Refund what is recoverable to each side of the ending partnerships.

        Parameters
        ----------
        model : TrustModel
            The model.
        gone : numpy.ndarray
            (e,) bool: the partnerships that end.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=4, investment=SpecificInvestment(), seed=0)
        >>> SpecificInvestment().on_dissolve(m, np.zeros(0, bool))
        """
        if use_numba():
            ended, lost = contract_kernels().dissolve(
                np.ascontiguousarray(gone, dtype=bool),
                model.table.column("invested"),
                float(self.specificity * (1 - self.recoverability)),
                *ledger_args(model),
            )
            if ended:
                model.part_state[self.name]["lost"] += lost
            return
        rows = np.flatnonzero(gone)
        if rows.size == 0:
            return
        sunk = self._sunk(model, rows)
        model.credit_partners(rows, model.table.column("invested")[rows] - sunk)
        model.part_state[self.name]["lost"] += float(sunk.sum())

    def reporters(self) -> dict[str, Any]:
        """``investment_sunk``: mean sunk investment per active partnership (both sides).

        Returns
        -------
        dict
            Column name -> function of the model.

        Examples
        --------
        >>> list(SpecificInvestment().reporters())
        ['investment_sunk', 'investment_lost']
        """
        return {
            "investment_sunk": partial(_mean_sunk, self),
            "investment_lost": state_reporter(self, "lost"),
        }


# Module functions, not methods: Mesa's DataCollector calls a partial with the model.
def _mean_sunk(part: SpecificInvestment, model: TrustModel) -> float:
    e = model.n_active
    if not e:
        return float("nan")
    # Sums over the two sides' columns: a reduction over a trailing axis of 2 is slow.
    invested = model.table.column("invested")[:e]
    total = invested[:, 0].sum() + invested[:, 1].sum()
    return float(part.specificity * (1 - part.recoverability) * total / e)
