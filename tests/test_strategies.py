import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allysim import (
    ALLC,
    ALLD,
    ALTERNATOR,
    GRIM,
    GTFT,
    RANDOM,
    STFT,
    TF2T,
    TFT,
    WSLS,
    FiniteStateStrategy,
    MemoryOne,
    PrisonersDilemma,
    StageGame,
    deterministic_memory_one,
    expected_payoffs,
    extortionate,
    generous,
    simulate,
    zero_determinant,
)
from allysim.strategies import machine_tables, memory_one_array, named, zd_phi_range
from strategies_hyp import interior, memory_one


def test_zoo_vectors():
    assert ALLC.vector.tolist() == [1, 1, 1, 1, 1]
    assert ALLD.vector.tolist() == [0, 0, 0, 0, 0]
    assert TFT.vector.tolist() == [1, 0, 1, 0, 1]
    assert STFT.vector.tolist() == [1, 0, 1, 0, 0]
    assert WSLS.vector.tolist() == [1, 0, 0, 1, 1]
    assert RANDOM(0.3).vector.tolist() == [0.3] * 5
    assert GRIM.output == (1.0, 0.0) and TF2T.output == (1.0, 1.0, 0.0)


def test_gtft_generosity_from_payoffs():
    assert GTFT().p[1] == pytest.approx(1 / 3)
    # R=3, S=0, T=4, P=1: min(1 - 1/3, 2/3) = 2/3
    assert GTFT(PrisonersDilemma(3, 0, 4, 1)).p[3] == pytest.approx(2 / 3)


def test_press_dyson_extort3():
    s = extortionate(PrisonersDilemma(), chi=3)
    assert np.allclose(s.p, [11 / 13, 1 / 2, 7 / 26, 0])
    assert zd_phi_range(PrisonersDilemma(), 3, 1)[1] == pytest.approx(1 / 13)


def test_zd_feasibility_is_checked():
    with pytest.raises(ValueError, match=r"phi must lie in \(0, 0.0769"):
        zero_determinant(PrisonersDilemma(), chi=3, phi=0.2, baseline=1)
    with pytest.raises(ValueError, match="chi must be >= 1"):
        extortionate(chi=0.5)
    with pytest.raises(ValueError, match="no zero-determinant"):
        # A baseline above R cannot be enforced.
        zd_phi_range(PrisonersDilemma(), chi=2, baseline=4)
    g = generous(PrisonersDilemma(), chi=2)
    assert g.p[0] == 1.0


def test_memory_one_validation():
    # The offending value as written, not numpy's repr (0.4.0 said "found np.float64(1.2)").
    with pytest.raises(ValueError, match=r"p must contain probabilities in \[0, 1\], found 1.2$"):
        MemoryOne((1.2, 0, 0, 0))
    with pytest.raises(ValueError, match="finite"):
        MemoryOne((np.nan, 0, 0, 0))
    with pytest.raises(ValueError, match=r"shape \(4,\), got \(3,\)"):
        MemoryOne((1, 0, 0))
    with pytest.raises(ValueError, match="p0"):
        MemoryOne((1, 0, 0, 0), p0=-0.1)
    with pytest.raises(ValueError, match="p must be a probability"):
        RANDOM(2)
    with pytest.raises(ValueError, match=r"shape \(n, 5\)"):
        memory_one_array(np.ones((3, 4)))


def test_finite_state_validation():
    with pytest.raises(ValueError, match="next must hold integer states"):
        FiniteStateStrategy(output=(1, 0), next=np.full((2, 2, 2), 2))
    with pytest.raises(ValueError, match=r"shape \(2, 2, 2\)"):
        FiniteStateStrategy(output=(1, 0), next=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="initial"):
        FiniteStateStrategy(output=(1, 0), next=np.zeros((2, 2, 2)), initial=5)
    with pytest.raises(ValueError, match="output"):
        FiniteStateStrategy(output=(1.5,), next=np.zeros((1, 2, 2)))


def test_sixteen_deterministic_strategies():
    zoo = deterministic_memory_one()
    assert len(zoo) == 16 and len({s.p for s in zoo}) == 16
    assert all(s.p0 == s.p[0] for s in zoo)
    assert {s.name for s in zoo} >= {"M1010", "M1001", "M0000"}


