"""Durable file primitives for the capture store: atomic replace, exclusive locks, CSV rows.

* :func:`atomic_write_text` writes a temporary file in the target's folder, flushes and fsyncs
  it, renames it over the target with :func:`os.replace` (atomic on POSIX) and fsyncs the folder,
  so a crash or ``kill -9`` at any moment leaves either the old or the new complete file.
* :func:`locked` holds an exclusive ``fcntl.flock`` on a lock file beside the target for the whole
  read-modify-write; the kernel releases it when a process dies, so a killed writer never leaves
  the file locked. Lock files are never deleted (deleting them would let two writers hold
  "the" lock on different inodes).
"""

from __future__ import annotations

import csv
import fcntl
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from toolkit.errors import StoreError
from toolkit.inputs.limits import byte_limit

TMP_MARK = ".tmp-"


def fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` so that readers only ever see the old or the new file."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` so that readers only ever see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (through its lock file) until the block ends.

    While it is held, stale temporary files of ``path`` (left by a writer that was killed
    between creating and renaming them) are removed: no live writer can own one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        for stale in path.parent.glob(f".{path.name}{TMP_MARK}*"):
            with suppress(FileNotFoundError):
                stale.unlink()
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def read_rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a capture CSV as text cells keyed by the known ``columns`` ([] if no file).

    Column names are matched case-insensitively. A column we do not know raises
    :class:`StoreError` rather than being dropped on the next write.
    """
    text = _read_text(path)
    if text is None:
        return []
    try:
        raw = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise StoreError(f"{path.name}: not a readable CSV file ({exc})") from None
    if not raw:
        return []
    header = [" ".join(h.strip().lower().split()) for h in raw[0]]
    unknown = [h for h in header if h and h not in columns]
    if unknown:
        raise StoreError(f"{path.name}: unknown column(s) {', '.join(unknown)}; expected {', '.join(columns)}")
    return [_row(header, cells, columns) for cells in raw[1:] if any(c.strip() for c in cells)]


def _read_text(path: Path) -> str | None:
    """A capture file's text, None when there is none; too large or unreadable raises StoreError."""
    try:
        if path.stat().st_size > byte_limit(path):  # before it is read (docs/inputs.md, "Size limits")
            raise StoreError(f"{path.name}: the file is {path.stat().st_size:,} bytes; a capture file may hold at "
                             f"most {byte_limit(path):,}: check it is this review's file")
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path.name}: cannot read the file ({exc})") from None


def _row(header: Sequence[str], cells: Sequence[str], columns: Sequence[str]) -> dict[str, str]:
    row = {c: "" for c in columns}
    for h, value in zip(header, cells, strict=False):
        if h:
            row[h] = value
    return row


def rows_to_csv(rows: Sequence[dict[str, str]], columns: Sequence[str]) -> str:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buf.getvalue()
