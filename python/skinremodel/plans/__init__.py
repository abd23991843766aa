"""Plans and devices: sessions, schedules, their text and file forms, and the plan library.

``sr.plans`` is also the plan library (:mod:`skinremodel.plans.library`): ``sr.plans.list()``,
``sr.plans.get(name, **choices)``, ``sr.plans.table()``, ``sr.plans.all()``.

- :mod:`.devices`: rollers, pens and stamps: the puncture density and needle diameter of a
  session.
- :mod:`.schedule`: :class:`~skinremodel.Session` and :class:`~skinremodel.Schedule`.
- :mod:`.schedule_io`: plans as JSON and TOML documents.
- :mod:`.schedule_text`: the text form, ``"4 sessions every 4 weeks at 1.5 mm"``.
- :mod:`.library`: the built-in plans of clinic practice.
"""

from __future__ import annotations

from .library import LIBRARY, LibraryPlan, all, get, is_library_plan, list, table
from .schedule import install_text_form
from .schedule_text import format_schedule, parse_schedule

__all__ = ["LibraryPlan", "LIBRARY", "list", "get", "table", "all", "is_library_plan"]

# Schedule.parse and str(plan) use the text form, which builds Schedules: it is handed to
# schedule.py here rather than imported there (schedule.py's docstring says why).
install_text_form(parse_schedule, format_schedule)