def test_strategies_are_hashable_and_picklable():
    import pickle

    assert pickle.loads(pickle.dumps(GRIM)) == GRIM
    assert pickle.loads(pickle.dumps(TFT)) == TFT
    assert len({TFT, TFT, WSLS}) == 2


@given(memory_one(), memory_one(), st.sampled_from([0.0, 0.1]), st.sampled_from([0.0, 0.07]))
def test_memory_one_as_machine_gives_the_same_payoffs(x, y, eps, eta):
    # The closed-form memory-one kernel and the finite-state product chain are different code;
    # the conversion must make them agree exactly (up to round-off).
    g = PrisonersDilemma()
    for kw in ({"rounds": 7}, {"continuation": 0.8}):
        mo = expected_payoffs([x], [y], g, noise=eps, perception_noise=eta, **kw)
        fs = expected_payoffs([x.to_finite_state()], [y], g, noise=eps, perception_noise=eta, **kw)
        assert np.allclose(mo, fs, atol=1e-10)


# ----------------------------------------------------------------------------------------------
# One type policy: integers are numbers, booleans and strings are not
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "needle"),
    [
        ((1, "0.5", 1, 0), "p must hold real numbers, got strings"),
        ((True, 0, 1, 0), "p must hold real numbers, got a bool"),
        (np.array([True, False, True, False]), r"p must hold real numbers.*\.astype\(float\)"),
        ((1, None, 1, 0), "p must hold real numbers, got NoneType"),
        ("1010", "p must be an array of real numbers"),
    ],
)
def test_memory_one_refuses_strings_and_bools(p, needle):
    # Before: the first, second and third were accepted as (1, 0.5, 1, 0) and (1, 0, 1, 0).
    with pytest.raises(TypeError, match=needle):
        MemoryOne(p)


def test_memory_one_scalars_and_name_are_typed():
    with pytest.raises(TypeError, match="p0 must be a real number"):
        MemoryOne((1, 0, 1, 0), p0=True)
    with pytest.raises(TypeError, match="p0 must be a real number"):
        MemoryOne((1, 0, 1, 0), p0="1")
    with pytest.raises(TypeError, match="name must be a str"):
        MemoryOne((1, 0, 1, 0), name=None)
    with pytest.raises(TypeError, match="p must be a real number"):
        RANDOM("0.5")


def test_integer_arrays_are_probabilities():
    s = MemoryOne(np.array([1, 0, 1, 0], dtype=np.int64), p0=np.int64(1))
    assert s.p == TFT.p and s.p0 == 1.0
    arr = memory_one_array(np.array([[1, 0, 1, 0, 1], [0, 0, 0, 0, 0]]))
    assert arr.dtype == np.float64 and arr.tolist() == [TFT.vector.tolist(), ALLD.vector.tolist()]
    fsm = FiniteStateStrategy(output=np.array([1, 0]), next=np.array([[[0, 1], [0, 1]]] * 2))
    assert fsm.output == (1.0, 0.0) and fsm.transitions.dtype == np.int64
    with pytest.raises(TypeError, match="next must hold real numbers, got booleans"):
        FiniteStateStrategy(output=(1, 0), next=np.zeros((2, 2, 2), dtype=bool))
    with pytest.raises(TypeError, match="initial must be an integer"):
        FiniteStateStrategy(output=(1, 0), next=np.zeros((2, 2, 2), dtype=int), initial=True)


def test_integer_strategy_arrays_play():
    # Integer (n, 5) arrays go through the kernels like float ones (TFT vs ALLD, 10 rounds).
    row, col = expected_payoffs(
        np.array([[1, 0, 1, 0, 1]]), np.array([[0, 0, 0, 0, 0]]), PrisonersDilemma(), rounds=10
    )
    assert row.tolist() == [[0.9]] and col.tolist() == [[1.4]]


