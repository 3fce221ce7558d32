"""Grid, store and runner checks of allysim.experiments.sweep found by a researcher's trial.

Each test here failed on the code before its fix (the fix's commit says which).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from allysim.experiments import expand_grid, match_cell, sweep

# ------------------------------------------------------------------ A1: ordered grid values


@pytest.mark.parametrize(
    "values",
    [{"TFT", "WSLS"}, frozenset({"TFT", "WSLS"}), {"TFT": 1, "WSLS": 2}.keys(), (s for s in "ab")],
    ids=["set", "frozenset", "dict_keys", "generator"],
)
def test_unordered_grid_values_are_refused_naming_the_key(values):
    # A set's iteration order follows PYTHONHASHSEED, and the cells' order fixes their seeds:
    # the same call gave different numbers in two interpreters.
    with pytest.raises(TypeError, match=r"grid\['row'\] must be a list of values.*pass a list"):
        expand_grid({"row": values, "col": ["ALLD"]})
    with pytest.raises(TypeError, match=r"grid\['row'\]"):
        sweep(match_cell, {"row": values, "col": ["ALLD"]}, seed=1, progress=False)


def test_ordered_containers_give_the_cells_of_a_list():
    as_list = expand_grid({"a": [1, 2], "b": [0.5, 0.25], "c": [0, 1, 2]})
    for a, b, c in [((1, 2), np.array([0.5, 0.25]), range(3)), ([1, 2], (0.5, 0.25), [0, 1, 2])]:
        assert expand_grid({"a": a, "b": b, "c": c}) == as_list
    with pytest.raises(TypeError, match=r"grid\['a'\].*2-d numpy array"):
        expand_grid({"a": np.zeros((2, 2))})


# ------------------------------------------------------------------ B3: reserved grid names


def _echo(seed, **params):
    return {"u": float(np.random.default_rng(seed).random())}


@pytest.mark.parametrize("name", ["cell", "replicate", "seed", "error", "traceback"])
def test_reserved_grid_names_are_refused_upfront(name):
    # Before: "seed" failed every run (multiple values for 'seed'), "cell" raised a pandas
    # merge error, "replicate"/"error"/"traceback" ran and gave duplicated columns.
    calls = []

    def cell(seed, **params):
        calls.append(params)
        return _echo(seed)

    with pytest.raises(ValueError, match=rf"grid: parameter name\(s\) '{name}' are reserved"):
        sweep(cell, {"a": [1, 2], name: [0, 1]}, seed=0, progress=False)
    with pytest.raises(ValueError, match="reserved"):
        sweep(cell, [{"a": 1}, {"a": 2, name: 3}], seed=0, progress=False)
    assert calls == []  # refused before any run


def test_reserved_seed_in_the_grid_says_where_the_seed_goes():
    with pytest.raises(ValueError, match=r"give the root seed as seed=\.\.\., not in the grid"):
        sweep(_echo, {"seed": [1, 2]}, progress=False)
    with pytest.raises(TypeError, match="parameter names must be str"):
        sweep(_echo, {1: [1, 2]}, seed=0, progress=False)


# ------------------------------------------------------------------ A2: returned-key clashes


def _returns(result_keys):
    def cell(x, seed):
        return {k: x * 10 for k in result_keys}

    return cell


@pytest.mark.parametrize("key", ["cell", "replicate", "seed", "error", "traceback", "x"])
def test_returned_keys_clashing_with_the_sweeps_columns_are_refused(key):
    # Before: row.update() overwrote the seed/cell/replicate, turned a run into a "failure"
    # ("error"), or lost the returned value under the grid's parameter column ("x").
    with pytest.raises(ValueError, match=rf"function returned key\(s\) '{key}' \(cell 0"):
        sweep(_returns(["y", key]), {"x": [1, 2]}, seed=0, progress=False)


def test_a_scalar_result_clashes_with_a_grid_parameter_named_value():
    with pytest.raises(ValueError, match=r"returned key\(s\) 'value'.*grid's parameters value"):
        sweep(lambda value, seed: value + 1, {"value": [1, 2]}, seed=0, progress=False)


def test_a_clash_on_a_thread_pool_raises_the_same_error():
    import concurrent.futures as cf

    with (
        cf.ThreadPoolExecutor(2) as pool,
        pytest.raises(ValueError, match=r"returned key\(s\) 'seed', 'x'"),
    ):
        sweep(_returns(["x", "seed"]), {"x": [1, 2]}, seed=0, executor=pool, progress=False)


def test_a_parameter_echoed_with_its_own_value_is_kept():
    df = sweep(lambda x, seed: {"x": x, "y": 2 * x}, {"x": [1, 2]}, seed=0, progress=False)
    assert df["x"].tolist() == [1, 2] and df["y"].tolist() == [2, 4]


# ------------------------------------------------------------------ C4: grid keys v signature


def test_a_misspelled_grid_key_is_refused_before_any_run():
    # Before: every run failed ("unexpected keyword argument 'bogus'") and a SweepWarning said so.
    with pytest.raises(TypeError, match=r"match_cell\(.*\) takes no parameter\(s\) 'bogus'"):
        sweep(match_cell, {"row": ["TFT"], "col": ["ALLD"], "bogus": [1]}, progress=False)
    with pytest.raises(TypeError, match=r"needs parameter\(s\) 'col' that the grid does not"):
        sweep(match_cell, {"row": ["TFT"]}, progress=False)
    # A list of dicts is checked cell by cell; the message gives the first offending cell.
    with pytest.raises(TypeError, match=r"'nois'.*\(cell 1: row, col, nois\)"):
        sweep(match_cell, [{"row": "TFT", "col": "ALLD"}, {"row": "TFT", "col": "ALLD", "nois": 0}])
    with pytest.raises(TypeError, match="must take a keyword argument seed"):
        sweep(lambda a: a, {"a": [1]}, progress=False)


def test_cells_taking_kwargs_or_defaults_still_run():
    def by_kwargs(seed, **params):
        return {"total": sum(params.values())}

    df = sweep(by_kwargs, {"a": [1, 2], "anything": [10]}, seed=0, progress=False)
    assert df["total"].tolist() == [11, 12]
    df = sweep(match_cell, {"row": ["TFT"], "col": ["ALLD"], "rounds": [4]}, progress=False)
    assert df["row_payoff"].tolist() == [3 / 4]  # S = 0 once, then P = 1 for three rounds


# ------------------------------------------------------------------ C6: cells a pool can't load


def _module_level(a, seed):
    return {"a2": a * 2}


def test_a_lambda_or_local_cell_on_a_process_pool_is_refused_before_submitting():
    # Before: a raw PicklingError (lambda) or AttributeError (local function) from the pool.
    import concurrent.futures as cf

    def local(a, seed):
        return a

    with cf.ProcessPoolExecutor(1) as pool:
        for cell in (lambda a, seed: a, local):
            with pytest.raises(TypeError, match=r"cannot be sent.*importable module"):
                sweep(cell, {"a": [1, 2]}, seed=0, executor=pool, progress=False)
        assert not pool._processes  # refused before any worker started
        df = sweep(_module_level, {"a": [1, 2]}, seed=0, executor=pool, progress=False)
    assert df["a2"].tolist() == [2, 4]


def test_a_notebook_cell_is_refused_for_spawned_workers(monkeypatch):
    import concurrent.futures as cf
    import multiprocessing
    import sys

    def nb_cell(a, seed):
        return a

    # What a notebook gives: the cell lives in __main__, which has no file to import.
    nb_cell.__module__, nb_cell.__qualname__ = "__main__", "nb_cell"
    main = sys.modules["__main__"]
    monkeypatch.setattr(main, "nb_cell", nb_cell, raising=False)
    monkeypatch.delattr(main, "__file__", raising=False)
    spawn = cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    with spawn, pytest.raises(TypeError, match=r"notebook.*'spawn'.*importable module"):
        sweep(nb_cell, {"a": [1]}, seed=0, executor=spawn, progress=False)


def test_a_cell_dask_cannot_serialize_is_refused():
    import threading

    class FakeDaskExecutor:  # what Client.get_executor() returns, as far as sweep looks
        __module__ = "distributed.cfexecutor"

        def submit(self, *args, **kwargs):
            raise AssertionError("nothing should be submitted")

    lock = threading.Lock()

    def holds_a_lock(a, seed):
        with lock:
            return a

    with pytest.raises(TypeError, match="cannot be sent to the Dask workers"):
        sweep(holds_a_lock, {"a": [1]}, seed=0, executor=FakeDaskExecutor(), progress=False)


# ------------------------------------------------------------------ C2: resuming seed=None


def _uniform(a, seed):
    return {"u": float(np.random.default_rng(seed).random()) + a}


class _StopAfter:
    """``_uniform`` interrupted (as by Ctrl-C) after ``limit`` calls; counts its calls."""

    def __init__(self, limit):
        self.calls, self.limit = 0, limit
        self.__qualname__, self.__module__ = _uniform.__qualname__, _uniform.__module__

    def __call__(self, a, seed):
        self.calls += 1
        if self.calls > self.limit:
            raise KeyboardInterrupt
        return _uniform(a, seed)


GRID_A = {"a": list(range(6))}


def test_a_sweep_with_seed_none_resumes_from_its_store(tmp_path):
    # Before: the rerun drew new entropy and the store refused it as "a different sweep".
    kw = {"replicates": 2, "seed": None, "progress": False, "store": tmp_path, "batch_size": 3}
    with pytest.raises(KeyboardInterrupt):
        sweep(_StopAfter(7), GRID_A, **kw)
    counter = _StopAfter(10**9)
    resumed = sweep(counter, GRID_A, **kw)
    assert counter.calls == 12 - 7  # two batches of 3, and the 7th run at the interrupt
    entropy = resumed.attrs["root_entropy"]
    full = sweep(_uniform, GRID_A, replicates=2, seed=entropy, progress=False)
    assert resumed.equals(full)
    # The drawn entropy is also the explicit seed that resumes the same store.
    again = sweep(_StopAfter(0), GRID_A, **{**kw, "seed": entropy})
    assert again.equals(full)


def test_a_different_sweep_in_a_store_is_refused_saying_what_differs(tmp_path):
    sweep(_uniform, GRID_A, replicates=2, seed=1, progress=False, store=tmp_path)
    kw = {"progress": False, "store": tmp_path}
    with pytest.raises(ValueError, match=r"another seed \(it was written with seed=1; pass"):
        sweep(_uniform, GRID_A, replicates=2, seed=2, **kw)
    with pytest.raises(ValueError, match=r"another seed \(it was written with seed=1"):
        sweep(_uniform, GRID_A, replicates=2, seed=None, **kw)
    with pytest.raises(ValueError, match=r"different sweep: replicates=2, not 3; use a new"):
        sweep(_uniform, GRID_A, replicates=3, seed=1, **kw)
    with pytest.raises(ValueError, match=r"another grid \(6 cells there, 2 here\)"):
        sweep(_uniform, {"a": [0, 1]}, replicates=2, seed=1, **kw)
    with pytest.raises(ValueError, match=r"function .*_uniform, not .*_echo"):
        sweep(_echo, GRID_A, replicates=2, seed=1, **kw)


def test_a_store_written_with_seed_none_names_its_entropy(tmp_path):
    first = sweep(_uniform, GRID_A, progress=False, store=tmp_path)
    entropy = first.attrs["root_entropy"]
    with pytest.raises(ValueError, match=rf"written with seed=None, which drew seed={entropy};"):
        sweep(_uniform, GRID_A, seed=3, progress=False, store=tmp_path)


def test_a_store_from_before_the_manifest_recorded_its_parts_still_resumes(tmp_path):
    import json

    first = sweep(_uniform, GRID_A, seed=4, progress=False, store=tmp_path)
    manifest = tmp_path / "sweep.json"
    manifest.write_text(
        json.dumps({"fingerprint": json.loads(manifest.read_text())["fingerprint"]})
    )
    counter = _StopAfter(10**9)
    assert sweep(counter, GRID_A, seed=4, progress=False, store=tmp_path).equals(first)
    assert counter.calls == 0
    with pytest.raises(ValueError, match=r"\(other function, grid, replicates or seed\)"):
        sweep(_uniform, GRID_A, seed=5, progress=False, store=tmp_path)


# ------------------------------------------------------------------ A3: exact store round trip

_TEXTS = ["NA", "", None, "x", "nan", "None", "1"]
_FLOATS = [math.nan, math.inf, -math.inf, 0.1, -0.0, 1e-300, 2 / 3]


def _awkward(a, seed):
    """Values that CSV's default parsing changes: "NA", "", None, nan/inf, and an all-None key."""
    return {
        "text": _TEXTS[a % 7],
        "number": _FLOATS[a % 7],
        "count": a * 10**15,
        "flag": a % 2 == 0,
        "nothing": None,
        "maybe": [1.5, None][a % 2],
        "u": _uniform(a, seed)["u"],
    }


