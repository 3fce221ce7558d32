"""The mechanism protocol: the `Mechanism` base class and the `RepeatedSettings` it adjusts.

A mechanism enters the partnership game in up to three ways, each a method of
[`Mechanism`][allysim.mechanisms.Mechanism] that a subclass overrides: ``transform`` changes the
expected stage payoffs, ``adjust`` changes the repeated-game settings, and ``settle`` applies the
rule literally to realised round payoffs (by default, ``transform`` cell by cell).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from allysim._validation import (
    as_float_array,
    check_game,
    check_interval,
    check_nonnegative,
    check_probability,
)
from allysim.games import StageGame

__all__ = ["Mechanism", "RepeatedSettings"]


@dataclass(frozen=True)
class RepeatedSettings:
    """Repeated-game settings that mechanisms such as monitoring change.

    Each mechanism's [`adjust`][allysim.mechanisms.Mechanism.adjust] takes and returns one.

    Parameters
    ----------
    continuation : float or None
        Probability in [0, 1) that the partnership continues after a round, or None (a finite
        horizon is used).
    perception_noise : float
        Probability in [0, 1] of misreading the partner's move, before communication.
    clarity : float, default 0.0
        Communication clarity in [0, 1]; the final perception noise is
        ``perception_noise x (1 - clarity)``.
    visibility : float, default 0.0
        Share in [0, 1] of a partner's history others can see (trust model).
    enforcement_cost_per_defection : float, default 0.0
        Expected enforcement cost per defection, >= 0, in payoff units (welfare only).

    Raises
    ------
    TypeError
        A value is not a real number.
    ValueError
        A value is out of range or not finite.

    Examples
    --------
    >>> from allysim.mechanisms import ShadowOfFuture
    >>> s = RepeatedSettings(continuation=None, perception_noise=0.1)
    >>> ShadowOfFuture(0.9).adjust(s).continuation
    0.9
    """

    continuation: float | None
    perception_noise: float
    clarity: float = 0.0
    visibility: float = 0.0
    enforcement_cost_per_defection: float = 0.0

    def __post_init__(self) -> None:
        if self.continuation is not None:
            object.__setattr__(
                self,
                "continuation",
                check_interval(self.continuation, "continuation", 0.0, 1.0, high_open=True),
            )
        for name in ("perception_noise", "clarity", "visibility"):
            object.__setattr__(self, name, check_probability(getattr(self, name), name))
        cost = check_nonnegative(
            self.enforcement_cost_per_defection, "enforcement_cost_per_defection"
        )
        object.__setattr__(self, "enforcement_cost_per_defection", cost)


def _check_settings(settings: Any) -> RepeatedSettings:
    if not isinstance(settings, RepeatedSettings):
        raise TypeError(
            "settings must be an allysim.mechanisms.RepeatedSettings, got "
            f"{type(settings).__name__}"
        )
    return settings


def _payoff_pair(row: Any, col: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validated (row, col) payoff arrays of shape (..., 2, 2), both the same shape."""
    row = as_float_array(row, "row")
    col = as_float_array(col, "col")
    if row.ndim < 2 or row.shape[-2:] != (2, 2):
        raise ValueError(f"row must have shape (..., 2, 2) (row move, col move), got {row.shape}")
    if col.shape != row.shape:
        raise ValueError(f"col must have the shape of row, {row.shape}, got {col.shape}")
    return row, col


