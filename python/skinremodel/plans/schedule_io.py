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
from typing import Any

from .._files import read_text, write_atomic
from .._validation import check_bool, check_date, check_keys
from ..limits import check_nesting
from .devices import Device
from .schedule import Schedule, Session

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["FORMAT", "VERSION", "schedule_to_dict", "schedule_from_dict", "to_json",
           "from_json", "to_toml", "from_toml", "save", "load", "read_document"]

FORMAT = "skinremodel.schedule"
VERSION = 1
_SESSION_KEYS = ("day", "depth_mm", "density_per_cm2", "needle_diameter_mm", "dose_scale",
                 "device")
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


def schedule_from_dict(data: Any, *, where: str = "") -> Schedule:
    """Rebuild a plan from :func:`schedule_to_dict` output (JSON or TOML data).

    ``where`` prefixes error messages (e.g. the file name).
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"{where}a plan must be a table/object, got {type(data).__name__}")
    check_keys(where, data, _PLAN_KEYS)
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise ValueError(f"{where}format must be {FORMAT!r}, got {fmt!r}")
    version = data.get("version", VERSION)
    if version != VERSION:
        raise ValueError(f"{where}version {version!r} is not supported (this skinremodel "
                         f"reads version {VERSION})")
    if "sessions" not in data:  # an empty plan is written "sessions = []", never implied
        raise ValueError(f"{where}missing key 'sessions' (a list of sessions; [] for none)")
    raw_sessions = data["sessions"]
    if not isinstance(raw_sessions, list):
        raise TypeError(f"{where}sessions must be a list of tables, got "
                        f"{type(raw_sessions).__name__}")
    sessions = [_session_from_dict(s, f"{where}sessions[{k}]: ")
                for k, s in enumerate(raw_sessions)]
    start = data.get("start_date")
    allow = data.get("allow_any_depth", False)
    try:
        return Schedule(
            sessions,
            allow_any_depth=check_bool("allow_any_depth", allow),
            name=data.get("name"),
            start_date=None if start is None else check_date("start_date", start),
        )
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{where}{exc}") from None


def _session_from_dict(data: Any, where: str) -> Session:
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
    args = {k: data[k] for k in _SESSION_KEYS if data.get(k) is not None}
    try:
        if "device" in args:
            args["device"] = Device.from_dict(args["device"])
        return Session(**args)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{where}{exc}") from None


def to_json(plan: Schedule) -> str:
    """JSON text of the plan (dates as ``"YYYY-MM-DD"``)."""
    data = schedule_to_dict(plan)
    if plan.start_date is not None:
        data["start_date"] = plan.start_date.isoformat()
    return json.dumps(data, indent=2) + "\n"


def _decode(text: str, kind: str, where: str) -> Any:
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


def from_json(text: str, *, where: str = "") -> Schedule:
    """Read a plan from JSON text."""
    return schedule_from_dict(_decode(text, "json", where), where=where)


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


def from_toml(text: str, *, where: str = "") -> Schedule:
    """Read a plan from TOML text."""
    return schedule_from_dict(_decode(text, "toml", where), where=where)


def read_document(path: str | Path) -> dict[str, Any]:
    """Read a ``.toml`` or ``.json`` file into plain data, with errors naming the file."""
    p = Path(path)
    kind = p.suffix.lower()
    if kind not in (".toml", ".json"):
        raise ValueError(f"{p}: expected a .toml or .json file")
    text = read_text(p)
    data = _decode(text, kind[1:], f"{p}: ")
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


def load(path: str | Path) -> Schedule:
    """Read a plan saved by :func:`save`."""
    return schedule_from_dict(read_document(path), where=f"{path}: ")

