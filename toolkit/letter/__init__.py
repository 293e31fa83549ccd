"""The letter and the notebook's working views: sections from a style's templates, charts, the
Word copy, the briefing pack.

The letter notebook calls the section functions by these names (``letter.opening(review)``, ...),
so they are the subpackage's public API.
"""

from toolkit.letter.sections import (
    SECTIONS,
    Fragment,
    audit_sample,
    background_and_process,
    build_letter,
    closing,
    headlines,
    kloe_sections,
    opening,
    page_shell,
    performance_data,
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
    "headlines",
    "kloe_sections",
    "opening",
    "page_shell",
    "performance_data",
    "self_evaluation",
    "urgent_actions",
]
