"""The themes report's sections as HTML, from :class:`~toolkit.analysis.round_model.ThemesData`.

Each section is one template of the standard style (``themes_*.html.j2``), so every sentence the
report writes is in a template; this module only chooses what each template is given. The page
around the sections is the letter's own (``page.html.j2`` and ``style.css``), shown by the
notebook's last cell as a :class:`~toolkit.letter.sections.PageShell` so that nbconvert's
``letter`` template can assemble the page from the executed notebook alone.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from markupsafe import Markup

from toolkit.analysis.round_counts import sef_by_area
from toolkit.analysis.round_groups import settings
from toolkit.analysis.round_model import AREA, PROGRESS_STATUSES, STRENGTH, RoundReview, ThemesData
from toolkit.analysis.round_themes import themes_data
from toolkit.inputs.styles import DEFAULT_STYLE, STYLES_DIR
from toolkit.letter.audit_charts import plain
from toolkit.letter.performance_charts import Chart
from toolkit.letter.sections import _BODY_MARK, Fragment, PageShell
from toolkit.letter.templates import environment_for, template_errors
from toolkit.letter.themes_charts import indicator_chart

__all__ = ["SECTIONS", "THEMES_TAG", "build_page", "document", "groups_table", "page_shell", "section",
           "themes_data"]

THEMES_TAG = "themes"
SECTIONS = ("intro", "kloes", "groups", "audit", "indicators", "sef", "progress")


def _env() -> Any:
    return environment_for(str(STYLES_DIR / DEFAULT_STYLE))


def _reviews(data: ThemesData) -> dict[str, RoundReview]:
    return {r.review_id: r for r in data.round.reviews}


def _render(name: str, **context: Any) -> Fragment:
    with template_errors():
        html = _env().get_template(f"themes_{name}.html.j2").render(**context)
    return Fragment(f"themes-{name}", html.strip() + "\n")


def indicator_charts(data: ThemesData) -> list[Chart]:
    """One chart per indicator any review's letter states (toolkit.letter.themes_charts)."""
    macros = _env().get_template("themes_charts.html.j2").module
    reviews = _reviews(data)
    charts = []
    for ind in data.indicators:
        chart = indicator_chart(ind, reviews, macros, settings().chart_rows)
        charts.append(Chart(chart.id, chart.title, chart.alt, Markup(chart.svg),
                            [c.strip() for c in chart.columns[0].split("|")], chart.rows))
    return charts


def _context(data: ThemesData, name: str) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if name == "kloes":
        frameworks: dict[str, list[Any]] = {}
        for t in data.themes:
            frameworks.setdefault(t.theme.framework, []).append(t)
        extra["by_framework"] = list(frameworks.items())
    elif name == "groups":
        extra["by_kind"] = [(kind, [g for g in data.groups if g.kind == kind]) for kind in (STRENGTH, AREA)]
    elif name == "audit":
        audited = [r for r in data.round.reviews if r.audit is not None]
        extra.update(sections=data.sections, missing=data.missing_criteria, moderation=data.moderation,
                     plans=sum(r.audit.plans for r in audited if r.audit), audited=len(audited))
    elif name == "indicators":
        extra.update(charts=indicator_charts(data), flags=data.flags,
                     many=len(data.round.reviews) > settings().chart_rows)
    elif name == "sef":
        extra.update(sef=data.sef, by_area=sef_by_area(data.round))
    elif name == "progress":
        totals: Counter[str] = Counter()
        for p in data.progress:
            totals.update(p.counts)
        extra.update(progress=data.progress, statuses=PROGRESS_STATUSES, totals=dict(totals))
    return {"d": data, "reviews": _reviews(data), **extra}


def section(data: ThemesData, name: str) -> Fragment:
    """One section of the report (a name of :data:`SECTIONS`)."""
    return _render(name, **_context(data, name))


def groups_table(data: ThemesData) -> Fragment:
    """The working view of the recurring groups: every finding of every group, by review and id."""
    return _render("check", d=data, reviews=_reviews(data))


def document(data: ThemesData) -> list[Fragment]:
    """Every section of the report, in order."""
    return [section(data, name) for name in SECTIONS]


def report_title(data: ThemesData) -> str:
    return plain(_env().get_template("themes_words.html.j2").module.report_title(data.round))


def page(data: ThemesData, fragments: list[str]) -> str:
    """The self-contained page around the sections: the letter's page and stylesheet."""
    env = _env()
    with template_errors():
        css = env.get_template("style.css").render()
        return str(env.get_template("page.html.j2").render(
            title=report_title(data), css=Markup(css), body=Markup("".join(fragments)), checks=Markup(""),
            banner=""))


def page_shell(data: ThemesData) -> PageShell:
    """The report's page, for the themes notebook's last cell."""
    return PageShell.around(THEMES_TAG, page(data, [_BODY_MARK]))


def build_page(data: ThemesData) -> str:
    """The whole report as one HTML page, built in this process (no kernel)."""
    return page(data, [f.html for f in document(data)])
