"""A review: its parameters and every input they name, loaded and checked together.

Findings and checklists come from the files ``inputs.findings`` / ``inputs.checklist`` name *and*
from the team's capture files under ``data/<review_id>/capture/`` when they exist (written by
``peer-review capture`` and its Excel import), so a capture session reaches the letter without
editing the parameters. Listed files are read first, in the order given, then the capture files in
team order; a listed finding (or checklist row) that its reviewer's capture file also holds is read
from the capture file only. See :func:`toolkit.analysis.coverage.review_findings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import TypeVar

from toolkit import wording
from toolkit.analysis.audit_results import audit_results
from toolkit.analysis.consistency import AuditFigures, ConsistencyFlag, check_consistency, claim_words
from toolkit.analysis.coverage import ChecklistRow, review_checklist, review_findings, review_sources
from toolkit.analysis.cross_checks import document_flags
from toolkit.analysis.performance_data import (
    PerformanceData,
    check_indicator_ids,
    load_performance,
    review_catalogue,
)
from toolkit.analysis.previous import PreviousReview, ProgressRow, load_previous, progress_rows, team_marks
from toolkit.analysis.progress_checks import CHECK as PROGRESS_CHECK
from toolkit.analysis.progress_checks import progress_flags
from toolkit.analysis.repeats import plan_item_errors, repeated_in_errors
from toolkit.analysis.report_checks import report_warnings
from toolkit.analysis.screen_inputs import screen_review_yaml
from toolkit.errors import InputError, InputWarning, ValidationFailed, display_path
from toolkit.inputs.audit import read_audit
from toolkit.inputs.audit_framework import load_audit_framework
from toolkit.inputs.audit_grades import AuditData, PlanRecord
from toolkit.inputs.capture_layout import capture_folder, capture_inputs
from toolkit.inputs.files import is_regular_file
from toolkit.inputs.findings import FindingSet, Kind, duplicate_id_errors
from toolkit.inputs.frameworks import KloeScope, framework_warnings, resolve_scope
from toolkit.inputs.glossary import acronyms_in, merged_glossary
from toolkit.inputs.limits import REVIEW_FINDINGS, byte_limit
from toolkit.inputs.notebook_params import from_notebook as params_from_notebook
from toolkit.inputs.params import LoadedParams, ReviewParams, project_root_for, read_params
from toolkit.inputs.params_report import kloe_field_errors
from toolkit.inputs.plans import ImprovementPlan, Session, read_improvement_plan, read_timetable
from toolkit.inputs.privacy import quote
from toolkit.inputs.progress import ProgressMarks
from toolkit.inputs.progress import message as progress_message
from toolkit.inputs.recommendations import Recommendations, read_recommendations
from toolkit.inputs.scope_cover import scope_link_errors, unanswered_scope
from toolkit.inputs.sef import SefComparison, load_sef
from toolkit.inputs.style_check import check_style
from toolkit.inputs.styles import read_document, style_dir

T = TypeVar("T")


@dataclass(frozen=True, repr=False)
class Review:
    params: ReviewParams
    root: Path
    scope: KloeScope
    findings: FindingSet
    params_file: str = ""
    sef: SefComparison | None = None
    performance: PerformanceData | None = None
    audit: AuditData | None = None
    checklist: tuple[ChecklistRow, ...] = ()
    warnings: tuple[InputWarning, ...] = ()  # odd but valid input, one line each (see check())
    source: LoadedParams | None = None  # the parameters file as read (None inside the notebook)
    previous: PreviousReview | None = None  # the review this one follows (inputs.previous_review)
    progress: ProgressMarks | None = None  # the team's marks on the previous review's items
    improvement_plan: ImprovementPlan | None = None  # the area's improvement plan (inputs.improvement_plan)
    timetable: tuple[Session, ...] = ()  # the visit timetable (inputs.timetable)
    recommendations: Recommendations | None = None  # the team's own (inputs.recommendations)
    #: the contradictions worked out when the review was loaded (the same inputs give the same)
    checked_flags: tuple[ConsistencyFlag, ...] | None = None

    def progress_rows(self) -> list[ProgressRow]:
        """Every previous area for consideration and urgent action with its mark (none: no previous)."""
        return progress_rows(self.previous, self.progress) if self.previous else []

    @property
    def review_id(self) -> str:
        return self.params.review_id

    def contradictions(self) -> list[ConsistencyFlag]:
        """Every claim the review's own evidence contradicts: the included findings against the
        figures and the audit, and the self-evaluation, the progress marks and the letter's audit
        sentences against them and each other (the draft's "Check before sending" panel)."""
        if self.checked_flags is not None:
            return list(self.checked_flags)
        return contradictions(self.findings, self.performance, self.audit, self.scope, self.previous, self.progress,
                              self.sef, self.progress_rows())

    def __repr__(self) -> str:
        # Short and free of paths, so a notebook's text output is the same on every machine.
        return (f"<Review {self.review_id}: {self.params.authority.name}, "
                f"{len(self.findings.all)} findings recorded, {len(self.findings.included)} in the letter>")

    def _repr_html_(self) -> str:
        """The notebook's view of the review: authority, visit, team, scope, findings, style."""
        p = self.params
        items = [
            ("Authority", f"{p.authority.name} ({p.authority.ons_code}), {p.region.name}"),
            ("Visit", f"{wording.date_list(p.visit.dates)}; "
                      f"presentation {wording.long_date(p.visit.presentation_date)}"),
            ("Team", "; ".join(f"{m.name}{' (lead)' if m.lead else ''}" for m in p.team)),
            ("KLOEs in scope", ", ".join(self.scope.ids())),
            ("Findings files", ", ".join(self.findings.files)),
            ("Findings", f"{len(self.findings.all)} recorded, {len(self.findings.included)} in the letter"),
            ("Letter style", p.letter_style),
        ]
        body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in items)
        return f"<table class=\"review-summary\"><caption>Review {escape(p.review_id)}</caption>{body}</table>"


