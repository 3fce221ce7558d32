"""``sweep``: run a function over every cell of a grid times replicates, on any executor."""

from __future__ import annotations

import concurrent.futures as cf
import inspect
import os
import pickle
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from allysim._progress import progress_bar
from allysim._results import _same
from allysim._validation import as_seed_sequence, check_int, check_memory
from allysim.experiments.grid import _BYTES_PER_RUN, _derive, expand_grid
from allysim.experiments.store import _identity, _read_manifest, _Store

__all__ = ["SweepWarning", "sweep"]


#: Columns that sweep fills itself: a grid parameter or a returned key of these names is refused.
_RESERVED = ("cell", "replicate", "seed", "error", "traceback")


# In process, finished runs go to the store at least this often (seconds), and at most this
# many to a part file: a killed sweep loses at most that much work, and fast cells do not pay
# a file per few milliseconds.
_FLUSH_SECONDS = 2.0
_PART_ROWS = 10_000


class SweepWarning(UserWarning):
    """Some cells of a sweep failed; their errors are in the ``error`` column."""


def _run_one(function, task, forbidden: frozenset) -> dict:
    """Run one (cell, replicate, seed, params) task; an exception becomes an error row."""
    cell, rep, seed, params = task
    row = {"cell": cell, "replicate": rep, "seed": seed}
    try:
        value = function(**params, seed=seed)
    except Exception as exc:  # recorded per cell; an interrupt still stops the sweep
        row["error"] = f"{type(exc).__name__}: {exc}"
        row["traceback"] = traceback.format_exc(limit=3)
        return row
    result = value if isinstance(value, Mapping) else {"value": value}
    if not forbidden.isdisjoint(result):
        # Echoing a parameter with its own value loses nothing; anything else would overwrite a
        # bookkeeping column or be dropped for the grid's column. A programming error of the
        # cell, the same for every run: raised, not recorded, so that the sweep stops at once.
        clash = sorted(
            (k for k in result if k in forbidden and not _echoes(result[k], params, k)), key=str
        )
    else:
        clash = []
    if clash:
        params_named = sorted(forbidden.difference(_RESERVED))
        raise ValueError(
            f"function returned key(s) {', '.join(map(repr, clash))} (cell {cell}, replicate "
            f"{rep}) that clash with the sweep's own columns: the reserved "
            f"{', '.join(_RESERVED)}, and the grid's parameters "
            f"{', '.join(params_named) or '(none)'} (a parameter may be echoed with its own "
            "value only); rename them in the function's result"
        )
    row.update(result)
    row["error"] = None
    return row


def _echoes(value: Any, params: dict, key: Any) -> bool:
    if key not in params:
        return False
    try:
        # The results' field equality: NaN handed back for a NaN parameter echoes it.
        return value is params[key] or _same(value, params[key])
    except Exception:  # an object whose == is not one truth value: not an echo
        return False


def _run_tasks(function, tasks, forbidden: frozenset) -> list[dict]:
    """Run a batch of tasks in a worker (see ``_run_one``)."""
    return [_run_one(function, task, forbidden) for task in tasks]


