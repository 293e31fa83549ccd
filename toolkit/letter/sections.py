"""The letter: each section rendered from a letter style's Jinja templates.

A letter style is a folder of templates (``toolkit/styles/<name>/`` or a path given in the
parameters), rendered through the one environment of :mod:`toolkit.letter.templates`. A region's
style need only hold the templates it changes: anything missing is taken from the ``standard``
style. All free text is HTML-escaped by Jinja's autoescaping.

Each section is a :class:`Fragment`; the letter notebook shows one per cell (tagged ``letter``),
and :func:`build_letter` renders them all in-process into the same page nbconvert produces.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from toolkit.analysis.indicators import wording as indicator_wording
from toolkit.analysis.plan_links import themes_touched
from toolkit.analysis.previous import status_counts
from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.findings import Kind
from toolkit.inputs.params import read_yaml
from toolkit.inputs.styles import (
    DEFAULT_STYLE,
    DOCUMENT_OPTIONS,
    NUMBER_OPTIONS,
    STYLES_DIR,
    Document,
    DocumentSection,
    FileStamp,
    file_stamp,
    read_document,
)
from toolkit.letter.audit import AuditSummary, audit_results, render_audit_section, summarise_for_letter
from toolkit.letter.charts import collecting as charts_collecting
from toolkit.letter.glossary import (
    GlossaryEntry,
    acronyms_used,
    glossary_for,
    spell_out_first_use,
    undefined_acronyms,
)
from toolkit.letter.own_words import apply_own_words
from toolkit.letter.performance import appendix_views, letter_views, source_names
from toolkit.letter.report_parts import report_context
from toolkit.letter.templates import environment_for, style_folder, template_errors
from toolkit.review import Review


@dataclass(frozen=True)
class Fragment:
    """One section of the letter as HTML; shows as HTML in a notebook."""
    name: str
    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<letter section: {self.name}>"


def _style_folder(review: Review) -> str:
    return str(style_folder(review.params.letter_style, review.root))


def environment(review: Review) -> jinja2.Environment:
    return environment_for(_style_folder(review))


def _style_words(folder: str) -> dict[str, Any]:
    """The style's ``words.yaml`` over the standard one (headings merge key by key), read again
    when either file changes."""
    own = Path(folder) / "words.yaml"
    return _read_style_words(folder, file_stamp(STYLES_DIR / DEFAULT_STYLE / "words.yaml"), file_stamp(own))


@lru_cache(maxsize=16)
def _read_style_words(folder: str, standard_stamp: FileStamp, own_stamp: FileStamp) -> dict[str, Any]:
    standard = STYLES_DIR / DEFAULT_STYLE / "words.yaml"
    words: dict[str, Any] = dict(read_yaml(standard, "toolkit/styles/standard/words.yaml"))
    own = Path(folder) / "words.yaml"
    if Path(folder) != standard.parent and own.is_file():
        data = read_yaml(own, display_path(own))
        if not isinstance(data, dict):
            raise ValidationFailed([InputError(display_path(own), "expected a mapping of words")])
        for key, value in data.items():
            if key == "headings" and isinstance(value, dict):
                words["headings"] = {**words["headings"], **value}
            else:
                words[key] = value
    return words


def style_words(review: Review, key: str, **values: object) -> Markup:
    """One of the style's words (``letter_title``, ``letter_banner``...), rendered for the review
    with ``values`` (a template's own, such as the plan themes of a KLOE's areas)."""
    text = _style_words(_style_folder(review))[key]
    # Words are plain text: rendered without autoescaping, then escaped once as a whole.
    with template_errors(review.root):
        plain = environment(review).overlay(autoescape=False).from_string(str(text))
        return escape(plain.render(p=review.params, **values).strip())


def heading_title(review: Review, key: str) -> str:
    return str(_style_words(_style_folder(review))["headings"][key])


@dataclass(frozen=True)
class Heading:
    key: str
    number: str  # "" when the style's document does not number its headings
    title: str
    level: int = 1

    @property
    def label(self) -> str:
        """The heading as printed: "4. Next steps", "3.2 Workforce", or the title alone."""
        if not self.number:
            return self.title
        return f"{self.number}. {self.title}" if self.level == 1 else f"{self.number} {self.title}"


def document_of(review: Review) -> Document:
    """The style's document: which sections, in which order, with which templates."""
    return read_document(Path(_style_folder(review)), review.root)


