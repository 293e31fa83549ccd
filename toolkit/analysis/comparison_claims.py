"""Claims comparing an area with others, checked against the figures: higher, lower, better or
worse than England, the region or similar areas (as the letter rounds them); a count compared as
a rate of its catalogue ``denominator`` where it has one, else as the average local authority
and the neighbours' average the letter shows (flagged only when clearly the other way); and a
mild "above" that understates an area at the very extreme of England. Part of
:mod:`toolkit.analysis.figure_claims`; wording in ``claims.yaml`` and ``claim_grammar.yaml``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.analysis.claim_reading import claim_words, comparisons_in, grammar
from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.flags import ConsistencyFlag
from toolkit.analysis.indicators import Indicator, format_number, format_value, round_half_up, wording


def source_of(comp: Comparison) -> str:
    """Where a published figure comes from, in words (never a file)."""
    pub = comp.indicator.source.publication
    name = f"{pub.publisher}, {pub.title}" if pub is not None else comp.indicator.short_title
    return str(grammar()["source"]["published"].format(publication=name))


def flag_on(finding: Any, comp: Comparison, message: str, check: str, claim: str) -> ConsistencyFlag:
    """A flag on one indicator, its source named."""
    return ConsistencyFlag(finding, comp.indicator.id, comp.band or "", message, check, "indicator", claim,
                           source_of(comp))


def position_from_top(comp: Comparison) -> int | None:
    """1 for the highest value among the areas."""
    if comp.rank is None:
        return None
    return comp.count - comp.rank + 1 if comp.indicator.polarity == "lower_better" else comp.rank


def _fv(comp: Comparison, value: float) -> str:
    return format_value(comp.indicator, value)


@dataclass(frozen=True)
class Figures:
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


def _rate_figures(comp: Comparison, den: Comparison) -> Figures | None:
    """A count as a rate of its denominator (England's and the region's totals divided, the
    neighbours' own rates averaged); None unless both are for the same period."""
    spec = comp.indicator.denominator
    if spec is None or den.period != comp.period:
        return None
    mine = _ratio(comp.value, den.value, spec.per)
    if mine is None:
        return None
    bottoms = {code: v for code, _, v in den.neighbours}
    near = [r for code, _, v in comp.neighbours if (r := _ratio(v, bottoms.get(code), spec.per)) is not None]
    words = claim_words()["rate_basis"]
    basis = (words["share"] if spec.per == 100 else words["per"]).format(of=spec.of, per=format_number(spec.per, 0))
    return Figures(mine, {"england": _ratio(comp.england, den.england, spec.per),
                          "region": _ratio(comp.region, den.region, spec.per),
                          "neighbours": statistics.fmean(near) if near else None},
                   int(claim_words()["rate_decimals"]), spec.per == 100, basis)


def figures_for(comp: Comparison, by_id: Mapping[str, Comparison]) -> Figures | None:
    """A rate, share or score's own figures; a count's rate of its denominator; None otherwise."""
    ind = comp.indicator
    if comp.value is None:
        return None
    if ind.unit != "count":
        return Figures(comp.value, {"england": comp.england, "region": comp.region,
                                    "neighbours": comp.neighbours_mean}, ind.decimals, ind.unit == "percent", "")
    den = by_id.get(ind.denominator.indicator) if ind.denominator is not None else None
    return _rate_figures(comp, den) if den is not None else None


def _higher(relation: str, ind: Indicator) -> bool | None:
    if relation in ("higher", "lower"):
        return relation == "higher"
    if ind.polarity == "neutral":
        return None
    return (relation == "better") == (ind.polarity == "higher_better")


def compare_flags(finding: Any, comp: Comparison, clause: str,
                  by_id: Mapping[str, Comparison]) -> list[ConsistencyFlag]:
    """Higher, lower, better or worse than England, the region or similar areas; a count with no
    denominator against the average local authority and the neighbours' average (as the letter
    shows them); a mild "above" that understates the very extreme of England."""
    ind, words, out = comp.indicator, claim_words(), []
    figures = figures_for(comp, by_id)
    for who, relation, strong in comparisons_in(clause):
        higher = _higher(relation, ind)
        if higher is None or comp.value is None:
            continue
        if figures is None:
            flag = _count_compare(finding, comp, who, relation, higher)
            out.extend([flag] if flag else [])
            continue
        other = figures.others[who]
        if other is None:
            continue
        mine, theirs = round_half_up(figures.value, figures.decimals), round_half_up(other, figures.decimals)
        if (mine > theirs) if higher else (mine < theirs):
            if not strong and figures.basis == "":
                flag = _understated(finding, comp, who, higher, other)
                out.extend([flag] if flag else [])
            continue
        name = comp.area.region_name if who == "region" else ""
        other_text = wording()["comparator"][who].format(name=name, value=figures.shown(other))
        text = words["contradiction"][f"compare_{relation}"].format(
            who=words["who"][who], area=figures.basis + comp.area.name, value=figures.shown(figures.value),
            other=other_text)
        out.append(ConsistencyFlag(finding, ind.id, comp.band or "", text, who, "indicator", relation,
                                   source_of(comp)))
    return out


def _count_compare(finding: Any, comp: Comparison, who: str, relation: str, higher: bool) -> ConsistencyFlag | None:
    """A count with no denominator, against the average local authority (England, the region)
    or the neighbours' average, as the letter shows them; flagged only when clearly the other
    way (by a tenth)."""
    kind, other = {"england": ("england_average", comp.england_la_mean),
                   "region": ("region_average", comp.region_la_mean),
                   "neighbours": ("neighbours", comp.neighbours_mean)}[who]
    if other is None or comp.value is None or not other:
        return None
    if (comp.value > other * 0.9) if higher else (comp.value < other * 1.1):
        return None
    other_text = wording()["comparator"][kind].format(name=comp.area.region_name, value=_fv(comp, other))
    text = grammar()["message"]["count_compare"].format(
        relation=f"{relation} than", who=claim_words()["who"][who], area=comp.area.name,
        value=_fv(comp, comp.value), other=other_text, source=source_of(comp))
    return flag_on(finding, comp, text, who, relation)


def _understated(finding: Any, comp: Comparison, who: str, higher: bool, other: float) -> ConsistencyFlag | None:
    top = position_from_top(comp)
    if top is None or comp.value is None or not other or comp.count < 20:
        return None
    extreme = top == 1 if higher else top == comp.count
    ratio = comp.value / other if higher else other / comp.value if comp.value else math.inf
    if not extreme or ratio < float(grammar()["understated"]):
        return None
    name = comp.area.region_name if who == "region" else ""
    text = grammar()["message"]["understated"].format(
        who=claim_words()["who"][who], area=comp.area.name, value=_fv(comp, comp.value),
        other=wording()["comparator"][who].format(name=name, value=_fv(comp, other)),
        end="highest" if higher else "lowest", count=comp.count, period=comp.period.label, source=source_of(comp))
    return flag_on(finding, comp, text, "understated", "above")
