"""Payoffs of the partnership game, per partnership, and the goodwill weights they imply.

Each partnership plays :func:`allysim.games.partnership_game` with its own values: what a
contribution is worth to its receiver is ``benefit * capability`` of the contributor, and the
dividend of mutual contribution is ``synergy * (1 - culture_friction * distance)``. The game
object is built for one scalar game; here the same payoffs (``R = received - cost + dividend``,
``S = -cost``, ``T = received``, ``P = 0``, the same operations in the same order, so the values
are bit-identical, which tests/test_abm.py checks) are evaluated for every partnership at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["goodwill_weights", "partnership_payoff"]


def partnership_payoff(
    mine: np.ndarray | bool,
    theirs: np.ndarray | bool,
    received: np.ndarray | float,
    cost: float,
    dividend: np.ndarray | float,
) -> np.ndarray:
    """Payoff per unit stake of one side of the partnership game, elementwise.

    Parameters
    ----------
    mine : numpy.ndarray or bool
        Whether this side contributed.
    theirs : numpy.ndarray or bool
        Whether its partner contributed.
    received : numpy.ndarray or float
        Value of the partner's contribution to this side (``benefit`` times the partner's
        capability).
    cost : float
        Cost of contributing.
    dividend : numpy.ndarray or float
        Extra value to each side when both contribute.

    Returns
    -------
    numpy.ndarray
        ``received - cost + dividend`` (both contributed), ``-cost`` (only this side),
        ``received`` (only the partner) or 0 (neither).

    Examples
    --------
    >>> partnership_payoff(np.array([True, True, False, False]),
    ...                    np.array([True, False, True, False]), 3.0, 2.0, 0.5).tolist()
    [1.5, -2.0, 3.0, 0.0]
    """
    return np.where(
        mine,
        np.where(theirs, received - cost + dividend, -cost),
        np.where(theirs, received, 0.0),
    )


def _payoff_matrices(
    received_a: np.ndarray, received_b: np.ndarray, cost: float, dividend: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' payoffs per unit stake, ``[:, move of a, move of b]`` (0: contribute)."""
    # [:, x, y] with x the move of a and y that of b (0: contribute), all four cells at once.
    a_gave = np.array([[True, True], [False, False]])
    received_a, received_b = received_a[:, None, None], received_b[:, None, None]
    dividend = dividend[:, None, None]
    row = partnership_payoff(a_gave, a_gave.T, received_a, cost, dividend)
    col = partnership_payoff(a_gave.T, a_gave, received_b, cost, dividend)
    return row, col


def _weights_unsettled(
    received_a: np.ndarray,
    received_b: np.ndarray,
    cost: float,
    dividend: np.ndarray,
    attribution_discount: float,
) -> np.ndarray:
    """goodwill_weights without mechanisms, in four passes instead of the payoff matrices.

    Nothing removes a temptation, so the general path's ``1 - now / bare`` is exactly 0 where
    there is one: the weight is 1 there and ``1 - attribution_discount`` elsewhere. The
    temptations are the general path's cells, computed in its order.
    """
    out = np.empty((received_a.size, 2, 2))
    untempted = 1 - attribution_discount * 1.0
    # Withholding against a contributor: received - (received - cost + dividend).
    for side, received in ((0, received_b), (1, received_a)):
        gap = received - (received - cost + dividend)
        out[:, side, 0] = np.where(gap > 0, 1.0, untempted)
    # Withholding against a withholder: 0 - (-cost).
    out[:, :, 1] = 1.0 if 0.0 - (-cost) > 0 else untempted
    return out


def goodwill_weights(
    received_a: np.ndarray,
    received_b: np.ndarray,
    cost: float,
    dividend: np.ndarray,
    settling: Sequence[Any],
    attribution_discount: float,
) -> np.ndarray:
    """Goodwill weight of each partner's contribution, seen from the other.

    Attribution discounting (Kelley 1973; Malhotra & Murnighan 2002): a contribution is
    evidence of goodwill in the measure that it was not privately optimal. ``d`` is the share of
    the contributor's gain from withholding, in the bare game, that the settling mechanisms
    remove in expectation (1 where the bare game offers no such gain); the weight is
    ``1 - attribution_discount * d``.

    Parameters
    ----------
    received_a : numpy.ndarray
        Value to side a of b's contribution, per partnership.
    received_b : numpy.ndarray
        Value to side b of a's contribution.
    cost : float
        Cost of contributing.
    dividend : numpy.ndarray
        Dividend of mutual contribution, per partnership.
    settling : sequence of Mechanism
        The mechanisms that settle each round (Sanction, Bond, ProfitSharing); their
        ``transform`` gives the expected payoffs.
    attribution_discount : float
        In [0, 1): the weight lost when the mechanisms remove the whole temptation.

    Returns
    -------
    numpy.ndarray
        (count, 2, 2): entry ``[i, side, x]`` is for the organization on ``side`` when it
        played ``x`` (0: contribute, 1: withhold) and its partner contributed.

    Examples
    --------
    >>> w = goodwill_weights(np.array([3.0]), np.array([3.0]), 2.0, np.array([0.5]), (), 0.8)
    >>> w[0].tolist()  # no mechanism: every contribution counts in full
    [[1.0, 1.0], [1.0, 1.0]]
    """
    if not settling:
        return _weights_unsettled(received_a, received_b, cost, dividend, attribution_discount)
    row, col = _payoff_matrices(received_a, received_b, cost, dividend)
    bare_row, bare_col = row, col
    for m in settling:
        row, col = m.transform(row, col)
    out = np.empty((received_a.size, 2, 2))
    for x in (0, 1):
        # b's gain from withholding when a played x (a judges b), and a's when b played x.
        for side, (bare, now) in enumerate(
            (
                (bare_col[:, x, 1] - bare_col[:, x, 0], col[:, x, 1] - col[:, x, 0]),
                (bare_row[:, 1, x] - bare_row[:, 0, x], row[:, 1, x] - row[:, 0, x]),
            )
        ):
            tempted = bare > 0
            removed = np.where(
                tempted, np.clip(1 - now / np.where(tempted, bare, 1.0), 0.0, 1.0), 1.0
            )
            out[:, side, x] = 1 - attribution_discount * removed
    return out