def _heads_of(review: Review, name: str) -> list[tuple[str, int, str | None]]:
    """The headings a section contributes: (key, level, title or None for the style's words)."""
    one: dict[str, list[tuple[str, int, str | None]]] = {
        "purpose": [("purpose", 1, None)], "team": [("team", 1, None)], "kloe_list": [("kloe_list", 1, None)],
        "methodology": [("methodology", 1, None)], "settings": [("settings", 1, None)],
        "glossary": [("glossary", 1, None)], "overall": [("overall", 1, None)],
        "recommendations": [("recommendations", 1, None)], "closing": [("next", 1, None)],
        "process": [("background", 1, None), ("process", 1, None), ("findings", 1, None)],
        "headlines": [("headlines", 2, None)],
    }
    kloes: list[tuple[str, int, str | None]] = [(f"kloe:{k.id}", 2, k.title) for k in review.scope.kloes]
    present = {"audit": review.audit is not None,
               "cases": review.audit is not None or bool(review.params.cases_reviewed),
               "performance": review.performance is not None, "sef": review.sef is not None,
               "progress": review.previous is not None,
               "urgent": bool(review.findings.urgent_actions()) or document_of(review).option("urgent_always") or (
                   "headlines" not in document_of(review).names and bool(review.findings.headlines(Kind.URGENT)))}
    if name == "kloes":
        return kloes
    if name == "evidence":
        return [("evidence", 1, None), *kloes]
    if name in present:
        return [(name, 1, None)] if present[name] else []
    return one.get(name, [])


def outline(review: Review) -> list[Heading]:
    """Numbered headings of the document, in the style's order, so every section agrees on them."""
    heads: list[Heading] = []
    n = sub = 0
    doc = document_of(review)
    numbered = doc.option("numbered_headings")
    for entry in doc.sections:
        for key, level, title in _heads_of(review, entry.name):
            if level == 1:
                n, sub = n + 1, 0
                number = str(n)
            else:
                sub += 1
                number = f"{n}.{sub}"
            heads.append(Heading(key, number if numbered else "", title if title is not None
                                 else heading_title(review, key), level))
    return heads


def _context(review: Review) -> dict[str, object]:
    p = review.params
    fs = review.findings
    raw = fs.counts(included_only=False)
    kept = fs.counts()
    doc = document_of(review)
    return {
        "p": p,
        "review": review,
        "findings": fs,
        "Kind": Kind,
        "heads": {h.key: h for h in outline(review)},
        "options": {key: doc.option(key) for key in DOCUMENT_OPTIONS},
        "numbers": {key: doc.number(key) for key in NUMBER_OPTIONS},
        "document_sections": doc.names,
        "raw_total": raw[Kind.STRENGTH] + raw[Kind.AREA],
        # what every document says the team recorded: the parameters' count ("over 80"), else the rows
        "recorded": p.findings_recorded if p.findings_recorded else raw[Kind.STRENGTH] + raw[Kind.AREA],
        # the style's own name for an area for consideration ("opportunity to consider")
        "area_one": style_words(review, "area_one"),
        "area_many": style_words(review, "area_many"),
        "kept_strengths": kept[Kind.STRENGTH],
        "kept_areas": kept[Kind.AREA],
        "kept_urgent": kept[Kind.URGENT],
        "lead": p.lead,
        "others": [m for m in p.team if not m.lead],
        "kloes": review.scope.kloes,
        "word": lambda key, **values: style_words(review, key, **values),
        # the improvement-plan themes a list of areas for consideration touches (option plan_themes)
        "plan_themes": lambda areas: (themes_touched(areas, review.improvement_plan)
                                      if doc.option("plan_themes") else ()),
        # the team's overall view and recommendations, the record of the visit, progress as a story
        **_kept(review, "report", lambda: report_context(review, doc.number("performance_indicators"))),
    }


