"""Summary statistics of the trust model's populations."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["gini", "life_table"]


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


def life_table(ended: np.ndarray, failed: np.ndarray, alive: np.ndarray) -> pd.DataFrame:
    """Life table from counts by age (partnerships or consortia).

    ``at_risk[a]`` counts those that reached age ``a`` (ended at an age >= a, or still alive at
    an age >= a: the living are censored), ``hazard = ended / at_risk`` is the chance of ending
    at age ``a`` having reached it, and ``failure_hazard = failed / at_risk`` the
    cause-specific hazard of the ends on low trust (Levinthal & Fichman 1988 use this shape to
    describe the liability of adolescence).

    Parameters
    ----------
    ended : numpy.ndarray
        Ends at each age (index = age in rounds), any cause.
    failed : numpy.ndarray
        Ends on exits at each age, at most ``ended``.
    alive : numpy.ndarray
        Those still alive at each age.

    Returns
    -------
    pandas.DataFrame
        Columns ``age``, ``at_risk``, ``ended``, ``hazard``, ``failed``, ``failure_hazard``; one
        row per age up to the oldest.

    Examples
    --------
    >>> t = life_table(np.array([0, 2, 1]), np.array([0, 1, 0]), np.array([1, 0, 1]))
    >>> t.at_risk.tolist(), t.hazard.round(3).tolist()
    ([5, 4, 2], [0.0, 0.5, 0.5])
    """
    size = max(len(ended), len(failed), len(alive))

    def padded(counts: np.ndarray) -> np.ndarray:
        out = np.zeros(size, dtype=np.int64)
        out[: len(counts)] = counts
        return out

    ended, failed, alive = padded(ended), padded(failed), padded(alive)
    reached = (ended + alive)[::-1].cumsum()[::-1]
    last = int(np.flatnonzero(reached).max()) + 1 if reached.any() else 0
    with np.errstate(invalid="ignore", divide="ignore"):
        hazard = np.where(reached > 0, ended / np.maximum(reached, 1), np.nan)
        failure_hazard = np.where(reached > 0, failed / np.maximum(reached, 1), np.nan)
    return pd.DataFrame(
        {
            "age": np.arange(last),
            "at_risk": reached[:last],
            "ended": ended[:last],
            "hazard": hazard[:last],
            "failed": failed[:last],
            "failure_hazard": failure_hazard[:last],
        }
    )
