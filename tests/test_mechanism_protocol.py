"""The public Mechanism protocol: mechanisms written outside the package work everywhere.

Two user-defined mechanisms, each with a built-in twin that serves as the oracle:

* ``WarrantyClause(coverage)``: a contributor whose partner withholds is refunded ``coverage``
  of its loss (``-S``) by the withholder. On a game with a fixed sucker's payoff it is
  ``Sanction(fine=coverage * -S, detection=1, transfer=True)`` (the fines of two withholders
  cancel). Its analytic threshold is the least coverage at which mutual contribution is a Nash
  equilibrium of the stage game, ``T - coverage * (-S) <= R``.
* ``JointVentureEquity(equity)``: each partner pays ``equity`` of its result into a joint
  venture owned half by each: the economics of ``ProfitSharing(equity)``, written by a user.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

import allysim
from allysim.abm import TrustModel
from allysim.comparison import standard_partnership_game
from allysim.kernels import expected_payoffs
from allysim.mechanisms import (
    Mechanism,
    Monitoring,
    ProfitSharing,
    RepeatedSettings,
    Sanction,
    apply,
    profit_share_threshold,
    settle_round,
    simulate_mechanisms,
)
from allysim.strategies import ALLD, GRIM, RANDOM, TFT, WSLS


@dataclass(frozen=True)
class WarrantyClause(Mechanism):
    coverage: float
    kind: ClassVar[str] = "warranty"

    def __post_init__(self) -> None:
        if not 0 <= self.coverage <= 1:
            raise ValueError(f"coverage must be in [0, 1], got {self.coverage!r}")

    def transform(self, row, col):
        row, col = np.array(row, dtype=float), np.array(col, dtype=float)
        # Cell (C, D): the row partner contributed alone; cell (D, C): the column partner did.
        to_row = self.coverage * np.maximum(0.0, -row[..., 0, 1])
        to_col = self.coverage * np.maximum(0.0, -col[..., 1, 0])
        row[..., 0, 1] += to_row
        col[..., 0, 1] -= to_row
        col[..., 1, 0] += to_col
        row[..., 1, 0] -= to_col
        return row, col

    def threshold(self, game):
        R, S, T, _ = game.payoff_vector
        if T <= R:
            return 0.0
        return (T - R) / -S if S < 0 else math.inf

    def margin(self, game):
        return self.coverage - self.threshold(game)


@dataclass(frozen=True)
class JointVentureEquity(Mechanism):
    equity: float
    kind: ClassVar[str] = "joint_venture"

    def transform(self, row, col):
        row, col = np.asarray(row, dtype=float), np.asarray(col, dtype=float)
        venture = row / 2 + col / 2  # each owns half of what both pay in
        e = self.equity
        return (1 - e) * row + e * venture, (1 - e) * col + e * venture

    def threshold(self, game):
        return profit_share_threshold(game)

    def margin(self, game):
        return self.equity - self.threshold(game)


@dataclass(frozen=True)
class ThirdPartyAudit(Mechanism):
    """Settings only: an auditor reports the partner's move, wrong with probability ``error``."""

    error: float
    kind: ClassVar[str] = "audit"

    def adjust(self, settings: RepeatedSettings) -> RepeatedSettings:
        from dataclasses import replace

        return replace(settings, perception_noise=self.error)


GAME = standard_partnership_game()  # R = 1.5, S = -2, T = 3, P = 0


def _twin(coverage: float) -> Sanction:
    return Sanction(fine=coverage * 2.0, detection=1.0, transfer=True)


# ---------------------------------------------------------------------------------- apply


@pytest.mark.parametrize("coverage", [0.0, 0.3, 0.75, 1.0])
def test_warranty_through_apply(coverage):
    setup = apply(GAME, [WarrantyClause(coverage)], continuation=0.6, perception_noise=0.1)
    R, S, T, P = GAME.payoff_vector
    assert setup.game.payoff_vector == (R, S + 2 * coverage, T - 2 * coverage, P)
    assert setup.game == apply(GAME, [_twin(coverage)]).game
    assert (setup.continuation, setup.perception_noise) == (0.6, 0.1)
    # (T - R) / -S = 1.5 / 2.
    assert setup.margins() == {"warranty": pytest.approx(coverage - 0.75, abs=1e-15)}
    # A transfer: welfare of any outcome distribution is that of the bare game.
    dist = np.array([[0.1, 0.2, 0.3, 0.4], [0.0, 1.0, 0.0, 0.0]])
    assert np.allclose(setup.welfare(dist), apply(GAME, []).welfare(dist), atol=1e-15)


def test_user_mechanisms_compose_with_builtins_and_keep_kind_rules():
    setup = apply(GAME, [WarrantyClause(1.0), Monitoring(0.02), JointVentureEquity(0.5)])
    twin = apply(GAME, [_twin(1.0), Monitoring(0.02), ProfitSharing(0.5)])
    assert np.allclose(setup.game.row_payoffs, twin.game.row_payoffs, rtol=0, atol=1e-15)
    assert setup.perception_noise == twin.perception_noise == 0.02
    assert set(setup.margins()) == {"joint_venture", "warranty"}
    # Order matters as for built-ins: after sharing, the warranty refunds the shared loss.
    late = apply(GAME, [JointVentureEquity(0.5), WarrantyClause(1.0)]).game.payoff_vector
    assert late[1] == 0.0 and late[1] != setup.game.payoff_vector[1]  # S' = -0.75 fully refunded
    with pytest.raises(ValueError, match="two WarrantyClause mechanisms"):
        apply(GAME, [WarrantyClause(0.1), WarrantyClause(0.2)])