def template_context(review: Review) -> dict[str, object]:
    """What every template of the style sees (docs/styles.md), for the other documents of a review."""
    return _context(review)


def render_fragment(review: Review, name: str, template: str, **extra: object) -> Fragment:
    with template_errors(review.root):
        html = environment(review).get_template(template).render(**{**_context(review), **extra})
    return Fragment(name, html.strip() + "\n")


def _audit(review: Review, template: str) -> Fragment:
    """What the team found in the EHC plans it read: counts and statements backed by counts."""
    if review.audit is None:
        return Fragment("audit", "")
    style = _style_folder(review)
    head = outline_heading(review, "audit")
    summary = audit_summary(review)
    html = render_audit_section(summary, style=style, heading=head.label)
    return Fragment("audit", html.strip() + "\n")


def _extra(review: Review, name: str) -> dict[str, object]:
    """What a section's template needs beyond the common context."""
    if name == "performance":
        limit = document_of(review).number("performance_indicators")
        views = letter_views(review, limit, document_of(review).number("performance_charts"))
        appendix = document_of(review).option("appendix") and bool(appendix_views(review, limit))
        return {"data": review.performance, "views": views, "rows": [v.row for v in views],
                "sources": source_names(review), "appendix": appendix,
                "linked": [v for v in views if v.charts]}
    if name == "sef":
        return {"sef": review.sef, "supporting": {f.id: f for f in review.findings.included}}
    if name == "progress":
        rows = review.progress_rows()
        return {"previous": review.previous, "rows": rows, "counts": status_counts(rows)}
    if name in ("urgent", "overall"):
        return {"actions": review.findings.urgent_actions()}
    if name == "cases":
        return {"s": audit_summary(review) if review.audit else None}
    return {}


def outline_heading(review: Review, key: str) -> Heading:
    return next(h for h in outline(review) if h.key == key)


def _render(review: Review, entry: DocumentSection, glossary: Sequence[GlossaryEntry] = ()) -> Fragment:
    if entry.name == "audit":
        return _audit(review, entry.template)
    extra = _extra(review, entry.name)
    if entry.name == "glossary":
        extra["entries"] = list(glossary)
    return render_fragment(review, entry.name, entry.template, **extra)


#: What is built once for each review object still alive, by what it is: the document (the letter
#: notebook's glossary check and its section loop, and the page, read the same one, drawn charts and
#: all, once) and the audit's summary (the audit section, the cases and the appendix read it).
_KEPT: dict[tuple[int, str], tuple[weakref.ref[Review], Any]] = {}


def _kept(review: Review, what: str, build: Callable[[], Any]) -> Any:
    """``build()`` once per :class:`Review` object (it is frozen) and ``what``; while charts are
    being collected as pictures it is built afresh and not kept (the pictures are drawn then)."""
    if charts_collecting():
        return build()
    key = (id(review), what)
    kept = _KEPT.get(key)
    if kept is not None and kept[0]() is review:
        return kept[1]
    built = build()
    _KEPT[key] = (weakref.ref(review, _forget(key)), built)
    return built


def _forget(key: tuple[int, str]) -> Callable[[weakref.ref[Review]], None]:
    def gone(_ref: weakref.ref[Review]) -> None:
        _KEPT.pop(key, None)
    return gone


def document(review: Review) -> list[Fragment]:
    """Every section the style's document lists, in its order (the letter notebook shows each)."""
    return list(_kept(review, "document", lambda: tuple(_document(review))))


def audit_summary(review: Review) -> AuditSummary:
    """What the letter says about the review's EHC plan audit (:func:`summarise_for_letter`)."""
    assert review.audit is not None
    audit = review.audit
    summary: AuditSummary = _kept(review, "audit", lambda: summarise_for_letter(audit_results(audit),
                                                                                style=_style_folder(review)))
    return summary


