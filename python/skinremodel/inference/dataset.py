"""Observed time series of subjects, with each subject's plan and patient, validated for fitting.

Observations are a tidy table: one row per measurement with columns ``subject``, ``day``,
``observable``, ``value`` and optionally ``sd`` (the measurement's known standard deviation).
Days count from day 0 of the subject's plan. A measurement on a session day is taken *before*
that session (the clinic measures, then treats), so it is compared with the state right before
the session.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import read_csv as _read_csv
from ..limits import CORE_LIMITS
from ..model.clinical_scales import ORDINAL_SCALES
from ..model.observables import OBSERVABLES, STATE_NAMES
from ..model.variables import did_you_mean
from ..patients.patient import FLAG_COVARIATES, PATIENT_COLUMNS, Patient
from ..plans.schedule import Schedule, as_schedule, schedule_from_dict
from ..plans.session import Session

__all__ = ["Dataset", "read_observations", "read_plans", "read_patients"]

#: Columns every observation table has; ``sd`` is optional.
OBSERVATION_COLUMNS: tuple[str, ...] = ("subject", "day", "observable", "value")
_SESSION_FIELDS = ("depth_mm", "density_per_cm2", "needle_diameter_mm", "dose_scale")


class Dataset:
    """Observations of one or more subjects, with each subject's plan and patient.

    Parameters
    ----------
    observations : pandas.DataFrame
        Columns ``subject``, ``day``, ``observable``, ``value`` and optionally ``sd``. Subjects
        are compared as strings. ``observable`` is an observable of :data:`OBSERVABLES` (or a
        state name); ``sd`` > 0 where the measurement's standard deviation is known (leave it
        empty elsewhere: those rows use the fit's observation model). Ordinal clinical grades
        (``goodman_baron_grade``, ``lemperle_grade``, ``laxity_grade``, ``texture_grade``,
        ``gais``) are whole numbers in the scale's range, without ``sd``.
    plans : mapping of subject to Schedule, or Schedule
        Each subject's sessions (a single Schedule applies to every subject).
    patients : mapping of subject to Patient, or Patient, optional
        Each subject's covariates (default: ``Patient()`` for everyone).

    Raises
    ------
    ValueError
        A missing column, an unknown observable, a non-finite value or day, an ``sd`` that is
        not positive, a subject without a plan or patient, or a day before the subject's first
        session; the message names the row (``observations`` index) and the subject.

    Examples
    --------
    >>> import pandas as pd, skinremodel as sr
    >>> obs = pd.DataFrame({"subject": ["A", "A"], "day": [0, 90],
    ...                     "observable": ["elasticity"] * 2, "value": [1.0, 1.2]})
    >>> data = sr.Dataset(obs, plans=sr.Schedule.regular(3, every_days=30))
    >>> data.subjects
    ('A',)
    """

    def __init__(
        self,
        observations: pd.DataFrame,
        plans: Mapping[Any, Schedule | Iterable[float]] | Schedule,
        patients: Mapping[Any, Patient] | Patient | None = None,
    ) -> None:
        table = _check_table(observations)
        subjects = tuple(dict.fromkeys(table["subject"]))
        self.plans: dict[str, Schedule] = _per_subject("plans", plans, subjects, _as_plan)
        if patients is None:
            patients = Patient()
        self.patients: dict[str, Patient] = _per_subject(
            "patients", patients, subjects, _as_patient
        )
        for subject in subjects:
            plan = self.plans[subject]
            if len(plan) == 0:
                continue
            first = plan[0].day
            rows = table[(table["subject"] == subject) & (table["day"] < first)]
            if len(rows):
                index = rows.index[0]
                raise ValueError(
                    f"observations row {index} (subject {subject!r}, day "
                    f"{rows.loc[index, 'day']:g}): the day is before the first session "
                    f"(day {first:g}) of the subject's plan; days count from the plan's day 0"
                )
        self.observations: pd.DataFrame = table.sort_values(
            ["subject", "day"], kind="stable"
        ).reset_index(drop=True)

    @classmethod
    def from_csv(
        cls,
        observations: str | Path,
        plans: str | Path | Mapping[Any, Schedule] | Schedule,
        patients: str | Path | Mapping[Any, Patient] | Patient | None = None,
    ) -> Dataset:
        """Read observations (and plans and patients, given as CSV paths or objects).

        See :func:`read_observations`, :func:`read_plans` and :func:`read_patients` for the
        file formats.
        """
        if isinstance(plans, (str, Path)):
            plans = read_plans(plans)
        if isinstance(patients, (str, Path)):
            patients = read_patients(patients)
        table = read_observations(observations)
        try:
            return cls(table, plans, patients)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{observations}: {exc}") from None

    @property
    def subjects(self) -> tuple[str, ...]:
        """The subjects, in order of first appearance after sorting."""
        return tuple(dict.fromkeys(self.observations["subject"]))

    @property
    def observable_names(self) -> tuple[str, ...]:
        """The observables measured."""
        return tuple(dict.fromkeys(self.observations["observable"]))

    @property
    def has_sd(self) -> np.ndarray:
        """Boolean array: rows whose standard deviation is known."""
        if "sd" not in self.observations:
            return np.zeros(len(self.observations), dtype=bool)
        return np.isfinite(self.observations["sd"].to_numpy(dtype=np.float64))

    def for_subject(self, subject: str) -> pd.DataFrame:
        """Return the observations of one subject."""
        if subject not in self.plans:
            raise KeyError(f"unknown subject {subject!r}; subjects are {', '.join(self.subjects)}")
        return self.observations[self.observations["subject"] == subject]

    def __len__(self) -> int:
        return len(self.observations)

    def __repr__(self) -> str:
        return (
            f"<Dataset: {len(self)} observations of {len(self.subjects)} subjects, "
            f"observables {', '.join(self.observable_names)}>"
        )

    # ------------------------------------------------------------------ exact round trip (JSON)
    def to_dict(self) -> dict[str, Any]:
        """Plain Python data (lists, floats, strings) that :meth:`from_dict` restores exactly."""
        obs = self.observations
        out: dict[str, Any] = {
            "observations": {
                "subject": obs["subject"].tolist(),
                "day": [float(v) for v in obs["day"]],
                "observable": obs["observable"].tolist(),
                "value": [float(v) for v in obs["value"]],
            },
            # The plan document keeps devices and the start date (issue 12, item 8).
            "plans": {s: _plain(p.to_dict()) for s, p in self.plans.items()},
            "patients": {s: _plain(p.to_dict()) for s, p in self.patients.items()},
        }
        if "sd" in obs:
            out["observations"]["sd"] = [float(v) for v in obs["sd"]]
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Dataset:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        ValueError, TypeError
            A missing or malformed entry; the message names it.
        """
        if not isinstance(d, Mapping):
            raise TypeError(f"a dataset must be a mapping, got {type(d).__name__}")
        for key in ("observations", "plans", "patients"):
            if not isinstance(d.get(key), Mapping):
                raise ValueError(f"dataset: missing or malformed {key!r} (a mapping)")
        plans = {
            str(s): _plan_from_dict(p, f"dataset: plans[{s!r}]: ") for s, p in d["plans"].items()
        }
        patients = {}
        for subject, p in d["patients"].items():
            if not isinstance(p, Mapping):
                raise TypeError(f"dataset: patients[{subject!r}] must be a mapping")
            try:
                patients[str(subject)] = Patient(**p)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"dataset: patients[{subject!r}]: {exc}") from None
        return cls(pd.DataFrame(dict(d["observations"])), plans, patients)


