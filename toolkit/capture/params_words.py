"""A review's own words for the letter's own paragraphs, written into its parameters file.

A coordinator who rewords a paragraph the letter writes itself (the opening, the process, the
next steps) makes it the review's own words: ``peer-review absorb`` keeps them under
``letter_text:`` in ``params/<review>.yaml``, keyed by the paragraph's place (``process:2``, as
letter.docx names it), and every later draft prints them there (:mod:`toolkit.letter.own_words`).

The file is a person's: only the ``letter_text:`` block is written, every other line keeps its
bytes (comments, quoting, order, indentation). The block is read and written with ruamel.yaml, so
comments inside it are kept too; it is spliced back where it stood (or appended at the end), and
the file is replaced atomically under its lock.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from toolkit.capture.files import atomic_write_text, locked
from toolkit.errors import StoreError

KEY = "letter_text"


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.width = 1 << 16  # a paragraph stays on one line, never folded
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _block_lines(data: Any, lines: list[str]) -> tuple[int, int] | None:
    """The lines [start, end) the top-level ``letter_text`` block holds, None when there is none."""
    if not isinstance(data, CommentedMap) or KEY not in data:
        return None
    keys = list(data.keys())
    start = int(data.lc.key(KEY)[0])
    after = keys.index(KEY) + 1
    end = int(data.lc.key(keys[after])[0]) if after < len(keys) else len(lines)
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next key stay where they are
    return start, end


def own_words(path: Path) -> dict[str, str]:
    """The ``letter_text`` block as the file holds it now ({} when there is none)."""
    data = _load(path.read_text(encoding="utf-8"), path)
    block = data.get(KEY) if isinstance(data, CommentedMap) else None
    return {str(k): "" if v is None else str(v) for k, v in block.items()} if isinstance(block, Mapping) else {}


def _load(text: str, path: Path) -> Any:
    try:
        return _yaml().load(text)
    except YAMLError as exc:
        raise StoreError(f"{path.name}: cannot read the parameters to write the letter's words ({exc})") from None


def set_own_words(path: Path, words: Mapping[str, str]) -> bool:
    """Set ``letter_text.<key>`` to each of ``words``; False (and nothing written) when every one
    already holds those words."""
    if not words:
        return False
    with locked(path):
        text = path.read_text(encoding="utf-8")
        data = _load(text, path)
        lines = text.splitlines(keepends=True)
        span = _block_lines(data, lines)
        block = data.get(KEY) if span is not None else None
        if not isinstance(block, CommentedMap):
            block = CommentedMap()
        if all(block.get(k) == v for k, v in words.items()):
            return False
        for k, v in words.items():
            block[k] = v
        out = io.StringIO()
        _yaml().dump({KEY: block}, out)
        dumped = out.getvalue()
        if span is None:
            head = "".join(lines)
            if head and not head.endswith("\n"):
                head += "\n"
            new = head + dumped
        else:
            new = "".join(lines[:span[0]]) + dumped + "".join(lines[span[1]:])
        atomic_write_text(path, new)
    return True
