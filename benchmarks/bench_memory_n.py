"""Speed of allysim's exact memory-two and memory-three payoffs, beside Axelrod-Python.

allysim: exact expected payoffs of many pairs at once (``memory_n_payoffs``; first, for
reference, the same model through ``expected_payoffs`` on the finite-state form), in pairs per
second, for 200 rounds, a continuation probability of 0.99 and the limit of means, with
execution noise (and, for memory two, with perception noise too: the chain then has 256
states instead of 16).

Peer: Axelrod-Python's ``MemoryTwoPlayer`` (the only peer with memory-two players; it
simulates), in simulated 200-round matches per second with noise 0.01. One match is one sample:
the mean of k matches has standard error sd / sqrt(k), so the column "matches for 1e-3" is how
many matches Axelrod-Python needs to match allysim's answer to three decimals (allysim's is
exact to round-off). The same pair is also checked: the mean of the simulated matches agrees
with allysim's exact payoff within its standard error.

Run:  python benchmarks/bench_memory_n.py [--quick]
Without axelrod installed the peer columns are skipped with a message.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from allysim.games import PrisonersDilemma
from allysim.kernels import expected_payoffs, memory_n_payoffs
from allysim.strategies import MemoryN, from_axelrod_vector

warnings.filterwarnings("ignore")
PD = PrisonersDilemma()


def best_of(fn, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def allysim_rates(quick: bool) -> list[tuple[str, int, float]]:
    rng = np.random.default_rng(0)
    rows = []
    cases = [
        ("memory-2, rounds=200", 2, {"rounds": 200, "noise": 0.01}, 64),
        ("memory-2, continuation=0.99", 2, {"continuation": 0.99, "noise": 0.01}, 64),
        ("memory-2, limit of means", 2, {"noise": 0.01}, 64),
        (
            "memory-2 + perception, rounds=200",
            2,
            {"rounds": 200, "noise": 0.01, "perception_noise": 0.01},
            8,
        ),
        ("memory-3, rounds=200", 3, {"rounds": 200, "noise": 0.01}, 24),
        ("memory-3, continuation=0.99", 3, {"continuation": 0.99, "noise": 0.01}, 24),
        ("memory-3, limit of means", 3, {"noise": 0.01}, 24),
    ]
    for label, _, kw, _ in [cases[0], cases[2]]:
        # The same pairs through the finite-state route (product of two 21-state machines).
        side = 4 if quick else 8
        machines = [MemoryN(tuple(r)).to_finite_state() for r in rng.random((side, 16))]
        t = best_of(lambda m=machines, kw=kw: expected_payoffs(m, m, PD, **kw), 1)
        rows.append((label.replace("memory-2", "memory-2 as FSM"), side * side, side * side / t))
    for label, n, kw, side in cases:
        if quick:
            side = max(4, side // 4)
        p = rng.random((side, 4**n))
        t = best_of(lambda p=p, kw=kw: memory_n_payoffs(p, p, PD, **kw), 1 if quick else 3)
        rows.append((label, side * side, side * side / t))
    return rows


def axelrod_rates(quick: bool):
    try:
        import axelrod as axl
    except ImportError:
        print("axelrod is not installed (pip install axelrod): peer columns skipped")
        return None
    rng = np.random.default_rng(1)
    vec_x, vec_y = rng.random(16).round(3), rng.random(16).round(3)
    matches = 200 if quick else 1000
    scores = []
    t0 = time.perf_counter()
    for seed in range(matches):
        players = (axl.MemoryTwoPlayer(tuple(vec_x)), axl.MemoryTwoPlayer(tuple(vec_y)))
        match = axl.Match(players, turns=200, noise=0.01, seed=seed)
        match.play()
        scores.append(np.mean([s[0] for s in match.scores()]))
    elapsed = time.perf_counter() - t0
    x = from_axelrod_vector(vec_x)
    y = from_axelrod_vector(vec_y)
    exact = float(memory_n_payoffs(x, y, PD, rounds=200, noise=0.01)[0][0, 0])
    mean, sd = float(np.mean(scores)), float(np.std(scores, ddof=1))
    return matches / elapsed, exact, mean, sd / np.sqrt(matches), sd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args()
    print(f"{'allysim, exact':38s} {'pairs':>7s} {'pairs/s':>12s}")
    for label, pairs, rate in allysim_rates(args.quick):
        print(f"{label:38s} {pairs:7d} {rate:12.0f}")
    peer = axelrod_rates(args.quick)
    if peer is None:
        return
    rate, exact, mean, se, sd = peer
    need = (sd / 1e-3) ** 2
    print()
    print("Axelrod-Python MemoryTwoPlayer, 200 turns, noise 0.01 (one random pair)")
    print(f"  simulated matches/s      {rate:12.0f}")
    print(f"  matches for 1e-3         {need:12.0f}  ({need / rate:.0f} s for one pair)")
    print(f"  exact (allysim)          {exact:12.4f}")
    gap = abs(mean - exact) / se
    print(f"  simulated mean +- se     {mean:12.4f} +- {se:.4f}  (|diff| = {gap:.1f} se)")


if __name__ == "__main__":
    main()
