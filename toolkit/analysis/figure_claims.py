"""Claims read from a finding's words (:mod:`toolkit.analysis.claim_reading`) checked against the
published figures of the indicators they speak of: shares ("fewer than one in five"), movements
("has climbed for three years", "fell again in 2025", "halved since 2022", "broadly flat"),
comparisons with England, the region and similar areas (a count compared as a rate of its
denominator, or as the average local authority the letter shows), ranks and extremes ("among the
slowest"), and quantifiers over a count ("few families have a personal budget").

Each check is lenient where the words are loose: a claim holds when any reading of it agrees with
the figures, and a clause that names no indicator speaks of the one before it. Wording:
``claims.yaml`` (``contradiction``) and ``claim_grammar.yaml`` (``message``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from toolkit.analysis.claim_reading import (
    Share,
    TrendClaim,
    claim_words,
    clauses,
    extreme_in,
    grammar,
    has,
    hedged,
    opens_with_anaphor,
    quantifier_in,
    quantifies,
    same_topic,
    sentences,
    shares_in,
    topics_in,
    trend_in,
    years_in,
)
from toolkit.analysis.comparison_claims import compare_flags, flag_on, position_from_top, source_of
from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.flags import ConsistencyFlag, Said
from toolkit.analysis.indicators import format_value, round_half_up
from toolkit.inputs.observations import Period
from toolkit.wording import ordinal


def _r(comp: Comparison, value: float) -> Decimal:
    return round_half_up(value, comp.indicator.decimals)


def _fv(comp: Comparison, value: float) -> str:
    return format_value(comp.indicator, value)


_flag = flag_on


# --- shares ----------------------------------------------------------------------------------

def _point(comp: Comparison, year: int | None) -> tuple[Period, float] | None:
    """The figure for ``year`` (a calendar year, or the academic year ending in it), else the
    period used; None when the data lacks the year."""
    if year is None:
        return (comp.period, comp.value) if comp.value is not None else None
    return next(((p, v) for p, v in comp.trend.points if p.end.year == year and (p.kind == "calendar" or
                                                                                 p.end.month < 12)), None)


def _no_year(finding: Any, comp: Comparison, said: str, year: int) -> ConsistencyFlag | None:
    pts = comp.trend.points
    if not pts or year <= pts[-1][0].end.year:
        return None
    (p0, v0), (p1, v1) = (pts[-2] if len(pts) > 1 else pts[-1]), pts[-1]
    key = "latest_stable" if _r(comp, v0) == _r(comp, v1) else ("latest_rose" if v1 > v0 else "latest_fell")
    g = grammar()
    figures = g["moves"][key].format(start=_fv(comp, v0), end=_fv(comp, v1), start_period=p0.label,
                                     end_period=p1.label)
    text = g["message"]["no_year"].format(says=g["says"]["trend"].format(said=said), year=year,
                                          title=comp.indicator.short_title, last_period=p1.label,
                                          last=_fv(comp, v1), figures=figures, source=source_of(comp))
    return _flag(finding, comp, text, "no data", said)


def share_flag(finding: Any, comp: Comparison, share: Share, year: int | None) -> ConsistencyFlag | None:
    """A share claimed of a percentage indicator against its figure (for the year named)."""
    if comp.indicator.unit != "percent":
        return None
    point = _point(comp, year)
    if point is None:
        return _no_year(finding, comp, share.said, year) if year is not None else None
    period, value = point
    shown = float(_r(comp, value))
    if share.low - 1e-9 <= shown <= share.high + 1e-9:
        return None
    g = grammar()
    text = g["message"]["share"].format(says=g["says"]["share"].format(said=share.said),
                                        title=comp.indicator.short_title, value=_fv(comp, value),
                                        period=period.label, source=source_of(comp))
    return _flag(finding, comp, text, "share", share.said)


def few_of_a_count_flag(finding: Any, comp: Comparison, share: Share) -> ConsistencyFlag | None:
    """"Few" of a count with no denominator: contradicted when the area is among the highest
    quarter of areas and the count has risen over the trend window."""
    if comp.indicator.unit != "count" or share.high > 35 or comp.rank is None or comp.value is None:
        return None
    window = comp.trend.window
    top = comp.rank <= math.ceil(comp.count * 0.25)
    if not top or len(window) < 2 or window[-1][1] <= window[0][1] * 1.1:
        return None
    (p0, v0), (p1, v1) = window[0], window[-1]
    figures = grammar()["moves"]["rose"].format(start=_fv(comp, v0), end=_fv(comp, v1), start_period=p0.label,
                                                end_period=p1.label)
    rank = f"{ordinal(comp.rank)} highest of {comp.count}"
    text = grammar()["message"]["trend"].format(says=grammar()["says"]["share"].format(said=share.said),
                                                figures=f"{figures}, the {rank}", source=source_of(comp))
    return _flag(finding, comp, text, "share", share.said)


# --- movements -------------------------------------------------------------------------------

def _moved(comp: Comparison, v0: float, v1: float, stable_fitted: bool = False) -> str:
    if stable_fitted or _r(comp, v0) == _r(comp, v1):
        return "stable"
    return "rose" if v1 > v0 else "fell"


def _as_move(claim: str, polarity: str) -> str | None:
    """``up``/``down``/``stable`` for a claim; better and worse by the indicator's polarity."""
    if claim in ("better", "worse"):
        if polarity == "neutral":
            return None
        return "up" if (claim == "better") == (polarity == "higher_better") else "down"
    return claim


