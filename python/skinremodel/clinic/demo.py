"""The built-in demonstration: the plan library compared for one patient, printed and plotted.

``./scripts/demo.sh`` runs ``skinremodel compare`` on the built-in plans; ``skinremodel demo``
is the same comparison for a patient of a given age and needle length, without files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import plans as library
from .._files import write_atomic
from ..patients.patient import Patient
from .clinical_terms import clinical_table, deciding_column, horizon_in_words, verdict
from .compare import Comparison, compare

__all__ = ["print_comparison", "save_plot", "run_demo"]


def print_comparison(cmp: Comparison) -> None:
    """Print the screening verdict, the ranked table in clinical terms and the findings.

    The table is sorted by rank and shows the deciding column (visible improvement at the last
    milestone, in multiples of the just-noticeable change), whether the change is noticeable,
    the collagen change at 3, 6 and 12 months and the redness after the first session, rounded
    and with units.
    """
    p = cmp.patient
    print(
        f"Plans compared for a {p.age:g}-year-old (diabetes: {p.diabetes}) over "
        f"{horizon_in_words(cmp.days)} (research model, not a medical device):"
    )
    v = verdict(cmp)
    print(f"SCREENING: {v['title']}")
    for plan, rule, reason in v["overrides"]:
        print(f"OVERRIDDEN: {rule} for {plan!r}, reason: {reason!r}")
    table = clinical_table(cmp)
    last = cmp.last_milestone
    wanted = [
        "Plan",
        "Screening",
        "Sessions",
        deciding_column(cmp),
        "Noticeable",
        *(c for c in table.columns if c.startswith("Collagen change")),
        f"Wrinkle grade (Lemperle 0-5), change at {last}",
        "Redness after 1st session",
    ]
    shown = table[[c for c in wanted if c in table.columns]]
    with pd.option_context(
        "display.width", 250, "display.max_colwidth", 40, "display.max_columns", 20
    ):
        print(shown.to_string())
    print(f"rank: by {deciding_column(cmp)} (higher first), then less downtime")
    found: dict[str, list[str]] = {}
    for name, screening in cmp.screenings.items():
        for finding in screening.findings:
            found.setdefault(str(finding), []).append(name)
    for text, names in found.items():
        which = "all plans" if len(names) == len(cmp.plans) else "; ".join(names)
        print(f"screening ({which}): {text}")


def plot_png(cmp: Comparison) -> bytes:
    """Return the comparison figure (trajectories with session markers, headline bars) as PNG."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = cmp.plot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def save_plot(cmp: Comparison, path: str | Path) -> None:
    """Write the comparison figure as PNG, atomically (complete file or none)."""
    write_atomic(path, plot_png(cmp))


def run_demo(
    out: str | Path = "demo.png", age: float = 45.0, depth_mm: float = 1.5
) -> pd.DataFrame:
    """Compare the built-in plans for a patient of ``age`` at ``depth_mm``.

    Prints the table, writes the plot to ``out`` and returns the comparison table.
    """
    cmp = compare(library.all(depth_mm=depth_mm), Patient(age=age))
    print_comparison(cmp)
    save_plot(cmp, out)
    print(f"plot written to {out}")
    return cmp.table
