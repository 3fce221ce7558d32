"""The cells of a sweep's grid and the positional seed of each run.

The seed of (cell i, replicate r) is drawn from ``SeedSequence(root.entropy,
spawn_key=root.spawn_key + (i, r))``, so it depends on the root and the position only.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from allysim._validation import as_seed_sequence, check_int, check_memory

__all__ = ["cell_seed", "expand_grid"]


# Bytes held per run while a sweep is in flight (task tuple, parameter dict, result row, the
# final DataFrame): tracemalloc's peak on a 20,000-run sweep of 3-scalar rows was ~560 B per run;
# 1 KiB leaves room for wider rows.
_BYTES_PER_RUN = 1024


def expand_grid(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict]:
    """The cells of a grid: the Cartesian product of a dict of lists, or a list of dicts as given.

    Parameters
    ----------
    grid : dict of lists or list of dicts
        A dict maps each parameter name to the values it takes, in an ordered container: a
        list, tuple, range or 1-d numpy array (every combination becomes a cell, the last
        parameter varying fastest); a list of dicts gives the cells as they are. Sets, dict
        views, generators and other containers without a fixed order are refused: the cells'
        order fixes their seeds.

    Returns
    -------
    list of dict
        One dict of parameters per cell.

    Raises
    ------
    TypeError
        If ``grid`` is neither form, or one of its entries is not an ordered container of values
        (a str, a set, a dict view or a generator is refused).
    ValueError
        If a parameter has no values, the grid has no cell, or the product of the lists would
        not fit in the memory budget (see ``allysim.set_memory_budget``).

    Examples
    --------
    >>> expand_grid({"fine": [1, 2], "detection": [0.5]})
    [{'fine': 1, 'detection': 0.5}, {'fine': 2, 'detection': 0.5}]
    >>> expand_grid([{"fine": 1}, {"fine": 3, "detection": 0.9}])
    [{'fine': 1}, {'fine': 3, 'detection': 0.9}]
    """
    if isinstance(grid, Mapping):
        keys = list(grid)
        if not keys:
            raise ValueError("grid must name at least one parameter")
        lists = [_ordered_values(grid[k], k) for k in keys]
        if any(len(v) == 0 for v in lists):
            raise ValueError("grid: every parameter needs at least one value")
        n_cells = math.prod(len(v) for v in lists)
        check_memory(
            n_cells * _BYTES_PER_RUN,
            "grid",
            hint=f"the grid has {n_cells:,} cells; split it into several sweeps",
        )
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*lists)]
    if isinstance(grid, Sequence) and not isinstance(grid, str | bytes):
        cells = []
        for i, cell in enumerate(grid):
            if not isinstance(cell, Mapping):
                raise TypeError(
                    f"grid[{i}] must be a dict of parameters, got {type(cell).__name__}"
                )
            cells.append(dict(cell))
        if not cells:
            raise ValueError("grid must hold at least one cell")
        return cells
    raise TypeError(f"grid must be a dict of lists or a list of dicts, got {type(grid).__name__}")


def _ordered_values(values: Any, key: Any) -> list:
    """The values of one grid parameter, in the order given; unordered containers are refused.

    The cells' order fixes their seeds, so a set (whose order follows ``PYTHONHASHSEED``) would
    give a different sweep in each interpreter.
    """
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise TypeError(
                f"grid[{key!r}] must be a list of values; got a {values.ndim}-d numpy array "
                "(pass a 1-d array or a list)"
            )
        return list(values)
    if isinstance(values, Sequence) and not isinstance(values, str | bytes):
        return list(values)
    if isinstance(values, str | bytes):
        got = f"a {type(values).__name__} (wrap one value in a list: [{values!r}])"
    elif isinstance(values, Iterable):
        got = (
            f"a {type(values).__name__}, not a sequence: a set's or a dict view's order changes "
            "between interpreters (and with it the cells' order and seeds), a generator can be "
            "read once; pass a list, e.g. sorted(...)"
        )
    else:
        got = type(values).__name__
    raise TypeError(
        f"grid[{key!r}] must be a list of values (list, tuple, range or 1-d numpy array), got {got}"
    )


def cell_seed(
    root: int | np.random.SeedSequence | np.random.Generator | None, cell: int, replicate: int
) -> int:
    """The integer seed that ``sweep`` passes to cell ``cell``, replicate ``replicate``.

    The seed is the first 63 bits drawn from ``SeedSequence(root.entropy,
    spawn_key=root.spawn_key + (cell, replicate))``, so it depends only on the root and the
    position, never on the executor or the order in which runs finish.

    Parameters
    ----------
    root : int, numpy.random.SeedSequence, numpy.random.Generator or None
        The sweep's root seed, as passed to [`sweep`][allysim.experiments.sweep] (an int must
        be >= 0; a Generator contributes one draw; None draws fresh entropy).
    cell : int
        Index of the cell in the expanded grid, >= 0.
    replicate : int
        Index of the replicate, >= 0.

    Returns
    -------
    int
        A seed in [0, 2**63), which fits a signed 64-bit column in any store format.

    Examples
    --------
    >>> cell_seed(42, 0, 0) == cell_seed(np.random.SeedSequence(42), 0, 0)
    True
    >>> cell_seed(42, 0, 1) == cell_seed(42, 1, 0)
    False
    """
    root = as_seed_sequence(root, "root")
    cell = check_int(cell, "cell", minimum=0)
    replicate = check_int(replicate, "replicate", minimum=0)
    return _derive(root, cell, replicate)


def _derive(root: np.random.SeedSequence, cell: int, replicate: int) -> int:
    child = np.random.SeedSequence(
        root.entropy, spawn_key=(*root.spawn_key, cell, replicate), pool_size=root.pool_size
    )
    return int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
