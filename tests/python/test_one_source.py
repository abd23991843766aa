"""Issue 11, "one source of truth": every fact the core and the Python layer share lives once.

Names (methods, patient columns and categories, events), bounds (``_core.limits()`` and
``docs/limits.md``), the threshold events and their per-session summary (computed once in C++
for single runs and batches), the visible improvement's definition, the parser of sensitivity
column names, the integrator's options as one object, the metrics registry, and the bound
request and result classes of ``_core``.
"""

import inspect
import pickle
import re
import typing
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr
from skinremodel import _core
from skinremodel.engine.options import Method
from skinremodel.limits import CORE_LIMITS, check_limit, limit_range
from skinremodel.model.metrics import EVENT_NAMES, METRICS, metrics_of_kind
from skinremodel.patients.patient import PATIENT_COLUMNS, DiabetesStatus, VitaminCStatus

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "python" / "skinremodel"
PLAN = sr.Schedule.regular(4, every_days=28)


# ------------------------------------------------------------------------------------ names
def test_method_names_come_from_the_core_and_are_spelled_once():
    assert typing.get_args(Method) == tuple(_core.method_names()) == sr.METHODS
    copies = [
        p.relative_to(PACKAGE)
        for p in PACKAGE.rglob("*.py")
        if 'Literal["rodas5p"' in p.read_text(encoding="utf-8")
    ]
    assert copies == [Path("engine/options.py")]


def test_patient_columns_and_categories_come_from_the_core():
    assert PATIENT_COLUMNS == tuple(_core.patient_columns())
    categories = _core.patient_categories()
    assert typing.get_args(DiabetesStatus) == tuple(categories["diabetes"])
    assert typing.get_args(VitaminCStatus) == tuple(categories["vitamin_c"])
    assert set(PATIENT_COLUMNS) == {f for f in sr.Patient.__dataclass_fields__ if f != "history"}
    # One row form: the engine reads the row the dataclass gives.
    p = sr.Patient(age=61.5, diabetes="poor", vitamin_c="supplemented", phototype=5, smoker=True)
    row = p._row()
    assert not row.flags.writeable and row.shape == (len(PATIENT_COLUMNS),)
    np.testing.assert_array_equal(
        _core.effective_parameters(sr.Parameters.default().values_array, row),
        list(p.effective_parameters().values()),
    )
    assert not hasattr(_core, "Patient")
    for path in PACKAGE.rglob("*.py"):
        assert "(n, 7)" not in path.read_text(encoding="utf-8"), path


def test_every_covariate_is_labelled_once_and_read_from_there():
    from skinremodel.clinic.app.forms import COVARIATE_FLAGS
    from skinremodel.clinic.clinical_terms import patient_rows
    from skinremodel.patients.patient import COVARIATE_LABELS, FLAG_COVARIATES
    from skinremodel.populations import population

    assert tuple(COVARIATE_LABELS) == PATIENT_COLUMNS
    assert FLAG_COVARIATES == ("smoker", "photoaged", "reactive_skin", "acne_scars")
    # The report, the app's form and populations take the covariates from the patient module.
    assert [label for label, _ in patient_rows(sr.Patient())] == [
        label for label, _ in COVARIATE_LABELS.values()
    ]
    assert [name for name, _ in COVARIATE_FLAGS] == list(FLAG_COVARIATES)
    assert population._FLAGS == FLAG_COVARIATES
    assert population._CATEGORICAL["phototype"] == (1, 2, 3, 4, 5, 6)


def test_event_names_come_from_the_core():
    assert EVENT_NAMES == tuple(_core.event_names())
    res = sr.simulate(PLAN, days=120)
    assert set(res.crossings["event"]) <= set(EVENT_NAMES)


# ------------------------------------------------------------------------------------ bounds
def test_docs_list_every_bound_of_the_core():
    doc = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    rows = re.findall(
        r"^\| `(\w+)` \| ((?:integer in )?[\[(].*?[\])]) \| (.*?) \| (.*?) \|$", doc, re.M
    )
    table = {name: (rng, unit, meaning) for name, rng, unit, meaning in rows}
    assert set(table) == set(CORE_LIMITS)
    for name, limit in CORE_LIMITS.items():
        rng = limit_range(name).removesuffix(f" {limit.unit}" if limit.unit else "")
        expected = (
            ("integer in " if limit.integer else "") + rng,
            limit.unit or "1",
            limit.description,
        )
        assert table[name] == expected, name


