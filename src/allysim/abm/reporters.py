"""Model-level reporters of the trust model: one function of the model per reported column.

:func:`model_reporters` gives them by column name, as :class:`mesa.DataCollector` takes them;
each is also readable as an attribute of the model (``model.trust_goodwill``).
"""

from __future__ import annotations

import types
from copy import deepcopy
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from allysim.abm import _compiled_reporters as compiled
from allysim.abm._compiled import kernels, use_numba
from allysim.abm.stats import gini
from allysim.abm.trust import KINDS, STAGES, trust_mean

if TYPE_CHECKING:  # pragma: no cover
    from allysim.abm.model import TrustModel

__all__ = [
    "TrustDataCollector",
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
    shared = _shared(model)
    if shared is not None and shared.compiled:
        return float(shared.values[compiled.CONTRIBUTION])
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
    shared = _shared(model)
    if shared is not None and shared.compiled:
        return float(shared.values[compiled.WELFARE])
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
    wealth = model.wealth
    if use_numba() and wealth.dtype == np.float64 and wealth.ndim == 1:
        # numpy's sort, then gini's arithmetic in one compiled pass.
        shared = _shared(model)
        if shared is None:
            x = np.sort(wealth)
        else:
            x = shared.buffer("sorted", wealth.size)
            x[:] = wealth
            x.sort()
        g = compiled.kernels().gini_sorted(x)
        if g == g:
            return float(g)
    # The reference, and the error for a NaN or an infinity.
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
    shared = _shared(model)
    if shared is not None and shared.compiled:
        return float(shared.values[compiled.TRUST + int(kind)])
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
    shared = _shared(model)
    if shared is not None and shared.compiled:
        return float(shared.values[compiled.STAGES + int(stage)])
    e = model.n_active
    if not e:
        return float("nan")
    if shared is not None:
        return float(shared.stage_counts[int(stage)] / e)
    return float(np.count_nonzero(model.table.stage[:e] == stage) / e)


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
    shared = _shared(model)
    if shared is not None and shared.compiled:
        return float(shared.values[compiled.STAGES + len(STAGES) + int(strategy)])
    if shared is not None:
        return float(shared.strategy_counts[int(strategy)] / model.n)
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


class _Shared:
    """What several reporters read, computed once per collection: the model does not change
    while its collector runs, so the stage and strategy counts are taken in one pass each
    instead of one per column, and on the compiled path every value of the model's own
    reporters in one compiled call (:attr:`values`); parts keep theirs in :meth:`get`."""

    def __init__(self, model: TrustModel, buffers: dict[str, np.ndarray] | None = None) -> None:
        self.model = model
        self.compiled = use_numba()
        self._cache: dict[str, Any] = {}
        self._buffers = {} if buffers is None else buffers

    def buffer(self, name: str, size: int) -> np.ndarray:
        """A float buffer of ``size`` elements, kept by the collector between collections
        (a fresh array this large costs more in page faults than the pass that fills it)."""
        whole = self._buffers.get(name)
        if whole is None or whole.size < size:
            whole = self._buffers[name] = np.empty(size + size // 2)
        return whole[:size]

    def get(self, key: str, compute: Any) -> Any:
        """``compute()``, once per collection for each ``key``."""
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = compute()
            return value

    @cached_property
    def values(self) -> np.ndarray:
        """The compiled path's values (:func:`allysim.abm._compiled_reporters._model_values`)."""
        m = self.model
        t, e, last = m.table, m.n_active, m.last_round
        trust = self.buffer("trust", 6 * e)
        values: np.ndarray = compiled.kernels().model_values(
            t.alpha,
            t.beta,
            e,
            t.stage,
            len(STAGES),
            m.strategy_of,
            len(m.strategies.names),
            # The moves' bools as bytes: numba sums those without a branch per move.
            last.contributed.reshape(-1).view(np.uint8),
            np.ascontiguousarray(last.welfare),
            trust,
        )
        for kind in range(3):
            # numpy's mean of the kind's (e, 2) block: the same pairwise sum, over a 1-d view
            # of the same values in the same order (a stride does not change the algorithm).
            values[compiled.TRUST + kind] = (
                np.add.reduce(trust[kind::3]) / (2 * e) if e else float("nan")
            )
        return values

    @cached_property
    def stage_counts(self) -> np.ndarray:
        e = self.model.n_active
        return np.bincount(self.model.table.stage[:e], minlength=len(STAGES))

    @cached_property
    def strategy_counts(self) -> np.ndarray:
        m = self.model
        return np.bincount(m.strategy_of, minlength=len(m.strategies.names))


def _shared(model: Any) -> _Shared | None:
    """The collection's shared values while the model's collector runs, else None."""
    return getattr(model, "_collecting", None)


# Values Mesa's deepcopy would return unchanged.
_PLAIN = (float, int, bool, str, type(None), np.float64, np.int64)


class TrustDataCollector(mesa.DataCollector):
    """Mesa's DataCollector for the trust model's model-level reporters, with less work per step.

    The same columns and values as :class:`mesa.DataCollector` (the first collection goes
    through Mesa's own, which validates the reporters); later collections call each reporter
    as Mesa does and skip the deep copy of numbers and strings, which are immutable, and the
    reporters of stage and strategy shares and trust levels share one pass over the arrays
    (:class:`_Shared`); on the compiled path the values of this module's reporters come from
    one compiled call, and are recorded without a call per column. Agent reporters, if any,
    go through Mesa's code.

    Parameters
    ----------
    model_reporters : dict or None, default None
        Column name -> reporter, as for :class:`mesa.DataCollector`.
    agent_reporters : dict or None, default None
        As for :class:`mesa.DataCollector`.
    tables : dict or None, default None
        As for :class:`mesa.DataCollector`.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> m = TrustModel(n_organizations=10, seed=0)
    >>> collector = m.datacollector
    >>> isinstance(collector, TrustDataCollector), isinstance(collector, mesa.DataCollector)
    (True, True)
    """

    def __init__(
        self,
        model_reporters: dict[str, Any] | None = None,
        agent_reporters: dict[str, Any] | None = None,
        tables: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(model_reporters, agent_reporters, tables)
        self._calls: list[tuple[list[Any], Any, str, int]] | None = None
        self._planned: dict[str, Any] = {}
        self._buffers: dict[str, np.ndarray] = {}
        self._slotted = False  # some column is read from the compiled values

    def collect(self, model: Any) -> None:
        """Record one row of every reporter (and Mesa's agent records, if any).

        Parameters
        ----------
        model : mesa.Model
            The model.

        Returns
        -------
        None

        Examples
        --------
        >>> from allysim.abm import TrustModel
        >>> m = TrustModel(n_organizations=10, seed=0)
        >>> m.datacollector.collect(m)
        >>> len(m.datacollector.get_model_vars_dataframe())
        2
        """
        shared = model._collecting = _Shared(model, self._buffers)
        try:
            # Attributes read with defaults: Mesa 3.3 and 3.5 both have them, later ones may not.
            agents = getattr(self, "agent_reporters", None) or getattr(
                self, "agenttype_reporters", None
            )
            # A reporter added or replaced since the plan was made (Mesa's own collector picks
            # it up at once): plan again, through Mesa's code.
            if self._calls is None or agents or self.model_reporters != self._planned:
                super().collect(model)
                self._calls = self._plan(model)
                return
            # The compiled path's values of the model's own reporters, as those would return
            # them (Python floats), without a call per column.
            slots = shared.values.tolist() if self._slotted and shared.compiled else None
            for values, reporter, how, slot in self._calls:
                if slots is not None and slot >= 0:
                    values.append(slots[slot])
                    continue
                # Mesa's dispatch (datacollection.DataCollector.collect), in the same order.
                if how == "model":
                    value = reporter(model)
                elif how == "attribute":
                    value = getattr(model, reporter, None)
                elif how == "list":
                    value = reporter[0](*reporter[1])
                else:
                    value = reporter()
                values.append(value if type(value) in _PLAIN else deepcopy(value))
        finally:
            model._collecting = None

    def _plan(self, model: Any) -> list[tuple[list[Any], Any, str, int]]:
        self._planned = dict(self.model_reporters)
        calls = []
        self._slotted = False
        for var, reporter in self.model_reporters.items():
            if isinstance(reporter, types.LambdaType | partial):
                how = "model"
            elif isinstance(reporter, str):
                how = "attribute"
            elif isinstance(reporter, list):
                how = "list"
            else:
                how = "call"
            slot = _slot(reporter, model) if how == "model" else -1
            self._slotted |= slot >= 0
            calls.append((self.model_vars[var], reporter, how, slot))
        return calls


def _slot(reporter: Any, model: Any) -> int:
    """Where :attr:`_Shared.values` holds what ``reporter`` returns, or -1 (not one of this
    module's reporters, or not with arguments it reads from there)."""
    if reporter is contribution_rate:
        return compiled.CONTRIBUTION
    if reporter is welfare:
        return compiled.WELFARE
    if not isinstance(reporter, partial) or reporter.args or len(reporter.keywords) != 1:
        return -1
    ((key, index),) = reporter.keywords.items()
    if type(index) is not int:
        return -1
    names = getattr(getattr(model, "strategies", None), "names", ())
    for fn, name, start, size in (
        (trust_level, "kind", compiled.TRUST, len(KINDS)),
        (stage_share, "stage", compiled.STAGES, len(STAGES)),
        (strategy_share, "strategy", compiled.STAGES + len(STAGES), len(names)),
    ):
        if reporter.func is fn and key == name and 0 <= index < size:
            return start + index
    return -1
