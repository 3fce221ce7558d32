"""Adversarial review r51 of the afternoon's changes: what failed, as tests.

Sensitivity's memory check: a design that holds more than the memory budget is refused before it
runs. The check counted a flat 1.5 kB a run; SALib's analysis also holds about 6 kB per Sobol'
base point (2 kB per Morris trajectory), which a flat rate misses where a base point has few runs
(few parameters): a Sobol' design on one parameter held 2.8 kB a run, 1.9 times the estimate.
"""

import gc
import tracemalloc
import warnings

import pytest

import allysim
from allysim.sensitivity import analyse_function


def _sum(**kw):
    return sum(kw.values())


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_a_design_above_the_budget_is_refused_whatever_its_parameter_count(method):
    # Measured with tracemalloc: the design's peak memory. A budget just below it must refuse
    # the same design before it runs. The old estimate for one parameter was 2.3 MB (Sobol')
    # and 1.5 MB (Morris) against peaks of 4.4 MB and 1.9 MB: not refused.
    bounds = {"x": (0.0, 1.0)}
    kw = {"method": method, "samples": 512, "progress": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's and the result's warnings on a flat function
        analyse_function(_sum, bounds, method=method, samples=8, progress=False)  # imports
        gc.collect()
        tracemalloc.start()
        try:
            analyse_function(_sum, bounds, **kw)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    calls = []

    def func(**values):
        calls.append(1)
        return _sum(**values)

    previous = allysim.set_memory_budget(peak - 1)
    try:
        with pytest.raises(ValueError, match=r"samples: .*runs.*fewer samples"):
            analyse_function(func, bounds, **kw)
    finally:
        allysim.set_memory_budget(previous)
    assert not calls
