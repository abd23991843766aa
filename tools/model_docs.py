"""Regenerate the generated blocks of docs/model.md from the code and the shipped parameters.

Run:  python tools/model_docs.py          rewrite the marked blocks
      python tools/model_docs.py --check  exit 1 if any block is out of date (a test runs this)

Blocks (between <!-- NAME:begin ... --> and <!-- NAME:end --> markers):
  parameter-table   every parameter by group, from python/skinremodel/data/parameters.csv
  calibration       observed against predicted for every calibration target, direction checks
  spacing           collagen and visible index against the session interval
  clinical-scales   each clinical scale: what it reads, parameters, plausible change and model
"""

from __future__ import annotations

import csv
import re
import sys
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


def parameter_table() -> str:
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
    from skinremodel.calibration import calibration_table, direction_checks

    t = calibration_table()
    out = ["| target | outcome | observed | model | uncertainty | z |", "|---|---|---|---|---|---|"]
    for tid, r in t.iterrows():
        out.append(f"| `{tid}` | {r.outcome} | {r.observed:g} {r.unit} | {r.predicted:.4g} | "
                   f"{r.uncertainty:.3g} ({r.uncertainty_kind}) | {r.z:+.1e} |")
    out += ["", "| study | finding | model change | holds |", "|---|---|---|---|"]
    for _, r in direction_checks().iterrows():
        out.append(f"| {r.study} | {r.finding} | {r['model change (%)']:+.1f}% | "
                   f"{'yes' if r.holds else '**no**'} |")
    return "\n".join(out) + "\n"


def spacing() -> str:
    import skinremodel as sr

    out = ["| interval (days) | last session (day) | total collagen 6 mo | total collagen 12 mo | "
           "mature collagen 12 mo | visible index G 6 mo | visible index G 12 mo |",
           "|---|---|---|---|---|---|---|"]
    for interval in (7, 14, 21, 28, 42, 56):
        res = sr.simulate(sr.Schedule.regular(4, every_days=interval), sr.Patient(age=45), days=365)
        c = res.percent_change("total_collagen")
        cm = 100 * (res["Cm"] - res.baseline["Cm"])
        g = res["visible_improvement"]
        out.append(f"| {interval} | {3 * interval} | {c[180]:+.1f}% | {c[365]:+.1f}% | "
                   f"{cm[365]:+.1f}% | {g[180]:.3f} | {g[365]:.3f} |")
    return "\n".join(out) + "\n"


def clinical_scales() -> str:
    import skinremodel as sr
    from skinremodel.clinical_scales import SCALES

    courses = {
        "adult": (sr.Schedule.regular(4, every_days=28, depth_mm=1.5), sr.Patient(age=45)),
        "acne": (sr.Schedule.regular(12, every_days=7, depth_mm=1.5),
                 sr.Patient(age=25, acne_scars=True)),
    }
    results = {k: sr.simulate(plan, patient=p, days=365) for k, (plan, p) in courses.items()}
    out = ["| observable | scale | kind | reads | grades / meaning | parameters | course, day | "
           "plausible | model | source |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in SCALES.items():
        q = s.plausible
        res = results[q.course]
        base = float(res.observable(name, res.pre_session[0])[0])
        value = float(res[name][int(q.day)])
        model = (value if q.measure == "value" else value - base if q.measure == "change"
                 else (value - base) / base)
        grades = f"{s.grades[0]}-{s.grades[1]}: " if s.grades else ""
        params = ", ".join(f"`{p}`" for p in s.parameters) or "`G_s`"
        unit = "%" if q.measure == "relative change" else ""
        scale = 100.0 if q.measure == "relative change" else 1.0
        out.append(f"| `{name}` | {s.title} | {s.kind} | `{s.reads}` | {grades}{s.meaning} | "
                   f"{params} | {q.course}, {q.day:g} | {q.measure} {scale * q.low:+.3g}{unit} to "
                   f"{scale * q.high:+.3g}{unit} | {scale * model:+.3g}{unit} | {q.source} |")
    return "\n".join(out) + "\n"


BLOCKS: dict[str, Callable[[], str]] = {
    "parameter-table": parameter_table,
    "calibration": calibration,
    "spacing": spacing,
    "clinical-scales": clinical_scales,
}


def render(doc: str) -> str:
    for name, make in BLOCKS.items():
        pattern = re.compile(rf"(<!-- {name}:begin[^>]*-->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(doc):
            raise SystemExit(f"docs/model.md has no {name} block")
        doc = pattern.sub(lambda m, text=make(): f"{m.group(1)}\n{text}\n{m.group(2)}", doc)
    return doc


def main() -> int:
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
