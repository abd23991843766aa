"""The public API: names, shapes, conventions and clear errors."""

import math
import pickle

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr


@pytest.fixture(scope="module")
def res():
    plan = sr.Schedule.regular(sessions=4, every_days=28, depth_mm=1.5)
    return sr.simulate(plan, patient=sr.Patient(age=45), days=365)


def test_issue_example_names(res):
    assert isinstance(res.t, np.ndarray)
    np.testing.assert_array_equal(res.t, np.arange(366.0))
    tc = res["total_collagen"]
    assert isinstance(tc, np.ndarray) and tc.shape == (366,)
    np.testing.assert_allclose(tc, res["C3"] + res["C1"] + res["Cf"] + res["Cm"])
    df = res.to_pandas()
    assert isinstance(df, pd.DataFrame) and df.index.name == "day"
    assert set(sr.STATE_NAMES) <= set(df.columns) and "total_collagen" in df.columns
    long = res.to_pandas(long=True)
    assert list(long.columns) == ["day", "variable", "value"]
    assert len(long) == len(df) * len(df.columns)


def test_every_state_by_name(res):
    for i, name in enumerate(sr.STATE_NAMES):
        np.testing.assert_array_equal(res[name], res.y[:, i])
    with pytest.raises(KeyError, match="neither a state nor an observable"):
        res["collagen"]


def test_session_day_reports_post_session_state_and_keeps_left_limit(res):
    for k, day in enumerate(res.session_days):
        row = int(day)
        np.testing.assert_array_equal(res.y[row], res.post_session[k])
        assert res.post_session[k, 0] == pytest.approx(res.pre_session[k, 0] + 1.0)
    # The left limit is the limit from the left: compare with an output just before day 28.
    fine = sr.simulate(
        res.schedule, res.patient, days=40, t_eval=[27.0, 28 - 1e-7, 28.0], rtol=1e-10, atol=1e-13
    )
    np.testing.assert_allclose(fine.pre_session[1], fine.y[1], rtol=1e-6, atol=1e-9)


def test_custom_output_times(res):
    sub = sr.simulate(res.schedule, res.patient, days=365, t_eval=[0, 10.5, 90, 365])
    assert sub.t.tolist() == [0, 10.5, 90, 365]
    assert sub["total_collagen"][2] == pytest.approx(res["total_collagen"][90], rel=1e-5)
    only_teval = sr.simulate(res.schedule, res.patient, days=None, t_eval=[0, 50])
    assert only_teval.horizon == 50


def test_plan_as_list_of_days_and_fractional_horizon():
    out = sr.simulate([0, 14], days=30.5)
    assert out.t[-1] == 30.5 and out.t[-2] == 30.0
    assert len(out.session_days) == 2


def test_sessions_after_horizon_are_not_simulated():
    out = sr.simulate(sr.Schedule.regular(6, every_days=28), days=60)
    assert out.session_days.tolist() == [0.0, 28.0, 56.0]