_AGREES = {"up": "rose", "down": "fell", "stable": "stable"}


def _steady(comp: Comparison, v0: float, v1: float) -> bool:
    """Whether a change is small enough for "broadly flat" (``stable_within`` in the grammar)."""
    rule = grammar()["stable_within"]
    if comp.indicator.unit in ("percent", "score"):
        return abs(v1 - v0) <= float(rule[comp.indicator.unit])
    return abs(v1 - v0) <= float(rule["relative"]) * max(abs(v0), abs(v1))


def _window_flag(finding: Any, comp: Comparison, tc: TrendClaim) -> ConsistencyFlag | None:
    """A movement with no years, against the trend window as rounded for the letter."""
    window = comp.trend.window
    if comp.trend.direction is None or len(window) < 2:
        return None
    (p0, v0), (p1, v1) = window[0], window[-1]
    moved = _moved(comp, v0, v1, comp.trend.direction == "stable")
    move = _as_move(tc.move, comp.indicator.polarity)
    if move is None or _AGREES[move] == moved or (move == "stable" and _steady(comp, v0, v1)):
        return None
    if move == "stable":
        said = "direction_stable"
    elif tc.move in ("better", "worse"):
        said = f"direction_{tc.move}"
    else:
        said = f"direction_{move}"
    trend = claim_words()["trend"][moved].format(start=_fv(comp, v0), end=_fv(comp, v1), start_period=p0.label,
                                                 end_period=p1.label)
    text = claim_words()["contradiction"][said].format(trend=trend)
    return ConsistencyFlag(finding, comp.indicator.id, comp.band or "", text, "direction", "indicator", tc.said,
                           source_of(comp))


def _series(comp: Comparison, points: Sequence[tuple[Period, float]]) -> str:
    return ", ".join(f"{_fv(comp, v)} ({p.label})" for p, v in points)


_Point = tuple[Period, float]


def trend_flag(finding: Any, comp: Comparison, tc: TrendClaim) -> ConsistencyFlag | None:
    """A movement claimed against the figures: for the year named, since a year (with a ratio),
    over a run of years, "again", or else over the trend window."""
    move = _as_move(tc.move, comp.indicator.polarity)
    pts = comp.trend.points
    if move is None or len(pts) < 2:
        return None
    says = grammar()["says"]["trend"].format(said=tc.said)
    if tc.year is not None and tc.since is None:
        return _year_flag(finding, comp, tc, tc.year, move, says)
    if tc.since is not None and tc.run is not None:
        return _run_flag(finding, comp, tc, move, says, [(p, v) for p, v in pts if p.end.year >= tc.since])
    if tc.since is not None:
        return _since_flag(finding, comp, tc, move, says)
    if tc.run is not None:
        return _run_flag(finding, comp, tc, move, says, list(pts[-max(2, tc.run):]))
    if tc.again:
        return _steps_flag(finding, comp, tc, move, says, [(pts[-2], pts[-1])])
    return _window_flag(finding, comp, tc)


def _year_flag(finding: Any, comp: Comparison, tc: TrendClaim, year: int, move: str,
               says: str) -> ConsistencyFlag | None:
    """"Rose in 2024": the step into the year named (or a note that the year has no figure yet)."""
    lacking = _no_year(finding, comp, tc.said, year)
    if lacking is not None:
        return lacking
    pts = comp.trend.points
    idx = next((i for i, (p, _) in enumerate(pts) if p.end.year == year), None)
    if idx is None or idx == 0:
        return None
    return _steps_flag(finding, comp, tc, move, says, [(pts[idx - 1], pts[idx])])


