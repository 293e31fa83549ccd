"""The letter and the notebook's working views: sections from a style's templates, charts, the
Word copy, the briefing pack.

The letter notebook calls ``letter.document(review)`` (the sections the style's ``document.yaml``
lists, in order) and ``letter.glossary_check(review)``; ``letter.section(review, name)`` gives one
section, and the older per-section functions (``letter.opening(review)``, ...) still work.
"""

from toolkit.letter.sections import (
    SECTIONS,
    Fragment,
    audit_sample,
    background_and_process,
    build_letter,
    closing,
    document,
    glossary_check,
    headlines,
    kloe_sections,
    opening,
    page_shell,
    performance_data,
    section,
    self_evaluation,
    urgent_actions,
)

__all__ = [
    "SECTIONS",
    "Fragment",
    "audit_sample",
    "background_and_process",
    "build_letter",
    "closing",
    "document",
    "glossary_check",
    "headlines",
    "kloe_sections",
    "opening",
    "page_shell",
    "performance_data",
    "section",
    "self_evaluation",
    "urgent_actions",
]
