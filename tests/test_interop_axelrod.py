"""allysim.interop.axelrod: Axelrod-Python players as allysim strategies and back.

Two parts.

* Without Axelrod-Python (CI): stand-in players rebuilt from the facts recorded in
  tests/data/axelrod_interop.json (written by benchmarks/record_axelrod_interop.py) convert to
  the recorded strategies; the Mealy-to-Moore construction for Axelrod's machines plays the
  same moves as the stand-in machine on random noisy histories; allysim's exact round robin of
  the converted strategies agrees with Axelrod's recorded noisy tournament of the originals
  within sampling error; refusals raise errors naming the player.
* With Axelrod-Python installed (skipped otherwise): every player of ``axelrod.strategies``
  that converts does so as recorded, round-trips (``from_axelrod(to_axelrod(s)) == s``, and
  ``to_axelrod(from_axelrod(p))`` plays the same moves as ``p`` in seeded noisy matches), and
  allysim's exact expected payoff lies within 4 standard errors of the mean of Axelrod matches.
"""

from __future__ import annotations

import collections
import contextlib
import enum
import itertools
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allysim import (
    GRIM,
    TF2T,
    FiniteStateStrategy,
    MemoryOne,
    PrisonersDilemma,
    StageGame,
    deterministic_memory_one,
    expected_payoffs,
    round_robin,
)
from allysim.interop import NotConvertibleError, axelrod_family, from_axelrod, to_axelrod
from allysim.interop import axelrod as interop

REF = json.loads((Path(__file__).parent / "data" / "axelrod_interop.json").read_text())
GAME = PrisonersDilemma(**REF["game"])
PLAYERS = REF["players"]
TOUR = REF["tournament"]
LABELS = [p["label"] for p in PLAYERS]


# ------------------------------------------------------------------ stand-ins for Axelrod players


class Action(enum.Enum):
    C = "C"
    D = "D"

    def __str__(self) -> str:
        return self.value


C, D = Action.C, Action.D
ACT = {"C": C, "D": D}


class StandIn:
    """Just the parts of ``axelrod.Player`` that allysim.interop reads."""

    name = "stand-in"
    classifier: ClassVar[dict[str, Any]] = {
        "memory_depth": 1,
        "stochastic": False,
        "makes_use_of": set(),
    }

    def __init__(self, label: str = "stand-in", **kwargs: Any) -> None:
        self.label = label
        self.kwargs = kwargs
        self.classifier = dict(type(self).classifier)
        self.history: list[Action] = []
        self.setup(**kwargs)

    def setup(self, **kwargs: Any) -> None:
        pass

    def clone(self) -> StandIn:
        return type(self)(self.label, **self.kwargs)

    def update_history(self, play: Action, coplay: Action) -> None:
        self.history.append(play)

    def __str__(self) -> str:
        return self.label

    def strategy(self, opponent: Any) -> Action:
        raise NotImplementedError


class MemoryOnePlayer(StandIn):
    classifier: ClassVar[dict[str, Any]] = {
        "memory_depth": 1,
        "stochastic": True,
        "makes_use_of": set(),
    }

    def setup(self, four_vector, initial):  # type: ignore[override]
        keys = itertools.product((C, D), repeat=2)
        self._four_vector = dict(zip(keys, four_vector, strict=True))
        self._initial = ACT[initial]

    def strategy(self, opponent):
        if not opponent.history:
            return self._initial
        p = self._four_vector[(self.history[-1], opponent.history[-1])]
        return C if p == 1 else D  # stochastic draws are not needed to read the vector


class Random(StandIn):
    classifier: ClassVar[dict[str, Any]] = {
        "memory_depth": 0,
        "stochastic": True,
        "makes_use_of": set(),
    }

    def setup(self, p):  # type: ignore[override]
        self.p = p

    def strategy(self, opponent):
        return C if self.p >= 0.5 else D


class SimpleFSM:
    def __init__(self, transitions, initial_state):
        self.state = initial_state
        self.state_transitions = {(s, ACT[a]): (n, ACT[m]) for s, a, n, m in transitions}

    def move(self, their: Action) -> Action:
        self.state, action = self.state_transitions[(self.state, their)]
        return action


class FSMPlayer(StandIn):
    def setup(self, transitions, initial_state, initial_action):  # type: ignore[override]
        self.fsm = SimpleFSM(transitions, initial_state)
        self.initial_state = initial_state
        self.initial_action = ACT[initial_action]

    def strategy(self, opponent):
        if not self.history:
            return self.initial_action
        return self.fsm.move(opponent.history[-1])


