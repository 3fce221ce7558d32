"""allysim's stage-game mechanisms applied to each member of a consortium.

The two-player rules of [`Sanction`][allysim.mechanisms.Sanction],
[`Bond`][allysim.mechanisms.Bond] and [`ProfitSharing`][allysim.mechanisms.ProfitSharing],
read per member:

* a detected withholder forfeits the fine or stake (``d F`` in expectation); the victims'
  share ``v`` of it (1 for a transferred fine, the salvage for a bond) goes to the other
  ``n - 1`` members equally (``recipients="others"``, which is the two-player rule for n = 2)
  or to the contributors only (``recipients="contributors"``; burned when nobody contributed);
* profit sharing pools ``share`` of every member's payoff and splits the pool equally
  (``sharing="equal"``, the two-player rule for n = 2) or among the contributors, in
  proportion to their (equal) contributions (``sharing="contribution"``; equally when nobody
  contributed).

Each returns expected payoffs, so the result is again a [`GroupGame`][allysim.consortia.GroupGame];
mechanisms apply in the order given. The thresholds are the least fine, stake or share that
makes contributing a best reply whatever the others do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from allysim._validation import check_probability
from allysim.consortia.games import GroupGame, as_group_game
from allysim.evolution._common import _choice
from allysim.mechanisms import Bond, ProfitSharing, Sanction

__all__ = ["fine_threshold", "share_threshold", "stake_threshold", "with_mechanisms"]

Recipients = Literal["others", "contributors"]
Sharing = Literal["equal", "contribution"]


def _recipient_factor(n: int, victim_share: float, recipients: str) -> tuple[np.ndarray, ...]:
    """(to contributor, to withholder) per unit of expected forfeit per other withholder.

    For ``k`` other contributors: a contributor shares with ``n - 1 - k`` withholding others,
    a withholder with ``n - 1 - k`` withholding others.
    """
    k = np.arange(n, dtype=float)
    withholding_others = n - 1 - k
    if recipients == "others":
        per = victim_share * withholding_others / (n - 1)
        return per, per
    # Each withholder's forfeit is split among the k + 1 contributors (the focal one included).
    return victim_share * withholding_others / (k + 1), np.zeros(n)


def _forfeit(pc, pd, expected: float, victim_share: float, recipients: str):
    n = pc.shape[0]
    to_c, to_d = _recipient_factor(n, victim_share, recipients)
    return pc + expected * to_c, pd - expected + expected * to_d


def _share(pc, pd, share: float, sharing: str):
    n = pc.shape[0]
    k = np.arange(n)
    # Payoffs of the group's other members: with k others contributing, a contributor's group
    # has k + 1 contributors (each earning pc[k]) and n - 1 - k withholders (each pd[k + 1]).
    pd_next = np.append(pd[1:], 0.0)
    pc_prev = np.insert(pc[:-1], 0, 0.0)
    total_c = (k + 1) * pc[k] + (n - 1 - k) * pd_next
    total_d = k * pc_prev + (n - k) * pd
    if sharing == "equal":
        return (1 - share) * pc + share * total_c / n, (1 - share) * pd + share * total_d / n
    new_c = (1 - share) * pc + share * total_c / (k + 1)
    new_d = np.where(k == 0, pd, (1 - share) * pd)
    return new_c, new_d


def with_mechanisms(
    game: Any,
    mechanisms: Sequence[Sanction | Bond | ProfitSharing] | Sanction | Bond | ProfitSharing = (),
    *,
    recipients: Recipients = "others",
    sharing: Sharing = "equal",
) -> GroupGame:
    """Apply sanctions, bonds and profit sharing to every member of a consortium.

    Expected payoffs, with ``d`` the detection probability, ``F`` the fine or stake and ``v``
    the victims' share (1 for ``Sanction(transfer=True)``, 0 for a burned fine, the salvage of a
    bond): a withholder loses ``d F``; with ``recipients="others"`` each member receives
    ``v d F / (n - 1)`` per withholding other member, with ``"contributors"`` a contributor
    receives ``v d F / j`` per withholder (``j`` contributors). For n = 2 and the defaults this
    is the two-player rule of [`allysim.mechanisms.apply`][allysim.mechanisms.apply]. The
    enforcement cost of a sanction does not change incentives and is not included.

    Parameters
    ----------
    game : PublicGoodsGame or GroupGame
        The n-member game before the mechanisms.
    mechanisms : sequence of Sanction, Bond or ProfitSharing, default ()
        Applied in order (a single mechanism is also accepted).
    recipients : {"others", "contributors"}, default "others"
        Who receives the victims' share of a forfeit.
    sharing : {"equal", "contribution"}, default "equal"
        How a profit-sharing pool is split: equally among all members, or among the
        contributors in proportion to their contributions.

    Returns
    -------
    GroupGame
        Expected payoff tables after the mechanisms.

    Raises
    ------
    TypeError
        ``game`` is not an n-member game, or a mechanism is of another kind.
    ValueError
        ``recipients`` or ``sharing`` is not one of the names above.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> from allysim.mechanisms import Sanction
    >>> g = with_mechanisms(PublicGoodsGame(5, multiplier=3.0), [Sanction(fine=1.0, detection=0.5)])
    >>> g.gain_from_contributing(0).round(6).tolist()  # -c (1 - r/n) + d F = -0.4 + 0.5
    0.1
    """
    g = as_group_game(game)
    recipients = _choice(recipients, "recipients", ("others", "contributors"))  # type: ignore[assignment]
    sharing = _choice(sharing, "sharing", ("equal", "contribution"))  # type: ignore[assignment]
    if isinstance(mechanisms, Sanction | Bond | ProfitSharing):
        mechanisms = (mechanisms,)
    pc, pd = (t.copy() for t in g.tables())
    for i, mech in enumerate(mechanisms):
        if isinstance(mech, Sanction | Bond):
            pc, pd = _forfeit(pc, pd, mech.forfeit * mech.detection, mech.victim_share, recipients)
        elif isinstance(mech, ProfitSharing):
            pc, pd = _share(pc, pd, mech.share, sharing)
        else:
            raise TypeError(
                f"mechanisms[{i}] must be a Sanction, Bond or ProfitSharing, got "
                f"{type(mech).__name__}"
            )
    if not (np.all(np.isfinite(pc)) and np.all(np.isfinite(pd))):
        raise ValueError("mechanisms push a payoff beyond the float range (scale them down)")
    return GroupGame(pc, pd)


def _least_forfeit(game: Any, victim_share: float, recipients: str) -> float:
    g = as_group_game(game)
    pc, pd = g.tables()
    to_c, to_d = _recipient_factor(g.group_size, victim_share, recipients)
    # gain(k) + E (1 + to_c - to_d) >= 0 for every k, with E the expected forfeit.
    slope = 1 + to_c - to_d
    need = np.max((pd - pc) / slope)
    return max(float(need), 0.0)


def fine_threshold(
    game: Any,
    detection: float = 1.0,
    *,
    transfer: bool = False,
    recipients: Recipients = "others",
) -> float:
    """Least fine that makes contributing a best reply to every number of other contributors.

    With ``recipients="others"`` (or a burned fine) it is
    ``max_k (withholder[k] - contributor[k]) / detection``; for the linear public goods game,
    ``c (1 - r / n) / detection`` (Sanction per member). With transfers to the contributors only
    the k-th condition is eased by the contributor's share ``(n - 1 - k) / (k + 1)``.

    Parameters
    ----------
    game : PublicGoodsGame or GroupGame
        The n-member game before the sanction.
    detection : float, default 1.0
        Probability in [0, 1] that a withholding member is detected.
    transfer : bool, default False
        Whether the fine goes to the victims (True) or is burned (False).
    recipients : {"others", "contributors"}, default "others"
        Who receives a transferred fine.

    Returns
    -------
    float
        Least fine >= 0 (payoff units); 0 when contributing already is a best reply, ``inf``
        when ``detection`` is 0 and a fine is needed.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> round(fine_threshold(PublicGoodsGame(5, multiplier=3.0), detection=0.5), 12)
    0.8
    """
    d = check_probability(detection, "detection")
    if not isinstance(transfer, bool | np.bool_):
        raise TypeError(f"transfer must be a bool, got {type(transfer).__name__}")
    recipients = _choice(recipients, "recipients", ("others", "contributors"))  # type: ignore[assignment]
    need = _least_forfeit(game, 1.0 if transfer else 0.0, recipients)
    if need == 0:
        return 0.0
    return need / d if d > 0 else math.inf


def stake_threshold(
    game: Any,
    detection: float = 1.0,
    *,
    salvage: float = 1.0,
    recipients: Recipients = "others",
) -> float:
    """Least bond per member that makes contributing a best reply to every composition.

    Parameters
    ----------
    game : PublicGoodsGame or GroupGame
        The n-member game before the bond.
    detection : float, default 1.0
        Probability in [0, 1] that a withholding member is detected.
    salvage : float, default 1.0
        Share in [0, 1] of a forfeited stake that the victims receive.
    recipients : {"others", "contributors"}, default "others"
        Who receives the salvaged stake.

    Returns
    -------
    float
        Least stake >= 0 (payoff units); ``inf`` when ``detection`` is 0 and a stake is needed.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> round(stake_threshold(PublicGoodsGame(5, multiplier=3.0)), 12)
    0.4
    """
    d = check_probability(detection, "detection")
    v = check_probability(salvage, "salvage")
    recipients = _choice(recipients, "recipients", ("others", "contributors"))  # type: ignore[assignment]
    need = _least_forfeit(game, v, recipients)
    if need == 0:
        return 0.0
    return need / d if d > 0 else math.inf


def share_threshold(game: Any, *, sharing: Sharing = "equal") -> float:
    """Least profit share that makes contributing a best reply to every composition.

    Each condition is linear in the share ``s``: ``(1 - s) gain(k) + s Delta(k) >= 0``, where
    ``Delta(k)`` is the focal member's part of the pooled change when it contributes. For the
    linear public goods game with equal sharing the least share is ``(n - r) / (n - 1)``
    (for ``1 <= r <= n``), which is the two-player ``profit_share_threshold`` at n = 2.

    Parameters
    ----------
    game : PublicGoodsGame or GroupGame
        The n-member game before profit sharing.
    sharing : {"equal", "contribution"}, default "equal"
        How the pool is split (see [`with_mechanisms`][allysim.consortia.with_mechanisms]).

    Returns
    -------
    float
        Least share in [0, 1]; ``inf`` when no share in [0, 1] makes contributing a best reply
        to every composition.

    Examples
    --------
    >>> from allysim.consortia import PublicGoodsGame
    >>> round(share_threshold(PublicGoodsGame(5, multiplier=3.0)), 12)  # (5 - 3) / 4
    0.5
    """
    g = as_group_game(game)
    sharing = _choice(sharing, "sharing", ("equal", "contribution"))  # type: ignore[assignment]
    pc, pd = g.tables()
    full_c, full_d = _share(pc, pd, 1.0, sharing)
    a = pc - pd  # gain at s = 0
    b = (full_c - full_d) - a  # gain is a + s b
    lower, upper = 0.0, 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = -a / b
    for ak, bk, bd in zip(a, b, bound, strict=True):
        if bk > 0:
            lower = max(lower, float(bd))
        elif bk < 0:
            upper = min(upper, float(bd))
        elif ak < 0:
            return math.inf
    # The full share can sit exactly on a boundary (r = 1 in the linear game), where round-off
    # would otherwise turn the least share 1 into none.
    slack = 1e-12 * max(1.0, float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    if lower <= upper + slack:
        return min(lower, upper)
    return math.inf
