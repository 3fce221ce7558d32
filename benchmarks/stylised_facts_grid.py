"""Where the trust model's stylised facts of alliance dissolution hold: a grid of parameters.

The facts and their measurement are those of tests/test_abm_stylised_facts.py (imported from
there, so the grid, the tests and docs/stylised-facts.md use one definition):

1. failure rate in Kale & Singh's (2009) 30-70%: the cumulative incidence of a trust exit over
   a partnership's life, natural ends competing;
2. failures are early: at least half of them within 10 rounds;
3. the dissolution hazard rises then falls with age (Levinthal & Fichman 1988): hazard over
   ages 1-2 < peak over ages 3-15 > hazard over ages 20-40.

Each cell pools ``--seeds`` runs of 300 organizations for 300 steps (the demo's size); a fact
holds in a cell when its 95% bootstrap interval over runs lies on the right side. The full
factorial grid of continuation, perception_noise, prior_strength and exit_threshold (the other
parameters at their TrustParams defaults) is printed as one row per cell and summarised by the
share of cells where each fact holds, for each value of each parameter.

With ``--figure PATH`` it only draws the dissolution hazard by age (all causes and failures
alone) at the TrustParams defaults and in the demo's three scenarios, pooled over the tests'
six runs (docs/img/dissolution_hazard.png).

Run:  python benchmarks/stylised_facts_grid.py [--seeds 3] [--out grid.csv] [--figure PATH]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import test_abm_stylised_facts as sf
from allysim.abm import TrustModel

GRID = {
    "continuation": (0.5, 0.8, 0.9, 0.95, 0.99),
    "perception_noise": (0.01, 0.05, 0.1, 0.2),
    "prior_strength": (0.5, 2.0, 5.0, 10.0),
    "exit_threshold": (0.1, 0.2, 0.3, 0.4),
}


def cell(settings: dict[str, float], seeds: int) -> dict[str, float | bool]:
    """Facts, intervals and verdicts of one grid cell."""
    tables = [
        sf.failure_life_table(
            TrustModel(n_organizations=sf.ORGANIZATIONS, seed=s, **settings), sf.STEPS
        )
        for s in range(seeds)
    ]
    life = sf.pooled(tables)
    measured = {k: float(v) for k, v in sf.facts(life).items()}
    window = life[(life.age >= 1) & (life.age <= sf.AGES_PEAK[1])]
    measured["peak_age"] = int(window.age.iloc[np.argmax(window.ended / window.at_risk.clip(1))])
    failure = sf.bootstrap(tables, lambda f: f["failure"])
    early = sf.bootstrap(tables, lambda f: f["early_failure"] / f["failure"])
    rise = sf.bootstrap(tables, lambda f: f["hazard_peak"] - f["hazard_early"])
    fall = sf.bootstrap(tables, lambda f: f["hazard_peak"] - f["hazard_late"])
    return {
        **settings,
        **measured,
        "failure_low": failure[0],
        "failure_high": failure[1],
        "in_range": sf.FAILURE_RANGE[0] <= failure[0] and failure[1] <= sf.FAILURE_RANGE[1],
        "mostly_early": early[0] >= 0.5,
        "rises_then_falls": rise[0] > 0 and fall[0] > 0,
    }


def hazard_figure(path: Path) -> None:
    """Hazard by age, all causes and failures alone, at the defaults and the demo scenarios."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ["default", "short-shadow", "long-shadow", "long-shadow+monitoring"]
    fig, axes = plt.subplots(1, len(names), figsize=(14, 3.4), sharey=True)
    for ax, name in zip(axes, names, strict=True):
        life = sf.pooled(sf.scenario(name))
        life = life[(life.age >= 1) & (life.age <= 40) & (life.at_risk >= sf.MIN_AT_RISK)]
        ax.plot(life.age, life.ended / life.at_risk, "o-", ms=3, label="all ends")
        ax.plot(life.age, life.failed / life.at_risk, "s--", ms=3, label="failures (trust exits)")
        windows = (sf.AGES_EARLY, sf.AGES_PEAK, sf.AGES_LATE)
        for (lo, hi), colour in zip(windows, ("C2", "C3", "C4"), strict=True):
            ax.axvspan(lo - 0.5, hi + 0.5, color=colour, alpha=0.08, lw=0)
        ax.set_title(name if name != "default" else "TrustParams defaults", fontsize=10)
        ax.set_xlabel("age (rounds played)")
        ax.set_xlim(0, 41)
    axes[0].set_ylabel("hazard of ending at this age")
    axes[0].legend(fontsize=8)
    fig.suptitle(
        f"Dissolution hazard by age, {len(sf.SEEDS)} runs pooled "
        f"({sf.ORGANIZATIONS} organizations, {sf.STEPS} steps; shaded: ages {sf.AGES_EARLY[0]}-"
        f"{sf.AGES_EARLY[1]}, {sf.AGES_PEAK[0]}-{sf.AGES_PEAK[1]} and {sf.AGES_LATE[0]}-"
        f"{sf.AGES_LATE[1]} compared; "
        f"ages with fewer than {sf.MIN_AT_RISK} at risk left out)",
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="runs per cell (default 3)")
    parser.add_argument("--out", type=Path, default=None, help="CSV of every cell")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--figure", type=Path, default=None, help="draw the hazard figure only")
    args = parser.parse_args()
    if args.figure is not None:
        hazard_figure(args.figure)
        return
    cells = [dict(zip(GRID, v, strict=True)) for v in itertools.product(*GRID.values())]
    start = time.perf_counter()
    rows = [cell(c, args.seeds) for c in tqdm(cells, desc="grid", disable=args.quiet)]
    elapsed = time.perf_counter() - start
    frame = pd.DataFrame(rows)
    if args.out is not None:
        frame.to_csv(args.out, index=False)
    verdicts = ["in_range", "mostly_early", "rises_then_falls"]
    with pd.option_context("display.width", 200, "display.max_rows", 1000):
        print(frame.round(3).to_string(index=False))
        print(f"\n{len(cells)} cells x {args.seeds} runs in {elapsed:.0f} s")
        print("\nshare of cells where each fact holds, by parameter value:")
        for name in GRID:
            print(frame.groupby(name)[verdicts].mean().round(2).to_string(), "\n")
        print("all three facts:", float(frame[verdicts].all(axis=1).mean().round(3)))
        print(frame.groupby("continuation")[["failure", "early_failure"]].median().round(3))


if __name__ == "__main__":
    main()
