"""batch_run with sequence-valued and object-valued parameters, and their export to xarray."""

import inspect
import json

import networkx as nx
import numpy as np
import pytest

from allysim.abm import TrustModel, batch_run
from allysim.mechanisms import Sanction, ShadowOfFuture

QUIET = {"max_steps": 2, "display_progress": False}


@pytest.mark.parametrize(
    ("parameters", "wrapped"),
    [
        ({"strategies": ["TFT", "ALLD"]}, "{'strategies': [['TFT', 'ALLD']]}"),
        (
            {"stage_thresholds": (0.6, 0.7, 0.8, 0.85)},
            "{'stage_thresholds': [(0.6, 0.7, 0.8, 0.85)]}",
        ),
        ({"stake_levels": [1.0, 1.5, 2.0, 3.0, 4.0]}, "{'stake_levels': [[1.0, 1.5"),
        ({"initial_shares": [0.5, 0.5]}, "{'initial_shares': [[0.5, 0.5]]}"),
        ({"strategies": np.array(["TFT", "ALLD"])}, "{'strategies': [array("),
    ],
)
def test_a_flat_sequence_for_a_sequence_field_is_refused_with_the_fix(parameters, wrapped):
    with pytest.raises(TypeError, match="batch_run sweeps lists and tuples") as info:
        batch_run({"n_organizations": 10, **parameters}, **QUIET)
    assert wrapped in str(info.value)
    assert f"parameters[{next(iter(parameters))!r}]" in str(info.value)


def test_an_empty_sweep_is_refused_naming_the_parameter():
    with pytest.raises(ValueError, match=r"parameters\['mechanisms'\] is an empty sweep.*\[\[\]\]"):
        batch_run({"n_organizations": 10, "mechanisms": []}, **QUIET)
    with pytest.raises(ValueError, match=r"parameters\['noise'\] is an empty sweep"):
        batch_run({"n_organizations": 10, "noise": []}, **QUIET)


def test_wrapped_sequences_run_as_one_value_each():
    # The one run of {"strategies": [["TFT", "ALLD"]]} is the model with those strategies.
    df = batch_run({"n_organizations": 20, "strategies": [["TFT", "ALLD"]]}, seed=5, **QUIET)
    assert len(df) == 1 and df["strategies"].iloc[0] == ["TFT", "ALLD"]
    alone = TrustModel(n_organizations=20, strategies=["TFT", "ALLD"], seed=int(df["seed"][0]))
    alone.run(2, progress=False)
    assert alone.contribution_rate == df["contribution_rate"].iloc[0]
    # A tuple sweeps like a list; no mechanisms is [[]], and single mechanisms still sweep.
    thresholds = batch_run(
        {"n_organizations": 10, "stage_thresholds": ([0.6, 0.7, 0.8, 0.85], (0.5, 0.6, 0.7, 0.8))},
        **QUIET,
    )
    assert len(thresholds) == 2
    assert len(batch_run({"n_organizations": 10, "mechanisms": [[]]}, **QUIET)) == 1
    singles = [ShadowOfFuture(0.99), Sanction(fine=3, detection=0.8)]
    assert (
        batch_run({"n_organizations": 10, "mechanisms": singles}, **QUIET)["mechanisms"].tolist()
        == singles
    )


def test_a_graph_is_one_value_not_a_sweep_over_its_nodes():
    graph = nx.cycle_graph(12)
    df = batch_run({"n_organizations": 12, "network": graph}, seed=2, **QUIET)
    assert len(df) == 1
    alone = TrustModel(n_organizations=12, network=graph, seed=int(df["seed"][0]))
    alone.run(2, progress=False)
    assert alone.active_partnerships == df["active_partnerships"].iloc[0]


def test_progress_is_shown_by_default(capfd):
    assert inspect.signature(batch_run).parameters["display_progress"].default is True
    batch_run({"n_organizations": 10}, max_steps=2)
    assert "1/1" in capfd.readouterr().err
    batch_run({"n_organizations": 10}, **QUIET)
    assert capfd.readouterr().err == ""


# ---- to_xarray and to_tidy of sweeps over sequences and objects ----

S, M = ShadowOfFuture(0.99), Sanction(fine=3, detection=0.8)
S_LABEL = "ShadowOfFuture(continuation=0.99)"
M_LABEL = "Sanction(fine=3.0, detection=0.8, enforcement_cost=0.0, transfer=False)"


def _cells_match_rows(ds, frame, dim, labels):
    """Every cell of ``ds`` equals its row of ``frame`` (``labels`` maps a row's value)."""
    assert len(frame) == ds["contribution_rate"].size
    for _, row in frame.iterrows():
        cell = ds.sel({dim: labels(row[dim]), "replicate": row["replicate"], "step": row["Step"]})
        for name in ("contribution_rate", "trust_goodwill", "active_partnerships"):
            got, want = float(cell[name]), float(row[name])
            assert got == want or (np.isnan(got) and np.isnan(want)), name


