"""SavedResult: load finds what save wrote, and == compares results field by field."""

import importlib
import pkgutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse

import allysim as ally
from allysim._results import SavedResult
from allysim.equilibria import PayoffSet, feasible_payoffs
from allysim.evolution import PopulationResult, StationaryDistribution, stationary_distribution
from allysim.tournament import TournamentResult

A = np.array([[3.0, 0.0, 3.0], [5.0, 1.0, 1.4], [3.0, 0.9, 3.0]])


def _population(fixation=(7,)):
    return PopulationResult(np.array([[10, 0]]), None, np.array(fixation), 50)


def test_load_accepts_the_path_given_to_save(tmp_path):
    r = _population()
    written = r.save(tmp_path / "run")
    assert written == str(tmp_path / "run.npz")
    assert PopulationResult.load(tmp_path / "run") == r
    assert PopulationResult.load(str(tmp_path / "run")) == r
    assert PopulationResult.load(written) == r


def test_load_prefers_an_existing_file_of_the_exact_name(tmp_path):
    # A file saved under another name and renamed without its suffix still loads by that name.
    _population((1,)).save(tmp_path / "a")
    _population((2,)).save(tmp_path / "b")
    (tmp_path / "b.npz").rename(tmp_path / "a")
    assert PopulationResult.load(tmp_path / "a").fixation_step.tolist() == [2]
    assert PopulationResult.load(tmp_path / "a.npz").fixation_step.tolist() == [1]


def test_load_of_a_missing_file_names_both_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope'.*nope\.npz"):
        PopulationResult.load(tmp_path / "nope")
    with pytest.raises(FileNotFoundError):
        PopulationResult.load(tmp_path / "nope.npz")


def _results():
    game = ally.PrisonersDilemma()
    return [
        ally.round_robin(["TFT", "ALLD", "WSLS"], game),
        ally.simulate(["TFT", "ALLD"], ["TFT"], game, rounds=20, repetitions=50, seed=2),
        stationary_distribution(A, population=20, selection=1.0),
        stationary_distribution(A, population=8, selection=1.0, mutation=0.05),  # sparse
        ally.evolution.simulate_population(
            A, [10, 5, 5], steps=100, selection=1.0, replicates=2, record_every=20, seed=3
        ),
        feasible_payoffs(game),  # continuation is NaN
    ]


@pytest.mark.parametrize("index", range(6))
def test_every_result_equals_what_load_reads_back(index, tmp_path):
    r = _results()[index]
    back = type(r).load(r.save(tmp_path / "r"))
    assert r == back
    assert (r != back) is False
    assert back == r


def test_results_differ_when_a_field_does():
    r = _population()
    assert r == _population() and r != _population((8,))
    # Same numbers, other dtype or shape: not equal.
    assert r != PopulationResult(np.array([[10.0, 0.0]]), None, np.array([7]), 50)
    assert r != PopulationResult(np.array([10, 0]), None, np.array([7]), 50)
    assert r != PopulationResult(np.array([[10, 0]]), np.zeros((1, 1, 2)), np.array([7]), 50)
    assert r != PopulationResult(np.array([[10, 0]]), None, np.array([7]), 51)
    # Another class, or not a result at all: unequal, not an error.
    assert r != "PopulationResult" and r != _chain(np.eye(2))


def _chain(transitions):
    half = np.array([0.5, 0.5])
    return StationaryDistribution(half, np.eye(2, dtype=int), half, transitions)


def test_sparse_fields_compare_by_their_entries():
    dense = np.array([[0.0, np.nan], [0.5, 0.0]])
    chain = _chain
    a = chain(sparse.csr_matrix(dense))
    # An explicit zero and another format hold the same matrix.
    padded = sparse.csr_matrix((np.array([0.0, np.nan, 0.5]), [0, 1, 0], [0, 2, 3]), (2, 2))
    assert a == chain(padded) and a == chain(sparse.coo_matrix(dense))
    assert a != chain(sparse.csr_matrix(np.array([[0.0, np.nan], [0.25, 0.0]])))
    assert a != chain(sparse.csr_matrix(dense.astype(np.float32)))
    assert a != chain(dense)
    assert padded.nnz == 3  # comparing did not change the result's matrix


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=4)),
    st.integers(0, 15),
)
def test_equality_is_entrywise_with_nan_equal_to_nan(values, where):
    r = PopulationResult(values, None, np.array([0]), 1)
    assert r == PopulationResult(values.copy(), None, np.array([0]), 1)
    changed = values.copy().ravel()
    i = where % changed.size
    changed[i] = 1.0 if np.isnan(changed[i]) or changed[i] != 1.0 else 2.0
    assert r != PopulationResult(changed.reshape(values.shape), None, np.array([0]), 1)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_result_class_compares_with_the_shared_equality():
    for info in pkgutil.walk_packages(ally.__path__, "allysim."):
        if ".app" not in info.name and "__main__" not in info.name:
            importlib.import_module(info.name)
    classes = set(_subclasses(SavedResult))
    assert {PayoffSet, PopulationResult, TournamentResult, StationaryDistribution} <= classes
    for cls in classes:
        assert cls.__eq__ is SavedResult.__eq__, cls.__name__
