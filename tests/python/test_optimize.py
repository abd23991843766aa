"""The plan optimiser: grid-search agreement, constraints never violated, library plans beaten,
bad constraints refused, the result object, robust and Pareto modes, the CLI."""

import datetime as dt
import itertools
import json

import numpy as np
import pytest
import skinremodel as sr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from skinremodel.cli import main
from skinremodel.optimize.constraints import allowed_days
from skinremodel.optimize.optimizer import violations

START = dt.date(2025, 6, 2)  # a Monday


def _objective(plan, patient=None, days=365):
    res = sr.simulate(plan, patient, days=days, t_eval=[days])
    return float(res["visible_improvement"][-1])


# ---------------------------------------------------------------------------- grid search
@pytest.mark.parametrize("sessions", [2, 3])
def test_optimum_within_one_percent_of_an_exhaustive_grid_search(sessions):
    horizon, grid = 150, np.arange(0.0, 120.0, 7.0)
    best_grid = -np.inf
    for days in itertools.combinations(grid, sessions):
        if np.all(np.diff(days) >= 14):
            best_grid = max(best_grid, _objective(sr.Schedule(days, depth_mm=1.5), days=horizon))
    opt = sr.optimize_plan(
        sr.Patient(),
        days=horizon,
        sessions=sessions,
        depth_mm=1.5,
        latest_day=119,
        compare_library=False,
    )
    print(f"{sessions} sessions: optimiser {opt.objective:.6f}, grid {best_grid:.6f}")
    assert len(opt.schedule) == sessions
    assert opt.objective == pytest.approx(_objective(opt.schedule, days=horizon), rel=1e-9)
    assert opt.objective >= 0.99 * best_grid


# ---------------------------------------------------------------------------- properties
@st.composite
def constraint_sets(draw):
    horizon = draw(st.integers(40, 150))
    lo = draw(st.integers(7, 40))
    hi = draw(st.one_of(st.none(), st.integers(lo, lo + 40)))
    weekdays = draw(st.one_of(st.none(), st.sets(st.integers(0, 6), min_size=1, max_size=7)))
    blackouts = []
    for _ in range(draw(st.integers(0, 3))):
        a = draw(st.integers(0, horizon))
        b = a + draw(st.integers(0, 20))
        blackouts.append((START + dt.timedelta(days=a), START + dt.timedelta(days=b)))
    dlo = draw(st.sampled_from([0.5, 1.0, 1.5]))
    dhi = draw(st.sampled_from([dlo, 2.0]))
    return dict(
        days=horizon,
        max_sessions=draw(st.integers(1, 3)),
        min_interval_days=lo,
        max_interval_days=hi,
        earliest_day=draw(st.integers(0, 20)),
        start_date=START,
        clinic_weekdays=None if weekdays is None else tuple(weekdays),
        blackout_dates=tuple(blackouts),
        depth_mm=(dlo, dhi),
        max_total_downtime_days=draw(st.one_of(st.none(), st.floats(0.5, 8.0))),
    )


@settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(constraint_sets())
def test_the_optimised_plan_never_violates_a_constraint(options):
    patient = sr.Patient(age=50)
    try:
        opt = sr.optimize_plan(patient, starts=1, compare_library=False, **options)
    except ValueError as exc:  # infeasible: the message names a constraint
        assert any(
            word in str(exc)
            for word in (
                "interval",
                "blackout",
                "clinic_weekdays",
                "earliest",
                "downtime",
                "constraint",
                "screening",
            )
        ), str(exc)
        return
    c = opt.constraints
    ok = allowed_days(c, patient)
    res = sr.simulate(opt.schedule, patient, days=c.horizon_days)
    downtime = sum(res.downtime_days(k) for k in range(len(opt.schedule)))
    assert violations(opt.schedule, c, ok, downtime) == []
    for d in opt.schedule.dates:
        assert c.clinic_weekdays is None or d.weekday() in c.clinic_weekdays
        assert not any(a <= d <= b for a, b in c.blackout_dates)


