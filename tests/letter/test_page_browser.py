"""The demo letters in headless Chromium: no sideways scrolling on a 400 px phone, chart text at
least 11 px at the letter's width."""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from toolkit.build.pdf import CHROMIUM_ARGS, chromium_path
from toolkit.letter.sections import build_letter
from toolkit.review import load_review

ROOT = Path(__file__).resolve().parents[2]
REVIEWS = ["harrowdene-2026", "kestrelmoor-2026", "brindleford-2026"]
SMALLEST_TEXT = """() => Math.min(...[...document.querySelectorAll('svg text')].map(t => {
  const svg = t.closest('svg');
  return parseFloat(getComputedStyle(t).fontSize) * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
}))"""

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")]


def _measure(pages: dict[str, Path]) -> dict[str, dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(profile, executable_path=chromium_path(), headless=True,
                                                        args=CHROMIUM_ARGS, offline=True)
        try:
            for name, path in pages.items():
                page = context.new_page()
                page.set_viewport_size({"width": 400, "height": 800})
                page.goto(path.as_uri())
                narrow = page.evaluate("document.documentElement.scrollWidth")
                page.set_viewport_size({"width": 1280, "height": 800})
                out[name] = {"scroll_width_at_400": narrow, "smallest_chart_text": page.evaluate(SMALLEST_TEXT)}
                page.close()
        finally:
            context.close()
    return out


@pytest.fixture(scope="module")
def measured() -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        pages = {}
        for name in REVIEWS:
            pages[name] = Path(folder) / f"{name}.html"
            pages[name].write_text(build_letter(load_review(ROOT / "params" / f"{name}.yaml")), encoding="utf-8")
        with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright's sync API in a thread of its own
            return pool.submit(_measure, pages).result()


@pytest.mark.parametrize("review", REVIEWS)
def test_no_sideways_scroll_on_a_400px_phone(measured: dict[str, dict[str, Any]], review: str) -> None:
    assert measured[review]["scroll_width_at_400"] <= 400


@pytest.mark.parametrize("review", REVIEWS)
def test_chart_text_is_at_least_11px_at_the_letters_width(measured: dict[str, dict[str, Any]], review: str) -> None:
    assert measured[review]["smallest_chart_text"] >= 11
