"""Coverage of a review's KLOEs: what the team has covered and what is still thin.

Pure functions over the findings and checklist files. For each KLOE in scope:

* prompts covered / partly / not yet. A prompt's status is the best any reviewer gave it
  (covered > partly > not yet); a prompt nobody has ticked is "not yet".
* findings by kind, counting every finding that is not withdrawn (excluded ones too: coverage is
  about what was gathered, not what the letter keeps).
* findings resting on one evidence kind only (not yet triangulated).
* reviewers who contributed: a finding, or a prompt marked covered or partly.

Findings with no KLOE (headlines, urgent actions) are counted in a last row with ``kloe`` "".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.errors import InputError, display_path
from toolkit.inputs.capture_layout import STATUSES, capture_inputs
from toolkit.inputs.files import is_regular_file, resolved
from toolkit.inputs.findings import Finding, Kind, read_findings_file
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.privacy import quote, screen_table
from toolkit.inputs.screening import screened_columns
from toolkit.inputs.tables import header_errors, read_table

CHECKLIST_REQUIRED = ("prompt_id", "status", "reviewer")
CHECKLIST_KNOWN = ("prompt_id", "kloe", "status", "notes", "reviewer")
#: Checklist columns the personal-data screen leaves out, with the reason: none.
CHECKLIST_NOT_SCREENED: dict[str, str] = {}
RANK = {"not yet": 0, "partly": 1, "covered": 2}
NO_KLOE_TITLE = "Headlines and urgent actions with no KLOE"


@dataclass(frozen=True)
class ChecklistRow:
    prompt_id: str
    kloe: str
    status: str
    notes: str
    reviewer: str


@dataclass(frozen=True)
class KloeCoverage:
    kloe: str
    title: str
    prompts: int
    covered: int
    partly: int
    not_yet: int
    strengths: int
    areas: int
    urgent: int
    single_evidence: int
    reviewers: tuple[str, ...]
    single_evidence_ids: tuple[str, ...] = ()
    prompt_status: tuple[tuple[str, str], ...] = ()

    @property
    def findings(self) -> int:
        return self.strengths + self.areas + self.urgent


@dataclass(frozen=True)
class CoverageReport:
    kloes: tuple[KloeCoverage, ...]
    problems: tuple[InputError, ...] = field(default=())

    def get(self, kloe_id: str) -> KloeCoverage | None:
        return next((k for k in self.kloes if k.kloe == kloe_id), None)

    def to_frame(self) -> pd.DataFrame:
        """One row per KLOE; reviewers joined with "; "."""
        rows = []
        for k in self.kloes:
            d = asdict(k)
            d["reviewers"] = "; ".join(k.reviewers)
            d.pop("single_evidence_ids")
            d.pop("prompt_status")
            rows.append(d)
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class ReviewSources:
    """The findings and checklist files a review reads, in reading order.

    ``listed_*`` are the files ``inputs.findings`` / ``inputs.checklist`` name; ``capture_*`` the
    team's capture files under ``data/<review_id>/capture/`` that exist and are not listed already
    (team order). See :func:`review_findings` for how the two are combined.
    """

    listed_findings: tuple[Path, ...]
    capture_findings: tuple[Path, ...]
    listed_checklist: tuple[Path, ...]
    capture_checklist: tuple[Path, ...]

    @property
    def findings(self) -> list[Path]:
        return [*self.listed_findings, *self.capture_findings]

    @property
    def checklist(self) -> list[Path]:
        return [*self.listed_checklist, *self.capture_checklist]


def review_sources(params: ReviewParams, root: Path) -> ReviewSources:
    """The review's listed files, then the team's capture files that exist (each file once)."""
    cap = capture_inputs(params)

    def split(named: Sequence[str], captured: Sequence[str]) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
        listed = [root / rel for rel in named]
        seen = {resolved(p) for p in listed}
        extra: list[Path] = []
        for rel in captured:
            p = root / rel
            if resolved(p) not in seen and is_regular_file(p):
                seen.add(resolved(p))
                extra.append(p)
        return tuple(listed), tuple(extra)

    lf, cf = split(params.inputs.findings, cap["findings"])
    lc, cc = split(params.inputs.checklist, cap["checklist"])
    return ReviewSources(lf, cf, lc, cc)


def review_findings(params: ReviewParams, scope: KloeScope, root: Path,
                    sources: ReviewSources | None = None) -> tuple[list[Finding], list[InputError], list[str]]:
    """Every finding the letter reads: (findings, problems, files shown), in reading order.

    The listed files are read first (in the order the parameters give), then the capture files
    (team order). When a reviewer's capture file is created it is seeded with that reviewer's
    findings from the listed files, ids kept (:meth:`toolkit.capture.store.CaptureStore.ensure_files`);
    from then on the capture copy is the one the app and the team edit. So a listed finding whose
    id is also in *its reviewer's* capture file is superseded by the capture copy and not read
    twice; listed findings the capture file does not hold are still read.
    """
    src = sources or review_sources(params, root)

    def read_all(paths: Sequence[Path]) -> tuple[list[Finding], list[InputError], list[str]]:
        found: list[Finding] = []
        errors: list[InputError] = []
        shown = [display_path(path, root) for path in paths]
        for path, name in zip(paths, shown, strict=True):
            got, errs = read_findings_file(path, name, params, scope)
            found.extend(got)
            errors.extend(errs)
        return found, errors, shown

    captured, capture_errors, shown_capture = read_all(src.capture_findings)
    held = {(f.reviewer, f.id) for f in captured}
    every_listed, listed_errors, shown_listed = read_all(src.listed_findings)
    listed = [f for f in every_listed if (f.reviewer, f.id) not in held]
    return [*listed, *captured], [*capture_errors, *listed_errors], [*shown_listed, *shown_capture]


def review_checklist(params: ReviewParams, scope: KloeScope, root: Path,
                     sources: ReviewSources | None = None) -> tuple[list[ChecklistRow], list[InputError]]:
    """Every checklist row the review reads: listed files, then capture files; a listed row is
    superseded when its reviewer's capture file has a row for the same prompt."""
    src = sources or review_sources(params, root)
    problems: list[InputError] = []
    captured: list[ChecklistRow] = []
    for path in src.capture_checklist:
        got, errs = read_checklist_file(path, display_path(path, root), params, scope)
        captured.extend(got)
        problems.extend(errs)
    held = {(c.reviewer, c.prompt_id) for c in captured}
    listed: list[ChecklistRow] = []
    for path in src.listed_checklist:
        got, errs = read_checklist_file(path, display_path(path, root), params, scope)
        listed.extend(c for c in got if (c.reviewer, c.prompt_id) not in held)
        problems.extend(errs)
    return [*listed, *captured], problems


