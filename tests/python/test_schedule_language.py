"""The schedule language: phases, the text form, JSON/TOML files, validation and dates."""

import datetime as dt
import json
import pickle
import warnings

import numpy as np
import pytest
import skinremodel as sr
from skinremodel.plans.schedule_io import read_document

# ----------------------------------------------------------------------------------- phases


def test_course_then_yearly_touch_ups():
    course = sr.Schedule.regular(4, every_weeks=4, depth_mm=1.5)
    plan = course.then_every(years=1, sessions=2)
    assert plan.days.tolist() == [0, 28, 56, 84, 84 + 365, 84 + 730]
    assert plan == sr.Schedule.parse("4 sessions every 4 weeks at 1.5 mm, then yearly for 2 years")
    # Touch-ups keep the last session's settings unless told otherwise.
    shallow = course.then_every(months=6, sessions=1, depth_mm=1.0)
    assert shallow[-1].day == 84 + 180 and shallow[-1].depth_mm == 1.0
    with pytest.raises(TypeError, match="exactly one of days, weeks, months, years"):
        course.then_every(days=10, weeks=2)


def test_then_concatenates_phases():
    course = sr.Schedule.regular(3, every_weeks=2, depth_mm=1.0)
    maintenance = sr.Schedule.regular(2, every_days=180, depth_mm=1.5)
    plan = course.then(maintenance)  # gap = the phase's own interval
    assert plan.days.tolist() == [0, 14, 28, 208, 388]
    assert plan.depths.tolist() == [1.0, 1.0, 1.0, 1.5, 1.5]
    later = course.then(maintenance, after_weeks=8)
    assert later.days.tolist() == [0, 14, 28, 84, 264]
    with pytest.raises(TypeError, match="after_days or after_weeks"):
        course.then(sr.Schedule([0]))


# ------------------------------------------------------------------------------- text form


@pytest.mark.parametrize(
    ("text", "days", "depths"),
    [
        (
            "4 sessions every 4 weeks at 1.5 mm, then yearly for 2 years",
            [0, 28, 56, 84, 449, 814],
            [1.5] * 6,
        ),
        ("3 sessions 2 weeks apart at 1 mm", [0, 14, 28], [1.0] * 3),
        (
            "Monthly for 6 months, then annually for 1 year",
            [0, 30, 60, 90, 120, 150, 515],
            [1.5] * 7,
        ),
        ("every 6 weeks for 4 sessions at 0.5mm", [0, 42, 84, 126], [0.5] * 4),
        ("four sessions every other week", [0, 14, 28, 42], [1.5] * 4),
        ("sessions on days 0, 14 and 35 at 2 mm", [0, 14, 35], [2.0] * 3),
        (
            "from day 10, 2 sessions every 10.5 days, then after 3 months, 1 session at 2.5 mm",
            [10, 20.5, 110.5],
            [1.5, 1.5, 2.5],
        ),
        ("a single session", [0], [1.5]),
        ("no sessions", [], []),
        (
            "2 SESSIONS EVERY 2 WKS; THEN AFTER A YEAR, ONE SESSION AT 1 MM",
            [0, 14, 379],
            [1.5, 1.5, 1.0],
        ),
    ],
)
def test_parse_reads_clinic_phrases(text, days, depths):
    plan = sr.Schedule.parse(text)
    assert plan.days.tolist() == days
    assert plan.depths.tolist() == depths


def test_parse_reads_devices_and_densities():
    plan = sr.Schedule.parse(
        "3 sessions every 4 weeks at 1 mm with a 12-needle pen, 3 passes, "
        "then 2 sessions every 6 weeks at 1.5 mm, 500 punctures/cm2"
    )
    assert plan[0].device == sr.Device.pen(needles=12, passes=3)
    assert plan[0].density_per_cm2 == sr.Device.pen(passes=3).density_per_cm2
    assert plan[3].device is None and plan[3].density_per_cm2 == 500
    roller = sr.Schedule.parse("2 sessions every month with a dermaroller, 10 passes")
    assert roller[1].device == sr.Device.roller(passes=10)
    stamp = sr.Schedule.parse("1 session with a 20-needle stamp, 4 stamps/cm2")
    assert stamp[0].density_per_cm2 == 80


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("2-3 sessions every 2 weeks", r"a range \(2-3\) is not a plan"),
        ("4 sessions every 4 wekks", r"at 'wekks': expected a unit .*did you mean 'weeks'\?"),
        ("4 sessions at 1.5 mm", r"say how often the 4 sessions come"),
        ("4 sessions every 4 weeks then 1 session", r"say when this session comes"),
        ("monthly at 1 mm", r"say for how long"),
        ("monthly for 45 days", r"not a whole number of 30-day intervals"),
        ("2 sessions every week with a laser", r"expected a device: roller, pen or stamp"),
        ("2 sessions every week with a pen 4 stamps/cm2", r"a pen has no stamps per cm2"),
        ("2 sessions every week with a pen, 500 punctures/cm2", r"a device or a density, not both"),
        ("2.5 sessions every week", r"whole number >= 1"),
        ("4 sessions every 4 weeks at 1.5 mm at 1 mm", r"depth is given twice"),
        ("starting 2025-02-30, 1 session", r"not a valid date"),
        ("", r"plan text is empty"),
        ("4 sessions every 4 weeks #", r"unexpected character '#'"),
    ],
)
def test_parse_errors_quote_the_place_and_what_was_expected(text, match):
    with pytest.raises(ValueError, match=match):
        sr.Schedule.parse(text)