def _check_table(observations: Any) -> pd.DataFrame:
    if not isinstance(observations, pd.DataFrame):
        raise TypeError(
            f"observations must be a pandas DataFrame with columns "
            f"{', '.join(OBSERVATION_COLUMNS)} (and optionally sd), got "
            f"{type(observations).__name__}"
        )
    missing = [c for c in OBSERVATION_COLUMNS if c not in observations.columns]
    if missing:
        raise ValueError(
            f"observations lack the column(s) {', '.join(missing)}; required: "
            f"{', '.join(OBSERVATION_COLUMNS)} (sd optional)"
        )
    if len(observations) == 0:
        raise ValueError("observations is empty")
    columns = list(OBSERVATION_COLUMNS) + (["sd"] if "sd" in observations.columns else [])
    table = observations[columns].copy()
    if table["subject"].isna().any():
        row = table.index[table["subject"].isna()][0]
        raise ValueError(f"observations row {row}: subject is missing")
    table["subject"] = table["subject"].astype(str)
    known = set(OBSERVABLES) | set(STATE_NAMES)
    for column in ("day", "value"):
        values = pd.to_numeric(table[column], errors="coerce").astype(np.float64)
        bad = ~np.isfinite(values.to_numpy())
        if bad.any():
            row = table.index[bad][0]
            raise ValueError(
                f"observations row {row} (subject {table.loc[row, 'subject']!r}): {column} "
                f"must be a finite number, got {table.loc[row, column]!r}"
            )
        table[column] = values
    for row, name in table["observable"].items():
        if name not in known:
            raise ValueError(
                f"observations row {row} (subject {table.loc[row, 'subject']!r}): unknown "
                f"observable {name!r}; observables are {', '.join(OBSERVABLES)} (states: "
                f"{', '.join(STATE_NAMES)}){did_you_mean(str(name), known)}"
            )
    for row, name in table["observable"].items():
        scale = ORDINAL_SCALES.get(name)
        if scale is None or scale.grades is None:
            continue
        lo, hi = scale.grades
        value = table.loc[row, "value"]
        if not (value == round(value) and lo <= value <= hi):
            raise ValueError(
                f"observations row {row} (subject {table.loc[row, 'subject']!r}): value of "
                f"{name} must be a whole grade from {lo} to {hi} ({scale.meaning}), got {value:g}"
            )
        if "sd" in table and pd.notna(table.loc[row, "sd"]):
            raise ValueError(
                f"observations row {row} (subject {table.loc[row, 'subject']!r}): {name} is an "
                f"ordinal grade and has no sd (leave it empty; its scatter is the scale's own "
                f"cumulative-link model)"
            )
    negative = table["day"] < 0
    if negative.any():
        row = table.index[negative][0]
        raise ValueError(
            f"observations row {row} (subject {table.loc[row, 'subject']!r}): day "
            f"must be >= 0, got {table.loc[row, 'day']:g}"
        )
    if "sd" in table:
        # Empty cells mean "unknown": those rows use the fit's observation model.
        sd = pd.to_numeric(table["sd"], errors="coerce").astype(np.float64)
        bad = (sd.isna() & table["sd"].notna()) | (sd.notna() & ~(np.isfinite(sd) & (sd > 0)))
        if bad.any():
            row = table.index[bad][0]
            raise ValueError(
                f"observations row {row} (subject {table.loc[row, 'subject']!r}): sd must be "
                f"> 0 and finite (or empty if unknown), got {table.loc[row, 'sd']!r}"
            )
        table["sd"] = sd
        if sd.isna().all():
            table = table.drop(columns="sd")
    return table


