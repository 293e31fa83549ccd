"""EHCP sample audit: reading the audit file (CSV or XLSX, one row per plan per auditor).

Each row becomes a :class:`~toolkit.inputs.audit_grades.PlanRecord` checked against the framework
(:mod:`toolkit.inputs.audit_framework`): the accepted words of each column, the criteria's
columns, the personal-data screen. Grades are derived in :mod:`toolkit.inputs.audit_grades`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs import privacy
from toolkit.inputs.audit_framework import MET, NA, NOT_MET, PLAN_STAGES, AuditFramework, load_audit_framework
from toolkit.inputs.audit_grades import AuditData, PlanRecord
from toolkit.inputs.privacy import quote
from toolkit.inputs.screening import screen_adults_names, screened_columns, shown_header, unflagged
from toolkit.inputs.tables import Row, read_table

_VALUE_WORDS = {
    MET: {"met", "y", "yes", "true", "1", "✓"},
    NOT_MET: {"not met", "notmet", "not_met", "n", "no", "false", "0", "✗"},
    NA: {"n/a", "na", "n.a.", "not applicable", "-", ""},
}
PHASES = {
    "early years": "early years", "ey": "early years", "eyfs": "early years",
    "ks1": "KS1", "ks2": "KS2", "ks3": "KS3", "ks4": "KS4", "ks5": "KS5",
    "post-16": "post-16", "post 16": "post-16", "post16": "post-16",
    "post-19": "post-19", "post 19": "post-19", "post19": "post-19",
}
NEEDS = {n.lower(): n for n in ("SpLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI",
                                "PD", "ASD", "OTH")} | {"asc": "ASD", "other": "OTH"}
SETTINGS = {
    "mainstream": "mainstream", "special": "special", "resourced provision": "resourced provision",
    "independent": "independent", "fe college": "FE college", "college": "FE college",
    "early years": "early years", "alternative provision": "alternative provision",
    "home": "home or EOTAS", "eotas": "home or EOTAS", "home or eotas": "home or EOTAS",
    "none": "none or NEET", "neet": "none or NEET", "none or neet": "none or NEET",
}
REQUIRED_COLUMNS = ("case_ref", "auditor", "phase", "primary_need", "setting_type", "plan_stage")
OPTIONAL_COLUMNS = ("year_group", "weeks_to_issue", "notes", "moderation")
#: Columns the personal-data screen leaves out, with the reason (every other column of an audit file
#: is screened, criterion and note columns included).
NOT_SCREENED: dict[str, str] = {
    "auditor": "an auditor's own name (auditors need not be on the review team): screened for NHS "
               "numbers, UPNs and dates of birth instead (screen_adults_names)",
}
AGREED_WORDS = {"agreed", "moderated", "final"}



# --- reading the audit file ------------------------------------------------------------------


def parse_value(text: str) -> str | None:
    """met / not met / n/a from the words auditors type (None if not recognised)."""
    v = " ".join(text.strip().lower().split())
    return next((k for k, words in _VALUE_WORDS.items() if v in words), None)


def parse_year_group(text: str) -> int | None | str:
    v = text.strip().lower().removeprefix("year").removeprefix("y").strip()
    if v == "":
        return None
    if v in ("r", "reception"):
        return 0
    if v in ("n", "nursery"):
        return -1
    if v.isdigit() and 0 <= int(v) <= 14:
        return int(v)
    return "bad"


def _lookup(table: dict[str, str], text: str) -> str | None:
    return table.get(" ".join(text.strip().lower().replace("_", " ").split()))


def _classify_columns(columns: Sequence[str], fw: AuditFramework, file: str) -> tuple[
        dict[str, str], dict[str, str], dict[str, str], list[InputError]]:
    """Criterion, section-score and note columns by the id they refer to; unknown columns."""
    ids = {c.id for c in fw.criteria}
    codes = {s.code.lower(): s.code for s in fw.sections}
    crit, sect, notes, errors = {}, {}, {}, []
    for col in columns:
        key = col.replace("_", "").lower()
        if col in ids:
            crit[col] = col
        elif key.startswith("section:") and key.removeprefix("section:") in codes:
            sect[col] = codes[key.removeprefix("section:")]
        elif key.startswith("note:") and col.split(":", 1)[1].strip("_") in ids:
            notes[col] = col.split(":", 1)[1].strip("_")
        elif col not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            errors.append(InputError(file, "unknown column: rename it to a standard column, a criterion id of "
                                     f"framework {quote(fw.id)}, section:<code> or note:<criterion id> "
                                     "(docs/audit.md), or delete it", row=1, column=shown_header(col)))
    for col in REQUIRED_COLUMNS:
        if col not in columns:
            errors.append(InputError(file, f"required column is missing: add a column headed {col}", row=1,
                                     column=col))
    if not crit and not sect:
        errors.append(InputError(file, "no criterion or section:<code> columns found: add a column for each "
                                 f"criterion of framework {quote(fw.id)} you audited (docs/audit.md)", row=1))
    return crit, sect, notes, errors


_CODED = (("phase", PHASES, "early years, KS1-KS5, post-16 or post-19"),
          ("primary_need", NEEDS, "SpLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, MSI, PD, ASD or OTH"),
          ("setting_type", SETTINGS, "mainstream, special, resourced provision, independent, FE college, "
           "early years, alternative provision, home or EOTAS, none or NEET"),
          ("plan_stage", PLAN_STAGES, "new, annual review or transfer"))

_Bad = Callable[[str, str], None]


def _coded_fields(row: Row, bad: _Bad) -> dict[str, Any]:
    """The columns of coded words (phase, primary need, setting, plan stage), each as its code."""
    fields: dict[str, Any] = {}
    for col, table, label in _CODED:
        value = _lookup(table, row.get(col))
        if value is None:
            bad(col, f"{quote(row.get(col))} is not one of: {label}" if row.get(col) else
                f"a value is required ({label})")
        fields[col] = value or ""
    return fields


def _weeks_to_issue(row: Row, bad: _Bad) -> float | None:
    if not row.get("weeks_to_issue"):
        return None
    try:
        weeks = float(row.get("weeks_to_issue"))
        if not 0 <= weeks < 520:
            raise ValueError
    except ValueError:
        bad("weeks_to_issue", f"{quote(row.get('weeks_to_issue'))} is not a number of weeks: write a whole "
            "number, or leave it blank")
        return None
    return weeks


def _criterion_values(row: Row, crit: dict[str, str], bad: _Bad) -> dict[str, str]:
    values: dict[str, str] = {}
    for col, cid in crit.items():
        v = parse_value(row.get(col))
        if v is None:
            bad(col, f"{quote(row.get(col))} is not a criterion value: use met, not met or n/a "
                "(also y, n, na or blank)")
        values[cid] = v or NA
    return values


def _section_scores(row: Row, sect: dict[str, str], bad: _Bad) -> dict[str, int]:
    scores: dict[str, int] = {}
    for col, code in sect.items():
        text = row.get(col)
        if text in ("1", "2", "3", "4"):
            scores[code] = int(text)
        elif text:
            bad(col, f"{quote(text)} is not a section score: use 1, 2, 3 or 4 (or leave blank)")
    return scores


def _timeliness(fw: AuditFramework, plan_stage: str, weeks: float | None, values: dict[str, str], bad: _Bad) -> None:
    """A new plan's timeliness criterion, derived from ``weeks_to_issue`` when it is given."""
    tl = fw.grading.timeliness_criterion
    if tl and weeks is not None and plan_stage == "new":
        derived = MET if weeks <= fw.grading.timeliness_weeks else NOT_MET
        if values.get(tl, NA) not in (NA, derived):
            bad(tl, f"says {quote(values[tl])} but weeks_to_issue is {weeks:g} "
                f"(limit {fw.grading.timeliness_weeks:g} weeks)")
        values[tl] = derived


