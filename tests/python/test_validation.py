"""The calibrated model against clinic facts, published data and its own provenance rules.

A default adult (sr.Patient(): age 45, no conditions) at 1.5 mm unless stated. Facts are the
clinic-level statements of the brief and the published studies in data/published.
"""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import skinremodel as sr
from skinremodel.calibration import TARGETS, calibration_table, direction_checks

ROOT = Path(__file__).resolve().parents[2]
ADULT = sr.Patient()
MONTHLY_4 = sr.Schedule.regular(4, every_days=30)


def course(sessions, interval, patient=ADULT, days=365, **kw):
    return sr.simulate(sr.Schedule.regular(sessions, every_days=interval, **kw), patient, days=days)


def inflammation_days(res, level=0.1):
    """Days after the first session with N + M1 above level (design section 2.10)."""
    fine = sr.simulate(res.schedule[:1], res.patient, days=30, t_eval=np.arange(0, 30, 0.01))
    above = np.flatnonzero(fine["N"] + fine["M1"] > level)
    return fine.t[above[-1]] if above.size else 0.0


# 1. Redness ---------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [1.0, 1.5, 2.0])
def test_visible_redness_lasts_12_to_72_hours_at_clinical_depths(depth):
    res = sr.simulate(sr.Schedule([0], depth_mm=depth), ADULT, days=10)
    assert 12 <= res.redness_hours(0) <= 72


def test_shallow_needles_redden_less():
    hours = {
        d: sr.simulate(sr.Schedule([0], depth_mm=d), ADULT, days=10).redness_hours(0)
        for d in (0.25, 0.5, 1.0, 1.5, 2.0)
    }
    assert hours[0.25] < hours[1.0] and hours[0.5] < hours[1.0]
    assert hours[0.25] <= hours[0.5] < 12
    assert hours[1.0] < hours[1.5] < hours[2.0]  # deeper needles, longer redness


# 2. Downtime --------------------------------------------------------------------------------
def test_downtime_is_3_to_5_days_at_1_5_mm():
    assert 3 <= sr.simulate(sr.Schedule([0]), ADULT, days=20).downtime_days(0) <= 5


# 3. First visible improvement ----------------------------------------------------------------
@pytest.mark.parametrize("interval", [28, 30, 42])
def test_first_visible_improvement_comes_3_to_8_weeks_after_the_first_session(interval):
    day = course(4, interval, days=200).first_visible_day()
    assert 21 <= day <= 56


# 4. Improvement continues after the course ----------------------------------------------------
def test_visible_improvement_keeps_rising_two_months_after_four_monthly_sessions():
    res = course(4, 30)
    g = res["visible_improvement"]
    last = int(res.session_days[-1])
    window = g[last + 1 : last + 61]
    assert np.all(np.diff(window) > 0), "G must rise on every day of the two months after"
    assert int(np.argmax(g)) > last + 60


# 5. Dose-response in sessions -------------------------------------------------------------------
def test_more_sessions_give_more_collagen_at_six_months():
    change = {n: course(n, 28, days=180).percent_change("total_collagen")[180] for n in (1, 3, 6)}
    assert 0 < change[1] < change[3] < change[6]


# 6. Covariates ----------------------------------------------------------------------------------
def test_older_patients_respond_less():
    young = course(4, 30, sr.Patient(age=30), days=180).percent_change("total_collagen")[180]
    old = course(4, 30, sr.Patient(age=60), days=180).percent_change("total_collagen")[180]
    assert old < young
    assert old < 0.85 * young  # a substantial, not marginal, decline


def test_poorly_controlled_diabetes_lengthens_inflammation_and_downtime():
    healthy = course(1, 30, ADULT, days=30)
    diabetic = course(1, 30, sr.Patient(diabetes="poor"), days=30)
    assert inflammation_days(diabetic) > inflammation_days(healthy) + 0.5
    assert diabetic.downtime_days(0) > healthy.downtime_days(0) + 0.5
    controlled = course(1, 30, sr.Patient(diabetes="controlled"), days=30)
    assert healthy.downtime_days(0) < controlled.downtime_days(0) < diabetic.downtime_days(0)


def test_vitamin_c_deficiency_lowers_the_response():
    def gain(vc):
        return course(4, 30, sr.Patient(vitamin_c=vc), days=180).percent_change("total_collagen")[
            180
        ]

    assert gain("deficient") < gain("replete") < gain("supplemented")