def test_parse_reads_the_documented_forms_the_old_parser_refused():
    """issue 11: the grammar (schedule_text.lark) reads what docs/clinician.md gives."""
    assert sr.Schedule.parse("2 weeks apart for 3 sessions").days.tolist() == [0, 14, 28]
    assert sr.Schedule.parse("monthly for a single session").days.tolist() == [0]
    plan = sr.Schedule.parse("on days 0, 14 1 mm 500 punctures/cm2")
    assert plan.days.tolist() == [0, 14] and plan[1].depth_mm == 1.0
    assert plan[1].density_per_cm2 == 500


def test_parse_errors_give_the_column_line_and_expected_words():
    with pytest.raises(ValueError, match=r"column 20, at 'wekks': expected a unit"):
        sr.Schedule.parse("4 sessions every 4 wekks")
    with pytest.raises(
        ValueError,
        match=r"line 2, column 19, at 'sessons': expected a unit "
        r"\(days, weeks, months, years\) or 'sessions' "
        r"\(did you mean 'sessions'\?\)",
    ):
        sr.Schedule.parse("4 sessions every 4 weeks\nthen after 1 yr 2 sessons")
    with pytest.raises(ValueError, match=r"at 'the end': expected 'mm' or 'punctures/cm2'"):
        sr.Schedule.parse("1 session at 1.5")
    with pytest.raises(ValueError, match=r"'with a pen 2 mm': the device is given twice"):
        sr.Schedule.parse("1 session with a roller with a pen 2 mm")
    with pytest.raises(ValueError, match=r"a device setting belongs right after its device"):
        sr.Schedule.parse("1 session with a pen at 1 mm 3 passes")


def test_invalid_plans_from_text_name_the_session():
    with pytest.raises(
        ValueError, match=r"sessions\[3\] \(day 421\): depth_mm must be in \[0.25, 2.5\]"
    ):
        sr.Schedule.parse("3 sessions every 4 weeks, then after 1 year, 1 session at 3 mm")
    plan = sr.Schedule.parse("1 session at 3 mm", allow_any_depth=True)
    assert plan[0].depth_mm == 3.0


def test_str_is_canonical_and_stable():
    for text in (
        "4 sessions every 4 weeks at 1.5 mm, then yearly for 2 years",
        "monthly for 6 months then yearly for 2 years",
        "starting 2025-03-03, 3 sessions every 2 weeks at 1 mm with a derma roller",
        "on days 0, 7, 30 at 0.5 mm",
    ):
        canonical = str(sr.Schedule.parse(text))
        assert str(sr.Schedule.parse(canonical)) == canonical
    assert (
        str(sr.Schedule.parse("4 sessions every 4 weeks at 1.5 mm, then yearly for 2 years"))
        == "4 sessions every 4 weeks at 1.5 mm, then 2 sessions every year"
    )


def _random_plan(rng):
    """A plan built through the API from random phases, settings and start dates."""
    devices = [
        None,
        sr.Device.roller(passes=int(rng.integers(1, 30))),
        sr.Device.pen(needles=int(rng.choice([11, 12])), passes=int(rng.integers(1, 4))),
        sr.Device.stamp(float(rng.choice([1.5, 4.0])), needles=int(rng.integers(9, 60))),
    ]
    plan = sr.Schedule.regular(
        int(rng.integers(1, 6)),
        every_days=float(rng.choice([7, 14, 28, 30, 42, 10.5, 365])),
        start_day=float(rng.choice([0, 0, 3, 12.25])),
        depth_mm=float(rng.choice([0.25, 0.5, 1.0, 1.5, 2.0, 2.5])),
        device=devices[int(rng.integers(0, 4))],
        density_per_cm2=None,
        start_date=rng.choice([None, dt.date(2025, 1, 31)]),
    )
    for _ in range(int(rng.integers(0, 3))):
        settings = {"depth_mm": float(rng.choice([0.5, 1.5, 2.0]))}
        choice = int(rng.integers(0, 3))
        if choice == 1:
            settings.update(device=devices[int(rng.integers(0, 4))])
        elif choice == 2:
            settings.update(device=None, density_per_cm2=float(rng.choice([100, 250, 333.3])))
        plan = plan.then_every(
            days=float(rng.choice([7, 30, 91.25, 365])),
            sessions=int(rng.integers(1, 4)),
            **settings,
        )
    return plan


