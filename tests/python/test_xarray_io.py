"""xarray views and netCDF files of results (issue 16)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import skinremodel as sr
import xarray as xr
from skinremodel.engine.xarray_io import ENGINE

PLAN = sr.Schedule.regular(3, every_days=28, depth_mm=1.5)


@pytest.fixture(scope="module")
def res():
    return sr.simulate(PLAN, sr.Patient(age=52, smoker=True), days=120, params={"k_mat": 0.15})


def _roundtrip(ds: xr.Dataset, path) -> xr.Dataset:
    ds.to_netcdf(path, engine=ENGINE)
    with xr.open_dataset(path, engine=ENGINE) as f:
        return f.load()


def test_result_to_xarray_has_units_and_values(res, tmp_path):
    ds = res.to_xarray()
    np.testing.assert_array_equal(ds["day"], res.t)
    np.testing.assert_array_equal(ds["total_collagen"], res["total_collagen"])
    np.testing.assert_array_equal(ds["Cm"], res["Cm"])
    assert ds["total_collagen"].attrs["units"] == "x baseline"
    assert ds["total_collagen"].attrs["long_name"] == "total collagen"
    assert ds["R"].attrs["description"].startswith("erythema")
    assert ds["day"].attrs["units"] == "days"
    np.testing.assert_array_equal(ds["session_day"], res.session_days)
    assert ds["pre_session"].dims == ("session", "state")
    stacked = ds[list(res.names)].to_array("variable")
    assert stacked.dims == ("variable", "day") and stacked.shape == (len(res.names), len(res.t))
    back = _roundtrip(ds, tmp_path / "r.nc")
    xr.testing.assert_identical(back, ds)


def test_result_to_xarray_subset_and_misspelling(res):
    ds = res.to_xarray(["total_collagen", "R"])
    assert {"total_collagen", "R"} <= set(ds.data_vars) and "Cm" not in ds.data_vars
    with pytest.raises(KeyError, match="did you mean 'total_collagen'"):
        res.to_xarray(["total_colagen"])


def test_result_save_load_equals_original(res, tmp_path):
    path = res.save(tmp_path / "sub" / "run.nc")
    assert path.exists() and not list(path.parent.glob("*.tmp"))
    back = sr.Result.load(path)
    assert back.equals(res)
    assert back.schedule == res.schedule and back.patient == res.patient
    assert back.params == res.params and back.params["k_mat"] == 0.15
    np.testing.assert_array_equal(back["visible_improvement"], res["visible_improvement"])
    assert back.redness_hours(0) == res.redness_hours(0)
    assert back.first_visible_day() == res.first_visible_day() or (
        np.isnan(back.first_visible_day()) and np.isnan(res.first_visible_day())
    )
    # The stored inputs reproduce the run.
    assert back.rerun().equals(res)
    with xr.open_dataset(path, engine=ENGINE) as f:
        inputs = json.loads(f.attrs["inputs"])
        assert f.attrs["skinremodel_version"] == sr.__version__
    assert inputs["patient"]["smoker"] is True and inputs["parameters"]["k_mat"] == 0.15


def test_equals_detects_differences(res):
    other = sr.simulate(PLAN, sr.Patient(age=52, smoker=True), days=120)
    assert not res.equals(other)
    assert not res.equals("a result")


def test_save_keeps_history_dates_and_overrides(tmp_path):
    import datetime as dt

    patient = sr.Patient(
        age=40, history=sr.MedicalHistory(isotretinoin_stopped=dt.date(2025, 5, 1))
    )
    plan = sr.Schedule.regular(2, every_weeks=4).starting("2025-06-02")
    res = sr.simulate(
        plan, patient, days=60, override={"isotretinoin": "dermatologist approved, consensus 2017"}
    )
    back = sr.Result.load(res.save(tmp_path / "h.nc"))
    assert back.equals(res)
    assert back.screening.overrides == {"isotretinoin": "dermatologist approved, consensus 2017"}
    assert back.schedule.start_date == dt.date(2025, 6, 2)


def test_save_is_atomic_on_failure(res, tmp_path, monkeypatch):
    target = tmp_path / "keep.nc"
    target.write_bytes(b"previous")

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", broken)
    with pytest.raises(OSError, match="disk full"):
        res.save(target)
    assert target.read_bytes() == b"previous"
    assert list(tmp_path.iterdir()) == [target]


def test_load_rejects_other_files(tmp_path):
    path = tmp_path / "other.nc"
    xr.Dataset({"x": ("a", [1.0])}).to_netcdf(path, engine=ENGINE)
    with pytest.raises(ValueError, match="not a skinremodel result file"):
        sr.Result.load(path)


def test_batch_to_xarray_roundtrip(tmp_path):
    plans = {
        "monthly": sr.Schedule.regular(3, every_days=30),
        "6-weekly": sr.Schedule.regular(2, every_weeks=6),
    }
    batch = sr.simulate_many(
        plans,
        [sr.Patient(age=a) for a in (30, 60)],
        cross=True,
        days=[30, 90, 120],
        metrics=["total_collagen", "redness_hours", "first_visible_day"],
        progress=False,
    )
    ds = batch.to_xarray()
    assert ds["total_collagen"].dims == ("item", "day")
    assert ds["redness_hours"].dims == ("item", "session")
    assert ds["first_visible_day"].dims == ("item",)
    assert ds["redness_hours"].attrs["units"] == "h"
    np.testing.assert_array_equal(ds["total_collagen"], batch["total_collagen"])
    assert list(ds["plan"].values) == list(batch.items["plan"])
    back = _roundtrip(ds, tmp_path / "b.nc")
    xr.testing.assert_identical(back, ds)
    with pytest.raises(KeyError, match="did you mean 'total_collagen'"):
        batch["total_colagen"]


def test_sensitivities_to_xarray_roundtrip(tmp_path):
    res = sr.simulate(PLAN, days=60, sensitivities=["s_w", "k_mat", "depth_mm[0]"])
    ds = res.sensitivities.to_xarray(["total_collagen", "Cm"])
    assert ds["total_collagen"].dims == ("day", "parameter")
    assert list(ds["parameter"].values) == ["s_w", "k_mat", "depth_mm[0]"]
    np.testing.assert_array_equal(ds["total_collagen"], res.sensitivities["total_collagen"])
    assert "per unit of the parameter" in ds["total_collagen"].attrs["units"]
    cube = ds.to_array("variable")
    assert cube.dims == ("variable", "day", "parameter")
    scaled = res.sensitivities.to_xarray(["total_collagen"], scaled=True)
    np.testing.assert_allclose(
        scaled["total_collagen"], res.sensitivities.array(["total_collagen"], scaled=True)[:, 0, :]
    )
    back = _roundtrip(ds, tmp_path / "s.nc")
    xr.testing.assert_identical(back, ds)


def test_bands_to_xarray_roundtrip(tmp_path):
    pop = sr.Population(40, variability={"s_w": 0.3}, seed=5)
    bands = pop.simulate(PLAN, days=60, observables=["total_collagen", "elastin"], progress=False)
    ds = bands.to_xarray()
    assert ds["total_collagen"].dims == ("day", "quantile")
    np.testing.assert_array_equal(ds["quantile"], [0.05, 0.25, 0.5, 0.75, 0.95])
    np.testing.assert_array_equal(
        ds["elastin"].sel(quantile=0.5), bands.xs("elastin", level="observable")["50%"]
    )
    assert ds.attrs["n_patients"] == 40 and ds["elastin"].attrs["units"] == "x baseline"
    back = _roundtrip(ds, tmp_path / "p.nc")
    xr.testing.assert_identical(back, ds)
