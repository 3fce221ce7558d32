"""Summary statistics of the trust model's populations."""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from allysim._validation import as_float_array, check_interval

__all__ = ["gini", "life_table", "replicate_summary"]

# Above HUGE / n**2 in absolute value, gini's shifted values times their ranks could overflow.
_HUGE = 1e300


def gini(values: np.ndarray) -> float:
    """Gini coefficient of ``values``, shifted to be non-negative when some are negative.

    Parameters
    ----------
    values : array_like
        The values (e.g. accumulated payoffs), a 1-d array of finite numbers of any sign.

    Returns
    -------
    float
        Gini coefficient in [0, 1), ``sum |x_i - x_j| / (2 n^2 mean)``; 0 for an empty or
        all-equal array. When the smallest value is negative it is first subtracted from every
        value (the smallest becomes 0), so with debts the coefficient is that of the shifted
        values and depends on where the smallest lies: ``[-1, 1]`` gives 0.5, as ``[0, 2]``.

    Raises
    ------
    ValueError
        If ``values`` is not 1-d or holds NaN or an infinity.
    TypeError
        If ``values`` holds booleans or strings.

    Examples
    --------
    >>> gini(np.array([1.0, 1.0, 1.0]))
    0.0
    >>> round(gini(np.array([0.0, 0.0, 0.0, 1.0])), 3)
    0.75
    >>> gini(np.array([-1.0, 1.0]))
    0.5
    """
    x = np.sort(as_float_array(values, "values", shape=(None,)))
    # All equal (or empty): exactly 0; the formula below leaves a rounding residue of either
    # sign there (-6.7e-16 for some arrays), below the documented range.
    if x.size == 0 or x[0] == x[-1]:
        return 0.0
    n = x.size
    big = max(-x[0], x[-1])
    if big > _HUGE / (n * n):
        # The coefficient is scale-invariant; near the largest float the shift and the
        # rank-weighted sum would overflow to inf and give NaN.
        x = x / big
    if x[0] < 0:
        x = x - x[0]
    total = x.sum()
    g = 2 * np.sum(np.arange(1, n + 1) * x) / (n * total) - (n + 1) / n
    # The difference of two terms near 1 can fall a rounding error below 0 when all but a
    # negligible share is equal.
    return max(float(g), 0.0)


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

    Raises
    ------
    ValueError
        If a count is not a whole number >= 0, an array is not 1-d, or ``failed`` exceeds
        ``ended`` at some age.

    Examples
    --------
    >>> t = life_table(np.array([0, 2, 1]), np.array([0, 1, 0]), np.array([1, 0, 1]))
    >>> t.at_risk.tolist(), t.hazard.round(3).tolist()
    ([5, 4, 2], [0.0, 0.5, 0.5])
    """
    arrays = {
        name: as_float_array(counts, name, shape=(None,))
        for name, counts in (("ended", ended), ("failed", failed), ("alive", alive))
    }
    for name, counts in arrays.items():
        # Counts are whole: a fraction would be cut off silently by the int64 table.
        bad = (counts < 0) | (counts != np.floor(counts))
        if bad.any():
            raise ValueError(
                f"{name} must hold whole counts >= 0, found {float(counts[bad][0])!r} at age "
                f"{int(np.flatnonzero(bad)[0])}"
            )
    size = max(len(c) for c in arrays.values())

    def padded(counts: np.ndarray) -> np.ndarray:
        out = np.zeros(size, dtype=np.int64)
        out[: len(counts)] = counts
        return out

    ended, failed, alive = (padded(arrays[k]) for k in ("ended", "failed", "alive"))
    over = failed > ended
    if over.any():
        age = int(np.flatnonzero(over)[0])
        raise ValueError(
            f"failed must be at most ended at every age, got failed={failed[age]} > "
            f"ended={ended[age]} at age {age}"
        )
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


_SUMMARY_COLUMNS = ("column", "n", "missing", "mean", "sd", "low", "high")


def _group_key(value: object) -> object:
    """A hashable, sortable stand-in for a group value: sequences as tuples, objects by repr.

    ``batch_run`` sweeps list-valued parameters (``strategies``, ``mechanisms``) with one list
    per run, which pandas cannot group by (unhashable), and mechanisms, which it cannot sort.
    """
    if isinstance(value, list | tuple):
        return tuple(_group_key(v) for v in value)
    if value is None or isinstance(value, str | numbers.Number):
        return value
    return repr(value)


def replicate_summary(
    frame: pd.DataFrame,
    columns: str | Sequence[str],
    *,
    by: str | Sequence[str] = (),
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean and Student-t interval over replicates, one row per group and column.

    The usual last step of an experiment with the trust model: ``frame`` holds one row per
    run (e.g. :func:`~allysim.abm.batch_run` with its default ``data_collection_period=-1``,
    or your own per-run means over the last steps), ``by`` names the swept parameters, and
    each group's replicates are treated as independent draws: the interval is
    ``mean +- t_{(1 + level) / 2, n - 1} * sd / sqrt(n)``, the normal-theory interval of the
    mean (Student 1908). NaN values (e.g. a rate with no partnership active) are left out and
    counted in ``missing``.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per run.
    columns : str or sequence of str
        Numeric columns to summarise.
    by : str or sequence of str, default ()
        Columns that define the groups (the swept parameters); none: one group. A column of
        lists (``batch_run``'s ``strategies`` or ``mechanisms``) groups equal lists together.
        Not a name of the result's own columns (``column``, ``n``, ``missing``, ``mean``,
        ``sd``, ``low``, ``high``).
    level : float, default 0.95
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    pandas.DataFrame
        Columns ``*by``, ``column``, ``n`` (values that are not NaN; an infinite one makes
        ``mean`` infinite and ``sd`` NaN), ``missing`` (NaN values), ``mean``,
        ``sd`` (sample standard deviation), ``low`` and ``high`` (NaN when ``n < 2``); rows
        sorted by group, then in the order of ``columns``.

    Raises
    ------
    TypeError
        ``frame`` is not a DataFrame, or a column is not numeric.
    ValueError
        A name in ``columns`` or ``by`` is not a column of ``frame``, ``by`` names one of the
        result's own columns, or ``level`` is outside (0, 1).

    Examples
    --------
    >>> runs = pd.DataFrame({"noise": [0.0, 0.0, 0.0, 0.1, 0.1, 0.1],
    ...                      "contribution_rate": [0.8, 0.7, 0.9, 0.4, 0.5, 0.6]})
    >>> table = replicate_summary(runs, "contribution_rate", by="noise")
    >>> table[["noise", "n", "mean", "low", "high"]].round(3).values.tolist()
    [[0.0, 3.0, 0.8, 0.552, 1.048], [0.1, 3.0, 0.5, 0.252, 0.748]]
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    names = [columns] if isinstance(columns, str) else list(columns)
    groups = [by] if isinstance(by, str) else list(by)
    if not names:
        raise ValueError("columns must name at least one column")
    for role, listed in (("columns", names), ("by", groups)):
        unknown = [c for c in listed if c not in frame.columns]
        if unknown:
            raise ValueError(
                f"{role} names {unknown} not in frame; its columns are {list(frame.columns)}"
            )
    clash = [g for g in groups if g in _SUMMARY_COLUMNS]
    if clash:
        # The summary's own column would overwrite the group's value in each row.
        raise ValueError(
            f"by names {clash}, which the result uses for its own columns "
            f"{list(_SUMMARY_COLUMNS)}; rename them in frame first (frame.rename(columns=...))"
        )
    for c in names:
        if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]):
            raise TypeError(f"columns: {c!r} must be numeric, got dtype {frame[c].dtype}")
    level = check_interval(level, "level", 0.0, 1.0, low_open=True, high_open=True)
    rows = []
    keyed = frame
    stand_in = [g for g in groups if frame[g].dtype == object]
    if stand_in:
        # Positional index: part.index[0] below finds the row's own value even where frame's
        # index repeats a label.
        keyed = frame.reset_index(drop=True)
        keyed = keyed.assign(**{g: keyed[g].map(_group_key) for g in stand_in})
    grouped = keyed.groupby(groups, sort=True, dropna=False) if groups else [((), keyed)]
    for key, part in grouped:
        key = key if isinstance(key, tuple) else (key,)
        # A stand-in key is reported as the frame holds it (the list, not its tuple).
        if stand_in and len(part):
            first = int(part.index[0])
            key = tuple(
                frame[g].iloc[first] if g in stand_in else k
                for g, k in zip(groups, key, strict=True)
            )
        for c in names:
            values = part[c].to_numpy(dtype=float)
            finite = values[~np.isnan(values)]
            n = finite.size
            mean = float(finite.mean()) if n else np.nan
            with np.errstate(invalid="ignore"):  # inf - inf: sd NaN, as documented
                sd = float(finite.std(ddof=1)) if n > 1 else np.nan
            half = float(stdtrit(n - 1, (1 + level) / 2)) * sd / np.sqrt(n) if n > 1 else np.nan
            rows.append(
                {
                    **dict(zip(groups, key, strict=True)),
                    "column": c,
                    "n": n,
                    "missing": int(values.size - n),
                    "mean": mean,
                    "sd": sd,
                    "low": mean - half,
                    "high": mean + half,
                }
            )
    return pd.DataFrame(rows)
