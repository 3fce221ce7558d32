"""Figures and tables of docs/classic/indirect-reciprocity.md: image scoring, standing and the
leading eight under public and private assessment with errors.

Run from the repository root: ``python docs/scripts/classic_reputation.py``. It prints the
tables of the page and writes docs/img/classic/reputation_cooperation.png,
reputation_rounds.png and reputation_replicator.png. 13 norms x 2 assessments x 4 replicates
of 100 organizations over 600 rounds, plus four replicator runs (about 45 s on one core).
"""

import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from allysim.reputation import (
    LEADING_EIGHT,
    NORMS,
    reputation_dynamics,
    simulate_reputation,
    stationary_reputation,
)

OUT = Path(__file__).resolve().parents[1] / "img" / "classic"
ERR = {"execution_error": 0.05, "assessment_error": 0.01}
SIM = {"n_organizations": 100, "rounds": 600, "replicates": 4, "observation": 0.9, **ERR}
BURN = 100


def cooperation_figure():
    names = list(NORMS)
    exact, public, private, agree = [], [], [], []
    print("| norm | exact (public) | simulated public | simulated private | agreement (private) |")
    print("|---|---|---|---|---|")
    for i, name in enumerate(names):
        ex = stationary_reputation(name, **ERR).cooperation
        pu = simulate_reputation(name, seed=i, **SIM)
        pr = simulate_reputation(name, assessment="private", seed=i, **SIM)
        row = (
            ex,
            pu.cooperation[:, BURN:].mean(),
            pr.cooperation[:, BURN:].mean(),
            pr.agreement[:, BURN:].mean(),
        )
        for store, value in zip((exact, public, private, agree), row, strict=True):
            store.append(value)
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in row) + " |")
    fig, ax = plt.subplots(figsize=(11, 3.8))
    x = np.arange(len(names))
    ax.bar(x, exact, color="#c6dbef", label="exact, public assessment")
    ax.plot(x, public, "o", color="#08519c", label="simulated, public")
    ax.plot(x, private, "s", color="#cb181d", label="simulated, private (q = 0.9)")
    ax.plot(x, agree, "_", ms=14, mew=2, color="#fd8d3c", label="agreement, private")
    ax.set_xticks(x, names, rotation=35, ha="right")
    ax.set_ylabel("rate (mean of rounds 100-600)")
    ax.set_ylim(0, 1.02)
    ax.set_title("Monomorphic populations, e1 = 0.05, e2 = 0.01, 100 organizations", fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(OUT / "reputation_cooperation.png", dpi=120)
    plt.close(fig)


def rounds_figure():
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    kw = {"n_organizations": 100, "rounds": 300, "replicates": 1, "observation": 0.9, **ERR}
    for name in ("image scoring", "L3", "L6", "L8"):
        r = simulate_reputation(name, seed=7, **kw)
        axes[0].plot(r.cooperation[0], lw=1, label=name)
        p = simulate_reputation(name, assessment="private", seed=7, **kw)
        axes[1].plot(p.cooperation[0], lw=1, label=name)
    axes[0].set_title("public assessment")
    axes[1].set_title("private assessment")
    for ax in axes:
        ax.set_xlabel("round")
    axes[0].legend(frameon=False, fontsize=8, loc="center right")
    axes[0].set_ylabel("share of donors that give")
    fig.tight_layout()
    fig.savefig(OUT / "reputation_rounds.png", dpi=120)
    plt.close(fig)


RUNS = [
    ("image scoring", (0.9, 0.05, 0.05)),
    ("image scoring", (0.2, 0.4, 0.4)),
    ("stern judging", (0.2, 0.4, 0.4)),
    ("L1", (0.2, 0.4, 0.4)),
]


def replicator_figure():
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.4), sharey=True)
    for ax, (name, start) in zip(axes, RUNS, strict=True):
        r = reputation_dynamics(name, initial=start, benefit=5, time=150, dt=0.1, **ERR)
        for k, label in enumerate(("DISC (the norm's action rule)", "ALLC", "ALLD")):
            ax.plot(r.times, r.frequencies[:, k], label=label)
        ax.plot(r.times, r.cooperation, "k:", label="cooperation rate")
        ax.set_title(f"{name}, start {start}", fontsize=9)
        ax.set_xlabel("time (interactions per organization)")
        print(
            f"{name} from {start}: final shares {np.round(r.frequencies[-1], 4).tolist()}, "
            f"cooperation {r.cooperation[-1]:.3f}"
        )
    axes[0].set_ylabel("share of the population")
    axes[0].legend(frameon=False, fontsize=7, loc="center right")
    fig.tight_layout()
    fig.savefig(OUT / "reputation_replicator.png", dpi=120)
    plt.close(fig)


def invasion_table():
    print("\n| norm | resident | ALLC | ALLD |")
    print("|---|---|---|---|")
    for norm in (NORMS["image scoring"], *LEADING_EIGHT):
        r = stationary_reputation(
            norm, ["NORM", "ALLC", "ALLD"], [0.98, 0.01, 0.01], benefit=5, **ERR
        )
        print(f"| {norm.name} | " + " | ".join(f"{v:.3f}" for v in r.payoffs) + " |")


if __name__ == "__main__":
    start = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    cooperation_figure()
    rounds_figure()
    replicator_figure()
    invasion_table()
    print(f"done in {time.perf_counter() - start:.0f} s")
