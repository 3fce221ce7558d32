import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allysim import (
    ALLC,
    ALLD,
    GRIM,
    GTFT,
    RANDOM,
    STFT,
    TF2T,
    TFT,
    WSLS,
    FiniteStateStrategy,
    MemoryOne,
    PrisonersDilemma,
    deterministic_memory_one,
    expected_payoffs,
    extortionate,
    generous,
    zero_determinant,
)
from allysim.strategies import memory_one_array, zd_phi_range
from strategies_hyp import memory_one


def test_zoo_vectors():
    assert ALLC.vector.tolist() == [1, 1, 1, 1, 1]
    assert ALLD.vector.tolist() == [0, 0, 0, 0, 0]
    assert TFT.vector.tolist() == [1, 0, 1, 0, 1]
    assert STFT.vector.tolist() == [1, 0, 1, 0, 0]
    assert WSLS.vector.tolist() == [1, 0, 0, 1, 1]
    assert RANDOM(0.3).vector.tolist() == [0.3] * 5
    assert GRIM.output == (1.0, 0.0) and TF2T.output == (1.0, 1.0, 0.0)


def test_gtft_generosity_from_payoffs():
    assert GTFT().p[1] == pytest.approx(1 / 3)
    # R=3, S=0, T=4, P=1: min(1 - 1/3, 2/3) = 2/3
    assert GTFT(PrisonersDilemma(3, 0, 4, 1)).p[3] == pytest.approx(2 / 3)


def test_press_dyson_extort3():
    s = extortionate(PrisonersDilemma(), chi=3)
    assert np.allclose(s.p, [11 / 13, 1 / 2, 7 / 26, 0])
    assert zd_phi_range(PrisonersDilemma(), 3, 1)[1] == pytest.approx(1 / 13)


def test_zd_feasibility_is_checked():
    with pytest.raises(ValueError, match=r"phi must lie in \(0, 0.0769"):
        zero_determinant(PrisonersDilemma(), chi=3, phi=0.2, baseline=1)
    with pytest.raises(ValueError, match="chi must be >= 1"):
        extortionate(chi=0.5)
    with pytest.raises(ValueError, match="no zero-determinant"):
        # A baseline above R cannot be enforced.
        zd_phi_range(PrisonersDilemma(), chi=2, baseline=4)
    g = generous(PrisonersDilemma(), chi=2)
    assert g.p[0] == 1.0


def test_memory_one_validation():
    with pytest.raises(ValueError, match="p must contain probabilities"):
        MemoryOne((1.2, 0, 0, 0))
    with pytest.raises(ValueError, match="finite"):
        MemoryOne((np.nan, 0, 0, 0))
    with pytest.raises(ValueError, match=r"shape \(4\)"):
        MemoryOne((1, 0, 0))
    with pytest.raises(ValueError, match="p0"):
        MemoryOne((1, 0, 0, 0), p0=-0.1)
    with pytest.raises(ValueError, match="p must be a probability"):
        RANDOM(2)
    with pytest.raises(ValueError, match=r"shape \(n, 5\)"):
        memory_one_array(np.ones((3, 4)))


def test_finite_state_validation():
    with pytest.raises(ValueError, match="next must hold integer states"):
        FiniteStateStrategy(output=(1, 0), next=np.full((2, 2, 2), 2))
    with pytest.raises(ValueError, match=r"shape \(2, 2, 2\)"):
        FiniteStateStrategy(output=(1, 0), next=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="initial"):
        FiniteStateStrategy(output=(1, 0), next=np.zeros((2, 2, 2)), initial=5)
    with pytest.raises(ValueError, match="output"):
        FiniteStateStrategy(output=(1.5,), next=np.zeros((1, 2, 2)))


def test_sixteen_deterministic_strategies():
    zoo = deterministic_memory_one()
    assert len(zoo) == 16 and len({s.p for s in zoo}) == 16
    assert all(s.p0 == s.p[0] for s in zoo)
    assert {s.name for s in zoo} >= {"M1010", "M1001", "M0000"}


def test_strategies_are_hashable_and_picklable():
    import pickle

    assert pickle.loads(pickle.dumps(GRIM)) == GRIM
    assert pickle.loads(pickle.dumps(TFT)) == TFT
    assert len({TFT, TFT, WSLS}) == 2


@given(memory_one(), memory_one(), st.sampled_from([0.0, 0.1]), st.sampled_from([0.0, 0.07]))
def test_memory_one_as_machine_gives_the_same_payoffs(x, y, eps, eta):
    # The closed-form memory-one kernel and the finite-state product chain are different code;
    # the conversion must make them agree exactly (up to round-off).
    g = PrisonersDilemma()
    for kw in ({"rounds": 7}, {"continuation": 0.8}):
        mo = expected_payoffs([x], [y], g, noise=eps, perception_noise=eta, **kw)
        fs = expected_payoffs([x.to_finite_state()], [y], g, noise=eps, perception_noise=eta, **kw)
        assert np.allclose(mo, fs, atol=1e-10)
