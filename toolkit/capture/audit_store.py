"""EHCP audit entries captured in the app: one file per auditor, and the combined file the letter reads.

Each auditor's plans live in ``data/<review_id>/capture/audit_<reviewer>.csv``, one row per plan,
in exactly the audit-file format of ``docs/audit.md`` (the standard columns, one column per
criterion of the review's framework, ``notes`` and ``moderation``), so :func:`toolkit.inputs.audit.read_audit`
reads it unchanged. Saves go through the capture store's locked read-modify-write
(:meth:`toolkit.capture.store.CaptureStore.transaction`: exclusive ``flock``, re-read, journal, atomic
replace), so a killed server never leaves half a file and two tabs never overwrite each other.

The review's ``inputs.audit`` names one file: :func:`combine_capture_audits` writes
``data/<review_id>/capture/audit.csv`` from every auditor's file (atomically). A plan audited by
two auditors keeps both rows: that is how moderation finds its pairs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.capture.files import atomic_write_text, locked, read_rows, rows_to_csv
from toolkit.capture.records import FormMessage, merge_three_way
from toolkit.capture.store import CaptureStore
from toolkit.errors import Conflict, DuplicateEntry, InputError, ValidationFailed, display_path
from toolkit.inputs import privacy
from toolkit.inputs.audit import NEEDS, PHASES, SETTINGS, case_ref_pattern_ok, parse_value, parse_year_group, read_audit
from toolkit.inputs.audit_framework import (
    MET,
    NA,
    NOT_MET,
    PLAN_STAGES,
    AuditFramework,
    Criterion,
    load_audit_framework,
)
from toolkit.inputs.audit_grades import PlanGrades, PlanRecord, applies, grade_plan
from toolkit.inputs.capture_layout import capture_folder, reviewer_slug
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.tables import CELL_LIMIT

BASE_COLUMNS = ("case_ref", "auditor", "phase", "plan_stage", "year_group", "primary_need",
                "setting_type", "weeks_to_issue")
TRAILING_COLUMNS = ("notes", "moderation")
VALUES = (MET, NOT_MET, NA)
FIELD_LABELS = {"case_ref": "Case reference", "phase": "Phase", "year_group": "Year group",
                "primary_need": "Primary need", "setting_type": "Setting type",
                "plan_stage": "Plan stage", "weeks_to_issue": "Weeks to issue", "notes": "Notes",
                "auditor": "Auditor", "criteria": "Criteria", "moderation": "Moderation"}


def audit_columns(framework: AuditFramework) -> tuple[str, ...]:
    """The columns of an auditor's capture file (and of the combined file), in order."""
    return BASE_COLUMNS + tuple(c.id for c in framework.criteria) + TRAILING_COLUMNS


def audit_capture_path(root: Path, review_id: str, reviewer: str) -> Path:
    return capture_folder(root, review_id) / f"audit_{reviewer_slug(reviewer)}.csv"


def combined_audit_path(root: Path, review_id: str) -> Path:
    return capture_folder(root, review_id) / "audit.csv"


def capture_audit_input(params: ReviewParams) -> str:
    """The ``inputs.audit`` entry (relative to the project root) for the combined capture file."""
    return (Path("data") / params.review_id / "capture" / "audit.csv").as_posix()


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").split())


@dataclass(frozen=True)
class PlanEntry:
    """What an auditor entered for one plan. ``values``: criterion id -> met / not met / n/a ("" unanswered)."""
    case_ref: str
    phase: str = ""
    plan_stage: str = ""
    primary_need: str = ""
    setting_type: str = ""
    year_group: str = ""
    weeks_to_issue: str = ""
    values: Mapping[str, str] = field(default_factory=dict)
    notes: str = ""
    moderation: str = ""

    @property
    def key(self) -> str:
        return self.case_ref.strip().upper()

    def to_row(self, auditor: str, framework: AuditFramework) -> dict[str, str]:
        """The file row: canonical words, derived and excluded criteria filled in."""
        forced = {**{cid: NA for cid in not_applicable(self, framework)}, **derived_values(self, framework)}
        row = {"case_ref": self.key, "auditor": auditor,
               "phase": PHASES.get(_norm(self.phase), self.phase.strip()),
               "plan_stage": PLAN_STAGES.get(_norm(self.plan_stage), self.plan_stage.strip()),
               "year_group": self.year_group.strip(),
               "primary_need": NEEDS.get(_norm(self.primary_need), self.primary_need.strip()),
               "setting_type": SETTINGS.get(_norm(self.setting_type), self.setting_type.strip()),
               "weeks_to_issue": self.weeks_to_issue.strip(), "notes": self.notes.strip(),
               "moderation": self.moderation.strip()}
        for c in framework.criteria:
            row[c.id] = forced.get(c.id) or parse_value(self.values.get(c.id, "")) or NA
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, str], framework: AuditFramework) -> PlanEntry:
        values = {c.id: parse_value(row.get(c.id, "")) or "" for c in framework.criteria}
        return cls(case_ref=row.get("case_ref", ""), phase=row.get("phase", ""),
                   plan_stage=row.get("plan_stage", ""), primary_need=row.get("primary_need", ""),
                   setting_type=row.get("setting_type", ""), year_group=row.get("year_group", ""),
                   weeks_to_issue=row.get("weeks_to_issue", ""), values=values,
                   notes=row.get("notes", ""), moderation=row.get("moderation", ""))


