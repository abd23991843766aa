"""Safe file input and output.

Bounded reads, atomic writes, no overwriting of inputs, CSV cells a spreadsheet cannot execute.
The guarantees are listed in ``docs/limits.md``.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from .limits import MAX_FILE_BYTES, MAX_TABLE_ROWS

__all__ = ["read_text", "read_csv", "write_atomic", "check_outputs", "neutralise_cells"]

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
        raise ValueError(
            f"{p}: {size:,} bytes; input files are at most {MAX_FILE_BYTES:,} "
            "bytes (see docs/limits.md)"
        )
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


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV table as text cells; every failure is a ValueError naming the file."""
    text = read_text(path)  # size bound, UTF-8 check, file named in errors
    try:
        table = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, nrows=MAX_TABLE_ROWS + 1
        )
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: empty file (a header row is needed)") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise ValueError(f"{path}: not a valid CSV table: {' '.join(str(exc).split())}") from None
    if len(table) > MAX_TABLE_ROWS:
        raise ValueError(f"{path}: more than {MAX_TABLE_ROWS:,} rows (see docs/limits.md)")
    table.columns = [str(c).strip() for c in table.columns]
    duplicated = table.columns[table.columns.duplicated()].tolist()
    if duplicated:
        raise ValueError(f"{path}: column {duplicated[0]!r} appears twice")
    return table.apply(lambda col: col.str.strip())


def check_outputs(
    outputs: Iterable[tuple[str, str | Path | None]], inputs: Iterable[str | Path | None]
) -> None:
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
                raise ValueError(
                    f"{option} {p}: is an input file ({source}); refusing to overwrite it"
                )
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
        os.chmod(tmp, _mode_for(p))  # mkstemp makes 0600; keep the usual permissions
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _mode_for(path: Path) -> int:
    """Return the permissions of the file being replaced, or the default ones (umask applied)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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
