"""Mechanisms that change the repeated-game settings: horizon, monitoring, clarity, reputation.

Each overrides [`adjust`][allysim.mechanisms.Mechanism.adjust] only; none changes the stage game.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import ClassVar

from allysim._validation import check_interval, check_probability
from allysim.games import StageGame
from allysim.mechanisms.base import Mechanism, RepeatedSettings, _check_settings
from allysim.mechanisms.thresholds import continuation_threshold

__all__ = ["Communication", "Monitoring", "Reputation", "ShadowOfFuture"]

_RENAMED = (
    "Monitoring's perception_error is deprecated; use perception_noise (the name the kernels "
    "and the trust model use)"
)


class _SettingMechanism(Mechanism):
    """A mechanism that sets one field of the repeated-game settings to its own value.

    A subclass is a frozen dataclass whose key parameter has the name of a field of
    [`RepeatedSettings`][allysim.mechanisms.RepeatedSettings], given in ``_setting``. By default
    the parameter is a probability in [0, 1], checked when the mechanism is built.

    Examples
    --------
    >>> from allysim.mechanisms import Communication, RepeatedSettings
    >>> s = RepeatedSettings(continuation=None, perception_noise=0.2)
    >>> Communication(0.5).adjust(s).clarity
    0.5
    """

    _setting: ClassVar[str]

    def __post_init__(self) -> None:
        name = self._setting
        object.__setattr__(self, name, check_probability(getattr(self, name), name))

    def adjust(self, settings: RepeatedSettings) -> RepeatedSettings:
        """Set the settings' field named after this mechanism's key parameter to its value.

        ShadowOfFuture sets ``continuation``, Monitoring ``perception_noise`` (it replaces the
        one given to ``apply``), Communication ``clarity`` (``apply`` scales the final
        perception noise by ``1 - clarity``) and Reputation ``visibility`` (used by the trust
        model).

        Parameters
        ----------
        settings : RepeatedSettings
            The settings before this mechanism.

        Returns
        -------
        RepeatedSettings
            The settings with that one field replaced.

        Raises
        ------
        TypeError
            ``settings`` is not a [`RepeatedSettings`][allysim.mechanisms.RepeatedSettings].

        Examples
        --------
        >>> from allysim.mechanisms import (
        ...     Communication, Monitoring, RepeatedSettings, Reputation, ShadowOfFuture,
        ... )
        >>> s = RepeatedSettings(continuation=None, perception_noise=0.2)
        >>> ShadowOfFuture(0.8).adjust(s).continuation
        0.8
        >>> Monitoring(0.05).adjust(s).perception_noise
        0.05
        >>> Communication(0.5).adjust(s).clarity
        0.5
        >>> Reputation(0.8).adjust(s).visibility
        0.8
        """
        name = self._setting
        return replace(_check_settings(settings), **{name: getattr(self, name)})


@dataclass(frozen=True)
class ShadowOfFuture(_SettingMechanism):
    """Repeated interaction: the partnership continues after each round with probability w.

    A long shadow of the future (w near 1) makes tomorrow's cooperation worth today's restraint.
    Its threshold is [`continuation_threshold`][allysim.mechanisms.continuation_threshold] for GRIM.

    Parameters
    ----------
    continuation : float
        Probability w in [0, 1) that the partnership continues after a round (expected length
        ``1 / (1 - w)`` rounds).

    Raises
    ------
    TypeError
        ``continuation`` is not a real number.
    ValueError
        ``continuation`` is outside [0, 1) or not finite.

    Examples
    --------
    >>> ShadowOfFuture(0.9).continuation
    0.9
    """

    continuation: float
    kind: ClassVar[str] = "shadow_of_future"
    _setting: ClassVar[str] = "continuation"

    def __post_init__(self) -> None:
        w = check_interval(self.continuation, "continuation", 0.0, 1.0, high_open=True)
        object.__setattr__(self, "continuation", w)

    def threshold(self, game: StageGame) -> float:
        """Least w at which GRIM against GRIM is an equilibrium.

        See [`continuation_threshold`][allysim.mechanisms.continuation_threshold].

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            The least continuation probability, >= 0.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> ShadowOfFuture(0.9).threshold(PrisonersDilemma())  # (5 - 3) / (5 - 1)
        0.5
        """
        return continuation_threshold(game, "GRIM")

    def margin(self, game: StageGame) -> float:
        """This mechanism's w minus its threshold.

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            ``continuation - threshold(game)``; > 0: GRIM is an equilibrium.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> ShadowOfFuture(0.9).margin(PrisonersDilemma())
        0.4
        """
        return self.continuation - self.threshold(game)


@dataclass(frozen=True, init=False)
class Monitoring(_SettingMechanism):
    """Transparent observation of the partner: perception noise eta (chance to misread a move).

    Parameters
    ----------
    perception_noise : float
        Probability in [0, 1] of misreading the partner's move; it replaces the
        ``perception_noise`` given to [`apply`][allysim.mechanisms.apply] (the name the kernels
        and the trust model use). It may be given by position, ``Monitoring(0.01)``.
    perception_error : float or None, default None
        Deprecated keyword alias of ``perception_noise`` (a ``DeprecationWarning``); the
        attribute of that name still reads ``perception_noise``, with the same warning.

    Raises
    ------
    TypeError
        The value is not a real number, or neither or both names are given.
    ValueError
        The value is outside [0, 1] or not finite.

    Examples
    --------
    >>> Monitoring(0.01).perception_noise
    0.01
    >>> Monitoring(perception_noise=0.01) == Monitoring(0.01)
    True
    """

    perception_noise: float
    kind: ClassVar[str] = "monitoring"
    _setting: ClassVar[str] = "perception_noise"

    def __init__(
        self, perception_noise: float | None = None, *, perception_error: float | None = None
    ) -> None:
        name = "perception_noise"
        if perception_error is not None:
            if perception_noise is not None:
                raise TypeError(
                    "Monitoring takes perception_noise (perception_error is its deprecated "
                    "name), not both"
                )
            warnings.warn(_RENAMED, DeprecationWarning, stacklevel=2)
            perception_noise, name = perception_error, "perception_error"
        elif perception_noise is None:
            raise TypeError("Monitoring needs perception_noise, a probability in [0, 1]")
        object.__setattr__(self, "perception_noise", check_probability(perception_noise, name))

    @property
    def perception_error(self) -> float:
        """Deprecated name of ``perception_noise`` (a ``DeprecationWarning``)."""
        warnings.warn(_RENAMED, DeprecationWarning, stacklevel=2)
        return self.perception_noise


@dataclass(frozen=True)
class Communication(_SettingMechanism):
    """The binding element: clearer communication lowers perception noise to ``eta (1 - clarity)``.

    In the trust model it also speeds verification.

    Parameters
    ----------
    clarity : float
        Clarity in [0, 1]: the share of misperceptions communication removes.

    Raises
    ------
    TypeError
        ``clarity`` is not a real number.
    ValueError
        ``clarity`` is outside [0, 1] or not finite.

    Examples
    --------
    >>> Communication(0.5).clarity
    0.5
    """

    clarity: float
    kind: ClassVar[str] = "communication"
    _setting: ClassVar[str] = "clarity"


@dataclass(frozen=True)
class Reputation(_SettingMechanism):
    """Observable track record: the share of a partner's history others can see.

    It has no stage-game effect; the trust model uses it in partner choice.

    Parameters
    ----------
    visibility : float
        Share in [0, 1] of a partner's history that others can see.

    Raises
    ------
    TypeError
        ``visibility`` is not a real number.
    ValueError
        ``visibility`` is outside [0, 1] or not finite.

    Examples
    --------
    >>> Reputation(0.8).visibility
    0.8
    """

    visibility: float
    kind: ClassVar[str] = "reputation"
    _setting: ClassVar[str] = "visibility"
