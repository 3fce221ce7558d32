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


def _with_none(batch, column, none_at):
    """``batch`` with the swept ``column``'s value ``none_at`` replaced by None (object dtype)."""
    out = batch.copy()
    params = dict(batch.attrs["batch"]["parameters"])
    params[column] = [None if v == none_at else v for v in params[column]]
    out.attrs = {"batch": {**batch.attrs["batch"], "parameters": params}}
    out[column] = pd.Series(
        [None if v == none_at else v for v in batch[column]], index=batch.index, dtype=object
    )
    return out


def test_a_swept_column_of_numbers_and_none_stays_numeric_with_nan(batch, tmp_path):
    # Before: labelled as strings, "0.2" and "None", sorted as text. A float column with NaN
    # would then have lost its NaN rows (pandas leaves NaN out of an index's levels).
    mixed = _with_none(batch, "noise", 0.0)
    ds = to_xarray(mixed)
    assert ds["noise"].dtype == np.float64
    np.testing.assert_array_equal(ds["noise"].values, [0.2, np.nan])  # NaN last
    assert dict(ds.sizes) == {"noise": 2, "search_rate": 2, "replicate": 2, "step": 3}
    # The None runs are the noise-0 runs of the original batch, value for value.
    plain = to_xarray(batch)
    for name in ("contribution_rate", "welfare"):
        np.testing.assert_array_equal(ds[name].isel(noise=1).values, plain[name].sel(noise=0.0))
        np.testing.assert_array_equal(ds[name].sel(noise=0.2).values, plain[name].sel(noise=0.2))
    # netCDF keeps the NaN coordinate (read back through the float's NaN fill value).
    path = tmp_path / "mixed.nc"
    ds.to_netcdf(path, engine="scipy")
    back = xr.open_dataset(path, engine="scipy").load()
    xr.testing.assert_identical(back, ds)
    assert np.isnan(back["noise"].values[1])
    # The tidy frame holds the same floats.
    tidy = to_tidy(mixed)
    assert tidy["noise"].dtype == np.float64
    assert tidy["noise"].isna().sum() == (mixed["noise"].isna()).sum() * tidy["variable"].nunique()


def test_a_float_sweep_with_nan_and_inf_keeps_every_run(batch):
    # NaN next to +inf: the stand-in for NaN must not be a value of the sweep.
    out = batch.copy()
    out["search_rate"] = out["search_rate"].map({0.3: np.inf, 0.6: np.nan})
    ds = to_xarray(out)
    np.testing.assert_array_equal(ds["search_rate"].values, [np.inf, np.nan])
    plain = to_xarray(batch)
    np.testing.assert_array_equal(
        ds["welfare"].isel(search_rate=1).values, plain["welfare"].sel(search_rate=0.6).values
    )


def test_a_reporter_of_numbers_and_none_is_a_float_variable(run):
    # Before: an object column was left out of the dataset and of the tidy frame.
    frame = run.copy()
    frame["sometimes"] = pd.Series([None, 1, 2.5, None, 4, 5, 6], index=run.index, dtype=object)
    frame["labels"] = pd.Series(list("abcdefg"), index=run.index)
    ds = to_xarray(frame)
    np.testing.assert_array_equal(ds["sometimes"].values, [np.nan, 1, 2.5, np.nan, 4, 5, 6])
    assert "labels" not in ds
    tidy = to_tidy(frame)
    got = tidy.query("variable == 'sometimes'")["value"].to_numpy()
    np.testing.assert_array_equal(got, [np.nan, 1, 2.5, np.nan, 4, 5, 6])


def test_a_swept_column_whose_floats_would_merge_keeps_labels(batch):
    # None beside NaN, or integers beyond 2**53, are distinct swept values whose floats are
    # equal: before, the runs collided ("several rows for one ...", a ValueError).
    plain = to_xarray(batch)
    for none_and, other in [(np.nan, "nan"), (2**53 + 1, "9007199254740993")]:
        mixed = _with_none(batch, "noise", 0.0)
        mixed["noise"] = pd.Series(
            [none_and if v == 0.2 else v for v in mixed["noise"]], index=batch.index, dtype=object
        )
        ds = to_xarray(mixed)
        assert sorted(ds["noise"].values.tolist()) == sorted(["None", other])
        np.testing.assert_array_equal(
            ds["welfare"].sel(noise="None").values, plain["welfare"].sel(noise=0.0).values
        )
        np.testing.assert_array_equal(
            ds["welfare"].sel(noise=other).values, plain["welfare"].sel(noise=0.2).values
        )


def test_a_float_sweep_with_nan_inf_and_the_largest_float_keeps_every_run():
    # The stand-in for NaN was the float above the largest finite value: beside +inf and
    # 1.8e308 that is +inf again, and the runs collided (a non-unique index, ValueError).
    small = batch_run({"n_organizations": 10, "noise": [0.0, 0.1, 0.2]}, max_steps=2, seed=1)
    out = small.copy()
    top = float(np.finfo(float).max)
    out["noise"] = out["noise"].map({0.0: np.nan, 0.1: top, 0.2: np.inf})
    ds = to_xarray(out)
    np.testing.assert_array_equal(ds["noise"].values, [top, np.inf, np.nan])
    plain = to_xarray(small)
    for old, new in [(0.0, 2), (0.1, 0), (0.2, 1)]:
        np.testing.assert_array_equal(
            ds["welfare"].isel(noise=new).values, plain["welfare"].sel(noise=old).values
        )
