"""Microneedling devices: the puncture density and needle diameter a session delivers.

The engine takes a puncture density (per cm^2) and a needle diameter (mm) per session; a device
computes them from its geometry and the technique (model design MN-14, section 2.5):

========  =====================================================  ===================================
device    puncture density per session                           symbols
========  =====================================================  ===================================
roller    rho = n_pass N / (pi D W)                              drum diameter D, width W (cm)
pen       rho = n_pass N f / (v w)                               stroke rate f (Hz), glide speed v
                                                                 (cm/s), footprint width w (cm)
stamp     rho = n_stamp N                                        stamps per cm^2 n_stamp
========  =====================================================  ===================================

Defaults and their sources (tags as in ``docs/model.md``: R retrieved, S secondary, C chosen):

- Roller: 192 needles, drum 2 cm x 2 cm, needle diameter 0.25 mm [R] (Schwarz & Laaff 2011);
  15 passes [S] (Singh & Yadav 2016: about 250 punctures/cm^2 after about 15 passes; the
  geometry gives 15.3/cm^2 per pass, 229/cm^2 after 15).
- Pen: 12 needles [S] (Dermapen tip: 12 needles, oscillating close to 110 per second,
  dralek.co.za; the 2012 model had 11 needles at up to 90 Hz, The Aesthetic Guide 2012);
  stroke rate 100 Hz [C] (between those two figures); glide speed 4 cm/s, footprint 0.5 cm,
  2 passes and needle diameter 0.25 mm [C] (not retrieved; they give 600 punctures/cm^2 per
  pass, consistent with about 1000 punctures per second spread over a face in 2-3 minutes).
- Stamp: 35 needles and needle diameter 0.25 mm [C]; the number of stamps per cm^2 has no
  default because it is entirely a matter of technique.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

from .._validation import check_int, check_keys, check_real
from ..limits import CORE_LIMITS, check_limit

__all__ = ["Device", "Roller", "Pen", "Stamp", "MAX_DENSITY_PER_CM2"]

#: Highest puncture density the dose model accepts (per cm^2), as ``Session.density_per_cm2``:
#: the core's bound ``density_per_cm2``.
MAX_DENSITY_PER_CM2 = CORE_LIMITS["density_per_cm2"].high


class Device:
    """A microneedling device; subclasses :class:`Roller`, :class:`Pen` and :class:`Stamp`.

    Build one with :meth:`Device.roller`, :meth:`Device.pen` or :meth:`Device.stamp`. A device
    gives a session its :attr:`density_per_cm2` and :attr:`needle_diameter_mm`.

    Examples
    --------
    >>> import skinremodel as sr
    >>> round(sr.Device.roller(passes=15).density_per_cm2, 1)
    229.2
    >>> sr.Device.pen(needles=12, passes=2).density_per_cm2
    1200.0
    """

    kind: ClassVar[str] = ""
    #: Settings the text form of a plan can carry (the rest needs JSON/TOML).
    text_fields: ClassVar[tuple[str, ...]] = ("needles", "passes")
    needles: int
    needle_diameter_mm: float

    @property
    def density_per_cm2(self) -> float:
        """Punctures per cm^2 delivered in one session."""
        raise NotImplementedError

    def _check_density(self) -> None:
        rho = self.density_per_cm2
        if not 0 < rho <= MAX_DENSITY_PER_CM2:
            raise ValueError(
                f"{self!r} gives {rho:.4g} punctures/cm2, outside the dose model's range "
                f"(0, {MAX_DENSITY_PER_CM2:g}]; use fewer passes or needles"
            )

    def to_dict(self) -> dict[str, Any]:
        """Return the device as a plain dict with its ``kind`` (read back by :meth:`from_dict`)."""
        return {"kind": self.kind, **asdict(self)}  # type: ignore[call-overload]

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Device:
        """Rebuild a device from :meth:`to_dict` output; unknown keys are an error."""
        if not isinstance(data, Mapping):
            raise TypeError(f"device must be a table/mapping, got {type(data).__name__}")
        kind = data.get("kind")
        classes = {cls.kind: cls for cls in (Roller, Pen, Stamp)}
        if kind not in classes:
            raise ValueError(
                f"device kind must be one of {', '.join(map(repr, classes))}, got {kind!r}"
            )
        cls = classes[kind]
        check_keys(f"device ({kind}): ", data, ("kind", *(f.name for f in fields(cls))))
        return cls(**{k: v for k, v in data.items() if k != "kind"})

    def is_text_expressible(self) -> bool:
        """Return True if only the settings in :attr:`text_fields` differ from the defaults."""
        default = type(self)(**{f: getattr(self, f) for f in self._required()})
        own = fields(self)  # type: ignore[arg-type]
        return all(
            getattr(self, f.name) == getattr(default, f.name)
            for f in own
            if f.name not in self.text_fields
        )

    @classmethod
    def _required(cls) -> tuple[str, ...]:
        return ()

    def describe(self) -> str:
        """Return a short human description, e.g. ``'192-needle roller, 15 passes (229/cm2)'``."""
        raise NotImplementedError

    # Constructors -------------------------------------------------------------------------
    @staticmethod
    def roller(
        needles: int = 192,
        passes: int = 15,
        *,
        drum_diameter_cm: float = 2.0,
        drum_width_cm: float = 2.0,
        needle_diameter_mm: float = 0.25,
    ) -> Roller:
        """Build a dermaroller rolled ``passes`` times over the area (see :class:`Roller`)."""
        return Roller(needles, passes, drum_diameter_cm, drum_width_cm, needle_diameter_mm)

    @staticmethod
    def pen(
        needles: int = 12,
        passes: int = 2,
        *,
        speed: float = 100.0,
        glide_cm_per_s: float = 4.0,
        footprint_cm: float = 0.5,
        needle_diameter_mm: float = 0.25,
    ) -> Pen:
        """Build an automated pen; ``speed`` is the stroke rate in Hz (see :class:`Pen`)."""
        return Pen(needles, passes, speed, glide_cm_per_s, footprint_cm, needle_diameter_mm)

    @staticmethod
    def stamp(
        stamps_per_cm2: float, needles: int = 35, *, needle_diameter_mm: float = 0.25
    ) -> Stamp:
        """Build a stamp pressed ``stamps_per_cm2`` times per cm^2 (see :class:`Stamp`)."""
        return Stamp(stamps_per_cm2, needles, needle_diameter_mm)


def _check_common(device: Any) -> None:
    object.__setattr__(device, "needles", check_int("needles", device.needles, 1, 1000))
    object.__setattr__(
        device, "needle_diameter_mm", check_limit("needle_diameter_mm", device.needle_diameter_mm)
    )


@dataclass(frozen=True)
class Roller(Device):
    """A dermaroller: a drum of needles rolled ``passes`` times over the area.

    Parameters
    ----------
    needles : int
        Needles on the drum (192 [R], Schwarz & Laaff 2011).
    passes : int
        Rolls over each part of the area (15 [S], Singh & Yadav 2016).
    drum_diameter_cm, drum_width_cm : float
        Drum size; 2 cm x 2 cm [R] (Schwarz & Laaff 2011).
    needle_diameter_mm : float
        0.25 mm [R] (Schwarz & Laaff 2011).
    """

    kind: ClassVar[str] = "roller"
    needles: int = 192
    passes: int = 15
    drum_diameter_cm: float = 2.0
    drum_width_cm: float = 2.0
    needle_diameter_mm: float = 0.25

    def __post_init__(self) -> None:
        _check_common(self)
        object.__setattr__(self, "passes", check_int("passes", self.passes, 1, 100))
        for name in ("drum_diameter_cm", "drum_width_cm"):
            object.__setattr__(
                self, name, check_real(name, getattr(self, name), 0, 10, lo_closed=False, unit="cm")
            )
        self._check_density()

    @property
    def density_per_cm2(self) -> float:
        """``passes * needles / (pi * drum_diameter_cm * drum_width_cm)``."""
        return self.passes * self.needles / (math.pi * self.drum_diameter_cm * self.drum_width_cm)

    def describe(self) -> str:  # noqa: D102
        return (
            f"{self.needles}-needle roller, {self.passes} passes ({self.density_per_cm2:.0f}/cm2)"
        )


@dataclass(frozen=True)
class Pen(Device):
    """An automated microneedling pen glided over the area ``passes`` times.

    Parameters
    ----------
    needles : int
        Needles in the cartridge; 12 [S] (Dermapen tips have 11 or 12).
    passes : int
        Passes over each part of the area (2 [C]).
    speed : float
        Stroke rate in Hz (punctures per needle per second); 100 [C], between the 90 Hz and
        about 110/s quoted for Dermapen models [S].
    glide_cm_per_s : float
        Speed at which the pen is moved over the skin (4 cm/s [C]).
    footprint_cm : float
        Width of the strip the cartridge covers (0.5 cm [C]).
    needle_diameter_mm : float
        0.25 mm [C] (as the roller; pen needle gauges were not retrieved).
    """

    kind: ClassVar[str] = "pen"
    needles: int = 12
    passes: int = 2
    speed: float = 100.0
    glide_cm_per_s: float = 4.0
    footprint_cm: float = 0.5
    needle_diameter_mm: float = 0.25

    def __post_init__(self) -> None:
        _check_common(self)
        object.__setattr__(self, "passes", check_int("passes", self.passes, 1, 100))
        object.__setattr__(
            self, "speed", check_real("speed", self.speed, 0, 1000, lo_closed=False, unit="Hz")
        )
        object.__setattr__(
            self,
            "glide_cm_per_s",
            check_real("glide_cm_per_s", self.glide_cm_per_s, 0, 100, lo_closed=False, unit="cm/s"),
        )
        object.__setattr__(
            self,
            "footprint_cm",
            check_real("footprint_cm", self.footprint_cm, 0, 5, lo_closed=False, unit="cm"),
        )
        self._check_density()

    @property
    def density_per_cm2(self) -> float:
        """``passes * needles * speed / (glide_cm_per_s * footprint_cm)``."""
        return self.passes * self.needles * self.speed / (self.glide_cm_per_s * self.footprint_cm)

    def describe(self) -> str:  # noqa: D102
        return (
            f"{self.needles}-needle pen, {self.passes} passes at {self.speed:g} Hz "
            f"({self.density_per_cm2:.0f}/cm2)"
        )


@dataclass(frozen=True)
class Stamp(Device):
    """A stamp with ``needles`` needles, pressed ``stamps_per_cm2`` times per cm^2.

    Parameters
    ----------
    stamps_per_cm2 : float
        Presses per cm^2 of skin (no default: it is the technique).
    needles : int
        Needles on the stamp head (35 [C]).
    needle_diameter_mm : float
        0.25 mm [C].
    """

    kind: ClassVar[str] = "stamp"
    text_fields: ClassVar[tuple[str, ...]] = ("needles", "stamps_per_cm2")
    stamps_per_cm2: float
    needles: int = 35
    needle_diameter_mm: float = 0.25

    def __post_init__(self) -> None:
        _check_common(self)
        object.__setattr__(
            self,
            "stamps_per_cm2",
            check_real(
                "stamps_per_cm2", self.stamps_per_cm2, 0, 1000, lo_closed=False, unit="per cm2"
            ),
        )
        self._check_density()

    @classmethod
    def _required(cls) -> tuple[str, ...]:
        return ("stamps_per_cm2",)

    @property
    def density_per_cm2(self) -> float:
        """``stamps_per_cm2 * needles``."""
        return self.stamps_per_cm2 * self.needles

    def describe(self) -> str:  # noqa: D102
        return (
            f"{self.needles}-needle stamp, {self.stamps_per_cm2:g} stamps/cm2 "
            f"({self.density_per_cm2:.0f}/cm2)"
        )
