"""WCAG 2.2 AA checks of what people read (letter and briefing), by axe-core in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from support.browser import AXE, TAGS
from support.paths import DEMO_PARAMS

from toolkit.letter.briefing import build_briefing
from toolkit.letter.sections import build_letter
from toolkit.review import Review, load_review

pytestmark = [pytest.mark.browser]



@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (make test runs npm install)")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("build, demo", [(build_letter, -1), (build_briefing, -1), (build_letter, 0)],
                         ids=["letter", "briefing", "west-midlands-report"])
def test_demo_pages_have_no_wcag_violations(browser: Browser, axe_source: str, tmp_path: Path,
                                            build: Callable[[Review], str], demo: int) -> None:
    review = load_review(DEMO_PARAMS[demo])  # Kestrelmoor: findings, audit, performance, SEF; Brindleford: the report
    page_file = tmp_path / "page.html"
    page_file.write_text(build(review), encoding="utf-8")
    page = browser.new_page()
    page.goto(page_file.as_uri())
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    problems = [f"{v['id']}: {v['help']} ({len(v['nodes'])} elements, e.g. {v['nodes'][0]['target']})" for v in result["violations"]]
    assert problems == []
    assert len(result["passes"]) > 10  # axe really ran its rules
    page.close()