def test_text_round_trip_for_random_plans():
    rng = np.random.default_rng(4)
    for _ in range(300):
        plan = _random_plan(rng)
        text = plan.to_text()
        again = sr.Schedule.parse(text)
        assert again == plan, text
        assert [s.device for s in again] == [s.device for s in plan]
        assert str(again) == text


def test_text_form_refuses_settings_it_cannot_carry():
    plan = sr.Schedule(
        [sr.Session(0, 1.5, needle_diameter_mm=0.3), sr.Session(30, 1.5, dose_scale=1.2)]
    )
    with pytest.raises(
        ValueError,
        match=r"cannot carry sessions\[0\] \(day 0\): "
        r"needle_diameter_mm=0.3 \(and 1 more\); save the plan as JSON or TOML",
    ):
        plan.to_text()
    shown = str(plan)  # readable, and it says what is missing
    assert "settings kept only in JSON/TOML" in shown and "dose_scale=1.2" in shown
    with pytest.raises(ValueError, match="read it from its JSON/TOML file"):
        sr.Schedule.parse(shown)
    fast_pen = sr.Schedule([0], device=sr.Device.pen(speed=120))
    with pytest.raises(ValueError, match="device settings other than needles and passes"):
        fast_pen.to_text()


# ---------------------------------------------------------------------------- JSON / TOML


def _full_plan():
    plan = sr.Schedule.parse(
        "starting 2025-03-03, 4 sessions every 4 weeks at 1 mm with a "
        "12-needle pen, 2 passes, then yearly for 2 years",
        name='Pen course <with> "quotes"',
    )
    extra = [
        sr.Session(1000.1, 2.5, needle_diameter_mm=0.3, dose_scale=1.25),
        sr.Session(1234.5, 0.25, device=sr.Device.pen(speed=95.5, glide_cm_per_s=3.3)),
    ]
    return sr.Schedule(list(plan) + extra, name=plan.name, start_date=plan.start_date)


def _same(a, b):
    assert a == b
    assert (a.name, a.start_date, a.allow_any_depth) == (b.name, b.start_date, b.allow_any_depth)
    assert [s.device for s in a] == [s.device for s in b]
    assert [(s.needle_diameter_mm, s.dose_scale) for s in a] == [
        (s.needle_diameter_mm, s.dose_scale) for s in b
    ]


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_files_round_trip_exactly(tmp_path, suffix):
    plan = _full_plan()
    path = tmp_path / f"plan{suffix}"
    plan.save(path)
    _same(sr.Schedule.load(path), plan)
    with pytest.warns(sr.ScheduleWarning):
        deep = sr.Schedule([0.1, 1 / 3, 7.7 + 1e-12], depth_mm=0.3, allow_any_depth=False)
    with pytest.warns(sr.ScheduleWarning):
        deep_again = sr.Schedule.from_toml(deep.to_toml())
    _same(deep_again, deep)
    with pytest.warns(sr.ScheduleWarning):
        _same(sr.Schedule.from_json(deep.to_json()), deep)
    wide = sr.Schedule([0], depth_mm=4.0, allow_any_depth=True)
    _same(sr.Schedule.from_toml(wide.to_toml()), wide)


def test_files_use_native_types():
    plan = _full_plan()
    data = json.loads(plan.to_json())
    assert data["start_date"] == "2025-03-03" and data["format"] == "skinremodel.schedule"
    assert data["sessions"][-2]["device"] is None
    plain = sr.Schedule([0])
    assert json.loads(plain.to_json())["sessions"][0]["needle_diameter_mm"] is None
    assert "needle_diameter_mm" not in plain.to_toml()  # TOML has no null: None is omitted


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "[[sessions]]\nday = 0\ndepht_mm = 1.5\n",
            r"sessions\[0\]: unknown key 'depht_mm'; did you mean 'depth_mm'\?",
        ),
        ("[[sessions]]\ndepth_mm = 1.5\n", r"sessions\[0\]: missing key 'day'"),
        (
            "[[sessions]]\nday = 0\ndepth_mm = 3.0\ndensity_per_cm2 = 250.0\ndose_scale = 1.0\n",
            r"sessions\[0\] \(day 0\): depth_mm must be in \[0.25, 2.5\]",
        ),
        (
            "[[sessions]]\nday = 0\ndepth_mm = 9.0\ndensity_per_cm2 = 250.0\ndose_scale = 1.0\n",
            r"sessions\[0\]: depth_mm must be in \(0, 5\] mm",
        ),
        (
            '[[sessions]]\nday = 0\ndepth_mm = 1.5\ndose_scale = 1.0\ndensity_per_cm2 = 300.0\n[sessions.device]\nkind = "roller"\n',
            r"sessions\[0\]: density_per_cm2=300 contradicts the device",
        ),
        ("version = 2\n", r"version 2 is not supported"),
        ('start_date = "March"\nsessions = []\n', r"start_date must be a date 'YYYY-MM-DD'"),
        ("sessions = [\n", r"not valid TOML"),
    ],
)
def test_bad_files_give_errors_naming_the_key(text, match):
    with pytest.raises(ValueError, match=match):
        sr.Schedule.from_toml(text)


