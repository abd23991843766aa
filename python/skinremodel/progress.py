"""Progress bars for long work, and the package's logger.

Populations, :func:`~skinremodel.simulate_many`, multistart :func:`~skinremodel.fit` and profile
likelihoods show a `tqdm <https://tqdm.github.io>`_ progress bar on standard error when they run
in a terminal or a Jupyter notebook, and stay silent otherwise (scripts piped to a file, CI,
test runs). Switch them per call with ``progress=True/False``, for the whole session with
:func:`set_progress`, or with the environment variable ``SKINREMODEL_PROGRESS`` (``0``/``1``).

Diagnostics go to the standard :mod:`logging` logger ``"skinremodel"`` (chunks, fit starts,
profile steps, saved files); it has no handler of its own, so nothing is printed unless the
application configures logging, e.g. ``logging.basicConfig(level=logging.INFO)``.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

__all__ = ["logger", "set_progress", "progress_enabled", "progress_bar"]

#: The package's logger (``logging.getLogger("skinremodel")``).
logger = logging.getLogger("skinremodel")
logger.addHandler(logging.NullHandler())

_setting: bool | None = None


def set_progress(enabled: bool | None) -> None:
    """Switch progress bars on (True) or off (False) for this session; None restores automatic.

    Automatic: shown when standard error is a terminal or the code runs in a Jupyter kernel,
    unless ``SKINREMODEL_PROGRESS=0`` is set. A ``progress=`` argument of a call wins over both.
    """
    global _setting
    if enabled is not None and not isinstance(enabled, bool):
        raise TypeError(f"set_progress takes True, False or None, got {enabled!r}")
    _setting = enabled


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = getattr(ipython, "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


def progress_enabled(progress: bool | None = None) -> bool:
    """Whether a bar is shown: the call's ``progress``, else :func:`set_progress`, else auto."""
    if progress is not None:
        if not isinstance(progress, bool):
            raise TypeError(f"progress must be True, False or None, got {progress!r}")
        return progress
    if _setting is not None:
        return _setting
    env = os.environ.get("SKINREMODEL_PROGRESS", "").strip().lower()
    if env in ("0", "false", "no", "off"):
        return False
    if env in ("1", "true", "yes", "on"):
        return True
    try:
        tty = sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        tty = False
    return tty or _in_notebook()


def progress_bar(total: int, desc: str, unit: str = "it", progress: bool | None = None) -> Any:
    """Return a tqdm bar on standard error (disabled when :func:`progress_enabled` is False).

    Use as a context manager and call ``update(n)``. In a notebook with ``ipywidgets`` the
    bar is a widget; without it, text.
    """
    enabled = progress_enabled(progress)
    if enabled and _in_notebook():
        try:
            import ipywidgets  # noqa: F401
            from tqdm.notebook import tqdm as bar_type
        except ImportError:
            from tqdm import tqdm as bar_type
    else:
        from tqdm import tqdm as bar_type
    return bar_type(
        total=total,
        desc=desc,
        unit=unit,
        disable=not enabled,
        file=sys.stderr,
        dynamic_ncols=True,
        leave=True,
    )
