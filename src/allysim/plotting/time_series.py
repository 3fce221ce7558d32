"""Figures over time: contribution rates with a confidence band, the trust model's trust levels,
partnership stages and strategy shares.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# stdtrit is t.ppf without importing scipy.stats (about 0.3 s).
from scipy.special import stdtrit

from allysim._validation import check_interval
from allysim.plotting._common import (
    _axes,
    _check_unit,
    _complete_rows,
    _data_array,
    _finite_line,
    _legend_beside,
    _names,
    _not_a_model,
    _trust_table,
)

_TRUST = ["trust_competence", "trust_contractual", "trust_goodwill"]

__all__ = ["cooperation_over_time", "stage_composition", "strategy_shares", "trust_trajectories"]


def cooperation_over_time(
    values,
    *,
    ax=None,
    label: str = "contribution rate",
    color: str | None = None,
    level: float = 0.95,
):
    """Mean over replicates with a confidence band: ``values`` is (replicates, steps).

    One run's series, such as ``TrustModel.run(...)["contribution_rate"]``, is one replicate:
    its line is drawn without a band.

    At each step the mean is over the replicates with data (NaN is missing), and the band is
    mean +- t * standard error, t the two-sided ``level`` quantile of Student's t with one
    degree of freedom less than the replicates with data (4.30 for 95% with 3 replicates,
    2.09 with 20; a normal 1.96 would make few-replicate bands too narrow), drawn where at
    least two replicates have data. Steps without data are skipped.

    Parameters
    ----------
    values : array_like of shape (replicates, steps) or (steps,)
        A rate in [0, 1] per replicate (row) and step (column); NaN marks a missing value. A
        1-D array or a pandas Series (a DataFrame column) is one replicate. Values outside
        [0, 1] raise ValueError (the axis is fixed to 0-1).
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.
    label : str, default "contribution rate"
        Legend label and y-axis label.
    color : str or None, default None
        Colour of the line and band; None takes the next colour of the cycle.
    level : float, default 0.95
        Confidence level of the band, in (0, 1).

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on: one line (the mean) and, with two or more replicates, one band.

    Examples
    --------
    >>> ax = cooperation_over_time(np.array([[np.nan, 0.4, 0.6], [np.nan, 0.6, 0.8]]))
    >>> ax.lines[0].get_xdata().tolist(), ax.lines[0].get_ydata().round(2).tolist()
    ([1, 2], [0.5, 0.7])

    One run of the trust model, a single replicate:

    >>> from allysim.abm import TrustModel
    >>> df = TrustModel(n_organizations=20, seed=0).run(5, progress=False)
    >>> ax = cooperation_over_time(df["contribution_rate"])
    >>> len(ax.lines), len(ax.collections)
    (1, 0)
    """
    level = check_interval(level, "level", 0.0, 1.0, low_open=True, high_open=True)
    _not_a_model(values, "values", "model.run(...)['contribution_rate']")
    if hasattr(values, "columns") and "contribution_rate" in values.columns:
        # A whole run table would be read as (replicates = steps, steps = its columns).
        raise TypeError(
            "values must be one series or a (replicates, steps) array of rates, got the "
            "trust model's table; pass frame['contribution_rate']"
        )
    v = _data_array(values, "values", shape=("replicates", "steps"), alternative=("steps",))
    _check_unit(v, "values")
    if v.ndim == 1:  # one run's series is one replicate
        v = v[np.newaxis, :]
    ax = _axes(ax)
    steps = np.arange(v.shape[1])
    known = np.isfinite(v)
    count = known.sum(axis=0)
    total = np.where(known, v, 0.0).sum(axis=0)
    has = count > 0
    mean = np.full(v.shape[1], np.nan)
    mean[has] = total[has] / count[has]
    line = _finite_line(ax, steps, mean, label=label, color=color)[0]
    banded = count > 1
    if banded.any():
        dev = np.where(known, v - mean, 0.0)
        var = (dev**2).sum(axis=0)[banded] / (count[banded] - 1)
        quantile = stdtrit(count[banded] - 1, 0.5 + level / 2)
        low, high = np.full(v.shape[1], np.nan), np.full(v.shape[1], np.nan)
        low[banded] = mean[banded] - quantile * np.sqrt(var / count[banded])
        high[banded] = mean[banded] + quantile * np.sqrt(var / count[banded])
        # ``where`` leaves a gap at steps with fewer than two replicates; passing only the
        # banded steps would join the band straight across them.
        ax.fill_between(
            steps, low, high, where=banded, color=line.get_color(), alpha=0.25, interpolate=False
        )
    ax.set_xlabel("step")
    ax.set_ylabel(label)
    ax.set_ylim(-0.02, 1.02)
    _legend_beside(ax, fontsize=8)
    return ax


def trust_trajectories(model_vars, *, ax=None):
    """Mean competence, contractual and goodwill trust over time from a trust-model table.

    Steps where a trust is missing (NaN, before any partnership has played) are skipped.

    Parameters
    ----------
    model_vars : pandas.DataFrame
        ``TrustModel.datacollector.get_model_vars_dataframe()``, or any table indexed by step
        with columns ``trust_competence``, ``trust_contractual`` and ``trust_goodwill``, each
        in [0, 1] (NaN for missing).
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, one line per kind of trust.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> df = TrustModel(n_organizations=20, seed=0).run(5, progress=False)
    >>> len(trust_trajectories(df).lines)
    3
    """
    _trust_table(model_vars, "model_vars", _TRUST)
    ax = _axes(ax)
    for kind, style in (("competence", ":"), ("contractual", "--"), ("goodwill", "-")):
        column = _data_array(model_vars[f"trust_{kind}"], f"trust_{kind}", shape=("steps",))
        _check_unit(column, f"trust_{kind}")
        _finite_line(ax, model_vars.index, column, style, label=f"{kind} trust")
    ax.set_xlabel("step")
    ax.set_ylabel("mean trust")
    ax.set_ylim(0, 1)
    _legend_beside(ax, fontsize=8)
    return ax


def stage_composition(model_vars, *, ax=None):
    """Stacked shares of partnerships in each stage, assessment to institutionalization.

    Steps where any share is missing (NaN, no partnership yet) are skipped.

    Parameters
    ----------
    model_vars : pandas.DataFrame
        ``TrustModel.datacollector.get_model_vars_dataframe()``, or any table indexed by step
        with one ``stage_<name>`` column per stage of ``allysim.abm.trust.STAGES``; the shares
        of a step lie in [0, 1] and sum to 1 (within 1e-6).
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, one stacked area per stage.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> df = TrustModel(n_organizations=20, seed=0).run(5, progress=False)
    >>> len(stage_composition(df).collections)
    5
    """
    _trust_table(model_vars, "model_vars", [f"stage_{s}" for s in _stages()])
    ax = _axes(ax)
    shares = np.array(
        [_data_array(model_vars[f"stage_{s}"], f"stage_{s}", shape=("steps",)) for s in _stages()]
    )
    _check_unit(shares, "stage shares", total=True)
    x, shares = _complete_rows(model_vars.index, shares)
    ax.stackplot(x, shares, labels=list(_stages()), alpha=0.85)
    ax.set_xlabel("step")
    ax.set_ylabel("share of partnerships")
    ax.set_ylim(0, 1)
    _legend_beside(ax, fontsize=8)
    return ax


def strategy_shares(shares, names: Sequence[str] | None = None, *, ax=None):
    """Stacked strategy shares over time.

    Steps where any share is missing (NaN) are skipped.

    Parameters
    ----------
    shares : array_like of shape (steps, n) or pandas.DataFrame
        Share of each strategy at each step, or a trust-model table (its ``strategy_<name>``
        columns are used and ``names`` is ignored). The shares of a step lie in [0, 1] and sum
        to 1 (within 1e-6).
    names : sequence of str or None, default None
        The n strategy names; required with an array.
    ax : matplotlib.axes.Axes or None, default None
        Axes to draw on; a new figure is made when None.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on, one stacked area per strategy.

    Examples
    --------
    >>> ax = strategy_shares(np.array([[0.5, 0.5], [0.2, 0.8]]), ["TFT", "ALLD"])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['TFT', 'ALLD']
    """
    _not_a_model(shares, "shares", "model.run(...)")
    if hasattr(shares, "columns"):
        cols = [c for c in shares.columns if str(c).startswith("strategy_")]
        if not cols:
            raise ValueError(
                "shares given as a DataFrame must be the trust model's table, with one "
                "strategy_<name> column per strategy; it has none (pass an array and names "
                "for other data)"
            )
        names = [c[len("strategy_") :] for c in cols]
        x = shares.index
        data = _data_array(
            shares[cols].to_numpy(dtype=float), "shares", shape=("steps", "strategies")
        ).T
    else:
        arr = _data_array(shares, "shares", shape=("steps", "strategies"))
        if names is not None:
            names = _names(names, "names")
        if names is None or len(names) != arr.shape[1]:
            raise ValueError("names must name every column of shares")
        x, data = np.arange(arr.shape[0]), arr.T
    _check_unit(data, "shares", total=True)
    x, data = _complete_rows(x, data)
    ax = _axes(ax)
    ax.stackplot(x, data, labels=list(names), alpha=0.9)
    ax.set_xlabel("step")
    ax.set_ylabel("share of organizations")
    ax.set_ylim(0, 1)
    _legend_beside(ax, fontsize=8)
    return ax


def _stages() -> tuple[str, ...]:
    # Deferred: importing allysim.abm loads mesa (about 0.2 s), which other plots do not need.
    from allysim.abm.trust import STAGES

    return STAGES
