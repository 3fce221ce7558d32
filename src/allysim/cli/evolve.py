"""``allysim evolve``: the exact stationary distribution beside a seeded simulation."""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Sequence
from functools import partial
from math import ceil, comb
from typing import Any

import numpy as np
import pandas as pd

from allysim import memory_budget
from allysim.cli.arguments import _blame, _refuse_long, _strategies
from allysim.cli.output import (
    Section,
    _Artifact,
    _count,
    _csv_artifact,
    _figure_artifact,
    _matplotlib,
)
from allysim.evolution import (
    DIRECT_MAX_STATES,
    _chain_bytes,
    payoff_matrix_for,
    simulate_population,
    stationary_distribution,
)
from allysim.evolution.stationary import _embedded_chain
from allysim.games import partnership_game
from allysim.kernels._linalg import solve

#: Most simulated populations per invasion of ``allysim evolve --sim-replicates``.
SIM_REPLICATES_MAX = 10_000


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
    >>> from allysim.cli.arguments import _Parser
    >>> ns = argparse.Namespace(benefit=3.0, cost=1.0, synergy=0.0, strategies="ALLD,TFT",
    ...                         population=10, mutation=None)
    >>> game, zoo, notes = _evolve_setup(_Parser(), ns)
    >>> [s.name for s in zoo], notes
    (['ALLD', 'TFT'], [])
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with _blame(parser, "--benefit", "--cost", "--synergy"):
            game = partnership_game(args.benefit, args.cost, args.synergy)
        zoo = _strategies(parser, args.strategies, game, "evolution")
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
    if args.mutation and args.sim_replicates:
        # With mutation every simulated population runs all --sim-steps updates, in lockstep:
        # about 40 us per update plus 0.2 us per population-update (measured with 5 strategies
        # and Z = 100 on one core of the development machine, rounded up).
        seconds = args.sim_steps * (4e-5 + 2e-7 * args.sim_replicates)
        work = (
            f"{_count(args.sim_replicates, 'simulated population')} x "
            f"{_count(args.sim_steps, 'update')}"
        )
        fix = (
            "use fewer --sim-steps or --sim-replicates (0 skips the simulation), or run "
            "allysim.evolution.simulate_population from Python, which sets no time limit"
        )
        _refuse_long(parser, "--sim-steps/--sim-replicates", work, seconds, fix)
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
    # Not numpy.linalg.solve: LAPACK's answer from about 100 strategies follows the BLAS
    # thread count.
    v = np.maximum(solve(lhs, np.ones(n)), 0.0)
    return v / v.sum()


def _closed_classes(t: np.ndarray) -> list[list[int]]:
    """The closed communicating classes of a Markov chain: the sets it never leaves.

    A chain has a unique stationary distribution exactly when it has one closed class, so two
    or more are why :func:`_stationary_of` returns NaN.

    Parameters
    ----------
    t : numpy.ndarray
        (n, n) transition matrix, rows summing to 1; a positive entry is a possible move.

    Returns
    -------
    list[list[int]]
        Each closed class as sorted state indices, in order of their smallest state.

    Examples
    --------
    >>> _closed_classes(np.array([[1.0, 0.0, 0.0], [0.5, 0.0, 0.5], [0.0, 0.0, 1.0]]))
    [[0], [2]]
    >>> _closed_classes(np.array([[0.5, 0.5], [0.25, 0.75]]))
    [[0, 1]]
    """
    from scipy.sparse.csgraph import connected_components  # deferred: scipy is slow to import

    moves = t > 0
    count, label = connected_components(moves, directed=True, connection="strong")
    classes = [np.flatnonzero(label == c) for c in range(count)]
    closed = [c for c in classes if not moves[np.ix_(c, np.setdiff1d(np.arange(len(t)), c))].any()]
    return sorted((c.tolist() for c in closed), key=lambda c: c[0])


