"""Screening: every rule, the date boundaries, overrides and how simulate() enforces them."""

import datetime as dt

import pytest
import skinremodel as sr
from skinremodel.patients.screening import RULES

START = dt.date(2025, 6, 10)
PLAN = sr.Schedule.regular(3, every_weeks=4, start_date=START)  # 06-10, 07-08, 08-05


def patient(**history):
    return sr.Patient(age=40, history=sr.MedicalHistory(**history))


def codes(screening, severity=None):
    return [f.code for f in screening.findings if severity in (None, f.severity)]


def test_a_patient_without_history_is_clear():
    s = sr.screen(sr.Patient(), PLAN)
    assert s.findings == () and not s.blocked and s.status == "ok" and s.summary() == "none"


@pytest.mark.parametrize(
    ("history", "code"),
    [
        ({"pregnant": True}, "pregnancy"),
        ({"active_acne": True}, "active_acne"),
        ({"rosacea_flare": True}, "rosacea_flare"),
        ({"eczema": True}, "eczema"),
        ({"psoriasis": True}, "psoriasis"),
        ({"other_skin_condition": "discoid lupus"}, "chronic_skin_condition"),
        ({"open_wound": True}, "open_wound"),
        ({"keloid_history": True}, "keloid"),
        ({"on_isotretinoin": True}, "isotretinoin"),
        ({"isotretinoin_stopped": START - dt.timedelta(days=30)}, "isotretinoin"),
        ({"radiotherapy_ended": START - dt.timedelta(days=100)}, "radiotherapy"),
        ({"last_retinoid_use": START}, "retinoid"),
        ({"last_sun_exposure": START - dt.timedelta(days=1)}, "sun_exposure"),
    ],
)
def test_every_contraindication_blocks(history, code):
    s = sr.screen(patient(**history), PLAN)
    assert codes(s) == [code]
    assert s.blocked and s.findings[0].severity == "contraindication"
    assert s.findings[0].source  # every rule names its source
    with pytest.raises(
        sr.ContraindicationError, match=rf"override=\{{'{code}': '<reason>'\}}"
    ) as err:
        sr.simulate(PLAN, patient(**history), days=100)
    assert isinstance(err.value, ValueError) and err.value.screening.blocked


def test_every_rule_is_exercised():
    tested = {
        "pregnancy",
        "active_acne",
        "rosacea_flare",
        "eczema",
        "psoriasis",
        "chronic_skin_condition",
        "open_wound",
        "keloid",
        "isotretinoin",
        "radiotherapy",
        "retinoid",
        "sun_exposure",
        "diabetes",
    }
    assert {r.code for r in RULES} == tested


@pytest.mark.parametrize(
    ("stopped", "blocked"),
    [
        (dt.date(2024, 11, 10), False),  # 7 months before the first session: fine
        (dt.date(2025, 1, 10), True),  # 5 months: not
        (dt.date(2024, 12, 10), False),  # exactly 6 calendar months: fine
        (dt.date(2024, 12, 11), True),  # 6 months minus a day: not
    ],
)
def test_isotretinoin_boundary_is_six_calendar_months(stopped, blocked):
    s = sr.screen(patient(isotretinoin_stopped=stopped), PLAN)
    assert s.blocked is blocked


def test_isotretinoin_names_the_sessions_and_the_clear_date():
    s = sr.screen(patient(isotretinoin_stopped=dt.date(2025, 1, 20)), PLAN)
    (finding,) = s.findings
    assert finding.sessions == (0, 1)  # 06-10 and 07-08 are too early; 08-05 is clear
    assert "sessions[0] (2025-06-10), sessions[1] (2025-07-08)" in finding.message
    assert "sessions from 2025-07-20 are clear" in finding.message
    # Month ends: 6 months after 2024-08-31 is 2025-02-28.
    end = sr.Schedule([0], start_date="2025-02-28")
    assert not sr.screen(patient(isotretinoin_stopped=dt.date(2024, 8, 31)), end).blocked
    assert sr.screen(
        patient(isotretinoin_stopped=dt.date(2024, 8, 31)), end.starting("2025-02-27")
    ).blocked


@pytest.mark.parametrize(
    ("ended", "blocked"),
    [(dt.date(2024, 6, 10), False), (dt.date(2024, 6, 11), True), (dt.date(2023, 1, 1), False)],
)
def test_radiotherapy_boundary_is_twelve_months(ended, blocked):
    assert sr.screen(patient(radiotherapy_ended=ended), PLAN).blocked is blocked


