"""The forfeit rule that sanctions and bonds share: a detected defector loses an amount.

``_Forfeit`` holds the rule once: its expected effect (``transform``), its literal per-round
effect (``settle``, one detection draw per withheld contribution) and its threshold. The
concrete mechanisms, [`Sanction`][allysim.mechanisms.Sanction] and
[`Bond`][allysim.mechanisms.Bond], live in ``stage`` and only name the amount and the share.
"""

from __future__ import annotations

import abc
from typing import ClassVar

import numpy as np

from allysim.games import StageGame
from allysim.mechanisms.base import Mechanism, _finite_pair, _payoff_pair
from allysim.mechanisms.thresholds import _stake_threshold


def _fine_matrices(amount: float, to_victim: float) -> tuple[np.ndarray, np.ndarray]:
    """Expected change of (row, col) payoffs when each detected defector pays ``amount``.

    The victim (the partner) receives ``to_victim`` times it. Rows: row move, cols: col move.
    """
    defect = np.array([[0.0, 0.0], [1.0, 1.0]])  # row player withholds
    row = -amount * defect + to_victim * amount * defect.T
    return row, row.T.copy()


class _Forfeit(Mechanism, abc.ABC):
    """One rule: a detected defector forfeits an amount and the partner receives a share of it.

    Sanction (a fine, burned or handed to the victim) and Bond (a stake, salvaged in part) are
    this rule with different names and defaults; subclasses are frozen dataclasses with a
    ``detection`` field that define ``forfeit``, ``victim_share`` and ``_amount_name`` (the
    parameter named when a payoff overflows). With ``d`` the detection probability, ``F`` the
    forfeit and ``v`` the victim's share, the row player's expected stage payoffs become
    ``R``, ``S + v d F``, ``T - d F`` and ``P - d F + v d F``, so contributing dominates iff
    ``d F > max(T - R, P - S)``, whatever ``v``.
    """

    detection: float
    _amount_name: ClassVar[str] = "forfeit"

    @property
    @abc.abstractmethod
    def forfeit(self) -> float:
        """What a detected defector loses (payoff units)."""

    @property
    @abc.abstractmethod
    def victim_share(self) -> float:
        """Share in [0, 1] of the forfeit that the partner receives."""

    def transform(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Subtract the expected forfeit from each withholding payoff; the victim gets its share.

        Parameters
        ----------
        row : numpy.ndarray
            Row player's payoffs, shape (..., 2, 2) indexed [..., row move, col move] with move
            0 = contribute, 1 = withhold.
        col : numpy.ndarray
            Column player's payoffs, the same shape.

        Returns
        -------
        row : numpy.ndarray
            Row player's expected payoffs after the forfeits.
        col : numpy.ndarray
            Column player's expected payoffs after the forfeits.

        Raises
        ------
        ValueError
            Bad shapes, or the forfeit pushes a payoff beyond the float range.

        Examples
        --------
        >>> from allysim.mechanisms import Bond, Sanction
        >>> r, c = Sanction(fine=4, detection=0.5).transform([[3, 0], [5, 1]], [[3, 5], [0, 1]])
        >>> r.tolist(), c.tolist()
        ([[3.0, 0.0], [3.0, -1.0]], [[3.0, 3.0], [0.0, -1.0]])
        >>> bond = Bond(stake=2, detection=1.0, salvage=0.25)
        >>> bond.transform([[3, 0], [5, 1]], [[3, 5], [0, 1]])[0].tolist()
        [[3.0, 0.5], [3.0, -0.5]]
        """
        row, col = _payoff_pair(row, col)
        dr, dc = _fine_matrices(self.forfeit * self.detection, self.victim_share)
        with np.errstate(over="ignore"):  # an overflow is reported below, naming the amount
            return _finite_pair(row + dr, col + dc, self._amount_name)

    def settle(
        self,
        pay_a: np.ndarray,
        pay_b: np.ndarray,
        contrib_a: np.ndarray,
        contrib_b: np.ndarray,
        rng: np.random.Generator,
        scale: np.ndarray | float = 1.0,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Detect each withheld contribution by its own draw and move the forfeits.

        Parameters
        ----------
        pay_a : numpy.ndarray
            Realised payoffs of partner a, any shape (payoff units).
        pay_b : numpy.ndarray
            Realised payoffs of partner b, the shape of ``pay_a``.
        contrib_a : numpy.ndarray
            Boolean, the shape of ``pay_a``: True where a contributed.
        contrib_b : numpy.ndarray
            Boolean, the shape of ``pay_a``: True where b contributed.
        rng : numpy.random.Generator
            Source of the detection draws: two arrays of uniforms of the shape of ``pay_a``
            (a's withholdings first).
        scale : numpy.ndarray or float, default 1.0
            Factor, >= 0, on the forfeit, broadcastable to the shape of ``pay_a``.

        Returns
        -------
        pay_a : numpy.ndarray
            Partner a's payoffs after the forfeits.
        pay_b : numpy.ndarray
            Partner b's payoffs after the forfeits.
        enforcement : numpy.ndarray or None
            Enforcement cost per partner (the mean over both partners' detected defections),
            or None when the rule has none.

        Examples
        --------
        >>> import numpy as np
        >>> from allysim.mechanisms import Bond
        >>> a, b, cost = Bond(stake=2, detection=1.0, salvage=0.5).settle(
        ...     np.array([5.0]), np.array([0.0]), np.array([False]), np.array([True]),
        ...     np.random.default_rng(0),
        ... )
        >>> a.tolist(), b.tolist(), cost
        ([3.0], [1.0], None)
        """
        amount, to_victim = self.forfeit * scale, self.victim_share
        caught_a = ~contrib_a & (rng.random(np.shape(pay_a)) < self.detection)
        caught_b = ~contrib_b & (rng.random(np.shape(pay_b)) < self.detection)
        # Copies updated in place: a 0-d input stays an array, and the inputs are not changed.
        pay_a, pay_b = np.array(pay_a, dtype=float), np.array(pay_b, dtype=float)
        pay_a += -amount * caught_a + to_victim * amount * caught_b
        pay_b += -amount * caught_b + to_victim * amount * caught_a
        return pay_a, pay_b, self._enforcement(caught_a, caught_b)

    def _enforcement(self, caught_a: np.ndarray, caught_b: np.ndarray) -> np.ndarray | None:
        return None

    def threshold(self, game: StageGame) -> float:
        """Least forfeit at this detection probability that makes contributing dominant.

        ``max(0, T - R, P - S) / detection``: 0 when contributing already dominates, ``inf``
        when it does not and detection is 0 (see
        [`sanction_threshold`][allysim.mechanisms.sanction_threshold] and
        [`bond_threshold`][allysim.mechanisms.bond_threshold]).

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            The least fine or stake, >= 0, in payoff units.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> from allysim.mechanisms import Bond, Sanction
        >>> Sanction(fine=5, detection=0.5).threshold(PrisonersDilemma())  # 2 / 0.5
        4.0
        >>> Bond(stake=1, detection=0.25).threshold(PrisonersDilemma())  # 2 / 0.25
        8.0
        """
        return _stake_threshold(game, self.detection)

    def margin(self, game: StageGame) -> float:
        """The fine or stake minus its threshold.

        Parameters
        ----------
        game : StageGame
            A symmetric 2x2 game, before the mechanisms.

        Returns
        -------
        float
            ``forfeit - threshold(game)``; > 0: contributing dominates.

        Examples
        --------
        >>> from allysim.games import PrisonersDilemma
        >>> from allysim.mechanisms import Bond, Sanction
        >>> Sanction(fine=5, detection=0.5).margin(PrisonersDilemma())
        1.0
        >>> Bond(stake=1, detection=0.25).margin(PrisonersDilemma())
        -7.0
        """
        return self.forfeit - self.threshold(game)
