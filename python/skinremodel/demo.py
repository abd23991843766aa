"""The built-in demonstration: the usual clinic regimens compared for one patient."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .patient import Patient
from .schedule import Schedule
from .simulate import simulate

__all__ = ["clinic_regimens", "regimen_table", "run_demo"]


def clinic_regimens(depth_mm: float = 1.5) -> dict[str, Schedule]:
    """The four regimens of the demo (1 month = 30 days)."""
    return {
        "3 sessions, 2 weeks apart": Schedule.regular(3, every_weeks=2, depth_mm=depth_mm),
        "4 sessions, 4 weeks apart": Schedule.regular(4, every_weeks=4, depth_mm=depth_mm),
        "4 sessions, 6 weeks apart": Schedule.regular(4, every_weeks=6, depth_mm=depth_mm),
        "monthly for 6 months": Schedule.regular(6, every_days=30, depth_mm=depth_mm),
    }


def regimen_table(patient: Patient, depth_mm: float = 1.5) -> tuple[pd.DataFrame, dict]:
    """Simulate each regimen for a year; return the table and the results by name."""
    results = {name: simulate(plan, patient, days=365) for name, plan in clinic_regimens(depth_mm).items()}
    rows = []
    for name, res in results.items():
        change = res.percent_change("total_collagen")
        rows.append(
            {
                "regimen": name,
                "sessions": len(res.session_days),
                "collagen change 3 mo (%)": change[90],
                "collagen change 6 mo (%)": change[180],
                "collagen change 12 mo (%)": change[365],
                "redness after 1st session (h)": res.redness_hours(0),
            }
        )
    return pd.DataFrame(rows).set_index("regimen"), results


def run_demo(out: str | Path = "demo.png", age: float = 45.0, depth_mm: float = 1.5) -> pd.DataFrame:
    """Print the regimen comparison and write a PNG of total collagen against day."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import mark_sessions

    patient = Patient(age=age)
    table, results = regimen_table(patient, depth_mm)
    fig, axes = plt.subplots(len(results), 1, figsize=(8, 2.2 * len(results)), sharex=True,
                             sharey=True)
    for ax, (name, res) in zip(axes, results.items(), strict=True):
        ax.plot(res.t, res.percent_change("total_collagen"), color="C0")
        mark_sessions(ax, res.session_days, color="C3", linestyle="-", linewidth=1.0, alpha=0.6)
        ax.set_title(name, fontsize=10, loc="left")
        ax.set_ylabel("collagen (%)")
    axes[-1].set_xlabel("day (red lines: sessions)")
    fig.suptitle(f"Total collagen change, age {age:g}, {depth_mm:g} mm")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    with pd.option_context("display.float_format", "{:.1f}".format, "display.width", 120):
        print(f"Clinic regimens for a {age:g}-year-old at {depth_mm:g} mm (research model, "
              "not a medical device):")
        print(table.to_string())
    print(f"plot written to {out}")
    return table
