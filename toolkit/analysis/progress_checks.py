"""A follow-up's marks checked against its own findings: an item of the previous review that the
team marks addressed or no longer relevant while a new area for consideration or urgent action
returns to it (:mod:`toolkit.analysis.repeats`) is a consistency flag, listed with the flags the
figures raise (the draft's "Check before sending" panel and a ``warning:`` line at ``validate``).
"""

from __future__ import annotations

from collections.abc import Sequence

from toolkit.analysis.consistency import ConsistencyFlag
from toolkit.analysis.previous import PreviousReview
from toolkit.analysis.repeats import find_repeats
from toolkit.inputs.findings import Finding
from toolkit.inputs.privacy import quote
from toolkit.inputs.progress import ProgressMarks, Status, message

#: The check's name on its flags (``ConsistencyFlag.check``).
CHECK = "progress"
CLOSED = (Status.ADDRESSED, Status.NO_LONGER)


def progress_flags(findings: Sequence[Finding], previous: PreviousReview | None,
                   marks: ProgressMarks | None, allow: Sequence[str] = (),
                   reference_year: int | None = None) -> list[ConsistencyFlag]:
    """One flag per new finding that repeats an item the team marks addressed or no longer relevant."""
    if previous is None:
        return []
    flags = []
    for r in find_repeats(findings, previous.items, marks):
        mark = marks.get(r.item.id) if marks else None
        if mark is None or mark.status not in CLOSED:
            continue
        assert mark.status is not None
        words = message("repeat_contradicts_mark", item=quote(r.item.statement, allow, reference_year),
                        year=previous.visit_dates[0].year, status=mark.status.value)
        flags.append(ConsistencyFlag(r.finding, "", "", words, check=CHECK, link="previous"))
    return flags
