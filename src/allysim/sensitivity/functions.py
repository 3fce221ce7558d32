"""Sensitivity analysis of any function of named parameters (``analyse_function``)."""

from __future__ import annotations

import functools
import inspect
import numbers
import pickle
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from allysim._validation import SeedLike, check_bool, check_int, resolve_seed
from allysim.sensitivity._design import (
    _check_bounds,
    _check_levels,
    _check_method,
    _check_samples,
    _dispatch,
)
from allysim.sensitivity.result import SensitivityResult

__all__ = ["analyse_function"]


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
    if n_jobs > 1:
        try:
            pickle.dumps(func)
        except Exception as exc:  # lambdas, local functions, closures over unpicklable objects
            raise TypeError(
                f"func cannot be sent to worker processes ({type(exc).__name__}: {exc}); define it "
                "at the top level of an importable module, or use n_jobs=1"
            ) from exc
    return _dispatch(
        checked,
        evaluate,
        output_names,
        n_jobs=n_jobs,
        method=method,
        samples=samples,
        seed=seed,
        integers=flags,
        num_levels=num_levels,
        replicates=replicates,
        common_seeds=common_seeds,
        progress=progress,
    )
