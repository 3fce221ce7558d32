"""Speed of allysim's evolutionary dynamics beside EGTtools and nashpy, from the same run.

1. Small-mutation-limit stationary distribution for n random strategies at Z = 100, beta = 1:
   allysim's ``stationary_distribution`` vs EGTtools' ``StochDynamics`` (transition and fixation
   matrix, then ``calculate_stationary_distribution``). Sizes EGTtools would take longer than
   ``--budget`` seconds for are estimated from its n^2 scaling and not run.
2. Exact chain with mutation 0.1 (ALLC, ALLD, TFT, WSLS; donation game b/c = 3, 1% noise;
   beta = 1) at Z = 40, 60, 100, 200: wall and CPU seconds and peak RSS of a fresh process for
   allysim's ``stationary_distribution`` (residual reported), beside EGTtools'
   ``PairwiseComparison.calculate_transition_matrix`` + ``utils.calculate_stationary_distribution``
   (same chain; mean shares compared) where it fits ``--budget``.
3. Population updates per second: allysim's ``simulate_population`` (many populations in
   lockstep) vs nashpy's ``Game.moran_process`` (one population, until fixation).

Run:  python benchmarks/bench_evolution.py [--budget SECONDS]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings

import numpy as np

from allysim.evolution import simulate_population, stationary_distribution

warnings.filterwarnings("ignore")


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


EXACT_CHAIN = """
import sys
import json, resource, time
import numpy as np
import allysim as ally
from allysim.evolution import payoff_matrix_for, stationary_distribution
z, who = int(sys.argv[1]), sys.argv[2]
zoo = [ally.ALLC, ally.ALLD, ally.TFT, ally.WSLS]
a = payoff_matrix_for(zoo, ally.partnership_game(benefit=3, cost=1), noise=0.01)
t0, c0 = time.perf_counter(), time.process_time()
if who == "allysim":
    d = stationary_distribution(a, population=z, selection=1.0, mutation=0.1)
    shares, residual = d.shares, d.residual
else:
    import egttools
    from egttools.analytical import PairwiseComparison
    from egttools.games import Matrix2PlayerGameHolder
    game = Matrix2PlayerGameHolder(4, a)  # kept alive: PairwiseComparison only borrows it
    pc = PairwiseComparison(z, game)
    t = pc.calculate_transition_matrix(1.0, 0.1)
    pi = egttools.utils.calculate_stationary_distribution(t.transpose())
    states = np.array([egttools.sample_simplex(i, z, 4) for i in range(t.shape[0])])
    shares, residual = pi @ states / z, float(np.abs(t.transpose() @ pi - pi).sum())
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "shares": list(map(float, shares)), "residual": residual}))
"""


def exact_chain_run(z: int, who: str, timeout: float) -> dict | str:
    """One fresh process per run, so that peak RSS is that run's alone; a string says why not."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", EXACT_CHAIN, str(z), who],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"> {timeout:g} s"
    if out.returncode != 0:
        return f"failed (rc {out.returncode})"
    return json.loads(out.stdout.strip().splitlines()[-1])


