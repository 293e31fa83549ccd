"""One exception hierarchy for the toolkit.

Every problem with a user's input is an :class:`InputError` that names the file and, where it
applies, the row and column (for YAML files the "column" is the field path, such as
``team[2].role``). ``str(error)`` is the one line the user sees.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


class ToolkitError(Exception):
    """Base class of every error the toolkit raises on purpose."""


@dataclass(eq=True)
class InputError(ToolkitError):
    """A problem with one input file, located as precisely as we can.

    ``row`` is the 1-based data row as a spreadsheet user counts it (the header is row 1, so the
    first data row is row 2); ``column`` is the column name, or a field path in a YAML file, and
    ``line`` the line of that file holding the field.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    line: int | None = None  # the line of a YAML file that holds the field ``column`` names

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.line is not None and self.row is None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}" if self.row is not None else self.column)
        location = ", ".join(where)
        return f"{self.file}: {location}: {self.message}" if location else f"{self.file}: {self.message}"


class InputWarning(InputError):
    """Something odd in an input that does not stop the draft (a file with no rows, a date
    written day first): one line, located like an :class:`InputError`, marked ``warning:``."""

    def __str__(self) -> str:
        located = InputError.__str__(self)
        head, sep, tail = located.rpartition(f": {self.message}")
        return f"{head}: warning: {self.message}" if sep and not tail else f"warning: {located}"


class NoPeriod(InputError):
    """No period of an indicator fits the pin or the visit date."""


@dataclass
class ValidationFailed(ToolkitError):
    """Several input problems at once (``peer-review validate`` prints every one)."""
    errors: list[InputError] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class BuildError(ToolkitError):
    """A report could not be built (for example a notebook cell failed)."""


class StoreError(ToolkitError):
    """A capture file cannot be read or written safely (nothing was changed)."""


class Conflict(StoreError):
    """Both this tab and another changed the same fields differently since this tab loaded them."""
    def __init__(self, fields: Sequence[str]) -> None:
        super().__init__(", ".join(fields))
        self.fields = tuple(fields)


class DuplicateEntry(StoreError):
    """A save would give a capture file a second entry with the same key (an audited plan's case
    reference); nothing was changed."""


def display_path(path: str | Path, root: str | Path | None = None) -> str:
    """A path as the user should see it: relative to ``root`` (or the cwd) when inside it."""
    p = Path(path)
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            full = p.resolve()
        except (OSError, RuntimeError):  # a symbolic-link loop
            full = Path(os.path.abspath(p))
        try:
            return full.relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            continue
    return p.as_posix()
