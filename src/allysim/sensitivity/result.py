"""The result of a sensitivity analysis: its indices, its runs, their table, ranking and plot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

_INDEX_COLUMNS = {
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
}
_MAIN_INDEX = {"morris": "mu_star", "sobol": "ST"}


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
