"""Fuzz tests over every public function and class of ``allysim.games`` and
``allysim.strategies``.

Two contracts are checked for each:

* finite, in-range input gives finite results that keep their invariants (payoffs within the
  game's range, probabilities in [0, 1], labels from the documented set, invariance under
  relabelling actions or changing payoff units where the quantity does not depend on them);
* any other input (NaN, inf, str, bool, None, wrong shapes, out of range) raises only
  ``ValueError`` or ``TypeError``, and the message names the offending parameter.

The number of inputs tried per function is counted and printed at the end of the module (run
with ``-s`` to see it).
"""

from __future__ import annotations

import dataclasses
import math
import pickle
import warnings
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from allysim import expected_payoffs
from allysim import games as G
from allysim import strategies as S
from allysim.games.stage_game import _NASH_METHODS
from allysim.strategies.names import _NAMED
from allysim.strategies.zd import _zd_parts
from strategies_hyp import dilemma, finite_state, interior, memory_one

COUNTS: Counter[str] = Counter()

# Explicit budgets: the whole module runs in well under a minute on one core.
VALID = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INVALID = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    width = max(map(len, COUNTS), default=0)
    lines = [f"{name:<{width}}  {n:>5}" for name, n in sorted(COUNTS.items())]
    print("\nfuzz inputs tried per function:\n" + "\n".join(lines))


def raises_naming(names, call):
    """Call ``call``; it must raise ValueError/TypeError whose message names one of ``names``."""
    if isinstance(names, str):
        names = (names,)
    try:
        call()
    except (ValueError, TypeError) as exc:
        msg = str(exc)
        assert any(n in msg for n in names), f"{type(exc).__name__} does not name {names}: {msg}"
        return exc
    raise AssertionError(f"no error for a bad {names}")


# ----------------------------------------------------------------------------------------------
# Generators
# ----------------------------------------------------------------------------------------------

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
prob = st.floats(0.0, 1.0)
non_finite = st.sampled_from([math.nan, math.inf, -math.inf])
#: Things that are not real numbers at all.
not_a_number = st.one_of(
    st.text(max_size=4),
    st.booleans(),
    st.none(),
    st.just(np.True_),
    st.complex_numbers(max_magnitude=10, allow_nan=False).filter(lambda z: z.imag != 0),
    st.just([1.0]),
    st.just(object()),
    st.sampled_from(["0.5", "1", "nan"]),
)
bad_real = st.one_of(not_a_number, non_finite)
out_of_unit = st.one_of(
    st.floats(1.0, 1e300, exclude_min=True), st.floats(-1e300, 0.0, exclude_max=True)
)
bad_prob = st.one_of(bad_real, out_of_unit)
bad_element = st.one_of(
    non_finite, st.text(max_size=3), st.booleans(), st.none(), st.just(np.True_)
)


@st.composite
def matrix(draw, n=None, m=None, ints=False):
    n = draw(st.integers(1, 3)) if n is None else n
    m = draw(st.integers(1, 3)) if m is None else m
    if ints:
        vals = draw(st.lists(st.integers(-50, 50), min_size=n * m, max_size=n * m))
        return np.array(vals, dtype=np.int64).reshape(n, m)
    vals = draw(st.lists(finite, min_size=n * m, max_size=n * m))
    return np.array(vals).reshape(n, m)


@st.composite
def spoiled(draw, shape, low=-1e3, high=1e3):
    """A nested list of the given shape with one element replaced by something invalid."""
    size = int(np.prod(shape))
    vals = draw(st.lists(st.floats(low, high), min_size=size, max_size=size))
    bad_at = draw(st.integers(0, size - 1))
    flat: list = list(vals)
    flat[bad_at] = draw(bad_element)
    arr = np.empty(size, dtype=object)
    arr[:] = flat
    return arr.reshape(shape).tolist()


