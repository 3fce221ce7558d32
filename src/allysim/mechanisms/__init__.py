"""Incentive mechanisms that keep partners contributing, as composable immutable objects.

Each mechanism models one idea from the partnership literature and enters the game in one of two
ways: it transforms the stage game (sanctions, bonds, profit sharing) or it changes the
repeated-game settings (shadow of the future, monitoring, communication, reputation).
[`apply`][allysim.mechanisms.apply] composes a list of them, in order, into a
[`MechanismSetup`][allysim.mechanisms.MechanismSetup] whose
[`play_settings`][allysim.mechanisms.MechanismSetup.play_settings] go straight to the kernels.
Users write their own mechanisms by subclassing [`Mechanism`][allysim.mechanisms.Mechanism],
which documents the protocol.

Analytic thresholds (the least continuation probability, fine, bond or profit share that makes
contributing an equilibrium or dominant) come with each mechanism, so a benchmark can show
simulation next to theory. Thresholds are never negative: where the bare game already has the
property, the least value is 0; where no value in the parameter's range gives it, they are
``inf`` (or, for a probability, a value >= 1).

Modules: ``base`` (the protocol and ``RepeatedSettings``), ``thresholds``, ``forfeit`` (the rule
Sanction and Bond share), ``stage`` (Sanction, Bond, ProfitSharing), ``repeated``
(ShadowOfFuture, Monitoring, Communication, Reputation), ``setup`` (``apply``,
``MechanismSetup``) and ``simulation`` (``settle_round``, ``simulate_mechanisms``). Every public
name is importable from ``allysim.mechanisms``.
"""

from __future__ import annotations

from allysim.mechanisms.base import Mechanism, RepeatedSettings
from allysim.mechanisms.repeated import Communication, Monitoring, Reputation, ShadowOfFuture
from allysim.mechanisms.setup import MechanismSetup, apply
from allysim.mechanisms.simulation import settle_round, simulate_mechanisms
from allysim.mechanisms.stage import Bond, ProfitSharing, Sanction
from allysim.mechanisms.thresholds import (
    bond_threshold,
    continuation_threshold,
    profit_share_threshold,
    sanction_threshold,
)

__all__ = [
    "Bond",
    "Communication",
    "Mechanism",
    "MechanismSetup",
    "Monitoring",
    "ProfitSharing",
    "RepeatedSettings",
    "Reputation",
    "Sanction",
    "ShadowOfFuture",
    "apply",
    "bond_threshold",
    "continuation_threshold",
    "profit_share_threshold",
    "sanction_threshold",
    "settle_round",
    "simulate_mechanisms",
]
