"""Scientific Python SPEC 7: every stochastic function takes ``rng``; ``seed`` stays an alias."""

import numpy as np
import pandas as pd
import pytest

import allysim as ally
from allysim import evolution, mechanisms
from allysim.abm import TrustModel, batch_run

PD = ally.PrisonersDilemma()
A = np.array([[3.0, 0.0], [5.0, 1.0]])


def _simulate(**kw):
    return ally.simulate(
        [ally.TFT, ally.RANDOM(0.4)], [ally.WSLS], PD, rounds=20, repetitions=5, noise=0.05, **kw
    ).outcomes


def _round_robin(**kw):
    return ally.round_robin(
        [ally.TFT, ally.ALLD, ally.RANDOM(0.5)],
        PD,
        rounds=20,
        method="simulate",
        repetitions=4,
        **kw,
    ).payoff_matrix


def _compare(**kw):
    table = ally.compare_mechanisms(
        PD,
        {"none": [], "fine": [ally.Sanction(3, 0.8)]},
        method="simulate",
        repetitions=5,
        progress=False,
        **kw,
    )
    return table.select_dtypes("number").to_numpy()


def _population(**kw):
    return evolution.simulate_population(
        A, [5, 5], steps=200, selection=1.0, replicates=3, record_every=10, **kw
    ).history


def _settle(**kw):
    pay = np.array([5.0, 0.0, 3.0])
    c = np.array([False, True, True])
    out = mechanisms.settle_round([ally.Sanction(2.0, 0.5)], pay, pay[::-1].copy(), c, ~c, **kw)
    return np.concatenate(out)


def _simulate_mechanisms(**kw):
    out = mechanisms.simulate_mechanisms(
        ally.TFT, ally.RANDOM(0.5), PD, [ally.Sanction(2.0, 0.5)], repetitions=3, rounds=10, **kw
    )
    return np.concatenate([out["row"], out["col"]])


def _batch(**kw):
    df = batch_run({"n_organizations": 10}, replicates=2, max_steps=3, **kw)
    return df.select_dtypes("number").to_numpy()


CALLS = [_simulate, _round_robin, _compare, _population, _settle, _simulate_mechanisms, _batch]


@pytest.mark.parametrize("call", CALLS, ids=lambda f: f.__name__.lstrip("_"))
def test_rng_and_seed_are_the_same_stream(call):
    a, b = call(seed=7), call(rng=7)
    assert np.array_equal(a, b, equal_nan=True)
    c = call(rng=np.random.default_rng(7))
    assert np.shape(c) == np.shape(a)
    with pytest.raises(TypeError, match="rng or seed"):
        call(seed=7, rng=8)
    with pytest.raises(ValueError, match="rng"):
        call(rng=-1)


def test_trust_model_takes_rng_as_mesa_does():
    a = TrustModel(n_organizations=20, seed=3).run(5, progress=False)
    b = TrustModel(n_organizations=20, rng=3).run(5, progress=False)
    pd.testing.assert_frame_equal(a, b)


def _sensitivity(**kw):
    from allysim.sensitivity import analyse_function

    result = analyse_function(
        lambda x, y: x + 2 * y, {"x": (0.0, 1.0), "y": (0.0, 1.0)}, samples=4, progress=False, **kw
    )
    return result.samples.to_numpy(dtype=float)


def _sweep(**kw):
    from allysim.experiments import sweep

    def cell(p, seed):
        return {"u": float(np.random.default_rng(seed).random())}

    return sweep(cell, {"p": [1, 2]}, replicates=2, progress=False, **kw)["u"].to_numpy()


@pytest.mark.parametrize(
    "call", [*CALLS, _sensitivity, _sweep], ids=lambda f: f.__name__.lstrip("_")
)
def test_one_seed_sequence_object_gives_the_same_result_twice(call):
    # A SeedSequence is a value: spawning from the caller's object itself moves it on past its
    # children, so the second call with the same object drew other streams (simulate, batch_run
    # and the sensitivity design did, up to 0.4.0).
    root = np.random.SeedSequence(11)
    first, second = call(seed=root), call(seed=root)
    assert np.array_equal(first, second, equal_nan=True)
    assert np.array_equal(first, call(seed=np.random.SeedSequence(11)), equal_nan=True)
    assert root.n_children_spawned == 0


@pytest.mark.parametrize("call", [_simulate, _batch, _sensitivity], ids=lambda f: f.__name__)
def test_a_function_passed_a_root_does_not_reuse_the_callers_children(call):
    # After kids = root.spawn(2), a copy of root that started again at child 0 spawned the
    # caller's own kids for the function's streams (simulate's moves drew kids[0]'s stream,
    # batch_run's replicates were seeded from kids[0] and kids[1]). The copy keeps the count:
    # the function's children come after the caller's, as they did before copies were made,
    # and the same object passed twice still gives the same result.
    root = np.random.SeedSequence(11)
    kids = root.spawn(2)
    first, second = call(seed=root), call(seed=root)
    assert np.array_equal(first, second, equal_nan=True)
    assert root.n_children_spawned == 2
    fresh = call(seed=np.random.SeedSequence(11))
    assert not np.array_equal(first, fresh, equal_nan=True)
    # The children the functions spawn from a Generator or SeedSequence made of root.
    from allysim._validation import as_generator, as_seed_sequence

    own = {k.spawn_key for k in kids}
    assert not own & {k.spawn_key for k in as_seed_sequence(root).spawn(2)}
    mine = np.random.default_rng(kids[0]).random(4)
    assert not np.array_equal(as_generator(root).spawn(1)[0].random(4), mine)
