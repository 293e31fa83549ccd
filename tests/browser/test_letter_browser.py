"""The letter as a person sees it: in a real browser, on screen and printed to A4."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def letter_url(mini: Path) -> str:
    res = subprocess.run([sys.executable, "-m", "toolkit.cli", "draft", str(mini)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return (mini.parents[1] / "reports" / "mini-review" / "letter.html").as_uri()


def test_letter_reads_in_a_browser_and_prints_to_a4(browser: Browser, letter_url: str, tmp_path: Path) -> None:
    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(letter_url)
    assert errors == []
    assert requests == [letter_url]  # self-contained: nothing else is fetched
    assert page.title().startswith("Children's Services Peer Challenge: Fenwick Cross")
    h1 = page.locator("h1")
    assert h1.is_visible()
    assert page.locator("h3", has_text="Co-production and partnership").is_visible()
    # The escaped script shows as text and did not run.
    assert page.get_by_text("<script>alert(1)</script>", exact=False).count() == 1
    assert page.evaluate("document.scripts.length") == 0
    # The lead sentence of each finding is bold.
    weight = page.locator(".finding strong").first.evaluate("e => getComputedStyle(e).fontWeight")
    assert int(weight) >= 700
    # Body text is at least 16px and dark on white (WCAG contrast well above 4.5:1).
    assert page.locator("main p").first.evaluate("e => getComputedStyle(e).fontSize") == "16px"
    pdf = tmp_path / "letter.pdf"
    page.emulate_media(media="print")
    assert page.locator(".draft-banner").is_visible()  # a printed draft says it is one
    page.pdf(path=str(pdf), format="A4")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2
    page.close()
