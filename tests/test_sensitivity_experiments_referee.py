"""Referee checks of allysim.sensitivity and allysim.experiments against independent results.

Closed forms: Ishigami's Sobol' indices (Ishigami & Homma 1990; Saltelli et al. 2008, Global
Sensitivity Analysis: The Primer, sec. 4.6: V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8,
V13 = b^2 pi^8 (1/18 - 1/50)); Sobol's g-function (V_i = 1 / (3 (1 + a_i)^2), V = prod(1 + V_i)
- 1, ST_i = V_i prod_{j != i}(1 + V_j) / V); a linear model of independent uniform inputs, whose
S1 = ST = c_i^2 w_i^2 / sum_j c_j^2 w_j^2 (w the widths) and whose Morris mu* = |c_i| w_i.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from allysim.experiments import sweep
from allysim.sensitivity import analyse_function


def _ishigami(x1, x2, x3):
    return np.sin(x1) + 7.0 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)


def _ishigami_exact():
    a, b = 7.0, 0.1
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_ishigami_closed_form_numbers():
    s1, st = _ishigami_exact()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=5e-5)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=5e-5)


def test_sobol_indices_of_ishigami_g_function_and_a_linear_model():
    s1, st = _ishigami_exact()
    r = analyse_function(
        _ishigami,
        dict.fromkeys(["x1", "x2", "x3"], (-np.pi, np.pi)),
        method="sobol",
        samples=2048,
        seed=3,
        progress=False,
    )
    # Each estimate within its own 95% interval of the truth (plus a little slack).
    for col, exact in (("S1", s1), ("ST", st)):
        err = np.abs(r.indices[col].to_numpy() - exact)
        assert np.all(err <= r.indices[f"{col}_conf"].to_numpy() + 0.01), (col, err)

    a = np.array([0.0, 1.0, 4.5, 9.0])
    vi = 1 / (3 * (1 + a) ** 2)
    g_st = vi * np.prod(1 + vi) / (1 + vi) / (np.prod(1 + vi) - 1)
    g_s1 = vi / (np.prod(1 + vi) - 1)

    def g(x0, x1, x2, x3):
        x = np.array([x0, x1, x2, x3])
        return float(np.prod((np.abs(4 * x - 2) + a) / (1 + a)))

    r = analyse_function(
        g, {f"x{i}": (0, 1) for i in range(4)}, method="sobol", samples=2048, progress=False
    )
    np.testing.assert_allclose(r.indices["S1"], g_s1, atol=0.03)
    np.testing.assert_allclose(r.indices["ST"], g_st, atol=0.03)

    c, w = np.array([1.0, -2.0, 3.0]), np.array([1.0, 2.0, 0.5])
    bounds = {"p": (0, 1), "q": (0, 2), "r": (-0.25, 0.25)}
    share = c**2 * w**2 / np.sum(c**2 * w**2)  # (0.0519, 0.8312, 0.1169)
    r = analyse_function(
        lambda p, q, r: 1.0 * p - 2.0 * q + 3.0 * r,
        bounds,
        method="sobol",
        samples=1024,
        progress=False,
    )
    np.testing.assert_allclose(r.indices["S1"], share, atol=2e-3)
    np.testing.assert_allclose(r.indices["ST"], share, atol=2e-3)
    m = analyse_function(
        lambda p, q, r: 1.0 * p - 2.0 * q + 3.0 * r, bounds, samples=6, progress=False
    )
    np.testing.assert_allclose(m.indices["mu_star"], np.abs(c) * w, rtol=1e-12)
    np.testing.assert_allclose(m.indices["mu"], c * w, rtol=1e-12)
    np.testing.assert_allclose(m.indices["sigma"], 0.0, atol=1e-12)


def test_a_range_whose_width_overflows_is_refused():
    # Before: (-1e308, 1e308) passed the checks, the design held inf and the function was
    # called at x = inf, outside the stated range; every index came back NaN.
    with pytest.raises(ValueError, match=r"bounds\['x'\].*overflows"):
        analyse_function(lambda x: x, {"x": (-1e308, 1e308)}, samples=2, progress=False)


def _sum_cell(w, seed):
    return {"total": float(np.sum(w))}


class _Plain:
    """A grid value with object's own repr, which shows its memory address."""

    def __init__(self, fine):
        self.fine = fine


def _plain_cell(m, seed):
    return {"fine": m.fine}


def _arrays_that_print_alike():
    big, big_other = np.zeros(2000), np.zeros(2000)
    big_other[1000] = 5.0  # past numpy's 1,000-element repr threshold: "..."
    small, small_other = np.array([1.0, 2.0]), np.array([1.0 + 1e-9, 2.0])  # 8 digits shown
    return [(big, big_other), (small, small_other)]


@pytest.mark.parametrize(("first", "other"), _arrays_that_print_alike())
def test_store_refuses_a_grid_of_other_arrays_that_print_alike(tmp_path, first, other):
    # Before: the store identified a grid by the values' repr, which numpy abbreviates, so a
    # sweep over another array was "resumed" from the first one's results (a total of 0.0 for
    # an array summing to 5.0).
    assert repr(first) == repr(other)
    sweep(_sum_cell, {"w": [first]}, seed=1, progress=False, store=tmp_path)
    with pytest.raises(ValueError, match="different sweep"):
        sweep(_sum_cell, {"w": [other]}, seed=1, progress=False, store=tmp_path)
    again = sweep(_sum_cell, {"w": [first.copy()]}, seed=1, progress=False, store=tmp_path)
    assert again["total"].tolist() == [float(np.sum(first))]


