"""simulate_many: bitwise equal to one-by-one simulate(), failures confined, inputs broadcast."""

import math

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr

DAYS = [0.0, 7.0, 30.0, 90.0, 180.0]
METRICS = [
    "total_collagen",
    "visible_improvement",
    "patient_rated_improvement",
    "Cm",
    "R",
    "redness_hours",
    "downtime_days",
    "first_visible_day",
]
PLANS = {
    "3 x 4 weeks, 1.0 mm": sr.Schedule.regular(3, every_weeks=4, depth_mm=1.0),
    "5 x 30 days, 1.5 mm": sr.Schedule.regular(5, every_days=30, depth_mm=1.5),
}
PATIENTS = [
    sr.Patient(age=26),
    sr.Patient(age=48, smoker=True, phototype=5),
    sr.Patient(age=67, diabetes="controlled", photoaged=True, reactive_skin=True),
]
PARAMS = [sr.Parameters.default(), sr.Parameters.default().replace(k_mat=0.01, s_w=0.05)]


def serial_values(plan, patient, params, metric, days=DAYS, horizon=180.0):
    """The value of a metric as simulate() and Result give it."""
    res = sr.simulate(plan, patient, days=horizon, t_eval=days, params=params)
    if metric == "redness_hours":
        return np.array([res.redness_hours(k) for k in range(len(res.session_days))])
    if metric == "downtime_days":
        return np.array([res.downtime_days(k) for k in range(len(res.session_days))])
    if metric == "first_visible_day":
        return np.array(res.first_visible_day())
    return res[metric]


@pytest.fixture(scope="module")
def crossed():
    return {
        threads: sr.simulate_many(
            PLANS, PATIENTS, PARAMS, DAYS, metrics=METRICS, cross=True, threads=threads
        )
        for threads in (1, 2, 4)
    }


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_batch_equals_serial_bitwise(crossed, threads):
    res = crossed[threads]
    assert len(res) == len(PLANS) * len(PATIENTS) * len(PARAMS) and res.n_failed == 0
    for item, row in res.items.iterrows():
        plan = PLANS[row.plan]
        patient, params = PATIENTS[row.patient], PARAMS[row.params]
        for metric in METRICS:
            expected = serial_values(plan, patient, params, metric)
            got = res.values(metric)[item]
            if metric in ("redness_hours", "downtime_days"):
                assert np.all(np.isnan(got[len(expected) :]))
                got = got[: len(expected)]
            # Same bits, not merely close.
            assert np.array_equal(got, expected, equal_nan=True), (item, metric, got, expected)


def test_thread_count_does_not_change_a_bit(crossed):
    for metric in METRICS:
        for threads in (2, 4):
            assert np.array_equal(
                crossed[1].values(metric), crossed[threads].values(metric), equal_nan=True
            )
    assert crossed[1].stats.equals(crossed[4].stats)


def test_items_differ_physiologically(crossed):
    """Guard against a batch that copies one simulation: covariates and plans matter."""
    res = crossed[2]
    items = res.items
    collagen_90 = res.values("total_collagen")[:, DAYS.index(90.0)]
    base = (items.params == 0) & (items.plan == "5 x 30 days, 1.5 mm")
    by_patient = collagen_90[base.to_numpy()]
    assert by_patient[0] > by_patient[1] > by_patient[2] > 1.0  # 26 > 48 smoker > 67 diabetic
    deeper = collagen_90[((items.params == 0) & (items.patient == 0)).to_numpy()]
    assert deeper[1] > deeper[0]  # 1.5 mm, 5 sessions beats 1.0 mm, 3 sessions at day 90
    hours = res.values("redness_hours")[:, 0]
    assert np.all((hours > 6) & (hours < 96))


