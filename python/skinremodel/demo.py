"""The built-in demonstration: the plan library compared for one patient, printed and plotted.

``./scripts/demo.sh`` runs ``skinremodel compare`` on the built-in plans; ``skinremodel demo``
is the same comparison for a patient of a given age and needle length, without files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import plans as library
from .compare import Comparison, compare
from .patient import Patient

__all__ = ["print_comparison", "save_plot", "run_demo"]


def print_comparison(cmp: Comparison) -> None:
    """Print the headline table, the ranking and the screening findings.

    The table has the collagen change at 3, 6 and 12 months and the redness after the first
    session.
    """
    table = cmp.headline().copy()
    table.insert(0, "rank", cmp.rank()["rank"].reindex(table.index))
    p = cmp.patient
    print(f"Plans compared for a {p.age:g}-year-old (diabetes: {p.diabetes}) over "
          f"{cmp.horizon_days:g} days (research model, not a medical device):")
    with pd.option_context("display.float_format", "{:.1f}".format, "display.width", 160,
                           "display.max_colwidth", 48):
        print(table.to_string())
    print(f"rank: by {' then '.join(cmp.objective)}")
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
    from ._files import write_atomic

    write_atomic(path, plot_png(cmp))


def run_demo(out: str | Path = "demo.png", age: float = 45.0,
             depth_mm: float = 1.5) -> pd.DataFrame:
    """Compare the built-in plans for a patient of ``age`` at ``depth_mm``.

    Prints the table, writes the plot to ``out`` and returns the comparison table.
    """
    cmp = compare(library.all(depth_mm=depth_mm), Patient(age=age))
    print_comparison(cmp)
    save_plot(cmp, out)
    print(f"plot written to {out}")
    return cmp.table
