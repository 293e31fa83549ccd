"""The letter's inline charts in fewer bytes: the same drawing, every reference still resolved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.letter.charts import slim_svg
from toolkit.letter.sections import build_letter
from toolkit.review import load_review

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def svgs() -> list[str]:
    html = build_letter(load_review(ROOT / "params" / "harrowdene-2026.yaml"))
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def test_every_reference_resolves_within_its_chart(svgs: list[str]) -> None:
    assert len(svgs) == 2
    for svg in svgs:
        ids = set(re.findall(r'\sid="([^"]+)"', svg))
        refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))
        refs |= set(re.search(r'aria-labelledby="([^"]+)"', svg)[1].split())  # type: ignore[index]
        assert refs <= ids


def test_coordinates_rounded_and_no_layout_white_space(svgs: list[str]) -> None:
    for svg in svgs:
        tags = "".join(re.findall(r"<[^>]+>", svg))
        assert not re.search(r"\d\.\d{2,}", tags)
        assert "\n" not in svg and "rotate(-0 " not in svg
        assert "font-family" not in re.sub(r"<style.*?</style>", "", svg)


def test_text_nodes_are_left_as_they_are() -> None:
    svg = ('<svg id="a"><defs><style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style></defs>\n'
           ' <g id="x">\n  <path id="m1" d="M 0 0 \nL 0 3.500000 \n" style="stroke: #000"/>\n </g>\n'
           ' <use xlink:href="#m1" x="1.23456" y="2" style="stroke: #000"/>\n'
           ' <text style="font-size: 10px; font-family: \'DejaVu Sans\'; text-anchor: middle" x="1.0" y="2.25"'
           ' transform="rotate(-0 1.0 2.25)">12.345</text></svg>')
    out = slim_svg(svg)
    assert ">12.345</text>" in out
    assert '<path id="m1" d="M0 0L0 3.5" style="stroke:#000"/>' in out
    assert '<use href="#m1" x="1.2" y="2"/>' in out and "xlink" not in out
    assert 'id="x"' not in out and "<g>" not in out
    assert "text{font-family:'DejaVu Sans',sans-serif;font-size:11px}" in out
    assert '<text style="font-size:10px;text-anchor:middle" x="1.0" y="2.2">' in out