@pytest.mark.parametrize(
    ("build", "bound"),
    [
        (lambda: sr.Patient(age=17), "age"),
        (lambda: sr.Patient(phototype=7), "phototype"),
        (lambda: sr.Session(2e6), "day"),
        (lambda: sr.Session(0, depth_mm=5.5), "depth_mm"),
        (lambda: sr.Session(0, density_per_cm2=2e4), "density_per_cm2"),
        (lambda: sr.Session(0, needle_diameter_mm=1.5), "needle_diameter_mm"),
        (lambda: sr.Session(0, dose_scale=11), "dose_scale"),
        (lambda: sr.SolverOptions(rtol=0.5), "rtol"),
        (lambda: sr.SolverOptions(atol=2.0), "atol"),
        (lambda: sr.SolverOptions(max_steps=0), "max_steps"),
        (lambda: sr.SolverOptions(initial_step=-1.0), "initial_step"),
        (lambda: sr.simulate(PLAN, days=40_000), "horizon"),
    ],
)
def test_python_checks_read_the_core_bounds(build, bound):
    with pytest.raises(ValueError, match=re.escape(limit_range(bound))):
        build()


def test_the_core_refuses_what_python_refuses_with_the_same_range():
    for bound, bad in (("age", 17.0), ("rtol", 0.5), ("depth_mm", 5.5), ("horizon", 4e4)):
        with pytest.raises(ValueError) as python:
            check_limit(bound, bad)
        assert limit_range(bound) in str(python.value)
    row = sr.Patient()._row().copy()
    row[0] = 17.0
    with pytest.raises(ValueError, match=re.escape(limit_range("age"))):
        _core.effective_parameters(sr.Parameters.default().values_array, row)
    with pytest.raises(ValueError, match=re.escape(limit_range("rtol"))):
        _core.SolverOptions(rtol=0.5)
    plan = np.array([[0.0, 5.5, 250.0, np.nan, 1.0]])
    request = _core.Request(
        sr.Parameters.default().values_array,
        sr.Patient()._row(),
        plan,
        np.array([0.0, 10.0]),
        10.0,
        _core.SolverOptions(),
    )
    with pytest.raises(ValueError, match=re.escape(limit_range("depth_mm"))):
        _core.simulate(request)


# ------------------------------------------------------------------------------------ events
def test_visible_improvement_has_one_definition():
    scale, terms = _core.visible_improvement()
    assert scale == "g_scale" and terms[0] == ("Cm", None)
    # The core's threshold is where Python's observable reaches G_jnd.
    res = sr.simulate(PLAN, days=200)
    day = res.first_visible_day()
    at = res._rerun(t_eval=[day])["visible_improvement"][0]
    assert at == pytest.approx(res.effective_params["G_jnd"], rel=1e-8)


def test_the_per_session_summary_is_the_core_s_for_single_runs_and_batches():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sr.ScheduleWarning)
        daily = sr.Schedule.regular(5, every_days=1, depth_mm=2.0)
    plans = [PLAN, daily]
    patients = [sr.Patient(age=30), sr.Patient(age=70, reactive_skin=True)]
    batch = sr.simulate_many(
        plans,
        patients,
        cross=True,
        days=90,
        metrics=["redness_hours", "downtime_days", "first_visible_day"],
    )
    for i, (plan, patient) in enumerate([(p, q) for p in plans for q in patients]):
        res = sr.simulate(plan, patient, days=90)
        n = len(res.session_days)
        for name in ("redness_hours", "downtime_days"):
            assert np.array_equal(batch.values(name)[i, :n], res.metric(name))
            assert [getattr(res, name)(k) for k in range(n)] == list(res.metric(name))
        assert np.array_equal(
            batch.values("first_visible_day")[i], res.first_visible_day(), equal_nan=True
        )
        if plan is daily:  # still red at the next session: the episode goes on through it
            days = res._tr.time_above[EVENT_NAMES.index("redness_visible")]
            assert list(days[:-1]) == list(1.0 + days[1:])


