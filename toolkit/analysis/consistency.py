"""Findings the figures contradict: checked for the team before the letter is sent.

A finding linked to evidence is checked against the figures. Its evidence: its own ``indicator``
column; the first indicator its KLOE lists (``indicators`` of a framework's KLOE) whose words
(``topics`` in claims.yaml) its statement holds, on what the finding claims (direction and
comparators, not the band: that link is looser); and the EHC plan audit, for a finding about new
plans' timing or about the quality of plans (``audit`` in claims.yaml). The checks:

* **band**: a strength in the weakest quarter, an area for consideration (or urgent action) in
  the best;
* **direction**: a statement saying the figure has risen, fallen, improved or worsened, against
  its trend (a figure broadly stable contradicts "risen" and "fallen" alike);
* **comparators**: a statement (or a sentence of the detail) saying the figure is higher, lower,
  better or worse than England, the region or similar areas (statistical neighbours), against
  those figures as the letter rounds them; a raw count is never set against another
  authority's: a count whose catalogue entry gives a ``denominator`` is compared as a rate of it
  (England's and the region's totals divided, the neighbours' own rates averaged), and a claim
  about any other count is not checked this way;
* **audit timeliness** and **audit grades**: an area for consideration about timeliness (or the
  quality of plans) beside an audit that found most new plans on time (or most plans good or
  outstanding), or a strength beside one that found most late (or most graded requires
  improvement or inadequate).

Measures without a band (neutral ones) get the direction and comparator checks. The words that
make a claim, and the words of each contradiction, are data: ``toolkit/catalogue/claims.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from toolkit.analysis.audit_claims import audit_claim_flags
from toolkit.analysis.audit_results import AuditResult
from toolkit.analysis.claim_reading import claim_words, grammar
from toolkit.analysis.claim_reading import pattern as _pattern
from toolkit.analysis.comparison_claims import source_of
from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.figure_claims import read_claims
from toolkit.analysis.flags import ConsistencyFlag, Said
from toolkit.analysis.indicators import format_value, wording
from toolkit.inputs.findings import Kind
from toolkit.wording import ordinal

__all__ = ["AuditFigures", "AuditTimeliness", "ConsistencyFlag", "Said", "check_consistency", "claim_words",
           "claimed_comparisons", "claimed_direction", "kloe_topic", "mentions"]


@dataclass(frozen=True)
class AuditFigures:
    """What the EHC plan audit found about new plans' timing and plans' grades (counts only)."""
    timed: int  # new plans whose timing could be checked
    within: int  # of those, issued within the timescale
    weeks: str
    graded: int = 0  # plans with an overall grade
    good: int = 0  # of those, graded good or outstanding


#: The former name, when the audit's figures were its timeliness only.
AuditTimeliness = AuditFigures


def _kind(raw: object) -> Kind | None:
    """The kind of a finding given as a :class:`Kind` or as its words (any case and spacing;
    "recommended urgent action" too), or None for anything else."""
    text = " ".join(str(getattr(raw, "value", raw)).split()).casefold()
    text = Kind.URGENT.value if text == "recommended urgent action" else text
    return next((k for k in Kind if k.value == text), None)


def _found(text: str, groups: dict[str, list[str]]) -> list[str]:
    """The keys of ``groups`` whose phrases occur in ``text``, in the file's order."""
    return [key for key, phrases in groups.items() if _pattern(tuple(str(p) for p in phrases)).search(text)]


def _groups(entry: Sequence[Any]) -> list[tuple[str, ...]]:
    """A ``topics``/``about`` entry as lists of phrases that must all be matched (one of each)."""
    if entry and all(isinstance(e, list) for e in entry):
        return [tuple(str(p) for p in group) for group in entry]
    return [tuple(str(p) for p in entry)]


def mentions(text: str, entry: Sequence[Any]) -> bool:
    """Whether ``text`` holds a phrase of each group of a ``topics``/``about`` entry."""
    return bool(entry) and all(_pattern(group).search(text) for group in _groups(entry))


def kloe_topic(text: str, candidates: Sequence[Comparison]) -> Comparison | None:
    """Of a KLOE's indicators (``candidates``), the one ``text`` is about: the first in the
    order of ``topics`` in claims.yaml whose words it holds, then any named by its short title."""
    topics = claim_words()["topics"]
    order = list(topics)
    listed = sorted((c for c in candidates if c.indicator.id in topics), key=lambda c: order.index(c.indicator.id))
    for comp in listed:
        if mentions(text, topics[comp.indicator.id]):
            return comp
    return next((c for c in candidates if c.indicator.id not in topics
                 and mentions(text, [c.indicator.short_title])), None)


def claimed_direction(text: str) -> str | None:
    """``up``, ``down``, ``better`` or ``worse`` when the text claims one movement only."""
    found = _found(text, claim_words()["direction"])
    return found[0] if len(found) == 1 else None


def claimed_comparisons(text: str) -> list[tuple[str, str]]:
    """``(comparator, relation)`` pairs the text claims: ``("neighbours", "higher")``; none when
    it holds no comparator, or relations of two kinds."""
    words = claim_words()
    relations = _found(text, words["relation"])
    if len(relations) != 1:
        return []
    return [(who, relations[0]) for who in _found(text, words["comparator"])]


