import concurrent.futures as cf
import warnings

import numpy as np
import pandas as pd
import pytest

from allysim.experiments import SweepWarning, cell_seed, expand_grid, match_cell, sweep

GRID = {"row": ["TFT", "WSLS", "GRIM"], "col": ["ALLD", "RANDOM(0.5)"], "noise": [0.0, 0.05]}
KW = {"rounds": 30, "repetitions": 20}


def _cell(row, col, noise, seed):
    return match_cell(row, col, noise=noise, seed=seed, **KW)


def test_expand_grid_forms():
    assert len(expand_grid(GRID)) == 12
    assert expand_grid([{"a": 1}, {"a": 2, "b": 3}]) == [{"a": 1}, {"a": 2, "b": 3}]
    with pytest.raises(ValueError, match="at least one value"):
        expand_grid({"a": []})
    with pytest.raises(TypeError, match="list of values"):
        expand_grid({"a": "abc"})
    with pytest.raises(TypeError, match="dict of lists"):
        expand_grid(42)


def test_sweep_is_tidy_and_reproducible():
    a = sweep(_cell, GRID, replicates=2, seed=11, progress=False)
    b = sweep(_cell, GRID, replicates=2, seed=np.random.SeedSequence(11), progress=False)
    assert len(a) == 24 and a.attrs["failed"] == 0
    assert list(a.columns[:6]) == ["cell", "row", "col", "noise", "replicate", "seed"]
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    c = sweep(_cell, GRID, replicates=2, seed=12, progress=False)
    assert not a["row_payoff"].equals(c["row_payoff"])
    # Deterministic pairs give their exact payoffs whatever the seed.
    tft_alld = a[(a["row"] == "TFT") & (a["col"] == "ALLD") & (a["noise"] == 0)]
    assert np.allclose(tft_alld["row_payoff"], 29 / 30)


def test_a_cell_can_be_rerun_alone():
    df = sweep(_cell, GRID, replicates=3, seed=5, progress=False)
    row = df.iloc[17]
    again = _cell(row["row"], row["col"], row["noise"], seed=int(row["seed"]))
    assert again["row_payoff"] == row["row_payoff"]
    assert int(row["seed"]) == cell_seed(5, int(row["cell"]), int(row["replicate"]))


def test_process_pool_gives_the_in_process_result():
    serial = sweep(_cell, GRID, replicates=2, seed=3, progress=False)
    with cf.ProcessPoolExecutor(max_workers=2) as pool:
        parallel = sweep(_cell, GRID, replicates=2, seed=3, executor=pool, progress=False)
    with cf.ThreadPoolExecutor(max_workers=3) as pool:
        threaded = sweep(
            _cell, GRID, replicates=2, seed=3, executor=pool, progress=False, batch_size=1
        )
    pd.testing.assert_frame_equal(serial, parallel, check_exact=True)
    pd.testing.assert_frame_equal(serial, threaded, check_exact=True)


