"""What the two analyses share: the checks of their arguments, the design (Morris' trajectories
or Saltelli's Sobol' design) and its seeds, the runs, and SALib's indices of every output.

An analysis checks its own arguments, builds ``evaluate(values, seed)`` (one run at one design
point: the trust model, or the user's function) and hands it to ``_analyse``.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from allysim._progress import progress_bar
from allysim._validation import (
    SeedLike,
    as_float_array,
    as_seed_sequence,
    check_int,
    check_memory,
)
from allysim.sensitivity.result import _INDEX_COLUMNS, SensitivityResult

_METHODS = ("morris", "sobol")
# Morris: sigma needs two trajectories. Sobol': the bootstrap of the confidence intervals
# needs a few base points, and Sobol' sequences balance only at powers of two.
_MIN_SAMPLES = {"morris": 2, "sobol": 4}

Evaluate = Callable[[np.ndarray, np.random.SeedSequence], Sequence[float]]


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
        if not math.isfinite(float(high) - float(low)):
            # The design is low + u * (high - low): an infinite width put inf or NaN in it.
            raise ValueError(
                f"bounds[{name!r}] = ({low:g}, {high:g}) is wider than a float can hold "
                "(high - low overflows); rescale the parameter"
            )
        is_int = allowed[name] if allowed is not None else name in integers
        if is_int and _integer_range(low, high)[0] >= _integer_range(low, high)[1]:
            raise ValueError(
                f"bounds[{name!r}] = ({low:g}, {high:g}) holds fewer than two integers; {name} "
                "is an integer, widen the range (e.g. (k - 0.5, m + 0.5) for k..m)"
            )
        out[name] = (float(low), float(high))
    return out


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
    a warning. Intervals wider than ``SOBOL_CONF_WARN`` are flagged too.
    """
    if np.ptp(y) == 0:
        warnings.warn(
            f"output {output!r} is the same at every design point, so it has no variance to "
            "split: its Sobol' indices are NaN",
            RuntimeWarning,
            stacklevel=5,
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
            stacklevel=5,
        )
    return found


def _dispatch(
    bounds: Mapping[str, tuple[float, float]],
    evaluate: Evaluate,
    outputs: Sequence[str],
    *,
    n_jobs: int,
    **options: Any,
) -> SensitivityResult:
    """``_analyse`` (with ``options``, its keyword arguments) in this process when ``n_jobs``
    is 1, else on a pool of ``n_jobs`` worker processes.

    The workers unpickle ``evaluate``, so its function must be importable by its qualified name
    (``_trust_outputs``, ``_function_outputs`` at the top level of their modules). The warnings
    of ``_analyse`` count this frame in their ``stacklevel``, to point at the user's call.
    """
    if n_jobs == 1:
        return _analyse(bounds, evaluate, outputs, **options)
    with cf.ProcessPoolExecutor(max_workers=n_jobs) as pool:
        return _analyse(bounds, evaluate, outputs, executor=pool, **options)


#: Memory held per run of a design until the indices are computed: its seed sequence, its
#: parameter row and its result (690 to 730 B measured with tracemalloc; rounded up).
_BYTES_PER_RUN = 1_000
#: And per base point (Sobol') or trajectory (Morris), mostly SALib's bootstrap in the analysis:
#: 6.1 kB and 2.3 kB measured. A flat 1.5 kB a run missed it: a Sobol' design on one parameter
#: held 2.8 kB a run (3 runs a base point), 1.85 times what was checked against the budget.
_BYTES_PER_BLOCK = {"sobol": 7_000, "morris": 3_000}


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
    names = list(bounds)
    k = len(names)
    runs = samples * (k + 1 if method == "morris" else k + 2) * replicates
    check_memory(
        runs * _BYTES_PER_RUN + samples * _BYTES_PER_BLOCK[method],
        "samples",
        hint=f"the design has {runs:,} runs ({method}, {k} parameters, {replicates} "
        "replicate(s)); give fewer samples or replicates",
    )
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
    bar = progress_bar(
        total=len(points), desc=f"sensitivity ({method})", unit="run", disable=not progress
    )
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
                "(it returned NaN or an infinity there, e.g. a trust-model mean when no "
                "partnership was active); its indices are NaN",
                RuntimeWarning,
                stacklevel=4,
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
