"""Readable reprs, "did you mean", precise types and plots that explain themselves (issue 16)."""

from __future__ import annotations

import typing

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import skinremodel as sr  # noqa: E402

PLAN = sr.Schedule.regular(4, every_days=28, depth_mm=1.5)


@pytest.fixture(scope="module")
def res():
    return sr.simulate(PLAN, sr.Patient(age=45), days=200)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_parameters_repr_shows_values():
    d = sr.Parameters.default()
    text = repr(d)
    assert text.startswith("<Parameters: the ") and "shipped defaults" in text
    assert f"k_mat={d['k_mat']:.4g} 1/d" in text and "s_w=" in text
    assert len(text) < 200
    changed = repr(d.replace(k_mat=0.02, s_w=0.05))
    assert "2 changed" in changed and "k_mat=0.02 1/d (default" in changed
    many = d.replace(
        **{n: d[n] * 1.01 for n in ("k_mat", "s_w", "k_x", "k_m", "R_vis", "G_jnd", "kap_el")}
    )
    assert "and 1 more" in repr(many)


def test_schedule_repr_is_a_summary():
    long = sr.Schedule.regular(12, every_days=30, name="monthly")
    text = repr(long)
    assert text.startswith("<Schedule 'monthly'") and "12 sessions" in text
    assert "Session(" not in text and "..." in text and len(text) < 200
    assert "days 0, 28, 56, 84" in repr(PLAN)
    dated = PLAN.starting("2025-06-02")
    assert "from 2025-06-02" in repr(dated)


def test_result_repr_has_no_whole_patient(res):
    text = repr(res)
    assert "Patient(" not in text and "history" not in text
    assert "4 sessions" in text and "age 45" in text and "default parameters" in text
    changed = sr.simulate(PLAN, sr.Patient(age=60, smoker=True), days=30, params={"k_mat": 0.1})
    assert "age 60, smoker" in repr(changed) and "1 parameters changed" in repr(changed)


def test_result_repr_html_matches_reference(res):
    html = res._repr_html_()
    s = res.summary()
    rows = "".join(f"<tr><td>{k}</td><td>{v:.3g}</td></tr>" for k, v in s.items())
    expected = (
        "<p><b>skinremodel Result</b>: 4 sessions, 4 sessions simulated over 200 days; "
        "age 45; default parameters</p>"
        f"<table>{rows}</table>"
    )
    assert html == expected


def test_parameters_repr_html_matches_reference():
    p = sr.Parameters.default().replace(k_mat=0.02)
    d = sr.Parameters.default()["k_mat"]
    assert p._repr_html_() == (
        f"<p><b>Parameters</b>: {len(p)} values, 1 changed from the defaults</p>"
        "<table><tr><th>name</th><th>value</th><th>default</th><th>unit</th></tr>"
        f"<tr><td>k_mat</td><td>0.02</td><td>{d:g}</td><td>1/d</td></tr></table>"
    )


def test_fit_return_type_is_precise():
    # fit.py imports FitResult at module level (fit_result.py no longer imports fit): the
    # annotation resolves in fit's own module.
    assert typing.get_type_hints(sr.fit)["return"] is sr.FitResult


def test_did_you_mean_for_observables_and_metrics(res):
    with pytest.raises(KeyError, match="did you mean 'total_collagen'"):
        res["total_colagen"]
    with pytest.raises(KeyError, match="did you mean 'elastin'"):
        res.observable("elastn", res.pre_session)
    with pytest.raises(KeyError, match="did you mean 'visible_improvement'"):
        res.plot("visible_improvment")
    with pytest.raises(ValueError, match="did you mean 'redness_hours'"):
        sr.simulate_many(PLAN, days=30, metrics=["redness_hour"], progress=False)
    with pytest.raises(ValueError, match="did you mean 'total_collagen'"):
        sr.Population(3, seed=1).simulate(PLAN, days=10, observables="total_colagen")
    with pytest.raises(KeyError, match="choose from"):  # nothing close: the full list
        res["zzzz"]


def test_plot_labels_have_units(res):
    ax = res.plot("total_collagen")
    assert ax.get_ylabel() == "total collagen (x baseline)"
    assert ax.get_xlabel() == "day"
    ax = res.plot("total_collagen", percent=True)
    assert ax.get_ylabel() == "total collagen (% change from baseline)"
    ax = res.plot(["total_collagen", "elastin"])
    assert ax.get_ylabel() == "total collagen, elastin (x baseline)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "total collagen" in legend and "session" in legend


def test_sessions_are_marked_clearly(res):
    ax = res.plot("Cm")
    markers = [ln for ln in ax.lines if ln.get_marker() == "v"]
    assert len(markers) == 1 and len(markers[0].get_xdata()) == 4
    vlines = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert len(vlines) == 4


def test_redness_on_a_daily_grid_is_drawn_as_episodes(res):
    ax = res.plot("R")
    spans = [p for p in ax.patches]
    assert len(spans) == 4  # one redness episode per session
    widths = (
        sorted(round(p.get_width() * 24, 6) for p in spans)
        if hasattr(spans[0], "get_width")
        else []
    )
    assert widths == sorted(round(res.redness_hours(k), 6) for k in range(4))
    fine = sr.simulate(PLAN, days=3, t_eval=np.linspace(0, 3, 300))
    ax = fine.plot("R")
    assert not ax.patches and ax.lines[0].get_ydata().size == 300


def test_plot_overview(res):
    fig = res.plot_overview()
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 6
    labels = [a.get_ylabel() for a in axes]
    assert all("(" in label for label in labels)  # every panel has a unit
    assert any(a.get_xlabel() == "hours after session 1" for a in axes)
    fig = res.plot_overview(["total_collagen", "elastin"], percent=True, ncols=2)
    assert [a.get_ylabel() for a in fig.axes] == [
        "total collagen (% change from baseline)",
        "elastin (% change from baseline)",
    ]
    with pytest.raises(KeyError, match="did you mean"):
        res.plot_overview(["elastn"])


def test_bands_are_readable_where_they_overlap():
    pop = sr.Population(30, variability={"s_w": 0.3}, seed=2)
    ax = None
    for plan in (PLAN, sr.Schedule.regular(3, every_weeks=6, name="6-weekly")):
        bands = pop.simulate(plan, days=120, progress=False)
        ax = bands.plot(ax=ax)
    assert ax.get_ylabel() == "total collagen (x baseline)"
    fills = ax.collections
    assert len(fills) == 4 and all(f.get_alpha() <= 0.25 for f in fills)
    edges = [
        ln
        for ln in ax.lines
        if ln.get_linestyle() in (":", "--") and ln.get_marker() != "v" and len(ln.get_xdata()) > 2
    ]
    assert len(edges) == 8  # both edges of both bands of both plans
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend.count("session") == 1
