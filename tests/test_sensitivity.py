"""allysim.sensitivity: SALib plumbing against closed forms, the trust model's analysis, bad input.

The plumbing (design, seeds, evaluation, indices) is checked on analytic functions whose
indices are known exactly: Ishigami's (Sobol' indices in closed form, Ishigami & Homma 1990;
Saltelli et al. 2010) and linear ones (Morris' elementary effects equal the coefficients).
"""

from __future__ import annotations

import ast

import matplotlib

matplotlib.use("Agg")

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from allysim.abm import TrustParams
from allysim.sensitivity import (
    HEADLINE_OUTPUTS,
    SensitivityResult,
    _analyse,
    analyse_function,
    sensitivity_analysis,
)

PI = np.pi
TINY = {"n_organizations": 30, "steps": 40, "progress": False}
TWO = {"stage_min_steps": (0.5, 6.5), "exit_threshold": (0.1, 0.5)}


def ishigami(values, seed, a=7.0, b=0.1):
    x1, x2, x3 = values
    return [np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)]


def ishigami_indices(a=7.0, b=0.1):
    """Closed-form first-order and total Sobol' indices of the Ishigami function."""
    v1 = 0.5 * (1 + b * PI**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * PI**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


def test_ishigami_closed_form_is_the_published_one():
    s1, st = ishigami_indices()
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=1e-4)


def ishigami_kw(x1, x2, x3, a=7.0, b=0.1):
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)


ISHIGAMI_BOUNDS = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}


