"""Reproducible parameter sweeps on any executor, with results that survive interruption.

A study of incentive mechanisms is a sweep: mechanism parameters x strategy sets x seeds.
[`sweep`][allysim.experiments.sweep] runs ``function(**params, seed=...)`` for every cell of a
grid times ``replicates`` and returns a tidy DataFrame. The seed of (cell i, replicate r) is
derived from one root ``numpy.random.SeedSequence`` by position, ``SeedSequence(root.entropy,
spawn_key=root.spawn_key + (i, r))``, so results are identical whichever executor runs them and
however many workers it has, and any cell can be rerun alone.

Executors: none (in-process), any ``concurrent.futures.Executor``, or a ``dask.distributed``
``Client`` (through its ``get_executor()``), so a sweep that outgrows one machine runs
unchanged on a cluster.

When to use which: ``mesa.batch_run`` runs a Mesa model over a grid and collects its
DataCollector tables; [`sweep`][allysim.experiments.sweep] runs any function (a trust-model
run, a mechanism comparison, a kernel call), gives every cell an independent, positional seed,
resumes from a store, and records failures without losing the other cells.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import itertools
import json
import math
import os
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allysim._validation import as_seed_sequence, check_int, check_memory

__all__ = ["SweepWarning", "cell_seed", "expand_grid", "match_cell", "sweep"]


class SweepWarning(UserWarning):
    """Some cells of a sweep failed; their errors are in the ``error`` column."""


# Bytes held per run while a sweep is in flight (task tuple, parameter dict, result row, the
# final DataFrame): tracemalloc's peak on a 20,000-run sweep of 3-scalar rows was ~560 B per run;
# 1 KiB leaves room for wider rows.
_BYTES_PER_RUN = 1024


def expand_grid(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict]:
    """The cells of a grid: the Cartesian product of a dict of lists, or a list of dicts as given.

    Parameters
    ----------
    grid : dict of lists or list of dicts
        A dict maps each parameter name to the values it takes (every combination becomes a
        cell, the last parameter varying fastest); a list of dicts gives the cells as they are.

    Returns
    -------
    list of dict
        One dict of parameters per cell.

    Raises
    ------
    TypeError
        If ``grid`` is neither form, or one of its entries is not a list (a str is refused).
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
        for k in keys:
            values = grid[k]
            if isinstance(values, str | bytes) or not isinstance(values, Iterable):
                raise TypeError(
                    f"grid[{k!r}] must be a list of values, got {type(values).__name__}"
                )
        if not keys:
            raise ValueError("grid must name at least one parameter")
        lists = [list(grid[k]) for k in keys]
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
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, cell, replicate))
    return int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))


def _run_tasks(function, tasks):
    """Run (cell, replicate, seed, params) tasks in a worker; exceptions become error rows."""
    out = []
    for cell, rep, seed, params in tasks:
        row = {"cell": cell, "replicate": rep, "seed": seed}
        try:
            value = function(**params, seed=seed)
            if isinstance(value, Mapping):
                row.update(value)
            else:
                row["value"] = value
            row["error"] = None
        except Exception as exc:  # recorded per cell; an interrupt still stops the sweep
            row["error"] = f"{type(exc).__name__}: {exc}"
            row["traceback"] = traceback.format_exc(limit=3)
        out.append(row)
    return out


class _Store:
    """A folder of part files, each written to a temporary name and renamed into place."""

    def __init__(self, path, fingerprint: str, fmt: str) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.fmt = fmt
        manifest = self.path / "sweep.json"
        if manifest.exists():
            old = json.loads(manifest.read_text())
            if old.get("fingerprint") != fingerprint:
                raise ValueError(
                    f"store {self.path} holds a different sweep (other function, grid, "
                    "replicates or seed); use a new folder"
                )
        else:
            self._atomic_write(manifest, json.dumps({"fingerprint": fingerprint}).encode())
        self._parts = 0

    def _atomic_write(self, target: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)

    def load(self) -> pd.DataFrame | None:
        files = sorted(self.path.glob(f"part-*.{self.fmt}"))
        if not files:
            return None
        if self.fmt == "parquet":
            frames = [pd.read_parquet(f) for f in files]
        else:
            # pandas writes floats with repr and (since 2.0 by default, 3.0 only) reads them back
            # exactly; the resume test checks this bit for bit.
            old_pandas = int(pd.__version__.split(".")[0]) < 3
            kw: dict[str, Any] = {"float_precision": "round_trip"} if old_pandas else {}
            frames = [pd.read_csv(f, **kw) for f in files]
        return pd.concat(frames, ignore_index=True)

    def append(self, rows: list[dict]) -> None:
        if not rows:
            return
        frame = pd.DataFrame(rows)
        first = int(frame["cell"].min()), int(frame["replicate"].min())
        name = f"part-{first[0]:09d}-{first[1]:06d}-{time.time_ns()}-{self._parts}.{self.fmt}"
        self._parts += 1
        if self.fmt == "parquet":
            import io

            buf = io.BytesIO()
            frame.to_parquet(buf, index=False)
            data = buf.getvalue()
        else:
            data = frame.to_csv(index=False).encode()
        self._atomic_write(self.path / name, data)