def test_a_failing_item_does_not_spoil_the_others():
    # The explicit method with a tight step budget fails only for the much stiffer item.
    plan = PLANS["3 x 4 weeks, 1.0 mm"]
    stiff = sr.Parameters.default().replace(d_T=3000.0)
    params = [PARAMS[0], stiff, PARAMS[1]]
    options = dict(method="dopri5", max_steps=6000)
    res = sr.simulate_many(plan, PATIENTS[0], params, DAYS, metrics=METRICS, threads=2, **options)
    assert res.failed.tolist() == [False, True, False]
    assert np.all(np.isnan(res.values("total_collagen")[1]))
    assert np.all(np.isnan(res.values("redness_hours")[1]))
    for item in (0, 2):
        assert res.items.loc[item, "error"] == ""
        serial = sr.simulate(
            plan, PATIENTS[0], days=180, t_eval=DAYS, params=params[item], **options
        )
        assert np.array_equal(res.values("total_collagen")[item], serial["total_collagen"])
        hours = [serial.redness_hours(k) for k in range(len(serial.session_days))]
        assert res.values("redness_hours")[item][: len(hours)].tolist() == hours


def test_a_solver_error_is_recorded_for_its_item():
    # The explicit method with a tight step budget fails only for the much stiffer item.
    stiff = sr.Parameters.default().replace(d_T=3000.0)
    res = sr.simulate_many(
        PLANS["3 x 4 weeks, 1.0 mm"],
        PATIENTS[0],
        [PARAMS[0], stiff],
        DAYS,
        method="dopri5",
        max_steps=6000,
    )
    assert res.failed.tolist() == [False, True]
    assert res.items.loc[1, "error_type"] == "SolverError"
    assert "max_steps" in res.items.loc[1, "error"]
    assert np.all(np.isfinite(res.values("total_collagen")[0]))


def test_broadcast_zip_and_cross_rules():
    one_plan = sr.simulate_many(PLANS["3 x 4 weeks, 1.0 mm"], PATIENTS, days=[30])
    assert len(one_plan) == 3 and one_plan.items.patient.tolist() == [0, 1, 2]
    zipped = sr.simulate_many(list(PLANS.values()), PATIENTS[:2], days=[30])
    assert zipped.items.patient.tolist() == [0, 1] and zipped.items.plan.tolist() == [
        "plan 0",
        "plan 1",
    ]
    crossed = sr.simulate_many(PLANS, PATIENTS, PARAMS, [30], cross=True)
    assert len(crossed) == 12
    assert crossed.items.plan.tolist()[:6] == ["3 x 4 weeks, 1.0 mm"] * 6  # plan-major
    with pytest.raises(ValueError, match="same length.*cross=True"):
        sr.simulate_many(list(PLANS.values()), PATIENTS, days=[30])
    days_plan = sr.simulate_many([0, 28, 56], PATIENTS[0], days=[60])
    assert len(days_plan) == 1  # a list of numbers is one plan


def test_params_as_table_or_matrix_equal_parameters_objects():
    table = pd.DataFrame({name: [p[name] for p in PARAMS] for name in ("k_mat", "s_w")})
    matrix = np.vstack([p.values_array for p in PARAMS])
    a = sr.simulate_many(PLANS["3 x 4 weeks, 1.0 mm"], PATIENTS[1], PARAMS, [90])
    b = sr.simulate_many(PLANS["3 x 4 weeks, 1.0 mm"], PATIENTS[1], table, [90])
    c = sr.simulate_many(PLANS["3 x 4 weeks, 1.0 mm"], PATIENTS[1], matrix, [90])
    d = sr.simulate_many(
        PLANS["3 x 4 weeks, 1.0 mm"], PATIENTS[1], {"k_mat": 0.01, "s_w": 0.05}, [90]
    )
    for other in (b, c):
        assert np.array_equal(a.values("total_collagen"), other.values("total_collagen"))
    assert np.array_equal(a.values("total_collagen")[1], d.values("total_collagen")[0])


def test_patients_as_covariate_table():
    table = pd.DataFrame(
        {
            "age": [26, 48, 67],
            "smoker": [False, True, False],
            "phototype": [2, 5, 2],
            "diabetes": ["none", "none", "controlled"],
            "photoaged": [False, False, True],
            "reactive_skin": [False, False, True],
        }
    )
    a = sr.simulate_many(PLANS["3 x 4 weeks, 1.0 mm"], PATIENTS, days=[90])
    b = sr.simulate_many(PLANS["3 x 4 weeks, 1.0 mm"], table, days=[90])
    assert np.array_equal(a.values("total_collagen"), b.values("total_collagen"))
    assert b.items.diabetes.tolist() == ["none", "none", "controlled"]


