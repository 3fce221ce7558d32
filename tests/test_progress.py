"""The progress bars: shown only after a delay, never for quick work, off with progress=False."""

import io

import numpy as np
import pytest

import allysim
from allysim._progress import progress_bar
from allysim.abm import TrustModel
from allysim.evolution import simulate_population


@pytest.fixture
def delay():
    """The default delay (conftest shows bars at once in other tests), restored afterwards."""
    allysim.set_progress_delay(None)
    yield allysim.set_progress_delay
    allysim.set_progress_delay(None)


def test_a_quick_loop_writes_nothing_and_a_zero_delay_draws_the_bar(delay):
    out = io.StringIO()
    assert sum(progress_bar(range(50), desc="quick", file=out)) == 1225
    assert out.getvalue() == ""
    assert delay(0) == 0.5
    out = io.StringIO()
    assert sum(progress_bar(range(50), desc="quick", file=out)) == 1225
    assert "quick" in out.getvalue() and "50/50" in out.getvalue()


def test_library_calls_show_their_bar_only_after_the_delay(capsys, delay):
    # A quick trust-model run used to flash a bar; with the delay it prints nothing (after a
    # first run that loads the compiled loops, which may itself take longer than the delay).
    TrustModel(n_organizations=10, seed=0).run(3, progress=False)
    TrustModel(n_organizations=10, seed=0).run(3, progress=True)
    assert capsys.readouterr().err == ""
    delay(0)
    TrustModel(n_organizations=10, seed=0).run(3, progress=True)
    assert "trust model" in capsys.readouterr().err
    TrustModel(n_organizations=10, seed=0).run(3, progress=False)
    assert capsys.readouterr().err == ""
    simulate_population(
        np.array([[3.0, 0.0], [5.0, 1.0]]), [5, 5], steps=20, selection=1.0, seed=0, progress=True
    )
    assert "population updates" in capsys.readouterr().err


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_the_delay_is_a_finite_nonnegative_number(bad, delay):
    with pytest.raises(ValueError, match="seconds must be"):
        delay(bad)
    with pytest.raises(TypeError, match="seconds must be a real number"):
        delay("1")
    assert delay(None) == 0.5  # the failed calls changed nothing
