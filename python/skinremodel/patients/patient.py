"""Patients: the covariates that change the healing response (model design section 2.7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .. import _core
from .._validation import check_bool, check_choice
from ..limits import CORE_LIMITS, check_limit, limit_range, within
from ..model.parameters import Parameters
from .history import MedicalHistory

__all__ = [
    "Patient",
    "PATIENT_COLUMNS",
    "FLAG_COVARIATES",
    "COVARIATE_LABELS",
    "covariates_from_codes",
    "patient_codes",
    "patients_from_codes",
]

#: The engine's numeric patient row: these columns in this order (``_core.patient_columns()``);
#: categories as their index in their values (``_core.patient_categories()``), flags as 0/1.
PATIENT_COLUMNS: tuple[str, ...] = tuple(_core.patient_columns())
_CATEGORIES: dict[str, tuple[str, ...]] = {
    name: tuple(values) for name, values in _core.patient_categories().items()
}
_DIABETES: tuple[str, ...] = _CATEGORIES["diabetes"]
_VITAMIN_C: tuple[str, ...] = _CATEGORIES["vitamin_c"]
#: Types of the categorical covariates (a test checks them against the core's values).
DiabetesStatus = Literal["none", "controlled", "poor"]
VitaminCStatus = Literal["deficient", "replete", "supplemented"]
#: The yes/no covariates: the columns that are neither categories nor numbers with a bound.
FLAG_COVARIATES: tuple[str, ...] = tuple(
    c for c in PATIENT_COLUMNS if c not in _CATEGORIES and c not in CORE_LIMITS
)
#: How a clinician reads each covariate: a short label (tables, reports) and a hint for forms.
COVARIATE_LABELS: dict[str, tuple[str, str]] = {
    "age": ("Age", "years"),
    "diabetes": ("Diabetes", ""),
    "vitamin_c": ("Vitamin C", ""),
    "phototype": ("Fitzpatrick skin phototype", "I-VI"),
    "smoker": ("Smoker", ""),
    "photoaged": ("Photo-aged skin", ""),
    "reactive_skin": ("Thin or reactive skin", "e.g. rosacea-prone between flares"),
    "acne_scars": ("Atrophic acne scars", "treatment area"),
}
assert tuple(COVARIATE_LABELS) == PATIENT_COLUMNS, "a covariate of the core has no label here"


@dataclass(frozen=True)
class Patient:
    """A patient, described by the covariates the model knows.

    Each covariate multiplies documented parameters (see ``docs/model.md``, section
    "Covariates"); their coefficients are parameters themselves (``cov_*``).

    Parameters
    ----------
    age : float
        Years, within the core's bound ``age`` (18 to 100, ``docs/limits.md``). The repair
        response declines from ``cov_age_onset`` (28 y).
    diabetes : {"none", "controlled", "poor"}
        Diabetes status; prolongs inflammation, raises MMP activity, lowers synthesis.
    vitamin_c : {"deficient", "replete", "supplemented"}
        Vitamin C status; a cofactor of collagen synthesis and crosslinking.
    phototype : int
        Fitzpatrick skin type 1-6; redness is less visible on types IV-VI.
    smoker : bool
        Smoking lowers the repair response.
    photoaged : bool
        Sun-damaged skin: more MMP activity, less tropoelastin synthesis.
    reactive_skin : bool
        Thin or reactive skin (for example rosacea-prone): more, and more visible, redness.
    acne_scars : bool
        Atrophic acne scars in the treated area: the visible improvement is judged against the
        scar's collagen deficit (``cov_acne_deficit``), so the same gain is more visible.
    history : MedicalHistory or mapping, optional
        What screening asks about (pregnancy, skin conditions, isotretinoin, ...); not a model
        covariate. See :func:`skinremodel.screen`.

    Examples
    --------
    >>> import skinremodel as sr
    >>> p = sr.Patient(age=62, diabetes="controlled")
    >>> p.age, p.diabetes, p.acne_scars
    (62.0, 'controlled', False)
    """

    age: float = 45.0
    diabetes: DiabetesStatus = "none"
    vitamin_c: VitaminCStatus = "replete"
    phototype: int = 2
    smoker: bool = False
    photoaged: bool = False
    reactive_skin: bool = False
    acne_scars: bool = False
    history: MedicalHistory = MedicalHistory()

    def __post_init__(self) -> None:
        object.__setattr__(self, "age", check_limit("age", self.age))
        check_choice("diabetes", self.diabetes, _DIABETES)
        check_choice("vitamin_c", self.vitamin_c, _VITAMIN_C)
        object.__setattr__(self, "phototype", check_limit("phototype", self.phototype))
        for flag in FLAG_COVARIATES:
            object.__setattr__(self, flag, check_bool(flag, getattr(self, flag)))
        if isinstance(self.history, Mapping):
            object.__setattr__(self, "history", MedicalHistory.from_mapping(self.history))
        elif not isinstance(self.history, MedicalHistory):
            raise TypeError(
                "history must be a skinremodel.MedicalHistory or a mapping, got "
                f"{type(self.history).__name__}"
            )

    def to_dict(self) -> dict[str, Any]:
        """Return the covariates and history as plain data (``Patient(**d)`` reads it back)."""
        return asdict(self)

    def _row(self) -> NDArray[np.float64]:
        """Return the engine's numeric row (:data:`PATIENT_COLUMNS`), built once (read-only)."""
        row: NDArray[np.float64] | None = self.__dict__.get("_row_cache")
        if row is None:
            row = np.array([_code(c, getattr(self, c)) for c in PATIENT_COLUMNS], dtype=np.float64)
            row.setflags(write=False)
            object.__setattr__(self, "_row_cache", row)
        return row

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_row_cache"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def effective_parameters(self, params: Parameters | None = None) -> dict[str, float]:
        """Return this patient's parameter values after the covariate rules.

        Parameters
        ----------
        params : Parameters, optional
            Nominal values; the defaults if omitted.
        """
        p = Parameters.default() if params is None else params
        eff = self._effective_array(p)
        return dict(zip(p.names, (float(v) for v in eff), strict=True))

    def _effective_array(self, params: Parameters) -> NDArray[np.float64]:
        return np.asarray(_core.effective_parameters(params.values_array, self._row()))