def test_acne_scars_scale_the_visible_improvement_by_the_deficit():
    plain = course(4, 30, sr.Patient(age=25), days=180)
    scars = course(4, 30, sr.Patient(age=25, acne_scars=True), days=180)
    delta = sr.Parameters.default()["cov_acne_deficit"]
    np.testing.assert_allclose(
        scars["visible_improvement"], plain["visible_improvement"] * (1 - delta) / delta, rtol=1e-11
    )
    np.testing.assert_array_equal(scars.y, plain.y)  # the dynamics do not change
    assert scars.first_visible_day() < plain.first_visible_day()


# 7. Spacing ----------------------------------------------------------------------------------
def test_weekly_sessions_give_less_mature_collagen_at_12_months_than_4_weekly():
    def mature(interval):
        res = course(4, interval)
        return res["Cm"][365] - res.baseline["Cm"]

    weekly, four_weekly = mature(7), mature(28)
    assert weekly < four_weekly
    assert weekly < 0.85 * four_weekly  # a penalty, not a rounding difference


def test_spacing_penalty_comes_from_unhealed_skin():
    """Without the mechanism (chi_imm = phi_inf = 0) weekly needling is not penalised."""

    def mature(interval, params):
        res = sr.simulate(
            sr.Schedule.regular(4, every_days=interval), ADULT, days=365, params=params
        )
        return res["Cm"][365] - res.baseline["Cm"]

    off = {"chi_imm": 0.0, "phi_inf": 0.0}
    assert mature(7, None) / mature(28, None) < mature(7, off) / mature(28, off) - 0.1


# 8. Calibration and directions -----------------------------------------------------------------
def test_every_calibration_point_is_reproduced_within_its_uncertainty():
    table = calibration_table()
    assert len(table) == len(TARGETS) >= 9
    # Nine targets, eight parameters and a prior: the fit is strained where docs/model.md says
    # (Minh's continued improvement, Aust's retrospective ratings at low weight), within 2
    # design-weighted uncertainties; every other target within one.
    strained = ["aust2008:rating", "minh2019:continued"]
    assert (table["z"].abs() < 2.0).all(), table[table["z"].abs() >= 2.0]
    assert table.drop(index=strained)["within"].all(), table[~table["within"]]
    # Where no spread was reported the uncertainty is 15% relative, as the issue asks.
    none = table[table["uncertainty_kind"].str.startswith("none reported")]
    np.testing.assert_allclose(none["uncertainty"], 0.15 * none["observed"].abs())


def test_published_direction_checks_hold():
    checks = direction_checks()
    assert checks["holds"].all(), checks[~checks["holds"]]
    assert set(checks["study"]) >= {"eldomyati2015_ijd", "eldomyati2015_jcad"}


def test_oct_attenuation_rises_between_1_and_3_months_after_kenkels_course():
    res = sr.simulate(sr.Schedule([0, 30, 60, 90]), sr.Patient(age=55, phototype=3), days=180)
    oct_ = res.percent_change("oct_attenuation")
    assert 0 < oct_[120] < oct_[180]


def test_acute_phase_matches_channel_closure_data():
    """Damage half-life within the human micropore closure half-lives (20-26 h, SD 12-15 h)."""
    res = sr.simulate(sr.Schedule([0]), ADULT, days=3, t_eval=np.arange(0, 3, 1 / 240))
    half = res.t[np.flatnonzero(res["D"] < 0.5 * res["D"][0])[0]] * 24
    assert 8 <= half <= 40


def test_calibration_script_reproduces_the_shipped_parameters():
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "calibrate.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr


# 9. Provenance ---------------------------------------------------------------------------------
def test_every_parameter_has_a_source_and_a_known_tag():
    with open(ROOT / "python" / "skinremodel" / "data" / "parameters.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(sr.Parameters.default())
    for row in rows:
        assert row["tag"] in {"R", "M", "S", "C", "N", "CAL"}, row["name"]
        assert row["source"].strip(), f"{row['name']} has no source"
        assert row["unit"].strip() and row["description"].strip(), row["name"]


def test_calibrated_parameters_are_tagged_as_such():
    from skinremodel.calibration import CALIBRATED

    table = sr.parameter_table()
    for name in (*CALIBRATED, "s_Ew"):
        assert table.loc[name, "tag"] == "CAL"
        assert "tools/calibrate.py" in table.loc[name, "source"]
