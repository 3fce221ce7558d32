"""The trust model's sensitivity analysis: its headline outputs and the parameters they hinge on."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
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
    _integer_range,
)
from allysim.sensitivity.result import SensitivityResult

__all__ = ["HEADLINE_OUTPUTS", "sensitivity_analysis"]

#: The outputs ``sensitivity_analysis`` can summarise, in their default order.
HEADLINE_OUTPUTS = ("contribution", "institutionalized", "value", "duration")


def _numeric_fields() -> dict[str, bool]:
    """The TrustParams fields that a sensitivity analysis can vary: name -> is an integer."""
    from allysim.abm import TrustParams

    # n_organizations has its own argument: it sets the model's size, not a rule.
    return {
        f.name: f.type == "int"
        for f in dataclasses.fields(TrustParams)
        if f.type in ("int", "float") and f.name != "n_organizations"
    }


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
    return _dispatch(
        checked,
        evaluate,
        names,
        n_jobs=n_jobs,
        method=method,
        samples=samples,
        seed=seed,
        integers=integers,
        num_levels=num_levels,
        replicates=replicates,
        common_seeds=common_seeds,
        progress=progress,
    )
