"""The ``allysim`` argument parser: its subcommands, their options and help, and the sections
each subcommand runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import allysim
from allysim.cli.arguments import (
    SEED_MAX,
    TRUST_MIN_ORGANIZATIONS,
    _int_in,
    _one_of_ignoring_case,
    _Parser,
    _path,
    _probability,
    _real_in,
)
from allysim.cli.compare import _families_note, _mechanisms_section
from allysim.cli.evolve import SIM_REPLICATES_MAX, _evolve_sections
from allysim.cli.output import Section, _count
from allysim.cli.serve import SERVE_HELP
from allysim.cli.tournament import _tournament_section, _tournament_setup
from allysim.cli.trust import _check_trust_size, _trust_section
from allysim.scenarios import (
    BASE_SHADOW,
    DEFAULT_TRUST_SCENARIOS,
    EVOLUTION_STRATEGIES,
    TRUST_SCENARIO_NOTES,
    trust_scenarios,
)

#: What a subcommand runs: from its parser and parsed options, each section with the options
#: whose values it passes to the library (a refusal there is reported against those options).
Plan = Callable[[argparse.ArgumentParser, argparse.Namespace], list[tuple[Section, Sequence[str]]]]

_TOURNAMENT_OPTIONS = ("--rounds", "--noise", "--repetitions", "--seed")
_TRUST_OPTIONS = ("--organizations", "--steps", "--replicates", "--seed", "--scenario")


def _trust_plan(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> list[tuple[Section, Sequence[str]]]:
    """The ``trust`` section, once its size is checked (hours of work are refused up front).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``trust`` subparser; a refused size exits through its ``error``.
    args : argparse.Namespace
        The ``trust`` options.

    Returns
    -------
    list[tuple[Section, Sequence[str]]]
        One section with the options whose values it passes to the library.

    Examples
    --------
    >>> from allysim.cli.arguments import _Parser
    >>> ns = argparse.Namespace(organizations=300, steps=300, replicates=20, scenario=None)
    >>> len(_trust_plan(_Parser(), ns))
    1
    """
    _check_trust_size(parser, args, args.scenario or DEFAULT_TRUST_SCENARIOS)
    return [(_trust_section, _TRUST_OPTIONS)]


def _demo_sections(args: argparse.Namespace) -> list[tuple[Section, Sequence[str]]]:
    """Print what ``allysim demo`` runs; return its tournament, mechanism and trust sections.

    Parameters
    ----------
    args : argparse.Namespace
        The ``demo`` options; ``rounds``, ``noise`` and ``repetitions`` are printed.

    Returns
    -------
    list[tuple[Section, Sequence[str]]]
        Three sections, each with the options whose values it passes to the library.

    Examples
    --------
    >>> ns = argparse.Namespace(rounds=5, noise=0.0, repetitions=2)
    >>> len(_demo_sections(ns))  # doctest: +ELLIPSIS
    allysim demo: round-robin tournament ...
    3
    """
    print(
        "allysim demo: round-robin tournament of partnering strategies\n"
        f"  stage game: prisoner's dilemma R=3 S=0 T=5 P=1; {_count(args.rounds, 'round')} per "
        f"match; execution noise {args.noise:g}; "
        f"{_count(args.repetitions, 'simulated repetition')} per pair\n"
    )
    demo_trust = partial(_trust_section, scenarios=DEFAULT_TRUST_SCENARIOS)
    return [
        (_tournament_section, _TOURNAMENT_OPTIONS),
        (_mechanisms_section, ()),
        (demo_trust, _TRUST_OPTIONS),
    ]


def _build_parser() -> argparse.ArgumentParser:
    """The ``allysim`` argument parser with its five subcommands.

    Returns
    -------
    argparse.ArgumentParser
        Each subparser sets ``sections``, its :data:`Plan`, and keeps itself as ``parser``.

    Examples
    --------
    >>> _build_parser().parse_args(["tournament", "--rounds", "5"]).rounds
    5
    """
    parser = _Parser(
        prog="allysim",
        description="Simulate the incentives inside partnerships between organizations.",
        epilog=SERVE_HELP,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"allysim {allysim.__version__}",
        help="print the allysim version and exit",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, seed: bool = True) -> None:
        p.add_argument(
            "--out",
            type=_path,
            default="allysim-out",
            metavar="FOLDER",
            help="folder for the CSV and PNG files, created if missing (default: %(default)s)",
        )
        if seed:
            p.add_argument(
                "--seed",
                type=_int_in(0, SEED_MAX, "[0, 2**63 - 1]"),
                default=2024,
                help="random seed, an integer in [0, 2**63 - 1] (default: %(default)s)",
            )
        p.add_argument(
            "--quiet",
            action="store_true",
            help="no progress bars (also the case when stderr is not a terminal)",
        )

    def tournament_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--rounds",
            type=_int_in(1, 100_000),
            default=200,
            help="rounds per match, in [1, 100000] (default: %(default)s)",
        )
        p.add_argument(
            "--noise",
            type=_probability,
            default=0.05,
            help="execution noise: chance a move is flipped, in [0, 1] (default: %(default)s)",
        )
        p.add_argument(
            "--repetitions",
            type=_int_in(1, 10_000),
            default=50,
            help="simulated matches per pair, in [1, 10000] (default: %(default)s)",
        )

    def trust_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--organizations",
            type=_int_in(TRUST_MIN_ORGANIZATIONS, 100_000),
            default=300,
            help=f"organizations in the trust model, in [{TRUST_MIN_ORGANIZATIONS}, 100000] (each "
            "can hold 3 partnerships) (default: %(default)s)",
        )
        p.add_argument(
            "--steps",
            type=_int_in(1, 100_000),
            default=300,
            help="steps of the trust model, in [1, 100000] (default: %(default)s)",
        )
        p.add_argument(
            "--replicates",
            type=_int_in(1, 1_000),
            default=20,
            help="independent runs per scenario, in [1, 1000]; the figure's bands and the "
            "table's interval are Student-t 95%% intervals over them (default: %(default)s)",
        )

    def add(name: str, sections: Plan, **kw: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, **kw)
        p.set_defaults(sections=sections, parser=p)
        return p

    def demo_plan(
        parser: argparse.ArgumentParser, args: argparse.Namespace
    ) -> list[tuple[Section, Sequence[str]]]:
        # Checked before the tournament starts, so a refused trust size costs nothing.
        _check_trust_size(parser, args, DEFAULT_TRUST_SCENARIOS)
        return _demo_sections(args)

    demo = add(
        "demo",
        demo_plan,
        help="tournament, mechanism comparison and trust model: tables, CSVs and plots",
        description="The main job: the tournament, the mechanism comparison and the trust model "
        f"under {', '.join(DEFAULT_TRUST_SCENARIOS)}. Tournament scores exclude self-play. "
        + _families_note(),
    )
    common(demo)
    tournament_options(demo)
    trust_options(demo)

    tour = add(
        "tournament",
        lambda parser, args: [
            (
                partial(_tournament_section, zoo=_tournament_setup(parser, args)),
                (*_TOURNAMENT_OPTIONS, "--strategies"),
            )
        ],
        help="round-robin tournament of the classic strategies (or of --strategies)",
        description="Round robin of the classic strategies, exact and simulated side by side; "
        "scores exclude each strategy's match against itself.",
    )
    common(tour)
    tournament_options(tour)
    tour.add_argument(
        "--strategies",
        default=None,
        help="comma-separated strategy names to play instead of the classic set, e.g. "
        "'TFT,ALLD,WSLS,GTFT,RANDOM(0.5),EXTORT(3),M1001' (in quotes: the shell reads the "
        "parentheses) (default: the classic set)",
    )

    comp = add(
        "compare",
        lambda parser, args: [(_mechanisms_section, ())],
        help="compare incentive mechanisms on the partnership game",
        description="Equilibrium, tournament and evolutionary outcome of each incentive "
        "mechanism on the standard partnership game (exact kernel: deterministic, no seed). "
        + _families_note(),
    )
    common(comp, seed=False)

    evo = add(
        "evolve",
        _evolve_sections,
        help="stationary distribution of partnering strategies",
        description="Exact stationary distribution of a finite population of partnering "
        "strategies, beside a seeded Monte Carlo simulation of the same process (simulated "
        "fixation probabilities in the small-mutation limit; time-averaged shares with "
        "--mutation).",
    )
    common(evo)
    evo.add_argument(
        "--strategies",
        default=",".join(EVOLUTION_STRATEGIES),
        help="comma-separated strategy names, e.g. ALLC, ALLD, TFT, STFT, WSLS, GRIM, TF2T, "
        "GTFT, RANDOM(p), EXTORT(chi), GENEROUS(chi), Mpqrs (default: %(default)s)",
    )
    evo.add_argument(
        "--benefit",
        type=_real_in(0, 1e6, low_open=True),
        default=3.0,
        help="value a contribution gives the partner, in (0, 1e6] (default: %(default)s)",
    )
    evo.add_argument(
        "--cost",
        type=_real_in(0, 1e6, low_open=True),
        default=1.0,
        help="cost of contributing, in (0, 1e6] (default: %(default)s)",
    )
    evo.add_argument(
        "--synergy",
        type=_real_in(-1e6, 1e6),
        default=0.0,
        help="extra value of mutual contribution, in [-1e6, 1e6] (default: %(default)s)",
    )
    evo.add_argument(
        "--noise",
        type=_probability,
        default=0.01,
        help="execution noise, in [0, 1] (default: %(default)s)",
    )
    evo.add_argument(
        "--continuation",
        type=_real_in(0, 1, high_open=True),
        default=None,
        help="chance a partnership goes on after each round, in [0, 1) (default: none, the "
        "mean payoff per round of an endless partnership)",
    )
    evo.add_argument(
        "--population",
        type=_int_in(2, 10_000),
        default=100,
        help="population size Z, in [2, 10000] (default: %(default)s)",
    )
    evo.add_argument(
        "--selection",
        type=_real_in(0, 1e3),
        default=1.0,
        help="intensity of selection beta of the Fermi rule, in [0, 1000] (default: %(default)s)",
    )
    evo.add_argument(
        "--mutation",
        type=_probability,
        default=None,
        help="mutation probability per update, in [0, 1] (default: none, the small-mutation "
        "limit; 0 means the same)",
    )
    evo.add_argument(
        "--sim-replicates",
        type=_int_in(0, SIM_REPLICATES_MAX),
        default=100,
        help="simulated populations per invasion (or in all, with --mutation), in "
        f"[0, {SIM_REPLICATES_MAX}]; invasions rarer than about 1/this are not resolved; "
        "0 skips the simulation (default: %(default)s)",
    )
    evo.add_argument(
        "--sim-steps",
        type=_int_in(1, 10_000_000),
        default=100_000,
        help="most update events per simulated population, in [1, 10000000] (default: %(default)s)",
    )

    trust = add(
        "trust",
        _trust_plan,
        help="run the trust model under incentive mechanisms",
        description="The trust model under incentive mechanism scenarios. Each mechanism is "
        f"added at the reference continuation {BASE_SHADOW:g} (short-shadow), so it differs "
        "from short-shadow in that mechanism alone; "
        + "; ".join(f"{k}: {v}" for k, v in TRUST_SCENARIO_NOTES.items())
        + ". "
        + _families_note(),
    )
    common(trust)
    trust_options(trust)
    trust.add_argument(
        "--scenario",
        action="append",
        # Case-insensitive like strategy names: --scenario Sanctions is sanctions.
        type=_one_of_ignoring_case(trust_scenarios(), "scenario"),
        choices=list(trust_scenarios()),
        help="mechanism scenario, repeatable, any case (default: "
        + ", ".join(DEFAULT_TRUST_SCENARIOS)
        + ")",
    )
    return parser
