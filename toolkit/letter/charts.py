"""Deterministic, self-contained SVG charts for letters and briefings.

Every chart is drawn with matplotlib's SVG backend and returned as text to embed inline. Two
settings make the bytes repeatable: a fixed ``svg.hashsalt`` (matplotlib otherwise salts element
ids at random) and no ``Date`` metadata. Colours come from the Okabe-Ito palette, which stays
distinguishable under the common forms of colour-blindness.

The Word copy needs the same charts as pictures: :func:`collect_charts` records every chart drawn
while it is active as a PNG (:func:`figure_to_png`, matplotlib's Agg renderer with no metadata, so
the bytes repeat too), keyed by the id the chart's ``<svg>`` carries in the page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from html import escape
from typing import Any

import matplotlib

matplotlib.use("svg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Okabe-Ito colour-blind-safe palette (black first for the area itself).
PALETTE = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442"]

#: The smallest text of a chart, in points of the figure: with the chart at the letter's full width
#: (40 rem of text, about 640 px) and figures no wider than 6.5 in, it shows at 11 px or more.
CHART_TEXT_PT = 11

_RC: Any = {  # matplotlib types its keys as a Literal of every rc name
    "svg.hashsalt": "peer-review-toolkit",
    "svg.fonttype": "none",  # keep text as text: smaller, searchable, readable by screen readers
    "font.family": "DejaVu Sans",
    "font.size": CHART_TEXT_PT,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def label_colour(background: str) -> str:
    """White or black, whichever reads better on ``background`` (both Okabe-Ito blues and the
    vermillion give at least 4.5:1, WCAG AA for text of any size)."""
    return "#ffffff" if contrast_ratio(background, "#ffffff") >= contrast_ratio(background, "#000000") else "#000000"


def new_figure(width_in: float = 6.0, height_in: float = 3.2) -> tuple[Figure, Axes]:
    """A figure and axes with the toolkit's style applied."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width_in, height_in))
        ax = fig.add_subplot(1, 1, 1)
    return fig, ax


#: PNG resolution of the charts in the Word copy (and the pixels per inch Word sizes them by).
PNG_DPI = 150


@dataclass(frozen=True)
class ChartImage:
    """A chart drawn as a PNG, with the accessible name and description its SVG carries."""
    id: str
    title: str
    description: str
    png: bytes


_COLLECTING: ContextVar[dict[str, ChartImage] | None] = ContextVar("collecting_charts", default=None)


@contextmanager
def collect_charts() -> Iterator[dict[str, ChartImage]]:
    """Within the block, every chart drawn is kept as a PNG in the yielded mapping (by its SVG id)
    and no SVG is drawn (the page built meanwhile is only a way to reach the charts)."""
    found: dict[str, ChartImage] = {}
    token = _COLLECTING.set(found)
    try:
        yield found
    finally:
        _COLLECTING.reset(token)


def collecting() -> bool:
    """True inside :func:`collect_charts` (charts become pictures, the page drawn is throwaway)."""
    return _COLLECTING.get() is not None


def figure_to_png(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    """``fig`` as PNG bytes (Agg), cropped as the SVG is, with no metadata: repeatable bytes."""
    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, bbox_inches="tight",
                    facecolor="white")
    return buf.getvalue()


