"""The area's self-evaluation (SEF) beside the peers' view of it.

One CSV or XLSX file, a row per area of the self-evaluation:

| column | meaning |
|---|---|
| `area` | the heading in the area's SEF |
| `sef_judgement` | the area's own judgement, in its words (e.g. "good", "developing") |
| `peer_view` | `agree`, `partly agree` or `disagree` |
| `peer_judgement` | optional: the judgement the peers would give instead |
| `comment` | optional: why, in a sentence or two |
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.privacy import quote, screen_table
from toolkit.inputs.tables import read_table

VIEWS = ("agree", "partly agree", "disagree")
VIEW_ALIASES = {"agreed": "agree", "yes": "agree", "partly": "partly agree", "partially agree": "partly agree",
                "partial": "partly agree", "disagreed": "disagree", "no": "disagree"}
COLUMNS = ("area", "sef_judgement", "peer_view", "peer_judgement", "comment")
REQUIRED = ("area", "sef_judgement", "peer_view")
FREE_TEXT = ("area", "sef_judgement", "peer_view", "peer_judgement", "comment")


@dataclass(frozen=True)
class SefJudgement:
    area: str
    sef_judgement: str
    peer_view: str
    peer_judgement: str = ""
    comment: str = ""


@dataclass(frozen=True)
class SefComparison:
    judgements: tuple[SefJudgement, ...]

    def counts(self) -> Counter[str]:
        return Counter(j.peer_view for j in self.judgements)

    @property
    def total(self) -> int:
        return len(self.judgements)


def load_sef(path: Path, root: Path, allow: Sequence[str] = (), reference_year: int | None = None) -> SefComparison:
    """Read and check the SEF comparison file; raise listing every problem.

    Its free text (the judgements and the comment) is screened for a child's personal data like
    findings are; ``allow`` lists phrases that are never names (see :mod:`toolkit.inputs.privacy`)."""
    shown = display_path(path, root)
    try:
        table = read_table(path, shown, sheet="SEF", expected=COLUMNS)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    errors = [InputError(shown, f"unknown column (expected: {', '.join(COLUMNS)})", row=1, column=c)
              for c in table.columns if c not in COLUMNS]
    errors += [InputError(shown, "required column missing", row=1, column=c)
               for c in REQUIRED if c not in table.columns]
    if errors:
        raise ValidationFailed(errors)
    errors += screen_table(((r.number, r.values) for r in table.rows), shown, FREE_TEXT, allow, reference_year)
    out: list[SefJudgement] = []
    for row in table.rows:
        for c in REQUIRED:
            if not row.get(c):
                errors.append(InputError(shown, "empty", row=row.number, column=c))
        view = " ".join(row.get("peer_view").lower().split())
        view = VIEW_ALIASES.get(view, view)
        if row.get("peer_view") and view not in VIEWS:
            errors.append(InputError(shown, f"{quote(row.get('peer_view'))} is not one of: {', '.join(VIEWS)}",
                                     row=row.number, column="peer_view"))
        out.append(SefJudgement(row.get("area"), row.get("sef_judgement"), view,
                                row.get("peer_judgement"), " ".join(row.get("comment").split())))
    if not table.rows:
        errors.append(InputError(shown, "no judgements in the file", row=2))
    if errors:
        raise ValidationFailed(errors)
    return SefComparison(tuple(out))
