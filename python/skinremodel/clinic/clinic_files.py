"""The input files of ``skinremodel compare``: a plans file and a patient file (TOML or JSON).

Plans file::

    start_date = 2025-03-03              # optional: day 0 of plans without their own date

    [[plan]]
    library = "standard-course"          # a built-in plan (skinremodel plans)
    sessions = 5                         # optional choices within its range: sessions,
                                         # every_weeks, every_days, touch_ups, depth_mm, device

    [[plan]]
    name = "Gentle course"
    text = "3 sessions every 2 weeks at 1.0 mm"

    [[plan]]
    file = "saved_plan.toml"             # a plan saved with Schedule.save (a relative path
                                         # inside the plans file's folder)

    [[plan]]
    name = "Exact"                       # or the sessions themselves (see schedule_io.py);
    [[plan.sessions]]                    # every field is required (device optional)
    day = 0.0
    depth_mm = 1.5
    density_per_cm2 = 250.0
    dose_scale = 1.0

Patient file: the fields of :class:`~skinremodel.Patient`, with the history as a table::

    age = 62
    diabetes = "controlled"
    [history]
    isotretinoin_stopped = 2024-10-01

Errors name the file, the plan and the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from pathlib import Path
from typing import Any

from .. import plans as library
from .._validation import check_date, check_keys
from ..patients.patient import Patient
from ..plans.devices import Device
from ..plans.schedule import Schedule, schedule_from_dict
from ..plans.schedule_io import read_document

__all__ = ["load_plans_file", "load_patient_file"]

_CHOICES = ("sessions", "every_weeks", "every_days", "touch_ups", "depth_mm", "device")


def load_plans_file(
    path: str | Path, used: list[Path] | None = None
) -> tuple[dict[str, Schedule], dt.date | None]:
    """Read a plans file; returns the plans by name and the file's ``start_date``.

    Plans read from other files (``file = ...``) must lie inside the plans file's folder;
    their paths are appended to ``used`` when given (the command line never writes over them).
    """
    data = read_document(path)
    check_keys(f"{path}: ", data, ("plan", "start_date"))
    start = data.get("start_date")
    start_date = None if start is None else check_date(f"{path}: start_date", start)
    entries = data.get("plan")
    if not isinstance(entries, list) or not entries:
        raise ValueError(
            f"{path}: no plans; add [[plan]] tables (see 'skinremodel compare --help')"
        )
    named: dict[str, Schedule] = {}
    for k, entry in enumerate(entries):
        where = f"{path}: plan[{k}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: must be a table")
        if isinstance(entry.get("name"), str):
            where += f" ({entry['name']!r})"
        plan = _plan_entry(entry, Path(path).parent, where, used)
        name = plan.label()
        if name in named:
            raise ValueError(f"{where}: another plan is also named {name!r}; give a name = ...")
        named[name] = plan
    return named, start_date


def _plan_entry(
    entry: dict[str, Any], folder: Path, where: str, used: list[Path] | None = None
) -> Schedule:
    # "sessions" is a choice of a library plan, and the session list of an inline plan.
    sources: list[str] = [s for s in ("library", "text", "file") if s in entry]
    if "sessions" in entry and "library" not in entry:
        sources.append("sessions")
    if len(sources) != 1:
        raise ValueError(
            f"{where}: give exactly one of library, text, file or sessions, got "
            f"{', '.join(sources) or 'none'}"
        )
    source = sources[0]
    name = entry.get("name")
    if name is not None and not isinstance(name, str):
        raise ValueError(f"{where}: name must be a string")
    rest = {k: v for k, v in entry.items() if k != "name"}
    try:
        if source == "library":
            check_keys("", rest, ("library", *_CHOICES))
            choices = {k: v for k, v in rest.items() if k != "library"}
            if "device" in choices:
                choices["device"] = Device.from_dict(choices["device"])
            plan = library.get(rest["library"], **choices)
        elif source == "text":
            check_keys("", rest, ("text", "start_date"))
            if not isinstance(rest["text"], str):
                raise TypeError("text must be a string")
            plan = Schedule.parse(
                rest["text"], name=rest["text"].strip(), start_date=rest.get("start_date")
            )
        elif source == "file":
            check_keys("", rest, ("file", "name"))
            target = _inside(folder, rest["file"])
            if used is not None:
                used.append(target)
            plan = Schedule.load(target)
        else:
            plan = schedule_from_dict(rest)
    except (TypeError, ValueError, OSError) as exc:
        raise type(exc)(f"{where}: {exc}") from None
    return plan.named(name) if name is not None else plan


def _inside(folder: Path, name: Any) -> Path:
    """Return the path of ``file = name``: relative, and inside ``folder`` once links resolve."""
    if not isinstance(name, str) or not name.strip():
        raise TypeError("file must be a non-empty string (a path relative to the plans file)")
    relative = Path(name)
    if relative.is_absolute() or relative.drive:
        raise ValueError(f"file {name!r} must be a path relative to the plans file's folder")
    target = folder / relative
    base = folder.resolve()
    if not target.resolve().is_relative_to(base):
        raise ValueError(f"file {name!r} is outside the plans file's folder {base}")
    return target


def load_patient_file(path: str | Path) -> Patient:
    """Read a patient file (covariates and a ``[history]`` table)."""
    data = read_document(path)
    check_keys(f"{path}: ", data, tuple(f.name for f in fields(Patient)))
    try:
        return Patient(**data)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{path}: {exc}") from None
