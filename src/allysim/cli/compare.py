"""``allysim compare``: incentive mechanisms side by side on the standard partnership game."""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from allysim import comparison
from allysim.cli.output import _Artifact, _csv_artifact, _figure_artifact, _matplotlib

# The base settings compare_mechanisms starts every scenario from (its defaults, which
# _mechanisms_section uses), as the printed header and the help state them.
_BASE_CONTINUATION = 0.3
_BASE_PERCEPTION_NOISE = 0.05


def _families_note() -> str:
    """Help text: the comparison's scenarios are not the trust model's, though names look alike.

    ``allysim compare`` labels one scenario "shadow + monitoring" and ``allysim trust`` one
    "long-shadow+monitoring"; they are different scenarios of different models, and the
    numbers are read from the two registries so the text cannot drift from them.

    Returns
    -------
    str
        One paragraph for ``--help``.

    Examples
    --------
    >>> print(_families_note())  # doctest: +NORMALIZE_WHITESPACE
    The mechanism comparison's scenarios (allysim compare, spaced names such as 'shadow +
    monitoring') are not the trust model's (allysim trust, hyphenated names such as
    'long-shadow+monitoring'): the comparison changes one partnership game from continuation
    0.3 and perception noise 0.05, and its 'shadow + monitoring' sets continuation 0.9 and
    perception noise 0.01; the trust model's 'long-shadow+monitoring' adds perception noise
    0.01 to 'long-shadow', continuation 0.99 (reference 0.5), in the agent-based model.
    """
    from allysim.mechanisms import Monitoring, ShadowOfFuture
    from allysim.scenarios import BASE_SHADOW, comparison_scenarios, trust_scenarios

    def setting(mechanisms: Any, kind: type, field: str) -> float:
        (value,) = [getattr(m, field) for m in mechanisms if isinstance(m, kind)]
        return float(value)

    mixed = comparison_scenarios()["shadow + monitoring"]
    trust = trust_scenarios()
    long_shadow = setting(trust["long-shadow"], ShadowOfFuture, "continuation")
    trust_noise = setting(trust["long-shadow+monitoring"], Monitoring, "perception_noise")
    return (
        "The mechanism comparison's scenarios (allysim compare, spaced names such as 'shadow "
        "+ monitoring') are not the trust model's (allysim trust, hyphenated names such as "
        "'long-shadow+monitoring'): the comparison changes one partnership game from "
        f"continuation {_BASE_CONTINUATION:g} and perception noise "
        f"{_BASE_PERCEPTION_NOISE:g}, and its 'shadow + monitoring' sets "
        f"continuation {setting(mixed, ShadowOfFuture, 'continuation'):g} and perception "
        f"noise {setting(mixed, Monitoring, 'perception_noise'):g}; the trust model's "
        f"'long-shadow+monitoring' adds perception noise {trust_noise:g} to 'long-shadow', "
        f"continuation {long_shadow:g} (reference {BASE_SHADOW:g}), in the agent-based model."
    )


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
        f"(base: continuation {_BASE_CONTINUATION:g}, perception noise "
        f"{_BASE_PERCEPTION_NOISE:g}; small-mutation limit, Z=50)\n"
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
        f"continuation {_BASE_CONTINUATION:g}, perception noise {_BASE_PERCEPTION_NOISE:g}, "
        "noise 0.01\n"
        "green: mutual contribution is an equilibrium",
        fontsize=10,
    )
    fig.tight_layout()
    return [_csv_artifact(table, "mechanisms.csv"), _figure_artifact(fig, "mechanisms.png", 110)]
