"""Trust-model results in the shapes analysis tools expect: tidy frames and xarray datasets.

A run's frame (:meth:`TrustModel.run`, :meth:`TrustModel.data`) has one row per step and one
column per reporter; a :func:`~allysim.abm.batch_run` frame has one row per run and reported
step. Both carry their parameters in ``frame.attrs`` (``"params"`` or ``"batch"``). The
functions here keep those parameters with the data:

* :func:`to_tidy`: long format, one row per (run, step, variable), for seaborn, plotnine or a
  ``groupby``.
* :func:`to_xarray`: an :class:`xarray.Dataset` with dimensions ``step`` (a run) or the swept
  parameters, ``replicate`` and ``step`` (a batch), one data variable per reporter, and the
  parameters as attributes (JSON strings where they are not plain numbers or strings, so the
  dataset writes to netCDF or Zarr). xarray is optional (``pip install "allysim[xarray]"``).

A swept parameter whose values are sequences or objects (``strategies``, ``mechanisms``,
``stage_thresholds``, ...) is labelled by one string per value in both: the elements joined by
``+`` (``"TFT+ALLD"``), an object by its repr, which names its parameters
(``"Sanction(fine=3.0, detection=0.8, enforcement_cost=0.0, transfer=False)"``), an empty
sequence ``"()"``; where two values would share a label, their JSON is used instead. A column of
numbers and None (a swept ``[None, 0.5]``, a reporter without a value at some steps) is numeric
in both, None as NaN; in a dataset a NaN coordinate comes last, and is picked with
``ds.isel`` or ``ds.where(ds[name].isnull(), drop=True)`` (``sel`` cannot match NaN).
"""

from __future__ import annotations

import json
import numbers
from typing import Any

import numpy as np
import pandas as pd

from allysim.abm.params import _plain

__all__ = ["to_tidy", "to_xarray"]

# Columns of a batch_run frame that identify a run rather than report on it.
_BATCH_IDS = ("RunId", "iteration", "Step", "seed", "replicate")


def _kind(frame: Any) -> str:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            "frame must be a pandas DataFrame from TrustModel.run/data or batch_run, got "
            f"{type(frame).__name__}"
        )
    if "batch" in frame.attrs:
        return "batch"
    if "params" in frame.attrs:
        return "run"
    raise ValueError(
        "frame carries no parameters (frame.attrs has neither 'params' nor 'batch'); pass the "
        "frame returned by TrustModel.run, TrustModel.data or batch_run"
    )


def _swept(frame: pd.DataFrame) -> list[str]:
    """Parameters given as lists to batch_run (the swept ones), in the order given."""
    params = frame.attrs["batch"]["parameters"]
    return [k for k, v in params.items() if isinstance(v, list) and k in frame.columns]


def _join(plain: Any) -> str:
    if isinstance(plain, list):
        return "+".join(_join(p) for p in plain) if plain else "()"
    return str(plain)


def _numeric(column: pd.Series) -> pd.Series | None:
    """A column of numbers and None (object dtype) as floats, None as NaN; else None.

    pandas keeps such a column as objects (a swept ``[None, 0.5]``, a reporter that has no value
    at some steps); as floats it sorts, selects and writes to netCDF as numbers.
    """
    values = column.tolist()
    if not any(v is not None for v in values):
        return None
    for v in values:
        if v is not None and (isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real)):
            return None
    return pd.Series(
        [np.nan if v is None else float(v) for v in values], index=column.index, dtype=float
    )


def _floats_keep_values(values: list) -> bool:
    """Whether numbers and None (all Real or None) map to floats one to one, None to NaN."""
    has_nan = any(v is not None and v != v for v in values)
    return not (has_nan and None in values) and all(
        v is None or v != v or float(v) == v for v in values
    )


