"""Observation data for fitting: validation with clear errors, CSV loaders, exact round trip."""

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr

PLAN = sr.Schedule.regular(3, every_days=30)


def _obs(**changes):
    table = pd.DataFrame(
        {
            "subject": ["A", "A", "B"],
            "day": [0.0, 90.0, 45.0],
            "observable": ["elasticity", "elasticity", "ultrasound_density"],
            "value": [1.0, 1.2, 1.5],
        }
    )
    for column, values in changes.items():
        table[column] = values
    return table


def test_dataset_sorts_and_describes():
    data = sr.Dataset(
        _obs(subject=["B", "A", "A"], day=[45.0, 90.0, 0.0]),
        PLAN,
        {"A": sr.Patient(age=30), "B": sr.Patient(age=60)},
    )
    assert data.subjects == ("A", "B")
    assert data.observations["day"].tolist() == [0.0, 90.0, 45.0]
    assert len(data) == 3 and data.plans["B"] == PLAN
    assert data.patients["B"].age == 60
    assert not data.has_sd.any()
    assert "3 observations of 2 subjects" in repr(data)
    with pytest.raises(KeyError, match="unknown subject 'C'"):
        data.for_subject("C")


@pytest.mark.parametrize(
    ("table", "plans", "error", "match"),
    [
        (
            _obs(observable=["elasticity", "collagen", "elasticity"]),
            PLAN,
            ValueError,
            r"row 1 \(subject 'A'\): unknown observable 'collagen'; observables are "
            "total_collagen",
        ),
        (_obs(day=[0.0, 90.0, -2.0]), PLAN, ValueError, r"row 2 .*day must be >= 0"),
        (_obs(value=[1.0, np.nan, 1.5]), PLAN, ValueError, "row 1 .*value must be a finite"),
        (_obs(value=[1.0, "high", 1.5]), PLAN, ValueError, "row 1 .*value must be a finite"),
        (_obs(sd=[0.1, -0.1, np.nan]), PLAN, ValueError, r"row 1 .*sd must be > 0"),
        (_obs().drop(columns="value"), PLAN, ValueError, "lack the column.*value"),
        (_obs(), {"A": PLAN}, ValueError, "plans: no entry for subject.*'B'"),
        (_obs(), {"A": PLAN, "B": [0, 5, 5]}, ValueError, "plan of subject 'B'"),
        (
            _obs(day=[0.0, 90.0, 10.0]),
            {"A": PLAN, "B": sr.Schedule([14, 42])},
            ValueError,
            r"row 2 \(subject 'B', day 10\): the day is before the first session \(day 14\)",
        ),
        ([1, 2], PLAN, TypeError, "must be a pandas DataFrame"),
        (_obs(), "plan", TypeError, "plans must be a mapping"),
    ],
)
def test_bad_observations_are_refused_with_the_row_named(table, plans, error, match):
    with pytest.raises(error, match=match):
        sr.Dataset(table, plans)


def test_patients_must_be_patients():
    with pytest.raises(TypeError, match="patient of subject 'A' must be a skinremodel.Patient"):
        sr.Dataset(_obs(), PLAN, {"A": 45, "B": sr.Patient()})
    with pytest.raises(ValueError, match="patients: no entry for subject"):
        sr.Dataset(_obs(), PLAN, {"A": sr.Patient()})


def test_known_sd_may_be_partial():
    data = sr.Dataset(_obs(sd=[0.05, np.nan, 0.1]), PLAN)
    np.testing.assert_array_equal(data.has_sd, [True, False, True])
    # An sd column without a single value is dropped.
    assert "sd" not in sr.Dataset(_obs(sd=[np.nan] * 3), PLAN).observations


def test_csv_loaders(tmp_path):
    obs = tmp_path / "obs.csv"
    _obs(sd=[0.05, "", 0.1]).to_csv(obs, index=False)
    plans = tmp_path / "plans.csv"
    plans.write_text(
        "subject,day,depth_mm,density_per_cm2\nA,0,1.5,250\nA,30,1.0,\nB,0,2.0,\nB,28,2.0,\n"
    )
    patients = tmp_path / "patients.csv"
    patients.write_text(
        "subject,age,diabetes,smoker,phototype\nA,35,none,no,3\nB,62,controlled,TRUE,5\n"
    )
    data = sr.Dataset.from_csv(obs, plans, patients)
    assert data.plans["A"].depths.tolist() == [1.5, 1.0]
    assert data.plans["A"][1].density_per_cm2 == 250.0  # empty cells take the default
    assert data.plans["B"].days.tolist() == [0.0, 28.0]
    assert data.patients["B"] == sr.Patient(age=62, diabetes="controlled", smoker=True, phototype=5)
    np.testing.assert_array_equal(data.has_sd, [True, False, True])

    bad = tmp_path / "bad_patients.csv"
    bad.write_text("subject,age,weight\nA,35,70\n")
    with pytest.raises(ValueError, match="unknown patient column.*weight"):
        sr.read_patients(bad)
    bad.write_text("subject,age,smoker\nA,35,maybe\n")
    with pytest.raises(ValueError, match="smoker must be true/false"):
        sr.read_patients(bad)
    bad.write_text("subject,age\nA,12\n")
    with pytest.raises(ValueError, match=r"row 0 \(subject 'A'\): age must be in \[18, 100\]"):
        sr.read_patients(bad)
    bad_plan = tmp_path / "bad_plan.csv"
    bad_plan.write_text("subject,day,depth_mm\nA,0,9\n")
    with pytest.raises(ValueError, match=r"row 0 \(subject 'A'\): .*depth_mm"):
        sr.read_plans(bad_plan)
    bad_plan.write_text("subject,depth_mm\nA,1\n")
    with pytest.raises(ValueError, match="needs the columns subject and day"):
        sr.read_plans(bad_plan)


def test_round_trip_through_plain_data():
    plan_b = sr.Schedule([sr.Session(0, 1.0, 300, 0.3, 0.8), sr.Session(21.5, 2.0)])
    data = sr.Dataset(
        _obs(sd=[0.05, np.nan, 0.1 / 3]),
        {"A": PLAN, "B": plan_b},
        {"A": sr.Patient(age=31.7), "B": sr.Patient(vitamin_c="deficient")},
    )
    again = sr.Dataset.from_dict(data.to_dict())
    pd.testing.assert_frame_equal(again.observations, data.observations, check_exact=True)
    assert again.plans == data.plans and again.patients == data.patients


def test_published_data_are_shipped():
    table = sr.published_observations()
    kenkel = table[
        (table.study_id == "kenkel2021_asj") & (table.outcome == "facial dermal density")
    ]
    assert kenkel.mean_value.item() == pytest.approx(101.86)
    assert kenkel.day.item() == 180
    assert table.url.notna().all() and table.citation.notna().all()
