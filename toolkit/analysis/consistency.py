"""Findings the figures contradict: checked for the team before the letter is sent.

A finding linked to evidence (its ``indicator`` column; the EHC plan audit's timeliness for the
timeliness indicators) is checked against the figures:

* **band**: a strength in the weakest quarter, an area for consideration (or urgent action) in
  the best;
* **direction**: a statement saying the figure has risen, fallen, improved or worsened, against
  its trend (a figure broadly stable contradicts "risen" and "fallen" alike);
* **comparators**: a statement (or a sentence of the detail) saying the figure is higher, lower,
  better or worse than England, the region or similar areas (statistical neighbours), against
  those figures as the letter rounds them; a raw count is never set against another
  authority's, so claims about counts are not checked this way;
* **audit timeliness**: an area for consideration about timeliness beside an audit that found most
  new plans on time, or a strength beside one that found most late.

Measures without a band (neutral ones) get the direction and comparator checks. The words that
make a claim, and the words of each contradiction, are data: ``toolkit/catalogue/claims.yaml``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.indicators import format_value, round_half_up, wording
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
    check: str = "band"  # band, direction, england, region, neighbours or audit


@dataclass(frozen=True)
class AuditTimeliness:
    """What the EHC plan audit found about new plans' timing (counts only)."""
    timed: int  # new plans whose timing could be checked
    within: int  # of those, issued within the timescale
    weeks: str


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


def _comparison_flags(finding: Any, comp: Comparison) -> list[ConsistencyFlag]:
    ind = comp.indicator
    if comp.value is None or ind.unit == "count":  # raw counts are not compared with other areas
        return []
    words = claim_words()
    out = []
    texts = [str(getattr(finding, "statement", "")), *_SENTENCE.split(str(getattr(finding, "detail", "") or ""))]
    claims = list(dict.fromkeys(claim for text in texts for claim in claimed_comparisons(text)))
    for who, relation in claims:
        other = _comparator_value(comp, who)
        if other is None:
            continue
        mine, theirs = round_half_up(comp.value, ind.decimals), round_half_up(other, ind.decimals)
        if relation in ("better", "worse") and ind.polarity == "neutral":
            continue
        higher = (relation == "higher" if relation in ("higher", "lower")
                  else (relation == "better") == (ind.polarity == "higher_better"))
        if (mine > theirs) if higher else (mine < theirs):
            continue
        kind = "england" if who == "england" else ("region" if who == "region" else "neighbours")
        name = comp.area.region_name if kind == "region" else ""
        other_text = wording()["comparator"][kind].format(name=name, value=format_value(ind, other))
        text = words["contradiction"][f"compare_{relation}"].format(
            who=words["who"][who], area=comp.area.name, value=format_value(ind, comp.value), other=other_text)
        out.append(ConsistencyFlag(finding, ind.id, comp.band or "", text, who))
    return out


def _audit_flag(finding: Any, kind: Kind, audit: AuditTimeliness | None) -> ConsistencyFlag | None:
    rule = claim_words()["audit_timeliness"]
    if audit is None or not audit.timed or str(getattr(finding, "indicator", "") or "") not in rule["indicators"]:
        return None
    share = audit.within / audit.timed
    if kind in (Kind.AREA, Kind.URGENT) and share >= float(rule["good_share"]):
        key = "audit_good"
    elif kind is Kind.STRENGTH and share < float(rule["poor_share"]):
        key = "audit_poor"
    else:
        return None
    text = claim_words()["contradiction"][key].format(finding=_said(kind), within=audit.within,
                                                      timed=audit.timed, weeks=audit.weeks)
    return ConsistencyFlag(finding, str(getattr(finding, "indicator", "")), "", text, "audit")


def check_consistency(findings: Iterable[Any], comparisons: Sequence[Comparison],
                      audit: AuditTimeliness | None = None) -> list[ConsistencyFlag]:
    """Every contradiction between the findings and the figures, finding by finding.

    ``findings`` are any objects with ``.kind``, ``.indicator`` (an indicator id or empty) and
    ``.statement`` (its claims are read from it); ``audit`` is what the EHC plan audit found about
    new plans' timing, if there was an audit.
    """
    by_id = {c.indicator.id: c for c in comparisons}
    flags: list[ConsistencyFlag] = []
    for finding in findings:
        kind = _kind(getattr(finding, "kind", ""))
        if kind is None:
            continue
        comp = by_id.get(str(getattr(finding, "indicator", "") or "").strip())
        if comp is not None:
            found = [_band_flag(finding, kind, comp), _direction_flag(finding, comp)]
            flags.extend(f for f in found if f is not None)
            flags.extend(_comparison_flags(finding, comp))
        audit_flag = _audit_flag(finding, kind, audit)
        flags.extend([audit_flag] if audit_flag else [])
    return flags
