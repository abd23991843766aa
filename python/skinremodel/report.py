"""HTML of a plan comparison: the standalone report and the Jupyter view.

The report is one file with no scripts and no external resources: inline CSS, tables, plots as
embedded PNG (base64). Every piece of user-supplied text (plan names, plan text, conditions,
override reasons) goes through :func:`html.escape`, and tables through pandas' escaping, so a
plan named ``<script>...</script>`` is shown as text and runs nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from typing import TYPE_CHECKING

import pandas as pd

from .screening import RULES

if TYPE_CHECKING:  # pragma: no cover
    from .compare import Comparison
    from .optimize_result import PlanOptimum
    from .patient import Patient

__all__ = ["comparison_report", "comparison_fragment", "optimum_report", "ASSUMPTIONS",
           "RESEARCH_NOTE"]

RESEARCH_NOTE = (
    "skinremodel is a research model, not a medical device. Its numbers are predictions of the "
    "MN-14 model under the assumptions below; they do not replace clinical judgement, and the "
    "screening lists what clinic guidance asks about, not a medical assessment."
)

#: The model's assumptions and limits (the same list as docs/model.md; a test keeps them equal).
ASSUMPTIONS: tuple[str, ...] = (
    "One well-mixed compartment: local saturation around channels is averaged away.",
    "Kinetic constants come mostly from full-thickness or excisional wounds, rodents and other "
    "tissues; microneedle channels are tiny and close within hours.",
    "Penetration (eta_pen), halo radius and the linear depth dependence of the dose are weakly "
    "supported and device dependent.",
    "Long-term persistence rests on the turnover of mature collagen (Verzijl 2000) and the "
    "set-point feedback; data beyond 12 months are missing.",
    "Elastin evidence conflicts between studies; s_Ew and k_EI are constrained only by directions "
    "of change, tau_Er by wound histology rather than by skin after microneedling.",
    "Missing biology: epidermis, vasculature, hyaluronan, pigmentation (post-inflammatory "
    "hyperpigmentation risk in darker skin), infection, fibre orientation.",
    "No fibrotic bistability: keloid- or hypertrophic-scar-prone patients are outside validity.",
    "Covariate rules are heuristic; observation gains are instrument specific.",
    "Calibrated to abstracts only (no tables were retrievable): a few cohort means without "
    "spreads, with the cohort age and needle depth partly assumed (see Calibration).",
)

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1200px; color: #222; line-height: 1.4; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
.note { background: #fff6e0; border-left: 4px solid #e0a000; padding: 0.6em 1em; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; vertical-align: top; }
th { background: #f2f2f2; } td.text, th.text { text-align: left; }
.contraindication { color: #a00000; } .caution { color: #8a5a00; } .override { color: #004f9f; }
img { max-width: 100%; border: 1px solid #eee; }
.scroll { overflow-x: auto; }
"""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _figure_png(cmp: Comparison) -> str:
    import matplotlib.pyplot as plt

    fig = cmp.plot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _number(value: object) -> object:
    if not isinstance(value, float):
        return value
    if pd.isna(value):
        return ""
    if value.is_integer():
        return f"{value:.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def _table_html(frame: pd.DataFrame, table_id: str, transpose: bool = False) -> str:
    """Return a DataFrame as an HTML table; pandas escapes every cell and header."""
    formatted = frame.map(_number)
    if transpose:
        formatted = formatted.T
    return ("<div class='scroll'>"
            + formatted.to_html(escape=True, border=0, table_id=table_id, na_rep="")
            + "</div>")


