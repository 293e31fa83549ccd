"""The previous review a follow-up builds on: its areas for consideration and urgent actions.

``inputs.previous_review`` names either the previous review's parameters file or its kept report
folder (``reports/<review>/``, read through its ``manifest.json``, which holds the parameters the
letter was drafted from). Either way the previous review's findings are read as its letter read
them, and the items the follow-up reports progress on are the areas for consideration and the
recommended urgent actions that reached that letter, in the letter's order.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

from toolkit.analysis.coverage import review_findings, review_sources
from toolkit.errors import InputError, InputWarning, ValidationFailed, display_path
from toolkit.inputs.capture_layout import capture_inputs, progress_path
from toolkit.inputs.files import file_problem, is_regular_file, resolved
from toolkit.inputs.findings import Finding, FindingSet, Kind
from toolkit.inputs.frameworks import resolve_scope
from toolkit.inputs.hashing import sha256_file
from toolkit.inputs.manifest_file import MANIFEST_NAME as MANIFEST
from toolkit.inputs.manifest_file import read_manifest_file
from toolkit.inputs.notebook_params import OUTSIDE, restore_outside_paths
from toolkit.inputs.params import Inputs, ReviewParams, parse_params, project_root_for, read_params
from toolkit.inputs.params_letter import MonthOnly
from toolkit.inputs.privacy import quote
from toolkit.inputs.progress import Mark, ProgressMarks, Status, message, read_captured_marks, read_progress

FIELD = "inputs.previous_review"


@dataclass(frozen=True)
class PreviousItem:
    """One area for consideration or urgent action of the previous letter."""
    id: str
    kind: Kind
    statement: str
    kloe_title: str = ""
    headline: bool = False
    kloe: str = ""  # the KLOE id it sat under in the previous letter ("" for a headline without one)


@dataclass(frozen=True)
class PreviousReview:
    review_id: str
    authority: str
    visit_dates: tuple[dt.date, ...]
    letter_date: dt.date | MonthOnly  # as the letter was dated (a month only, for some)
    lead: str
    programme: str
    items: tuple[PreviousItem, ...]
    source: str = ""  # the parameters file or manifest it was read from, as shown to the user

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.items]

    def item(self, item_id: str) -> PreviousItem | None:
        return next((i for i in self.items if i.id == item_id), None)


def _from_root(path: Path, root: Path) -> str:
    """A path as the follow-up's project names it: relative to ``root``, with ``..`` when outside."""
    return Path(os.path.relpath(resolved(path), resolved(root))).as_posix()


def _shown(path: Path, root: Path) -> str:
    """A path as a message names it: relative to the project, with ``..`` when it is beside it."""
    shown = display_path(path, root)
    return _from_root(path, root) if Path(shown).is_absolute() else shown


def findings_files(params: ReviewParams, project: Path) -> list[str]:
    """The files a review's letter reads its findings from, relative to its project: the listed
    findings files, then the team's capture findings files that exist."""
    captured = [rel for rel in capture_inputs(params)["findings"] if is_regular_file(project / rel)]
    return list(dict.fromkeys([*params.inputs.findings, *captured]))


def previous_inputs(inputs: Inputs, root: Path) -> list[str]:
    """The files a follow-up depends on (for the manifest), relative to its project root ``root``:
    the kept report's ``manifest.json`` (which holds the hashes of the findings its letter was
    drafted from, checked when it is read), or the previous parameters file and the findings
    files it names, found in the previous review's own project (``..`` when that is elsewhere)."""
    ref = inputs.previous_review
    if not ref:
        return []
    if (root / ref).is_dir():
        return [str(Path(ref) / MANIFEST)]
    target = root / ref
    try:  # the previous review's findings files too, so verify sees a change to its letter's items
        params = read_params(target).params
    except (ValidationFailed, InputError):
        return [ref]
    project = project_root_for(target)
    return [ref, *(_from_root(project / rel, root) for rel in findings_files(params, project))]


def letter_items(findings: FindingSet) -> list[PreviousItem]:
    """Areas for consideration and urgent actions in the letter's order: headlines, then KLOE by
    KLOE, then the urgent actions."""
    titles = {k.id: k.title for k in findings.scope.kloes}

    def item(f: Finding) -> PreviousItem:
        return PreviousItem(f.id, f.kind, f.statement, titles.get(f.kloe or "", ""), f.headline, f.kloe or "")

    ordered = [*findings.headlines(Kind.AREA), *findings.headlines(Kind.URGENT)]
    for kloe in findings.scope.kloes:
        ordered.extend(findings.for_kloe(kloe.id, Kind.AREA))
    ordered.extend(findings.urgent_actions())
    return [item(f) for f in ordered]


