"""Record Axelrod-Python's play as a fixture, so CI compares allysim with it without installing it.

Writes ``tests/data/axelrod_reference.json`` with

* ``matches``: every ordered pair of the deterministic strategies that Axelrod-Python also
  defines, 200 turns, no noise: both move strings ("CDCD...") and both per-turn scores (one digit
  per turn; the standard payoffs R, S, T, P = 3, 0, 5, 1 are all single digits);
* ``tournament``: Axelrod's ``Tournament`` of ten strategies (those eight plus GTFT and
  RANDOM(0.5)), 200 turns, noise 0.05 (each intended move flipped with probability 0.05, both
  players seeing the flipped move), many repetitions: each player's mean per-turn score over
  its nine opponents (Axelrod's ``normalised_scores``, self-interactions excluded), its standard
  deviation and standard error over repetitions, Axelrod's own ranking (by median) and the
  ranking by mean, and the pairwise mean per-turn payoffs with their standard deviations over
  repetitions (Axelrod's ``payoff_matrix`` and ``payoff_stddevs``, the latter with ddof=0).

``tests/test_axelrod_reference.py`` reads it. Re-running rewrites the fixture; the tournament is
seeded, so the same Axelrod-Python version gives the same file (up to ``recorded_on``).

Axelrod-Python imports torch; install the CPU wheel first (see README), then
``pip install axelrod``. Run from the repository root::

    python benchmarks/record_axelrod.py                 # about 10 minutes on one core
    python benchmarks/record_axelrod.py --repetitions 100 --out /tmp/quick.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
from pathlib import Path

import axelrod as axl
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "data" / "axelrod_reference.json"
GAME = {"R": 3, "S": 0, "T": 5, "P": 1}
TURNS = 200
NOISE = 0.05

# allysim name -> Axelrod-Python player factory. The deterministic ones first, in the order of
# allysim.CLASSIC; the mapping is the one tests/test_kernels.py has used since the first review.
DETERMINISTIC = {
    "ALLC": axl.Cooperator,
    "ALLD": axl.Defector,
    "TFT": axl.TitForTat,
    "STFT": axl.SuspiciousTitForTat,
    "WSLS": axl.WinStayLoseShift,
    "GRIM": axl.Grudger,
    "TF2T": axl.TitFor2Tats,
    "ALTERNATOR": axl.Alternator,
}
# Both sides define these the same way: GTFT's generosity min(1 - (T-R)/(R-S), (R-P)/(T-P))
# = 1/3 from the game (allysim.GTFT, axelrod.GTFT with p=None), and RANDOM(0.5) contributes with
# probability 1/2 every turn, the first included.
STOCHASTIC = {
    "GTFT": axl.GTFT,
    "RANDOM(0.5)": lambda: axl.Random(0.5),
}
TOURNAMENT = {**DETERMINISTIC, **STOCHASTIC}


def axelrod_game() -> axl.Game:
    return axl.Game(r=GAME["R"], s=GAME["S"], t=GAME["T"], p=GAME["P"])


def moves_string(actions) -> str:
    return "".join(str(a) for a in actions)


def scores_string(scores) -> str:
    scores = list(scores)
    if any(s not in range(10) for s in scores):
        raise ValueError(f"per-turn scores must be single digits to store as a string: {scores}")
    return "".join(str(int(s)) for s in scores)


def record_matches() -> list[dict]:
    game = axelrod_game()
    out = []
    for row, make_row in DETERMINISTIC.items():
        for col, make_col in DETERMINISTIC.items():
            match = axl.Match((make_row(), make_col()), turns=TURNS, game=game)
            match.play()
            pairs = match.result
            scores = match.scores()
            out.append(
                {
                    "row": row,
                    "col": col,
                    "row_moves": moves_string(a for a, _ in pairs),
                    "col_moves": moves_string(b for _, b in pairs),
                    "row_scores": scores_string(a for a, _ in scores),
                    "col_scores": scores_string(b for _, b in scores),
                }
            )
    return out


def record_tournament(repetitions: int, seed: int, progress: bool) -> dict:
    names = list(TOURNAMENT)
    players = [make() for make in TOURNAMENT.values()]
    by_label = {str(p): name for p, name in zip(players, names, strict=True)}
    tournament = axl.Tournament(
        players,
        game=axelrod_game(),
        turns=TURNS,
        repetitions=repetitions,
        noise=NOISE,
        seed=seed,
    )
    # processes=None: Axelrod's serial path (its multiprocessing path hung on this machine).
    results = tournament.play(progress_bar=progress, processes=None)
    per_rep = np.asarray(results.normalised_scores, dtype=float)  # (players, repetitions)
    mean = per_rep.mean(axis=1)
    sd = per_rep.std(axis=1, ddof=1)
    se = sd / math.sqrt(repetitions)
    order = sorted(range(len(names)), key=lambda i: -mean[i])
    return {
        "players": names,
        "axelrod_players": [str(p) for p in players],
        "turns": TURNS,
        "noise": NOISE,
        "repetitions": repetitions,
        "seed": seed,
        "self_interactions_in_scores": False,
        "mean_score": mean.tolist(),
        "score_sd": sd.tolist(),
        "score_se": se.tolist(),
        "median_score": np.median(per_rep, axis=1).tolist(),
        "ranking_by_median": [by_label[label] for label in results.ranked_names],
        "ranking_by_mean": [names[i] for i in order],
        "payoff_matrix": np.asarray(results.payoff_matrix, dtype=float).tolist(),
        "payoff_sd": np.asarray(results.payoff_stddevs, dtype=float).tolist(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    args = parser.parse_args(argv)
    if args.repetitions < 2:
        parser.error(f"--repetitions must be at least 2 (standard errors), got {args.repetitions}")

    tournament = record_tournament(args.repetitions, args.seed, args.progress)
    fixture = {
        "source": "Axelrod-Python (https://github.com/Axelrod-Python/Axelrod)",
        "axelrod_version": axl.__version__,
        "recorded_on": datetime.date.today().isoformat(),
        "script": "benchmarks/record_axelrod.py",
        "game": GAME,
        "turns": TURNS,
        "matches": record_matches(),
        "tournament": tournament,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(fixture, indent=1) + "\n")

    print(f"wrote {args.out} (Axelrod-Python {axl.__version__})")
    print(f"{len(fixture['matches'])} deterministic matches of {TURNS} turns")
    print(f"tournament: {args.repetitions} repetitions, noise {NOISE}")
    print(f"{'player':<12} {'mean':>8} {'se':>8}")
    for name, m, s in zip(
        tournament["players"], tournament["mean_score"], tournament["score_se"], strict=True
    ):
        print(f"{name:<12} {m:8.4f} {s:8.5f}")
    print(f"max standard error {max(tournament['score_se']):.5f}")
    print("Axelrod ranking (median):", ", ".join(tournament["ranking_by_median"]))
    print("ranking by mean:        ", ", ".join(tournament["ranking_by_mean"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
