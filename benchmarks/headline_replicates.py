"""The README's headline (the trust model part of ``allysim demo``) over many replicates.

``allysim demo`` runs each of its three trust scenarios (short shadow, long shadow, long shadow
+ monitoring; ``allysim.scenarios.DEFAULT_TRUST_SCENARIOS``) 3 times: 300 organizations, 300
steps, root seed 2024, and reports means over the last 20% of steps. This script runs the same
scenarios with the same settings and the same seeding (``SeedSequence(2024)`` spawns one child
per scenario, which spawns one seed per replicate, as ``allysim.cli.trust`` does), so its
replicates 0-2 are exactly the demo's three runs, and runs ``--replicates`` of them (default
20). It prints, per scenario and output, the mean over replicates with a 95% Student t interval
of that mean, the range of the replicates, and the mean of the demo's three replicates; and it
saves a figure of the replicates, the means and the intervals.

It does not use ``allysim.abm.batch_run`` because the demo's seeds are spawned per scenario
and its rows are ``TrustModel.run``'s, which this reproduces run for run.

Run:  python benchmarks/headline_replicates.py [--replicates 20] [--figure PATH] [--quiet]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from tqdm.auto import tqdm

from allysim.abm import TrustModel
from allysim.scenarios import DEFAULT_TRUST_SCENARIOS, trust_scenarios

ROOT = Path(__file__).resolve().parents[1]
# The demo's settings (allysim demo's defaults: --seed 2024 --organizations 300 --steps 300).
SEED = 2024
ORGANIZATIONS = 300
STEPS = 300
DEMO_REPLICATES = 3
# Output column -> reporter; the demo's summary averages them over steps > 0.8 * STEPS.
OUTPUTS = {
    "contribution": "contribution_rate",
    "contractual": "trust_contractual",
    "goodwill": "trust_goodwill",
    "institutionalized": "stage_institutionalization",
    "ALLD share": "strategy_ALLD",
}


def replicate_seeds(replicates: int) -> dict[str, list[int]]:
    """Seeds of each demo scenario's replicates, spawned as ``allysim.cli.trust`` does."""
    root = np.random.SeedSequence(SEED)
    children = root.spawn(len(DEFAULT_TRUST_SCENARIOS))
    return {
        name: [int(c.generate_state(1)[0]) for c in child.spawn(replicates)]
        for name, child in zip(DEFAULT_TRUST_SCENARIOS, children, strict=True)
    }


def tail_means(scenario: str, seed: int) -> dict[str, float]:
    """One demo run: the outputs averaged over the last 20% of steps."""
    model = TrustModel(
        n_organizations=ORGANIZATIONS, mechanisms=trust_scenarios()[scenario], seed=seed
    )
    data = model.run(STEPS, progress=False)
    tail = data[data.index > STEPS * 0.8].mean(numeric_only=True)
    return {label: float(tail[column]) for label, column in OUTPUTS.items()}


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean, 95% t interval of the mean, replicate range and the demo's 3-run mean."""
    rows = []
    for (scenario, output), values in runs.groupby(["scenario", "output"], sort=False)["value"]:
        x = values.to_numpy()
        mean, se = x.mean(), x.std(ddof=1) / np.sqrt(x.size)
        half = stats.t.ppf(0.975, x.size - 1) * se
        rows.append(
            {
                "scenario": scenario,
                "output": output,
                "n": x.size,
                "mean": mean,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "min": x.min(),
                "max": x.max(),
                "demo (3 runs)": x[:DEMO_REPLICATES].mean(),
            }
        )
    return pd.DataFrame(rows)


def figure(runs: pd.DataFrame, summary: pd.DataFrame, path: Path) -> None:
    """One panel per output: replicates (dots), mean and 95% t interval, the demo's mean."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outputs = list(OUTPUTS)
    fig, axes = plt.subplots(1, len(outputs), figsize=(3.2 * len(outputs), 3.6), sharey=True)
    rng = np.random.default_rng(0)  # jitter of the dots only
    for ax, output in zip(axes, outputs, strict=True):
        for k, scenario in enumerate(DEFAULT_TRUST_SCENARIOS):
            values = runs[(runs.scenario == scenario) & (runs.output == output)]["value"]
            ax.plot(
                np.full(len(values), k) + rng.uniform(-0.15, 0.15, len(values)),
                values,
                "o",
                ms=3,
                alpha=0.35,
                color="grey",
            )
            row = summary[(summary.scenario == scenario) & (summary.output == output)].iloc[0]
            ax.errorbar(
                k,
                row["mean"],
                yerr=[[row["mean"] - row["ci_low"]], [row["ci_high"] - row["mean"]]],
                fmt="s",
                color="C0",
                capsize=5,
                label="mean, 95% t interval" if k == 0 else None,
            )
            ax.plot(
                k + 0.3,
                row["demo (3 runs)"],
                "D",
                color="C3",
                ms=5,
                label="demo (3 runs)" if k == 0 else None,
            )
        ax.set_xticks(range(len(DEFAULT_TRUST_SCENARIOS)))
        ax.set_xticklabels([s.replace("+", "+\n") for s in DEFAULT_TRUST_SCENARIOS], fontsize=8)
        ax.set_title(output)
        ax.set_ylim(-0.03, 1.03)
    n = int(summary["n"].iloc[0])
    axes[0].set_ylabel(f"mean over steps {int(STEPS * 0.8) + 1}-{STEPS}")
    fig.suptitle(
        f"Trust model, allysim demo's scenarios: {n} replicates each "
        f"({ORGANIZATIONS} organizations, {STEPS} steps)",
        fontsize=10,
    )
    axes[0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=20, help="runs per scenario (>= 3)")
    parser.add_argument(
        "--figure",
        type=Path,
        default=ROOT / "docs" / "img" / "headline_replicates.png",
        help="where to save the figure (default: docs/img/headline_replicates.png)",
    )
    parser.add_argument("--csv", type=Path, default=None, help="also save every run's outputs")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args()
    if args.replicates < DEMO_REPLICATES:
        parser.error(f"--replicates must be at least {DEMO_REPLICATES}, got {args.replicates}")

    start = time.perf_counter()
    jobs = [(s, seed) for s, seeds in replicate_seeds(args.replicates).items() for seed in seeds]
    rows = []
    for scenario, seed in tqdm(jobs, desc="demo runs", unit="run", disable=args.quiet):
        for output, value in tail_means(scenario, seed).items():
            rows.append({"scenario": scenario, "seed": seed, "output": output, "value": value})
    runs = pd.DataFrame(rows)
    elapsed = time.perf_counter() - start
    summary = summarise(runs)
    if args.csv is not None:
        runs.to_csv(args.csv, index=False)
    figure(runs, summary, args.figure)
    with pd.option_context("display.width", 200, "display.float_format", "{:.3f}".format):
        print(
            f"Trust model, the demo's scenarios: {ORGANIZATIONS} organizations, {STEPS} steps, "
            f"{args.replicates} replicates each (0-2 are the demo's); means over the last 20% "
            "of steps; interval: 95% Student t interval of the mean over replicates"
        )
        print(summary.to_string(index=False))
    print(f"\n{len(jobs)} runs in {elapsed:.1f} s; figure: {args.figure}")


if __name__ == "__main__":
    main()