_awkward.__qualname__ = "_awkward"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_resumed_sweep_equals_the_first_run_whatever_the_values(tmp_path, fmt):
    # Before (csv): "NA" and "" came back as NaN and the all-None column as float NaN, so the
    # promised again.equals(df) was False.
    if fmt == "parquet":
        pytest.importorskip("pyarrow", reason="the parquet store needs pyarrow (parquet extra)")
    grid = {"a": list(range(14))}
    full = sweep(_awkward, grid, seed=9, progress=False)
    kw = {"seed": 9, "progress": False, "store": tmp_path, "store_format": fmt, "batch_size": 4}
    with pytest.raises(KeyboardInterrupt):
        sweep(_Interrupted(_awkward, 9), grid, **kw)
    counter = _Interrupted(_awkward, 10**9)
    resumed = sweep(counter, grid, **kw)
    assert counter.calls == 14 - 9  # two batches of 4, and the 9th run at the interrupt
    assert resumed.equals(full), (resumed.compare(full), resumed.dtypes, full.dtypes)
    again = sweep(_Interrupted(_awkward, 0), grid, **kw)  # read back whole, nothing rerun
    assert again.equals(full)
    assert again["text"].tolist()[:4] == ["NA", "", full["text"][2], "x"]


def test_the_csv_store_keeps_mixed_columns_and_refuses_what_it_cannot_keep(tmp_path):
    def mixed(a, seed):
        return {"m": ["1", 1, 1.0, True, None, "True"][a]}

    mixed.__qualname__ = "mixed"
    grid = {"a": list(range(6))}
    first = sweep(mixed, grid, seed=0, progress=False, store=tmp_path / "m")
    again = sweep(mixed, grid, seed=0, progress=False, store=tmp_path / "m")
    assert again.equals(first)
    assert [type(v).__name__ for v in again["m"]] == [
        "str",
        "int",
        "float",
        "bool",
        "NoneType",
        "str",
    ]

    def odd(a, seed):
        return {"z": [complex(1, 2), "x"][a]}

    with pytest.raises(
        TypeError, match=r"csv store cannot keep column 'z'.*store_format='parquet'"
    ):
        sweep(odd, {"a": [0, 1]}, seed=0, progress=False, store=tmp_path / "z")


