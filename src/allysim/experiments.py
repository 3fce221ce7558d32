"""Reproducible parameter sweeps on any executor, with results that survive interruption.

A study of incentive mechanisms is a sweep: mechanism parameters x strategy sets x seeds.
:func:`sweep` runs ``function(**params, seed=...)`` for every cell of a grid times
``replicates`` and returns a tidy DataFrame. The seed of (cell i, replicate r) is derived from
one root :class:`numpy.random.SeedSequence` by position, ``SeedSequence(root.entropy,
spawn_key=root.spawn_key + (i, r))``, so results are identical whichever executor runs them and
however many workers it has, and any cell can be rerun alone.

Executors: none (in-process), any :class:`concurrent.futures.Executor`, or a
``dask.distributed`` ``Client`` (through its ``get_executor()``), so a sweep that outgrows one
machine runs unchanged on a cluster.

When to use which: ``mesa.batch_run`` runs a Mesa model over a grid and collects its
DataCollector tables; :func:`sweep` runs any function (a trust-model run, a mechanism
comparison, a kernel call), gives every cell an independent, positional seed, resumes from a
store, and records failures without losing the other cells.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import itertools
import json
import numbers
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

from allysim._validation import check_int

__all__ = ["SweepWarning", "cell_seed", "expand_grid", "match_cell", "sweep"]


class SweepWarning(UserWarning):
    """Some cells of a sweep failed; their errors are in the ``error`` column."""


def expand_grid(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict]:
    """The cells of a grid: the Cartesian product of a dict of lists, or a list of dicts as given.

    Examples
    --------
    >>> expand_grid({"fine": [1, 2], "detection": [0.5]})
    [{'fine': 1, 'detection': 0.5}, {'fine': 2, 'detection': 0.5}]
    """
    if isinstance(grid, Mapping):
        keys = list(grid)
        for k in keys:
            values = grid[k]
            if isinstance(values, str | bytes) or not isinstance(values, Iterable):
                raise TypeError(
                    f"grid[{k!r}] must be a list of values, got {type(values).__name__}"
                )
        lists = [list(grid[k]) for k in keys]
        if any(len(v) == 0 for v in lists):
            raise ValueError("every parameter in grid needs at least one value")
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
    raise TypeError("grid must be a dict of lists or a list of dicts")


def _root(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(2**63)))
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        raise TypeError("seed must be a non-negative int, a SeedSequence, a Generator or None")
    return np.random.SeedSequence(int(seed))


def cell_seed(root: np.random.SeedSequence | int, cell: int, replicate: int) -> int:
    """The integer seed :func:`sweep` passes to cell ``cell``, replicate ``replicate``.

    Examples
    --------
    >>> cell_seed(42, 0, 0) == cell_seed(np.random.SeedSequence(42), 0, 0)
    True
    """
    root = _root(root)
    child = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, cell, replicate))
    # 63 bits: fits a signed 64-bit column in any store format.
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
            kw = {"float_precision": "round_trip"} if old_pandas else {}
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
    function : callable taking the grid's parameters and ``seed`` (an int), returning a dict of
        scalars (or one scalar, stored as ``value``). It must be picklable (a module-level
        function) for process pools and Dask.
    grid : dict of lists (Cartesian product) or list of dicts (cells as given).
    replicates : independent runs per cell.
    seed : root seed (int, SeedSequence or Generator); None draws fresh entropy, recorded in
        ``result.attrs["root_entropy"]``.
    executor : None (in-process), a ``concurrent.futures.Executor``, or a ``dask.distributed``
        Client.
    progress : show a tqdm bar (cells done / total, time left).
    store : folder to which finished cells are appended atomically; rerunning the same sweep
        with the same store skips the cells already there.
    store_format : "csv" or "parquet" (needs pyarrow).
    batch_size : tasks per submission to an executor (default: about 4 batches per worker).

    Returns
    -------
    pandas.DataFrame
        One row per (cell, replicate), sorted by them: ``cell``, the parameters, ``replicate``,
        ``seed``, the values the function returned, and ``error`` (None when it succeeded).
        ``attrs["failed"]`` counts failed rows; a :class:`SweepWarning` reports them.

    Examples
    --------
    >>> def coin(p, seed):
    ...     return {"heads": int(np.random.default_rng(seed).random() < p)}
    >>> df = sweep(coin, {"p": [0.2, 0.8]}, replicates=3, seed=1, progress=False)
    >>> df.shape, list(df.columns)
    ((6, 6), ['cell', 'p', 'replicate', 'seed', 'heads', 'error'])
    """
    if not callable(function):
        raise TypeError("function must be callable")
    cells = expand_grid(grid)
    replicates = check_int(replicates, "replicates", minimum=1)
    if store_format not in ("csv", "parquet"):
        raise ValueError(f"store_format must be 'csv' or 'parquet', got {store_format!r}")
    root = _root(seed)
    tasks = [
        (i, r, cell_seed(root, i, r), params)
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
        if executor is None:
            step = batch_size or 256
            for start in range(0, len(tasks), step):
                finish(_run_tasks(function, tasks[start : start + step]))
        else:
            pool = executor.get_executor() if hasattr(executor, "get_executor") else executor
            if not isinstance(pool, cf.Executor) and not hasattr(pool, "submit"):
                raise TypeError(
                    "executor must be a concurrent.futures.Executor or a dask.distributed Client"
                )
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
    seed: int | None = None,
) -> dict[str, float]:
    """A sweep-ready cell: simulate ``row`` against ``col`` (strategy names) and summarise.

    Returns mean payoff per round and contribution rate of each side, with standard errors
    (standard prisoner's dilemma payoffs).

    Examples
    --------
    >>> match_cell("TFT", "ALLD", rounds=10, repetitions=2, seed=0)["row_payoff"]
    0.9
    """
    from allysim.games import PrisonersDilemma
    from allysim.kernels import simulate
    from allysim.strategies import named

    res = simulate(
        named(row),
        named(col),
        PrisonersDilemma(),
        rounds=rounds,
        noise=noise,
        perception_noise=perception_noise,
        repetitions=repetitions,
        seed=seed,
    )
    se_r, se_c = res.stderr()
    return {
        "row_payoff": float(res.row_payoffs.mean()),
        "col_payoff": float(res.col_payoffs.mean()),
        "row_payoff_se": float(se_r[0, 0]),
        "col_payoff_se": float(se_c[0, 0]),
        "row_cooperation": float(res.row_cooperation.mean()),
        "col_cooperation": float(res.col_cooperation.mean()),
    }
