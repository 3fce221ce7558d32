"""Partners and rivals: two classes of memory-one strategies (Hilbe, Traulsen & Sigmund 2015).

For a memory-one strategy ``p = (p_CC, p_CD, p_DC, p_DD)`` in a prisoner's dilemma
``T > R > P > S`` played in the limit of means:

* a **partner** (Akin's "good" strategy; Hilbe, Traulsen & Sigmund 2015, Games Econ Behav
  92:41-52; Akin 2016, in *Ergodic Theory, Advances in Dynamical Systems*, pp. 77-107) aims at
  mutual cooperation and makes any deviation costly to the co-player: it is agreeable
  (``p_CC = 1``) and whatever the co-player does, the co-player's payoff ``pi_Y >= R`` implies
  ``pi_X = pi_Y = R``. The closed form is ``p_CC = 1`` and

      (T - R) p_DC < (R - S) (1 - p_CD),    (T - R) p_DD < (R - P) (1 - p_CD).

  With weak inequalities (``strict=False``) the co-player can never earn more than ``R``
  (mutual cooperation is a Nash equilibrium), but may reach ``R`` while the partner gets less.
* a **rival** (a "competitive" strategy) never earns less than its co-player, whatever the
  co-player does: ``pi_X >= pi_Y``. The closed form (from Akin's lemma, the extreme points of
  the outcome frequencies a co-player can enforce) is

      p_DD = 0,    p_CD + p_DC <= 1,    p_CD < 1.

These hold against every co-player, memory-one or not, because they follow from Akin's lemma
``v_CC (1 - p_CC) + v_CD (1 - p_CD) = v_DC p_DC + v_DD p_DD`` on the long-run outcome
frequencies ``v``. The opening move does not enter. Tit-for-tat is both (it equalises
payoffs); win-stay, lose-shift is a partner when ``2R > T + P`` and generous tit-for-tat with
generosity below Nowak & Sigmund's bound is one (both sit on the boundary, weak partners, in
the standard game R=3, S=0, T=5, P=1); ALLD and the extortioners
of Press & Dyson are rivals.

Evolved strategies never satisfy ``p_CC = 1`` exactly, so ``tolerance`` relaxes every
condition by that much, for classifying the residents of an evolutionary run as Hilbe,
Chatterjee & Nowak (2018, Nat Hum Behav 2:469-477) do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allysim._validation import as_probability_array, check_bool, check_interval
from allysim.games import PrisonersDilemma, StageGame
from allysim.games.dilemmas import _symmetric_payoffs
from allysim.strategies.memory_one import MemoryOne, memory_one_array

__all__ = ["is_partner", "is_rival", "partner_rival_class"]


def _strategies(strategy: Any) -> tuple[np.ndarray, bool]:
    """(n, 5) array and whether a single strategy was given."""
    if isinstance(strategy, MemoryOne):
        return memory_one_array(strategy, name="strategy"), True
    if isinstance(strategy, list | tuple) and all(isinstance(s, MemoryOne) for s in strategy):
        return memory_one_array(list(strategy), name="strategy"), False
    arr = as_probability_array(strategy, "strategy")
    if arr.ndim == 1:
        return memory_one_array(arr[None, :], name="strategy"), True
    return memory_one_array(arr, name="strategy"), False


def _dilemma(game: Any) -> tuple[float, float, float, float]:
    game = PrisonersDilemma() if game is None else game
    R, S, T, P = _symmetric_payoffs(game, "game")
    if not (T > R > P > S):
        raise ValueError(
            f"game must be a prisoner's dilemma with T > R > P > S, got R={R:g}, S={S:g}, "
            f"T={T:g}, P={P:g}"
        )
    return R, S, T, P


def _out(mask: np.ndarray, single: bool) -> Any:
    return bool(mask[0]) if single else mask


def is_partner(
    strategy: Any,
    game: StageGame | None = None,
    *,
    strict: bool = True,
    tolerance: float = 0.0,
) -> Any:
    """Whether memory-one strategies are partners (Akin's good strategies).

    ``p_CC >= 1 - tolerance`` and ``(T - R) p_DC < (R - S) (1 - p_CD) + tolerance`` and
    ``(T - R) p_DD < (R - P) (1 - p_CD) + tolerance`` (``<=`` with ``strict=False``); see the
    module notes for what this guarantees (Hilbe, Traulsen & Sigmund 2015; Akin 2016).

    Parameters
    ----------
    strategy : MemoryOne, array_like of shape (5,) or (n, 5), or sequence of MemoryOne
        The strategies ``[p_CC, p_CD, p_DC, p_DD, p0]`` (``p0`` is not used).
    game : StageGame or None, default None
        A symmetric prisoner's dilemma (``T > R > P > S``); None is ``PrisonersDilemma()``
        (R=3, S=0, T=5, P=1).
    strict : bool, default True
        True: strict inequalities, so a co-player reaching ``R`` forces both to ``R`` (good
        strategies). False: weak ones, so the co-player never exceeds ``R`` (Nash).
    tolerance : float, default 0.0
        Slack in [0, 1] added to every condition, for classifying evolved strategies.

    Returns
    -------
    bool or numpy.ndarray of bool
        A bool for one strategy (MemoryOne or a length-5 vector), else one per row.

    Raises
    ------
    TypeError
        ``strategy`` is not memory-one, or ``game`` is not a game.
    ValueError
        A probability outside [0, 1], a game that is not a prisoner's dilemma, or
        ``tolerance`` outside [0, 1].

    Examples
    --------
    >>> from allysim.strategies import ALLD, GTFT, TFT, WSLS
    >>> [is_partner(s) for s in (TFT, GTFT(), WSLS, ALLD)]
    [True, False, False, False]
    >>> [is_partner(s, strict=False) for s in (TFT, GTFT(), WSLS, ALLD)]  # on the boundary
    [True, True, True, False]
    >>> is_partner([1, 0.5, 0.9, 0.2, 1])  # forgives too much after being exploited
    False
    """
    arr, single = _strategies(strategy)
    R, S, T, P = _dilemma(game)
    strict = check_bool(strict, "strict")
    tol = check_interval(tolerance, "tolerance", 0.0, 1.0)
    p_cc, p_cd, p_dc, p_dd = arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]
    lhs1, rhs1 = (T - R) * p_dc, (R - S) * (1 - p_cd) + tol
    lhs2, rhs2 = (T - R) * p_dd, (R - P) * (1 - p_cd) + tol
    ok = (lhs1 < rhs1) & (lhs2 < rhs2) if strict else (lhs1 <= rhs1) & (lhs2 <= rhs2)
    return _out(ok & (p_cc >= 1 - tol), single)


def is_rival(strategy: Any, game: StageGame | None = None, *, tolerance: float = 0.0) -> Any:
    """Whether memory-one strategies are rivals: they never earn less than their co-player.

    ``p_DD <= tolerance`` and ``p_CD + p_DC <= 1 + tolerance`` and ``p_CD < 1`` (Hilbe,
    Traulsen & Sigmund 2015's competitive strategies; see the module notes). The conditions do
    not depend on the payoffs of a prisoner's dilemma; ``game`` is checked to be one.

    Parameters
    ----------
    strategy : MemoryOne, array_like of shape (5,) or (n, 5), or sequence of MemoryOne
        The strategies ``[p_CC, p_CD, p_DC, p_DD, p0]`` (``p0`` is not used).
    game : StageGame or None, default None
        A symmetric prisoner's dilemma; None is ``PrisonersDilemma()``.
    tolerance : float, default 0.0
        Slack in [0, 1] added to the conditions, for classifying evolved strategies.

    Returns
    -------
    bool or numpy.ndarray of bool
        A bool for one strategy, else one per row.

    Raises
    ------
    TypeError
        ``strategy`` is not memory-one, or ``game`` is not a game.
    ValueError
        A probability outside [0, 1], a game that is not a prisoner's dilemma, or
        ``tolerance`` outside [0, 1].

    Examples
    --------
    >>> from allysim.strategies import ALLD, GTFT, TFT, WSLS, extortionate
    >>> [is_rival(s) for s in (TFT, GTFT(), WSLS, ALLD, extortionate(chi=3))]
    [True, False, False, True, True]
    """
    arr, single = _strategies(strategy)
    _dilemma(game)
    tol = check_interval(tolerance, "tolerance", 0.0, 1.0)
    p_cd, p_dc, p_dd = arr[:, 1], arr[:, 2], arr[:, 3]
    ok = (p_dd <= tol) & (p_cd + p_dc <= 1 + tol) & (p_cd < 1)
    return _out(ok, single)


def partner_rival_class(
    strategy: Any, game: StageGame | None = None, *, tolerance: float = 0.0
) -> Any:
    """Label memory-one strategies ``"partner"``, ``"rival"``, ``"both"`` or ``"neither"``.

    Partners are tested with strict inequalities (see
    [`is_partner`][allysim.strategies.is_partner] and
    [`is_rival`][allysim.strategies.is_rival]).

    Parameters
    ----------
    strategy : MemoryOne, array_like of shape (5,) or (n, 5), or sequence of MemoryOne
        The strategies ``[p_CC, p_CD, p_DC, p_DD, p0]``.
    game : StageGame or None, default None
        A symmetric prisoner's dilemma; None is ``PrisonersDilemma()``.
    tolerance : float, default 0.0
        Slack in [0, 1] added to every condition.

    Returns
    -------
    str or numpy.ndarray of str
        One label for one strategy, else one per row.

    Raises
    ------
    TypeError
        ``strategy`` is not memory-one, or ``game`` is not a game.
    ValueError
        As for ``is_partner``.

    Examples
    --------
    >>> from allysim.strategies import ALLC, ALLD, TFT, WSLS
    >>> partner_rival_class([ALLC, ALLD, TFT, WSLS]).tolist()
    ['neither', 'rival', 'both', 'neither']
    >>> partner_rival_class(WSLS, PrisonersDilemma(R=3, S=0, T=4, P=1))  # 2R > T + P
    'partner'
    """
    arr, single = _strategies(strategy)
    part = is_partner(arr, game, tolerance=tolerance)
    riv = is_rival(arr, game, tolerance=tolerance)
    labels = np.where(
        part & riv, "both", np.where(part, "partner", np.where(riv, "rival", "neither"))
    )
    return str(labels[0]) if single else labels