class _Interrupted:
    """``function`` interrupted (as by Ctrl-C) after ``limit`` calls; counts its calls."""

    def __init__(self, function, limit):
        self.function, self.calls, self.limit = function, 0, limit
        self.__qualname__, self.__module__ = function.__qualname__, function.__module__

    def __call__(self, seed, **params):
        self.calls += 1
        if self.calls > self.limit:
            raise KeyboardInterrupt
        return self.function(**params, seed=seed)


def test_the_parquet_store_says_what_to_do_with_a_mixed_column(tmp_path):
    pytest.importorskip("pyarrow", reason="the parquet store needs pyarrow (parquet extra)")

    def mixed(a, seed):
        return {"m": ["x", 1][a]}

    # Before: pyarrow's ArrowTypeError "Expected bytes, got a 'int' object".
    with pytest.raises(TypeError, match=r"parquet store cannot write.*store_format='csv'"):
        sweep(mixed, {"a": [0, 1]}, seed=0, progress=False, store=tmp_path, store_format="parquet")


# ------------------------------------------------------------------ C1: in-process progress


def test_in_process_the_bar_moves_and_the_store_fills_run_by_run(tmp_path, monkeypatch):
    # Before: runs went in batches of 256, so a short sweep showed 0% until its end and a
    # killed one had stored nothing.
    import allysim.experiments.runner as runner

    class Bar:
        def __init__(self, total, initial, **kw):
            self.n = initial

        def update(self, n=1):
            self.n += n

        def close(self):
            pass

    bars = []
    monkeypatch.setattr(
        runner, "progress_bar", lambda iterable=None, **kw: bars.append(Bar(**kw)) or bars[-1]
    )
    seen = []

    def watched(a, seed):
        seen.append(bars[-1].n)  # runs finished before this one, as the bar shows them
        return _uniform(a, seed)

    watched.__qualname__ = "watched"
    sweep(watched, GRID_A, replicates=2, seed=0, progress=True)
    assert seen == list(range(12)) and bars[-1].n == 12
    # Every run is stored as soon as the flush interval has passed (here: at once).
    monkeypatch.setattr(runner, "_FLUSH_SECONDS", 0.0, raising=False)
    with pytest.raises(KeyboardInterrupt):
        sweep(
            _Interrupted(_uniform, 5), GRID_A, replicates=2, seed=0, progress=False, store=tmp_path
        )
    assert len(list(tmp_path.glob("part-*.csv"))) == 5