def _patient_html(cmp: Comparison) -> str:
    p = cmp.patient
    rows = [("age (years)", f"{p.age:g}"), ("diabetes", p.diabetes),
            ("vitamin C", p.vitamin_c), ("Fitzpatrick phototype", str(p.phototype)),
            ("smoker", str(p.smoker)), ("photo-aged skin", str(p.photoaged)),
            ("thin or reactive skin", str(p.reactive_skin)),
            ("atrophic acne scars", str(p.acne_scars))]
    recorded = repr(p.history)[len("MedicalHistory("):-1]
    rows.append(("history", recorded or "nothing recorded"))
    rows.append(("horizon (days)", f"{cmp.horizon_days:g}"))
    body = "".join(f"<tr><th class='text'>{_esc(k)}</th><td class='text'>{_esc(v)}</td></tr>"
                   for k, v in rows)
    return f"<table id='patient'>{body}</table>"


def _screening_html(cmp: Comparison) -> str:
    parts = []
    for name, screening in cmp.screenings.items():
        if not screening.findings:
            items = "<li>nothing found</li>"
        else:
            items = ""
            for f in screening.findings:
                override = (f" <span class='override'>Overridden, reason: {_esc(f.override)}"
                            "</span>" if f.override is not None else "")
                items += (f"<li><span class='{f.severity}'>{_esc(f.severity)}</span>: "
                          f"{_esc(f.message)}.{override}</li>")
        parts.append(f"<h3>{_esc(name)} <small>({_esc(screening.status)})</small></h3>"
                     f"<ul>{items}</ul>")
    return "".join(parts)


def _plans_html(cmp: Comparison) -> str:
    rows = []
    for name, plan in cmp.plans.items():
        sessions = []
        for k, s in enumerate(plan.sessions):
            when = f"day {s.day:g}"
            if plan.start_date is not None:
                when += f" ({plan.dates[k].isoformat()})"
            device = s.device.describe() if s.device is not None else \
                f"{s.density_per_cm2:g} punctures/cm2"
            sessions.append(f"{when}: {s.depth_mm:g} mm, {device}")
        rows.append(f"<tr><td class='text'>{_esc(name)}</td><td class='text'>{_esc(plan)}</td>"
                    f"<td class='text'>{'<br>'.join(_esc(x) for x in sessions)}</td></tr>")
    return ("<table id='plans'><tr><th class='text'>plan</th><th class='text'>text form</th>"
            f"<th class='text'>sessions</th></tr>{''.join(rows)}</table>")


def _rules_html() -> str:
    items = "".join(f"<li><b>{_esc(r.title)}</b> ({_esc(r.severity)}): {_esc(r.source)}</li>"
                    for r in RULES)
    return f"<ul>{items}</ul>"


def _uncertainty_html(cmp: Comparison) -> str:
    """The "Uncertainty" section of a comparison made with ``uncertainty=`` ("" otherwise)."""
    if cmp.intervals is None:
        return ""
    objective = cmp.objective[0]
    sub = cmp.intervals[cmp.intervals["column"] == objective].set_index("plan name")
    frame = pd.DataFrame({
        "P(best)": cmp.table["P(best)"], "P(noticeable)": cmp.table["P(noticeable)"],
        f"{objective}, median": sub["median"].reindex(cmp.table.index),
        "95% interval": [f"{lo:.3g} to {hi:.3g}" if pd.notna(lo) else "" for lo, hi in
                         zip(sub["lower"].reindex(cmp.table.index),
                             sub["upper"].reindex(cmp.table.index), strict=True)]})
    return f"""<h2 id="uncertainty">Uncertainty</h2>
<p>{_esc(cmp.uncertainty_source or "")}. P(best): share of draws in which the plan ranks first
by {_esc(objective)}; P(noticeable): share in which the visible index at the last milestone
exceeds its just-noticeable value. Every metric of the comparison table has its 95% interval
([2.5%] and [97.5%] rows).</p>
{_table_html(frame, "uncertainty")}
"""


