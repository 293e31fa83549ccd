"""A letter style's words: its ``words.yaml`` over the standard style's, and the words of its charts.

The words are read again when either file changes (each is keyed by its
:func:`toolkit.inputs.styles.file_stamp`, the rule of every file a style holds), so an edited word
shows in a running process. ``headings`` and ``charts`` merge key by key, at every level: a
style's words.yaml holds only the words it changes.

The charts' words (``charts:``: titles, alternative text, axis and legend labels) are rendered as
plain text by :class:`ChartWords`; the chart's SVG and the page escape them where they are written.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.params import read_yaml
from toolkit.inputs.styles import DEFAULT_STYLE, STYLES_DIR, FileStamp, file_stamp
from toolkit.letter.templates import environment_for, style_folder

WORDS_FILE = "words.yaml"
#: The keys whose mappings merge key by key with the standard style's.
_MERGED = ("headings", "charts")


def words_of(folder: str) -> dict[str, Any]:
    """The words of the style in ``folder`` over the standard style's."""
    own = Path(folder) / WORDS_FILE
    return _read_words(folder, file_stamp(STYLES_DIR / DEFAULT_STYLE / WORDS_FILE), file_stamp(own))


@lru_cache(maxsize=16)
def _read_words(folder: str, standard_stamp: FileStamp, own_stamp: FileStamp) -> dict[str, Any]:
    standard = STYLES_DIR / DEFAULT_STYLE / WORDS_FILE
    words: dict[str, Any] = dict(read_yaml(standard, f"toolkit/styles/{DEFAULT_STYLE}/{WORDS_FILE}"))
    own = Path(folder) / WORDS_FILE
    if Path(folder) != standard.parent and own.is_file():
        data = read_yaml(own, display_path(own))
        if not isinstance(data, dict):
            raise ValidationFailed([InputError(display_path(own), "expected a mapping of words")])
        for key, value in data.items():
            words[key] = _merged(words[key], value) if key in _MERGED else value
    return words


def _merged(standard: Any, own: Any) -> Any:
    """``own`` over ``standard``, mappings key by key at every level (a style rewording one label
    of ``charts.units`` keeps the others)."""
    if not isinstance(standard, dict) or not isinstance(own, dict):
        return own
    return {**standard, **{k: _merged(standard.get(k), v) for k, v in own.items()}}


@lru_cache(maxsize=256)
def _template(env: jinja2.Environment, text: str) -> jinja2.Template:
    return env.overlay(autoescape=False).from_string(text)


class ChartWords:
    """The ``charts`` words of one style, each rendered with the values a chart gives it."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, key: str, **values: object) -> str:
        """The word ``key`` (Jinja text) rendered as plain text."""
        return self.render(str(words_of(self.folder)["charts"][key]), **values)

    def render(self, text: str, **values: object) -> str:
        """``text`` (one of the words, or a label of :meth:`labels`) rendered as plain text."""
        return _template(environment_for(self.folder), text).render(**values).strip()

    def labels(self, key: str) -> dict[str, str]:
        """A mapping of labels (``units``, ``comparators``...), as written."""
        return {str(k): str(v) for k, v in words_of(self.folder)["charts"][key].items()}


def chart_words(style: str | Path | None = None, root: Path | None = None) -> ChartWords:
    """The chart words of ``style`` (the standard style's when None)."""
    return ChartWords(str(style_folder(style, root)))
