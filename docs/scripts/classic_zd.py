"""Figures and tables of docs/classic/zd-strategies.md: discounted ZD strategies and Stewart &
Plotkin's (2013) robustness of extortion and generosity against population size.

Run from the repository root: ``python docs/scripts/classic_zd.py``. It prints the tables of the
page and writes docs/img/classic/zd_relation.png and docs/img/classic/zd_robustness.png.
5000 uniform memory-one mutants x 10 population sizes x 4 residents x 2 update rules (30 s on
a shared 2-core machine).
"""

import itertools
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from allysim import PrisonersDilemma, expected_payoffs
from allysim.equilibria import robustness
from allysim.strategies import extortionate, generous, zd_min_continuation

OUT = Path(__file__).resolve().parents[1] / "img" / "classic"
GAME = PrisonersDilemma()  # R, S, T, P = 3, 0, 5, 1
DETERMINISTIC = np.array(list(itertools.product((0.0, 1.0), repeat=5)))
SIZES = [2, 3, 4, 5, 10, 20, 50, 100, 300, 1000]
RESIDENTS = {
    "EXTORT(3)": extortionate(GAME, chi=3),
    "EXTORT(1.5)": extortionate(GAME, chi=1.5),
    "GENEROUS(2)": generous(GAME, chi=2),
    "GENEROUS(1.5)": generous(GAME, chi=1.5),
}


def worst_gap(strategy, w):
    """Largest |(s_X - P) - 3 (s_Y - P)| over the 32 deterministic memory-one opponents."""
    x, y = expected_payoffs(strategy, DETERMINISTIC, GAME, continuation=w)
    return float(np.abs((x - 1) - 3 * (y - 1)).max())


def relation_figure():
    w_min = zd_min_continuation(GAME, chi=3, baseline=1, p0=0)
    ws = np.linspace(0.5, 0.995, 100)
    old = [worst_gap(extortionate(GAME, chi=3), w) for w in ws]
    fresh = [(w, worst_gap(extortionate(GAME, chi=3, continuation=w), w)) for w in ws if w >= w_min]
    print(f"Extort-3: least continuation {w_min:.6f} (9/13 = {9 / 13:.6f})")
    for w in (0.8, 0.9, 0.95, 0.99):
        print(
            f"w={w}: long-run Extort-3 misses by {worst_gap(extortionate(GAME, chi=3), w):.4f}, "
            f"discounted by {worst_gap(extortionate(GAME, chi=3, continuation=w), w):.1e}"
        )
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(ws, old, label="long-run Extort-3 (Press & Dyson)")
    ax.plot(*zip(*fresh, strict=True), label="discounted Extort-3 (Hilbe et al. 2015)")
    ax.axvline(w_min, color="grey", ls=":", label="least feasible w = 9/13")
    ax.set_xlabel("continuation probability w")
    ax.set_ylabel("worst miss of s_X - P = 3 (s_Y - P)")
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "zd_relation.png", dpi=120)


def robustness_figure():
    mutants = np.random.default_rng(2013).random((5000, 5))
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for ax, (rule, selection) in zip(axes, [("fermi", 1.0), ("moran", 0.1)], strict=True):
        print(f"\nshare of mutants that cannot invade, rule={rule}, selection={selection}")
        print("| resident | " + " | ".join(f"N={n}" for n in SIZES) + " |")
        print("|---" * (len(SIZES) + 1) + "|")
        for name, resident in RESIDENTS.items():
            shares = [
                robustness(
                    resident, mutants, GAME, population=n, selection=selection, rule=rule
                ).share
                for n in SIZES
            ]
            print(f"| {name} | " + " | ".join(f"{s:.3f}" for s in shares) + " |")
            ax.plot(SIZES, shares, marker="o", ls="--" if "EXT" in name else "-", label=name)
        ax.set_xscale("log")
        ax.set_xlabel("population size N")
        ax.set_title(f"{rule}, selection {selection}", fontsize=9)
    axes[0].set_ylabel("share of mutants that cannot invade")
    axes[0].legend(frameon=False, fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "zd_robustness.png", dpi=120)


if __name__ == "__main__":
    start = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    relation_figure()
    robustness_figure()
    print(f"\n{time.perf_counter() - start:.0f} s")
