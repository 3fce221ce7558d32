"""Evolution in strategy space (docs/classic/nowak-sigmund.md and docs/classic/partners-rivals.md).

Run from the repository root: ``python docs/scripts/classic_evolution.py [part ...]`` (parts:
nowak_sigmund_1992, nowak_sigmund_1993, cycle, partners_rivals; default all). It prints the
numbers quoted on the two pages and writes docs/img/classic/evolution_reactive.png,
evolution_memory_one.png, evolution_cycle.png and evolution_partners.png. About 3 minutes on
one core:

* Nowak & Sigmund (1992): reactive strategies, discrete replicator with mutants, 4 seeds of
  400000 generations;
* Nowak & Sigmund (1993): memory-one strategies with U-shaped mutants, 12 seeds of 500000
  generations;
* the cycle ALLD -> TFT -> GTFT -> ALLC -> ALLD: sequential invasion in reactive space, 100000
  mutants;
* Hilbe, Chatterjee & Nowak (2018): sequential invasion in memory-one space on a grid of
  continuation probabilities and error rates, 3 seeds of 30000 mutants each.
"""

import itertools
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from allysim.evolution import sequential_invasion, strategy_space_replicator
from allysim.games import PrisonersDilemma
from allysim.strategies import is_partner, is_rival

OUT = Path(__file__).resolve().parents[1] / "img" / "classic"
GAME = PrisonersDilemma()  # R=3, S=0, T=5, P=1
CYCLE = ("ALLD", "TFT", "GTFT", "ALLC")


def reactive_label(p, q):
    """Regions of the reactive square named after the strategy at their corner or edge."""
    if p < 0.5:
        return "ALLD" if q < 0.5 else "other"
    if q < 0.1:
        return "TFT"
    return "GTFT" if q < 0.5 else "ALLC"


def runs_of(labels):
    return [labels[0]] + [b for a, b in itertools.pairwise(labels) if a != b]


def nowak_sigmund_1992():
    print("Nowak & Sigmund (1992), reactive strategies")
    fig, axes = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    for seed in range(4):
        res = strategy_space_replicator(GAME, generations=400_000, record_every=200, seed=seed)
        half = len(res.times) // 2
        late = res.mean_strategy[half:, :2].mean(axis=0)
        seq = runs_of([reactive_label(p, q) for p, q in res.dominant[:, :2]])
        print(
            f"  seed {seed}: final dominant (p, q) = {res.dominant[-1, :2].round(3).tolist()}, "
            f"mean (p, q) over the second half {late.round(3).tolist()}, cooperation "
            f"{res.cooperation[half:].mean():.3f}; dominant types {' -> '.join(seq)}"
        )
        if seed == 0:
            axes[0].plot(res.times, res.dominant[:, 0], label="p (after C)")
            axes[0].plot(res.times, res.dominant[:, 1], label="q (after D)")
            axes[0].axhline(1 / 3, color="grey", ls=":", label="q = 1/3")
            axes[1].plot(res.times, res.cooperation)
    axes[0].set_ylabel("most common strategy")
    axes[0].legend(fontsize=8)
    axes[1].set_ylabel("cooperation rate")
    axes[1].set_xlabel("generation")
    axes[0].set_title("Reactive strategies (Nowak & Sigmund 1992), seed 0")
    fig.tight_layout()
    fig.savefig(OUT / "evolution_reactive.png", dpi=120)
    plt.close(fig)


def nowak_sigmund_1993():
    print("Nowak & Sigmund (1993), memory-one strategies")
    finals, coop = [], []
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for seed in range(12):
        res = strategy_space_replicator(
            GAME,
            generations=500_000,
            space="memory-one",
            corner_bias=0.5,
            record_every=200,
            seed=seed,
        )
        finals.append(res.dominant[-1, :4])
        coop.append(res.cooperation[-1])
        if seed == 1:
            for k, name in enumerate(("p_CC", "p_CD", "p_DC", "p_DD")):
                ax.plot(res.times, res.dominant[:, k], label=name)
    finals_arr = np.array(finals)
    # Pavlov defects after exploiting (p_DC low) as well as after being exploited.
    pavlov = (
        (finals_arr[:, 0] > 0.9)
        & (finals_arr[:, 1] < 0.3)
        & (finals_arr[:, 2] < 0.3)
        & (finals_arr[:, 3] > 0.5)
    )
    tft_like = (finals_arr[:, 0] > 0.9) & (finals_arr[:, 3] < 0.1)
    alld_like = finals_arr.mean(axis=1) < 0.3
    for seed, (p, c) in enumerate(zip(finals_arr, coop, strict=True)):
        print(f"  seed {seed}: final dominant {p.round(2).tolist()}, cooperation {c:.3f}")
    print(
        f"  Pavlov-like (p_CC > 0.9, p_CD, p_DC < 0.3, p_DD > 0.5): {pavlov.sum()} of 12; "
        f"TFT/GRIM-like (p_CC > 0.9, p_DD < 0.1): {tft_like.sum()}; ALLD-like: "
        f"{alld_like.sum()}; mean of the Pavlov-like {finals_arr[pavlov].mean(axis=0).round(2)}"
    )
    ax.set_xlabel("generation")
    ax.set_ylabel("most common strategy")
    ax.set_title("Memory-one strategies (Nowak & Sigmund 1993), seed 1")
    ax.legend(fontsize=8, ncol=4)
    fig.tight_layout()
    fig.savefig(OUT / "evolution_memory_one.png", dpi=120)
    plt.close(fig)