def _code(column: str, value: Any) -> float:
    """Return the number a covariate takes in a patient row."""
    if column in _CATEGORIES:
        return float(_CATEGORIES[column].index(value))
    return float(value)


def patient_codes(patients: Any) -> NDArray[np.float64]:
    """Numeric rows of patients given as Patient objects or a covariate table.

    One row per patient, one column per covariate of :data:`PATIENT_COLUMNS`, in that order.

    A table (pandas DataFrame) has one row per patient and columns named like the fields of
    :class:`Patient`; missing columns take the defaults. It is validated column by column, so
    thousands of patients cost no Python loop.
    """
    import pandas as pd

    if isinstance(patients, pd.DataFrame):
        return _codes_from_frame(patients)
    rows = []
    for k, p in enumerate(patients):
        if not isinstance(p, Patient):
            raise TypeError(f"patients[{k}] must be a skinremodel.Patient, got {type(p).__name__}")
        rows.append(p._row())
    if not rows:
        return np.empty((0, len(PATIENT_COLUMNS)))
    return np.vstack(rows)


def _codes_from_frame(frame: Any) -> NDArray[np.float64]:
    unknown = [c for c in frame.columns if c not in PATIENT_COLUMNS]
    if unknown:
        raise ValueError(
            f"unknown patient covariates {unknown}; columns must be among "
            f"{', '.join(PATIENT_COLUMNS)}"
        )
    defaults = Patient()
    out = np.empty((len(frame), len(PATIENT_COLUMNS)), dtype=np.float64)

    def fail(column: str, rows: NDArray[np.bool_], allowed: str) -> ValueError:
        k = int(np.flatnonzero(rows)[0])
        value = frame[column].iloc[k]
        return ValueError(f"patients row {k}: {column} must be {allowed}, got {value!r}")

    for j, column in enumerate(PATIENT_COLUMNS):
        if column not in frame.columns:
            out[:, j] = defaults._row()[j]
            continue
        values = frame[column].to_numpy()
        if column in _CATEGORIES:
            choices = _CATEGORIES[column]
            codes = np.array([choices.index(v) if v in choices else -1 for v in values])
            if np.any(codes < 0):
                raise fail(column, codes < 0, f"one of {', '.join(map(repr, choices))}")
            out[:, j] = codes
            continue
        try:
            numbers = values.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"patients: column {column!r} must hold numbers") from None
        if column in CORE_LIMITS:  # age, phototype: the core's bounds
            bad = ~within(column, numbers)
            if np.any(bad):
                integer = "an integer " if CORE_LIMITS[column].integer else ""
                raise fail(column, bad, f"{integer}in {limit_range(column)}")
        else:
            if values.dtype != np.bool_ and not np.all(np.isin(numbers, (0.0, 1.0))):
                raise fail(column, ~np.isin(numbers, (0.0, 1.0)), "True or False")
        out[:, j] = numbers
    return out


def _column_values(column: str, codes: NDArray[np.float64]) -> Any:
    """Return one covariate of numeric rows as Patient fields hold it."""
    if column in _CATEGORIES:
        choices = _CATEGORIES[column]
        return [choices[int(c)] for c in codes]
    if column in CORE_LIMITS and CORE_LIMITS[column].integer:  # phototype
        return codes.astype(np.int64)
    if column in FLAG_COVARIATES:
        return codes.astype(bool)
    return codes


def covariates_from_codes(codes: NDArray[np.float64]) -> Any:
    """Covariate table (a pandas DataFrame, one row per patient) of numeric rows."""
    import pandas as pd

    codes = np.asarray(codes)
    return pd.DataFrame(
        {column: _column_values(column, codes[:, j]) for j, column in enumerate(PATIENT_COLUMNS)}
    )


def patients_from_codes(codes: NDArray[np.float64]) -> list[Patient]:
    """Patient objects of numeric rows (the inverse of :func:`patient_codes`)."""
    codes = np.asarray(codes)
    columns = [_column_values(c, codes[:, j]) for j, c in enumerate(PATIENT_COLUMNS)]
    return [
        Patient(**dict(zip(PATIENT_COLUMNS, values, strict=True)))
        for values in zip(*columns, strict=True)
    ]