def bad_array(shape, low=-1e3, high=1e3, allow_out_of_range=False):
    """Arrays that must be refused where an array of ``shape`` in [low, high] goes."""
    wrong_shapes = [
        st.just(np.zeros(tuple(s + 1 for s in shape))),
        st.just(np.zeros((*shape, 1))),
        st.just(np.zeros(shape[:-1])) if len(shape) > 1 else st.just(np.zeros((1, 1))),
        st.just(np.zeros(0)),
    ]
    options = [
        spoiled(shape, low, high),
        st.just(np.zeros(shape, dtype=bool)),
        st.just(np.full(shape, "0.5")),
        st.just(np.full(shape, None, dtype=object)),
        st.just(np.zeros(shape, dtype=complex)),
        st.sampled_from(["0.5", None, True, 1.5j]),
        st.just([[0.5, 0.5], [0.5]]),
        *wrong_shapes,
    ]
    if allow_out_of_range:
        options.append(
            st.builds(
                lambda x, i: np.where(np.arange(np.prod(shape)) == i, x, low).reshape(shape),
                out_of_unit if (low, high) == (0.0, 1.0) else st.just(high + 1.0),
                st.integers(0, int(np.prod(shape)) - 1),
            )
        )
    return st.one_of(*options)


@st.composite
def symmetric_game(draw, ints=False):
    vals = draw(st.lists(st.integers(-20, 20) if ints else finite, min_size=4, max_size=4))
    R, S_, T, P = vals
    return G.StageGame([[R, S_], [T, P]], [[R, T], [S_, P]])


bad_game = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.integers(),
    st.just((3, 0, 5, 1)),
    st.just(np.array([[3, 0], [5, 1]])),
    st.builds(lambda m: G.StageGame(m, m.T * 0.5 + 1), matrix(2, 2)).filter(
        lambda g: not g.is_symmetric
    ),
    st.builds(lambda m: G.StageGame(m, m.T), matrix(3, 3)),
)


def affine(game, scale, shift):
    R, S_, T, P = (scale * v + shift for v in game.payoff_vector)
    return G.StageGame([[R, S_], [T, P]], [[R, T], [S_, P]])


# ----------------------------------------------------------------------------------------------
# allysim.games
# ----------------------------------------------------------------------------------------------


@VALID
@given(st.data())
def test_stage_game_valid(data):
    ints = data.draw(st.booleans())
    # Half the games are 2x2, where the payoff vector and outcome payoffs are defined.
    n, m = data.draw(st.sampled_from([(2, 2), (2, 2), (2, 2), (1, 1), (1, 3), (3, 2)]))
    row = data.draw(matrix(n, m, ints=ints))
    col = data.draw(matrix(n, m, ints=ints))
    COUNTS["StageGame"] += 1
    g = G.StageGame(row, col)
    assert g.shape == row.shape
    assert np.array_equal(g.row_payoffs, row) and np.array_equal(g.col_payoffs, col)
    assert not g.row_payoffs.flags.writeable and not g.col_payoffs.flags.writeable
    assert g.is_symmetric == (row.shape[0] == row.shape[1] and np.array_equal(row, col.T))
    assert g == G.StageGame(row.tolist(), col.tolist()) and hash(g) == hash(G.StageGame(row, col))
    assert pickle.loads(pickle.dumps(g)) == g
    if g.shape == (2, 2):
        COUNTS["StageGame.outcome_payoffs"] += 1
        r, c = g.outcome_payoffs()
        assert r.tolist() == row.ravel().tolist() and c.tolist() == col.ravel().tolist()
        assert g.payoff_vector == tuple(row.ravel().tolist())
    else:
        for call in (g.outcome_payoffs, lambda: g.payoff_vector):
            with pytest.raises(ValueError, match="needs a 2x2 game"):
                call()


