"""Value objects pickle and deep-copy to equal objects: worker processes (batch_run, sweeps,
sensitivity with processes) receive them pickled."""

import copy
import pickle

import pytest

import allysim as ally
from allysim.abm import (
    Consortia,
    Governance,
    Metrics,
    SpecificInvestment,
    StakeholderPressure,
    Standing,
    TrustParams,
    ValueCreation,
)
from allysim.consortia import PublicGoodsGame
from allysim.scenarios import trust_scenarios

PARTS = {
    "investment": SpecificInvestment(rate=0.3, lock_in=2.0),
    # Its checked decision table is a read-only mapping proxy, which pickle refuses: Governance
    # could not be sent to a worker process up to 0.4.0.
    "governance": Governance(decision_rights="consensus", early_warning=0.3, review_every=4),
    "governance_table": Governance(decision_table={"mine": (0.9, 0.2)}, decision_rights="mine"),
    "value_creation": ValueCreation(),
    "stakeholders": StakeholderPressure(association_reward=0.5, scrutiny=0.1),
    "metrics": Metrics(),
    "standing": Standing("L1"),
    "consortia": Consortia(),
}
MECHANISMS = {name: tuple(ms) for name, ms in trust_scenarios().items()}
OTHERS = {
    "params_all_parts": TrustParams(
        n_organizations=20,
        investment=PARTS["investment"],
        governance=PARTS["governance"],
        value_creation=PARTS["value_creation"],
        stakeholders=PARTS["stakeholders"],
        metrics=PARTS["metrics"],
        culture="hofstede",
    ),
    "public_goods": PublicGoodsGame(5),
    "strategies": (ally.TFT, ally.WSLS, ally.GRIM, ally.GTFT(ally.PrisonersDilemma())),
    "sanction": ally.Sanction(3, 0.8),
}


@pytest.mark.parametrize(
    "value",
    [*PARTS.values(), *MECHANISMS.values(), *OTHERS.values()],
    ids=[*PARTS, *MECHANISMS, *OTHERS],
)
def test_round_trips_to_an_equal_object(value):
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.deepcopy(value) == value


def test_governance_keeps_its_table_read_only_after_a_round_trip():
    g = pickle.loads(pickle.dumps(PARTS["governance_table"]))
    assert dict(g.decision_table) == {"mine": (0.9, 0.2)}
    with pytest.raises(TypeError):
        g.decision_table["other"] = (0.5, 0.5)  # type: ignore[index]


@pytest.mark.parametrize(
    "value",
    [*PARTS.values(), *MECHANISMS.values(), *OTHERS.values()],
    ids=[*PARTS, *MECHANISMS, *OTHERS],
)
def test_hashes_equal_after_a_round_trip(value):
    # Frozen dataclasses are hashable; Governance was not (its table is a mapping proxy), so
    # TrustParams with governance could not key a dict, and batch_run's rows swept over
    # governance could not be grouped by it: TypeError unhashable type 'mappingproxy'.
    assert hash(pickle.loads(pickle.dumps(value))) == hash(value)
    assert hash(copy.copy(value)) == hash(value)


def test_equal_governances_hash_equal():
    a = Governance(decision_table={"x": (0.5, 1.0), "y": (1.0, 0.5)}, review_every=3)
    b = Governance(decision_table={"y": (1.0, 0.5), "x": (0.5, 1.0)}, review_every=3)
    assert a == b and hash(a) == hash(b)  # a table is equal whatever its order
    assert len({a, b, Governance(review_every=3), Governance(review_every=4)}) == 3
    runs = {TrustParams(governance=a): 1, TrustParams(governance=Governance()): 2}
    assert runs[TrustParams(governance=b)] == 1
    from dataclasses import replace

    assert hash(replace(a, review_every=4)) == hash(
        Governance(decision_table={"x": (0.5, 1.0), "y": (1.0, 0.5)}, review_every=4)
    )