def test_read_document_checks_the_file(tmp_path):
    with pytest.raises(ValueError, match=r"expected a .toml or .json file"):
        read_document(tmp_path / "plan.yaml")
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_document(tmp_path / "missing.toml")


# ------------------------------------------------------------------------------ validation


def test_sessions_closer_than_a_week_warn_and_name_the_sessions():
    with pytest.warns(
        sr.ScheduleWarning,
        match=r"sessions\[1\] \(day 14\) and sessions\[2\] "
        r"\(day 18\) are 4 days apart",
    ):
        plan = sr.Schedule([0, 14, 18])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sr.Schedule([0, 7, 14])  # one week is fine
        pickle.loads(pickle.dumps(plan))  # unpickling does not warn again
        plan.with_settings(depth_mm=1.0)  # same days: no second warning
    with pytest.warns(sr.ScheduleWarning):
        sr.Schedule.parse("3 sessions every 3 days")
    assert issubclass(sr.ScheduleWarning, UserWarning)


def test_depth_error_names_the_offending_session():
    sessions = [
        sr.Session(0, 1.5),
        sr.Session(28, 1.5),
        sr.Session(
            56,
            2.8,
        ),
    ]
    with pytest.raises(
        ValueError, match=r"sessions\[2\] \(day 56\): depth_mm must be in \[0.25, 2.5\] mm"
    ):
        sr.Schedule(sessions)
    with pytest.raises(ValueError, match=r"sessions\[1\] \(day 14\): depth_mm"):
        sr.Schedule([0]).then_every(weeks=2, depth_mm=0.2)


# ------------------------------------------------------------------------------------ dates


def test_start_date_gives_every_session_a_date():
    plan = sr.Schedule.regular(3, every_weeks=4, start_date=dt.date(2025, 1, 30))
    assert plan.dates == (dt.date(2025, 1, 30), dt.date(2025, 2, 27), dt.date(2025, 3, 27))
    with pytest.warns(sr.ScheduleWarning):
        close = sr.Schedule([0], start_date="2024-02-28").then_every(days=1.5)
    assert close.dates[-1] == dt.date(2024, 2, 29)  # leap day; day 1.5 is on the second date
    assert plan.day_of("2025-03-27") == 56
    assert plan.starting(None).start_date is None
    assert plan != plan.starting("2025-02-01")  # the date is part of the plan
    with pytest.raises(ValueError, match="need a start date, and this plan has none"):
        _ = sr.Schedule([0]).dates
    with pytest.raises(ValueError, match="calendar date without a time of day"):
        sr.Schedule([0], start_date=dt.datetime(2025, 1, 1, 9, 30))
    with pytest.raises(TypeError, match="start_date must be a datetime.date"):
        sr.Schedule([0], start_date=20250101)
    with pytest.raises(ValueError, match=r"starts on 2025-01-01, but start_date=2025-02-01"):
        sr.Schedule.parse("starting 2025-01-01, 1 session", start_date="2025-02-01")


def test_results_are_indexed_by_date():
    plan = sr.Schedule.regular(2, every_weeks=4, start_date="2025-12-20")
    res = sr.simulate(plan, days=60)
    assert res.dates[0] == np.datetime64("2025-12-20") and len(res.dates) == len(res.t)
    assert res.dates[12] == np.datetime64("2026-01-01")
    by_date = res.to_pandas(index="date", variables=["total_collagen"])
    assert by_date.loc["2026-01-01", "total_collagen"] == res["total_collagen"][12]
    assert res.at(dt.date(2026, 1, 1))["total_collagen"] == res["total_collagen"][12]
    assert res.at("2026-01-17")["Cm"] == res.at(28)["Cm"]
    long = res.to_pandas(long=True, index="date", variables=["R"])
    assert list(long.columns) == ["date", "variable", "value"]
    undated = sr.simulate(sr.Schedule([0]), days=10)
    with pytest.raises(ValueError, match="need a start date"):
        undated.to_pandas(index="date")
    with pytest.raises(ValueError, match="index must be 'day' or 'date'"):
        undated.to_pandas(index="week")