def _finite_pair(row: np.ndarray, col: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    if not (np.all(np.isfinite(row)) and np.all(np.isfinite(col))):
        raise ValueError(
            f"{what} with these payoffs (row, col) gives payoffs beyond the float range; "
            f"use a smaller {what} or rescale the payoffs"
        )
    return row, col


class Mechanism:
    """The mechanism protocol: subclass it and override what your mechanism changes.

    A mechanism is an immutable object (a frozen dataclass is the simplest) with a distinct
    class attribute ``kind`` and up to five methods. Each default leaves everything unchanged,
    so a subclass overrides only what its mechanism acts on:

    * ``kind`` (class attribute, str): a name no other mechanism class uses;
      [`apply`][allysim.mechanisms.apply] refuses two mechanisms of one kind (they would be
      counted twice), and [`compare_mechanisms`][allysim.comparison.compare_mechanisms] names
      the ``margin_<kind>`` column after it.
    * [`transform(row, col)`][allysim.mechanisms.Mechanism.transform] ``-> (row, col)``: the
      expected stage payoffs after the mechanism acts, for arrays of shape (..., 2, 2) indexed
      [..., row move, col move] with move 0 = contribute, 1 = withhold. It must not change its
      inputs, and should act cell by cell (each payoff depends only on the payoffs of its own
      outcome) for the default ``settle`` to apply it to realised rounds.
    * [`adjust(settings)`][allysim.mechanisms.Mechanism.adjust] ``-> RepeatedSettings``: the
      repeated-game settings (continuation, perception noise, clarity, visibility,
      enforcement cost) after the mechanism acts; return a new object with
      ``dataclasses.replace``.
    * [`threshold(game)`][allysim.mechanisms.Mechanism.threshold] ``-> float or None`` and
      [`margin(game)`][allysim.mechanisms.Mechanism.margin] ``-> float or None``: the least
      value of the mechanism's key parameter that makes contributing an equilibrium or
      dominant in ``game`` (the game before the mechanisms), and the parameter minus it.
      [`MechanismSetup.margins`][allysim.mechanisms.MechanismSetup.margins] reports the
      margins that are not None.
    * [`settle`][allysim.mechanisms.Mechanism.settle]
      ``(pay_a, pay_b, contrib_a, contrib_b, rng, scale)`` (optional): the rule applied
      literally to realised round payoffs, as
      [`settle_round`][allysim.mechanisms.settle_round] and
      [`simulate_mechanisms`][allysim.mechanisms.simulate_mechanisms] play it. The default
      applies ``transform`` to each realised outcome; override it for a random rule (a
      detection draw) or one that is not cell by cell.

    Validate parameters in ``__post_init__`` (raising ``ValueError`` or ``TypeError`` that names
    the parameter and its range) so that a bad mechanism fails when built, not mid-run.

    Examples
    --------
    A warranty: a contributor whose partner withholds is refunded ``refund`` by the withholder.
    Contributing then dominates once the refund exceeds both ``T - R`` and ``P - S``.

    >>> from dataclasses import dataclass
    >>> from typing import ClassVar
    >>> import numpy as np
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.mechanisms import Mechanism, apply, sanction_threshold
    >>> @dataclass(frozen=True)
    ... class Warranty(Mechanism):
    ...     refund: float
    ...     kind: ClassVar[str] = "warranty"
    ...
    ...     def transform(self, row, col):
    ...         shift = np.array([[0.0, self.refund], [-self.refund, 0.0]])
    ...         return row + shift, col + shift.T
    ...
    ...     def threshold(self, game):
    ...         return sanction_threshold(game)  # max(0, T - R, P - S)
    ...
    ...     def margin(self, game):
    ...         return self.refund - self.threshold(game)
    >>> setup = apply(PrisonersDilemma(), [Warranty(refund=2.5)])
    >>> setup.game.payoff_vector  # (R, S + refund, T - refund, P)
    (3.0, 2.5, 2.5, 1.0)
    >>> setup.margins()
    {'warranty': 0.5}

    The base class itself changes nothing:

    >>> apply(PrisonersDilemma(), [Mechanism()]).game == PrisonersDilemma()
    True
    """

    kind: ClassVar[str] = "mechanism"

    def transform(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected stage payoffs (row, col) after this mechanism acts; the base changes nothing.

        Parameters
        ----------
        row : numpy.ndarray
            Row player's payoffs, shape (..., 2, 2) indexed [..., row move, col move] with move
            0 = contribute, 1 = withhold; finite real numbers.
        col : numpy.ndarray
            Column player's payoffs, the same shape.

        Returns
        -------
        row : numpy.ndarray
            Row player's expected payoffs after the mechanism, same shape.
        col : numpy.ndarray
            Column player's expected payoffs after the mechanism, same shape.

        Raises
        ------
        TypeError
            ``row`` or ``col`` does not hold real numbers.
        ValueError
            Wrong shapes, or a payoff is not finite.

        Examples
        --------
        >>> r, c = Mechanism().transform([[3, 0], [5, 1]], [[3, 5], [0, 1]])
        >>> r.tolist(), c.tolist()
        ([[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]])
        """
        return _payoff_pair(row, col)

    def adjust(self, settings: RepeatedSettings) -> RepeatedSettings:
        """Repeated-game settings after this mechanism acts; the base changes nothing.

        Parameters
        ----------
        settings : RepeatedSettings
            The settings before this mechanism.

        Returns
        -------
        RepeatedSettings
            The settings after it (a new object; settings are immutable).

        Raises
        ------
        TypeError
            ``settings`` is not a [`RepeatedSettings`][allysim.mechanisms.RepeatedSettings].

        Examples
        --------
        >>> s = RepeatedSettings(continuation=0.5, perception_noise=0.0)
        >>> Mechanism().adjust(s) == s
        True
        """
        return _check_settings(settings)

    def threshold(self, game: StageGame) -> float | None:
        """The analytic threshold of this mechanism's key parameter, or None (the base has none).

        Parameters
        ----------
        game : StageGame
            The game before the mechanisms (a symmetric 2x2 game for subclasses that have a
            threshold).

        Returns
        -------
        float or None
            The least value of the key parameter, or None.

        Raises
        ------
        TypeError
            ``game`` is not a StageGame.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> Mechanism().threshold(PrisonersDilemma()) is None
        True
        """
        check_game(game, "game")
        return None

    def margin(self, game: StageGame) -> float | None:
        """Key parameter minus its threshold (> 0: above it), or None (the base has none).

        Parameters
        ----------
        game : StageGame
            The game before the mechanisms.

        Returns
        -------
        float or None
            ``parameter - threshold(game)``, or None.

        Raises
        ------
        TypeError
            ``game`` is not a StageGame.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> Mechanism().margin(PrisonersDilemma()) is None
        True
        """
        check_game(game, "game")
        return None

    def settle(
        self,
        pay_a: np.ndarray,
        pay_b: np.ndarray,
        contrib_a: np.ndarray,
        contrib_b: np.ndarray,
        rng: np.random.Generator,
        scale: np.ndarray | float = 1.0,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Realised payoffs after this mechanism's rule is applied literally to one round.

        [`settle_round`][allysim.mechanisms.settle_round] calls it once per mechanism, in list
        order, on validated arrays. The default applies
        [`transform`][allysim.mechanisms.Mechanism.transform] to each realised outcome, with
        payoffs per unit of ``scale``: ``scale * transform(pay / scale)`` at the realised
        cell, and the other three cells 0 (so ``transform`` must act cell by cell). Where
        ``scale`` is 0 nothing is at stake and the payoffs are left as they are. A mechanism
        that does not override ``transform`` changes nothing here and draws nothing.

        Parameters
        ----------
        pay_a : numpy.ndarray
            Realised payoffs of partner a, any shape, finite (payoff units).
        pay_b : numpy.ndarray
            Realised payoffs of partner b, the shape of ``pay_a``.
        contrib_a : numpy.ndarray
            Boolean, the shape of ``pay_a``: True where a contributed.
        contrib_b : numpy.ndarray
            Boolean, the shape of ``pay_a``: True where b contributed.
        rng : numpy.random.Generator
            Source of any random draws of the rule (the default draws none).
        scale : numpy.ndarray or float, default 1.0
            Stakes, >= 0, by which amounts in the rule are multiplied; broadcastable to the
            shape of ``pay_a``.

        Returns
        -------
        pay_a : numpy.ndarray
            Partner a's payoffs after the rule (the inputs are not changed).
        pay_b : numpy.ndarray
            Partner b's payoffs after the rule.
        enforcement : numpy.ndarray or None
            Enforcement cost per partner this rule adds, the shape of ``pay_a``, or None for
            none.

        Raises
        ------
        ValueError
            ``transform`` raises it, e.g. for a payoff beyond the float range.

        Examples
        --------
        >>> import numpy as np
        >>> from allysim.mechanisms import ProfitSharing
        >>> rng = np.random.default_rng(0)
        >>> args = (np.array([4.0]), np.array([0.0]), np.array([True]), np.array([False]), rng)
        >>> Mechanism().settle(*args)[0].tolist()  # the base changes nothing
        [4.0]
        >>> a, b, cost = ProfitSharing(0.5).settle(*args)  # half of each payoff pooled
        >>> a.tolist(), b.tolist(), cost
        ([3.0], [1.0], None)
        """
        if type(self).transform is Mechanism.transform:
            return pay_a, pay_b, None
        shape = np.shape(pay_a)
        stakes = np.broadcast_to(np.asarray(scale, dtype=float), shape)
        live = stakes > 0
        unit = np.where(live, stakes, 1.0).ravel()
        cell = (
            np.arange(unit.size),
            (~np.asarray(contrib_a)).astype(np.intp).ravel(),
            (~np.asarray(contrib_b)).astype(np.intp).ravel(),
        )
        row = np.zeros((unit.size, 2, 2))
        col = np.zeros((unit.size, 2, 2))
        row[cell] = np.ravel(pay_a) / unit
        col[cell] = np.ravel(pay_b) / unit
        row, col = self.transform(row, col)
        new_a = np.where(live, (row[cell] * unit).reshape(shape), pay_a)
        new_b = np.where(live, (col[cell] * unit).reshape(shape), pay_b)
        return new_a, new_b, None