def _document(review: Review) -> list[Fragment]:
    doc = document_of(review)
    parts = [None if e.name == "glossary" else _render(review, e) for e in doc.sections]
    after = [a for a in (appendices(review) if doc.option("appendix") else []) if a.html.strip()]
    if "glossary" in doc.names:
        used = acronyms_used(review, [f.html for f in [*parts, *after] if f is not None])
        parts = [f if f is not None else _render(review, e, used) for f, e in zip(parts, doc.sections, strict=True)]
    out = [*(f for f in parts if f is not None), *after]
    if doc.option("spell_out_first_use"):
        out = spell_out_first_use(out, glossary_for(review))
    if review.params.letter_text:  # the review's own words for the letter's own paragraphs (absorb)
        htmls = apply_own_words([f.html for f in out], review.params.letter_text)
        out = [f if h == f.html else Fragment(f.name, h) for f, h in zip(out, htmls, strict=True)]
    return out


def appendices(review: Review) -> list[Fragment]:
    """The appendices after the document (the style's ``appendix`` option): the points tested under
    each KLOE, when the document lists them, in an appendix of their own; then :func:`appendix`.
    Lettered A and B when there are both."""
    doc = document_of(review)
    figures = appendix(review)
    if "kloe_list" not in doc.names or not any(k.prompts for k in review.scope.kloes):
        return [figures]
    title = heading_title(review, "appendix_prompts")
    if figures.html.strip():
        title = str(style_words(review, "appendix_lettered", letter="A", title=title))
        figures = appendix(review, str(style_words(review, "appendix_lettered", letter="B",
                                                   title=heading_title(review, "appendix_figures"))))
    prompts = render_fragment(review, "appendix_prompts", "appendix_prompts.html.j2", heading=title)
    return [prompts, figures]


def appendix(review: Review, heading: str | None = None) -> Fragment:
    """The appendix of figures after the letter (the style's ``appendix`` option): the indicators
    the performance section leaves out, in one table (its words are the table's: no paragraph
    repeats a row), and the audit's grades by section of the plan. Empty when there is nothing to
    put in it."""
    doc = document_of(review)
    views = appendix_views(review, doc.number("performance_indicators")) if "performance" in doc.names else []
    audit = audit_summary(review) if review.audit is not None and "audit" in doc.names else None
    if not views and (audit is None or not audit.table_rows):
        return Fragment("appendix", "")
    return render_fragment(review, "appendix", "appendix.html.j2", views=views, audit=audit,
                           heading=heading or heading_title(review, "appendix"),
                           average_note=indicator_wording()["average_note"])


def section(review: Review, name: str) -> Fragment:
    """One section of the document by its name (empty when the style does not list it)."""
    return next((f for f in document(review) if f.name == name), Fragment(name, ""))


def opening(review: Review) -> Fragment:
    """Date, address, salutation, title line, the scope asked for and the framing."""
    return section(review, "opening")


def background_and_process(review: Review) -> Fragment:
    """Background of the programme and what the team did, with computed counts."""
    return section(review, "process")


def headlines(review: Review) -> Fragment:
    return section(review, "headlines")


def kloe_sections(review: Review) -> Fragment:
    """One section per KLOE in scope with its strengths and areas for consideration."""
    return section(review, "kloes")


def audit_sample(review: Review) -> Fragment:
    return section(review, "audit")


def performance_data(review: Review) -> Fragment:
    """The area's data in sentences with comparators, a summary table and charts."""
    return section(review, "performance")


def self_evaluation(review: Review) -> Fragment:
    """Where the peers agree with the area's self-evaluation, and where not."""
    return section(review, "sef")


def urgent_actions(review: Review) -> Fragment:
    return section(review, "urgent")


def closing(review: Review) -> Fragment:
    """Next steps and the lead reviewer's sign-off."""
    return section(review, "closing")


