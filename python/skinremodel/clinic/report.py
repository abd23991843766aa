"""HTML of a plan comparison: the standalone report and the Jupyter view.

The report is one file with no scripts and no external resources: inline CSS, tables, plots as
embedded PNG (base64). It is rendered by :mod:`skinremodel._html` from the package templates
(``templates/report.html.j2``, with ``_comparison.html.j2``, ``_optimum.html.j2`` and
``_uncertainty.html.j2``, shared with the web app) with autoescape on, so every piece of
user-supplied text (plan names, plan text, conditions, override reasons) is escaped and a plan
named ``<script>...</script>`` is shown as text and runs nothing. It speaks in clinical terms
(:mod:`.clinical_terms`): the screening verdict as a banner at the top, blocked plans
with why and what would unblock them, overrides and their reasons, the table sorted by rank with
the deciding column, outcomes on clinical scales, history in words, rounded numbers with units.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._html import render, table
from .._version import __version__
from ..patients.screening import RULES
from . import clinical_terms as ct

if TYPE_CHECKING:  # pragma: no cover
    from ..optimize.optimum import PlanOptimum
    from .compare import Comparison

__all__ = [
    "comparison_report",
    "comparison_fragment",
    "comparison_context",
    "uncertainty_context",
    "ASSUMPTIONS",
    "RESEARCH_NOTE",
    "CSS",
]

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

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 1200px; color: #222; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
.note { background: #fff6e0; border-left: 4px solid #e0a000; padding: 0.6em 1em; }
.banner { padding: 0.6em 1em; border-left: 6px solid; margin: 1em 0; }
.banner.ok { background: #eaf6ea; border-color: #2e7d32; }
.banner.caution { background: #fff6e0; border-color: #e0a000; }
.banner.overridden { background: #e8f0fb; border-color: #004f9f; }
.banner.blocked, .banner.all-blocked { background: #fdecea; border-color: #b00020; }
.overrides { background: #e8f0fb; border: 2px solid #004f9f; padding: 0.3em 1em; }
.blocked-plan { border: 1px solid #e0b4b4; background: #fff8f8; padding: 0 1em; margin: 0.5em 0; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } .deciding { background: #fff3c4; font-weight: bold; }
tr.blocked td { color: #777; }
.contraindication { color: #a00000; } .caution { color: #8a5a00; } .override { color: #004f9f; }
img { max-width: 100%; border: 1px solid #eee; }
.scroll { overflow-x: auto; }
"""


def _figure_png(cmp: Comparison) -> str:
    import matplotlib.pyplot as plt

    fig = cmp.plot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _frame(frame: pd.DataFrame) -> dict[str, Any]:
    reset = frame.reset_index()
    return {
        "columns": [str(c) for c in reset.columns],
        "rows": [[str(v) for v in row] for row in reset.itertuples(index=False)],
    }


def comparison_context(
    cmp: Comparison, plot: bool = True, patient_name: str | None = None
) -> dict[str, Any]:
    """Return what the comparison templates show, in clinical terms.

    Parameters
    ----------
    cmp : Comparison
    plot : bool
        Include the figure as base64 PNG (``None`` when no plan was simulated).
    patient_name : str, optional
        A name or label of the patient, shown first in the patient table.
    """
    findings_of = []
    for name in cmp.blocked:
        findings_of.append(
            {
                "name": name,
                "findings": [
                    {
                        "message": ct.message_in_words(f.message),
                        "hint": ct.unblock_hint(f, cmp.patient),
                    }
                    for f in cmp.screenings[name].findings
                    if f.blocking
                ],
            }
        )
    screening = [
        (
            name,
            s.status,
            [
                {
                    "severity": f.severity,
                    "message": ct.message_in_words(f.message),
                    "override": f.override,
                }
                for f in s.findings
            ],
        )
        for name, s in cmp.screenings.items()
    ]
    simulated = len(cmp.blocked) < len(cmp.plans)
    return {
        "verdict": ct.verdict(cmp),
        "blocked": findings_of,
        "table": _frame(ct.clinical_table(cmp)),
        "deciding": ct.deciding_column(cmp),
        "visible_note": ct.VISIBLE_NOTE,
        "horizon": ct.horizon_in_words(cmp.days),
        "plot": _figure_png(cmp) if plot and simulated else None,
        "patient": ([("Patient", patient_name)] if patient_name else [])
        + ct.patient_rows(cmp.patient),
        "history": ct.history_in_words(cmp.patient.history),
        "screening": screening,
        "n_plans": len(cmp.plans),
    }