def _weeks(text: str) -> float | None:
    try:
        weeks = float(text)
    except ValueError:
        return None
    return weeks if 0 <= weeks < 520 else None


def preview_record(entry: PlanEntry) -> PlanRecord:
    """A lenient record of the entry's plan details, for applicability while the form is filled."""
    year = parse_year_group(entry.year_group)
    return PlanRecord(row=0, case_ref=entry.key, auditor="", phase=PHASES.get(_norm(entry.phase), ""),
                      primary_need="", setting_type="",
                      plan_stage=PLAN_STAGES.get(_norm(entry.plan_stage), ""),
                      year_group=year if isinstance(year, int) else None)


def _rule_text(c: Criterion) -> str:
    parts = []
    if c.applies.plan_stages is not None:
        parts.append("only for plans at: " + ", ".join(c.applies.plan_stages))
    if c.applies.min_year_group is not None:
        parts.append(f"only from Year {c.applies.min_year_group}")
    return "; ".join(parts)


def not_applicable(entry: PlanEntry, framework: AuditFramework) -> dict[str, str]:
    """Criteria the framework's rules exclude for this plan, with the rule as a reason."""
    record = preview_record(entry)
    out = {}
    for c in framework.criteria:
        rule = c.applies
        if rule.plan_stages is not None and not record.plan_stage:
            continue  # no stage chosen yet: the auditor's entry stands until it is
        if applies(c, record) is False:
            out[c.id] = _rule_text(c)
    return out


def undecided(entry: PlanEntry, framework: AuditFramework) -> dict[str, str]:
    """Criteria whose year rule the plan details cannot settle (KS3 with no year group)."""
    record = preview_record(entry)
    return {c.id: _rule_text(c) for c in framework.criteria
            if c.applies.min_year_group is not None and applies(c, record) is None}


def derived_values(entry: PlanEntry, framework: AuditFramework) -> dict[str, str]:
    """Values the rule derives: issued within the limit, from weeks to issue, for new plans."""
    tl = framework.grading.timeliness_criterion
    weeks = _weeks(entry.weeks_to_issue.strip()) if entry.weeks_to_issue.strip() else None
    if tl is None or weeks is None or PLAN_STAGES.get(_norm(entry.plan_stage)) != "new":
        return {}
    return {tl: MET if weeks <= framework.grading.timeliness_weeks else NOT_MET}


def validate_entry(entry: PlanEntry, framework: AuditFramework, params: ReviewParams, auditor: str,
                   reference_year: int | None = None) -> list[FormMessage]:
    """Everything wrong with an entry, as form messages (never echoing what looks like personal data)."""
    allow = params.allowed_phrases()

    def q(value: object) -> str:
        return privacy.quote(value, allow, reference_year)

    msgs: list[FormMessage] = []
    if auditor not in [m.name for m in params.team]:
        msgs.append(FormMessage("auditor", "you are not in the review team of these parameters."))
    msgs += _case_ref_messages(entry.case_ref.strip())
    msgs += _choice_messages(entry, q)
    msgs += _criteria_messages(entry, framework, q)
    msgs += _notes_messages(entry.notes, allow, reference_year)
    return msgs


def _case_ref_messages(ref: str) -> list[FormMessage]:
    if not ref:
        return [FormMessage("case_ref", "enter the plan's pseudonymous case reference (such as KES-0142).")]
    if not case_ref_pattern_ok(ref):
        return [FormMessage("case_ref", (privacy.case_ref_problem(ref) or "not acceptable") + ".")]
    return []