def _labelled(wide: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """``wide`` with each swept column of sequences or objects replaced by string labels.

    Lists are unhashable (no index or groupby on them) and objects have no netCDF type, so a
    column of either cannot be a dimension as it is; numbers and strings are left untouched,
    and a column of numbers and None becomes floats, None as NaN.
    """
    out = wide
    for name in dims:
        column = wide[name]
        if column.dtype != object or all(isinstance(v, str) for v in column):
            continue
        numeric = _numeric(column)
        # As floats, None and NaN would share a coordinate (their runs collide) and integers
        # beyond 2**53 would change: such a column keeps labels.
        if numeric is not None and _floats_keep_values(column.tolist()):
            if out is wide:
                out = wide.copy()
            out[name] = numeric
            continue
        plain = [_plain(v) for v in column]
        labels = [_join(p) for p in plain]
        keys = [json.dumps(p) for p in plain]
        if len(set(labels)) != len(set(keys)):
            labels = keys
        if out is wide:
            out = wide.copy()
        out[name] = labels
    return out


def _reported(frame: pd.DataFrame, ids: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """The numeric reporters' columns, a column of numbers and None made floats (None NaN)."""
    params = frame.attrs.get("batch", {}).get("parameters", {})
    out, names = frame, []
    for c in frame.columns:
        if c in ids or c in params:
            continue
        if pd.api.types.is_numeric_dtype(frame[c]):
            names.append(c)
        elif frame[c].dtype == object and (numeric := _numeric(frame[c])) is not None:
            if out is frame:
                out = frame.copy()
            out[c] = numeric
            names.append(c)
    return out, names


def to_tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """A trust-model frame in long (tidy) format: one row per run, step and variable.

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame from :meth:`TrustModel.run`, :meth:`TrustModel.data` or
        :func:`~allysim.abm.batch_run` (its ``attrs`` carry the parameters).

    Returns
    -------
    pandas.DataFrame
        Columns ``step``, then (a batch) the swept parameters and ``replicate``, then
        ``variable`` and ``value`` (float). A swept parameter of sequences or objects holds
        their string labels (``"TFT+ALLD"``, a mechanism's repr). ``attrs`` are those of
        ``frame``.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    ValueError
        If ``frame.attrs`` carries no parameters.

    Examples
    --------
    >>> from allysim.abm import TrustModel
    >>> run = TrustModel(n_organizations=20, seed=0).run(2, progress=False)
    >>> tidy = to_tidy(run)
    >>> tidy.columns.tolist(), len(tidy) == 3 * run.shape[1]
    (['step', 'variable', 'value'], True)
    >>> tidy.attrs["params"]["n_organizations"]
    20
    """
    kind = _kind(frame)
    if kind == "run":
        ids = ["step"]
        wide = frame.rename_axis("step").reset_index()
    else:
        ids = ["step", *_swept(frame), "replicate"]
        wide = _labelled(frame.rename(columns={"Step": "step"}), ids)
    wide, values = _reported(wide, [*ids, *_BATCH_IDS])
    long = wide.melt(id_vars=ids, value_vars=values, var_name="variable", value_name="value")
    long["value"] = long["value"].astype(float)
    long.attrs = dict(frame.attrs)
    return long


def _attr(value: Any) -> Any:
    """A netCDF-safe attribute: numbers and strings as they are, anything else as JSON."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float, str, np.integer, np.floating)):
        return value
    return json.dumps(value)


def to_xarray(frame: pd.DataFrame) -> Any:
    """A trust-model frame as an :class:`xarray.Dataset`, the parameters as attributes.

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame from :meth:`TrustModel.run`, :meth:`TrustModel.data` or
        :func:`~allysim.abm.batch_run`.

    Returns
    -------
    xarray.Dataset
        A run: dimension ``step``. A batch: dimensions the swept parameters (those given as
        lists or tuples), ``replicate`` and ``step``; a swept parameter of sequences or objects
        (``strategies``, ``mechanisms``) has string labels as coordinates (``"TFT+ALLD"``, a
        mechanism's repr); a swept parameter of numbers and None has float coordinates, None
        as NaN (last). One data variable per numeric reporter (a reporter of numbers and None
        as floats, None as NaN). Attributes: each model
        parameter (a run) or ``batch`` (the batch's parameters, replicates, seeds and steps),
        non-scalar values as JSON strings, so the dataset writes to netCDF.

    Raises
    ------
    ImportError
        If xarray is not installed (``pip install "allysim[xarray]"``).
    TypeError
        If ``frame`` is not a DataFrame.
    ValueError
        If ``frame.attrs`` carries no parameters, or a batch has two rows for one (parameters,
        replicate, step).

    Examples
    --------
    >>> from allysim.abm import batch_run
    >>> batch = batch_run({"n_organizations": 20, "noise": [0.0, 0.1]}, replicates=2,
    ...                   max_steps=3, display_progress=False)
    >>> ds = to_xarray(batch)
    >>> dict(ds.sizes)
    {'noise': 2, 'replicate': 2, 'step': 1}
    >>> float(ds["contribution_rate"].sel(noise=0.1, replicate=1, step=3)) == float(
    ...     batch.query("noise == 0.1 and replicate == 1")["contribution_rate"].iloc[0])
    True
    >>> sets = batch_run({"n_organizations": 20, "strategies": [["TFT", "ALLD"], ["WSLS"]]},
    ...                  max_steps=3, display_progress=False)
    >>> to_xarray(sets)["strategies"].values.tolist()
    ['TFT+ALLD', 'WSLS']
    """
    kind = _kind(frame)
    try:
        import xarray  # noqa: F401  (pandas' to_xarray needs it)
    except ImportError as err:  # pragma: no cover - exercised where xarray is absent
        raise ImportError(
            'to_xarray needs xarray: pip install "allysim[xarray]" (or pip install xarray)'
        ) from err
    if kind == "run":
        numeric, values = _reported(frame, [])
        ds = numeric[values].rename_axis("step").to_xarray()
        ds.attrs = {k: _attr(v) for k, v in frame.attrs["params"].items()}
        return ds
    dims = [*_swept(frame), "replicate", "step"]
    wide = _labelled(frame.rename(columns={"Step": "step"}), dims)
    if wide.duplicated(subset=dims).any():
        raise ValueError(
            "frame has several rows for one (swept parameters, replicate, step); sweep "
            "parameters by giving them as lists to batch_run"
        )
    wide, values = _reported(wide, [*dims, *_BATCH_IDS])
    # pandas leaves NaN out of an index's levels, and to_xarray then drops its rows: NaN (a
    # swept None) stands in as a number above every value until the dataset is built.
    stand_in = {}
    for name in dims:
        column = wide[name]
        if column.dtype.kind == "f" and column.isna().any():
            stand_in[name] = _above(column.to_numpy())
            wide = wide.copy() if wide is frame else wide
            wide[name] = column.fillna(stand_in[name])
    ds = wide.set_index(dims)[values].to_xarray()
    for name, value in stand_in.items():
        coord = ds[name].to_numpy()
        # Sorted again: beside +inf the stand-in is a finite number, NaN still goes last.
        ds = ds.assign_coords({name: np.where(coord == value, np.nan, coord)}).sortby(name)
    ds.attrs = {"batch": _attr(frame.attrs["batch"])}
    return ds


def _above(x: np.ndarray) -> float:
    """A float that is no value of ``x``: +inf, else -inf, else the first from 0 up that is not
    one (beside both infinities the largest finite float leaves nothing above it)."""
    taken = set(x[~np.isnan(x)].tolist())
    for candidate in (np.inf, -np.inf):
        if candidate not in taken:
            return candidate
    candidate = 0.0
    while candidate in taken:
        candidate = float(np.nextafter(candidate, np.inf))
    return candidate