#: Dask settings for a *local* cluster that runs sweeps at close to the cores' speed (use as
#: ``with dask.config.set(LOCAL_DASK_CONFIG): LocalCluster(...)``). Dask's defaults suit
#: long-lived clusters with shared memory pressure; on one machine they cost a sweep about 10%:
#: workers started by "spawn" ran a 16-ms cell with about 15% more CPU than the parent process
#: (a forked worker matches it; Linux and macOS only, so left out on Windows), and the
#: nannies' and workers' monitors (memory every 100 ms, event-loop ticks every 20 ms, the
#: statistical profiler every 10 ms) took about 0.4 s of CPU per 3.5 s sweep on 2 cores
#: (benchmarks/bench_sweep.py).
LOCAL_DASK_CONFIG: dict[str, Any] = {
    # Windows has no fork: there the workers keep Dask's "spawn".
    **({} if sys.platform == "win32" else {"distributed.worker.multiprocessing-method": "fork"}),
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
}


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
        scalars (or one scalar, stored as ``value``); its keys must not be a reserved name
        (``cell``, ``replicate``, ``seed``, ``error``, ``traceback``) or a grid parameter (unless
        it echoes that parameter's value). For a process pool it must be importable by the
        workers (defined at the top level of a module, not a lambda and not in a notebook);
        Dask sends lambdas and notebook functions by value. Both are checked before any run.
    grid : dict of lists or list of dicts
        A dict of lists is expanded to its Cartesian product; a list of dicts gives the cells
        as they are (see [`expand_grid`][allysim.experiments.expand_grid]). The values of a
        parameter come in a list, tuple, range or 1-d numpy array; a set is refused (its order,
        hence the cells' seeds, would change between interpreters).
    replicates : int, default 1
        Independent runs per cell, >= 1.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None, default None
        Root seed (an int must be >= 0). None draws fresh entropy, recorded in
        ``result.attrs["root_entropy"]`` and, with ``store``, in the store's ``sweep.json``:
        rerunning with ``seed=None`` and the same store reuses it, so an interrupted sweep
        resumes (``seed=<that entropy>`` does too). The seed of run (cell i, replicate r)
        follows from the root and the position (i, r) only, and cells are numbered in grid
        order (key order, then values, the last key varying fastest): to rerun one cell, pass
        its recorded ``seed`` column.
    executor : concurrent.futures.Executor, dask.distributed.Client or None, default None
        Where the runs execute; None runs them in this process.
    progress : bool, default True
        Show a tqdm bar (runs done / total, time left).
    store : str, os.PathLike or None, default None
        Folder to which finished runs are appended atomically (in process every 2 seconds or
        ``batch_size`` runs, on an executor as each batch finishes, and in both when the sweep
        stops early: Ctrl-C or an error); rerunning the same sweep with the same store skips
        the runs already there.
    store_format : {"csv", "parquet"}, default "csv"
        File format of the store ("parquet" needs pyarrow).
    batch_size : int or None, default None
        Runs per submission to an executor, >= 1 (default: about 4 batches per worker). In
        process, the most runs written to the store at once (default 10,000); finished runs
        are also written every 2 seconds. The results do not depend on it.

    Returns
    -------
    pandas.DataFrame
        One row per (cell, replicate), sorted by them: ``cell``, the parameters, ``replicate``,
        ``seed``, the values the function returned, and ``error`` (None when it succeeded,
        else ``"ExceptionType: message"``). When a run failed there is also a last column
        ``traceback`` (the last three frames of the failure; None in the rows that succeeded).
        ``attrs["failed"]`` counts failed rows; a
        [`SweepWarning`][allysim.experiments.SweepWarning] reports them. Failed runs are not
        stored, so a rerun with the same store retries them. ``attrs["root_entropy"]`` is the
        root seed's entropy.

    Raises
    ------
    TypeError
        If ``function`` is not callable, ``executor`` is not an executor, or another argument
        has the wrong type (the message names it), or ``function`` cannot be sent to the
        executor's workers (checked for process pools and Dask). Also before any run, where
        the signature of ``function`` can be read, if a grid key is not one of its parameters
        (unless it takes ``**kwargs``), it needs a parameter that the grid does not give, or it
        takes no ``seed``. With ``store``, if the store cannot keep a value the function
        returns (csv: other than str, int, float, bool, None in a column of mixed values;
        parquet: a column of mixed types): checked on the first successful run, before the
        others, and again at every write.
    ValueError
        If an argument is out of range, a grid parameter has a reserved name (``cell``,
        ``replicate``, ``seed``, ``error``, ``traceback``), or the sweep's bookkeeping (about
        1 KiB per run) would exceed the memory budget (see ``allysim.set_memory_budget``).
        Also raised, when the first such result arrives, if ``function`` returns a key that is
        reserved or a grid parameter with another value (``value`` for a scalar result): the
        sweep stops (runs
        already stored stay in the store) instead of recording an error per run, since every run
        would clash the same way.

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
    forbidden = frozenset(_RESERVED).union(_parameter_names(cells))
    n_runs = len(cells) * replicates
    check_memory(
        n_runs * _BYTES_PER_RUN,
        "replicates",
        hint=f"{len(cells):,} cells x {replicates:,} replicates; split the sweep or use a store "
        "and run it in parts",
    )
    _check_signature(function, cells)
    pool = None
    if executor is not None:
        pool = executor.get_executor() if hasattr(executor, "get_executor") else executor
        if not isinstance(pool, cf.Executor) and not hasattr(pool, "submit"):
            raise TypeError(
                "executor must be a concurrent.futures.Executor or a dask.distributed Client, "
                f"got {type(executor).__name__}"
            )
    if pool is not None:
        _check_picklable(function, pool)
    recorded = _read_manifest(store) if store is not None and seed is None else None
    if recorded is not None and recorded.get("seed_was_none"):
        # Resuming a sweep started with seed=None: the root it drew is in the manifest.
        identity = recorded["identity"]
        root = np.random.SeedSequence(identity["entropy"], spawn_key=identity["spawn_key"])
    tasks = [
        (i, r, _derive(root, i, r), params)
        for i, params in enumerate(cells)
        for r in range(replicates)
    ]
    done_rows: list[dict] = []
    stored = None
    if store is not None:
        stored = _Store(
            store, _identity(function, cells, replicates, root), store_format, seed is None
        )
        previous = stored.load()
        if previous is not None:
            ok = previous[previous["error"].isna()] if "error" in previous else previous
            finished = set(zip(ok["cell"].astype(int), ok["replicate"].astype(int), strict=True))
            # Column by column, so each value keeps the dtype the store restored (to_dict's
            # records would turn a float32 or int32 result into a Python float or int).
            cols = list(ok.columns)
            done_rows = [
                dict(zip(cols, values, strict=True))
                for values in zip(*(ok[c].to_numpy() for c in cols), strict=True)
            ]
            tasks = [t for t in tasks if (t[0], t[1]) not in finished]

    bar = None
    if progress:
        bar = progress_bar(
            total=len(cells) * replicates,
            initial=len(done_rows),
            desc="sweep",
            unit="run",
        )

    def finish(rows: list[dict], advance: bool = True) -> None:
        done_rows.extend(rows)
        if stored is not None:
            stored.append([r for r in rows if r.get("error") is None])
        if bar is not None and advance:
            bar.update(len(rows))

    try:
        if pool is None:
            # One run at a time: the bar moves per run, and the finished runs are stored every
            # _FLUSH_SECONDS or batch_size runs, so that a killed sweep loses little.
            limit = batch_size or _PART_ROWS
            pending: list[dict] = []
            last = time.monotonic()
            unchecked = True
            try:
                for task in tasks:
                    row = _run_one(function, task, forbidden)
                    if unchecked and stored is not None and row.get("error") is None:
                        # The store's refusal of a value, on the first result instead of at the
                        # first write, seconds or hours of runs later.
                        stored.check([row])
                        unchecked = False
                    pending.append(row)
                    if bar is not None:
                        bar.update()
                    if len(pending) >= limit or time.monotonic() - last >= _FLUSH_SECONDS:
                        written, pending = pending, []
                        finish(written, advance=False)
                        last = time.monotonic()
            except BaseException as exc:
                # Ctrl-C (KeyboardInterrupt) or a clash: the runs finished so far are kept, so
                # that a rerun with the store resumes after them.
                try:
                    finish(pending, advance=False)
                except Exception as err:
                    exc.add_note(f"the last {len(pending)} finished runs were not stored: {err}")
                raise
            finish(pending, advance=False)
        else:
            workers = _worker_count(pool)
            step = batch_size or max(1, min(512, len(tasks) // (4 * workers) + 1))
            futures = [
                pool.submit(_run_tasks, function, tasks[s : s + step], forbidden)
                for s in range(0, len(tasks), step)
            ]
            consumed = set()
            try:
                for fut in cf.as_completed(futures):
                    consumed.add(fut)  # before finish: a batch the store refused is not retried
                    finish(fut.result())
            except BaseException as exc:
                for fut in futures:
                    fut.cancel()
                # Batches that finished while the sweep was stopping are kept too.
                ready = [
                    f
                    for f in futures
                    if f not in consumed and f.done() and not f.cancelled() and not f.exception()
                ]
                try:
                    for fut in ready:
                        finish(fut.result(), advance=False)
                except Exception as err:
                    exc.add_note(f"some finished runs were not stored: {err}")
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


def _parameter_names(cells: list[dict]) -> list[str]:
    """The grid's parameter names in order of appearance; reserved or non-str names refused."""
    names = list(dict.fromkeys(k for cell in cells for k in cell))
    for name in names:
        if not isinstance(name, str):
            raise TypeError(
                f"grid: parameter names must be str (they are passed as keywords), got {name!r}"
            )
    reserved = [n for n in names if n in _RESERVED]
    if reserved:
        hint = " (give the root seed as seed=..., not in the grid)" if "seed" in reserved else ""
        raise ValueError(
            f"grid: parameter name(s) {', '.join(map(repr, reserved))} are reserved for the "
            f"sweep's own columns ({', '.join(_RESERVED)}); rename them{hint}"
        )
    return names


def _check_signature(function: Callable[..., Any], cells: list[dict]) -> None:
    """Refuse grid keys ``function`` cannot take, and parameters it needs that the grid lacks.

    Only where the signature can be read; a ``**kwargs`` function takes any key.
    """
    try:
        # The signature of what sweep calls: a decorator's wrapper, not the function it wraps.
        sig = inspect.signature(function, follow_wrapped=False)
    except (TypeError, ValueError):  # builtins and some extension callables have none
        return
    P = inspect.Parameter
    by_keyword = (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)
    takes_any = any(p.kind is P.VAR_KEYWORD for p in sig.parameters.values())
    accepted = [p.name for p in sig.parameters.values() if p.kind in by_keyword]
    required = [
        p.name
        for p in sig.parameters.values()
        if p.default is P.empty and p.kind in (*by_keyword, P.POSITIONAL_ONLY)
    ]
    name = getattr(function, "__qualname__", None) or type(function).__name__
    plain = [p.replace(annotation=P.empty) for p in sig.parameters.values()]
    name += str(sig.replace(parameters=plain, return_annotation=inspect.Signature.empty))
    if "seed" not in accepted and not takes_any:
        raise TypeError(
            f"function {name} must take a keyword argument seed (sweep calls "
            "function(**params, seed=...))"
        )
    for keys in dict.fromkeys(tuple(cell) for cell in cells):
        problems = []
        unknown = [] if takes_any else [k for k in keys if k not in accepted]
        if unknown:
            problems.append(f"takes no parameter(s) {', '.join(map(repr, unknown))}")
        missing = [n for n in required if n != "seed" and n not in keys]
        if missing:
            problems.append(
                f"needs parameter(s) {', '.join(map(repr, missing))} that the grid does not give"
            )
        if problems:
            first = next(i for i, cell in enumerate(cells) if tuple(cell) == keys)
            raise TypeError(
                f"grid: function {name} {' and '.join(problems)} (cell {first}: "
                f"{', '.join(keys)}); check the grid's keys"
            )


def _check_picklable(function: Callable[..., Any], pool: Any) -> None:
    """Refuse, before any submission, a cell that a process pool's or Dask's workers cannot load.

    Otherwise the failure surfaces as a raw ``PicklingError`` or ``BrokenProcessPool`` from a
    worker, after the pool has started.
    """
    name = getattr(function, "__qualname__", None) or type(function).__name__
    fix = (
        "define it at the top level of an importable module (a .py file next to the notebook "
        "or script, then import it), or run the sweep in this process (executor=None) or on a "
        "ThreadPoolExecutor"
    )
    if type(pool).__module__.split(".")[0] == "distributed":
        # Dask's serializer: it sends lambdas and notebook functions by value.
        import cloudpickle  # type: ignore[import-untyped]

        try:
            cloudpickle.dumps(function)
        except Exception as exc:
            raise TypeError(
                f"function {name} cannot be sent to the Dask workers "
                f"({type(exc).__name__}: {exc}); {fix}"
            ) from exc
        return
    if not isinstance(pool, cf.ProcessPoolExecutor):
        return
    try:
        pickle.dumps(function)
    except Exception as exc:  # lambdas, local functions, closures over unpicklable objects
        raise TypeError(
            f"function {name} cannot be sent to the process pool's workers "
            f"({type(exc).__name__}: {exc}); {fix}"
        ) from exc
    # pickle sends a function by reference (module and name); a worker started by "spawn" or
    # "forkserver" imports __main__ afresh, which a notebook or an interactive session cannot
    # give it (no file), so the function is missing there. A forked worker inherits it.
    main = sys.modules.get("__main__")
    if getattr(function, "__module__", None) == "__main__" and not hasattr(main, "__file__"):
        context = getattr(pool, "_mp_context", None)
        method = context.get_start_method() if context is not None else None
        if method != "fork":
            raise TypeError(
                f"function {name} was defined in a notebook or an interactive session, which "
                f"the process pool's workers (started by {method or 'an unknown method'!r}) "
                f"cannot import; {fix}"
            )


def _worker_count(pool: Any) -> int:
    """Workers of a concurrent.futures pool or a dask.distributed Client (4 if it won't say)."""
    count = getattr(pool, "_max_workers", None)
    if isinstance(count, int) and count > 0:
        return count
    nthreads = getattr(pool, "nthreads", None)
    if callable(nthreads):
        total = sum(nthreads().values())
        if total > 0:
            return int(total)
    return 4


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
    # pandas 3 reads a column of str and None as its str dtype, which holds NaN, not None.
    for col in ("error", "traceback") if "traceback" in frame else ("error",):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    front = ["cell", *params.columns[1:], "replicate", "seed"]
    rest = [c for c in frame.columns if c not in front and c not in ("error", "traceback")]
    tail = ["error"] + (["traceback"] if "traceback" in frame.columns else [])
    frame = frame[front + rest + tail]
    return frame.sort_values(["cell", "replicate"], kind="stable").reset_index(drop=True)
