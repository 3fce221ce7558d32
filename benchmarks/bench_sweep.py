"""Sweep throughput (cells per second) in-process, on a process pool and on a local Dask cluster.

Two workloads: trivial cells (pure overhead) and realistic cells (a 100-round, 100-repetition
noisy match between two strategies, allysim.experiments.match_cell).

Run:  python benchmarks/bench_sweep.py [--workers 2]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import time
import warnings

from allysim.experiments import match_cell, sweep

warnings.filterwarnings("ignore")


def trivial(x, seed):
    return {"y": x}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    workloads = {
        "trivial (10,000 cells)": (trivial, {"x": list(range(10_000))}),
        "match_cell (400 cells)": (
            match_cell,
            {"row": ["TFT", "WSLS", "GRIM", "GTFT"] * 5, "col": ["ALLD", "RANDOM(0.5)"] * 10},
        ),
    }
    print(f"{'workload':<26} {'executor':<28} {'cells/s':>10} {'vs in-process':>14}")
    for label, (fn, grid) in workloads.items():
        base = None

        def run(executor, fn=fn, grid=grid):
            t0 = time.perf_counter()
            df = sweep(fn, grid, seed=1, executor=executor, progress=False)
            return len(df) / (time.perf_counter() - t0)

        rates = {"in-process": run(None)}
        with cf.ProcessPoolExecutor(args.workers) as pool:
            run(pool)  # warm the workers
            rates[f"process pool ({args.workers} workers)"] = run(pool)
        try:
            import distributed

            with (
                distributed.LocalCluster(
                    n_workers=args.workers, threads_per_worker=1, dashboard_address=None
                ) as cluster,
                distributed.Client(cluster) as client,
            ):
                run(client)
                rates[f"local Dask ({args.workers} workers)"] = run(client)
        except ImportError:
            pass
        for name, rate in rates.items():
            base = base or rate
            print(f"{label:<26} {name:<28} {rate:10.0f} {rate / base:13.2f}x")


if __name__ == "__main__":
    main()
