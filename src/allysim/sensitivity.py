"""Global sensitivity analysis: which parameters do a model's results hinge on?

``analyse_function`` varies the named parameters of any function over ranges;
``sensitivity_analysis`` varies chosen fields of [`TrustParams`][allysim.abm.TrustParams] and
runs [`TrustModel`][allysim.abm.TrustModel]. Both run the function at every point of one
design and summarise each output with global sensitivity indices computed by SALib (Herman &
Usher 2017, *Journal of Open Source Software* 2(9): 97; Iwanaga, Usher & Herman 2022,
*Socio-Environmental Systems Modelling* 4: 18155):

* ``method="morris"``: elementary effects along random one-at-a-time trajectories (Morris 1991,
  *Technometrics* 33: 161-174), summarised by ``mu_star``, the mean absolute effect
  (Campolongo, Cariboni & Saltelli 2007, *Environmental Modelling & Software* 22: 1509-1518),
  and ``sigma``, their spread (interactions and non-linearity). A screening method: cheap
  (``samples * (k + 1)`` runs for ``k`` parameters), it ranks parameters.
* ``method="sobol"``: first-order and total Sobol' indices, the shares of the output's variance
  due to a parameter alone (``S1``) and with all its interactions (``ST``), estimated from
  Saltelli's design (Saltelli et al. 2010, *Computer Physics Communications* 181: 259-270;
  ``samples * (k + 2)`` runs).

SALib is imported only when an analysis runs (``pip install allysim[sensitivity]``).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import functools
import inspect
import numbers
import pickle
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from allysim._validation import (
    SeedLike,
    as_float_array,
    as_seed_sequence,
    check_bool,
    check_int,
    resolve_seed,
)

__all__ = ["HEADLINE_OUTPUTS", "SensitivityResult", "analyse_function", "sensitivity_analysis"]

#: The outputs ``sensitivity_analysis`` can summarise, in their default order.
HEADLINE_OUTPUTS = ("contribution", "institutionalized", "value", "duration")
_METHODS = ("morris", "sobol")
# Morris: sigma needs two trajectories. Sobol': the bootstrap of the confidence intervals
# needs a few base points, and Sobol' sequences balance only at powers of two.
_MIN_SAMPLES = {"morris": 2, "sobol": 4}
_INDEX_COLUMNS = {
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
}
_MAIN_INDEX = {"morris": "mu_star", "sobol": "ST"}

Evaluate = Callable[[np.ndarray, np.random.SeedSequence], Sequence[float]]


@dataclass(frozen=True)
class SensitivityResult:
    """The indices of a global sensitivity analysis and the runs behind them.

    Parameters
    ----------
    indices : pandas.DataFrame
        One row per output and parameter: columns ``output``, ``parameter`` and the indices,
        ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu`` (Morris; in the output's units per
        full range of the parameter) or ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (Sobol';
        shares of variance). ``*_conf`` is the half-width of a 95% bootstrap interval.
    samples : pandas.DataFrame
        One row per design point: ``run``, the parameter values used (integers rounded) and
        each output (mean over the replicates).
    method : str
        ``"morris"`` or ``"sobol"``.
    parameters : tuple of str
        The parameters varied, in the order of the bounds.
    outputs : tuple of str
        The outputs analysed.
    runs : int
        Model runs made (design points times replicates).

    Examples
    --------
    >>> from allysim.sensitivity import analyse_function
    >>> r = analyse_function(lambda x, y: x - y, {"x": (0.0, 1.0), "y": (0.0, 2.0)},
    ...                      outputs="f", samples=3, progress=False)
    >>> r.method, r.runs, r.indices[["parameter", "mu_star", "mu"]].round(6).values.tolist()
    ('morris', 9, [['x', 1.0, 1.0], ['y', 2.0, -2.0]])
    """

    indices: pd.DataFrame
    samples: pd.DataFrame
    method: str
    parameters: tuple[str, ...]
    outputs: tuple[str, ...]
    runs: int

    def _check_output(self, output: str) -> str:
        if not isinstance(output, str):
            raise TypeError(f"output must be a str, got {type(output).__name__}")
        if output not in self.outputs:
            raise ValueError(f"output must be one of {', '.join(self.outputs)}, got {output!r}")
        return output

    def table(self, index: str | None = None) -> pd.DataFrame:
        """One index as a table: parameters (rows) by outputs (columns).

        Parameters
        ----------
        index : str or None
            Column of ``indices`` to show. Default None: ``mu_star`` (Morris) or ``ST``
            (Sobol').

        Returns
        -------
        pandas.DataFrame
            Index values, rows in the order of ``parameters``, columns of ``outputs``.

        Examples
        --------
        >>> from allysim.sensitivity import analyse_function
        >>> r = analyse_function(lambda x, y: 3 * x, {"x": (0.0, 1.0), "y": (0.0, 1.0)},
        ...                      outputs="f", samples=4, progress=False)
        >>> r.table().round(6).to_dict()
        {'f': {'x': 3.0, 'y': 0.0}}
        """
        index = _MAIN_INDEX[self.method] if index is None else index
        allowed = _INDEX_COLUMNS[self.method]
        if index not in allowed:
            raise ValueError(f"index must be one of {', '.join(allowed)}, got {index!r}")
        wide = self.indices.pivot(index="parameter", columns="output", values=index)
        return wide.loc[list(self.parameters), list(self.outputs)].rename_axis(
            index=None, columns=None
        )

    def ranking(self, output: str) -> list[str]:
        """The parameters from most to least influential on one output.

        Ranked by ``mu_star`` (Morris) or ``ST`` (Sobol'); ties keep the order of the bounds.

        Parameters
        ----------
        output : str
            One of ``outputs``.

        Returns
        -------
        list of str
            Parameter names, most influential first.

        Examples
        --------
        >>> from allysim.sensitivity import analyse_function
        >>> r = analyse_function(lambda x, y: x + 5 * y, {"x": (0.0, 1.0), "y": (0.0, 1.0)},
        ...                      outputs="f", samples=4, progress=False)
        >>> r.ranking("f")
        ['y', 'x']
        """
        self._check_output(output)
        values = self.table()[output].to_numpy()
        order = np.argsort(-np.nan_to_num(values, nan=-np.inf), kind="stable")
        return [self.parameters[i] for i in order]

    def plot(self, output: str | None = None, *, ax: Any = None) -> Any:
        """Bar chart of the indices, one panel per output.

        Morris: ``mu_star`` with its 95% interval; Sobol': ``ST`` (light) over ``S1`` (dark),
        with intervals. Parameters are listed in the order of the bounds, the first at the top.

        Parameters
        ----------
        output : str or None
            Draw only this output, on ``ax``. Default None: every output, each in its own panel
            of a new figure.
        ax : matplotlib.axes.Axes or None
            Axes to draw one output on (only with ``output``). Default None: a new figure.

        Returns
        -------
        matplotlib.axes.Axes or numpy.ndarray of Axes
            The Axes drawn on (one per output when ``output`` is None).

        Examples
        --------
        >>> from allysim.sensitivity import analyse_function
        >>> r = analyse_function(lambda x, y: (x, y), {"x": (0.0, 1.0), "y": (0.0, 1.0)},
        ...                      outputs=("f", "g"), samples=4, progress=False)
        >>> axes = r.plot()
        >>> len(axes), axes[0].get_title()
        (2, 'f')
        """
        # Deferred: importing pyplot selects a backend, which only drawing should do.
        import matplotlib.pyplot as plt

        if output is None:
            if ax is not None:
                raise ValueError("give output to draw one output on ax, or neither for all")
            n = len(self.outputs)
            fig, axes = plt.subplots(
                1, n, figsize=(3.2 * n + 1.5, 0.35 * len(self.parameters) + 1.5), sharey=True
            )
            axes = np.atleast_1d(axes)
            for name, one in zip(self.outputs, axes, strict=True):
                self._bars(name, one)
            fig.tight_layout()
            return axes
        self._check_output(output)
        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 0.35 * len(self.parameters) + 1.5))
        self._bars(output, ax)
        return ax

    def _bars(self, output: str, ax: Any) -> None:
        rows = self.indices[self.indices["output"] == output].set_index("parameter")
        rows = rows.loc[list(self.parameters)]
        y = np.arange(len(self.parameters))[::-1]
        if self.method == "morris":
            ax.barh(y, rows["mu_star"], xerr=rows["mu_star_conf"], color="tab:blue")
            ax.set_xlabel("mu* (output units)")
        else:
            ax.barh(y, rows["ST"], xerr=rows["ST_conf"], color="tab:blue", alpha=0.4, label="ST")
            ax.barh(y, rows["S1"], xerr=rows["S1_conf"], color="tab:blue", height=0.4, label="S1")
            ax.set_xlabel("Sobol' index")
            ax.legend(loc="lower right", fontsize="small")
        ax.set_yticks(y, list(self.parameters))
        ax.set_title(output)


def _numeric_fields() -> dict[str, bool]:
    """The TrustParams fields that a sensitivity analysis can vary: name -> is an integer."""
    from allysim.abm import TrustParams

    # n_organizations has its own argument: it sets the model's size, not a rule.
    return {
        f.name: f.type == "int"
        for f in dataclasses.fields(TrustParams)
        if f.type in ("int", "float") and f.name != "n_organizations"
    }


def _integer_range(low: float, high: float) -> tuple[int, int]:
    """The integers a range (low, high) of an integer parameter covers."""
    return int(np.ceil(low)), int(np.floor(high))


def _round_into(x: np.ndarray, low: float, high: float) -> np.ndarray:
    # Nearest integer, halves up, kept within the range: (0.5, 6.5) gives 1..6 on equal widths.
    first, last = _integer_range(low, high)
    return np.clip(np.floor(x + 0.5), first, last)


def _check_bounds(
    bounds: Any, allowed: Mapping[str, bool] | None, integers: frozenset[str] = frozenset()
) -> dict[str, tuple[float, float]]:
    """``bounds`` as {name: (low, high)}; ``allowed`` None takes any name, ``integers`` its ints."""
    if not isinstance(bounds, Mapping):
        raise TypeError(
            "bounds must be a mapping of parameter name to (low, high), got "
            f"{type(bounds).__name__}"
        )
    if not bounds:
        raise ValueError("bounds must name at least one parameter")
    out = {}
    for name, pair in bounds.items():
        if not isinstance(name, str):
            raise TypeError(f"bounds keys must be parameter names (str), got {name!r}")
        if allowed is not None and name not in allowed:
            raise ValueError(
                f"bounds names {name!r}, which is not a numeric TrustParams field that can be "
                f"varied; the fields are: {', '.join(sorted(allowed))}"
            )
        low, high = as_float_array(pair, f"bounds[{name!r}]", shape=(2,))
        if not low < high:
            raise ValueError(f"bounds[{name!r}] must have low < high, got ({low:g}, {high:g})")
        is_int = allowed[name] if allowed is not None else name in integers
        if is_int and _integer_range(low, high)[0] >= _integer_range(low, high)[1]:
            raise ValueError(
                f"bounds[{name!r}] = ({low:g}, {high:g}) holds fewer than two integers; {name} "
                "is an integer, widen the range (e.g. (k - 0.5, m + 0.5) for k..m)"
            )
        out[name] = (float(low), float(high))
    return out


def _check_outputs(outputs: Any) -> tuple[str, ...]:
    names = (outputs,) if isinstance(outputs, str) else outputs
    if not isinstance(names, Sequence) or not names:
        raise TypeError(
            f"outputs must be a non-empty sequence of names among {', '.join(HEADLINE_OUTPUTS)}"
        )
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"outputs must hold names (str), got {name!r}")
        if name not in HEADLINE_OUTPUTS:
            raise ValueError(f"outputs must be among {', '.join(HEADLINE_OUTPUTS)}, got {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"outputs must not repeat a name, got {list(names)}")
    return tuple(names)


def _check_method(method: Any) -> Literal["morris", "sobol"]:
    if not isinstance(method, str):
        raise TypeError(f"method must be 'morris' or 'sobol', got {type(method).__name__}")
    if method not in _METHODS:
        raise ValueError(f"method must be 'morris' or 'sobol', got {method!r}")
    return "morris" if method == "morris" else "sobol"


def _check_levels(num_levels: Any, method: str) -> int:
    """Morris' number of levels (default 4); refused with Sobol', which has none."""
    if num_levels is not None and method == "sobol":
        raise ValueError(
            "num_levels is a Morris setting; method='sobol' samples a Sobol' sequence and has "
            "no levels (leave num_levels out)"
        )
    num_levels = check_int(4 if num_levels is None else num_levels, "num_levels", minimum=2)
    if num_levels % 2:
        raise ValueError(
            f"num_levels must be even (Morris' step of num_levels / (2 (num_levels - 1)) then "
            f"gives every level the same chance), got {num_levels}"
        )
    return num_levels


def _check_samples(samples: Any, method: str) -> int:
    samples = check_int(samples, "samples", minimum=_MIN_SAMPLES[method])
    if method == "sobol" and samples & (samples - 1):
        raise ValueError(
            f"samples must be a power of 2 with method='sobol' (Sobol' sequences are balanced "
            f"only then), got {samples}"
        )
    return samples


# Sobol' indices lie in [0, 1]; a 95% interval wider than this either way cannot tell a
# parameter that matters from one that does not, and the user is told to raise ``samples``.
SOBOL_CONF_WARN = 0.2


def _sobol_indices(problem: dict, y: np.ndarray, output: str, samples: int, seed: Any) -> dict:
    """SALib's first-order and total Sobol' indices of one output, NaN where undefined.

    A constant output has no variance to split: its indices are NaN (SALib's 0/0 gave 0), with
    a warning. Intervals wider than :data:`SOBOL_CONF_WARN` are flagged too.
    """
    if np.ptp(y) == 0:
        warnings.warn(
            f"output {output!r} is the same at every design point, so it has no variance to "
            "split: its Sobol' indices are NaN",
            RuntimeWarning,
            stacklevel=4,
        )
        k = len(problem["names"])
        return {c: np.full(k, np.nan) for c in _INDEX_COLUMNS["sobol"]}
    from SALib.analyze import sobol as sobol_analyze  # the sensitivity extra, checked by _analyse

    found = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
    widest = float(np.nanmax(np.concatenate([found["S1_conf"], found["ST_conf"]])))
    if widest > SOBOL_CONF_WARN:
        warnings.warn(
            f"output {output!r}: the widest 95% interval of its Sobol' indices is +-{widest:.2g} "
            f"at samples={samples}, too wide to rank parameters; raise samples (a power of 2)",
            RuntimeWarning,
            stacklevel=4,
        )
    return found


def _analyse(
    bounds: Mapping[str, tuple[float, float]],
    evaluate: Evaluate,
    outputs: Sequence[str],
    *,
    method: str,
    samples: int,
    seed: SeedLike,
    integers: Sequence[bool] | None = None,
    num_levels: int = 4,
    replicates: int = 1,
    common_seeds: bool = False,
    progress: bool = False,
    executor: cf.Executor | None = None,
) -> SensitivityResult:
    """Sample the design, evaluate every point, compute the indices (inputs already checked).

    ``evaluate(values, seed)`` gets the parameter values of one point (integers rounded, in the
    order of ``bounds``) and its own SeedSequence, and returns one number per output. The trust
    model is one such function (``sensitivity_analysis``), any function of the user's another
    (``analyse_function``).
    """
    try:
        # SALib publishes no type information (pyproject's mypy overrides do not list it yet).
        from SALib.analyze import morris as morris_analyze
        from SALib.sample import morris as morris_sample
        from SALib.sample import sobol as sobol_sample
    except ImportError as exc:
        raise ImportError(
            "sensitivity analysis needs SALib: pip install 'allysim[sensitivity]'"
        ) from exc
    from tqdm.auto import tqdm

    names = list(bounds)
    k = len(names)
    problem = {"num_vars": k, "names": names, "bounds": [list(bounds[n]) for n in names]}
    design_ss, runs_ss = as_seed_sequence(seed, "seed").spawn(2)
    # +1: SALib's sobol.analyze treats a seed of 0 as none and draws from the global state.
    sample_seed, analyse_seed = (int(s) + 1 for s in design_ss.generate_state(2, np.uint32))
    if method == "morris":
        x = morris_sample.sample(problem, samples, num_levels=num_levels, seed=sample_seed)
        block = k + 1  # one trajectory
    else:
        x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=sample_seed)
        block = k + 2  # rows A, AB_1..AB_k, B of one base point
    used = x.copy()
    for i, is_int in enumerate(integers or ()):
        if is_int:
            used[:, i] = _round_into(x[:, i], *bounds[names[i]])
    n = x.shape[0]
    if common_seeds:
        children = runs_ss.spawn((n // block) * replicates)
        seeds = [
            children[(i // block) * replicates + j] for i in range(n) for j in range(replicates)
        ]
    else:
        seeds = runs_ss.spawn(n * replicates)
    points = [used[i] for i in range(n) for _ in range(replicates)]
    bar = tqdm(total=len(points), desc=f"sensitivity ({method})", unit="run", disable=not progress)
    with bar:
        if executor is None:
            results = []
            for values, s in zip(points, seeds, strict=True):
                results.append(evaluate(values, s))
                bar.update()
        else:
            results = []
            chunk = max(1, len(points) // (8 * max(1, getattr(executor, "_max_workers", 1))))
            for out in executor.map(evaluate, points, seeds, chunksize=chunk):
                results.append(out)
                bar.update()
    y = np.asarray(results, dtype=float).reshape(n, replicates, len(outputs)).mean(axis=1)
    rows = []
    for j, output in enumerate(outputs):
        yj = y[:, j]
        missing = int(np.count_nonzero(~np.isfinite(yj)))
        if missing:
            warnings.warn(
                f"output {output!r} has no finite value at {missing} of {n} design points "
                "(in the trust model, e.g. no partnership was active); its indices are NaN",
                RuntimeWarning,
                stacklevel=3,
            )
            found = {c: np.full(k, np.nan) for c in _INDEX_COLUMNS[method]}
        elif method == "morris":
            found = morris_analyze.analyze(problem, x, yj, num_levels=num_levels, seed=analyse_seed)
        else:
            found = _sobol_indices(problem, yj, output, samples, analyse_seed)
        for i, name in enumerate(names):
            row: dict[str, Any] = {"output": output, "parameter": name}
            row.update({c: float(found[c][i]) for c in _INDEX_COLUMNS[method]})
            rows.append(row)
    indices = pd.DataFrame(rows)
    table = pd.DataFrame(used, columns=names)
    if integers is not None:
        for name, is_int in zip(names, integers, strict=True):
            if is_int:
                table[name] = table[name].astype(np.int64)
    table.insert(0, "run", np.arange(n))
    for j, output in enumerate(outputs):
        table[output] = y[:, j]
    return SensitivityResult(
        indices=indices,
        samples=table,
        method=method,
        parameters=tuple(names),
        outputs=tuple(outputs),
        runs=n * replicates,
    )


def _tail_mean(data: pd.DataFrame, column: str, burn_in: int) -> float:
    # Row 0 is the state before the first step; NaN (no partnership active) is skipped.
    return float(data[column].iloc[burn_in + 1 :].mean())


def _trust_outputs(
    values: np.ndarray,
    seed: np.random.SeedSequence,
    *,
    base: Any,
    names: tuple[str, ...],
    integers: tuple[bool, ...],
    outputs: tuple[str, ...],
    steps: int,
    burn_in: int,
) -> list[float]:
    """One trust-model run at one design point: the outputs (module level, so it pickles)."""
    from allysim.abm import TrustModel

    changes = {
        name: int(v) if is_int else float(v)
        for name, v, is_int in zip(names, values, integers, strict=True)
    }
    try:
        params = base.replace(**changes)
    except ValueError as exc:
        raise ValueError(f"the design point {changes} is not a valid trust model: {exc}") from exc
    model = TrustModel(params=params, seed=int(seed.generate_state(1, np.uint64)[0]))
    data = model.run(steps, progress=False)
    out = []
    for output in outputs:
        if output == "contribution":
            out.append(_tail_mean(data, "contribution_rate", burn_in))
        elif output == "institutionalized":
            out.append(_tail_mean(data, "stage_institutionalization", burn_in))
        elif output == "value":
            column = "value_created" if "value_created" in data.columns else "welfare"
            out.append(_tail_mean(data, column, burn_in))
        else:
            life = model.dissolution_hazard()
            formed = int(life["at_risk"].iloc[0]) if len(life) else 0
            played = int(life["at_risk"].iloc[1:].sum())
            out.append(played / formed if formed else float("nan"))
    return out


def sensitivity_analysis(
    bounds: Mapping[str, tuple[float, float]],
    *,
    method: Literal["morris", "sobol"] = "morris",
    samples: int,
    outputs: Sequence[str] = HEADLINE_OUTPUTS,
    n_organizations: int | None = None,
    steps: int = 200,
    burn_in: int | None = None,
    replicates: int = 1,
    base: Any = None,
    num_levels: int | None = None,
    common_seeds: bool = False,
    seed: SeedLike = 0,
    rng: SeedLike = None,
    n_jobs: int = 1,
    progress: bool = True,
) -> SensitivityResult:
    """Global sensitivity of the trust model's headline outputs to its parameters (SALib).

    Each parameter in ``bounds`` is varied uniformly over its range, the others stay at
    ``base``. Morris' elementary effects (``method="morris"``, Morris 1991; ``mu_star`` of
    Campolongo et al. 2007) rank the parameters from ``samples * (k + 1)`` runs; Sobol' indices
    (``method="sobol"``, Saltelli et al. 2010) split the variance from ``samples * (k + 2)``
    runs (``k`` parameters, times ``replicates``). Integer parameters (``capacity``,
    ``stage_min_steps``, ``imitation_every``, ...) are rounded from the sampled value to the
    nearest integer within the range (halves up, the ends kept inside), so the range
    ``(k - 0.5, m + 0.5)`` gives each of ``k..m`` the same weight (with Morris, when the count
    ``m - k + 1`` is even, ``num_levels = m - k + 1`` puts one level on each: Morris needs an
    even number of levels); Morris' effects are still divided by the unrounded step.

    Outputs, each one number per run:

    * ``"contribution"``: mean contribution rate over the steps after ``burn_in``;
    * ``"institutionalized"``: mean share of the active partnerships in the institutionalized
      stage over the steps after ``burn_in`` (steps without any skipped);
    * ``"value"``: mean value created per partnership over those steps, the ``value_created``
      column when ``base`` switches ``allysim.abm.ValueCreation`` on, otherwise
      ``welfare`` (partners' mean payoff less enforcement costs);
    * ``"duration"``: mean rounds played per partnership formed in the whole run, a still
      active partnership counted to its age at the end (the censoring-aware restricted mean,
      total partnership-rounds over partnerships formed, from
      ``TrustModel.dissolution_hazard``; at most ``steps``).

    Parameters
    ----------
    bounds : Mapping[str, tuple[float, float]]
        Numeric fields of [`TrustParams`][allysim.abm.TrustParams] (not
        ``n_organizations``) and their ``(low, high)`` ranges, ``low < high``; both ends must
        be valid values of the field.
    method : {"morris", "sobol"}
        Morris screening or Sobol' variance decomposition. Default ``"morris"``.
    samples : int
        Morris: trajectories, >= 2. Sobol': base points, a power of 2, >= 4.
    outputs : sequence of str
        Among ``"contribution"``, ``"institutionalized"``, ``"value"``, ``"duration"``.
        Default all four.
    n_organizations : int or None
        Organizations in each model. Default None: ``base``'s (100 without ``base``).
    steps : int
        Steps per run, >= 1. Default 200.
    burn_in : int or None
        Steps left out of the tail averages, in ``[0, steps - 1]``. Default None: ``steps // 2``.
    replicates : int
        Runs per design point, each with its own seed; outputs are averaged over them, >= 1.
        Default 1.
    base : TrustParams, Mapping or None
        The values of the parameters not varied: a [`TrustParams`][allysim.abm.TrustParams] or a
        mapping of its fields. Default None: the defaults.
    num_levels : int or None
        Morris: levels of the grid each parameter moves on, even, >= 2. Default None: 4.
        Sobol' has no levels; giving it with ``method="sobol"`` is refused.
    common_seeds : bool
        False: every run its own seed, spawned from ``seed``. True: the runs of one Morris
        trajectory (or one Sobol' base point) share their seeds, so a parameter the model
        ignores gets an index of exactly 0 instead of the noise level. Default False.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Root of the design's and the runs' seeds; the same seed gives the same result, bit for
        bit. Default 0.
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The random stream under its Scientific Python SPEC 7 name; ``seed`` is an alias.
        Give one of the two.
    n_jobs : int
        Worker processes, >= 1 (the result does not depend on it). Above 1, call from under
        ``if __name__ == "__main__":`` where processes are spawned. Default 1.
    progress : bool
        Show a tqdm progress bar over the runs. Default True.

    Returns
    -------
    SensitivityResult
        ``indices`` (tidy: output, parameter, indices), ``samples`` (the runs), ``method``;
        ``table()``, ``ranking(output)`` and ``plot()``.

    Raises
    ------
    ValueError
        A name in ``bounds`` is not a numeric TrustParams field, ``low >= high``, an end of a
        range is not a valid value, ``samples`` is below the method's minimum, or an output is
        unknown.
    TypeError
        An argument has the wrong type.

    Examples
    --------
    >>> r = sensitivity_analysis({"stage_min_steps": (0.5, 6.5), "never_betrayed": (-2e9, -1e9)},
    ...                          samples=2, n_organizations=20, steps=20, common_seeds=True,
    ...                          progress=False)
    >>> r.indices.shape, r.runs
    ((8, 6), 6)
    >>> float(r.table().loc["never_betrayed"].abs().max())
    0.0
    """
    from allysim.abm import TrustParams

    seed = resolve_seed(seed, rng, seed_default=0)
    method = _check_method(method)
    fields = _numeric_fields()
    checked = _check_bounds(bounds, fields)
    samples = _check_samples(samples, method)
    names = _check_outputs(outputs)
    steps = check_int(steps, "steps", minimum=1)
    burn_in = steps // 2 if burn_in is None else check_int(burn_in, "burn_in", minimum=0)
    if burn_in >= steps:
        raise ValueError(f"burn_in must lie in [0, steps - 1 = {steps - 1}], got {burn_in}")
    replicates = check_int(replicates, "replicates", minimum=1)
    num_levels = _check_levels(num_levels, method)
    common_seeds = check_bool(common_seeds, "common_seeds")
    n_jobs = check_int(n_jobs, "n_jobs", minimum=1)
    progress = check_bool(progress, "progress")
    if base is None:
        base = TrustParams()
    elif isinstance(base, Mapping):
        unknown = sorted(map(str, set(base) - set(f.name for f in dataclasses.fields(TrustParams))))
        if unknown:
            raise ValueError(
                f"base has unknown trust model parameter(s) {', '.join(unknown)}; the "
                "parameters are the fields of TrustParams"
            )
        base = TrustParams(**base)
    elif not isinstance(base, TrustParams):
        raise TypeError(f"base must be a TrustParams, a mapping or None, got {type(base).__name__}")
    if n_organizations is not None:
        base = base.replace(
            n_organizations=check_int(n_organizations, "n_organizations", minimum=2)
        )
    integers = tuple(fields[n] for n in checked)
    for (name, (low, high)), is_int in zip(checked.items(), integers, strict=True):
        for end in (low, high):
            value = _integer_range(low, high)[end == high] if is_int else end
            try:
                base.replace(**{name: value})
            except ValueError as exc:
                raise ValueError(
                    f"bounds[{name!r}] = ({low:g}, {high:g}) leaves the valid range: {exc}"
                ) from exc
    evaluate = functools.partial(
        _trust_outputs,
        base=base,
        names=tuple(checked),
        integers=integers,
        outputs=names,
        steps=steps,
        burn_in=burn_in,
    )
    options: dict[str, Any] = {
        "method": method,
        "samples": samples,
        "seed": seed,
        "integers": integers,
        "num_levels": num_levels,
        "replicates": replicates,
        "common_seeds": common_seeds,
        "progress": progress,
    }
    if n_jobs == 1:
        return _analyse(checked, evaluate, names, **options)
    with cf.ProcessPoolExecutor(max_workers=n_jobs) as pool:
        return _analyse(checked, evaluate, names, executor=pool, **options)


def _as_outputs(value: Any, outputs: tuple[str, ...], point: Mapping[str, Any]) -> list[float]:
    """``func``'s result at one point as one float per output, or an error naming the point."""
    # A pandas Series is labelled as a mapping is: read by label, not position (a Series
    # {"y": a, "x": b} with outputs ("x", "y") gave each output the other's values).
    if isinstance(value, Mapping | pd.Series):
        missing = [o for o in outputs if o not in value]
        if missing:
            raise ValueError(
                f"func returned a mapping without the output(s) {', '.join(map(repr, missing))} "
                f"at {dict(point)}; its keys are {', '.join(map(repr, value))}"
            )
        items = [value[o] for o in outputs]
    elif np.ndim(value) == 0:
        if len(outputs) != 1:
            raise ValueError(
                f"func returned one number at {dict(point)}, but {len(outputs)} outputs are "
                f"named ({', '.join(outputs)}); return a mapping of them or a sequence of "
                f"{len(outputs)} numbers"
            )
        items = [value]
    else:
        items = list(np.ravel(np.asarray(value, dtype=object))) if np.ndim(value) == 1 else []
        if len(items) != len(outputs):
            raise ValueError(
                f"func returned {np.shape(value)} values at {dict(point)}; it must return "
                f"{len(outputs)} number(s), one per output ({', '.join(outputs)}), or a mapping"
            )
    out = []
    for name, item in zip(outputs, items, strict=True):
        if isinstance(item, np.ndarray) and item.ndim == 0:
            item = item.item()
        if isinstance(item, bool | np.bool_) or not isinstance(item, numbers.Real):
            raise TypeError(
                f"func's output {name!r} must be a real number, got {type(item).__name__} "
                f"({item!r}) at {dict(point)}"
            )
        out.append(float(item))
    return out


def _function_outputs(
    values: np.ndarray,
    seed: np.random.SeedSequence,
    *,
    func: Callable[..., Any],
    names: tuple[str, ...],
    integers: tuple[bool, ...],
    outputs: tuple[str, ...],
    takes_seed: bool,
) -> list[float]:
    """One call of ``func`` at one design point (module level, so that it pickles)."""
    point: dict[str, Any] = {
        name: int(v) if is_int else float(v)
        for name, v, is_int in zip(names, values, integers, strict=True)
    }
    kwargs = dict(point)
    if takes_seed:
        kwargs["seed"] = int(seed.generate_state(1, np.uint64)[0])
    try:
        returned = func(**kwargs)
    except Exception as exc:
        # The design point is what a user needs to reproduce the failure on its own.
        exc.add_note(f"analyse_function: raised by the call func(**{kwargs!r})")
        raise
    return _as_outputs(returned, outputs, point)


def _check_call(func: Any, names: Sequence[str]) -> bool:
    """Refuse names ``func`` cannot take and parameters it needs; say whether it takes a seed.

    Only where the signature can be read; a ``**kwargs`` function takes any name, but gets a
    seed only when it names ``seed``.
    """
    if not callable(func):
        raise TypeError(f"func must be callable, got {type(func).__name__}")
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):  # builtins and some extension callables have none
        return False
    P = inspect.Parameter
    by_keyword = [
        p.name
        for p in sig.parameters.values()
        if p.kind in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)
    ]
    takes_any = any(p.kind is P.VAR_KEYWORD for p in sig.parameters.values())
    takes_seed = "seed" in by_keyword
    label = getattr(func, "__qualname__", None) or type(func).__name__
    if takes_seed and "seed" in names:
        raise ValueError(
            f"bounds must not name 'seed': func {label} takes a seed, which analyse_function "
            "gives each run (spawned from its own seed argument)"
        )
    unknown = [] if takes_any else [n for n in names if n not in by_keyword]
    if unknown:
        raise TypeError(
            f"bounds names {', '.join(map(repr, unknown))}, which func {label}{sig} does not "
            "take as keyword argument(s); bounds' keys are passed as keywords"
        )
    needed = [
        p.name
        for p in sig.parameters.values()
        if p.default is P.empty
        and p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)
        and p.name not in names
        and p.name != "seed"
    ]
    if needed:
        raise TypeError(
            f"func {label}{sig} needs {', '.join(map(repr, needed))}, which bounds does not "
            "give; give them ranges, or fix them with functools.partial"
        )
    return takes_seed


def _check_names(outputs: Any, bounds: Mapping[str, Any]) -> tuple[str, ...]:
    names = ("value",) if outputs is None else (outputs,) if isinstance(outputs, str) else outputs
    if not isinstance(names, Sequence) or not names:
        raise TypeError(
            "outputs must be None, a name (str) or a non-empty sequence of names, got "
            f"{type(outputs).__name__}"
        )
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"outputs must hold names (str), got {name!r}")
        if name == "run" or name in bounds:
            raise ValueError(
                f"outputs must not be named 'run' or after a parameter (they share the samples "
                f"table), got {name!r}"
            )
    if len(set(names)) != len(names):
        raise ValueError(f"outputs must not repeat a name, got {list(names)}")
    return tuple(names)