def read_checklist_file(path: Path, shown: str, params: ReviewParams,
                        scope: KloeScope) -> tuple[list[ChecklistRow], list[InputError]]:
    """A checklist file (CSV or XLSX): its valid rows and every problem in it."""
    try:
        table = read_table(path, shown, sheet="Checklist", expected=CHECKLIST_KNOWN)
    except InputError as exc:
        return [], [exc]
    errors = header_errors(table, CHECKLIST_KNOWN, CHECKLIST_REQUIRED)
    if errors:
        return [], errors
    prompt_kloe = {p.id: k.id for k in scope.kloes for p in k.prompts}
    team = {m.name for m in params.team}
    screened = screened_columns(table.columns, CHECKLIST_NOT_SCREENED)
    errors += screen_table(((r.number, r.values) for r in table.rows), shown,
                           screened_columns(table.columns, CHECKLIST_NOT_SCREENED), params.allowed_phrases(),
                           params.visit.dates[0].year)
    rows = []
    for r in table.rows:
        before = len(errors)
        pid = r.get("prompt_id")
        status = " ".join(r.get("status").lower().split()) or "not yet"
        if pid not in prompt_kloe:
            errors.append(InputError(shown, f"{quote(pid)} is not a prompt of a KLOE in scope: write a prompt "
                                     f"id such as {next(iter(prompt_kloe), '2016-identify.1')}", row=r.number,
                                     column="prompt_id"))
        elif r.get("kloe") and r.get("kloe") != prompt_kloe[pid]:
            errors.append(InputError(shown, f"prompt {quote(pid)} belongs to KLOE {quote(prompt_kloe[pid])}: "
                                     "correct the kloe, or leave it blank",
                                     row=r.number, column="kloe"))
        if status not in STATUSES:
            errors.append(InputError(shown, f"{quote(r.get('status'))} is not {', '.join(STATUSES)}: write one of them",
                                     row=r.number, column="status"))
        if r.get("reviewer") not in team:
            errors.append(InputError(shown, f"{quote(r.get('reviewer'))} is not in the review team: write "
                                     "the name as the parameters' team list gives it",
                                     row=r.number, column="reviewer"))
        if len(errors) == before and not any(e.row == r.number and e.column in screened for e in errors):
            rows.append(ChecklistRow(pid, prompt_kloe[pid], status, r.get("notes"), r.get("reviewer")))
    return rows, errors


