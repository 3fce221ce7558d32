"""The ``allysim`` command: ``allysim demo`` runs the main job; see ``allysim --help``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from allysim import kernels, strategies
from allysim.games import PrisonersDilemma

__all__ = ["main"]


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a probability in [0, 1], got {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def _save_tournament_figures(result: kernels.TournamentResult, out: Path, stem: str) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from allysim.plotting import payoff_heatmap, ranking_bars

    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    payoff_heatmap(result.payoff_matrix, result.names, ax=axes[0])
    ranking_bars(
        list(result.names),
        result.scores,
        errors=result.score_stderr,
        ax=axes[1],
    )
    fig.tight_layout()
    path = out / f"{stem}.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return [path]


def _tournament_tables(args) -> tuple[pd.DataFrame, kernels.TournamentResult]:
    game = PrisonersDilemma()
    zoo = [*strategies.CLASSIC, strategies.RANDOM(0.5), strategies.extortionate(game)]
    t0 = time.perf_counter()
    exact = kernels.round_robin(zoo, game, rounds=args.rounds, noise=args.noise, method="exact")
    t_exact = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim = kernels.round_robin(
        zoo,
        game,
        rounds=args.rounds,
        noise=args.noise,
        repetitions=args.repetitions,
        seed=args.seed,
        method="simulate",
    )
    t_sim = time.perf_counter() - t0
    table = exact.ranking[["rank", "strategy", "score", "cooperation", "wins"]].rename(
        columns={"score": "exact_score", "cooperation": "exact_cooperation"}
    )
    by_name = sim.ranking.set_index("strategy")
    table["simulated_score"] = table["strategy"].map(by_name["score"])
    table["stderr"] = table["strategy"].map(by_name["score_stderr"])
    table["z"] = (table["simulated_score"] - table["exact_score"]) / table["stderr"]
    table.attrs["timing"] = (t_exact, t_sim)
    return table, sim


def _demo(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(
        "allysim demo: round-robin tournament of partnering strategies\n"
        f"  stage game: prisoner's dilemma R=3 S=0 T=5 P=1; {args.rounds} rounds per match; "
        f"execution noise {args.noise:g}; {args.repetitions} simulated repetitions per pair\n"
    )
    table, sim = _tournament_tables(args)
    with pd.option_context("display.width", 120, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))
    t_exact, t_sim = table.attrs["timing"]
    matches = len(sim.names) * (len(sim.names) + 1) // 2 * args.repetitions
    print(
        f"\nexact kernel: {t_exact * 1e3:.1f} ms; Monte Carlo: {matches} matches x "
        f"{args.rounds} rounds in {t_sim * 1e3:.1f} ms"
    )
    worst = float(np.nanmax(np.abs(table["z"])))
    print(f"largest |simulated - exact| / stderr over strategies: {worst:.2f}")
    csv = out / "tournament.csv"
    table.drop(columns="z").to_csv(csv, index=False)
    written = [csv, *_save_tournament_figures(sim, out, "tournament")]
    written += _mechanisms(args, out)
    print("\nwrote " + ", ".join(str(p) for p in written))
    return 0


def _mechanisms(args, out: Path) -> list[Path]:
    """Print and save the mechanism comparison on the standard partnership game."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from allysim.comparison import (
        compare_mechanisms,
        default_scenarios,
        standard_partnership_game,
    )
    from allysim.plotting import mechanism_bars

    game = standard_partnership_game()
    R, S, T, P = game.payoff_vector
    print(
        f"\nIncentive mechanisms on the partnership game R={R:g} S={S:g} T={T:g} P={P:g} "
        "(base: continuation 0.3, perception error 0.05; small-mutation limit, Z=50)\n"
    )
    table = compare_mechanisms(
        game, default_scenarios(), noise=0.01, seed=args.seed, progress=not args.quiet
    )
    cols = ["scenario", "equilibrium", "equilibrium_strategy", "tournament_winner"]
    cols += ["cooperation", "welfare"]
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(table[cols].to_string(index=False))
    csv = out / "mechanisms.csv"
    table.to_csv(csv, index=False)
    axes = mechanism_bars(table)
    fig = axes[0].figure
    fig.suptitle("Incentive mechanisms (green: contribution is an equilibrium)")
    fig.tight_layout()
    png = out / "mechanisms.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return [csv, png]


def _tournament(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table, sim = _tournament_tables(args)
    with pd.option_context("display.width", 120, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))
    csv = out / "tournament.csv"
    table.drop(columns="z").to_csv(csv, index=False)
    written = [csv, *_save_tournament_figures(sim, out, "tournament")]
    print("\nwrote " + ", ".join(str(p) for p in written))
    return 0


def _compare(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = _mechanisms(args, out)
    print("\nwrote " + ", ".join(str(p) for p in written))
    return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="allysim",
        description="Simulate the incentives inside partnerships between organizations.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--out", default="allysim-out", help="output folder (default: %(default)s)")
        p.add_argument("--seed", type=int, default=2024, help="random seed (default: %(default)s)")
        p.add_argument(
            "--rounds", type=_positive_int, default=200, help="rounds per match (default: 200)"
        )
        p.add_argument(
            "--noise",
            type=_probability,
            default=0.05,
            help="execution noise: chance a move is flipped (default: 0.05)",
        )
        p.add_argument("--quiet", action="store_true", help="no progress bars")
        p.add_argument(
            "--repetitions",
            type=_positive_int,
            default=50,
            help="simulated matches per pair (default: 50)",
        )

    demo = sub.add_parser(
        "demo", help="tournament and mechanism comparison: print tables, save CSVs and plots"
    )
    common(demo)
    demo.set_defaults(func=_demo)
    tour = sub.add_parser("tournament", help="round-robin tournament of the classic strategies")
    common(tour)
    tour.set_defaults(func=_tournament)
    comp = sub.add_parser("compare", help="compare incentive mechanisms on the partnership game")
    common(comp)
    comp.set_defaults(func=_compare)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``allysim`` console script."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