#: Qualifiers of ``findings_recorded`` that say the team recorded at least the number stated.
_AT_LEAST = ("over", "more than")


def recorded_count_errors(params: ReviewParams, findings: FindingSet, params_file: str) -> list[InputError]:
    """``findings_recorded`` may round the files' count, never state fewer than they hold (the
    strengths and areas for consideration that are not withdrawn: what the letter counts)."""
    stated = params.findings_recorded
    if stated is None:
        return []
    raw = findings.counts(included_only=False)
    held = raw[Kind.STRENGTH] + raw[Kind.AREA]
    least = held // 2 if stated.qualifier in _AT_LEAST else held
    if stated.number >= least:
        return []
    return [InputError(params_file, f"says the team recorded {wording.counted(stated)} strengths and areas for "
                       f"consideration, but the findings files hold {held}: write {held} or more, or delete "
                       "findings_recorded so the letter states the files' count", column="findings_recorded")]


def _gather(errors: list[InputError], load: Callable[[], T]) -> T | None:
    """Run one loader; its problems join ``errors`` so every input is checked in one pass."""
    try:
        return load()
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return None


def _read_checklists(params: ReviewParams, root: Path, scope: KloeScope) -> list[ChecklistRow]:
    rows, errors = review_checklist(params, scope, root)
    if errors:
        raise ValidationFailed(errors)
    return rows


def load_review_findings(params: ReviewParams, scope: KloeScope, root: Path) -> FindingSet:
    """The listed findings files and the capture files, as the letter reads them; raise listing
    every problem (a finding id used twice included)."""
    findings, errors, shown = review_findings(params, scope, root, review_sources(params, root))
    if len(findings) > REVIEW_FINDINGS:
        raise ValidationFailed([InputError(", ".join(shown), f"these files hold {len(findings):,} findings; a review "
                                           f"may have at most {REVIEW_FINDINGS:,} (docs/inputs.md, 'Size limits'): "
                                           "check the files are this review's")])
    errors.extend(duplicate_id_errors(findings))
    if errors:
        raise ValidationFailed(errors)
    return FindingSet(tuple(findings), scope, tuple(shown))


