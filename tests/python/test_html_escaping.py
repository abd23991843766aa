"""Every Jupyter view is rendered by the one template environment, and escapes what it shows.

A hostile label (``<script>``, quotes, an ampersand) in a plan, patient, subject, parameter or
observable label must come out as text in every ``_repr_html_``: the templates of
``python/skinremodel/templates`` are rendered with autoescape on (``skinremodel._html``).
"""

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
import skinremodel as sr
from skinremodel import _html
from skinremodel.inference.synthetic import synthetic_cohort
from skinremodel.model import parameters as parameters_module

HOSTILE = "<script>alert(1)</script>\"&'"
#: As the templates write it (autoescape escapes quotes too); pandas tables escape <, > and &.
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&amp;&#39;"
PACKAGE = Path(__file__).resolve().parents[2] / "python" / "skinremodel"
REASON = "approved by the treating dermatologist " + HOSTILE


def _safe(page: str) -> str:
    assert "<script>" not in page and HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    return page


@pytest.fixture(scope="module")
def hostile_patient():
    return sr.Patient(age=40, history=sr.MedicalHistory(other_skin_condition=HOSTILE))


@pytest.fixture(scope="module")
def hostile_plan():
    return sr.Schedule.regular(2, every_days=28, name=HOSTILE)


def test_result_escapes_plan_name_and_screening(hostile_patient, hostile_plan):
    res = sr.simulate(
        hostile_plan, hostile_patient, days=60, override={"chronic_skin_condition": REASON}
    )
    page = _safe(res._repr_html_())
    assert page.startswith("<p><b>skinremodel Result</b>: " + ESCAPED)
    assert f"chronic skin condition in the area ({ESCAPED})" in page
    assert "<p>Screening:</p><ul><li>" in page  # the screening view is included, escaped too


def test_screening_escapes_the_history(hostile_patient, hostile_plan):
    page = _safe(sr.screen(hostile_patient, hostile_plan)._repr_html_())
    assert page.startswith("<p>Screening:</p><ul><li>")


def test_parameters_escape_their_labels(monkeypatch):
    info = parameters_module._TABLE["k_mat"]
    monkeypatch.setitem(parameters_module._TABLE, "k_mat", dataclasses.replace(info, unit=HOSTILE))
    page = _safe(sr.Parameters.default().replace(k_mat=0.02)._repr_html_())
    assert f"<td>{ESCAPED}</td></tr></table>" in page


def test_comparison_escapes_plan_names(hostile_plan):
    cmp = sr.compare(
        {HOSTILE: hostile_plan, "plain": sr.Schedule.regular(3, every_days=28)},
        sr.Patient(age=50),
        days=120,
    )
    _safe(cmp._repr_html_())
    _safe(cmp.to_html())


@pytest.fixture(scope="module")
def hostile_fit():
    plan = sr.Schedule.regular(3, every_days=30)
    truth = sr.simulate(plan, days=150, params={"s_w": 0.05}, t_eval=[40, 90, 150])
    obs = pd.DataFrame(
        {
            "subject": HOSTILE,
            "day": truth.t,
            "observable": "total_collagen",
            "value": truth["total_collagen"],
            "sd": 0.01,
        }
    )
    return sr.fit(obs, {HOSTILE: plan}, per_subject=["s_w"])


def test_fit_result_and_identifiability_escape_subject_names(hostile_fit):
    page = _safe(hostile_fit._repr_html_())
    assert f"<td>s_w[{ESCAPED}]</td>" in page
    report = hostile_fit.identifiability.to_dict()
    name = f"s_w[{HOSTILE}]"
    report.update(null_directions=[{name: 1.0}], poorly_determined=[name])
    page = _safe(type(hostile_fit.identifiability).from_dict(report)._repr_html_())
    assert f"<br>{'s_w[' + ESCAPED + ']'} is poorly determined" in page


def test_plan_optimum_escapes_its_labels():
    opt = sr.optimize_plan(
        sr.Patient(age=45),
        days=120,
        max_sessions=2,
        depth_mm=1.5,
        compare_library=False,
        seed=0,
        starts=1,
    )
    comparison = opt.comparison.assign(plan=[HOSTILE] * len(opt.comparison))
    hostile = dataclasses.replace(
        opt, objective_text=HOSTILE, active_constraints=[HOSTILE], comparison=comparison
    )
    page = _safe(hostile._repr_html_())
    assert page.startswith("<p><b>skinremodel PlanOptimum</b>")
    assert f"<li>{ESCAPED}</li>" in page
    assert _safe(hostile.to_html_section()) in page


def test_population_fit_escapes_its_table():
    cohort, _ = synthetic_cohort(3, omega={"s_w": 0.3}, observables=("total_collagen",))
    pf = sr.fit_population(cohort, random={"s_w": "lognormal"}, progress=False)
    pf.population = pf.population.rename(index={pf.population.index[0]: HOSTILE})
    _safe(pf._repr_html_())


def test_one_environment_renders_every_view():
    # The package writes no HTML of its own: no Python module builds tags in strings (the
    # templates do), and every template is rendered from Python or included by another one.
    env = _html.environment()
    assert env.autoescape is True
    assert _html.environment() is env  # one environment, built once
    tags = re.compile(r"""["']<(p|table|tr|td|th|ul|li|br|b|h2|div|section)\b""")
    writers = [
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if tags.search(p.read_text(encoding="utf-8"))
    ]
    assert writers == []
    rendered = {
        m.group(1)
        for p in PACKAGE.rglob("*.py")
        for m in re.finditer(r'render\(\s*"([^"]+)"', p.read_text(encoding="utf-8"))
    }
    templates = PACKAGE / "templates"
    shipped = {p.relative_to(templates).as_posix() for p in templates.rglob("*.j2")}
    included = {
        m.group(1)
        for p in templates.rglob("*.j2")
        for m in re.finditer(
            r'{%-?\s*(?:include|from|import)\s+"([^"]+)"', p.read_text(encoding="utf-8")
        )
    }
    assert rendered <= shipped and rendered | included == shipped
