"""The EHC plan audit across a round: plans at each grade by plan section, the criteria most
often missing, and how often two auditors agreed.

Reviews audit against a framework (``toolkit/frameworks/ehcp_audit.yaml`` or their own); sections
and criteria are added up across reviews that share the round's most used framework only (a
section code of another framework may mean something else). A criterion's "missing" is the plans
it applied to and was not met in, summed over the reviews.
"""

from __future__ import annotations

from collections import Counter

from toolkit.analysis.round_model import (
    AuditTally,
    CriterionRound,
    ModerationRound,
    Round,
    SectionRound,
)

GRADES = (4, 3, 2, 1)


def audit_framework(round_: Round) -> str | None:
    """The audit framework most reviews of the round used (first named on a tie), None without audits."""
    used = Counter(r.audit.framework for r in round_.reviews if r.audit is not None)
    if not used:
        return None
    top = max(used.values())
    return next(r.audit.framework for r in round_.reviews if r.audit is not None and used[r.audit.framework] == top)


def _tallies(round_: Round) -> list[AuditTally]:
    framework = audit_framework(round_)
    return [r.audit for r in round_.reviews if r.audit is not None and r.audit.framework == framework]


def section_grades(round_: Round) -> tuple[SectionRound, ...]:
    """Plans at each grade on each plan section, every review's sample together."""
    sections: dict[str, SectionRound] = {}
    for tally in _tallies(round_):
        for s in tally.sections:
            before = sections.get(s.code, SectionRound(s.code, s.title, {g: 0 for g in GRADES}, 0))
            grades = {g: before.grades[g] + s.grades.get(g, 0) for g in GRADES}
            sections[s.code] = SectionRound(s.code, s.title, grades, before.reviews + 1)
    return tuple(sections.values())


def missing_criteria(round_: Round, limit: int) -> tuple[CriterionRound, ...]:
    """The criteria missed in most plans across the round (then the larger share, then framework
    order), at most ``limit``; a criterion never missed is not among them."""
    found: dict[str, CriterionRound] = {}
    for tally in _tallies(round_):
        for c in tally.criteria:
            if c.applicable == 0:
                continue
            before = found.get(c.id, CriterionRound(c.id, c.section, c.text, 0, 0, 0))
            found[c.id] = CriterionRound(c.id, c.section, c.text, before.applicable + c.applicable,
                                         before.missing + c.missing, before.reviews + 1)
    order = {cid: i for i, cid in enumerate(found)}
    ranked = sorted((c for c in found.values() if c.missing > 0),
                    key=lambda c: (-c.missing, -c.missing / c.applicable, order[c.id]))
    return tuple(ranked[:limit])


def moderation(round_: Round) -> tuple[ModerationRound, ...]:
    """Each review's second audits: plans read twice and section grades the two auditors agreed on."""
    return tuple(ModerationRound(r.review_id, r.audit.moderated_pairs, r.audit.section_pairs, r.audit.section_agreed,
                                 r.audit.kappa)
                 for r in round_.reviews if r.audit is not None and r.audit.moderated_pairs)