def _per_subject(what: str, given: Any, subjects: tuple[str, ...], convert: Any) -> dict[str, Any]:
    if isinstance(given, (Schedule, Patient)) or (what == "plans" and _is_day_list(given)):
        one = convert(given, "all subjects")
        return {s: one for s in subjects}
    if not isinstance(given, Mapping):
        raise TypeError(
            f"{what} must be a mapping of subject to "
            f"{'Schedule' if what == 'plans' else 'Patient'}, or a single one for "
            f"every subject; got {type(given).__name__}"
        )
    by_name = {str(k): v for k, v in given.items()}
    missing = [s for s in subjects if s not in by_name]
    if missing:
        raise ValueError(f"{what}: no entry for subject(s) {', '.join(map(repr, missing))}")
    return {s: convert(by_name[s], s) for s in subjects}


def _plain(value: Any) -> Any:
    """Dates as ``YYYY-MM-DD`` strings, so the data is plain JSON (the readers accept them)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _plan_from_dict(p: Any, where: str) -> Schedule:
    if isinstance(p, Mapping) and "format" not in p and isinstance(p.get("sessions"), list):
        # Version 1 of to_dict: session rows (day, depth, density, diameter, dose scale).
        try:
            sessions = [
                Session(day, depth, density, None if math.isnan(diameter) else diameter, scale)
                for day, depth, density, diameter, scale in p["sessions"]
            ]
            return Schedule(sessions, allow_any_depth=p["allow_any_depth"], name=p["name"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}{exc}") from None
    return schedule_from_dict(p, where=where)


def _is_day_list(x: Any) -> bool:
    return (
        isinstance(x, Iterable)
        and not isinstance(x, (str, bytes, Mapping))
        and all(isinstance(v, (int, float, np.number)) for v in x)
    )


def _as_plan(x: Any, subject: str) -> Schedule:
    try:
        return as_schedule(x)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"plan of subject {subject!r}: {exc}") from None


def _as_patient(x: Any, subject: str) -> Patient:
    if not isinstance(x, Patient):
        raise TypeError(
            f"patient of subject {subject!r} must be a skinremodel.Patient, got {type(x).__name__}"
        )
    return x


# ------------------------------------------------------------------------------------ CSV files
def _cell_number(path: str | Path, index: Any, field: str, text: str) -> float:
    """Read a finite number from a CSV cell, or raise a ValueError naming file, row and field."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{path}: row {index}: {field} must be a finite number, got {text!r}")
    return value


def _subject(path: str | Path, index: Any, text: str) -> str:
    if not text:
        raise ValueError(f"{path}: row {index}: subject is empty")
    return text