@VALID
@given(matrix(2, 2), matrix(2, 2), st.sampled_from(_NASH_METHODS), st.booleans())
def test_nash_equilibria_valid(row, col, method, relabel):
    # Equilibria of generic games (distinct payoffs for each player): probabilities, payoffs
    # within the game's range, mutual best responses, and relabelling the actions permutes them.
    assume(len(np.unique(row)) == 4 and len(np.unique(col)) == 4)
    assume(
        np.min(np.abs(np.subtract.outer(row, row))[~np.eye(4, dtype=bool).reshape(2, 2, 2, 2)])
        > 1e-3
    )
    assume(
        np.min(np.abs(np.subtract.outer(col, col))[~np.eye(4, dtype=bool).reshape(2, 2, 2, 2)])
        > 1e-3
    )
    COUNTS["StageGame.nash_equilibria"] += 1
    g = G.StageGame(row, col)
    eqs = g.nash_equilibria(method=method)
    assert eqs
    for x, y in eqs:
        for v in (x, y):
            assert np.all((v >= 0) & (v <= 1)) and abs(v.sum() - 1) < 1e-9
        u_row, u_col = x @ row @ y, x @ col @ y
        assert row.min() - 1e-9 <= u_row <= row.max() + 1e-9
        assert col.min() - 1e-9 <= u_col <= col.max() + 1e-9
        # Best responses up to nashpy's accuracy, relative to the payoff range (vertex
        # enumeration on payoffs spanning 1e-2..1e3 is off by ~1e-6 in absolute terms).
        tol = 1e-7 * (1 + max(np.ptp(row), np.ptp(col)))
        assert (row @ y).max() <= u_row + tol and (x @ col).max() <= u_col + tol
    if relabel and method != "lemke_howson":
        swapped = G.StageGame(row[::-1, ::-1], col[::-1, ::-1])
        key = lambda e: tuple(np.round(np.concatenate(e), 8))  # noqa: E731
        mine = sorted(key((x[::-1], y[::-1])) for x, y in eqs)
        theirs = sorted(key(e) for e in swapped.nash_equilibria(method=method))
        assert np.allclose(mine, theirs, atol=1e-7)


@INVALID
@given(st.data())
def test_stage_game_invalid(data):
    shape = data.draw(st.sampled_from([(2, 2), (1, 3), (3, 2)]))
    good = np.ones(shape)
    which = data.draw(st.sampled_from(["row_payoffs", "col_payoffs", "both", "labels", "method"]))
    COUNTS["StageGame"] += 1
    if which == "row_payoffs":
        bad = data.draw(bad_array(shape))
        raises_naming("row_payoffs", lambda: G.StageGame(bad, good))
    elif which == "col_payoffs":
        bad = data.draw(bad_array(shape))
        raises_naming("col_payoffs", lambda: G.StageGame(good, bad))
    elif which == "both":
        other = data.draw(st.sampled_from([(2, 3), (3, 3), (1, 1)]))
        raises_naming("col_payoffs", lambda: G.StageGame(good, np.ones(other)))
    elif which == "labels":
        side = data.draw(st.sampled_from(["row_actions", "col_actions"]))
        n = shape[0] if side == "row_actions" else shape[1]
        bad = data.draw(
            st.one_of(
                st.text(max_size=4),
                st.lists(st.text(max_size=2), min_size=n + 1, max_size=n + 2),
                st.lists(st.integers(), min_size=n, max_size=n),
                st.just(["x"] * max(n, 2)) if n >= 2 else st.just(["x", "y"]),
                st.integers(),
                st.booleans(),
            )
        )
        raises_naming(side, lambda: G.StageGame(good, good, **{side: bad}))
    else:
        COUNTS["StageGame.nash_equilibria"] += 1
        bad = data.draw(st.one_of(st.text(max_size=12), not_a_number))
        assume(bad not in _NASH_METHODS)
        raises_naming("method", lambda: G.StageGame(good, good).nash_equilibria(method=bad))


@VALID
@given(dilemma(), st.booleans())
def test_prisoners_dilemma_and_check_dilemma_valid(game, as_ints):
    COUNTS["PrisonersDilemma"] += 1
    COUNTS["check_dilemma"] += 1
    R, S_, T, P = game.payoff_vector
    G.check_dilemma(R, S_, T, P)
    g = G.PrisonersDilemma(R=np.float32(R) if as_ints else R, S=S_, T=T, P=P)
    assert G.classify(g) == "prisoners_dilemma"
    assert g.is_symmetric and pickle.loads(pickle.dumps(g)) == g
    assert (float(T), float(S_)) == (g.T, g.S)


