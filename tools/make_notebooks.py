"""Write the notebooks in notebooks/ from the cell lists in tools/notebooks/<name>.py.

Run:  python tools/make_notebooks.py [name ...]   (default: every file in tools/notebooks/)

Each tools/notebooks/NN_title.py defines CELLS, a list of ("md" | "code", source) pairs, and
becomes notebooks/NN_title.ipynb without outputs; the test suite executes the notebooks with
nbmake. Keeping the source as plain Python makes notebooks reviewable; editing the .ipynb in
Jupyter is fine too, but regenerate from here before committing so the two stay the same
(tests/python/test_notebook_drift.py fails when they differ).

Markdown cells may quote a shipped parameter value as ``{{default:NAME}}``: it is replaced by
the live default (4 significant digits), so the prose follows recalibrations.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "tools" / "notebooks"
TARGET = ROOT / "notebooks"


_DEFAULT = re.compile(r"\{\{default:([A-Za-z_][A-Za-z0-9_]*)\}\}")


def fill_defaults(text: str) -> str:
    """Replace ``{{default:NAME}}`` by the shipped default of parameter NAME."""
    if "{{default:" not in text:
        return text
    import skinremodel as sr

    defaults = sr.Parameters.default()
    return _DEFAULT.sub(lambda m: f"{defaults[m.group(1)]:.4g}", text)


def notebook(source: Path) -> nbformat.NotebookNode:
    """Return the notebook that tools/notebooks/<name>.py describes (without writing it)."""
    spec = importlib.util.spec_from_file_location(source.stem, source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        new_markdown_cell(fill_defaults(s)) if kind == "md" else new_code_cell(s)
        for kind, s in module.CELLS
    ]
    for i, cell in enumerate(nb.cells):  # stable ids keep regenerated notebooks diff-free
        cell.id = f"cell-{i:02d}"
    return nb


def build(source: Path) -> Path:
    """Write notebooks/<name>.ipynb from tools/notebooks/<name>.py and return its path."""
    out = TARGET / f"{source.stem}.ipynb"
    nbformat.write(notebook(source), out)
    return out


def main(argv: list[str]) -> int:
    """Write the notebooks named in argv (default: every one) and return the exit status."""
    names = argv or [p.stem for p in sorted(SOURCES.glob("[0-9]*.py"))]
    for name in names:
        print("wrote", build(SOURCES / f"{name}.py"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
