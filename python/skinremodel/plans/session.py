"""One microneedling session: its day and needle settings, and the units plans are counted in."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..limits import CORE_LIMITS, MAX_SESSION_DAY, MIN_SESSION_SPACING_DAYS, check_limit
from .devices import Device

__all__ = [
    "Session",
    "CLINICAL_DEPTH_MM",
    "MAX_DEPTH_MM",
    "DEFAULT_DENSITY_PER_CM2",
    "DAYS_PER_WEEK",
    "DAYS_PER_MONTH",
    "DAYS_PER_YEAR",
]

#: Needle lengths used in clinics (mm). Depths outside need ``allow_any_depth=True``.
CLINICAL_DEPTH_MM: tuple[float, float] = (0.25, 2.5)
#: Hard physical limit of the dose model (mm): the core's bound ``depth_mm``.
MAX_DEPTH_MM = CORE_LIMITS["depth_mm"].high
#: Puncture density of a session without a device (per cm^2; design MN-14 reference session).
DEFAULT_DENSITY_PER_CM2 = 250.0
#: Calendar units of plans (the published data use 1 month = 30 days, 1 year = 365 days).
DAYS_PER_WEEK, DAYS_PER_MONTH, DAYS_PER_YEAR = 7.0, 30.0, 365.0


@dataclass(frozen=True)
class Session:
    """One microneedling session.

    Parameters
    ----------
    day : float
        Day of the session, counted from day 0 of the simulation (>= 0).
    depth_mm : float
        Nominal needle length in mm (clinical range 0.25-2.5).
    density_per_cm2 : float, optional
        Punctures per cm^2. Default: the device's density, or 250 without a device (about 15
        passes of a 192-needle roller).
    needle_diameter_mm : float or None
        Needle diameter. Default: the device's, or None without a device (the parameter
        ``w``, 0.25 mm).
    dose_scale : float
        Multiplier of the dose for technique or skin factors (1 = as computed).
    device : Device, optional
        The device used (:meth:`Device.roller`, :meth:`Device.pen`, :meth:`Device.stamp`); it
        sets the density and diameter, which must then agree with it if also given.
    """

    day: float
    depth_mm: float = 1.5
    density_per_cm2: float = None  # type: ignore[assignment]  # resolved in __post_init__
    needle_diameter_mm: float | None = None
    dose_scale: float = 1.0
    device: Device | None = None

    def __post_init__(self) -> None:
        day = check_limit("day", self.day)
        if 0 < day < MIN_SESSION_SPACING_DAYS:
            raise ValueError(
                f"day must be 0 or in [{MIN_SESSION_SPACING_DAYS:g}, "
                f"{MAX_SESSION_DAY:g}] days, got {day:g}"
            )
        object.__setattr__(self, "day", day)
        object.__setattr__(self, "depth_mm", check_limit("depth_mm", self.depth_mm))
        self._resolve_device()
        object.__setattr__(
            self, "density_per_cm2", check_limit("density_per_cm2", self.density_per_cm2)
        )
        if self.needle_diameter_mm is not None:
            object.__setattr__(
                self,
                "needle_diameter_mm",
                check_limit("needle_diameter_mm", self.needle_diameter_mm),
            )
        object.__setattr__(self, "dose_scale", check_limit("dose_scale", self.dose_scale))

    def _resolve_device(self) -> None:
        """Fill density and diameter from the device; refuse values that contradict it."""
        device = self.device
        if device is None:
            if self.density_per_cm2 is None:
                object.__setattr__(self, "density_per_cm2", DEFAULT_DENSITY_PER_CM2)
            return
        if not isinstance(device, Device):
            raise TypeError(
                f"device must be a skinremodel.Device (Device.roller(), "
                f"Device.pen(), Device.stamp()), got {type(device).__name__}"
            )
        for name, value in (
            ("density_per_cm2", device.density_per_cm2),
            ("needle_diameter_mm", device.needle_diameter_mm),
        ):
            given = getattr(self, name)
            if given is None:
                object.__setattr__(self, name, value)
            elif given != value:
                raise ValueError(
                    f"{name}={given:g} contradicts the device ({device.describe()}: "
                    f"{value:g}); give the device or the {name.split('_')[0]}, not both"
                )

    def _row(self) -> tuple[float, float, float, float, float]:
        diameter = math.nan if self.needle_diameter_mm is None else self.needle_diameter_mm
        return (self.day, self.depth_mm, self.density_per_cm2, diameter, self.dose_scale)