def _choice_messages(entry: PlanEntry, q: Callable[[object], str]) -> list[FormMessage]:
    """The plan's phase, need, setting and stage from their lists; a year group; weeks as a number."""
    msgs = []
    for name, table, label in (("phase", PHASES, "early years, KS1-KS5, post-16 or post-19"),
                               ("primary_need", NEEDS, "a SEND code of practice primary need"),
                               ("setting_type", SETTINGS, "a setting type from the list"),
                               ("plan_stage", PLAN_STAGES, "new, annual review or transfer")):
        text = str(getattr(entry, name)).strip()
        if not text:
            msgs.append(FormMessage(name, f"choose one ({label})."))
        elif _norm(text) not in table:
            msgs.append(FormMessage(name, f"{q(text)} is not one of: {label}."))
    if parse_year_group(entry.year_group) == "bad":
        msgs.append(FormMessage("year_group", f"{q(entry.year_group)} is not a year group (N, R or 1-14)."))
    weeks = entry.weeks_to_issue.strip()
    if weeks and _weeks(weeks) is None:
        msgs.append(FormMessage("weeks_to_issue", f"{q(weeks)} is not a number of weeks."))
    return msgs


def _notes_messages(notes: str, allow: Sequence[str], reference_year: int | None) -> list[FormMessage]:
    if len(notes) > CELL_LIMIT:
        return [FormMessage("notes", f"these notes are {len(notes):,} characters long; they may be at "
                            f"most {CELL_LIMIT:,} characters. Shorten them; nothing was saved.")]
    hits = privacy.screen_text(notes, allow, reference_year)
    if hits:
        return [FormMessage("notes", f"this looks like {privacy.describe_hits(hits)}: notes must not "
                            "identify a child. Remove it (the case reference is enough); nothing was saved.")]
    return []


def _criteria_messages(entry: PlanEntry, framework: AuditFramework,
                       q: Callable[[object], str]) -> list[FormMessage]:
    ids = {c.id for c in framework.criteria}
    msgs = [FormMessage("criteria", f"{q(cid)} is not a criterion of the framework {q(framework.id)}.")
            for cid in sorted(set(entry.values) - ids)]
    excluded = not_applicable(entry, framework)
    derived = derived_values(entry, framework)
    for s in framework.sections:
        msgs += _section_messages(entry, framework, (s.code, s.title), excluded, derived, q)
    return msgs


def _section_messages(entry: PlanEntry, framework: AuditFramework, section: tuple[str, str],
                      excluded: Mapping[str, str], derived: Mapping[str, str],
                      q: Callable[[object], str]) -> list[FormMessage]:
    """A section's criteria left blank or not met/not met/n/a; a timeliness mark the weeks contradict."""
    code, title = section
    msgs: list[FormMessage] = []
    missing, unknown = [], []
    for c in framework.criteria_in(code):
        text = entry.values.get(c.id, "").strip()
        if c.id in excluded:
            continue
        if c.id in derived:
            if text and parse_value(text) not in (NA, derived[c.id]):
                limit = framework.grading.timeliness_weeks
                msgs.append(FormMessage(c.id, f"says {q(text)} but the weeks to issue make it "
                                        f"{q(derived[c.id])} (limit {limit:g} weeks)."))
            continue
        if not text:
            missing.append(c.id)
        elif parse_value(text) is None:
            unknown.append(c.id)
    if missing:
        msgs.append(FormMessage("criteria", f"section {code} ({title}): choose met, not met or "
                                f"n/a for {', '.join(missing)}."))
    if unknown:
        msgs.append(FormMessage("criteria", f"section {code}: {', '.join(unknown)} "
                                "must be met, not met or n/a."))
    return msgs


@dataclass(frozen=True)
class AuditSaveResult:
    """``ok`` with the stored entry and the grades the rule derives, or messages for the form."""
    ok: bool
    messages: tuple[FormMessage, ...] = ()
    entry: PlanEntry | None = None
    record: PlanRecord | None = None
    grades: PlanGrades | None = None
    conflict: bool = False


def check_row(row: Mapping[str, str], framework: AuditFramework, columns: Sequence[str],
              allow: Sequence[str], reference_year: int | None) -> tuple[PlanRecord | None, list[FormMessage]]:
    """Read one row back exactly as the letter will (:func:`read_audit`, on a private temporary file)."""
    with tempfile.TemporaryDirectory(prefix="audit-check-") as folder:
        path = Path(folder) / "audit_check.csv"
        path.write_text(rows_to_csv([dict(row)], columns), encoding="utf-8")
        try:
            data = read_audit(path, framework, allow=allow, reference_year=reference_year)
        except ValidationFailed as exc:
            return None, [FormMessage(e.column or "", e.message) for e in exc.errors]
    return data.records[0], []