def _parse_row(row: Row, fw: AuditFramework, file: str, crit: dict[str, str],
               sect: dict[str, str], notes: dict[str, str], errors: list[InputError]) -> PlanRecord:
    def bad(column: str, message: str) -> None:
        errors.append(InputError(file, message, row=row.number, column=column))

    fields = _coded_fields(row, bad)
    case_ref = row.get("case_ref").strip().upper()  # references are case-insensitive
    problem = privacy.case_ref_problem(case_ref)
    if problem:
        bad("case_ref", problem)  # never echo the value: it may be a child's name
    if not row.get("auditor"):
        bad("auditor", "empty: write the name of the team member who audited the plan")
    year = parse_year_group(row.get("year_group"))
    if year == "bad":
        bad("year_group", f"{quote(row.get('year_group'))} is not a year group: write N, R or 1-14, or leave it "
            "blank")
    weeks = _weeks_to_issue(row, bad)
    blank = frozenset(cid for col, cid in crit.items() if not row.get(col).strip())
    values = _criterion_values(row, crit, bad)
    scores = _section_scores(row, sect, bad)
    moderation = row.get("moderation").lower()
    if moderation and moderation not in AGREED_WORDS:
        bad("moderation", f"{quote(row.get('moderation'))} is not recognised: use agreed or leave blank")
    _timeliness(fw, fields["plan_stage"], weeks, values, bad)
    return PlanRecord(
        row=row.number, case_ref=case_ref, auditor=row.get("auditor"),
        year_group=year if isinstance(year, int) else None, weeks_to_issue=weeks,
        values=values, section_scores=scores, agreed=moderation in AGREED_WORDS,
        notes=row.get("notes"), criterion_notes={cid: row.get(col) for col, cid in notes.items()},
        blank=blank, **fields,
    )


