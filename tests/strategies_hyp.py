"""Hypothesis generators for games and strategies (imported by the tests)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from allysim import FiniteStateStrategy, MemoryOne, PrisonersDilemma

prob = st.floats(0.0, 1.0, allow_nan=False)
interior = st.floats(0.02, 0.98, allow_nan=False)


@st.composite
def memory_one(draw, elements=prob):
    p = [draw(elements) for _ in range(4)]
    return MemoryOne(tuple(p), p0=draw(elements), name=f"m{draw(st.integers(0, 10**6))}")


@st.composite
def finite_state(draw, max_states=3):
    k = draw(st.integers(1, max_states))
    out = [draw(prob) for _ in range(k)]
    nxt = np.array(draw(st.lists(st.integers(0, k - 1), min_size=4 * k, max_size=4 * k)))
    return FiniteStateStrategy(
        output=out,
        next_state=nxt.reshape(k, 2, 2),
        initial=draw(st.integers(0, k - 1)),
        name=f"f{draw(st.integers(0, 10**6))}",
    )


@st.composite
def dilemma(draw):
    """A repeated prisoner's dilemma with integer-ish payoffs in a moderate range."""
    P = draw(st.floats(-2, 2))
    S = P - draw(st.floats(0.1, 3))
    R = P + draw(st.floats(0.1, 3))
    # 2R > T + S and T > R
    T = R + draw(st.floats(0.05, 0.95)) * (R - S)
    return PrisonersDilemma(R=R, S=S, T=T, P=P)
