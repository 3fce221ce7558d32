"""The pairwise comparison (Fermi) imitation probability shared by the finite-population rules."""

from __future__ import annotations

import numbers

import numpy as np
from scipy.special import expit

from allysim._validation import as_float_array, check_nonnegative


def _fermi(payoff_difference, selection):
    # Unchecked, for inner loops whose inputs are already validated. The product is taken as
    # selection * payoff_difference so callers that wrote expit(beta * delta) stay bit-identical.
    return expit(selection * payoff_difference)


def fermi(payoff_difference: float | np.ndarray, selection: float) -> float | np.ndarray:
    """Probability that an organization imitates a model under the pairwise comparison rule.

    The Fermi rule of Traulsen, Nowak & Pacheco (2006, Phys. Rev. E 74, 011909): a focal
    organization adopts the model's strategy with probability
    ``1 / (1 + exp(-selection * payoff_difference))``, evaluated without overflow (a very
    large product gives exactly 0 or 1). It is the ``rule="fermi"`` update of
    [`fixation_probability`][allysim.evolution.fixation_probability],
    [`stationary_distribution`][allysim.evolution.stationary_distribution] and
    [`simulate_population`][allysim.evolution.simulate_population].

    Parameters
    ----------
    payoff_difference : float or numpy.ndarray
        Model's payoff minus the focal organization's payoff (payoff units per interaction);
        finite real numbers, any shape.
    selection : float
        Selection intensity beta >= 0 (per payoff unit); 0 gives imitation by coin flip (1/2).

    Returns
    -------
    float or numpy.ndarray
        Imitation probability in [0, 1]: a float for a scalar ``payoff_difference``, else an
        array of its shape.

    Examples
    --------
    >>> fermi(0.0, 5.0)
    0.5
    >>> round(fermi(1.0, 2.0), 6)
    0.880797
    >>> fermi(np.array([-1.0, 1.0]), 1.0).round(4).tolist()
    [0.2689, 0.7311]
    """
    beta = check_nonnegative(selection, "selection")
    if isinstance(payoff_difference, numbers.Real) and not isinstance(payoff_difference, bool):
        diff = as_float_array(np.asarray(payoff_difference), "payoff_difference")
        return float(_fermi(float(diff), beta))
    arr = as_float_array(payoff_difference, "payoff_difference")
    with np.errstate(over="ignore"):
        return _fermi(arr, beta)