def test_memory_one_array_names_strategies():
    with pytest.raises(ValueError, match="strategies must hold at least one strategy"):
        memory_one_array([])
    with pytest.raises(ValueError, match="strategies must hold at least one strategy"):
        memory_one_array(np.zeros((0, 5)))
    with pytest.raises(TypeError, match="strategies must hold MemoryOne objects"):
        memory_one_array([TFT, GRIM])
    with pytest.raises(TypeError, match="strategies must be a MemoryOne"):
        memory_one_array(5)
    with pytest.raises(TypeError, match="strategies must hold real numbers, got booleans"):
        memory_one_array(np.ones((2, 5), dtype=bool))
    assert memory_one_array(TFT).tolist() == [[1, 0, 1, 0, 1]]
    with pytest.raises(ValueError, match=r"row_strategies must have shape \(n, 5\)"):
        memory_one_array(np.ones((2, 4)), name="row_strategies")


def test_machine_tables_names_strategies():
    # Before: machine_tables([]) failed inside numpy ("need at least one array to concatenate").
    with pytest.raises(ValueError, match="strategies must hold at least one strategy"):
        machine_tables([])
    with pytest.raises(TypeError, match="strategies must be a strategy or a sequence"):
        machine_tables(None)
    with pytest.raises(TypeError, match="strategies must hold MemoryOne or FiniteStateStrategy"):
        machine_tables([TFT, "GRIM"])
    out, nxt, start = machine_tables(GRIM)
    assert out.tolist() == [1.0, 0.0] and start.tolist() == [0]
    out, nxt, start = machine_tables([TFT, GRIM])
    # TFT's 5 states come first; GRIM's states are shifted by 5.
    assert start.tolist() == [4, 5]
    assert nxt[5].tolist() == [[5, 6], [5, 6]] and nxt[6].tolist() == [[6, 6], [6, 6]]
    assert out.tolist() == [1, 0, 1, 0, 1, 1, 0]


def test_strategies_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TFT.p = (0, 0, 0, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        GRIM.initial = 1
    with pytest.raises(ValueError):
        GRIM.transitions[0, 0, 0] = 1
    assert TFT.p == (1.0, 0.0, 1.0, 0.0) and GRIM.initial == 0


# ----------------------------------------------------------------------------------------------
# Games where games go
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, "PD", (3, 0, 5, 1)])
def test_game_parameters_refuse_non_games_by_name(bad):
    # Before: AttributeError ('NoneType' object has no attribute 'payoff_vector').
    calls = [
        lambda: zero_determinant(bad, chi=3, phi=0.01, baseline=1),
        lambda: zd_phi_range(bad, 3, 1),
    ]
    if bad is not None:  # None means "the default dilemma" for these
        calls += [
            lambda: GTFT(bad),
            lambda: extortionate(bad),
            lambda: generous(bad),
            lambda: named("GTFT", bad),
            lambda: named("TFT", bad),
            lambda: named("EXTORT(2)", bad),
        ]
    for call in calls:
        with pytest.raises(TypeError, match="game must be an allysim StageGame"):
            call()


@pytest.mark.parametrize(
    "game",
    [
        StageGame([[2, 2], [2, 2]], [[2, 2], [2, 2]]),  # all payoffs equal: R = S
        StageGame([[3, 3], [5, 1]], [[3, 5], [3, 1]]),  # R = S
        StageGame([[5, 2], [3, 1]], [[5, 3], [2, 1]]),  # harmony: g = 5/3
        StageGame([[3, 0], [5, 5]], [[3, 5], [0, 5]]),  # T = P
    ],
)
def test_gtft_explains_games_it_cannot_be_tuned_to(game):
    # Before: ZeroDivisionError for R = S and T = P, and "generosity 1.66667 is not a
    # probability" for the harmony game.
    for make in (lambda: GTFT(game), lambda: named("GTFT", game)):
        with pytest.raises(ValueError) as info:
            make()
        msg = str(info.value)
        assert msg.startswith("game has R=")
        assert "min(1 - (T-R)/(R-S), (R-P)/(T-P))" in msg and "Nowak & Sigmund 1992" in msg
        assert "MemoryOne((1, g, 1, g)" in msg
        # 0.4.0 said GTFT "needs a prisoner's dilemma", yet accepts the snowdrift game below.
        assert "must be a probability in [0, 1]" in msg and "snowdrift" in msg


