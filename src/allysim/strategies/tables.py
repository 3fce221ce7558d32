"""Many strategies at once as the global machine tables the kernels read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from allysim.strategies.finite_state import FiniteStateStrategy
from allysim.strategies.memory_one import MemoryOne

__all__ = ["machine_tables"]


def machine_tables(strategies: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate strategies' machines into global tables, so many can play as arrays.

    Parameters
    ----------
    strategies : MemoryOne, FiniteStateStrategy, or sequence of them
        At least one strategy.

    Returns
    -------
    output : numpy.ndarray, shape (G,)
        Probability to contribute in each global state (G = total number of states).
    next : numpy.ndarray, shape (G, 2, 2)
        Global next state from ``[state, my_move, their_move (as seen)]``.
    start : numpy.ndarray, shape (n,)
        Global starting state of each strategy.

    Raises
    ------
    TypeError
        ``strategies`` is not a strategy or a sequence of them.
    ValueError
        ``strategies`` is empty.

    Examples
    --------
    >>> from allysim.strategies import GRIM, TFT
    >>> out, nxt, start = machine_tables([GRIM, TFT])
    >>> out.shape, start.tolist()
    ((7,), [0, 6])
    """
    if isinstance(strategies, MemoryOne | FiniteStateStrategy):
        strategies = [strategies]
    if isinstance(strategies, str) or not isinstance(strategies, Sequence):
        raise TypeError(
            "strategies must be a strategy or a sequence of MemoryOne / FiniteStateStrategy "
            f"objects, got {type(strategies).__name__}"
        )
    if len(strategies) == 0:
        raise ValueError("strategies must hold at least one strategy, got an empty sequence")
    for s in strategies:
        if not isinstance(s, MemoryOne | FiniteStateStrategy):
            raise TypeError(
                "strategies must hold MemoryOne or FiniteStateStrategy objects, got "
                f"{type(s).__name__}"
            )
    machines = [s.to_finite_state() for s in strategies]
    sizes = np.array([f.n_states for f in machines], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    output = np.concatenate([np.asarray(f.output, dtype=float) for f in machines])
    nxt = np.concatenate([f.transitions + off for f, off in zip(machines, offsets, strict=True)])
    start = offsets + np.array([f.initial for f in machines], dtype=np.int64)
    return output, nxt, start