def _nonunique_note(
    rho: np.ndarray,
    exact: np.ndarray,
    names: Sequence[str],
    replicates: int,
    unfixed: np.ndarray | None = None,
) -> str | None:
    """Why the simulated shares are NaN: strategies no simulated invader displaced.

    Parameters
    ----------
    rho : numpy.ndarray
        (n, n) simulated fixation probabilities, invader i (row) in a population of j (column).
    exact : numpy.ndarray
        (n, n) exact fixation probabilities, in the same layout.
    names : Sequence[str]
        Strategy names, in the matrices' order.
    replicates : int
        Simulated invasions per ordered pair (``--sim-replicates``).
    unfixed : numpy.ndarray or None, default None
        (n, n) runs of each pair that had not fixed after ``--sim-steps`` updates; None: all
        fixed.

    Returns
    -------
    str or None
        One line to print, or None when the simulated chain has a unique stationary
        distribution.

    Examples
    --------
    >>> rho = np.array([[0.1, 0.0], [0.0, 0.1]])
    >>> exact = np.array([[0.1, 2e-40], [3e-41, 0.1]])
    >>> print(_nonunique_note(rho, exact, ["ALLC", "WSLS"], 100))  # doctest: +NORMALIZE_WHITESPACE
    simulated_share is NaN: no simulated invader displaced ALLC or WSLS (none of the 100 runs
    of each invader from outside fixed), so the simulated stationary distribution is not
    unique: the chain built from the simulated fixation probabilities never leaves either. The
    likeliest of these invasions has exact probability 2e-40. Invasions rarer than about
    1/--sim-replicates (1/100 here) cannot be resolved by simulation; raising --sim-replicates
    (at most 10000) resolves rarer ones, down to about 1/10000, not these.
    """
    n = len(names)
    unfixed = np.zeros((n, n), dtype=np.int64) if unfixed is None else unfixed
    closed = _closed_classes(_embedded_chain(rho))
    if len(closed) < 2:
        return None
    parts, resolved, slow = [], [], []
    for c in closed:
        for j in c:
            for i in np.setdiff1d(np.arange(n), c):
                # An invasion whose runs did not all finish failed for want of steps, not of
                # luck: more replicates would not help it.
                if unfixed[i, j]:
                    slow.append(f"{names[i]} invading {names[j]}")
                else:
                    resolved.append(float(exact[i, j]))
        group = [names[k] for k in c]
        # A class of several: they displace one another, but nothing from outside enters.
        parts.append(group[0] if len(group) == 1 else "{" + ", ".join(group) + "}")
    listed = ", ".join(parts[:-1]) + " or " + parts[-1]
    text = (
        f"simulated_share is NaN: no simulated invader displaced {listed} (none of the "
        f"{replicates} runs of each invader from outside fixed), so the simulated stationary "
        f"distribution is not unique: the chain built from the simulated fixation "
        f"probabilities never leaves {'either' if len(closed) == 2 else 'any of them'}."
    )
    if resolved:
        likeliest = max(resolved)
        if likeliest * SIM_REPLICATES_MAX >= 3:
            # 3 / p runs see at least one success with probability 1 - e^-3 = 95%.
            fix = f"raise --sim-replicates to about {min(ceil(3 / likeliest), SIM_REPLICATES_MAX)}"
        else:
            fix = (
                f"raising --sim-replicates (at most {SIM_REPLICATES_MAX}) resolves rarer "
                f"ones, down to about 1/{SIM_REPLICATES_MAX}, not these"
            )
        which = "these invasions" if not slow else "these invasions whose runs all fixed"
        text += (
            f" The likeliest of {which} has exact probability {likeliest:.2g}. Invasions "
            f"rarer than about 1/--sim-replicates (1/{replicates} here) cannot be resolved by "
            f"simulation; {fix}."
        )
    if slow:
        text += (
            f" Runs of {', '.join(slow)} had not fixed within --sim-steps (see above), and "
            "count as failed invasions here."
        )
    return text


