"""Nowak & May's spatial prisoner's dilemma on a periodic lattice.

* [`nowak_may`][allysim.evolution.nowak_may]: the deterministic spatial prisoner's dilemma
  of Nowak & May (1992, Nature 359:826): cooperators and defectors on a periodic square
  lattice, payoffs ``R = 1, T = b, S = P = 0`` summed over the neighbourhood (and, by default,
  the site itself), then every site at once takes the strategy of the highest-scoring site
  around it; the result is a [`NowakMayResult`][allysim.evolution.NowakMayResult].

Games on graphs ([`simulate_graph_game`][allysim.evolution.simulate_graph_game],
[`graph_fixation_probability`][allysim.evolution.graph_fixation_probability],
[`GraphGameResult`][allysim.evolution.GraphGameResult]) are in
``allysim.evolution.graph_games``; they stay importable from this module, where they were
first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from allysim._progress import progress_bar
from allysim._results import SavedResult
from allysim._validation import (
    check_bool,
    check_int,
    check_memory,
    check_real,
)
from allysim.evolution._common import _choice
from allysim.evolution.graph_games import (
    GraphGameResult,
    graph_fixation_probability,
    simulate_graph_game,
)
from allysim.evolution.graph_games import GraphRule as GraphRule

__all__ = [
    "GraphGameResult",
    "NowakMayResult",
    "graph_fixation_probability",
    "nowak_may",
    "simulate_graph_game",
]

_NEIGHBOURHOODS = ("von_neumann", "moore")


@dataclass(frozen=True, repr=False)
class NowakMayResult(SavedResult):
    """Result of [`nowak_may`][allysim.evolution.nowak_may].

    Parameters
    ----------
    grid : numpy.ndarray
        Final lattice, shape (rows, cols) or (replicates, rows, cols); 1 = cooperator.
    previous : numpy.ndarray
        The lattice one generation before the last (Nowak & May colour a site by its strategy
        now and then), same shape as ``grid``.
    cooperators : numpy.ndarray
        Share of cooperators after each generation, the start included: shape (steps + 1,)
        or (steps + 1, replicates).
    snapshots : numpy.ndarray or None
        Lattices every ``record_every`` generations, the start included, stacked on a first
        axis; None without ``record_every``.
    temptation : float
        The temptation payoff b.

    Examples
    --------
    >>> g = np.ones((5, 5), dtype=np.int8)
    >>> g[2, 2] = 0
    >>> res = nowak_may(g, temptation=1.5, steps=1)
    >>> res.cooperators.round(2).tolist()  # the lone defector takes its 8 neighbours
    [0.96, 0.64]
    """

    grid: np.ndarray
    previous: np.ndarray
    cooperators: np.ndarray
    snapshots: np.ndarray | None
    temptation: float

    def colours(self) -> np.ndarray:
        """Nowak & May's colour code of the last generation.

        Returns
        -------
        numpy.ndarray
            Same shape as ``grid``: 0 = C that was C (blue), 1 = D that was D (red), 2 = D
            that was C (yellow), 3 = C that was D (green).

        Examples
        --------
        >>> g = np.ones((5, 5), dtype=np.int8)
        >>> g[2, 2] = 0
        >>> int((nowak_may(g, temptation=1.5, steps=1).colours() == 2).sum())
        8
        """
        now, then = self.grid.astype(bool), self.previous.astype(bool)
        out = np.where(now, np.where(then, 0, 3), np.where(then, 2, 1))
        return out.astype(np.int8)


def _neighbourhood_sum(x: np.ndarray, shifts: list[tuple[int, int]]) -> np.ndarray:
    out = np.zeros_like(x)
    for dr, dc in shifts:
        out += np.roll(x, (dr, dc), axis=(-2, -1))
    return out


def _shifts(neighbourhood: str) -> list[tuple[int, int]]:
    shifts = [(0, 1), (0, -1), (1, 0), (-1, 0)]
    if neighbourhood == "moore":
        shifts += [(1, 1), (1, -1), (-1, 1), (-1, -1)]
    return shifts


def nowak_may(
    initial: Any,
    *,
    temptation: float,
    steps: int,
    neighbourhood: str = "moore",
    self_interaction: bool = True,
    record_every: int | None = None,
    progress: bool = False,
) -> NowakMayResult:
    """Nowak & May's (1992) deterministic spatial prisoner's dilemma on a periodic lattice.

    Nowak, M. A. & May, R. M. (1992), "Evolutionary games and spatial chaos", Nature 359,
    826-829. Every site holds a cooperator (1) or a defector (0) and plays the one-shot game
    ``R = 1, T = b, S = P = 0`` with each site of its neighbourhood (and with itself when
    ``self_interaction``), summing the payoffs. Then, synchronously, each site takes the strategy
    of the highest score in its neighbourhood, itself included. A tie between a cooperator and
    a defector keeps the site's own strategy (it can only happen at a b whose multiple is an
    integer, such as b = 1.5 for 2b = 3; Nowak & May's regimes lie between such values).

    With the Moore neighbourhood and self-interaction (their main case) a lone defector in a
    sea of cooperators stays alone for 1 < b < 9/8 (it scores 8b, its neighbours see a
    cooperator scoring 9) and becomes a 3 x 3 block above, which falls back to one defector
    for b < 8/5 and stays for 8/5 < b < 9/5; for 1.8 < b < 2 it grows into the
    symmetric, ever-changing "kaleidoscope", and from random starts the share of cooperators
    fluctuates around ``12 ln 2 - 8 = 0.318`` (their estimate), whatever the start. Only the
    ranking of scores matters, so b acts through the intervals between ratios of small
    integers (9/8, 5/3, 9/5, 2, ...).

    Parameters
    ----------
    initial : numpy.ndarray
        Starting lattice of 0/1 (defector/cooperator), shape (rows, cols) or, for several
        lattices at once, (replicates, rows, cols); rows and cols >= 3.
    temptation : float
        The temptation payoff b (a defector's gain against a cooperator), finite.
    steps : int
        Number of generations, >= 0.
    neighbourhood : {"moore", "von_neumann"}, default "moore"
        The 8 surrounding sites or the 4 orthogonal ones.
    self_interaction : bool, default True
        Whether each site also plays against itself (a cooperator gains R = 1 from it), as in
        Nowak & May.
    record_every : int or None, default None
        Keep the lattice every this many generations (>= 1); memory is checked against the
        budget.
    progress : bool, default False
        Show a tqdm progress bar.

    Returns
    -------
    NowakMayResult
        The final lattice, the one before it, the cooperator share per generation and the
        snapshots.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> start = (rng.random((100, 100)) > 0.1).astype(np.int8)  # 10% defectors
    >>> res = nowak_may(start, temptation=1.85, steps=200)
    >>> round(float(res.cooperators[100:].mean()), 2)  # Nowak & May: 12 ln 2 - 8 = 0.318
    0.32
    """
    grid = np.asarray(initial)
    if grid.dtype == bool:
        grid = grid.astype(np.int8)
    if grid.ndim not in (2, 3) or not np.issubdtype(grid.dtype, np.number):
        raise TypeError(
            "initial must be a 0/1 numeric array of shape (rows, cols) or (replicates, rows, cols)"
        )
    if grid.shape[-1] < 3 or grid.shape[-2] < 3 or grid.size == 0:
        raise ValueError(f"initial must have at least 3 rows and 3 columns, got {grid.shape}")
    if not np.all((grid == 0) | (grid == 1)):
        raise ValueError("initial must hold only 0 (defector) and 1 (cooperator)")
    b = check_real(temptation, "temptation")
    steps = check_int(steps, "steps", minimum=0)
    _choice(neighbourhood, "neighbourhood", _NEIGHBOURHOODS)
    self_interaction = check_bool(self_interaction, "self_interaction")
    check_bool(progress, "progress")
    if record_every is not None:
        record_every = check_int(record_every, "record_every", minimum=1)
    records = 1 + steps // record_every if record_every else 0
    # A generation holds about eight float64 lattices at once (neighbour counts, scores, the
    # best scores of either strategy, a shifted copy and the temporaries of np.where), about
    # 72 bytes a site; every snapshot is one int8 lattice.
    check_memory(
        grid.size * (records + 80.0),
        "steps, record_every" if record_every else "initial",
        hint="raise record_every or use a smaller lattice",
    )
    shifts = _shifts(neighbourhood)
    shifts_self = [*shifts, (0, 0)]
    c = grid.astype(np.int8)
    snapshots = np.empty((records, *c.shape), dtype=np.int8) if record_every else None
    if snapshots is not None:
        snapshots[0] = c
    sites = c.shape[-1] * c.shape[-2]
    share = np.empty((steps + 1, *c.shape[:-2]))
    share[0] = c.sum(axis=(-2, -1)) / sites
    previous = c.copy()
    bar = None
    if progress:
        bar = progress_bar(total=steps, desc="Nowak-May generations", unit="gen")
    for t in range(1, steps + 1):
        n_c = _neighbourhood_sum(c.astype(np.float64), shifts)
        # Payoffs: a cooperator earns 1 per cooperating neighbour (and 1 from itself), a
        # defector b per cooperating neighbour; a defector gains nothing from itself (P = 0).
        score = np.where(c == 1, n_c + (1.0 if self_interaction else 0.0), b * n_c)
        best_c = np.full(c.shape, -np.inf)
        best_d = np.full(c.shape, -np.inf)
        for dr, dc in shifts_self:
            s = np.roll(score, (dr, dc), axis=(-2, -1))
            is_c = np.roll(c, (dr, dc), axis=(-2, -1)) == 1
            best_c = np.where(is_c, np.maximum(best_c, s), best_c)
            best_d = np.where(is_c, best_d, np.maximum(best_d, s))
        previous = c
        c = np.where(best_c > best_d, 1, np.where(best_d > best_c, 0, c)).astype(np.int8)
        share[t] = c.sum(axis=(-2, -1)) / sites
        if snapshots is not None and record_every and t % record_every == 0:
            snapshots[t // record_every] = c
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return NowakMayResult(
        grid=c, previous=previous, cooperators=share, snapshots=snapshots, temptation=b
    )
