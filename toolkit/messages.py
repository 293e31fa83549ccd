"""The one way a message reaches its reader: from a file of ``toolkit/catalogue/`` (docs/messages.md).

A module's messages (the one line that names the file, row and column, says what is wrong and
what to do) are YAML, one key each, ``{name}`` for a value the module fills in; values that came
from a user's files are quoted through the personal-data screen (:func:`toolkit.inputs.privacy.quote`)
before they are filled in. A module reads its file through one :class:`Messages`::

    message = Messages("progress.yaml")
    raise InputError(shown, message("twice", row=3), row=n, column="id")
"""

from __future__ import annotations

import functools
import string
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).resolve().parent / "catalogue"


class Messages:
    """The messages of one catalogue file, read once; ``collapse`` joins a message's runs of
    white space (for files written with YAML's literal blocks)."""

    def __init__(self, name: str, collapse: bool = False) -> None:
        self.path = CATALOGUE / name
        self.collapse = collapse

    def __call__(self, key: str, **values: object) -> str:
        """The message ``key`` with its ``{name}`` values filled in."""
        return _read(self.path, self.collapse)[key].format(**values)

    def keys(self) -> list[str]:
        return list(_read(self.path, self.collapse))

    def fields(self, key: str) -> set[str]:
        """The names of the values the message ``key`` is filled in with."""
        return {f for _, f, _, _ in string.Formatter().parse(_read(self.path, self.collapse)[key]) if f}


@functools.cache
def _read(path: Path, collapse: bool) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): " ".join(str(v).split()) if collapse else str(v) for k, v in data.items()}
