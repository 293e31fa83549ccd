"""The capture app with the keyboard alone, in Chromium: Tab, Shift+Tab, Enter, Space and the arrow
keys, never a click. A reviewer chooses their name, starts, writes a finding, picks its KLOE and an
evidence kind, saves it and reads "Saved". After every key press the focused control shows a focus
indicator (WCAG 2.4.7) and is on the screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from support.browser import CHROMIUM, serve
from support.capture import copy_mini, free_port, stop_server, store_for

from toolkit.capture.store import open_review

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

LOAD = 90_000
REVIEWER = "Colin Marsh"
STATEMENT = "Families can book short breaks online within a week."
MAX_PRESSES = 80  # a control further than this from the last one is not reachable in practice

FOCUS = """() => {
  // the focused element, and why its focus would not be seen ('' when it is)
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {where: 'body', problem: 'nothing focused'};
  const where = (el.tagName + '.' + (el.className || '') + '[' + (el.type || '') + (el.closest('.pr-app') ? '' : ', outside the app') + '] ' + (el.getAttribute('aria-label') || el.textContent || '')
                 .trim().slice(0, 30)).replace(/\\s+/g, ' ');
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) return {where, problem: 'focused but not displayed'};
  if (r.bottom < 0 || r.top > window.innerHeight || r.right < 0 || r.left > window.innerWidth)
    return {where, problem: 'focused off screen'};
  if (!el.matches(':focus-visible')) return {where, problem: 'not :focus-visible'};
  const cs = getComputedStyle(el);
  const ring = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1;
  const shadow = cs.boxShadow && cs.boxShadow !== 'none';
  return {where, problem: ring || shadow ? '' : 'no outline or shadow when focused'};
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    params_file = copy_mini(tmp_path_factory.mktemp("keyboard"))
    port = free_port()
    proc = serve(params_file, port)
    try:
        yield f"http://127.0.0.1:{port}/", params_file
    finally:
        stop_server(proc)


class Keyboard:
    """Key presses on a page, each followed by the focus check; every problem seen is kept."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        seen = self.page.evaluate(FOCUS)
        if seen["problem"]:
            self.problems.append(f"after {key}: {seen['where']}: {seen['problem']}")

    def on(self, selector: str) -> bool:
        return bool(self.page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector))

    def tab_to(self, selector: str, back: bool = False) -> None:
        """Tab (or Shift+Tab) until the control matching ``selector`` has the focus."""
        for _ in range(MAX_PRESSES):
            if self.on(selector):
                return
            self.press("Shift+Tab" if back else "Tab")
        raise AssertionError(f"{selector} not reached with {'Shift+' if back else ''}Tab; focus problems: {self.problems}")

    def arrow_to(self, selector: str, label: str) -> None:
        """With a focused <select>, ArrowDown until the option labelled ``label`` is chosen (ipywidgets
        writes the labels' spaces as no-break spaces)."""
        for _ in range(MAX_PRESSES):
            chosen = self.page.evaluate(
                "(s) => { const el = document.querySelector(s); return (el.options[el.selectedIndex]?.text || '').replace(/\\u00a0/g, ' '); }",
                selector)
            if chosen == label:
                return
            self.press("ArrowDown")
        raise AssertionError(f"option {label!r} not reached with the arrow keys in {selector}")


def test_a_finding_recorded_with_the_keyboard_alone(served: tuple[str, Path], fresh_browser: Browser) -> None:
    from playwright.sync_api import expect

    url, params_file = served
    _, scope, _ = open_review(params_file)
    kloe = scope.kloes[1]
    page = fresh_browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url, timeout=LOAD)
    page.locator(".pr-reviewer select").wait_for(timeout=LOAD)
    keys = Keyboard(page)

    keys.tab_to(".pr-reviewer select")
    keys.arrow_to(".pr-reviewer select", REVIEWER)
    # the button names the reviewer once the server has the choice (arrow presses are sent one by one)
    expect(page.locator("button.pr-start")).to_have_text(f"Start as {REVIEWER}")
    keys.tab_to("button.pr-start")
    keys.press("Enter")
    expect(page.locator(".pr-app")).to_contain_text(f"Recording as {REVIEWER}", timeout=LOAD)
    page.locator(".pr-f-statement textarea").wait_for(timeout=LOAD)

    keys.tab_to(".pr-f-kloe select")
    keys.arrow_to(".pr-f-kloe select", f"{kloe.title} ({kloe.id})")
    keys.tab_to(".pr-f-statement textarea")
    page.keyboard.type(STATEMENT)
    keys.tab_to(".pr-f-ev-visit input")  # past it, then back with Shift+Tab
    keys.press("Tab")
    keys.tab_to(".pr-f-ev-visit input", back=True)
    keys.press("Space")
    expect(page.locator(".pr-f-ev-visit input")).to_be_checked()
    keys.tab_to("button.pr-f-save")
    keys.press("Enter")

    expect(page.locator(".pr-f-msg .pr-msg-ok")).to_contain_text("Saved", timeout=30_000)
    expect(page.locator(".pr-f-list select")).to_contain_text(STATEMENT)
    assert keys.problems == [], "\n".join(keys.problems)
    [saved] = [f for f in store_for(params_file, REVIEWER).findings() if f.statement == STATEMENT]
    assert (saved.kloe, saved.evidence, saved.reviewer) == (kloe.id, ("visit",), REVIEWER)
    page.close()