def test_tables_long_and_wide_agree_with_arrays(crossed):
    res = crossed[1]
    long = res.to_pandas()
    assert list(long.columns) == ["item", "metric", "day", "session", "value"]
    collagen = long[long.metric == "total_collagen"].set_index(["item", "day"]).value
    assert collagen[(3, 90.0)] == res.values("total_collagen")[3, DAYS.index(90.0)]
    redness = long[long.metric == "redness_hours"]
    row = redness[(redness.item == 5) & (redness.session == 1)].iloc[0]
    assert row.value == res.values("redness_hours")[5, 1]
    assert row.day == res.session_days[5, 1] > 0
    first = long[long.metric == "first_visible_day"]
    assert len(first) == len(res) and first.day.isna().all()
    wide = res.to_pandas(long=False)
    assert len(wide) == len(res)
    assert wide[("total_collagen", 180.0)].tolist() == res.values("total_collagen")[:, -1].tolist()
    first = res.values("redness_hours")[:, 0]
    assert wide[("redness_hours", "session 0")].tolist() == first.tolist()


def test_horizon_and_daily_default():
    daily = sr.simulate_many(
        PLANS["3 x 4 weeks, 1.0 mm"], PATIENTS[0], days=60.5, metrics="total_collagen"
    )
    assert daily.days[0] == 0 and daily.days[-1] == 60.5 and len(daily.days) == 62
    short = sr.simulate_many(
        PLANS["5 x 30 days, 1.5 mm"],
        PATIENTS[0],
        days=70,
        t_eval=[10, 20],
        metrics=["redness_hours"],
    )
    assert short.horizon == 70 and short.days.tolist() == [10, 20]
    with pytest.warns(DeprecationWarning, match=r"horizon=\) is deprecated"):
        old = sr.simulate_many(
            PLANS["5 x 30 days, 1.5 mm"],
            PATIENTS[0],
            days=[10, 20],
            horizon=70,
            metrics=["redness_hours"],
        )
    assert old.horizon == 70
    assert np.isfinite(short.values("redness_hours")[0]).sum() == 3  # sessions on days 0, 30, 60


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"metrics": ["collagen"]}, ValueError, "unknown metric 'collagen'"),
        ({"metrics": []}, ValueError, "at least one metric"),
        ({"threads": 0}, ValueError, r"threads must be an integer in \[1, 4096\]"),
        ({"params": pd.DataFrame({"k_matt": [1.0]})}, ValueError, "unknown parameter 'k_matt'"),
        (
            {"params": pd.DataFrame({"k_mat": [0.01, -1.0]})},
            ValueError,
            r"params row 1: parameter 'k_mat' must be in",
        ),
        ({"params": np.ones((2, 3))}, ValueError, r"shape \(n, "),
        (
            {"patients": pd.DataFrame({"age": [30, 12]})},
            ValueError,
            r"patients row 1: age must be in \[18, 100\]",
        ),
        ({"patients": pd.DataFrame({"diabetes": ["type 2"]})}, ValueError, "diabetes must be one"),
        ({"patients": [sr.Patient(), "old"]}, TypeError, r"patients\[1\]"),
        ({"days": [10, 5]}, ValueError, "days must be sorted"),
        ({"days": [-5]}, ValueError, r"days must be >= 0"),
        ({"days": 50, "t_eval": [10, 90]}, ValueError, "beyond the horizon days=50"),
        ({"days": [10, 20], "t_eval": [10, 90]}, TypeError, "days= is the horizon"),
        ({"method": "euler"}, ValueError, "method must be one of"),
        ({"client": object()}, TypeError, "dask.distributed.Client"),
    ],
)
def test_bad_input_names_the_field(kwargs, error, match):
    args = {"plans": PLANS["3 x 4 weeks, 1.0 mm"], "days": [30], **kwargs}
    with pytest.raises(error, match=match):
        sr.simulate_many(**args)


def test_values_of_a_metric_not_kept_raise_a_clear_key_error(crossed):
    with pytest.raises(KeyError, match="was not kept"):
        crossed[1].values("elastin")


