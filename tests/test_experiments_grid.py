"""Grid, store and runner checks of allysim.experiments.sweep found by a researcher's trial.

Each test here failed on the code before its fix (the fix's commit says which).
"""

from __future__ import annotations

import numpy as np
import pytest

from allysim.experiments import expand_grid, match_cell, sweep

# ------------------------------------------------------------------ A1: ordered grid values


@pytest.mark.parametrize(
    "values",
    [{"TFT", "WSLS"}, frozenset({"TFT", "WSLS"}), {"TFT": 1, "WSLS": 2}.keys(), (s for s in "ab")],
    ids=["set", "frozenset", "dict_keys", "generator"],
)
def test_unordered_grid_values_are_refused_naming_the_key(values):
    # A set's iteration order follows PYTHONHASHSEED, and the cells' order fixes their seeds:
    # the same call gave different numbers in two interpreters.
    with pytest.raises(TypeError, match=r"grid\['row'\] must be a list of values.*pass a list"):
        expand_grid({"row": values, "col": ["ALLD"]})
    with pytest.raises(TypeError, match=r"grid\['row'\]"):
        sweep(match_cell, {"row": values, "col": ["ALLD"]}, seed=1, progress=False)


def test_ordered_containers_give_the_cells_of_a_list():
    as_list = expand_grid({"a": [1, 2], "b": [0.5, 0.25], "c": [0, 1, 2]})
    for a, b, c in [((1, 2), np.array([0.5, 0.25]), range(3)), ([1, 2], (0.5, 0.25), [0, 1, 2])]:
        assert expand_grid({"a": a, "b": b, "c": c}) == as_list
    with pytest.raises(TypeError, match=r"grid\['a'\].*2-d numpy array"):
        expand_grid({"a": np.zeros((2, 2))})