class Answers(StandIn):
    """A deterministic player answering from a table of one-round histories."""

    def setup(self, answers):  # type: ignore[override]
        self.answers = answers

    def strategy(self, opponent):
        if not self.history:
            return ACT[self.answers[""]]
        return ACT[self.answers[str(self.history[-1]) + str(opponent.history[-1])]]


class Cycler(StandIn):
    """Plays C, D, C, D, ... whatever happens (Axelrod's CyclerDC class says memory depth 1)."""

    def strategy(self, opponent):
        return (C, D)[len(self.history) % 2]


def stand_in(record: dict[str, Any]) -> StandIn:
    raw, label = record["axelrod"], record["label"]
    family = record["family"]
    if family == "MemoryOnePlayer":
        return MemoryOnePlayer(label, four_vector=raw["four_vector"], initial=raw["initial"])
    if family == "Random":
        return Random(label, p=raw["p"])
    if family == "FSMPlayer":
        return FSMPlayer(
            label,
            transitions=raw["transitions"],
            initial_state=raw["initial_state"],
            initial_action=raw["initial_action"],
        )
    return Answers(label, answers=raw["answers"])


def recorded_strategy(record: dict[str, Any]) -> MemoryOne | FiniteStateStrategy:
    s = record["allysim"]
    if s["kind"] == "memory-one":
        return MemoryOne(tuple(s["p"]), p0=s["p0"], name=record["label"])
    return FiniteStateStrategy(s["output"], s["next_state"], s["initial"], record["label"])


STRATEGIES = [recorded_strategy(p) for p in PLAYERS]


# ---------------------------------------------------------------- fixture facts, no axelrod needed


def test_fixture_counts_are_consistent():
    fam = REF["families"]
    assert sum(fam.values()) == len(PLAYERS)
    assert len(PLAYERS) + len(REF["refused"]) == REF["strategies_total"]
    assert {p["family"] for p in PLAYERS} <= {"MemoryOnePlayer", "Random", "FSMPlayer", "probed"}
    assert TOUR["players"] == LABELS
    assert len(set(LABELS)) == len(LABELS)
    # Axelrod's own Grudger and Tit For 2 Tats have memory depth > 1 and are not FSMs.
    refused = {r["player"] for r in REF["refused"]}
    assert {"Grudger", "Tit For 2 Tats"} <= refused


@pytest.mark.parametrize("record", PLAYERS, ids=LABELS)
def test_stand_in_converts_to_recorded_strategy(record):
    player = stand_in(record)
    assert axelrod_family(player) == record["family"]
    assert from_axelrod(player) == recorded_strategy(record)


def _mealy_moves(player: FSMPlayer, theirs: list[int], flips: list[bool]) -> list[int]:
    """Moves of an Axelrod-style machine against a partner, own moves flipped by noise."""
    me = player.clone()
    partner = StandIn("partner")
    moves = []
    for their, flip in zip(theirs, flips, strict=True):
        move = me.strategy(partner)
        if flip:
            move = D if move is C else C
        moves.append(0 if move is C else 1)
        me.update_history(move, ACT["CD"[their]])
        partner.update_history(ACT["CD"[their]], move)
    return moves


def _moore_moves(machine: FiniteStateStrategy, theirs: list[int], flips: list[bool]) -> list[int]:
    state, moves = machine.initial, []
    for their, flip in zip(theirs, flips, strict=True):
        move = int(machine.output[state] == 0.0) ^ int(flip)
        moves.append(move)
        state = machine.next_state[state][move][their]
    return moves


FSM_RECORDS = [p for p in PLAYERS if p["family"] == "FSMPlayer"]


@given(
    k=st.integers(0, len(FSM_RECORDS) - 1),
    theirs=st.lists(st.integers(0, 1), min_size=1, max_size=40),
    data=st.data(),
)
def test_fsm_conversion_plays_the_machine_moves_under_noise(k, theirs, data):
    # The Moore machine built from (state, move about to be played) plays exactly the Mealy
    # machine's moves, including after execution errors (flips), which Axelrod's machines
    # ignore because they read only the partner's moves.
    flips = data.draw(st.lists(st.booleans(), min_size=len(theirs), max_size=len(theirs)))
    player = stand_in(FSM_RECORDS[k])
    machine = from_axelrod(player)
    assert isinstance(machine, FiniteStateStrategy)
    assert _moore_moves(machine, theirs, flips) == _mealy_moves(player, theirs, flips)