def test_parameters_override_per_call(res):
    k_mat = sr.Parameters.default()["k_mat"]
    faster = sr.simulate(res.schedule, res.patient, days=365, params={"k_mat": 2 * k_mat})
    assert faster["mature_collagen"][120] > res["mature_collagen"][120]
    p = sr.Parameters.default().replace(s_w=0.0)
    flat = sr.simulate(res.schedule, res.patient, days=200, params=p)
    assert flat["total_collagen"].max() < res["total_collagen"].max()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"days": -1}, ValueError, r"days \(the horizon\) must be in \(0, 36500\]"),
        ({"days": 0}, ValueError, r"horizon"),
        ({"days": float("nan")}, ValueError, r"finite"),
        ({"days": float("inf")}, ValueError, r"finite"),
        ({"days": "365"}, TypeError, r"real number"),
        ({"t_eval": [0, 5, 3]}, ValueError, r"sorted"),
        ({"t_eval": [0, float("nan")]}, ValueError, r"finite"),
        ({"t_eval": [-1, 5]}, ValueError, r">= 0"),
        ({"t_eval": [0, 400]}, ValueError, r"beyond the horizon"),
        (
            {"params": {"k_matt": 1.0}},
            ValueError,
            r"unknown parameter 'k_matt'; did you mean 'k_mat'",
        ),
        ({"params": {"k_mat": -0.1}}, ValueError, r"parameter 'k_mat' must be in \(0, inf\)"),
        ({"params": {"f3_0": 1.5}}, ValueError, r"parameter 'f3_0' must be in \[0, 1\]"),
        ({"params": {"k_mat": float("nan")}}, ValueError, r"finite"),
        ({"params": [1, 2]}, TypeError, r"params must be"),
        ({"method": "euler"}, ValueError, r"method must be one of 'rodas5p', 'rodas4', 'dopri5'"),
        ({"rtol": 0}, ValueError, r"rtol must be in \[1e-14, 0.1\]"),
        ({"atol": -1}, ValueError, r"atol must be in \(0, 1\]"),
        ({"atol": {"Q": 1e-9}}, ValueError, r"unknown state 'Q'"),
        ({"max_steps": 0}, ValueError, r"max_steps"),
        ({"rtol": True}, TypeError, r"rtol must be a real number, got bool"),
        ({"max_steps": True}, TypeError, r"max_steps must be an integer"),
        ({"atol": [1e-9] * 14 + [float("nan")]}, ValueError, r"atol\['R'\] must be a finite"),
        (
            {"days": None, "t_eval": [0.0]},
            ValueError,
            r"the horizon \(last of t_eval\) must be in \(0, 36500\] days, got 0",
        ),
        ({"patient": "old"}, TypeError, r"patient must be"),
    ],
)
def test_bad_simulate_input_names_the_field(kwargs, error, match):
    args = {"days": 100}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        sr.simulate(sr.Schedule([0, 28]), **args)


