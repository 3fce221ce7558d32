"""The kernels' hot paths on both backends, beside their targets and peers, in one run.

For each hot path: allysim's numpy path (``backend="numpy"``, the reference), the numba path on
one thread and on all cores, the target of issue 15, and a peer measured in the same run where
one exists (Axelrod-Python's ``Match`` and ``MoranProcess`` and nashpy's ``moran_process`` if
the ``bench`` extra is installed; plain numpy baselines otherwise). It ends with the first-call
compile cost of the population loop (a fresh process with an empty numba cache, then one
loading the cache). Rates are work / (best wall time of N runs): the machine is shared, so
the best of N is the run least disturbed; the load average is printed with the table.

Run:  python benchmarks/bench_compiled.py [--quick]
Needs the ``fast`` extra (numba) for the compiled columns; without it they read "n/a".
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

import allysim as ally
from allysim.kernels import numba_available

# The plain numpy baselines, shared with the kernel benchmark (run from benchmarks/).
from bench_kernels import generic_solve, naive_monte_carlo

warnings.filterwarnings("ignore")


# Least CPU time (all threads of the process) of the last best_of call, per the rates below.
CPU: list[float] = []


def best_of(fn, repeats: int) -> float:
    """Best wall time of ``repeats`` runs of ``fn`` (seconds); the least CPU time goes to CPU.

    On a shared machine the wall time includes waiting for a core; work / CPU time is the
    rate per core while running, which does not depend on the other jobs as much.
    """
    best, cpu = np.inf, np.inf
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    CPU.append(cpu)
    return best


PER_CORE: list[tuple[float, float]] = []


def backends(run, work: float, reps: int) -> tuple[float, float, float]:
    """Rates of ``run(backend)`` for numpy, numba on one thread, numba on all threads.

    Also records the per-core CPU-time rates of numpy and of numba (all threads) in PER_CORE.
    """
    numpy_rate = work / best_of(lambda: run("numpy"), reps)
    numpy_cpu = work / CPU[-1]
    if not numba_available():
        PER_CORE.append((numpy_cpu, np.nan))
        return numpy_rate, np.nan, np.nan
    import numba

    run("numba")  # compile (or load from the cache) outside the timing
    all_threads = numba.get_num_threads()
    numba.set_num_threads(1)
    one = work / best_of(lambda: run("numba"), reps)
    numba.set_num_threads(all_threads)
    every = work / best_of(lambda: run("numba"), reps)
    PER_CORE.append((numpy_cpu, work / CPU[-1]))
    return numpy_rate, one, every


def axelrod_rate(p: np.ndarray, rounds: int) -> tuple[float, str]:
    """Axelrod-Python Match, memory-one with noise 0.05, match-rounds per second."""
    try:
        import axelrod as axl
    except ImportError:
        return np.nan, "Axelrod Match (not installed)"
    players = [axl.MemoryOnePlayer(tuple(x[:4]), initial=axl.Action.C) for x in p[:6]]

    def play():
        for a in players:
            for b in players:
                axl.Match((a, b), turns=rounds, noise=0.05, seed=1).play()

    return len(players) ** 2 * rounds / best_of(play, 1), "Axelrod Match"


def nashpy_moran_rate(payoffs: np.ndarray, z: int) -> float:
    """nashpy's Game.moran_process (one population, until fixation): population updates/s."""
    try:
        import nashpy
    except ImportError:
        return np.nan
    game = nashpy.Game(payoffs)
    start = np.array([0] * (z - 1) + [1])

    def run():
        count = 0
        for _ in range(5):
            for _pop in game.moran_process(initial_population=start):
                count += 1
        return count

    count = run()
    return count / best_of(run, 1)


def axelrod_moran_rate(z: int) -> float:
    """Axelrod-Python's MoranProcess (ALLC vs ALLD, 5-round matches): population updates/s.

    Each of its steps plays the matches that give the fitnesses, so it is a different amount of
    work per update; it is listed as the peer a user of that library would reach for.
    """
    try:
        import axelrod as axl
    except ImportError:
        return np.nan
    players = [axl.Cooperator() for _ in range(z - 1)] + [axl.Defector()]
    steps = 30

    def run():
        mp = axl.MoranProcess(players, turns=5, seed=1)
        for _ in range(steps):
            next(mp)

    return steps / best_of(run, 1)