def test_empty_plan_gives_no_session_metrics():
    res = sr.simulate_many(
        sr.Schedule([]),
        PATIENTS[0],
        days=[30],
        metrics=["total_collagen", "redness_hours", "first_visible_day"],
    )
    assert res.values("redness_hours").shape == (1, 0)
    assert math.isnan(res.values("first_visible_day")[0])
    assert res.values("total_collagen")[0, 0] == pytest.approx(1.0, abs=1e-12)


def test_chunking_does_not_change_a_bit(crossed):
    """Chunks (engine calls) are an implementation detail: results are the same bit for bit."""
    small = sr.simulate_many(
        PLANS, PATIENTS, PARAMS, DAYS, metrics=METRICS, cross=True, threads=2, chunk_size=5
    )
    for metric in METRICS:
        assert np.array_equal(small.values(metric), crossed[1].values(metric), equal_nan=True)
    assert small.items.equals(crossed[1].items)


def test_default_chunks_bound_the_states_in_memory():
    from skinremodel.engine.batch import CHUNK_STATE_BYTES, LOCAL_CHUNK, _chunk_size

    assert _chunk_size(None, 100_000, None, 3) == LOCAL_CHUNK
    daily = _chunk_size(None, 100_000, None, 366)
    n_x = len(sr.STATE_NAMES)
    assert daily * 366 * n_x * 8 <= CHUNK_STATE_BYTES < (daily + 1) * 366 * n_x * 8


def test_contraindicated_items_fail_like_simulate_would_raise():
    """Patients with a medical history are screened per plan; a blocked item fails alone."""
    import datetime as dt

    plan = PLANS["3 x 4 weeks, 1.0 mm"].starting("2025-06-02")
    recent = sr.Patient(age=40, history=sr.MedicalHistory(isotretinoin_stopped=dt.date(2025, 4, 1)))
    with pytest.raises(sr.ContraindicationError) as raised:
        sr.simulate(plan, recent, days=90)
    res = sr.simulate_many(
        plan,
        [PATIENTS[0], recent, PATIENTS[1]],
        days=[30, 90],
        metrics=["total_collagen", "redness_hours"],
    )
    assert res.failed.tolist() == [False, True, False]
    assert res.items.loc[1, "error_type"] == "ContraindicationError"
    assert res.items.loc[1, "error"] == str(raised.value)
    assert np.all(np.isnan(res.values("total_collagen")[1]))
    assert np.all(np.isnan(res.values("redness_hours")[1]))
    serial = sr.simulate(plan, PATIENTS[1], days=90, t_eval=[30, 90])
    assert np.array_equal(res.values("total_collagen")[2], serial["total_collagen"])
    # With a stated reason the item goes ahead, as simulate() does.
    reason = {"isotretinoin": "dermatologist approved, consensus 2017"}
    allowed = sr.simulate_many(plan, recent, days=[30, 90], override=reason)
    assert not allowed.failed[0]
    assert np.array_equal(
        allowed.values("total_collagen")[0],
        sr.simulate(plan, recent, days=90, t_eval=[30, 90], override=reason)["total_collagen"],
    )


def test_every_state_and_observable_equals_serial_bitwise():
    """Every metric a batch can keep reads the patient's own baseline and parameters."""
    every = list(sr.STATE_NAMES) + list(sr.OBSERVABLES)
    patients = [
        sr.Patient(age=30),
        sr.Patient(age=71, diabetes="poor", photoaged=True, acne_scars=True, phototype=5),
    ]
    res = sr.simulate_many(
        PLANS["5 x 30 days, 1.5 mm"], patients, days=180, t_eval=DAYS, metrics=every
    )
    for item, patient in enumerate(patients):
        serial = sr.simulate(PLANS["5 x 30 days, 1.5 mm"], patient, days=180, t_eval=DAYS)
        for name in every:
            assert np.array_equal(res.values(name)[item], serial[name], equal_nan=True), name
    # The two patients differ in every observable that depends on the response.
    assert not np.array_equal(
        res.values("visible_improvement")[0], res.values("visible_improvement")[1]
    )


@pytest.mark.parametrize(
    "module", ["skinremodel.engine.batch", "skinremodel.populations.population"]
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    failures, tests = doctest.testmod(importlib.import_module(module))
    assert tests > 0 and failures == 0
