"""A comparison in clinical terms: the words, units and rounding of reports, the CLI and the app.

Everything a clinician reads goes through here, so the HTML report, the command line and the
web app say the same thing in the same way:

- the screening **verdict** (:func:`verdict`) and, for each blocked plan, why it is blocked and
  what would unblock it (:func:`unblock_hint`);
- the patient and the history in words (:func:`patient_rows`, :func:`history_in_words`): dates
  as "15 November 2024", yes/no instead of True/False;
- the comparison table (:func:`clinical_table`), sorted by rank with the deciding column, every
  number rounded to what the model can support and labelled with its unit or scale;
- a rounded CSV (:func:`rounded_table`) and the horizon with units (:func:`parse_horizon`).

The visible improvement G is shown **in multiples of the just-noticeable
change** (1x = a change an observer just notices, the model's G_jnd). The model's index dips
slightly below 0 for a few days after a first session (the needle injury comes before new
collagen); what a clinician sees is clipped at 0 ("no visible change yet"), and the plots say so.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import fields
from typing import TYPE_CHECKING, Any

import pandas as pd
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

from ..patients.patient import COVARIATE_LABELS
from ..patients.screening import (
    ISOTRETINOIN_WASHOUT_MONTHS,
    RADIOTHERAPY_WASHOUT_MONTHS,
    RULES,
    TOPICAL_WINDOW_DAYS,
    Finding,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..patients.history import MedicalHistory
    from ..patients.patient import Patient
    from .compare import Comparison

__all__ = [
    "yes_no",
    "date_in_words",
    "message_in_words",
    "history_in_words",
    "patient_rows",
    "parse_horizon",
    "horizon_in_words",
    "verdict",
    "unblock_hint",
    "clinical_table",
    "rounded_table",
    "deciding_column",
    "VISIBLE_NOTE",
]

VISIBLE_NOTE = (
    "Visible improvement is the model's visible improvement in multiples of the just-noticeable "
    "change (1x = a change an observer just notices). The index dips slightly below 0 for a "
    "few days after a first session (the needle injury comes before new collagen); that is "
    "shown as 0, no visible change yet."
)

_HISTORY_WORDS: dict[str, str] = {
    "pregnant": "Pregnant",
    "active_acne": "Active acne in the area",
    "rosacea_flare": "Rosacea flare",
    "eczema": "Eczema in the area",
    "psoriasis": "Psoriasis in the area",
    "other_skin_condition": "Other chronic skin condition",
    "open_wound": "Open wound or infection in the area",
    "keloid_history": "Keloid or hypertrophic scars in the past",
    "on_isotretinoin": "Taking isotretinoin now",
    "isotretinoin_stopped": "Isotretinoin, last dose",
    "radiotherapy_ended": "Radiation therapy to the area, last day",
    "last_retinoid_use": "Topical retinoid, last use",
    "last_sun_exposure": "Prolonged sun exposure or sunburn, last",
}


def yes_no(value: object) -> str:
    """Return ``"yes"`` or ``"no"`` for a truth value."""
    return "yes" if bool(value) else "no"


def date_in_words(day: dt.date) -> str:
    """Return a date as words, e.g. ``"15 November 2024"``."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


_SESSION_REF = re.compile(r"sessions\[(\d+)\](?: \((\d{4}-\d{2}-\d{2})\))?")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def message_in_words(message: str) -> str:
    """Return a screening message for clinicians: sessions counted from 1, dates in words.

    ``"sessions[0] (2025-06-10)"`` becomes ``"session 1 (10 June 2025)"`` and any other ISO
    date ``"2025-01-20"`` becomes ``"20 January 2025"``.
    """

    def session(match: re.Match[str]) -> str:
        text = f"session {int(match.group(1)) + 1}"
        return text + (f" ({match.group(2)})" if match.group(2) else "")

    def date(match: re.Match[str]) -> str:
        try:
            return date_in_words(dt.date.fromisoformat(match.group(0)))
        except ValueError:
            return match.group(0)

    return _ISO_DATE.sub(date, _SESSION_REF.sub(session, message))


