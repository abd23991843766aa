"""Documentation stays true to the code; the command line works and fails cleanly."""

import subprocess
import sys
from pathlib import Path

import pytest

import skinremodel as sr
from skinremodel.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_parameter_tables_in_model_doc_are_current():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "model_docs.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_parameter_is_in_the_model_doc():
    doc = (ROOT / "docs" / "model.md").read_text()
    for name in sr.Parameters.default().names:
        assert f"`{name}`" in doc


def test_every_observable_is_in_the_model_doc():
    doc = (ROOT / "docs" / "model.md").read_text()
    for name in sr.OBSERVABLES:
        assert f"`{name}`" in doc


def test_demo_prints_table_and_writes_png(tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert main(["demo", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    for regimen in ("3 sessions, 2 weeks apart", "4 sessions, 4 weeks apart",
                    "4 sessions, 6 weeks apart", "monthly for 6 months"):
        assert regimen in text
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_numbers_are_physiological():
    from skinremodel.demo import regimen_table

    table, _ = regimen_table(sr.Patient(age=45))
    # More sessions, more collagen at 6 months; everything above baseline; redness 12-72 h.
    assert table.loc["monthly for 6 months", "collagen change 6 mo (%)"] > \
        table.loc["4 sessions, 4 weeks apart", "collagen change 6 mo (%)"]
    assert (table.filter(like="collagen change") > 0).all().all()
    assert table["redness after 1st session (h)"].between(12, 72).all()


def test_cli_bad_input_is_one_line_and_nonzero(capsys):
    assert main(["demo", "--age", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skinremodel: error:") and "age must be in [18, 100]" in err
    assert err.count("\n") == 1


def test_console_script_is_installed():
    out = subprocess.run(["skinremodel", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "demo" in out.stdout
