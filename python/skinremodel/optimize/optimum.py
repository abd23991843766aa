"""The result of :func:`~skinremodel.optimize_plan`: the optimised plan, the library plans next
to it, the active constraints, the Pareto front; HTML, JSON save and load."""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .optimizer import (Candidate, PlanConstraints, _finalise, _schedule, _Setup,
                       _slsqp, draws_values, violations)
from ..plans.schedule import Schedule

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..patients.patient import Patient
    from ..model.parameters import Parameters

__all__ = ["PlanOptimum"]

_FORMAT = "skinremodel.PlanOptimum/1"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


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

    # ------------------------------------------------------------------ construction
    @classmethod
    def _build(cls, s: _Setup, best: Candidate, library: list[Any],
               per_count: dict[int, Candidate], all_draws: list[tuple[Patient, Parameters]],
               pareto: bool, seconds: float, seed: int) -> PlanOptimum:
        c = s.c
        pen = s.objective
        front, points = _pareto(s, per_count) if pareto else (None, [])
        if len(all_draws) == 1:
            # The front re-optimises every session count at three depths: keep a better plan.
            for p in points:
                o = p.benefit - pen.downtime_penalty * p.downtime_days - pen.per_session() * len(
                    p.days)
                if o > best.objective:
                    best = replace(p, objective=o, source="Pareto front: " + p.source)
        plan = _schedule(best.days, best.depths, best.device, c.start_date, "optimised plan")
        feasible = [(name, p, cand) for name, p, cand, _ in library if cand is not None]
        robust = len(all_draws) > 1
        info: dict[str, Any] = {"seed": seed, "evaluations": s.evaluations,
                                "robust": robust, "draws": len(all_draws),
                                "draws_while_optimising": len(s.draws),
                                "statistic": s.statistic}
        rows = []
        if robust:
            from .optimizer import _aggregate

            plans = [plan] + [p for _, p, _ in feasible]
            values = draws_values(s, plans, all_draws, s.threads)
            stats = [_aggregate(v, None, s.statistic)[0] for v in values]
            downtimes = [best.downtime_days] + [cand.downtime_days for _, _, cand in feasible]
            objs = [b - pen.downtime_penalty * d - pen.per_session() * len(p)
                    for b, d, p in zip(stats, downtimes, plans)]
            best_obj, best_benefit = objs[0], stats[0]
            # Optimised on a subsample: say so if a library plan does better on all draws.
            better = [name for (name, _, _), o in zip(feasible, objs[1:]) if o > best_obj]
            info["library_plans_better_on_all_draws"] = better
            lib_rows = [(name, p, stats[i + 1], downtimes[i + 1], objs[i + 1])
                        for i, (name, p, _) in enumerate(feasible)]
        else:
            best_obj, best_benefit = best.objective, best.benefit
            lib_rows = [(name, p, cand.benefit, cand.downtime_days, cand.objective)
                        for name, p, cand in feasible]
        rows.append(_row("optimised plan", plan, best_benefit, best.downtime_days, best_obj,
                         best_obj))
        for name, p, b, d, o in lib_rows:
            rows.append(_row(name, p, b, d, o, best_obj))
        comparison = pd.DataFrame(rows).sort_values("objective", ascending=False,
                                                    kind="stable").reset_index(drop=True)
        excluded = pd.DataFrame(
            [{"plan": name, "sessions": len(p), "days": _days_text(p),
              "breaks": "; ".join(broken)}
             for name, p, cand, broken in library if cand is None],
            columns=["plan", "sessions", "days", "breaks"])
        active = _active(plan, best, s)
        info["seconds"] = seconds
        info["evaluations"] = s.evaluations
        return cls(plan, best_obj, best_benefit, best.downtime_days,
                   pen.describe(c.horizon_days)
                   + (f"; {_stat_text(s.statistic)} over {len(all_draws)} draws"
                      if robust else ""),
                   c, comparison, excluded, active, front, info)

    # ------------------------------------------------------------------ views
    @property
    def gain_over_library(self) -> float:
        """Objective of the optimised plan less that of the best feasible library plan (NaN if
        none is feasible)."""
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
        sc = ax.scatter(self.pareto["sessions"], self.pareto["benefit"],
                        c=self.pareto["downtime_days"], cmap="viridis", s=60)
        for _, r in self.pareto.iterrows():
            ax.annotate(f"{r['depth_mm']:.2g} mm", (r["sessions"], r["benefit"]),
                        textcoords="offset points", xytext=(5, 4), fontsize=8)
        fig.colorbar(sc, ax=ax, label="total downtime (days)")
        ax.set_xlabel("sessions")
        ax.set_ylabel(self.objective_text.split(",")[0])
        ax.set_title("Pareto front: benefit vs sessions vs downtime")
        fig.tight_layout()
        return fig

    def to_html_section(self) -> str:
        """The "Optimised plan" section of the HTML report."""
        def _table_html(frame: pd.DataFrame, table_id: str) -> str:
            # pandas escapes every cell and header (escape=True)
            return frame.to_html(escape=True, border=0, table_id=table_id, index=False,
                                 na_rep="", float_format=lambda x: f"{x:.4g}")

        active = "".join(f"<li>{_esc(a)}</li>" for a in self.active_constraints) or \
            "<li>none (an interior optimum)</li>"
        gain = self.gain_over_library
        gain_text = ("no library plan satisfies the constraints" if math.isnan(gain) else
                     f"{gain:+.4g} over the best library plan satisfying the same constraints")
        table = self.comparison.drop(columns=["days"]).copy()
        out = (f"<h2 id='optimised-plan'>Optimised plan</h2>"
               f"<p><b>{_esc(self.schedule.to_text() if self._expressible() else _days_text(self.schedule))}</b>"
               f"<br>Days: {_esc(_days_text(self.schedule))}; depths (mm): "
               f"{_esc(', '.join(f'{z:g}' for z in self.schedule.depths))}.</p>"
               f"<p>Objective: {_esc(self.objective_text)} = {self.objective:.4g} "
               f"({_esc(gain_text)}); total downtime {self.downtime_days:.1f} days.</p>"
               f"<p>Active constraints:</p><ul>{active}</ul>"
               f"{_table_html(table, 'optimised-comparison')}")
        if len(self.excluded):
            out += ("<p>Library plans that break a constraint:</p>"
                    + _table_html(self.excluded, "optimised-excluded"))
        return out

    def _expressible(self) -> bool:
        try:
            self.schedule.to_text()
        except (ValueError, TypeError):
            return False
        return True

    def _repr_html_(self) -> str:
        return ("<p><b>skinremodel PlanOptimum</b> (research model, not a medical device)</p>"
                + self.to_html_section())

    def __repr__(self) -> str:
        return (f"<PlanOptimum: {len(self.schedule)} sessions on days "
                f"{_days_text(self.schedule)}; objective {self.objective:.4g}>")

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
            "info": {k: (v if not isinstance(v, np.generic) else v.item())
                     for k, v in self.info.items()},
        }

    @classmethod
    def from_dict(cls, data: Any) -> PlanOptimum:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(f"not a saved PlanOptimum (expected format {_FORMAT!r})")
        return cls(
            Schedule.from_json(json.dumps(data["schedule"])), float(data["objective"]),
            float(data["benefit"]), float(data["downtime_days"]), str(data["objective_text"]),
            PlanConstraints.from_dict(data["constraints"]),
            pd.DataFrame(data["comparison"]),
            pd.DataFrame(data["excluded"], columns=["plan", "sessions", "days", "breaks"]),
            list(data["active_constraints"]),
            None if data["pareto"] is None else pd.DataFrame(data["pareto"]),
            dict(data["info"]),
        )

    def to_json(self) -> str:
        """The result as JSON text (what :meth:`save` writes)."""
        return json.dumps(self.to_dict(), indent=1, allow_nan=True)

    def save(self, path: str | Path) -> None:
        """Write JSON atomically (a temporary file in the same folder, then renamed)."""
        from .._files import write_atomic

        write_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: str | Path) -> PlanOptimum:
        """Read a result written by :meth:`save`."""
        from .._files import read_text
        from ..limits import check_nesting

        text = read_text(path)  # bounded size, names the file
        check_nesting(f"{path}: ", text)
        return cls.from_dict(json.loads(text))