def audit_inputs(params: ReviewParams, root: Path) -> list[str]:
    """The audit files the letter reads, in order: ``inputs.audit`` (when set), then the capture
    app's combined file (when the team has combined its plans), so no parameters edit is needed.

    Raises :class:`ValidationFailed` when auditors have saved plans in the capture app since they
    were last combined (listed audit file or not): the letter would otherwise leave them out.
    """
    combined = capture_inputs(params)["audit"][0]
    target = root / combined
    newer = [p for p in sorted(capture_folder(root, params.review_id).glob("audit_*.csv"))
             if _has_rows(p) and (not target.is_file() or p.stat().st_mtime_ns > target.stat().st_mtime_ns)]
    if newer:
        raise ValidationFailed([InputError(
            display_path(newer[0], root), "plans saved in the capture app are not yet in the letter: press "
            "'Combine all auditors' plans' in the EHCP audit tab")])
    listed = [params.inputs.audit] if params.inputs.audit else []
    if target.is_file() and not any((root / p).resolve() == target.resolve() for p in listed):
        return [*listed, combined]
    return listed


def merge_audits(listed: AuditData, captured: AuditData) -> AuditData:
    """The listed audit's rows and the captured ones; a captured row supersedes a listed row of the
    same case reference and auditor (an auditor's plan re-entered in the app). A second auditor's
    row for the same plan is kept beside it: moderation pairs them (docs/capture.md)."""
    def key(r: PlanRecord) -> tuple[str, str]:
        return r.case_ref.strip().upper(), " ".join(r.auditor.split()).casefold()

    mine = {key(r) for r in captured.records}
    kept = tuple(r for r in listed.records if key(r) not in mine)
    return AuditData(f"{listed.file}, {captured.file}", listed.framework, kept + captured.records)


def _has_rows(path: Path) -> bool:
    """Whether a CSV file holds anything below its header (the capture app creates it empty).

    Anything else (a workbook, a file that cannot be read) counts as holding rows: its reader
    says what is wrong with it."""
    if path.suffix.lower() != ".csv" or not is_regular_file(path) or path.stat().st_size > byte_limit(path):
        return True
    try:
        with path.open(encoding="utf-8-sig") as fh:
            return sum(1 for line in fh if line.strip()) > 1
    except (OSError, UnicodeDecodeError):
        return True


def read_audit_parts(params: ReviewParams, root: Path) -> tuple[AuditData | None, AuditData | None]:
    """The listed audit (``inputs.audit``) and the capture app's combined audit, each ``None`` when
    the letter does not read it (:func:`audit_inputs`); every problem of every file raised at once."""
    paths = audit_inputs(params, root)
    framework = load_audit_framework(params.inputs.audit_framework, root) if paths else None
    read: list[AuditData] = []
    errors: list[InputError] = []
    for path in paths:
        try:
            read.append(read_audit(path, framework, root=root, allow=params.allowed_phrases(),
                                   reference_year=params.visit.dates[0].year))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    listed = read[0] if params.inputs.audit and read and paths[0] == params.inputs.audit else None
    captured = read[-1] if read and read[-1] is not listed else None
    return listed, captured


def read_letter_audit(params: ReviewParams, root: Path) -> AuditData | None:
    """The EHC plan audit the letter reads: the listed and the captured audit merged
    (:func:`merge_audits`), or the one there is."""
    listed, captured = read_audit_parts(params, root)
    if listed is not None and captured is not None:
        return merge_audits(listed, captured)
    return listed or captured


def _empty_listed_files(params: ReviewParams, root: Path, findings: FindingSet) -> list[InputWarning]:
    """Listed findings files that hold a header and no finding: their reviewer would be missing
    from the letter without a word."""
    read_from = {f.file for f in findings.all}
    out = []
    for rel in params.inputs.findings:
        shown = display_path(root / rel, root)
        if shown not in read_from and not _has_rows(root / rel):
            out.append(InputWarning(shown, "holds a header but no findings, so nothing of it reaches the "
                                    "letter: add the reviewer's findings, or remove the file from inputs.findings"))
    return out