def svg_id(chart_id: str) -> str:
    """The id prefix of a chart's ``<svg>`` (its title is ``{svg_id}-title``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)


_NUMBER = re.compile(r"-?\d+\.\d{2,}")
_TAG = re.compile(r"<[^>]+>")
_FONT_RULE = f"text{{font-family:'DejaVu Sans',sans-serif;font-size:{CHART_TEXT_PT}px}}"
_PATH_GAP = re.compile(r"\s*([MLHVCSQTAZmlhvcsqtaz])\s*")
_REFERENCED = re.compile(r'(?:href="#|url\(#)([^")]+)')
_SHORT_HEX = re.compile(r"#([0-9a-f])\1([0-9a-f])\2([0-9a-f])\3(?![\w-])")
_GROUP_TAG = re.compile(r"<g\s*/>|<g>|</g>|<g\s[^>]*>")
_XLINK_NS = ' xmlns:xlink="http://www.w3.org/1999/xlink"'


def _drop_bare_groups(svg: str) -> str:
    """The SVG without its groups that have no attributes (they change nothing drawn), their
    content kept in place."""
    out: list[str] = []
    kept: list[bool] = []  # for each open group: whether its tags stay
    pos = 0
    for match in _GROUP_TAG.finditer(svg):
        out.append(svg[pos:match.start()])
        pos = match.end()
        tag = match[0]
        if tag == "</g>":
            if kept.pop():
                out.append(tag)
        elif tag == "<g>":
            kept.append(False)
        elif not tag.endswith("/>"):
            kept.append(True)
            out.append(tag)
        elif tag.startswith("<g "):  # an empty group with attributes: harmless, kept as it was
            out.append(tag)
    out.append(svg[pos:])
    return "".join(out)


def _round(match: re.Match[str]) -> str:
    text = f"{float(match[0]):.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def slim_svg(svg: str) -> str:
    """The same drawing in fewer bytes: coordinates to 0.1 pt, no line breaks or indentation
    between or inside tags, path data without spaces around its commands, no ids nothing refers
    to, no group without attributes, references as SVG 2's ``href`` (no ``xlink:``), colours in
    three digits where they can be, no ``text-anchor`` at its initial value. Text nodes are left as
    they are."""
    used = set(_REFERENCED.findall(svg))

    def tag(match: re.Match[str]) -> str:
        text = _SHORT_HEX.sub(r"#\1\2\3", _NUMBER.sub(_round, match[0]))  # #ffffff as #fff
        text = re.sub(r'\s+id="([^"]+)"', lambda m: m[0] if m[1] in used else "", text)
        return re.sub(r"\s*\n\s*", " ", text).replace(" />", "/>").replace(' "/>', '"/>').replace('" >', '">')

    svg = re.sub(r">\s+<", "><", _TAG.sub(tag, svg))
    svg = re.sub(r' transform="rotate\(-?0 [-\d.]+ [-\d.]+\)"', "", svg)  # a turn by 0 degrees
    if "<text" in svg:  # one rule for the family and the usual size, not a declaration on every text
        svg = re.sub(r'(<text style="[^"]*?) ?font-family: [^;"]*;?', r"\1", svg)
        svg = re.sub(f'(<text style=")font-size: {CHART_TEXT_PT}px; ?', r"\1", svg)
        svg = svg.replace("*{stroke-linejoin", f"{_FONT_RULE}*{{stroke-linejoin", 1)
    svg = re.sub(r' style="([^"]*)"', lambda m: ' style="' + re.sub(r"([:;]) ", r"\1", m[1]).rstrip(";") + '"', svg)
    svg = svg.replace(' style="text-anchor:start"', "")  # the initial value: nothing sets another above it
    svg = svg.replace(' style=""', "")
    styles = dict(re.findall(r'<path id="([^"]+)"[^>]*? style="([^"]*)"', svg))
    svg = re.sub(r'(<use xlink:href="#([^"]+)"[^>]*?) style="([^"]*)"',  # the marker has the same style
                 lambda m: m[1] if styles.get(m[2]) == m[3] else m[0], svg)
    svg = re.sub(r' d="([^"]*)"', lambda m: ' d="' + _PATH_GAP.sub(r"\1", m[1]).strip() + '"', svg)
    svg = _drop_bare_groups(svg)  # a group with no attributes is only bytes
    svg = svg.replace(' xlink:href="', ' href="')
    return svg if "xlink:" in svg else svg.replace(_XLINK_NS, "", 1)


def figure_to_svg(fig: Figure, chart_id: str, title: str, description: str) -> str:
    """Render ``fig`` to an inline ``<svg>`` element with a stable id, a title and a description.

    ``chart_id`` must be unique within the page; it prefixes every id matplotlib generates so two
    charts on one page never clash. ``title`` and ``description`` become the SVG's accessible name
    and description (``role="img"``, ``aria-labelledby``).
    """
    safe_id = svg_id(chart_id)
    collecting = _COLLECTING.get()
    if collecting is not None:
        collecting[safe_id] = ChartImage(safe_id, title, description, figure_to_png(fig))
        return f'<svg aria-labelledby="{safe_id}-title {safe_id}-desc"></svg>'
    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prolog and doctype: this is embedded in HTML
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)  # RDF boilerplate only
    # Prefix matplotlib's generated ids (and references to them) with the chart id; the ids
    # something refers to (markers, clip paths) shortened to r0, r1... in order of first use.
    short = {old: f"r{i}" for i, old in enumerate(dict.fromkeys(_REFERENCED.findall(svg)))}
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{safe_id}-{short.get(m[1], m[1])}"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"', lambda m: f'{m[1]}="#{safe_id}-{short.get(m[2], m[2])}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{safe_id}-{short.get(m[1], m[1])})", svg)
    svg = slim_svg(svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end].replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{safe_id}-title {safe_id}-desc" class="chart" ',
        1,
    )
    accessible = (
        f'<title id="{safe_id}-title">{escape(title)}</title>'
        f'<desc id="{safe_id}-desc">{escape(description)}</desc>'
    )
    return head + accessible + svg[head_end:]