def test_sensitivity_column_names_are_parsed_by_the_core():
    assert _core.sensitivity_column("depth_mm[2]", 4) == ("depth_mm", 2)
    assert _core.sensitivity_column("day[0]", 4) == ("day", 0)
    assert _core.sensitivity_column("k_mat", 0)[0] == "parameter"
    res = sr.simulate(PLAN, days=60, sensitivities=["day[1]", "depth_mm[2]", "k_mat"])
    assert list(res.sensitivities.values) == [28.0, 1.5, sr.Parameters.default()["k_mat"]]
    with pytest.raises(ValueError, match=r"did you mean 'k_mat'"):
        sr.simulate(PLAN, days=60, sensitivities=["k_matt"])


# ------------------------------------------------------------------------------------ options
def test_solver_options_are_checked_once_and_taken_everywhere():
    opts = sr.SolverOptions(method="rodas4", rtol=1e-7, atol={"R": 1e-8}, max_steps=50_000)
    assert opts.atol[sr.STATE_NAMES.index("R")] == 1e-8 and len(opts.atol) == 15
    assert hash(opts) == hash(sr.SolverOptions(**opts.to_dict()))
    assert pickle.loads(pickle.dumps(opts)) == opts
    with pytest.raises(ValueError, match="method must be one of"):
        sr.SolverOptions(method="euler")
    with pytest.raises(ValueError, match="unknown state"):
        sr.SolverOptions(atol={"X": 1e-9})
    res = sr.simulate(PLAN, days=60, options=opts)
    short = sr.simulate(
        PLAN, days=60, method="rodas4", rtol=1e-7, atol={"R": 1e-8}, max_steps=50_000
    )
    assert res.options == opts and res.equals(short)
    batch = sr.simulate_many(PLAN, days=[60], metrics=["Cm"], options=opts)
    assert batch.options == opts and batch.values("Cm")[0, 0] == res["Cm"][-1]
    for call in (
        lambda: sr.simulate(PLAN, options=opts, rtol=1e-6),
        lambda: sr.simulate_many(PLAN, options=opts, method="rodas4"),
    ):
        with pytest.raises(TypeError, match="either as options= or as"):
            call()
    with pytest.raises(TypeError, match="options must be a skinremodel.SolverOptions"):
        sr.simulate(PLAN, options={"rtol": 1e-6})
    pop = sr.Population(20, seed=2)
    out = pop.outcomes(PLAN, days=[60], metrics=["Cm"], options=opts, progress=False)
    assert out.options == opts
    bands = pop.simulate(PLAN, days=60, observables=["Cm"], options=opts, progress=False)
    assert bands.shape[0] == 61
    for name in (
        "simulate",
        "simulate_many",
        "fit",
        "fit_population",
        "sample_posterior",
        "compare",
        "optimize_plan",
    ):
        assert "options" in inspect.signature(getattr(sr, name)).parameters, name
    assert "options" in inspect.signature(sr.Population.simulate).parameters
    assert "options" in inspect.signature(sr.Population.outcomes).parameters


def test_results_and_files_keep_the_options(tmp_path):
    opts = sr.SolverOptions(rtol=1e-7, max_step=5.0)
    res = sr.simulate(PLAN, days=60, options=opts)
    again = sr.Result.load(res.save(tmp_path / "r.nc"))
    assert again.options == opts and again.equals(res)
    assert again.redness_hours(1) == res.redness_hours(1)
    assert again.first_visible_day() == res.first_visible_day()
    truth = sr.simulate(PLAN, days=120, params={"s_w": 0.05}, t_eval=[45, 120])
    obs = pd.DataFrame(
        {
            "subject": "A",
            "day": truth.t,
            "observable": "total_collagen",
            "value": truth["total_collagen"],
            "sd": 0.01,
        }
    )
    fitted = sr.fit(obs, PLAN, parameters=["s_w"], options=sr.SolverOptions(rtol=1e-7))
    assert fitted.options == sr.SolverOptions(rtol=1e-7)
    fitted.save(tmp_path / "fit.json")
    loaded = sr.FitResult.load(tmp_path / "fit.json")
    assert loaded.options == fitted.options == loaded.problem.options


@pytest.mark.parametrize(
    ("call", "keyword"),
    [
        (lambda: sr.fit(pd.DataFrame(), PLAN, parameters=["s_w"], rtol=1e-6), "rtol"),
        (
            lambda: sr.fit_population(pd.DataFrame(), PLAN, random=["s_w"], method="rodas4"),
            "method",
        ),
        (lambda: sr.compare(["standard-course"], method="rodas4", days=0), "method"),
    ],
)
def test_old_integrator_keywords_are_deprecated_aliases(call, keyword):
    with pytest.warns(DeprecationWarning, match=f"{keyword}="), pytest.raises(ValueError):
        call()


