"""The day-three deck as an outline: which slides, in which order, with which words.

The team presents its findings on the last day of the visit; ``slides.pptx`` is that
presentation, drawn from the same :class:`~toolkit.review.Review` as the letter, so it never says
anything the letter does not. :func:`deck_outline` gives the slides as plain data
(:class:`SlideSpec`); :mod:`toolkit.letter.slides_pptx` writes them with python-pptx. Its words
are the letter's: the same context (counts, the style's vocabulary) and the same filters.

* Three fixed slides open the deck: the title (with the draft marking until the review is final),
  the team and the scope the area asked for.
* The body follows the sections the style's ``document.yaml`` lists, in its order: what the team
  did, one slide per headline message, the key lines of enquiry (each KLOE's strengths, then its
  areas for consideration, continued when they are many), recommended urgent actions, the charts
  of the audit and the data (each chart a picture, its description as alternative text), the
  self-evaluation, a follow-up's progress since the last review. Sections with no slide of their
  own (the glossary, the settings) are skipped.
* The next steps close it.

The detail of every finding is in the speaker notes. Every word comes from the style's
``slides.yaml`` (merged over the standard one), rendered by Jinja as plain text: the writer puts
it into the XML as text, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from toolkit.analysis.previous import status_counts
from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.findings import Finding, Kind
from toolkit.inputs.params import read_yaml
from toolkit.inputs.styles import DEFAULT_STYLE, STYLES_DIR, FileStamp, file_stamp
from toolkit.letter.charts import ChartImage, collect_charts
from toolkit.letter.sections import document, document_of, style_words, template_context
from toolkit.letter.templates import environment_for, style_folder, template_errors
from toolkit.review import Review

SLIDE_WORDS = "slides.yaml"
#: At most this many findings on one slide; more continue on the next.
PER_SLIDE = 5
_CHART_REF = 'aria-labelledby="'


@dataclass(frozen=True)
class Line:
    """One paragraph of a slide's body: its text, its list level (0 or 1), whether it is bold."""
    text: str
    level: int = 0
    bold: bool = False


@dataclass(frozen=True)
class SlideSpec:
    """One slide: its kind (which layout it takes), title, body lines, picture and speaker notes."""
    kind: str  # "title", "message" (one statement, large), "list" or "chart"
    title: str
    lines: tuple[Line, ...] = ()
    notes: tuple[str, ...] = ()
    chart: ChartImage | None = None
    mark: str = ""  # the draft marking of the title slide ("" once final)


@dataclass
class _Words:
    """The style's slide words, rendered with the letter's context plus a slide's own names."""
    review: Review
    context: dict[str, object]
    folder: str

    def raw(self, key: str) -> Any:
        return _slide_words(self.folder)[key]

    def one(self, key: str, **names: object) -> str:
        return _render(self.folder, key, str(self.raw(key)), {**self.context, **names})

    def many(self, key: str, **names: object) -> list[str]:
        """A list-valued key as its rendered lines (a line that renders empty is dropped; a line
        break within one starts another)."""
        value = self.raw(key)
        items = value if isinstance(value, list) else [value]
        out: list[str] = []
        for i, item in enumerate(items):
            text = _render(self.folder, f"{key}[{i}]", str(item), {**self.context, **names})
            out += [part for part in (p.strip() for p in text.split("\n")) if part]
        return out


def _slide_words(folder: str) -> dict[str, Any]:
    """The style's ``slides.yaml`` over the standard one, key by key, read again when either file
    changes."""
    own = Path(folder) / SLIDE_WORDS
    return _read_slide_words(folder, file_stamp(STYLES_DIR / DEFAULT_STYLE / SLIDE_WORDS), file_stamp(own))


@lru_cache(maxsize=16)
def _read_slide_words(folder: str, standard_stamp: FileStamp, own_stamp: FileStamp) -> dict[str, Any]:
    standard = STYLES_DIR / DEFAULT_STYLE / SLIDE_WORDS
    words: dict[str, Any] = dict(read_yaml(standard, f"toolkit/styles/{DEFAULT_STYLE}/{SLIDE_WORDS}"))
    own = Path(folder) / SLIDE_WORDS
    if Path(folder) != standard.parent and own.is_file():
        data = read_yaml(own, display_path(own))
        if not isinstance(data, dict):
            raise ValidationFailed([InputError(display_path(own), "expected a mapping of slide words")])
        words.update(data)
    return words


