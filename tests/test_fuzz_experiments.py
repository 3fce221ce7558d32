"""Fuzz the public functions of allysim.experiments.

For in-range inputs the results hold their invariants and contain no NaN (except the standard
errors of a single repetition, documented as NaN); any other input raises only ValueError or
TypeError, with a message naming the parameter. Each function's tried inputs are counted and
printed by the last test.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from allysim.experiments import cell_seed, expand_grid, match_cell, sweep

TRIED: Counter[str] = Counter()
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.integers(-5, 5), st.floats(-2, 2, allow_nan=False), st.text(max_size=3), st.booleans()
)
names = st.text(alphabet="abcdefgh_", min_size=1, max_size=4)
value_lists = st.lists(scalars, min_size=1, max_size=4)
dict_grids = st.dictionaries(names, value_lists, min_size=1, max_size=4)
list_grids = st.lists(st.dictionaries(names, scalars, max_size=3), min_size=1, max_size=6)
anything = st.one_of(
    st.none(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just(object()),
)


def _raises_naming(call, *params):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    message = str(info.value)
    assert any(p in message for p in params), message


# ------------------------------------------------------------------ expand_grid


@FAST
@given(dict_grids)
def test_expand_grid_dict_is_the_cartesian_product(grid):
    TRIED["expand_grid"] += 1
    cells = expand_grid(grid)
    assert len(cells) == math.prod(len(v) for v in grid.values())
    assert cells == [
        dict(zip(grid, combo, strict=True)) for combo in itertools.product(*grid.values())
    ]


@FAST
@given(list_grids)
def test_expand_grid_list_is_kept_as_given(grid):
    TRIED["expand_grid"] += 1
    assert expand_grid(grid) == grid


@FAST
@given(
    st.one_of(
        anything.filter(lambda g: not isinstance(g, dict | list) or not g),
        st.dictionaries(
            names, st.one_of(st.text(max_size=3), st.integers(), st.just([])), min_size=1
        ),
        st.lists(st.one_of(st.integers(), st.text(max_size=2)), min_size=1, max_size=3),
    )
)
def test_expand_grid_refuses_other_input_naming_grid(grid):
    TRIED["expand_grid"] += 1
    _raises_naming(lambda: expand_grid(grid), "grid")


# ------------------------------------------------------------------ cell_seed


@FAST
@given(st.integers(0, 2**128), st.integers(0, 10**6), st.integers(0, 10**6))
def test_cell_seed_is_a_63_bit_function_of_the_position(root, cell, replicate):
    TRIED["cell_seed"] += 1
    s = cell_seed(root, cell, replicate)
    assert 0 <= s < 2**63
    assert s == cell_seed(np.random.SeedSequence(root), cell, replicate)
    assert s != cell_seed(root, cell, replicate + 1)  # a 2**-63 chance of a false alarm


@FAST
@given(anything, anything, anything)
def test_cell_seed_refuses_other_input_naming_it(root, cell, replicate):
    ok_root = root is None or (isinstance(root, int) and not isinstance(root, bool) and root >= 0)
    ok_cell = isinstance(cell, int) and not isinstance(cell, bool) and cell >= 0
    ok_rep = isinstance(replicate, int) and not isinstance(replicate, bool) and replicate >= 0
    assume(not (ok_root and ok_cell and ok_rep))
    TRIED["cell_seed"] += 1
    bad = [n for n, ok in (("root", ok_root), ("cell", ok_cell), ("replicate", ok_rep)) if not ok]
    _raises_naming(lambda: cell_seed(root, cell, replicate), *bad)


# ------------------------------------------------------------------ sweep


def _draw(a, seed):
    rng = np.random.default_rng(seed)
    return {"u": float(rng.random()), "a": a}


@FAST
@given(
    st.dictionaries(
        names, st.lists(st.integers(-3, 3), min_size=1, max_size=3), min_size=1, max_size=2
    ).map(lambda g: {"a": [0], **g} if "a" not in g else g),
    st.integers(1, 4),
    st.one_of(st.integers(0, 2**64), st.none()),
    st.one_of(st.none(), st.integers(1, 7)),
)
def test_sweep_rows_seeds_and_values(grid, replicates, seed, batch_size):
    TRIED["sweep"] += 1

    def cell(seed, **params):
        return _draw(params["a"], seed)

    df = sweep(cell, grid, replicates=replicates, seed=seed, progress=False, batch_size=batch_size)
    cells = expand_grid(grid)
    assert len(df) == len(cells) * replicates and df.attrs["failed"] == 0
    assert df["error"].isna().all() and not df["u"].isna().any()
    assert ((df["u"] >= 0) & (df["u"] < 1)).all()
    root = np.random.SeedSequence(df.attrs["root_entropy"])
    for row in df.itertuples():
        assert row.seed == cell_seed(root, row.cell, row.replicate)
        assert row.u == _draw(row.a, row.seed)["u"]  # each cell reruns alone


@FAST
@given(
    replicates=anything,
    seed=anything,
    batch_size=anything,
    progress=anything,
    store_format=st.one_of(st.just("csv"), st.text(max_size=4)),
)
def test_sweep_refuses_bad_input_naming_it(replicates, seed, batch_size, progress, store_format):
    def ok_int(v, low):
        return isinstance(v, int) and not isinstance(v, bool) and v >= low

    checks = {
        "replicates": ok_int(replicates, 1) and replicates <= 10**6,
        "seed": seed is None or ok_int(seed, 0),
        "batch_size": batch_size is None or ok_int(batch_size, 1),
        "progress": isinstance(progress, bool),
        "store_format": store_format in ("csv", "parquet"),
    }
    bad = [name for name, ok in checks.items() if not ok]
    assume(bad)
    TRIED["sweep"] += 1
    _raises_naming(
        lambda: sweep(
            _draw,
            {"a": [1]},
            replicates=replicates,
            seed=seed,
            batch_size=batch_size,
            progress=progress,
            store_format=store_format,
        ),
        *bad,
    )


# ------------------------------------------------------------------ match_cell

ZOO = ["ALLC", "ALLD", "TFT", "STFT", "WSLS", "GRIM", "TF2T", "ALTERNATOR", "GTFT", "M1001"]
strategy_names = st.one_of(
    st.sampled_from(ZOO),
    st.floats(0, 1).map(lambda p: f"RANDOM({p:.3f})"),
)
probabilities = st.floats(0, 1)


@FAST
@given(
    strategy_names,
    strategy_names,
    st.integers(1, 30),
    probabilities,
    probabilities,
    st.integers(1, 6),
    st.integers(0, 2**32),
)
def test_match_cell_is_a_finite_summary(row, col, rounds, noise, perception, repetitions, seed):
    TRIED["match_cell"] += 1
    kw = dict(rounds=rounds, noise=noise, perception_noise=perception, repetitions=repetitions)
    out = match_cell(row, col, seed=seed, **kw)
    assert out == match_cell(row, col, seed=seed, **kw)  # bit-reproducible
    for side in ("row", "col"):
        # Standard dilemma payoffs: every round pays between S = 0 and T = 5.
        assert 0 <= out[f"{side}_payoff"] <= 5
        assert 0 <= out[f"{side}_cooperation"] <= 1
        se = out[f"{side}_payoff_se"]
        assert math.isnan(se) if repetitions == 1 else 0 <= se <= 5
    # Payoffs follow from the contribution rates when both are known exactly, e.g. ALLC v ALLD.
    if (row, col) == ("ALLC", "ALLD") and noise == 0 and perception == 0:
        assert (out["row_payoff"], out["col_payoff"]) == (0.0, 5.0)


@FAST
@given(
    row=st.one_of(strategy_names, anything, st.text(max_size=6)),
    col=st.one_of(strategy_names, anything),
    rounds=st.one_of(st.integers(1, 5), anything),
    noise=st.one_of(probabilities, anything),
    repetitions=st.one_of(st.integers(1, 3), anything),
)
def test_match_cell_refuses_bad_input_naming_it(row, col, rounds, noise, repetitions):
    from allysim.strategies import named

    def valid_name(v):
        if not isinstance(v, str):
            return False
        try:
            named(v)
        except (TypeError, ValueError):
            return False
        return True

    def ok_int(v):
        return isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 50

    checks = {
        "row": valid_name(row),
        "col": valid_name(col),
        "rounds": ok_int(rounds),
        "noise": isinstance(noise, int | float) and not isinstance(noise, bool) and 0 <= noise <= 1,
        "repetitions": ok_int(repetitions),
    }
    bad = [name for name, ok in checks.items() if not ok]
    assume(bad)
    # A huge but valid integer is a memory question for the kernel, not a bad input.
    assume(not any(isinstance(v, int) and v > 50 for v in (rounds, repetitions)))
    TRIED["match_cell"] += 1
    _raises_naming(
        lambda: match_cell(row, col, rounds=rounds, noise=noise, repetitions=repetitions, seed=0),
        *bad,
    )


# ------------------------------------------------------------------ the CSV store

store_values = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.sampled_from(["NA", "", "nan", "None", "True", "1", "1.0", "#N/A", "null"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**62), 2**62),
    st.booleans(),
)


@FAST
@given(
    st.lists(
        st.fixed_dictionaries(
            {"cell": st.integers(0, 9), "replicate": st.integers(0, 3)},
            optional={k: store_values for k in ("p", "q", "r")},
        ),
        min_size=1,
        max_size=8,
    )
)
def test_csv_store_reads_back_what_it_wrote(rows):
    import tempfile

    import pandas as pd

    from allysim.experiments.store import _Store

    TRIED["csv store"] += 1
    for row in rows:
        row["error"] = None
    with tempfile.TemporaryDirectory() as folder:
        store = _Store(folder, {"fingerprint": "x"}, "csv")
        store.append(rows)
        loaded = store.load()
    written = pd.DataFrame(rows)
    # sweep rebuilds its frame from the stored rows' records, as here
    assert pd.DataFrame(loaded.to_dict("records")).equals(written)


def test_zz_inputs_tried_per_function():
    print("\nfuzz inputs tried:", dict(TRIED))
    expected = {"expand_grid", "cell_seed", "sweep", "match_cell", "csv store"}
    assert set(TRIED) == expected or not TRIED  # all ran, or this test was run alone