@pytest.mark.parametrize("flush", [0.0, 2.0])
def test_results_do_not_depend_on_how_runs_are_stored(tmp_path, monkeypatch, flush):
    import allysim.experiments.runner as runner

    monkeypatch.setattr(runner, "_FLUSH_SECONDS", flush, raising=False)
    reference = sweep(_awkward, GRID_A, replicates=3, seed=2, progress=False)
    for i, batch_size in enumerate([None, 1, 4, 100]):
        store = tmp_path / str(i)
        kw = {"replicates": 3, "seed": 2, "progress": False, "batch_size": batch_size}
        assert sweep(_awkward, GRID_A, store=store, **kw).equals(reference)
        assert sweep(_Interrupted(_awkward, 0), GRID_A, store=store, **kw).equals(reference)


# --- found by an adversarial review of the sweep changes ---------------------------------------


def test_a_cell_wrapped_by_a_decorator_is_checked_by_the_wrapper_signature():
    # inspect.signature follows __wrapped__ to the inner function, which takes rng, not seed.
    import functools

    def seeded(f):
        @functools.wraps(f)
        def wrapper(*, seed, **params):
            return f(rng=np.random.default_rng(seed), **params)

        return wrapper

    @seeded
    def model(x, rng):
        return {"y": x + rng.random()}

    df = sweep(model, {"x": [1, 2]}, seed=1, progress=False)
    assert len(df) == 2 and df["error"].isna().all()


