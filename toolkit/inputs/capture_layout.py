"""Where the capture app keeps a review's files: the one place that knows their names.

The letter reads the team's capture files without the parameters naming them
(:func:`toolkit.analysis.coverage.review_sources`), the manifest hashes them, and the capture
app writes them; all three ask here.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

from toolkit.inputs.params import ReviewParams

#: Columns of a reviewer's checklist capture file, in order.
CHECKLIST_COLUMNS = ("prompt_id", "kloe", "status", "notes", "reviewer")


class ChecklistStatus(StrEnum):
    """A checklist prompt's status, as written in the checklist files (strongest first).

    A :class:`str` (``StrEnum``: ``str()`` and f-strings give the words in the file), so a member
    equals its text: ``ChecklistStatus.COVERED == "covered"``.
    """
    COVERED = "covered"
    PARTLY = "partly"
    NOT_YET = "not yet"


#: Columns of a reviewer's progress capture file (their marks on the previous review's items).
PROGRESS_COLUMNS = ("id", "status", "evidence", "reviewer", "saved_at")


#: A checklist prompt's statuses as text, weakest last.
STATUSES: tuple[str, ...] = tuple(s.value for s in ChecklistStatus)


def capture_folder(root: Path, review_id: str) -> Path:
    return Path(root) / "data" / review_id / "capture"


def reviewer_slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "reviewer"


def findings_path(root: Path, review_id: str, reviewer: str) -> Path:
    return capture_folder(root, review_id) / f"findings_{reviewer_slug(reviewer)}.csv"


def checklist_path(root: Path, review_id: str, reviewer: str) -> Path:
    return capture_folder(root, review_id) / f"checklist_{reviewer_slug(reviewer)}.csv"


def progress_path(root: Path, review_id: str, reviewer: str) -> Path:
    return capture_folder(root, review_id) / f"progress_{reviewer_slug(reviewer)}.csv"


def capture_inputs(params: ReviewParams) -> dict[str, list[str]]:
    """The paths of the team's capture files (``findings``, ``checklist``, ``progress`` and the
    combined ``audit``), relative to the project root; ``findings`` ends with the coordinator's
    (the findings a coordinator added to letter.docx, written by ``peer-review absorb``). The
    letter reads those that exist without the parameters listing them
    (:func:`toolkit.analysis.coverage.review_sources`, and the combined audit after
    ``inputs.audit``: :func:`toolkit.review.audit_inputs`); the manifest hashes them.
    """
    rel = Path("data") / params.review_id / "capture"
    writers = [m.name for m in params.team]
    if params.coordinator.name not in writers:  # the coordinator's findings: paragraphs added in Word (absorb)
        writers.append(params.coordinator.name)
    return {
        "findings": [(rel / f"findings_{reviewer_slug(name)}.csv").as_posix() for name in writers],
        "checklist": [(rel / f"checklist_{reviewer_slug(m.name)}.csv").as_posix() for m in params.team],
        "audit": [(rel / "audit.csv").as_posix()],
        "progress": [(rel / f"progress_{reviewer_slug(m.name)}.csv").as_posix() for m in params.team],
    }
