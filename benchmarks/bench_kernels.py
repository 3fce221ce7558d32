"""Speed of allysim's payoff kernels, side by side with peers measured in the same run.

Peers: Axelrod-Python (matches and the round-robin tournament, one process), and two plain
numpy baselines written here: a straightforward lockstep Monte Carlo loop, and exact memory-one
payoffs through a generic batched ``numpy.linalg.solve``.

Each row names the backend it ran on: ``simulate`` and ``round_robin`` default to numpy,
``expected_payoffs`` to ``"auto"`` (numba from 50,000 memory-one pairs when installed);
benchmarks/bench_compiled.py sets the backend explicitly.

Run:  python benchmarks/bench_kernels.py [--quick]
Needs the ``bench`` extra for the Axelrod columns (see README); without it they read "n/a".
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import allysim as ally
from allysim.kernels import numba_available
from allysim.kernels._compiled import AUTO_MIN_PAIRS

warnings.filterwarnings("ignore")


def best_of(fn, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def naive_monte_carlo(p: np.ndarray, q: np.ndarray, rounds: int, eps: float, seed: int):
    """The straightforward numpy loop: one step per round over all matches."""
    rng = np.random.default_rng(seed)
    k = len(p)
    px = p[:, :4] * (1 - 2 * eps) + eps
    qy = q[:, :4] * (1 - 2 * eps) + eps
    x = rng.random(k) < p[:, 4]
    y = rng.random(k) < q[:, 4]
    pay = np.zeros(k)
    u = np.array([3.0, 0.0, 5.0, 1.0])
    rows = np.arange(k)
    for _ in range(rounds):
        sx = 2 * (~x) + (~y)
        sy = 2 * (~y) + (~x)
        pay += u[sx]
        x = rng.random(k) < px[rows, sx]
        y = rng.random(k) < qy[rows, sy]
    return pay / rounds


def generic_solve(p: np.ndarray, q: np.ndarray, eps: float) -> np.ndarray:
    """Stationary distributions of every memory-one pair by batched numpy.linalg.solve."""
    a = p[:, None, :4] * (1 - 2 * eps) + eps
    b = (q[None, :, :4] * (1 - 2 * eps) + eps)[..., [0, 2, 1, 3]]
    m = np.stack([a * b, a * (1 - b), (1 - a) * b, (1 - a) * (1 - b)], axis=-1)
    n = m.shape[0] * m.shape[1]
    m = m.reshape(n, 4, 4)
    lhs = np.swapaxes(np.eye(4) - m + 1.0, 1, 2)
    v = np.linalg.solve(lhs, np.ones((n, 4, 1)))[..., 0]
    return v @ np.array([3.0, 0.0, 5.0, 1.0])


def exact_backend(pairs: int) -> str:
    """What expected_payoffs' default backend="auto" runs memory-one pairs on."""
    return "numba" if numba_available() and pairs >= AUTO_MIN_PAIRS else "numpy"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    reps = 2 if args.quick else 5
    rng = np.random.default_rng(0)
    game = ally.PrisonersDilemma()
    rows = []

    # 1. Monte Carlo, memory-one with execution noise.
    side = 150 if args.quick else 317
    p = rng.random((side, 5))
    k, rounds = side * side, 200
    t_ally = best_of(lambda: ally.simulate(p, p, game, rounds=rounds, noise=0.05, seed=1), reps)
    pp = np.repeat(p, side, axis=0)
    qq = np.tile(p, (side, 1))
    t_naive = best_of(lambda: naive_monte_carlo(pp, qq, rounds, 0.05, 1), reps)
    rows.append(
        (
            "Monte Carlo match-rounds/s (memory-one, noise 0.05), numpy",
            k * rounds / t_ally,
            k * rounds / t_naive,
            "plain numpy loop",
        )
    )

    try:
        import axelrod as axl

        players = [axl.MemoryOnePlayer(tuple(x[:4]), initial=axl.Action.C) for x in p[:10]]

        def axl_matches():
            for a in players:
                for b in players:
                    axl.Match((a, b), turns=rounds, noise=0.05, seed=1).play()

        t_axl = best_of(axl_matches, 1)
        rows.append(
            (
                "Monte Carlo match-rounds/s (memory-one, noise 0.05), numpy",
                k * rounds / t_ally,
                100 * rounds / t_axl,
                "Axelrod Match",
            )
        )
    except ImportError:
        axl = None
        rows.append(
            (
                "Monte Carlo match-rounds/s (memory-one, noise 0.05), numpy",
                k * rounds / t_ally,
                np.nan,
                "Axelrod Match (not installed)",
            )
        )

    # 2. Exact memory-one payoff matrix.
    n = 300 if args.quick else 1000
    P = rng.random((n, 5))
    for label, kw in (("limit of means", {}), ("continuation 0.95", {"continuation": 0.95})):
        t_exact = best_of(lambda kw=kw: ally.expected_payoffs(P, P, game, noise=0.01, **kw), reps)
        rows.append(
            (
                f"exact pairs/s, {n}x{n} memory-one, {label}, {exact_backend(n * n)}",
                n * n / t_exact,
                np.nan,
                "",
            )
        )
    sub = P[: n // 4]
    t_generic = best_of(lambda: generic_solve(sub, P, 0.01), reps)
    rows[-2] = (*rows[-2][:2], sub.shape[0] * n / t_generic, "batched numpy.linalg.solve")
    t_rounds = best_of(lambda: ally.expected_payoffs(P[:100], P, game, rounds=200), reps)
    rows.append(
        (
            f"exact pairs/s, 100x{n} memory-one, 200 rounds, {exact_backend(100 * n)}",
            100 * n / t_rounds,
            np.nan,
            "",
        )
    )

    # 3. The 8-strategy round robin of the issue.
    zoo = [
        ally.ALLC,
        ally.ALLD,
        ally.TFT,
        ally.GRIM,
        ally.WSLS,
        ally.GTFT(),
        ally.TF2T,
        ally.RANDOM(0.5),
    ]
    kw = {"rounds": 200, "noise": 0.05, "repetitions": 10, "seed": 1}
    t_sim = best_of(lambda: ally.round_robin(zoo, game, method="simulate", **kw), reps * 4)
    t_ex = best_of(
        lambda: ally.round_robin(zoo, game, method="exact", rounds=200, noise=0.05), reps * 4
    )
    if axl is not None:
        axl_zoo = [
            axl.Cooperator(),
            axl.Defector(),
            axl.TitForTat(),
            axl.Grudger(),
            axl.WinStayLoseShift(),
            axl.GTFT(),
            axl.TitFor2Tats(),
            axl.Random(0.5),
        ]

        def axl_tournament():
            axl.Tournament(axl_zoo, turns=200, repetitions=10, noise=0.05, seed=1).play(
                progress_bar=False
            )

        t_axl = best_of(axl_tournament, 1 if args.quick else 2)
    else:
        t_axl = np.nan
    rows.append(
        (
            "8-strategy round robin (200 turns, 10 reps, noise 0.05), runs/s, simulate, numpy",
            1 / t_sim,
            1 / t_axl,
            "Axelrod Tournament",
        )
    )
    rows.append(
        ("8-strategy round robin, runs/s, exact, numpy", 1 / t_ex, 1 / t_axl, "Axelrod Tournament")
    )

    width = max(len(r[0]) for r in rows)
    print(f"{'task':<{width}}  {'allysim':>11}  {'peer':>11}  {'ratio':>8}  peer")
    for task, ours, peer, name in rows:
        ratio = ours / peer if np.isfinite(peer) else np.nan
        peer_txt = f"{peer:11.3g}" if np.isfinite(peer) else f"{'n/a':>11}"
        ratio_txt = f"{ratio:7.1f}x" if np.isfinite(ratio) else f"{'':>8}"
        print(f"{task:<{width}}  {ours:11.3g}  {peer_txt}  {ratio_txt}  {name}")


if __name__ == "__main__":
    main()