def _free_text(params: ReviewParams, scope: KloeScope, findings: FindingSet) -> list[str]:
    """The review's own words that reach the letter: its scope, activities, KLOEs and findings."""
    texts = [*params.activities, *params.groups_met, *params.cases_reviewed]
    for item in params.scope.requested:
        texts.extend([item.text, *item.items])
    texts.extend(k.title for k in scope.kloes)
    for f in findings.included:
        texts.extend([f.statement, f.detail])
    return [t for t in texts if t]


def _undefined_acronyms(params: ReviewParams, scope: KloeScope, findings: FindingSet,
                        params_file: str) -> list[InputWarning]:
    """Acronyms the review's words use that neither the shipped glossary nor its own defines."""
    glossary = merged_glossary(params.glossary)
    missing = [a for a in acronyms_in(_free_text(params, scope, findings), glossary) if a not in glossary]
    if not missing:
        return []
    return [InputWarning(params_file, f"acronym {', '.join(missing)} used but not defined: add "
                         f"{'it' if len(missing) == 1 else 'them'} under glossary: (acronym: what it stands "
                         "for), or to toolkit/catalogue/glossary.yaml", column="glossary")]


def _kloe_indicator_errors(params: ReviewParams, scope: KloeScope, known: Sequence[str],
                           params_file: str) -> list[InputError]:
    """A KLOE may list only indicators of the review's catalogue (its findings are checked
    against them); a custom KLOE's problem names its field, a framework's its file."""
    custom = {k.id: i for i, k in enumerate(params.scope.custom_kloes, start=1)}
    errors = []
    for kloe in scope.kloes:
        for j, ind in enumerate(kloe.indicators, start=1):
            if ind in known:
                continue
            message = f"KLOE {quote(kloe.id)} lists {quote(ind)}, which is not an indicator in the catalogue"
            if kloe.id in custom:
                errors.append(InputError(params_file, message, column=f"scope.custom_kloes[{custom[kloe.id]}]"
                                                                      f".indicators[{j}]"))
            else:
                errors.append(InputError(kloe.framework or params_file, message, column=f"indicators[{j}]"))
    return errors


def audit_figures(audit: AuditData | None) -> AuditFigures | None:
    """What the EHC plan audit found about new plans' timing and plans' grades, for the
    consistency check."""
    if audit is None:
        return None
    result = audit_results(audit)
    return AuditFigures(result.new_with_timing, result.new_within, f"{audit.framework.grading.timeliness_weeks:g}",
                        result.graded, result.good_or_better)


def contradictions(findings: FindingSet, performance: PerformanceData | None,
                   audit: AuditData | None, scope: KloeScope | None = None, previous: PreviousReview | None = None,
                   marks: ProgressMarks | None = None, sef: SefComparison | None = None,
                   progress: Sequence[ProgressRow] = ()) -> list[ConsistencyFlag]:
    """The included findings the figures contradict (``toolkit.analysis.consistency``): checked
    against their own indicator, the indicators their words name, and the audit; in a follow-up,
    those that return to an item the team marks addressed or no longer relevant
    (``toolkit.analysis.progress_checks``); then the review's own documents against the evidence
    and each other (``toolkit.analysis.cross_checks``). One list."""
    comparisons = performance.comparisons if performance is not None else ()
    kloes = scope.kloes if scope is not None else ()
    links = {k.id: k.indicators for k in kloes}
    result = audit_results(audit) if audit is not None else None
    flags = check_consistency(findings.included, comparisons, audit_figures(audit), links, result)
    by_id = {c.indicator.id: c for c in comparisons}
    return [*flags, *progress_flags(findings.included, previous, marks),
            *document_flags(sef, progress, findings.included, kloes, result, comparisons, by_id)]


