"""The entries of Axelrod's first tournament that are memory-one or finite-state machines.

Axelrod (1980a), "Effective choice in the Prisoner's Dilemma", J Conflict Resolution 24:3-25:
14 programs and RANDOM, a round robin with self-play, 200 rounds per match, 5 repetitions,
payoffs R=3, S=0, T=5, P=1. Ten of the fifteen are written here from the paper's descriptions
(with Axelrod-Python's documentation as a cross-check; the code is our own), each as a
[`MemoryOne`][allysim.strategies.MemoryOne] or a
[`FiniteStateStrategy`][allysim.strategies.FiniteStateStrategy]:

======================  ====  ======  ==================================================
entry                   rank  score   how it is modelled here
======================  ====  ======  ==================================================
TIT FOR TAT (Rapoport)  1     504.5   memory-one (1, 0, 1, 0), opens C
NYDEGGER                3     485.5   machine over the last three outcomes (the paper's
                                      list of A values) and the first three rounds
GROFMAN                 4     481.9   memory-one (1, 2/7, 2/7, 0): after the players
                                      differed, cooperate with probability 2/7, else
                                      repeat the move both made
SHUBIK                  5     480.7   machine: tit-for-tat whose k-th retaliation lasts
                                      k rounds, k capped at ``shubik_cap`` (default 20,
                                      never reached in 200 rounds)
FRIEDMAN                7     473.4   grim trigger (``GRIM``)
DAVIS                   8     471.8   machine: cooperate 10 rounds, then grim trigger
                                      on any defection seen so far
FELD                    11    327.6   machine: defect after a defection, otherwise
                                      cooperate with a probability falling linearly from
                                      1 to 0.5 over 200 rounds
JOSS                    12    304.4   memory-one (0.9, 0, 0.9, 0): tit-for-tat that
                                      defects 10% of the time after a cooperation
TULLOCK                 13    300.5   machine: cooperate 11 rounds, then cooperate with
                                      probability (the partner's cooperation share over
                                      the last 10 rounds) - 0.1, at least 0
RANDOM                  15    276.3   memory-one (0.5, 0.5, 0.5, 0.5)
======================  ====  ======  ==================================================

(score: the published mean score per 200-round match over the 15 opponents, Axelrod 1980a
Table 2.)

Two descriptions admit two readings, and we keep the one that reproduces the published
head-to-head scores (Axelrod 1980a, Table 2, against FELD, JOSS, TULLOCK and RANDOM):

* NYDEGGER scores the last three rounds as ``A = 16 a_1 + 4 a_2 + a_3`` from the oldest round
  to the most recent, and defects exactly when A is in the paper's list. With ``a = 2`` for
  its own defection plus 1 for the partner's it scores 351, 379, 376 and 457 against those four
  (published 354, 374, 347, 464, means over 2000 simulated matches); with the partner's
  defection counted 2, as the paper's sentence reads, the rule forgives a defection after
  mutual cooperation and RANDOM exploits it (305 instead of 464).
* GROFMAN: "if the players did different things on the previous move, this rule cooperates
  with probability 2/7; otherwise this rule always cooperates" read literally (cooperate after
  mutual defection) scores 486 against JOSS (published 236); repeating the move both made
  (defect after mutual defection) scores 264, 233, 275 and 512 (published 289, 236, 305,
  507). Tideman & Chieruzzi (2), Stein & Rapoport (6), Graaskamp (9), Downing (10) and the
anonymous entry (14) keep running counts, statistical tests or score comparisons and are not
written as finite machines here.

The module also builds the ecological tournament's exploiter ``TESTER``
([`axelrod_tester`][allysim.strategies.axelrod_tester]) (Axelrod 1980b, "More
effective choice in the Prisoner's Dilemma", J Conflict Resolution 24:379-403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from allysim._validation import check_int
from allysim.strategies.finite_state import C, D, FiniteStateStrategy
from allysim.strategies.memory_one import MemoryOne, Strategy
from allysim.strategies.zoo import GRIM, TFT, random_strategy

__all__ = [
    "FIRST_TOURNAMENT",
    "FIRST_TOURNAMENT_SCORES",
    "TESTER",
    "axelrod_tester",
    "first_tournament",
    "machine_from_rules",
]

#: Published mean scores per 200-round match (Axelrod 1980a, Table 2) of the modelled entries.
FIRST_TOURNAMENT_SCORES: dict[str, float] = {
    "TFT": 504.5,
    "NYDEGGER": 485.5,
    "GROFMAN": 481.9,
    "SHUBIK": 480.7,
    "FRIEDMAN": 473.4,
    "DAVIS": 471.8,
    "FELD": 327.6,
    "JOSS": 304.4,
    "TULLOCK": 300.5,
    "RANDOM": 276.3,
}


def machine_from_rules(
    initial: Any,
    output: Callable[[Any], float],
    step: Callable[[Any, int, int], Any],
    *,
    name: str = "finite-state",
    max_states: int = 100_000,
) -> FiniteStateStrategy:
    """Build a finite-state strategy from a rule on abstract states, keeping the reachable ones.

    Starting from ``initial``, every state reachable through ``step`` under all four outcomes
    is enumerated breadth first and numbered; the result plays exactly as the rule.

    Parameters
    ----------
    initial : hashable
        The state before the first round.
    output : callable
        ``output(state)``: the probability in [0, 1] to contribute in that state.
    step : callable
        ``step(state, my_move, their_move)``: the next state after a round (moves 0 = C,
        1 = D, as the strategy made and saw them).
    name : str, default "finite-state"
        Label of the strategy.
    max_states : int, default 100000
        Refuse rules that reach more states than this (>= 1).

    Returns
    -------
    FiniteStateStrategy
        With state 0 the initial state.

    Raises
    ------
    ValueError
        More than ``max_states`` states are reachable, or an output is not a probability.

    Examples
    --------
    >>> counter = machine_from_rules(0, lambda t: 1.0 if t < 2 else 0.0,
    ...                              lambda t, my, their: min(t + 1, 2), name="C, C, then D")
    >>> counter.n_states, counter.output
    (3, (1.0, 1.0, 0.0))
    """
    max_states = check_int(max_states, "max_states", minimum=1)
    index: dict[Any, int] = {initial: 0}
    order = [initial]
    table: list[list[list[int]]] = []
    i = 0
    while i < len(order):
        state = order[i]
        rows = [[0, 0], [0, 0]]
        for my in (C, D):
            for their in (C, D):
                nxt = step(state, my, their)
                if nxt not in index:
                    if len(order) >= max_states:
                        raise ValueError(
                            f"the rule reaches more than max_states={max_states} states; raise "
                            "max_states or cap the rule's counters"
                        )
                    index[nxt] = len(order)
                    order.append(nxt)
                rows[my][their] = index[nxt]
        table.append(rows)
        i += 1
    outputs = [float(output(s)) for s in order]
    return FiniteStateStrategy(outputs, np.array(table), initial=0, name=name)


def _davis() -> FiniteStateStrategy:
    # (round, seen a defection); after round 10 only the flag matters, as in grim trigger.
    def step(s, my, their):
        t, bad = s
        return (min(t + 1, 10), bad or their == D)

    return machine_from_rules(
        (0, False), lambda s: 1.0 if s[0] < 10 or not s[1] else 0.0, step, name="DAVIS"
    )


# Nydegger defects exactly for these values of A (Axelrod 1980a).
_NYDEGGER_DEFECT = frozenset(
    {1, 6, 7, 17, 22, 23, 26, 29, 30, 31, 33, 38, 39, 45, 49, 54, 55, 58, 61}
)


def _nydegger() -> FiniteStateStrategy:
    # State: the outcomes so far (own move, partner's move), the last three kept.
    def out(s):
        if len(s) == 0:
            return 1.0
        if len(s) < 3:
            # Tit for tat, except: defect on move 3 if it alone cooperated on move 1 and alone
            # defected on move 2.
            if len(s) == 2 and s[0] == (C, D) and s[1] == (D, C):
                return 0.0
            return 1.0 if s[-1][1] == C else 0.0
        # Weights 16, 4, 1 from the oldest round; see the module notes for the coding of a.
        a = sum(w * (2 * me + th) for w, (me, th) in zip((16, 4, 1), s, strict=True))
        return 0.0 if a in _NYDEGGER_DEFECT else 1.0

    def step(s, my, their):
        return (*s, (my, their))[-3:] if len(s) >= 2 else (*s, (my, their))

    # The opening rounds are told apart by the length of the history (at most 3 kept).
    return machine_from_rules((), out, step, name="NYDEGGER")


def _shubik(cap: int) -> FiniteStateStrategy:
    # (retaliations started, defections still owed, partner's last move); a new retaliation
    # starts when the partner defects after this player cooperated, and the k-th lasts k rounds.
    def step(s, my, their):
        k, owed, _ = s
        if their == D and my == C:
            k = min(k + 1, cap)
            return (k, k, D)
        return (k, max(owed - 1, 0) if my == D else owed, their)

    def out(s):
        _, owed, last = s
        return 0.0 if owed > 0 or last == D else 1.0

    return machine_from_rules((0, 0, C), out, step, name="SHUBIK")


def _feld(rounds: int = 200) -> FiniteStateStrategy:
    def step(s, my, their):
        t, _ = s
        return (min(t + 1, rounds), their)

    def out(s):
        t, last = s
        if last == D:
            return 0.0
        return max(1.0 - 0.5 * t / rounds, 0.5)

    return machine_from_rules((0, C), out, step, name="FELD")


def _tullock(opening: int = 11, window: int = 10) -> FiniteStateStrategy:
    # (rounds played, capped at the opening; the partner's last `window` moves).
    def step(s, my, their):
        t, hist = s
        return (min(t + 1, opening), (*hist, their)[-window:])

    def out(s):
        t, hist = s
        if t < opening:
            return 1.0
        return max(0.0, (window - sum(hist)) / window - 0.1)

    return machine_from_rules((0, ()), out, step, name="TULLOCK")


def axelrod_tester() -> FiniteStateStrategy:
    """TESTER, the exploiter of Axelrod's second tournament's ecological analysis.

    Axelrod (1980b, p. 385): defect on the first move to test the partner; if the partner ever
    defects, apologise by cooperating and play tit-for-tat for the rest of the game; otherwise
    cooperate on the second and third moves and defect every other move after that. It
    exploits unconditional and very forgiving cooperators (ALLC, TF2T) and settles with
    reciprocators.

    Returns
    -------
    FiniteStateStrategy
        Named ``"TESTER"``: states D, C, C then alternating D/C while testing, and the two
        tit-for-tat states after a defection is seen.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.kernels import expected_payoffs
    >>> from allysim.strategies import ALLC
    >>> float(expected_payoffs(axelrod_tester(), ALLC, PrisonersDilemma(), rounds=200)[0][0, 0])
    4.0
    """

    # test states 0 (D), 1 (C), 2 (C), 3 (D), 4 (C), ... alternating; "tC"/"tD": tit-for-tat.
    def step(s, my, their):
        if s in ("tC", "tD"):
            return "tC" if their == C else "tD"
        if their == D:
            return "tC"
        return s + 1 if s < 3 else (4 if s == 3 else 3)

    def out(s):
        if s == "tC":
            return 1.0
        if s == "tD":
            return 0.0
        return 0.0 if s in (0, 3) else 1.0

    return machine_from_rules(0, out, step, name="TESTER")


def first_tournament(*, shubik_cap: int = 20) -> tuple[Strategy, ...]:
    """The modelled entries of Axelrod's first tournament, in the published order.

    See the module notes for each rule and the entries left out.

    Parameters
    ----------
    shubik_cap : int, default 20
        Longest retaliation of SHUBIK (>= 1): its k-th retaliation lasts ``min(k, cap)``
        rounds. In 200 rounds at most 19 retaliations fit, so 20 is exact there.

    Returns
    -------
    tuple of strategies
        TFT, NYDEGGER, GROFMAN, SHUBIK, FRIEDMAN, DAVIS, FELD, JOSS, TULLOCK, RANDOM.

    Examples
    --------
    >>> [s.name for s in first_tournament()][:4]
    ['TFT', 'NYDEGGER', 'GROFMAN', 'SHUBIK']
    """
    cap = check_int(shubik_cap, "shubik_cap", minimum=1)
    grim = FiniteStateStrategy(GRIM.output, GRIM.next_state, GRIM.initial, "FRIEDMAN")
    rnd = random_strategy(0.5)
    return (
        TFT,
        _nydegger(),
        MemoryOne((1, 2 / 7, 2 / 7, 0), p0=1, name="GROFMAN"),
        _shubik(cap),
        grim,
        _davis(),
        _feld(),
        MemoryOne((0.9, 0, 0.9, 0), p0=1, name="JOSS"),
        _tullock(),
        MemoryOne(rnd.p, p0=rnd.p0, name="RANDOM"),
    )


#: The modelled entries with the default settings, in the published order.
FIRST_TOURNAMENT: tuple[Strategy, ...] = first_tournament()

#: TESTER (Axelrod 1980b), built by [`axelrod_tester`][allysim.strategies.axelrod_tester].
TESTER: FiniteStateStrategy = axelrod_tester()
