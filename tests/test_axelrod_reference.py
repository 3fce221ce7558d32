"""allysim against Axelrod-Python's recorded play (tests/data/axelrod_reference.json).

The fixture is written by ``benchmarks/record_axelrod.py`` with Axelrod-Python installed; these
tests need neither Axelrod-Python nor torch.

* Deterministic strategies, every ordered pair, 200 turns, no noise: allysim's moves and per-turn
  scores equal Axelrod's turn for turn.
* Axelrod's noisy tournament (ten strategies, 200 turns, each intended move flipped with
  probability 0.05, many repetitions): allysim's exact expected scores lie within 3 standard
  errors of Axelrod's Monte Carlo means, and the rankings agree up to swaps of players whose
  Axelrod means are statistically indistinguishable.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from allysim import (
    ALLC,
    ALLD,
    ALTERNATOR,
    GRIM,
    GTFT,
    RANDOM,
    STFT,
    TF2T,
    TFT,
    WSLS,
    PrisonersDilemma,
    expected_payoffs,
    round_robin,
    simulate,
)

REF = json.loads((Path(__file__).parent / "data" / "axelrod_reference.json").read_text())
GAME = PrisonersDilemma(**REF["game"])
TURNS = REF["turns"]
DETERMINISTIC = [ALLC, ALLD, TFT, STFT, WSLS, GRIM, TF2T, ALTERNATOR]
STRATEGIES = {s.name: s for s in [*DETERMINISTIC, GTFT(GAME), RANDOM(0.5)]}
NAMES = [s.name for s in DETERMINISTIC]
MATCHES = REF["matches"]
TOUR = REF["tournament"]


def _moves(coop: np.ndarray) -> str:
    return "".join("C" if c else "D" for c in coop)


def _per_turn_scores(own: np.ndarray, other: np.ndarray) -> list[float]:
    # Outcome index from the focal side, C = 0: 2 * own_move + other_move (CC, CD, DC, DD).
    pv = GAME.payoff_vector
    return [pv[2 * int(not a) + int(not b)] for a, b in zip(own, other, strict=True)]


@pytest.fixture(scope="module")
def history():
    sim = simulate(DETERMINISTIC, DETERMINISTIC, GAME, rounds=TURNS, history=True, seed=0)
    return sim


def test_fixture_holds_every_ordered_pair_once():
    pairs = [(m["row"], m["col"]) for m in MATCHES]
    assert sorted(pairs) == sorted((x, y) for x in NAMES for y in NAMES)
    for m in MATCHES:
        assert all(len(m[k]) == TURNS for k in ("row_moves", "col_moves", "row_scores"))
    assert REF["game"] == {"R": 3, "S": 0, "T": 5, "P": 1}


@pytest.mark.parametrize("match", MATCHES, ids=[f"{m['row']}-{m['col']}" for m in MATCHES])
def test_deterministic_match_equals_axelrod_turn_for_turn(match, history):
    i, j = NAMES.index(match["row"]), NAMES.index(match["col"])
    h = history.history[i, j, 0]
    row, col = h[:, 0], h[:, 1]
    assert _moves(row) == match["row_moves"]
    assert _moves(col) == match["col_moves"]
    row_scores = _per_turn_scores(row, col)
    col_scores = _per_turn_scores(col, row)
    assert row_scores == [int(c) for c in match["row_scores"]]
    assert col_scores == [int(c) for c in match["col_scores"]]
    # The simulator's and the exact kernel's mean payoffs are the same totals.
    total_row, total_col = sum(row_scores), sum(col_scores)
    assert history.row_payoffs[i, j, 0] * TURNS == pytest.approx(total_row, abs=1e-9)
    assert history.col_payoffs[i, j, 0] * TURNS == pytest.approx(total_col, abs=1e-9)
    ex_row, ex_col = expected_payoffs(
        STRATEGIES[match["row"]], STRATEGIES[match["col"]], GAME, rounds=TURNS
    )
    assert ex_row[0, 0] * TURNS == pytest.approx(total_row, abs=1e-9)
    assert ex_col[0, 0] * TURNS == pytest.approx(total_col, abs=1e-9)


# ---------------------------------------------------------------------------- noisy tournament


def _allysim_tournament(**kw):
    players = [STRATEGIES[name] for name in TOUR["players"]]
    return round_robin(players, GAME, rounds=TOUR["turns"], **kw)


def test_fixture_tournament_is_precise_enough():
    # Item 6 asked for Axelrod means with standard errors below 0.005.
    assert TOUR["noise"] == 0.05
    assert TOUR["turns"] == TURNS
    assert TOUR["self_interactions_in_scores"] is False
    assert max(TOUR["score_se"]) < 0.005
    se = np.array(TOUR["score_sd"]) / math.sqrt(TOUR["repetitions"])
    assert np.allclose(se, TOUR["score_se"])


def test_noisy_tournament_scores_match_axelrod():
    res = _allysim_tournament(noise=TOUR["noise"], self_play=False)
    diff = res.scores - np.array(TOUR["mean_score"])
    se = np.array(TOUR["score_se"])
    assert np.all(np.abs(diff) <= 3 * se), dict(zip(TOUR["players"], diff / se, strict=True))


def test_noisy_tournament_pair_payoffs_match_axelrod():
    # 100 cells (self-play included: Axelrod plays it, only its scores leave it out). At 4.5
    # standard errors a correct kernel fails a cell with probability 7e-6, all 100 with < 1e-3.
    # The recorded tournament's widest cell is STFT against ALLC at 4.1 SE (mean z^2 over the
    # cells is 1.05); 30,000 separate Axelrod matches of that pair gave 3.04345 +- 0.00021
    # against allysim's exact 3.04359.
    res = _allysim_tournament(noise=TOUR["noise"], self_play=False)
    se = np.array(TOUR["payoff_sd"]) / math.sqrt(TOUR["repetitions"])
    z = (res.payoff_matrix - np.array(TOUR["payoff_matrix"])) / se
    assert np.all(np.abs(z) <= 4.5), np.round(z, 1)


def test_noise_is_execution_noise_as_in_axelrod():
    # Axelrod flips the intended move and both players see the flipped move: allysim's `noise`.
    # Misreading the partner's move instead (perception noise) is far outside the same band,
    # so the comparison above does tell the two apart.
    res = _allysim_tournament(perception_noise=TOUR["noise"], self_play=False)
    se = np.array(TOUR["payoff_sd"]) / math.sqrt(TOUR["repetitions"])
    z = (res.payoff_matrix - np.array(TOUR["payoff_matrix"])) / se
    assert np.max(np.abs(z)) > 20


def _swaps(order_a: list[str], order_b: list[str]) -> list[tuple[str, str]]:
    """Pairs ranked one way in ``order_a`` and the other way in ``order_b``."""
    pos = {name: k for k, name in enumerate(order_b)}
    return [(x, y) for k, x in enumerate(order_a) for y in order_a[k + 1 :] if pos[x] > pos[y]]


def test_noisy_tournament_ranking_matches_axelrod():
    res = _allysim_tournament(noise=TOUR["noise"], self_play=False)
    ours = res.ranking["strategy"].tolist()
    mean = dict(zip(TOUR["players"], TOUR["mean_score"], strict=True))
    se = dict(zip(TOUR["players"], TOUR["score_se"], strict=True))
    for x, y in _swaps(ours, TOUR["ranking_by_mean"]):
        # A swap is allowed only where Axelrod's own estimate cannot order the two.
        assert abs(mean[x] - mean[y]) <= 3 * math.hypot(se[x], se[y]), (x, y, ours)