def test_gtft_and_zd_need_a_symmetric_2x2_game():
    lopsided = StageGame([[3, 0], [5, 1]], [[3, 0], [5, 1]])
    for make in (
        lambda: GTFT(lopsided),
        lambda: extortionate(lopsided),
        lambda: zd_phi_range(lopsided, 2, 1),
        lambda: GTFT(StageGame(np.eye(3), np.eye(3))),
    ):
        with pytest.raises(ValueError, match="game must be a symmetric 2x2 game"):
            make()


def test_gtft_in_a_snowdrift_game():
    # T > R > S > P = 5 > 4 > 1 > 0 with g = min(1 - 1/3, 4/5) = 2/3: still a probability.
    snow = StageGame([[4, 1], [5, 0]], [[4, 5], [1, 0]])
    assert GTFT(snow).p == pytest.approx((1.0, 2 / 3, 1.0, 2 / 3), abs=1e-15)


def test_zd_trivial_relation_is_refused():
    # With S = T and chi = 1 every strategy has s_X = s_Y: phi is undetermined.
    game = StageGame([[3, 2], [2, 1]], [[3, 2], [2, 1]])
    with pytest.raises(ValueError, match=r"chi=1 with this game.*hold for every strategy"):
        zd_phi_range(game, 1, 1)
    with pytest.raises(ValueError, match="chi must be >= 1"):
        generous(chi=0.5)
    with pytest.raises(TypeError, match="name must be a str"):
        zero_determinant(PrisonersDilemma(), chi=3, phi=0.01, baseline=1, name=7)
    with pytest.raises(ValueError, match="p0 must be a probability"):
        extortionate(p0=1.5)


# ----------------------------------------------------------------------------------------------
# named: every name it accepts, with exact values
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ALLC", ALLC),
        ("allc", ALLC),
        ("ALLD", ALLD),
        ("TFT", TFT),
        (" tft ", TFT),
        ("STFT", STFT),
        ("WSLS", WSLS),
        ("GRIM", GRIM),
        ("TF2T", TF2T),
        ("ALTERNATOR", ALTERNATOR),
    ],
)
def test_named_plain(name, expected):
    assert named(name) is expected


def test_named_gtft_random_and_deterministic_exact():
    gtft = named("GTFT")
    assert gtft.name == "GTFT" and gtft.p0 == 1.0
    assert gtft.p == pytest.approx((1, 1 / 3, 1, 1 / 3), abs=1e-15)
    assert named("gtft", PrisonersDilemma(3, 0, 4, 1)).p == pytest.approx((1, 2 / 3, 1, 2 / 3))
    assert named("RANDOM(0.3)") == MemoryOne((0.3,) * 4, p0=0.3, name="RANDOM(0.3)")
    assert named("random(1)").p == (1.0,) * 4
    for s in deterministic_memory_one():
        got = named(s.name.lower())
        assert got == s and got.p0 == got.p[0]
    assert named("M1010").vector.tolist() == TFT.vector.tolist()


def test_named_extort_and_generous_exact():
    # Press & Dyson's Extort-3 for R, S, T, P = 3, 0, 5, 1.
    ext = named("EXTORT(3)")
    assert ext.name == "EXTORT(3)"
    assert ext.p == pytest.approx((11 / 13, 1 / 2, 7 / 26, 0), abs=1e-15)
    # Generous chi=2: b = (0, -7, 8, 2), phi_max = 1/8, phi = 1/16.
    gen = named("generous(2)")
    assert gen.name == "GENEROUS(2)"
    assert gen.p == pytest.approx((1, 9 / 16, 1 / 2, 1 / 8), abs=1e-15)
    game = PrisonersDilemma(4, -1, 6, 0.5)
    assert named("EXTORT(2.5)", game) == extortionate(game, chi=2.5)
    assert named("GENEROUS(1.5)", game) == generous(game, chi=1.5)