def _plans(cmp: Comparison) -> list[tuple[str, str, list[str]]]:
    out = []
    for name, plan in cmp.plans.items():
        sessions = []
        for k, s in enumerate(plan.sessions):
            when = f"day {s.day:g}"
            if plan.start_date is not None:
                when += f" ({ct.date_in_words(plan.dates[k])})"
            device = (
                s.device.describe()
                if s.device is not None
                else f"{s.density_per_cm2:.0f} punctures/cm2"
            )
            sessions.append(f"{when}: {s.depth_mm:g} mm, {device}")
        out.append((name, str(plan), sessions))
    return out


def uncertainty_context(cmp: Comparison) -> dict[str, Any] | None:
    """Return what the "Uncertainty" section shows (``templates/_uncertainty.html.j2``).

    None for a comparison made without ``uncertainty=``.
    """
    if cmp.intervals is None:
        return None
    objective = cmp.objective[0]
    sub = cmp.intervals[cmp.intervals["column"] == objective].set_index("plan name")
    frame = pd.DataFrame(
        {
            "P(best)": cmp.table["P(best)"],
            "P(noticeable)": cmp.table["P(noticeable)"],
            f"{objective}, median": sub["median"].reindex(cmp.table.index),
            "95% interval": [
                f"{lo:.3g} to {hi:.3g}" if pd.notna(lo) else ""
                for lo, hi in zip(
                    sub["lower"].reindex(cmp.table.index),
                    sub["upper"].reindex(cmp.table.index),
                    strict=True,
                )
            ],
        }
    )
    return {
        "source": cmp.uncertainty_source or "",
        "objective": objective,
        "table": table(
            frame, border=0, table_id="uncertainty", na_rep="", float_format=lambda x: f"{x:.3g}"
        ),
    }


def comparison_report(
    cmp: Comparison, optimum: PlanOptimum | None = None, patient_name: str | None = None
) -> str:
    """Return the standalone HTML report of a comparison.

    ``optimum`` adds an "Optimised plan" section; ``patient_name`` is shown if given.
    """
    changed = cmp.params.differences()
    params = (
        "default parameter values"
        if not changed
        else "parameters changed from the "
        "defaults: " + ", ".join(f"{k} = {v[0]:g} (default {v[1]:g})" for k, v in changed.items())
    )
    full = table(ct.rounded_table(cmp).T, border=0, table_id="comparison", na_rep="")
    return render(
        "report.html.j2",
        c=comparison_context(cmp, patient_name=patient_name),
        css=CSS,
        research_note=RESEARCH_NOTE,
        version=__version__,
        generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        params=params,
        plans=_plans(cmp),
        full_table=full,
        optimum=None if optimum is None else optimum._html_context(),
        uncertainty=uncertainty_context(cmp),
        assumptions=ASSUMPTIONS,
        rules=[(r.title, r.severity, r.source) for r in RULES],
    )


def comparison_fragment(cmp: Comparison) -> str:
    """Return a compact HTML view for Jupyter: the verdict and the ranked table."""
    return render(
        "repr/comparison.html.j2",
        n=len(cmp.plans),
        horizon=ct.horizon_in_words(cmp.days),
        patient=repr(cmp.patient),
        verdict=ct.verdict(cmp),
        frame=_frame(ct.clinical_table(cmp)),
        deciding=ct.deciding_column(cmp),
    )
