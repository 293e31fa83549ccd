"""Pydantic's problems as the toolkit's one-line messages: the file, the field, what to do.

pydantic words a problem for programmers ("Field required", "Input should be a valid string",
"Extra inputs are not permitted"); :func:`field_message` says the same thing to a person who
edits a YAML file, with the fix: the field to add, the spelling to check (with the nearest known
field name), the kind of value to write. :func:`validation_errors` turns a whole
:class:`pydantic.ValidationError` into :class:`~toolkit.errors.InputError` lines located by field
path (``team[2].role``), counted from 1 as a person counts list items.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from toolkit.errors import InputError
from toolkit.inputs.privacy import NOT_SHOWN, quote

#: What pydantic calls a value's kind, as a person writing YAML would.
_KINDS = {
    "string": "text", "int": "a whole number", "float": "a number", "bool": "true or false",
    "list": "a list (one item a line, each starting with '- ')", "dict": "a mapping (field: value lines)",
    "model": "a mapping (field: value lines)", "model_attributes": "a mapping (field: value lines)",
    "date": "a date (YYYY-MM-DD)", "tuple": "a list", "set": "a list",
}
_SKIP = ("function-after", "function-before", "function-wrap", "function-plain")


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else "another kind of value"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds (``X``, ``X | None``, ``list[X]``, ``dict[str, X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def known_fields(model: type[BaseModel] | None, loc: Sequence[Any]) -> list[str]:
    """The field names of the (sub-)model that holds the last part of ``loc``."""
    current = model
    for part in loc[:-1]:
        if current is None:
            return []
        if isinstance(part, str) and part in current.model_fields:
            current = _model_in(current.model_fields[part].annotation)
    return list(current.model_fields) if current is not None else []


def _unknown(field: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(field.lower(), known, n=1, cutoff=0.6)
    if close:
        return f"unknown field: did you mean {close[0]}? Correct its spelling, or delete it"
    shown = f" (the fields here are {', '.join(known)})" if known and len(known) <= 12 else ""
    return f"unknown field{shown}: check its spelling against docs/inputs.md, or delete it"


def field_message(err: ErrorDetails, known: Sequence[str] = ()) -> str:
    """One problem of a field, in words that say what to do."""
    kind = err["type"]
    if kind == "extra_forbidden":
        field = next((str(p) for p in reversed(err["loc"]) if isinstance(p, str) and p not in _SKIP), "")
        return _unknown(field, known)
    if kind.startswith(("date_", "datetime_")):
        return "not a date: write dates as YYYY-MM-DD (such as 2026-02-10)"
    said = _BY_KIND.get(kind)
    if said is not None:
        return said(err)
    base = kind.removesuffix("_type").removesuffix("_parsing")
    if base in _KINDS:
        value = err.get("input")
        plain = isinstance(value, (str, int, float)) and not isinstance(value, bool)
        shown = quote(value) if plain else _kind_of(value)
        return f"should be {_KINDS[base]}, not {shown}: write {_KINDS[base]} here"
    return f"{str(err['msg']).rstrip('.')}: correct this field (docs/inputs.md describes it)"


def _choice(err: ErrorDetails) -> str:
    expected = (err.get("ctx") or {}).get("expected", "the allowed values")
    return f"{quote(err.get('input'))} is not one of {expected}: write one of them"


def _too_short(err: ErrorDetails) -> str:
    value = err.get("input")
    if isinstance(value, str):
        return "empty: write the text, or delete the field"
    least = int((err.get("ctx") or {}).get("min_length", 1))
    held = len(value) if isinstance(value, (list, tuple, dict)) else 0
    return f"has {held} item{'s' if held != 1 else ''} but needs at least {least}: add {least - held} more"


def _too_long(err: ErrorDetails) -> str:
    most = (err.get("ctx") or {}).get("max_length")
    return f"holds more than {most} items: keep {most} and delete the rest"


def _bound(err: ErrorDetails) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    key, words = {"greater_than_equal": ("ge", "or more"), "greater_than": ("gt", "exclusive"),
                  "less_than_equal": ("le", "or less"), "less_than": ("lt", "exclusive")}[kind]
    if words == "exclusive":
        return f"must be {'more' if kind == 'greater_than' else 'less'} than {ctx.get(key)}: write such a number"
    return f"must be {ctx.get(key)} {words}: write such a number"


#: The words for a pydantic error kind that needs no more than the error itself.
_BY_KIND: dict[str, Callable[[ErrorDetails], str]] = {
    "missing": lambda err: "required but missing: add it (docs/inputs.md says what it holds)",
    "value_error": lambda err: str(err["msg"]).removeprefix("Value error, "),
    "literal_error": _choice, "enum": _choice, "too_short": _too_short, "too_long": _too_long,
    "greater_than_equal": _bound, "greater_than": _bound, "less_than_equal": _bound, "less_than": _bound,
}


def field_path(loc: Sequence[Any]) -> str:
    """``("team", 1, "role")`` as ``team[2].role`` (list positions counted from 1)."""
    out = ""
    for part in loc:
        if isinstance(part, str) and part.startswith(_SKIP):
            continue
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:  # a key of the file itself may be anything, a child's name included
            shown = str(part) if quote(part) != NOT_SHOWN else "(a key not shown: it may identify a child)"
            out += ("." if out else "") + shown
    return out or "(top level)"


def validation_errors(exc: ValidationError, file: str, model: type[BaseModel] | None = None) -> list[InputError]:
    """One :class:`InputError` per problem, located by field path, each saying what to do."""
    out: list[InputError] = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(_SKIP)))
        known = known_fields(model, loc) if err["type"] == "extra_forbidden" else []
        out.append(InputError(file, field_message(err, known), column=field_path(loc)))
    return out


__all__ = ["field_message", "field_path", "known_fields", "validation_errors"]
