"""``allysim tournament``: the round robin of the classic strategies, exact and simulated."""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd

from allysim import tournament
from allysim.cli.arguments import _strategies
from allysim.cli.output import (
    _Artifact,
    _count,
    _csv_artifact,
    _figure_artifact,
    _matplotlib,
)
from allysim.games import PrisonersDilemma
from allysim.scenarios import tournament_strategies


def _tournament_setup(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list:
    """The entrants of ``allysim tournament``: ``--strategies`` if given, else the classic set.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``tournament`` subparser; an unknown or lone name, or two names of one strategy
        (``WSLS,M1001``), exit through its ``error`` naming ``--strategies``.
    args : argparse.Namespace
        ``strategies``: comma-separated names (``allysim.strategies.named``) or None.

    Returns
    -------
    list of strategies
        At least two different strategies.

    Examples
    --------
    >>> from allysim.cli.arguments import _Parser
    >>> ns = argparse.Namespace(strategies="TFT,ALLD,GTFT")
    >>> [s.name for s in _tournament_setup(_Parser(), ns)]
    ['TFT', 'ALLD', 'GTFT']
    """
    game = PrisonersDilemma()
    if getattr(args, "strategies", None) is None:
        return tournament_strategies(game)
    return _strategies(parser, args.strategies, game, "a tournament")


def _tournament_tables(
    args: argparse.Namespace, zoo: list | None = None
) -> tuple[pd.DataFrame, tournament.TournamentResult]:
    """Run the tournament exactly and by simulation; return the side-by-side table.

    Parameters
    ----------
    args : argparse.Namespace
        ``rounds``, ``noise``, ``repetitions`` and ``seed``.
    zoo : list of strategies or None, default None
        The entrants; None plays the classic set (``scenarios.tournament_strategies``).

    Returns
    -------
    tuple[pandas.DataFrame, tournament.TournamentResult]
        The ranking (exact and simulated scores, stderr, z) with the run times in
        ``attrs["timing"]`` (seconds), and the simulated tournament.

    Examples
    --------
    >>> ns = argparse.Namespace(rounds=5, noise=0.0, repetitions=2, seed=1)
    >>> table, _ = _tournament_tables(ns)
    >>> len(table)
    11
    """
    game = PrisonersDilemma()
    if zoo is None:
        zoo = tournament_strategies(game)
    # Scores leave out self-play, as Axelrod-Python's do (the demo says so under the table).
    opts: dict[str, Any] = {"rounds": args.rounds, "noise": args.noise, "self_play": False}
    t0 = time.perf_counter()
    exact = tournament.round_robin(zoo, game, method="exact", **opts)
    t_exact = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim = tournament.round_robin(
        zoo, game, repetitions=args.repetitions, seed=args.seed, method="simulate", **opts
    )
    t_sim = time.perf_counter() - t0
    table = exact.ranking[["rank", "strategy", "score", "cooperation", "wins"]].rename(
        columns={"score": "exact_score", "cooperation": "exact_cooperation"}
    )
    by_name = sim.ranking.set_index("strategy")
    table["simulated_score"] = table["strategy"].map(by_name["score"])
    table["stderr"] = table["strategy"].map(by_name["score_stderr"])
    diff = table["simulated_score"] - table["exact_score"]
    # Deterministic play has no sampling error: z is 0 where the two agree to round-off.
    agree = diff.abs() <= 1e-12 * np.maximum(1.0, table["exact_score"].abs())
    stderr = table["stderr"].where(table["stderr"] > 0)
    table["z"] = (diff / stderr).where(~(agree & stderr.isna()), 0.0)
    table.attrs["timing"] = (t_exact, t_sim)
    return table, sim


def _z_summary(table: pd.DataFrame, repetitions: int) -> str:
    """The line that sums up how far the simulated scores are from the exact ones.

    A strategy whose simulated matches all scored alike has no standard error, so its z is
    undefined (NaN in the table); the line names such strategies and what to do, rather than
    printing ``nan`` for the largest z.

    Parameters
    ----------
    table : pandas.DataFrame
        The ranking of ``_tournament_tables``: ``strategy`` and ``z``.
    repetitions : int
        Simulated matches per pair, >= 1.

    Returns
    -------
    str
        One line: the largest finite ``|z|``, and the strategies without one.

    Examples
    --------
    >>> t = pd.DataFrame({"strategy": ["ALLD", "TFT"], "z": [np.nan, -1.5]})
    >>> _z_summary(t, 2)  # doctest: +NORMALIZE_WHITESPACE
    'largest |simulated - exact| / stderr over strategies: 1.50; no standard error for ALLD:
    its 2 simulated matches per pair all scored alike (raise --repetitions)'
    >>> _z_summary(t, 1)  # doctest: +NORMALIZE_WHITESPACE
    'largest |simulated - exact| / stderr over strategies: 1.50; no standard error for ALLD:
    one simulated match per pair has no spread (use --repetitions 2 or more)'
    """
    z = table["z"]
    head = "largest |simulated - exact| / stderr over strategies: "
    head += f"{float(np.max(np.abs(z[z.notna()]))):.2f}" if z.notna().any() else "none"
    missing = table.loc[z.isna(), "strategy"].tolist()
    if not missing:
        return head
    if repetitions == 1:
        # One match per pair has no spread to estimate: nothing "scored alike".
        return (
            f"{head}; no standard error for {', '.join(missing)}: one simulated match per pair "
            "has no spread (use --repetitions 2 or more)"
        )
    whose = "its" if len(missing) == 1 else "their"
    return (
        f"{head}; no standard error for {', '.join(missing)}: {whose} {repetitions} simulated "
        "matches per pair all scored alike (raise --repetitions)"
    )


def _tournament_section(args: argparse.Namespace, zoo: list | None = None) -> list[_Artifact]:
    """Print the tournament, exact and simulated side by side; return its CSV and figure.

    Parameters
    ----------
    args : argparse.Namespace
        ``rounds``, ``noise``, ``repetitions`` and ``seed``.
    zoo : list of strategies or None, default None
        The entrants; None plays the classic set.

    Returns
    -------
    list[_Artifact]
        ``tournament.csv`` and ``tournament.png``.

    Examples
    --------
    >>> ns = argparse.Namespace(rounds=5, noise=0.0, repetitions=2, seed=1)
    >>> [a.name for a in _tournament_section(ns)]  # doctest: +ELLIPSIS
     rank ...
    ['tournament.csv', 'tournament.png']
    """
    from allysim.plotting import payoff_heatmap, ranking_bars  # deferred: matplotlib

    plt = _matplotlib()
    table, sim = _tournament_tables(args, zoo)
    with pd.option_context("display.width", 120, "display.float_format", "{:.3f}".format):
        print(table.to_string(index=False))
    self_play = getattr(sim, "self_play", True)
    print(
        "\nscores: mean payoff per round over the opponents, "
        + ("including" if self_play else "excluding")
        + " the match against a copy of itself (self-play)"
    )
    t_exact, t_sim = table.attrs["timing"]
    n = len(sim.names)
    pairs = n * (n + 1) // 2 if self_play else n * (n - 1) // 2
    print(
        f"exact kernel: {t_exact * 1e3:.1f} ms; Monte Carlo: "
        f"{_count(pairs * args.repetitions, 'match')} x {_count(args.rounds, 'round')} in "
        f"{t_sim * 1e3:.1f} ms"
    )
    print(_z_summary(table, args.repetitions))
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    payoff_heatmap(sim.payoff_matrix, sim.names, ax=axes[0])
    # Bars: the exact scores, in the table's order; dots: the simulated means with their 95%
    # intervals, so the figure ranks as the table does and shows the sampling error beside it.
    ranked = table.sort_values("exact_score")
    ranking_bars(list(ranked["strategy"]), ranked["exact_score"].to_numpy(), ax=axes[1])
    y = np.arange(len(ranked))
    axes[1].errorbar(
        ranked["simulated_score"].to_numpy(),
        y,
        xerr=1.96 * ranked["stderr"].to_numpy(),
        fmt="o",
        color="black",
        markersize=3,
        capsize=3,
        label="simulated mean, 95% interval",
    )
    axes[1].legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), fontsize=8, frameon=False)
    R, S, T, P = PrisonersDilemma().payoff_vector
    fig.suptitle(
        f"Round robin, prisoner's dilemma R={R:g} S={S:g} T={T:g} P={P:g}, "
        f"{_count(args.rounds, 'round')}, noise {args.noise:g}\nbars: exact expected payoff; "
        f"dots: mean of {_count(args.repetitions, 'simulated match')} per pair, 95% interval "
        "(1.96 standard errors)",
        fontsize=10,
    )
    fig.tight_layout()
    return [
        _csv_artifact(table, "tournament.csv"),
        _figure_artifact(fig, "tournament.png", 120),
    ]
