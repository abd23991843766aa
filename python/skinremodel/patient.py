"""Patients: the covariates that change the healing response (model design section 2.7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from . import _core
from ._validation import check_bool, check_choice, check_int, check_real
from .history import MedicalHistory
from .parameters import Parameters

__all__ = ["Patient"]

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
        Atrophic acne scars in the treated area: the visible index is judged against the scar's
        collagen deficit (``cov_acne_deficit``), so the same gain is more visible.
    history : MedicalHistory or mapping, optional
        What screening asks about (pregnancy, skin conditions, isotretinoin, ...); not a model
        covariate. See :func:`skinremodel.screen`.

    Examples
    --------
    >>> import skinremodel as sr
    >>> sr.Patient(age=62, diabetes="controlled")
    Patient(age=62.0, diabetes='controlled', vitamin_c='replete', phototype=2, smoker=False, photoaged=False, reactive_skin=False, acne_scars=False, history=MedicalHistory())
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
