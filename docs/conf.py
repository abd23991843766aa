"""Sphinx configuration of the skinremodel documentation site.

Build (from the repository root, with the ``docs`` extra installed)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The user guide is the Markdown of ``docs/`` (MyST), the API reference is generated from the
numpy docstrings (autodoc, autosummary, napoleon), and the notebooks of ``notebooks/`` are
copied into ``docs/notebooks/`` and executed at build time by myst-nb, so the site shows
their outputs and figures. Nothing is fetched from the network (no intersphinx); MathJax is
referenced by URL and rendered by the reader's browser.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import skinremodel

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

# Progress bars would be captured as cell output of the executed notebooks.
os.environ["SKINREMODEL_PROGRESS"] = "0"
# Figures of the executed notebooks: the inline backend (a non-interactive MPLBACKEND inherited
# from a test run, e.g. Agg, would leave the pages without plots).
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"


def _copy_notebooks() -> None:
    """Copy notebooks/*.ipynb into docs/notebooks/, fixing links to the docs for their place."""
    target = DOCS / "notebooks"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        text = nb.read_text(encoding="utf-8")
        text = re.sub(r"\]\(\.\./docs/", "](../", text)  # ../docs/x.md -> ../x.md from here
        (target / nb.name).write_text(text, encoding="utf-8")


_copy_notebooks()
# autosummary regenerates its pages but never deletes one: a page of a module that has moved
# would stay behind and fail the build, so each build starts from none.
shutil.rmtree(DOCS / "generated", ignore_errors=True)

project = "skinremodel"
author = "skinremodel developers"
copyright = "skinremodel developers, BSD-3-Clause"  # noqa: A001
version = release = skinremodel.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]

exclude_patterns = ["_build", "generated/*.rst.tmp", "**/.ipynb_checkpoints"]
# .rst first: autosummary writes its generated pages (reStructuredText) with the first suffix.
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"

# MyST: $...$ math, heading anchors for links such as model.md#assumptions-and-limits.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# myst-nb: execute every notebook at build time; an error fails the build.
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# API reference from the numpy docstrings.
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_inherit_docstrings = False
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

html_theme = "furo"
html_title = f"skinremodel {release}"
html_static_path: list[str] = []
suppress_warnings = [
    # The generated parameter table of model.md (tools/model_docs.py) puts its groups under
    # H4 headings directly below an H2; harmless for the page.
    "myst.header",
    # Attribute names shared by several classes (Schedule.days, BatchResult.days) make the
    # plain-text types of numpy docstrings ambiguous cross-references; they render as text.
    "ref.python",
]
