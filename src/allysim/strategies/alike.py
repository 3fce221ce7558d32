"""Whether two strategies play alike: equivalence of their machines on the joint history."""

from __future__ import annotations

from collections import deque
from typing import Any

from allysim._validation import check_interval
from allysim.strategies.finite_state import FiniteStateStrategy

__all__ = ["plays_alike"]


def _machine(strategy: Any, name: str) -> FiniteStateStrategy:
    convert = getattr(strategy, "to_finite_state", None)
    machine = convert() if callable(convert) else None
    if not isinstance(machine, FiniteStateStrategy):
        hint = (
            " (a name: turn it into a strategy with named() first)"
            if isinstance(strategy, str)
            else ""
        )
        raise TypeError(
            f"{name} must be a strategy (MemoryOne, MemoryN or FiniteStateStrategy), got "
            f"{type(strategy).__name__}{hint}"
        )
    return machine


def _first_difference(
    first: FiniteStateStrategy, second: FiniteStateStrategy, tolerance: float
) -> tuple[int, ...] | None:
    """The shortest joint history after which the two machines contribute with probabilities
    more than ``tolerance`` apart (outcomes ``2 * own_move + partner_move``), or None."""
    out_a, out_b = first.output, second.output
    nxt_a, nxt_b = first.transitions.tolist(), second.transitions.tolist()
    start = (first.initial, second.initial)
    # Breadth first, so the history found is a shortest one; each pair of states is entered
    # once, so the walk ends after at most k1 x k2 pairs, and every longer history leads back
    # to a pair already checked.
    parent: dict[tuple[int, int], tuple[tuple[int, int], int] | None] = {start: None}
    todo = deque([start])
    while todo:
        x, y = pair = todo.popleft()
        if abs(out_a[x] - out_b[y]) > tolerance:
            history: list[int] = []
            step = parent[pair]
            while step is not None:
                pair, outcome = step
                history.append(outcome)
                step = parent[pair]
            return tuple(reversed(history))
        for mine in (0, 1):
            for theirs in (0, 1):
                after = (nxt_a[x][mine][theirs], nxt_b[y][mine][theirs])
                if after not in parent:
                    parent[after] = ((x, y), 2 * mine + theirs)
                    todo.append(after)
    return None


def plays_alike(first: Any, second: Any, *, tolerance: float = 0.0) -> bool:
    """Whether two strategies contribute with the same probability after every history.

    A strategy maps each joint history, the rounds so far as (own move, partner's move as
    seen), to the probability of contributing next; the empty history gives the first move.
    ``first`` and ``second`` play alike when these probabilities agree after every joint
    history, including the empty one. Names are ignored. This is the equivalence of the two
    strategies' finite-state machines (``to_finite_state``) as automata that read the joint
    outcome each round and output a probability, and it is decided exactly: the function walks
    the pairs of states the two machines reach on the same history, from their initial states,
    and compares the outputs of every pair reached. The walk follows all four outcomes after
    every pair, so it reaches every history (one longer than the number of state pairs revisits
    a pair already checked) and costs at most ``k1 x k2`` steps for machines of ``k1`` and
    ``k2`` states.

    Every outcome counts, including own moves a deterministic strategy makes only by mistake
    (execution noise) and partner moves it only misreads (perception noise). So strategies
    that play alike earn the same payoffs against any partner, in any game, with any noise and
    horizon, and strategies that differ only after such a mistake (``ALLC`` and a machine that
    always contributes unless it has itself withheld) do not play alike.

    Stochastic strategies: a machine's output is a probability and its next state depends only
    on the moves made, so equal outputs after every history mean the same distribution of
    play against any partner (``RANDOM(0.5)`` plays alike with any machine whose states all
    contribute with probability 0.5). Probabilities are compared exactly unless ``tolerance``
    is given.

    Parameters
    ----------
    first : MemoryOne, MemoryN or FiniteStateStrategy
        A strategy (anything with ``to_finite_state``); names must go through
        [`named`][allysim.strategies.named] first.
    second : MemoryOne, MemoryN or FiniteStateStrategy
        The strategy to compare it with.
    tolerance : float, default 0.0
        Largest difference in [0, 1] between two contribution probabilities still counted as
        equal (0: exact). With a positive tolerance the relation is no longer transitive.

    Returns
    -------
    bool
        True when the two strategies play alike; symmetric in ``first`` and ``second``.

    Raises
    ------
    TypeError
        ``first`` or ``second`` is not a strategy.
    ValueError
        ``tolerance`` is outside [0, 1].

    Examples
    --------
    >>> from allysim.strategies import GRIM, STFT, TFT, WSLS, FiniteStateStrategy, named
    >>> plays_alike(WSLS, named("M1001")), plays_alike(TFT, WSLS), plays_alike(TFT, STFT)
    (True, False, False)

    Tit-for-tat as a two-state machine (the state is the partner's last move as seen):

    >>> copycat = FiniteStateStrategy([1, 0], [[[0, 1], [0, 1]], [[0, 1], [0, 1]]])
    >>> plays_alike(TFT, copycat), plays_alike(copycat, GRIM)
    (True, False)
    """
    a = _machine(first, "first")
    b = _machine(second, "second")
    tolerance = check_interval(tolerance, "tolerance", 0.0, 1.0)
    return _first_difference(a, b, tolerance) is None
