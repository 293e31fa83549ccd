"""The anonymised round (``peer-review themes --anonymise``): the same round with every area's
names replaced and every figure that would identify an area held back.

:func:`anonymise_round` rewrites a :class:`~toolkit.analysis.round_model.Round` into another of
the same shape: each review's id, authority, parameters file, finding ids and free text carry
only the area's label ("Area A"), its visit date only the year, and the reviews come in the
labels' order (the files' order is the areas' names in alphabetical order). An indicator value
fewer than three authorities share is held back (``value`` None) and no authority's code or name
is kept beside the values, so a chart cannot mark the reviewed areas. Where findings and figures
disagreed, the message (which quotes a value or a rank) gives way to one that quotes neither.

:func:`hold_back` then removes from the report's data every group and count over fewer than
three areas (:mod:`toolkit.analysis.disclosure`) and says, in ``ThemesData.withheld``, what was
held back. The names come from :func:`toolkit.analysis.anonymise.round_anonymiser`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from toolkit.analysis.anonymise import MINIMUM_AREAS, Anonymiser, ReviewText, round_anonymiser, wording
from toolkit.analysis.disclosure import enough_areas, identifying_values, shown_groups
from toolkit.analysis.round_model import (
    AuthorityValue,
    DataFlag,
    IndicatorFigure,
    ProgressItem,
    Round,
    RoundFinding,
    RoundReview,
    SefRow,
    Theme,
    ThemesData,
)
from toolkit.inputs.params import ReviewParams


def review_texts(review: RoundReview) -> tuple[str, ...]:
    """Every free text of a review the report may quote."""
    texts = [t for f in review.findings for t in (f.statement, f.detail) if t]
    texts += [t.title for t in review.themes] + [p.statement for p in review.progress]
    texts += [f.message for f in review.flags] + [s.area for s in review.sef]
    return tuple(texts)


def _new_ids(round_: Round, an: Anonymiser) -> dict[str, str]:
    """Each review's new id: its area's label, numbered by visit when an area has two."""
    by_area: dict[str, list[RoundReview]] = {}
    for r in round_.reviews:
        by_area.setdefault(an.label_of(r.review_id), []).append(r)
    out: dict[str, str] = {}
    for area, reviews in by_area.items():
        ordered = sorted(reviews, key=lambda r: (r.visit_start, r.review_id))
        for n, r in enumerate(ordered, start=1):
            out[r.review_id] = area if len(ordered) == 1 else wording()["review_of_area"].format(area=area, n=n)
    return out


def _order(an: Anonymiser, ids: Mapping[str, str]) -> Callable[[RoundReview], tuple[int, str, str]]:
    def key(r: RoundReview) -> tuple[int, str, str]:
        label = an.label_of(r.review_id)
        return (len(label), label, ids[r.review_id])
    return key


def _figure(figure: IndicatorFigure) -> IndicatorFigure:
    """The figure with its value held back when it would identify the area, and every other
    authority's value kept without its code or name (in order of value)."""
    population = [a.value for a in figure.authorities]
    value = figure.value
    if value is not None and identifying_values({"area": value}, population, figure.decimals):
        value = None
    others = tuple(AuthorityValue("", "", v) for v in sorted(population))
    return dataclasses.replace(figure, value=value, authorities=others)


def _flag(flag: DataFlag, finding_id: str, titles: Mapping[str, str]) -> DataFlag:
    w = wording()
    shown = titles.get(flag.indicator, flag.indicator)
    message = w["flag"].format(indicator=shown) if flag.indicator else w["flag_audit"]
    return DataFlag(finding_id, flag.check, flag.indicator, message)


def _regions(round_: Round, an: Anonymiser) -> dict[str, str]:
    """Each review's region, held back where fewer than three of the round's areas are in it."""
    areas: dict[str, set[str]] = {}
    for r in round_.reviews:
        areas.setdefault(r.region, set()).add(an.label_of(r.review_id))
    held = wording()["region_held_back"]
    return {r.review_id: r.region if len(areas[r.region]) >= MINIMUM_AREAS else held for r in round_.reviews}


