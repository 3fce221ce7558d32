"""Sweep throughput (cells per second) in-process, on a process pool and on a local Dask cluster.

Workloads: trivial cells (pure overhead), realistic cells (a 100-round, 100-repetition match
between two strategies, allysim.experiments.match_cell, about 1 ms) and heavier cells of about
8, 16 and 40 ms (longer matches; the time per cell in-process is printed). The goal for the
Dask path: at least 1.8x the in-process rate on 2 workers for cells of 10 ms or more. Each
executor is warmed up once, then timed; the best of ``--repeats`` timed runs is shown.

Run:  python benchmarks/bench_sweep.py [--workers 2] [--repeats 2]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import itertools
import time
import warnings

from allysim.experiments import LOCAL_DASK_CONFIG, match_cell, sweep

warnings.filterwarnings("ignore")


def trivial(x, seed):
    return {"y": x}


def long_match(row, col, rounds, seed):
    return match_cell(row, col, rounds=rounds, repetitions=100, seed=seed)


GOAL = 1.8  # Dask on 2 workers vs in-process, cells of 10 ms or more
SEEDS = itertools.count(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    pairs = {"row": ["TFT", "WSLS", "GRIM", "GTFT"] * 5, "col": ["ALLD", "RANDOM(0.5)"] * 10}
    workloads = {
        "trivial (10,000 cells)": (trivial, {"x": list(range(10_000))}),
        "match_cell (400 cells)": (match_cell, pairs),
        "1,000-round matches (400)": (long_match, {**pairs, "rounds": [1_000]}),
        "2,000-round matches (400)": (long_match, {**pairs, "rounds": [2_000]}),
        "5,000-round matches (200)": (
            long_match,
            {"row": pairs["row"][:10], "col": pairs["col"][:10], "rounds": [5_000]},
        ),
    }
    print(f"{'workload':<27} {'ms/cell':>8} {'executor':<34} {'cells/s':>10} {'vs in-process':>14}")
    for label, (fn, grid) in workloads.items():

        def run(executor, fn=fn, grid=grid, seeds=SEEDS):
            best = 0.0
            for _ in range(args.repeats):
                # A new seed each time: Dask would otherwise hand back the results of an
                # identical earlier call (its task keys are content hashes) without running it.
                t0 = time.perf_counter()
                df = sweep(fn, grid, seed=next(seeds), executor=executor, progress=False)
                best = max(best, len(df) / (time.perf_counter() - t0))
            return best

        run(None)  # warm caches and imports
        rates = {"in-process": run(None)}
        with cf.ProcessPoolExecutor(args.workers) as pool:
            run(pool)  # warm the workers
            rates[f"process pool ({args.workers})"] = run(pool)
        try:
            import dask
            import distributed
        except ImportError:
            distributed = None
        if distributed is not None:
            # Dask's defaults, and allysim.experiments.LOCAL_DASK_CONFIG (workers forked, the
            # monitors and the profiler quieter; docs/experiments.md says why).
            for name, config in (("default", {}), ("LOCAL_DASK_CONFIG", LOCAL_DASK_CONFIG)):
                with (
                    dask.config.set(config),
                    distributed.LocalCluster(
                        n_workers=args.workers, threads_per_worker=1, dashboard_address=None
                    ) as cluster,
                    distributed.Client(cluster) as client,
                ):
                    run(client)
                    rates[f"local Dask ({args.workers}), {name}"] = run(client)
        base = rates["in-process"]
        ms = 1e3 / base
        for name, rate in rates.items():
            print(f"{label:<27} {ms:8.2f} {name:<34} {rate:10.0f} {rate / base:13.2f}x")
        for name, rate in rates.items():
            if name.startswith("local Dask") and ms >= 10:
                verdict = "met" if rate / base >= GOAL else "NOT met"
                print(f"  goal: {name} >= {GOAL}x in-process for cells >= 10 ms: {verdict}")


if __name__ == "__main__":
    main()
