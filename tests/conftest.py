"""Shared test settings: hypothesis profiles sized for CI's two cores."""

import os

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

import allysim

matplotlib.use("Agg")

# CI draws the same examples on every run (derandomize), so a run fails only when the code
# changed. "explore" draws fresh ones on each run to hunt bugs:
#     HYPOTHESIS_PROFILE=explore pytest tests/test_fuzz_*
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _progress_bars_at_once():
    """Tests of a bar run work far shorter than the bars' delay: show bars at once in tests
    (tests/test_progress.py checks the delay itself)."""
    previous = allysim.set_progress_delay(0)
    yield
    allysim.set_progress_delay(previous)
