"""Memory-two strategies (docs/memory-n.md): partners among the 2**16, and evolution.

Run from the repository root: ``python docs/scripts/memory_n.py [part ...]`` (parts: partners,
evolution; default both). It prints the numbers quoted on the page and writes
docs/img/memory_n_partners.png and docs/img/memory_n_evolution.png. About 10 minutes on one
core:

* partners: every deterministic memory-one (16) and memory-two (65,536) strategy of the donation
  game with execution errors 0.001, its cooperation with itself, and whether any co-player (of
  any memory; exact best reply, ``memory_n_best_response``) earns more against it than it earns
  against itself, for b/c from 1.2 to 3;
* evolution: sequential invasion (rare mutations, Fermi rule, N = 100, selection 1, errors
  0.01, limit of means) in both spaces, 2 seeds of 40000 mutants per point.
"""

import itertools
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from allysim.evolution.memory_n import deterministic_invasion
from allysim.games import partnership_game
from allysim.kernels import memory_n_best_response
from allysim.strategies import deterministic_memory_one, deterministic_memory_two

OUT = Path(__file__).resolve().parents[1] / "img"
RATIOS = (1.2, 1.4, 1.5, 1.6, 1.8, 2.0, 2.2, 2.5, 3.0)


def axelrod_order(p) -> list[int]:
    """allysim's memory-two order (outcome, older first) -> Axelrod-Python's sixteen-vector."""
    out = [0] * 16
    for my2, my1, th2, th1 in itertools.product((0, 1), repeat=4):
        out[8 * my2 + 4 * my1 + 2 * th2 + th1] = int(p[4 * (2 * my2 + th2) + (2 * my1 + th1)])
    return out


def partners() -> None:
    eps = 1e-3
    spaces = {
        "memory-1": np.array([s.p for s in deterministic_memory_one()]),
        "memory-2": deterministic_memory_two().astype(float),
    }
    counts = {}
    for label, space in spaces.items():
        t0 = time.time()
        n = 1 if space.shape[1] == 4 else 2
        # Self-play only: the pairs (k, k).
        dist = _self_play(space, eps, n)
        coop = dist[:, 0] + dist[:, 1]
        cooperative = np.flatnonzero(coop > 0.99)
        print(f"{label}: {len(space)} strategies, {len(cooperative)} cooperate with themselves")
        counts[label] = []
        for ratio in RATIOS:
            game = partnership_game(ratio, 1.0)
            u = game.outcome_payoffs()[0]
            best, _ = memory_n_best_response(space[cooperative], game, noise=eps)
            nash = cooperative[best <= dist[cooperative] @ u + 1e-9]
            counts[label].append(len(nash))
            shown = [
                axelrod_order(space[k]) if n == 2 else space[k].astype(int).tolist()
                for k in nash[:6]
            ]
            print(f"  b/c = {ratio}: {len(nash)} cooperative Nash equilibria; first: {shown}")
        print(f"  ({time.time() - t0:.0f} s)")
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for label, c in counts.items():
        ax.plot(RATIOS, c, "o-", label=label)
    ax.set_xlabel("benefit-to-cost ratio b / c")
    ax.set_ylabel("cooperative Nash equilibria")
    ax.set_title("Deterministic strategies that are partners (errors 0.001)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "memory_n_partners.png", dpi=120)


def _self_play(block: np.ndarray, eps: float, n: int) -> np.ndarray:
    from allysim.kernels.memory_n import _chunked
    from allysim.strategies.memory_n import _default_opening

    opening = np.stack([_default_opening(r, n) for r in block])
    return _chunked(block, opening, block, opening, n, "limit", 1.0, eps, 0.0)


def evolution() -> None:
    ratios = (1.5, 1.75, 2.0, 2.5, 3.0)
    result = {1: [], 2: []}
    for memory in (1, 2):
        for ratio in ratios:
            t0 = time.time()
            runs = [
                deterministic_invasion(
                    partnership_game(ratio, 1.0),
                    memory=memory,
                    steps=40000,
                    population=100,
                    selection=1.0,
                    noise=0.01,
                    seed=seed,
                )
                for seed in range(2)
            ]
            coop = float(np.mean([r.average_cooperation() for r in runs]))
            result[memory].append(coop)
            print(
                f"memory-{memory}, b/c = {ratio}: cooperation {coop:.3f} ({time.time() - t0:.0f} s)"
            )
            if memory == 2 and ratio == 1.75:
                top = {}
                for r in runs:
                    for s, d in zip(r.dominant, r.durations, strict=True):
                        key = tuple(axelrod_order(s))
                        top[key] = top.get(key, 0) + d
                total = sum(top.values())
                for key, d in sorted(top.items(), key=lambda kv: -kv[1])[:5]:
                    print(f"    {d / total:.3f} of the time: {list(key)} (Axelrod order)")
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for memory, c in result.items():
        ax.plot(ratios, c, "o-", label=f"memory-{memory} (deterministic)")
    ax.set_xlabel("benefit-to-cost ratio b / c")
    ax.set_ylabel("average cooperation rate")
    ax.set_ylim(0, 1)
    ax.set_title("Sequential invasion, N = 100, errors 0.01")
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "memory_n_evolution.png", dpi=120)


if __name__ == "__main__":
    parts = sys.argv[1:] or ["partners", "evolution"]
    for part in parts:
        {"partners": partners, "evolution": evolution}[part]()
