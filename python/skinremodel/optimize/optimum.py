"""The result of :func:`~skinremodel.optimize_plan`.

The optimised plan, the library plans next to it, the active constraints, the Pareto front;
HTML, JSON save and load.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._files import read_text, write_atomic
from .._html import render, table
from ..limits import check_nesting
from ..plans.schedule import Schedule
from .constraints import PlanConstraints

if TYPE_CHECKING:  # pragma: no cover
    from markupsafe import Markup
    from matplotlib.figure import Figure

__all__ = ["PlanOptimum", "days_text"]

_FORMAT = "skinremodel.PlanOptimum/1"


@dataclass
class PlanOptimum:
    """The optimised plan and how it compares.

    Attributes
    ----------
    schedule : Schedule
        The optimised plan.
    objective : float
        Its objective value (benefit less penalties; in robust mode, the statistic over all
        draws).
    benefit : float
        The objective variable (at the day or window mean) before penalties.
    downtime_days : float
        Total social downtime of the plan (simulated, the nominal patient).
    objective_text : str
        The objective in words.
    constraints : PlanConstraints
    comparison : pandas.DataFrame
        The optimised plan and every library plan that satisfies the constraints (one row each,
        best first), with the gain of the optimised plan over each; plans that break a
        constraint are listed in :attr:`excluded`.
    excluded : pandas.DataFrame
        Library plans left out, with the constraint each breaks.
    active_constraints : list of str
        Constraints that bind at the optimum.
    pareto : pandas.DataFrame or None
        Non-dominated plans (benefit, sessions, downtime) in multi-objective mode.
    info : dict
        Evaluations, seconds, seed, robust mode details.
    """

    schedule: Schedule
    objective: float
    benefit: float
    downtime_days: float
    objective_text: str
    constraints: PlanConstraints
    comparison: pd.DataFrame
    excluded: pd.DataFrame
    active_constraints: list[str]
    pareto: pd.DataFrame | None = None
    info: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ views
    @property
    def gain_over_library(self) -> float:
        """Objective of the optimised plan less that of the best feasible library plan.

        NaN if no library plan is feasible.
        """
        lib = self.comparison[self.comparison["plan"] != "optimised plan"]
        if lib.empty:
            return math.nan
        return float(self.objective - lib["objective"].max())

    def plot_pareto(self) -> Figure:
        """Benefit against sessions, coloured by downtime, of the Pareto front."""
        import matplotlib.pyplot as plt

        if self.pareto is None:
            raise ValueError("no Pareto front: call optimize_plan(..., pareto=True)")
        fig, ax = plt.subplots(figsize=(6.5, 4.0))
        sc = ax.scatter(
            self.pareto["sessions"],
            self.pareto["benefit"],
            c=self.pareto["downtime_days"],
            cmap="viridis",
            s=60,
        )
        for _, r in self.pareto.iterrows():
            ax.annotate(
                f"{r['depth_mm']:.2g} mm",
                (r["sessions"], r["benefit"]),
                textcoords="offset points",
                xytext=(5, 4),
                fontsize=8,
            )
        fig.colorbar(sc, ax=ax, label="total downtime (days)")
        ax.set_xlabel("sessions")
        ax.set_ylabel(self.objective_text.split(",")[0])
        ax.set_title("Pareto front: benefit vs sessions vs downtime")
        fig.tight_layout()
        return fig

    def to_html_section(self) -> str:
        """Return the "Optimised plan" section of the HTML report."""
        return render("_optimum.html.j2", optimum=self._html_context())

    def _html_context(self) -> dict[str, Any]:
        """Return what the "Optimised plan" section shows (``templates/_optimum.html.j2``)."""

        def _table(frame: pd.DataFrame, table_id: str) -> Markup:
            return table(
                frame,
                border=0,
                table_id=table_id,
                index=False,
                na_rep="",
                float_format=lambda x: f"{x:.4g}",
            )

        gain = self.gain_over_library
        return {
            "heading": (
                self.schedule.to_text() if self._expressible() else days_text(self.schedule)
            ),
            "days": days_text(self.schedule),
            "depths": ", ".join(f"{z:g}" for z in self.schedule.depths),
            "objective_text": self.objective_text,
            "objective": f"{self.objective:.4g}",
            "gain": (
                "no library plan satisfies the constraints"
                if math.isnan(gain)
                else f"{gain:+.4g} over the best library plan satisfying the same constraints"
            ),
            "downtime": f"{self.downtime_days:.1f}",
            "active": list(self.active_constraints),
            "comparison": _table(
                self.comparison.drop(columns=["days"]).copy(), "optimised-comparison"
            ),
            "excluded": (
                _table(self.excluded, "optimised-excluded") if len(self.excluded) else None
            ),
        }

    def _expressible(self) -> bool:
        try:
            self.schedule.to_text()
        except (ValueError, TypeError):
            return False
        return True

    def _repr_html_(self) -> str:
        return render("repr/plan_optimum.html.j2", optimum=self._html_context())

    def __repr__(self) -> str:
        return (
            f"<PlanOptimum: {len(self.schedule)} sessions on days "
            f"{days_text(self.schedule)}; objective {self.objective:.4g}>"
        )

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (read back by :meth:`from_dict`)."""
        return {
            "format": _FORMAT,
            "schedule": json.loads(self.schedule.to_json()),
            "objective": self.objective,
            "benefit": self.benefit,
            "downtime_days": self.downtime_days,
            "objective_text": self.objective_text,
            "constraints": self.constraints.to_dict(),
            "comparison": self.comparison.to_dict(orient="records"),
            "excluded": self.excluded.to_dict(orient="records"),
            "active_constraints": list(self.active_constraints),
            "pareto": None if self.pareto is None else self.pareto.to_dict(orient="records"),
            "info": {
                k: (v if not isinstance(v, np.generic) else v.item()) for k, v in self.info.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Any) -> PlanOptimum:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(f"not a saved PlanOptimum (expected format {_FORMAT!r})")
        return cls(
            Schedule.from_json(json.dumps(data["schedule"])),
            float(data["objective"]),
            float(data["benefit"]),
            float(data["downtime_days"]),
            str(data["objective_text"]),
            PlanConstraints.from_dict(data["constraints"]),
            pd.DataFrame(data["comparison"]),
            pd.DataFrame(data["excluded"], columns=["plan", "sessions", "days", "breaks"]),
            list(data["active_constraints"]),
            None if data["pareto"] is None else pd.DataFrame(data["pareto"]),
            dict(data["info"]),
        )

    def to_json(self) -> str:
        """Return the result as JSON text (what :meth:`save` writes)."""
        return json.dumps(self.to_dict(), indent=1, allow_nan=True)

    def save(self, path: str | Path) -> None:
        """Write JSON atomically (a temporary file in the same folder, then renamed)."""
        write_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: str | Path) -> PlanOptimum:
        """Read a result written by :meth:`save`."""
        text = read_text(path)  # bounded size, names the file
        check_nesting(f"{path}: ", text)
        return cls.from_dict(json.loads(text))


# ---------------------------------------------------------------------- helpers
def days_text(plan: Schedule) -> str:
    """Return the session days of a plan as text, e.g. ``"0, 28, 56"``."""
    return ", ".join(f"{d:g}" for d in plan.days)