@given(bits=st.tuples(*[st.integers(0, 1)] * 5))
def test_probing_reads_any_deterministic_memory_one_table(bits):
    answers = dict(zip(("", "CC", "CD", "DC", "DD"), ("CD"[1 - b] for b in bits), strict=True))
    got = from_axelrod(Answers("probe", answers=answers))
    assert got == MemoryOne(tuple(float(b) for b in bits[1:]), p0=float(bits[0]), name="probe")


# ------------------------------------------------------------------------------ refusals


def test_refuses_longer_memory_naming_the_player():
    p = Answers("Grudgerish", answers=dict.fromkeys(("", "CC", "CD", "DC", "DD"), "C"))
    p.classifier["memory_depth"] = float("inf")
    with pytest.raises(NotConvertibleError, match=r"^Grudgerish: .*memory depth is inf"):
        from_axelrod(p)


def test_refuses_stochastic_players_outside_the_families():
    p = Answers("Coin", answers=dict.fromkeys(("", "CC", "CD", "DC", "DD"), "C"))
    p.classifier["stochastic"] = True
    with pytest.raises(NotConvertibleError, match=r"^Coin: stochastic with memory depth 1"):
        from_axelrod(p)


@pytest.mark.parametrize("key", ["inspects_source", "manipulates_source", "manipulates_state"])
def test_refuses_cheaters(key):
    p = Answers("Cheat", answers=dict.fromkeys(("", "CC", "CD", "DC", "DD"), "C"))
    p.classifier[key] = True
    with pytest.raises(NotConvertibleError, match=rf"^Cheat: .*{key}"):
        from_axelrod(p)


def test_refuses_players_using_the_match_length():
    p = Answers("Ender", answers=dict.fromkeys(("", "CC", "CD", "DC", "DD"), "C"))
    p.classifier["makes_use_of"] = {"length"}
    with pytest.raises(NotConvertibleError, match=r"^Ender: it uses the match length"):
        from_axelrod(p)


def test_probing_catches_a_classifier_that_understates_memory():
    # Cycler ignores the history, so its move after CC depends on the round: not memory-one.
    with pytest.raises(NotConvertibleError, match=r"^Cycler DC: its move after .* differs"):
        from_axelrod(Cycler("Cycler DC"))


def test_a_memory_one_subclass_with_its_own_strategy_is_probed_not_read():
    class Overrides(MemoryOnePlayer):
        def strategy(self, opponent):
            return D

    p = Overrides("Override", four_vector=(1, 1, 1, 1), initial="C")
    p.classifier["stochastic"] = False
    assert axelrod_family(p) == "probed"
    assert from_axelrod(p) == MemoryOne((0, 0, 0, 0), p0=0, name="Override")


@pytest.mark.parametrize("bad", [None, 3, "TFT", GRIM])
def test_non_players_raise_type_error(bad):
    with pytest.raises(TypeError, match="player must be an Axelrod-Python Player"):
        from_axelrod(bad)


def test_bad_arguments_raise_naming_the_parameter():
    p = stand_in(PLAYERS[0])
    with pytest.raises(ValueError, match="probe_depth"):
        from_axelrod(p, probe_depth=1)
    with pytest.raises(TypeError, match="game"):
        from_axelrod(p, game="PD")
    with pytest.raises(TypeError, match="strategy must be"):
        to_axelrod(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown strategy name"):
        to_axelrod("NOPE")


def test_to_axelrod_without_axelrod_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "axelrod", None)
    monkeypatch.setattr(interop, "_PLAYER_CLASS", None)
    with pytest.raises(ImportError, match=r"torch.*axelrod>=4.13"):
        to_axelrod("TFT")


def test_asymmetric_game_is_refused():
    asym = StageGame([[3, 0], [5, 1]], [[2, 5], [0, 1]])
    with pytest.raises(ValueError, match="symmetric 2x2"):
        from_axelrod(stand_in(PLAYERS[0]), game=asym)


# ---------------------------------------------------- recorded noisy tournament against exact


def exact_payoff_matrix(strategies, **play) -> np.ndarray:
    """Row payoffs of every ordered pair, one exact call per pair of machine sizes.

    round_robin pads every machine to the largest one (22 states here, so 484 joint states for
    every pair) and takes minutes on this set; grouping by size gives the same numbers in
    seconds.
    """
    groups = collections.defaultdict(list)
    for i, s in enumerate(strategies):
        groups[s.to_finite_state().n_states].append(i)
    out = np.full((len(strategies),) * 2, np.nan)
    for a in groups.values():
        for b in groups.values():
            row, _ = expected_payoffs(
                [strategies[i] for i in a], [strategies[j] for j in b], GAME, **play
            )
            out[np.ix_(a, b)] = row
    return out


