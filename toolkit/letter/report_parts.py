"""What the report form's and a follow-up's templates see beyond the findings: the team's overall
view and recommendations grouped by theme, the record of the visit, the headlines by theme, and
progress told as a story (the area's own view beside the team's mark, the improvement plan's
actions for each item, the new findings that repeat an item).

Every sentence stays in the templates; this module only groups and counts.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.previous import PreviousItem, ProgressRow
from toolkit.analysis.repeats import content_words, find_repeats, idf_weights, similarity
from toolkit.inputs.findings import Finding, Kind
from toolkit.inputs.params_report import sessions_groups
from toolkit.inputs.plans import ImprovementPlan, PlanAction
from toolkit.inputs.progress import Status
from toolkit.inputs.recommendations import Recommendation
from toolkit.letter.performance import appendix_comparisons, letter_comparisons
from toolkit.letter.performance_sentences import rank_words
from toolkit.review import Review

OUTCOMES_FILE = Path(__file__).resolve().parents[1] / "catalogue" / "outcomes.yaml"

#: How far along each status is, to say whether the area judges an item further on than the team.
STATUS_RANK = {Status.NOT_YET: 0, Status.PROGRESSING: 1, Status.ADDRESSED: 2, Status.NO_LONGER: 2}
#: An improvement-plan action serves a previous item when their words overlap at least this much
#: (:func:`toolkit.analysis.repeats.similarity`), or when its ``kloes`` and the item's KLOE agree and
#: the overlap is at least :data:`PLAN_MATCH_SAME_KLOE`.
PLAN_MATCH = 0.45
PLAN_MATCH_SAME_KLOE = 0.3


@dataclass(frozen=True)
class RepeatNote:
    """What the letter says beside a new finding that repeats an item of the previous review."""
    item_id: str
    year: int


@dataclass(frozen=True)
class PlanState:
    """An improvement-plan action and where it stands at the first visit day."""
    action: PlanAction
    state: str  # "done", "overdue", "at risk" (red, not yet due) or "on track"


@dataclass(frozen=True)
class StoryRow:
    """A previous item told as part of the story: the team's mark, the area's view, the plan."""
    row: ProgressRow
    area_status: Status | None
    differs: str  # "" (agree, or no view), "ahead" (the area judges it further on), "behind" or "other"
    plan: tuple[PlanState, ...]
    repeated_by: tuple[Finding, ...]


@dataclass(frozen=True)
class ProgressStory:
    rows: tuple[StoryRow, ...]
    year: int
    open_item: StoryRow | None  # the most important item still open (an urgent action first)
    plan_counts: dict[str, int]  # over the whole plan: done, overdue, at risk, on track

    @property
    def with_area_view(self) -> list[StoryRow]:
        return [r for r in self.rows if r.area_status is not None]

    def differing(self, way: str = "") -> list[StoryRow]:
        return [r for r in self.rows if r.differs and (not way or r.differs == way)]


def plan_state(action: PlanAction, first_day: dt.date) -> str:
    if action.rag == "complete":
        return "done"
    if action.overdue_at(first_day):
        return "overdue"
    return "at risk" if action.rag == "red" else "on track"


def _differs(team: Status | None, area: Status | None) -> str:
    """"" (agree, or no view), "ahead" or "behind" (the area judges it further or less far on than
    the team), or "other" (as far on, in other words: addressed against no longer relevant)."""
    if team is None or area is None or team == area:
        return ""
    if STATUS_RANK[team] == STATUS_RANK[area]:
        return "other"
    return "ahead" if STATUS_RANK[area] > STATUS_RANK[team] else "behind"


def plan_links(items: Sequence[PreviousItem], plan: ImprovementPlan | None) -> dict[str, list[PlanAction]]:
    """The plan's actions for each previous item, by item id: an action's ``items`` column when it
    has one, else the item its words come closest to (:func:`toolkit.analysis.repeats.similarity`,
    weighted by rarity), when close enough (:data:`PLAN_MATCH`; :data:`PLAN_MATCH_SAME_KLOE` when
    the action's ``kloes`` name the item's KLOE)."""
    out: dict[str, list[PlanAction]] = {i.id: [] for i in items}
    if plan is None or not items:
        return out
    item_words = [content_words(i.statement) for i in items]
    action_words = [content_words(a.action) for a in plan.actions]
    weights = idf_weights([*item_words, *action_words])
    for action, words in zip(plan.actions, action_words, strict=True):
        if action.items:
            for i in action.items:
                out.setdefault(i, []).append(action)
            continue
        scored = [(similarity(words, w, weights), item) for w, item in zip(item_words, items, strict=True)]
        (score, shared), best = max(scored, key=lambda s: s[0][0])
        limit = PLAN_MATCH_SAME_KLOE if best.kloe and best.kloe in action.kloes else PLAN_MATCH
        if shared >= 2 and score >= limit:
            out[best.id].append(action)
    return out


def progress_story(review: Review) -> ProgressStory | None:
    """The follow-up's progress as the letter tells it (``None`` when the review follows none)."""
    if review.previous is None:
        return None
    first_day = review.params.visit.dates[0]
    repeats = find_repeats(review.findings.included, review.previous.items, review.progress)
    links = plan_links(review.previous.items, review.improvement_plan)
    rows = []
    for r in review.progress_rows():
        area = r.mark.area_status if r.mark else None
        plan = tuple(PlanState(a, plan_state(a, first_day)) for a in links.get(r.item.id, []))
        rows.append(StoryRow(r, area, _differs(r.status, area), plan,
                             tuple(x.finding for x in repeats if x.item.id == r.item.id)))
    still_open = [s for s in rows if s.row.status in (Status.NOT_YET, Status.PROGRESSING)]
    open_item = next((s for s in still_open if s.row.item.kind is Kind.URGENT and s.row.status is Status.NOT_YET),
                     None) or next((s for s in still_open if s.row.item.kind is Kind.URGENT), None) or next(
        (s for s in still_open if s.row.item.headline), None) or next(iter(still_open), None)
    counts = {"done": 0, "overdue": 0, "at risk": 0, "on track": 0}
    for a in review.improvement_plan.actions if review.improvement_plan else ():
        counts[plan_state(a, first_day)] += 1
    return ProgressStory(tuple(rows), review.previous.visit_dates[0].year, open_item, counts)


