"""Global sensitivity analysis of the trust model: which parameters do its results hinge on?

``sensitivity_analysis`` varies chosen fields of [`TrustParams`][allysim.abm.TrustParams] over
ranges, runs [`TrustModel`][allysim.abm.TrustModel] at every point of a design, and summarises each
headline output with global sensitivity indices computed by SALib (Herman & Usher 2017,
*Journal of Open Source Software* 2(9): 97; Iwanaga, Usher & Herman 2022, *Socio-Environmental
Systems Modelling* 4: 18155):

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

__all__ = ["HEADLINE_OUTPUTS", "SensitivityResult", "sensitivity_analysis"]

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
    >>> from allysim.sensitivity import _analyse
    >>> r = _analyse({"x": (0.0, 1.0), "y": (0.0, 2.0)}, lambda v, s: [v[0] - v[1]], ("f",),
    ...              method="morris", samples=3, seed=0)
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
        >>> from allysim.sensitivity import _analyse
        >>> r = _analyse({"x": (0.0, 1.0), "y": (0.0, 1.0)}, lambda v, s: [3 * v[0]],
        ...              ("f",), method="morris", samples=4, seed=0)
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
        >>> from allysim.sensitivity import _analyse
        >>> r = _analyse({"x": (0.0, 1.0), "y": (0.0, 1.0)}, lambda v, s: [v[0] + 5 * v[1]],
        ...              ("f",), method="morris", samples=4, seed=0)
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
        >>> from allysim.sensitivity import _analyse
        >>> r = _analyse({"x": (0.0, 1.0), "y": (0.0, 1.0)}, lambda v, s: [v[0], v[1]],
        ...              ("f", "g"), method="morris", samples=4, seed=0)
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


def _check_bounds(bounds: Any, allowed: Mapping[str, bool]) -> dict[str, tuple[float, float]]:
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
        if name not in allowed:
            raise ValueError(
                f"bounds names {name!r}, which is not a numeric TrustParams field that can be "
                f"varied; the fields are: {', '.join(sorted(allowed))}"
            )
        low, high = as_float_array(pair, f"bounds[{name!r}]", shape=(2,))
        if not low < high:
            raise ValueError(f"bounds[{name!r}] must have low < high, got ({low:g}, {high:g})")
        if allowed[name] and _integer_range(low, high)[0] >= _integer_range(low, high)[1]:
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
    model is one such function; tests pass analytic ones with known indices.
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
                f"output {output!r} has no value at {missing} of {n} design points (e.g. no "
                "partnership was active); its indices are NaN",
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
    if not isinstance(method, str):
        raise TypeError(f"method must be 'morris' or 'sobol', got {type(method).__name__}")
    if method not in _METHODS:
        raise ValueError(f"method must be 'morris' or 'sobol', got {method!r}")
    fields = _numeric_fields()
    checked = _check_bounds(bounds, fields)
    samples = _check_samples(samples, method)
    names = _check_outputs(outputs)
    steps = check_int(steps, "steps", minimum=1)
    burn_in = steps // 2 if burn_in is None else check_int(burn_in, "burn_in", minimum=0)
    if burn_in >= steps:
        raise ValueError(f"burn_in must lie in [0, steps - 1 = {steps - 1}], got {burn_in}")
    replicates = check_int(replicates, "replicates", minimum=1)
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