def test_strategy_sets_are_a_dimension_labelled_by_their_names():
    pytest.importorskip("xarray")
    from allysim.abm import to_xarray

    sets = [["TFT", "ALLD"], ("TFT", "ALLD", "WSLS")]
    batch = batch_run({"n_organizations": 20, "strategies": sets}, replicates=2, **QUIET)
    ds = to_xarray(batch)
    assert dict(ds.sizes) == {"strategies": 2, "replicate": 2, "step": 1}
    assert ds["strategies"].values.tolist() == ["TFT+ALLD", "TFT+ALLD+WSLS"]
    _cells_match_rows(ds, batch, "strategies", lambda v: "+".join(v))


def test_mechanism_combinations_are_a_dimension_labelled_by_their_reprs():
    pytest.importorskip("xarray")
    from allysim.abm import to_tidy, to_xarray

    batch = batch_run(
        {"n_organizations": 20, "mechanisms": [[S, M], [S], []]}, replicates=2, **QUIET
    )
    ds = to_xarray(batch)
    assert sorted(ds["mechanisms"].values.tolist()) == ["()", S_LABEL, f"{S_LABEL}+{M_LABEL}"]
    _cells_match_rows(ds, batch, "mechanisms", lambda v: "+".join(map(repr, v)) if len(v) else "()")
    tidy = to_tidy(batch)
    means = tidy.query("variable == 'welfare'").groupby("mechanisms")["value"].mean()
    assert means[S_LABEL] == pytest.approx(
        batch[batch["mechanisms"].map(len) == 1]["welfare"].mean()
    )


def test_values_sharing_a_label_fall_back_to_json():
    pytest.importorskip("xarray")
    from allysim.abm import to_xarray

    batch = batch_run({"n_organizations": 20, "mechanisms": [S, (S,)]}, **QUIET)
    labels = to_xarray(batch)["mechanisms"].values.tolist()
    assert sorted(labels) == [f'"{S_LABEL}"', f'["{S_LABEL}"]']


def test_plain_sweeps_give_the_same_dataset_as_before():
    xr = pytest.importorskip("xarray")
    from allysim.abm import to_xarray

    batch = batch_run(
        {"n_organizations": 20, "noise": [0.0, 0.1], "network": ["complete", "small-world"]},
        replicates=2,
        data_collection_period=1,
        **QUIET,
    )
    # What to_xarray built for such frames before labels were introduced.
    dims = ["noise", "network", "replicate", "step"]
    wide = batch.rename(columns={"Step": "step"})
    values = [
        c
        for c in wide.columns
        if c not in {*dims, "RunId", "iteration", "seed", "n_organizations"}
        and c in set(batch.select_dtypes("number").columns)
    ]
    before = wide.set_index(dims)[values].to_xarray()
    before.attrs = {"batch": json.dumps(batch.attrs["batch"])}
    ds = to_xarray(batch)
    xr.testing.assert_identical(ds, before)
    assert ds["noise"].dtype == np.float64 and list(ds.data_vars) == values


@pytest.mark.parametrize(
    "parameters",
    [{"mechanisms": [S, M]}, {"strategies": [["TFT", "ALLD"], ["WSLS"]], "noise": [0.0, 0.1]}],
)
def test_object_sweeps_round_trip_through_netcdf(parameters, tmp_path):
    xr = pytest.importorskip("xarray")
    from allysim.abm import to_xarray

    ds = to_xarray(batch_run({"n_organizations": 20, **parameters}, replicates=2, **QUIET))
    path = tmp_path / "m.nc"
    ds.to_netcdf(path, engine="scipy")
    back = xr.open_dataset(path, engine="scipy").load()
    xr.testing.assert_identical(back, ds)


def test_numpy_arrays_and_ranges_sweep_like_lists_and_become_dimensions():
    # Mesa swept them, but the frame did not record them as a sweep, so to_xarray made no
    # dimension of them; now they are the list they stand for.
    import pandas as pd

    from allysim.abm import to_xarray

    kw = {"max_steps": 3, "display_progress": False}
    as_array = batch_run({"n_organizations": 20, "noise": np.array([0.0, 0.1])}, **kw)
    as_list = batch_run({"n_organizations": 20, "noise": [0.0, 0.1]}, **kw)
    pd.testing.assert_frame_equal(as_array, as_list)
    assert as_array.attrs["batch"]["parameters"]["noise"] == [0.0, 0.1]
    assert to_xarray(as_array).sizes["noise"] == 2
    by_range = batch_run({"n_organizations": range(20, 22)}, **kw)
    assert by_range.attrs["batch"]["parameters"]["n_organizations"] == [20, 21]
    with pytest.raises(TypeError, match=r"noise.*shape \(2, 1\)"):
        batch_run({"noise": np.zeros((2, 1))}, **kw)
    with pytest.raises(ValueError, match=r"noise.*empty sweep"):
        batch_run({"noise": np.array([])}, **kw)
