"""Repeated-game strategies for consortia: group-level memory-one rules.

A group memory-one strategy gives the probability to contribute this round from the member's
own last move and the number ``k`` of the other ``n - 1`` members who contributed last round
(Hauert & Schuster 1997, Proc. R. Soc. B 264:513; Kurokawa & Ihara 2009, Proc. R. Soc. B
276:1379). Unconditional strategies and threshold reciprocity ("contribute if at least ``k``
others did", Boyd & Richerson 1988, J. Theor. Biol. 132:337) are special cases. Execution
errors are applied by the kernels (``noise``), not stored in the strategy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allysim._validation import as_probability_array, check_int, check_probability, check_str
from allysim.strategies.memory_one import MemoryOne

__all__ = [
    "GroupStrategy",
    "group_strategy",
    "reciprocity_threshold",
    "threshold_reciprocity",
    "unconditional",
]


@dataclass(frozen=True, eq=False)
class GroupStrategy:
    """Group memory-one strategy: probability to contribute given the last round.

    Parameters
    ----------
    after_contribute : numpy.ndarray
        Shape (n,): probability to contribute after the member contributed and ``k`` of the
        other ``n - 1`` members contributed, ``k = 0 .. n - 1``.
    after_withhold : numpy.ndarray
        Shape (n,): probability to contribute after the member withheld and ``k`` others
        contributed.
    initial : float, default 1.0
        Probability to contribute in the first round.
    name : str, default ""
        Label used in reports.

    Raises
    ------
    TypeError
        A table is not numeric, or ``name`` is not a str.
    ValueError
        A probability is outside [0, 1], the tables differ in length or have fewer than 2
        entries.

    Examples
    --------
    >>> s = GroupStrategy([0.0, 1.0, 1.0], [0.0, 0.0, 1.0], initial=1.0, name="custom")
    >>> s.group_size, s.probability(0, 1)
    (3, 1.0)
    """

    after_contribute: np.ndarray
    after_withhold: np.ndarray
    initial: float = 1.0
    name: str = ""

    def __post_init__(self) -> None:
        c = as_probability_array(self.after_contribute, "after_contribute", shape=(None,)).copy()
        d = as_probability_array(self.after_withhold, "after_withhold", shape=(None,)).copy()
        if c.shape != d.shape:
            raise ValueError(
                "after_contribute and after_withhold must have the same length n (one entry "
                f"per number of other contributors), got {c.shape[0]} and {d.shape[0]}"
            )
        if c.shape[0] < 2:
            raise ValueError(f"after_contribute must have length >= 2 (group size), got {c.shape}")
        c.flags.writeable = False
        d.flags.writeable = False
        object.__setattr__(self, "after_contribute", c)
        object.__setattr__(self, "after_withhold", d)
        object.__setattr__(self, "initial", check_probability(self.initial, "initial"))
        object.__setattr__(self, "name", check_str(self.name, "name"))

    @property
    def group_size(self) -> int:
        """Group size n the strategy is written for (the length of its tables)."""
        return int(self.after_contribute.shape[0])

    @property
    def table(self) -> np.ndarray:
        """Shape (2, n): row 0 after contributing, row 1 after withholding (a new array)."""
        return np.stack([self.after_contribute, self.after_withhold])

    def probability(self, own_last: int, k: int) -> float:
        """Probability to contribute after own move ``own_last`` and ``k`` other contributors.

        Parameters
        ----------
        own_last : int
            0: the member contributed last round, 1: it withheld.
        k : int
            Number of the other members who contributed last round, in [0, n - 1].

        Returns
        -------
        float
            The probability to contribute, before execution noise.

        Examples
        --------
        >>> threshold_reciprocity(2, group_size=4).probability(1, 2)
        1.0
        """
        own = check_int(own_last, "own_last", minimum=0)
        if own > 1:
            raise ValueError(f"own_last must be 0 (contributed) or 1 (withheld), got {own}")
        k = check_int(k, "k", minimum=0)
        if k > self.group_size - 1:
            raise ValueError(f"k must lie in [0, {self.group_size - 1}], got {k}")
        return float(self.table[own, k])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GroupStrategy):
            return NotImplemented
        return bool(
            np.array_equal(self.table, other.table)
            and self.initial == other.initial
            and self.name == other.name
        )

    def __hash__(self) -> int:
        return hash((self.table.tobytes(), self.initial, self.name))


def unconditional(probability: float, group_size: int, *, name: str | None = None) -> GroupStrategy:
    """Contribute with a fixed probability every round (ALLC at 1, ALLD at 0).

    Parameters
    ----------
    probability : float
        Probability in [0, 1] to contribute, in every round including the first.
    group_size : int
        Group size n >= 2.
    name : str or None, default None
        Label; None gives ``"ALLC"``, ``"ALLD"`` or ``"RANDOM(p)"``.

    Returns
    -------
    GroupStrategy
        The strategy.

    Examples
    --------
    >>> unconditional(0.0, 5).name
    'ALLD'
    """
    p = check_probability(probability, "probability")
    n = check_int(group_size, "group_size", minimum=2)
    if name is None:
        name = {1.0: "ALLC", 0.0: "ALLD"}.get(p, f"RANDOM({p:g})")
    row = np.full(n, p)
    return GroupStrategy(row, row, initial=p, name=name)


def threshold_reciprocity(
    k: int, group_size: int, *, initial: float = 1.0, name: str | None = None
) -> GroupStrategy:
    """Contribute if at least ``k`` of the other ``n - 1`` members contributed last round.

    ``k = n - 1`` is the group analogue of tit-for-tat that needs everyone (Boyd & Richerson's
    strictest reciprocator; not Pinheiro et al.'s 2014 "All-or-None", a group win-stay,
    lose-shift); ``k = 0`` contributes always after round one; ``k = n`` never does.
    Source: Boyd & Richerson (1988), J. Theor. Biol. 132:337 (their ``T_a``-reciprocators).

    Parameters
    ----------
    k : int
        Least number of other contributors, in [0, n].
    group_size : int
        Group size n >= 2.
    initial : float, default 1.0
        Probability to contribute in the first round.
    name : str or None, default None
        Label; None gives ``"TR(k)"``.

    Returns
    -------
    GroupStrategy
        The strategy (the same after contributing and after withholding).

    Examples
    --------
    >>> threshold_reciprocity(2, group_size=4).after_contribute.tolist()
    [0.0, 0.0, 1.0, 1.0]
    """
    n = check_int(group_size, "group_size", minimum=2)
    k = check_int(k, "k", minimum=0)
    if k > n:
        raise ValueError(f"k must lie in [0, group_size={n}], got {k}")
    row = (np.arange(n) >= k).astype(float)
    return GroupStrategy(row, row, initial=initial, name=f"TR({k})" if name is None else name)


def reciprocity_threshold(reciprocity: float, size: int | np.ndarray) -> np.ndarray:
    """Least number of other contributors read as a contributing partner: ``ceil(q (n - 1))``.

    Parameters
    ----------
    reciprocity : float
        Share ``q`` in [0, 1] of the other members that must have contributed.
    size : int or numpy.ndarray
        Consortium size(s) ``n``, integers >= 1.

    Returns
    -------
    numpy.ndarray
        ``k(n)`` in [0, n - 1], integers, the shape of ``size``.

    Raises
    ------
    TypeError
        ``size`` is not an integer or an array of integers.
    ValueError
        ``reciprocity`` is outside [0, 1] or a size is below 1.

    Examples
    --------
    >>> reciprocity_threshold(0.5, np.array([3, 4, 5])).tolist()
    [1, 2, 2]
    >>> reciprocity_threshold(1 / 3, 4).item()  # 1/3 * 3 is 1, not 1 + 1 ulp
    1
    """
    q = check_probability(reciprocity, "reciprocity")
    n = np.asarray(size)
    if n.dtype.kind not in "iu":
        got = f"{type(size).__name__} {size!r}" if n.ndim == 0 else f"an array of {n.dtype}"
        raise TypeError(f"size must be an integer or an array of integers, got {got}")
    if np.any(n < 1):
        raise ValueError(f"size must be >= 1 (members), got {size!r}")
    x = q * (n - 1).astype(float)
    # q is rounded to a float, so q (n - 1) may land a few ulps above an integer that it is in
    # exact arithmetic (1/3 * 3): those round down to it, everything else up.
    near = np.round(x)
    close = np.abs(x - near) <= 4 * np.finfo(float).eps * np.maximum(x, 1.0)
    return np.where(close, near, np.ceil(x)).astype(np.int64)


def group_strategy(strategy: MemoryOne, group_size: int, reciprocity: float) -> GroupStrategy:
    """The group strategy a memory-one strategy plays in a consortium of ``group_size``.

    The other members act as one aggregate partner who contributed when at least
    ``k = ceil(reciprocity * (n - 1))`` of them did, so ``(p_CC, p_CD, p_DC, p_DD)`` becomes
    ``after_contribute[j] = p_CC if j >= k else p_CD`` and ``after_withhold[j] = p_DC if j >=
    k else p_DD`` (``j`` other contributors). TFT becomes
    :func:`~allysim.consortia.threshold_reciprocity` ``TR(k)``, ALLC and ALLD
    :func:`~allysim.consortia.unconditional`.

    Parameters
    ----------
    strategy : MemoryOne
        The pairwise strategy.
    group_size : int
        Consortium size n >= 2.
    reciprocity : float
        Share in [0, 1] of the other members whose contribution counts as the partner's.

    Returns
    -------
    GroupStrategy
        Named after ``strategy``.

    Examples
    --------
    >>> from allysim.strategies import TFT
    >>> from allysim.consortia import threshold_reciprocity
    >>> group_strategy(TFT, 5, 0.5).table.tolist() == threshold_reciprocity(2, 5).table.tolist()
    True
    """
    if not isinstance(strategy, MemoryOne):
        raise TypeError(f"strategy must be a MemoryOne, got {type(strategy).__name__}")
    n = check_int(group_size, "group_size", minimum=2)
    k = int(reciprocity_threshold(reciprocity, n))
    p = np.asarray(strategy.p, dtype=float)
    partner_c = np.arange(n) >= k
    return GroupStrategy(
        np.where(partner_c, p[0], p[1]),
        np.where(partner_c, p[2], p[3]),
        initial=float(strategy.p0),
        name=strategy.name,
    )
