"""Property-based checks of the public API (issue 12), run by test_properties.py in subprocesses.

``python tests/python/properties.py ENTRY`` runs the hypothesis properties of one entry point
and prints ``{"entry": ..., "cases": N}`` as its last line; a crash or hang of the engine is
seen by the caller as a bad exit status or a timeout. The profile is ``quick`` (the normal test
command) or ``nightly``, selected with the environment variable
``SKINREMODEL_HYPOTHESIS_PROFILE``.

Properties asserted on every case: only ``ValueError``, ``TypeError`` or ``sr.SolverError``
escape; no NaN in a returned array (where NaN does not mean "none" by contract); identical calls
give identical results; public objects round-trip exactly through pickle and their JSON/TOML
form.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import skinremodel as sr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

settings.register_profile(
    "quick",
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "nightly",
    max_examples=5000,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
PROFILE = os.environ.get("SKINREMODEL_HYPOTHESIS_PROFILE", "quick")
settings.load_profile(PROFILE)

ALLOWED = (ValueError, TypeError, sr.SolverError)
CASES: dict[str, int] = {}

# ------------------------------------------------------------------------------ strategies
# Numbers a hostile user can type: ordinary values, edges, huge ints, non-finite floats.
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-10, max_value=400),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from([0, 1, 7, 365, 36500, 36501, 1e6, 5e-324, 1e-307, -0.0, 2**63, 10**400]),
)
anything = st.one_of(
    numbers,
    st.text(max_size=20),
    st.none(),
    st.booleans(),
    st.lists(st.floats(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
words = st.sampled_from(
    [
        "sessions",
        "session",
        "every",
        "weeks",
        "days",
        "months",
        "years",
        "then",
        "after",
        "for",
        "at",
        "mm",
        "with",
        "a",
        "pen",
        "roller",
        "stamp",
        "needles",
        "passes",
        "on",
        "day",
        "starting",
        "from",
        "2025-01-01",
        "9999-12-31",
        "yearly",
        "monthly",
        "weekly",
        "and",
        ",",
        "1",
        "4",
        "1000",
        "1001",
        "1e400",
        "0.5",
        "1.5",
        "2.5",
        "100000000",
        "-",
        "apart",
        "punctures/cm2",
        "no",
        "[",
        "#",
        "12-needle",
        "fortnightly",
        "1e-307",
    ]
)
templates = st.builds(
    lambda n, k, unit, depth, tail: f"{n} sessions every {k} {unit} at {depth} mm{tail}",
    st.integers(1, 1200),
    st.integers(1, 60),
    st.sampled_from(["days", "weeks", "months", "years"]),
    st.sampled_from(["0.5", "1", "1.5", "2.5", "3"]),
    st.sampled_from(
        [
            "",
            ", then yearly for 2 years",
            " with a 12-needle pen, 2 passes",
            " starting 2025-06-02",
            ", then after 1 year, 1 session",
            " starting 9999-12-01",
            ", then 600 sessions every 7 days",
        ]
    ),
)
plan_text = st.one_of(
    templates, templates, st.lists(words, max_size=14).map(" ".join), st.text(max_size=60)
)
small_days = st.lists(st.floats(min_value=0, max_value=300, allow_nan=False), max_size=6)


def _plan_strategy() -> st.SearchStrategy[object]:
    return st.one_of(
        small_days,
        st.lists(numbers, max_size=4),
        anything,
        st.builds(
            lambda d, depth: sr.Schedule(sorted(set(d)), depth_mm=depth, allow_any_depth=True),
            st.lists(st.integers(0, 300).map(float), max_size=5),
            st.floats(min_value=0.25, max_value=2.5),
        ),
    )


patients = st.one_of(
    st.builds(
        sr.Patient,
        age=st.floats(min_value=18, max_value=100),
        diabetes=st.sampled_from(["none", "controlled", "poor"]),
        smoker=st.booleans(),
        phototype=st.integers(1, 6),
    ),
    st.none(),
)


def _check_array(name: str, value: np.ndarray) -> None:
    assert not np.isnan(value).any(), f"NaN in {name}"


def _allowed(exc: BaseException) -> None:
    if not isinstance(exc, ALLOWED):
        raise AssertionError(f"{type(exc).__name__} escaped: {exc}") from exc


def _count(entry: str) -> None:
    CASES[entry] = CASES.get(entry, 0) + 1


def _call(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    name = getattr(fn, "__qualname__", str(fn))
    try:
        out = fn(*args, **kwargs)
    except BaseException as exc:  # noqa: BLE001 - the property is which ones escape
        _allowed(exc)
        CASES[f"{name}: refused"] = CASES.get(f"{name}: refused", 0) + 1
        return None, exc
    CASES[f"{name}: ran"] = CASES.get(f"{name}: ran", 0) + 1
    return out, None


def _same_outcome(a, b):  # type: ignore[no-untyped-def]
    (ra, ea), (rb, eb) = a, b
    assert type(ea) is type(eb) and str(ea) == str(eb), (ea, eb)
    return ra, rb


# ------------------------------------------------------------------------------ properties
@given(plan_text)
def prop_parse(text: str) -> None:
    _count("Schedule.parse")
    plan, _ = _same_outcome(_call(sr.Schedule.parse, text), _call(sr.Schedule.parse, text))
    if plan is not None:
        _round_trip_schedule(plan)


def _round_trip_schedule(plan: sr.Schedule) -> None:
    assert pickle.loads(pickle.dumps(plan)) == plan
    again = sr.Schedule.from_json(plan.to_json())
    assert again == plan and again.name == plan.name
    assert sr.Schedule.from_toml(plan.to_toml()) == plan
    try:
        text = plan.to_text()
    except ValueError:
        return
    assert (
        sr.Schedule.parse(
            text, allow_any_depth=plan.allow_any_depth, start_date=plan.start_date
        ).days.tolist()
        == plan.days.tolist()
    )


@given(
    st.one_of(
        st.lists(st.integers(0, 10**6).map(float), max_size=5, unique=True),
        st.lists(numbers, max_size=5),
    ),
    st.one_of(st.floats(min_value=0.25, max_value=5), numbers),
    st.one_of(st.none(), st.dates(), st.text(max_size=12)),
)
def prop_schedule(days: list[object], depth: object, start: object) -> None:
    _count("Schedule")
    plan, _ = _call(sr.Schedule, days, depth_mm=depth, allow_any_depth=True, start_date=start)
    if plan is not None:
        _round_trip_schedule(plan)
        _check_array("Schedule.days", plan.days)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "format",
                    "version",
                    "sessions",
                    "day",
                    "depth_mm",
                    "name",
                    "start_date",
                    "density_per_cm2",
                    "dose_scale",
                    "device",
                    "kind",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


def _document(plan: sr.Schedule, drop: str | None, as_toml: bool) -> str:
    """A saved plan, possibly with one key dropped (which must then be refused or harmless)."""
    if as_toml and drop is None:
        return plan.to_toml()
    data = json.loads(plan.to_json())
    if drop == "day":
        if data["sessions"]:
            del data["sessions"][0]["day"]
    elif drop is not None:
        data.pop(drop, None)
    return json.dumps(data)


documents = st.builds(
    _document,
    st.builds(
        lambda d, dev: sr.Schedule(sorted(set(d)), device=dev, start_date="2025-01-06"),
        st.lists(st.integers(0, 300).map(float), max_size=4),
        st.sampled_from([None, sr.Device.pen(needles=12, passes=2), sr.Device.roller(passes=10)]),
    ),
    st.sampled_from([None, None, "sessions", "format", "name", "day"]),
    st.booleans(),
)


@given(
    st.one_of(
        documents,
        json_values.map(lambda v: json.dumps(v)),
        st.text(max_size=80),
        st.integers(1, 5000).map(lambda n: "[" * n),
        st.integers(1, 5000).map(lambda n: '{"a":' * n),
    )
)
def prop_from_json(text: str) -> None:
    _count("Schedule.from_json/from_toml")
    plan, _ = _same_outcome(_call(sr.Schedule.from_json, text), _call(sr.Schedule.from_json, text))
    if plan is not None:
        _round_trip_schedule(plan)
    toml_text = text if not text.startswith("[") else "a = " + text
    plan, _ = _call(sr.Schedule.from_toml, toml_text)
    if plan is not None:
        _round_trip_schedule(plan)


patient_values = {
    "age": st.floats(min_value=18, max_value=100),
    "diabetes": st.sampled_from(["none", "controlled", "poor"]),
    "vitamin_c": st.sampled_from(["deficient", "replete", "supplemented"]),
    "phototype": st.integers(1, 6),
    "smoker": st.booleans(),
    "acne_scars": st.booleans(),
    "history": st.builds(sr.MedicalHistory, isotretinoin_stopped=st.none() | st.dates()),
}


@given(
    st.one_of(
        st.fixed_dictionaries({}, optional=patient_values),
        st.dictionaries(
            st.sampled_from(
                [
                    "age",
                    "diabetes",
                    "vitamin_c",
                    "phototype",
                    "smoker",
                    "photoaged",
                    "acne_scars",
                    "reactive_skin",
                    "history",
                    "bogus",
                ]
            ),
            anything,
            max_size=4,
        ),
    )
)
def prop_patient(kwargs: dict[str, object]) -> None:
    _count("Patient")
    patient, _ = _call(sr.Patient, **kwargs)
    if patient is not None:
        assert pickle.loads(pickle.dumps(patient)) == patient
        assert sr.Patient(**patient.to_dict()) == patient


valid_plans = st.builds(
    lambda d, depth: sr.Schedule(sorted(set(d)), depth_mm=depth),
    st.lists(st.integers(0, 300).map(float), max_size=5),
    st.floats(min_value=0.25, max_value=2.5),
)
valid_patients = st.builds(
    sr.Patient,
    age=st.floats(min_value=18, max_value=100),
    diabetes=st.sampled_from(["none", "controlled", "poor"]),
    smoker=st.booleans(),
    phototype=st.integers(1, 6),
)


@given(st.data())
def prop_simulate(data) -> None:  # type: ignore[no-untyped-def]
    _count("simulate")
    good = data.draw(st.integers(0, 3), label="mode") > 0  # 3 of 4 cases valid
    plan = data.draw(valid_plans if good else _plan_strategy(), label="plan")
    patient = data.draw(valid_patients if good else patients, label="patient")
    days = data.draw(st.floats(min_value=0.5, max_value=400) if good else numbers, label="days")
    t_eval = data.draw(
        st.none()
        | st.lists(st.floats(min_value=0, max_value=400), min_size=1, max_size=5).map(sorted)
        if good
        else st.lists(numbers, max_size=3),
        label="t_eval",
    )
    method = data.draw(
        st.sampled_from(["rodas5p", "rodas4", "dopri5"] if good else ["euler", 3, "dopri5"]),
        label="method",
    )
    rtol = data.draw(st.sampled_from([1e-6, 1e-3, 1e-8]) if good else numbers, label="rtol")
    params = data.draw(
        st.none()
        | st.dictionaries(
            st.sampled_from(["k_mat", "s_w"]),
            st.floats(min_value=0.5, max_value=2.0).map(lambda f: f * 0.01),
            max_size=2,
        )
        if good
        else st.dictionaries(st.sampled_from(["k_mat", "s_w", "nope"]), numbers, max_size=2),
        label="params",
    )
    sens = data.draw(
        st.sampled_from(
            [None, ["k_mat"], ["s_w", "depth_mm[0]"]]
            if good
            else [["bogus"], ["depth_mm[99]"], "k_mat"]
        ),
        label="sens",
    )
    kwargs = dict(
        t_eval=t_eval, method=method, rtol=rtol, params=params, sensitivities=sens, max_steps=50_000
    )
    if t_eval is not None:
        days = None
    a = _call(sr.simulate, plan, patient, days, **kwargs)
    b = _call(sr.simulate, plan, patient, days, **kwargs)
    ra, rb = _same_outcome(a, b)
    if ra is None:
        return
    for name in ("t", "y", "pre_session", "post_session", "doses"):
        _check_array(name, getattr(ra, name))
        assert np.array_equal(getattr(ra, name), getattr(rb, name)), name
    for name in ra.observable_names:
        _check_array(name, ra[name])
    if ra.sensitivities is not None:
        _check_array("sensitivities", ra.sensitivities.array())
        assert np.array_equal(ra.sensitivities.array(), rb.sensitivities.array())
    again = pickle.loads(pickle.dumps(ra))
    assert np.array_equal(again.y, ra.y)


@given(st.data())
def prop_simulate_many(data) -> None:  # type: ignore[no-untyped-def]
    _count("simulate_many")
    good = data.draw(st.integers(0, 3), label="mode") > 0
    plans = data.draw(
        st.lists(valid_plans if good else _plan_strategy(), min_size=1, max_size=3), label="plans"
    )
    pats = data.draw(st.lists(valid_patients, min_size=1, max_size=3), label="patients")
    days = data.draw(
        st.floats(min_value=1, max_value=200)
        | st.lists(st.floats(min_value=0, max_value=200), min_size=1, max_size=3).map(sorted)
        if good
        else numbers,
        label="days",
    )
    metrics = data.draw(
        st.sampled_from(
            [["total_collagen"], ["redness_hours", "first_visible_day"], ["elasticity"]]
            if good
            else [["nope"], [], "total_collagen"]
        ),
        label="metrics",
    )
    cross = data.draw(st.booleans(), label="cross")
    a = _call(
        sr.simulate_many,
        plans,
        pats,
        None,
        days,
        metrics=metrics,
        cross=cross,
        threads=2,
        max_steps=50_000,
    )
    b = _call(
        sr.simulate_many,
        plans,
        pats,
        None,
        days,
        metrics=metrics,
        cross=cross,
        threads=1,
        max_steps=50_000,
    )
    ra, rb = _same_outcome(a, b)
    if ra is None:
        return
    ok = ~ra.failed
    for m in [metrics] if isinstance(metrics, str) else metrics:
        if m in ("total_collagen", "elasticity"):
            _check_array(m, ra.values(m)[ok])
        assert np.array_equal(ra.values(m), rb.values(m), equal_nan=True), m
    again = pickle.loads(pickle.dumps(ra))
    assert again.to_pandas().equals(ra.to_pandas())


@given(st.data())
def prop_population(data) -> None:  # type: ignore[no-untyped-def]
    _count("Population")
    good = data.draw(st.integers(0, 3), label="mode") > 0
    size = data.draw(st.integers(1, 300) if good else numbers, label="size")
    variability = data.draw(
        st.dictionaries(st.sampled_from(["s_w", "k_mat"]), st.floats(0, 0.5), max_size=2)
        if good
        else st.dictionaries(st.sampled_from(["s_w", "bogus"]), numbers, max_size=2),
        label="variability",
    )
    days = data.draw(st.floats(min_value=1, max_value=120) if good else numbers, label="days")
    quantiles = data.draw(
        st.just((0.05, 0.5, 0.95)) | st.just((0.5,)) if good else st.lists(numbers, max_size=3),
        label="quantiles",
    )
    seed = data.draw(st.integers(0, 2**32), label="seed")
    pop, _ = _call(sr.Population, size, variability=variability, seed=seed)
    if pop is None:
        return
    again = pickle.loads(pickle.dumps(pop))
    assert again == pop
    plan = sr.Schedule.regular(2, every_weeks=4)
    a = _call(pop.simulate, plan, days, quantiles=quantiles, max_steps=50_000)
    b = _call(again.simulate, plan, days, quantiles=quantiles, max_steps=50_000)
    ra, rb = _same_outcome(a, b)
    if ra is not None:
        if ra.attrs["n_failed"] < ra.attrs["n_patients"]:
            _check_array("bands", ra.to_numpy())
        assert ra.equals(rb)
        assert pickle.loads(pickle.dumps(ra)).equals(ra)


@given(st.data())
def prop_compare(data) -> None:  # type: ignore[no-untyped-def]
    _count("compare")
    good = data.draw(st.integers(0, 3), label="mode") > 0
    names = ["standard-course", "every-6-weeks", "short-course"] + ([] if good else ["nope"])
    plans = data.draw(
        st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True), label="plans"
    )
    horizon = data.draw(st.floats(min_value=1, max_value=400) if good else numbers, label="horizon")
    start = data.draw(
        st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2030, 1, 1))
        if good
        else st.none() | st.dates() | st.sampled_from(["9999-12-31", "bad"]),
        label="start",
    )
    history = sr.MedicalHistory(isotretinoin_stopped=dt.date(2020, 1, 1))
    a = _call(sr.compare, plans, sr.Patient(history=history), days=horizon, start_date=start)
    b = _call(sr.compare, plans, sr.Patient(history=history), days=horizon, start_date=start)
    ra, rb = _same_outcome(a, b)
    if ra is not None:
        assert ra.table.equals(rb.table)


csv_cells = st.one_of(
    st.sampled_from(
        [
            "A",
            "B",
            "",
            "1",
            "2.7",
            "inf",
            "nan",
            "-1",
            "1e400",
            "yes",
            "=1+1",
            "elasticity",
            "none",
            "0",
            "30",
        ]
    ),
    st.text(alphabet="ab,\"'\n0.9e-", max_size=6),
)


valid_row = st.builds(
    lambda s, d, v, o: [s, d, o, v][:4],
    st.sampled_from(["A", "B"]),
    st.sampled_from(["0", "30", "90.5"]),
    st.sampled_from(["1", "2", "1.5"]),
    st.sampled_from(["elasticity", "4", ""]),
)


@given(
    st.one_of(
        st.lists(valid_row, min_size=1, max_size=4),
        st.lists(st.lists(csv_cells, min_size=1, max_size=5), max_size=5),
    ),
    st.sampled_from(
        [
            ("subject", "day", "observable", "value"),
            ("subject", "day"),
            ("subject", "day", "depth_mm"),
            ("subject", "age", "phototype"),
            ("subject", "age", "phototype", "smoker", "acne_scars"),
            ("x",),
        ]
    ),
    st.sampled_from(["read_observations", "read_plans", "read_patients"]),
    st.one_of(st.just(b""), st.just(b""), st.binary(max_size=8)),
)
def prop_csv(rows, header, reader, junk) -> None:  # type: ignore[no-untyped-def]
    _count("Dataset CSV loaders")
    from skinremodel.inference import dataset

    text = ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_bytes(text.encode() + junk)
        _, exc = _call(getattr(dataset, reader), path)
        if isinstance(exc, ValueError):
            assert "table.csv" in str(exc), exc


@given(
    st.one_of(
        st.text(max_size=200),
        st.lists(words, max_size=10).map(lambda w: f"[[plan]]\ntext = {json.dumps(' '.join(w))}\n"),
        st.sampled_from(
            [
                '[[plan]]\nfile = "/etc/passwd"\n',
                '[[plan]]\nfile = "../x.toml"\n',
                "a = " + "[" * 5000,
                '[[plan]]\nlibrary = "standard-course"\n',
            ]
        ),
    ),
    st.sampled_from(["--out", "--csv", None]),
)
def prop_cli(plans_text: str, option: str | None) -> None:
    _count("skinremodel compare (CLI)")
    from skinremodel.cli import main

    with tempfile.TemporaryDirectory() as folder:
        plans = Path(folder) / "plans.toml"
        plans.write_bytes(plans_text.encode("utf-8", "surrogatepass"))
        args = ["compare", str(plans), "--horizon", "60"]
        if option is not None:
            args += [option, str(plans)]  # onto its own input: must be refused
        status = main(args)
        assert status in (0, 2)
        assert plans.read_bytes() == plans_text.encode("utf-8", "surrogatepass")
        if option is not None:
            assert status == 2
        leftovers = [p.name for p in Path(folder).iterdir() if p.name != "plans.toml"]
        assert not leftovers, leftovers


@given(
    st.builds(sr.Device.pen, needles=st.integers(1, 24), passes=st.integers(1, 4)),
    st.dictionaries(
        st.sampled_from(["k_mat", "s_w", "kap_el"]),
        st.floats(min_value=1e-3, max_value=1.0),
        max_size=3,
    ),
)
def prop_round_trips(device, overrides) -> None:  # type: ignore[no-untyped-def]
    _count("round trips (Device, Parameters, Dataset)")
    assert pickle.loads(pickle.dumps(device)) == device
    assert sr.Device.from_dict(json.loads(json.dumps(device.to_dict()))) == device
    params = sr.Parameters.default().update(overrides)
    assert pickle.loads(pickle.dumps(params)) == params
    plan = sr.Schedule.regular(2, every_weeks=4, device=device, start_date="2025-01-06")
    obs = pd.DataFrame(
        {
            "subject": ["A", "A"],
            "day": [0.0, 60.0],
            "observable": ["elasticity"] * 2,
            "value": [1.0, 1.1],
        }
    )
    history = sr.MedicalHistory(last_sun_exposure=dt.date(2024, 1, 1))
    data = sr.Dataset(obs, {"A": plan}, {"A": sr.Patient(history=history)})
    again = sr.Dataset.from_dict(json.loads(json.dumps(data.to_dict())))
    assert again.plans == data.plans and again.patients == data.patients
    assert again.observations.equals(data.observations)
    assert pickle.loads(pickle.dumps(data)).plans == data.plans


ENTRIES = {
    "parse": prop_parse,
    "schedule": prop_schedule,
    "from_json": prop_from_json,
    "patient": prop_patient,
    "simulate": prop_simulate,
    "simulate_many": prop_simulate_many,
    "population": prop_population,
    "compare": prop_compare,
    "csv": prop_csv,
    "cli": prop_cli,
    "round_trips": prop_round_trips,
}
# Slow entry points (engine runs, subprocess-free CLI runs) take fewer cases in each profile.
SCALE = {"simulate_many": 0.5, "population": 0.25, "compare": 0.25, "cli": 0.25}


def run(entry: str) -> dict[str, object]:
    """Run one entry point's property; returns its case counts."""
    prop = ENTRIES[entry]
    base = settings.get_profile(PROFILE).max_examples
    examples = max(5, int(base * SCALE.get(entry, 1.0)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sr.ScheduleWarning)
        settings(max_examples=examples)(prop)()
    return {"entry": entry, "profile": PROFILE, "cases": dict(CASES)}


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    print(json.dumps(run(sys.argv[1])), flush=True)
