"""The ``allysim`` command: ``allysim demo`` runs the main job; see ``allysim --help``.

Every command checks all of its arguments before any work starts. A bad value ends the command
with exit status 2 and one line on standard error that names the option and its allowed range;
nothing is written to ``--out`` in that case. Files are written only once every section of the
command has run.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

import allysim
from allysim import tournament
from allysim.games import PrisonersDilemma
from allysim.scenarios import (
    BASE_SHADOW,
    DEFAULT_TRUST_SCENARIOS,
    EVOLUTION_STRATEGIES,
    LONG_SHADOW,  # noqa: F401  (re-exported: allysim.cli.LONG_SHADOW)
    TRUST_SCENARIO_NOTES,
    tournament_strategies,
    trust_scenarios,
)

__all__ = ["main", "trust_scenarios"]

#: Largest accepted ``--seed`` (numpy seeds are non-negative; 63 bits keep them portable).
SEED_MAX = 2**63 - 1

#: Fewest organizations of the trust commands: TrustModel's default capacity is 3 partners, and
#: an organization needs that many others.
TRUST_MIN_ORGANIZATIONS = 4


# ----------------------------------------------------------------------------------------------
# Argument types: each failure message names the allowed range; argparse prefixes the option.
# ----------------------------------------------------------------------------------------------


def _int_in(low: int, high: int, label: str | None = None) -> Callable[[str], int]:
    """Make an argparse ``type=`` that accepts an integer in ``[low, high]``.

    Parameters
    ----------
    low : int
        Smallest accepted value.
    high : int
        Largest accepted value.
    label : str or None, default None
        How the range is written in messages; None writes ``[low, high]``.

    Returns
    -------
    Callable[[str], int]
        The converter; it raises ``argparse.ArgumentTypeError`` naming the range.

    Examples
    --------
    >>> _int_in(1, 10)("7")
    7
    >>> _int_in(1, 10)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be an integer in [1, 10], got '0'
    """
    where = label or f"[{low}, {high}]"

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer in {where}, got {text!r}")
        return value

    convert.__name__ = f"integer in {where}"
    return convert


def _real_in(
    low: float, high: float, *, low_open: bool = False, high_open: bool = False
) -> Callable[[str], float]:
    """Make an argparse ``type=`` that accepts a finite number in an interval.

    Parameters
    ----------
    low : float
        Lower end of the interval.
    high : float
        Upper end of the interval.
    low_open : bool, default False
        Exclude ``low`` itself.
    high_open : bool, default False
        Exclude ``high`` itself.

    Returns
    -------
    Callable[[str], float]
        The converter; it raises ``argparse.ArgumentTypeError`` naming the interval.

    Examples
    --------
    >>> _real_in(0, 1, high_open=True)("0.5")
    0.5
    >>> _real_in(0, 1, high_open=True)("1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a number in [0, 1), got '1'
    """
    where = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        inside = (value > low if low_open else value >= low) and (
            value < high if high_open else value <= high
        )
        if not inside:  # NaN fails both comparisons, so it lands here too
            raise argparse.ArgumentTypeError(f"must be a number in {where}, got {text!r}")
        return value

    convert.__name__ = f"number in {where}"
    return convert


_probability = _real_in(0.0, 1.0)


def _path(text: str) -> str:
    """Argparse ``type=`` for ``--out``: any non-empty path (checked later by ``_prepare_out``).

    Parameters
    ----------
    text : str
        The path as typed.

    Returns
    -------
    str
        ``text`` unchanged.

    Examples
    --------
    >>> _path("results")
    'results'
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("must be a non-empty folder path, got ''")
    return text


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``prog: error: message`` on one line and exit with status 2.

        Parameters
        ----------
        message : str
            What went wrong; newlines are folded into spaces.

        Returns
        -------
        NoReturn
            Always raises ``SystemExit(2)``.

        Examples
        --------
        >>> _Parser(prog="allysim").error("argument --x: bad")
        Traceback (most recent call last):
        ...
        SystemExit: 2
        """
        line = " ".join(str(message).split())
        self.exit(2, f"{self.prog}: error: {line} (see '{self.prog} --help')\n")


@contextlib.contextmanager
def _blame(parser: argparse.ArgumentParser, *options: str) -> Iterator[None]:
    """Turn a library ``ValueError``/``TypeError`` into a one-line usage error naming options.

    The library checks some values that the command line cannot check up front (a strategy
    name's parameter, the size of an exact chain); its message names its own parameter, so the
    options that fed it are named in front.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The (sub)parser whose ``error`` reports the failure.
    *options : str
        The options whose values reach the guarded code.

    Returns
    -------
    Iterator[None]
        A context manager.

    Examples
    --------
    >>> with _blame(_Parser(prog="allysim evolve"), "--population"):
    ...     raise ValueError("population must be an integer >= 2, got 1")
    Traceback (most recent call last):
    ...
    SystemExit: 2
    """
    try:
        yield
    except (ValueError, TypeError) as exc:
        parser.error(f"argument {'/'.join(options)}: {exc}")


# ----------------------------------------------------------------------------------------------
# Output: each section returns artifacts; files are written once every section has run.
# ----------------------------------------------------------------------------------------------


@dataclass
class _Artifact:
    """A file a section wants written: its name in ``--out`` and how to write it.

    Attributes
    ----------
    name : str
        File name inside the output folder.
    write : Callable[[Path], None]
        Writes the file at the given path.
    """

    name: str
    write: Callable[[Path], None]


def _figure_artifact(fig: Any, name: str, dpi: int) -> _Artifact:
    """Wrap a matplotlib figure as an artifact that saves it and then closes it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    name : str
        File name (``.png``).
    dpi : int
        Resolution, dots per inch.

    Returns
    -------
    _Artifact
        The artifact.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> _figure_artifact(plt.figure(), "x.png", 100).name
    'x.png'
    >>> plt.close("all")
    """

    def write(path: Path) -> None:
        import matplotlib.pyplot as plt

        try:
            fig.savefig(path, dpi=dpi)
        finally:
            plt.close(fig)

    return _Artifact(name, write)


def _csv_artifact(table: pd.DataFrame, name: str) -> _Artifact:
    """Wrap a table as an artifact written as CSV without the index.

    Parameters
    ----------
    table : pandas.DataFrame
        The table.
    name : str
        File name (``.csv``).

    Returns
    -------
    _Artifact
        The artifact.

    Examples
    --------
    >>> _csv_artifact(pd.DataFrame({"a": [1]}), "a.csv").name
    'a.csv'
    """
    return _Artifact(name, lambda path: table.to_csv(path, index=False))


def _prepare_out(parser: argparse.ArgumentParser, text: str) -> tuple[Path, list[Path]]:
    """Make sure ``--out`` is a folder this process can write, before any work starts.

    Missing folders are created and a temporary file is written and removed, so that any
    failure (a file in the way, a read-only or virtual file system, no permission) shows now.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        Reports a failure as a usage error on ``--out``.
    text : str
        The ``--out`` value.

    Returns
    -------
    tuple[Path, list[Path]]
        The folder and the folders this call created (innermost last), to remove if the
        command fails later.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out, created = _prepare_out(_Parser(), str(Path(tmp) / "a" / "b"))
    ...     [p.name for p in created]
    ['a', 'b']
    """
    out = Path(text)
    missing: list[Path] = []
    probe = out
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    created: list[Path] = []
    try:
        if out.exists() and not out.is_dir():
            raise NotADirectoryError(20, "exists and is not a folder")
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        _remove_folders(created)
        reason = exc.strerror or str(exc)
        parser.error(f"argument --out: cannot write to folder {text!r}: {reason}")
    return out, created


def _remove_folders(created: Sequence[Path]) -> None:
    """Remove the folders ``_prepare_out`` created, innermost first, if they are still empty.

    Parameters
    ----------
    created : Sequence[Path]
        Folders in creation order.

    Returns
    -------
    None

    Examples
    --------
    >>> _remove_folders([])
    """
    for folder in reversed(created):
        with contextlib.suppress(OSError):
            folder.rmdir()


Section = Callable[[argparse.Namespace], list[_Artifact]]


def _run_sections(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    sections: Sequence[tuple[Section, Sequence[str]]],
) -> int:
    """Run output sections, then write their files into ``args.out`` and say where they are.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        Reports a library refusal or a write failure as a one-line usage error.
    args : argparse.Namespace
        Parsed arguments (``out`` is used here).
    sections : Sequence[tuple[Section, Sequence[str]]]
        Each section with the options whose values it passes to the library.

    Returns
    -------
    int
        0 on success (failures exit with status 2).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     note = lambda args: [_Artifact("a.txt", lambda p: p.write_text("hi"))]
    ...     _run_sections(_Parser(), argparse.Namespace(out=tmp), [(note, ())])
    <BLANKLINE>
    wrote .../a.txt
    0
    """
    import matplotlib.pyplot as plt

    out, created = _prepare_out(parser, args.out)
    artifacts: list[_Artifact] = []
    try:
        for section, options in sections:
            with _blame(parser, *options):
                artifacts += section(args)
    except SystemExit:
        plt.close("all")
        _remove_folders(created)
        raise
    written: list[Path] = []
    try:
        for artifact in artifacts:
            path = out / artifact.name
            artifact.write(path)
            written.append(path)
    except OSError as exc:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        _remove_folders(created)
        parser.error(f"argument --out: cannot write {exc.filename or out}: {exc.strerror or exc}")
    finally:
        plt.close("all")
    print("\nwrote " + ", ".join(str(p) for p in written))
    return 0


def _matplotlib() -> Any:
    """Import pyplot on the file-only Agg backend (the CLI never opens windows).

    Returns
    -------
    module
        ``matplotlib.pyplot``.

    Examples
    --------
    >>> _matplotlib().get_backend().lower()
    'agg'
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# ----------------------------------------------------------------------------------------------
# tournament
# ----------------------------------------------------------------------------------------------

#: Whether this allysim's round_robin can leave self-play out of the scores.
_HAS_SELF_PLAY = "self_play" in inspect.signature(tournament.round_robin).parameters


def _tournament_tables(
    args: argparse.Namespace,
) -> tuple[pd.DataFrame, tournament.TournamentResult]:
    """Run the tournament exactly and by simulation; return the side-by-side table.

    Parameters
    ----------
    args : argparse.Namespace
        ``rounds``, ``noise``, ``repetitions`` and ``seed``.

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
    zoo = tournament_strategies(game)
    opts: dict[str, Any] = {"rounds": args.rounds, "noise": args.noise}
    if _HAS_SELF_PLAY:
        opts["self_play"] = False
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
    table["z"] = (table["simulated_score"] - table["exact_score"]) / table["stderr"]
    table.attrs["timing"] = (t_exact, t_sim)
    return table, sim


def _tournament_section(args: argparse.Namespace) -> list[_Artifact]:
    """Print the tournament, exact and simulated side by side; return its CSV and figure.

    Parameters
    ----------
    args : argparse.Namespace
        ``rounds``, ``noise``, ``repetitions`` and ``seed``.

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
    from allysim.plotting import payoff_heatmap, ranking_bars

    plt = _matplotlib()
    table, sim = _tournament_tables(args)
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
        f"exact kernel: {t_exact * 1e3:.1f} ms; Monte Carlo: {pairs * args.repetitions} matches "
        f"x {args.rounds} rounds in {t_sim * 1e3:.1f} ms"
    )
    worst = float(np.nanmax(np.abs(table["z"]))) if table["z"].notna().any() else float("nan")
    print(f"largest |simulated - exact| / stderr over strategies: {worst:.2f}")
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    payoff_heatmap(sim.payoff_matrix, sim.names, ax=axes[0])
    ranking_bars(list(sim.names), sim.scores, errors=sim.score_stderr, ax=axes[1])
    fig.tight_layout()
    return [
        _csv_artifact(table.drop(columns="z"), "tournament.csv"),
        _figure_artifact(fig, "tournament.png", 120),
    ]


# ----------------------------------------------------------------------------------------------
# compare
# ----------------------------------------------------------------------------------------------


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
    from allysim.comparison import compare_mechanisms, default_scenarios, standard_partnership_game
    from allysim.plotting import mechanism_bars

    _matplotlib()
    game = standard_partnership_game()
    R, S, T, P = game.payoff_vector
    print(
        f"\nIncentive mechanisms on the partnership game R={R:g} S={S:g} T={T:g} P={P:g} "
        "(base: continuation 0.3, perception error 0.05; small-mutation limit, Z=50)\n"
    )
    # The exact kernel makes this comparison deterministic, so it takes no seed.
    table = compare_mechanisms(
        game, default_scenarios(), noise=0.01, method="exact", progress=not args.quiet
    )
    cols = ["scenario", "equilibrium", "equilibrium_strategy", "tournament_winner"]
    cols += ["cooperation", "welfare"]
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(table[cols].to_string(index=False))
    axes = mechanism_bars(table)
    fig = axes[0].figure
    fig.suptitle("Incentive mechanisms (green: contribution is an equilibrium)")
    fig.tight_layout()
    return [_csv_artifact(table, "mechanisms.csv"), _figure_artifact(fig, "mechanisms.png", 110)]


# ----------------------------------------------------------------------------------------------
# trust
# ----------------------------------------------------------------------------------------------


def _run_trust(
    scenario: str, args: argparse.Namespace, seed_seq: np.random.SeedSequence
) -> pd.DataFrame:
    """Run one trust scenario ``args.replicates`` times; return the tidy step-by-step table.

    Parameters
    ----------
    scenario : str
        A key of :func:`trust_scenarios`.
    args : argparse.Namespace
        ``organizations``, ``steps``, ``replicates`` and ``quiet``.
    seed_seq : numpy.random.SeedSequence
        Spawns one seed per replicate.

    Returns
    -------
    pandas.DataFrame
        One row per (replicate, step) with the model's reporters.

    Examples
    --------
    >>> ns = argparse.Namespace(organizations=10, steps=2, replicates=2, quiet=True)
    >>> _run_trust("sanctions", ns, np.random.SeedSequence(0)).shape[0]
    6
    """
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
    return pd.concat(frames, ignore_index=True)


def _trust_figure(tables: dict[str, pd.DataFrame]) -> Any:
    """Draw contribution over time for every scenario, and trust and stages for the last.

    Parameters
    ----------
    tables : dict[str, pandas.DataFrame]
        Scenario name -> the table of :func:`_run_trust`.

    Returns
    -------
    matplotlib.figure.Figure
        Three panels.

    Examples
    --------
    >>> ns = argparse.Namespace(organizations=10, steps=2, replicates=2, quiet=True)
    >>> df = _run_trust("bonds", ns, np.random.SeedSequence(0))
    >>> len(_trust_figure({"bonds": df}).axes)
    3
    >>> _matplotlib().close("all")
    """
    from allysim.plotting import cooperation_over_time, stage_composition, trust_trajectories

    plt = _matplotlib()
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
    return fig


def _trust_section(
    args: argparse.Namespace, scenarios: Sequence[str] | None = None
) -> list[_Artifact]:
    """Run the trust model under each scenario; print a summary; return its CSV and figure.

    Parameters
    ----------
    args : argparse.Namespace
        ``organizations``, ``steps``, ``replicates``, ``seed``, ``quiet`` and ``scenario``.
    scenarios : Sequence[str] or None, default None
        Scenario names; None uses ``args.scenario``.

    Returns
    -------
    list[_Artifact]
        ``trust.csv`` and ``trust.png``.

    Examples
    --------
    >>> ns = argparse.Namespace(organizations=10, steps=2, replicates=1, quiet=True, seed=0,
    ...                         scenario=["short-shadow", "monitoring"])
    >>> [a.name for a in _trust_section(ns)]  # doctest: +ELLIPSIS
    <BLANKLINE>
    Trust model: 10 organizations, ...
    ['trust.csv', 'trust.png']
    >>> _matplotlib().close("all")
    """
    names = list(scenarios or args.scenario)
    print(
        f"\nTrust model: {args.organizations} organizations, {args.steps} steps, "
        f"{args.replicates} replicates per scenario; each mechanism is added at continuation "
        f"{BASE_SHADOW:g} (the short-shadow reference) unless the scenario varies the shadow\n"
    )
    root = np.random.SeedSequence(args.seed)
    tables, rows = {}, []
    for name, child in zip(names, root.spawn(len(names)), strict=True):
        df = _run_trust(name, args, child)
        tables[name] = df
        tail = df[df["step"] > args.steps * 0.8].mean(numeric_only=True)
        rows.append(
            {
                "scenario": name,
                "varies": TRUST_SCENARIO_NOTES[name],
                "contribution": tail["contribution_rate"],
                "contractual": tail["trust_contractual"],
                "goodwill": tail["trust_goodwill"],
                "institutionalized": tail["stage_institutionalization"],
                "ALLD share": tail.get("strategy_ALLD", np.nan),
            }
        )
    summary = pd.DataFrame(rows)
    with pd.option_context(
        "display.width", 200, "display.max_colwidth", 80, "display.float_format", "{:.3f}".format
    ):
        print("means over the last 20% of steps:")
        print(summary.to_string(index=False))
    return [
        _csv_artifact(pd.concat(tables.values(), ignore_index=True), "trust.csv"),
        _figure_artifact(_trust_figure(tables), "trust.png", 110),
    ]


# ----------------------------------------------------------------------------------------------
# evolve
# ----------------------------------------------------------------------------------------------


def _evolve_setup(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> tuple[Any, list, list[str]]:
    """Build and check the game and the strategies of ``evolve`` before any work starts.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        Reports a refused value as a one-line usage error naming its option.
    args : argparse.Namespace
        ``benefit``, ``cost``, ``synergy``, ``strategies``, ``population`` and ``mutation``.

    Returns
    -------
    tuple[StageGame, list, list[str]]
        The game, the strategies, and one note per warning of the library (e.g. the game is
        not a dilemma).

    Examples
    --------
    >>> ns = argparse.Namespace(benefit=3.0, cost=1.0, synergy=0.0, strategies="ALLD,TFT",
    ...                         population=10, mutation=None)
    >>> game, zoo, notes = _evolve_setup(_Parser(), ns)
    >>> [s.name for s in zoo], notes
    (['ALLD', 'TFT'], [])
    """
    from math import comb

    from allysim import memory_budget
    from allysim.evolution import DIRECT_MAX_STATES, _chain_bytes
    from allysim.games import partnership_game
    from allysim.strategies import named

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _blame(parser, "--benefit", "--cost", "--synergy"):
            game = partnership_game(args.benefit, args.cost, args.synergy)
        with _blame(parser, "--strategies"):
            zoo = [named(x, game) for x in args.strategies.split(",")]
    names = [s.name for s in zoo]
    if len(set(names)) != len(names):
        parser.error(f"argument --strategies: names must be distinct, got {','.join(names)}")
    states = comb(args.population + len(zoo) - 1, len(zoo) - 1)
    solver = "direct" if states <= DIRECT_MAX_STATES else "iterative"
    need = _chain_bytes(float(states), len(zoo), solver)
    if args.mutation and need > memory_budget():
        parser.error(
            f"argument --mutation/--population: with --mutation the exact chain over "
            f"{len(zoo)} strategies and Z={args.population} has {states:,} states and needs "
            f"about {need / 2**30:.3g} GiB, above the memory budget of "
            f"{memory_budget() / 2**30:.3g} GiB; lower --population or leave out --mutation"
        )
    return game, zoo, [" ".join(str(w.message).split()) for w in caught]


def _stationary_of(t: np.ndarray) -> np.ndarray:
    """Stationary distribution of a row-stochastic matrix, or NaNs when it is not unique.

    Parameters
    ----------
    t : numpy.ndarray
        (n, n) transition matrix, rows summing to 1.

    Returns
    -------
    numpy.ndarray
        (n,) probabilities; all NaN when the chain has several closed classes.

    Examples
    --------
    >>> _stationary_of(np.array([[0.5, 0.5], [0.25, 0.75]])).round(4).tolist()
    [0.3333, 0.6667]
    >>> _stationary_of(np.eye(2)).tolist()
    [nan, nan]
    """
    n = t.shape[0]
    lhs = (np.eye(n) - t + 1.0).T
    if np.linalg.matrix_rank(lhs) < n:
        return np.full(n, np.nan)
    v = np.maximum(np.linalg.solve(lhs, np.ones(n)), 0.0)
    return v / v.sum()


def _simulate_small_mutation(
    a: np.ndarray, res: Any, args: argparse.Namespace
) -> tuple[np.ndarray, str]:
    """Monte Carlo version of the small-mutation chain: simulated fixation probabilities.

    For each resident j and invader i, ``args.sim_replicates`` populations of Z - 1 residents
    and one invader run (``simulate_population``, Fermi rule) until fixation, at most
    ``args.sim_steps`` updates; the fraction taken over by i estimates rho(i invades j). The
    embedded chain built from those estimates (Fudenberg & Imhof 2006) gives simulated shares.

    Parameters
    ----------
    a : numpy.ndarray
        (n, n) payoff matrix.
    res : StationaryDistribution
        The exact result (its fixation matrix is compared).
    args : argparse.Namespace
        ``population``, ``selection``, ``sim_replicates``, ``sim_steps``, ``seed``, ``quiet``.

    Returns
    -------
    tuple[numpy.ndarray, str]
        Simulated shares (NaN where the estimated chain has no unique stationary
        distribution) and a one-line summary of the fixation check.

    Examples
    --------
    >>> from allysim.evolution import stationary_distribution
    >>> a = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> res = stationary_distribution(a, population=10, selection=1.0)
    >>> ns = argparse.Namespace(population=10, selection=1.0, sim_replicates=50,
    ...                         sim_steps=10_000, seed=1, quiet=True)
    >>> _simulate_small_mutation(a, res, ns)[0].tolist()
    [0.0, 1.0]
    """
    from allysim.evolution import simulate_population

    n, z, r = a.shape[0], args.population, args.sim_replicates
    rho = np.full((n, n), 1.0 / z)
    unfinished = 0
    children = iter(np.random.SeedSequence(args.seed).spawn(n * n))
    for j in range(n):
        for i in range(n):
            child = next(children)
            if i == j:
                continue
            initial = np.zeros(n, dtype=np.int64)
            initial[j], initial[i] = z - 1, 1
            sim = simulate_population(
                a,
                initial.tolist(),
                steps=args.sim_steps,
                selection=args.selection,
                replicates=r,
                until_fixation=True,
                seed=child,
                progress=False,
            )
            rho[i, j] = sim.fixed(i).mean()
            unfinished += int((sim.fixation_step < 0).sum())
    t = rho.T / (n - 1)
    np.fill_diagonal(t, 0.0)
    np.fill_diagonal(t, 1.0 - t.sum(axis=1))
    off = ~np.eye(n, dtype=bool)
    worst = float(np.abs(rho - res.fixation)[off].max())
    note = (
        f"Monte Carlo check: {r} simulated invasions per ordered pair (seed {args.seed}); largest "
        f"|simulated - exact| fixation probability {worst:.3f} (binomial stderr <= "
        f"{0.5 / np.sqrt(r):.3f})"
    )
    if unfinished:
        note += f"; {unfinished} runs had not fixed after {args.sim_steps} updates"
    return _stationary_of(t), note


def _simulate_with_mutation(a: np.ndarray, args: argparse.Namespace) -> tuple[np.ndarray, str]:
    """Monte Carlo version of the exact mutation-selection chain: time-averaged shares.

    ``args.sim_replicates`` populations start from an even split and run ``args.sim_steps``
    updates with mutation; the shares averaged over the second half of each run and over the
    runs estimate the exact chain's mean abundances.

    Parameters
    ----------
    a : numpy.ndarray
        (n, n) payoff matrix.
    args : argparse.Namespace
        ``population``, ``selection``, ``mutation``, ``sim_replicates``, ``sim_steps``,
        ``seed`` and ``quiet``.

    Returns
    -------
    tuple[numpy.ndarray, str]
        Simulated shares and a one-line description of the simulation.

    Examples
    --------
    >>> a = np.array([[1.0, 1.0], [1.0, 1.0]])
    >>> ns = argparse.Namespace(population=10, selection=1.0, mutation=0.1, sim_replicates=20,
    ...                         sim_steps=2_000, seed=1, quiet=True)
    >>> bool(abs(_simulate_with_mutation(a, ns)[0][0] - 0.5) < 0.05)
    True
    """
    from allysim.evolution import simulate_population

    n, z = a.shape[0], args.population
    initial = np.full(n, z // n, dtype=np.int64)
    initial[: z % n] += 1
    every = max(1, args.sim_steps // 200)
    sim = simulate_population(
        a,
        initial.tolist(),
        steps=args.sim_steps,
        selection=args.selection,
        mutation=args.mutation,
        replicates=args.sim_replicates,
        record_every=every,
        seed=args.seed,
        progress=not args.quiet,
    )
    assert sim.history is not None  # record_every was given
    late = sim.history[len(sim.history) // 2 :]
    shares = late.mean(axis=(0, 1)) / z
    note = (
        f"Monte Carlo: {args.sim_replicates} populations x {args.sim_steps} updates from an "
        f"even split (seed {args.seed}), shares averaged over the second half"
    )
    return shares, note


def _evolve_section(
    args: argparse.Namespace, game: Any, zoo: Sequence, notes: Sequence[str]
) -> list[_Artifact]:
    """Print the exact stationary distribution beside a seeded simulation; return CSV, figure.

    Parameters
    ----------
    args : argparse.Namespace
        The ``evolve`` options.
    game : StageGame
        The partnership game.
    zoo : Sequence
        The strategies.
    notes : Sequence[str]
        Warnings from building the game, printed first.

    Returns
    -------
    list[_Artifact]
        ``evolution.csv`` and ``evolution.png``.

    Examples
    --------
    >>> ns = argparse.Namespace(benefit=3.0, cost=1.0, synergy=0.0, strategies="ALLD,WSLS",
    ...                         noise=0.01, continuation=None, population=10, selection=1.0,
    ...                         mutation=None, sim_replicates=0, sim_steps=10, seed=0, quiet=True)
    >>> [a.name for a in _evolve_section(ns, *_evolve_setup(_Parser(), ns))]  # doctest: +ELLIPSIS
    Stationary distribution ...
    ['evolution.csv', 'evolution.png']
    >>> _matplotlib().close("all")
    """
    from allysim.evolution import payoff_matrix_for, stationary_distribution
    from allysim.plotting import simplex_flow, stationary_bars

    plt = _matplotlib()
    for note in notes:
        print(f"note: {note}")
    a = payoff_matrix_for(zoo, game, noise=args.noise, continuation=args.continuation)
    res = stationary_distribution(
        a, population=args.population, selection=args.selection, mutation=args.mutation
    )
    names = [s.name for s in zoo]
    table = pd.DataFrame({"strategy": names, "share": res.shares})
    small_mutation = not args.mutation
    summary = ""
    if args.sim_replicates > 0 and len(zoo) > 1:
        if small_mutation:
            simulated, summary = _simulate_small_mutation(a, res, args)
        else:
            simulated, summary = _simulate_with_mutation(a, args)
        table["simulated_share"] = simulated
    table = table.sort_values("share", ascending=False, kind="stable")
    R, S, T, P = game.payoff_vector
    limit = "small-mutation limit" if small_mutation else f"mutation {args.mutation:g}"
    print(
        f"Stationary distribution ({limit}), Z={args.population}, selection={args.selection:g}; "
        f"game R={R:g} S={S:g} T={T:g} P={P:g}, noise {args.noise:g}\n"
    )
    with pd.option_context("display.float_format", "{:.4f}".format):
        print(table.to_string(index=False))
    if summary:
        print("\n" + summary)
    ncols = 2 if len(zoo) == 3 else 1
    fig, axes = plt.subplots(1, ncols, figsize=(6.5 * ncols, 5), squeeze=False)
    if res.fixation is not None and len(zoo) > 1:
        stationary_bars(res, names, ax=axes[0, 0])
    else:
        axes[0, 0].bar(names, res.shares)
    if ncols == 2:
        simplex_flow(a, names, ax=axes[0, 1])
    fig.tight_layout()
    return [_csv_artifact(table, "evolution.csv"), _figure_artifact(fig, "evolution.png", 110)]


# ----------------------------------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------------------------------

_TOURNAMENT_OPTIONS = ("--rounds", "--noise", "--repetitions", "--seed")
_TRUST_OPTIONS = ("--organizations", "--steps", "--replicates", "--seed", "--scenario")


def _demo(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``allysim demo``: tournament, mechanism comparison and trust model.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``demo`` subparser (reports errors).
    args : argparse.Namespace
        Its parsed options.

    Returns
    -------
    int
        Exit status 0.
    """
    print(
        "allysim demo: round-robin tournament of partnering strategies\n"
        f"  stage game: prisoner's dilemma R=3 S=0 T=5 P=1; {args.rounds} rounds per match; "
        f"execution noise {args.noise:g}; {args.repetitions} simulated repetitions per pair\n"
    )
    demo_trust = partial(_trust_section, scenarios=DEFAULT_TRUST_SCENARIOS)
    sections: list[tuple[Section, Sequence[str]]] = [
        (_tournament_section, _TOURNAMENT_OPTIONS),
        (_mechanisms_section, ()),
        (demo_trust, _TRUST_OPTIONS),
    ]
    return _run_sections(parser, args, sections)


def _tournament(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``allysim tournament``: exact and simulated round robin.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``tournament`` subparser.
    args : argparse.Namespace
        Its parsed options.

    Returns
    -------
    int
        Exit status 0.
    """
    return _run_sections(parser, args, [(_tournament_section, _TOURNAMENT_OPTIONS)])


def _compare(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``allysim compare``: the mechanism comparison table and figure.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``compare`` subparser.
    args : argparse.Namespace
        Its parsed options.

    Returns
    -------
    int
        Exit status 0.
    """
    return _run_sections(parser, args, [(_mechanisms_section, ())])


def _trust(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``allysim trust``: the trust model under the chosen scenarios.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``trust`` subparser.
    args : argparse.Namespace
        Its parsed options.

    Returns
    -------
    int
        Exit status 0.
    """
    if not args.scenario:
        args.scenario = list(DEFAULT_TRUST_SCENARIOS)
    args.scenario = list(dict.fromkeys(args.scenario))  # a repeated scenario runs once
    return _run_sections(parser, args, [(_trust_section, _TRUST_OPTIONS)])


def _evolve(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``allysim evolve``: exact stationary distribution beside a seeded simulation.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``evolve`` subparser.
    args : argparse.Namespace
        Its parsed options.

    Returns
    -------
    int
        Exit status 0.
    """
    game, zoo, notes = _evolve_setup(parser, args)
    options = ("--strategies", "--population", "--selection", "--mutation", "--continuation")
    section: Section = partial(_evolve_section, game=game, zoo=zoo, notes=notes)
    return _run_sections(parser, args, [(section, (*options, "--noise", "--sim-steps"))])


def _build_parser() -> argparse.ArgumentParser:
    """The ``allysim`` argument parser with its five subcommands.

    Returns
    -------
    argparse.ArgumentParser
        Each subparser sets ``func(parser, args)`` and keeps itself as ``parser``.

    Examples
    --------
    >>> _build_parser().parse_args(["tournament", "--rounds", "5"]).rounds
    5
    """
    parser = _Parser(
        prog="allysim",
        description="Simulate the incentives inside partnerships between organizations.",
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
        p.add_argument("--quiet", action="store_true", help="no progress bars")

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
            default=3,
            help="independent runs per scenario, in [1, 1000] (default: %(default)s)",
        )

    def add(name: str, func: Callable, **kw: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, **kw)
        p.set_defaults(func=func, parser=p)
        return p

    demo = add(
        "demo",
        _demo,
        help="tournament, mechanism comparison and trust model: tables, CSVs and plots",
        description="The main job: the tournament, the mechanism comparison and the trust model "
        f"under {', '.join(DEFAULT_TRUST_SCENARIOS)}. Tournament scores exclude self-play.",
    )
    common(demo)
    tournament_options(demo)
    trust_options(demo)

    tour = add(
        "tournament",
        _tournament,
        help="round-robin tournament of the classic strategies",
        description="Round robin of the classic strategies, exact and simulated side by side; "
        "scores exclude each strategy's match against itself.",
    )
    common(tour)
    tournament_options(tour)

    comp = add(
        "compare",
        _compare,
        help="compare incentive mechanisms on the partnership game",
        description="Equilibrium, tournament and evolutionary outcome of each incentive "
        "mechanism on the standard partnership game (exact kernel: deterministic, no seed).",
    )
    common(comp, seed=False)

    evo = add(
        "evolve",
        _evolve,
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
        type=_int_in(0, 10_000),
        default=100,
        help="simulated populations per invasion (or in all, with --mutation), in [0, 10000]; "
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
        _trust,
        help="run the trust model under incentive mechanisms",
        description="The trust model under incentive mechanism scenarios. Each mechanism is "
        f"added at the reference continuation {BASE_SHADOW:g} (short-shadow), so it differs "
        "from short-shadow in that mechanism alone; "
        + "; ".join(f"{k}: {v}" for k, v in TRUST_SCENARIO_NOTES.items()),
    )
    common(trust)
    trust_options(trust)
    trust.add_argument(
        "--scenario",
        action="append",
        choices=list(trust_scenarios()),
        help="mechanism scenario, repeatable (default: " + ", ".join(DEFAULT_TRUST_SCENARIOS) + ")",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``allysim`` console script.

    Parameters
    ----------
    argv : Sequence[str] or None, default None
        The arguments after the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success. Bad arguments raise ``SystemExit(2)`` after one line on stderr that
        names the option and its allowed range; ``--help`` and ``--version`` raise
        ``SystemExit(0)``.

    Examples
    --------
    >>> main(["--version"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    SystemExit: 0
    """
    parser = _build_parser()
    args = parser.parse_args(None if argv is None else list(argv))
    return int(args.func(args.parser, args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
