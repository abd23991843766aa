"""Matplotlib plots of results, with sessions marked on the time axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .model.variables import axis_label, variable_info

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .engine.result import Result

__all__ = ["plot_result", "plot_bands", "plot_overview", "mark_sessions", "label_of"]

#: Colour of the session markers.
SESSION_COLOR = "#7b3294"
#: Variables that change over hours: on a daily grid they are drawn as episodes, not spikes.
HOUR_SCALE = ("R", "erythema")


def label_of(name: str, *, percent: bool = False, unit: bool = True) -> str:
    """Readable label of a variable, with its unit (falls back to the name if unknown)."""
    try:
        return axis_label(name, percent=percent) if unit else variable_info(name).label
    except KeyError:
        return name


def mark_sessions(
    ax: Axes, days: Sequence[float] | np.ndarray, *, label: str | None = "session", **kwargs: Any
) -> None:
    """Mark each session day: a dashed vertical line and a triangle on the top edge.

    ``label`` names the markers once in the legend (None: not in the legend); other keywords
    style the lines (``color``, ``linewidth``, ...).
    """
    style: dict[str, Any] = {
        "color": SESSION_COLOR,
        "linewidth": 0.9,
        "linestyle": "--",
        "alpha": 0.55,
        "zorder": 0,
    }
    style.update(kwargs)
    marks = np.asarray(days, dtype=float)
    marks = marks[np.isfinite(marks)]
    for d in marks:
        ax.axvline(d, **style)
    if label and any(line.get_label() == label for line in ax.lines):
        label = None  # one legend entry per axes, however many plans are drawn
    if marks.size:
        ax.plot(
            marks,
            np.ones_like(marks),
            linestyle="none",
            marker="v",
            markersize=6,
            color=style["color"],
            transform=ax.get_xaxis_transform(),
            clip_on=False,
            label=label if label else "_nolegend_",
            zorder=3,
        )


def _coarse(t: np.ndarray) -> bool:
    """Tell whether output is too sparse for hour-scale quantities (more than 6 h apart)."""
    return t.size < 2 or float(np.median(np.diff(t))) > 0.25


def draw_redness_episodes(ax: Axes, result: Result, *, color: Any = "tab:red") -> None:
    """Shade each episode of visible redness (from root finding, not the output grid)."""
    first = True
    for k, day in enumerate(result.session_days):
        hours = result.redness_hours(k)
        if hours <= 0:
            continue
        ax.axvspan(
            day,
            day + hours / 24.0,
            color=color,
            alpha=0.25,
            linewidth=0,
            label="visible redness episode" if first else "_nolegend_",
        )
        first = False


def plot_result(
    result: Result,
    variables: str | Sequence[str] = "total_collagen",
    ax: Axes | None = None,
    *,
    percent: bool = False,
    label: str | None = None,
    sessions: bool = True,
    **line_kwargs: Any,
) -> Axes:
    """Plot one or more variables of a result against day.

    Parameters
    ----------
    result : Result
    variables : str or sequence of str
        State or observable names.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    percent : bool
        Plot the percent change from baseline instead of the value.
    label : str, optional
        Legend label (default: the variable name).
    sessions : bool
        Mark the session days.
    """
    import matplotlib.pyplot as plt

    names = [variables] if isinstance(variables, str) else list(variables)
    for name in names:
        result[name]  # unknown names raise KeyError with suggestions
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    lines = [n for n in names if not (n in HOUR_SCALE and _coarse(result.t) and not percent)]
    for name in names:
        if name not in lines:  # hours-long redness on a daily grid would be needle spikes
            draw_redness_episodes(ax, result)
            continue
        values = result.percent_change(name) if percent else result[name]
        text = label if (label is not None and len(names) == 1) else label_of(name, unit=False)
        ax.plot(result.t, values, label=text, **line_kwargs)
    if sessions:
        mark_sessions(ax, result.session_days)
    ax.set_xlabel("day")
    if lines:
        ax.set_ylabel(
            label_of(lines[0], percent=percent) if len(lines) == 1 else _joint_label(lines, percent)
        )
    else:
        ax.set_yticks([])
        ax.set_ylabel("visible redness (episodes)")
    ax.legend(frameon=False)
    return ax


def _joint_label(names: Sequence[str], percent: bool) -> str:
    try:
        return axis_label(names, percent=percent)
    except KeyError:
        return ", ".join(names)


def plot_bands(
    bands: pd.DataFrame,
    observable: str | None = None,
    ax: Axes | None = None,
    *,
    label: str | None = None,
    color: Any = None,
    sessions: bool = True,
) -> Axes:
    """Plot population prediction bands (see :meth:`Population.simulate`): median and bands.

    Quantiles q and 1 - q that are both present are shaded, the outer bands lighter.

    Parameters
    ----------
    bands : PredictionBands
    observable : str, optional
        Which observable (default: the first of the bands).
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    label : str, optional
        Legend label (default: the plan name).
    color : optional
        Matplotlib colour of the median and the bands.
    sessions : bool
        Mark the plan's session days.
    """
    import matplotlib.pyplot as plt

    observables = list(dict.fromkeys(bands.index.get_level_values("observable")))
    name = observables[0] if observable is None else observable
    if name not in observables:
        raise KeyError(f"no bands for {name!r}; these bands have {', '.join(observables)}")
    frame = bands.xs(name, level="observable")
    qs = [float(q) for q in bands.attrs.get("quantiles", [])] or [
        float(c.rstrip("%")) / 100 for c in frame.columns
    ]
    labels = dict(zip(qs, frame.columns, strict=True))
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    text = label if label is not None else str(bands.attrs.get("plan", name))
    median = labels.get(0.5)
    if median is not None:
        (line,) = ax.plot(frame.index, frame[median], color=color, label=f"{text} (median)")
        color = line.get_color()
    pairs = sorted(
        (q for q in qs if q < 0.5 and any(abs(1 - q - r) < 1e-12 for r in qs)), reverse=True
    )
    # Inner bands darker, outer lighter; every band edge is also a thin line, so bands of
    # several plans on one axes stay readable where they overlap.
    for depth, q in enumerate(pairs):
        upper = next(labels[r] for r in qs if abs(1 - q - r) < 1e-12)
        outer = depth == len(pairs) - 1
        ax.fill_between(
            frame.index,
            frame[labels[q]],
            frame[upper],
            color=color,
            alpha=0.12 + 0.1 * (len(pairs) - 1 - depth),
            linewidth=0,
            label=f"{text} {labels[q]}-{upper}",
        )
        for edge in (labels[q], upper):
            ax.plot(
                frame.index,
                frame[edge],
                color=color,
                linewidth=0.7,
                linestyle=":" if outer else "--",
                alpha=0.9,
                label="_nolegend_",
            )
    if sessions:
        mark_sessions(ax, bands.attrs.get("session_days", []))
    ax.set_xlabel("day")
    ax.set_ylabel(label_of(name))
    ax.legend(frameon=False)
    return ax


#: Panels of :func:`plot_overview` by default.
OVERVIEW = (
    "total_collagen",
    "mature_collagen",
    "elastin",
    "visible_improvement",
    "R",
    "patient_rated_improvement",
)


def plot_overview(
    result: Result, variables: Sequence[str] | None = None, *, percent: bool = False, ncols: int = 3
) -> Figure:
    """Plot a grid of panels, one per variable, with units and sessions (Result.plot_overview).

    Hour-scale redness gets its own panel on an hours axis after the first session,
    simulated again at a fine grid (a few milliseconds), with the visibility threshold.
    """
    import matplotlib.pyplot as plt

    names = list(OVERVIEW if variables is None else variables)
    for name in names:
        result[name]  # unknown names raise KeyError with suggestions
    ncols = max(1, min(ncols, len(names)))
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.0 * nrows), squeeze=False)
    for ax, name in zip(axes.ravel(), names, strict=False):
        if name in HOUR_SCALE and len(result.session_days):
            _redness_panel(ax, result, name)
        else:
            pct = percent and name not in HOUR_SCALE
            values = result.percent_change(name) if pct else result[name]
            ax.plot(result.t, values, color="tab:blue")
            mark_sessions(ax, result.session_days, label=None)
            ax.set_xlabel("day")
            ax.set_ylabel(label_of(name, percent=pct), fontsize=8)
        ax.set_title(label_of(name, unit=False), fontsize=10)
    for ax in axes.ravel()[len(names) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"{result.schedule.label()}; age {result.patient.age:g} (sessions marked by triangles)",
        fontsize=11,
    )
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 0.95))
    return fig


def _redness_panel(ax: Axes, result: Result, name: str) -> None:
    start = float(result.session_days[0])
    span = min(4.0, result.horizon - start)
    fine = result._rerun(t_eval=np.linspace(start, start + span, 400))
    hours = (fine.t - start) * 24.0
    ax.plot(hours, fine[name], color="tab:red")
    level = fine.effective_params["R_vis"]
    ax.axhline(level, color="k", linewidth=0.8, linestyle="--", label="visible above")
    ax.axvspan(
        0,
        result.redness_hours(0),
        color="tab:red",
        alpha=0.12,
        linewidth=0,
        label=f"visible {result.redness_hours(0):.0f} h",
    )
    ax.set_xlabel("hours after session 1")
    ax.set_ylabel(label_of(name), fontsize=8)
    ax.legend(frameon=False, fontsize=8)
