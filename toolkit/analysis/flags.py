"""One item of the "check before sending" list: what was said where, and the figure that disagrees.

Every check (:mod:`toolkit.analysis.consistency` and the claim checks beside it) returns
:class:`ConsistencyFlag` items, one list for the panel, ``validate``/``draft`` warnings and the
Word comments: each names the text that makes the claim (a finding, or a :class:`Said` row of the
self-evaluation or the progress marks) by its file and row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Said:
    """A row of the review's own documents that makes claims, shaped like a finding: the
    self-evaluation's reasoning, a progress mark's evidence."""
    id: str
    file: str
    row: int
    statement: str
    kind: str = ""  # "self-evaluation" or "progress mark"
    detail: str = ""
    kloe: str | None = None
    indicator: str | None = None
    column: str = "statement"  # the column holding the words: reasoning, evidence


@dataclass(frozen=True)
class ConsistencyFlag:
    """A finding (or a row of the self-evaluation or the progress marks) the review's own
    evidence contradicts: which check, and the words saying so."""
    finding: Any  # the finding or Said row: .id, .file, .row, .statement
    indicator: str  # the indicator id ("" for the audit and the documents)
    band: str  # the indicator's band, or "" when it has none
    message: str  # what the finding says and the figure that disagrees, with its source
    check: str = "band"  # band, direction, england, region, neighbours, audit, share, trend, rank ...
    link: str = "indicator"  # how the finding reaches the figure: indicator, kloe, words, audit, document
    claim: str = ""  # the words of the claim ("fewer than one in five"), when read from the text
    source: str = ""  # where the figure comes from