@pytest.mark.parametrize(
    ("name", "exc", "needle"),
    [
        ("RANDOM(1.5)", ValueError, r"name 'RANDOM\(1.5\)': p must be a probability"),
        ("EXTORT(0.5)", ValueError, r"name 'EXTORT\(0.5\)': chi must be >= 1"),
        ("GENEROUS(nan)", ValueError, r"name 'GENEROUS\(nan\)': chi must be finite"),
        ("EXTORT(x)", ValueError, "unknown strategy name 'EXTORT"),
        ("M102", ValueError, "unknown strategy name"),
        ("", ValueError, "unknown strategy name"),
        (None, TypeError, "name must be a str"),
        (b"TFT", TypeError, "name must be a str"),
    ],
)
def test_named_refuses_bad_names(name, exc, needle):
    with pytest.raises(exc, match=needle):
        named(name)


OPPONENTS = [ALLC, ALLD, TFT, STFT, WSLS, GRIM, TF2T, ALTERNATOR, RANDOM(0.3), GTFT()]


@pytest.mark.parametrize("chi", [1.0, 1.5, 3.0, 7.0])
@pytest.mark.parametrize("game", [PrisonersDilemma(), PrisonersDilemma(4, -1, 6, 0.5)])
def test_named_extort_enforces_press_dyson_relation_exactly(chi, game):
    # Press & Dyson (2012): s_X - P = chi (s_Y - P) in the limit of means, against anyone.
    x = named(f"EXTORT({chi:g})", game)
    P = game.P
    sx, sy = expected_payoffs([x], OPPONENTS, game)
    assert np.all(np.abs((sx - P) - chi * (sy - P)) < 1e-9)
    # Against a partner that cooperates, extortion pays at least P and concedes at most P to it.
    assert sx[0, 0] > P and sy[0, 0] > P and sx[0, 0] - P > (sy[0, 0] - P) * (1 - 1e-12)


@given(memory_one(interior), st.sampled_from([1.0, 2.0, 5.0]))
def test_named_generous_enforces_its_relation(opponent, chi):
    x = named(f"GENEROUS({chi:g})")
    (sx,), (sy,) = (a.ravel() for a in expected_payoffs(x, opponent, PrisonersDilemma()))
    assert abs((sx - 3) - chi * (sy - 3)) < 1e-9


# ----------------------------------------------------------------------------------------------
# Factories have function names; machines store their table as (k, 2, 2)
# ----------------------------------------------------------------------------------------------


def test_factories_have_lower_case_names_and_keep_the_old_ones():
    import allysim
    from allysim.strategies import gtft, random_strategy

    assert GTFT is gtft and RANDOM is random_strategy
    assert allysim.gtft is gtft and allysim.random_strategy is random_strategy
    # R=3, S=0, T=4, P=1: g = min(1 - 1/3, 2/3) = 2/3, as GTFT gave.
    assert gtft(PrisonersDilemma(3, 0, 4, 1)) == MemoryOne((1, 2 / 3, 1, 2 / 3), name="GTFT")
    assert random_strategy(0.25) == MemoryOne((0.25,) * 4, p0=0.25, name="RANDOM(0.25)")
    assert named("gtft") == gtft() and named("random(0.25)") == random_strategy(0.25)


@pytest.mark.parametrize("machine", [GRIM, TF2T, ALTERNATOR, WSLS.to_finite_state()])
def test_machine_rebuilds_from_its_fields(machine):
    # Before, ``next`` held flat 4-tuples, so these raised "next must have shape (k, 2, 2)".
    k = machine.n_states
    assert np.array(machine.next_state).shape == (k, 2, 2) and machine.next is machine.next_state
    assert FiniteStateStrategy(
        machine.output, machine.next, machine.initial
    ) == dataclasses.replace(machine, name="finite-state")
    renamed = dataclasses.replace(machine, name="x")
    assert renamed.name == "x" and renamed.next_state == machine.next_state
    assert np.array_equal(renamed.transitions, machine.transitions)


def test_grim_table_reads_as_documented():
    # next_state[state][my_move][their_move]: a withheld contribution seen (their_move = 1)
    # moves state 0 to the absorbing state 1, whatever GRIM itself played.
    assert GRIM.next_state == (((0, 1), (0, 1)), ((1, 1), (1, 1)))
    assert GRIM.transitions.tolist() == [[[0, 1], [0, 1]], [[1, 1], [1, 1]]]


