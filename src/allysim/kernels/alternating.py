"""Exact payoffs of the alternating partnership game: partners move in turn, not at once.

In many partnerships contributions are not simultaneous: one partner delivers, the other
answers, and so on (sequential exchange). Nowak & Sigmund (1994, *J. Theor. Biol.* 168: 219-226)
showed that this changes which strategies do well: in the strictly alternating prisoner's
dilemma with errors, generous reciprocity (GTFT) outdoes win-stay lose-shift (WSLS), which wins
the simultaneous game. Frean (1994, *Proc. R. Soc. B* 257: 75-79) found the same in simulation.

The game is the donation form of the dilemma, where each move's value does not depend on the
other's (equal gains from switching, ``R + P = S + T`` for each player): a contribution costs
the contributor ``P - S`` and gives the partner ``T - P``. A round is the row player's move,
then the column player's answer. A memory-one strategy ``(p_CC, p_CD, p_DC, p_DD, p0)`` reads
the last moves as (its own last move, the partner's latest move): for the row player the
column player's move of the previous round, for the column player the move the row player has
just made. ``p0`` is each player's first move. Execution noise flips each intended move.

The chain over (row's last move, column's last move) has the transition
``M[(x, y), (x', y')] = P_row(x' | x, y) P_col(y' | y, x')``; payoffs per round are the stage
payoffs of (x', y'). Horizons are those of :func:`allysim.kernels.expected_payoffs`.
"""

from __future__ import annotations

import numpy as np

from allysim._validation import check_probability
from allysim.kernels._chains import _chain_long_run, _chain_mean_rounds
from allysim.kernels._inputs import StrategiesLike, _as_batch, _horizon, _outcome_payoffs

__all__ = ["alternating_payoffs"]


def _donation_check(row: np.ndarray, col: np.ndarray) -> None:
    for who, u in (("row", row), ("column", col)):
        gap = abs((u[0] + u[3]) - (u[1] + u[2]))
        if gap > 1e-12 * max(1.0, float(np.abs(u).max())):
            raise ValueError(
                "game must have equal gains from switching (R + P = S + T for each player) for "
                f"the alternating game, where each move's value stands on its own; the {who} "
                f"player's payoffs {u.tolist()} (CC, CD, DC, DD) miss it by {gap:.3g}"
            )


def _alternating_chain(px: np.ndarray, qy: np.ndarray) -> np.ndarray:
    """(k, 4, 4) chains over (x, y) at the row player's turn; px, qy: (k, 4) to contribute."""
    k = px.shape[0]
    mats = np.zeros((k, 4, 4))
    for x in (0, 1):
        for y in (0, 1):
            cx = px[:, 2 * x + y]  # row contributes, seeing (own last x, partner's last y)
            for x2, p_x2 in ((0, cx), (1, 1 - cx)):
                cy = qy[:, 2 * y + x2]  # column answers, seeing (own last y, row's new x2)
                mats[:, 2 * x + y, 2 * x2 + 0] = p_x2 * cy
                mats[:, 2 * x + y, 2 * x2 + 1] = p_x2 * (1 - cy)
    return mats


def alternating_payoffs(
    row_strategies: StrategiesLike,
    col_strategies: StrategiesLike,
    game: object,
    *,
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact expected payoff per round in the strictly alternating game, for every pair.

    Parameters
    ----------
    row_strategies : strategy, name, sequence of strategies or names, or (n, 5) array
        Memory-one strategies of the player who moves first in each round (``MemoryOne``,
        names such as ``"TFT"``, ``"GTFT"``, ``"WSLS"``, or rows ``[p_CC, p_CD, p_DC, p_DD,
        p0]``), read as (own last move, partner's latest move).
    col_strategies : strategy, name, sequence of strategies or names, or (m, 5) array
        The same for the player who answers.
    game : StageGame, nashpy.Game or pair of arrays
        A 2x2 game with equal gains from switching (``R + P = S + T`` for each player), e.g.
        ``partnership_game(benefit, cost)`` without synergy (the donation game).
    rounds : int or None, default None
        Mean payoff per round over exactly this many rounds (a round is both moves).
    continuation : float or None, default None
        Probability w in [0, 1) that the partnership continues after each round; gives the
        normalised discounted payoff ``(1 - w) sum_t w^t u_t``. Neither: the limit of means.
    noise : float, default 0.0
        Execution noise in [0, 1]: each intended move is flipped with this probability.

    Returns
    -------
    tuple of two numpy.ndarray, shape (n, m)
        Row and column players' expected payoffs, payoff units per round.

    Raises
    ------
    ValueError
        If the game lacks equal gains from switching, a probability is outside [0, 1], or
        both ``rounds`` and ``continuation`` are given.
    TypeError
        If a strategy is not memory-one.

    Examples
    --------
    >>> from allysim.games import partnership_game
    >>> game = partnership_game(benefit=3, cost=1)  # R 2, S -1, T 3, P 0
    >>> row, col = alternating_payoffs(["TFT", "ALLD"], ["TFT", "ALLD"], game, rounds=10)
    >>> row.round(2).tolist()  # TFT vs ALLD: the first move is lost, then mutual refusal
    [[2.0, -0.1], [0.3, 0.0]]
    """
    r_pay, c_pay = _outcome_payoffs(game)  # type: ignore[arg-type]
    _donation_check(r_pay, c_pay)
    kind, value = _horizon(rounds, continuation)
    eps = check_probability(noise, "noise")
    rows = _as_batch(row_strategies, "row_strategies", game)
    cols = _as_batch(col_strategies, "col_strategies", game)
    if rows.memory_one is None or cols.memory_one is None:
        raise TypeError(
            "alternating_payoffs takes memory-one strategies (finite-state machines read the "
            "last round, which the alternating game splits into two moves)"
        )
    x = rows.memory_one * (1 - 2 * eps) + eps
    y = cols.memory_one * (1 - 2 * eps) + eps
    n, m = len(x), len(y)
    ii, jj = np.divmod(np.arange(n * m), m)
    px, qy = x[ii], y[jj]
    mats = _alternating_chain(px[:, :4], qy[:, :4])
    # First round: both open with p0 (the answerer has no last move of its own yet).
    cx, cy = px[:, 4], qy[:, 4]
    v0 = np.stack([cx * cy, cx * (1 - cy), (1 - cx) * cy, (1 - cx) * (1 - cy)], axis=1)
    if kind == "rounds":
        dist = _chain_mean_rounds(mats, v0, int(value))
    else:
        dist = _chain_long_run(mats, v0, value)
    return (dist @ r_pay).reshape(n, m), (dist @ c_pay).reshape(n, m)
