"""Record what allysim.interop.axelrod reads from Axelrod-Python, so CI tests it without axelrod.

Writes ``tests/data/axelrod_interop.json`` with

* ``strategies_total`` and ``families``: how many of ``axelrod.strategies`` (each built with its
  default parameters) convert, by conversion rule, and ``refused``: every other player with the
  reason ``from_axelrod`` gives;
* ``players``: for every player that converts, its Axelrod label and class, the rule, the raw
  Axelrod facts the rule reads (``MemoryOnePlayer``: four-vector and opening move;
  ``Random``: p; ``FSMPlayer``: transitions, initial state and action; ``probed``: the opening
  move and the answer to each one-round history) and the allysim strategy it became;
* ``tournament``: Axelrod's ``Tournament`` of the converted players (the Axelrod originals, not
  the conversions), ``TURNS`` turns, noise ``NOISE`` (each intended move flipped with that
  probability), ``REPETITIONS`` repetitions, seeded: the pairwise mean per-turn payoffs
  (``payoff_matrix``), their standard deviations over repetitions (``payoff_stddevs``,
  ddof=0), and each player's mean per-turn score over its opponents (``normalised_scores``,
  self-interactions excluded) with its standard deviation and standard error.

``tests/test_interop_axelrod.py`` reads it: conversions of stand-in players built from the raw
facts equal the recorded strategies, and allysim's exact round robin agrees with the recorded
tournament within sampling error. Re-running rewrites the fixture; the tournament is seeded, so
the same Axelrod-Python version gives the same file (up to ``recorded_on``).

Axelrod-Python imports torch: ``pip install torch==2.13.0`` (the CPU wheel) first, then
``pip install 'axelrod>=4.13'``. Run from the repository root::

    python benchmarks/record_axelrod_interop.py                  # about 5 minutes on one core
    python benchmarks/record_axelrod_interop.py --repetitions 20 --out /tmp/quick.json
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import axelrod as axl
import numpy as np

from allysim import FiniteStateStrategy, MemoryOne
from allysim.interop import NotConvertibleError, axelrod_family, from_axelrod

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "data" / "axelrod_interop.json"
GAME = {"R": 3, "S": 0, "T": 5, "P": 1}
TURNS = 50
NOISE = 0.05
REPETITIONS = 50


def all_players() -> list[Any]:
    """One player per class in ``axelrod.strategies``, default parameters."""
    with warnings.catch_warnings():
        # Several classes warn that they use defaults; that is what is recorded.
        warnings.simplefilter("ignore")
        return [cls() for cls in axl.strategies]


def convert_all(players: list[Any]) -> tuple[list[tuple[Any, str, Any]], list[dict[str, str]]]:
    """Split players into (player, family, strategy) triples and refusals with reasons."""
    converted, refused = [], []
    for player in players:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                strategy = from_axelrod(player)
                converted.append((player, axelrod_family(player), strategy))
        except NotConvertibleError as exc:
            refused.append({"player": str(player), "reason": str(exc)})
    return converted, refused


def raw_facts(player: Any, family: str) -> dict[str, Any]:
    """The Axelrod attributes (or probed answers) the conversion rule reads."""
    if family == "MemoryOnePlayer":
        fresh = player.clone()
        vec = {"".join(str(a) for a in k): float(v) for k, v in fresh._four_vector.items()}
        return {
            "four_vector": [vec[k] for k in ("CC", "CD", "DC", "DD")],
            "initial": str(fresh._initial),
        }
    if family == "Random":
        return {"p": float(player.p)}
    if family == "FSMPlayer":
        fresh = player.clone()
        return {
            "transitions": [
                [s, str(a), n, str(m)] for (s, a), (n, m) in fresh.fsm.state_transitions.items()
            ],
            "initial_state": fresh.initial_state,
            "initial_action": str(fresh.initial_action),
        }
    # Played directly (not read back from the conversion): the opening move, and the answer
    # after each one-round history made by a scripted partner.
    answers = {}
    for key in ("", "CC", "CD", "DC", "DD"):
        me, partner = player.clone(), axl.Cooperator()
        move = me.strategy(partner)
        if key:
            mine, theirs = (axl.Action.C if x == "C" else axl.Action.D for x in key)
            me.update_history(mine, theirs)
            partner.update_history(theirs, mine)
            move = me.strategy(partner)
        answers[key] = str(move)
    return {
        "answers": answers,
        "memory_depth": player.classifier["memory_depth"],
        "makes_use_of": sorted(player.classifier.get("makes_use_of", ()) or ()),
    }


def strategy_json(strategy: MemoryOne | FiniteStateStrategy) -> dict[str, Any]:
    if isinstance(strategy, MemoryOne):
        return {"kind": "memory-one", "p": list(strategy.p), "p0": strategy.p0}
    return {
        "kind": "finite-state",
        "output": list(strategy.output),
        "next_state": [[list(row) for row in state] for state in strategy.next_state],
        "initial": strategy.initial,
    }


def record_tournament(players: list[Any], repetitions: int, seed: int, progress: bool) -> dict:
    labels = [str(p) for p in players]
    tournament = axl.Tournament(
        [p.clone() for p in players],
        game=axl.Game(r=GAME["R"], s=GAME["S"], t=GAME["T"], p=GAME["P"]),
        turns=TURNS,
        repetitions=repetitions,
        noise=NOISE,
        seed=seed,
    )
    # processes=None: Axelrod's serial path (its multiprocessing path hung on this machine).
    results = tournament.play(progress_bar=progress, processes=None)
    per_rep = np.asarray(results.normalised_scores, dtype=float)  # (players, repetitions)
    sd = per_rep.std(axis=1, ddof=1)
    return {
        "players": labels,
        "turns": TURNS,
        "noise": NOISE,
        "repetitions": repetitions,
        "seed": seed,
        "self_interactions_in_scores": False,
        "mean_score": per_rep.mean(axis=1).tolist(),
        "score_sd": sd.tolist(),
        "score_se": (sd / math.sqrt(repetitions)).tolist(),
        "payoff_matrix": np.asarray(results.payoff_matrix, dtype=float).tolist(),
        "payoff_sd": np.asarray(results.payoff_stddevs, dtype=float).tolist(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=REPETITIONS)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    args = parser.parse_args(argv)
    if args.repetitions < 2:
        parser.error(f"--repetitions must be at least 2 (standard errors), got {args.repetitions}")

    players = all_players()
    converted, refused = convert_all(players)
    families = collections.Counter(family for _, family, _ in converted)
    tournament = record_tournament(
        [p for p, _, _ in converted], args.repetitions, args.seed, args.progress
    )
    fixture = {
        "source": "Axelrod-Python (https://github.com/Axelrod-Python/Axelrod)",
        "axelrod_version": axl.__version__,
        "recorded_on": datetime.date.today().isoformat(),
        "script": "benchmarks/record_axelrod_interop.py",
        "game": GAME,
        "strategies_total": len(players),
        "families": dict(sorted(families.items())),
        "players": [
            {
                "label": str(p),
                "class": type(p).__name__,
                "family": family,
                "axelrod": raw_facts(p, family),
                "allysim": strategy_json(s),
            }
            for p, family, s in converted
        ],
        "refused": refused,
        "tournament": tournament,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(fixture, indent=1) + "\n")

    print(f"wrote {args.out} (Axelrod-Python {axl.__version__})")
    print(f"{len(converted)} of {len(players)} strategies convert: {dict(families)}")
    print(f"tournament: {args.repetitions} repetitions, {TURNS} turns, noise {NOISE}")
    print(f"max score standard error {max(tournament['score_se']):.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