@INVALID
@given(st.data())
def test_prisoners_dilemma_and_check_dilemma_invalid(data):
    COUNTS["PrisonersDilemma"] += 1
    COUNTS["check_dilemma"] += 1
    kw = {"R": 3.0, "S": 0.0, "T": 5.0, "P": 1.0}
    which = data.draw(st.sampled_from(["R", "S", "T", "P", "repeated", "order"]))
    if which == "repeated":
        bad = data.draw(st.one_of(st.text(max_size=3), st.integers(), st.none(), st.floats()))
        raises_naming("repeated", lambda: G.PrisonersDilemma(repeated=bad))
        raises_naming("repeated", lambda: G.check_dilemma(3, 0, 5, 1, repeated=bad))
    elif which == "order":
        vals = data.draw(st.lists(finite, min_size=4, max_size=4))
        R, S_, T, P = vals
        assume(not (T > R > P > S_ and 2 * R > T + S_))
        pattern = ("T > R", "R > P", "P > S", "2R > T + S")
        raises_naming(pattern, lambda: G.PrisonersDilemma(R, S_, T, P))
        raises_naming(pattern, lambda: G.check_dilemma(R, S_, T, P))
    else:
        kw[which] = data.draw(bad_real)
        raises_naming(which, lambda: G.PrisonersDilemma(**kw))
        raises_naming(which, lambda: G.check_dilemma(kw["R"], kw["S"], kw["T"], kw["P"]))


@VALID
@given(symmetric_game(), st.floats(1e-3, 1e3), st.floats(-1e3, 1e3))
def test_classify_valid(game, scale, shift):
    COUNTS["classify"] += 1
    kind = G.classify(game)
    assert kind in G.GAME_CLASSES
    R, S_, T, P = game.payoff_vector
    assert (kind == "prisoners_dilemma") == (T > R > P > S_)
    # Relabelling payoff units keeps the label, unless round-off makes or breaks a tie.
    new = affine(game, scale, shift)
    old_v, new_v = np.array(game.payoff_vector), np.array(new.payoff_vector)
    assume(
        np.array_equal(
            np.sign(np.subtract.outer(old_v, old_v)), np.sign(np.subtract.outer(new_v, new_v))
        )
    )
    assert G.classify(new) == kind


@INVALID
@given(bad_game)
def test_classify_invalid(bad):
    COUNTS["classify"] += 1
    raises_naming("game", lambda: G.classify(bad))


@VALID
@given(st.floats(1e-3, 1e3), st.floats(1e-3, 1e3), st.floats(-1e3, 1e3))
def test_partnership_game_valid(benefit, cost, synergy):
    COUNTS["partnership_game"] += 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = G.partnership_game(benefit, cost, synergy)
    R, S_, T, P = g.payoff_vector
    assert (benefit - cost + synergy, -cost, benefit, 0.0) == (R, S_, T, P)
    warned = any(issubclass(w.category, G.NotADilemmaWarning) for w in caught)
    assert isinstance(g, G.PrisonersDilemma) != warned
    assert (G.classify(g) == "prisoners_dilemma") == isinstance(g, G.PrisonersDilemma)


