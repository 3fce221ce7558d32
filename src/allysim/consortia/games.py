"""Symmetric n-member partnership games with two moves: contribute (0) or withhold (1).

A consortium is a partnership of ``n`` members. Each member's payoff depends only on its own
move and on the number ``k`` of the other ``n - 1`` members who contribute, so a game is two
tables of ``n`` numbers: ``contributor[k]`` and ``withholder[k]``, ``k = 0 .. n - 1``
(the representation of Gokhale & Traulsen 2010, Dyn. Games Appl. and PNAS 107:5500).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any

import numpy as np

from allysim._validation import (
    as_float_array,
    check_int,
    check_nonnegative,
)

__all__ = ["GroupGame", "PublicGoodsGame", "as_group_game"]


def _others(k: Any, n: int) -> np.ndarray:
    """``k`` as an int array of other contributors in [0, n - 1], or raise naming ``k``."""
    arr = np.asarray(k)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            got = f"{type(k).__name__} {k!r}" if arr.ndim == 0 else f"an array of {arr.dtype}"
            raise TypeError(f"k must be an integer or an array of integers, got {got}")
    if np.any(arr < 0) or np.any(arr > n - 1):
        raise ValueError(f"k must lie in [0, {n - 1}] (other contributors), got {k!r}")
    return arr.astype(np.int64)


class _TwoActionGroup(abc.ABC):
    """What every symmetric two-move group game offers, given its two payoff tables."""

    group_size: int

    @abc.abstractmethod
    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """The contributor's and the withholder's payoff for 0 .. n - 1 other contributors."""

    def payoffs(self, k: Any) -> tuple[np.ndarray, np.ndarray]:
        """Payoffs of a contributor and of a withholder when ``k`` others contribute.

        Parameters
        ----------
        k : int or numpy.ndarray
            Number of the other ``n - 1`` members who contribute, in [0, n - 1]; any shape.

        Returns
        -------
        contributor : numpy.ndarray
            Payoff of a member who contributes (payoff units), the shape of ``k``.
        withholder : numpy.ndarray
            Payoff of a member who withholds, the shape of ``k``.

        Examples
        --------
        >>> pc, pd = PublicGoodsGame(4, multiplier=2.0).payoffs([0, 3])
        >>> pc.tolist(), pd.tolist()
        ([-0.5, 1.0], [0.0, 1.5])
        """
        pc, pd = self.tables()
        idx = _others(k, self.group_size)
        return pc[idx], pd[idx]

    def gain_from_contributing(self, k: Any) -> np.ndarray:
        """Contributor's payoff minus withholder's payoff when ``k`` others contribute.

        Parameters
        ----------
        k : int or numpy.ndarray
            Number of the other members who contribute, in [0, n - 1]; any shape.

        Returns
        -------
        numpy.ndarray
            ``contributor[k] - withholder[k]``; negative: a temptation to withhold.

        Examples
        --------
        >>> PublicGoodsGame(4, multiplier=2.0).gain_from_contributing(1).tolist()
        -0.5
        """
        pc, pd = self.payoffs(k)
        return pc - pd

    def welfare(self, contributors: Any) -> np.ndarray:
        """Mean payoff per member when ``contributors`` of the ``n`` members contribute.

        Parameters
        ----------
        contributors : int or numpy.ndarray
            Number of contributors in the group, in [0, n]; any shape.

        Returns
        -------
        numpy.ndarray
            Mean payoff per member (payoff units), the shape of ``contributors``.

        Examples
        --------
        >>> PublicGoodsGame(4, multiplier=2.0).welfare([0, 4]).tolist()
        [0.0, 1.0]
        """
        n = self.group_size
        j = np.asarray(contributors)
        if j.dtype.kind == "b" or j.dtype.kind not in "iu":
            raise TypeError(f"contributors must be integers, got {j.dtype}")
        if np.any(j < 0) or np.any(j > n):
            raise ValueError(f"contributors must lie in [0, {n}], got {contributors!r}")
        pc, pd = self.tables()
        c_part = np.where(j > 0, pc[np.clip(j - 1, 0, n - 1)], 0.0)
        d_part = np.where(j < n, pd[np.clip(j, 0, n - 1)], 0.0)
        return (j * c_part + (n - j) * d_part) / n

    @property
    def withholding_dominant(self) -> bool:
        """Whether withholding strictly beats contributing whatever the others do.

        Returns
        -------
        bool
            True for an n-person prisoner's dilemma (every ``gain_from_contributing(k) < 0``).

        Examples
        --------
        >>> PublicGoodsGame(5, multiplier=3.0).withholding_dominant
        True
        """
        pc, pd = self.tables()
        return bool(np.all(pc < pd))

    @property
    def is_dilemma(self) -> bool:
        """Whether the game is a social dilemma (Dawes 1980; Kollock 1998).

        A social dilemma here: every member contributing pays each more than nobody
        contributing (``contributor[n-1] > withholder[0]``), yet in at least one composition a
        member gains by withholding (some ``gain_from_contributing(k) < 0``). It covers the
        n-person prisoner's dilemma (withholding dominant), the n-person stag hunt (threshold
        games) and the volunteer's dilemma / n-person snowdrift.

        Returns
        -------
        bool
            True for a social dilemma.

        Examples
        --------
        >>> PublicGoodsGame(5, multiplier=3.0).is_dilemma
        True
        >>> PublicGoodsGame(5, multiplier=6.0).is_dilemma  # r > n: contributing pays
        False
        """
        pc, pd = self.tables()
        return bool(pc[-1] > pd[0] and np.any(pc < pd))

    def to_group_game(self) -> GroupGame:
        """The game as its two payoff tables.

        Returns
        -------
        GroupGame
            ``GroupGame(contributor, withholder)``.

        Examples
        --------
        >>> PublicGoodsGame(2, multiplier=1.5).to_group_game().contributor.tolist()
        [-0.25, 0.5]
        """
        pc, pd = self.tables()
        return GroupGame(pc, pd)


@dataclass(frozen=True, eq=False)
class GroupGame(_TwoActionGroup):
    """A symmetric n-member game with two moves, given by its two payoff tables.

    Parameters
    ----------
    contributor : numpy.ndarray
        Shape (n,): payoff of a contributor when ``k`` of the other ``n - 1`` members
        contribute, ``k = 0 .. n - 1`` (payoff units).
    withholder : numpy.ndarray
        Shape (n,): payoff of a withholder when ``k`` others contribute.

    Raises
    ------
    TypeError
        A table is not numeric.
    ValueError
        The tables differ in length, have fewer than 2 entries, or hold NaN or inf.

    Examples
    --------
    >>> g = GroupGame([0.0, 3.0], [1.0, 5.0])  # the prisoner's dilemma: (S, R), (P, T)
    >>> g.group_size, g.withholding_dominant
    (2, True)
    """

    contributor: np.ndarray
    withholder: np.ndarray

    def __post_init__(self) -> None:
        pc = as_float_array(self.contributor, "contributor", shape=(None,)).copy()
        pd = as_float_array(self.withholder, "withholder", shape=(None,)).copy()
        if pc.shape != pd.shape:
            raise ValueError(
                f"contributor and withholder must have the same length n (one entry per "
                f"number of other contributors), got {pc.shape[0]} and {pd.shape[0]}"
            )
        if pc.shape[0] < 2:
            raise ValueError(f"contributor must have length >= 2 (group size), got {pc.shape[0]}")
        pc.flags.writeable = False
        pd.flags.writeable = False
        object.__setattr__(self, "contributor", pc)
        object.__setattr__(self, "withholder", pd)

    @property
    def group_size(self) -> int:  # type: ignore[override]
        """Number of members n (the length of the tables)."""
        return int(self.contributor.shape[0])

    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """The two payoff tables.

        Returns
        -------
        contributor : numpy.ndarray
            Shape (n,), read-only.
        withholder : numpy.ndarray
            Shape (n,), read-only.

        Examples
        --------
        >>> GroupGame([0.0, 1.0], [0.5, 2.0]).tables()[1].tolist()
        [0.5, 2.0]
        """
        return self.contributor, self.withholder

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GroupGame):
            return NotImplemented
        return bool(
            np.array_equal(self.contributor, other.contributor)
            and np.array_equal(self.withholder, other.withholder)
        )

    def __hash__(self) -> int:
        return hash((self.contributor.tobytes(), self.withholder.tobytes()))


@dataclass(frozen=True)
class PublicGoodsGame(_TwoActionGroup):
    """Public goods game of a consortium: linear, threshold, synergy or discounting.

    Each of ``n`` members contributes ``cost`` or withholds. With ``j`` contributors the public
    good is worth ``(multiplier * cost / n) * (1 + w + ... + w^(j-1))`` to every member,
    provided ``j >= threshold``; below the threshold it is worth nothing and every member bears
    ``loss``. Contributors pay ``cost``.

    * Linear (``synergy=1``, ``threshold=0``): payoff ``r c j / n - c`` (contributor) and
      ``r c j / n`` (withholder); withholding dominates iff ``r < n``.
    * Synergy (``w > 1``) and discounting (``w < 1``): the k-th contribution is worth ``w^(k-1)``
      times the first (Hauert, Michor, Nowak & Doebeli 2006, J. Theor. Biol. 239:195, with
      their ``b = r c``).
    * Threshold ``m``: the n-person stag hunt (Pacheco, Santos, Souza & Skyrms 2009, Proc. R.
      Soc. B 276:315); ``threshold=1, synergy=0`` is the volunteer's dilemma (Diekmann 1985;
      one volunteer produces ``r c / n`` for everyone); ``multiplier=0`` with ``loss > 0`` is
      the collective-risk dilemma (Milinski et al. 2008; Santos & Pacheco 2011, PNAS 108:10421,
      ``loss`` = risk times endowment).

    Parameters
    ----------
    group_size : int
        Number of members n >= 2.
    multiplier : float, default 3.0
        Multiplication factor r >= 0 of the pooled contributions.
    cost : float, default 1.0
        Contribution c >= 0 (payoff units).
    threshold : int, default 0
        Least number m of contributors, in [0, n], for the good to be produced (0: none).
    synergy : float, default 1.0
        Factor w >= 0 applied to each further contribution (1: linear).
    loss : float, default 0.0
        Loss >= 0 borne by every member when fewer than ``threshold`` contribute (payoff units).

    Raises
    ------
    TypeError
        A parameter has the wrong type (``group_size`` or ``threshold`` not an integer).
    ValueError
        A parameter is out of range or not finite.

    Examples
    --------
    >>> g = PublicGoodsGame(5, multiplier=3.0, cost=1.0)
    >>> pc, pd = g.payoffs(4)  # everyone else contributes
    >>> float(pc), float(pd)
    (2.0, 2.4)
    >>> g.is_dilemma, g.withholding_dominant
    (True, True)
    """

    group_size: int
    multiplier: float = 3.0
    cost: float = 1.0
    threshold: int = 0
    synergy: float = 1.0
    loss: float = 0.0

    def __post_init__(self) -> None:
        n = check_int(self.group_size, "group_size", minimum=2)
        object.__setattr__(self, "group_size", n)
        object.__setattr__(self, "multiplier", check_nonnegative(self.multiplier, "multiplier"))
        object.__setattr__(self, "cost", check_nonnegative(self.cost, "cost"))
        m = check_int(self.threshold, "threshold", minimum=0)
        if m > n:
            raise ValueError(f"threshold must lie in [0, group_size={n}], got {m}")
        object.__setattr__(self, "threshold", m)
        object.__setattr__(self, "synergy", check_nonnegative(self.synergy, "synergy"))
        object.__setattr__(self, "loss", check_nonnegative(self.loss, "loss"))
        pc, pd = self._compute_tables()
        if not (np.all(np.isfinite(pc)) and np.all(np.isfinite(pd))):
            raise ValueError(
                "synergy is too large for this group_size: a payoff exceeds the float range"
            )

    def benefit(self, contributors: Any) -> np.ndarray:
        """Value of the public good to each member when ``contributors`` members contribute.

        Parameters
        ----------
        contributors : int or numpy.ndarray
            Number j of contributors in [0, n]; any shape.

        Returns
        -------
        numpy.ndarray
            ``(r c / n) (1 + w + ... + w^(j-1))`` when ``j >= threshold`` (0 for j = 0), else
            ``-loss`` (payoff units).

        Examples
        --------
        >>> PublicGoodsGame(4, multiplier=2.0, synergy=0.5).benefit([0, 1, 2, 3]).tolist()
        [0.0, 0.5, 0.75, 0.875]
        """
        n = self.group_size
        j = np.asarray(contributors)
        if j.dtype.kind == "b" or j.dtype.kind not in "iu":
            raise TypeError(f"contributors must be integers, got {j.dtype}")
        if np.any(j < 0) or np.any(j > n):
            raise ValueError(f"contributors must lie in [0, {n}], got {contributors!r}")
        return self._benefit(j.astype(np.int64))

    def _benefit(self, j: np.ndarray) -> np.ndarray:
        w = self.synergy
        jf = j.astype(float)
        with np.errstate(over="ignore", invalid="ignore"):
            if w == 1.0:
                geometric = jf
            else:
                # Summed term by term up to n: closed forms lose digits for w near 1.
                powers = np.cumsum(np.concatenate(([0.0], w ** np.arange(self.group_size))))
                geometric = powers[j]
        value = self.multiplier * self.cost / self.group_size * geometric
        return np.where(j >= self.threshold, value, -self.loss)

    def _compute_tables(self) -> tuple[np.ndarray, np.ndarray]:
        k = np.arange(self.group_size)
        pc = self._benefit(k + 1) - self.cost
        pd = self._benefit(k)
        return pc, pd

    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Payoff tables of a contributor and a withholder, ``k = 0 .. n - 1`` others.

        Returns
        -------
        contributor : numpy.ndarray
            Shape (n,): ``benefit(k + 1) - cost``.
        withholder : numpy.ndarray
            Shape (n,): ``benefit(k)``.

        Examples
        --------
        >>> PublicGoodsGame(3, multiplier=3.0, threshold=2).tables()[0].tolist()
        [-1.0, 1.0, 2.0]
        """
        return self._compute_tables()


def as_group_game(game: Any, name: str = "game") -> GroupGame:
    """Return ``game`` as a [`GroupGame`][allysim.consortia.GroupGame], or raise ``TypeError``.

    Parameters
    ----------
    game : GroupGame or PublicGoodsGame
        A symmetric n-member two-move game.
    name : str, default "game"
        Parameter name used in the error message.

    Returns
    -------
    GroupGame
        The game's payoff tables.

    Examples
    --------
    >>> as_group_game(PublicGoodsGame(3)).group_size
    3
    """
    if isinstance(game, GroupGame):
        return game
    if isinstance(game, _TwoActionGroup):
        return game.to_group_game()
    raise TypeError(
        f"{name} must be a PublicGoodsGame or GroupGame (an n-member game), got "
        f"{type(game).__name__}"
    )
