"""EHCP sample audit: the framework of criteria, the audit file, and grades derived from them.

The framework (``toolkit/frameworks/ehcp_audit.yaml`` or a review's own file) lists criteria by
plan section. An audit file (CSV or XLSX) has one row per plan per auditor. Grades follow the rule
documented in the framework file's header and in ``docs/audit.md``:

- a section's grade comes from the weighted share of its applicable criteria that were met
  (banded into 4 outstanding, 3 good, 2 requires improvement, 1 inadequate), unless the team
  scored the section directly;
- a plan's grade is the section-weighted mean of its section grades rounded down, capped when a
  key section is inadequate.

Results and the letter summary (:mod:`toolkit.letter.audit`) and moderation
(:mod:`toolkit.analysis.moderation`) build on the typed records this module returns.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs import privacy
from toolkit.inputs.files import file_problem
from toolkit.inputs.limits import check_size
from toolkit.inputs.privacy import quote
from toolkit.inputs.screening import screen_adults_names, screened_columns, shown_header, unflagged
from toolkit.inputs.tables import Row, read_table
from toolkit.inputs.validation_lines import validation_errors
from toolkit.inputs.yamlfiles import parse_yaml, yaml_error

DEFAULT_FRAMEWORK = Path(__file__).parents[1] / "frameworks" / "ehcp_audit.yaml"

MET, NOT_MET, NA = "met", "not met", "n/a"
_VALUE_WORDS = {
    MET: {"met", "y", "yes", "true", "1", "✓"},
    NOT_MET: {"not met", "notmet", "not_met", "n", "no", "false", "0", "✗"},
    NA: {"n/a", "na", "n.a.", "not applicable", "-", ""},
}
PLAN_STAGES = {"new": "new", "annual review": "annual review", "ar": "annual review",
               "review": "annual review", "transfer": "transfer"}
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
#: Phases that count as Year 9 or above (True), below it (False) when no year group is given.
_PHASE_FROM_YEAR9 = {"early years": False, "KS1": False, "KS2": False, "KS4": True, "KS5": True,
                     "post-16": True, "post-19": True}
PHASES_YEAR11_PLUS = {"KS5", "post-16", "post-19"}
REQUIRED_COLUMNS = ("case_ref", "auditor", "phase", "primary_need", "setting_type", "plan_stage")
OPTIONAL_COLUMNS = ("year_group", "weeks_to_issue", "notes", "moderation")
#: Columns the personal-data screen leaves out, with the reason (every other column of an audit file
#: is screened, criterion and note columns included).
NOT_SCREENED: dict[str, str] = {
    "auditor": "an auditor's own name (auditors need not be on the review team): screened for NHS "
               "numbers, UPNs and dates of birth instead (screen_adults_names)",
}
AGREED_WORDS = {"agreed", "moderated", "final"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Applicability(_Model):
    plan_stages: list[str] | None = None
    min_year_group: int | None = None


class Criterion(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    section: str
    text: str
    good: str
    weight: float = Field(gt=0)
    applies: Applicability = Applicability()
    finding: str


class Section(_Model):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9]*$")
    title: str
    key: bool = False
    weight: float = Field(ge=0)
    cross_cutting: bool = False


class Band(_Model):
    min_share: float = Field(ge=0, le=1)
    grade: int = Field(ge=2, le=4)
    #: the fewest applicable checks a section needs for this grade: a section read on fewer
    #: falls to the next band it reaches (one check met is not "outstanding")
    min_checks: int = Field(default=1, ge=1)


class KeyCap(_Model):
    when_at_most: int = Field(ge=1, le=4)
    cap: int = Field(ge=1, le=4)


class Grading(_Model):
    section_bands: list[Band] = Field(min_length=1)
    key_cap: KeyCap | None = None
    timeliness_weeks: float = 20
    timeliness_criterion: str | None = None
    #: The criterion behind "the annual review was up to date in N of the M plans at annual review".
    review_criterion: str | None = None


class AuditFramework(_Model):
    id: str
    title: str
    grading: Grading
    sections: list[Section] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> AuditFramework:
        codes = [s.code for s in self.sections]
        if len(set(codes)) != len(codes):
            raise ValueError("section codes must be unique: give each section a code of its own")
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("criterion ids must be unique: give each criterion an id of its own")
        for c in self.criteria:
            if c.section not in codes:
                raise ValueError(f"criterion {quote(c.id)} names unknown section {quote(c.section)}: use the code of "
                                 "a section listed under sections")
            for stage in c.applies.plan_stages or []:
                if stage not in set(PLAN_STAGES.values()):
                    raise ValueError(f"criterion {quote(c.id)}: unknown plan stage {quote(stage)}: use new or "
                                     "annual review")
        for key in ("timeliness_criterion", "review_criterion"):
            named = getattr(self.grading, key)
            if named is not None and named not in ids:
                raise ValueError(f"grading.{key} names {quote(named)}, which is not a criterion id of this "
                                 f"framework (its criteria are {', '.join(ids)})")
        return self

    def section(self, code: str) -> Section:
        return next(s for s in self.sections if s.code == code)

    def criteria_in(self, code: str) -> list[Criterion]:
        return [c for c in self.criteria if c.section == code]

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)


def load_audit_framework(path: str | Path | None = None, root: Path | None = None) -> AuditFramework:
    """The shipped audit framework, or a review's own framework file (relative to ``root``)."""
    file = DEFAULT_FRAMEWORK if path is None else (root or Path.cwd()) / Path(path)
    shown = display_path(file, root)
    problem = file_problem(file)
    if problem is not None:
        message = "audit framework " + problem if problem == "file not found" else problem
        raise ValidationFailed([InputError(shown, message)])
    try:
        check_size(file, shown)
        data = parse_yaml(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValidationFailed([yaml_error(exc, shown)]) from None
    try:
        return AuditFramework.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(validation_errors(exc, shown, AuditFramework)) from None


@dataclass(frozen=True)
class PlanRecord:
    """One auditor's audit of one plan (one row of the audit file)."""
    row: int
    case_ref: str
    auditor: str
    phase: str
    primary_need: str
    setting_type: str
    plan_stage: str
    year_group: int | None = None
    weeks_to_issue: float | None = None
    values: Mapping[str, str] = field(default_factory=dict)  # criterion id -> met / not met / n/a
    section_scores: Mapping[str, int] = field(default_factory=dict)  # direct scores 1-4
    agreed: bool = False
    notes: str = ""
    criterion_notes: Mapping[str, str] = field(default_factory=dict)
    blank: frozenset[str] = frozenset()  # criterion ids whose cell was left empty (read as n/a)

    @property
    def year11_plus(self) -> bool:
        """Year 11 or above (by year group, else by phase: KS5, post-16, post-19)."""
        if self.year_group is not None:
            return self.year_group >= 11
        return self.phase in PHASES_YEAR11_PLUS


@dataclass(frozen=True)
class AuditData:
    """A validated audit file: every row, and the framework it was read against."""
    file: str
    framework: AuditFramework
    records: tuple[PlanRecord, ...]

    @property
    def plans(self) -> tuple[PlanRecord, ...]:
        """One record per plan: the row marked ``agreed`` if any, else the first in the file."""
        chosen: dict[str, PlanRecord] = {}
        for r in self.records:
            if r.case_ref not in chosen or (r.agreed and not chosen[r.case_ref].agreed):
                chosen[r.case_ref] = r
        return tuple(chosen.values())

    def by_case(self) -> dict[str, list[PlanRecord]]:
        cases: dict[str, list[PlanRecord]] = {}
        for r in self.records:
            cases.setdefault(r.case_ref, []).append(r)
        return cases


# --- grading -------------------------------------------------------------------------------


def applies(criterion: Criterion, record: PlanRecord) -> bool | None:
    """Whether the framework's conditions admit this plan (None: the auditor's entry decides)."""
    rule = criterion.applies
    if rule.plan_stages is not None and record.plan_stage not in rule.plan_stages:
        return False
    if rule.min_year_group is not None:
        if record.year_group is not None:
            return record.year_group >= rule.min_year_group
        if rule.min_year_group == 9:
            return _PHASE_FROM_YEAR9.get(record.phase)
        return None
    return True


def criterion_status(criterion: Criterion, record: PlanRecord) -> str | None:
    """``met`` or ``not met`` when the criterion applies to the plan, else None."""
    value = record.values.get(criterion.id, NA)
    if value == NA or applies(criterion, record) is False:
        return None
    return value


def grade_from_share(share: float, framework: AuditFramework, checks: int | None = None) -> int:
    """The section grade for a weighted share of criteria met: the first band reached whose
    ``min_checks`` the section's ``checks`` (applicable criteria; None: enough) meet, else 1."""
    for band in sorted(framework.grading.section_bands, key=lambda b: -b.min_share):
        if share >= band.min_share - 1e-9 and (checks is None or checks >= band.min_checks):
            return band.grade
    return 1


def section_checks(record: PlanRecord, code: str, framework: AuditFramework) -> int:
    """How many of the section's criteria applied to the plan."""
    return sum(criterion_status(c, record) is not None for c in framework.criteria_in(code))


def section_share(record: PlanRecord, code: str, framework: AuditFramework) -> float | None:
    """Weighted share of the section's applicable criteria met (None: none applied)."""
    total = met = 0.0
    for c in framework.criteria_in(code):
        status = criterion_status(c, record)
        if status is not None:
            total += c.weight
            met += c.weight if status == MET else 0.0
    return None if total == 0 else met / total


@dataclass(frozen=True)
class PlanGrades:
    """A plan's derived grades: per section (graded sections only) and overall."""
    section_grades: Mapping[str, int]
    section_shares: Mapping[str, float]
    direct: frozenset[str]
    weighted_mean: float | None
    plan_grade: int | None
    capped: bool


def grade_plan(record: PlanRecord, framework: AuditFramework) -> PlanGrades:
    """Section grades and the plan grade for one record, by the documented rule."""
    grades: dict[str, int] = {}
    weighed: dict[str, int] = {}  # the grades the plan grade weighs: before the min_checks cap
    shares: dict[str, float] = {}
    for s in framework.sections:
        share = section_share(record, s.code, framework)
        if share is not None:
            shares[s.code] = share
            grades[s.code] = grade_from_share(share, framework, section_checks(record, s.code, framework))
            weighed[s.code] = grade_from_share(share, framework)
        if s.code in record.section_scores:
            grades[s.code] = weighed[s.code] = record.section_scores[s.code]
    weights = {s.code: s.weight for s in framework.sections}
    counted = {c: g for c, g in weighed.items() if weights[c] > 0}
    if not counted:
        return PlanGrades(grades, shares, frozenset(record.section_scores), None, None, False)
    mean = sum(g * weights[c] for c, g in counted.items()) / sum(weights[c] for c in counted)
    plan = max(1, math.floor(mean + 1e-9))
    capped = False
    cap = framework.grading.key_cap
    if cap is not None:
        key_low = [g for c, g in grades.items() if framework.section(c).key and g <= cap.when_at_most]
        if key_low and plan > cap.cap:
            plan, capped = cap.cap, True
    return PlanGrades(grades, shares, frozenset(record.section_scores), mean, plan, capped)


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


def _parse_row(row: Row, fw: AuditFramework, file: str, crit: dict[str, str],
               sect: dict[str, str], notes: dict[str, str], errors: list[InputError]) -> PlanRecord:
    def bad(column: str, message: str) -> None:
        errors.append(InputError(file, message, row=row.number, column=column))

    fields: dict[str, Any] = {}
    for col, table, label in (("phase", PHASES, "early years, KS1-KS5, post-16 or post-19"),
                              ("primary_need", NEEDS, "SpLD, MLD, SLD, PMLD, SEMH, SLCN, HI, VI, "
                               "MSI, PD, ASD or OTH"),
                              ("setting_type", SETTINGS, "mainstream, special, resourced provision, "
                               "independent, FE college, early years, alternative provision, "
                               "home or EOTAS, none or NEET"),
                              ("plan_stage", PLAN_STAGES, "new, annual review or transfer")):
        value = _lookup(table, row.get(col))
        if value is None:
            bad(col, f"{quote(row.get(col))} is not one of: {label}" if row.get(col) else
                f"a value is required ({label})")
        fields[col] = value or ""
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
    weeks: float | None = None
    if row.get("weeks_to_issue"):
        try:
            weeks = float(row.get("weeks_to_issue"))
            if not 0 <= weeks < 520:
                raise ValueError
        except ValueError:
            bad("weeks_to_issue", f"{quote(row.get('weeks_to_issue'))} is not a number of weeks: write a whole "
                "number, or leave it blank")
            weeks = None
    values: dict[str, str] = {}
    blank = frozenset(cid for col, cid in crit.items() if not row.get(col).strip())
    for col, cid in crit.items():
        v = parse_value(row.get(col))
        if v is None:
            bad(col, f"{quote(row.get(col))} is not a criterion value: use met, not met or n/a "
                "(also y, n, na or blank)")
        values[cid] = v or NA
    scores: dict[str, int] = {}
    for col, code in sect.items():
        text = row.get(col)
        if text:
            if text in ("1", "2", "3", "4"):
                scores[code] = int(text)
            else:
                bad(col, f"{quote(text)} is not a section score: use 1, 2, 3 or 4 (or leave blank)")
    moderation = row.get("moderation").lower()
    if moderation and moderation not in AGREED_WORDS:
        bad("moderation", f"{quote(row.get('moderation'))} is not recognised: use agreed or leave blank")
    tl = fw.grading.timeliness_criterion
    if tl and weeks is not None and fields["plan_stage"] == "new":
        derived = MET if weeks <= fw.grading.timeliness_weeks else NOT_MET
        if values.get(tl, NA) not in (NA, derived):
            bad(tl, f"says {quote(values[tl])} but weeks_to_issue is {weeks:g} "
                f"(limit {fw.grading.timeliness_weeks:g} weeks)")
        values[tl] = derived
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

