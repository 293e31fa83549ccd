"""The rows of the capture files, as Python values: what a reviewer typed and what is stored.

:class:`FindingDraft` is the finding form's content, :class:`CapturedFinding` a row of a
reviewer's ``findings_<reviewer>.csv`` and :class:`ChecklistEntry` a row of their
``checklist_<reviewer>.csv``; each converts to and from the CSV row (text cells). A save answers
with a :class:`SaveResult` carrying :class:`FormMessage` s for the form. :func:`merge_three_way`
combines an edit with what another tab saved meanwhile, field by field.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from toolkit.errors import Conflict
from toolkit.inputs.capture_layout import ChecklistStatus
from toolkit.inputs.findings import KIND_ALIASES
from toolkit.inputs.tables import parse_bool

CONTENT_FIELDS = ("kloe", "kind", "headline", "statement", "detail", "evidence", "indicator")


def new_finding_id(reviewer: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """``<initials>-<8 random hex digits>`` from ``os.urandom``: unique across tabs and kernels."""
    initials = "".join(p[0] for p in re.findall(r"[A-Za-z]+", reviewer)).lower() or "r"
    while True:
        fid = f"{initials}-{os.urandom(4).hex()}"
        if fid not in taken:
            return fid


def flag_text(value: bool) -> str:
    """A yes/no cell."""
    return "yes" if value else "no"


def order_text(order: float | None) -> str:
    """An ``order`` cell: "" for none, a whole number without its ".0"."""
    if order is None:
        return ""
    return str(int(order)) if float(order).is_integer() else repr(float(order))


@dataclass(frozen=True)
class FormMessage:
    """A message for the form: ``field`` names the input it is about ("" for the whole form)."""
    field: str
    text: str


@dataclass(frozen=True)
class FindingDraft:
    """What a reviewer typed in the finding form."""
    kloe: str
    kind: str
    statement: str
    detail: str = ""
    evidence: tuple[str, ...] = ()
    headline: bool = False
    indicator: str = ""


@dataclass(frozen=True)
class CapturedFinding:
    """One finding as stored in a reviewer's capture file."""
    id: str
    kloe: str
    kind: str
    statement: str
    reviewer: str
    detail: str = ""
    evidence: tuple[str, ...] = ()
    headline: bool = False
    include: bool = True
    order: float | None = None
    indicator: str = ""
    withdrawn: bool = False
    edited_by: str = ""

    def to_row(self) -> dict[str, str]:
        return {
            "id": self.id, "kloe": self.kloe, "kind": self.kind, "headline": flag_text(self.headline),
            "statement": self.statement, "detail": self.detail, "evidence": ";".join(self.evidence),
            "reviewer": self.reviewer, "include": flag_text(self.include), "order": order_text(self.order),
            "indicator": self.indicator, "withdrawn": flag_text(self.withdrawn), "edited_by": self.edited_by,
        }

    @classmethod
    def from_row(cls, row: dict[str, str]) -> CapturedFinding:
        order: float | None
        try:
            order = float(row.get("order", "")) if row.get("order", "").strip() else None
        except ValueError:
            order = None
        return cls(
            id=row.get("id", ""), kloe=row.get("kloe", ""), kind=row.get("kind", ""),
            statement=row.get("statement", ""), reviewer=row.get("reviewer", ""),
            detail=row.get("detail", ""),
            evidence=tuple(e.strip() for e in re.split(r"[;,]", row.get("evidence", "")) if e.strip()),
            headline=bool(parse_bool(row.get("headline", ""), False)),
            include=parse_bool(row.get("include", ""), True) is not False,
            order=order, indicator=row.get("indicator", ""),
            withdrawn=bool(parse_bool(row.get("withdrawn", ""), False)),
            edited_by=row.get("edited_by", ""),
        )

    @property
    def version(self) -> str:
        """A short hash of the stored values: changes whenever anything in the row changes."""
        row = self.to_row()
        if not row["edited_by"]:
            del row["edited_by"]  # a row never edited outside the app keeps the version it had before the field
        text = json.dumps(row, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def draft(self) -> FindingDraft:
        return FindingDraft(self.kloe, self.kind, self.statement, self.detail, self.evidence,
                            self.headline, self.indicator)


@dataclass(frozen=True)
class ChecklistEntry:
    """One checklist prompt's status and notes as stored in a reviewer's capture file."""
    prompt_id: str
    kloe: str
    status: str = ChecklistStatus.NOT_YET.value
    notes: str = ""
    reviewer: str = ""

    def to_row(self) -> dict[str, str]:
        return {"prompt_id": self.prompt_id, "kloe": self.kloe, "status": self.status,
                "notes": self.notes, "reviewer": self.reviewer}

    @classmethod
    def from_row(cls, row: dict[str, str]) -> ChecklistEntry:
        status = " ".join(row.get("status", "").lower().split()) or ChecklistStatus.NOT_YET.value
        return cls(row.get("prompt_id", ""), row.get("kloe", ""), status, row.get("notes", ""),
                   row.get("reviewer", ""))


@dataclass(frozen=True)
class SaveResult:
    """The outcome of a save: ``ok`` with what is now stored, or messages for the form."""
    ok: bool
    messages: tuple[FormMessage, ...] = ()
    finding: CapturedFinding | None = None
    entry: ChecklistEntry | None = None
    conflict: bool = False


def merge_three_way(base: dict[str, str], mine: dict[str, str], current: dict[str, str],
                    fields: Sequence[str]) -> dict[str, str]:
    """Apply the fields this tab changed (mine vs base) to what is stored now (current).

    Raises :class:`toolkit.errors.Conflict`, naming the fields, when a field changed differently
    on both sides.
    """
    out = dict(current)
    clashes = []
    for f in fields:
        if mine.get(f, "") == base.get(f, ""):
            continue
        if current.get(f, "") in (base.get(f, ""), mine.get(f, "")):
            out[f] = mine.get(f, "")
        else:
            clashes.append(f)
    if clashes:
        raise Conflict(clashes)
    return out


def normalise_kind(text: str) -> str | None:
    """The kind a reviewer wrote, in its canonical words (None when it is not a kind)."""
    kind = KIND_ALIASES.get(" ".join(text.lower().split()))
    return kind.value if kind is not None else None
