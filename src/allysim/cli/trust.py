"""``allysim trust``: the trust model under incentive mechanism scenarios."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from allysim._progress import progress_bar
from allysim.cli.arguments import _refuse_long
from allysim.cli.output import (
    _Artifact,
    _count,
    _csv_artifact,
    _figure_artifact,
    _matplotlib,
)
from allysim.scenarios import (
    BASE_SHADOW,
    DEFAULT_TRUST_SCENARIOS,
    TRUST_SCENARIO_NOTES,
    trust_scenarios,
)

# The child of the root seed that each scenario draws from: the default scenarios first.
_SEED_ORDER = tuple(dict.fromkeys((*DEFAULT_TRUST_SCENARIOS, *TRUST_SCENARIO_NOTES)))


# Cost model of one trust run as the command runs it (model.step() per step, data collected
# every step), measured on one core of the 2-core development machine with the default
# scenarios' mechanisms and rounded up: a fixed cost per step (mesa's scheduler, the data
# collector), a cost per organization-step (0.19-0.26 us measured at 30,000-100,000
# organizations), and building the model (5.9 us per organization at 100,000).
_SECONDS_PER_STEP = 5e-4
_SECONDS_PER_ORGANIZATION_STEP = 3e-7
_SECONDS_PER_ORGANIZATION = 6e-6
# Bytes per row of the step-by-step table (26 columns, about 220 bytes, measured), held twice:
# per scenario and joined for trust.csv.
_BYTES_PER_ROW = 2 * 220.0


def _trust_seconds(organizations: int, steps: int, runs: int) -> float:
    """Estimated seconds of ``runs`` trust-model runs (the cost model above).

    Parameters
    ----------
    organizations : int
        Organizations per run.
    steps : int
        Steps per run.
    runs : int
        Runs in all (replicates x scenarios).

    Returns
    -------
    float
        Seconds on one core.

    Examples
    --------
    >>> round(_trust_seconds(300, 300, 60), 1)  # the defaults: 20 replicates x 3 scenarios
    10.7
    """
    per_step = _SECONDS_PER_STEP + _SECONDS_PER_ORGANIZATION_STEP * organizations
    return runs * (steps * per_step + _SECONDS_PER_ORGANIZATION * organizations)


def _check_trust_size(
    parser: argparse.ArgumentParser, args: argparse.Namespace, scenarios: Sequence[str]
) -> None:
    """Refuse, before any work, trust runs that would take hours or exceed the memory budget.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        Reports a refusal as a one-line usage error naming the size options.
    args : argparse.Namespace
        ``organizations``, ``steps`` and ``replicates``.
    scenarios : Sequence[str]
        The scenarios that will run (repeats run once).

    Returns
    -------
    None
        Returns only when the run is within both limits.

    Examples
    --------
    >>> from allysim.cli.arguments import _Parser
    >>> ns = argparse.Namespace(organizations=300, steps=300, replicates=20)
    >>> _check_trust_size(_Parser(), ns, DEFAULT_TRUST_SCENARIOS)
    """
    from allysim import memory_budget

    count = len(dict.fromkeys(scenarios))
    runs = args.replicates * count
    work = (
        f"{args.organizations} organizations x {_count(args.steps, 'step')} x "
        f"{_count(args.replicates, 'replicate')} x {_count(count, 'scenario')} "
        f"({float(args.organizations) * args.steps * runs:.3g} organization-steps, at about "
        f"{_SECONDS_PER_ORGANIZATION_STEP * 1e6:g} us each plus {_SECONDS_PER_STEP * 1e3:g} ms "
        "per step)"
    )
    # demo has no --scenario: it runs the default scenarios.
    sizes = ["--steps", "--replicates", *(["--scenario"] if hasattr(args, "scenario") else [])]
    fix = (
        f"use fewer {', '.join(sizes)} or --organizations, or run allysim.abm.TrustModel from "
        "Python, which sets no time limit"
    )
    options = "/".join(["--organizations", *sizes])
    _refuse_long(parser, options, work, _trust_seconds(args.organizations, args.steps, runs), fix)
    need = _BYTES_PER_ROW * runs * (args.steps + 1)
    if need > memory_budget():
        parser.error(
            f"argument {'/'.join(sizes)}: the step-by-step table of "
            f"{_count(args.steps, 'step')} x {_count(runs, 'run')} needs about "
            f"{need / 2**30:.3g} GiB, above the memory budget of "
            f"{memory_budget() / 2**30:.3g} GiB; use fewer {', '.join(sizes[:-1])} or "
            f"{sizes[-1]}"
        )


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
    from allysim.abm import TrustModel  # deferred: mesa, not needed for --help

    frames = []
    # One bar per scenario over all its replicates' steps, not one per run.
    bar = progress_bar(
        total=args.replicates * args.steps, desc=scenario, unit="step", disable=args.quiet
    )
    for r, child in enumerate(seed_seq.spawn(args.replicates)):
        seed = int(child.generate_state(1)[0])
        model = TrustModel(
            n_organizations=args.organizations,
            mechanisms=trust_scenarios()[scenario],
            seed=seed,
        )
        for _ in range(args.steps):
            model.step()
            bar.update()
        df = model.run(0, progress=False).copy()  # the frame, with its parameters
        # The run's own seed: TrustModel(..., seed=seed) with the scenario's mechanisms
        # repeats it alone.
        df.insert(0, "seed", seed)
        df.insert(0, "replicate", r)
        df.insert(0, "scenario", scenario)
        df.index.name = "step"
        frames.append(df.reset_index())
    bar.close()
    return pd.concat(frames, ignore_index=True)


#: Colour of the trust kinds in the demo figure's middle panel (told apart by line style).
_TRUST_KIND_COLOUR = "black"
#: Colours of the five stages in its right panel, assessment (lightest) to institutionalization.
_STAGE_GREYS = ["0.88", "0.72", "0.56", "0.4", "0.22"]


def _trust_figure(tables: dict[str, pd.DataFrame]) -> Any:
    """Draw contribution over time for every scenario, and trust and stages for the last.

    Every panel has a title. The scenarios on the left take matplotlib's colour cycle; the
    trust kinds and stages of the last scenario are drawn in black and greys, so no colour
    means a scenario in one panel and something else in another.

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
    from allysim.plotting import (  # deferred: matplotlib
        cooperation_over_time,
        stage_composition,
        trust_trajectories,
    )

    plt = _matplotlib()
    last = list(tables)[-1]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5))
    for name, df in tables.items():
        wide = df.pivot(index="replicate", columns="step", values="contribution_rate")
        cooperation_over_time(wide.to_numpy(), ax=axes[0], label=name)
    axes[0].set_ylabel("contribution rate (95% band over replicates)")
    axes[0].set_title("contribution, every scenario")
    mean = tables[last].groupby("step").mean(numeric_only=True)
    # The colour cycle on the left means scenarios; the other panels show one scenario, so
    # their kinds and stages take colours outside it: black with three line styles, and
    # greys from light to dark in the stages' order.
    axes[1].set_prop_cycle(color=[_TRUST_KIND_COLOUR] * 3)
    trust_trajectories(mean, ax=axes[1])
    axes[1].set_title(f"trust, {last}")
    axes[2].set_prop_cycle(color=_STAGE_GREYS)
    stage_composition(mean, ax=axes[2])
    axes[2].set_title(f"stages, {last}")
    fig.tight_layout()
    return fig


