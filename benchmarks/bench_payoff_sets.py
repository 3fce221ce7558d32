"""Time per solve of ``allysim.equilibria.equilibrium_payoffs``, each method and number of
directions D, beside QuantEcon.py's ``RepeatedGame.equilibrium_payoffs`` (Abreu-Sannikov) when
quantecon is installed.

Games: the prisoner's dilemma (3, 0, 5, 1) at delta 0.6 and 0.9, and the 3x3 example of Abreu &
Sannikov (2014) at delta 0.3. Per solve: the best of ``--repeats`` wall-clock times (after one
warm-up call, which for quantecon includes numba's compilation, reported apart). For the outer
and inner approximations the Hausdorff distance to the exact (Abreu-Sannikov) set is printed too,
so the table shows what each D buys; for quantecon, the Hausdorff distance between its set and
allysim's.

    python benchmarks/bench_payoff_sets.py              # about 1 minute (linprog is the slow part)
    python benchmarks/bench_payoff_sets.py --repeats 1 --no-linprog
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from allysim.equilibria import PayoffSet, equilibrium_payoffs
from allysim.games import PrisonersDilemma

AS_GAME = (
    np.array([[16, 3, 0], [21, 10, -1], [9, 5, -5]], dtype=float),
    np.array([[9, 13, 3], [1, 4, 0], [0, -4, -15]], dtype=float),
)
PD = PrisonersDilemma()
CASES = [
    ("PD (3,0,5,1)", (PD.row_payoffs, PD.col_payoffs), 0.6),
    ("PD (3,0,5,1)", (PD.row_payoffs, PD.col_payoffs), 0.9),
    ("Abreu-Sannikov 3x3", AS_GAME, 0.3),
]


def best_time(fn, repeats: int) -> tuple[float, object]:
    out = fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def quantecon_solver():
    try:
        from quantecon.game_theory import NormalFormGame, RepeatedGame
    except ImportError:
        return None

    def solve(game, delta):
        row, col = game
        hull = RepeatedGame(NormalFormGame(np.stack([row, col], axis=-1)), delta)
        hull = hull.equilibrium_payoffs()
        return PayoffSet(hull.points[hull.vertices], "quantecon", delta, 0, 0.0, [0, 0], 0, True)

    return solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-linprog", action="store_true", help="skip the linprog solver")
    args = parser.parse_args()
    qe = quantecon_solver()
    if qe is not None:
        import quantecon

        start = time.perf_counter()
        qe(*CASES[0][1:])
        print(
            f"quantecon {quantecon.__version__}: first call (numba compilation) "
            f"{time.perf_counter() - start:.1f} s"
        )
    else:
        print("quantecon not installed: its column is left out (pip install quantecon)")
    print()
    print(
        "| game | delta | method | D | solver | ms per solve | iterations | vertices "
        "| Hausdorff to exact |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, game, delta in CASES:
        t, exact = best_time(lambda g=game, d=delta: equilibrium_payoffs(g, d), args.repeats)
        print(
            f"| {name} | {delta} | abreu-sannikov | - | - | {1e3 * t:.1f} | "
            f"{exact.iterations} | {exact.vertices.shape[0]} | 0 |"
        )
        if qe is not None:
            t, theirs = best_time(lambda g=game, d=delta: qe(g, d), args.repeats)
            print(
                f"| {name} | {delta} | quantecon abreu_sannikov | - | - | {1e3 * t:.1f} | - | "
                f"{theirs.vertices.shape[0]} | {exact.hausdorff(theirs):.1e} |"
            )
        for method in ("outer", "inner"):
            for d in (8, 16, 32, 64, 128):
                solvers = ["vertex"] if args.no_linprog or d > 8 else ["vertex", "linprog"]
                for solver in solvers:
                    reps = 1 if solver == "linprog" else args.repeats
                    t, s = best_time(
                        lambda g=game, dl=delta, m=method, dd=d, sv=solver: equilibrium_payoffs(
                            g, dl, m, directions=dd, solver=sv
                        ),
                        reps,
                    )
                    print(
                        f"| {name} | {delta} | {method} | {d} | {solver} | {1e3 * t:.1f} | "
                        f"{s.iterations} | {s.vertices.shape[0]} | {s.hausdorff(exact):.3g} |"
                    )


if __name__ == "__main__":
    main()
