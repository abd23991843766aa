"""The outcomes a comparison reports for each plan: milestones and the columns of its table.

:func:`plan_metrics` reads one simulated plan (a :class:`~skinremodel.Result`) at the
milestones of the horizon; :func:`metric_columns` names the columns in table order. The
definitions of every column are in :mod:`skinremodel.clinic.compare`. Comparisons with
uncertainty (:mod:`.uncertainty`) compute the same columns for every parameter draw.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.result import Result

__all__ = [
    "MILESTONES",
    "LOWER_IS_BETTER",
    "DEFAULT_OBJECTIVE",
    "GRADE_SCALES",
    "milestones",
    "metric_columns",
    "plan_metrics",
]

#: Days of the headline milestones and their labels (1 month = 30 days, 1 year = 365 days).
MILESTONES: tuple[tuple[float, str], ...] = ((90.0, "3 mo"), (180.0, "6 mo"), (365.0, "12 mo"))
#: Columns where a smaller value is better (used by :meth:`Comparison.rank`).
LOWER_IS_BETTER: tuple[str, ...] = (
    "sessions",
    "redness after 1st session (h)",
    "redness per session, mean (h)",
    "redness per session, max (h)",
    "downtime total (d)",
    "first visible (day)",
)
#: The default objective of :meth:`Comparison.rank`, ``{milestone}`` = the last milestone.
DEFAULT_OBJECTIVE: tuple[str, str] = (
    "visible improvement {milestone} (x just noticeable)",
    "downtime total (d)",
)
#: Clinical grades reported per plan: (observable, column prefix); the acne-scar grade only for
#: a patient with atrophic acne scars. Higher grades are worse: a negative change is better.
GRADE_SCALES: tuple[tuple[str, str], ...] = (
    ("lemperle_grade", "wrinkle grade (Lemperle 0-5)"),
    ("texture_grade", "texture grade (Alexiades-Armenakas 0-4)"),
    ("laxity_grade", "laxity grade (Alexiades-Armenakas 0-4)"),
    ("goodman_baron_grade", "acne-scar grade (Goodman-Baron 1-4)"),
)


def milestones(horizon: float) -> list[tuple[float, str]]:
    """Return the milestones within the horizon, ending with the horizon itself."""
    out = [(day, label) for day, label in MILESTONES if day <= horizon]
    if not out or out[-1][0] != horizon:
        out.append((horizon, _horizon_label(horizon)))
    return out


def _horizon_label(horizon: float) -> str:
    """Label a horizon: ``"18 mo"`` for whole months as the CLI counts them, else ``"day N"``.

    The CLI counts 1 y = 365 d and 1 mo = 30 d.
    """
    if horizon % 365 == 0:
        return f"{12 * int(horizon // 365)} mo"
    if horizon % 30 == 0:
        return f"{int(horizon // 30)} mo"
    return f"day {horizon:g}"


def metric_columns(marks: list[tuple[float, str]], acne_scars: bool) -> list[str]:
    """Return the names of the outcome columns of a comparison, in table order.

    Parameters
    ----------
    marks : list of (float, str)
        The milestones, ``(day, label)``, from :func:`milestones`; the last one labels the
        end-of-horizon columns.
    acne_scars : bool
        Whether the patient has atrophic acne scars (adds the acne-scar grade column).

    Returns
    -------
    list of str
        The columns :func:`plan_metrics` fills, in the order the comparison table shows them.
    """
    last = marks[-1][1]
    return [
        "redness after 1st session (h)",
        "redness per session, mean (h)",
        "redness per session, max (h)",
        "downtime total (d)",
        "first visible (day)",
        *(f"visible improvement {label} (model units)" for _, label in marks),
        *(f"collagen change {label} (%)" for _, label in marks),
        f"elastin change {last} (%)",
        "gain per session (pp)",
        *(f"visible improvement {label} (x just noticeable)" for _, label in marks),
        f"noticeable by {last}",
        *(
            f"{title} change {last} (grades)"
            for name, title in GRADE_SCALES
            if acne_scars or name != "goodman_baron_grade"
        ),
        f"GAIS {last}",
        f"patient-rated improvement {last} (%)",
    ]


def plan_metrics(res: Result, marks: list[tuple[float, str]], acne_scars: bool) -> dict[str, Any]:
    """Read the outcomes of one simulated plan at the milestones.

    Parameters
    ----------
    res : Result
        The simulated plan; its output days must include every milestone day.
    marks : list of (float, str)
        The milestones, ``(day, label)``, from :func:`milestones`.
    acne_scars : bool
        Whether the patient has atrophic acne scars (adds the acne-scar grade).

    Returns
    -------
    dict
        One value per column of :func:`metric_columns` (NaN where a plan has no session).
    """
    n = len(res.session_days)
    redness = [res.redness_hours(k) for k in range(n)]
    row: dict[str, Any] = {
        "redness after 1st session (h)": redness[0] if n else math.nan,
        "redness per session, mean (h)": float(np.mean(redness)) if n else math.nan,
        "redness per session, max (h)": max(redness) if n else math.nan,
        "downtime total (d)": sum(res.downtime_days(k) for k in range(n)),
        "first visible (day)": res.first_visible_day(),
    }
    index = {float(t): i for i, t in enumerate(res.t)}
    visible = res["visible_improvement"]
    collagen = res.percent_change("total_collagen")
    for day, label in marks:
        row[f"visible improvement {label} (model units)"] = float(visible[index[day]])
    for day, label in marks:
        row[f"collagen change {label} (%)"] = float(collagen[index[day]])
    last_day, last = marks[-1]
    row[f"elastin change {last} (%)"] = float(res.percent_change("elastin")[index[last_day]])
    done = int(np.count_nonzero(res.session_days <= last_day))
    row["gain per session (pp)"] = row[f"collagen change {last} (%)"] / done if done else math.nan
    jnd = float(res.effective_params["G_jnd"])
    for day, label in marks:
        row[f"visible improvement {label} (x just noticeable)"] = float(visible[index[day]]) / jnd
    row[f"noticeable by {last}"] = not math.isnan(res.first_visible_day())
    at = index[last_day]
    for name, title in GRADE_SCALES:
        if name == "goodman_baron_grade" and not acne_scars:
            continue
        grade = res[name]
        row[f"{title} change {last} (grades)"] = float(grade[at] - grade[0])
    row[f"GAIS {last}"] = float(res["gais"][at])
    row[f"patient-rated improvement {last} (%)"] = float(res["patient_rated_improvement"][at])
    return row