def _mismatch(params: ReviewParams, recorded: dict[str, str], project: Path) -> list[str]:
    """The findings files of the previous letter that ``project`` does not hold as they were when
    it was drafted (missing, changed, or a capture file added since), relative to ``project``."""
    wanted = set(params.inputs.findings) | set(capture_inputs(params)["findings"])
    expected = {rel: sha for rel, sha in recorded.items() if rel in wanted}
    present = {rel for rel in wanted if is_regular_file(project / rel)}
    return sorted(rel for rel in set(expected) | present
                  if rel not in present or rel not in expected or sha256_file(project / rel) != expected[rel])


def _from_manifest(folder: Path, shown: str, root: Path) -> tuple[ReviewParams, Path]:
    """The parameters a kept report was drafted from, and the project whose files its letter read.

    The project is found where the previous letter's findings files are exactly as its manifest
    recorded them (same sha256): first a folder above the report holding the parameters file
    (where ``peer-review draft`` put it), then the follow-up's own project. A report folder copied
    away from its project therefore never has its items read from whatever files of the same names
    the follow-up's project holds; when no folder matches, the files that differ are named."""
    path = folder / MANIFEST
    if not is_regular_file(path):
        raise ValidationFailed([InputError(shown, message("no_manifest", folder=display_path(folder, root),
                                                          manifest=MANIFEST), column=FIELD)])
    where = _shown(path, root)
    manifest = read_manifest_file(folder, where)
    params_file, recorded = manifest.params_file, manifest.inputs
    parameters = manifest.review_parameters()
    above = [p for p in resolved(folder).parents if (p / params_file).is_file()]
    if OUTSIDE in repr(parameters) and above:  # files outside its project, named by their names only
        parameters = restore_outside_paths(parameters, read_params(above[0] / params_file).data)
    params = parse_params(parameters, where, above[0] if above else root)
    candidates = list(dict.fromkeys([*above, resolved(root)]))
    for project in candidates:
        if not _mismatch(params, recorded, project):
            return params, project
    first = candidates[0]
    differ = [_from_root(first / rel, root) for rel in _mismatch(params, recorded, first)]
    raise ValidationFailed([InputError(where, message("kept_report_elsewhere", files=", ".join(differ)),
                                       column=FIELD)])


def _not_there(target: Path, ref: str) -> str:
    """What a message says of a previous review path that names no file or folder to read."""
    fix = ("name the previous review's parameters file (params/<review>.yaml) or the report folder "
           "peer-review draft wrote for it (reports/<review>), relative to the project folder")
    problem = file_problem(target)
    if problem is None or problem.startswith("file not found"):
        return f"{quote(ref)} does not exist: {fix}"
    return f"{quote(ref)} {problem.split(':')[0]}: {fix}"


def load_previous(ref: str, root: Path, params_file: str, review_id: str) -> PreviousReview:
    """Read the previous review ``ref`` names (relative to the project root ``root``); raise
    :class:`ValidationFailed` with its problems."""
    target = root / ref
    if target.is_dir():
        params, project = _from_manifest(target, params_file, root)
        source = _shown(target / MANIFEST, root)
    elif is_regular_file(target):
        params = read_params(target).params
        project, source = project_root_for(target), display_path(target, root)
    else:
        raise ValidationFailed([InputError(params_file, _not_there(target, ref), column=FIELD)])
    if params.review_id == review_id:
        raise ValidationFailed([InputError(params_file, message("follows_itself"), column=FIELD)])
    scope = resolve_scope(params, project, source)
    found, errors, shown = review_findings(params, scope, project, review_sources(params, project))
    if errors:
        raise ValidationFailed(errors)
    items = letter_items(FindingSet(tuple(found), scope, tuple(shown)))
    return PreviousReview(params.review_id, params.authority.name, tuple(params.visit.dates), params.letter_date,
                          params.lead.name, params.programme.name, tuple(items), source)


def _where(mark: Mark) -> str:
    return f"{mark.file}, row {mark.row}"