COMPILE_PROBE = """
import time, numpy as np
t0 = time.perf_counter()
from allysim.evolution import simulate_population
a = np.array([[3.0, 0.1], [5.0, 1.0]])
t1 = time.perf_counter()
simulate_population(a, [9, 1], steps=10, selection=1.0, seed=1, backend="numba")
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def population_compile_cost() -> tuple[float, float]:
    """First call of the compiled population loop: cold (empty cache) and cached, seconds."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        times = []
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", COMPILE_PROBE], env=env, capture_output=True, text=True
            )
            times.append(float(out.stdout.split()[-1]))
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    reps = 3 if args.quick else 5
    rng = np.random.default_rng(0)
    game = ally.PrisonersDilemma()
    rows = []

    # Monte Carlo, memory-one, noise 0.05.
    side = 150 if args.quick else 317
    p = rng.random((side, 5))
    rounds = 200
    work = side * side * rounds
    rates = backends(
        lambda b: ally.simulate(p, p, game, rounds=rounds, noise=0.05, seed=1, backend=b),
        work,
        reps,
    )
    pp, qq = np.repeat(p, side, axis=0), np.tile(p, (side, 1))
    naive = work / best_of(lambda: naive_monte_carlo(pp, qq, rounds, 0.05, 1), reps)
    peer, peer_name = axelrod_rate(p, rounds)
    if not np.isfinite(peer):
        peer, peer_name = naive, "plain numpy loop (Axelrod not installed)"
    rows.append(
        ("Monte Carlo match-rounds/s, memory-one, noise 0.05", *rates, 3e8, peer, peer_name)
    )

    # Monte Carlo, finite-state machines (and memory-one) of the classic zoo, noise 0.05.
    zoo = [ally.ALLC, ally.ALLD, ally.TFT, ally.GRIM, ally.WSLS, ally.GTFT(), ally.TF2T, ally.STFT]
    zreps = 500 if args.quick else 2000
    work = len(zoo) ** 2 * zreps * rounds
    rates = backends(
        lambda b: ally.simulate(
            zoo, zoo, game, rounds=rounds, noise=0.05, repetitions=zreps, seed=1, backend=b
        ),
        work,
        reps,
    )
    rows.append(
        ("Monte Carlo match-rounds/s, finite-state zoo, noise 0.05", *rates, 3e8, np.nan, "")
    )

    # Exact, finite horizon of 200 rounds.
    n = 300 if args.quick else 1000
    big = rng.random((n, 5))
    sub = big[: n // 10 if args.quick else 300]
    work = len(sub) * n
    rates = backends(
        lambda b: ally.expected_payoffs(sub, big, game, rounds=200, noise=0.01, backend=b),
        work,
        reps,
    )
    rows.append((f"exact pairs/s, {len(sub)}x{n} memory-one, 200 rounds", *rates, 1e7, np.nan, ""))

    # Exact, limit of means and discounted.
    solve = len(big[: n // 4]) * n / best_of(lambda: generic_solve(big[: n // 4], big, 0.01), reps)
    for label, kw in (("limit of means", {}), ("continuation 0.95", {"continuation": 0.95})):
        rates = backends(
            lambda b, kw=kw: ally.expected_payoffs(big, big, game, noise=0.01, backend=b, **kw),
            n * n,
            reps,
        )
        rows.append(
            (
                f"exact pairs/s, {n}x{n} memory-one, {label}",
                *rates,
                5e7,
                solve,
                "numpy.linalg.solve",
            )
        )

    # simulate_population: 1000 populations of Z = 100, two strategies, mutation 0.01.
    payoffs = np.array([[3.0, 0.1], [5.0, 1.0]])
    preps = 1000
    psteps = 2000 if args.quick else 20_000
    work = preps * psteps
    for rule, beta, peer, peer_name in (
        ("fermi", 1.0, nashpy_moran_rate(payoffs, 100), "nashpy moran_process"),
        ("moran", 0.5, axelrod_moran_rate(100), "Axelrod MoranProcess"),
    ):
        rates = backends(
            lambda b, rule=rule, beta=beta: ally.evolution.simulate_population(
                payoffs,
                [99, 1],
                steps=psteps,
                selection=beta,
                mutation=0.01,
                replicates=preps,
                rule=rule,
                seed=1,
                backend=b,
            ),
            work,
            reps,
        )
        rows.append((f"population updates/s, {rule}, 1000 x Z=100", *rates, 5e7, peer, peer_name))

    load = os.getloadavg()[0]
    threads = "n/a"
    if numba_available():
        import numba

        threads = str(numba.get_num_threads())
    print(f"{os.cpu_count()} cores, numba threads {threads}, load average {load:.1f}")
    print(f"rates are work / best wall time of {reps} runs")
    width = max(len(r[0]) for r in rows)
    head = f"{'hot path':<{width}}  {'numpy':>9}  {'numba 1t':>9}  {'numba all':>9}  "
    print(head + f"{'target':>8}  {'x numpy':>7}  {'peer':>9}  {'x peer':>8}  peer")

    def fmt(x: float, w: int = 9) -> str:
        return f"{x:{w}.3g}" if np.isfinite(x) else f"{'n/a':>{w}}"

    for task, ours, one, every, target, peer, name in rows:
        best = np.nanmax([ours, every])
        speedup = every / ours if np.isfinite(every) else np.nan
        ratio = best / peer if np.isfinite(peer) else np.nan
        print(
            f"{task:<{width}}  {fmt(ours)}  {fmt(one)}  {fmt(every)}  {target:8.0e}  "
            f"{fmt(speedup, 6)}x  {fmt(peer)}  {fmt(ratio, 7)}x  {name}"
        )
    cores = os.cpu_count() or 1
    print(
        f"\nper core: work / least CPU time (what a core does while it runs; x {cores} cores "
        "for the compiled paths' wall-clock rate on a free machine)"
    )
    print(
        f"{'hot path':<{width}}  {'numpy':>9}  {'numba':>9}  {f'x{cores} cores':>9}  {'target':>8}"
    )
    for (task, *_, target, _peer, _name), (np_core, nb_core) in zip(rows, PER_CORE, strict=True):
        print(
            f"{task:<{width}}  {fmt(np_core)}  {fmt(nb_core)}  {fmt(nb_core * cores)}  "
            f"{target:8.0e}"
        )
    if numba_available():
        cold, warm = population_compile_cost()
        print(
            f"\nsimulate_population backend='numba', first call in a fresh process: {cold:.1f} s "
            f"with an empty numba cache (compiles), {warm:.2f} s loading the cache"
        )


if __name__ == "__main__":
    main()
