"""Regenerate the generated blocks of docs/model.md from the code and the shipped parameters.

Run:  python tools/model_docs.py          rewrite the marked blocks
      python tools/model_docs.py --check  exit 1 if any block is out of date (a test runs this)
      python tools/model_docs.py --figures  also redraw docs/figures/persistence_24_months.png

Blocks (between <!-- NAME:begin ... --> and <!-- NAME:end --> markers):
  parameter-table   every parameter by group, from python/skinremodel/data/parameters.csv
  calibration       observed against predicted for every calibration target, direction checks
  spacing           collagen and visible improvement against the session interval
  persistence       visible improvement of the standard plans over 24 months
  clinical-scales   each clinical scale: what it reads, parameters, plausible change and model
"""

from __future__ import annotations

import csv
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "python" / "skinremodel" / "data" / "parameters.csv"
DOC = ROOT / "docs" / "model.md"

TITLES = {
    "inflammation": "Inflammation",
    "growth_factor": "Growth factor",
    "fibroblast": "Fibroblasts and myofibroblasts",
    "mmp": "MMP activity",
    "collagen": "Collagen",
    "elastin": "Elastin",
    "erythema": "Erythema",
    "dose": "Session dose",
    "spacing": "Session spacing",
    "covariate": "Covariate rules",
    "observation": "Observation model",
    "clinical_scale": "Clinical scales",
}


# Standard plans of the 24-month table and figure (docs/model.md, revision 2).
PLANS_24_MONTHS = {
    "3 sessions 2 weeks apart": [0, 14, 28],
    "4 sessions 4 weeks apart": [0, 28, 56, 84],
    "6 sessions 4 weeks apart": [28 * k for k in range(6)],
    "monthly x 4, yearly touch-up": [0, 30, 60, 90, 455],
}


