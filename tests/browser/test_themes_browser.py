"""The themes report in Chromium: WCAG 2.2 AA by axe-core, and nothing fetched from outside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.paths import ROOT

from toolkit.analysis.round_themes import themes_data
from toolkit.letter.themes_report import build_page
from toolkit.round import load_round

pytestmark = [pytest.mark.browser]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def themes_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page = tmp_path_factory.mktemp("themes") / "themes.html"
    page.write_text(build_page(themes_data(load_round([ROOT / "params"], "demo"))), encoding="utf-8")
    return page


def test_themes_page_has_no_wcag_violations(browser: Any, themes_page: Path) -> None:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (make test runs npm install)")
    page = browser.new_page()
    page.goto(themes_page.as_uri())
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    problems = [f"{v['id']}: {v['help']} ({len(v['nodes'])} elements, e.g. {v['nodes'][0]['target']})"
                for v in result["violations"]]
    assert problems == []
    assert len(result["passes"]) > 10  # axe really ran its rules
    page.close()


def test_themes_page_fetches_nothing(browser: Any, themes_page: Path) -> None:
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(themes_page.as_uri(), wait_until="load")
    assert requested == [themes_page.as_uri()]
    assert page.locator("svg[role=img]").count() >= 4  # the indicator charts are there, inline
    page.close()
