"""Every label drawn on a bar of the letter's charts meets WCAG AA contrast (4.5:1), read from the
SVG's own fills: the text's fill against the fill of the topmost bar under it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.letter.audit import audit_results, summarise_for_letter
from toolkit.letter.charts import PALETTE, contrast_ratio, label_colour
from toolkit.letter.sections import build_letter
from toolkit.review import load_review

ROOT = Path(__file__).resolve().parents[2]
RECT = re.compile(r'<path d="M([-\d.]+) ([-\d.]+)L([-\d.]+) ([-\d.]+)L([-\d.]+) ([-\d.]+)L([-\d.]+) ([-\d.]+)z"'
                  r'[^>]*?style="[^"]*?fill: ?(#[0-9a-f]{3}(?:[0-9a-f]{3})?)\b')
TEXT = re.compile(r'<text(?: style="([^"]*)")? x="([-\d.]+)" y="([-\d.]+)"[^>]*>([^<]*)</text>')


def _full(colour: str) -> str:
    """``#fff`` as ``#ffffff`` (the slimmed SVG writes a colour in three digits where it can)."""
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour


def _labels_on_bars(svg: str) -> list[tuple[str, str, str]]:
    """(label, text colour, colour of the bar under it) for each text that sits on a filled bar."""
    rects = []
    for m in RECT.finditer(svg):
        xs = [float(m[i]) for i in (1, 3, 5, 7)]
        ys = [float(m[i]) for i in (2, 4, 6, 8)]
        rects.append((min(xs), max(xs), min(ys), max(ys), _full(m[9])))
    out = []
    for m in TEXT.finditer(svg):
        x, y = float(m[2]), float(m[3])
        fill = re.search(r"fill: ?(#[0-9a-f]{3}(?:[0-9a-f]{3})?)\b", m[1] or "")
        under = [r for r in rects if r[0] <= x <= r[1] and r[2] <= y - 3 <= r[3] and r[4] != "#ffffff"]
        if under:
            out.append((m[4], _full(fill[1]) if fill else "#000000", under[-1][4]))
    return out


@pytest.mark.parametrize("review", ["harrowdene-2026", "kestrelmoor-2026", "brindleford-2026"])
def test_labels_on_bars_meet_wcag_aa(review: str) -> None:
    loaded = load_review(ROOT / "params" / f"{review}.yaml")
    html = build_letter(loaded)
    assert loaded.audit is not None  # the audit's charts, the stacked ones the working notebook shows too
    html += "".join(c.svg for c in summarise_for_letter(audit_results(loaded.audit)).charts)
    labels = [lab for svg in re.findall(r"<svg\b.*?</svg>", html, re.S) for lab in _labels_on_bars(svg)]
    assert labels  # the audit's stacked bars carry their counts
    poor = [(t, fg, bg, round(contrast_ratio(fg, bg), 2)) for t, fg, bg in labels if contrast_ratio(fg, bg) < 4.5]
    assert poor == []


def test_label_colour_picks_the_readable_one() -> None:
    for colour in [*PALETTE[1:], "#D55E00", "#BBBBBB"]:
        assert contrast_ratio(label_colour(colour), colour) >= 4.5
    assert label_colour("#0072B2") == "#ffffff" and label_colour("#D55E00") == "#000000"
    assert round(contrast_ratio("#ffffff", "#D55E00"), 2) == 3.87
