"""Reviewers' findings: read, validate, merge and order them for the letter.

One CSV or XLSX file per reviewer (columns in ``docs/inputs.md``). Findings from every reviewer
are merged; excluded and withdrawn ones are kept for the record but left out of the letter.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from toolkit.errors import InputError
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.privacy import quote, screen_table
from toolkit.inputs.screening import screened_columns, unflagged
from toolkit.inputs.tables import Row, header_errors, parse_bool, read_table


class Kind(str, Enum):  # noqa: UP042 - not StrEnum: str(Kind.AREA) stays "Kind.AREA" where it is printed
    STRENGTH = "strength"
    AREA = "area for consideration"
    URGENT = "urgent action"

    @property
    def plural(self) -> str:
        return {Kind.STRENGTH: "strengths", Kind.AREA: "areas for consideration",
                Kind.URGENT: "recommended urgent actions"}[self]


KIND_ALIASES = {
    "strength": Kind.STRENGTH, "strengths": Kind.STRENGTH, "s": Kind.STRENGTH,
    "area for consideration": Kind.AREA, "areas for consideration": Kind.AREA, "afc": Kind.AREA,
    "area for development": Kind.AREA, "consideration": Kind.AREA,
    "urgent action": Kind.URGENT, "recommended urgent action": Kind.URGENT, "rua": Kind.URGENT,
    "urgent": Kind.URGENT,
}

EVIDENCE_KINDS = ("documents", "interview", "focus group", "observation", "case file", "data", "visit")
EVIDENCE_ALIASES = {"document": "documents", "docs": "documents", "interviews": "interview",
                    "focus groups": "focus group", "observations": "observation",
                    "case files": "case file", "visits": "visit"}

COLUMNS = ("id", "kloe", "kind", "headline", "statement", "detail", "evidence", "reviewer",
           "include", "order", "indicator", "withdrawn", "edited_by")
REQUIRED = ("kloe", "kind", "statement", "evidence", "reviewer")
#: Columns the personal-data screen leaves out, with the reason: none (every column a findings
#: file holds is screened, ids and reviewers' names included).
NOT_SCREENED: dict[str, str] = {}
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")


def paragraphs(text: str) -> str:
    """``text`` with the spaces in each paragraph folded, and paragraphs kept apart by a blank line."""
    paras = (" ".join(part.split()) for part in _BLANK_LINE.split(text))
    return "\n\n".join(p for p in paras if p)


@dataclass(frozen=True)
class Finding:
    id: str
    kloe: str | None
    kind: Kind
    statement: str
    detail: str = ""
    evidence: tuple[str, ...] = ()
    reviewer: str = ""
    headline: bool = False
    include: bool = True
    order: float | None = None
    indicator: str | None = None
    withdrawn: bool = False
    edited_by: str = ""  # who last changed the finding's words outside the capture app (never printed)
    file: str = ""
    row: int = 0

    @property
    def in_letter(self) -> bool:
        return self.include and not self.withdrawn

    @property
    def added_in_letter(self) -> bool:
        """A paragraph the coordinator added to letter.docx (``peer-review absorb``), not a team's record."""
        return bool(self.edited_by) and self.reviewer == self.edited_by


@dataclass(frozen=True)
class FindingSet:
    """Every finding of a review (raw), with the letter's selection and order derived from it."""
    all: tuple[Finding, ...]
    scope: KloeScope
    files: tuple[str, ...] = field(default=())

    @property
    def included(self) -> list[Finding]:
        return [f for f in self.all if f.in_letter]

    def headlines(self, kind: Kind) -> list[Finding]:
        return _ordered(f for f in self.included if f.headline and f.kind is kind)

    def for_kloe(self, kloe_id: str, kind: Kind) -> list[Finding]:
        return _ordered(f for f in self.included
                        if not f.headline and f.kloe == kloe_id and f.kind is kind)

    def urgent_actions(self) -> list[Finding]:
        return _ordered(f for f in self.included if not f.headline and f.kind is Kind.URGENT)

    def counts(self, included_only: bool = True) -> Counter[Kind]:
        """By kind: the findings in the letter, or (``included_only=False``) those the team recorded:
        not withdrawn, and not a paragraph the coordinator added to the letter (its reviewer is its editor)."""
        pool = self.included if included_only else [f for f in self.all if not f.withdrawn and not f.added_in_letter]
        return Counter(f.kind for f in pool)

    def reviewers(self) -> list[str]:
        return sorted({f.reviewer for f in self.all})


def _ordered(findings: object) -> list[Finding]:
    """Explicit ``order`` first (ascending), then the order the findings were read in."""
    items = list(findings)  # type: ignore[call-overload]
    return sorted(items, key=lambda f: (f.order is None, f.order if f.order is not None else 0.0))