def _simulate_small_mutation(
    a: np.ndarray, res: Any, args: argparse.Namespace, names: Sequence[str] | None = None
) -> tuple[np.ndarray, str, np.ndarray, np.ndarray]:
    """Monte Carlo version of the small-mutation chain: simulated fixation probabilities.

    For each resident j and invader i, ``args.sim_replicates`` populations of Z - 1 residents
    and one invader run (``simulate_population``, Fermi rule) until fixation, at most
    ``args.sim_steps`` updates; the fraction taken over by i estimates rho(i invades j). The
    embedded chain built from those estimates (Fudenberg & Imhof 2006) gives simulated shares.

    A run still mixed after ``args.sim_steps`` updates counts as not fixed, which biases its
    pair's estimate down (a sure invasion that is slow reads as a failed one), so the
    comparison with the exact probabilities is taken over the pairs whose runs all fixed, and
    the others are reported apart.

    Parameters
    ----------
    a : numpy.ndarray
        (n, n) payoff matrix.
    res : StationaryDistribution
        The exact result (its fixation matrix is compared).
    args : argparse.Namespace
        ``population``, ``selection``, ``sim_replicates``, ``sim_steps``, ``seed``, ``quiet``.
    names : Sequence[str] or None, default None
        Strategy names, in the matrix's order, for the report; None numbers them from 0.

    Returns
    -------
    tuple[numpy.ndarray, str, numpy.ndarray, numpy.ndarray]
        Simulated shares (NaN where the estimated chain has no unique stationary
        distribution), a summary of the fixation check (one line, and a second naming the
        pairs with runs that did not fix), the simulated fixation probabilities ``rho[i, j]``
        (invader i, resident j; 1/Z on the diagonal), and how many of each pair's runs had not
        fixed (0 on the diagonal).

    Examples
    --------
    >>> from allysim.evolution import stationary_distribution
    >>> a = np.array([[3.0, 0.0], [5.0, 1.0]])
    >>> res = stationary_distribution(a, population=10, selection=1.0)
    >>> ns = argparse.Namespace(population=10, selection=1.0, sim_replicates=50,
    ...                         sim_steps=10_000, seed=1, quiet=True)
    >>> shares, summary, rho, unfixed = _simulate_small_mutation(a, res, ns)
    >>> shares.tolist(), unfixed.tolist()
    ([0.0, 1.0], [[0, 0], [0, 0]])
    """
    n, z, r = a.shape[0], args.population, args.sim_replicates
    label = [str(k) for k in range(n)] if names is None else list(names)
    rho = np.full((n, n), 1.0 / z)
    unfixed = np.zeros((n, n), dtype=np.int64)
    # Mean share of the invader in the runs that had not fixed, where they stopped.
    stopped_share = np.full((n, n), np.nan)
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
            open_runs = sim.fixation_step < 0
            unfixed[i, j] = int(open_runs.sum())
            if open_runs.any():
                stopped_share[i, j] = sim.counts[open_runs, i].mean() / z
    t = _embedded_chain(rho)
    off = ~np.eye(n, dtype=bool)
    done = off & (unfixed == 0)
    head = (
        f"Monte Carlo check: {_count(r, 'simulated invasion')} per ordered pair (seed "
        f"{args.seed}); "
    )
    if done.any():
        worst = float(np.abs(rho - res.fixation)[done].max())
        which = (
            ""
            if done.sum() == off.sum()
            else f" over the {_count(int(done.sum()), 'pair')} whose runs all fixed"
        )
        note = (
            f"{head}largest |simulated - exact| fixation probability {worst:.3f}{which} "
            f"(binomial stderr <= {0.5 / np.sqrt(r):.3f})"
        )
    else:
        note = f"{head}no pair had all its runs fixed, so none is compared with the exact value"
    late = [(i, j) for j in range(n) for i in range(n) if i != j and unfixed[i, j]]
    if late:
        listed = ", ".join(
            f"{label[i]} invading {label[j]} ({unfixed[i, j]} of {r} runs; {label[i]} at "
            f"{stopped_share[i, j]:.0%} on average when stopped)"
            for i, j in late
        )
        note += (
            f"\n{_count(len(late), 'pair')} had runs that did not fix within --sim-steps "
            f"({_count(args.sim_steps, 'update')}); raise it: {listed}. Those runs count as "
            "not fixed in fixation_simulated and the simulated shares, and the pairs are left "
            "out of the largest difference above (runs stopped at a steady mix may be held "
            "there by selection, and more steps then help little)"
        )
    return _stationary_of(t), note, rho, unfixed


