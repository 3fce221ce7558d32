"""Evolutionary robustness of a resident strategy in a finite population (Stewart & Plotkin 2013).

A resident is robust against a mutant when one mutant in a population of ``N - 1`` residents
fixes with probability at most ``1 / N``, the neutral value: selection does not favour the
mutant's invasion (Stewart & Plotkin 2013, PNAS 110:15348, "From extortion to generosity,
evolution in the Iterated Prisoner's Dilemma").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from allysim._validation import as_probability_array, check_game, check_int
from allysim.evolution._common import Rule, _population, _rule, _selection
from allysim.evolution.fixation import _partial_log_products, _rho_parts
from allysim.evolution.strategy_space import _symmetric_payoffs
from allysim.games import StageGame
from allysim.kernels import expected_payoffs
from allysim.strategies import FiniteStateStrategy, MemoryOne

__all__ = ["Robustness", "robustness"]

# Self-play payoffs come from square blocks of pairs; this many mutants per block.
_BLOCK = 128
# Population states x mutants per block of fixation probabilities (8 MiB per float64 array).
_STATES_PER_BLOCK = 1 << 20


@dataclass(frozen=True, eq=False)
class Robustness:
    """Result of [`robustness`][allysim.equilibria.robustness].

    Parameters
    ----------
    share : float
        Share of the mutants that cannot selectively invade (fixation probability <= 1/N).
    robust : numpy.ndarray of bool, shape (n,)
        Per mutant: True when it cannot selectively invade.
    log_fixation : numpy.ndarray, shape (n,)
        Natural log of each mutant's fixation probability (``-inf`` below the float range).
    population : int
        Population size N.

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import ALLC, ALLD
    >>> robustness(ALLD, [ALLC], PrisonersDilemma(), population=10, selection=1.0)
    Robustness(share=1, 1 mutants, N=10)
    """

    share: float
    robust: np.ndarray = field(repr=False)
    log_fixation: np.ndarray = field(repr=False)
    population: int

    def __repr__(self) -> str:
        return (
            f"Robustness(share={self.share:.4g}, {len(self.robust)} mutants, N={self.population})"
        )


def _self_play(mutants: Any, game: StageGame, play: dict[str, Any]) -> np.ndarray:
    n = len(mutants)
    out = np.empty(n)
    for start in range(0, n, _BLOCK):
        block = mutants[start : start + _BLOCK]
        row, _ = expected_payoffs(block, block, game, **play)
        out[start : start + len(block)] = np.diagonal(row)
    return out


def _resident(resident: Any) -> Any:
    """One strategy: an object, a name, or one memory-one row (shape (5,) or (1, 5))."""
    if isinstance(resident, (MemoryOne, FiniteStateStrategy, str)):
        return resident
    if isinstance(resident, (list, tuple)) and any(
        isinstance(s, (MemoryOne, FiniteStateStrategy, str)) for s in resident
    ):
        raise ValueError(
            f"resident must be one strategy, got a sequence of {len(resident)}; pass each "
            "resident in its own call"
        )
    if np.ndim(resident) == 0:
        raise TypeError(
            "resident must be a MemoryOne or FiniteStateStrategy, a name such as 'TFT', or one "
            f"memory-one row [p_CC, p_CD, p_DC, p_DD, p0], got {type(resident).__name__}"
        )
    row = as_probability_array(resident, "resident")
    if row.shape not in ((5,), (1, 5)):
        raise ValueError(
            "resident must be one strategy: a memory-one row [p_CC, p_CD, p_DC, p_DD, p0] has "
            f"shape (5,) or (1, 5), got {row.shape}"
        )
    return row.reshape(1, 5).astype(float)


def _mutants(mutants: Any) -> Any:
    """A sequence of strategy objects or names as it is, anything else as an (n, 5) array."""
    kinds = (MemoryOne, FiniteStateStrategy, str)
    if isinstance(mutants, (list, tuple)) and all(isinstance(m, kinds) for m in mutants):
        if len(mutants) == 0:
            raise ValueError("mutants must hold at least one strategy, got none")
        return mutants
    arr = np.asarray(as_probability_array(mutants, "mutants"), dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 5:
        raise ValueError(
            f"mutants must have shape (n, 5) (memory-one rows [p_CC, p_CD, p_DC, p_DD, p0]), "
            f"got {arr.shape}"
        )
    if len(arr) == 0:
        raise ValueError("mutants must hold at least one strategy, got none")
    return arr


def robustness(
    resident: Any,
    mutants: Any,
    game: StageGame,
    *,
    population: int,
    selection: float,
    rule: Rule = "fermi",
    rounds: int | None = None,
    continuation: float | None = None,
    noise: float = 0.0,
) -> Robustness:
    """Share of mutants that cannot selectively invade ``resident`` (Stewart & Plotkin 2013).

    For each mutant the 2x2 payoff matrix of mutant and resident (exact expected payoffs per
    round from [`expected_payoffs`][allysim.kernels.expected_payoffs]) gives the exact
    fixation probability ``rho`` of one mutant among ``N - 1`` residents
    (the closed form of
    [`log_fixation_probability`][allysim.evolution.log_fixation_probability], for blocks of
    mutants at once); the resident is robust against it when ``rho <= 1 / N``.

    Parameters
    ----------
    resident : strategy, name or array_like of 5 floats
        The resident strategy: a MemoryOne, a FiniteStateStrategy, a name such as ``"TFT"``,
        or one memory-one row ``[p_CC, p_CD, p_DC, p_DD, p0]`` (shape (5,) or (1, 5)).
    mutants : sequence of strategies, or array_like of shape (n, 5)
        The mutants, e.g. a uniform sample of memory-one strategies as rows ``[p_CC, p_CD,
        p_DC, p_DD, p0]``. At least one.
    game : StageGame
        A symmetric 2x2 stage game (one population: players meet in both roles).
    population : int
        Population size N >= 2.
    selection : float
        Selection intensity beta >= 0 (in [0, 1] for ``rule="moran"``).
    rule : {"fermi", "moran"}, default "fermi"
        Pairwise comparison (Fermi) or Moran birth-death process.
    rounds : int or None, default None
        Horizon of each game, as in ``expected_payoffs``; with neither ``rounds`` nor
        ``continuation`` the limit of means (Stewart & Plotkin's setting).
    continuation : float or None, default None
        Continuation probability in [0, 1) of each game, as in ``expected_payoffs``.
    noise : float, default 0.0
        Execution noise in [0, 1], as in ``expected_payoffs``.

    Returns
    -------
    Robustness
        The share of mutants that cannot invade, the per-mutant verdicts and log fixation
        probabilities.

    Raises
    ------
    TypeError
        A strategy, ``game`` or a number has the wrong type.
    ValueError
        No mutants, more than one resident, ``game`` not symmetric 2x2, ``population < 2``,
        or a parameter out of its range (see ``expected_payoffs`` and
        ``fixation_probability``).

    Examples
    --------
    >>> from allysim.games import PrisonersDilemma
    >>> from allysim.strategies import generous
    >>> rng = np.random.default_rng(1)
    >>> r = robustness(generous(), rng.random((200, 5)), PrisonersDilemma(),
    ...                population=100, selection=1.0)
    >>> r.share > 0.9
    True
    """
    game = check_game(game, "game")
    _symmetric_payoffs(game)
    population = _population(check_int(population, "population", minimum=2))
    rule = _rule(rule)
    beta = _selection(selection, rule)
    resident = _resident(resident)
    mutants = _mutants(mutants)
    play: dict[str, Any] = {"rounds": rounds, "continuation": continuation, "noise": noise}
    try:
        m_vs_r, r_vs_m = expected_payoffs(mutants, resident, game, **play)
    except (TypeError, ValueError) as exc:
        # The kernel names its own parameters; say which of ours is wrong.
        msg = str(exc).replace("row_strategies", "mutants").replace("col_strategies", "resident")
        raise type(exc)(msg) from None
    r_vs_r = float(expected_payoffs(resident, resident, game, **play)[0][0, 0])
    m_vs_m = _self_play(mutants, game, play)
    n = len(m_vs_m)
    logs = np.empty(n)
    # The same closed form as log_fixation_probability, for a block of mutants at once.
    step = max(1, _STATES_PER_BLOCK // (population - 1))
    for start in range(0, n, step):
        sl = slice(start, start + step)
        partial = _partial_log_products(
            m_vs_m[sl], m_vs_r[sl, 0], r_vs_m[sl, 0], r_vs_r, population, beta, rule
        )
        top, total = _rho_parts(partial)
        with np.errstate(divide="ignore"):
            logs[sl] = -(top + np.log(total))
    # Neutral mutants sit exactly at 1/N; round-off must not count them as invaders.
    robust = logs <= -math.log(population) + 1e-12
    return Robustness(float(robust.mean()), robust, logs, population)