def _run_flag(finding: Any, comp: Comparison, tc: TrendClaim, move: str, says: str,
              run: list[_Point]) -> ConsistencyFlag | None:
    """"Three years running", "each year since 2021": every step of the run moves as claimed."""
    if len(run) < 2 or all(_moved(comp, a[1], b[1]) == _AGREES[move] for a, b in zip(run, run[1:], strict=False)):
        return None
    text = grammar()["message"]["run"].format(says=says, series=_series(comp, run), source=source_of(comp))
    return _flag(finding, comp, text, "trend", tc.said)


def _since_flag(finding: Any, comp: Comparison, tc: TrendClaim, move: str, says: str) -> ConsistencyFlag | None:
    """"Since 2021" (or "halved since 2021"): from that year's figure to the latest."""
    pts = comp.trend.points
    start = next(((p, v) for p, v in pts if p.end.year == tc.since), None)
    if start is None:
        return None
    if tc.ratio is None:
        return _steps_flag(finding, comp, tc, move, says, [(start, pts[-1])])
    kind, bound = tc.ratio
    ratio = pts[-1][1] / start[1] if start[1] else math.inf
    if (ratio <= bound) if kind == "at_most" else (ratio >= bound):
        return None
    text = grammar()["message"]["ratio"].format(says=says, start=_fv(comp, start[1]), start_period=start[0].label,
                                                end=_fv(comp, pts[-1][1]), end_period=pts[-1][0].label,
                                                source=source_of(comp))
    return _flag(finding, comp, text, "trend", tc.said)


def _steps_flag(finding: Any, comp: Comparison, tc: TrendClaim, move: str, says: str,
                steps: list[tuple[_Point, _Point]]) -> ConsistencyFlag | None:
    """The last of the steps that does not move as claimed, in figures; none when all do."""
    bad = [(a, b) for a, b in steps if _moved(comp, a[1], b[1]) != _AGREES[move]]
    if not bad:
        return None
    (p0, v0), (p1, v1) = bad[-1]
    g = grammar()
    figures = g["moves"][_moved(comp, v0, v1)].format(start=_fv(comp, v0), end=_fv(comp, v1),
                                                      start_period=p0.label, end_period=p1.label)
    text = g["message"]["trend"].format(says=says, figures=figures, source=source_of(comp))
    return _flag(finding, comp, text, "trend", tc.said)


# --- ranks and extremes ----------------------------------------------------------------------

def extreme_flag(finding: Any, comp: Comparison, key: str, said: str) -> ConsistencyFlag | None:
    """"Among the slowest", "one of the best": the area's rank within a quarter of that end."""
    top = position_from_top(comp)
    if top is None or comp.rank is None:
        return None
    within = math.ceil(comp.count * float(grammar()["extremes"][key]["within"]))
    if key in ("best", "worst"):
        if comp.indicator.polarity == "neutral":
            return None
        ok = comp.rank <= within if key == "best" else comp.rank > comp.count - within
        rank = f"{ordinal(comp.rank)} of {comp.count}"
    else:
        ok = top <= within if key == "highest" else top > comp.count - within
        rank = (f"the {ordinal(top)} highest of {comp.count}" if top <= comp.count / 2
                else f"the {ordinal(comp.count - top + 1)} lowest of {comp.count}")
    if ok:
        return None
    g = grammar()
    text = g["message"]["extreme"].format(says=g["says"]["extreme"].format(said=said), area=comp.area.name,
                                          rank=rank, title=comp.indicator.short_title, period=comp.period.label,
                                          source=source_of(comp))
    return _flag(finding, comp, text, "rank", said)


# --- reading a finding -------------------------------------------------------------------------

def _audit_clause(clause: str) -> bool:
    """A clause about the plans the team read (the audit's business, not a published figure)."""
    return has(clause, grammar()["audit_plans"])


def clause_flags(finding: Any, clause: str, comp: Comparison, direct: bool,
                 by_id: Mapping[str, Comparison]) -> list[ConsistencyFlag]:
    """Every claim of one clause about one indicator, checked."""
    out: list[ConsistencyFlag | None] = []
    years = years_in(clause)
    tc = trend_in(clause)
    if not _audit_clause(clause):
        shares = shares_in(clause)
        for share in shares if direct else []:
            if share.of is None:
                out.append(share_flag(finding, comp, share, None if tc is not None or not years else years[-1]))
        if not shares and direct:
            q = quantifier_in(clause)
            subject = claim_words()["topics"].get(comp.indicator.id, [comp.indicator.short_title])
            if q is not None and quantifies(clause, q, subject):
                out.append(share_flag(finding, comp, q, None) if comp.indicator.unit == "percent"
                           else few_of_a_count_flag(finding, comp, q))
    if tc is not None:
        out.append(trend_flag(finding, comp, tc))
    ext = extreme_in(clause)
    if ext is not None:
        out.append(extreme_flag(finding, comp, *ext))
    found = [f for f in out if f is not None]
    return found + compare_flags(finding, comp, clause, by_id)


