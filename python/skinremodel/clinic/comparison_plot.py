"""The figure of a plan comparison: trajectories with session markers and headline bars."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..engine.result import Result
    from .compare import Comparison

__all__ = ["plot_comparison", "plain_label"]


def plain_label(text: str, width: int = 38) -> str:
    """Return a plan name as matplotlib text: wrapped, with ``$`` escaped.

    Escaping keeps a name from being read as mathtext (an unbalanced ``$`` would make the plot
    fail).
    """
    return "\n".join(textwrap.wrap(text, width) or [""]).replace("$", r"\$")


def _trajectory(ax: Axes, res: Result, values: np.ndarray, color: str, label: str) -> None:
    ax.plot(res.t, values, color=color, label=label, linewidth=1.6)
    # Session markers on the curve, at the post-session value of each session day.
    at = np.interp(res.session_days, res.t, values)
    ax.plot(
        res.session_days,
        at,
        linestyle="none",
        marker="v",
        markersize=6,
        color=color,
        markeredgecolor="white",
        markeredgewidth=0.6,
    )


def plot_comparison(cmp: Comparison, figsize: tuple[float, float] = (12.0, 8.0)) -> Figure:
    """Draw the comparison figure and return it.

    Top: visible improvement (G in multiples of the just-noticeable change,
    clipped at 0: the model's brief dip after a first session is shown as no visible change)
    and total collagen against day for every simulated plan, with a marker (triangle) at each
    session. Bottom: bars of four headline outcomes.
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    grid = fig.add_gridspec(2, 4, height_ratios=[1.4, 1.0])
    ax_g = fig.add_subplot(grid[0, :2])
    ax_c = fig.add_subplot(grid[0, 2:], sharex=ax_g)
    names = [n for n, r in cmp.results.items() if r is not None]
    colors = {n: f"C{i % 10}" for i, n in enumerate(names)}
    for name in names:
        res = cmp.results[name]
        assert res is not None
        label = plain_label(name)
        jnd = float(res.effective_params["G_jnd"])
        _trajectory(
            ax_g, res, np.maximum(res["visible_improvement"] / jnd, 0.0), colors[name], label
        )
        _trajectory(ax_c, res, res.percent_change("total_collagen"), colors[name], label)
    if names:
        ax_g.axhline(1.0, color="0.3", linewidth=0.8, linestyle="--", label="just noticeable (1x)")
    ax_g.set_title("Visible improvement (triangles: sessions)", loc="left", fontsize=10)
    ax_g.set_xlabel("day")
    ax_g.set_ylabel("x just-noticeable change (0 = none)")
    ax_g.set_ylim(bottom=0.0)
    ax_c.set_title("Total collagen (triangles: sessions)", loc="left", fontsize=10)
    ax_c.set_xlabel("day")
    ax_c.set_ylabel("% change from baseline")
    ax_g.legend(frameon=False, fontsize=8, loc="upper left")

    last = cmp.last_milestone
    metrics = [
        (f"collagen change {last} (%)", f"collagen {last} (%)"),
        (
            f"visible improvement {last} (x just noticeable)",
            f"visible improvement {last} (x just noticeable)",
        ),
        ("downtime total (d)", "downtime, total (days)"),
        ("redness per session, mean (h)", "redness per session (h)"),
    ]
    y = np.arange(len(names))
    for k, (column, title) in enumerate(metrics):
        ax = fig.add_subplot(grid[1, k])
        values = [max(float(cmp.table[column][n]), 0.0) for n in names]
        ax.barh(y, values, color=[colors[n] for n in names])
        ax.set_yticks(
            y, [plain_label(n, 22) for n in names] if k == 0 else [""] * len(names), fontsize=7
        )
        ax.invert_yaxis()
        ax.set_title(title, fontsize=9, loc="left")
        ax.grid(axis="x", color="0.9")
    blocked = [n for n, r in cmp.results.items() if r is None]
    note = f"   Not simulated (screening): {', '.join(blocked)}" if blocked else ""
    fig.suptitle(
        plain_label(
            f"Plans compared over {cmp.days:g} days (research model, not a medical device){note}",
            140,
        ),
        fontsize=11,
    )
    return fig