def _said(kind: Kind) -> str:
    return str(claim_words()["kinds"][kind.value])


def _band_flag(finding: Any, kind: Kind, comp: Comparison) -> ConsistencyFlag | None:
    if comp.band is None or comp.rank is None:
        return None
    if not ((kind is Kind.STRENGTH and comp.band == "D") or (kind in (Kind.AREA, Kind.URGENT) and comp.band == "A")):
        return None
    rank = ("joint " if comp.tied else "") + f"{ordinal(comp.rank)} of {comp.count}"
    text = claim_words()["contradiction"]["band"].format(
        finding=_said(kind), area=comp.area.name, rank=rank, band_text=wording()["bands"][comp.band],
        title=comp.indicator.short_title, period=comp.period.label)
    return ConsistencyFlag(finding, comp.indicator.id, comp.band, text, "band", "indicator", kind.value,
                           source_of(comp))


def _weighed(flag: ConsistencyFlag, audit: AuditFigures, by_id: Mapping[str, Comparison],
             timing: Mapping[str, Any]) -> ConsistencyFlag:
    """A flag from a handful of new plans is a sample weighed beside the published figure, never
    a contradiction of it (``audit_min_sample`` in claim_grammar.yaml)."""
    if audit.timed >= int(grammar()["audit_min_sample"]):
        return flag
    comp = next((by_id[i] for i in timing["indicators"] if i in by_id and by_id[i].value is not None), None)
    if comp is None:
        return flag
    text = grammar()["message"]["audit_sample"].format(
        of=audit.timed, met=audit.within, what=f"issued within {audit.weeks} weeks",
        value=format_value(comp.indicator, comp.value), title=comp.indicator.short_title, period=comp.period.label,
        source=source_of(comp))
    return replace(flag, message=text, check="audit sample")


def _audit_flags(finding: Any, kind: Kind, audit: AuditFigures | None,
                 by_id: Mapping[str, Comparison]) -> list[ConsistencyFlag]:
    if audit is None:
        return []
    rules, statement = claim_words()["audit"], str(getattr(finding, "statement", ""))
    indicator = str(getattr(finding, "indicator", "") or "")
    out = []
    timing = rules["timeliness"]
    if audit.timed and (indicator in timing["indicators"] or mentions(statement, timing["about"])):
        key = _audit_verdict(kind, audit.within / audit.timed, timing)
        if key:
            text = claim_words()["contradiction"][key].format(finding=_said(kind), within=audit.within,
                                                              timed=audit.timed, weeks=audit.weeks)
            out.append(_weighed(ConsistencyFlag(finding, indicator, "", text, "audit", "audit",
                                                source=grammar()["source"]["audit"]), audit, by_id, timing))
    quality = rules["quality"]
    if audit.graded and mentions(statement, quality["about"]):
        key = _audit_verdict(kind, audit.good / audit.graded, quality)
        if key:
            text = claim_words()["contradiction"][f"audit_quality_{key.removeprefix('audit_')}"].format(
                finding=_said(kind), good=audit.good, graded=audit.graded, weak=audit.graded - audit.good)
            out.append(ConsistencyFlag(finding, indicator, "", text, "audit grades", "audit",
                                       source=grammar()["source"]["audit"]))
    return out


def _audit_verdict(kind: Kind, share: float, rule: Mapping[str, Any]) -> str | None:
    """``audit_good`` for an area for consideration beside a good share, ``audit_poor`` for a
    strength beside a poor one, else None."""
    if kind in (Kind.AREA, Kind.URGENT) and share >= float(rule["good_share"]):
        return "audit_good"
    if kind is Kind.STRENGTH and share < float(rule["poor_share"]):
        return "audit_poor"
    return None




def check_consistency(findings: Iterable[Any], comparisons: Sequence[Comparison],
                      audit: AuditFigures | None = None,
                      kloe_indicators: Mapping[str, Sequence[str]] | None = None,
                      audit_result: AuditResult | None = None) -> list[ConsistencyFlag]:
    """Every contradiction between the findings and the figures, finding by finding.

    ``findings`` are any objects with ``.kind``, ``.indicator`` (an indicator id or empty),
    ``.statement`` and ``.detail`` (their claims are read from them) and ``.kloe``; ``audit`` is
    what the EHC plan audit found, if there was an audit (``audit_result`` its whole result, for
    claims about sections and criteria); ``kloe_indicators`` the indicators each KLOE lists.
    """
    by_id = {c.indicator.id: c for c in comparisons}
    flags: list[ConsistencyFlag] = []
    for finding in findings:
        kind = _kind(getattr(finding, "kind", ""))
        if kind is None:
            continue
        own = by_id.get(str(getattr(finding, "indicator", "") or "").strip())
        if own is not None:
            band = _band_flag(finding, kind, own)
            flags.extend([band] if band else [])
        listed = (kloe_indicators or {}).get(str(getattr(finding, "kloe", "") or ""), ())
        flags.extend(read_claims(finding, comparisons, own, listed, by_id))
        flags.extend(_audit_flags(finding, kind, audit, by_id))
        if audit_result is not None:
            flags.extend(audit_claim_flags(finding, audit_result))
    return flags
