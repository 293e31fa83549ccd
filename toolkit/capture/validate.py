"""What a form entry must pass before it is saved: the review's rules and the personal-data screen.

Free text (a finding's statement and detail, a prompt's notes) is screened for a child's personal
data exactly as validation screens the input files (:mod:`toolkit.inputs.privacy`, with the
review's allow list and reference year) and held to :data:`toolkit.inputs.tables.CELL_LIMIT`
characters. A message names the kind of data found, never the data; a value is quoted only
through :func:`toolkit.inputs.privacy.quote`.
"""

from __future__ import annotations

from collections.abc import Mapping

from toolkit.capture.records import FindingDraft, FormMessage, normalise_kind
from toolkit.inputs import privacy
from toolkit.inputs.capture_layout import STATUSES
from toolkit.inputs.findings import EVIDENCE_KINDS, Kind
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.tables import CELL_LIMIT

#: The free-text fields the personal-data screen reads before anything is saved.
FINDING_TEXT_FIELDS = ("statement", "detail")
CHECKLIST_TEXT_FIELDS = ("notes",)


def screen_args(params: ReviewParams) -> tuple[list[str], int]:
    """The allow list and reference year of the personal-data screen, as validation uses them."""
    return params.allowed_phrases(), params.visit.dates[0].year


def text_messages(values: dict[str, str], params: ReviewParams, holder: str) -> list[FormMessage]:
    """Messages for free text that is too long or looks like a child's personal data.

    ``values`` maps a field name to its text; ``holder`` says what must not hold the data ("a
    finding", "checklist notes"). A message names the kind of data found, never the data itself.
    """
    allow, year = screen_args(params)
    msgs: list[FormMessage] = []
    for name, text in values.items():
        if len(text) > CELL_LIMIT:
            msgs.append(FormMessage(name, (
                f"This text is {len(text):,} characters long; it may be at most {CELL_LIMIT:,} "
                "characters. Shorten it.")))
            continue
        hits = privacy.screen_text(text, allow, year)
        if hits:
            hint = privacy.NAME_HINT if any(h.kind == "name" for h in hits) else ""
            kinds = privacy.describe_hits(hits)
            msgs.append(FormMessage(name, (
                f"This looks like {kinds}, which {holder} must not hold: refer to a child by "
                f"their case reference only.{hint}")))
    return msgs


def refused_keys(values: Mapping[str, str], params: ReviewParams) -> list[str]:
    """The keys of ``values`` whose text looks like a child's personal data (the page removes
    those from the browser's kept copy of the form)."""
    allow, year = screen_args(params)
    return [key for key, text in values.items() if privacy.screen_text(text or "", allow, year)]


def passes_screen(values: dict[str, str], params: ReviewParams) -> bool:
    """True when none of ``values`` looks like a child's personal data."""
    allow, year = screen_args(params)
    return not any(privacy.screen_text(v or "", allow, year) for v in values.values())


def validate_draft(draft: FindingDraft, params: ReviewParams, scope: KloeScope, reviewer: str,
                   indicators: set[str] | None = None) -> list[FormMessage]:
    """Everything wrong with a form entry, as messages for the form (empty when it can be saved).

    The statement and detail are screened for a child's personal data (names, dates of birth, NHS
    numbers, UPNs) exactly as validation screens the findings files, and held to
    :data:`toolkit.inputs.tables.CELL_LIMIT` characters; values are quoted only through
    :func:`toolkit.inputs.privacy.quote`.
    """
    msgs: list[FormMessage] = []
    allow, year = screen_args(params)
    team = [m.name for m in params.team]
    if reviewer not in team:
        msgs.append(FormMessage("reviewer", f"{privacy.quote(reviewer, allow, year)} is not in the review team "
                                f"({', '.join(team)})."))
    kind = normalise_kind(draft.kind)
    if kind is None:
        msgs.append(FormMessage("kind", "Choose strength, area for consideration or urgent action."))
    if not draft.statement.strip():
        msgs.append(FormMessage("statement", "Write the lead statement: it cannot be empty."))
    msgs += text_messages({"statement": draft.statement, "detail": draft.detail,
                           "indicator": draft.indicator}, params, "a finding")
    kloe = draft.kloe.strip()
    if not kloe and not draft.headline and kind != Kind.URGENT.value:
        msgs.append(FormMessage("kloe", "Choose the KLOE this finding belongs to "
                                "(only headlines and urgent actions may have none)."))
    elif kloe and kloe not in scope:
        msgs.append(FormMessage("kloe", f"{privacy.quote(kloe, allow, year)} is not a KLOE of this review "
                                f"({', '.join(scope.ids())})."))
    if not draft.evidence:
        msgs.append(FormMessage("evidence", "Give at least one kind of evidence the finding rests on "
                                "(documents, interview, ...)."))
    for e in draft.evidence:
        if e not in EVIDENCE_KINDS:
            msgs.append(FormMessage("evidence", f"{privacy.quote(e, allow, year)} is not an evidence kind "
                                    f"({', '.join(EVIDENCE_KINDS)})."))
    ind = draft.indicator.strip()
    if ind and indicators is not None and ind not in indicators:
        msgs.append(FormMessage("indicator", f"{privacy.quote(ind, allow, year)} is not an indicator "
                                "in the catalogue."))
    return msgs




def validate_prompt(prompt_id: str, kloe: str | None, status: str, notes: str, params: ReviewParams,
                    reviewer: str) -> list[FormMessage]:
    """Everything wrong with a checklist entry (``kloe`` is None for a prompt not in the review;
    ``status`` already normalised, ``notes`` already stripped)."""
    allow, year = screen_args(params)
    msgs = []
    if kloe is None:
        msgs.append(FormMessage("prompt", f"{privacy.quote(prompt_id, allow, year)} is not a prompt of a KLOE "
                                "in this review."))
    if status not in STATUSES:
        msgs.append(FormMessage("status", f"Choose {', '.join(STATUSES)}."))
    if reviewer not in [m.name for m in params.team]:
        msgs.append(FormMessage("reviewer", f"{privacy.quote(reviewer, allow, year)} is not in the review team."))
    msgs += text_messages({"notes": notes}, params, "checklist notes")
    return msgs
