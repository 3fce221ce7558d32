"""Axelrod's first tournament and the ecological simulation (docs/classic/axelrod-tournaments.md).

Run from the repository root: ``python docs/scripts/classic_tournaments.py``. It prints the
ranking of the ten modelled entries of Axelrod (1980a) next to the published scores, the
head-to-head scores that the paper publishes, and the ecological run, and writes
docs/img/classic/tournament_ranking.png and docs/img/classic/tournament_ecology.png.
Settings: 200 rounds, 5000 simulated matches per pair (the published tournament played 5), the
discrete replicator for 2000 generations. About 10 s on one core.
"""

import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from allysim import round_robin
from allysim.evolution import discrete_replicator
from allysim.games import PrisonersDilemma
from allysim.strategies import (
    ALLC,
    FIRST_TOURNAMENT_SCORES,
    GRIM,
    TESTER,
    TF2T,
    TFT,
    MemoryOne,
    first_tournament,
    random_strategy,
)

OUT = Path(__file__).resolve().parents[1] / "img" / "classic"
GAME = PrisonersDilemma()  # R=3, S=0, T=5, P=1, as in Axelrod (1980a)
# Axelrod (1980a) Table 2, the rows published in full: score against FELD, JOSS, TULLOCK, RANDOM.
PUBLISHED_ROWS = {
    "TFT": (280, 225, 279, 441),
    "NYDEGGER": (354, 374, 347, 464),
    "GROFMAN": (289, 236, 305, 507),
}


def tournament():
    res = round_robin(
        first_tournament(),
        GAME,
        rounds=200,
        method="simulate",
        repetitions=5000,
        self_play=True,
        seed=1980,
    )
    table = res.ranking[["rank", "strategy", "score"]].copy()
    table["score"] = (table["score"] * 200).round(1)
    published_rank = {n: i + 1 for i, n in enumerate(FIRST_TOURNAMENT_SCORES)}
    table["published score"] = [FIRST_TOURNAMENT_SCORES[n] for n in table["strategy"]]
    table["published rank (of these 10)"] = [published_rank[n] for n in table["strategy"]]
    print(table.to_string(index=False))
    cols = [res.names.index(n) for n in ("FELD", "JOSS", "TULLOCK", "RANDOM")]
    print("\nhead to head (200 rounds) vs FELD, JOSS, TULLOCK, RANDOM: ours / published")
    for name, pub in PUBLISHED_ROWS.items():
        ours = res.payoff_matrix[res.names.index(name), cols] * 200
        restricted = (6 * 600 + sum(pub)) / 10
        score = res.scores[res.names.index(name)] * 200
        print(
            f"  {name:9s} {np.round(ours).astype(int).tolist()} / {list(pub)}; mean over the "
            f"10 modelled opponents {score:.1f} / {restricted:.1f}"
        )
    fig, ax = plt.subplots(figsize=(7, 4))
    names = list(FIRST_TOURNAMENT_SCORES)
    ours = [res.scores[res.names.index(n)] * 200 for n in names]
    x = np.arange(len(names))
    ax.bar(x - 0.2, list(FIRST_TOURNAMENT_SCORES.values()), 0.4, label="published (15 entries)")
    ax.bar(x + 0.2, ours, 0.4, label="allysim (the 10 modelled entries)")
    ax.set_xticks(x, names, rotation=45, ha="right")
    ax.set_ylabel("mean score per 200-round match")
    ax.set_title("Axelrod (1980a) first tournament, in the published order")
    ax.set_ylim(0, 680)
    ax.legend(loc="upper right", ncol=2, fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "tournament_ranking.png", dpi=120)
    plt.close(fig)


def ecology():
    pool = [
        TFT,
        GRIM,
        TF2T,
        ALLC,
        TESTER,
        MemoryOne((0.9, 0, 0.9, 0), p0=1, name="JOSS"),
        random_strategy(0.5),
    ]
    res = round_robin(pool, GAME, rounds=200, self_play=True)
    shares = discrete_replicator(res.payoff_matrix, np.full(len(pool), 1 / len(pool)), 2000)
    peak = int(np.argmax(shares[:, 4]))
    print(
        f"\necology: TESTER {shares[0, 4]:.3f} -> peak {shares[peak, 4]:.3f} at generation "
        f"{peak} -> {shares[1000, 4]:.3f} at 1000 -> {shares[-1, 4]:.3f} at 2000; prey (ALLC + "
        f"TF2T) at the peak {shares[peak, 2] + shares[peak, 3]:.4f}; TFT {shares[-1, 0]:.3f} at "
        "2000"
    )
    fig, ax = plt.subplots(figsize=(7, 4))
    for i, name in enumerate(res.names):
        ax.plot(shares[:, i], label=name, lw=2 if name in ("TFT", "TESTER") else 1)
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlabel("generation")
    ax.set_ylabel("share of the population")
    ax.set_title("Ecological tournament: the exploiter rises, then falls with its prey")
    ax.legend(ncol=2, fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "tournament_ecology.png", dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    tournament()
    ecology()
    print(f"\n{time.perf_counter() - start:.1f} s")
