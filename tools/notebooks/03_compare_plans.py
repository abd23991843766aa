"""Cells of notebooks/03_compare_plans.ipynb (see tools/make_notebooks.py)."""

CELLS = [
    (
        "md",
        """# Comparing treatment plans for a patient

A clinician's question: *for this patient, which of the usual plans?* Here the built-in plans
of clinic practice are compared for two patients, a 35-year-old and a 62-year-old with
controlled diabetes: screening, a table of headline numbers, a ranking, plots and a report.

*skinremodel is a research model, not a medical device: the numbers are predictions of the
MN-14 model under the assumptions in `docs/model.md`.*""",
    ),
    (
        "code",
        """import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import skinremodel as sr

pd.set_option("display.precision", 3)
sr.plans.table()[["title", "sessions", "interval (days)", "yearly touch-ups", "default plan"]]""",
    ),
    (
        "md",
        """## Patient 1: 35 years old, no conditions

`sr.compare` screens the patient for every plan, simulates a year and returns a table with one
row per plan. `rank()` orders the plans by the documented default objective: the visible improvement
at 12 months (what the patient sees), ties broken by less downtime.""",
    ),
    (
        "code",
        """young = sr.Patient(age=35)
cmp_young = sr.compare(sr.plans.all(), young, days=365)
cmp_young""",
    ),
    (
        "code",
        """cmp_young.rank()[
    [
        "rank",
        "sessions",
        "visible improvement 12 mo (model units)",
        "collagen change 6 mo (%)",
        "collagen change 12 mo (%)",
        "downtime total (d)",
        "gain per session (pp)",
    ]
]""",
    ),
    ("code", """fig = cmp_young.plot()"""),
    (
        "md",
        """## Patient 2: 62 years old, controlled diabetes

Screening reports diabetes as a **caution**: it lengthens recovery, and the model applies it
through its diabetes covariate (longer inflammation, more MMP activity, less synthesis).""",
    ),
    (
        "code",
        """older = sr.Patient(age=62, diabetes="controlled")
cmp_older = sr.compare(sr.plans.all(), older, days=365)
print(sr.screen(older, sr.plans.get("standard-course")))
cmp_older.rank()[
    [
        "rank",
        "visible improvement 12 mo (model units)",
        "collagen change 12 mo (%)",
        "downtime total (d)",
        "screening",
    ]
]""",
    ),
    (
        "md",
        """The same plans side by side for both patients. The older patient with diabetes gains less
collagen from every plan and needs more days to settle after the sessions.""",
    ),
    (
        "code",
        """both = pd.concat({"35 y": cmp_young.table, "62 y, diabetes": cmp_older.table}, axis=1)
side = (
    both.loc[
        :, (slice(None), ["collagen change 12 mo (%)", "downtime total (d)", "first visible (day)"])
    ]
    .swaplevel(axis=1)
    .sort_index(axis=1)
)
assert (
    cmp_older.table["collagen change 12 mo (%)"] < cmp_young.table["collagen change 12 mo (%)"]
).all()
assert (cmp_older.table["downtime total (d)"] > cmp_young.table["downtime total (d)"]).all()
side""",
    ),
    ("code", """fig = cmp_older.plot()"""),
    (
        "md",
        """## Dates, and a contraindication

With a start date every session has a calendar date, and the date rules of screening apply:
isotretinoin must have been stopped at least 6 months before a session. Patient 2 stopped it on
1 March; a course starting on 1 August (5 months later) is blocked, one starting on 1 October
(7 months) is not.""",
    ),
    (
        "code",
        """history = sr.MedicalHistory(isotretinoin_stopped=dt.date(2025, 3, 1))
older_iso = sr.Patient(age=62, diabetes="controlled", history=history)
plans = {
    "start 1 August": sr.plans.get("standard-course", start_date="2025-08-01"),
    "start 1 October": sr.plans.get("standard-course", start_date="2025-10-01"),
}
cmp_dates = sr.compare(plans, older_iso)
cmp_dates.table[["first session (date)", "last session (date)", "status", "screening"]]""",
    ),
    (
        "code",
        """try:
    sr.simulate(plans["start 1 August"], older_iso)
except sr.ContraindicationError as err:
    print(err)""",
    ),
    (
        "md",
        """A clinician who decides to go ahead (recent consensus finds little risk for microneedling
after isotretinoin) states the reason; it is recorded on the result and in the report.""",
    ),
    (
        "code",
        """res = sr.simulate(
    plans["start 1 August"],
    older_iso,
    override={"isotretinoin": "dermatologist approved; AAD 2024 guidance"},
)
print(res.screening)
res.to_pandas(index="date", variables=["total_collagen", "visible_improvement"]).iloc[::30].head()""",
    ),
    (
        "md",
        """## A plan of your own: text, devices and maintenance

Plans can be written as text (`str(plan)` gives the same form back), with per-session depth and
device; `then_every` adds yearly touch-ups.""",
    ),
    (
        "code",
        """pen_course = sr.Schedule.parse("4 sessions every 4 weeks at 1.0 mm with a 12-needle pen, 1 pass")
custom = {
    "pen course 1.0 mm": pen_course,
    "pen course + yearly touch-up": pen_course.then_every(years=1, sessions=1),
    "standard course (roller)": sr.plans.get("standard-course", device=sr.Device.roller()),
}
for name, plan in custom.items():
    print(f"{name:30s} {plan}")
cmp_custom = sr.compare(custom, young, days=730)
cmp_custom.rank()[
    [
        "rank",
        "sessions",
        "visible improvement 12 mo (model units)",
        "visible improvement 24 mo (model units)",
        "collagen change 24 mo (%)",
        "downtime total (d)",
    ]
]""",
    ),
    (
        "md",
        """## The report

`to_html` writes one self-contained file (tables, plots, the patient, the screening, the
assumptions) to hand over or archive.""",
    ),
    (
        "code",
        """folder = Path(tempfile.mkdtemp())
path = folder / "patient2_plans.html"
cmp_older.to_html(path)
print(path, f"{path.stat().st_size / 1024:.0f} kB")""",
    ),
]