def test_a_cell_handing_back_its_nan_parameter_echoes_it():
    df = sweep(
        lambda x, seed: {"x": float(x)}, {"x": np.array([0.5, np.nan])}, seed=1, progress=False
    )
    assert len(df) == 2 and np.isnan(df["x"].iloc[1])


def test_a_resumed_sweep_keeps_numpy_dtypes_and_empty_keys(tmp_path):
    def f(x, seed):
        return {"": "s", "y": np.float32(0.1) * x, "i": np.int32(x)}

    fresh = sweep(f, {"x": [1, 2, 3]}, seed=1, progress=False)
    sweep(f, {"x": [1, 2, 3]}, seed=1, progress=False, store=tmp_path / "st")
    again = sweep(f, {"x": [1, 2, 3]}, seed=1, progress=False, store=tmp_path / "st")
    pd.testing.assert_frame_equal(fresh, again)
    assert again["y"].dtype == np.float32 and again["i"].dtype == np.int32


# --- stopping early: what is kept, and how soon a refused value is reported -----------------


def _stored_rows(path) -> int:
    return sum(len(pd.read_csv(p)) for p in path.glob("part-*.csv"))


def test_ctrl_c_in_process_keeps_the_runs_finished_before_it(tmp_path):
    # Before: runs waited up to 2 s for the next write, and Ctrl-C dropped them: a fast sweep
    # interrupted after 7 runs had stored none, and its rerun computed all 12 again.
    full = sweep(_uniform, GRID_A, replicates=2, seed=4, progress=False)
    kw = {"replicates": 2, "seed": 4, "progress": False, "store": tmp_path}
    with pytest.raises(KeyboardInterrupt):
        sweep(_Interrupted(_uniform, 7), GRID_A, **kw)
    assert _stored_rows(tmp_path) == 7
    counter = _Interrupted(_uniform, 10**9)
    resumed = sweep(counter, GRID_A, **kw)
    assert counter.calls == 12 - 7
    pd.testing.assert_frame_equal(resumed, full, check_exact=True)