def test_store_of_objects_without_a_repr_resumes(tmp_path):
    # Before: the repr held the object's address, so an equal object in a new session (here: a
    # second instance) was refused as "another grid" and the store could never be resumed.
    first = sweep(_plain_cell, {"m": [_Plain(2.0)]}, seed=1, progress=False, store=tmp_path)
    keep = _Plain(2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = sweep(_plain_cell, {"m": [keep]}, seed=1, progress=False, store=tmp_path)
    assert again["fine"].tolist() == first["fine"].tolist() == [2.0]
    with pytest.raises(ValueError, match="different sweep"):
        sweep(_plain_cell, {"m": [_Plain(3.0)]}, seed=1, progress=False, store=tmp_path)


def _fails_at_two(a, seed):
    if a == 2:
        raise RuntimeError("no two")
    return {"x": float(a)}


def test_failed_runs_are_recorded_with_none_in_the_other_rows():
    # The docstring: error and traceback are None in the rows that succeeded. Before, the
    # traceback column was pandas 3's str dtype, NaN in those rows.
    with pytest.warns(UserWarning, match="1 of 3 runs failed"):
        df = sweep(_fails_at_two, {"a": [1, 2, 3]}, seed=0, progress=False)
    assert df.attrs["failed"] == 1
    assert df["error"].tolist() == [None, "RuntimeError: no two", None]
    assert df["traceback"][0] is None and df["traceback"][2] is None
    assert "RuntimeError: no two" in df["traceback"][1]
    assert df["x"].tolist()[::2] == [1.0, 3.0] and np.isnan(df["x"][1])


# Reviewer r50: grid values the store still confused, or could not resume in a new session.


@dataclasses.dataclass
class _Weights:
    """A grid value whose own repr holds a numpy array (abbreviated to 8 digits)."""

    w: np.ndarray


def _weights_cell(m, seed):
    return {"total": float(np.sum(m.w))}


def _values_that_print_alike():
    long_frame, long_other = (
        pd.DataFrame({"a": np.zeros(2000)}),
        pd.DataFrame({"a": np.zeros(2000)}),
    )
    long_other.iloc[1000, 0] = 5.0  # pandas elides the middle rows
    return [
        # A 0-d array: np.ascontiguousarray made it 1-d, so it read as its one-element twin.
        (np.array(5.0), np.array([5.0]), _sum_cell, "w"),
        (pd.Series([1.0, 2.0]), pd.Series([1.0 + 1e-9, 2.0]), _sum_cell, "w"),  # 6 digits
        (long_frame, long_other, _sum_cell, "w"),
        (_Weights(np.array([1.0, 2.0])), _Weights(np.array([1.0 + 1e-9, 2.0])), _weights_cell, "m"),
    ]


@pytest.mark.parametrize(("first", "other", "cell", "name"), _values_that_print_alike())
def test_store_refuses_other_values_that_fingerprinted_alike(tmp_path, first, other, cell, name):
    # Before: each pair had one fingerprint, so the second sweep "resumed" the first one's
    # results (a total of 0.0 for a frame summing to 5.0, 3.0 for a series summing to 3+1e-9).
    sweep(cell, {name: [first]}, seed=1, progress=False, store=tmp_path)
    with pytest.raises(ValueError, match="different sweep"):
        sweep(cell, {name: [other]}, seed=1, progress=False, store=tmp_path)


def test_store_of_a_set_resumes_under_another_hash_seed(tmp_path):
    # Before: a set was fingerprinted by its repr, whose order for strings follows
    # PYTHONHASHSEED, so a new session could not resume the store (refused as another grid).
    code = (
        "import numpy as np\n"
        "from allysim.experiments.store import _identity\n"
        "cells = [{'names': {'alpha', 'beta', 'gamma', 'delta', 'epsilon'}}]\n"
        "print(_identity(len, cells, 1, np.random.SeedSequence(1))['fingerprint'])\n"
    )
    prints = set()
    for hash_seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        prints.add(out.stdout.strip())
    assert len(prints) == 1


def test_design_beyond_the_memory_budget_is_refused_before_it_runs():
    # About 1.5 kB a run until the indices are computed: 2**17 Sobol' base points on 10
    # parameters are 1.57 million runs, some 2.4 GB, above the default budget of 2 GiB.
    from allysim.sensitivity import analyse_function

    calls = []

    def func(**kw):
        calls.append(1)
        return sum(kw.values())

    bounds = {f"x{i}": (0.0, 1.0) for i in range(10)}
    with pytest.raises(ValueError, match=r"samples: .*1,572,864 runs.*fewer samples"):
        analyse_function(func, bounds, method="sobol", samples=2**17, progress=False)
    assert not calls
    # Within the budget the same design size per run runs as before.
    with pytest.warns(RuntimeWarning, match="too wide to rank"):
        out = analyse_function(func, bounds, method="sobol", samples=2**4, progress=False)
    assert len(calls) == 2**4 * 12 and out.indices.shape[0] == 10
