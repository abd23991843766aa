"""Every public object pickles and unpickles exactly (Dask ships them between processes)."""

import pickle

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr


def round_trip(obj):
    again = pickle.loads(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    assert type(again) is type(obj)
    return again


def test_inputs_round_trip():
    params = sr.Parameters.default().replace(k_mat=0.0123456789, s_w=0.04)
    assert round_trip(params) == params
    assert np.array_equal(round_trip(params).values_array, params.values_array)
    assert round_trip(sr.Parameters.info("k_mat")) == sr.Parameters.info("k_mat")
    session = sr.Session(
        3.25, depth_mm=1.75, density_per_cm2=180.0, needle_diameter_mm=0.3, dose_scale=0.9
    )
    assert round_trip(session) == session
    plan = sr.Schedule([session, sr.Session(40.0)], name="mixed")
    again = round_trip(plan)
    assert again == plan and again.name == "mixed" and again.allow_any_depth == plan.allow_any_depth
    patient = sr.Patient(
        age=61.5,
        diabetes="poor",
        vitamin_c="deficient",
        phototype=6,
        smoker=True,
        photoaged=True,
        reactive_skin=True,
    )
    assert round_trip(patient) == patient


def test_result_round_trips():
    res = sr.simulate(sr.Schedule.regular(3, every_weeks=4), sr.Patient(age=52), days=120)
    again = round_trip(res)
    assert np.array_equal(again.y, res.y) and np.array_equal(again.t, res.t)
    assert again.crossings.equals(res.crossings)
    assert again.redness_hours(1) == res.redness_hours(1)
    assert again.to_pandas().equals(res.to_pandas())


def test_batch_result_round_trips():
    res = sr.simulate_many(
        sr.Schedule.regular(3, every_weeks=4),
        [sr.Patient(age=a) for a in (30, 60)],
        days=[30, 90],
        metrics=["total_collagen", "redness_hours", "first_visible_day"],
    )
    again = round_trip(res)
    assert again.items.equals(res.items) and again.stats.equals(res.stats)
    for metric in res.metrics:
        assert np.array_equal(again.values(metric), res.values(metric), equal_nan=True)
    assert again.to_pandas().equals(res.to_pandas())
    assert again.to_pandas(long=False).equals(res.to_pandas(long=False))
    with pytest.raises(ValueError, match="read-only"):
        again.values("total_collagen")[0, 0] = 2.0


def test_population_and_bands_round_trip():
    pop = sr.Population(
        80,
        covariates={"smoker": 0.5},
        variability={"s_w": 0.3, "k_mat": 0.2},
        correlation=[[1, 0.3], [0.3, 1]],
        seed=9,
    )
    again = round_trip(pop)
    assert again == pop
    assert again.patients == pop.patients
    bands = pop.simulate(sr.Schedule.regular(2, every_weeks=4), days=60)
    bands_again = round_trip(bands)
    assert bands_again.equals(bands) and bands_again.attrs == bands.attrs
    assert isinstance(bands_again, pd.DataFrame)


def test_solver_error_round_trips():
    with pytest.raises(sr.SolverError) as info:
        sr.simulate(sr.Schedule([0]), days=100, max_steps=5)
    again = round_trip(info.value)
    assert str(again) == str(info.value)
