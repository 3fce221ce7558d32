"""One registry of scenarios and strategy sets, used by every caller."""

import numpy as np

import allysim as ally
from allysim import cli, comparison, scenarios
from allysim.abm import TrustModel
from allysim.mechanisms import apply


def test_callers_use_the_one_registry():
    assert cli.trust_scenarios is scenarios.trust_scenarios
    assert cli.DEFAULT_TRUST_SCENARIOS == scenarios.DEFAULT_TRUST_SCENARIOS
    assert comparison.default_scenarios().keys() == scenarios.comparison_scenarios().keys()
    game = comparison.standard_partnership_game()
    assert comparison.default_strategies(game) == scenarios.comparison_strategies(game)
    model = TrustModel(n_organizations=10, seed=1)
    assert tuple(model.strategy_names) == scenarios.TRUST_MODEL_STRATEGIES


def test_trust_scenarios_vary_one_thing_each():
    shadows = {
        name: [m.continuation for m in mechs if isinstance(m, ally.ShadowOfFuture)]
        for name, mechs in scenarios.trust_scenarios().items()
    }
    for name, shadow in shadows.items():
        expect = scenarios.LONG_SHADOW if name.startswith("long-shadow") else scenarios.BASE_SHADOW
        assert shadow == [expect], name
    assert set(scenarios.TRUST_SCENARIO_NOTES) == set(shadows)
    assert set(scenarios.DEFAULT_TRUST_SCENARIOS) <= set(shadows)


def test_fresh_objects_on_each_call():
    a, b = scenarios.comparison_scenarios(), scenarios.comparison_scenarios()
    assert a == b and a is not b and a["sanctions"] is not b["sanctions"]


def test_tournament_and_evolution_sets():
    names = [s.name for s in scenarios.tournament_strategies(ally.PrisonersDilemma())]
    assert names[: len(ally.CLASSIC)] == [s.name for s in ally.CLASSIC]
    assert len(set(names)) == len(names)
    assert set(scenarios.EVOLUTION_STRATEGIES) <= {"ALLC", "ALLD", "TFT", "WSLS", "GRIM"}


def test_light_sanction_and_sharing_what_the_combination_does_and_does_not_do():
    # Hand-derived: the expected fine 0.8 x 1.5 = 1.2 is burned, then 0.4 of each payoff is
    # pooled. The docstring once said the pair is "together above" the dominance threshold;
    # it makes contributing the best reply to a contributor, not a dominant move.
    game = comparison.standard_partnership_game()  # R=1.5 S=-2 T=3 P=0
    mechs = scenarios.comparison_scenarios()["light sanction + sharing"]
    payoffs = apply(game, mechs).game.payoff_vector
    R, S, T, P = payoffs
    assert np.allclose(payoffs, (1.5, -1.24, 1.04, -1.2))
    assert R > T and S < P
    for alone in mechs:
        R1, _, T1, _ = apply(game, [alone]).game.payoff_vector
        assert T1 > R1  # 1.8 (sanction) and 2.0 (sharing)
        assert alone.margin(game) < 0
