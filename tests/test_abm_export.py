"""Trust-model results as tidy frames and xarray datasets, with their parameters attached."""

import json

import numpy as np
import pandas as pd
import pytest

from allysim.abm import TrustModel, TrustParams, batch_run, to_tidy, to_xarray

xr = pytest.importorskip("xarray", reason="xarray is in the test extra")


@pytest.fixture(scope="module")
def run():
    return TrustModel(n_organizations=40, strategies=["TFT", "ALLD"], seed=3).run(6, progress=False)


@pytest.fixture(scope="module")
def batch():
    return batch_run(
        {"n_organizations": 30, "noise": [0.0, 0.2], "search_rate": [0.3, 0.6]},
        replicates=2,
        max_steps=4,
        data_collection_period=2,
        seed=11,
    )


def test_run_dataset_holds_every_reported_value_and_the_parameters(run):
    ds = to_xarray(run)
    assert dict(ds.sizes) == {"step": 7}
    assert ds["step"].values.tolist() == list(range(7))
    for column in run.columns:
        np.testing.assert_array_equal(ds[column].values, run[column].to_numpy(float))
    params = TrustParams(n_organizations=40, strategies=["TFT", "ALLD"]).to_dict()
    assert ds.attrs["n_organizations"] == 40
    assert json.loads(ds.attrs["strategies"]) == ["TFT", "ALLD"]
    assert json.loads(ds.attrs["stage_thresholds"]) == params["stage_thresholds"]
    assert set(ds.attrs) == set(params)


def test_run_dataset_round_trips_through_netcdf(run, tmp_path):
    path = tmp_path / "run.nc"
    to_xarray(run).to_netcdf(path, engine="scipy")
    back = xr.open_dataset(path, engine="scipy").load()
    xr.testing.assert_identical(back, to_xarray(run))


def test_batch_dataset_has_swept_parameters_replicates_and_steps_as_dimensions(batch):
    ds = to_xarray(batch)
    assert dict(ds.sizes) == {"noise": 2, "search_rate": 2, "replicate": 2, "step": 3}
    assert ds["step"].values.tolist() == [0, 2, 4]
    # Every cell equals its row of the frame.
    for _, row in batch.iterrows():
        cell = ds.sel(
            noise=row["noise"],
            search_rate=row["search_rate"],
            replicate=row["replicate"],
            step=row["Step"],
        )
        for name in ("contribution_rate", "trust_goodwill", "active_partnerships"):
            got, want = float(cell[name]), float(row[name])
            assert got == want or (np.isnan(got) and np.isnan(want)), name
    meta = json.loads(ds.attrs["batch"])
    assert meta["replicates"] == 2 and len(meta["seeds"]) == 2 and meta["max_steps"] == 4
    assert meta["parameters"]["noise"] == [0.0, 0.2]


def test_tidy_frames_pivot_back_to_the_wide_ones(run, batch):
    tidy = to_tidy(run)
    assert tidy.attrs["params"]["n_organizations"] == 40
    assert len(tidy) == run.shape[0] * run.shape[1]
    wide = tidy.pivot(index="step", columns="variable", values="value")[run.columns]
    np.testing.assert_array_equal(wide.to_numpy(), run.to_numpy(float))

    tidy_b = to_tidy(batch)
    assert tidy_b.columns.tolist() == [
        "step",
        "noise",
        "search_rate",
        "replicate",
        "variable",
        "value",
    ]
    assert "seed" not in set(tidy_b["variable"]) and "RunId" not in set(tidy_b["variable"])
    one = tidy_b.query("variable == 'welfare'").sort_values(["noise", "search_rate"])
    assert len(one) == len(batch)


def test_bad_frames_are_refused_with_the_reason():
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame"):
        to_xarray({"a": [1]})
    with pytest.raises(ValueError, match="carries no parameters"):
        to_tidy(pd.DataFrame({"a": [1.0]}))


def test_a_batch_with_repeated_cells_is_refused(batch):
    doubled = pd.concat([batch, batch])
    doubled.attrs = batch.attrs
    with pytest.raises(ValueError, match="several rows"):
        to_xarray(doubled)