def history_in_words(history: MedicalHistory) -> list[tuple[str, str]]:
    """Return what the history records as (item, value) pairs in words.

    Dates are written out ("15 November 2024"), conditions as "yes"; items left at their
    default (no / never) are omitted, and an empty history gives one row "Nothing recorded".
    """
    rows = []
    for f in fields(history):
        value = getattr(history, f.name)
        if value == f.default:
            continue
        label = _HISTORY_WORDS.get(f.name, f.name.replace("_", " ").capitalize())
        if isinstance(value, dt.date):
            rows.append((label, date_in_words(value)))
        elif isinstance(value, bool):
            rows.append((label, yes_no(value)))
        else:
            rows.append((label, str(value)))
    return rows or [("Medical history", "nothing recorded")]


def patient_rows(patient: Patient) -> list[tuple[str, str]]:
    """Return the patient's covariates as (item, value) pairs in words, with units."""
    words = {
        "age": f"{patient.age:g} years",
        "diabetes": {
            "none": "no",
            "controlled": "yes, controlled",
            "poor": "yes, poorly controlled",
        }.get(patient.diabetes, patient.diabetes),
        "vitamin_c": str(patient.vitamin_c),
        "phototype": _roman(int(patient.phototype)),
    }
    return [
        (label, words[name] if name in words else yes_no(getattr(patient, name)))
        for name, (label, _) in COVARIATE_LABELS.items()
    ]


def _roman(n: int) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}.get(n, str(n))


_HORIZON = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$")
_UNITS = {
    "d": 1.0,
    "day": 1.0,
    "days": 1.0,
    "w": 7.0,
    "wk": 7.0,
    "week": 7.0,
    "weeks": 7.0,
    "mo": 30.0,
    "month": 30.0,
    "months": 30.0,
    "y": 365.0,
    "yr": 365.0,
    "year": 365.0,
    "years": 365.0,
}


