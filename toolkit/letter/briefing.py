"""The pre-visit briefing pack: what the whole team reads before it goes on site.

Built like the letter (``notebooks/briefing.ipynb``, cells tagged ``briefing``, rendered from the
letter style's ``briefing*.html.j2`` templates) but for the team's eyes: the visit and the area's
scope questions, the timetable, the KLOE prompts with the reviewers who lead each one, the SEF
judgements to test, the previous review's areas and urgent actions with the status the area
reported, the improvement plan's actions overdue at the visit, the audit sample (case references
only), and the data summary as one table, with a chart only for an indicator that is unusual
(in the weakest quarter, or moving the wrong way). A demo review's pack prints on six A4 pages or
fewer (``tests/letter/test_briefing_pack.py`` measures it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from toolkit.analysis.comparisons import Comparison
from toolkit.inputs.params import Kloe
from toolkit.letter.performance import briefing_views, source_names, summary_rows, to_test_on_site
from toolkit.letter.performance_sentences import describe
from toolkit.letter.sections import _BODY_MARK, Fragment, PageShell, document_of, page, render_fragment, style_words
from toolkit.review import Review


def title(review: Review) -> Markup:
    """The briefing's page title, from the style's words (escaped HTML)."""
    return style_words(review, "briefing_title")


def overview(review: Review) -> Fragment:
    """Who, when and what: the visit, the team, and the scope in the area's own words."""
    return render_fragment(review, "overview", "briefing_overview.html.j2", title=title(review))


def timetable(review: Review) -> Fragment:
    """The visit timetable (when the review names one): day, time, activity, who, KLOEs."""
    numbers = {k.id: str(i) for i, k in enumerate(review.scope.kloes, start=1)}
    return render_fragment(review, "timetable", "briefing_timetable.html.j2", sessions=review.timetable,
                           numbers=numbers)


@dataclass(frozen=True)
class KloeBrief:
    kloe: Kloe
    reviewers: tuple[str, ...]  # from the timetable's sessions on this KLOE; empty: the whole team


def kloe_leads(review: Review) -> list[KloeBrief]:
    """Each KLOE in scope with the reviewers the timetable puts on it, in team order."""
    team = [m.name for m in review.params.team]
    out = []
    for k in review.scope.kloes:
        named = {r for s in review.timetable if k.id in s.kloes for r in (s.reviewers or team)}
        out.append(KloeBrief(k, tuple(n for n in team if n in named)))
    return out


def reviewer_kloes(review: Review) -> list[tuple[str, list[str]]]:
    """Each team member with the titles of the KLOEs they lead on site (none: the whole scope)."""
    leads = kloe_leads(review)
    return [(m.name, [b.kloe.title for b in leads if m.name in b.reviewers]) for m in review.params.team]


def prompts(review: Review) -> Fragment:
    """The KLOE prompts, with the reviewers who lead each KLOE on site."""
    return render_fragment(review, "prompts", "briefing_prompts.html.j2", leads=kloe_leads(review),
                           by_reviewer=reviewer_kloes(review))


def self_evaluation(review: Review) -> Fragment:
    """The area's own SEF judgements, for the team to test (the peers' view is not shown)."""
    return render_fragment(review, "sef-to-test", "briefing_sef.html.j2", sef=review.sef)


def previous_review(review: Review) -> Fragment:
    """The previous review's areas and urgent actions, with the status the area reported."""
    return render_fragment(review, "previous", "briefing_previous.html.j2", previous=review.previous,
                           rows=review.progress_rows())


def improvement_plan(review: Review) -> Fragment:
    """The improvement plan's actions overdue at the first visit day (never today's date)."""
    plan = review.improvement_plan
    day = review.params.visit.dates[0]
    return render_fragment(review, "plan", "briefing_plan.html.j2", plan=plan, day=day,
                           overdue=plan.overdue(day) if plan else [])


def audit_sample(review: Review) -> Fragment:
    """The EHC plans in the audit sample, by case reference only."""
    cases = sorted(review.audit.by_case().items()) if review.audit else []
    return render_fragment(review, "sample", "briefing_sample.html.j2",
                           cases=[(ref, len(rows)) for ref, rows in cases])


def indicator_summary(review: Review) -> Fragment:
    """Every indicator found in one table, with England, region, neighbours, rank, band and direction."""
    data = review.performance
    shown = list(data.comparisons) if data else []
    return render_fragment(review, "summary", "briefing_summary.html.j2", data=data,
                           rows=summary_rows(shown), sources=source_names(review, shown))


def to_test(review: Review) -> Fragment:
    """Indicators in the weakest quarter or moving the wrong way: lines the team may test on site."""
    items = [(c, describe(c)) for c in to_test_on_site(review.performance)]
    return render_fragment(review, "to-test", "briefing_to_test.html.j2", items=items, data=review.performance)


def _how_unusual(c: Comparison) -> tuple[int, int]:
    """Sort key, most unusual first: in the weakest quarter and moving the wrong way, then the
    weakest quarter alone, then the wrong way alone; within each, the lowest rank first."""
    weak, falling = c.band == "D", c.trend.direction == "declining"
    return (0 if weak and falling else 1 if weak else 2, -(c.rank or 0))


def indicator_detail(review: Review) -> Fragment:
    """A chart, with its data, for the most unusual indicators only (the style's ``briefing_charts``
    option: how many)."""
    ranked = sorted(to_test_on_site(review.performance), key=_how_unusual)
    chosen = [c.indicator.id for c in ranked[:document_of(review).number("briefing_charts")]]
    by_id = {v.comparison.indicator.id: v for v in briefing_views(review)}
    views = [by_id[i] for i in chosen if i in by_id]
    return render_fragment(review, "detail", "briefing_detail.html.j2", views=views)


SECTIONS: tuple[Callable[[Review], Fragment], ...] = (
    overview, timetable, prompts, self_evaluation, previous_review, improvement_plan, audit_sample,
    indicator_summary, to_test, indicator_detail,
)


def build_briefing(review: Review) -> str:
    """The whole briefing as one HTML page, built in this process (no kernel)."""
    return briefing_page(review, [section(review).html for section in SECTIONS])


def briefing_page(review: Review, fragments: list[str]) -> str:
    return page(review, fragments, title=title(review), banner=style_words(review, "briefing_banner"),
                checks=False)


def page_shell(review: Review) -> PageShell:
    """The briefing's page, for the briefing notebook's last cell."""
    return PageShell.around("briefing", briefing_page(review, [_BODY_MARK]))
