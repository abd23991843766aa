"""The README cannot rot: every Python block runs, in order, as a reader pastes them.

The blocks run in one namespace from a copy of the repository's ``examples/`` (the README's
paths are relative to the repository root), so files they write stay in a temporary folder.
No model numbers are asserted here (tests elsewhere do that), only what the blocks promise.
"""

import re
import shutil
from pathlib import Path

import pytest
import skinremodel as sr

ROOT = Path(__file__).resolve().parents[2]


def _python_blocks():
    return re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)


def test_readme_python_blocks_are_found():
    blocks = _python_blocks()
    assert len(blocks) >= 4
    assert any("sr.fit(" in b for b in blocks) and any("simulate_many(" in b for b in blocks)


def test_readme_example_data_files_are_shipped():
    text = (ROOT / "README.md").read_text()
    for name in re.findall(r'"(examples/[^"]+)"', text):
        assert (ROOT / name).is_file(), name


@pytest.mark.slow
def test_every_readme_python_block_runs_in_order(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__readme__"}
    for number, code in enumerate(_python_blocks(), start=1):
        exec(compile(code, f"README.md, python block {number}", "exec"), namespace)
    # What the blocks promise.
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "fit.json").is_file()
    assert isinstance(namespace["fit"], sr.FitResult)
    assert "k_mat" in namespace["fit"].table.index.astype(str).str.cat(sep=" ")
    batch = namespace["res"]
    assert isinstance(batch, sr.BatchResult)
    assert len(batch) == 2 * 3 * 2 and batch.n_failed == 0
    assert set(namespace["data"].subjects) == {"A", "B", "C", "D"}