PLAY = {"rounds": TOUR["turns"], "noise": TOUR["noise"]}


@pytest.fixture(scope="module")
def exact_tournament():
    payoff = exact_payoff_matrix(STRATEGIES, **PLAY)
    n = len(STRATEGIES)
    # Axelrod's normalised scores leave self-interactions out.
    scores = (payoff.sum(axis=1) - np.diag(payoff)) / (n - 1)
    return payoff, scores


def test_grouped_exact_matrix_is_round_robins():
    small = [s for s in STRATEGIES if s.to_finite_state().n_states <= 5][:12]
    res = round_robin(small, GAME, self_play=False, **PLAY)
    assert np.allclose(exact_payoff_matrix(small, **PLAY), res.payoff_matrix, atol=1e-12)


def test_recorded_tournament_scores_match_exact_round_robin(exact_tournament):
    # Per player, 4 standard errors: a correct kernel fails one of the 44 with probability
    # 44 * 6.3e-5 < 0.3%.
    diff = exact_tournament[1] - np.array(TOUR["mean_score"])
    z = diff / np.array(TOUR["score_se"])
    assert np.all(np.abs(z) <= 4), dict(zip(LABELS, np.round(z, 1), strict=True))


def _pair_z(payoff: np.ndarray) -> np.ndarray:
    return _pair_z_at(payoff, list(range(len(LABELS))))


def _pair_z_at(payoff: np.ndarray, idx: list[int]) -> np.ndarray:
    """z-scores of ``payoff`` against Axelrod's cells between the players ``idx``."""
    cells = np.ix_(idx, idx)
    se = np.array(TOUR["payoff_sd"])[cells] / math.sqrt(TOUR["repetitions"])
    return (payoff - np.array(TOUR["payoff_matrix"])[cells]) / se


def test_recorded_tournament_pair_payoffs_match_exact_round_robin(exact_tournament):
    # Every cell (self-play included) within 5 standard errors: with ~1900 cells a correct
    # kernel fails one with probability < 0.2%. And the mean of z^2 near 1 (its standard
    # error is about sqrt(2 / cells) = 0.03; the sd is estimated from 50 repetitions, so
    # z^2 runs ~2% high): a bias too small to show in any one cell still shows here.
    # Recorded: mean z^2 1.03; the widest cell is First by Joss against Soft Joss at -4.75 SE
    # (one cell beyond 4); 3,000 separate Axelrod matches of that pair gave 2.4580 +- 0.0052
    # against allysim's exact 2.4565 (z = 0.3).
    z = _pair_z(exact_tournament[0])
    worst = np.unravel_index(np.argmax(np.abs(z)), z.shape)
    assert np.max(np.abs(z)) <= 5, (LABELS[worst[0]], LABELS[worst[1]], z[worst])
    assert 0.85 <= np.mean(z**2) <= 1.2


def test_perception_noise_would_not_match_the_recorded_tournament(exact_tournament):
    # Axelrod's noise flips moves, seen by both: allysim's `noise`. Reading it as perception
    # noise instead is far outside the band, so the comparison above tells the two apart.
    # The players of up to 8 states only (the larger machines only cost time here).
    idx = [i for i, s in enumerate(STRATEGIES) if s.to_finite_state().n_states <= 8]
    sub = [STRATEGIES[i] for i in idx]
    wrong = exact_payoff_matrix(sub, rounds=TOUR["turns"], perception_noise=TOUR["noise"])
    assert np.mean(_pair_z_at(exact_tournament[0][np.ix_(idx, idx)], idx) ** 2) < 1.5
    assert np.mean(_pair_z_at(wrong, idx) ** 2) > 5


# ------------------------------------------------------------------ with Axelrod-Python itself


@pytest.fixture(scope="module")
def axl():
    return pytest.importorskip(
        "axelrod",
        reason="Axelrod-Python is optional (the bench extra; install torch's CPU wheel first)",
    )