def test_ctrl_c_on_an_executor_keeps_the_batches_that_finished_meanwhile(tmp_path, monkeypatch):
    # Ctrl-C while the sweep waits for the next batch: every batch has finished by then, none
    # has been handed back yet. Before: all of them were lost.
    import concurrent.futures as cf

    def interrupted_wait(futures):
        cf.wait(futures)
        raise KeyboardInterrupt
        yield  # a generator, as cf.as_completed is

    monkeypatch.setattr(cf, "as_completed", interrupted_wait)
    kw = {"replicates": 2, "seed": 4, "progress": False, "store": tmp_path, "batch_size": 5}
    with cf.ThreadPoolExecutor(max_workers=2) as pool, pytest.raises(KeyboardInterrupt):
        sweep(_uniform, GRID_A, executor=pool, **kw)
    assert _stored_rows(tmp_path) == 12
    monkeypatch.undo()
    counter = _Interrupted(_uniform, 10**9)
    resumed = sweep(counter, GRID_A, **kw)
    assert counter.calls == 0
    full = sweep(_uniform, GRID_A, replicates=2, seed=4, progress=False)
    pd.testing.assert_frame_equal(resumed, full, check_exact=True)


def _complex_result(a, seed):
    return {"u": _uniform(a, seed)["u"], "z": complex(a, 1)}


_complex_result.__qualname__ = "_complex_result"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_value_the_store_cannot_keep_stops_the_sweep_after_the_first_run(tmp_path, fmt):
    # Before: the store refused it only when writing, 2 s (or batch_size runs) later: all 40
    # runs here, hours of them in a real sweep.
    if fmt == "parquet":
        pytest.importorskip("pyarrow", reason="the parquet store needs pyarrow (parquet extra)")
    message = {
        "csv": r"csv store cannot keep column 'z'.*store_format='parquet'",
        "parquet": r"parquet store cannot write.*store_format='csv'",
    }[fmt]
    counter = _Interrupted(_complex_result, 10**9)
    with pytest.raises(TypeError, match=message):
        sweep(
            counter,
            {"a": list(range(40))},
            seed=0,
            progress=False,
            store=tmp_path,
            store_format=fmt,
        )
    assert counter.calls == 1
    assert not list(tmp_path.glob("part-*"))
    # Without a store nothing is refused.
    assert len(sweep(_complex_result, {"a": [0, 1]}, seed=0, progress=False)) == 2


def test_a_later_value_the_store_cannot_keep_is_still_refused_and_earlier_runs_kept(tmp_path):
    def late(a, seed):
        return {"z": complex(1, 2) if a == 5 else float(a)}

    late.__qualname__ = "late"
    with pytest.raises(TypeError, match=r"csv store cannot keep column 'z'"):
        sweep(late, {"a": list(range(8))}, seed=0, progress=False, store=tmp_path, batch_size=2)
    assert _stored_rows(tmp_path) == 4  # the parts of runs 0-1 and 2-3; 4-5 was refused


def test_cell_seed_depends_on_the_roots_pool_size():
    # Roots that differ only in pool size are different streams; cell_seed gave them one seed
    # (up to 0.4.0). The default pool size keeps every seed as it was.
    import numpy as np

    from allysim.experiments import cell_seed

    wide = cell_seed(np.random.SeedSequence(1, pool_size=8), 0, 0)
    assert wide != cell_seed(np.random.SeedSequence(1), 0, 0)
    child = np.random.SeedSequence(1, spawn_key=(0, 0), pool_size=8)
    assert wide == int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))
    assert cell_seed(1, 2, 3) == int(
        np.random.SeedSequence(1, spawn_key=(2, 3)).generate_state(1, np.uint64)[0] >> 1
    )
