"""Warnings about the report form's own inputs: a style with a recommendations section and a
review with no recommendations of the team's own; an overall view the style has no place for; a
recommendation that only copies a finding. Messages: ``toolkit/catalogue/report.yaml``.
"""

from __future__ import annotations

from collections.abc import Sequence

from toolkit.analysis.repeats import content_words
from toolkit.errors import InputWarning
from toolkit.inputs.findings import Finding
from toolkit.inputs.privacy import quote
from toolkit.inputs.recommendations import Recommendations
from toolkit.messages import Messages

#: The share of a recommendation's content words a finding's statement must hold, and the
#: other way round, for the recommendation to count as a copy of the finding.
COPY_SHARE = 0.85


#: This module's messages (docs/messages.md).
message = Messages("report.yaml", collapse=True)


def _copies(text: str, finding: Finding) -> bool:
    a, b = content_words(text), content_words(finding.statement)
    if not a or not b:
        return False
    shared = len(a & b)
    return shared / len(a) >= COPY_SHARE and shared / len(b) >= COPY_SHARE


def report_warnings(sections: Sequence[str], style: str, params_file: str, overall_view: str | None,
                    recommendations: Recommendations | None, findings: Sequence[Finding],
                    allow: Sequence[str] = (), reference_year: int | None = None) -> list[InputWarning]:
    """The warnings (never errors: the draft is still made) about the team's own view and recommendations."""
    out: list[InputWarning] = []
    if "recommendations" in sections and not (recommendations and recommendations.items):
        out.append(InputWarning(params_file, message("no_recommendations", style=style),
                                column="inputs.recommendations"))
    if overall_view and "overall" not in sections and "overall_view" not in sections:
        out.append(InputWarning(params_file, message("overall_view_unplaced", style=style), column="overall_view"))
    for r in recommendations.items if recommendations else ():
        copied = next((f for f in findings if _copies(r.text, f)), None)
        if copied is not None:
            out.append(InputWarning(recommendations.file if recommendations else "", message(
                "recommendation_copies_finding", finding=quote(copied.statement, allow, reference_year),
                file=copied.file, row=copied.row), row=r.row, column="recommendation"))
    return out
