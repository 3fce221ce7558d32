"""Composition: [`apply`][allysim.mechanisms.apply] turns a game and mechanisms into a setup.

[`MechanismSetup`][allysim.mechanisms.MechanismSetup] holds the transformed game and settings,
ready for the kernels through [`play_settings`][allysim.mechanisms.MechanismSetup.play_settings].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from allysim._validation import as_float_array, check_game
from allysim.games import StageGame
from allysim.kernels import PlaySettings
from allysim.mechanisms.base import Mechanism, RepeatedSettings

__all__ = ["MechanismSetup", "apply"]


_KNOWN = "ShadowOfFuture, Monitoring, Sanction, Bond, ProfitSharing, Communication or Reputation"


def _check_mechanisms(mechanisms: Any, name: str = "mechanisms") -> tuple[Mechanism, ...]:
    """A tuple of Mechanism objects, at most one of each kind (a single one is wrapped)."""
    if isinstance(mechanisms, Mechanism):
        return (mechanisms,)
    if isinstance(mechanisms, str | bytes) or not isinstance(mechanisms, Sequence):
        raise TypeError(
            f"{name} must be a sequence of mechanism objects ({_KNOWN}), got "
            f"{type(mechanisms).__name__}"
        )
    items = tuple(mechanisms)
    seen: set[str] = set()
    for m in items:
        if not isinstance(m, Mechanism):
            raise ValueError(f"unknown mechanism {m!r}: {name} must hold {_KNOWN} objects")
        if m.kind in seen:
            raise ValueError(
                f"two {type(m).__name__} mechanisms in one scenario ({name}) would be counted "
                "twice; combine them into one"
            )
        seen.add(m.kind)
    return items


@dataclass(frozen=True)
class MechanismSetup:
    """A stage game and repeated-game settings after a list of mechanisms has been applied.

    Built by [`apply`][allysim.mechanisms.apply]; the fields are validated when built directly.

    Parameters
    ----------
    game : StageGame
        The transformed 2x2 stage game (expected payoffs including fines, forfeits, sharing).
    base_game : StageGame
        The 2x2 game before the mechanisms.
    continuation : float or None
        Continuation probability in [0, 1), or None (then use a finite horizon).
    perception_noise : float
        Chance in [0, 1] to misread a partner's move, after monitoring and communication.
    enforcement_cost_per_defection : float
        Expected enforcement cost per defection, >= 0, in payoff units (welfare only).
    visibility : float
        Reputation visibility in [0, 1] (used by the trust model).
    clarity : float
        Communication clarity in [0, 1] (used by the trust model).
    mechanisms : tuple of Mechanism, default ()
        The mechanisms, in the order applied.

    Raises
    ------
    TypeError
        A game is not a StageGame, a number is not a real number, or ``mechanisms`` holds
        something else than mechanisms.
    ValueError
        A game is not 2x2, or a number is out of range or not finite.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.mechanisms import Communication, Monitoring, apply
    >>> setup = apply(PrisonersDilemma(), [Monitoring(0.1), Communication(0.5)])
    >>> setup.perception_noise, setup.clarity
    (0.05, 0.5)
    """

    game: StageGame
    base_game: StageGame
    continuation: float | None
    perception_noise: float
    enforcement_cost_per_defection: float
    visibility: float
    clarity: float
    mechanisms: tuple[Mechanism, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("game", "base_game"):
            game = check_game(getattr(self, name), name)
            if game.shape != (2, 2):
                raise ValueError(f"{name} must be a 2x2 game, got shape {game.shape}")
        # Through RepeatedSettings for the same checks and messages.
        RepeatedSettings(
            self.continuation,
            self.perception_noise,
            clarity=self.clarity,
            visibility=self.visibility,
            enforcement_cost_per_defection=self.enforcement_cost_per_defection,
        )
        for name in ("perception_noise", "clarity", "visibility", "enforcement_cost_per_defection"):
            object.__setattr__(self, name, float(getattr(self, name)))
        if self.continuation is not None:
            object.__setattr__(self, "continuation", float(self.continuation))
        object.__setattr__(self, "mechanisms", _check_mechanisms(self.mechanisms))

    def kernel_options(self) -> dict[str, Any]:
        """Keyword arguments for the kernels' ``expected_payoffs`` (no horizon if None).

        Deprecated: use [`play_settings`][allysim.mechanisms.MechanismSetup.play_settings],
        whose [`PlaySettings`][allysim.kernels.PlaySettings] every kernel function accepts as
        ``settings=`` (it also carries the horizon and the execution noise). Kept working for
        existing code; it warns nothing.

        Returns
        -------
        dict
            ``perception_noise``, and ``continuation`` when it is not None.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> from allysim.mechanisms import ShadowOfFuture, apply
        >>> apply(PrisonersDilemma(), [ShadowOfFuture(0.9)]).kernel_options()
        {'perception_noise': 0.0, 'continuation': 0.9}
        """
        out: dict[str, Any] = {"perception_noise": self.perception_noise}
        if self.continuation is not None:
            out["continuation"] = self.continuation
        return out

    def play_settings(self, *, rounds: int | None = None, noise: float = 0.0) -> PlaySettings:
        """The [`PlaySettings`][allysim.kernels.PlaySettings] these mechanisms produce.

        The continuation and perception noise come from the mechanisms; ``rounds`` is used only
        when no mechanism set a continuation (otherwise the shadow of the future sets the
        horizon), and ``noise`` is the execution noise, which no mechanism changes.

        Parameters
        ----------
        rounds : int or None, default None
            Rounds per partnership when there is no continuation (None: limit of means).
        noise : float, default 0.0
            Execution noise in [0, 1].

        Returns
        -------
        PlaySettings
            To pass as ``settings=`` to any kernel function.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> from allysim.mechanisms import Monitoring, ShadowOfFuture, apply
        >>> setup = apply(PrisonersDilemma(), [ShadowOfFuture(0.9), Monitoring(0.02)])
        >>> setup.play_settings(rounds=50, noise=0.01)
        PlaySettings(rounds=None, continuation=0.9, noise=0.01, perception_noise=0.02)
        """
        return PlaySettings(
            rounds=rounds if self.continuation is None else None,
            continuation=self.continuation,
            noise=noise,
            perception_noise=self.perception_noise,
        )

    def welfare(self, outcomes: np.ndarray) -> np.ndarray:
        """Welfare per partner per round from outcome frequencies.

        The mean of both partners' payoffs in the transformed game (burned fines and unsalvaged
        stakes already subtracted) minus the expected enforcement cost.

        Parameters
        ----------
        outcomes : numpy.ndarray
            Outcome frequencies, shape (..., 4), in the order CC, CD, DC, DD (row's move
            first): finite and >= 0, normally summing to 1 over the last axis (per-match
            estimates of a discounted match may not).

        Returns
        -------
        numpy.ndarray
            Welfare, shape ``outcomes.shape[:-1]``, in payoff units per partner per round.

        Raises
        ------
        TypeError
            ``outcomes`` does not hold real numbers.
        ValueError
            The last axis is not of length 4, or a frequency is negative or not finite.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> from allysim.mechanisms import Sanction, apply
        >>> setup = apply(PrisonersDilemma(), [Sanction(fine=2, detection=1.0)])
        >>> float(setup.welfare([0.0, 0.0, 0.0, 1.0]))  # mutual withholding, both fined 2
        -1.0
        """
        outcomes = as_float_array(outcomes, "outcomes")
        if outcomes.ndim < 1 or outcomes.shape[-1] != 4:
            raise ValueError(
                f"outcomes must have shape (..., 4) (CC, CD, DC, DD), got {outcomes.shape}"
            )
        if np.any(outcomes < 0):
            raise ValueError("outcomes must be frequencies >= 0")
        u_row, u_col = self.game.outcome_payoffs()
        mean_payoff = outcomes @ ((u_row + u_col) / 2)
        defection = (outcomes[..., 2] + outcomes[..., 3] + outcomes[..., 1] + outcomes[..., 3]) / 2
        return mean_payoff - self.enforcement_cost_per_defection * defection

    def margins(self) -> dict[str, float]:
        """Each mechanism's key parameter minus its analytic threshold, by mechanism kind.

        Mechanisms without a threshold are left out.

        Returns
        -------
        dict
            ``{kind: margin}``; a margin > 0 means the parameter is above its threshold.

        Raises
        ------
        ValueError
            ``base_game`` is not symmetric and a mechanism has a threshold.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> from allysim.mechanisms import Sanction, apply
        >>> apply(PrisonersDilemma(), [Sanction(fine=4.5, detection=0.5)]).margins()
        {'sanction': 0.5}
        """
        out = {}
        for m in self.mechanisms:
            value = m.margin(self.base_game)
            if value is not None:
                out[m.kind] = value
        return out


def apply(
    game: StageGame,
    mechanisms: Sequence[Mechanism] = (),
    *,
    continuation: float | None = None,
    perception_noise: float = 0.0,
) -> MechanismSetup:
    """Apply mechanisms in order to a 2x2 stage game and to the repeated-game settings.

    ``continuation`` and ``perception_noise`` are the settings without mechanisms (a
    [`ShadowOfFuture`][allysim.mechanisms.ShadowOfFuture] or
    [`Monitoring`][allysim.mechanisms.Monitoring] replaces them). Stage-game transforms apply in
    list order (a sanction before profit sharing is shared; after it is not). Communication scales
    the final perception noise by ``1 - clarity`` wherever it stands in the list. Two mechanisms
    of one kind raise ``ValueError``: they would be counted twice.

    Parameters
    ----------
    game : StageGame
        A 2x2 stage game (it need not be symmetric; thresholds do need a symmetric one).
    mechanisms : sequence of Mechanism, default ()
        The mechanisms, in order (a single mechanism is also accepted); at most one per kind.
    continuation : float or None, default None
        Continuation probability in [0, 1) without mechanisms; None: a finite horizon.
    perception_noise : float, default 0.0
        Probability in [0, 1] of misreading the partner's move without mechanisms.

    Returns
    -------
    MechanismSetup
        The transformed game and settings.

    Raises
    ------
    TypeError
        ``game`` is not a StageGame, ``mechanisms`` is not a sequence, or a number is not a real
        number.
    ValueError
        ``game`` is not 2x2, ``mechanisms`` holds something else than mechanisms or two of one
        kind, a number is out of range, or the transformed payoffs overflow.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.mechanisms import Sanction, ShadowOfFuture, apply
    >>> s = apply(PrisonersDilemma(), [Sanction(fine=4, detection=0.5), ShadowOfFuture(0.9)])
    >>> s.game.payoff_vector, s.continuation
    ((3.0, 0.0, 3.0, -1.0), 0.9)
    """
    game = check_game(game, "game")
    if game.shape != (2, 2):
        raise ValueError(f"game must be a 2x2 game, got shape {game.shape}")
    mechanisms = _check_mechanisms(mechanisms, "mechanisms")
    settings = RepeatedSettings(continuation, perception_noise)
    row, col = np.array(game.row_payoffs), np.array(game.col_payoffs)
    for m in mechanisms:
        row, col = m.transform(row, col)
        settings = m.adjust(settings)
    new_game = StageGame(row, col, game.row_actions, game.col_actions)
    return MechanismSetup(
        game=new_game,
        base_game=game,
        continuation=settings.continuation,
        perception_noise=settings.perception_noise * (1 - settings.clarity),
        enforcement_cost_per_defection=settings.enforcement_cost_per_defection,
        visibility=settings.visibility,
        clarity=settings.clarity,
        mechanisms=mechanisms,
    )
