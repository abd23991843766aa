"""Patients: the covariates that change the healing response (model design section 2.7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import NDArray

from .. import _core
from .._validation import check_bool, check_choice, check_int, check_real
from ..model.parameters import Parameters
from .history import MedicalHistory

__all__ = ["Patient", "PATIENT_COLUMNS", "covariates_from_codes", "patient_codes",
           "patients_from_codes"]

DiabetesStatus = Literal["none", "controlled", "poor"]
VitaminCStatus = Literal["deficient", "replete", "supplemented"]
_DIABETES: tuple[str, ...] = ("none", "controlled", "poor")
_VITAMIN_C: tuple[str, ...] = ("deficient", "replete", "supplemented")


@dataclass(frozen=True)
class Patient:
    """A patient, described by the covariates the model knows.

    Each covariate multiplies documented parameters (see ``docs/model.md``, section
    "Covariates"); their coefficients are parameters themselves (``cov_*``).

    Parameters
    ----------
    age : float
        Years, 18 to 100. The repair response declines from ``cov_age_onset`` (28 y).
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
        object.__setattr__(self, "age", check_real("age", self.age, 18, 100, unit="years"))
        check_choice("diabetes", self.diabetes, _DIABETES)
        check_choice("vitamin_c", self.vitamin_c, _VITAMIN_C)
        object.__setattr__(self, "phototype", check_int("phototype", self.phototype, 1, 6))
        for flag in ("smoker", "photoaged", "reactive_skin", "acne_scars"):
            object.__setattr__(self, flag, check_bool(flag, getattr(self, flag)))
        if isinstance(self.history, Mapping):
            object.__setattr__(self, "history", MedicalHistory.from_mapping(self.history))
        elif not isinstance(self.history, MedicalHistory):
            raise TypeError("history must be a skinremodel.MedicalHistory or a mapping, got "
                            f"{type(self.history).__name__}")

    def to_dict(self) -> dict[str, Any]:
        """Return the covariates and history as plain data (``Patient(**d)`` reads it back)."""
        return asdict(self)

    def _code_row(self) -> tuple[float, ...]:
        """Return the covariates as the engine's numeric row (see :data:`PATIENT_COLUMNS`)."""
        return (self.age, float(_DIABETES.index(self.diabetes)),
                float(_VITAMIN_C.index(self.vitamin_c)), float(self.phototype),
                float(self.smoker), float(self.photoaged), float(self.reactive_skin),
                float(self.acne_scars))

    def _to_core(self) -> _core.Patient:
        core = _core.Patient()
        core.age = self.age
        core.diabetes = _DIABETES.index(self.diabetes)
        core.vitamin_c = _VITAMIN_C.index(self.vitamin_c)
        core.phototype = self.phototype
        core.smoker = self.smoker
        core.photoaged = self.photoaged
        core.reactive_skin = self.reactive_skin
        core.acne_scars = self.acne_scars
        return core

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
        return np.asarray(_core.effective_parameters(params.values_array, self._to_core()))


#: Covariates in the order of the engine's numeric patient rows (categories as their index in
#: the allowed values, flags as 0/1).
PATIENT_COLUMNS: tuple[str, ...] = ("age", "diabetes", "vitamin_c", "phototype", "smoker",
                                    "photoaged", "reactive_skin", "acne_scars")
_CATEGORIES: dict[str, tuple[str, ...]] = {"diabetes": _DIABETES, "vitamin_c": _VITAMIN_C}


def patient_codes(patients: Any) -> NDArray[np.float64]:
    """Numeric rows (n, 7) of patients given as Patient objects or a covariate table.

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
        rows.append(p._code_row())
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(PATIENT_COLUMNS))


def _codes_from_frame(frame: Any) -> NDArray[np.float64]:
    unknown = [c for c in frame.columns if c not in PATIENT_COLUMNS]
    if unknown:
        raise ValueError(f"unknown patient covariates {unknown}; columns must be among "
                         f"{', '.join(PATIENT_COLUMNS)}")
    defaults = Patient()
    out = np.empty((len(frame), len(PATIENT_COLUMNS)), dtype=np.float64)

    def fail(column: str, rows: NDArray[np.bool_], allowed: str) -> ValueError:
        k = int(np.flatnonzero(rows)[0])
        value = frame[column].iloc[k]
        return ValueError(f"patients row {k}: {column} must be {allowed}, got {value!r}")

    for j, column in enumerate(PATIENT_COLUMNS):
        if column not in frame.columns:
            out[:, j] = defaults._code_row()[j]
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
        if column == "age":
            bad = ~((numbers >= 18) & (numbers <= 100))
            if np.any(bad):
                raise fail(column, bad, "in [18, 100] years")
        elif column == "phototype":
            bad = ~np.isin(numbers, np.arange(1, 7))
            if np.any(bad):
                raise fail(column, bad, "an integer in [1, 6]")
        else:
            if values.dtype != np.bool_ and not np.all(np.isin(numbers, (0.0, 1.0))):
                raise fail(column, ~np.isin(numbers, (0.0, 1.0)), "True or False")
        out[:, j] = numbers
    return out


def covariates_from_codes(codes: NDArray[np.float64]) -> Any:
    """Covariate table (a pandas DataFrame, one row per patient) of numeric rows."""
    import pandas as pd

    codes = np.asarray(codes)
    return pd.DataFrame({
        "age": codes[:, 0],
        "diabetes": [_DIABETES[int(c)] for c in codes[:, 1]],
        "vitamin_c": [_VITAMIN_C[int(c)] for c in codes[:, 2]],
        "phototype": codes[:, 3].astype(np.int64),
        "smoker": codes[:, 4].astype(bool),
        "photoaged": codes[:, 5].astype(bool),
        "reactive_skin": codes[:, 6].astype(bool),
        "acne_scars": codes[:, 7].astype(bool),
    })


def patients_from_codes(codes: NDArray[np.float64]) -> list[Patient]:
    """Patient objects of numeric rows (the inverse of :func:`patient_codes`)."""
    return [
        Patient(age=float(r[0]),
                diabetes=cast(DiabetesStatus, _DIABETES[int(r[1])]),
                vitamin_c=cast(VitaminCStatus, _VITAMIN_C[int(r[2])]),
                phototype=int(r[3]), smoker=bool(r[4]), photoaged=bool(r[5]),
                reactive_skin=bool(r[6]), acne_scars=bool(r[7]))
        for r in np.asarray(codes)
    ]
