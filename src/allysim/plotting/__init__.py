"""Matplotlib helpers. Each takes an optional ``ax``, returns the Axes it drew on, never shows.

Missing values (NaN) in the data are skipped: the trust model reports NaN for the steps before
any partnership has played, so a line starts at the first step with data, a stacked area at the
first complete step, and a band only where two or more replicates have data. Axis limits stay
finite. Infinite values are still refused.

The package is split by figure family: ``payoffs`` (``payoff_heatmap``, ``ranking_bars``,
``mechanism_bars``), ``time_series`` (``cooperation_over_time``, ``trust_trajectories``,
``stage_composition``, ``strategy_shares``), ``evolution`` (``simplex_flow``,
``stationary_bars``) and ``network`` (``partnership_network``); every figure is importable from
``allysim.plotting``.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import numpy as np
>>> ax = payoff_heatmap(np.array([[3.0, 0.0], [5.0, 1.0]]), ["C", "D"])
>>> len(ax.texts)
4
"""

from __future__ import annotations

from allysim.plotting.evolution import simplex_flow, stationary_bars
from allysim.plotting.network import partnership_network
from allysim.plotting.payoffs import mechanism_bars, payoff_heatmap, ranking_bars
from allysim.plotting.time_series import (
    cooperation_over_time,
    stage_composition,
    strategy_shares,
    trust_trajectories,
)

__all__ = [
    "cooperation_over_time",
    "mechanism_bars",
    "partnership_network",
    "payoff_heatmap",
    "ranking_bars",
    "simplex_flow",
    "stage_composition",
    "stationary_bars",
    "strategy_shares",
    "trust_trajectories",
]
