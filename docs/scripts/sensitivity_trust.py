"""Morris screening of the trust model's headline outputs (the table and figure in
docs/sensitivity.md).

Run from the repository root: ``python docs/scripts/sensitivity_trust.py``. It prints the
``mu_star`` table with its 95% intervals and the ranking of each output, and writes
docs/images/sensitivity_trust.png. 20 trajectories (6 levels) x 11 points x 2 replicates =
440 runs of 100 organizations over 200 steps (about 50 s of CPU; n_jobs=2 spreads them
over both cores).
"""

import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from allysim.sensitivity import sensitivity_analysis

BOUNDS = {
    "stage_min_steps": (0.5, 6.5),  # integers 1..6, one per Morris level
    "exit_threshold": (0.1, 0.5),
    "continuation": (0.8, 0.98),
    "perception_noise": (0.0, 0.15),
    "trust_to_contribute": (0.2, 0.6),
    "forgetting": (0.8, 1.0),
    "prior_strength": (0.5, 5.0),
    "attribution_discount": (0.0, 0.95),
    "search_rate": (0.2, 0.8),
    "selection": (0.1, 5.0),
}


def markdown(frame):
    """A DataFrame as a Markdown table (without the optional tabulate package)."""
    head = "| | " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|---" * (len(frame.columns) + 1) + "|"
    body = [
        "| " + str(i) + " | " + " | ".join(map(str, row)) + " |"
        for i, row in zip(frame.index, frame.to_numpy().tolist(), strict=True)
    ]
    return "\n".join([head, rule, *body])


if __name__ == "__main__":
    start = time.perf_counter()
    result = sensitivity_analysis(
        BOUNDS,
        method="morris",
        samples=20,
        num_levels=6,
        replicates=2,
        n_organizations=100,
        steps=200,
        burn_in=100,
        seed=2024,
        n_jobs=2,
        progress=False,
    )
    elapsed = time.perf_counter() - start
    print(f"{result.runs} runs in {elapsed:.0f} s")
    mu = result.table("mu_star")
    conf = result.table("mu_star_conf")
    sigma = result.table("sigma")
    shown = mu.round(3).astype(str) + " ± " + conf.round(3).astype(str)
    print("mu_star ± 95% interval half-width")
    print(markdown(shown))
    print("sigma")
    print(markdown(sigma.round(3)))
    print("output ranges over the design")
    print(markdown(result.samples[list(result.outputs)].describe().round(3)))
    for output in result.outputs:
        print(output, result.ranking(output)[:4])
    axes = result.plot()
    root = Path(__file__).resolve().parents[1]
    axes[0].figure.savefig(root / "images" / "sensitivity_trust.png", dpi=110)