# ---------------------------------------------------------------------- helpers
def _stat_text(statistic: str | float) -> str:
    return "mean" if statistic == "mean" else f"{100 * float(statistic):g}th percentile"


def _days_text(plan: Schedule) -> str:
    return ", ".join(f"{d:g}" for d in plan.days)


def _row(name: str, plan: Schedule, benefit: float, downtime: float, objective: float,
         best: float) -> dict[str, Any]:
    dev = plan[0].device if len(plan) else None
    return {"plan": name, "sessions": len(plan), "days": _days_text(plan),
            "depth_mm": float(np.mean(plan.depths)) if len(plan) else math.nan,
            "device": "default" if dev is None else dev.describe(),
            "benefit": benefit, "downtime_days": downtime, "objective": objective,
            "gain_of_optimised": best - objective}


def _active(plan: Schedule, best: Candidate, s: _Setup) -> list[str]:
    """Constraints that bind: a tolerance of half a day or 0.01 mm."""
    c = s.c
    out = []
    n = len(plan)
    if n == c.max_sessions:
        out.append(f"max_sessions = {c.max_sessions}")
    if n == c.min_sessions and c.min_sessions > 1:
        out.append(f"min_sessions = {c.min_sessions}")
    allowed = np.flatnonzero(s.ok)
    if len(plan) and plan.days[0] <= allowed[0] + 0.5:
        out.append(f"first allowed day ({allowed[0]:g}: earliest day/date, screening)")
    if len(plan) and plan.days[-1] >= allowed[-1] - 0.5:
        out.append(f"last allowed day ({allowed[-1]:g})")
    gaps = np.diff(plan.days)
    k = int(np.sum(gaps <= c.min_interval_days + 0.5))
    if k:
        out.append(f"min_interval_days = {c.min_interval_days:g} ({k} interval(s))")
    if c.max_interval_days is not None:
        k = int(np.sum(gaps >= c.max_interval_days - 0.5))
        if k:
            out.append(f"max_interval_days = {c.max_interval_days:g} ({k} interval(s))")
    z = plan.depths
    if c.depth_mm[1] > c.depth_mm[0]:
        k = int(np.sum(z >= c.depth_cap - 0.01))
        if k:
            out.append(f"depth cap {c.depth_cap:g} mm ({k} session(s))")
        k = int(np.sum(z <= c.depth_mm[0] + 0.01))
        if k:
            out.append(f"lowest depth {c.depth_mm[0]:g} mm ({k} session(s))")
    if c.max_total_downtime_days is not None and \
            best.downtime_days >= c.max_total_downtime_days - 0.05 * max(1.0, best.downtime_days):
        out.append(f"max_total_downtime_days = {c.max_total_downtime_days:g}")
    blocked = [d for d in range(int(allowed[0]), int(allowed[-1]) + 1) if not s.ok[d]]
    if blocked and any(abs(d - b) <= 1 for d in plan.days for b in blocked):
        out.append("calendar (clinic days, blackout dates or screening) next to a session")
    return out


