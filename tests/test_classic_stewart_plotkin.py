"""Stewart & Plotkin (2013): generous ZD residents resist more mutants as the population grows,
extortionate ones fewer. Small sample of uniform memory-one mutants; published-size runs are in
docs/scripts/classic_zd.py."""

import math

import numpy as np
import pytest

from allysim import PrisonersDilemma, expected_payoffs
from allysim.equilibria import robustness
from allysim.evolution import fixation_probability
from allysim.strategies import extortionate, generous

GAME = PrisonersDilemma()
MUTANTS = np.random.default_rng(2013).random((150, 5))


def _shares(resident, sizes, rule="fermi", selection=1.0):
    return [
        robustness(resident, MUTANTS, GAME, population=n, selection=selection, rule=rule).share
        for n in sizes
    ]


@pytest.mark.parametrize(("rule", "selection"), [("fermi", 1.0), ("moran", 0.1)])
def test_extortion_loses_and_generosity_gains_robustness_as_n_grows(rule, selection):
    ext = _shares(extortionate(GAME, chi=3), (2, 5, 100), rule, selection)
    gen = _shares(generous(GAME, chi=2), (2, 5, 100), rule, selection)
    # N = 2: the mutant meets only the resident, so it is favoured iff it out-earns it. An
    # extortioner never earns less than its partner and a generous strategy never more: exact
    # shares 1 and 0 (ties have probability zero for uniform mutants).
    assert ext[0] == 1.0 and gen[0] == 0.0
    # Large N: the mutant mostly meets residents and copies of itself play little role; the
    # order reverses (Stewart & Plotkin's figure 1).
    assert ext[2] < 0.15 and gen[2] == 1.0
    assert ext[0] > ext[1] > ext[2] and gen[0] < gen[1] <= gen[2]


def test_robustness_uses_the_exact_fixation_probability():
    resident = generous(GAME, chi=2)
    mutant = MUTANTS[:1]
    res = robustness(resident, mutant, GAME, population=30, selection=0.5)
    (a_mr,), (a_rm,) = (v[:, 0] for v in expected_payoffs(mutant, resident, GAME))
    a_mm = expected_payoffs(mutant, mutant, GAME)[0][0, 0]
    a_rr = expected_payoffs(resident, resident, GAME)[0][0, 0]
    matrix = np.array([[a_mm, a_mr], [a_rm, a_rr]])
    rho = fixation_probability(matrix, 0, 1, population=30, selection=0.5)
    assert math.exp(res.log_fixation[0]) == pytest.approx(rho, rel=1e-12)
    assert res.robust[0] == (rho <= 1 / 30)


def test_neutral_mutant_counts_as_not_invading():
    resident = extortionate(GAME, chi=3)
    res = robustness(resident, [resident], GAME, population=50, selection=2.0)
    assert res.log_fixation[0] == pytest.approx(-math.log(50), abs=1e-12)
    assert res.share == 1.0
    with pytest.raises(ValueError, match="mutants must hold at least one"):
        robustness(resident, [], GAME, population=50, selection=1.0)
    with pytest.raises(ValueError, match="population must be an integer >= 2"):
        robustness(resident, MUTANTS, GAME, population=1, selection=1.0)