def comparison_report(cmp: Comparison, optimum: PlanOptimum | None = None) -> str:
    """Return the standalone HTML report of a comparison (with an "Optimised plan" section
    when ``optimum`` is given)."""
    from . import __version__

    ranked = cmp.rank()
    objective = " then ".join(cmp.objective)
    changed = cmp.params.differences()
    params = ("default parameter values" if not changed else "parameters changed from the "
              "defaults: " + ", ".join(f"{k} = {v[0]:g} (default {v[1]:g})"
                                       for k, v in changed.items()))
    assumptions = "".join(f"<li>{_esc(a)}</li>" for a in ASSUMPTIONS)
    generated = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>skinremodel: plan comparison</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Microneedling plans compared for one patient</h1>
<p class="note" id="research-note"><b>Research model.</b> {_esc(RESEARCH_NOTE)}</p>
<p>skinremodel {_esc(__version__)}, generated {_esc(generated)}; {len(cmp.plans)} plans over
{cmp.horizon_days:g} days; {_esc(params)}.</p>

<h2>Patient</h2>
{_patient_html(cmp)}
{"" if optimum is None else optimum.to_html_section()}

<h2>Screening</h2>
{_screening_html(cmp)}

<h2>Ranking</h2>
<p>Objective: {_esc(objective)} (higher visible index first; less downtime breaks ties).
Plans blocked by screening are not simulated and have no rank.</p>
{_table_html(ranked[["rank", "sessions", *cmp.objective, "status"]], "ranking")}

{_uncertainty_html(cmp)}
<h2>Comparison table</h2>
<p>One column per plan. Definitions: visible index = the model's structural gain G (0 before
treatment); changes are percent of the patient's own baseline; gain per session = collagen
change at the last milestone divided by the sessions up to it; redness and downtime are summed
or averaged over the sessions simulated.</p>
{_table_html(cmp.table, "comparison", transpose=True)}

<h2>Plots</h2>
<img id="plots" alt="Visible index and total collagen against day for every plan, with
sessions marked, and bars of the headline metrics" src="data:image/png;base64,{_figure_png(cmp)}">

<h2>Plans</h2>
{_plans_html(cmp)}

<h2>Assumptions and limits</h2>
<ul>{assumptions}
<li>1 month = 30 days and 1 year = 365 days; 3, 6 and 12 months are days 90, 180 and 365 from
the first day of the plan.</li>
<li>Redness hours and downtime come from the model's redness threshold (R_vis and
R_down_frac R_vis), not from photographs.</li></ul>

<h2>Sources of the screening rules</h2>
{_rules_html()}
</body>
</html>
"""


def comparison_fragment(cmp: Comparison) -> str:
    """Return a compact HTML view for Jupyter: the table and the screening findings."""
    columns = ["sessions", *cmp.objective, *(f"collagen change {label} (%)"
                                             for _, label in cmp.milestones),
               "redness after 1st session (h)", "screening", "status"]
    columns = list(dict.fromkeys(columns))
    return (f"<p><b>skinremodel Comparison</b>: {len(cmp.plans)} plans over "
            f"{cmp.horizon_days:g} days; {_esc(repr(cmp.patient))}. Research model, not a "
            f"medical device.</p>{_table_html(cmp.rank()[['rank', *columns]], 'comparison')}"
            f"{_screening_html(cmp)}")


def optimum_report(optimum: PlanOptimum, patient: Patient) -> str:
    """Standalone report of an optimised plan: the comparison report of the optimised plan and
    the three best library plans satisfying the constraints, with the "Optimised plan"
    section."""
    from .compare import compare
    from .schedule import Schedule

    plans = {"optimised plan": optimum.schedule}
    lib = optimum.comparison[optimum.comparison["plan"] != "optimised plan"].head(3)
    for _, row in lib.iterrows():
        days = [float(d) for d in str(row["days"]).split(", ")]
        plans[str(row["plan"])] = Schedule(days, depth_mm=float(row["depth_mm"]),
                                           start_date=optimum.schedule.start_date)
    cmp = compare(plans, patient, horizon_days=optimum.constraints.horizon_days,
                  override=dict(optimum.constraints.override) or None)
    return comparison_report(cmp, optimum)