def _t_interval(values: np.ndarray) -> str:
    """Student-t 95% interval of the mean of per-replicate values, as text ("-" for one run).

    Parameters
    ----------
    values : numpy.ndarray
        One value per replicate (NaN ignored).

    Returns
    -------
    str
        ``"[low, high]"`` to three decimals.

    Notes
    -----
    The values are rates, so the interval is cut at 0 and 1; a cut end is marked with ``*``
    (the normal-theory interval reached past it: too few replicates for its width to mean much).

    Examples
    --------
    >>> _t_interval(np.array([0.1, 0.2, 0.3]))
    '[0*, 0.448]'
    >>> _t_interval(np.array([0.4, 0.5, 0.6]))
    '[0.252, 0.748]'
    >>> _t_interval(np.array([0.5]))
    '-'
    """
    from scipy.special import stdtrit  # deferred: scipy is slow to import for --help

    v = values[np.isfinite(values)]
    if v.size < 2:
        return "-"
    half = stdtrit(v.size - 1, 0.975) * v.std(ddof=1) / np.sqrt(v.size)
    low, high = v.mean() - half, v.mean() + half
    low_text = "0*" if low < 0 else f"{low:.3f}"
    high_text = "1*" if high > 1 else f"{high:.3f}"
    return f"[{low_text}, {high_text}]"


def _trust_section(
    args: argparse.Namespace, scenarios: Sequence[str] | None = None
) -> list[_Artifact]:
    """Run the trust model under each scenario; print a summary; return its CSV and figure.

    Parameters
    ----------
    args : argparse.Namespace
        ``organizations``, ``steps``, ``replicates``, ``seed``, ``quiet`` and ``scenario``.
    scenarios : Sequence[str] or None, default None
        Scenario names; None uses ``args.scenario``, or the default scenarios when that is
        None too. A repeated name runs once.

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
    names = list(dict.fromkeys(scenarios or args.scenario or DEFAULT_TRUST_SCENARIOS))
    print(
        f"\nTrust model: {args.organizations} organizations, {_count(args.steps, 'step')}, "
        f"{_count(args.replicates, 'replicate')} per scenario; each mechanism is added at "
        f"continuation "
        f"{BASE_SHADOW:g} (the short-shadow reference) unless the scenario varies the shadow\n"
    )
    # Each scenario's seeds come from its own child of the root, by name, so its numbers do not
    # depend on which other scenarios run or in what order; the default scenarios keep the
    # children 0, 1, 2 they always had.
    children = np.random.SeedSequence(args.seed).spawn(len(_SEED_ORDER))
    tables, rows = {}, []
    for name in names:
        df = _run_trust(name, args, children[_SEED_ORDER.index(name)])
        tables[name] = df
        late = df[df["step"] > args.steps * 0.8]
        tail = late.mean(numeric_only=True)
        runs = late.groupby("replicate")["contribution_rate"].mean().to_numpy()
        rows.append(
            {
                "scenario": name,
                "varies": TRUST_SCENARIO_NOTES[name],
                "contribution": tail["contribution_rate"],
                "95% interval": _t_interval(runs),
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
    if summary["95% interval"].str.contains("*", regex=False).any():
        print("* the interval reached past [0, 1] and is cut there: too few replicates")
    return [
        _csv_artifact(pd.concat(tables.values(), ignore_index=True), "trust.csv"),
        _figure_artifact(_trust_figure(tables), "trust.png", 110),
    ]
