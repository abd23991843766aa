"""Documentation stays true to the code; the command line works and fails cleanly."""

import subprocess
import sys
from pathlib import Path

import pytest
import skinremodel as sr
from skinremodel.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_parameter_tables_in_model_doc_are_current():
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "model_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_parameter_is_in_the_model_doc():
    doc = (ROOT / "docs" / "model.md").read_text()
    for name in sr.Parameters.default().names:
        assert f"`{name}`" in doc


def test_every_observable_is_in_the_model_doc():
    doc = (ROOT / "docs" / "model.md").read_text()
    for name in sr.OBSERVABLES:
        assert f"`{name}`" in doc


def test_demo_compares_the_plan_library_prints_the_table_and_writes_png(tmp_path, capsys):
    # What ./scripts/demo.sh runs: `skinremodel compare` on the built-in plans.
    png, report = tmp_path / "demo.png", tmp_path / "demo.html"
    assert (
        main(
            [
                "compare",
                "--patient",
                str(ROOT / "examples" / "patient_45.toml"),
                "--png",
                str(png),
                "--out",
                str(report),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    for title in sr.plans.all():
        assert title in text
    for column in (
        "Collagen change at 3 mo",
        "Collagen change at 6 mo",
        "Collagen change at 12 mo",
        "Redness after 1st session",
        "Visible improvement at 12 mo (x just noticeable)",
        "Noticeable",
    ):
        assert column in text
    assert "SCREENING: No contraindication or caution found" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert report.read_text().startswith("<!DOCTYPE html>")
    demo_sh = (ROOT / "scripts" / "demo.sh").read_text()
    assert "skinremodel compare --patient examples/patient_45.toml" in demo_sh
    assert "./scripts/demo.sh" in (ROOT / "README.md").read_text()


def test_demo_subcommand_is_the_same_comparison(tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert main(["demo", "--out", str(out), "--age", "45"]) == 0
    text = capsys.readouterr().out
    assert all(title in text for title in sr.plans.all())
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.filterwarnings("ignore::skinremodel.clinic.compare.HorizonWarning")
def test_demo_numbers_are_physiological():
    table = sr.compare(sr.plans.all(), sr.Patient(age=45)).table
    # More sessions, more collagen at 6 months; everything above baseline; redness 12-72 h.
    assert (
        table.loc["monthly for 4-6 months then yearly touch-ups", "collagen change 6 mo (%)"]
        > table.loc["4 sessions 4-6 weeks apart (up to 6)", "collagen change 6 mo (%)"]
    )
    assert (table.filter(like="collagen change") > 0).all().all()
    assert table["redness after 1st session (h)"].between(12, 72).all()


def test_cli_bad_input_is_one_line_and_nonzero(capsys):
    assert main(["demo", "--age", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skinremodel: error:") and "age must be in [18, 100]" in err
    assert err.count("\n") == 1


def test_every_screening_rule_and_library_plan_is_in_the_clinician_doc():
    from skinremodel.patients.screening import RULES

    doc = (ROOT / "docs" / "clinician.md").read_text()
    for rule in RULES:
        assert f"`{rule.code}`" in doc
    for name in sr.plans.list():
        assert f"`{name}`" in doc


def test_report_assumptions_match_the_model_doc():
    from skinremodel.clinic.report import ASSUMPTIONS

    doc = (ROOT / "docs" / "model.md").read_text().split("## Assumptions and limits")[1]
    doc = doc.split("\n#")[0]
    bullets = [" ".join(b.split()).replace("`", "") for b in doc.split("\n- ")[1:]]
    assert bullets == list(ASSUMPTIONS)


def test_console_script_is_installed():
    out = subprocess.run(["skinremodel", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "demo" in out.stdout


def test_performance_doc_shows_the_committed_benchmark_results():
    """benchmarks/peers.py writes benchmarks/results/peers.md and copies it into the docs."""
    results = (ROOT / "benchmarks" / "results" / "peers.md").read_text()
    doc = (ROOT / "docs" / "performance.md").read_text()
    begin = doc.index("<!-- benchmarks/results/peers.md:begin")
    block = doc[doc.index("\n", begin) + 1 : doc.index("<!-- benchmarks/results/peers.md:end -->")]
    assert block == results
    assert "Peer time / skinremodel time at equal accuracy" in block
    assert "| goal (at every accuracy 1e-2 .. 1e-6, interleaved, CPU time) |" in doc


def test_clinician_doc_pictures_exist_and_come_from_the_browser_test():
    # Written by tools/clinician_screenshots.py (the browser test with SKINREMODEL_SCREENSHOTS);
    # the suite never writes them into the repository.
    import re

    doc = (ROOT / "docs" / "clinician.md").read_text()
    pictures = re.findall(r"!\[[^\]]*\]\((figures/clinician/[^)]+)\)", doc)
    assert len(pictures) == 6
    browser_test = (ROOT / "tests" / "python" / "test_app_browser.py").read_text()
    for picture in pictures:
        path = ROOT / "docs" / picture
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
        assert f'"{path.name}"' in browser_test, picture
