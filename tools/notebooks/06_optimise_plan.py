"""Cells of notebooks/06_optimise_plan.ipynb (see tools/make_notebooks.py)."""

CELLS = [
    (
        "md",
        """# The best plan for a patient, under clinic constraints

`sr.optimize_plan` chooses the number of sessions, their days and depths with the MN-14 model,
using the engine's exact gradients with respect to session days and depths, and compares the
result with every library plan that satisfies the same constraints. Method and limits:
`docs/optimisation.md`. *A research model, not a medical device.*""",
    ),
    (
        "code",
        """import datetime as dt

import skinremodel as sr

patient = sr.Patient(
    age=62,
    diabetes="controlled",
    photoaged=True,
    history=sr.MedicalHistory(isotretinoin_stopped=dt.date(2024, 11, 15)),
)
opt = sr.optimize_plan(
    patient,
    days=365,
    max_sessions=6,
    min_interval_days=14,
    depth_mm=(0.5, 2.0),
    start_date="2025-03-03",
    clinic_weekdays=("Mon", "Tue", "Wed", "Thu", "Fri"),
    blackout_dates=[("2025-08-01", "2025-08-15")],
    seed=0,
)
opt""",
    ),
    (
        "md",
        """The isotretinoin rule (6 months after the last dose) keeps every session after
2025-05-15; sessions fall on weekdays outside the August blackout. The table lists the library
plans that satisfy the same constraints; `opt.excluded` those that do not, and why.""",
    ),
    (
        "code",
        """print(opt.schedule.dates)
opt.excluded.head()""",
    ),
    (
        "md",
        """## Exact gradients with respect to session days

The optimiser's gradient is the `day[k]` sensitivity: zero before session k, then
(dJ/dy) f(y-) - f(y+) carried forward by the model. A central difference agrees:""",
    ),
    (
        "code",
        """plan = opt.schedule
res = sr.simulate(plan, patient, days=365, t_eval=[365], sensitivities=["day[1]"])
exact = res.sensitivities["visible_improvement"][0, 0]
h = 0.01


def moved(step):
    sessions = list(plan)
    s = sessions[1]
    sessions[1] = sr.Session(s.day + step, depth_mm=s.depth_mm)
    moved_plan = sr.Schedule(sessions, start_date=plan.start_date)
    return sr.simulate(moved_plan, patient, days=365, t_eval=[365], rtol=1e-10)[
        "visible_improvement"
    ][0]


fd = (moved(h) - moved(-h)) / (2 * h)
print(
    "d(visible improvement at day 365)/d(day of session 2): "
    f"exact {exact:.6e}, central difference {fd:.6e}"
)""",
    ),
    (
        "md",
        """## Benefit against sessions and downtime

With `pareto=True` the optimiser also re-optimises every session count at three depths and keeps
the plans no other plan beats on benefit, sessions and downtime at once.""",
    ),
    (
        "code",
        """front = sr.optimize_plan(
    sr.Patient(age=45),
    days=365,
    max_sessions=4,
    depth_mm=(0.5, 2.0),
    pareto=True,
    compare_library=False,
)
front.plot_pareto()
front.pareto""",
    ),
    (
        "md",
        """## Robust to the patient: the 10th percentile of a virtual population

Optimised on a seeded subsample of the draws with the engine's gradients, then evaluated with
the batch engine on every virtual patient.""",
    ),
    (
        "code",
        """pop = sr.Population(200, age=("uniform", 40, 70), variability={"s_w": 0.3, "k_mat": 0.2}, seed=1)
robust = sr.optimize_plan(
    sr.Patient(age=55),
    days=365,
    max_sessions=4,
    depth_mm=(0.5, 2.0),
    population=pop,
    statistic=0.1,
    robust_sample=8,
    threads=2,
)
print(robust.objective_text)
robust.comparison.head()""",
    ),
]