def parse_horizon(text: str | float) -> float:
    """Return a horizon in days from ``"365d"``, ``"12mo"``, ``"1y"``, ``"26w"`` or a number.

    Units follow the plans (1 month = 30 days, 1 year = 365 days), except that whole years
    written in months (12, 24, ... months) are 365 days a year, as for the 12-month milestone
    (day 365). A bare number is days; below 60 it is refused because a number of months
    written without a unit ("12") would silently become 12 days.

    Raises
    ------
    ValueError
        Unknown unit, or a bare number below 60.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        text = f"{text}"
    match = _HORIZON.match(str(text).lower())
    if match is None:
        raise ValueError(f"horizon {text!r}: write a number and a unit, e.g. 12mo, 365d or 1y")
    number, unit = float(match.group(1)), match.group(2)
    if not unit:
        if number < 60:
            raise ValueError(
                f"horizon {text!r}: a bare number is days; {number:g} days is "
                f"shorter than a course. Give a unit: {number:g}mo (months), "
                f"{number:g}d (days) or {number:g}y (years)"
            )
        return number
    if unit not in _UNITS:
        raise ValueError(
            f"horizon {text!r}: unknown unit {unit!r}; use d, w, mo or y (e.g. 12mo, 365d, 1y)"
        )
    if _UNITS[unit] == 30.0 and number % 12 == 0:
        return number / 12 * 365.0
    return number * _UNITS[unit]


def horizon_in_words(days: float) -> str:
    """Return a horizon in words: ``"12 months (365 days)"``."""
    if days % 365 == 0:
        years = int(days // 365)
        return f"{12 * years} months ({days:g} days)"
    if days % 30 == 0:
        return f"{int(days // 30)} months ({days:g} days)"
    return f"{days:g} days"


def _when(plan_start: dt.date | None, day: float) -> str:
    text = f"day {day:.0f}"
    if plan_start is not None:
        text += f" ({date_in_words(plan_start + dt.timedelta(days=math.floor(day)))})"
    return text


def unblock_hint(finding: Finding, patient: Patient) -> str:
    """Return what would unblock a contraindication, in words."""
    history = patient.history
    how = (
        "or go ahead with a reason of a few words (the app's override field, or "
        f'--override {finding.code}="..." on the command line)'
    )
    if finding.code == "isotretinoin" and history.isotretinoin_stopped is not None:
        clear = history.isotretinoin_stopped + relativedelta(months=ISOTRETINOIN_WASHOUT_MONTHS)
        return (
            f"Start the plan on or after {date_in_words(clear)} "
            f"({ISOTRETINOIN_WASHOUT_MONTHS} months after the last dose), {how}. The 2017 "
            "consensus (Spring et al., JAMA Dermatol) found no evidence for the delay "
            "before minimally invasive procedures."
        )
    if finding.code == "isotretinoin":
        return f"Start {ISOTRETINOIN_WASHOUT_MONTHS} months after the last dose, {how}."
    if finding.code == "radiotherapy" and history.radiotherapy_ended is not None:
        clear = history.radiotherapy_ended + relativedelta(months=RADIOTHERAPY_WASHOUT_MONTHS)
        return f"Start the plan on or after {date_in_words(clear)}, {how}."
    if finding.code in ("retinoid", "sun_exposure"):
        return (
            f"Move the sessions concerned to at least {TOPICAL_WINDOW_DAYS + 1} days after "
            f"the last {'retinoid use' if finding.code == 'retinoid' else 'sun exposure'}, "
            f"{how}."
        )
    if finding.code == "pregnancy":
        return f"Plan the course after pregnancy (and breastfeeding), {how}."
    if finding.code == "keloid":
        return f"Not unblocked by time; the model does not cover keloid-prone skin. Only {how}."
    return f"Treat the condition until the area is clear, {how}."


def verdict(cmp: Comparison) -> dict[str, Any]:
    """Return the screening verdict of a comparison, for the banner at the top.

    Returns
    -------
    dict
        ``level`` (``"ok"``, ``"caution"``, ``"overridden"``, ``"blocked"`` or
        ``"all blocked"``), ``title``
        (one sentence), ``blocked`` (plan names), ``overrides`` (list of (plan, rule title,
        reason)) and ``cautions`` (distinct caution messages).
    """
    titles = {r.code: r.title for r in RULES}
    blocked = cmp.blocked
    overrides = [
        (name, titles.get(code, code), reason)
        for name, found in cmp.overrides.items()
        for code, reason in found.items()
    ]
    cautions = list(
        dict.fromkeys(
            message_in_words(f.message) for s in cmp.screenings.values() for f in s.cautions
        )
    )
    codes = list(
        dict.fromkeys(
            titles.get(f.code, f.code).lower()
            for s in cmp.screenings.values()
            for f in s.findings
            if f.blocking
        )
    )
    n = len(cmp.plans)
    if blocked and len(blocked) == n:
        level = "all blocked"
        title = (
            f"Contraindicated: every plan ({n} of {n}) is blocked by screening "
            f"({', '.join(codes)}). No plan was simulated; each is listed below with why "
            "and what would unblock it."
        )
    elif blocked:
        level = "blocked"
        title = (
            f"Contraindicated for {len(blocked)} of {n} plans ({', '.join(codes)}): "
            "those are not simulated and are listed with what would unblock them."
        )
    elif cautions:
        level = "caution"
        title = "No contraindication; cautions apply (below)."
    else:
        level = "ok"
        title = "No contraindication or caution found for any plan."
    if overrides and level in ("ok", "caution"):
        level = "overridden"
        title = (
            "Contraindication overridden with a stated reason: the plans were simulated "
            "anyway (see the reasons below)."
        )
    return {
        "level": level,
        "title": title,
        "blocked": blocked,
        "overrides": overrides,
        "cautions": cautions,
    }


def _round(value: float, digits: int) -> float:
    return round(float(value), digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def _fmt(value: Any, digits: int, unit: str = "", signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = _round(value, digits)
    text = f"{number:+.{digits}f}" if signed and number != 0 else f"{number:.{digits}f}"
    return text + unit


def deciding_column(cmp: Comparison) -> str:
    """Return the heading, in the clinical table, of the column that decides the rank."""
    return f"Visible improvement at {cmp.last_milestone} (x just noticeable)"


def _status_words(cmp: Comparison, name: str) -> str:
    screening = cmp.screenings[name]
    if screening.blocked:
        titles = {r.code: r.title for r in RULES}
        return "blocked: " + ", ".join(
            titles.get(f.code, f.code).lower() for f in screening.findings if f.blocking
        )
    if screening.overrides:
        return "go ahead (override: " + ", ".join(screening.overrides) + ")"
    if screening.cautions:
        return "ok, with caution: " + ", ".join(f.code for f in screening.cautions)
    return "ok"


def clinical_table(cmp: Comparison) -> pd.DataFrame:
    """Return the comparison as text in clinical terms, one row per plan, best rank first.

    Columns: rank, plan, screening, sessions, the deciding column (visible improvement at the
    last milestone in multiples of the just-noticeable change; clipped at 0), whether and when
    the improvement becomes noticeable, the expected change of the clinical grades, GAIS,
    patient-rated improvement, collagen and elastin change, redness and downtime. Numbers are
    rounded (grades to 0.1, percentages to 1, multiples to 0.1, hours to 1, days to 0.5) and
    carry their unit or scale. Blocked plans come last, with no rank and no numbers.
    """
    ranked = cmp.rank()
    last = cmp.last_milestone
    rows = []
    for name, r in ranked.iterrows():
        res = cmp.results[str(name)]
        plan = cmp.plans[str(name)]
        row: dict[str, str] = {
            "Rank": "" if pd.isna(r["rank"]) else str(int(r["rank"])),
            "Plan": str(name),
            "Screening": _status_words(cmp, str(name)),
            "Sessions": f"{int(r['sessions'])}",
        }
        if res is None:
            rows.append(row)
            continue
        improvement = max(0.0, float(r[f"visible improvement {last} (x just noticeable)"]))
        row[deciding_column(cmp)] = f"{_round(improvement, 1):.1f}x"
        first = float(r["first visible (day)"])
        row["Noticeable"] = (
            "no, not within " + horizon_in_words(cmp.days)
            if math.isnan(first)
            else "yes, from " + _when(plan.start_date, first)
        )
        for column in r.index:
            if isinstance(column, str) and column.endswith(f"change {last} (grades)"):
                title = column[: -len(f" change {last} (grades)")]
                heading = f"{title[0].upper()}{title[1:]}, change at {last}"
                row[heading] = _fmt(r[column], 1, " grades", signed=True)
        row[f"GAIS at {last} (1 exceptional ... 4 no change, 5 worse)"] = _fmt(r[f"GAIS {last}"], 1)
        row[f"Patient-rated improvement at {last}"] = _fmt(
            r[f"patient-rated improvement {last} (%)"], 0, " %"
        )
        for _, label in cmp.milestones:
            row[f"Collagen change at {label}"] = _fmt(
                r[f"collagen change {label} (%)"], 0, " %", signed=True
            )
        elastin = float(r[f"elastin change {last} (%)"])
        word = (
            "about unchanged"
            if abs(elastin) < 1
            else "lower: needling breaks down some elastin before repair restores it"
            if elastin < 0
            else "higher"
        )
        row[f"Elastin change at {last}"] = f"{_fmt(elastin, 0, ' %', signed=True)} ({word})"
        row["Redness after 1st session"] = _fmt(r["redness after 1st session (h)"], 0, " hours")
        row["Downtime, all sessions"] = _fmt(
            round(2 * float(r["downtime total (d)"])) / 2, 1, " days"
        )
        rows.append(row)
    frame = pd.DataFrame(rows).fillna("")
    return frame.set_index("Rank")


#: Decimals of the rounded CSV by column pattern (first match wins).
_DECIMALS: tuple[tuple[str, int], ...] = (
    ("(grades)", 2),
    ("GAIS", 2),
    ("x just noticeable", 2),
    ("(model units)", 3),
    ("(%)", 1),
    ("(pp)", 2),
    ("(h)", 1),
    ("(d)", 2),
    ("(day)", 1),
)


def rounded_table(cmp: Comparison) -> pd.DataFrame:
    """Return the full ranked table with every number rounded and yes/no for truth values.

    This is what the CSV downloads hold: the analysts' columns (``Comparison.table`` plus a
    rank), rounded per column to what the model supports.
    """
    ranked = cmp.rank().copy()
    for column in ranked.columns:
        series = ranked[column]
        if pd.api.types.is_bool_dtype(series):
            ranked[column] = series.map(yes_no)
        elif pd.api.types.is_float_dtype(series):
            digits = next((d for key, d in _DECIMALS if key in column), 2)
            ranked[column] = series.round(digits) + 0.0
    return ranked