# ---------------------------------------------------------------------------- library plans
PATIENTS = {
    "45-year-old": (sr.Patient(age=45), {}),
    "62, controlled diabetes": (
        sr.Patient(
            age=62,
            diabetes="controlled",
            photoaged=True,
            history=sr.MedicalHistory(isotretinoin_stopped=dt.date(2024, 11, 15)),
        ),
        {"start_date": dt.date(2025, 3, 3)},
    ),
}


@pytest.mark.parametrize("who", list(PATIENTS))
def test_the_optimised_plan_beats_every_library_plan_satisfying_the_constraints(who):
    patient, extra = PATIENTS[who]
    opt = sr.optimize_plan(
        patient, days=365, max_sessions=6, min_interval_days=14, depth_mm=(0.5, 2.0), **extra
    )
    lib = opt.comparison[opt.comparison["plan"] != "optimised plan"]
    assert len(lib) >= 5
    assert opt.objective >= lib["objective"].max()
    print(
        f"{who}: optimised {opt.objective:.4f} ({opt.schedule.days}, "
        f"{opt.schedule.depths} mm), best library {lib['objective'].max():.4f} "
        f"({lib.iloc[0]['plan']}), gain {opt.gain_over_library:+.4f} "
        f"({100 * opt.gain_over_library / lib['objective'].max():+.1f}%)"
    )
    assert opt.gain_over_library > 0
    # The comparison's numbers are simulations of the plans.
    assert opt.objective == pytest.approx(_objective(opt.schedule, patient), rel=1e-9)
    # The isotretinoin washout (clear from 2025-05-15) is respected.
    if "start_date" in extra:
        assert min(opt.schedule.dates) >= dt.date(2025, 5, 15)
        assert not sr.screen(patient, opt.schedule).blocked
    # Short courses (7-day intervals) break min_interval_days and are listed as excluded.
    assert opt.excluded["breaks"].str.contains("min_interval_days").any()


# ---------------------------------------------------------------------------- bad constraints
@pytest.mark.parametrize(
    "options, match",
    [
        ({"min_interval_days": 30, "max_interval_days": 20}, "min_interval_days"),
        (
            {"start_date": START, "blackout_dates": ((START, START + dt.timedelta(days=400)),)},
            "blackout_dates",
        ),
        ({"min_sessions": 6, "min_interval_days": 90}, "interval"),
        ({"start_date": START, "clinic_weekdays": ()}, "clinic_weekdays"),
        ({"clinic_weekdays": (0, 1)}, "start_date"),
        ({"depth_mm": (1.0, 2.0), "area": "periorbital"}, "area"),
        ({"min_sessions": 4, "max_total_downtime_days": 0.01}, "max_total_downtime_days"),
        ({"max_sessions": 100}, "max_sessions"),
        ({"days": 10_000}, "horizon"),
        ({"min_sessions": 3, "max_sessions": 2}, "min_sessions"),
        ({"robust_sample": 10_000}, "robust_sample"),
    ],
)
def test_bad_constraints_are_refused_by_name(options, match):
    with pytest.raises(ValueError, match=match):
        sr.optimize_plan(sr.Patient(), **options)


def test_a_contraindication_without_override_blocks_every_plan():
    patient = sr.Patient(history=sr.MedicalHistory(pregnant=True))
    with pytest.raises(ValueError, match="screening"):
        sr.optimize_plan(patient, days=120, max_sessions=1)
    opt = sr.optimize_plan(
        patient,
        days=120,
        max_sessions=1,
        compare_library=False,
        override={"pregnancy": "research question, not a patient"},
    )
    assert len(opt.schedule) == 1


# ---------------------------------------------------------------------------- result object
@pytest.fixture(scope="module")
def small():
    return sr.optimize_plan(
        sr.Patient(),
        days=200,
        max_sessions=3,
        depth_mm=(1.0, 2.0),
        start_date=START,
        clinic_weekdays=("Mon", "Tue", "Wed", "Thu"),
        blackout_dates=((dt.date(2025, 7, 1), dt.date(2025, 7, 14)),),
        pareto=True,
        objective=sr.Objective(downtime_penalty=0.002),
    )