def _parse_row(row: Row, file: str, stem: str, params: ReviewParams, scope: KloeScope,
               errors: list[InputError]) -> Finding | None:
    before = len(errors)

    def bad(column: str, message: str) -> None:
        errors.append(InputError(file, message, row=row.number, column=column))

    kind_text = row.get("kind").lower()
    kind = KIND_ALIASES.get(" ".join(kind_text.split()))
    if not kind_text:
        bad("kind", "empty: use strength, area for consideration or urgent action")
    elif kind is None:
        bad("kind", f"{quote(row.get('kind'))} is not strength, area for consideration or urgent action: "
            "write one of them")
    headline = parse_bool(row.get("headline"), False)
    if headline is None:
        bad("headline", f"{quote(row.get('headline'))} is not yes or no: write yes or no, or leave it blank")
    include = parse_bool(row.get("include"), True)
    if include is None:
        bad("include", f"{quote(row.get('include'))} is not yes or no: write yes or no, or leave it blank")
    withdrawn = parse_bool(row.get("withdrawn"), False)
    if withdrawn is None:
        bad("withdrawn", f"{quote(row.get('withdrawn'))} is not yes or no: write yes or no, or leave it "
            "blank")
    statement = " ".join(row.get("statement").split())
    if not statement:
        bad("statement", "empty: every finding needs its lead statement")
    kloe = row.get("kloe") or None
    if kloe is None and not headline and kind is not Kind.URGENT:
        bad("kloe", "empty: name the KLOE this finding belongs to "
            "(only headlines and urgent actions may leave it blank)")
    elif kloe is not None and kloe not in scope:
        bad("kloe", f"{quote(kloe)} is not a KLOE in this review's scope ({', '.join(scope.ids())}): use one of "
            "them, or add it to scope.kloes in the parameters")
    evidence: list[str] = []
    for part in re.split(r"[;,]", row.get("evidence")):
        word = " ".join(part.strip().lower().split())
        if not word:
            continue
        word = EVIDENCE_ALIASES.get(word, word)
        if word not in EVIDENCE_KINDS:
            bad("evidence", f"{quote(part.strip())} is not an evidence kind ({', '.join(EVIDENCE_KINDS)}): write "
                "one or more of them, separated by ;")
        elif word not in evidence:
            evidence.append(word)
    if not row.get("evidence"):
        bad("evidence", "empty: say what the finding rests on (documents, interview, ...)")
    reviewer = row.get("reviewer")
    team = [m.name for m in params.team]
    if not reviewer:
        bad("reviewer", "empty: name the reviewer")
    elif reviewer not in team and reviewer != params.coordinator.name:  # the coordinator's: a paragraph added in Word
        bad("reviewer", f"{quote(reviewer)} is not in the review team ({', '.join(team)}): write the name as "
            "the parameters' team list gives it")
    order: float | None = None
    if row.get("order"):
        try:
            order = float(row.get("order"))
        except ValueError:
            bad("order", f"{quote(row.get('order'))} is not a number: write a number (such as 1 or 2.5), or "
                "leave it blank")
    if len(errors) > before or kind is None:
        return None
    return Finding(
        id=row.get("id") or f"{stem}-{row.number}",
        kloe=kloe, kind=kind, statement=statement, detail=paragraphs(row.get("detail")),
        evidence=tuple(evidence), reviewer=reviewer, headline=bool(headline), include=bool(include),
        order=order, indicator=row.get("indicator") or None, withdrawn=bool(withdrawn),
        edited_by=row.get("edited_by"), file=file, row=row.number,
    )


def read_findings_file(path: Path, shown: str, params: ReviewParams,
                       scope: KloeScope) -> tuple[list[Finding], list[InputError]]:
    """One reviewer's file: its valid findings and every problem found in it."""
    try:
        table = read_table(path, shown, sheet="Findings", expected=COLUMNS)
    except InputError as exc:
        return [], [exc]
    errors = header_errors(table, COLUMNS, REQUIRED)
    if errors:
        return [], errors
    screened = screen_table(((r.number, r.values) for r in table.rows), shown,
                            screened_columns(table.columns, NOT_SCREENED), params.allowed_phrases(),
                            params.visit.dates[0].year)
    findings = []
    for row in table.rows:
        f = _parse_row(row, shown, path.stem, params, scope, errors)
        if f is not None:
            findings.append(f)
    return findings, [*screened, *unflagged(errors, screened)]


def duplicate_id_errors(findings: list[Finding]) -> list[InputError]:
    """One error per finding whose id an earlier finding (in reading order) already uses."""
    errors: list[InputError] = []
    seen: dict[str, Finding] = {}
    for f in findings:
        if f.id in seen:
            first = seen[f.id]
            errors.append(InputError(f.file,
                                     f"finding id {quote(f.id)} is already used ({first.file}, row {first.row}): "
                                     "give each finding an id of its own",
                                     row=f.row, column="id"))
        seen[f.id] = f
    return errors
