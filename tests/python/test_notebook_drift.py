"""Notebooks stay in step with their sources and with the shipped parameter values (issue 16)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
import skinremodel as sr

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "tools" / "notebooks").glob("[0-9]*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _make_notebooks():
    spec = importlib.util.spec_from_file_location(
        "make_notebooks", ROOT / "tools" / "make_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_source_has_its_notebook_and_back():
    assert [p.stem for p in SOURCES] == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_notebook_matches_its_source(source):
    """Fails when notebooks/ was edited without tools/notebooks/ (or not regenerated)."""
    expected = _make_notebooks().notebook(source)
    stored = nbformat.read(ROOT / "notebooks" / f"{source.stem}.ipynb", as_version=4)
    got = [(c.cell_type, c.source) for c in stored.cells]
    want = [(c.cell_type, c.source) for c in expected.cells]
    for k, (g, w) in enumerate(zip(got, want, strict=False)):
        assert g == w, (
            f"{source.stem} cell {k} differs from tools/notebooks/{source.name}; "
            "run python tools/make_notebooks.py"
        )
    assert len(got) == len(want)
    assert all(not c.get("outputs") for c in stored.cells if c.cell_type == "code"), (
        "notebooks are stored without outputs"
    )


# `name` = 0.035, `name=0.035`, `name` (0.035): a backticked parameter with a quoted value.
_QUOTE = re.compile(
    r"`(?P<name>[A-Za-z_][A-Za-z0-9_]*)`\s*(?:=|\(=?)\s*(?P<value>[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"
    r"|`(?P<name2>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value2>[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)`"
)


def stale_quotes(markdown: str) -> list[str]:
    """Parameter values quoted in prose that differ from the shipped defaults (3 digits)."""
    defaults = sr.Parameters.default()
    out = []
    for m in _QUOTE.finditer(markdown):
        name = m.group("name") or m.group("name2")
        text = m.group("value") or m.group("value2")
        if name not in defaults:
            continue
        quoted, default = float(text), defaults[name]
        digits = max(
            len(text.lstrip("+-").replace(".", "").lstrip("0").split("e")[0].split("E")[0]), 1
        )
        tolerance = (
            0.5 * 10 ** (-min(digits, 4) + 1) * abs(default)
        )  # half a unit of the last digit
        if abs(quoted - default) > max(tolerance, 1e-12):
            out.append(f"`{name}` quoted as {text}, default {default:.4g}")
    return out


def test_the_checker_catches_stale_values():
    d = sr.Parameters.default()
    assert stale_quotes("half the maturation rate (`k_mat` = 0.0075)") == [
        f"`k_mat` quoted as 0.0075, default {d['k_mat']:.4g}"
    ]
    assert stale_quotes("with `s_w=0.035`")  # the example, default 0.0313
    assert stale_quotes(f"the default `k_x` = {d['k_x']:.3g}/d") == []
    assert stale_quotes("`not_a_parameter` = 3") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_prose_quotes_the_shipped_defaults(path):
    nb = nbformat.read(path, as_version=4)
    problems = [
        f"cell {k}: {p}"
        for k, c in enumerate(nb.cells)
        if c.cell_type == "markdown"
        for p in stale_quotes(c.source)
    ]
    assert not problems, "; ".join(problems) + " (write {{default:NAME}} in tools/notebooks/)"


def test_docs_prose_quotes_the_shipped_defaults():
    """The same check on the user guide, where it quotes a value as `name` = value."""
    problems = []
    for doc in sorted((ROOT / "docs").glob("*.md")):
        problems += [f"{doc.name}: {p}" for p in stale_quotes(doc.read_text(encoding="utf-8"))]
    assert not problems, "; ".join(problems)