def test_result_object(small, tmp_path):
    opt = small
    assert isinstance(opt.schedule, sr.Schedule)
    assert all(d.weekday() < 4 for d in opt.schedule.dates)
    assert opt.comparison.iloc[0]["objective"] == opt.comparison["objective"].max()
    assert "optimised plan" in set(opt.comparison["plan"])
    html = opt._repr_html_()
    assert "Optimised plan" in html and "Active constraints" in html
    path = tmp_path / "opt.json"
    opt.save(path)
    back = sr.PlanOptimum.load(path)
    assert back.schedule == opt.schedule
    assert back.objective == opt.objective
    assert back.constraints == opt.constraints
    assert list(back.comparison["plan"]) == list(opt.comparison["plan"])
    assert [p.name for p in tmp_path.iterdir()] == ["opt.json"]  # no temporary file left
    with pytest.raises(ValueError, match="PlanOptimum"):
        sr.PlanOptimum.from_dict({"format": "other"})


def test_pareto_front(small):
    front = small.pareto
    assert front is not None and len(front) >= 2
    for i, a in front.iterrows():  # no point dominates another
        for j, b in front.iterrows():
            if i != j:
                assert not (
                    b.benefit >= a.benefit
                    and b.sessions <= a.sessions
                    and b.downtime_days <= a.downtime_days
                    and (
                        b.benefit > a.benefit
                        or b.sessions < a.sessions
                        or b.downtime_days < a.downtime_days
                    )
                )
    fig = small.plot_pareto()
    assert fig.axes[0].get_xlabel() == "sessions"


def test_seeded_and_reproducible():
    kw = dict(days=150, max_sessions=2, depth_mm=(1.0, 2.0), compare_library=False, seed=3)
    a = sr.optimize_plan(sr.Patient(age=55), **kw)
    b = sr.optimize_plan(sr.Patient(age=55), **kw)
    assert a.schedule == b.schedule and a.objective == b.objective


def test_objective_window_and_penalties():
    window = sr.Objective("total_collagen", window=(150, 180), session_penalty=0.01)
    opt = sr.optimize_plan(
        sr.Patient(),
        days=180,
        max_sessions=3,
        depth_mm=1.5,
        objective=window,
        compare_library=False,
    )
    res = sr.simulate(opt.schedule, days=180)
    value = float(np.mean(res["total_collagen"][150:181])) - 0.01 * len(opt.schedule)
    assert opt.objective == pytest.approx(value, rel=1e-9)


def test_robust_mode_over_a_population():
    pop = sr.Population(40, age=("uniform", 40, 70), variability={"s_w": 0.3}, seed=2)
    opt = sr.optimize_plan(
        sr.Patient(age=55),
        days=180,
        max_sessions=2,
        depth_mm=1.5,
        population=pop,
        statistic=0.1,
        robust_sample=6,
    )
    assert opt.info["robust"] and opt.info["draws"] == 40
    assert "10th percentile over 40 draws" in opt.objective_text
    values = []
    for p, q in zip(pop.patients, pop.params_matrix, strict=True):
        params = sr.Parameters(dict(zip(pop.nominal.names, map(float, q), strict=True)))
        res = sr.simulate(opt.schedule, p, days=180, t_eval=[180], params=params)
        values.append(float(res["visible_improvement"][-1]))
    assert opt.objective == pytest.approx(float(np.quantile(values, 0.1)), rel=1e-9)


def test_cli_optimize(tmp_path, capsys):
    cons = tmp_path / "c.toml"
    cons.write_text(
        "max_sessions = 2\nmin_interval_days = 21\ndepth_mm = [1.0, 2.0]\n"
        'start_date = 2025-06-02\nclinic_weekdays = ["Mon", "Wed"]\n'
        '[objective]\nvariable = "visible_improvement"\n'
    )
    out, csv = tmp_path / "r.html", tmp_path / "t.csv"
    assert (
        main(
            [
                "optimize",
                "--patient",
                "examples/patient_45.toml",
                "--constraints",
                str(cons),
                "--horizon",
                "180",
                "--out",
                str(out),
                "--csv",
                str(csv),
            ]
        )
        == 0
    )
    text = out.read_text()
    assert "Optimised plan" in text and "optimised plan" in csv.read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text("min_interval_days = 30\nmax_interval_days = 20\n")
    assert main(["optimize", "--constraints", str(bad)]) == 2
    assert "min_interval_days" in capsys.readouterr().err
    json.dumps(0)