@lru_cache(maxsize=512)
def _compiled(folder: str, key: str, text: str) -> jinja2.Template:
    return environment_for(folder).overlay(autoescape=False).from_string(text)


def _render(folder: str, key: str, text: str, context: dict[str, object]) -> str:
    """The text rendered, its spaces folded within each line."""
    with template_errors():
        lines = _compiled(folder, key, text).render(**context).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def _chunks(items: Sequence[Finding]) -> list[list[Finding]]:
    """Findings in slides of at most :data:`PER_SLIDE`, as evenly filled as they can be."""
    if not items:
        return [[]]
    parts = -(-len(items) // PER_SLIDE)
    size = -(-len(items) // parts)
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def finding_notes(words: _Words, findings: Sequence[Finding]) -> tuple[str, ...]:
    """Each finding's statement, then each paragraph of its detail, as note paragraphs."""
    out: list[str] = []
    for f in findings:
        out.append(words.one("finding_note", f=f))
        out += [para for para in f.detail.split("\n\n") if para]
    return tuple(out)


# the slides ---------------------------------------------------------------------------------
def _title(w: _Words) -> Iterator[SlideSpec]:
    yield SlideSpec("title", w.one("title"), tuple(Line(t) for t in w.many("subtitle")),
                    tuple(w.many("title_notes")), mark=w.one("draft_mark", draft=not w.review.params.final))


def _team(w: _Words) -> Iterator[SlideSpec]:
    p = w.review.params
    lines = [Line(w.one("team_member", m=m)) for m in p.team] + [Line(w.one("team_coordinator"))]
    yield SlideSpec("list", w.one("team_title"), tuple(lines), tuple(w.many("team_notes")))


def _scope(w: _Words) -> Iterator[SlideSpec]:
    lines: list[Line] = []
    for item in w.review.params.scope.requested:
        lines.append(Line(item.text))
        lines += [Line(sub, 1) for sub in item.items]
    yield SlideSpec("list", w.one("scope_title"), tuple(lines), tuple(w.many("scope_notes")))


def _method(w: _Words) -> Iterator[SlideSpec]:
    days = len(w.review.params.visit.dates)
    yield SlideSpec("list", w.one("method_title"), tuple(Line(t) for t in w.many("method_lines", days=days)),
                    tuple(w.many("method_notes")))


def _kloe_list(w: _Words) -> Iterator[SlideSpec]:
    yield SlideSpec("list", w.one("kloe_list_title"),
                    tuple(Line(w.one("kloe_list_item", k=k)) for k in w.review.scope.kloes))


_HEADLINE_KEYS = {Kind.STRENGTH: "headline_strength_title", Kind.AREA: "headline_area_title",
                  Kind.URGENT: "headline_urgent_title"}


def _headlines(w: _Words) -> Iterator[SlideSpec]:
    for kind, key in _HEADLINE_KEYS.items():
        found = w.review.findings.headlines(kind)
        for n, f in enumerate(found, start=1):
            kloe = w.review.scope.get(f.kloe) if f.kloe else None
            notes = [*w.many("headline_notes", f=f, kloe=kloe.title if kloe else ""),
                     *[para for para in f.detail.split("\n\n") if para]]
            yield SlideSpec("message", w.one(key, f=f, n=n, total=len(found)), (Line(f.statement),), tuple(notes))


def _kloes(w: _Words) -> Iterator[SlideSpec]:
    fs = w.review.findings
    for k in w.review.scope.kloes:
        for kind, group, empty in ((Kind.STRENGTH, "kloe_strengths", "kloe_no_strengths"),
                                   (Kind.AREA, "kloe_areas", "kloe_no_areas")):
            chunks = _chunks(fs.for_kloe(k.id, kind))
            for part, items in enumerate(chunks, start=1):
                title = w.one("kloe_title", k=k, group=w.one(group), part=part, parts=len(chunks))
                lines = tuple(Line(f.statement) for f in items) or (Line(w.one(empty)),)
                yield SlideSpec("list", title, lines, finding_notes(w, items))


def _urgent(w: _Words) -> Iterator[SlideSpec]:
    actions = w.review.findings.urgent_actions()
    if not actions:
        return
    chunks = _chunks(actions)
    for part, items in enumerate(chunks, start=1):
        lines = (Line(w.one("urgent_lead"), bold=True), *(Line(f.statement, 1) for f in items))
        yield SlideSpec("list", w.one("urgent_title", part=part, parts=len(chunks)), lines, finding_notes(w, items))


def _sef(w: _Words) -> Iterator[SlideSpec]:
    sef = w.review.sef
    if sef is None:
        return
    lines = (Line(w.one("sef_summary", sef=sef), bold=True),
             *(Line(w.one("sef_item", j=j), 1) for j in sef.judgements))
    yield SlideSpec("list", w.one("sef_title"), lines, tuple(w.one("sef_note", j=j) for j in sef.judgements))


#: The statuses a progress slide counts, in the letter's order.
PROGRESS_ORDER = ("addressed", "progressing", "not yet addressed", "no longer relevant", "not yet marked")


def _progress(w: _Words) -> Iterator[SlideSpec]:
    """A follow-up's progress: how many of the earlier review's items have each status; each item
    with its status in the notes."""
    previous = w.review.previous
    if previous is None:
        return
    rows = w.review.progress_rows()
    counts = status_counts(rows)
    names = {"rows": rows, "previous": previous}
    lines = (Line(w.one("progress_lead", **names), bold=True),
             *(Line(w.one("progress_count", n=counts[s], status=s, **names), 1) for s in PROGRESS_ORDER if counts[s]))
    yield SlideSpec("list", w.one("progress_title", **names), lines,
                    tuple(w.one("progress_note", r=r, **names) for r in rows))


def _next(w: _Words) -> Iterator[SlideSpec]:
    yield SlideSpec("list", w.one("next_title"), tuple(Line(t) for t in w.many("next_lines")),
                    tuple(w.many("next_notes")))


#: The slides each section of a style's document gives (the title, team and scope open every
#: deck and the next steps close it, so the sections that hold them give nothing more).
_BODY: dict[str, Callable[[_Words], Iterator[SlideSpec]]] = {
    "process": _method, "methodology": _method, "kloe_list": _kloe_list,
    "headlines": _headlines, "overall": _headlines, "kloes": _kloes, "evidence": _kloes,
    "urgent": _urgent, "sef": _sef, "progress": _progress,
}


def charts_by_section(review: Review) -> dict[str, list[ChartImage]]:
    """The letter's charts as PNG pictures, by the section of the style's document that shows
    them, in the page's order (the Word copy's pictures are the same drawings)."""
    with collect_charts() as found:
        fragments = document(review)
    out: dict[str, list[ChartImage]] = {}
    for fragment in fragments:
        ids = [ref.split("-title", 1)[0] for ref in fragment.html.split(_CHART_REF)[1:]]
        charts = [found[i] for i in ids if i in found]
        if charts:
            out.setdefault(fragment.name, []).extend(charts)
    return out


def _chart_slides(w: _Words, charts: Sequence[ChartImage]) -> Iterator[SlideSpec]:
    for chart in charts:
        yield SlideSpec("chart", w.one("chart_title", chart=chart), (), tuple(w.many("chart_notes", chart=chart)),
                        chart=chart)


def words_for(review: Review) -> _Words:
    """The style's slide words for this review; ``letter_title`` is the letter's page title."""
    folder = str(style_folder(review.params.letter_style, review.root))
    context = template_context(review)
    for key in ("letter_title", "area_one", "area_many", "document_noun"):
        context[key] = style_words(review, key).unescape()
    return _Words(review, context, folder)


@dataclass(frozen=True)
class Deck:
    """The slides in order, the deck's title and the style folder (where a ``slides.pptx`` may be)."""
    slides: tuple[SlideSpec, ...]
    title: str
    folder: Path


def deck_outline(review: Review, charts: dict[str, list[ChartImage]] | None = None) -> Deck:
    """Every slide of the review's deck, in order.

    ``charts``: the letter's charts by section (:func:`charts_by_section`; drawn here when not
    given). The title slide carries the letter's draft banner until the review is final.
    """
    w = words_for(review)
    charts = charts_by_section(review) if charts is None else charts
    slides: list[SlideSpec] = [*_title(w), *_team(w), *_scope(w)]
    for entry in document_of(review).sections:
        make = _BODY.get(entry.name)
        if make is not None:
            slides += make(w)
        slides += _chart_slides(w, charts.get(entry.name, ()))
    slides += _next(w)
    return Deck(tuple(slides), slides[0].title, Path(w.folder))
