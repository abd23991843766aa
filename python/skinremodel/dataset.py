"""Observed time series of subjects, with each subject's plan and patient, validated for fitting.

Observations are a tidy table: one row per measurement with columns ``subject``, ``day``,
``observable``, ``value`` and optionally ``sd`` (the measurement's known standard deviation).
Days count from day 0 of the subject's plan. A measurement on a session day is taken *before*
that session (the clinic measures, then treats), so it is compared with the state right before
the session.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .clinical_scales import ORDINAL_SCALES
from .observables import OBSERVABLES, STATE_NAMES
from .patient import Patient
from .schedule import Schedule, Session, as_schedule
from .variables import did_you_mean

__all__ = ["Dataset", "read_observations", "read_plans", "read_patients"]

#: Columns every observation table has; ``sd`` is optional.
OBSERVATION_COLUMNS: tuple[str, ...] = ("subject", "day", "observable", "value")
_SESSION_FIELDS = ("depth_mm", "density_per_cm2", "needle_diameter_mm", "dose_scale")
_PATIENT_FIELDS = ("age", "diabetes", "vitamin_c", "phototype", "smoker", "photoaged",
                   "reactive_skin")


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
        self.patients: dict[str, Patient] = _per_subject("patients", patients, subjects,
                                                         _as_patient)
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
            ["subject", "day"], kind="stable").reset_index(drop=True)

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
        return cls(read_observations(observations), plans, patients)

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
        return (f"<Dataset: {len(self)} observations of {len(self.subjects)} subjects, "
                f"observables {', '.join(self.observable_names)}>")

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
            "plans": {s: {"sessions": [list(x._row()) for x in p], "name": p.name,
                          "allow_any_depth": p.allow_any_depth}
                      for s, p in self.plans.items()},
            "patients": {s: p.to_dict() for s, p in self.patients.items()},
        }
        if "sd" in obs:
            out["observations"]["sd"] = [float(v) for v in obs["sd"]]
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Dataset:
        """Inverse of :meth:`to_dict`."""
        plans = {}
        for subject, p in d["plans"].items():
            sessions = [Session(day, depth, density, None if math.isnan(diameter) else diameter,
                                scale)
                        for day, depth, density, diameter, scale in p["sessions"]]
            plans[subject] = Schedule(sessions, allow_any_depth=p["allow_any_depth"],
                                      name=p["name"])
        patients = {s: Patient(**p) for s, p in d["patients"].items()}
        return cls(pd.DataFrame(d["observations"]), plans, patients)


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
                f"cumulative-link model)")
    negative = table["day"] < 0
    if negative.any():
        row = table.index[negative][0]
        raise ValueError(f"observations row {row} (subject {table.loc[row, 'subject']!r}): day "
                         f"must be >= 0, got {table.loc[row, 'day']:g}")
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
        raise TypeError(f"{what} must be a mapping of subject to "
                        f"{'Schedule' if what == 'plans' else 'Patient'}, or a single one for "
                        f"every subject; got {type(given).__name__}")
    by_name = {str(k): v for k, v in given.items()}
    missing = [s for s in subjects if s not in by_name]
    if missing:
        raise ValueError(f"{what}: no entry for subject(s) {', '.join(map(repr, missing))}")
    return {s: convert(by_name[s], s) for s in subjects}


def _is_day_list(x: Any) -> bool:
    return (isinstance(x, Iterable) and not isinstance(x, (str, bytes, Mapping))
            and all(isinstance(v, (int, float, np.number)) for v in x))


def _as_plan(x: Any, subject: str) -> Schedule:
    try:
        return as_schedule(x)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"plan of subject {subject!r}: {exc}") from None


def _as_patient(x: Any, subject: str) -> Patient:
    if not isinstance(x, Patient):
        raise TypeError(f"patient of subject {subject!r} must be a skinremodel.Patient, "
                        f"got {type(x).__name__}")
    return x


# ------------------------------------------------------------------------------------ CSV files
def read_observations(path: str | Path) -> pd.DataFrame:
    """Read an observation table from CSV (columns subject, day, observable, value[, sd]).

    The table is checked when it is given to :class:`Dataset`.
    """
    return pd.read_csv(path, dtype={"subject": str})


def read_plans(path: str | Path) -> dict[str, Schedule]:
    """Read plans from CSV: one row per session.

    Columns: ``subject``, ``day`` and optionally ``depth_mm`` (default 1.5),
    ``density_per_cm2`` (250), ``needle_diameter_mm`` (parameter ``w``) and ``dose_scale`` (1).
    """
    table = pd.read_csv(path, dtype={"subject": str})
    for column in ("subject", "day"):
        if column not in table:
            raise ValueError(f"{path}: a plan file needs the columns subject and day "
                             f"(missing {column})")
    plans: dict[str, Schedule] = {}
    for subject, rows in table.groupby("subject", sort=False):
        sessions = []
        for index, row in rows.iterrows():
            kwargs: dict[str, Any] = {f: float(row[f]) for f in _SESSION_FIELDS
                                      if f in row and pd.notna(row[f])}
            try:
                sessions.append(Session(float(row["day"]), **kwargs))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{path}: row {index} (subject {subject!r}): {exc}") from None
        plans[str(subject)] = _as_plan(sessions, str(subject))
    return plans


def read_patients(path: str | Path) -> dict[str, Patient]:
    """Read patients from CSV: column ``subject`` and any of the :class:`Patient` fields.

    Booleans may be written true/false, yes/no or 1/0.
    """
    table = pd.read_csv(path, dtype={"subject": str})
    if "subject" not in table:
        raise ValueError(f"{path}: a patient file needs the column subject")
    unknown = [c for c in table.columns if c != "subject" and c not in _PATIENT_FIELDS]
    if unknown:
        raise ValueError(f"{path}: unknown patient column(s) {', '.join(unknown)}; "
                         f"fields are {', '.join(_PATIENT_FIELDS)}")
    patients: dict[str, Patient] = {}
    for index, row in table.iterrows():
        kwargs: dict[str, Any] = {}
        for field in _PATIENT_FIELDS:
            if field not in row or pd.isna(row[field]):
                continue
            value = row[field]
            if field in ("smoker", "photoaged", "reactive_skin"):
                value = _as_bool(value, f"{path}: row {index}: {field}")
            elif field == "phototype":
                value = int(value)
            elif field == "age":
                value = float(value)
            kwargs[field] = value
        try:
            patients[str(row["subject"])] = Patient(**kwargs)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: row {index} (subject {row['subject']!r}): {exc}") from None
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