@pytest.mark.parametrize("tuned", [False, True])
def test_local_dask_cluster_gives_the_in_process_result(tuned):
    distributed = pytest.importorskip("distributed")
    import dask

    from allysim.experiments import LOCAL_DASK_CONFIG

    grid = {"row": ["TFT", "WSLS"], "col": ["ALLD", "RANDOM(0.5)"]}
    serial = sweep(match_cell, grid, replicates=2, seed=8, progress=False)
    with (
        dask.config.set(LOCAL_DASK_CONFIG if tuned else {}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = sweep(match_cell, grid, replicates=2, seed=8, executor=client, progress=False)
    pd.testing.assert_frame_equal(serial, on_dask, check_exact=True)


class _Interrupt:
    """A cell function that is interrupted (as by Ctrl-C) after ``limit`` calls."""

    def __init__(self, limit):
        self.calls, self.limit = 0, limit
        self.__qualname__ = "_cell"
        self.__module__ = _cell.__module__

    def __call__(self, **kw):
        self.calls += 1
        if self.calls > self.limit:
            raise KeyboardInterrupt
        return _cell(**kw)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_interrupted_sweep_resumes_from_the_store(tmp_path, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow", reason="the parquet store needs pyarrow (parquet extra)")
    full = sweep(_cell, GRID, replicates=2, seed=21, progress=False)
    store = tmp_path / "store"
    kw = {"replicates": 2, "seed": 21, "progress": False, "store": store, "store_format": fmt}
    with pytest.raises(KeyboardInterrupt):
        sweep(_Interrupt(9), GRID, batch_size=4, **kw)
    parts = list(store.glob(f"part-*.{fmt}"))
    # Two batches of 4, then the ninth run, written when the interrupt stopped the sweep.
    assert len(parts) == 3
    counter = _Interrupt(10**9)
    resumed = sweep(counter, GRID, **kw)
    assert counter.calls == 24 - 9  # only the missing runs were computed
    pd.testing.assert_frame_equal(full, resumed, check_dtype=False, check_exact=True)
    # A finished store is complete: rerunning computes nothing.
    counter = _Interrupt(10**9)
    again = sweep(counter, GRID, **kw)
    assert counter.calls == 0
    pd.testing.assert_frame_equal(full, again, check_dtype=False, check_exact=True)


def test_store_refuses_another_sweep(tmp_path):
    sweep(_cell, GRID, replicates=1, seed=1, progress=False, store=tmp_path)
    with pytest.raises(ValueError, match="different sweep"):
        sweep(_cell, GRID, replicates=1, seed=2, progress=False, store=tmp_path)


def _flaky(x, seed):
    if x % 3 == 0:
        raise RuntimeError(f"bad cell {x}")
    return {"y": x + np.random.default_rng(seed).random()}


def test_failing_cells_are_recorded_not_lost():
    with pytest.warns(SweepWarning, match="4 of 10 runs failed"):
        df = sweep(_flaky, {"x": list(range(10))}, seed=0, progress=False)
    assert df.attrs["failed"] == 4
    bad = df[df["error"].notna()]
    assert bad["x"].tolist() == [0, 3, 6, 9]
    assert bad["error"].iloc[0] == "RuntimeError: bad cell 0"
    good = df[df["error"].isna()]
    assert len(good) == 6 and good["y"].notna().all()


def test_progress_bar_and_scalar_results(capsys):
    df = sweep(lambda a, seed: a * 10, {"a": [1, 2]}, seed=0, progress=True)
    assert df["value"].tolist() == [10, 20]
    assert "sweep" in capsys.readouterr().err


def test_bad_arguments():
    with pytest.raises(ValueError, match="replicates"):
        sweep(_cell, GRID, replicates=0, progress=False)
    with pytest.raises(TypeError, match="callable"):
        sweep("f", GRID, progress=False)
    with pytest.raises(TypeError, match="seed"):
        sweep(_cell, GRID, seed="x", progress=False)
    with pytest.raises(ValueError, match="store_format"):
        sweep(_cell, GRID, store_format="xlsx", progress=False)
    with pytest.raises(TypeError, match="executor"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sweep(_cell, GRID, executor=object(), progress=False)


def test_negative_seed_is_a_value_error_naming_the_parameter():
    # The old normaliser raised TypeError("seed must be a non-negative int, ...") for -1.
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        sweep(_cell, GRID, seed=-1, progress=False)
    with pytest.raises(ValueError, match="root must be a non-negative integer"):
        cell_seed(-3, 0, 0)
    with pytest.raises(ValueError, match="cell must be an integer >= 0"):
        cell_seed(1, -1, 0)
    with pytest.raises(ValueError, match="replicate must be an integer >= 0"):
        cell_seed(1, 0, -1)
    # A Generator contributes one draw, as before: the same Generator state gives the same sweep.
    a = sweep(_cell, GRID, seed=np.random.default_rng(4), progress=False)
    b = sweep(_cell, GRID, seed=np.random.default_rng(4), progress=False)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_more_bad_arguments_name_the_parameter():
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        sweep(_cell, GRID, batch_size=0, progress=False)
    with pytest.raises(TypeError, match="progress must be a bool"):
        sweep(_cell, GRID, progress="no")
    with pytest.raises(TypeError, match="store must be a path"):
        sweep(_cell, GRID, store=3, progress=False)
    with pytest.raises(ValueError, match="row: unknown strategy name 'NOPE'"):
        match_cell("NOPE", "ALLD", rounds=2, repetitions=2, seed=0)
    with pytest.raises(TypeError, match="col must be a strategy name"):
        match_cell("TFT", 3, rounds=2, repetitions=2, seed=0)
    with pytest.raises(ValueError, match="noise"):
        match_cell("TFT", "ALLD", noise=1.5, seed=0)
    # The executor is checked before any run or store is touched.
    with pytest.raises(TypeError, match="executor must be"):
        sweep(_Interrupt(0), GRID, executor=object(), progress=False)


def test_memory_guard_refuses_huge_sweeps_before_allocating():
    import allysim

    # 10**4 values in each of 3 parameters is 10**12 cells: refused from the lengths alone.
    with pytest.raises(ValueError, match="grid: this call would need about"):
        expand_grid({"a": range(10**4), "b": range(10**4), "c": range(10**4)})
    with pytest.raises(ValueError, match="replicates: this call would need about"):
        sweep(_cell, {"a": [1]}, replicates=10**13, progress=False)
    old = allysim.set_memory_budget(64 * 1024)
    try:
        # 100 runs x 1 KiB = 100 KiB > 64 KiB; 50 runs fit.
        with pytest.raises(ValueError, match="replicates"):
            sweep(_cell, {"row": ["TFT"]}, replicates=100, progress=False)
        df = sweep(lambda a, seed: a, {"a": [1]}, replicates=50, seed=0, progress=False)
        assert len(df) == 50
    finally:
        allysim.set_memory_budget(old)


def test_batches_are_sized_for_the_workers_an_executor_reports():
    from allysim.experiments.runner import _worker_count

    class FakeClient:  # dask.distributed.Client.nthreads(): threads per worker address
        def nthreads(self):
            return {"tcp://a:1": 1, "tcp://b:2": 2}

    class FakePool:
        _max_workers = 3

    assert _worker_count(FakeClient()) == 3
    assert _worker_count(FakePool()) == 3
    assert _worker_count(object()) == 4
