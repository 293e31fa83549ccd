"""The pre-visit briefing pack: the area's indicators for the team before it goes on site.

Built like the letter (``notebooks/briefing.ipynb``, cells tagged ``briefing``, rendered from the
letter style's ``briefing*.html.j2`` templates) but for the team's eyes: every indicator with its
comparators, band and trend, the charts, and the indicators worth testing on site.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from toolkit.letter.performance import briefing_views, source_names, summary_rows, to_test_on_site
from toolkit.letter.performance_sentences import describe
from toolkit.letter.sections import _BODY_MARK, Fragment, PageShell, page, render_fragment, style_words
from toolkit.review import Review


def title(review: Review) -> Markup:
    """The briefing's page title, from the style's words (escaped HTML)."""
    return style_words(review, "briefing_title")


def overview(review: Review) -> Fragment:
    """Who, when and what: the visit, the team and the KLOEs in scope."""
    return render_fragment(review, "overview", "briefing_overview.html.j2", title=title(review))


def indicator_summary(review: Review) -> Fragment:
    """Every indicator found, with England, region, neighbours, rank, band and direction."""
    data = review.performance
    return render_fragment(review, "summary", "briefing_summary.html.j2", data=data,
                           rows=summary_rows(data.comparisons) if data else [], sources=source_names(review))


def to_test(review: Review) -> Fragment:
    """Indicators in the weakest quarter or moving the wrong way: lines the team may test on site."""
    items = [(c, describe(c)) for c in to_test_on_site(review.performance)]
    return render_fragment(review, "to-test", "briefing_to_test.html.j2", items=items, data=review.performance)


def indicator_detail(review: Review) -> Fragment:
    """Each indicator in a paragraph, with its comparison and trend charts and their data."""
    return render_fragment(review, "detail", "briefing_detail.html.j2", views=briefing_views(review))


SECTIONS: tuple[Callable[[Review], Fragment], ...] = (overview, indicator_summary, to_test, indicator_detail)


def build_briefing(review: Review) -> str:
    """The whole briefing as one HTML page, built in this process (no kernel)."""
    return briefing_page(review, [section(review).html for section in SECTIONS])


def briefing_page(review: Review, fragments: list[str]) -> str:
    return page(review, fragments, title=title(review), banner=style_words(review, "briefing_banner"),
                checks=False)


def page_shell(review: Review) -> PageShell:
    """The briefing's page, for the briefing notebook's last cell."""
    return PageShell.around("briefing", briefing_page(review, [_BODY_MARK]))