def _fixation_table(
    names: list[str],
    exact: np.ndarray,
    simulated: np.ndarray | None,
    unfixed: np.ndarray | None = None,
) -> Any:
    """One row per ordered pair: the exact (and simulated) chance that one invader takes over.

    Parameters
    ----------
    names : list of str
        Strategy names, in the matrices' order.
    exact : numpy.ndarray
        (n, n) exact fixation probabilities, invader i (row) in a population of j (column).
    simulated : numpy.ndarray or None
        The same, estimated by simulation; None: not simulated (NaN in the table).
    unfixed : numpy.ndarray or None, default None
        (n, n) simulated runs of each pair that had not fixed after ``--sim-steps`` updates
        (counted as not fixed in ``simulated``); None: not simulated (NaN in the table).

    Returns
    -------
    pandas.DataFrame
        Columns ``invader``, ``resident``, ``fixation_exact``, ``fixation_simulated`` and
        ``simulated_runs_unfixed``.

    Examples
    --------
    >>> _fixation_table(["A", "B"], np.array([[0.1, 0.2], [0.3, 0.1]]), None).shape
    (2, 5)
    """
    # Every ordered pair (resident j outer, invader i inner), the diagonal left out.
    j, i = np.nonzero(~np.eye(len(names), dtype=bool))
    label = np.asarray(names, dtype=object)
    return pd.DataFrame(
        {
            "invader": label[i],
            "resident": label[j],
            "fixation_exact": exact[i, j],
            "fixation_simulated": np.nan if simulated is None else simulated[i, j],
            # A pair with unfinished runs underestimates a slow invasion: this says which.
            "simulated_runs_unfixed": np.nan if unfixed is None else unfixed[i, j],
        }
    )


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
        f"Monte Carlo: {_count(args.sim_replicates, 'population')} x "
        f"{_count(args.sim_steps, 'update')} from an "
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
        ``evolution.csv``, ``fixation.csv`` (small-mutation limit only) and ``evolution.png``.

    Examples
    --------
    >>> from allysim.cli.arguments import _Parser
    >>> ns = argparse.Namespace(benefit=3.0, cost=1.0, synergy=0.0, strategies="ALLD,WSLS",
    ...                         noise=0.01, continuation=None, population=10, selection=1.0,
    ...                         mutation=None, sim_replicates=0, sim_steps=10, seed=0, quiet=True)
    >>> [a.name for a in _evolve_section(ns, *_evolve_setup(_Parser(), ns))]  # doctest: +ELLIPSIS
    Stationary distribution ...
    ['evolution.csv', 'fixation.csv', 'evolution.png']
    >>> _matplotlib().close("all")
    """
    from allysim.plotting import simplex_flow, stationary_bars  # deferred: matplotlib

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
    rho = unfixed = None
    if args.sim_replicates > 0 and len(zoo) > 1:
        if small_mutation:
            simulated, summary, rho, unfixed = _simulate_small_mutation(a, res, args, names)
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
    if rho is not None and res.fixation is not None and np.isnan(simulated).all():
        why = _nonunique_note(rho, res.fixation, names, args.sim_replicates, unfixed)
        if why:
            print(f"note: {why}")
    ncols = 2 if len(zoo) == 3 else 1
    fig, axes = plt.subplots(1, ncols, figsize=(6.5 * ncols, 5), squeeze=False)
    if res.fixation is not None and len(zoo) > 1:
        stationary_bars(res, names, ax=axes[0, 0])
    else:
        ax = axes[0, 0]
        ax.bar(names, res.shares)
        ax.set_ylabel("stationary share (time in each strategy), 0-1")
        ax.set_title(f"stationary distribution, {limit}", fontsize=10)
    if ncols == 2:
        simplex_flow(a, names, ax=axes[0, 1])
    fig.tight_layout()
    artifacts = [_csv_artifact(table, "evolution.csv")]
    if res.fixation is not None and len(zoo) > 1:
        # The fixation probabilities the small-mutation chain is built from (and the check
        # above summarises), one row per ordered pair.
        fixation = _fixation_table(names, res.fixation, rho, unfixed)
        artifacts.append(_csv_artifact(fixation, "fixation.csv"))
    return [*artifacts, _figure_artifact(fig, "evolution.png", 110)]


def _evolve_sections(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> list[tuple[Section, Sequence[str]]]:
    """Check the game and strategies of ``allysim evolve`` before any work; return its section.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The ``evolve`` subparser; a refused game or strategy exits through its ``error``.
    args : argparse.Namespace
        The ``evolve`` options.

    Returns
    -------
    list[tuple[Section, Sequence[str]]]
        The one section of ``evolve``, with the options whose values it passes to the library.

    Examples
    --------
    >>> from allysim.cli.arguments import _Parser
    >>> ns = argparse.Namespace(benefit=3.0, cost=1.0, synergy=0.0, strategies="ALLD,TFT",
    ...                         population=10, mutation=None)
    >>> [options[:2] for _, options in _evolve_sections(_Parser(), ns)]
    [('--strategies', '--population')]
    """
    game, zoo, notes = _evolve_setup(parser, args)
    options = ("--strategies", "--population", "--selection", "--mutation", "--continuation")
    section: Section = partial(_evolve_section, game=game, zoo=zoo, notes=notes)
    return [(section, (*options, "--noise", "--sim-steps"))]