def read_claims(finding: Any, comparisons: Sequence[Comparison], own: Comparison | None,
                kloe_listed: Sequence[str], by_id: Mapping[str, Comparison]) -> list[ConsistencyFlag]:
    """Every claim in a finding's statement and detail about the indicators it speaks of: its own
    (``own``), and any whose words a clause holds (link ``kloe`` when its KLOE lists it, else
    ``words``), each flag once."""
    out: list[ConsistencyFlag] = []
    lead: list[Comparison] = [own] if own is not None else []
    for n, text in enumerate([str(getattr(finding, "statement", "") or ""),
                              str(getattr(finding, "detail", "") or "")]):
        for sentence in sentences(text):
            prev: list[Comparison] = []
            for i, clause in enumerate(clauses(sentence)):
                named = topics_in(clause, comparisons)
                if named:
                    topics = named
                elif n == 0 or (i == 0 and opens_with_anaphor(clause)):
                    topics = lead  # the lead sentence, or a sentence pointing back to it
                else:
                    topics = prev if i > 0 and opens_with_anaphor(clause, later=True) else []
                prev = topics
                if n == 0 and named and own is None:
                    lead = named
                if not hedged(clause):
                    out.extend(_group_flags(finding, clause, topics, bool(named), own, kloe_listed, by_id))
    unique: dict[tuple[str, str, str], ConsistencyFlag] = {}
    for flag in out:
        unique.setdefault((flag.indicator, flag.check, flag.message), flag)
    return list(unique.values())


def _group_flags(finding: Any, clause: str, topics: Sequence[Comparison], direct: bool, own: Comparison | None,
                 kloe_listed: Sequence[str], by_id: Mapping[str, Comparison]) -> list[ConsistencyFlag]:
    """The flags of a clause on each indicator it speaks of; indicators named by the same words
    are one claim, contradicted only when every one of them contradicts it (the checks' kind)."""
    out: list[ConsistencyFlag] = []
    seen: set[str] = set()
    for comp in topics:
        if comp.indicator.id in seen:
            continue
        group = [c for c in topics if c is comp or same_topic(c, comp)]
        seen.update(c.indicator.id for c in group)
        found = {c.indicator.id: clause_flags(finding, clause, c, direct, by_id) for c in group}
        rates = [c for c in group if c.indicator.unit != "count"]
        done: set[str] = set()
        for comp in group:
            # a comparison with other areas rests on the rates of the group, when it has any
            judges = rates if rates and comp in rates else group
            for flag in found[comp.indicator.id]:
                others = judges if flag.check in _COMPARING else group
                if flag.check not in done and all(any(f.check == flag.check for f in found[o.indicator.id])
                                                  for o in others):
                    out.append(_linked(flag, comp, own, kloe_listed))
            done.update(f.check for f in found[comp.indicator.id])
    return out


_COMPARING = ("england", "region", "neighbours", "understated")


def _linked(flag: ConsistencyFlag, comp: Comparison, own: Comparison | None,
            kloe_listed: Sequence[str]) -> ConsistencyFlag:
    if own is not None and comp.indicator.id == own.indicator.id:
        return flag
    if isinstance(flag.finding, Said):  # a document row has no indicator of its own: its words name it
        return replace(flag, link="words")
    words = claim_words()
    if comp.indicator.id in kloe_listed:
        text = words["kloe_link"].format(contradiction=flag.message, title=comp.indicator.short_title)
        return replace(flag, message=text, link="kloe")
    text = words["words_link"].format(contradiction=flag.message, title=comp.indicator.short_title)
    return replace(flag, message=text, link="words")


def stated_shares(finding: Any, comparisons: Sequence[Comparison]) -> list[tuple[Comparison, Share]]:
    """The shares a text states of a percentage indicator its clause names itself."""
    out: list[tuple[Comparison, Share]] = []
    for text in (str(getattr(finding, "statement", "") or ""), str(getattr(finding, "detail", "") or "")):
        for clause in (c for s in sentences(text) for c in clauses(s)):
            named = [c for c in topics_in(clause, comparisons) if c.indicator.unit == "percent"]
            if named and not hedged(clause) and not _audit_clause(clause):
                out.extend((named[0], s) for s in shares_in(clause) if s.of is None)
    return out