def combine_marks(listed: ProgressMarks | None, captured: list[ProgressMarks], order: list[str]) -> ProgressMarks:
    """The marks the letter uses, one per item, from the progress file and the team's capture files.

    The rule (docs/capture.md, "Progress since the last peer challenge"):

    1. Among the team's marks in the capture app, the one saved last wins (``saved_at``; on a tie,
       the reviewer first in ``order``, the team's order). An earlier mark with another status
       is reported as a warning at its row.
    2. A mark in the capture app wins over the progress file's (``inputs.progress``, the workbook
       round trip) for the same item; when their statuses differ the file's row gets a warning.
       The file's ``area_status`` and ``repeated_in`` are kept either way.
    3. An item only the file marks keeps the file's mark.
    """
    rank = {name: i for i, name in enumerate(order)}
    file_marks = listed.marks if listed else {}
    chosen: dict[str, Mark] = {}
    notes: list[InputWarning] = []
    app = [m for marks in captured for m in marks.marks.values()]
    app.sort(key=lambda m: (m.saved_at, -rank.get(m.reviewer, len(rank))), reverse=True)
    for mark in app:  # the latest first
        first = chosen.get(mark.id)
        if first is None:
            chosen[mark.id] = mark
        elif first.status != mark.status and first.status is not None and mark.status is not None:
            notes.append(InputWarning(mark.file, message(
                "later_overrides", item=mark.id, status=mark.status.value, other_status=first.status.value,
                other=first.reviewer, where=_where(first)), row=mark.row, column="status"))
    combined: dict[str, Mark] = {}
    for item in [*file_marks, *(i for i in chosen if i not in file_marks)]:
        in_file, in_app = file_marks.get(item), chosen.get(item)
        if in_app is None and in_file is not None:
            combined[item] = in_file
        elif in_app is not None:
            if in_file is not None and in_file.status is not None and in_file.status != in_app.status:
                assert in_app.status is not None  # a capture file's marks all carry a status
                notes.append(InputWarning(in_file.file, message(
                    "app_overrides_file", item=item, file_status=in_file.status.value,
                    app_status=in_app.status.value, where=_where(in_app)), row=in_file.row, column="status"))
            combined[item] = replace(in_app, area_status=in_file.area_status if in_file else None,
                                     repeated_in=in_file.repeated_in if in_file else ())
    return ProgressMarks(combined, listed.file if listed else "", tuple(notes))


def team_marks(params: ReviewParams, root: Path, previous: PreviousReview) -> ProgressMarks | None:
    """The marks on ``previous``'s items: the progress file ``inputs.progress`` names, and every team
    member's marks saved in the capture app (``data/<review_id>/capture/progress_<reviewer>.csv``,
    read without the parameters naming them), combined by :func:`combine_marks`. ``None`` when there
    are neither. Raise :class:`ValidationFailed` with every problem of every file."""
    allow, year = params.allowed_phrases(), params.visit.dates[0].year
    errors: list[InputError] = []
    listed: ProgressMarks | None = None
    if params.inputs.progress:
        try:
            listed = read_progress(root / params.inputs.progress, root, previous.ids, allow, year)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    captured: list[ProgressMarks] = []
    for member in params.team:
        path = progress_path(root, params.review_id, member.name)
        if not is_regular_file(path):
            continue
        try:
            captured.append(read_captured_marks(path, root, member.name, previous.ids, allow, year))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    if listed is None and not captured:
        return None
    return combine_marks(listed, captured, [m.name for m in params.team])


@dataclass(frozen=True)
class ProgressRow:
    """A previous item with the team's mark (``mark`` None or its status None: not yet marked)."""
    item: PreviousItem
    mark: Mark | None = None

    @property
    def status(self) -> Status | None:
        return self.mark.status if self.mark else None


def progress_rows(previous: PreviousReview, marks: ProgressMarks | None) -> list[ProgressRow]:
    """Every previous item, in the previous letter's order, with its mark if it has one."""
    return [ProgressRow(i, marks.get(i.id) if marks else None) for i in previous.items]


def status_counts(rows: list[ProgressRow]) -> dict[str, int]:
    """How many items have each status (``not yet marked`` for the unmarked)."""
    counts = {s.value: 0 for s in Status}
    counts["not yet marked"] = 0
    for r in rows:
        counts[r.status.value if r.status else "not yet marked"] += 1
    return counts