def _review(r: RoundReview, an: Anonymiser, ids: Mapping[str, str], region: str) -> RoundReview:
    new_id, label = ids[r.review_id], an.label_of(r.review_id)
    fids = {f.id: f"f{n:03d}" for n, f in enumerate(r.findings, start=1)}
    theme = {t.id: an.text(t.id) for t in r.themes}
    findings = tuple(RoundFinding(new_id, fids[f.id], f.kind, theme.get(f.theme, an.text(f.theme)),
                                  an.text(f.statement), an.text(f.detail), f.headline) for f in r.findings)
    themes = tuple(Theme(theme[t.id], an.text(t.title), t.framework, an.text(t.framework_title)) for t in r.themes)
    previous = None
    if r.previous_review is not None:
        previous = ids.get(r.previous_review) or wording()["earlier_review"].format(area=label)
    return dataclasses.replace(
        r, review_id=new_id, authority=label, ons_code=label, region=region,
        visit_start=dt.date(r.visit_start.year, 1, 1), params_file=new_id, findings=findings, themes=themes,
        indicators=tuple(_figure(f) for f in r.indicators),
        flags=tuple(_flag(f, fids.get(f.finding_id, ""), {i.id: i.short_title for i in r.indicators}) for f in r.flags),
        sef=tuple(SefRow(an.text(s.area), s.area_judgement, s.peer_judgement, s.accuracy) for s in r.sef),
        previous_review=previous,
        progress=tuple(ProgressItem(f"p{n:03d}", p.kind, an.text(p.statement), p.status)
                       for n, p in enumerate(r.progress, start=1)),
        names=())


def anonymise_round(round_: Round, params: Sequence[ReviewParams]) -> Round:
    """The round with every area's names replaced (module docstring); ``params`` are the
    reviews' parameters, one per review, in any order."""
    by_id = {p.review_id: p for p in params}
    an = round_anonymiser([ReviewText(by_id[r.review_id], review_texts(r)) for r in round_.reviews])
    ids = _new_ids(round_, an)
    reviews = sorted(round_.reviews, key=_order(an, ids))
    aliases = {**ids, **{r.authority: an.label_of(r.review_id) for r in round_.reviews}}
    regions = _regions(round_, an)
    return Round(round_.name, tuple(_review(r, an, ids, regions[r.review_id]) for r in reviews), anonymised=True,
                 aliases=aliases)


def _area_of(round_: Round) -> dict[str, str]:
    return {r.review_id: r.authority for r in round_.reviews}


def _theme_areas(round_: Round) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in round_.reviews:
        for t in r.themes:
            out.setdefault(t.id, set()).add(r.authority)
    return out


def _audit_areas(round_: Round) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The areas whose audit graded each plan section, and whose sample each criterion applied to."""
    sections: dict[str, set[str]] = {}
    criteria: dict[str, set[str]] = {}
    for r in round_.reviews:
        for s in r.audit.sections if r.audit else ():
            sections.setdefault(s.code, set()).add(r.authority)
        for c in r.audit.criteria if r.audit else ():
            if c.applicable:
                criteria.setdefault(c.id, set()).add(r.authority)
    return sections, criteria


def _withheld(key: str, count: int) -> list[str]:
    return [wording()[key].format(count=count, minimum=MINIMUM_AREAS)] if count else []


def hold_back(data: ThemesData) -> ThemesData:
    """The report's data without any group or count over fewer than three areas, and without
    any indicator no reviewed area's value can be shown for; ``withheld`` says what went."""
    if not data.round.anonymised:
        return data
    areas = _area_of(data.round)
    spans = {i: g.review_ids for i, g in enumerate(data.groups)}
    groups, held_groups = shown_groups(list(data.groups), spans, areas)
    by_theme = _theme_areas(data.round)
    by_section, by_criterion = _audit_areas(data.round)
    themes = [t for t in data.themes if len(by_theme.get(t.theme.id, ())) >= MINIMUM_AREAS]
    sections = [s for s in data.sections if len(by_section.get(s.code, ())) >= MINIMUM_AREAS]
    criteria = [c for c in data.missing_criteria if len(by_criterion.get(c.id, ())) >= MINIMUM_AREAS]
    values_held = sum(1 for r in data.round.reviews for f in r.indicators if f.value is None)
    indicators = [i for i in data.indicators
                  if enough_areas([rid for rid, f in i.figures if f.value is not None], areas)]
    withheld = [*_withheld("withheld_groups", held_groups),
                *_withheld("withheld_themes", len(data.themes) - len(themes)),
                *_withheld("withheld_sections", len(data.sections) - len(sections)),
                *_withheld("withheld_criteria", len(data.missing_criteria) - len(criteria)),
                *_withheld("withheld_values", values_held),
                *_withheld("withheld_indicators", len(data.indicators) - len(indicators))]
    return dataclasses.replace(data, groups=tuple(groups), themes=tuple(themes), sections=tuple(sections),
                               missing_criteria=tuple(criteria), indicators=tuple(indicators),
                               withheld=(*data.withheld, *withheld))
