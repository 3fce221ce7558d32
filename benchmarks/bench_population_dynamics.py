"""allysim's population dynamics beside EGTtools and Axelrod-Python, from the same run.

1. Exact fixation probability of one mutant (Fermi rule, one-shot dilemma), Z = 50 and 500
   at weak selection and Z = 50 at beta = 1 (where the value, 3e-34, tests underflow):
   allysim's ``fixation_probability`` vs EGTtools' ``StochDynamics.fixation_probability``
   (Python) and ``PairwiseComparison.calculate_fixation_probability`` (C++). Values compared.
2. All pairwise fixation probabilities of 16 random strategies at Z = 100: allysim's
   ``fixation_matrix`` vs EGTtools'
   ``PairwiseComparison.calculate_transition_and_fixation_matrix_sml``.
3. Moran processes of the donation game (b = 4, c = 1, fitness 1 - w + w * payoff, w = 0.05,
   N = 10, one cooperator among defectors), birth-death on the complete graph and death-birth on
   the cycle: Axelrod-Python's ``MoranProcess`` (one process per call, a full round robin every
   step, ``fitness_transformation`` for the fitness, ``mode="db"`` with interaction and
   reproduction graphs for the cycle) vs allysim's lockstep simulations and exact values
   (``fixation_probability(rule="moran")``, ``graph_fixation_probability(rule="db")``).
   Fixation frequencies are compared with the exact values within 3 standard errors.

A peer that is not installed is skipped with a message (``pip install egttools axelrod``).
Run:  python benchmarks/bench_population_dynamics.py [--runs N]
"""

from __future__ import annotations

import argparse
import math
import time
import warnings

import numpy as np

from allysim.evolution import (
    cycle_graph,
    fixation_matrix,
    fixation_probability,
    graph_fixation_probability,
    simulate_graph_game,
    simulate_population,
)

PD = np.array([[3.0, 0.0], [5.0, 1.0]])


def best_of(fn, repeat=3):
    times = []
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def exact_single(egt) -> None:
    print("\n1. Exact fixation of one ALLC among ALLD (Fermi)")
    for z, beta in ((50, 0.05), (500, 0.005), (50, 1.0)):
        t_ours, ours = best_of(
            lambda z=z, beta=beta: fixation_probability(PD, 0, 1, population=z, selection=beta),
            20,
        )
        line = f"  Z={z}, beta={beta}: allysim {ours:.6e} in {t_ours * 1e6:.0f} us"
        if egt is not None:
            sd = egt.analytical.StochDynamics(2, PD, z)
            t_py, theirs_py = best_of(lambda sd=sd, beta=beta: sd.fixation_probability(0, 1, beta))
            # The game holder must outlive the PairwiseComparison (which keeps a C++ reference).
            holder = egt.games.Matrix2PlayerGameHolder(2, PD)
            pc = egt.analytical.PairwiseComparison(z, holder)
            t_cpp, theirs = best_of(
                lambda pc=pc, beta=beta: pc.calculate_fixation_probability(0, 1, beta)
            )
            rel = abs(theirs - ours) / ours
            line += (
                f"; EGTtools StochDynamics {theirs_py:.6e} in {t_py * 1e6:.0f} us "
                f"(ratio {t_py / t_ours:.1f}), PairwiseComparison {theirs:.6e} in "
                f"{t_cpp * 1e6:.0f} us (ratio {t_cpp / t_ours:.1f}); relative difference "
                f"{rel:.1e}"
            )
        print(line)


def exact_matrix(egt) -> None:
    print("\n2. Fixation matrix, 16 random strategies, Z = 100, beta = 1")
    rng = np.random.default_rng(0)
    a = rng.random((16, 16))
    t_ours, ours = best_of(lambda: fixation_matrix(a, population=100, selection=1.0))
    line = f"  allysim fixation_matrix {t_ours * 1e3:.2f} ms"
    if egt is not None:
        holder = egt.games.Matrix2PlayerGameHolder(16, a)
        pc = egt.analytical.PairwiseComparison(100, holder)
        t_e, (_, fix) = best_of(lambda: pc.calculate_transition_and_fixation_matrix_sml(1.0))
        # EGTtools' entry [i, j] is j invading i: compare with allysim's transposed.
        diff = np.abs(np.asarray(fix).T - ours)
        np.fill_diagonal(diff, 0)
        line += (
            f"; EGTtools calculate_transition_and_fixation_matrix_sml {t_e * 1e3:.2f} ms "
            f"(ratio {t_e / t_ours:.0f}); largest difference {diff.max():.1e}"
        )
    print(line)


