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

import functools
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.indicators import format_number, format_value, round_half_up, wording
from toolkit.inputs.findings import Kind
from toolkit.inputs.params import parse_yaml
from toolkit.wording import ordinal

CLAIMS_PATH = Path(__file__).parents[1] / "catalogue" / "claims.yaml"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@functools.cache
def claim_words() -> dict[str, Any]:
    """The claim phrases and contradiction patterns in ``catalogue/claims.yaml``."""
    return cast(dict[str, Any], parse_yaml(CLAIMS_PATH.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class ConsistencyFlag:
    """A finding a figure contradicts: which check, and the words saying so."""
    finding: Any
    indicator: str  # the indicator id ("" for the audit alone)
    band: str  # the indicator's band, or "" when it has none
    message: str  # what the finding says and the figure that disagrees
    check: str = "band"  # band, direction, england, region, neighbours, audit or audit grades
    link: str = "indicator"  # how the finding reaches the figure: indicator, kloe or audit


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


@functools.cache
def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.IGNORECASE)


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
    return ConsistencyFlag(finding, comp.indicator.id, comp.band, text, "band")


def _moved(comp: Comparison) -> str | None:
    """``rose``, ``fell`` or ``stable`` over the trend window, as rounded for the letter."""
    window, ind = comp.trend.window, comp.indicator
    if comp.trend.direction is None or len(window) < 2:
        return None
    r0, r1 = round_half_up(window[0][1], ind.decimals), round_half_up(window[-1][1], ind.decimals)
    if comp.trend.direction == "stable" or r0 == r1:
        return "stable"
    return "rose" if r1 > r0 else "fell"


def _direction_flag(finding: Any, comp: Comparison) -> ConsistencyFlag | None:
    claim = claimed_direction(str(getattr(finding, "statement", "")))
    moved = _moved(comp)
    if claim is None or moved is None:
        return None
    polarity = comp.indicator.polarity
    if claim in ("better", "worse"):
        if polarity == "neutral":
            return None
        up_is_better = polarity == "higher_better"
        claim = "up" if (claim == "better") == up_is_better else "down"
        said = "direction_better" if (claim == "up") == up_is_better else "direction_worse"
    else:
        said = f"direction_{claim}"
    if (claim, moved) in (("up", "rose"), ("down", "fell")):
        return None
    (p0, v0), (p1, v1) = comp.trend.window[0], comp.trend.window[-1]
    ind = comp.indicator
    trend = claim_words()["trend"][moved].format(start=format_value(ind, v0), end=format_value(ind, v1),
                                                 start_period=p0.label, end_period=p1.label)
    text = claim_words()["contradiction"][said].format(trend=trend)
    return ConsistencyFlag(finding, ind.id, comp.band or "", text, "direction")


def _comparator_value(comp: Comparison, who: str) -> float | None:
    return {"england": comp.england, "region": comp.region, "neighbours": comp.neighbours_mean}[who]


@dataclass(frozen=True)
class _Figures:
    """The figures a comparison claim is checked on: the indicator's own, or a count's as a rate."""
    value: float
    others: dict[str, float | None]  # england, region, neighbours
    decimals: int
    percent: bool
    basis: str  # words before the area's figure ("as a share of EHC plans, "), or empty

    def shown(self, value: float) -> str:
        return format_number(value, self.decimals) + ("%" if self.percent else "")


def _ratio(top: float | None, bottom: float | None, per: float) -> float | None:
    return None if top is None or not bottom else top / bottom * per


def _rate_figures(comp: Comparison, den: Comparison) -> _Figures | None:
    """A count as a rate of its denominator, for the authority, England, the region (their
    published rows are totals, so their ratio is theirs) and the neighbours (the mean of each
    neighbour's own rate); None unless both are for the same period."""
    spec = comp.indicator.denominator
    if spec is None or den.period != comp.period:
        return None
    mine = _ratio(comp.value, den.value, spec.per)
    if mine is None:
        return None
    bottoms = {code: v for code, _, v in den.neighbours}
    near = [r for code, _, v in comp.neighbours if (r := _ratio(v, bottoms.get(code), spec.per)) is not None]
    words = claim_words()["rate_basis"]
    basis = (words["share"] if spec.per == 100 else words["per"]).format(
        of=spec.of, per=format_number(spec.per, 0))
    return _Figures(mine, {"england": _ratio(comp.england, den.england, spec.per),
                           "region": _ratio(comp.region, den.region, spec.per),
                           "neighbours": statistics.fmean(near) if near else None},
                    int(claim_words()["rate_decimals"]), spec.per == 100, basis)


def _figures(comp: Comparison, by_id: Mapping[str, Comparison]) -> _Figures | None:
    """What a comparison claim about ``comp`` is checked on: its own figures for a rate, share or
    score; for a count, its rate of the denominator the catalogue gives (never the raw count,
    as England's and the region's rows are totals); None when there is nothing to check on."""
    ind = comp.indicator
    if comp.value is None:
        return None
    if ind.unit != "count":
        return _Figures(comp.value, {w: _comparator_value(comp, w) for w in ("england", "region", "neighbours")},
                        ind.decimals, ind.unit == "percent", "")
    den = by_id.get(ind.denominator.indicator) if ind.denominator is not None else None
    return _rate_figures(comp, den) if den is not None else None


def _comparison_flags(finding: Any, comp: Comparison,
                      by_id: Mapping[str, Comparison] | None = None) -> list[ConsistencyFlag]:
    ind = comp.indicator
    figures = _figures(comp, by_id or {})
    if figures is None:  # a raw count is not compared with other areas
        return []
    words = claim_words()
    out = []
    texts = [str(getattr(finding, "statement", "")), *_SENTENCE.split(str(getattr(finding, "detail", "") or ""))]
    claims = list(dict.fromkeys(claim for text in texts for claim in claimed_comparisons(text)))
    for who, relation in claims:
        other = figures.others[who]
        if other is None:
            continue
        mine, theirs = round_half_up(figures.value, figures.decimals), round_half_up(other, figures.decimals)
        if relation in ("better", "worse") and ind.polarity == "neutral":
            continue
        higher = (relation == "higher" if relation in ("higher", "lower")
                  else (relation == "better") == (ind.polarity == "higher_better"))
        if (mine > theirs) if higher else (mine < theirs):
            continue
        name = comp.area.region_name if who == "region" else ""
        other_text = wording()["comparator"][who].format(name=name, value=figures.shown(other))
        text = words["contradiction"][f"compare_{relation}"].format(
            who=words["who"][who], area=figures.basis + comp.area.name, value=figures.shown(figures.value),
            other=other_text)
        out.append(ConsistencyFlag(finding, ind.id, comp.band or "", text, who))
    return out


def _audit_flags(finding: Any, kind: Kind, audit: AuditFigures | None) -> list[ConsistencyFlag]:
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
            out.append(ConsistencyFlag(finding, indicator, "", text, "audit", "audit"))
    quality = rules["quality"]
    if audit.graded and mentions(statement, quality["about"]):
        key = _audit_verdict(kind, audit.good / audit.graded, quality)
        if key:
            text = claim_words()["contradiction"][f"audit_quality_{key.removeprefix('audit_')}"].format(
                finding=_said(kind), good=audit.good, graded=audit.graded, weak=audit.graded - audit.good)
            out.append(ConsistencyFlag(finding, indicator, "", text, "audit grades", "audit"))
    return out


def _audit_verdict(kind: Kind, share: float, rule: Mapping[str, Any]) -> str | None:
    """``audit_good`` for an area for consideration beside a good share, ``audit_poor`` for a
    strength beside a poor one, else None."""
    if kind in (Kind.AREA, Kind.URGENT) and share >= float(rule["good_share"]):
        return "audit_good"
    if kind is Kind.STRENGTH and share < float(rule["poor_share"]):
        return "audit_poor"
    return None


def _indicator_flags(finding: Any, kind: Kind, comp: Comparison, by_id: Mapping[str, Comparison], *,
                     band: bool = True) -> list[ConsistencyFlag]:
    """The band (unless ``band`` is false), direction and comparator checks on one indicator."""
    found = [_band_flag(finding, kind, comp) if band else None, _direction_flag(finding, comp)]
    return [f for f in found if f is not None] + _comparison_flags(finding, comp, by_id)


def _through_kloe(flag: ConsistencyFlag, comp: Comparison) -> ConsistencyFlag:
    text = claim_words()["kloe_link"].format(contradiction=flag.message, title=comp.indicator.short_title)
    return replace(flag, message=text, link="kloe")


def check_consistency(findings: Iterable[Any], comparisons: Sequence[Comparison],
                      audit: AuditFigures | None = None,
                      kloe_indicators: Mapping[str, Sequence[str]] | None = None) -> list[ConsistencyFlag]:
    """Every contradiction between the findings and the figures, finding by finding.

    ``findings`` are any objects with ``.kind``, ``.indicator`` (an indicator id or empty),
    ``.statement`` (its claims are read from it) and ``.kloe``; ``audit`` is what the EHC plan
    audit found, if there was an audit; ``kloe_indicators`` the indicators each KLOE lists.
    """
    by_id = {c.indicator.id: c for c in comparisons}
    flags: list[ConsistencyFlag] = []
    for finding in findings:
        kind = _kind(getattr(finding, "kind", ""))
        if kind is None:
            continue
        own_id = str(getattr(finding, "indicator", "") or "").strip()
        comp = by_id.get(own_id)
        if comp is not None:
            flags.extend(_indicator_flags(finding, kind, comp, by_id))
        listed = (kloe_indicators or {}).get(str(getattr(finding, "kloe", "") or ""), ())
        linked = kloe_topic(str(getattr(finding, "statement", "")),
                            [by_id[i] for i in dict.fromkeys(listed) if i in by_id and i != own_id])
        if linked is not None:
            flags.extend(_through_kloe(f, linked) for f in _indicator_flags(finding, kind, linked, by_id, band=False))
        flags.extend(_audit_flags(finding, kind, audit))
    return flags
