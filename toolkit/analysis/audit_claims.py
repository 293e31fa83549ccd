"""Claims about the plans the team read, checked against the EHC plan audit: quantifiers ("few",
"most", "all", "none", "N of M", "in all 12 plans") over a section (by its letter or its name), a
criterion named in words (``audit_criteria`` in claim_grammar.yaml), or the overall grade; and the
number of plans a finding says were read.

A sentence speaks of the audit when it names the plans the team read ("plans we sampled"), a
section by its letter, or a number of plans. Each section or criterion the sentence names is a
claim of its own ("few ... in sections D and H" claims few of D and few of H); a section's claim
holds when its grades (the share of plans graded good or better in it) or any of its criteria the
words name bear it out: the audit is read leniently, as a team writes loosely.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.analysis.audit_results import AuditResult
from toolkit.analysis.claim_reading import (
    Share,
    clauses,
    grammar,
    has,
    has_all,
    hedged,
    quantifier_in,
    sentences,
    shares_in,
)
from toolkit.analysis.flags import ConsistencyFlag

_SECTIONS = re.compile(r"\bsections?\s+((?:[A-K]\b(?:\s*(?:,|and|or|&)\s*)?)+)")
_PLANS = re.compile(r"\b(?:all|the|of|in)\s+(?:the\s+)?(\d+|[a-z]+)\s+(?:EHC\s+)?plans\b", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """A section, criterion or the overall grade: how many plans met it, of how many."""
    key: str
    met: int
    of: int
    what: str  # "were graded good or better in section D (Social care needs)"


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    value = grammar()["numbers"].get(word.casefold())
    return int(value) if value is not None and word.casefold() != "a" else None


def _section_target(result: AuditResult, code: str) -> Target | None:
    counts = result.section_grades.get(code)
    if not counts or not sum(counts.values()):
        return None
    title = result.framework.section(code).title
    return Target(code, counts[4] + counts[3], sum(counts.values()),
                  f"graded good or better in section {code} ({title})")


def _criterion_target(result: AuditResult, ident: str) -> Target | None:
    c = next((c for c in result.criteria if c.id == ident), None)
    if c is None or not c.applicable:
        return None
    return Target(ident, c.met, c.applicable, f"where {c.finding}")


def targets(clause: str, result: AuditResult) -> list[list[Target]]:
    """What a clause's quantifier is about: one group per section named (its grades and the
    criteria of it the words name), then criteria of no section named, else the overall grade."""
    g, codes = grammar(), [s.code for s in result.framework.sections]
    named = [c for m in _SECTIONS.finditer(clause) for c in re.findall(r"\b[A-K]\b", m.group(1)) if c in codes]
    for code, words in g["audit_sections"].items() if not named else ():
        section = next((s for s in result.framework.sections if s.code == code), None)
        by_title = section is not None and " " in section.title and has(clause, [section.title])
        if section is not None and (has_all(clause, words) or by_title) and code not in named:
            named.append(code)
    crits = [i for i, words in g["audit_criteria"].items() if has_all(clause, words)]
    groups: list[list[Target]] = []
    for code in named:
        group = [t for t in [_section_target(result, code)] if t is not None]
        group += [t for i in crits if (c := next((x for x in result.criteria if x.id == i), None)) is not None
                  and c.section == code and (t := _criterion_target(result, i)) is not None]
        if group:
            groups.append(group)
    sections = set(named)
    for i in crits:
        c = next((x for x in result.criteria if x.id == i), None)
        if c is not None and c.section not in sections and (t := _criterion_target(result, i)) is not None:
            groups.append([t])
    if not groups and has_all(clause, g["audit_overall"]) and result.graded:
        groups.append([Target("overall", result.good_or_better, result.graded, "graded good or better overall")])
    return groups


def _holds(share: Share, t: Target) -> bool:
    if share.of is not None and share.of == t.of and share.count is not None:
        return share.count in (t.met, t.of - t.met)
    value = 100.0 * t.met / t.of
    turned = (100.0 - share.high, 100.0 - share.low)
    return share.low - 1e-9 <= value <= share.high + 1e-9 or (share.of is not None
                                                             and turned[0] - 1e-9 <= value <= turned[1] + 1e-9)


def _negated(clause: str, share: Share) -> bool:
    """Whether the words after a stated share say the plans did not ("a third were late")."""
    at = clause.casefold().find(share.said.casefold())
    return at >= 0 and has(clause[at + len(share.said):], grammar()["negations"])


def _speaks_of_audit(clause: str) -> bool:
    """The plans the team read, or a number of plans ("in all 12 plans")."""
    return has(clause, grammar()["audit_plans"]) or any(_number(m.group(1)) for m in _PLANS.finditer(clause))


def audit_claim_flags(finding: Any, result: AuditResult) -> list[ConsistencyFlag]:
    """Quantifiers over the plans read, and the number of plans said to be read, against the audit."""
    if not result.plans:
        return []
    out: list[ConsistencyFlag] = []
    codes = {s.code for s in result.framework.sections}
    source = str(grammar()["source"]["audit"])
    texts = [str(getattr(finding, "statement", "") or ""), str(getattr(finding, "detail", "") or "")]
    for sentence in (s for text in texts for s in sentences(text)):
        for clause in clauses(sentence):
            if hedged(clause) or not _speaks_of_audit(clause):
                continue
            out.extend(_count_flags(finding, clause, result, source))
            stated = [s for s in shares_in(clause) if s.of is not None] or [s for s in shares_in(clause)]
            share = stated[0] if stated else quantifier_in(clause)
            if share is None:
                continue
            if stated and share.of is None and _negated(clause, share):
                share = Share(100.0 - share.high, 100.0 - share.low, share.said)
            for group in targets(clause, result):
                if any(_holds(share, t) for t in group):
                    continue
                t = group[0]
                text = grammar()["message"]["audit_share"].format(said=share.said, target="", met=t.met, of=t.of,
                                                                  what=t.what).replace("  ", " ")
                kind = "overall" if t.key == "overall" else "section" if t.key in codes else "criterion"
                out.append(ConsistencyFlag(finding, "", "", text, f"audit {kind}", "audit", share.said, source))
    return out


def _count_flags(finding: Any, sentence: str, result: AuditResult, source: str) -> Sequence[ConsistencyFlag]:
    """"In all 12 plans" when the audit read another number (a criterion's own count allowed)."""
    allowed = {result.plans, result.new_plans, result.new_with_timing, *(c.applicable for c in result.criteria),
               *(sum(v.values()) for v in result.section_grades.values())}
    for m in _PLANS.finditer(sentence):
        n = _number(m.group(1))
        if n is not None and n > 1 and n not in allowed:
            text = grammar()["message"]["audit_count"].format(stated=m.group(0), plans=result.plans)
            return [ConsistencyFlag(finding, "", "", text, "audit count", "audit", m.group(0), source)]
    return []
