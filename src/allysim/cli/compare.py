"""``allysim compare``: incentive mechanisms side by side on the standard partnership game."""

from __future__ import annotations

import argparse

import pandas as pd

from allysim import comparison
from allysim.cli.output import _Artifact, _csv_artifact, _figure_artifact, _matplotlib


def _mechanisms_section(args: argparse.Namespace) -> list[_Artifact]:
    """Print the mechanism comparison on the standard partnership game; return CSV and figure.

    Parameters
    ----------
    args : argparse.Namespace
        ``quiet`` (no progress bar).

    Returns
    -------
    list[_Artifact]
        ``mechanisms.csv`` and ``mechanisms.png``.

    Examples
    --------
    >>> [a.name for a in _mechanisms_section(argparse.Namespace(quiet=True))]
    ... # doctest: +ELLIPSIS
    <BLANKLINE>
    Incentive mechanisms ...
    ['mechanisms.csv', 'mechanisms.png']
    """
    from allysim.plotting import mechanism_bars  # deferred: matplotlib, not needed for --help

    _matplotlib()
    game = comparison.standard_partnership_game()
    R, S, T, P = game.payoff_vector
    print(
        f"\nIncentive mechanisms on the partnership game R={R:g} S={S:g} T={T:g} P={P:g} "
        "(base: continuation 0.3, perception noise 0.05; small-mutation limit, Z=50)\n"
    )
    # The exact kernel makes this comparison deterministic, so it takes no seed.
    table = comparison.compare_mechanisms(
        game, comparison.default_scenarios(), noise=0.01, method="exact", progress=not args.quiet
    )
    cols = ["scenario", "equilibrium", "equilibrium_strategy", "tournament_winner"]
    cols += ["cooperation", "welfare"]
    shown = table[cols].copy()
    # A strategy sustains mutual contribution only where it is an equilibrium; the CSV keeps
    # the best candidate and its (negative) deviation margin elsewhere.
    shown["equilibrium_strategy"] = shown["equilibrium_strategy"].where(shown["equilibrium"], "-")
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(shown.to_string(index=False))
    print(
        "\nequilibrium: mutual contribution is a Nash equilibrium without noise, sustained by "
        "equilibrium_strategy (-: none);\n"
        "tournament_winner: top of a noisy round robin (no self-play);\n"
        "cooperation, welfare: contribution rate and welfare per partner per round (net of "
        "enforcement costs) in the\nsmall-mutation stationary distribution; every column is "
        "in mechanisms.csv (help: allysim.compare_mechanisms)"
    )
    axes = mechanism_bars(table)
    fig = axes[0].figure
    fig.suptitle(
        f"Incentive mechanisms on the partnership game R={R:g} S={S:g} T={T:g} P={P:g}, "
        "continuation 0.3, perception noise 0.05, noise 0.01\n"
        "green: mutual contribution is an equilibrium",
        fontsize=10,
    )
    fig.tight_layout()
    return [_csv_artifact(table, "mechanisms.csv"), _figure_artifact(fig, "mechanisms.png", 110)]