@pytest.mark.parametrize("seed", [0, 1])
def test_analyse_function_recovers_ishigami_indices_as_salib_does(seed):
    r = analyse_function(
        ishigami_kw, ISHIGAMI_BOUNDS, method="sobol", samples=4096, seed=seed, progress=False
    )
    s1, st = ishigami_indices()
    got = r.indices.set_index("parameter")
    # Saltelli/Jansen estimators with 4096 scrambled Sobol' points: errors ~0.003 seen; 0.015
    # is about half the 95% bootstrap half-width SALib reports at this size.
    np.testing.assert_allclose(got["S1"].to_numpy(), s1, atol=0.015)
    np.testing.assert_allclose(got["ST"].to_numpy(), st, atol=0.015)
    assert r.runs == 4096 * 5 and len(r.samples) == r.runs
    assert list(r.samples.columns) == ["run", "x1", "x2", "x3", "value"]
    assert (got["S1_conf"] > 0).all() and (got["ST_conf"] < 0.06).all()
    # SALib on its own: its Ishigami function gives our outputs at our design points, and its
    # estimator on them gives our indices (the point estimates; the intervals are bootstrapped).
    from SALib.analyze import sobol as salib_sobol
    from SALib.test_functions import Ishigami

    x = r.samples[["x1", "x2", "x3"]].to_numpy()
    np.testing.assert_allclose(
        r.samples["value"].to_numpy(), Ishigami.evaluate(x), rtol=0, atol=1e-12
    )
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-PI, PI]] * 3}
    ref = salib_sobol.analyze(
        problem, r.samples["value"].to_numpy(), calc_second_order=False, seed=1
    )
    np.testing.assert_allclose(got["S1"].to_numpy(), ref["S1"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["ST"].to_numpy(), ref["ST"], rtol=0, atol=1e-12)


def test_analyse_function_uses_the_machinery_of_the_trust_analysis():
    # The same design, seeds and estimators: bit for bit what _analyse gives with the function
    # written as an evaluate(values, seed) callback.
    bounds = {"x": (0.0, 1.0), "y": (-1.0, 2.0)}
    public = analyse_function(
        lambda x, y: (x * y, x + y**2),
        bounds,
        outputs=("f", "g"),
        samples=5,
        seed=7,
        progress=False,
    )
    private = _analyse(
        bounds,
        lambda v, s: [v[0] * v[1], v[0] + v[1] ** 2],
        ("f", "g"),
        method="morris",
        samples=5,
        seed=7,
    )
    pd.testing.assert_frame_equal(public.indices, private.indices, check_exact=True)
    pd.testing.assert_frame_equal(public.samples, private.samples, check_exact=True)


def test_analyse_function_morris_of_a_linear_function_and_salib_agree():
    # mu_star = |coefficient| x width of the range (2 x 3 = 6, 0, 0.5 x 4 = 2): every
    # elementary effect of a linear function is exact, sigma = 0.
    bounds = {"a": (1.0, 4.0), "b": (0.0, 1.0), "c": (-2.0, 2.0)}
    r = analyse_function(
        lambda a, b, c: 2 * a - 0.5 * c + 7, bounds, samples=8, seed=2, progress=False
    )
    got = r.indices.set_index("parameter")
    np.testing.assert_allclose(got["mu_star"], [6.0, 0.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(got["mu"], [6.0, 0.0, -2.0], atol=1e-12)
    np.testing.assert_allclose(got["sigma"], 0.0, atol=1e-12)
    # SALib's own Morris on a non-linear function, from its own design: the same ranking, and
    # on our design its estimator gives our mu_star and sigma exactly.
    from SALib.analyze import morris as salib_morris
    from SALib.sample import morris as salib_sample

    def f(a, b, c):
        return a**2 + np.sin(3 * b) + 0.1 * c

    mine = analyse_function(f, bounds, samples=40, seed=0, progress=False)
    problem = {"num_vars": 3, "names": list(bounds), "bounds": [list(v) for v in bounds.values()]}
    x = salib_sample.sample(problem, 40, num_levels=4, seed=11)
    theirs = salib_morris.analyze(problem, x, f(*x.T), num_levels=4, seed=11)
    assert mine.ranking("value") == ["a", "b", "c"]
    assert list(np.argsort(-np.asarray(theirs["mu_star"]))) == [0, 1, 2]
    # c's effect is linear: 0.1 x 4 = 0.4 in both.
    assert mine.table().loc["c", "value"] == pytest.approx(0.4, abs=1e-12)
    assert theirs["mu_star"][2] == pytest.approx(0.4, abs=1e-12)
    again = salib_morris.analyze(
        problem,
        mine.samples[list(bounds)].to_numpy(),
        mine.samples["value"].to_numpy(),
        num_levels=4,
        seed=1,
    )
    np.testing.assert_allclose(mine.indices["mu_star"], again["mu_star"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(mine.indices["sigma"], again["sigma"], rtol=0, atol=1e-12)


def _noisy(x, y, seed):
    # x moves the mean by 1 per unit; y is ignored; the seed adds noise of sd 0.5.
    return x + 0.5 * np.random.default_rng(seed).normal()


def test_analyse_function_seeds_a_stochastic_function_per_run():
    bounds = {"x": (0.0, 1.0), "y": (0.0, 1.0)}
    a = analyse_function(_noisy, bounds, samples=30, seed=4, progress=False)
    b = analyse_function(_noisy, bounds, samples=30, rng=4, progress=False)
    pd.testing.assert_frame_equal(a.indices, b.indices, check_exact=True)
    # Independent seeds: y's elementary effect is the difference of two noises (sd 0.5 sqrt 2)
    # over Morris' step (2/3 of the range on 4 levels), so mu_star is about 1.06 sqrt(2 / pi)
    # = 0.85; common seeds cancel it exactly and leave x's coefficient 1 x width 1.
    assert 0.5 < a.table().loc["y", "value"] < 1.2  # 3 standard errors (0.12) either side
    same = analyse_function(_noisy, bounds, samples=30, seed=4, common_seeds=True, progress=False)
    assert same.table().loc["y", "value"] == 0.0
    assert same.table().loc["x", "value"] == pytest.approx(1.0, abs=1e-12)
    many = analyse_function(_noisy, bounds, samples=30, seed=4, replicates=16, progress=False)
    assert many.runs == 16 * a.runs
    ratio = a.table().loc["y", "value"] / many.table().loc["y", "value"]
    assert 2.5 < ratio < 6.5  # averaging 16 replicates shrinks the noise about 4-fold


def test_analyse_function_rounds_integer_parameters_and_takes_mappings():
    seen = []

    def f(k, w):
        seen.append(k)
        return {"k": k * w, "twice": 2.0 * k, "unused": "text"}

    r = analyse_function(
        f,
        {"k": (0.5, 6.5), "w": (1.0, 2.0)},
        outputs=["twice"],
        integers="k",
        num_levels=6,
        samples=10,
        progress=False,
    )
    assert all(type(k) is int for k in seen) and sorted(set(seen)) == [1, 2, 3, 4, 5, 6]
    assert r.samples["k"].dtype == np.int64
    np.testing.assert_array_equal(r.samples["twice"], 2.0 * r.samples["k"])


def test_analyse_function_warns_as_the_trust_analysis_does():
    with pytest.warns(RuntimeWarning, match="'value' has no finite value at 4 of 4"):
        r = analyse_function(lambda x: np.nan, {"x": (0.0, 1.0)}, samples=2, progress=False)
    assert r.indices["mu_star"].isna().all()
    with pytest.warns(RuntimeWarning, match="'value' is the same at every design point"):
        analyse_function(
            lambda x: 1.0, {"x": (0.0, 1.0)}, method="sobol", samples=64, progress=False
        )
    with pytest.warns(RuntimeWarning, match="too wide to rank parameters"):
        analyse_function(
            lambda x, z: x + 5 * z**3,
            {"x": (0.0, 1.0), "z": (0.0, 1.0)},
            method="sobol",
            samples=4,
            seed=1,
            progress=False,
        )


def _two(x, y):
    return x + 2 * y


def test_analyse_function_on_worker_processes_gives_the_same_result():
    bounds = {"x": (0.0, 1.0), "y": (0.0, 1.0)}
    one = analyse_function(_two, bounds, samples=4, progress=False)
    two = analyse_function(_two, bounds, samples=4, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(one.indices, two.indices, check_exact=True)
    with pytest.raises(TypeError, match="func cannot be sent to worker processes"):
        analyse_function(lambda x, y: x, bounds, samples=4, n_jobs=2, progress=False)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"func": 3}, TypeError, "func must be callable"),
        ({"bounds": {"z": (0, 1)}}, TypeError, r"bounds names 'z', which func .* does not take"),
        ({"bounds": {"x": (0, 1)}}, TypeError, r"needs 'y', which bounds does not give"),
        ({"bounds": {"x": (1, 0), "y": (0, 1)}}, ValueError, r"bounds\['x'\] must have low < high"),
        ({"bounds": {"x": (0, "a"), "y": (0, 1)}}, TypeError, r"bounds\['x'\]"),
        ({"bounds": [("x", (0, 1))]}, TypeError, "bounds must be a mapping"),
        ({"bounds": {}}, ValueError, "at least one"),
        (
            {"integers": ["x"], "bounds": {"x": (0.2, 0.8), "y": (0, 1)}},
            ValueError,
            "fewer than two integers",
        ),
        ({"integers": ["q"]}, ValueError, "integers names 'q', which bounds does not"),
        ({"integers": [1]}, TypeError, "integers must be a parameter name"),
        ({"samples": 1}, ValueError, "samples must be an integer >= 2"),
        ({"method": "sobol", "samples": 6}, ValueError, "samples must be a power of 2"),
        ({"method": "fast"}, ValueError, "method must be 'morris' or 'sobol'"),
        ({"method": "sobol", "samples": 4, "num_levels": 4}, ValueError, "num_levels is a Morris"),
        ({"num_levels": 3}, ValueError, "num_levels must be even"),
        ({"outputs": "run"}, ValueError, "outputs must not be named 'run' or after a parameter"),
        (
            {"func": lambda run, y: run, "bounds": {"run": (0, 1), "y": (0, 1)}},
            ValueError,
            "bounds must not name 'run'",
        ),
        ({"outputs": ()}, TypeError, "outputs must be None, a name"),
        ({"outputs": ("f", "f")}, ValueError, "must not repeat"),
        ({"outputs": ("f", "g")}, ValueError, r"returned one number .* but 2 outputs"),
        ({"func": lambda x, y: {"f": x}}, ValueError, "func returned a mapping without .*'value'"),
        ({"func": lambda x, y: "a"}, TypeError, "func's output 'value' must be a real number"),
        ({"func": lambda x, y: [x, y]}, ValueError, r"it must return 1 number\(s\)"),
        ({"replicates": 2}, ValueError, "replicates must be 1 for a func that takes no seed"),
        (
            {"func": _noisy, "bounds": {"x": (0, 1), "y": (0, 1), "seed": (0, 1)}},
            ValueError,
            "bounds must not name 'seed'",
        ),
        ({"progress": 1}, TypeError, "progress must be True or False"),
        ({"common_seeds": "yes"}, TypeError, "common_seeds"),
        ({"n_jobs": 0}, ValueError, "n_jobs"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1, "rng": 2}, TypeError, "rng or seed"),
    ],
)
def test_analyse_function_bad_input_names_the_parameter(kwargs, error, match):
    call = {
        "func": lambda x, y: x + y,
        "bounds": {"x": (0, 1), "y": (0, 1)},
        "samples": 2,
        "progress": False,
        **kwargs,
    }
    with pytest.raises(error, match=match):
        analyse_function(**call)


def test_morris_plumbing_gives_the_coefficients_of_a_linear_function():
    # f = 3 x + 0 y - 2 z on ranges of widths 2, 1, 0.5: every elementary effect, per unit of
    # the range, is coefficient * width, so mu_star = |mu| = (6, 0, 1) and sigma = 0.
    bounds = {"x": (0.0, 2.0), "y": (5.0, 6.0), "z": (-0.25, 0.25)}
    r = _analyse(
        bounds, lambda v, s: [3 * v[0] - 2 * v[2]], ("f",), method="morris", samples=6, seed=3
    )
    got = r.indices.set_index("parameter")
    np.testing.assert_allclose(got["mu_star"].to_numpy(), [6.0, 0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(got["mu"].to_numpy(), [6.0, 0.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(got["sigma"].to_numpy(), 0.0, atol=1e-12)
    assert r.ranking("f") == ["x", "z", "y"]


def test_morris_plumbing_replicates_average_noise():
    # An evaluation that is pure seeded noise: its effect on every parameter is noise, and
    # averaging 16 replicates shrinks mu_star by about 4.
    def noise(values, seed):
        return [np.random.default_rng(seed).normal()]

    bounds = {"x": (0.0, 1.0), "y": (0.0, 1.0)}
    one = _analyse(bounds, noise, ("f",), method="morris", samples=40, seed=0)
    many = _analyse(bounds, noise, ("f",), method="morris", samples=40, seed=0, replicates=16)
    ratio = one.table()["f"].mean() / many.table()["f"].mean()
    assert 2.5 < ratio < 6.5
    same = _analyse(bounds, noise, ("f",), method="morris", samples=40, seed=0, common_seeds=True)
    assert same.table()["f"].to_list() == [0.0, 0.0]


def test_integer_parameters_are_rounded_half_up():
    seen = []

    def record(values, seed):
        seen.append(values.copy())
        return [values[0]]

    r = _analyse(
        {"k": (0.5, 6.5)}, record, ("f",), method="morris", samples=10, seed=0, integers=[True]
    )
    used = np.concatenate(seen)
    # Levels 0.5, 2.5, 4.5, 6.5: halves go up, except the top end, kept in the range.
    assert set(used.tolist()) == {1.0, 3.0, 5.0, 6.0}
    six = _analyse(
        {"k": (0.5, 6.5)},
        record,
        ("f",),
        method="morris",
        samples=10,
        seed=0,
        integers=[True],
        num_levels=6,
    )
    assert sorted(six.samples["k"].unique().tolist()) == [1, 2, 3, 4, 5, 6]
    assert r.samples["k"].dtype == np.int64


# Tiny designs on purpose: the imprecision warning is expected.
@pytest.mark.filterwarnings("ignore:output .* too wide to rank parameters:RuntimeWarning")
@pytest.mark.parametrize("method,samples", [("morris", 2), ("sobol", 4)])
def test_trust_model_paths_shapes_and_finite_indices(method, samples):
    r = sensitivity_analysis(TWO, method=method, samples=samples, **TINY)
    assert isinstance(r, SensitivityResult) and r.method == method
    block = 3 if method == "morris" else 4
    assert r.runs == samples * block and len(r.samples) == r.runs
    assert list(r.samples.columns) == ["run", *TWO, *HEADLINE_OUTPUTS]
    assert r.samples["stage_min_steps"].between(1, 6).all()
    cols = (
        ["mu_star", "mu_star_conf", "sigma", "mu"]
        if method == "morris"
        else ["S1", "S1_conf", "ST", "ST_conf"]
    )
    assert list(r.indices.columns) == ["output", "parameter", *cols]
    assert r.indices.shape == (4 * 2, 2 + 4)
    main = "mu_star" if method == "morris" else "ST"
    assert np.isfinite(r.indices[main]).all()
    assert r.table().shape == (2, 4)
    # Durations are rounds played per partnership: positive and at most the run's length.
    assert r.samples["duration"].between(1, 40).all()
    assert r.samples["contribution"].between(0, 1).all()


def test_bit_reproducible_for_a_seed_and_different_for_another():
    a = sensitivity_analysis(TWO, samples=2, seed=5, **TINY)
    b = sensitivity_analysis(TWO, samples=2, rng=5, **TINY)
    c = sensitivity_analysis(TWO, samples=2, seed=6, **TINY)
    pd.testing.assert_frame_equal(a.indices, b.indices, check_exact=True)
    pd.testing.assert_frame_equal(a.samples, b.samples, check_exact=True)
    assert not a.samples.equals(c.samples)


def test_replicates_each_get_their_own_seed():
    one = sensitivity_analysis(TWO, samples=2, **TINY)
    two = sensitivity_analysis(TWO, samples=2, replicates=2, **TINY)
    assert one.runs * 2 == two.runs
    # Same design (the design's seed does not depend on replicates), different averages.
    pd.testing.assert_frame_equal(one.samples[list(TWO)], two.samples[list(TWO)])
    assert not one.samples["contribution"].equals(two.samples["contribution"])


# Tiny designs on purpose: the imprecision warning is expected.
@pytest.mark.filterwarnings("ignore:output .* too wide to rank parameters:RuntimeWarning")
def test_an_ignored_parameter_gets_a_zero_index():
    # never_betrayed only marks "no betrayal yet"; anywhere below -absorb_window it changes
    # nothing, so with common seeds its elementary effects (and Sobol' indices) are exactly 0,
    # while stage_min_steps moves the institutionalized share.
    bounds = {"stage_min_steps": (0.5, 6.5), "never_betrayed": (-2e9, -1e6)}
    kw = {**TINY, "steps": 60, "common_seeds": True}
    m = sensitivity_analysis(bounds, samples=3, **kw)
    table = m.table()
    assert (table.loc["never_betrayed"] == 0).all()
    assert table.loc["stage_min_steps", "institutionalized"] > 0
    s = sensitivity_analysis(bounds, method="sobol", samples=4, outputs=["duration"], **kw)
    st = s.indices.set_index("parameter")
    assert st.loc["never_betrayed", "ST"] == 0 and st.loc["never_betrayed", "S1"] == 0


def test_rewiring_is_ignored_on_a_complete_network():
    r = sensitivity_analysis(
        {"rewiring": (0.0, 1.0), "search_rate": (0.2, 0.8)},
        samples=2,
        common_seeds=True,
        outputs="contribution",
        **TINY,
    )
    assert r.table().loc["rewiring", "contribution"] == 0.0
    assert r.table().loc["search_rate", "contribution"] > 0


def test_value_is_value_created_with_the_value_creation_part():
    from allysim.abm import ValueCreation

    base = TrustParams(value_creation=ValueCreation())
    r = sensitivity_analysis(
        {"search_rate": (0.2, 0.8)}, samples=2, outputs=("value",), base=base, **TINY
    )
    plain = sensitivity_analysis({"search_rate": (0.2, 0.8)}, samples=2, outputs=("value",), **TINY)
    assert not np.allclose(r.samples["value"], plain.samples["value"])


def test_base_mapping_and_n_organizations():
    a = sensitivity_analysis(TWO, samples=2, base={"capacity": 2}, **TINY)
    b = sensitivity_analysis(
        TWO, samples=2, base=TrustParams(n_organizations=30, capacity=2), progress=False, steps=40
    )
    pd.testing.assert_frame_equal(a.samples, b.samples, check_exact=True)


# Tiny designs on purpose: the imprecision warning is expected.
@pytest.mark.filterwarnings("ignore:output .* too wide to rank parameters:RuntimeWarning")
def test_plot_draws_one_panel_per_output():
    r = _analyse(
        {"x": (0.0, 1.0), "y": (0.0, 1.0)},
        lambda v, s: [v[0], 2 * v[1]],
        ("f", "g"),
        method="morris",
        samples=4,
        seed=0,
    )
    axes = r.plot()
    assert [a.get_title() for a in axes] == ["f", "g"]
    widths = [p.get_width() for p in axes[1].patches]
    np.testing.assert_allclose(widths, [0.0, 2.0], atol=1e-12)  # x at the top, then y
    ax = r.plot("g")
    assert ax.get_title() == "g"
    with pytest.raises(ValueError, match="output must be one of f, g"):
        r.plot("h")
    s = _analyse(
        {"x": (0.0, 1.0), "y": (0.0, 1.0)},
        lambda v, s: [v[0]],
        ("f",),
        method="sobol",
        samples=8,
        seed=0,
    )
    assert len(s.plot("f").patches) == 4  # ST and S1 per parameter


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"bounds": {"trust": (0, 1)}}, ValueError, r"'trust'.*fields are: .*exit_threshold"),
        ({"bounds": {"network": (0, 1)}}, ValueError, "not a numeric TrustParams field"),
        ({"bounds": {"n_organizations": (10, 20)}}, ValueError, "not a numeric"),
        ({"bounds": {"exit_threshold": (0.5, 0.1)}}, ValueError, r"exit_threshold.*low < high"),
        ({"bounds": {"exit_threshold": (0.3, 0.3)}}, ValueError, "low < high"),
        ({"bounds": {"exit_threshold": (0.1, 1.5)}}, ValueError, r"exit_threshold.*\[0, 1\]"),
        ({"bounds": {"capacity": (2.6, 3.4)}}, ValueError, "capacity.*fewer than two integers"),
        ({"bounds": {"capacity": (-0.5, 3.5)}}, ValueError, r"capacity.*>= 1"),
        ({"bounds": {"exit_threshold": (0.1, "x")}}, TypeError, "exit_threshold"),
        ({"bounds": {"exit_threshold": (0.1,)}}, ValueError, r"exit_threshold.*shape \(2,\)"),
        ({"bounds": [("exit_threshold", (0, 1))]}, TypeError, "bounds must be a mapping"),
        ({"bounds": {}}, ValueError, "at least one"),
        ({"samples": 1}, ValueError, r"samples must be an integer >= 2"),
        ({"samples": 2.0}, TypeError, "samples must be an integer"),
        ({"method": "sobol", "samples": 2}, ValueError, "samples must be an integer >= 4"),
        ({"method": "sobol", "samples": 6}, ValueError, "samples must be a power of 2"),
        ({"method": "fast"}, ValueError, "method must be 'morris' or 'sobol'"),
        ({"outputs": ("welfare",)}, ValueError, "outputs must be among contribution"),
        ({"outputs": ()}, TypeError, "outputs must be a non-empty"),
        ({"outputs": ("value", "value")}, ValueError, "must not repeat"),
        ({"outputs": (1,)}, TypeError, "outputs must hold names"),
        ({"steps": 0}, ValueError, "steps must be an integer >= 1"),
        ({"burn_in": 40}, ValueError, r"burn_in must lie in \[0, steps - 1 = 39\]"),
        ({"replicates": 0}, ValueError, "replicates"),
        ({"num_levels": 5}, ValueError, "num_levels must be even"),
        ({"base": {"bogus": 1}}, ValueError, "base has unknown.*bogus"),
        ({"base": 3}, TypeError, "base must be a TrustParams"),
        ({"n_organizations": 1}, ValueError, "n_organizations must be an integer >= 2"),
        ({"progress": 1}, TypeError, "progress must be True or False"),
        ({"common_seeds": "yes"}, TypeError, "common_seeds"),
        ({"n_jobs": 0}, ValueError, "n_jobs"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 1, "rng": 2}, TypeError, "rng or seed"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, error, match):
    call = {"bounds": {"exit_threshold": (0.1, 0.5)}, "samples": 2, **TINY, **kwargs}
    with pytest.raises(error, match=match):
        sensitivity_analysis(**call)


def test_result_accessors_refuse_unknown_names():
    r = _analyse({"x": (0.0, 1.0)}, lambda v, s: [v[0]], ("f",), method="morris", samples=2, seed=0)
    with pytest.raises(ValueError, match="index must be one of mu_star"):
        r.table("ST")
    with pytest.raises(ValueError, match="output must be one of f"):
        r.ranking("g")
    with pytest.raises(TypeError, match="output must be a str"):
        r.ranking(0)


def test_an_output_without_value_warns_and_gives_nan():
    with pytest.warns(RuntimeWarning, match="'f' has no finite value at 6 of 6"):
        r = _analyse(
            {"x": (0.0, 1.0)}, lambda v, s: [np.nan], ("f",), method="morris", samples=3, seed=0
        )
    assert r.indices["mu_star"].isna().all()


def test_sobol_refuses_levels_flags_imprecision_and_leaves_constant_outputs_undefined():
    # 0.4.0 ignored num_levels with Sobol', reported ST = 2.06 at samples=4 without a word, and
    # gave a constant output indices of 0 (SALib's 0/0).
    with pytest.raises(ValueError, match="num_levels is a Morris setting"):
        sensitivity_analysis(TWO, method="sobol", samples=4, num_levels=4, **TINY)
    bounds = {"x": (0.0, 1.0), "y": (0.0, 1.0)}
    with pytest.warns(RuntimeWarning, match=r"'f'.*at samples=4, too wide to rank parameters"):
        r = _analyse(
            bounds, lambda v, s: [v[0] + 5 * v[1] ** 3], ("f",), method="sobol", samples=4, seed=1
        )
    assert r.indices["ST_conf"].max() > 0.2
    with pytest.warns(RuntimeWarning, match="'c' is the same at every design point"):
        r = _analyse(
            bounds, lambda v, s: [v[0], 3.0], ("x", "c"), method="sobol", samples=256, seed=1
        )
    const = r.indices[r.indices.output == "c"]
    assert const[["S1", "ST", "S1_conf", "ST_conf"]].isna().all().all()
    # A well-sampled output: exact answer (x alone), intervals narrow, no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = _analyse(bounds, lambda v, s: [v[0]], ("x",), method="sobol", samples=1024, seed=1)
    assert r.indices.set_index("parameter").loc["x", "ST"] == pytest.approx(1.0, abs=0.05)


@given(
    coefficients=st.lists(st.floats(-10, 10, allow_nan=False), min_size=1, max_size=4),
    lows=st.lists(st.floats(-5, 5, allow_nan=False), min_size=4, max_size=4),
    widths=st.lists(st.floats(0.01, 10), min_size=4, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
@settings(max_examples=40, deadline=None)
def test_analyse_function_morris_of_any_linear_function_is_coefficient_times_width(
    coefficients, lows, widths, seed
):
    k = len(coefficients)
    names = [f"p{i}" for i in range(k)]
    bounds = {n: (lows[i], lows[i] + widths[i]) for i, n in enumerate(names)}
    assume(all(hi > lo for lo, hi in bounds.values()))

    def linear(**params):
        return sum(c * params[n] for c, n in zip(coefficients, names, strict=True))

    r = analyse_function(linear, bounds, samples=3, seed=seed, progress=False)
    want = np.abs(coefficients) * np.asarray(widths[:k])
    got = r.table()["value"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * (1 + want.max()))
    assert r.runs == 3 * (k + 1)


def test_analyse_function_names_the_design_point_a_call_failed_at():
    # An error inside the user's function comes back with the call that raised it, seed
    # included, so it can be repeated alone (0.4.0 gave the bare traceback).
    def fragile(a, seed):
        if a > 0.5:
            raise ZeroDivisionError("boom")
        return a

    with pytest.raises(ZeroDivisionError, match="boom") as info:
        analyse_function(fragile, {"a": (0.0, 1.0)}, samples=4, seed=3, progress=False)
    (note,) = info.value.__notes__
    assert note.startswith("analyse_function: raised by the call func(**{'a': ")
    kwargs = ast.literal_eval(note.split("func(**", 1)[1][:-1])
    assert kwargs["a"] > 0.5 and isinstance(kwargs["seed"], int)
    with pytest.raises(ZeroDivisionError):
        fragile(**kwargs)


def test_analyse_function_reads_a_pandas_series_by_label():
    # A Series is labelled: its outputs are read by name, not position. Read by position, the
    # Series below gave "x" the effect of a (mu_star 1) and "y" that of b (10).
    calls = []

    def f(a, b):
        calls.append(a)
        return pd.Series({"y": a, "x": 10 * b})

    r = analyse_function(
        f, {"a": (0, 1), "b": (0, 1)}, outputs=["x", "y"], samples=4, progress=False
    )
    t = r.table()
    assert t.loc["b", "x"] == pytest.approx(10.0) and t.loc["a", "x"] == 0.0
    assert t.loc["a", "y"] == pytest.approx(1.0) and t.loc["b", "y"] == 0.0
    assert len(calls) == 12
    with pytest.raises(ValueError, match=r"without the output.*'z'"):
        analyse_function(
            f, {"a": (0, 1), "b": (0, 1)}, outputs=["x", "z"], samples=2, progress=False
        )


def test_analyse_function_refuses_a_parameter_named_run_before_any_call():
    # It collided with the samples table's run column after every call had been made.
    calls = []

    def f(run, b):
        calls.append(run)
        return run + b

    with pytest.raises(ValueError, match="bounds must not name 'run'"):
        analyse_function(f, {"run": (0, 1), "b": (0, 1)}, samples=4, progress=False)
    assert calls == []


# --- the package layout (allysim.sensitivity was one module until the split) ---

SAVED_BEFORE_SPLIT = Path(__file__).parent / "data" / "saved_before_split_sensitivity.pkl"


@pytest.mark.parametrize(
    "module,name",
    [
        ("result", "SensitivityResult"),
        ("trust", "sensitivity_analysis"),
        ("trust", "HEADLINE_OUTPUTS"),
        ("functions", "analyse_function"),
        ("_design", "_analyse"),
        ("_design", "_round_into"),
        ("_design", "SOBOL_CONF_WARN"),
    ],
)
def test_names_of_the_single_module_stay_importable_from_the_package(module, name):
    import importlib

    package = importlib.import_module("allysim.sensitivity")
    assert getattr(package, name) is getattr(
        importlib.import_module(f"allysim.sensitivity.{module}"), name
    )
    assert package.__all__ == [
        "HEADLINE_OUTPUTS",
        "SensitivityResult",
        "analyse_function",
        "sensitivity_analysis",
    ]


def _pickled_before_split(a, b, n):
    return 3 * a - 2 * b * n


def test_result_pickled_before_the_split_loads_and_equals_a_fresh_run():
    """SensitivityResult has no ``save`` (its DataFrames are not a SavedResult's fields); a
    pickle is how one is kept. The fixture was pickled (protocol 4) by the single module of
    commit 8fa3f19, so it names the class ``allysim.sensitivity.SensitivityResult``, which the
    package still exports. The run: ``analyse_function`` of ``3 a - 2 b n`` with n an integer
    in (0.5, 3.5), Morris, samples=3, seed=1."""
    raw = SAVED_BEFORE_SPLIT.read_bytes()
    assert b"allysim.sensitivity\x94" in raw and b"allysim.sensitivity.result" not in raw
    old = pd.read_pickle(SAVED_BEFORE_SPLIT)
    assert type(old) is SensitivityResult
    fresh = analyse_function(
        _pickled_before_split,
        {"a": (0, 2), "b": (0, 0.5), "n": (0.5, 3.5)},
        integers="n",
        samples=3,
        seed=1,
        progress=False,
    )
    # Bit for bit: the split moved code, it changed no number.
    pd.testing.assert_frame_equal(old.indices, fresh.indices, check_exact=True)
    pd.testing.assert_frame_equal(old.samples, fresh.samples, check_exact=True)
    assert (old.method, old.parameters, old.outputs, old.runs) == (
        "morris",
        ("a", "b", "n"),
        ("value",),
        12,
    )
    # Morris on a linear function: mu_star of a is |3| times its range 2.
    assert old.table()["value"]["a"] == 6.0
    assert old.ranking("value") == ["a", "b", "n"]


def test_warnings_point_at_the_callers_line():
    """The warnings are raised two or three calls deep (_dispatch, _analyse, _sobol_indices);
    their stacklevel must still name the user's call, in this file."""
    box = {"x": (0.0, 1.0), "y": (0.0, 1.0)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        analyse_function(lambda x, y: 1.0, box, method="sobol", samples=4, progress=False)
        analyse_function(lambda x, y: float("nan"), box, samples=2, progress=False)
        analyse_function(lambda x, y: x * y, box, method="sobol", samples=4, progress=False)
    messages = [str(w.message) for w in caught]
    assert any("no variance to split" in m for m in messages)
    assert any("no finite value" in m for m in messages)
    assert any("too wide to rank" in m for m in messages)
    assert {w.filename for w in caught} == {__file__}


def test_sensitivity_analysis_on_worker_processes_gives_the_same_result():
    # The workers import _trust_outputs from allysim.sensitivity.trust, by its qualified name.
    bounds = {"stage_min_steps": (0.5, 6.5)}
    one = sensitivity_analysis(bounds, samples=2, outputs=("contribution",), seed=3, **TINY)
    two = sensitivity_analysis(
        bounds, samples=2, outputs=("contribution",), seed=3, n_jobs=2, **TINY
    )
    pd.testing.assert_frame_equal(one.indices, two.indices, check_exact=True)
    pd.testing.assert_frame_equal(one.samples, two.samples, check_exact=True)
