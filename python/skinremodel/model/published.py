"""The published microneedling outcome data shipped with the package (with their sources).

``data/published/observations.csv`` holds one row per outcome, study and time point, extracted
from abstracts (see ``data/published/README.md`` for how, and for what could not be read).
Only some rows carry numbers; the others record a measurement schedule and a direction.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["published_observations", "published_readme"]


def published_observations() -> pd.DataFrame:
    """Return the published observations (one row per study, outcome and day).

    Columns as in the CSV (``study_id``, ``citation``, ``url``, ``species``, ``n``,
    ``session_days``, ``outcome``, ``unit``, ``day_from_first_session``, ``mean``,
    ``sd_or_se``, ``notes``, ...). ``mean`` and ``day_from_first_session`` are kept as text
    (they may hold a range such as ``"60-80"`` or a bound such as ``"<=2"``); ``mean_value``
    and ``day`` are their numbers where they are one (NaN elsewhere).
    """
    source = resources.files("skinremodel").joinpath("data/published/observations.csv")
    with resources.as_file(source) as path:
        table = pd.read_csv(
            path, dtype={"mean": str, "sd_or_se": str, "day_from_first_session": str}
        )
    table["mean_value"] = pd.to_numeric(table["mean"], errors="coerce")
    table["day"] = pd.to_numeric(table["day_from_first_session"], errors="coerce")
    return table


def published_readme() -> str:
    """Return the README of the published data: sources, study summaries, limits."""
    return (
        resources.files("skinremodel")
        .joinpath("data/published/README.md")
        .read_text(encoding="utf-8")
    )