def contradiction_warnings(flags: Sequence[ConsistencyFlag], params: ReviewParams) -> list[InputWarning]:
    """One ``warning:`` line per contradiction: the finding's file and row, its statement (as the
    personal-data screen lets it be shown) and the figure that disagrees."""
    pattern = str(claim_words()["warning"])

    def line(f: ConsistencyFlag) -> str:
        values = {"statement": quote(f.finding.statement, params.allowed_phrases(), params.visit.dates[0].year),
                  "contradiction": f.message}
        return progress_message("repeat_warning", **values) if f.check == PROGRESS_CHECK else pattern.format(**values)

    return [InputWarning(f.finding.file, line(f), row=f.finding.row or None,
                         column=str(getattr(f.finding, "column", "statement")) or None) for f in flags]


def assemble(params: ReviewParams, root: Path, params_file: str,
             warnings: Sequence[InputWarning] = (), source: LoadedParams | None = None) -> Review:
    """Load every input the parameters name; raise :class:`ValidationFailed` with all problems.

    ``warnings`` (from reading the parameters) join those found here in ``Review.warnings``."""
    errors: list[InputError] = []
    folder = style_dir(params.letter_style, root)
    if folder is None:
        errors.append(InputError(params_file, f"no letter style {quote(params.letter_style)}: name a style "
                                 "shipped in toolkit/styles/ or the path of a folder holding a style's "
                                 "templates or words.yaml", column="letter_style"))
    else:
        _gather(errors, lambda: read_document(folder, root))
        errors.extend(check_style(folder, root))
    errors.extend(screen_review_yaml(params, root, params_file))
    scope = resolve_scope(params, root, params_file)
    errors.extend(scope_link_errors(params, scope, params_file))
    findings = _gather(errors, lambda: load_review_findings(params, scope, root))
    catalogue = _gather(errors, lambda: review_catalogue(params, root))
    if findings is not None and catalogue is not None:
        errors.extend(check_indicator_ids(findings.all, catalogue))
    if catalogue is not None:
        errors.extend(_kloe_indicator_errors(params, scope, catalogue.ids, params_file))
    if findings is not None:
        errors.extend(recorded_count_errors(params, findings, params_file))
    audit = _gather(errors, lambda: read_letter_audit(params, root))
    performance = _gather(errors, lambda: load_performance(params, root, params_file, catalogue)
                          if catalogue is not None else None)
    checklist = _gather(errors, lambda: _read_checklists(params, root, scope)) or []
    ids = None if findings is None else {f.id for f in findings.all if not f.withdrawn}
    sef = _gather(errors, lambda: load_sef(root / params.inputs.sef, root, params.self_evaluation, ids,
                                           params.allowed_phrases(), params.visit.dates[0].year)
                  if params.inputs.sef else None)
    previous = _gather(errors, lambda: load_previous(params.inputs.previous_review, root, params_file,
                                                     params.review_id) if params.inputs.previous_review else None)
    progress = _gather(errors, lambda: _read_progress(params, root, previous, params_file))
    plan = _gather(errors, lambda: read_improvement_plan(
        root / params.inputs.improvement_plan, root, scope.ids(), params.allowed_phrases(),
        params.visit.dates[0].year) if params.inputs.improvement_plan else None)
    timetable = _gather(errors, lambda: read_timetable(
        root / params.inputs.timetable, root, _visit_days(params), [m.name for m in params.team], scope.ids(),
        params.allowed_phrases(), params.visit.dates[0].year) if params.inputs.timetable else ())
    errors.extend(kloe_field_errors(params.explored_through, scope.ids(), params_file))
    recommendations = _gather(errors, lambda: read_recommendations(
        root / params.inputs.recommendations, root, ids, params.allowed_phrases(), params.visit.dates[0].year)
        if params.inputs.recommendations else None)
    if ids is not None:
        errors.extend(repeated_in_errors(progress, ids))
    if previous is not None:
        errors.extend(plan_item_errors(plan, previous.ids))
    if errors or findings is None:
        raise ValidationFailed(errors)
    document = read_document(folder, root) if folder is not None else None
    mine = report_warnings(document.names if document else (), params.letter_style, params_file,
                           params.overall_view, recommendations, findings.included,
                           params.allowed_phrases(), params.visit.dates[0].year)
    odd = [*warnings, *framework_warnings(params, root, params_file), *unanswered_scope(params, scope, params_file),
           *mine, *_empty_listed_files(params, root, findings),
           *_undefined_acronyms(params, scope, findings, params_file)]
    review = Review(params=params, root=root, scope=scope, findings=findings, params_file=params_file, sef=sef,
                    performance=performance, audit=audit, checklist=tuple(checklist), source=source,
                    previous=previous, progress=progress, improvement_plan=plan, timetable=timetable or (),
                    recommendations=recommendations)
    disagree = progress.notes if progress else ()
    flags = review.contradictions()
    checks = contradiction_warnings(flags, params)
    return replace(review, warnings=(*odd, *checks, *disagree, *_unmarked(review)), checked_flags=tuple(flags))


