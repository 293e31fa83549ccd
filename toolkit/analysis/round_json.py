"""A round (:class:`~toolkit.analysis.round_model.Round`) as JSON, and back.

``peer-review themes`` loads and checks every review once, in its own process, and hands the
round to the themes notebook as ``round.json`` in the report folder, so the notebook does not
load 150 reviews a second time (``docs/themes.md``, "A round of 150 reviews"). The file is also
the record of what the report was drawn from: an anonymised report's ``round.json`` holds the
anonymised round only. Keys are sorted and floats written as Python writes them, so the same
round gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import types
import typing
from collections.abc import Callable
from typing import Any

from toolkit.analysis import round_model
from toolkit.analysis.round_model import Round

#: Bump when the file's layout changes.
ROUND_FORMAT = 1


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def round_to_json(round_: Round) -> str:
    """The round as JSON text (sorted keys, one trailing newline), without its ``aliases`` (the
    names an anonymised round replaced are kept out of every output)."""
    data = {"format": ROUND_FORMAT, "round": _plain(dataclasses.replace(round_, aliases={}))}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


Builder = Callable[[Any], Any]


def _optional(inner: Builder) -> Builder:
    return lambda v: None if v is None else inner(v)


def _sequence(kind: type, inner: Builder) -> Builder:
    return lambda v: kind(inner(x) for x in v)


def _mapping(key: Builder, inner: Builder) -> Builder:
    return lambda v: {key(k): inner(x) for k, x in v.items()}


def _record(cls: type) -> Builder:
    hints = typing.get_type_hints(cls, vars(round_model))
    fields = [(f.name, _builder(hints[f.name])) for f in dataclasses.fields(cls)]
    return lambda v: cls(**{name: build(v[name]) for name, build in fields if name in v})


def _same(v: Any) -> Any:
    return v


@functools.cache
def _builder(hint: Any) -> Builder:
    """A function turning JSON into the type ``hint`` names (worked out once per type)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _optional(_builder(next(a for a in args if a is not type(None))))
    if origin in (tuple, list):
        return _sequence(origin, _builder(args[0]))
    if origin is dict:
        return _mapping(_builder(args[0]), _builder(args[1]))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _record(hint)
    if hint is dt.date:
        return dt.date.fromisoformat
    if hint in (int, float):
        return typing.cast(Builder, hint)
    return _same


def round_from_json(text: str) -> Round:
    """The round written by :func:`round_to_json`; ``ValueError`` for another layout."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != ROUND_FORMAT:
        raise ValueError(f"not a round file of format {ROUND_FORMAT}")
    built = _builder(Round)(data["round"])
    assert isinstance(built, Round)
    return built
