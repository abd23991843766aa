"""The HTML report as a browser shows it: headless Chromium renders it, we read the DOM and take
a screenshot. scripts/test.sh installs Debian's chromium and sets SKINREMODEL_REQUIRE_CHROMIUM,
so there a missing browser fails instead of skipping."""

import base64
import os
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser

import matplotlib.image
import numpy as np
import pytest
import skinremodel as sr

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
XSS_NAME = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("SKINREMODEL_REQUIRE_CHROMIUM"):
            pytest.fail("chromium is not installed (scripts/test.sh installs Debian's chromium)")
        pytest.skip("chromium is not installed; ./scripts/test.sh installs it")
    return CHROMIUM


def run_chromium(browser, tmp_path, *args):
    flags = [
        "--headless",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    try:
        out = subprocess.run([browser, *flags, *args], capture_output=True, timeout=90)
    except subprocess.TimeoutExpired:
        # A script dialog (alert) blocks headless Chromium: an injected script would land here.
        pytest.fail(
            "chromium did not finish in 90 s; a script dialog such as alert() blocks "
            "headless Chromium, so an injected script probably ran"
        )
    assert out.returncode == 0, out.stderr.decode(errors="replace")[-2000:]
    return out.stdout.decode()


class Dom(HTMLParser):
    """Elements and text of a rendered DOM."""

    def __init__(self, markup):
        super().__init__()
        self.tags, self.text, self.images, self.tables = [], [], [], {}
        self._table = None
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "img":
            self.images.append(attrs)
        if tag == "table":
            self._table = attrs.get("id")
            self.tables[self._table] = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        self.text.append(data)
        if self._table is not None:
            self.tables[self._table].append(data.strip())


def injected(dom):
    """What a successful injection leaves in the rendered DOM (empty list: nothing)."""
    problems = [f"<{tag}> element" for tag, _ in dom.tags if tag in ("script", "iframe", "object")]
    problems += [f"event handler {k}" for _, attrs in dom.tags for k in attrs if k.startswith("on")]
    problems += [
        f"script ran ({k}={v})"
        for _, attrs in dom.tags
        for k, v in attrs.items()
        if k == "data-ran"
    ]
    return problems


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    patient = sr.Patient(
        age=62,
        diabetes="controlled",
        history={"other_skin_condition": "<img src=x onerror=alert(2)>"},
    )
    cmp = sr.compare(
        {XSS_NAME: "standard-course", "every 6 weeks": "every-6-weeks"},
        patient,
        override={"chronic_skin_condition": "<b onclick=alert(3)>reason</b> given by the clinic"},
    )
    path = folder / "report.html"
    cmp.to_html(path)
    return path, cmp


def test_report_renders_tables_and_plots_and_shows_names_as_text(browser, report, tmp_path):
    path, cmp = report
    dom = Dom(run_chromium(browser, tmp_path, "--dump-dom", path.as_uri()))
    assert injected(dom) == []
    text = " ".join(dom.text)
    assert XSS_NAME in text  # shown as text: the DOM holds it as characters, not as elements
    assert "<img src=x onerror=alert(2)>" in text and "<b onclick=alert(3)>reason</b>" in text
    assert "research model, not a medical device" in text
    # The tables: one column per plan in the comparison, one row per plan in the ranking.
    assert {"patient", "ranking", "comparison", "plans"} <= set(dom.tables)
    for name in cmp.plans:
        assert name in dom.tables["comparison"] and name in dom.tables["ranking"]
    assert "collagen change 12 mo (%)" in dom.tables["comparison"]
    value = f"{cmp.table.loc['every 6 weeks', 'collagen change 12 mo (%)']:.1f}"
    assert value in dom.tables["comparison"]
    # The clinical table: sorted by rank, the deciding column, rounded numbers with units.
    assert "Visible improvement at 12 mo (x just noticeable)" in dom.tables["ranking"]
    ranked = [cmp.rank().index[0], cmp.rank().index[1]]
    cells = dom.tables["ranking"]
    assert cells.index(ranked[0]) < cells.index(ranked[1])
    assert any(c.endswith(" grades") for c in cells) and any(c.endswith(" %") for c in cells)
    assert not [c for c in cells if re.search(r"\d\.\d\d", c)]  # at most one decimal
    assert "True" not in text and "False" not in text
    # The plots: one embedded PNG, a real figure.
    (img,) = dom.images
    assert img["src"].startswith("data:image/png;base64,")
    width, height = png_size(base64.b64decode(img["src"].split(",", 1)[1]))
    assert width > 800 and height > 500


def test_report_screenshot(browser, report, tmp_path):
    path, _ = report
    shot = tmp_path / "report.png"
    run_chromium(
        browser, tmp_path, f"--screenshot={shot}", "--window-size=1280,3200", path.as_uri()
    )
    data = shot.read_bytes()
    assert png_size(data) == (1280, 3200) and len(data) > 50_000
    pixels = matplotlib.image.imread(shot)[..., :3]
    ink = np.mean(pixels.min(axis=2) < 0.8)  # share of pixels that are not near-white
    assert 0.02 < ink < 0.9 and pixels.std() > 0.05
    # Colour from the plot lines (matplotlib's C0 blue) means the embedded figure was drawn.
    blue = (np.abs(pixels - np.array([0.12, 0.47, 0.71])).max(axis=2) < 0.08).sum()
    assert blue > 500


def test_the_injection_check_can_fail(browser, tmp_path):
    # Negative control: a name pasted unescaped is found by the same check. (alert() itself
    # would block headless Chromium, which run_chromium reports as a failure too; this script
    # marks the page instead, so the control shows that running scripts are detected.)
    name = "<script>document.body.setAttribute('data-ran', 'yes')</script>"
    page = tmp_path / "unsafe.html"
    page.write_text(f"<html><body><table><tr><td>{name}</td></tr></table></body></html>")
    dom = Dom(run_chromium(browser, tmp_path, "--dump-dom", page.as_uri()))
    problems = injected(dom)
    assert "<script> element" in problems and "script ran (data-ran=yes)" in problems
    assert name not in " ".join(dom.text)
