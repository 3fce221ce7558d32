"""Spatial games and cooperation on graphs (docs/classic/spatial-games.md).

Run from the repository root: ``python docs/scripts/classic_spatial.py``. It prints the numbers
quoted on the page and writes docs/img/classic/spatial_kaleidoscope.png,
docs/img/classic/spatial_regimes.png and docs/img/classic/spatial_graphs.png.

Settings: Nowak & May (1992) on a 99 x 99 periodic lattice (Moore neighbourhood, self-
interaction) from one defector, and on 200 x 200 lattices from 10% random defectors for 200
generations; the exact weak-selection thresholds of death-birth updating on small graphs; and
simulated fixation on a random 4-regular graph and on the trust model's small-world network of
possible ties (N = 40), 4000 runs per point. A few minutes on one core.
"""

import math
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from allysim.abm import TrustModel
from allysim.evolution import (
    cycle_graph,
    degrees,
    graph_fixation_probability,
    nowak_may,
    random_regular_graph,
    simulate_graph_game,
    trust_network,
)

OUT = Path(__file__).resolve().parents[1] / "img" / "classic"
# Nowak & May's colours: blue C after C, red D after D, yellow D after C, green C after D.
COLOURS = ListedColormap(["#1f4e9c", "#c0392b", "#f1c40f", "#27ae60"])


def kaleidoscope() -> None:
    size = 99
    start = np.ones((size, size), dtype=np.int8)
    start[size // 2, size // 2] = 0
    res = nowak_may(start, temptation=1.9, steps=200, record_every=1)
    gens = [10, 30, 60, 200]
    fig, axes = plt.subplots(1, len(gens), figsize=(12, 3.4))
    for ax, g in zip(axes, gens, strict=True):
        now, then = res.snapshots[g], res.snapshots[g - 1]
        code = np.where(now == 1, np.where(then == 1, 0, 3), np.where(then == 1, 2, 1))
        ax.imshow(code, cmap=COLOURS, vmin=0, vmax=3, interpolation="nearest")
        ax.set_title(f"generation {g}, C share {res.cooperators[g]:.3f}")
        ax.set_axis_off()
    fig.suptitle("One defector, b = 1.9, 99 x 99 periodic lattice (Nowak & May's kaleidoscope)")
    fig.tight_layout()
    fig.savefig(OUT / "spatial_kaleidoscope.png", dpi=110)
    plt.close(fig)
    late = res.cooperators[100:]
    print(
        f"kaleidoscope b=1.9: C share over generations 100-200 mean {late.mean():.3f}, "
        f"range {late.min():.3f}-{late.max():.3f}"
    )


def regimes() -> None:
    rng = np.random.default_rng(1992)
    start = (rng.random((4, 200, 200)) > 0.1).astype(np.int8)
    fig, (ax, ax_grid) = plt.subplots(1, 2, figsize=(12, 4.6))
    for b in (1.1, 1.62, 1.77, 1.85, 1.95, 2.1):
        res = nowak_may(start, temptation=b, steps=200)
        share = res.cooperators.mean(axis=1)
        ax.plot(share, label=f"b = {b}")
        print(
            f"random start, b={b}: C share at generation 200 {share[-1]:.3f}, mean over "
            f"100-200 {share[100:].mean():.3f} (4 lattices 200 x 200)"
        )
        if b == 1.85:
            ax_grid.imshow(res.colours()[0], cmap=COLOURS, vmin=0, vmax=3, interpolation="nearest")
    ax.axhline(12 * math.log(2) - 8, color="k", ls=":", label="12 ln 2 - 8 = 0.318")
    ax.set_xlabel("generation")
    ax.set_ylabel("share of cooperators (mean of 4 lattices)")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, ncol=2)
    ax_grid.set_title("b = 1.85 at generation 200 (blue C, red D, yellow/green switched)")
    ax_grid.set_axis_off()
    fig.tight_layout()
    fig.savefig(OUT / "spatial_regimes.png", dpi=110)
    plt.close(fig)


def critical_ratio(adj, rule="db", w=1e-5):
    n = adj.shape[0]

    def slope(b, c):
        rho = graph_fixation_probability(adj, benefit=b, cost=c, rule=rule, selection=w)
        return (rho - 1 / n) / w

    return -slope(0.0, 1.0) / slope(1.0, 0.0)


def graphs() -> None:
    rows = []
    for name, adj, k in (
        ("cycle N=8", cycle_graph(8), 2),
        ("cycle N=12", cycle_graph(12), 2),
        ("ring k=4 N=12", cycle_graph(12, 4), 4),
        ("random 3-regular N=12", random_regular_graph(12, 3, seed=1), 3),
        ("random 4-regular N=14", random_regular_graph(14, 4, seed=1), 4),
    ):
        n = adj.shape[0]
        db = critical_ratio(adj)
        im = critical_ratio(adj, "imitation")
        rows.append((name, k, db, (n - 2) / (n / k - 2), im))
        print(
            f"{name}: DB threshold b/c {db:.4f} (formula (N-2)/(N/k-2) = "
            f"{(n - 2) / (n / k - 2):.4f}), imitation {im:.4f}"
        )

    model = TrustModel(n_organizations=40, network="small-world", network_degree=4, seed=3)
    ties = trust_network(model)
    k_ties = degrees(ties)
    print(
        f"trust network: N=40, degree mean {k_ties.mean():.2f}, range {k_ties.min()}-{k_ties.max()}"
    )
    rr = random_regular_graph(40, 4, seed=2)
    ratios = [1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0]
    w, reps = 0.1, 4000
    fig, ax = plt.subplots(figsize=(7, 4.4))
    for label, adj in (("random 4-regular, N = 40", rr), ("trust model ties, N = 40", ties)):
        kmax = int(degrees(adj).max())
        # Fitness 1 - w + w * payoff must stay positive: cost 1 per neighbour, kmax neighbours.
        sel = min(w, 0.9 / (1 + kmax))
        est, err = [], []
        for r in ratios:
            res = simulate_graph_game(
                adj,
                benefit=r,
                cost=1.0,
                rule="db",
                selection=sel,
                steps=2_000_000,
                replicates=reps,
                until_fixation=True,
                seed=int(10 * r),
            )
            p = res.fixed_cooperators().mean()
            est.append(40 * p)
            err.append(40 * 2 * math.sqrt(p * (1 - p) / reps))
            print(
                f"{label}: b/c={r}: N rho = {40 * p:.3f} +- {err[-1]:.3f} (selection {sel:.3f},"
                f" {reps} runs, all fixed: {(res.fixation_step > 0).all()})"
            )
        ax.errorbar(ratios, est, yerr=err, marker="o", capsize=3, label=label)
    ax.axhline(1.0, color="k", lw=0.8)
    ax.axvline(4.0, color="grey", ls=":", label="b/c = k = 4")
    ax.axvline(38 / 8, color="grey", ls="--", label="(N-2)/(N/k-2) = 4.75")
    ax.set_xlabel("b / c")
    ax.set_ylabel("N x fixation probability of one cooperator")
    ax.set_title("Death-birth updating: cooperators beat neutral (1) once b/c passes about k")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "spatial_graphs.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for part in (kaleidoscope, regimes, graphs):
        t0 = time.perf_counter()
        part()
        print(f"[{part.__name__}: {time.perf_counter() - t0:.0f} s]")
