"""How each incentive mechanism enlarges the set of equilibrium payoffs (the figure and the table
in docs/equilibrium-payoffs.md).

Run from the repository root: ``python docs/scripts/payoff_sets.py``. It prints, for the
partnership game of the README (R 1.5, S -2, T 3, P 0), the subgame-perfect equilibrium payoff
set (Abreu & Sannikov 2014) under a short shadow of the future (delta 0.3), a medium and a long
one (delta 0.55, 0.8), and at delta 0.3 with a sanction, a bond and profit sharing (each
transforms the stage game through ``allysim.mechanisms.apply``), and writes
docs/img/payoff_sets_mechanisms.png. Under 1 s.
"""

import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import allysim as ally
from allysim.equilibria import equilibrium_payoffs, feasible_payoffs, plot_payoff_set
from allysim.mechanisms import Bond, ProfitSharing, Sanction, apply

OUT = Path(__file__).resolve().parents[1] / "img" / "payoff_sets_mechanisms.png"
GAME = ally.partnership_game(benefit=3, cost=2, synergy=0.5)  # R 1.5, S -2, T 3, P 0
SHORT = 0.3
# The README's mechanism settings: each below its own dominance threshold, so that it works
# together with the shadow of the future rather than making contributing dominant on its own.
MECHANISMS = {
    "sanction (fine 1.5, detection 0.8)": Sanction(fine=1.5, detection=0.8),
    "bond (stake 1.5, detection 0.8)": Bond(stake=1.5, detection=0.8),
    "profit sharing (share 0.5)": ProfitSharing(share=0.5),
}


def solve():
    """Per panel: (title, stage game, discount factor, its feasible IR set, its SPE set)."""
    panels = []
    for delta, what in ((SHORT, "short"), (0.55, "medium"), (0.8, "long")):
        title = f"{what} shadow of the future, delta {delta}"
        panels.append((title, GAME, delta))
    for name, mechanism in MECHANISMS.items():
        panels.append((f"{name}, delta {SHORT}", apply(GAME, [mechanism]).game, SHORT))
    return [
        (title, game, delta, feasible_payoffs(game), equilibrium_payoffs(game, delta))
        for title, game, delta in panels
    ]


def table(panels):
    R = GAME.payoff_vector[0]
    rows = [
        "| setting | stage game (R, S, T, P) | vertices | area | (R, R) an equilibrium "
        "| worst payoffs | share of the feasible IR area |",
        "|---|---|---|---|---|---|---|",
    ]
    for title, game, _, feasible, s in panels:
        share = s.area / feasible.area if feasible.area else float("nan")
        rows.append(
            f"| {title} | {tuple(round(x, 2) for x in game.payoff_vector)} | "
            f"{s.vertices.shape[0]} | {s.area:.3f} | "
            f"{'yes' if s.contains([R, R], tol=1e-6) else 'no'} | "
            f"({s.threat[0]:.2f}, {s.threat[1]:.2f}) | {share:.2f} |"
        )
    return "\n".join(rows)


def draw(panels):
    fig, axes = plt.subplots(
        2, 3, figsize=(13, 8.5), layout="constrained", sharex=True, sharey=True
    )
    R = GAME.payoff_vector[0]
    for ax, (title, _, _, feasible, s) in zip(axes.ravel(), panels, strict=True):
        plot_payoff_set(
            feasible,
            ax=ax,
            labels=["feasible, individually rational"],
            colors=["0.45"],
            fill=False,
            legend=False,
        )
        plot_payoff_set(
            s, ax=ax, labels=["subgame-perfect equilibrium payoffs"], colors=["C0"], legend=False
        )
        ax.plot(
            [R],
            [R],
            marker="*",
            ms=11,
            color="C3",
            ls="none",
            label="mutual contribution (R, R)",
            zorder=4,
        )
        ax.set_title(title, fontsize=10)
    axes[0, 2].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=9)
    fig.suptitle(
        "Equilibrium payoffs of the partnership game (R 1.5, S -2, T 3, P 0): the shadow of the "
        "future (top) and mechanisms at delta 0.3 (bottom)"
    )
    return fig


if __name__ == "__main__":
    start = time.perf_counter()
    panels = solve()
    print(f"solved in {time.perf_counter() - start:.2f} s")
    print(table(panels))
    fig = draw(panels)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT}")