def _visit_days(params: ReviewParams) -> list[dt.date]:
    """The visit days, then the presentation day when it is another day (the timetable's days)."""
    days = list(params.visit.dates)
    return days if params.visit.presentation_date in days else [*days, params.visit.presentation_date]


def _read_progress(params: ReviewParams, root: Path, previous: PreviousReview | None,
                   params_file: str) -> ProgressMarks | None:
    """The progress file's marks and the team's marks in the capture app (:func:`team_marks`)."""
    if previous is None:
        if params.inputs.previous_review or not params.inputs.progress:
            return None  # not a follow-up, or the previous review could not be read (already reported)
        raise ValidationFailed([InputError(params_file, "progress marks need the review they follow: name it in "
                                           "inputs.previous_review", column="inputs.progress")])
    return team_marks(params, root, previous)


def _unmarked(review: Review) -> list[InputWarning]:
    """Previous items the team has not marked yet: the letter shows them as not yet marked."""
    out = []
    for row in review.progress_rows():
        if row.status is None:
            listed = bool(review.progress and review.progress.file)
            where = review.progress.file if review.progress and listed else review.params_file
            out.append(InputWarning(where, f"{row.item.id} of {review.previous.review_id if review.previous else ''} "
                                    "is not yet marked (addressed, progressing, not yet addressed or no longer "
                                    "relevant): the letter says so", row=row.mark.row if row.mark else None,
                                    column=("status" if row.mark else None) if listed else "inputs.progress"))
    return out


def load_review(params_path: str | Path) -> Review:
    """Read ``params/<review>.yaml`` and everything it names (the file is parsed once)."""
    loaded = read_params(params_path)
    return assemble(loaded.params, project_root_for(loaded.path), display_path(loaded.path),
                    loaded.warnings, loaded)


@dataclass(frozen=True)
class Checked:
    """What ``peer-review validate`` reports for one review: its problems, else its warnings."""
    errors: tuple[InputError, ...] = ()
    warnings: tuple[InputWarning, ...] = ()
    review: Review | None = None


def check(params_path: str | Path) -> Checked:
    """Load a review and say what is wrong (``errors``) or merely odd (``warnings``)."""
    try:
        review = load_review(params_path)
    except ValidationFailed as exc:
        return Checked(errors=tuple(exc.errors))
    except InputError as exc:
        return Checked(errors=(exc,))
    return Checked(warnings=review.warnings, review=review)


def validate(params_path: str | Path) -> list[InputError]:
    """Every problem with a review's inputs (empty when it can be drafted)."""
    return list(check(params_path).errors)


def from_notebook(namespace: dict[str, object]) -> Review:
    """The review inside the letter notebook, from papermill's parameters (see ``notebook_params.from_notebook``)."""
    params, root = params_from_notebook(namespace)
    shown = str(namespace.get("params_file") or "papermill parameters")
    return assemble(params, root, shown)
