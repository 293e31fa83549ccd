"""One personal-data screen for every free-text field, by construction.

Two shapes of input reach a letter: YAML files validated into pydantic models (the parameters, a
review's own KLOE framework, indicator catalogue and audit framework) and tables (findings,
checklists, the EHC plan audit, the SEF, progress marks, the improvement plan, the timetable).
Each is screened whole, not field by field:

- **Models**: :func:`screen_model` walks every field of a validated model (nested models, lists,
  mapping keys and values), so every string a file holds is screened, wherever it sits. A field
  is left out only when its annotation carries :class:`NotScreened` with the reason;
  :func:`text_fields` lists every string field of a model with its reason, if any (the tests
  prove each one screened). A field added to a model is therefore screened unless declared
  otherwise.
- **Tables**: :func:`screened_columns` is every column a file holds, headers as read, minus the
  columns its reader declares in ``NOT_SCREENED`` (column: reason). A column added to a reader's
  list is screened unless declared otherwise; a column the reader does not know is refused with
  its header quoted through :func:`toolkit.inputs.privacy.quote` (:func:`shown_header`).

Messages name the field path (``opening.welcome``, ``glossary.SENCO``) or the file's row and
column, and the kind of data, never the data: a mapping key that looks like personal data is
named by its position (``glossary[2]``).
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from toolkit.errors import InputError
from toolkit.inputs.privacy import NAME_HINT, NOT_SHOWN, describe_hits, quote, screen_numbers, screen_text


@dataclass(frozen=True)
class NotScreened:
    """Annotation marker of a string field the screen leaves out: ``Annotated[str, NotScreened("why")]``."""
    reason: str


def exemption(field: Any) -> str | None:
    """The reason a model field is not screened (its :class:`NotScreened` marker), else ``None``."""
    for item in getattr(field, "metadata", ()):
        if isinstance(item, NotScreened):
            return item.reason
    return None


def _message(hits: Sequence[Any], what: str = "free text") -> str:
    hint = NAME_HINT if any(h.kind == "name" for h in hits) else ""
    return (f"this looks like {describe_hits(hits)}, which {what} must not hold; remove it (refer to a "
            f"plan by its case reference only) and try again.{hint}")


def _walk(value: Any, path: str, out: list[tuple[str, str, bool]]) -> None:
    """Every string under ``value`` as (path, text, is a mapping key)."""
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            if exemption(field) is None:
                _walk(getattr(value, name), f"{path}.{name}" if path else name, out)
    elif isinstance(value, str):
        out.append((path, value, False))
    elif isinstance(value, Mapping):
        for n, (key, item) in enumerate(value.items(), start=1):
            key_text = str(key)
            out.append((f"{path}[{n}]", key_text, True))
            _walk(item, f"{path}.{key_text}" if quote(key_text) != NOT_SHOWN else f"{path}[{n}]", out)
    elif isinstance(value, (list, tuple)):
        for n, item in enumerate(value, start=1):
            _walk(item, f"{path}[{n}]", out)


def screen_model(model: BaseModel, file: str, allow: Sequence[str] = (),
                 reference_year: int | None = None) -> list[InputError]:
    """One :class:`InputError` per string of ``model`` (any depth) that looks like personal data,
    located by its field path; the text itself is never repeated."""
    found: list[tuple[str, str, bool]] = []
    _walk(model, "", found)
    errors = []
    for path, text, is_key in found:
        hits = screen_text(text, allow, reference_year)
        if hits:
            what = "a name in this file" if is_key else "free text"
            errors.append(InputError(file, _message(hits, what), column=path))
    return errors


def _args(annotation: Any) -> tuple[Any, ...]:
    return typing.get_args(annotation)


def _holds_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) is typing.Literal:
        return any(isinstance(a, str) for a in _args(annotation))
    return any(_holds_text(a) for a in _args(annotation))


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in _args(annotation) for m in _models_in(a)]


def text_fields(model: type[BaseModel], prefix: str = "",
                seen: frozenset[type[BaseModel]] = frozenset()) -> Iterator[tuple[str, str | None]]:
    """Every field of ``model`` (nested models included) that can hold a string, as (its path,
    the reason it is not screened or ``None``): what :func:`screen_model` screens."""
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        reason = exemption(field)
        if _holds_text(field.annotation) and not _models_in(field.annotation):
            yield path, reason
        elif _holds_text(field.annotation):
            yield path, reason  # text beside a model (a mapping's keys, a union)
        for sub in _models_in(field.annotation):
            if sub in seen:
                continue
            if reason is not None:
                yield from ((p, reason) for p, _ in text_fields(sub, path, seen | {model}))
            else:
                yield from text_fields(sub, path, seen | {model})


def screened_columns(columns: Sequence[str], not_screened: Mapping[str, str]) -> tuple[str, ...]:
    """Every column of a table as read, minus those its reader declares not screened."""
    return tuple(c for c in columns if c not in not_screened)


def screen_adults_names(rows: Iterable[tuple[int, Mapping[str, str]]], file: str, columns: Sequence[str],
                        reference_year: int | None = None) -> list[InputError]:
    """Columns that hold an adult's name (an auditor's): screened for NHS numbers, UPNs and dates of
    birth, not for a name (one line a cell, never the data)."""
    errors = []
    for number, values in rows:
        for column in columns:
            hits = screen_numbers(values.get(column, "") or "", reference_year)
            if hits:
                errors.append(InputError(file, _message(hits, "this column"), row=number, column=column))
    return errors


def shown_header(header: str) -> str:
    """A column header as a message may name it: as written, unless it looks like personal data."""
    return header if quote(header) != NOT_SHOWN else "(a header not shown: it may identify a child)"


def unflagged(errors: Sequence[InputError], screened: Sequence[InputError]) -> list[InputError]:
    """``errors`` less those about a cell the personal-data screen already refused (one line a cell)."""
    flagged = {(e.row, e.column) for e in screened}
    return [e for e in errors if (e.row, e.column) not in flagged]
