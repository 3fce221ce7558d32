"""Which of the 16 deterministic memory-one strategies dominate under noise? (docs/evolution.md)

Small-mutation limit, Z = 100, beta = 1, 1% execution noise, limit of means.
Run:  python benchmarks/sixteen_memory_one.py
"""

import numpy as np

import allysim as ally
from allysim.evolution import payoff_matrix_for, stationary_distribution


def main() -> None:
    zoo = ally.deterministic_memory_one()
    games = [
        ("donation game, b/c = 3", ally.partnership_game(benefit=3, cost=1)),
        ("donation game, b/c = 1.5", ally.partnership_game(benefit=1.5, cost=1)),
        ("standard dilemma R=3 S=0 T=5 P=1", ally.PrisonersDilemma()),
    ]
    print("| game | largest shares |\n|---|---|")
    for label, game in games:
        a = payoff_matrix_for(zoo, game, noise=0.01)
        d = stationary_distribution(a, population=100, selection=1.0)
        top = np.argsort(-d.shares)[:4]
        print(f"| {label} | " + ", ".join(f"{zoo[i].name} {d.shares[i]:.3f}" for i in top) + " |")


if __name__ == "__main__":
    main()