def repeat_notes(review: Review) -> dict[str, RepeatNote]:
    """The new findings that repeat an item of the previous review, by finding id."""
    if review.previous is None:
        return {}
    year = review.previous.visit_dates[0].year
    return {r.finding.id: RepeatNote(r.item.id, year)
            for r in find_repeats(review.findings.included, review.previous.items, review.progress)}


def _theme_title(review: Review, theme: str) -> str:
    return next((k.title for k in review.scope.kloes if k.id == theme), theme)


def recommendation_groups(review: Review) -> list[tuple[str, str, list[Recommendation]]]:
    """The team's recommendations by theme, in the file's order: (title, KLOE id or "", items)."""
    recs = review.recommendations
    if recs is None:
        return []
    ids = set(review.scope.ids())
    return [(_theme_title(review, t), t if t in ids else "", recs.for_theme(t)) for t in recs.themes()]


def session_groups(review: Review) -> list[tuple[str, list[str]]]:
    """The observations and focus groups attended, by heading (a KLOE id is written as its title)."""
    groups = sessions_groups(review.params.sessions_attended)
    return [(_theme_title(review, h) if h else "", items) for h, items in groups]


def headline_themes(review: Review) -> list[tuple[str, list[Finding]]]:
    """The headline findings grouped by KLOE, in scope order: ("", ...) first for those without one."""
    heads = [f for k in Kind for f in review.findings.headlines(k)]
    groups = [("", [f for f in heads if not f.kloe])]
    groups += [(k.title, [f for f in heads if f.kloe == k.id]) for k in review.scope.kloes]
    return [(title, items) for title, items in groups if items]


def overall_view(review: Review) -> list[str]:
    """The team's overall view as paragraphs (a blank line in the parameters starts another)."""
    text = review.params.overall_view or ""
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


@functools.cache
def _outcomes() -> tuple[frozenset[str], frozenset[str]]:
    data: Any = yaml.safe_load(OUTCOMES_FILE.read_text(encoding="utf-8"))
    return frozenset(str(p) for p in data["publications"]), frozenset(str(w).lower() for w in data["words"])


def _speaks_of_outcomes(texts: Sequence[str]) -> bool:
    words = _outcomes()[1]
    return any(w in words for t in texts for w in re.findall(r"[a-z]+", t.lower()))


@dataclass(frozen=True)
class WeakOutcomes:
    """Outcomes in the weakest quarter the performance section leaves to the appendix, and the
    KLOE under whose evidence the report states them."""
    kloe: str
    items: tuple[tuple[Comparison, str], ...]  # each with its rank as words ("147th of 150, weakest quarter")


def weak_outcomes(review: Review, limit: int | None) -> WeakOutcomes | None:
    """The outcome indicators (``catalogue/outcomes.yaml``) in the weakest quarter (band D) that
    the letter's performance section does not state, placed under the first KLOE in scope whose
    title, prompts or included findings speak of outcomes; ``None`` when there is none of either."""
    if review.performance is None:
        return None
    publications = _outcomes()[0]
    stated = {c.indicator.id for c in letter_comparisons(review, limit)}
    weak = [c for c in [*letter_comparisons(review, limit), *appendix_comparisons(review, limit)]
            if c.band == "D" and c.indicator.id not in stated and c.indicator.source.publication is not None
            and c.indicator.source.publication.title in publications]
    if not weak:
        return None
    for k in review.scope.kloes:
        texts = [k.title, *(q.text for q in k.prompts)]
        texts += [t for f in review.findings.included if f.kloe == k.id for t in (f.statement, f.detail)]
        if _speaks_of_outcomes(texts):
            return WeakOutcomes(k.id, tuple((c, rank_words(c).split(",")[0]) for c in weak))
    return None


def report_context(review: Review, limit: int | None = None) -> dict[str, object]:
    """What every template of a style sees for these parts (docs/styles.md); ``limit``: the
    style's ``performance_indicators``."""
    return {
        "weak_outcomes": weak_outcomes(review, limit),
        "overall_view": overall_view(review),
        "signatories": [m.name for m in sorted(review.params.team, key=lambda m: not m.lead)],
        "recommendation_groups": recommendation_groups(review),
        "session_groups": session_groups(review),
        "explored": review.params.explored_through,
        "headline_themes": headline_themes(review),
        "repeats": repeat_notes(review),
        "story": progress_story(review),
    }
