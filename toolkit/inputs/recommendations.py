"""The team's own recommendations: new, specific actions, grouped by theme.

One CSV or XLSX file (``inputs.recommendations``, sheet ``Recommendations``), a row per
recommendation:

| column | meaning |
|---|---|
| `theme` | its heading: a KLOE id in scope (printed as the KLOE's title) or a heading of the team's own |
| `recommendation` | what the team recommends, in its own words (a blank line starts a new paragraph) |
| `findings` | optional: ids of the findings it answers, separated by ``;`` (each must be a finding of this review) |
| `help` | optional: who could help (an organisation, a network, a regional lead) |
| `order` | optional: a number; recommendations are ordered by it within their theme (blank last) |

Themes are printed in the order they first appear in the file. The text is screened for a
child's personal data, as findings are. A recommendation that repeats a finding's statement word
for word is a ``warning:``: recommendations say what to do next, not what was found.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.findings import paragraphs
from toolkit.inputs.privacy import quote, screen_table
from toolkit.inputs.screening import screened_columns
from toolkit.inputs.tables import Row, header_errors, read_table
from toolkit.messages import Messages

#: This module's messages (docs/messages.md).
message = Messages("recommendations.yaml")

COLUMNS = ("theme", "recommendation", "findings", "help", "order")
REQUIRED = ("theme", "recommendation")
#: Columns the personal-data screen leaves out, with the reason: none (every column is screened).
NOT_SCREENED: dict[str, str] = {}


@dataclass(frozen=True)
class Recommendation:
    theme: str
    text: str
    findings: tuple[str, ...] = ()
    help: str = ""
    order: float | None = None
    row: int = 0


@dataclass(frozen=True)
class Recommendations:
    items: tuple[Recommendation, ...]
    file: str = ""

    def themes(self) -> list[str]:
        """The themes in the order they first appear."""
        return list(dict.fromkeys(r.theme for r in self.items))

    def for_theme(self, theme: str) -> list[Recommendation]:
        mine = [r for r in self.items if r.theme == theme]
        return sorted(mine, key=lambda r: (r.order is None, r.order if r.order is not None else 0.0))


def read_recommendations(path: Path, root: Path, finding_ids: Collection[str] | None,
                         allow: Sequence[str] = (), reference_year: int | None = None) -> Recommendations:
    """Read and check the recommendations; raise :class:`ValidationFailed` listing every problem.

    ``finding_ids``: the review's findings (``None`` when they could not be read: ids unchecked)."""
    shown = display_path(path, root)
    try:
        table = read_table(path, shown, sheet="Recommendations", expected=COLUMNS)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    errors = header_errors(table, COLUMNS, REQUIRED)
    if errors:
        raise ValidationFailed(errors)
    errors = screen_table(((r.number, r.values) for r in table.rows), shown,
                          screened_columns(table.columns, NOT_SCREENED), allow, reference_year)
    items = []
    for row in table.rows:
        before = len(errors)

        def bad(column: str, message: str, number: int = row.number) -> None:
            errors.append(InputError(shown, message, row=number, column=column))

        item = _recommendation(row, finding_ids, bad)
        if len(errors) == before:
            items.append(item)
    if errors:
        raise ValidationFailed(errors)
    return Recommendations(tuple(items), shown)


def _recommendation(row: Row, finding_ids: Collection[str] | None,
                    bad: Callable[[str, str], None]) -> Recommendation:
    """One row as a recommendation, each problem with it to ``bad`` (the row is kept only without one)."""
    theme = " ".join(row.get("theme").split())
    text = paragraphs(row.get("recommendation"))
    if not theme:
        bad("theme", message("no_theme"))
    if not text:
        bad("recommendation", message("no_text"))
    ids = tuple(i.strip() for i in row.get("findings").split(";") if i.strip())
    for i in ids:
        if finding_ids is not None and i not in finding_ids:
            bad("findings", message("not_a_finding", value=quote(i)))
    order: float | None = None
    if row.get("order").strip():
        try:
            order = float(row.get("order"))
        except ValueError:
            bad("order", message("not_a_number", value=quote(row.get("order"))))
    return Recommendation(theme, text, ids, " ".join(row.get("help").split()), order, row.number)