def test_next_is_a_keyword_alias_of_next_state():
    table = np.zeros((1, 2, 2), dtype=int)
    assert FiniteStateStrategy((1,), next=table) == FiniteStateStrategy((1,), next_state=table)
    with pytest.raises(TypeError, match="next_state or its alias next, not both"):
        FiniteStateStrategy((1,), table, next=table)
    with pytest.raises(TypeError, match="needs next_state"):
        FiniteStateStrategy((1,))
    # The error names the keyword the caller used.
    with pytest.raises(ValueError, match=r"^next must have shape \(1, 2, 2\)"):
        FiniteStateStrategy((1,), next=np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"^next_state must hold integer states in \[0, 0\]"):
        FiniteStateStrategy((1,), next_state=np.ones((1, 2, 2)))


def test_random_of_negative_zero_is_random_of_zero():
    # -0.0 passed the range check and named the strategy RANDOM(-0), unequal to RANDOM(0).
    from allysim.strategies import random_strategy

    assert random_strategy(-0.0) == random_strategy(0.0)
    assert named("RANDOM(-0)").name == "RANDOM(0)"
    assert named("random(-0.0)") == named("RANDOM(0)")


# --- plays_alike: equivalence of strategies on the joint history ---------------------------

from allysim.strategies import TF2T_MEMORY_TWO, plays_alike  # noqa: E402
from allysim.strategies.alike import _first_difference  # noqa: E402

# Outputs from a small set, so random pairs of machines are often alike and often not.
_coarse = st.sampled_from([0.0, 0.5, 1.0])


@st.composite
def _machine(draw, max_states=4):
    k = draw(st.integers(1, max_states))
    nxt = draw(st.lists(st.integers(0, k - 1), min_size=4 * k, max_size=4 * k))
    return FiniteStateStrategy(
        [draw(_coarse) for _ in range(k)],
        np.reshape(nxt, (k, 2, 2)),
        initial=draw(st.integers(0, k - 1)),
    )


def _relabel(machine, perm):
    """The same machine with state s renamed perm[s]."""
    perm = np.asarray(perm)
    inverse = np.argsort(perm)
    return FiniteStateStrategy(
        [machine.output[s] for s in inverse],
        perm[machine.transitions[inverse]],
        initial=int(perm[machine.initial]),
        name="relabelled",
    )


def _alike_by_refinement(a, b):
    """Moore's partition refinement on the disjoint union of the two machines: an algorithm
    independent of plays_alike's product walk."""
    out = list(a.output) + list(b.output)
    nxt = np.concatenate([a.transitions, b.transitions + a.n_states]).tolist()
    block = [out.index(o) for o in out]
    while True:
        sig = [
            (block[s], *(block[nxt[s][m][t]] for m in (0, 1) for t in (0, 1)))
            for s in range(len(out))
        ]
        refined = [sig.index(x) for x in sig]
        if len(set(refined)) == len(set(block)):
            return refined[a.initial] == refined[a.n_states + b.initial]
        block = refined


@given(machine=_machine(max_states=6), data=st.data())
def test_plays_alike_with_itself_under_any_relabelling(machine, data):
    perm = data.draw(st.permutations(range(machine.n_states)))
    other = _relabel(machine, perm)
    assert plays_alike(machine, other) and plays_alike(other, machine)
    # Moving the initial state to a state that contributes otherwise is caught.
    changed = [
        s for s in range(machine.n_states) if machine.output[s] != machine.output[machine.initial]
    ]
    if changed:
        moved = FiniteStateStrategy(other.output, other.next_state, initial=int(perm[changed[0]]))
        assert not plays_alike(machine, moved)


@given(a=_machine(), b=_machine())
def test_plays_alike_is_symmetric_and_matches_partition_refinement(a, b):
    alike = plays_alike(a, b)
    assert alike == plays_alike(b, a)
    assert alike == _alike_by_refinement(a, b)
    # A shortest distinguishing history is no longer than the number of state pairs, and
    # after it the two contribution probabilities differ (replayed step by step).
    witness = _first_difference(a, b, 0.0)
    assert (witness is None) == alike
    if witness is not None:
        assert len(witness) < a.n_states * b.n_states
        x, y = a.initial, b.initial
        for outcome in witness:
            x, y = (
                a.next_state[x][outcome >> 1][outcome & 1],
                b.next_state[y][outcome >> 1][outcome & 1],
            )
        assert a.output[x] != b.output[y]


