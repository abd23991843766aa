"""Cells of notebooks/02_model_validation.ipynb (see tools/make_notebooks.py)."""

CELLS = [
    ("md", """# Model validation: MN-14 against published data and clinic facts

The shipped parameters are calibrated by `tools/calibrate.py` to the published measurements in
`skinremodel/data/published/` (Kenkel 2021, Lotfi 2013, Aust 2008) and one clinic statement.
This notebook shows predicted against observed values, the qualitative findings of El-Domyati
2015 and Kenkel 2021, and the clinic-level facts that were **not** used in the fit.
*A research model, not a medical device.*"""),
    ("code", """import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import skinremodel as sr
from skinremodel.calibration import TARGETS, calibration_table, direction_checks

table = calibration_table()
table[["study", "outcome", "unit", "observed", "predicted", "uncertainty", "uncertainty_kind", "within"]]"""),
    ("md", """Seven calibrated parameters meet seven published numbers, so these residuals are zero by
construction: they show the mapping works, not that the model is right. The figure plots each
target with its uncertainty (15% where the study reported no spread)."""),
    ("code", """rel = (table["predicted"] / table["observed"] - 1) * 100
err = table["uncertainty"] / table["observed"].abs() * 100
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.errorbar(range(len(rel)), rel, yerr=err, fmt="o", capsize=4)
ax.axhline(0, color="k", lw=0.8)
ax.set_xticks(range(len(rel)), table.index, rotation=30, ha="right", fontsize=8)
ax.set_ylabel("model / observed - 1 (%)")
ax.set_title("Calibration targets: relative residual and its uncertainty");"""),
    ("md", """## Trajectories behind the Kenkel 2021 targets

Four monthly sessions (age 55, the cohort's midpoint), with the study's published values as
black squares. Right after each session the ultrasound density dips: oedema (the infiltrate
N + M1 + M2) lowers echogenicity (`kap_oed`). No published number constrains the size of that
dip; measurements within two weeks of a session would."""),
    ("code", """res = sr.simulate(sr.Schedule([0, 30, 60, 90]), sr.Patient(age=55, phototype=3), days=365)
fig, ax = plt.subplots(figsize=(8, 4))
for name in ["ultrasound_density", "elasticity", "oct_attenuation", "total_collagen"]:
    ax.plot(res.t, res.percent_change(name), label=name)
observed = {("ultrasound_density", 180): 101.86, ("elasticity", 180): 28.2,
            ("oct_attenuation", 120): 15.65, ("oct_attenuation", 180): 17.33}
for (name, day), value in observed.items():
    ax.plot(day, value, "ks")
sr.plotting.mark_sessions(ax, res.session_days)
ax.set_xlabel("day"); ax.set_ylabel("% change from baseline"); ax.legend(frameon=False);"""),
    ("md", """## Directions reported without numbers

El-Domyati 2015 (six sessions two weeks apart; photo-aged and acne-scar cohorts): collagen I,
III and new collagen up, tropoelastin up, total elastin down. Kenkel 2021: total elastin
protein unchanged (within 5% here)."""),
    ("code", """direction_checks()"""),
    ("md", """## Clinic facts not used in the fit"""),
    ("code", """adult = sr.Patient()
rows = []
for depth in [0.25, 0.5, 1.0, 1.5, 2.0, 2.5]:
    r = sr.simulate(sr.Schedule([0], depth_mm=depth), adult, days=20)
    rows.append({"depth (mm)": depth, "visible redness (h)": r.redness_hours(0),
                 "downtime (days)": r.downtime_days(0)})
pd.DataFrame(rows).set_index("depth (mm)").round(1)"""),
    ("code", """facts = {}
std = sr.simulate(sr.Schedule.regular(4, every_days=30), adult, days=365)
g = std["visible_improvement"]
facts["first visible improvement (days), 4 monthly sessions"] = std.first_visible_day()
facts["visible index still rising, days after the last session"] = int(np.argmax(g)) - 90
for n in (1, 3, 6):
    r = sr.simulate(sr.Schedule.regular(n, every_days=28), adult, days=180)
    facts[f"collagen change at 6 months, {n} sessions (%)"] = r.percent_change("total_collagen")[180]
for age in (30, 60):
    r = sr.simulate(sr.Schedule.regular(4, every_days=30), sr.Patient(age=age), days=180)
    facts[f"collagen change at 6 months, age {age} (%)"] = r.percent_change("total_collagen")[180]
for dm in ("none", "poor"):
    r = sr.simulate(sr.Schedule([0]), sr.Patient(diabetes=dm), days=20)
    facts[f"downtime, diabetes {dm} (days)"] = r.downtime_days(0)
for vc in ("deficient", "replete"):
    r = sr.simulate(sr.Schedule.regular(4, every_days=30), sr.Patient(vitamin_c=vc), days=180)
    facts[f"collagen change at 6 months, vitamin C {vc} (%)"] = r.percent_change("total_collagen")[180]
pd.Series(facts).round(1).to_frame("model")"""),
    ("md", """## Session spacing

Four sessions at 1.5 mm at intervals from 7 to 56 days. Needling skin whose previous wound has
not healed destroys more fresh matrix (see docs/model.md, "Session spacing")."""),
    ("code", """fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
rows = []
for interval in [7, 14, 21, 28, 42, 56]:
    r = sr.simulate(sr.Schedule.regular(4, every_days=interval), adult, days=365)
    axes[0].plot(r.t, r["visible_improvement"], label=f"every {interval} d")
    rows.append({"interval": interval,
                 "mature collagen 12 mo (%)": 100 * (r["Cm"][365] - r.baseline["Cm"]),
                 "G 6 mo": r["visible_improvement"][180], "G 12 mo": r["visible_improvement"][365]})
axes[0].set_xlabel("day"); axes[0].set_ylabel("visible index G"); axes[0].legend(frameon=False, fontsize=8)
spacing = pd.DataFrame(rows).set_index("interval")
spacing["mature collagen 12 mo (%)"].plot(ax=axes[1], marker="o")
axes[1].set_xlabel("days between sessions"); axes[1].set_ylabel("mature collagen at 12 months (%)")
spacing.round(3)"""),
]