# -------------------------------------------------------------------- compare_mechanisms


@pytest.mark.parametrize("coverage", [0.5, 0.74, 0.76, 1.0])
def test_warranty_equilibrium_flag_matches_its_threshold(coverage):
    """One-shot (continuation 0): contributing is an equilibrium iff T - 2 c <= R, c >= 0.75."""
    df = allysim.compare_mechanisms(
        GAME, {"warranty": [WarrantyClause(coverage)]}, continuation=0.0, progress=False
    )
    row = df.iloc[0]
    margin = coverage - 0.75
    assert row["mechanisms"] == "WarrantyClause"
    assert row["margin_warranty"] == pytest.approx(margin, abs=1e-12)
    assert bool(row["equilibrium"]) == (margin >= 0)
    # The best deviation withholds in the one round: R - (T - 2 c) = 2 x margin.
    assert row["deviation_margin"] == pytest.approx(2 * margin, abs=1e-12)


def test_joint_venture_compares_as_profit_sharing():
    scenarios = {"jv": [JointVentureEquity(0.9)], "ps": [ProfitSharing(0.9)]}
    df = allysim.compare_mechanisms(GAME, scenarios, progress=False).set_index("scenario")
    assert df.loc["jv", "margin_joint_venture"] == pytest.approx(0.9 - 2 * 2 / 5)  # 2 * 2 / (T - S)
    assert np.isnan(df.loc["ps", "margin_joint_venture"])
    same = [
        c
        for c in df.columns
        if c
        not in ("mechanisms", "mechanism_settings", "margin_joint_venture", "margin_profit_sharing")
    ]
    for column in same:
        a, b = df.loc["jv", column], df.loc["ps", column]
        if isinstance(a, float):
            assert a == pytest.approx(b, rel=1e-9, abs=1e-12), column
        else:
            assert a == b, column
    assert bool(df.loc["jv", "equilibrium"])


# ------------------------------------------------------- literal rules: settle, simulate


def test_warranty_settles_as_its_sanction_twin():
    rng = np.random.default_rng(3)
    contrib_a, contrib_b = rng.random((2, 500)) < 0.5
    pay = {  # realised partnership-game payoffs at stakes ``scale``
        (True, True): 1.5,
        (True, False): -2.0,
        (False, True): 3.0,
        (False, False): 0.0,
    }
    scale = rng.choice([0.0, 0.5, 1.0, 4.0], size=500)
    pay_a = np.array([pay[x, y] for x, y in zip(contrib_a, contrib_b, strict=True)]) * scale
    pay_b = np.array([pay[y, x] for x, y in zip(contrib_a, contrib_b, strict=True)]) * scale
    mine = settle_round([WarrantyClause(0.6)], pay_a, pay_b, contrib_a, contrib_b, 0, scale=scale)
    twin = settle_round([_twin(0.6)], pay_a, pay_b, contrib_a, contrib_b, 0, scale=scale)
    for x, y in zip(mine, twin, strict=True):
        assert np.allclose(x, y, rtol=1e-14, atol=1e-14)
    assert not np.allclose(mine[0], pay_a)  # the refunds did move payoffs


@pytest.mark.parametrize(("x", "y"), [(TFT, RANDOM(0.6)), (WSLS, GRIM), (TFT, ALLD)])
def test_simulate_mechanisms_plays_a_user_mechanism_literally(x, y):
    mechanisms = [WarrantyClause(0.6)]
    sim = simulate_mechanisms(
        x, y, GAME, mechanisms, repetitions=300, rounds=20, noise=0.05, seed=9
    )
    twin = simulate_mechanisms(
        x, y, GAME, [_twin(0.6)], repetitions=300, rounds=20, noise=0.05, seed=9
    )
    for key in ("row", "col", "welfare"):
        assert np.allclose(sim[key], twin[key], rtol=0, atol=1e-12), key
    # And the literal rule agrees with the exact kernel on apply(...).game.
    setup = apply(GAME, mechanisms)
    exact_row, _ = expected_payoffs(
        x, y, setup.game, settings=setup.play_settings(rounds=20, noise=0.05)
    )
    se = sim["row"].std(ddof=1) / math.sqrt(300)
    assert abs(sim["row"].mean() - float(exact_row[0, 0])) <= 4 * se + 1e-9


# ------------------------------------------------------------------------- trust model


def _run(mechanisms, steps=15):
    model = TrustModel(n_organizations=40, mechanisms=mechanisms, seed=5)
    return model.run(steps, progress=False)


def test_trust_model_takes_a_settings_mechanism():
    audited = _run([ThirdPartyAudit(0.01)])
    assert audited.equals(_run([Monitoring(0.01)]))
    assert not audited.equals(_run([]))  # the default perception noise is 0.05


def test_trust_model_settles_a_stage_mechanism():
    mine = _run([JointVentureEquity(0.8)])
    twin = _run([ProfitSharing(0.8)])
    assert not twin.equals(_run([]))
    numeric = twin.select_dtypes("number").columns
    assert np.allclose(mine[numeric], twin[numeric], rtol=1e-9, atol=1e-9, equal_nan=True)