def test_numpy_scalars_are_options_like_python_numbers():
    plan = sr.Schedule([0, 28])
    native = sr.simulate(plan, days=60, rtol=1e-5, max_steps=5000)
    numpy = sr.simulate(plan, days=60, rtol=np.float64(1e-5), max_steps=np.int64(5000))
    assert numpy.options == native.options
    np.testing.assert_array_equal(numpy.y, native.y)


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (
            lambda: sr.Schedule([0, 14, 14]),
            ValueError,
            r"sessions\[1\] and sessions\[2\] are both on day 14",
        ),
        (lambda: sr.Schedule([-3]), ValueError, r"day must be in \[0, 1e\+06\]"),
        (lambda: sr.Schedule([0, float("nan")]), ValueError, r"finite"),
        (
            lambda: sr.Schedule([0], depth_mm=3.0),
            ValueError,
            r"depth_mm must be in \[0.25, 2.5\] mm",
        ),
        (lambda: sr.Schedule([0], depth_mm=0.1), ValueError, r"depth_mm must be in \[0.25, 2.5\]"),
        (lambda: sr.Schedule([0], depth_mm=6, allow_any_depth=True), ValueError, r"\(0, 5\]"),
        (lambda: sr.Schedule("0, 14"), TypeError, r"iterable"),
        (
            lambda: sr.Schedule.regular(0, every_days=7),
            ValueError,
            r"sessions must be in \[1, 1000\]",
        ),
        (lambda: sr.Schedule.regular(3), TypeError, r"exactly one of every_days and every_weeks"),
        (lambda: sr.Schedule.regular(3, every_days=-7), ValueError, r"every_days"),
        (lambda: sr.Session(0, density_per_cm2=0), ValueError, r"density_per_cm2"),
        (lambda: sr.Patient(age=10), ValueError, r"age must be in \[18, 100\] years"),
        (lambda: sr.Patient(age=float("nan")), ValueError, r"finite"),
        (
            lambda: sr.Patient(diabetes="type 2"),
            ValueError,
            r"diabetes must be one of 'none', 'controlled', 'poor'",
        ),
        (lambda: sr.Patient(vitamin_c="high"), ValueError, r"vitamin_c must be one of"),
        (lambda: sr.Patient(phototype=7), ValueError, r"phototype must be an integer in \[1, 6\]"),
        (lambda: sr.Patient(phototype=2.5), TypeError, r"phototype"),
        (lambda: sr.Patient(smoker="yes"), TypeError, r"smoker must be True or False"),
    ],
)
def test_bad_plan_or_patient_names_the_field(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_depth_outside_clinical_range_needs_explicit_permission():
    plan = sr.Schedule([0], depth_mm=3.0, allow_any_depth=True)
    assert plan[0].depth_mm == 3.0
    sr.simulate(plan, days=30)


def test_schedule_sorts_sessions_and_round_trips():
    plan = sr.Schedule([28, 0, 14], depth_mm=1.0, name="three")
    assert plan.days.tolist() == [0, 14, 28]
    assert plan == pickle.loads(pickle.dumps(plan))
    assert pickle.loads(pickle.dumps(plan)).name == "three"
    assert sr.Schedule.regular(3, every_weeks=2) == sr.Schedule([0, 14, 28])
    assert len(plan[1:]) == 2


def test_solver_budget_raises_solver_error_not_a_hang():
    with pytest.raises(sr.SolverError, match="max_steps=20"):
        sr.simulate(sr.Schedule.regular(6, every_days=28), days=365, max_steps=20)
    assert issubclass(sr.SolverError, RuntimeError)


def test_parameters_are_documented_and_immutable():
    p = sr.Parameters.default()
    assert len(p) == len(p.names) > 90
    info = p.info("k_mat")
    assert info.unit == "1/d" and info.source and info.tag
    with pytest.raises(ValueError, match="read-only"):
        p.values_array[0] = 3.0
    table = sr.parameter_table()
    assert {"value", "unit", "domain", "source", "tag"} <= set(table.columns)
    assert p == pickle.loads(pickle.dumps(p))
    changed = p.replace(k_mat=0.02)
    assert changed.differences() == {"k_mat": (0.02, p["k_mat"])}
    assert "k_mat=0.02" in repr(changed)


def test_parameter_file_round_trip(tmp_path):
    p = sr.Parameters.default().replace(s_w=0.05, tau_Er=120.0)
    path = tmp_path / "p.csv"
    p.to_csv(path)
    assert sr.Parameters.from_csv(path) == p


def test_compiled_defaults_match_the_data_file():
    from skinremodel import _core

    np.testing.assert_array_equal(_core.default_parameters(), sr.Parameters.default().values_array)


def test_patient_effective_parameters_follow_covariates():
    young = sr.Patient(age=25).effective_parameters()
    old = sr.Patient(age=65).effective_parameters()
    assert young["a_C"] == 1.0
    assert old["a_C"] == pytest.approx(1 - 0.007 * 37)
    assert sr.Patient(diabetes="poor", age=25).effective_parameters()["k_12"] == pytest.approx(0.25)


def test_redness_metrics_use_root_finding():
    res = sr.simulate(sr.Schedule([0, 30]), days=60)
    hours = res.redness_hours(0)
    # Check against a brute-force scan of a fine grid around the crossing.
    fine = sr.simulate(sr.Schedule([0, 30]), days=60, t_eval=np.arange(0, 5, 1 / 1440))
    r_vis = res.effective_params["R_vis"]
    last_visible = fine.t[np.flatnonzero(fine["R"] > r_vis)[-1]]
    assert abs(hours - 24 * last_visible) < 2 / 60  # within 2 minutes of the 1-minute scan
    assert res.downtime_days(0) > hours / 24
    with pytest.raises(ValueError, match=r"session must be in \[0, 1\]"):
        res.redness_hours(5)


def test_first_visible_day_is_nan_without_sessions():
    res = sr.simulate(sr.Schedule([]), days=100)
    assert math.isnan(res.first_visible_day())


def test_percent_change_and_at(res):
    change = res.percent_change("total_collagen")
    assert change[0] == pytest.approx(100 * (res["total_collagen"][0] - 1.0))
    row = res.at(90)
    assert row["total_collagen"] == res["total_collagen"][90]
    with pytest.raises(ValueError, match="not an output day"):
        res.at(90.5)


def test_result_plot_and_html(res):
    ax = res.plot(["total_collagen", "mature_collagen"], percent=True)
    assert len(ax.lines) >= 2
    html = res._repr_html_()
    assert "<table>" in html and "Result" in html
    assert "4 sessions" in repr(res)
    assert res.session_table().shape[0] == 4


def test_result_pickles(res):
    again = pickle.loads(pickle.dumps(res))
    np.testing.assert_array_equal(again["visible_improvement"], res["visible_improvement"])