def test_plays_alike_classic_cases():
    copycat = FiniteStateStrategy([1, 0], [[[0, 1], [0, 1]], [[0, 1], [0, 1]]], name="copycat")
    assert plays_alike(TFT, named("M1010")) and plays_alike(TFT, copycat)
    assert plays_alike(WSLS, named("M1001")) and plays_alike(ALLD, named("M0000"))
    assert not plays_alike(TFT, WSLS) and not plays_alike(TFT, STFT)  # STFT opens with D
    assert not plays_alike(TFT, GRIM) and not plays_alike(copycat, GRIM)
    # Three states against the memory-two table's 21: the same strategy.
    assert plays_alike(TF2T, TF2T_MEMORY_TWO)
    assert plays_alike(GTFT(PrisonersDilemma()), named("GTFT"))


def test_plays_alike_counts_histories_only_mistakes_reach():
    # Contributes unless it has itself withheld (then withholds for good): without noise it
    # never withholds and plays as ALLC, but execution noise tells them apart.
    stubborn = FiniteStateStrategy([1, 0], [[[0, 0], [1, 1]], [[1, 1], [1, 1]]])
    game = PrisonersDilemma()
    clean = [expected_payoffs(s, TFT, game, rounds=50)[0] for s in (ALLC, stubborn)]
    noisy = [expected_payoffs(s, TFT, game, rounds=50, noise=0.05)[0] for s in (ALLC, stubborn)]
    assert clean[0] == clean[1] and abs(noisy[0] - noisy[1]).item() > 0.05
    assert not plays_alike(ALLC, stubborn)


def _countdown(n):
    """Contribute in the first n rounds whatever happens, then withhold for good."""
    nxt = [[[min(s + 1, n)] * 2] * 2 for s in range(n + 1)]
    return FiniteStateStrategy([1.0] * n + [0.0], nxt, name=f"countdown{n}")


def test_plays_alike_walks_as_deep_as_the_difference():
    # 300 and 301 rounds of contributing: identical on every history shorter than 300 rounds.
    a, b = _countdown(300), _countdown(301)
    assert not plays_alike(a, b)
    assert len(_first_difference(a, b, 0.0)) == 300
    # Noise-free play against ALLD (no draw matters): equal over 300 rounds, not over 301.
    game = PrisonersDilemma()
    per_round = {
        t: [simulate(s, ALLD, game, rounds=t, seed=0).row_payoffs.item() for s in (a, b)]
        for t in (300, 301)
    }
    assert per_round[300][0] == per_round[300][1] == game.S
    assert per_round[301] == [(300 * game.S + game.P) / 301, game.S]
    # A machine with a redundant copy of every state plays alike with the original.
    doubled = FiniteStateStrategy(
        list(a.output) * 2, np.concatenate([a.transitions + a.n_states, a.transitions])
    )
    assert plays_alike(a, doubled)


def test_plays_alike_stochastic_strategies_compare_probabilities():
    halves = FiniteStateStrategy([0.5, 0.5], [[[1, 0], [0, 1]], [[1, 1], [0, 0]]])
    assert plays_alike(RANDOM(0.5), halves)
    near = MemoryOne((0.5 + 1e-9,) * 4, 0.5)
    assert not plays_alike(RANDOM(0.5), near)
    assert plays_alike(RANDOM(0.5), near, tolerance=1e-6)
    assert not plays_alike(RANDOM(0.5), RANDOM(0.6), tolerance=0.05)


def test_plays_alike_refusals():
    with pytest.raises(TypeError, match=r"^first must be a strategy .*got str .*named\(\)"):
        plays_alike("TFT", TFT)
    with pytest.raises(TypeError, match=r"^second must be a strategy .*got ndarray"):
        plays_alike(TFT, np.array([1, 0, 1, 0, 1]))
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match=r"^tolerance must (lie in \[0, 1\]|be finite)"):
            plays_alike(TFT, TFT, tolerance=bad)