def cycle():
    print("The cycle, sequential invasion in reactive space (N = 100, selection 1, errors 0.01)")
    res = sequential_invasion(
        GAME,
        steps=100_000,
        space="reactive",
        noise=0.01,
        population=100,
        selection=1.0,
        seed=0,
    )
    labels = [reactive_label(p, q) for p, q in res.dominant[:, :2]]
    names = (*CYCLE, "other")
    counts = np.zeros((5, 5), dtype=int)
    for a, b in itertools.pairwise(runs_of(labels)):
        counts[names.index(a), names.index(b)] += 1
    w = res.durations / res.durations.sum()
    time_share = {n: float(sum(w[i] for i, lab in enumerate(labels) if lab == n)) for n in names}
    forward = sum(counts[i, (i + 1) % 4] for i in range(4))
    backward = sum(counts[(i + 1) % 4, i] for i in range(4))
    print("  moves between types (row -> column):", names)
    print("\n".join("   " + str(row.tolist()) for row in counts))
    print(f"  along the cycle {forward}, against it {backward}")
    print("  share of time:", {k: round(v, 3) for k, v in time_share.items()})
    print(
        f"  time-averaged (p, q) {res.time_average()[:2].round(3).tolist()}, cooperation "
        f"{res.average_cooperation():.3f}"
    )
    fig, ax = plt.subplots(figsize=(7, 3.5))
    window = res.times < 20_000
    ax.step(res.times[window], res.dominant[window, 0], where="post", label="p (after C)")
    ax.step(res.times[window], res.dominant[window, 1], where="post", label="q (after D)")
    ax.set_xlabel("mutants tried")
    ax.set_ylabel("resident strategy")
    ax.set_title("Sequential invasion in reactive space: the first 20000 mutants")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "evolution_cycle.png", dpi=120)
    plt.close(fig)


def partners_rivals():
    print("Hilbe, Chatterjee & Nowak (2018): donation game b = 3, c = 1, N = 100, selection 1")
    game = PrisonersDilemma(R=2, S=-1, T=3, P=0)
    deltas = (0.5, 0.8, 0.9, 0.96, 0.99)
    errors = (0.001, 0.01, 0.05)
    part = np.zeros((len(errors), len(deltas)))
    riv = np.zeros_like(part)
    coop = np.zeros_like(part)
    for (i, eps), (j, delta) in itertools.product(enumerate(errors), enumerate(deltas)):
        p_s, r_s, c_s = [], [], []
        for seed in range(3):
            res = sequential_invasion(
                game,
                steps=30_000,
                continuation=delta,
                noise=eps,
                population=100,
                selection=1.0,
                seed=seed,
            )
            w = res.durations / res.durations.sum()
            p_s.append(w @ is_partner(res.dominant, game, strict=False, tolerance=0.1))
            r_s.append(w @ is_rival(res.dominant, game, tolerance=0.1))
            c_s.append(res.average_cooperation())
        part[i, j], riv[i, j], coop[i, j] = np.mean(p_s), np.mean(r_s), np.mean(c_s)
        print(
            f"  errors {eps:<5} continuation {delta:<4}: partners {part[i, j]:.2f}, rivals "
            f"{riv[i, j]:.2f}, cooperation {coop[i, j]:.2f}"
        )
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.5), sharey=True)
    rounds = [1 / (1 - d) for d in deltas]
    for i, eps in enumerate(errors):
        axes[0].plot(rounds, part[i], marker="o", label=f"errors {eps}")
        axes[1].plot(rounds, riv[i], marker="o", label=f"errors {eps}")
    for ax, title in zip(axes, ("partners", "rivals"), strict=True):
        ax.set_xscale("log")
        ax.set_xlabel("expected rounds 1 / (1 - continuation)")
        ax.set_title(f"resident is one of the {title}")
    axes[0].set_ylabel("share of the mutants tried")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "evolution_partners.png", dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    parts = (nowak_sigmund_1992, nowak_sigmund_1993, cycle, partners_rivals)
    chosen = [f for f in parts if not sys.argv[1:] or f.__name__ in sys.argv[1:]]
    for part_fn in chosen:
        start = time.perf_counter()
        part_fn()
        print(f"  ({time.perf_counter() - start:.0f} s)\n")
