"""Opening a user's input file safely: only regular files, never a read that blocks.

Every reader of a file a review names (findings, checklists, audit, SEF, performance data, the
parameters themselves, a letter style's words) first calls :func:`regular_file`, so a directory,
a named pipe (FIFO), a socket, a device or a symbolic-link loop gets one line saying what it is,
instead of "file not found", a traceback, or a read that waits for ever on a pipe; and a file
larger than its kind's limit is refused before it is read (:mod:`toolkit.inputs.limits`).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from toolkit.errors import InputError
from toolkit.inputs.limits import check_size

#: What a message calls each kind of thing that is not a regular file.
_NOT_A_FILE = (
    (stat.S_ISDIR, "is a folder, not a file: name the file inside it"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a file: name a saved CSV, XLSX or YAML file"),
    (stat.S_ISSOCK, "is a socket, not a file: name a saved CSV, XLSX or YAML file"),
    (stat.S_ISCHR, "is a device, not a file: name a saved CSV, XLSX or YAML file"),
    (stat.S_ISBLK, "is a device, not a file: name a saved CSV, XLSX or YAML file"),
)


#: What an error of ``os.stat`` says about the path, by its errno.
_ERRNO_PROBLEMS = {
    errno.ELOOP: "is a symbolic link that points back to itself (a link loop): name the real file",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EACCES: "cannot be read: permission denied",
    errno.EPERM: "cannot be read: permission denied",
    errno.ENOTDIR: "file not found (a part of the path is a file, not a folder)",
}


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as an input file (``None`` when it is a regular file).

    Never opens the file, so a named pipe is recognised without blocking on it.
    """
    try:
        mode = os.stat(path).st_mode  # follows symbolic links
    except FileNotFoundError:
        if os.path.lexists(path):
            return "is a symbolic link to a file that does not exist"
        return "file not found"
    except OSError as exc:
        return _ERRNO_PROBLEMS.get(exc.errno or 0, f"cannot be read ({exc.strerror or exc.__class__.__name__})")
    except ValueError:  # an embedded NUL character
        return "is not a valid file name"
    for test, message in _NOT_A_FILE:
        if test(mode):
            return message
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return None


def regular_file(path: Path, shown: str, limit: int | None = None) -> Path:
    """``path`` when it is a regular file of at most ``limit`` bytes (by default its kind's:
    :func:`toolkit.inputs.limits.byte_limit`); otherwise raise :class:`InputError` saying what it is."""
    problem = file_problem(path)
    if problem is not None:
        raise InputError(shown, problem)
    check_size(path, shown, limit)
    return path


def resolved(path: Path) -> Path:
    """``path.resolve()``, or the absolute path where it cannot be resolved (a link loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def is_regular_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (a link to one counts); never raises, never blocks."""
    return file_problem(path) is None
