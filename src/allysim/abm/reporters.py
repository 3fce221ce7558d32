"""Model-level reporters of the trust model: one function of the model per reported column.

:func:`model_reporters` gives them by column name, as :class:`mesa.DataCollector` takes them;
each is also readable as an attribute of the model (``model.trust_goodwill``).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from allysim.abm._compiled import kernels, use_numba
from allysim.abm.stats import gini
from allysim.abm.trust import KINDS, STAGES, trust_mean

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = [
    "contribution_rate",
    "model_reporters",
    "payoff_gini",
    "stage_share",
    "strategy_share",
    "trust_level",
    "welfare",
]

# NaN, not 0, where there is nothing to measure: no round played this step (contribution,
# welfare) or no partnership (trust, stages).


def contribution_rate(model: TrustModel) -> float:
    """Share of the moves in the last round that were contributions (NaN: no round played).

    Parameters
    ----------
    model : TrustModel
        The model.

    Returns
    -------
    float
        In [0, 1], or NaN.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> contribution_rate(TrustModel(n_organizations=4, seed=0))
    nan
    """
    contributed = model.last_round.contributed
    # A count over the (n, 2) moves: the mean of the 0/1 moves exactly, without concatenating.
    size = contributed.size
    return float(np.count_nonzero(contributed) / size) if size else float("nan")


def welfare(model: TrustModel) -> float:
    """Mean welfare per partnership in the last round: partners' mean payoff less enforcement.

    Parameters
    ----------
    model : TrustModel
        The model.

    Returns
    -------
    float
        Value units per partner (stake included), or NaN when no round was played.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> welfare(TrustModel(n_organizations=4, seed=0))
    nan
    """
    w = model.last_round.welfare
    return float(w.mean()) if w.size else float("nan")


def payoff_gini(model: TrustModel) -> float:
    """Gini coefficient of the organizations' accumulated payoffs (see :func:`gini`).

    Parameters
    ----------
    model : TrustModel
        The model.

    Returns
    -------
    float
        In [0, 1).

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> payoff_gini(TrustModel(n_organizations=4, seed=0))
    0.0
    """
    return gini(model.wealth)


def trust_level(model: TrustModel, kind: int) -> float:
    """Mean trust of one kind over both sides of every active partnership.

    Parameters
    ----------
    model : TrustModel
        The model.
    kind : int
        A :class:`~allysim.abm.TrustKind`.

    Returns
    -------
    float
        In [0, 1], or NaN when there is no partnership.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> trust_level(TrustModel(n_organizations=4, seed=0), 2)
    nan
    """
    t, e = model.table, model.n_active
    if not e:
        return float("nan")
    # One kind only: the same values, and the same sum order, as averaging all kinds' slice.
    if use_numba():
        # The same (e, 2) array from one compiled loop, and numpy's mean of it.
        return float(kernels().trust_of(t.alpha, t.beta, e, int(kind)).mean())
    return float(trust_mean(t.alpha[:e, :, kind], t.beta[:e, :, kind]).mean())


def stage_share(model: TrustModel, stage: int) -> float:
    """Share of the active partnerships in one stage.

    Parameters
    ----------
    model : TrustModel
        The model.
    stage : int
        A :class:`~allysim.abm.Stage`.

    Returns
    -------
    float
        In [0, 1], or NaN when there is no partnership.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> stage_share(TrustModel(n_organizations=4, seed=0), 0)
    nan
    """
    e = model.n_active
    return float(np.count_nonzero(model.table.stage[:e] == stage) / e) if e else float("nan")


def strategy_share(model: TrustModel, strategy: int) -> float:
    """Share of the organizations using one strategy.

    Parameters
    ----------
    model : TrustModel
        The model.
    strategy : int
        Index into ``model.strategies.names``.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> strategy_share(TrustModel(n_organizations=4, strategies=["TFT"], seed=0), 0)
    1.0
    """
    return float(np.count_nonzero(model.strategy_of == strategy) / model.n)


def model_reporters(strategy_names: tuple[str, ...]) -> dict[str, Any]:
    """The model-level reporters of :class:`TrustModel`, by column name, in column order.

    Parameters
    ----------
    strategy_names : tuple of str
        Names of the strategies (one ``strategy_<name>`` column each).

    Returns
    -------
    dict
        Column name -> a model attribute name or a function of the model, as
        :class:`mesa.DataCollector` takes them.

    Examples
    --------
    >>> list(model_reporters(("TFT",)))[:3]
    ['contribution_rate', 'active_partnerships', 'formed']
    """
    out: dict[str, Any] = {"contribution_rate": contribution_rate}
    out |= {name: name for name in ("active_partnerships", "formed", "dissolved", "exits")}
    out |= {"payoff_mean": "payoff_mean", "payoff_gini": payoff_gini, "welfare": welfare}
    out |= {f"trust_{k}": partial(trust_level, kind=i) for i, k in enumerate(KINDS)}
    out |= {f"stage_{s}": partial(stage_share, stage=i) for i, s in enumerate(STAGES)}
    out |= {
        f"strategy_{s}": partial(strategy_share, strategy=i) for i, s in enumerate(strategy_names)
    }
    return out