def read_audit(path: str | Path, framework: AuditFramework | None = None,
               root: Path | None = None, allow: Sequence[str] = (),
               reference_year: int | None = None) -> AuditData:
    """Read and validate an audit file (CSV or XLSX), screening every free-text field.

    Raises :class:`ValidationFailed` listing every problem (file, row, column), including any
    personal data found in ``notes`` or ``note:<criterion>`` columns; ``allow`` lists phrases
    (service names, for example) that are never names. Paths are relative to ``root``.
    """
    fw = framework or load_audit_framework()
    file = Path(path) if root is None else root / Path(path)
    shown = display_path(file, root)
    try:
        table = read_table(file, shown, sheet="Audit", expected=REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    crit, sect, notes, errors = _classify_columns(table.columns, fw, shown)
    if any(e.column in REQUIRED_COLUMNS for e in errors):
        raise ValidationFailed(errors)
    screened = privacy.screen_table(((r.number, r.values) for r in table.rows), shown,
                                    screened_columns(table.columns, NOT_SCREENED), allow, reference_year)
    screened += screen_adults_names(((r.number, r.values) for r in table.rows), shown, ("auditor",), reference_year)
    records = [_parse_row(r, fw, shown, crit, sect, notes, errors) for r in table.rows]
    if not records:
        errors.append(InputError(shown, "the file has a header but no plans: add a row per plan audited, or "
                                 "remove inputs.audit from the parameters", row=2))
    seen: dict[tuple[str, str], int] = {}
    agreed: dict[str, int] = {}
    audited = {r.case_ref for r in records if not r.agreed}
    for r in records:
        if r.agreed and r.case_ref and r.case_ref not in audited:
            errors.append(InputError(shown, "an agreed row records the settled view of auditors' own "
                                     "rows for the same plan, but this plan has none: add the "
                                     "auditors' rows, or leave moderation blank on this row",
                                     row=r.row, column="moderation"))
        key = (r.case_ref, r.auditor.lower())
        if not r.agreed and key in seen:
            errors.append(InputError(shown, f"this plan was already audited by the same auditor "
                                     f"on row {seen[key]}: delete one of the rows, or correct the case reference",
                                     row=r.row, column="case_ref"))
        if not r.agreed:
            seen.setdefault(key, r.row)
        else:
            if r.case_ref in agreed:
                errors.append(InputError(shown, f"a second agreed row for this plan (first on row "
                                         f"{agreed[r.case_ref]}): keep one agreed row per plan", row=r.row,
                                         column="moderation"))
            agreed.setdefault(r.case_ref, r.row)
    errors = [*screened, *unflagged(errors, screened)]
    if errors:
        errors.sort(key=lambda e: (e.row or 0, e.column or ""))
        raise ValidationFailed(errors)
    return AuditData(shown, fw, tuple(records))


def case_ref_pattern_ok(case_ref: str) -> bool:
    """True when a case reference is acceptably pseudonymous (for forms that check as you type)."""
    return privacy.case_ref_problem(case_ref) is None