def _kloe_coverage(kloe_id: str, title: str, prompt_ids: Sequence[str], findings: Sequence[Finding],
                   checklist: Sequence[ChecklistRow]) -> KloeCoverage:
    best: dict[str, str] = {pid: "not yet" for pid in prompt_ids}
    reviewers: set[str] = set()
    for c in checklist:
        if c.prompt_id in best and RANK[c.status] > RANK[best[c.prompt_id]]:
            best[c.prompt_id] = c.status
        if c.status != "not yet":
            reviewers.add(c.reviewer)
    live = [f for f in findings if not f.withdrawn]
    reviewers.update(f.reviewer for f in live)
    single = [f.id for f in live if len(set(f.evidence)) == 1]
    statuses = list(best.values())
    return KloeCoverage(
        kloe=kloe_id, title=title, prompts=len(prompt_ids),
        covered=statuses.count("covered"), partly=statuses.count("partly"), not_yet=statuses.count("not yet"),
        strengths=sum(f.kind is Kind.STRENGTH for f in live), areas=sum(f.kind is Kind.AREA for f in live),
        urgent=sum(f.kind is Kind.URGENT for f in live), single_evidence=len(single),
        reviewers=tuple(sorted(reviewers)), single_evidence_ids=tuple(single),
        prompt_status=tuple(best.items()),
    )


def compute_coverage(scope: KloeScope, findings: Sequence[Finding], checklist: Sequence[ChecklistRow],
                     problems: Sequence[InputError] = ()) -> CoverageReport:
    """Coverage from findings and checklist rows already read."""
    out = []
    for k in scope.kloes:
        out.append(_kloe_coverage(k.id, k.title, [p.id for p in k.prompts],
                                  [f for f in findings if f.kloe == k.id],
                                  [c for c in checklist if c.kloe == k.id]))
    loose = [f for f in findings if not f.kloe]
    if loose:
        out.append(_kloe_coverage("", NO_KLOE_TITLE, [], loose, []))
    return CoverageReport(tuple(out), tuple(problems))


def coverage(params: ReviewParams, scope: KloeScope, root: Path,
             findings_files: Sequence[Path] | None = None,
             checklist_files: Sequence[Path] | None = None) -> CoverageReport:
    """Coverage of a review from its files (default: what the letter reads, :func:`review_findings`
    and :func:`review_checklist`; given files are read as they are).

    Rows that fail validation are left out and reported in ``problems``; they never stop the view.
    """
    problems: list[InputError] = []
    findings: list[Finding] = []
    if findings_files is None:
        findings, problems, _ = review_findings(params, scope, root)
    else:
        for path in findings_files:
            got, errs = read_findings_file(Path(path), display_path(path, root), params, scope)
            findings.extend(got)
            problems.extend(errs)
    checklist: list[ChecklistRow] = []
    if checklist_files is None:
        checklist, errs = review_checklist(params, scope, root)
        problems.extend(errs)
    else:
        for path in checklist_files:
            rows, errs = read_checklist_file(Path(path), display_path(path, root), params, scope)
            checklist.extend(rows)
            problems.extend(errs)
    return compute_coverage(scope, findings, checklist, problems)