@INVALID
@given(st.data())
def test_partnership_game_invalid(data):
    COUNTS["partnership_game"] += 1
    kw = {"benefit": 3.0, "cost": 1.0, "synergy": 0.0}
    which = data.draw(st.sampled_from(list(kw)))
    if which == "synergy":
        kw[which] = data.draw(bad_real)
    else:
        kw[which] = data.draw(st.one_of(bad_real, st.floats(-1e300, 0.0)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", G.NotADilemmaWarning)
        raises_naming(which, lambda: G.partnership_game(**kw))


# ----------------------------------------------------------------------------------------------
# allysim.strategies
# ----------------------------------------------------------------------------------------------


@VALID
@given(st.data())
def test_memory_one_valid(data):
    COUNTS["MemoryOne"] += 1
    if data.draw(st.booleans()):
        p = np.array(data.draw(st.lists(st.integers(0, 1), min_size=4, max_size=4)))
        p0 = data.draw(st.integers(0, 1))
    else:
        p = data.draw(st.lists(prob, min_size=4, max_size=4))
        p0 = data.draw(prob)
    s = S.MemoryOne(p, p0=p0, name="x")
    v = s.vector
    assert v.shape == (5,) and np.all((v >= 0) & (v <= 1))
    assert v.tolist() == [*map(float, p), float(p0)]
    assert s.is_deterministic == bool(np.all((v == 0) | (v == 1)))
    m = s.to_finite_state()
    assert m.output == tuple(v) and m.initial == 4 and m.n_states == 5
    assert s == S.MemoryOne(tuple(v[:4]), p0=v[4], name="x") and hash(s) == hash(
        pickle.loads(pickle.dumps(s))
    )


@INVALID
@given(st.data())
def test_memory_one_invalid(data):
    COUNTS["MemoryOne"] += 1
    which = data.draw(st.sampled_from(["p", "p0", "name"]))
    if which == "p":
        bad = data.draw(bad_array((4,), 0.0, 1.0, allow_out_of_range=True))
        raises_naming("p", lambda: S.MemoryOne(bad))
    elif which == "p0":
        bad = data.draw(bad_prob)
        raises_naming("p0", lambda: S.MemoryOne((1, 0, 1, 0), p0=bad))
    else:
        bad = data.draw(st.one_of(st.none(), st.integers(), st.booleans(), st.just(b"x")))
        raises_naming("name", lambda: S.MemoryOne((1, 0, 1, 0), name=bad))


@VALID
@given(finite_state(max_states=4))
def test_finite_state_valid(f):
    COUNTS["FiniteStateStrategy"] += 1
    k = f.n_states
    out = np.asarray(f.output)
    assert np.all((out >= 0) & (out <= 1)) and 0 <= f.initial < k
    t = f.transitions
    assert t.shape == (k, 2, 2) and t.min() >= 0 and t.max() < k and not t.flags.writeable
    assert f.to_finite_state() is f and pickle.loads(pickle.dumps(f)) == f
    assert f.is_deterministic == all(x in (0.0, 1.0) for x in f.output)
    # Integer and integral-float tables describe the same machine.
    same = S.FiniteStateStrategy(out.tolist(), t.astype(float), f.initial, f.name)
    assert same == f
    # The stored table is the (k, 2, 2) nested-tuple form of transitions, and every way of
    # rebuilding the machine from its fields gives an equal one (the flat 4-tuples stored before
    # made the first two raise "next must have shape (k, 2, 2) ... got (k, 4)").
    assert f.next is f.next_state and np.array_equal(np.array(f.next_state), t)
    assert all(len(s) == 2 and all(len(r) == 2 for r in s) for s in f.next_state)
    assert all(type(x) is int for s in f.next_state for r in s for x in r)
    rebuilt = [
        S.FiniteStateStrategy(f.output, f.next, f.initial, f.name),
        S.FiniteStateStrategy(f.output, next=f.next, initial=f.initial, name=f.name),
        dataclasses.replace(f),
        eval(repr(f), {"FiniteStateStrategy": S.FiniteStateStrategy}),
        pickle.loads(pickle.dumps(f)),
    ]
    for g in rebuilt:
        assert g == f and hash(g) == hash(f) and repr(g) == repr(f)
        assert np.array_equal(g.transitions, t) and not g.transitions.flags.writeable
    renamed = dataclasses.replace(f, name="x")
    assert renamed.name == "x" and renamed != f and renamed.next_state == f.next_state


@INVALID
@given(st.data())
def test_finite_state_invalid(data):
    COUNTS["FiniteStateStrategy"] += 1
    k = data.draw(st.integers(1, 3))
    # The table goes by its name or by its alias; errors name the keyword used.
    table = data.draw(st.sampled_from(["next_state", "next"]))
    good = {"output": [1.0] * k, table: np.zeros((k, 2, 2), dtype=int), "initial": 0}
    which = data.draw(st.sampled_from(["output", table, "initial", "name"]))
    kw = dict(good)
    if which == "output":
        kw["output"] = data.draw(
            st.one_of(bad_array((k,), 0.0, 1.0, allow_out_of_range=True), st.just([]))
        )
    elif which == table:
        kw[table] = data.draw(
            st.one_of(
                bad_array((k, 2, 2), 0, k - 1),
                st.just(np.full((k, 2, 2), k)),
                st.just(np.full((k, 2, 2), -1)),
                st.just(np.full((k, 2, 2), 0.5)),
            )
        )
    elif which == "initial":
        kw["initial"] = data.draw(
            st.one_of(
                st.integers(max_value=-1),
                st.integers(min_value=k),
                st.floats(),
                st.text(max_size=2),
                st.booleans(),
                st.none(),
            )
        )
    else:
        kw["name"] = data.draw(st.one_of(st.none(), st.integers(), st.booleans()))
    raises_naming(which, lambda: S.FiniteStateStrategy(**kw))


def _to_array(x):
    # Lists become object arrays so that memory_one_array takes its (n, 5) array path with the
    # original elements (np.asarray would quietly turn a bool among floats into 1.0).
    if not isinstance(x, list):
        return x
    try:
        return np.array(x, dtype=object)
    except ValueError:
        rows = np.empty(len(x), dtype=object)
        rows[:] = x
        return rows


@VALID
@given(st.data())
def test_memory_one_array_valid(data):
    COUNTS["memory_one_array"] += 1
    n = data.draw(st.integers(1, 4))
    if data.draw(st.booleans()):
        objs = [data.draw(memory_one()) for _ in range(n)]
        arr = S.memory_one_array(objs)
        assert arr.tolist() == [s.vector.tolist() for s in objs]
    else:
        ints = data.draw(st.booleans())
        elem = st.integers(0, 1) if ints else prob
        raw = np.array(data.draw(st.lists(elem, min_size=5 * n, max_size=5 * n))).reshape(n, 5)
        arr = S.memory_one_array(raw)
        assert arr.dtype == np.float64 and np.array_equal(arr, raw)
    assert arr.shape == (n, 5) and np.all((arr >= 0) & (arr <= 1))


@INVALID
@given(st.data())
def test_memory_one_array_invalid(data):
    COUNTS["memory_one_array"] += 1
    bad = data.draw(
        st.one_of(
            bad_array((2, 5), 0.0, 1.0, allow_out_of_range=True).map(_to_array),
            st.just([]),
            st.just(np.zeros((0, 5))),
            st.lists(
                st.one_of(st.just(S.GRIM), st.none(), st.text(max_size=2)), min_size=1, max_size=3
            ),
            st.none(),
            st.integers(),
            st.text(max_size=3),
        )
    )
    raises_naming("strategies", lambda: S.memory_one_array(bad))


@VALID
@given(st.lists(st.one_of(memory_one(), finite_state()), min_size=1, max_size=4))
def test_machine_tables_valid(strats):
    COUNTS["machine_tables"] += 1
    out, nxt, start = S.machine_tables(strats)
    sizes = [s.to_finite_state().n_states for s in strats]
    assert out.shape == (sum(sizes),) and nxt.shape == (sum(sizes), 2, 2)
    assert np.all((out >= 0) & (out <= 1))
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    for s, off, k, st0 in zip(strats, offsets, sizes, start, strict=True):
        f = s.to_finite_state()
        assert st0 == off + f.initial
        assert np.array_equal(nxt[off : off + k], f.transitions + off)
        assert np.array_equal(out[off : off + k], f.output)


@INVALID
@given(
    st.one_of(
        st.just([]),
        st.just(()),
        st.none(),
        st.integers(),
        st.text(max_size=3),
        st.lists(
            st.one_of(st.just(S.TFT), st.none(), st.integers(), st.text(max_size=2)),
            min_size=1,
            max_size=3,
        ).filter(lambda xs: any(x is not S.TFT for x in xs)),
    )
)
def test_machine_tables_invalid(bad):
    COUNTS["machine_tables"] += 1
    raises_naming("strategies", lambda: S.machine_tables(bad))


@VALID
@given(dilemma(), st.floats(1e-2, 1e2), st.floats(-1e2, 1e2))
def test_gtft_valid(game, scale, shift):
    COUNTS["GTFT"] += 1
    s = S.GTFT(game)
    g = s.p[1]
    assert s.p == (1.0, g, 1.0, g) and s.p0 == 1.0 and 0 <= g <= 1
    # The generosity is a ratio of payoff differences: a change of units leaves it alone.
    assert S.GTFT(affine(game, scale, shift)).p[1] == pytest.approx(g, abs=1e-9)


@VALID
@given(symmetric_game(ints=True))
def test_gtft_any_symmetric_game(game):
    # In-range games: either a strategy with a probability, or ValueError naming the game.
    COUNTS["GTFT"] += 1
    try:
        s = S.GTFT(game)
    except ValueError as exc:
        assert str(exc).startswith("game has R=") and "MemoryOne((1, g, 1, g)" in str(exc)
    else:
        assert 0 <= s.p[1] <= 1


@INVALID
@given(bad_game)
def test_gtft_invalid(bad):
    COUNTS["GTFT"] += 1
    assume(bad is not None)
    raises_naming("game", lambda: S.GTFT(bad))


@VALID
@given(prob)
def test_random_valid(p):
    COUNTS["RANDOM"] += 1
    s = S.RANDOM(p)
    assert s.vector.tolist() == [p] * 5 and s.name == f"RANDOM({p:g})"


@INVALID
@given(bad_prob)
def test_random_invalid(bad):
    COUNTS["RANDOM"] += 1
    raises_naming("p", lambda: S.RANDOM(bad))


@VALID
@given(dilemma(), st.floats(1, 10), st.floats(0, 1), st.floats(0.01, 1), prob)
def test_zero_determinant_valid(game, chi, where, frac, p0):
    # chi >= 1 and a baseline anywhere between P and R is feasible (Stewart & Plotkin 2013);
    # phi is a fraction of its largest feasible value.
    COUNTS["zd_phi_range"] += 1
    R, _, _, P = game.payoff_vector
    baseline = P + where * (R - P)
    lo, hi = S.zd_phi_range(game, chi, baseline)
    assert lo == 0.0 and 0 < hi < math.inf
    COUNTS["zero_determinant"] += 1
    s = S.zero_determinant(game, chi=chi, phi=frac * hi, baseline=baseline, p0=p0)
    p = np.array(s.p)
    assert np.all((p >= 0) & (p <= 1)) and s.p0 == p0
    _, b = _zd_parts(game.payoff_vector, chi, baseline)
    assert np.allclose(p - [1, 1, 0, 0], frac * hi * b, atol=1e-12)
    # At phi_max some probability sits on the boundary (the range is tight).
    edge = np.array(S.zero_determinant(game, chi=chi, phi=hi, baseline=baseline).p)
    assert np.min(np.minimum(edge, 1 - edge)) < 1e-9


@INVALID
@given(st.data())
def test_zero_determinant_invalid(data):
    COUNTS["zero_determinant"] += 1
    COUNTS["zd_phi_range"] += 1
    kw = {"game": G.PrisonersDilemma(), "chi": 3.0, "phi": 0.02, "baseline": 1.0}
    which = data.draw(st.sampled_from(["game", "chi", "phi", "baseline", "p0", "name"]))
    if which == "game":
        kw["game"] = data.draw(bad_game)
    elif which == "phi":
        kw["phi"] = data.draw(st.one_of(bad_real, st.floats(-1e300, 0.0), st.floats(0.0770, 1e300)))
    elif which == "p0":
        kw["p0"] = data.draw(bad_prob)
    elif which == "name":
        kw["name"] = data.draw(st.one_of(st.integers(), st.booleans(), st.just(b"x")))
    else:
        kw[which] = data.draw(bad_real)
    game = kw.pop("game")
    raises_naming(which, lambda: S.zero_determinant(game, **kw))
    if which in ("game", "chi", "baseline"):
        raises_naming(which, lambda: S.zd_phi_range(game, kw["chi"], kw["baseline"]))


@VALID
@given(dilemma(), st.floats(1, 20), st.floats(1e-2, 1e2), st.floats(-1e2, 1e2), st.booleans())
def test_extortionate_and_generous_valid(game, chi, scale, shift, extort):
    make = S.extortionate if extort else S.generous
    COUNTS[make.__name__] += 1
    s = make(game, chi=chi)
    p = np.array(s.p)
    assert np.all((p >= 0) & (p <= 1))
    # Extortion never contributes after mutual withholding; generosity always after mutual
    # contribution (the ZD vector is zero there).
    assert p[3] == 0.0 if extort else p[0] == 1.0
    # Invariant under a change of payoff units (phi scales inversely, the default is relative).
    other = make(affine(game, scale, shift), chi=chi)
    assert np.allclose(other.p, p, atol=1e-9)


@VALID
@given(dilemma(), st.floats(1, 5), memory_one(interior))
def test_extortionate_relation_long_run(game, chi, opponent):
    COUNTS["extortionate"] += 1
    x = S.extortionate(game, chi=chi)
    (sx,), (sy,) = (a.ravel() for a in expected_payoffs(x, opponent, game))
    P = game.payoff_vector[3]
    R, S_, T, _ = game.payoff_vector
    lo, hi = min(R, S_, T, P), max(R, S_, T, P)
    assert lo - 1e-9 <= sx <= hi + 1e-9 and lo - 1e-9 <= sy <= hi + 1e-9
    assert abs((sx - P) - chi * (sy - P)) < 1e-8 * max(1.0, hi - lo)


@INVALID
@given(st.data())
def test_extortionate_and_generous_invalid(data):
    make = data.draw(st.sampled_from([S.extortionate, S.generous]))
    COUNTS[make.__name__] += 1
    which = data.draw(st.sampled_from(["game", "chi", "phi", "p0"]))
    kw: dict = {}
    if which == "game":
        kw["game"] = data.draw(bad_game.filter(lambda g: g is not None))
    elif which == "chi":
        kw["chi"] = data.draw(st.one_of(bad_real, st.floats(-1e300, 1.0, exclude_max=True)))
    elif which == "phi":
        # None is the default phi, so it is left out here.
        not_none = bad_real.filter(lambda x: x is not None)
        kw["phi"] = data.draw(st.one_of(not_none, st.floats(-1e300, 0.0), st.floats(1.0, 1e300)))
    else:
        kw["p0"] = data.draw(bad_prob)
    raises_naming(which, lambda: make(**kw))


def test_deterministic_memory_one():
    COUNTS["deterministic_memory_one"] += 1
    zoo = S.deterministic_memory_one()
    assert len({s.p for s in zoo}) == 16
    for s in zoo:
        assert s.is_deterministic and s.p0 == s.p[0]
        assert s.name == "M" + "".join(str(int(x)) for x in s.p)


valid_names = st.one_of(
    st.sampled_from([*_NAMED, "GTFT"]),
    st.builds(lambda p: f"RANDOM({p!r})", prob),
    st.builds(lambda c: f"EXTORT({c!r})", st.floats(1, 20)),
    st.builds(lambda c: f"GENEROUS({c!r})", st.floats(1, 20)),
    st.builds(
        lambda b: "M" + "".join(map(str, b)), st.lists(st.integers(0, 1), min_size=4, max_size=4)
    ),
)


@VALID
@given(valid_names, st.booleans(), st.one_of(st.none(), dilemma()))
def test_named_valid(name, lower, game):
    COUNTS["named"] += 1
    s = S.named(name.lower() if lower else name, game)
    f = s.to_finite_state()
    out = np.asarray(f.output)
    assert np.all((out >= 0) & (out <= 1))
    if name.upper() in _NAMED:
        assert s is _NAMED[name.upper()]
    elif name.startswith("M"):
        assert s.name == name and s.p0 == s.p[0]


@INVALID
@given(
    st.one_of(
        st.text(max_size=12),
        st.builds(
            lambda p: f"RANDOM({p})", st.one_of(out_of_unit, non_finite, st.text(max_size=3))
        ),
        st.builds(
            lambda c: f"EXTORT({c})", st.one_of(st.floats(-1e300, 1, exclude_max=True), non_finite)
        ),
        st.builds(
            lambda c: f"GENEROUS({c})",
            st.one_of(st.floats(-1e300, 1, exclude_max=True), non_finite),
        ),
        st.none(),
        st.integers(),
        st.booleans(),
        st.just(b"TFT"),
    )
)
def test_named_invalid(bad):
    COUNTS["named"] += 1
    if isinstance(bad, str) and _is_valid_name(bad):
        assert isinstance(S.named(bad), S.MemoryOne | S.FiniteStateStrategy)
    else:
        raises_naming("name", lambda: S.named(bad))


def _is_valid_name(text: str) -> bool:
    # Random text is almost never a name, but e.g. "tft" or "m0110" are.
    key = text.strip().upper()
    if key in _NAMED or key == "GTFT":
        return True
    for prefix, low, high in (
        ("RANDOM(", 0.0, 1.0),
        ("EXTORT(", 1.0, 1e6),
        ("GENEROUS(", 1.0, 1e6),
    ):
        if key.startswith(prefix) and key.endswith(")"):
            try:
                value = float(key[len(prefix) : -1])
            except ValueError:
                return False
            return low <= value <= high
    return len(key) == 5 and key[0] == "M" and set(key[1:]) <= {"0", "1"}


@INVALID
@given(st.sampled_from(["TFT", "GTFT", "EXTORT(2)", "GENEROUS(2)", "M1010"]), bad_game)
def test_named_invalid_game(name, bad):
    COUNTS["named"] += 1
    assume(bad is not None)
    # A real game that GTFT/ZD cannot use is fine for names that do not depend on the game.
    assume(not isinstance(bad, G.StageGame) or name in ("GTFT", "EXTORT(2)", "GENEROUS(2)"))
    raises_naming("game", lambda: S.named(name, bad))
