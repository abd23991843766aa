"""The documentation site builds warning-free and shows the API and executed notebooks (issue 16).

Builds with Sphinx exactly as the README says (``-W``: any warning fails), into a temporary
directory, executing every notebook (myst-nb); then checks the HTML.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-q",
            str(ROOT / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-5000:]
    return out


@pytest.mark.slow
def test_user_guide_and_equations(site):
    for page in (
        "index",
        "model",
        "equations",
        "clinician",
        "populations",
        "fitting",
        "solvers",
        "performance",
    ):
        assert (site / f"{page}.html").exists(), page
    equations = (site / "equations.html").read_text(encoding="utf-8")
    assert equations.count('class="math') >= 5  # display math, rendered by MathJax
    assert "mathjax" in equations.lower()
    model = (site / "model.html").read_text(encoding="utf-8")
    assert "persistence_24_months.png" in model  # figures of the guide are copied


@pytest.mark.slow
def test_api_reference_pages(site):
    api = (site / "api.html").read_text(encoding="utf-8")
    for name in (
        "skinremodel.simulate",
        "skinremodel.Result",
        "skinremodel.Population",
        "skinremodel.fit",
        "skinremodel.simulate_many",
    ):
        page = site / "generated" / f"{name}.html"
        assert page.exists(), name
        assert f"generated/{name}.html" in api
    result = (site / "generated" / "skinremodel.Result.html").read_text(encoding="utf-8")
    for method in ("to_xarray", "save", "load", "plot_overview", "redness_hours"):
        assert f"skinremodel.Result.{method}" in result, method
    assert "Parameters" in result  # numpy docstring sections rendered


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_executed_with_figures(site, name):
    html = (site / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
    assert "cell_output" in html, "no outputs: the notebook was not executed"
    images = re.findall(r'<img[^>]+src="([^"]+\.png)"', html)
    assert images, f"{name}: no figures in the rendered notebook"
    for src in images:
        assert (site / "notebooks" / src).resolve().exists(), src
    assert "Traceback" not in html
