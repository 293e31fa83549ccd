"""The previous review a follow-up builds on: its areas for consideration and urgent actions.

``inputs.previous_review`` names either the previous review's parameters file or its kept report
folder (``reports/<review>/``, read through its ``manifest.json``, which holds the parameters the
letter was drafted from). Either way the previous review's findings are read as its letter read
them, and the items the follow-up reports progress on are the areas for consideration and the
recommended urgent actions that reached that letter, in the letter's order.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from toolkit.analysis.coverage import review_findings, review_sources
from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.files import is_regular_file
from toolkit.inputs.findings import Finding, FindingSet, Kind
from toolkit.inputs.frameworks import resolve_scope
from toolkit.inputs.params import Inputs, ReviewParams, parse_params, project_root_for, read_params
from toolkit.inputs.params_letter import MonthOnly
from toolkit.inputs.progress import Mark, ProgressMarks, Status

MANIFEST = "manifest.json"
FIELD = "inputs.previous_review"


@dataclass(frozen=True)
class PreviousItem:
    """One area for consideration or urgent action of the previous letter."""
    id: str
    kind: Kind
    statement: str
    kloe_title: str = ""
    headline: bool = False


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


def previous_inputs(inputs: Inputs, root: Path) -> list[str]:
    """The file a follow-up depends on (for the manifest): the previous parameters file, or the
    kept report's ``manifest.json``."""
    ref = inputs.previous_review
    if not ref:
        return []
    if (root / ref).is_dir():
        return [str(Path(ref) / MANIFEST)]
    try:  # the previous review's findings files too, so verify sees a change to its letter's items
        listed = read_params(root / ref).params.inputs.findings
    except (ValidationFailed, InputError):
        listed = []
    return [ref, *listed]


def letter_items(findings: FindingSet) -> list[PreviousItem]:
    """Areas for consideration and urgent actions in the letter's order: headlines, then KLOE by
    KLOE, then the urgent actions."""
    titles = {k.id: k.title for k in findings.scope.kloes}

    def item(f: Finding) -> PreviousItem:
        return PreviousItem(f.id, f.kind, f.statement, titles.get(f.kloe or "", ""), f.headline)

    ordered = [*findings.headlines(Kind.AREA), *findings.headlines(Kind.URGENT)]
    for kloe in findings.scope.kloes:
        ordered.extend(findings.for_kloe(kloe.id, Kind.AREA))
    ordered.extend(findings.urgent_actions())
    return [item(f) for f in ordered]


def _from_manifest(folder: Path, shown: str, root: Path) -> tuple[ReviewParams, Path]:
    path = folder / MANIFEST
    if not is_regular_file(path):
        raise ValidationFailed([InputError(shown, f"{display_path(folder, root)} holds no {MANIFEST}: name the "
                                           "previous review's parameters file or a report folder built by "
                                           "peer-review draft", column=FIELD)])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        parameters, params_file = data["parameters"], str(data["params_file"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ValidationFailed([InputError(display_path(path, root), "not a manifest written by peer-review "
                                           "draft")]) from None
    project = next((p for p in folder.resolve().parents if (p / params_file).is_file()), root)
    return parse_params(parameters, display_path(path, root)), project


def load_previous(ref: str, root: Path, params_file: str, review_id: str) -> PreviousReview:
    """Read the previous review ``ref`` names (relative to the project root ``root``); raise
    :class:`ValidationFailed` with its problems."""
    target = root / ref
    if target.is_dir():
        params, project = _from_manifest(target, params_file, root)
        source = display_path(target / MANIFEST, root)
    elif is_regular_file(target):
        params = read_params(target).params
        project, source = project_root_for(target), display_path(target, root)
    else:
        raise ValidationFailed([InputError(params_file, f"{ref} is neither a parameters file nor a report "
                                           "folder", column=FIELD)])
    if params.review_id == review_id:
        raise ValidationFailed([InputError(params_file, "a review cannot follow itself: name the previous "
                                           "review", column=FIELD)])
    scope = resolve_scope(params, project, source)
    found, errors, shown = review_findings(params, scope, project, review_sources(params, project))
    if errors:
        raise ValidationFailed(errors)
    items = letter_items(FindingSet(tuple(found), scope, tuple(shown)))
    return PreviousReview(params.review_id, params.authority.name, tuple(params.visit.dates), params.letter_date,
                          params.lead.name, params.programme.name, tuple(items), source)


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
