"""Plans as JSON and TOML documents that read back exactly.

A document holds every setting of every session, so it keeps what the text form cannot (needle
diameters, dose scales, every device setting)::

    format = "skinremodel.schedule"
    version = 1
    name = "Standard course"            # optional
    start_date = 2025-03-03             # optional (a TOML date; "2025-03-03" in JSON)
    allow_any_depth = false

    [[sessions]]
    day = 0.0
    depth_mm = 1.5
    density_per_cm2 = 229.1831180523293   # written for reading; must agree with the device
    needle_diameter_mm = 0.25             # omitted (JSON: null) = parameter w
    dose_scale = 1.0
    device = { kind = "roller", needles = 192, passes = 15, drum_diameter_cm = 2.0,
               drum_width_cm = 2.0, needle_diameter_mm = 0.25 }

Floats are written with Python's shortest exact representation, so a saved plan compares
equal (days, settings, start date, name, ``allow_any_depth``) to the one that was saved.
Unknown keys are refused with the key named, so a typo never passes silently.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._files import read_text, write_atomic
from .._validation import check_keys
from ..limits import check_nesting

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:  # pragma: no cover
    from .schedule import Schedule
    from .session import Session

__all__ = [
    "FORMAT",
    "VERSION",
    "schedule_to_dict",
    "document_sessions",
    "session_arguments",
    "to_json",
    "to_toml",
    "decode",
    "save",
    "read_document",
]

FORMAT = "skinremodel.schedule"
VERSION = 1
_SESSION_KEYS = ("day", "depth_mm", "density_per_cm2", "needle_diameter_mm", "dose_scale", "device")
_PLAN_KEYS = ("format", "version", "name", "start_date", "allow_any_depth", "sessions")


def schedule_to_dict(plan: Schedule) -> dict[str, Any]:
    """Return the plan as plain data; ``None`` values are kept (TOML writing drops them)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": plan.name,
        "start_date": plan.start_date,
        "allow_any_depth": plan.allow_any_depth,
        "sessions": [_session_to_dict(s) for s in plan.sessions],
    }


def _session_to_dict(s: Session) -> dict[str, Any]:
    return {
        "day": s.day,
        "depth_mm": s.depth_mm,
        "density_per_cm2": s.density_per_cm2,
        "needle_diameter_mm": s.needle_diameter_mm,
        "dose_scale": s.dose_scale,
        "device": None if s.device is None else s.device.to_dict(),
    }


def document_sessions(data: Any, *, where: str = "") -> list[Any]:
    """Check a plan document and return its sessions, still as plain data.

    The document is :func:`schedule_to_dict` output, from JSON or TOML;
    :func:`skinremodel.plans.schedule.schedule_from_dict` builds the plan from it. ``where``
    prefixes error messages (e.g. the file name).
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"{where}a plan must be a table/object, got {type(data).__name__}")
    check_keys(where, data, _PLAN_KEYS)
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise ValueError(f"{where}format must be {FORMAT!r}, got {fmt!r}")
    version = data.get("version", VERSION)
    if version != VERSION:
        raise ValueError(
            f"{where}version {version!r} is not supported (this skinremodel "
            f"reads version {VERSION})"
        )
    if "sessions" not in data:  # an empty plan is written "sessions = []", never implied
        raise ValueError(f"{where}missing key 'sessions' (a list of sessions; [] for none)")
    raw_sessions = data["sessions"]
    if not isinstance(raw_sessions, list):
        raise TypeError(
            f"{where}sessions must be a list of tables, got {type(raw_sessions).__name__}"
        )
    return raw_sessions


def session_arguments(data: Any, where: str) -> dict[str, Any]:
    """Check one session of a document; return its Session's keyword arguments.

    The device is still its table (:meth:`Device.from_dict` builds it).
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"{where}a session must be a table/object, got {type(data).__name__}")
    check_keys(where, data, _SESSION_KEYS)
    # Every setting is written by save(); a missing one is refused rather than defaulted.
    required = ["day", "depth_mm", "dose_scale"]
    if data.get("device") is None:
        required.append("density_per_cm2")
    for key in required:
        if data.get(key) is None:
            raise ValueError(f"{where}missing key {key!r}")
    return {k: data[k] for k in _SESSION_KEYS if data.get(k) is not None}


def to_json(plan: Schedule) -> str:
    """JSON text of the plan (dates as ``"YYYY-MM-DD"``)."""
    data = schedule_to_dict(plan)
    if plan.start_date is not None:
        data["start_date"] = plan.start_date.isoformat()
    return json.dumps(data, indent=2) + "\n"


def decode(text: str, kind: str, where: str) -> Any:
    """Parse JSON or TOML text; a syntax error becomes a ValueError naming the place."""
    if not isinstance(text, str):
        raise TypeError(f"{where}{kind.upper()} text must be a string, got {type(text).__name__}")
    check_nesting(where, text)  # before the recursive parsers see it
    try:
        return json.loads(text) if kind == "json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{where}not valid {kind.upper()}: {exc}") from None
    except RecursionError:  # pragma: no cover - check_nesting refuses these first
        raise ValueError(f"{where}nested too deeply") from None


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def to_toml(plan: Schedule) -> str:
    """TOML text of the plan (TOML has no null: unset values are left out)."""
    import tomli_w

    return tomli_w.dumps(_drop_none(schedule_to_dict(plan)))


def read_document(path: str | Path) -> dict[str, Any]:
    """Read a ``.toml`` or ``.json`` file into plain data, with errors naming the file."""
    p = Path(path)
    kind = p.suffix.lower()
    if kind not in (".toml", ".json"):
        raise ValueError(f"{p}: expected a .toml or .json file")
    text = read_text(p)
    data = decode(text, kind[1:], f"{p}: ")
    if not isinstance(data, dict):
        raise ValueError(f"{p}: expected a table/object at the top level")
    return data


def save(plan: Schedule, path: str | Path) -> None:
    """Write a plan to ``path``; the format follows the extension (``.json`` or ``.toml``)."""
    p = Path(path)
    kind = p.suffix.lower()
    if kind == ".json":
        write_atomic(p, to_json(plan))
    elif kind == ".toml":
        write_atomic(p, to_toml(plan))
    else:
        raise ValueError(f"{p}: the file name must end in .json or .toml")
