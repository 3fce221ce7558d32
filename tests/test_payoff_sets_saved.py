"""Payoff sets after the module split: old import paths, and files saved before the split.

``payoff_sets`` was split into ``payoff_sets`` (the result and the public functions),
``_payoff_set_solvers``, ``_polygons`` and ``payoff_set_plot``. A saved result records its class
by name only (no module path), so a file written by the single module still loads;
tests/data/saved_before_split_payoff_set.npz was written by it (the outer approximation of the
prisoner's dilemma at delta 0.6 with D = 8).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import allysim.equilibria as eq
import allysim.equilibria.payoff_set_plot as plot_module
import allysim.equilibria.payoff_sets as payoff_sets
from allysim.games import PrisonersDilemma

OLD_FILE = Path(__file__).parent / "data" / "saved_before_split_payoff_set.npz"


@pytest.mark.parametrize(
    "name", ["PayoffSet", "equilibrium_payoffs", "feasible_payoffs", "plot_payoff_set"]
)
def test_public_names_stay_importable_from_the_old_module(name):
    assert getattr(payoff_sets, name) is getattr(eq, name)
    assert name in payoff_sets.__all__


def test_plot_function_is_the_one_in_its_module():
    assert payoff_sets.plot_payoff_set is plot_module.plot_payoff_set


def test_file_saved_before_the_split_loads_and_matches_a_fresh_solve():
    with np.load(OLD_FILE, allow_pickle=False) as data:
        meta = json.loads(str(data["__allysim_result__"]))
    # The class is found by name; nothing in the file names the module it came from.
    assert meta["class"] == "PayoffSet"
    assert "payoff_sets" not in json.dumps(meta)
    old = payoff_sets.PayoffSet.load(OLD_FILE)
    fresh = eq.equilibrium_payoffs(PrisonersDilemma(), 0.6, "outer", directions=8)
    np.testing.assert_array_equal(old.vertices, fresh.vertices)
    np.testing.assert_array_equal(old.threat, fresh.threat)
    assert (old.method, old.directions, old.iterations, old.converged) == (
        "outer",
        8,
        fresh.iterations,
        True,
    )
    assert old.continuation == 0.6 and old.tolerance == fresh.tolerance


def test_save_and_load_round_trip_bit_for_bit(tmp_path):
    s = eq.equilibrium_payoffs(PrisonersDilemma(), 0.45, "inner", directions=12)
    back = eq.PayoffSet.load(s.save(tmp_path / "inner"))
    np.testing.assert_array_equal(back.vertices, s.vertices)
    np.testing.assert_array_equal(back.threat, s.threat)
    assert repr(back) == repr(s)
