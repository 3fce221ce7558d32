"""How many Axelrod-Python strategies convert to allysim, and allysim's exact round robin against
Axelrod's Tournament on them.

Every class in ``axelrod.strategies`` is built with its default parameters and passed to
``allysim.interop.from_axelrod``; the count is printed by conversion rule with the refusals'
reasons grouped. Then the converted set plays a round robin both ways, same game (3, 0, 5, 1),
turns and noise (each intended move flipped with probability ``noise``):

* allysim: ``round_robin(..., method="exact")``, the exact expected payoffs (what infinitely
  many repetitions would average to); the same numbers from ``expected_payoffs`` called once
  per pair of machine sizes (``round_robin`` groups the machines by size the same way); and
  ``method="simulate"`` with the same repetitions;
* Axelrod-Python: ``Tournament(...).play(processes=None)`` (its serial path) of the original
  players, ``--repetitions`` repetitions.

The ratio printed is Axelrod's time over allysim's. Axelrod's time grows with the repetitions,
allysim's exact time does not; the last column says how many repetitions Axelrod needs for a
standard error of 0.01 on the noisiest score.

Needs Axelrod-Python (torch's CPU wheel first, then ``pip install 'axelrod>=4.13'``)::

    python benchmarks/bench_axelrod_interop.py                 # about 20 s
    python benchmarks/bench_axelrod_interop.py --turns 200 --repetitions 2
"""

from __future__ import annotations

import argparse
import collections
import math
import re
import sys
import time
import warnings

import axelrod as axl
import numpy as np

from allysim import PrisonersDilemma, expected_payoffs, round_robin
from allysim.interop import NotConvertibleError, axelrod_family, from_axelrod


def convert_all():
    converted, refused = [], collections.Counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cls in axl.strategies:
            player = cls()
            try:
                converted.append((player, axelrod_family(player), from_axelrod(player)))
            except NotConvertibleError as exc:
                # Group by the reason, without the player's label and numbers.
                reason = str(exc).split(": ", 1)[-1] if ": " in str(exc) else str(exc)
                for label in (str(player), *str(player).split(": ")):
                    reason = reason.replace(label + ": ", "")
                refused[re.sub(r"\(.*?\)|[\d.]+", "#", reason)[:90]] += 1
    return converted, refused


def grouped_exact(strategies, game, **play):
    """Row payoffs of every pair, one exact call per pair of machine sizes (no padding)."""
    groups = collections.defaultdict(list)
    for i, s in enumerate(strategies):
        groups[s.to_finite_state().n_states].append(i)
    out = np.empty((len(strategies),) * 2)
    for a in groups.values():
        for b in groups.values():
            row, _ = expected_payoffs(
                [strategies[i] for i in a], [strategies[j] for j in b], game, **play
            )
            out[np.ix_(a, b)] = row
    return out


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--skip-round-robin",
        action="store_true",
        help="time only the grouped exact call, not round_robin(method='exact')",
    )
    args = parser.parse_args(argv)

    (converted, refused), t_convert = timed(convert_all)
    total = len(axl.strategies)
    families = collections.Counter(family for _, family, _ in converted)
    print(f"Axelrod-Python {axl.__version__}: {len(converted)} of {total} strategies convert")
    for family, n in families.most_common():
        print(f"  {family:<16} {n:4d}")
    print(f"  {'refused':<16} {total - len(converted):4d}, by reason:")
    for reason, n in refused.most_common():
        print(f"    {n:4d}  {reason}")
    print(f"conversion of all {total}: {t_convert:.2f} s\n")

    players = [p for p, _, _ in converted]
    strategies = [s for _, _, s in converted]
    game = PrisonersDilemma(R=3, S=0, T=5, P=1)
    n = len(players)
    kw = {"rounds": args.turns, "noise": args.noise, "self_play": False}
    grouped, t_grouped = timed(
        lambda: grouped_exact(strategies, game, rounds=args.turns, noise=args.noise)
    )
    t_exact = float("nan")
    if not args.skip_round_robin:
        exact, t_exact = timed(lambda: round_robin(strategies, game, **kw))
        assert np.allclose(grouped, exact.payoff_matrix, atol=1e-10)
    exact_scores = (grouped.sum(axis=1) - np.diag(grouped)) / (n - 1)
    _, t_sim = timed(
        lambda: round_robin(
            strategies,
            game,
            method="simulate",
            repetitions=args.repetitions,
            seed=args.seed,
            **kw,
        )
    )
    tournament = axl.Tournament(
        [p.clone() for p in players],
        game=axl.Game(r=3, s=0, t=5, p=1),
        turns=args.turns,
        repetitions=args.repetitions,
        noise=args.noise,
        seed=args.seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results, t_axl = timed(lambda: tournament.play(progress_bar=False, processes=None))
    per_rep = np.asarray(results.normalised_scores, dtype=float)
    sd = float(per_rep.std(axis=1, ddof=1).max()) if args.repetitions > 1 else float("nan")
    needed = math.ceil((sd / 0.01) ** 2) if np.isfinite(sd) else float("nan")
    worst = float(np.max(np.abs(exact_scores - per_rep.mean(axis=1))))

    print(
        f"round robin of the {n} converted strategies: {n * (n + 1) // 2} pairs, "
        f"{args.turns} turns, noise {args.noise}"
    )
    header = f"{'engine':<42} {'reps':>5} {'time (s)':>10} {'Axelrod / this':>15}"
    print(header)
    print("-" * len(header))
    rows = [
        ("allysim round_robin, exact", "exact", t_exact),
        ("allysim expected_payoffs, grouped by size", "exact", t_grouped),
        ("allysim round_robin, simulate", str(args.repetitions), t_sim),
        ("Axelrod-Python Tournament (serial)", str(args.repetitions), t_axl),
    ]
    for name, reps, t in rows:
        if np.isnan(t):
            print(f"{name:<42} {reps:>5} {'skipped':>10} {'skipped':>15}")
        else:
            print(f"{name:<42} {reps:>5} {t:10.3f} {t_axl / t:15.1f}")
    # Finite-state pairs always run on numpy, and expected_payoffs' "auto" sends memory-one
    # pairs to numba only from 50,000 pairs per call (here at most 27 x 27); round_robin's
    # simulation has no backend argument and plays on numpy.
    print("backends: numpy for every allysim row")
    print(
        f"\nAxelrod per repetition: {t_axl / args.repetitions:.2f} s, "
        f"{t_axl / args.repetitions / t_grouped:.2f}x allysim's grouped exact run"
    )
    t_needed = t_axl / args.repetitions * needed
    print(
        f"Axelrod needs about {needed} repetitions for a standard error of 0.01 on its "
        f"noisiest score (sd {sd:.3f}); that would take about {t_needed:.0f} s, "
        f"{t_needed / t_grouped:.0f}x allysim's grouped exact run"
    )
    print(f"largest |allysim exact - Axelrod mean| score difference: {worst:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