def parameter_table() -> str:
    """Return the parameter tables of docs/model.md, one per group of parameters.csv."""
    with open(CSV, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    groups: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        groups.setdefault(row["group"], []).append(row)
    out = []
    for group, members in groups.items():
        out.append(f"#### {TITLES.get(group, group)}\n")
        out.append("| name | value | unit | domain | tag | meaning | source |")
        out.append("|---|---|---|---|---|---|---|")
        for r in members:
            out.append(
                f"| `{r['name']}` | {float(r['value']):.6g} | {r['unit']} | {r['domain']} | "
                f"{r['tag']} | {r['description']} | {r['source']} |"
            )
        out.append("")
    return "\n".join(out)


def calibration() -> str:
    """Return the calibration targets with the model's values, and the direction checks."""
    from skinremodel.calibration import calibration_table, direction_checks

    t = calibration_table()
    out = [
        "| target | outcome | observed | model | uncertainty | design (factor) | z |",
        "|---|---|---|---|---|---|---|",
    ]
    for tid, r in t.iterrows():
        factor = r.weighted_uncertainty / r.uncertainty
        out.append(
            f"| `{tid}` | {r.outcome} | {r.observed:g} {r.unit} | {r.predicted:.4g} | "
            f"{r.uncertainty:.3g} ({r.uncertainty_kind}) | {r.design} (x{factor:g}) | "
            f"{r.z:+.2f} |"
        )
    out += ["", "| study | finding | model change | holds |", "|---|---|---|---|"]
    for _, r in direction_checks().iterrows():
        out.append(
            f"| {r.study} | {r.finding} | {r['model change (%)']:+.1f}% | "
            f"{'yes' if r.holds else '**no**'} |"
        )
    return "\n".join(out) + "\n"


def spacing() -> str:
    """Return the table of collagen and visible improvement by interval between 4 sessions."""
    import skinremodel as sr

    out = [
        "| interval (days) | last session (day) | total collagen 6 mo | total collagen 12 mo | "
        "mature collagen 12 mo | visible improvement G 6 mo | visible improvement G 12 mo |",
        "|---|---|---|---|---|---|---|",
    ]
    for interval in (7, 14, 21, 28, 42, 56):
        res = sr.simulate(sr.Schedule.regular(4, every_days=interval), sr.Patient(age=45), days=365)
        c = res.percent_change("total_collagen")
        cm = 100 * (res["Cm"] - res.baseline["Cm"])  # mature cross-linked collagen
        g = res["visible_improvement"]
        out.append(
            f"| {interval} | {3 * interval} | {c[180]:+.1f}% | {c[365]:+.1f}% | "
            f"{cm[365]:+.1f}% | {g[180]:.3f} | {g[365]:.3f} |"
        )
    return "\n".join(out) + "\n"


def persistence() -> str:
    """Visible improvement of the standard plans over 24 months: peak, and what is left after."""
    import skinremodel as sr

    plans = {**PLANS_24_MONTHS, "7 sessions daily": list(range(7))}
    out = [
        "| plan (1.5 mm, age 45) | G 3 mo | G 6 mo | G 12 mo | G 24 mo | peak (day) | "
        "12 mo / peak | 24 mo / peak | mature collagen 12 mo |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, days in plans.items():
        with warnings.catch_warnings():  # daily sessions warn (sr.ScheduleWarning): on purpose
            warnings.simplefilter("ignore", sr.ScheduleWarning)
            res = sr.simulate(sr.Schedule(days), sr.Patient(age=45), days=730)
        g = res["visible_improvement"]
        cm = 100 * (res["Cm"][365] / res.baseline["Cm"] - 1)
        out.append(
            f"| {name} | {g[90]:.3f} | {g[180]:.3f} | {g[365]:.3f} | {g[730]:.3f} | "
            f"{g.max():.3f} ({int(g.argmax())}) | {g[365] / g.max():.0%} | "
            f"{g[730] / g.max():.0%} | {cm:+.1f}% |"
        )
    return "\n".join(out) + "\n"


def clinical_scales() -> str:
    """Return the table of clinical scales with their plausible ranges and the model's values."""
    import skinremodel as sr
    from skinremodel.model.clinical_scales import SCALES

    courses = {
        "adult": (sr.Schedule.regular(4, every_days=28, depth_mm=1.5), sr.Patient(age=45)),
        "acne": (
            sr.Schedule.regular(12, every_days=7, depth_mm=1.5),
            sr.Patient(age=25, acne_scars=True),
        ),
    }
    results = {k: sr.simulate(plan, patient=p, days=365) for k, (plan, p) in courses.items()}
    out = [
        "| observable | scale | kind | reads | grades / meaning | parameters | course, day | "
        "plausible | model | source |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in SCALES.items():
        q = s.plausible
        res = results[q.course]
        base = float(res.observable(name, res.pre_session[0])[0])
        value = float(res[name][int(q.day)])
        model = (
            value
            if q.measure == "value"
            else value - base
            if q.measure == "change"
            else (value - base) / base
        )
        grades = f"{s.grades[0]}-{s.grades[1]}: " if s.grades else ""
        params = ", ".join(f"`{p}`" for p in s.parameters) or "`G_s`"
        unit = "%" if q.measure == "relative change" else ""
        scale = 100.0 if q.measure == "relative change" else 1.0
        out.append(
            f"| `{name}` | {s.title} | {s.kind} | `{s.reads}` | {grades}{s.meaning} | "
            f"{params} | {q.course}, {q.day:g} | {q.measure} {scale * q.low:+.3g}{unit} to "
            f"{scale * q.high:+.3g}{unit} | {scale * model:+.3g}{unit} | {q.source} |"
        )
    return "\n".join(out) + "\n"


BLOCKS: dict[str, Callable[[], str]] = {
    "parameter-table": parameter_table,
    "calibration": calibration,
    "spacing": spacing,
    "persistence": persistence,
    "clinical-scales": clinical_scales,
}


def render(doc: str) -> str:
    """Return docs/model.md with every generated block (BLOCKS) made anew."""
    for name, make in BLOCKS.items():
        pattern = re.compile(rf"(<!-- {name}:begin[^>]*-->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(doc):
            raise SystemExit(f"docs/model.md has no {name} block")
        text = make()
        doc = pattern.sub(lambda m, text=text: f"{m.group(1)}\n{text}\n{m.group(2)}", doc)
    return doc


def figure(path: Path) -> None:
    """Visible improvement and total collagen of the standard plans over 24 months."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import skinremodel as sr

    fig, (ax_g, ax_c) = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True)
    for name, days in PLANS_24_MONTHS.items():
        res = sr.simulate(sr.Schedule(days), sr.Patient(age=45), days=730)
        months = res.t / 30.44
        ax_g.plot(months, res["visible_improvement"], label=name)
        ax_c.plot(months, res.percent_change("total_collagen"), label=name)
    jnd = sr.Parameters.default()["G_jnd"]
    ax_g.axhline(jnd, color="0.5", ls="--", lw=1)
    ax_g.text(23.8, jnd, "just noticeable", ha="right", va="bottom", fontsize=8, color="0.4")
    ax_g.set_ylabel("visible improvement G")
    ax_c.set_ylabel("total collagen (% change)")
    ax_c.set_xlabel("months after the first session")
    ax_g.legend(fontsize=8)
    ax_g.set_title("MN-14 revision 2, 1.5 mm, age 45")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> int:
    """Update docs/model.md (and its figure with --figures); --check only compares (exit status)."""
    if "--figures" in sys.argv:
        figure(DOC.parent / "figures" / "persistence_24_months.png")
    doc = DOC.read_text(encoding="utf-8")
    new = render(doc)
    if "--check" in sys.argv:
        if new != doc:
            print("docs/model.md generated blocks are out of date: run python tools/model_docs.py")
            return 1
        return 0
    DOC.write_text(new, encoding="utf-8")
    print("updated", DOC)
    return 0


if __name__ == "__main__":
    sys.exit(main())