def moran(axl, runs: int) -> None:
    b, c, w, n = 4.0, 1.0, 0.05, 10
    game = (n - 1) * np.array([[b - c, -c], [b, 0.0]])  # payoffs summed over the N - 1 others
    exact_bd = fixation_probability(game, 0, 1, population=n, selection=w, rule="moran")
    ring = cycle_graph(n)
    exact_db = graph_fixation_probability(ring, benefit=b, cost=c, rule="db", selection=w)
    print(f"\n3. Moran processes, donation game b={b}, c={c}, w={w}, N={n}, {runs} runs each")
    print(
        f"  exact: birth-death well mixed {exact_bd:.4f}, death-birth on the cycle {exact_db:.4f}"
    )

    t0 = time.perf_counter()
    res = simulate_population(
        game,
        [1, n - 1],
        steps=1_000_000,
        selection=w,
        replicates=runs,
        rule="moran",
        until_fixation=True,
        seed=1,
    )
    t_bd = time.perf_counter() - t0
    est_bd = res.fixed(0).mean()
    t0 = time.perf_counter()
    gres = simulate_graph_game(
        ring,
        benefit=b,
        cost=c,
        rule="db",
        selection=w,
        steps=1_000_000,
        replicates=runs,
        until_fixation=True,
        seed=1,
    )
    t_db = time.perf_counter() - t0
    est_db = gres.fixed_cooperators().mean()

    def check(est, exact):
        se = math.sqrt(exact * (1 - exact) / runs)
        return f"{est:.4f} ({'within' if abs(est - exact) < 3 * se else 'OUTSIDE'} 3 s.e.)"

    print(f"  allysim simulate_population BD: {check(est_bd, exact_bd)} in {t_bd:.2f} s")
    print(f"  allysim simulate_graph_game DB cycle: {check(est_db, exact_db)} in {t_db:.2f} s")
    if axl is None:
        return
    from axelrod.graph import Graph

    ax_game = axl.Game(r=b - c, s=-c, t=b, p=0.0)
    edges = [(i, (i + 1) % n) for i in range(n)]
    cycle = Graph(edges, directed=False)

    def run_axelrod(mode, graph, count):
        wins = 0
        t0 = time.perf_counter()
        for seed in range(count):
            players = [axl.Cooperator()] + [axl.Defector() for _ in range(n - 1)]
            mp = axl.MoranProcess(
                players,
                turns=1,
                game=ax_game,
                mode=mode,
                seed=seed,
                interaction_graph=graph,
                reproduction_graph=graph,
                fitness_transformation=lambda s: 1 - w + w * s,
            )
            mp.play()
            wins += mp.winning_strategy_name == "Cooperator"
        return wins / count, time.perf_counter() - t0

    ax_runs = max(100, runs // 10)
    est, t_ax = run_axelrod("bd", None, ax_runs)
    print(
        f"  Axelrod MoranProcess BD, {ax_runs} runs: {est:.4f} (exact {exact_bd:.4f}, 3 s.e. "
        f"{3 * math.sqrt(exact_bd * (1 - exact_bd) / ax_runs):.4f}) in {t_ax:.2f} s; "
        f"per run {t_ax / ax_runs * 1e3:.1f} ms vs allysim {t_bd / runs * 1e3:.3f} ms "
        f"(ratio {(t_ax / ax_runs) / (t_bd / runs):.0f})"
    )
    est, t_ax = run_axelrod("db", cycle, ax_runs)
    print(
        f"  Axelrod MoranProcess DB cycle, {ax_runs} runs: {est:.4f} (exact {exact_db:.4f}, "
        f"3 s.e. {3 * math.sqrt(exact_db * (1 - exact_db) / ax_runs):.4f}) in {t_ax:.2f} s; "
        f"per run {t_ax / ax_runs * 1e3:.1f} ms vs allysim {t_db / runs * 1e3:.3f} ms "
        f"(ratio {(t_ax / ax_runs) / (t_db / runs):.0f})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5000, help="simulated processes per rule")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    try:
        import egttools
    except ImportError:
        egttools = None
        print("EGTtools not installed: its columns are skipped (pip install egttools)")
    try:
        import axelrod
    except ImportError:
        axelrod = None
        print("Axelrod-Python not installed: its runs are skipped (pip install axelrod)")
    exact_single(egttools)
    exact_matrix(egttools)
    moran(axelrod, args.runs)