#: The sections of the standard letter, as functions (kept for callers of the old API).
SECTIONS: tuple[Callable[[Review], Fragment], ...] = (
    opening, background_and_process, headlines, kloe_sections, audit_sample, performance_data, self_evaluation,
    urgent_actions, closing,
)


def letter_title(review: Review) -> Markup:
    """The page title (escaped HTML, so plain text is passed to ``page`` as is)."""
    return style_words(review, "letter_title")


def check_panel(review: Review) -> Markup:
    """The draft's "Check before sending" panel: every finding the figures contradict (empty once
    the review is final, or when there is none). Screen only: print hides it; the Word copy has
    each item as a comment on its finding (:mod:`toolkit.letter.docx`). Every flag of
    :meth:`~toolkit.review.Review.contradictions` is an item, whatever its check."""
    checks = [] if review.params.final else review.contradictions()
    if not checks:
        return Markup("")
    pairs = [(c, style_words(review, "check_comment", message=c.message, check=c.check).unescape()) for c in checks]
    with template_errors(review.root):
        html = environment(review).get_template("check_panel.html.j2").render(
            checks=pairs, author=style_words(review, "check_author"), heading=style_words(review, "check_heading"),
            intro=style_words(review, "check_intro"))
    return Markup(html.strip() + "\n")


def page(review: Review, fragments: list[str], *, title: str | None = None, banner: str | None = None,
         checks: bool = True) -> str:
    """The self-contained HTML page around the sections (used by nbconvert and in-process).

    ``title`` and ``banner`` default to the style's words (no banner once the review is final);
    plain text given here is escaped. ``checks``: whether the page carries the draft's "Check
    before sending" panel (:func:`check_panel`).
    """
    env = environment(review)
    with template_errors(review.root):
        css = env.get_template("style.css").render()
        return env.get_template("page.html.j2").render(
            title=title if title is not None else style_words(review, "letter_title"),
            css=Markup(css), body=Markup("".join(fragments)), checks=check_panel(review) if checks else Markup(""),
            banner=banner if banner is not None else ("" if review.params.final
                                                      else style_words(review, "letter_banner")),
        )


#: The MIME type of a :class:`PageShell` output in a notebook.
PAGE_MIMETYPE = "application/vnd.peer-review.page+json"
_BODY_MARK = "\x00body\x00"


@dataclass(frozen=True)
class PageShell:
    """The page around a report's sections (head, style, banner; closing tags), as a cell output.

    The last cell of the letter notebook shows it, so the executed notebook holds everything
    nbconvert's ``letter`` template needs: the template puts the outputs of the cells tagged
    ``tag`` between ``head`` and ``tail``, with no toolkit code of its own.
    """

    tag: str
    head: str
    tail: str

    @classmethod
    def around(cls, tag: str, page_html: str) -> PageShell:
        head, mark, tail = page_html.partition(_BODY_MARK)
        if not mark:
            raise ValueError("the page template did not place the body")
        return cls(tag, head, tail)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, object]:
        return {PAGE_MIMETYPE: {"tag": self.tag, "head": self.head, "tail": self.tail},
                "text/plain": repr(self)}

    def __repr__(self) -> str:
        return f"<page around the cells tagged {self.tag!r}>"


def page_shell(review: Review) -> PageShell:
    """The letter's page, for the letter notebook's last cell."""
    return PageShell.around("letter", page(review, [_BODY_MARK]))


def build_letter(review: Review) -> str:
    """The whole letter as one HTML page, built in this process (no kernel)."""
    return page(review, [f.html for f in document(review)])


def glossary_check(review: Review) -> Fragment:
    """The working view of the document's acronyms: the undefined ones first, then all defined."""
    htmls = [f.html for f in document(review) if f.name != "glossary"]
    return render_fragment(review, "glossary_check", "glossary_check.html.j2",
                           missing=undefined_acronyms(review, htmls), entries=acronyms_used(review, htmls))
