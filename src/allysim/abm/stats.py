"""Summary statistics of the trust model's populations."""

from __future__ import annotations

import numpy as np

__all__ = ["gini"]


def gini(values: np.ndarray) -> float:
    """Gini coefficient of ``values``, shifted to be non-negative when some are negative.

    Parameters
    ----------
    values : numpy.ndarray
        The values (e.g. accumulated payoffs), any sign.

    Returns
    -------
    float
        Gini coefficient in [0, 1); 0 for an empty or all-equal array.

    Examples
    --------
    >>> gini(np.array([1.0, 1.0, 1.0]))
    0.0
    >>> round(gini(np.array([0.0, 0.0, 0.0, 1.0])), 3)
    0.75
    """
    x = np.sort(np.asarray(values, dtype=float))
    if x.size == 0:
        return 0.0
    if x[0] < 0:
        x = x - x[0]
    total = x.sum()
    if total <= 0:
        return 0.0
    n = x.size
    return float(2 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n)