def _pareto(s: _Setup, per_count: dict[int, Candidate]
            ) -> tuple[pd.DataFrame, list[Candidate]]:
    """Best benefit for each session count and depth level; the non-dominated ones (maximise
    benefit, minimise sessions and downtime)."""
    c = s.c
    levels = sorted({c.depth_mm[0], 0.5 * (c.depth_mm[0] + c.depth_cap), c.depth_cap})
    points: list[Candidate] = []
    no_pen = replace(s, objective=replace(s.objective, downtime_penalty=0.0, session_penalty=0.0,
                                          cost_penalty=0.0))
    for n in sorted(per_count):
        for z in levels:
            sub = replace(no_pen, c=replace(c, depth_mm=(z, z), area=None, max_depth_mm=None,
                                            max_total_downtime_days=None))
            sub.downtime_table = s.downtime_table
            sub.evaluations = 0
            start = np.array(per_count[n].days)
            days, depths = _slsqp(sub, start, np.full(n, z), per_count[n].device)
            cand = _finalise(sub, days, depths, per_count[n].device, f"{n} sessions at {z:g} mm")
            if cand is None:
                continue
            plan = _schedule(cand.days, cand.depths, cand.device, c.start_date)
            if violations(plan, c, s.ok, cand.downtime_days):
                continue
            points.append(cand)
            s.evaluations += sub.evaluations
    keep = []
    for a in points:
        dominated = any(
            b.benefit >= a.benefit and len(b.days) <= len(a.days)
            and b.downtime_days <= a.downtime_days
            and (b.benefit > a.benefit or len(b.days) < len(a.days)
                 or b.downtime_days < a.downtime_days)
            for b in points)
        if not dominated:
            keep.append(a)
    frame = pd.DataFrame([{"sessions": len(p.days), "benefit": p.benefit,
                           "downtime_days": p.downtime_days,
                           "depth_mm": float(np.mean(p.depths)),
                           "days": ", ".join(f"{d:g}" for d in p.days)} for p in keep],
                         columns=["sessions", "benefit", "downtime_days", "depth_mm", "days"])
    return frame.sort_values(["sessions", "benefit"]).reset_index(drop=True), points

