"""compare(): the table's numbers follow their definitions, ranking, plots, HTML, the plan library."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr

# The library's "monthly then yearly" plan has touch-ups after the 12-month horizon: compare()
# warns about them (tested in test_sessions_after_the_horizon_warn); elsewhere that is expected.
pytestmark = pytest.mark.filterwarnings("ignore::skinremodel.clinic.compare.HorizonWarning")


@pytest.fixture(scope="module")
def cmp():
    return sr.compare(sr.plans.all(), sr.Patient(age=62, diabetes="controlled"))


def test_table_has_one_row_per_plan_and_the_documented_columns(cmp):
    assert list(cmp.table.index) == list(sr.plans.all())
    for column in (
        "plan",
        "sessions",
        "first session (day)",
        "last session (day)",
        "redness per session, mean (h)",
        "redness per session, max (h)",
        "downtime total (d)",
        "first visible (day)",
        "visible improvement 3 mo (model units)",
        "visible improvement 6 mo (model units)",
        "visible improvement 12 mo (model units)",
        "collagen change 3 mo (%)",
        "collagen change 6 mo (%)",
        "collagen change 12 mo (%)",
        "elastin change 12 mo (%)",
        "gain per session (pp)",
        "screening",
        "status",
    ):
        assert column in cmp.table.columns, column
    assert (cmp.table["screening"] == "caution: diabetes").all()


def test_table_numbers_follow_their_definitions(cmp):
    for name, res in cmp.results.items():
        row = cmp.table.loc[name]
        plan = cmp.plans[name]
        assert row["sessions"] == np.count_nonzero(plan.days <= 365) == len(res.session_days)
        assert row["first session (day)"] == plan.days[0]
        assert row["last session (day)"] == res.session_days[-1]
        hours = [res.redness_hours(k) for k in range(len(res.session_days))]
        assert row["redness per session, mean (h)"] == pytest.approx(np.mean(hours))
        assert row["redness per session, max (h)"] == max(hours)
        assert row["redness after 1st session (h)"] == hours[0]
        assert row["downtime total (d)"] == pytest.approx(
            sum(res.downtime_days(k) for k in range(len(hours)))
        )
        for day, label in ((90, "3 mo"), (180, "6 mo"), (365, "12 mo")):
            assert row[f"collagen change {label} (%)"] == res.percent_change("total_collagen")[day]
            column = f"visible improvement {label} (model units)"
            assert row[column] == res["visible_improvement"][day]
        assert row["elastin change 12 mo (%)"] == res.percent_change("elastin")[365]
        assert row["gain per session (pp)"] == pytest.approx(
            row["collagen change 12 mo (%)"] / row["sessions"]
        )
        assert row["first visible (day)"] == res.first_visible_day()


def test_table_numbers_are_in_documented_clinic_ranges(cmp):
    t = cmp.table
    assert t["redness after 1st session (h)"].between(12, 72).all()  # clinic: 12-72 h
    assert (t["downtime total (d)"] / t["sessions"]).between(1, 7).all()  # 3-5 d, with margin
    assert (t["collagen change 6 mo (%)"] > 0).all()
    assert (t["first visible (day)"] > 21).all()  # new collagen takes weeks to show


def test_more_sessions_buy_more_collagen_and_more_downtime():
    # Same interval, more sessions: more collagen at 6 months and more total downtime.
    few = sr.plans.get("standard-course", sessions=4)
    many = sr.plans.get("standard-course", sessions=6)
    c = sr.compare([few, many], sr.Patient(age=45))
    assert (
        c.table.loc[many.name, "collagen change 6 mo (%)"]
        > c.table.loc[few.name, "collagen change 6 mo (%)"]
    )
    assert (
        c.table.loc[many.name, "downtime total (d)"] > c.table.loc[few.name, "downtime total (d)"]
    )


def test_an_older_diabetic_patient_gains_less(cmp):
    young = sr.compare(sr.plans.all(), sr.Patient(age=35))
    assert (young.table["collagen change 12 mo (%)"] > cmp.table["collagen change 12 mo (%)"]).all()
    assert (young.table["downtime total (d)"] < cmp.table["downtime total (d)"]).all()


def test_rank_uses_the_documented_default_objective(cmp):
    ranked = cmp.rank()
    assert cmp.objective == ["visible improvement 12 mo (x just noticeable)", "downtime total (d)"]
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    # the same order
    assert ranked["visible improvement 12 mo (model units)"].is_monotonic_decreasing
    by_downtime = cmp.rank("downtime total (d)")
    assert by_downtime["downtime total (d)"].is_monotonic_increasing  # lower is better
    by_many = cmp.rank(["collagen change 6 mo (%)"], ascending=True)
    assert by_many["collagen change 6 mo (%)"].is_monotonic_increasing
    with pytest.raises(ValueError, match="cannot rank by 'plan'"):
        cmp.rank("plan")


def test_ties_on_the_objective_are_broken_by_downtime():
    table = pd.DataFrame(
        {
            "visible improvement 12 mo (x just noticeable)": [2.0, 2.0],
            "downtime total (d)": [9.0, 4.0],
            "status": ["ok", "ok"],
        },
        index=["a", "b"],
    )
    fake = sr.Comparison(
        table=table,
        plans={},
        results={},
        screenings={},
        patient=sr.Patient(),
        days=365,
        params=sr.Parameters.default(),
        milestones=[(365.0, "12 mo")],
    )
    assert fake.rank().index.tolist() == ["b", "a"]


def test_plans_by_name_text_or_schedule_and_their_names():
    plan = sr.Schedule.regular(3, every_weeks=5, depth_mm=1.0)
    c = sr.compare(
        ["every-6-weeks", "2 sessions every 8 weeks at 2 mm", plan], sr.Patient(), days=200
    )
    assert list(c.table.index) == [
        "every 6 weeks",
        "2 sessions every 8 weeks at 2 mm",
        "3 sessions every 5 weeks at 1 mm",
    ]
    # A horizon that is not a milestone gets its own column; later milestones are left out.
    assert "collagen change day 200 (%)" in c.table.columns
    assert "collagen change 12 mo (%)" not in c.table.columns
    assert c.objective == ["visible improvement day 200 (x just noticeable)", "downtime total (d)"]
    # A horizon of whole months (the CLI's 18mo = 540 d, 2y = 730 d) is labelled in months.
    assert sr.compare(["every-6-weeks"], days=540).last_milestone == "18 mo"
    assert sr.compare(["every-6-weeks"], days=730).last_milestone == "24 mo"
    with pytest.raises(ValueError, match="two plans are named"):
        sr.compare(["every-6-weeks", "every 6 weeks"])
    with pytest.raises(ValueError, match=r"plans\[1\]: plan text"):
        sr.compare(["every-6-weeks", "every six wekks"])
    with pytest.raises(ValueError, match="plans is empty"):
        sr.compare([])
    with pytest.raises(ValueError, match=r"days must be in \[1, 36500\]"):
        sr.compare(["every-6-weeks"], days=0)


def test_horizon_days_is_a_deprecated_alias_of_days():
    with pytest.warns(DeprecationWarning, match="horizon_days= is deprecated; use days="):
        old = sr.compare(["every-6-weeks"], horizon_days=200)
    assert old.days == 200 and list(old.table.columns) == list(
        sr.compare(["every-6-weeks"], days=200).table.columns
    )
    with pytest.warns(DeprecationWarning, match="horizon_days= is deprecated"):
        assert old.horizon_days == 200
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="days= only"):
        sr.compare(["every-6-weeks"], None, 200, horizon_days=200)


@pytest.mark.filterwarnings("error::skinremodel.clinic.compare.HorizonWarning")
def test_sessions_after_the_horizon_warn():
    with pytest.warns(sr.HorizonWarning, match="2 of 8 sessions fall after the horizon"):
        c = sr.compare(["monthly-then-yearly"])
    assert c.table["sessions"].tolist() == [6]


def test_clinical_scale_columns(cmp):
    row = cmp.table.iloc[0]
    assert -3 < row["wrinkle grade (Lemperle 0-5) change 12 mo (grades)"] < 0  # better
    assert "acne-scar grade (Goodman-Baron 1-4) change 12 mo (grades)" not in cmp.table
    assert 1 <= row["GAIS 12 mo"] <= 4 and 0 < row["patient-rated improvement 12 mo (%)"] < 100
    jnd = cmp.results[cmp.table.index[0]].effective_params["G_jnd"]
    assert row["visible improvement 12 mo (x just noticeable)"] == pytest.approx(
        row["visible improvement 12 mo (model units)"] / jnd
    )
    assert row["noticeable by 12 mo"] == (not math.isnan(row["first visible (day)"]))
    acne = sr.compare(["standard-course"], sr.Patient(age=25, acne_scars=True))
    assert acne.table.iloc[0]["acne-scar grade (Goodman-Baron 1-4) change 12 mo (grades)"] < 0


def test_blocked_plans_get_a_row_without_numbers():
    p = sr.Patient(history=sr.MedicalHistory(isotretinoin_stopped=dt.date(2025, 1, 10)))
    c = sr.compare(
        {
            "June": sr.plans.get("standard-course", start_date="2025-06-10"),
            "August": sr.plans.get("standard-course", start_date="2025-08-10"),
        },
        p,
    )
    assert c.table.loc["June", "status"] == "blocked"
    assert math.isnan(c.table.loc["June", "collagen change 6 mo (%)"])
    assert c.results["June"] is None and c.results["August"] is not None
    ranked = c.rank()
    assert ranked.index.tolist() == ["August", "June"] and pd.isna(ranked.loc["June", "rank"])
    assert c.table.loc["June", "first session (date)"] == "2025-06-10"
    # Every plan blocked: still a comparison, with every plan's status (as for a partial block).
    none = sr.compare(["standard-course"], p, start_date="2025-05-01")
    assert none.blocked == ["4 sessions 4-6 weeks apart (up to 6)"]
    assert none.table["status"].tolist() == ["blocked"]
    reason = "consensus 2017: no need to wait"
    ok = sr.compare(
        ["standard-course"], p, start_date="2025-05-01", override={"isotretinoin": reason}
    )
    assert ok.overrides == {"4 sessions 4-6 weeks apart (up to 6)": {"isotretinoin": reason}}


def test_trajectories_and_plot(cmp):
    traj = cmp.trajectories("total_collagen", percent=True)
    assert list(traj.columns) == list(cmp.table.index) and len(traj) == 366
    assert traj.loc[180].tolist() == cmp.table["collagen change 6 mo (%)"].tolist()
    fig = cmp.plot()
    top_left, top_right = fig.axes[:2]
    # One line per plan plus one session-marker series per plan (plus the G_jnd line).
    assert len(top_right.lines) == 2 * len(cmp.plans)
    markers = top_right.lines[1]
    assert markers.get_marker() == "v"
    np.testing.assert_array_equal(markers.get_xdata(), cmp.plans[cmp.table.index[0]].days)
    assert len(fig.axes) == 6  # two trajectories, four bar charts
    html = cmp._repr_html_()
    assert "<table" in html and "research model" in html.lower()


def test_dollar_signs_in_names_do_not_break_plots():
    c = sr.compare({"$5 plan": "every-6-weeks", "cost $ x": "standard-course"})
    c.plot().savefig(__import__("io").BytesIO(), format="png")


def test_plan_library():
    assert sr.plans.list() == [
        "short-course",
        "standard-course",
        "every-6-weeks",
        "monthly-then-yearly",
    ]
    table = sr.plans.table()
    assert set(table["title"]) == set(sr.plans.all())
    assert sr.plans.get("Every 6 weeks") == sr.plans.get("every-6-weeks")
    for name in sr.plans.list():
        lib = sr.plans.LIBRARY[name]
        plan = sr.plans.get(name)
        gaps = np.diff(plan.days)
        course = gaps[: lib.default_sessions - 1]
        assert lib.sessions[0] <= lib.default_sessions <= lib.sessions[1]
        assert len(plan) == lib.default_sessions + lib.default_touch_ups
        assert np.all((course >= lib.interval_days[0]) & (course <= lib.interval_days[1]))
        assert np.all(gaps[lib.default_sessions - 1 :] == 365)  # touch-ups are yearly
    short = sr.plans.get("short-course", sessions=2, every_weeks=1)
    assert short.days.tolist() == [0, 7] and "2 sessions" in short.name
    with pytest.raises(
        ValueError, match=r"plan 'standard-course'.*sessions must be an integer in \[4, 6\]"
    ):
        sr.plans.get("standard-course", sessions=8)
    with pytest.raises(ValueError, match=r"every_weeks must be in \[1, 2\]"):
        sr.plans.get("short-course", every_weeks=3)
    with pytest.raises(ValueError, match=r"unknown library plan 'standard'; did you mean"):
        sr.plans.get("standard")
    dated = sr.plans.all(depth_mm=1.0, start_date="2025-03-03")
    assert all(p.start_date == dt.date(2025, 3, 3) and p.depths[0] == 1.0 for p in dated.values())