def _fingerprint(function, cells, replicates, root) -> str:
    name = f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', function)}"
    payload = json.dumps(
        {
            "function": name,
            "cells": cells,
            "replicates": replicates,
            "entropy": str(root.entropy),
            "spawn_key": list(root.spawn_key),
        },
        sort_keys=True,
        default=repr,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def sweep(
    function: Callable[..., Any],
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    *,
    replicates: int = 1,
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
    executor: Any = None,
    progress: bool = True,
    store: str | os.PathLike | None = None,
    store_format: str = "csv",
    batch_size: int | None = None,
) -> pd.DataFrame:
    """Run ``function(**params, seed=s)`` for every cell of ``grid`` times ``replicates``.

    Parameters
    ----------
    function : callable
        Takes the grid's parameters as keywords and ``seed`` (an int) and returns a dict of
        scalars (or one scalar, stored as ``value``). It must be picklable (a module-level
        function) for process pools and Dask.
    grid : dict of lists or list of dicts
        A dict of lists is expanded to its Cartesian product; a list of dicts gives the cells
        as they are (see [`expand_grid`][allysim.experiments.expand_grid]).
    replicates : int, default 1
        Independent runs per cell, >= 1.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None, default None
        Root seed (an int must be >= 0). None draws fresh entropy, recorded in
        ``result.attrs["root_entropy"]``.
    executor : concurrent.futures.Executor, dask.distributed.Client or None, default None
        Where the runs execute; None runs them in this process.
    progress : bool, default True
        Show a tqdm bar (runs done / total, time left).
    store : str, os.PathLike or None, default None
        Folder to which finished runs are appended atomically; rerunning the same sweep with
        the same store skips the runs already there.
    store_format : {"csv", "parquet"}, default "csv"
        File format of the store ("parquet" needs pyarrow).
    batch_size : int or None, default None
        Runs per submission, >= 1 (default: 256 in process, about 4 batches per worker on an
        executor).

    Returns
    -------
    pandas.DataFrame
        One row per (cell, replicate), sorted by them: ``cell``, the parameters, ``replicate``,
        ``seed``, the values the function returned, and ``error`` (None when it succeeded).
        ``attrs["failed"]`` counts failed rows; a
        [`SweepWarning`][allysim.experiments.SweepWarning] reports them.

    Raises
    ------
    TypeError
        If ``function`` is not callable, ``executor`` is not an executor, or another argument
        has the wrong type (the message names it).
    ValueError
        If an argument is out of range, or the sweep's bookkeeping (about 1 KiB per run) would
        exceed the memory budget (see ``allysim.set_memory_budget``).

    Examples
    --------
    >>> def coin(p, seed):
    ...     return {"heads": int(np.random.default_rng(seed).random() < p)}
    >>> df = sweep(coin, {"p": [0.2, 0.8]}, replicates=3, seed=1, progress=False)
    >>> df.shape, list(df.columns)
    ((6, 6), ['cell', 'p', 'replicate', 'seed', 'heads', 'error'])
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    replicates = check_int(replicates, "replicates", minimum=1)
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    if store_format not in ("csv", "parquet"):
        raise ValueError(f"store_format must be 'csv' or 'parquet', got {store_format!r}")
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", minimum=1)
    if store is not None and not isinstance(store, str | os.PathLike):
        raise TypeError(f"store must be a path (str or os.PathLike), got {type(store).__name__}")
    root = as_seed_sequence(seed, "seed")
    cells = expand_grid(grid)
    n_runs = len(cells) * replicates
    check_memory(
        n_runs * _BYTES_PER_RUN,
        "replicates",
        hint=f"{len(cells):,} cells x {replicates:,} replicates; split the sweep or use a store "
        "and run it in parts",
    )
    pool = None
    if executor is not None:
        pool = executor.get_executor() if hasattr(executor, "get_executor") else executor
        if not isinstance(pool, cf.Executor) and not hasattr(pool, "submit"):
            raise TypeError(
                "executor must be a concurrent.futures.Executor or a dask.distributed Client, "
                f"got {type(executor).__name__}"
            )
    tasks = [
        (i, r, _derive(root, i, r), params)
        for i, params in enumerate(cells)
        for r in range(replicates)
    ]
    done_rows: list[dict] = []
    stored = None
    if store is not None:
        stored = _Store(store, _fingerprint(function, cells, replicates, root), store_format)
        previous = stored.load()
        if previous is not None:
            ok = previous[previous["error"].isna()] if "error" in previous else previous
            finished = set(zip(ok["cell"].astype(int), ok["replicate"].astype(int), strict=True))
            done_rows = ok.to_dict("records")
            tasks = [t for t in tasks if (t[0], t[1]) not in finished]

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(
            total=len(cells) * replicates,
            initial=len(done_rows),
            desc="sweep",
            unit="run",
        )

    def finish(rows: list[dict]) -> None:
        done_rows.extend(rows)
        if stored is not None:
            stored.append([r for r in rows if r.get("error") is None])
        if bar is not None:
            bar.update(len(rows))

    try:
        if pool is None:
            step = batch_size or 256
            for start in range(0, len(tasks), step):
                finish(_run_tasks(function, tasks[start : start + step]))
        else:
            workers = getattr(pool, "_max_workers", None) or 4
            step = batch_size or max(1, min(512, len(tasks) // (4 * workers) + 1))
            futures = [
                pool.submit(_run_tasks, function, tasks[s : s + step])
                for s in range(0, len(tasks), step)
            ]
            try:
                for fut in cf.as_completed(futures):
                    finish(fut.result())
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    finally:
        if bar is not None:
            bar.close()

    frame = _tidy(done_rows, cells)
    failed = int(frame["error"].notna().sum())
    frame.attrs["failed"] = failed
    frame.attrs["root_entropy"] = root.entropy
    if failed:
        warnings.warn(
            f"{failed} of {len(frame)} runs failed; see the 'error' column",
            SweepWarning,
            stacklevel=2,
        )
    return frame


def _tidy(rows: list[dict], cells: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["cell"] = frame["cell"].astype(int)
    frame["replicate"] = frame["replicate"].astype(int)
    frame["seed"] = frame["seed"].astype("int64")
    params = pd.DataFrame(cells)
    params.insert(0, "cell", range(len(cells)))
    for col in params.columns[1:]:
        if col in frame.columns:
            frame = frame.drop(columns=col)
    frame = params.merge(frame, on="cell", how="right")
    if "error" not in frame:
        frame["error"] = None
    frame["error"] = frame["error"].astype(object).where(frame["error"].notna(), None)
    front = ["cell", *params.columns[1:], "replicate", "seed"]
    rest = [c for c in frame.columns if c not in front and c not in ("error", "traceback")]
    tail = ["error"] + (["traceback"] if "traceback" in frame.columns else [])
    frame = frame[front + rest + tail]
    return frame.sort_values(["cell", "replicate"], kind="stable").reset_index(drop=True)


def match_cell(
    row: str,
    col: str,
    *,
    rounds: int = 100,
    noise: float = 0.0,
    perception_noise: float = 0.0,
    repetitions: int = 100,
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
) -> dict[str, float]:
    """A sweep-ready cell: simulate ``row`` against ``col`` (strategy names) and summarise.

    The matches use the standard prisoner's dilemma payoffs (R, S, T, P) = (3, 0, 5, 1) and
    [`allysim.kernels.simulate`][allysim.kernels.simulate].

    Parameters
    ----------
    row : str
        Name of the row player's strategy, as accepted by
        [`allysim.strategies.named`][allysim.strategies.named] (e.g. "TFT", "RANDOM(0.5)", "M1001").
    col : str
        Name of the column player's strategy.
    rounds : int, default 100
        Rounds per match, >= 1.
    noise : float, default 0.0
        Execution noise: probability in [0, 1] that a move is flipped.
    perception_noise : float, default 0.0
        Probability in [0, 1] that a player misreads the partner's move.
    repetitions : int, default 100
        Independent matches, >= 1.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None, default None
        Seed of the matches; the same seed gives the same result.

    Returns
    -------
    dict of str to float
        ``row_payoff`` and ``col_payoff`` (mean payoff per round), their standard errors over
        the repetitions ``row_payoff_se`` and ``col_payoff_se`` (NaN when ``repetitions`` is 1:
        one match has no spread to measure), and ``row_cooperation`` and ``col_cooperation``
        (share of rounds in which each side contributed).

    Raises
    ------
    TypeError
        If ``row`` or ``col`` is not a str, or another argument has the wrong type.
    ValueError
        If ``row`` or ``col`` names no strategy, or a number is out of range.

    Examples
    --------
    >>> match_cell("TFT", "ALLD", rounds=10, repetitions=2, seed=0)["row_payoff"]
    0.9
    """
    from allysim.games import PrisonersDilemma
    from allysim.kernels import simulate

    res = simulate(
        _named(row, "row"),
        _named(col, "col"),
        PrisonersDilemma(),
        rounds=rounds,
        noise=noise,
        perception_noise=perception_noise,
        repetitions=repetitions,
        seed=seed,
    )
    errors = res.stderr()  # None for a single repetition: one match has no spread
    se_r, se_c = (math.nan, math.nan) if errors is None else (e[0, 0] for e in errors)
    return {
        "row_payoff": float(res.row_payoffs.mean()),
        "col_payoff": float(res.col_payoffs.mean()),
        "row_payoff_se": float(se_r),
        "col_payoff_se": float(se_c),
        "row_cooperation": float(res.row_cooperation.mean()),
        "col_cooperation": float(res.col_cooperation.mean()),
    }


def _named(name: Any, param: str):
    from allysim.strategies import named

    if not isinstance(name, str):
        raise TypeError(f"{param} must be a strategy name (str), got {type(name).__name__}")
    try:
        return named(name)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{param}: {exc}") from exc
