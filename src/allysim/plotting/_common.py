"""Helpers shared by the figure modules: the Axes to draw on and data with missing values."""

from __future__ import annotations

import numpy as np

from allysim._validation import shape_matches, shape_text

__all__: list[str] = []


def _axes(ax):
    if ax is None:
        # Deferred: importing pyplot selects a backend, which only drawing should do.
        import matplotlib.pyplot as plt

        # Constrained layout makes room for a legend beside the axes (_legend_beside).
        _, ax = plt.subplots(figsize=(6, 5), layout="constrained")
    return ax


def _data_array(
    value,
    name: str,
    *,
    shape: tuple[int | str, ...],
    alternative: tuple[int | str, ...] | None = None,
) -> np.ndarray:
    """``value`` as a float array of ``shape`` in which NaN means missing; infinities raise.

    Each entry of ``shape`` is a required size (int) or the name of a free one (str), which
    the error message writes as the caller means it: "(replicates, steps)", "(steps, 3)".
    ``alternative`` is a second accepted shape (a 1-D series besides a 2-D table).
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be an array of real numbers (NaN for missing), got {type(value).__name__}"
        ) from exc
    accepted = [shape] if alternative is None else [shape, alternative]
    if not any(shape_matches(arr.shape, want) for want in accepted):
        want = " or ".join(shape_text(w) for w in accepted)
        raise ValueError(f"{name} must have shape {want}, got {arr.shape}")
    if np.isinf(arr).any():
        raise ValueError(f"{name} must not contain infinities (NaN marks missing values)")
    return arr


def _check_unit(arr: np.ndarray, name: str, *, total: bool = False) -> np.ndarray:
    """Refuse values outside [0, 1], which the figures' fixed 0-1 axis would cut off unseen.

    With ``total``, each complete column of a (series, steps) array is a whole split into
    shares and must sum to 1 (within 1e-6), or its stack would end below or past the axis top.
    """
    known = arr[np.isfinite(arr)]
    if known.size and (known.min() < 0 or known.max() > 1):
        raise ValueError(
            f"{name} must lie in [0, 1] (NaN marks missing), got values in "
            f"[{known.min():g}, {known.max():g}]"
        )
    if total:
        sums = arr[:, np.isfinite(arr).all(axis=0)].sum(axis=0)
        bad = np.abs(sums - 1) > 1e-6
        if bad.any():
            raise ValueError(
                f"{name} must sum to 1 at each step (shares of a whole), got {sums[bad][0]:g}"
            )
    return arr


def _finite_line(ax, x, y, *args, **kwargs):
    """Plot only the points where ``y`` is known, so a series with missing steps still draws."""
    x = np.asarray(x)
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(y)
    return ax.plot(x[keep], y[keep], *args, **kwargs)


def _complete_rows(x, data: np.ndarray):
    """Keep the columns (steps) of a (series, steps) array in which every series is known."""
    keep = np.isfinite(data).all(axis=0)
    return np.asarray(x)[keep], data[:, keep]


def _legend_beside(ax, **kwargs):
    """A legend to the right of the axes, so it never covers a line, a band or a stacked area.

    ``tight_layout`` and ``bbox_inches="tight"`` count it in, so panels make room for it.
    """
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **kwargs)


def _trust_table(value, name: str, columns: list[str]):
    """``value`` if it is a trust-model table with ``columns``; else a TypeError/ValueError.

    Checked up front so that a model, an array or another table is refused with a message
    saying what to pass, not with pandas' ``KeyError`` or "object is not subscriptable".
    """
    import pandas as pd

    want = f"the DataFrame TrustModel.run returns (columns {', '.join(columns)})"
    if not isinstance(value, pd.DataFrame):
        hint = ""
        if hasattr(value, "datacollector"):
            hint = "; pass model.run(...) or model.datacollector.get_model_vars_dataframe()"
        raise TypeError(f"{name} must be {want}, got {type(value).__name__}{hint}")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise ValueError(f"{name} must be {want}; it has no column {', '.join(missing)}")
    return value


def _not_a_model(value, name: str, instead: str) -> None:
    """Refuse a trust model where its data is wanted, saying what to pass instead."""
    if hasattr(value, "datacollector"):
        raise TypeError(f"{name} must be data, got {type(value).__name__}; pass {instead}")


def _names(value, name: str, count: int | None = None) -> list[str]:
    """``value`` as a list of ``count`` labels; a string, a table or a scalar is refused.

    A string would be read letter by letter, and a DataFrame by its column names.
    """
    import pandas as pd

    if isinstance(value, str | bytes | pd.DataFrame) or not hasattr(value, "__len__"):
        raise TypeError(
            f"{name} must be a sequence of strategy names (a list of str), got "
            f"{type(value).__name__}"
        )
    names = [str(x) for x in value]
    if count is not None and len(names) != count:
        raise ValueError(f"{name} must hold {count} names, got {len(names)}")
    return names