def test_sample_posterior_method_is_a_deprecated_alias():
    pytest.importorskip("emcee")
    with pytest.warns(DeprecationWarning, match="method="), pytest.raises(ValueError):
        sr.sample_posterior(pd.DataFrame(), PLAN, parameters=["s_w"], method="rodas4")


# ------------------------------------------------------------------------------------ metrics
def test_one_metrics_registry_beside_the_observables():
    assert metrics_of_kind("day") == sr.STATE_NAMES + tuple(sr.OBSERVABLES)
    assert metrics_of_kind("session") == ("redness_hours", "downtime_days")
    assert metrics_of_kind("item") == ("first_visible_day",)
    assert METRICS["redness_hours"].unit == "h" and METRICS["redness_hours"].scale == 24.0
    batch = sr.simulate_many(
        PLAN, days=[30, 60], metrics=["erythema", "redness_hours", "first_visible_day"]
    )
    ds = batch.to_xarray()
    for name in batch.metrics:
        assert ds[name].attrs["units"] == METRICS[name].unit
        assert ds[name].attrs["description"] == METRICS[name].description
    with pytest.raises(ValueError, match="unknown metric 'redness_hour'"):
        sr.simulate_many(PLAN, metrics=["redness_hour"])
    res = sr.simulate(PLAN, days=60)
    assert res.metric("first_visible_day") == res.first_visible_day()
    np.testing.assert_array_equal(res.metric("Cm"), res["Cm"])


# ------------------------------------------------------------------------------------ _core
def test_the_result_is_lazy_and_reads_the_engine_s_arrays_without_copies():
    res = sr.simulate(PLAN, days=60)
    assert res._cache == {}  # no observable computed yet
    for name in ("t", "y", "pre_session", "post_session", "doses", "session_days"):
        array = getattr(res, name)
        assert not array.flags.writeable and not array.flags.owndata, name
    assert np.shares_memory(res.y, res._tr.y)
    assert res._tr.time_above.shape == (len(EVENT_NAMES), len(res.session_days))
    assert res._tr.effective.shape == (len(sr.Parameters.default().names),)
    res["visible_improvement"]
    assert list(res._cache) == ["visible_improvement"]


def test_bound_requests_and_results_pickle():
    params = sr.Parameters.default().values_array
    request = _core.Request(
        params,
        sr.Patient()._row(),
        PLAN._to_array(),
        np.arange(61.0),
        60.0,
        _core.SolverOptions(rtol=1e-7),
    )
    again = pickle.loads(pickle.dumps(request))
    np.testing.assert_array_equal(again.t_eval, request.t_eval)
    assert again.options.rtol == 1e-7
    traj = _core.simulate_sensitivities(request, ["s_w", "depth_mm[1]"])
    copy = pickle.loads(pickle.dumps(traj))
    for name in ("t", "y", "pre_session", "time_above", "first_upward", "effective"):
        assert np.array_equal(getattr(copy, name), getattr(traj, name), equal_nan=True), name
    assert np.array_equal(copy.crossings, traj.crossings)
    assert copy.sensitivities.names == ["s_w", "depth_mm[1]"]
    np.testing.assert_array_equal(copy.sensitivities.states, traj.sensitivities.states)
    batch = _core.BatchRequest(
        params[None, :],
        sr.Patient()._row()[None, :],
        [PLAN._to_array()],
        np.zeros((2, 3), np.int64),
        np.array([60.0]),
        60.0,
        _core.SolverOptions(),
    )
    out = _core.simulate_batch(pickle.loads(pickle.dumps(batch)), 1)
    assert out.states.shape == (2, 1, 15) and not out.states.flags.writeable
    np.testing.assert_array_equal(
        out.time_above[0],
        _core.simulate(
            _core.Request(
                params,
                sr.Patient()._row(),
                PLAN._to_array(),
                np.array([60.0]),
                60.0,
                _core.SolverOptions(),
            )
        ).time_above,
    )
    res = sr.simulate(PLAN, days=60, sensitivities=["s_w"])
    again_res = pickle.loads(pickle.dumps(res))
    assert again_res.equals(res)
    np.testing.assert_array_equal(again_res.sensitivities["Cm"], res.sensitivities["Cm"])
