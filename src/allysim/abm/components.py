"""Partnership parts: optional components that the trust model wires into its step.

A part is a frozen, validated dataclass (its parameters) with hook methods that the step calls
at fixed points. The model without parts is the plain trust model; each part is switched on by
passing it as the matching :class:`~allysim.abm.TrustParams` field (``investment=``,
``governance=``, ...) and off by leaving that field None, which recovers the plain model bit for
bit (a part that is off draws no random number and touches no array).

Hooks, in the order a step calls them (every hook is optional; the base class does nothing):

============================  =========================================================
hook                          called
============================  =========================================================
``setup(model)``              once, after the organizations are built
``acceptance(model, a, b)``   in partner search: a factor on each side's acceptance score
``on_form(model, rows)``      after new partnerships take ``rows`` of the table
``contribution(model, e, p)`` in play: each side's chance to contribute, (E, 2)
``dividend(model, e)``        in play: a factor on each partnership's dividend
``settle(model, round)``      in play, after the mechanisms: transfers and costs
``perceive(model, outcome)``  in play, before strategies and trust react: may correct it
``after_round(model, out)``   after trust is learned (knowledge exchange, records)
``on_promote(model, mask)``   after stages move, with the promoted partnerships
``exit_threshold(model, th)`` in exit: each side's contractual-trust threshold, (E, 2)
``confirm_exit(model, want)`` in exit: which wanted exits take effect now (notice periods)
``on_dissolve(model, gone)``  before the ended partnerships leave the table
``end_step(model)``           after imitation (periodic reviews, audits)
============================  =========================================================

Per-partnership state lives in columns the part declares (:meth:`Part.columns`), which the
:class:`~allysim.abm.PartnershipTable` allocates and moves with its other arrays; per-organization
state lives in ``model.part_state[part.name]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel
    from allysim.abm.phases import RoundOutcome

__all__ = ["Part", "PlayedRound", "state_reporter"]


def _state_value(name: str, key: str, model: TrustModel) -> float:
    return float(model.part_state[name][key])


def state_reporter(part: Part, key: str) -> Any:
    """A reporter that reads one number of a part's state (``model.part_state[part.name]``).

    Parameters
    ----------
    part : Part
        The part whose state is read.
    key : str
        The entry of its state.

    Returns
    -------
    functools.partial
        A function of the model returning that entry as a float, as Mesa's DataCollector
        takes reporters.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> state_reporter(Part(), "cost")(SimpleNamespace(part_state={"part": {"cost": 2}}))
    2.0
    """
    return partial(_state_value, part.name, key)


@dataclass
class PlayedRound:
    """The payoffs of one round of every active partnership, for :meth:`Part.settle`.

    Parameters
    ----------
    e : int
        Number of active partnerships (rows ``[:e]`` of the table).
    contributed : numpy.ndarray
        (e, 2) bool: what each side did.
    stake : numpy.ndarray
        (e,) the stage's stake multiplier.
    pay : numpy.ndarray
        (e, 2) each side's payoff this round, value units, after the mechanisms; parts add
        transfers and subtract costs in place.
    overhead : numpy.ndarray
        (e,) costs of running the partnership this round (governance, reviews), value units
        per partner; parts add to it. Reported with the enforcement costs and deducted from
        welfare.
    enforcement : numpy.ndarray
        (e,) enforcement costs of the mechanisms this round (fines burned, monitoring), value
        units per partner.

    Examples
    --------
    >>> r = PlayedRound(1, np.ones((1, 2), bool), np.ones(1), np.zeros((1, 2)))
    >>> r.overhead.tolist()
    [0.0]
    """

    e: int
    contributed: np.ndarray
    stake: np.ndarray
    pay: np.ndarray
    overhead: np.ndarray = field(default_factory=lambda: np.zeros(0))
    enforcement: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        if self.overhead.shape != (self.e,):
            self.overhead = np.zeros(self.e)
        if self.enforcement.shape != (self.e,):
            self.enforcement = np.zeros(self.e)


class Part:
    """Base of the partnership parts: every hook does nothing.

    Subclasses are frozen dataclasses; they set :attr:`name` (the ``TrustParams`` field that
    switches them on) and override the hooks they need (see the module's table).

    Examples
    --------
    >>> Part().columns()
    {}
    """

    #: The TrustParams field that holds this part, and its key in ``model.part_state``.
    name: ClassVar[str] = "part"
    #: True when ``acceptance(model, a, b)`` equals ``acceptance(model, b, a)``: partner
    #: search then asks once for both sides.
    symmetric_acceptance: ClassVar[bool] = False

    def columns(self) -> dict[str, tuple[tuple[int, ...], Any, Any]]:
        """Per-partnership columns: name -> (trailing shape, dtype, value of a new row).

        Returns
        -------
        dict
            Empty for the base class.

        Examples
        --------
        >>> Part().columns()
        {}
        """
        return {}

    def setup(self, model: TrustModel) -> None:
        """Create the per-organization state (once, after the organizations are built).

        Parameters
        ----------
        model : TrustModel
            The model.

        Returns
        -------
        None
            None

        Examples
        --------
        >>> Part().setup(None) is None
        True
        """
        return None

    def acceptance(self, model: TrustModel, a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
        """Factor on the acceptance score of ``a[k]`` judging candidate ``b[k]`` in partner search.

        Parameters
        ----------
        model : TrustModel
            The model.
        a : numpy.ndarray
            The judging organizations.
        b : numpy.ndarray
            The candidates, same length.

        Returns
        -------
        numpy.ndarray or None
            A factor >= 0 per pair, or None for 1.

        Examples
        --------
        >>> Part().acceptance(None, None, None) is None
        True
        """
        return None

    def on_form(self, model: TrustModel, rows: slice) -> None:
        """Fill this part's columns for the partnerships just created in ``rows``.

        Parameters
        ----------
        model : TrustModel
            The model.
        rows : slice
            The new rows of the table.

        Returns
        -------
        None
            None

        Examples
        --------
        >>> Part().on_form(None, None) is None
        True
        """
        return None

    def contribution(self, model: TrustModel, e: int, coop: np.ndarray) -> np.ndarray | None:
        """Each side's chance to contribute this round, before the moves are drawn.

        Parameters
        ----------
        model : TrustModel
            The model.
        e : int
            Number of active partnerships.
        coop : numpy.ndarray
            (e, 2) the chances so far (strategy, trust and earlier parts).

        Returns
        -------
        numpy.ndarray or None
            (e, 2) new chances, or None to leave them.

        Examples
        --------
        >>> Part().contribution(None, 0, np.zeros((0, 2))) is None
        True
        """
        return None

    def dividend(self, model: TrustModel, e: int) -> np.ndarray | None:
        """Factor on the dividend of mutual contribution of each active partnership.

        Parameters
        ----------
        model : TrustModel
            The model.
        e : int
            Number of active partnerships.

        Returns
        -------
        numpy.ndarray or None
            (e,) factors, or None for 1.

        Examples
        --------
        >>> Part().dividend(None, None) is None
        True
        """
        return None

    def settle(self, model: TrustModel, played: PlayedRound) -> None:
        """Add this part's transfers and costs to the round's payoffs, in place.

        Parameters
        ----------
        model : TrustModel
            The model.
        played : PlayedRound
            The round's payoffs and overhead.

        Returns
        -------
        None
            None

        Examples
        --------
        >>> Part().settle(None, None) is None
        True
        """
        return None

    def perceive(self, model: TrustModel, outcome: RoundOutcome) -> RoundOutcome:
        """What the partners perceive, before trust is learned from it.

        Parameters
        ----------
        model : TrustModel
            The model.
        outcome : RoundOutcome
            The round as played and first perceived.

        Returns
        -------
        RoundOutcome
            The outcome, possibly with perceptions corrected.

        Examples
        --------
        >>> Part().perceive(None, 'outcome')
        'outcome'
        """
        return outcome

    def after_round(self, model: TrustModel, outcome: RoundOutcome) -> None:
        """React to the round once trust is learned (knowledge exchange, records).

        Parameters
        ----------
        model : TrustModel
            The model.
        outcome : RoundOutcome
            The round as perceived.

        Returns
        -------
        None
            None

        Examples
        --------
        >>> Part().after_round(None, None) is None
        True
        """
        return None

    def on_promote(self, model: TrustModel, promoted: np.ndarray) -> None:
        """React to partnerships moving up a stage.

        Parameters
        ----------
        model : TrustModel
            The model.
        promoted : numpy.ndarray
            (e,) bool: the partnerships promoted this step.

        Returns
        -------
        None
            None

        Examples
        --------
        >>> Part().on_promote(None, None) is None
        True
        """
        return None

    def exit_threshold(self, model: TrustModel, threshold: np.ndarray) -> np.ndarray:
        """Each side's contractual-trust threshold below which it exits.

        Parameters
        ----------
        model : TrustModel
            The model.
        threshold : numpy.ndarray
            (e, 2) the thresholds so far.

        Returns
        -------
        numpy.ndarray
            (e, 2) the thresholds this part sets.

        Examples
        --------
        >>> Part().exit_threshold(None, np.full((1, 2), 0.3)).tolist()
        [[0.3, 0.3]]
        """
        return threshold

    def confirm_exit(self, model: TrustModel, leaving: np.ndarray) -> np.ndarray | None:
        """Which partnerships with a side that wants to leave actually end now.

        Parameters
        ----------
        model : TrustModel
            The model.
        leaving : numpy.ndarray
            (e, 2) bool: the sides whose trust is below their exit threshold.

        Returns
        -------
        numpy.ndarray or None
            (e,) bool, or None: every wanted exit takes effect now.

        Examples
        --------
        >>> Part().confirm_exit(None, None) is None
        True
        """
        return None

    def on_dissolve(self, model: TrustModel, gone: np.ndarray) -> None:
        """Settle what the partnerships ending now leave behind, before they leave the table.

        Parameters
        ----------
        model : TrustModel
            The model.
        gone : numpy.ndarray
            (e,) bool: the partnerships that end.

        Returns
        -------
        None
            None

        Examples
        --------
        >>> Part().on_dissolve(None, None) is None
        True
        """
        return None

    def end_step(self, model: TrustModel) -> None:
        """Last hook of a step (periodic reviews, audits).

        Parameters
        ----------
        model : TrustModel
            The model.

        Returns
        -------
        None
            None

        Examples
        --------
        >>> Part().end_step(None) is None
        True
        """
        return None

    def reporters(self) -> dict[str, Any]:
        """Extra model-level reporters: column name -> function of the model.

        Returns
        -------
        dict
            Empty for the base class.

        Examples
        --------
        >>> Part().reporters()
        {}
        """
        return {}

    def strategy_reporters(self, strategy_names: tuple[str, ...]) -> dict[str, Any]:
        """Extra reporters that need the model's strategy names (one column per strategy).

        Parameters
        ----------
        strategy_names : tuple of str
            The model's strategies, in index order.

        Returns
        -------
        dict
            Empty for the base class.

        Examples
        --------
        >>> Part().strategy_reporters(("TFT", "ALLD"))
        {}
        """
        return {}