class AuditStore:
    """One auditor's audit capture file. Saves reuse a :class:`~toolkit.capture.store.CaptureStore`'s transaction."""
    def __init__(self, store: CaptureStore, framework: AuditFramework) -> None:
        self.store, self.framework = store, framework
        self.params, self.root, self.reviewer = store.params, store.root, store.reviewer
        self.columns = audit_columns(framework)
        self.reference_year = self.params.visit.dates[0].year

    @property
    def path(self) -> Path:
        return audit_capture_path(self.root, self.params.review_id, self.reviewer)

    def plans(self) -> list[PlanEntry]:
        return [PlanEntry.from_row(r, self.framework) for r in read_rows(self.path, self.columns)]

    def get(self, case_ref: str) -> PlanEntry | None:
        key = case_ref.strip().upper()
        return next((p for p in self.plans() if p.key == key), None)

    def graded(self) -> dict[str, PlanGrades]:
        """Grades of the saved plans by case reference (empty if the file does not read cleanly)."""
        if not self.path.exists():
            return {}
        try:
            data = read_audit(self.path, self.framework, allow=self.params.allowed_phrases(),
                              reference_year=self.reference_year)
        except ValidationFailed:
            return {}
        return {r.case_ref: grade_plan(r, self.framework) for r in data.records}

    def save(self, entry: PlanEntry, base: PlanEntry | None = None) -> AuditSaveResult:
        """Add a plan (``base`` None) or save changes to the plan as this tab loaded it (``base``)."""
        msgs = validate_entry(entry, self.framework, self.params, self.reviewer, self.reference_year)
        if msgs:
            return AuditSaveResult(False, tuple(msgs))
        mine = entry.to_row(self.reviewer, self.framework)
        record, msgs = check_row(mine, self.framework, self.columns, self.params.allowed_phrases(),
                                 self.reference_year)
        if record is None:
            return AuditSaveResult(False, tuple(msgs))
        old = base.to_row(self.reviewer, self.framework) if base is not None else None

        def change(rows: list[dict[str, str]]) -> dict[str, str]:
            keys = [r["case_ref"].strip().upper() for r in rows]
            at = keys.index(base.key) if base is not None and base.key in keys else None
            if base is not None and at is None:
                raise KeyError(base.key)
            if any(k == entry.key and i != at for i, k in enumerate(keys)):
                raise DuplicateEntry(entry.key)
            if at is None or old is None:
                rows.append(mine)
                return mine
            current = PlanEntry.from_row(rows[at], self.framework).to_row(self.reviewer, self.framework)
            rows[at] = merge_three_way(old, mine, current, self.columns)  # compared in canonical words
            return rows[at]

        try:
            row = self.store.transaction(self.path, self.columns, "audit", change)
        except DuplicateEntry:
            return AuditSaveResult(False, (FormMessage("case_ref", (
                "you have already audited a plan with this case reference: open it from your list "
                "of saved plans to change it.")),))
        except KeyError:
            return AuditSaveResult(False, (FormMessage("", (
                "This plan is no longer in your file (changed in another window?). Nothing was saved; "
                "press Reload, then save it as a new plan.")),))
        except Conflict as exc:
            return AuditSaveResult(False, (FormMessage("", (
                f"This plan was changed in another window since you opened it ({', '.join(exc.fields)}). "
                "Nothing was saved and your entries are still in the form: reload the plan and apply "
                "your change again.")),), conflict=True)
        saved = PlanEntry.from_row(row, self.framework)
        record, msgs = check_row(row, self.framework, self.columns, self.params.allowed_phrases(),
                                 self.reference_year)
        grades = grade_plan(record, self.framework) if record is not None else None
        return AuditSaveResult(True, tuple(msgs), saved, record, grades)


def combine_capture_audits(params: ReviewParams, root: Path,
                           framework: AuditFramework | None = None) -> Path:
    """Write ``data/<review_id>/capture/audit.csv`` from every auditor's capture file, atomically.

    Each file is checked with :func:`read_audit` first; any problem raises
    :class:`ValidationFailed` and nothing is written. Rows are ordered by case reference (file
    order within a plan); a plan audited by two auditors keeps both rows for moderation.
    """
    root = Path(root)
    fw = framework or load_audit_framework(params.inputs.audit_framework, root)
    columns = audit_columns(fw)
    folder = capture_folder(root, params.review_id)
    target = combined_audit_path(root, params.review_id)
    errors: list[InputError] = []
    rows: list[dict[str, str]] = []
    for path in sorted(folder.glob("audit_*.csv")):
        with locked(path):
            file_rows = read_rows(path, columns)
        if not file_rows:
            continue
        try:
            read_audit(path.relative_to(root), fw, root=root, allow=params.allowed_phrases(),
                       reference_year=params.visit.dates[0].year)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            continue
        rows.extend(file_rows)
    if not rows and not errors:
        errors.append(InputError(display_path(folder, root), "no audited plans in the auditors' capture "
                                 "files yet (audit_<reviewer>.csv): nothing to combine"))
    if errors:
        raise ValidationFailed(errors)
    rows.sort(key=lambda r: r["case_ref"].strip().upper())
    with locked(target):
        atomic_write_text(target, rows_to_csv(rows, columns))
    return target