@pytest.fixture(scope="module")
def live(axl):
    """Every converting player of axelrod.strategies, by label."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cls in axl.strategies:
            player = cls()
            with contextlib.suppress(NotConvertibleError):
                out[str(player)] = (player, from_axelrod(player))
    return out


def test_live_conversions_are_the_recorded_ones(axl, live):
    if axl.__version__ != REF["axelrod_version"]:
        pytest.skip(f"fixture recorded with Axelrod {REF['axelrod_version']}")
    assert list(live) == LABELS
    assert [s for _, s in live.values()] == STRATEGIES


@pytest.mark.parametrize("label", LABELS)
def test_round_trip_allysim_to_axelrod_and_back(axl, live, label):
    if label not in live:
        pytest.skip(f"{label} not in this Axelrod version")
    strategy = live[label][1]
    assert from_axelrod(to_axelrod(strategy)) == strategy


PANEL = ["Tit For Tat", "Random: 0.5", "Fortress3", "ZD-Extort-2: 0.1111111111111111, 0.5"]


def _moves(axl, a, b, seed, turns=40, noise=0.05):
    match = axl.Match((a, b), turns=turns, noise=noise, seed=seed)
    return [(str(x), str(y)) for x, y in match.play()]


@pytest.mark.parametrize("label", LABELS)
def test_converted_player_plays_identically_in_seeded_noisy_matches(axl, live, label):
    if label not in live:
        pytest.skip(f"{label} not in this Axelrod version")
    original, strategy = live[label]
    for k, opponent in enumerate(PANEL):
        other = live[opponent][0]
        for seed in (k, 100 + k):
            want = _moves(axl, original.clone(), other.clone(), seed)
            got = _moves(axl, to_axelrod(strategy), other.clone(), seed)
            assert got == want, (label, opponent, seed)


@pytest.mark.parametrize("label", LABELS)
def test_exact_expectation_matches_axelrod_matches(axl, live, label):
    # 150 seeded noisy matches of 30 turns per opponent; the mean per-turn payoff lies within
    # 4 standard errors (sample sd / sqrt(150)) of allysim's exact expectation.
    if label not in live:
        pytest.skip(f"{label} not in this Axelrod version")
    original, strategy = live[label]
    turns, noise, n = 30, 0.05, 150
    for k, opponent in enumerate(PANEL[:3]):
        other_player, other = live[opponent]
        match = axl.Match(
            (original.clone(), other_player.clone()), turns=turns, noise=noise, seed=7 + k
        )
        scores = []
        for _ in range(n):
            match.play()
            scores.append(match.final_score_per_turn()[0])
        exact = expected_payoffs(strategy, other, GAME, rounds=turns, noise=noise)[0][0, 0]
        se = np.std(scores, ddof=1) / math.sqrt(n)
        assert se > 0
        assert abs(np.mean(scores) - exact) <= 4 * se, (label, opponent, np.mean(scores), exact)


@pytest.mark.parametrize(
    "strategy", [*deterministic_memory_one(), GRIM, TF2T], ids=lambda s: s.name
)
def test_probing_an_allysim_player_recovers_memory_one_and_refuses_machines(axl, strategy):
    player = to_axelrod(strategy)
    if isinstance(strategy, MemoryOne):
        assert interop._probe(player, None, 3) == strategy
    else:
        with pytest.raises(NotConvertibleError, match="not memory-one"):
            interop._probe(player, None, 3)


def test_game_reaches_players_that_read_it(axl):
    # The zero-determinant players set their four-vector from the match's game; the
    # conversion reads what the player holds in a match of that game. (GTFT fixes its
    # generosity from Axelrod's default game when built, and keeps it in any match.)
    game = PrisonersDilemma(R=4, S=0, T=6, P=1)
    player = axl.ZDExtort2()
    match = axl.Match((player.clone(), axl.Cooperator()), turns=1, game=axl.Game(4, 0, 6, 1))
    in_match = match.players[0]._four_vector
    want = tuple(
        float(in_match[k]) for k in itertools.product((axl.Action.C, axl.Action.D), repeat=2)
    )
    got = from_axelrod(player, game=game)
    assert got.p == pytest.approx(want, abs=1e-15)
    assert got.p != pytest.approx(from_axelrod(player).p)
    assert from_axelrod(axl.GTFT(), game=game).p[1] == pytest.approx(1 / 3)


def test_allysim_player_pickles_for_multiprocessing(axl):
    import pickle

    player = to_axelrod("GTFT")
    back = pickle.loads(pickle.dumps(player))
    assert back.allysim_strategy == player.allysim_strategy
    assert type(back).__name__ == "AllysimPlayer"


def test_a_game_the_player_cannot_take_is_refused_naming_player_and_game(axl):
    # ZDGTFT2's vector in (R, S, T, P) = (4, 0, 6, 1) has P(C|DC) = 1.25; Axelrod-Python's own
    # ValueError (naming neither) used to escape.
    game = PrisonersDilemma(R=4, S=0, T=6, P=1)
    with pytest.raises(NotConvertibleError, match=r"ZD-GTFT-2.*\(4\.0, 0\.0, 6\.0, 1\.0\)"):
        from_axelrod(axl.ZDGTFT2(), game=game)
