"""Plans and devices: sessions, schedules, their text and file forms, and the plan library.

``sr.plans`` is also the plan library (:mod:`skinremodel.plans.library`): ``sr.plans.list()``,
``sr.plans.get(name, **choices)``, ``sr.plans.table()``, ``sr.plans.all()``.

- :mod:`.devices`: rollers, pens and stamps: the puncture density and needle diameter of a
  session.
- :mod:`.session`: :class:`~skinremodel.Session`, one session's day and needle settings.
- :mod:`.schedule_io`: plans as JSON and TOML documents.
- :mod:`.schedule_text`: the text form, ``"4 sessions every 4 weeks at 1.5 mm"`` (its grammar is
  ``schedule_text.lark``).
- :mod:`.schedule`: :class:`~skinremodel.Schedule`, built from sessions, documents or text.
- :mod:`.library`: the built-in plans of clinic practice.
"""

from __future__ import annotations

from .library import LIBRARY, LibraryPlan, all, get, is_library_plan, list, table

__all__ = ["LibraryPlan", "LIBRARY", "list", "get", "table", "all", "is_library_plan"]
