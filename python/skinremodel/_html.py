"""The package's HTML: one Jinja2 environment over ``templates/``, with autoescape on.

Every piece of HTML the package writes is rendered here, from the templates shipped with it
(``python/skinremodel/templates/``): the Jupyter views (``_repr_html_``) of results,
parameters, screenings, fits, comparisons, optimised plans and population fits
(``templates/repr/``), the standalone report of a comparison (``report.html.j2``) and the page
of the web app (``app.html.j2``), which share partials (names starting with ``_``).

Autoescape is on for every template, so any text that reaches a page (plan, patient and
subject names, labels, override reasons, messages) is shown as text and runs nothing. The only
markup a template receives ready-made is a pandas table from :func:`table`, which pandas writes
with every cell and header escaped.

Jinja2 is imported when the first page is rendered, so ``import skinremodel`` does not load it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import jinja2
    import pandas as pd
    from markupsafe import Markup

__all__ = ["environment", "render", "table"]


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Return the Jinja2 environment of the package templates (autoescape on)."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("skinremodel", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, /, **context: Any) -> str:
    """Render a template of ``templates/`` (e.g. ``"repr/result.html.j2"``) with a context."""
    return environment().get_template(template).render(**context)


def table(frame: pd.DataFrame, **options: Any) -> Markup:
    """Return a DataFrame as an HTML table for a template, every cell and header escaped.

    ``options`` go to :meth:`pandas.DataFrame.to_html` (``escape`` is always True).
    """
    from markupsafe import Markup

    return Markup(frame.to_html(escape=True, **options))  # pandas escaped every cell
