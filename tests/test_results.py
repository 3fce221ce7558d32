"""Results behave like results: a short repr, to_frame, save/load without pickle, plot."""

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy import sparse

import allysim as ally
from allysim.evolution import PopulationResult, simulate_population, stationary_distribution
from allysim.tournament import TournamentResult, round_robin

A = np.array([[3.0, 0.0, 3.0], [5.0, 1.0, 1.4], [3.0, 0.9, 3.0]])


def _results():
    return {
        "tournament exact": round_robin(["TFT", "ALLD", "WSLS", "GRIM"], ally.PrisonersDilemma()),
        "tournament simulated": round_robin(
            ["TFT", "ALLD"], ally.PrisonersDilemma(), rounds=20, method="simulate", seed=1
        ),
        "simulation": ally.simulate(
            ["TFT", "ALLD"], ["TFT"], ally.PrisonersDilemma(), rounds=20, repetitions=200, seed=2
        ),
        "stationary, small mutation": stationary_distribution(A, population=20, selection=1.0),
        "stationary, exact chain": stationary_distribution(
            A, population=8, selection=1.0, mutation=0.05
        ),
        "population": simulate_population(
            A, [10, 5, 5], steps=200, selection=1.0, replicates=4, record_every=20, seed=3
        ),
    }


def _equal(a, b):
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if sparse.issparse(x):
            assert sparse.issparse(y) and (x != y).nnz == 0
        elif isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True)
        else:
            assert x == y


@pytest.mark.parametrize("key", list(_results()))
def test_repr_is_short_and_save_load_round_trips(key, tmp_path):
    res = _results()[key]
    text = repr(res)
    assert len(text) < 300 and "\n" not in text
    assert text.startswith(type(res).__name__ + "(")
    path = res.save(tmp_path / "result")
    assert path.endswith(".npz")
    back = type(res).load(path)
    _equal(res, back)
    # Saved without pickle: numpy can read every entry with allow_pickle=False.
    with np.load(path, allow_pickle=False) as data:
        assert len(data.files) >= 1


def test_load_refuses_another_class(tmp_path):
    path = _results()["population"].save(tmp_path / "p")
    with pytest.raises(ValueError, match="holds a PopulationResult, not a TournamentResult"):
        TournamentResult.load(path)
    np.savez(tmp_path / "plain.npz", x=np.ones(2))
    with pytest.raises(ValueError, match="holds no allysim result"):
        PopulationResult.load(tmp_path / "plain.npz")


def test_to_frame_contents():
    r = _results()
    t = r["tournament exact"].to_frame()
    assert t.shape == (16, 5) and t.stderr.isna().all()
    row = t[(t.row == "TFT") & (t.col == "ALLD")]
    np.testing.assert_allclose(row.payoff, r["tournament exact"].payoff_matrix[0, 1])
    d = r["stationary, small mutation"].to_frame(["TFT", "ALLD", "X"])
    assert d.strategy.tolist() == ["TFT", "ALLD", "X"]
    assert d.share.sum() == pytest.approx(1.0)
    p = r["population"].to_frame()
    assert p.shape == (4 * 3, 4)
    assert (p.groupby("replicate")["count"].sum() == 20).all()


def test_plots_draw_something():
    r = _results()
    assert len(r["tournament simulated"].plot().patches) == 2
    assert len(r["stationary, small mutation"].plot(["a", "b", "c"]).patches) >= 3
    assert len(r["stationary, exact chain"].plot().patches) == 3
    ax = r["population"].plot(["a", "b", "c"])
    assert ax.collections or ax.patches
    plt.close("all")
