"""A patient's medical history: what screening before microneedling asks about.

The model's covariates (age, diabetes, ...) are fields of :class:`~skinremodel.Patient`; the
history holds the rest of what clinic guidance screens for, with dates where timing matters.
It is carried as ``Patient.history`` and read by :func:`skinremodel.screen`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .._validation import check_bool, check_date, check_keys

__all__ = ["MedicalHistory"]


@dataclass(frozen=True)
class MedicalHistory:
    """What screening asks about; everything defaults to "no" / "never".

    Conditions are about the treatment area unless stated. Dates are ``datetime.date`` (or
    ``"YYYY-MM-DD"`` strings); screening compares them with the dates of the sessions.

    Parameters
    ----------
    pregnant : bool
        Pregnant now (or during the plan).
    active_acne : bool
        Active acne breakouts in the area.
    rosacea_flare : bool
        A rosacea flare (rosacea-prone skin between flares is the covariate
        ``Patient.reactive_skin``).
    eczema, psoriasis : bool
        Eczema or psoriasis in the area.
    other_skin_condition : str, optional
        Another chronic skin condition in the area (e.g. ``"lupus"``), named.
    open_wound : bool
        An open wound, cut or active infection in the area.
    keloid_history : bool
        Keloids or hypertrophic scars in the past.
    on_isotretinoin : bool
        Taking oral isotretinoin now.
    isotretinoin_stopped : datetime.date, optional
        Date of the last isotretinoin dose.
    radiotherapy_ended : datetime.date, optional
        Last day of radiation therapy to the area.
    last_retinoid_use : datetime.date, optional
        Last application of a topical retinoid (retinol, tretinoin, adapalene, ...).
    last_sun_exposure : datetime.date, optional
        Last prolonged sun exposure, tanning or sunburn of the area.

    Examples
    --------
    >>> import datetime as dt, skinremodel as sr
    >>> sr.MedicalHistory(isotretinoin_stopped=dt.date(2025, 1, 10))
    MedicalHistory(isotretinoin_stopped=datetime.date(2025, 1, 10))
    """

    pregnant: bool = False
    active_acne: bool = False
    rosacea_flare: bool = False
    eczema: bool = False
    psoriasis: bool = False
    other_skin_condition: str | None = None
    open_wound: bool = False
    keloid_history: bool = False
    on_isotretinoin: bool = False
    isotretinoin_stopped: dt.date | None = None
    radiotherapy_ended: dt.date | None = None
    last_retinoid_use: dt.date | None = None
    last_sun_exposure: dt.date | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "other_skin_condition":
                if value is not None and (not isinstance(value, str) or not value.strip()):
                    raise TypeError(
                        "other_skin_condition must be the condition's name (a "
                        f"non-empty string) or None, got {value!r}"
                    )
            elif f.default is False:
                object.__setattr__(self, f.name, check_bool(f.name, value))
            elif value is not None:
                object.__setattr__(self, f.name, check_date(f.name, value))
        if self.on_isotretinoin and self.isotretinoin_stopped is not None:
            raise ValueError(
                "give on_isotretinoin=True (taking it now) or isotretinoin_stopped "
                "(date of the last dose), not both"
            )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "history") -> MedicalHistory:
        """Build from a mapping (e.g. a TOML table); unknown keys are an error."""
        check_keys(f"{where}: ", data, tuple(f.name for f in fields(cls)))
        return cls(**data)

    @property
    def dated_fields(self) -> dict[str, dt.date]:
        """The date fields that are set."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), dt.date)
        }

    def __bool__(self) -> bool:
        """Return True if anything is recorded (worked out once: the history never changes)."""
        recorded: bool | None = self.__dict__.get("_recorded")
        if recorded is None:
            recorded = any(getattr(self, f.name) != f.default for f in fields(self))
            object.__setattr__(self, "_recorded", recorded)
        return recorded

    def __repr__(self) -> str:
        # Only what is recorded: an empty history stays short in Patient's repr.
        shown = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
            if getattr(self, f.name) != f.default
        ]
        return f"MedicalHistory({', '.join(shown)})"
