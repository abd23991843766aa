"""Safe file input and output: bounded reads, atomic writes, no overwriting of inputs, CSV cells
a spreadsheet cannot execute. The guarantees are listed in ``docs/limits.md``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from .limits import MAX_FILE_BYTES

__all__ = ["read_text", "write_atomic", "check_outputs", "neutralise_cells"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file of at most :data:`MAX_FILE_BYTES`; errors name the file."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise FileNotFoundError(f"{p}: no such file") from None
    if p.is_dir():
        raise ValueError(f"{p}: is a folder, not a file")
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{p}: {size:,} bytes; input files are at most {MAX_FILE_BYTES:,} "
                         "bytes (see docs/limits.md)")
    try:
        with p.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise FileNotFoundError(f"{p}: no such file") from None
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{p}: input files are at most {MAX_FILE_BYTES:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{p}: not a UTF-8 text file (byte {exc.start})") from None


def check_outputs(outputs: Iterable[tuple[str, str | Path | None]],
                  inputs: Iterable[str | Path | None]) -> None:
    """Refuse, before any work, outputs that are inputs, repeat each other or cannot be written.

    ``outputs`` are (option name, path) pairs; ``None`` paths are skipped. Paths are compared
    resolved (symbolic links followed) and, when both exist, with :func:`os.path.samefile`.
    """
    ins = [Path(p) for p in inputs if p is not None]
    seen: dict[Path, str] = {}
    for option, path in outputs:
        if path is None:
            continue
        p = Path(path)
        resolved = p.resolve()
        for source in ins:
            same = resolved == source.resolve()
            if not same and p.exists() and source.exists():
                same = os.path.samefile(p, source)
            if same:
                raise ValueError(f"{option} {p}: is an input file ({source}); refusing to "
                                 "overwrite it")
        if resolved in seen:
            raise ValueError(f"{option} {p}: the same file as {seen[resolved]}")
        seen[resolved] = option
        folder = resolved.parent
        if not folder.is_dir():
            raise ValueError(f"{option} {p}: folder {folder} does not exist")
        if p.is_dir():
            raise ValueError(f"{option} {p}: is a folder")
        if not os.access(folder, os.W_OK):
            raise ValueError(f"{option} {p}: folder {folder} is not writable")


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file in the same folder, then rename it onto ``path``.

    Readers see the old file or the complete new one, never a partial file; on any error the
    temporary file is removed and ``path`` is untouched.
    """
    p = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.resolve().parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells, index and column labels cannot run as formulas.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading ``'`` (the OWASP
    rule); numbers are left as they are.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_neutralise)
    out.index = out.index.map(_neutralise)
    out.columns = out.columns.map(_neutralise)
    if out.index.name is not None:
        out.index.name = _neutralise(out.index.name)
    return out