def read_observations(path: str | Path) -> pd.DataFrame:
    """Read an observation table from CSV (columns subject, day, observable, value[, sd]).

    Cells are checked here (numbers, non-empty subjects; errors name the file, row and field)
    and again when the table is given to :class:`Dataset`.
    """
    table = _read_csv(path)
    out = pd.DataFrame(table)
    if "subject" in table:
        for index, text in table["subject"].items():
            _subject(path, index, text)
    for field in ("day", "value", "sd"):
        if field in table:
            out[field] = np.array(
                [
                    math.nan
                    if field == "sd" and text == ""
                    else _cell_number(path, index, field, text)
                    for index, text in table[field].items()
                ],
                dtype=np.float64,
            )
    return out


def read_plans(path: str | Path) -> dict[str, Schedule]:
    """Read plans from CSV: one row per session.

    Columns: ``subject``, ``day`` and optionally ``depth_mm`` (default 1.5),
    ``density_per_cm2`` (250), ``needle_diameter_mm`` (parameter ``w``) and ``dose_scale`` (1);
    an empty cell takes the default. A blank subject or day, a cell that is not a finite
    number and an unknown column are errors naming the file, row and field.
    """
    table = _read_csv(path)
    for column in ("subject", "day"):
        if column not in table:
            raise ValueError(
                f"{path}: a plan file needs the columns subject and day (missing {column})"
            )
    unknown = [c for c in table.columns if c not in ("subject", "day", *_SESSION_FIELDS)]
    if unknown:
        raise ValueError(
            f"{path}: unknown plan column {unknown[0]!r}; columns are subject, "
            f"day, {', '.join(_SESSION_FIELDS)}"
        )
    by_subject: dict[str, list[Session]] = {}
    for index, row in table.iterrows():
        subject = _subject(path, index, row["subject"])
        kwargs: dict[str, Any] = {
            f: _cell_number(path, index, f, row[f])
            for f in _SESSION_FIELDS
            if f in row and row[f] != ""
        }
        day = _cell_number(path, index, "day", row["day"])
        try:
            by_subject.setdefault(subject, []).append(Session(day, **kwargs))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: row {index} (subject {subject!r}): {exc}") from None
    plans: dict[str, Schedule] = {}
    for subject, sessions in by_subject.items():
        try:
            plans[subject] = _as_plan(sessions, subject)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from None
    return plans


def read_patients(path: str | Path) -> dict[str, Patient]:
    """Read patients from CSV: column ``subject`` and any :class:`Patient` covariate.

    Booleans may be written true/false, yes/no or 1/0; an empty cell takes the default. Each
    subject has one row; errors name the file, row and field.
    """
    table = _read_csv(path)
    if "subject" not in table:
        raise ValueError(f"{path}: a patient file needs the column subject")
    unknown = [c for c in table.columns if c != "subject" and c not in PATIENT_COLUMNS]
    if unknown:
        raise ValueError(
            f"{path}: unknown patient column(s) {', '.join(unknown)}; "
            f"fields are {', '.join(PATIENT_COLUMNS)}"
        )
    patients: dict[str, Patient] = {}
    first_row: dict[str, Any] = {}
    for index, row in table.iterrows():
        subject = _subject(path, index, row["subject"])
        if subject in first_row:
            raise ValueError(
                f"{path}: row {index}: subject {subject!r} already has a row "
                f"(row {first_row[subject]}); give one row per subject"
            )
        first_row[subject] = index
        kwargs: dict[str, Any] = {}
        for field in PATIENT_COLUMNS:
            if field not in row or row[field] == "":
                continue
            value: Any = row[field]
            where = f"{path}: row {index}: {field}"
            if field in FLAG_COVARIATES:
                value = _as_bool(value, where)
            elif field == "phototype":
                number = _cell_number(path, index, field, value)
                if number != int(number):
                    low, high = (
                        int(CORE_LIMITS["phototype"].low),
                        int(CORE_LIMITS["phototype"].high),
                    )
                    raise ValueError(
                        f"{where} must be a whole number {low}-{high}, got {row[field]!r}"
                    )
                value = int(number)
            elif field == "age":
                value = _cell_number(path, index, field, value)
            kwargs[field] = value
        try:
            patients[subject] = Patient(**kwargs)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: row {index} (subject {subject!r}): {exc}") from None
    return patients


def _as_bool(value: Any, where: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "1.0"):
        return True
    if text in ("false", "no", "0", "0.0"):
        return False
    raise ValueError(f"{where} must be true/false, yes/no or 1/0, got {value!r}")