def exact_chain_table(budget: float, have_egttools: bool) -> None:
    print("\nExact chain with mutation 0.1, 4 strategies, beta = 1 (fresh process per run)")
    print(
        f"{'Z':>4} {'states':>10} {'allysim wall s':>15} {'cpu s':>7} {'RSS MB':>7} "
        f"{'residual':>9} {'EGTtools wall s':>16} {'RSS MB':>7} {'max |diff|':>11}"
    )
    egt_ok = have_egttools
    for z in (40, 60, 100, 200):
        ours = exact_chain_run(z, "allysim", 600)
        states = (z + 1) * (z + 2) * (z + 3) // 6
        if isinstance(ours, str):
            print(f"{z:>4} {states:>10,} {ours:>15}")
            continue
        row = (
            f"{z:>4} {states:>10,} {ours['wall']:15.2f} {ours['cpu']:7.2f} "
            f"{ours['rss_mb']:7.0f} {ours['residual']:9.1e}"
        )
        if not have_egttools:
            theirs: dict | str = "not installed"
        elif not egt_ok:
            theirs = "not run"
        else:
            theirs = exact_chain_run(z, "egttools", budget)
        if isinstance(theirs, str):
            egt_ok = False  # larger Z only takes longer
            print(f"{row} {theirs:>16}")
            continue
        diff = max(abs(x - y) for x, y in zip(ours["shares"], theirs["shares"], strict=True))
        print(f"{row} {theirs['wall']:16.2f} {theirs['rss_mb']:7.0f} {diff:11.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per EGTtools run")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    try:
        import egttools
        from egttools.analytical import StochDynamics
    except ImportError:  # the bench extra is not installed
        egttools = None

    print("Stationary distribution, small-mutation limit, Z = 100, beta = 1")
    print(f"{'n':>6} {'allysim s':>11} {'EGTtools s':>12} {'speed-up':>10} {'max |diff|':>12}")
    egt_per_pair = None
    for n in (4, 16, 64, 1024):
        payoffs = rng.random((n, n)) * 5
        t_ours, ours = timed(
            lambda payoffs=payoffs: stationary_distribution(payoffs, population=100, selection=1.0)
        )
        if egttools is None:
            print(f"{n:>6} {t_ours:11.4f} {'n/a':>12}")
            continue
        estimate = egt_per_pair * n * n if egt_per_pair else 0.0
        if estimate > args.budget:
            print(
                f"{n:>6} {t_ours:11.4f} {'~' + format(estimate, '.0f'):>12} "
                f"{'~' + format(estimate / t_ours, '.0f') + 'x':>10} {'(not run)':>12}"
            )
            continue

        def egt(payoffs=payoffs, n=n):
            sd = StochDynamics(n, payoffs, 100)
            transitions, _ = sd.transition_and_fixation_matrix(1.0)
            return egttools.utils.calculate_stationary_distribution(transitions)

        t_egt, theirs = timed(egt)
        egt_per_pair = t_egt / (n * n)
        diff = np.abs(theirs - ours.shares).max()
        print(f"{n:>6} {t_ours:11.4f} {t_egt:12.3f} {t_egt / t_ours:9.0f}x {diff:12.2e}")

    exact_chain_table(args.budget, egttools is not None)

    print("\nPopulation updates per second (pairwise comparison / Moran), Z = 100")
    payoffs = np.array([[3.0, 0.1], [5.0, 1.0]])
    reps, steps = 1000, 2000
    t_ours, _ = timed(
        lambda: simulate_population(
            payoffs, [99, 1], steps=steps, selection=1.0, mutation=0.01, replicates=reps, seed=1
        )
    )
    t_moran, _ = timed(
        lambda: simulate_population(
            payoffs,
            [99, 1],
            steps=steps,
            selection=0.5,
            mutation=0.01,
            replicates=reps,
            rule="moran",
            seed=1,
        )
    )
    ours_rate = reps * steps / t_ours
    moran_rate = reps * steps / t_moran
    try:
        import nashpy

        game = nashpy.Game(payoffs)
        count, t0 = 0, time.perf_counter()
        for run in range(5):
            start = np.array([0] * 99 + [1])
            for _ in game.moran_process(initial_population=start):
                count += 1
            del run
        nashpy_rate = count / (time.perf_counter() - t0)
    except ImportError:
        nashpy_rate = np.nan
    print(f"{'allysim simulate_population (fermi, 1000 populations)':<58} {ours_rate:12.3g}")
    print(f"{'allysim simulate_population (moran, 1000 populations)':<58} {moran_rate:12.3g}")
    print(f"{'nashpy Game.moran_process (one population)':<58} {nashpy_rate:12.3g}")
    print(f"{'ratio (allysim fermi / nashpy)':<58} {ours_rate / nashpy_rate:11.0f}x")


if __name__ == "__main__":
    main()