def analyse_function(
    func: Callable[..., Any],
    bounds: Mapping[str, tuple[float, float]],
    *,
    method: Literal["morris", "sobol"] = "morris",
    samples: int,
    outputs: str | Sequence[str] | None = None,
    integers: str | Sequence[str] = (),
    num_levels: int | None = None,
    replicates: int = 1,
    common_seeds: bool = False,
    seed: SeedLike = 0,
    rng: SeedLike = None,
    n_jobs: int = 1,
    progress: bool = True,
) -> SensitivityResult:
    """Global sensitivity of any function of named parameters (Morris or Sobol', with SALib).

    The analysis of [`sensitivity_analysis`][allysim.sensitivity.sensitivity_analysis], with the
    same design, seeds, estimators and warnings, for a function of your own: a payoff formula,
    a kernel call, a model run. Each parameter in ``bounds`` is varied uniformly over its range;
    ``func`` is called once per design point as ``func(**params)``, or
    ``func(**params, seed=s)`` when it takes a parameter named ``seed`` (each run then gets its
    own integer seed, spawned from ``seed``). Morris' elementary effects
    (``method="morris"``, Morris 1991; ``mu_star`` of Campolongo et al. 2007) rank the
    parameters from ``samples * (k + 1)`` calls; Sobol' indices (``method="sobol"``, Saltelli
    et al. 2010) split the variance from ``samples * (k + 2)`` calls (``k`` parameters, times
    ``replicates``).

    Parameters
    ----------
    func : callable
        Takes the names of ``bounds`` as keyword arguments (and ``seed``, if it is
        stochastic) and returns one real number, or with several ``outputs`` a mapping from
        their names to numbers (a dict or a pandas Series; other keys are ignored) or a
        sequence of numbers in their order.
        With ``n_jobs > 1`` it must pickle (defined at the top level of a module).
    bounds : Mapping[str, tuple[float, float]]
        Parameter names and their ``(low, high)`` ranges, ``low < high``; not ``"run"``,
        the samples table's column of design points.
    method : {"morris", "sobol"}
        Morris screening or Sobol' variance decomposition. Default ``"morris"``.
    samples : int
        Morris: trajectories, >= 2. Sobol': base points, a power of 2, >= 4.
    outputs : str, sequence of str or None
        Names of the outputs. Default None: ``func`` returns one number, named ``"value"`` (as
        in [`sweep`][allysim.experiments.sweep]).
    integers : str or sequence of str
        Parameters of ``bounds`` that are integers: rounded from the sampled value to the
        nearest integer within the range (halves up, the ends kept inside), so that
        ``(k - 0.5, m + 0.5)`` gives each of ``k..m`` the same weight with Sobol'; Morris
        visits only its ``num_levels`` grid values (4 by default: ``(0.5, 6.5)`` reaches 1,
        3, 5 and 6), so give ``num_levels = m - k + 1`` when that count is even. Passed as
        ``int``.
        Default none.
    num_levels : int or None
        Morris: levels of the grid each parameter moves on, even, >= 2. Default None: 4.
        Refused with ``method="sobol"``.
    replicates : int
        Calls per design point, each with its own seed, averaged; >= 1, and above 1 only for a
        ``func`` that takes ``seed``. Default 1.
    common_seeds : bool
        True: the calls of one Morris trajectory (or one Sobol' base point) share their seeds,
        so a parameter ``func`` ignores gets an index of exactly 0. Default False.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Root of the design's and the calls' seeds; the same seed gives the same result, bit for
        bit. Default 0.
    rng : int, numpy.random.Generator, numpy.random.SeedSequence or None, default None
        The random stream under its Scientific Python SPEC 7 name; ``seed`` is an alias.
        Give one of the two.
    n_jobs : int
        Worker processes, >= 1 (the result does not depend on it). Default 1.
    progress : bool
        Show a tqdm progress bar over the calls. Default True.

    Returns
    -------
    SensitivityResult
        ``indices`` (one row per output and parameter), ``samples`` (one row per design point:
        ``run``, the parameters, the outputs averaged over the replicates), ``method``,
        ``runs``; ``table()``, ``ranking(output)`` and ``plot()``. Morris' indices are in the
        output's units per full range of the parameter.

    Raises
    ------
    TypeError
        ``func`` is not callable, does not take a name of ``bounds`` as a keyword, needs a
        parameter ``bounds`` does not give, returns something other than real numbers, or an
        argument has the wrong type.
    ValueError
        ``low >= high``, a parameter is named ``run``, an integer range holds fewer than two
        integers, ``samples`` is below
        the method's minimum (or not a power of 2 with Sobol'), an output is named ``run`` or
        after a parameter, ``func``'s result lacks an output, or ``replicates > 1`` for a
        ``func`` without ``seed``.

    Examples
    --------
    A linear function: Morris' ``mu_star`` is |coefficient| times the width of the range.

    >>> r = analyse_function(lambda a, b: 3 * a - 2 * b, {"a": (0, 2), "b": (0, 0.5)},
    ...                      samples=4, progress=False)
    >>> r.runs, r.table()["value"].round(12).to_dict()
    (12, {'a': 6.0, 'b': 1.0})

    The Ishigami function, whose Sobol' indices are known in closed form (Ishigami & Homma
    1990): ``S1`` = (0.314, 0.442, 0), ``ST`` = (0.558, 0.442, 0.244).

    >>> def ishigami(x1, x2, x3, a=7.0, b=0.1):
    ...     return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)
    >>> r = analyse_function(ishigami, dict.fromkeys(["x1", "x2", "x3"], (-np.pi, np.pi)),
    ...                      method="sobol", samples=4096, progress=False)
    >>> r.indices[["S1", "ST"]].round(2).values.tolist()
    [[0.31, 0.56], [0.44, 0.44], [0.0, 0.24]]
    """
    seed = resolve_seed(seed, rng, seed_default=0)
    method = _check_method(method)
    names = [integers] if isinstance(integers, str) else integers
    if not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names):
        raise TypeError(
            f"integers must be a parameter name or a sequence of them, got {integers!r}"
        )
    checked = _check_bounds(bounds, None, frozenset(names))
    if "run" in checked:
        # Refused before any call: the samples table's run column would collide at the end.
        raise ValueError(
            "bounds must not name 'run' (the samples table numbers its design points in a "
            "column of that name); rename the parameter, e.g. with a wrapper function"
        )
    stray = [n for n in names if n not in checked]
    if stray:
        raise ValueError(
            f"integers names {', '.join(map(repr, stray))}, which bounds does not; the "
            f"parameters are: {', '.join(checked)}"
        )
    takes_seed = _check_call(func, list(checked))
    samples = _check_samples(samples, method)
    output_names = _check_names(outputs, checked)
    num_levels = _check_levels(num_levels, method)
    replicates = check_int(replicates, "replicates", minimum=1)
    if replicates > 1 and not takes_seed:
        raise ValueError(
            f"replicates must be 1 for a func that takes no seed (its calls at one point would "
            f"all be the same), got {replicates}"
        )
    common_seeds = check_bool(common_seeds, "common_seeds")
    n_jobs = check_int(n_jobs, "n_jobs", minimum=1)
    progress = check_bool(progress, "progress")
    flags = tuple(n in names for n in checked)
    evaluate = functools.partial(
        _function_outputs,
        func=func,
        names=tuple(checked),
        integers=flags,
        outputs=output_names,
        takes_seed=takes_seed,
    )
    options: dict[str, Any] = {
        "method": method,
        "samples": samples,
        "seed": seed,
        "integers": flags,
        "num_levels": num_levels,
        "replicates": replicates,
        "common_seeds": common_seeds,
        "progress": progress,
    }
    if n_jobs == 1:
        return _analyse(checked, evaluate, output_names, **options)
    try:
        pickle.dumps(func)
    except Exception as exc:  # lambdas, local functions, closures over unpicklable objects
        raise TypeError(
            f"func cannot be sent to worker processes ({type(exc).__name__}: {exc}); define it "
            "at the top level of an importable module, or use n_jobs=1"
        ) from exc
    with cf.ProcessPoolExecutor(max_workers=n_jobs) as pool:
        return _analyse(checked, evaluate, output_names, executor=pool, **options)