@pytest.mark.parametrize("field", ["last_retinoid_use", "last_sun_exposure"])
@pytest.mark.parametrize(
    ("last", "sessions"),
    [
        (START, (0,)),  # the same day
        (START - dt.timedelta(days=1), (0,)),  # the day before: may be within 24 hours
        (START - dt.timedelta(days=2), ()),  # two days before: clear
        (dt.date(2025, 7, 7), (1,)),  # the day before the second session
        (dt.date(2025, 8, 6), ()),  # after the last session
    ],
)
def test_topicals_and_sun_within_24_hours_of_a_session(field, last, sessions):
    s = sr.screen(patient(**{field: last}), PLAN)
    assert (s.findings[0].sessions if s.findings else ()) == sessions


def test_date_rules_need_a_start_date_and_say_so():
    undated = sr.Schedule.regular(3, every_weeks=4)
    with pytest.raises(
        ValueError,
        match=r"history has dates \(isotretinoin_stopped=2025-01-10\).*"
        r"give the plan a start date",
    ):
        sr.screen(patient(isotretinoin_stopped=dt.date(2025, 1, 10)), undated)
    assert (
        sr.screen(
            patient(isotretinoin_stopped=dt.date(2025, 1, 10)), undated, start_date="2025-09-01"
        ).findings
        == ()
    )
    # Conditions without dates need no date.
    assert sr.screen(patient(pregnant=True), undated).blocked


def test_diabetes_is_a_caution_applied_through_the_covariate():
    plan = sr.Schedule.regular(3, every_weeks=4)
    for status in ("controlled", "poor"):
        s = sr.screen(sr.Patient(age=62, diabetes=status), plan)
        assert codes(s, "caution") == ["diabetes"] and not s.blocked
        assert s.findings[0].covariate == "diabetes"
    assert (
        "uncontrolled diabetes as a contraindication"
        in sr.screen(sr.Patient(diabetes="poor"), plan).findings[0].message
    )
    # "lengthens recovery": the covariate makes redness and downtime last longer.
    healthy = sr.simulate(plan, sr.Patient(age=62), days=120)
    diabetic = sr.simulate(plan, sr.Patient(age=62, diabetes="controlled"), days=120)
    assert diabetic.screening.cautions[0].code == "diabetes"
    assert diabetic.downtime_days(0) > healthy.downtime_days(0)
    assert diabetic.redness_hours(0) > healthy.redness_hours(0)
    assert (
        diabetic.percent_change("total_collagen")[120]
        < healthy.percent_change("total_collagen")[120]
    )


def test_override_needs_a_reason_and_is_recorded():
    p = patient(isotretinoin_stopped=dt.date(2025, 2, 1), pregnant=False)
    reason = "dermatologist approved: AAD 2024 guidance, superficial procedure"
    res = sr.simulate(PLAN, p, days=100, override={"isotretinoin": reason})
    assert res.screening.overrides == {"isotretinoin": reason}
    assert res.screening.status == "overridden" and not res.screening.blocked
    assert "overridden" in res.screening.summary() and reason in str(res.screening)
    assert reason in res._repr_html_()
    with pytest.raises(ValueError, match=r"override\['isotretinoin'\] needs a reason"):
        sr.simulate(PLAN, p, days=100, override={"isotretinoin": "  "})
    with pytest.raises(ValueError, match=r"unknown screening rule 'accutane'; rules are pregnancy"):
        sr.simulate(PLAN, p, days=100, override={"accutane": "ok"})
    # Overriding one contraindication does not override another.
    both = patient(isotretinoin_stopped=dt.date(2025, 2, 1), eczema=True)
    with pytest.raises(sr.ContraindicationError, match="eczema in the area") as err:
        sr.simulate(PLAN, both, days=100, override={"isotretinoin": reason})
    assert "isotretinoin" not in str(err.value).split("override=")[1]


def test_history_validation_names_the_field():
    with pytest.raises(TypeError, match="pregnant must be True or False"):
        sr.MedicalHistory(pregnant="no")
    with pytest.raises(ValueError, match="isotretinoin_stopped must be a date 'YYYY-MM-DD'"):
        sr.MedicalHistory(isotretinoin_stopped="last spring")
    with pytest.raises(ValueError, match="on_isotretinoin=True .* or isotretinoin_stopped"):
        sr.MedicalHistory(on_isotretinoin=True, isotretinoin_stopped="2025-01-01")
    with pytest.raises(ValueError, match="unknown key 'pregnancy'; did you mean 'pregnant'"):
        sr.Patient(history={"pregnancy": True})
    with pytest.raises(TypeError, match="other_skin_condition must be the condition's name"):
        sr.MedicalHistory(other_skin_condition="")
    # The patient keeps round-tripping through a dict, history included.
    p = patient(isotretinoin_stopped="2025-01-10", eczema=True)
    assert sr.Patient(**p.to_dict()) == p
    assert repr(sr.MedicalHistory()) == "MedicalHistory()"
