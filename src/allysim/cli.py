"""The ``allysim`` command: ``allysim demo`` runs the main job; see ``allysim --help``."""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
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


def _tournament_section(args, out: Path) -> list[Path]:
    """Print and save the tournament, exact and simulated side by side."""
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
    return [csv, *_save_tournament_figures(sim, out, "tournament")]


def _write(args, *sections) -> int:
    """Run output sections into ``args.out`` and say where their files are."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    written = [path for section in sections for path in section(args, out)]
    print("\nwrote " + ", ".join(str(p) for p in written))
    return 0


def _demo(args) -> int:
    print(
        "allysim demo: round-robin tournament of partnering strategies\n"
        f"  stage game: prisoner's dilemma R=3 S=0 T=5 P=1; {args.rounds} rounds per match; "
        f"execution noise {args.noise:g}; {args.repetitions} simulated repetitions per pair\n"
    )
    demo_trust = partial(_trust_section, scenarios=["short-shadow", "long-shadow+monitoring"])
    return _write(args, _tournament_section, _mechanisms, demo_trust)


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
    return _write(args, _tournament_section)


def _compare(args) -> int:
    return _write(args, _mechanisms)


def trust_scenarios() -> dict[str, tuple]:
    """The mechanism scenarios the ``trust`` command and the demo can run."""
    from allysim.mechanisms import Bond, Monitoring, ProfitSharing, Sanction, ShadowOfFuture

    return {
        "short-shadow": (ShadowOfFuture(0.5),),
        "long-shadow": (ShadowOfFuture(0.99),),
        "long-shadow+monitoring": (ShadowOfFuture(0.99), Monitoring(0.01)),
        "sanctions": (ShadowOfFuture(0.5), Sanction(fine=3, detection=0.8)),
        "bonds": (ShadowOfFuture(0.5), Bond(stake=3, detection=0.8)),
        "profit-sharing": (ShadowOfFuture(0.5), ProfitSharing(0.9)),
    }


def _run_trust(scenario: str, args, seed_seq) -> pd.DataFrame:
    from allysim.abm import TrustModel

    frames = []
    for r, child in enumerate(seed_seq.spawn(args.replicates)):
        model = TrustModel(
            n_organizations=args.organizations,
            mechanisms=trust_scenarios()[scenario],
            seed=int(child.generate_state(1)[0]),
        )
        df = model.run(args.steps, progress=not args.quiet).copy()
        df.insert(0, "replicate", r)
        df.insert(0, "scenario", scenario)
        df.index.name = "step"
        frames.append(df.reset_index())
    return pd.concat(frames, ignore_index=True), model


def _save_trust_figure(tables: dict, out: Path, stem: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from allysim.plotting import cooperation_over_time, stage_composition, trust_trajectories

    last = list(tables)[-1]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for name, df in tables.items():
        wide = df.pivot(index="replicate", columns="step", values="contribution_rate")
        cooperation_over_time(wide.to_numpy(), ax=axes[0], label=name)
    axes[0].set_ylabel("contribution rate (95% band over replicates)")
    mean = tables[last].groupby("step").mean(numeric_only=True)
    trust_trajectories(mean, ax=axes[1])
    axes[1].set_title(f"trust, {last}")
    stage_composition(mean, ax=axes[2])
    axes[2].set_title(f"stages, {last}")
    fig.tight_layout()
    path = out / f"{stem}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _trust_section(args, out: Path, scenarios: list[str] | None = None) -> list[Path]:
    scenarios = scenarios or args.scenario
    print(
        f"\nTrust model: {args.organizations} organizations, {args.steps} steps, "
        f"{args.replicates} replicates per scenario\n"
    )
    root = np.random.SeedSequence(args.seed)
    tables, rows = {}, []
    for name, child in zip(scenarios, root.spawn(len(scenarios)), strict=True):
        df, _ = _run_trust(name, args, child)
        tables[name] = df
        tail = df[df["step"] > args.steps * 0.8].mean(numeric_only=True)
        rows.append(
            {
                "scenario": name,
                "mechanisms": ", ".join(type(m).__name__ for m in trust_scenarios()[name]),
                "contribution": tail["contribution_rate"],
                "contractual": tail["trust_contractual"],
                "goodwill": tail["trust_goodwill"],
                "institutionalized": tail["stage_institutionalization"],
                "ALLD share": tail.get("strategy_ALLD", np.nan),
            }
        )
    summary = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print("means over the last 20% of steps:")
        print(summary.to_string(index=False))
    csv = out / "trust.csv"
    pd.concat(tables.values(), ignore_index=True).to_csv(csv, index=False)
    return [csv, _save_trust_figure(tables, out, "trust")]


def _trust(args) -> int:
    return _write(args, _trust_section)


def _evolve(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from allysim.evolution import payoff_matrix_for, stationary_distribution
    from allysim.games import partnership_game
    from allysim.plotting import simplex_flow, stationary_bars
    from allysim.strategies import named

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    game = partnership_game(args.benefit, args.cost, args.synergy)
    try:
        zoo = [named(x, game) for x in args.strategies.split(",")]
    except ValueError as exc:
        raise SystemExit(f"allysim evolve: error: --strategies: {exc}") from None
    a = payoff_matrix_for(zoo, game, noise=args.noise, continuation=args.continuation)
    res = stationary_distribution(
        a, population=args.population, selection=args.selection, mutation=args.mutation
    )
    names = [s.name for s in zoo]
    table = pd.DataFrame({"strategy": names, "share": res.shares})
    table = table.sort_values("share", ascending=False)
    R, S, T, P = game.payoff_vector
    limit = "small-mutation limit" if args.mutation is None else f"mutation {args.mutation:g}"
    print(
        f"Stationary distribution ({limit}), Z={args.population}, selection={args.selection:g}; "
        f"game R={R:g} S={S:g} T={T:g} P={P:g}, noise {args.noise:g}\n"
    )
    with pd.option_context("display.float_format", "{:.4f}".format):
        print(table.to_string(index=False))
    csv = out / "evolution.csv"
    table.to_csv(csv, index=False)
    ncols = 2 if len(zoo) == 3 else 1
    fig, axes = plt.subplots(1, ncols, figsize=(6.5 * ncols, 5), squeeze=False)
    if res.fixation is not None:
        stationary_bars(res, names, ax=axes[0, 0])
    else:
        axes[0, 0].bar(names, res.shares)
    if ncols == 2:
        simplex_flow(a, names, ax=axes[0, 1])
    fig.tight_layout()
    png = out / "evolution.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    print(f"\nwrote {csv}, {png}")
    return 0


def _nonnegative(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="allysim",
        description="Simulate the incentives inside partnerships between organizations.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--out", default="allysim-out", help="output folder (default: %(default)s)")
        p.add_argument("--seed", type=int, default=2024, help="random seed (default: %(default)s)")
        p.add_argument("--quiet", action="store_true", help="no progress bars")

    def tournament_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--rounds", type=_positive_int, default=200, help="rounds per match (default: 200)"
        )
        p.add_argument(
            "--noise",
            type=_probability,
            default=0.05,
            help="execution noise: chance a move is flipped (default: 0.05)",
        )
        p.add_argument(
            "--repetitions",
            type=_positive_int,
            default=50,
            help="simulated matches per pair (default: 50)",
        )

    def trust_options(p: argparse.ArgumentParser, steps: int, organizations: int) -> None:
        p.add_argument("--organizations", type=_positive_int, default=organizations)
        p.add_argument("--steps", type=_positive_int, default=steps)
        p.add_argument("--replicates", type=_positive_int, default=3)

    demo = sub.add_parser(
        "demo",
        help="tournament, mechanism comparison and trust model: tables, CSVs and plots",
    )
    common(demo)
    tournament_options(demo)
    trust_options(demo, steps=300, organizations=300)
    demo.set_defaults(func=_demo)

    tour = sub.add_parser("tournament", help="round-robin tournament of the classic strategies")
    common(tour)
    tournament_options(tour)
    tour.set_defaults(func=_tournament)

    comp = sub.add_parser("compare", help="compare incentive mechanisms on the partnership game")
    common(comp)
    comp.set_defaults(func=_compare)

    evo = sub.add_parser("evolve", help="stationary distribution of partnering strategies")
    common(evo)
    evo.add_argument("--strategies", default="ALLC,ALLD,TFT,WSLS", help="comma-separated names")
    evo.add_argument("--benefit", type=float, default=3.0)
    evo.add_argument("--cost", type=float, default=1.0)
    evo.add_argument("--synergy", type=float, default=0.0)
    evo.add_argument("--noise", type=_probability, default=0.01)
    evo.add_argument("--continuation", type=_probability, default=None)
    evo.add_argument("--population", type=_positive_int, default=100)
    evo.add_argument("--selection", type=_nonnegative, default=1.0)
    evo.add_argument("--mutation", type=_probability, default=None)
    evo.set_defaults(func=_evolve)

    trust = sub.add_parser("trust", help="run the trust model under incentive mechanisms")
    common(trust)
    trust_options(trust, steps=300, organizations=300)
    trust.add_argument(
        "--scenario",
        action="append",
        choices=sorted(trust_scenarios()),
        help="mechanism scenario (repeatable; default: short-shadow and long-shadow+monitoring)",
    )
    trust.set_defaults(func=_trust)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``allysim`` console script."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command == "trust" and not args.scenario:
        args.scenario = ["short-shadow", "long-shadow+monitoring"]
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
