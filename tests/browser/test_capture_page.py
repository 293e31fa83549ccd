"""The capture app's page in Chromium, one server for the module: nothing fetched from outside the
machine, axe-core finds no WCAG 2.2 AA violation on any tab at any scroll position on a laptop
(1280), an iPad (810) or a phone (390), nothing is cut off on a phone, a tablet or a laptop
screen (tab labels, the findings list, "Start as ..."), and the findings list serves the evening's
work.

Screenshots of every tab at both sizes are kept in ``reports/test-artefacts/capture/``.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from support.browser import AXE, CHROMIUM, TAGS, serve
from support.capture import ROOT, children, copy_mini, free_port, process_tree, stop_server

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page

pytestmark = pytest.mark.browser

LOAD = 90_000
TABS = ("Findings", "Checklist", "Coverage", "Refine (team)", "EHCP audit")
TABS_OPENED = 10
SIZES = {"phone": (390, 844), "tablet": (768, 1024), "laptop": (1366, 768)}
#: The rules whose outcome depends on what is on the screen and how wide it is: run at every scroll
#: position of every width (the whole WCAG 2.2 AA set runs at the top of each tab on the phone,
#: where the layout is tightest).
ON_SCREEN = ["color-contrast", "target-size", "scrollable-region-focusable"]
AXE_WIDTHS = {"laptop": (1280, 800), "ipad": (810, 1080), "phone": (390, 844)}
FULL_AT = "phone"
ARTEFACTS = ROOT / "reports" / "test-artefacts" / "capture"


SERVER: dict[str, int] = {}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    params_file = copy_mini(tmp_path_factory.mktemp("page"))
    port = free_port()
    proc = serve(params_file, port)
    SERVER["cli"] = proc.pid
    try:
        yield f"http://127.0.0.1:{port}/", params_file
    finally:
        stop_server(proc)


def _server_tree() -> list[int]:
    [voila] = children(SERVER["cli"])
    return process_tree(voila)


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


@pytest.fixture(scope="module")
def app_page(served: tuple[str, Path], browser: BrowserContext) -> Iterator[tuple[Page, list[str]]]:
    """One page of the app, started as Lena Duarte, and every URL it asked for."""
    url, _ = served
    asked: list[str] = []
    page = browser.new_page()
    page.on("request", lambda r: asked.append(r.url))
    page.goto(url, timeout=LOAD)
    page.select_option(".pr-reviewer select", label="Lena Duarte", timeout=LOAD)
    page.click("button.pr-start")
    page.locator(".pr-f-statement textarea").wait_for(timeout=LOAD)
    yield page, asked
    page.close()


def _tab(page: Page, name: str) -> Locator:
    from playwright.sync_api import expect

    tab = page.get_by_role("tab", name=name)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    panel = page.locator(".pr-tabs .widget-tab-contents > :not(.lm-mod-hidden)")
    expect(panel).to_have_count(1)
    return panel


def test_no_request_leaves_the_machine(app_page: tuple[Page, list[str]], served: tuple[str, Path]) -> None:
    page, asked = app_page
    for name in TABS:
        _tab(page, name)
    _tab(page, "Findings")
    origin = urlsplit(served[0]).netloc
    outside = sorted({u for u in asked if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                      and urlsplit(u).netloc != origin})
    assert outside == []
    assert any("/static/capture.js" in u for u in asked)  # our page template served the page


SCROLLER = """() => {
  // what scrolls the app: Voila's lab page scrolls a panel of its own, not the document
  const app = document.querySelector('.pr-app');
  for (let el = app; el; el = el.parentElement) {
    const cs = getComputedStyle(el);
    if (['auto', 'scroll'].includes(cs.overflowY) && el.scrollHeight > el.clientHeight + 1) {
      el.setAttribute('data-test-scroller', '');
      return true;
    }
  }
  return false;
}"""
SCROLL_TO = """(y) => {
  const el = document.querySelector('[data-test-scroller]') || document.scrollingElement;
  el.scrollTop = y;
  return [el.scrollTop, el.scrollHeight, el.clientHeight];
}"""


def _scroll_positions(page: Page) -> Iterator[int]:
    """Scroll the app from top to bottom, a screen (less an overlap) at a time."""
    page.evaluate("() => document.querySelectorAll('[data-test-scroller]').forEach(e => e.removeAttribute('data-test-scroller'))")
    page.evaluate(SCROLLER)
    y = 0
    while True:
        top, height, shown = page.evaluate(SCROLL_TO, y)
        yield top
        if top + shown >= height - 1:
            page.evaluate(SCROLL_TO, 0)
            return
        y = top + max(shown - 100, 100)


def test_axe_finds_no_violation_on_any_tab_at_any_scroll_position(app_page: tuple[Page, list[str]]) -> None:
    """The whole WCAG 2.2 AA set once per tab and width; contrast (which axe judges only for what is
    on the screen) at every scroll position: a collapsed accordion header far down the page counts."""
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (make test runs npm install)")
    page, _ = app_page
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    problems = []
    # the whole page with every rule at the top on a phone; elsewhere, what is on the screen (the open
    # tab and the banner) with the rules that depend on it
    run = "async ([tags, only]) => only ? await axe.run({include: [['.pr-tabs .widget-tab-contents > " \
          ":not(.lm-mod-hidden)'], ['#pr-connection']]}, {runOnly: {type: 'rule', values: only}}) : " \
          "await axe.run(document, {runOnly: {type: 'tag', values: tags}})"
    try:
        for size, (width, height) in AXE_WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            for name in TABS:
                _tab(page, name)
                for y in _scroll_positions(page):
                    full = y == 0 and size == FULL_AT
                    result = page.evaluate(run, [TAGS, None if full else ON_SCREEN])
                    assert result["passes"] or result["inapplicable"]  # axe really ran
                    problems += [f"{size} {name} at {y} px: {v['id']} ({v['impact']}): {v['help']} ({len(v['nodes'])} "
                                 f"elements, e.g. {v['nodes'][0]['target']})" for v in result["violations"]]
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
    _tab(page, "Findings")
    assert problems == [], "\n".join(problems)


PHONE = """() => {
  // on a narrow screen: tab labels cut, the findings list wider than its box, a name cut on its button,
  // a sticky banner taller than its line
  const out = [];
  const width = document.documentElement.clientWidth;
  for (const tab of document.querySelectorAll('.pr-tabs .lm-TabBar-tab')) {
    const label = tab.querySelector('.lm-TabBar-tabLabel');
    const r = tab.getBoundingClientRect();
    if (label.scrollWidth > label.clientWidth + 1 || label.scrollHeight > label.clientHeight + 1 || r.right > width + 1)
      out.push('tab label cut: ' + label.textContent);
  }
  const list = document.querySelector('.pr-f-list select');
  if (list.scrollWidth > list.clientWidth + 1 || list.getBoundingClientRect().right > width + 1)
    out.push('the findings list scrolls sideways: ' + list.scrollWidth + ' px in ' + list.clientWidth);
  const start = document.querySelector('.pr-start');
  if (start.scrollWidth > start.clientWidth + 1) out.push('cut: ' + start.textContent);
  const bar = document.querySelector('#pr-connection').getBoundingClientRect().height;
  if (bar > 64) out.push('the sticky banner is ' + Math.round(bar) + ' px tall');
  return out;
}"""


def test_a_phone_shows_whole_tab_labels_and_a_findings_list_without_sideways_scrolling(
        app_page: tuple[Page, list[str]]) -> None:
    """At 390 px, with the team's findings listed (long lines): every tab label whole, every line of
    the list wrapped inside it, "Start as <name>" whole, the sticky banner one line high or two."""
    from playwright.sync_api import expect

    page, _ = app_page
    _tab(page, "Findings")
    mine = page.locator(".pr-f-mine input")
    mine.uncheck()
    expect(page.locator(".pr-f-list select option")).not_to_have_count(0)
    try:
        for width, height in ((390, 844), (810, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_function("(w) => document.documentElement.clientWidth <= w", arg=width)
            assert page.evaluate(PHONE) == [], width
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
        mine.check()


CLIPPED = """() => {
  // a control, label or table running past the screen, or past an ancestor that clips it
  const width = document.documentElement.clientWidth;
  const out = [];
  const parts = '.pr-app input, .pr-app select, .pr-app textarea, .pr-app button, .pr-app label, .pr-app table, .pr-app .widget-html-content';
  for (const el of document.querySelectorAll(parts)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || el.closest('.lm-mod-hidden')) continue;
    let limit = width;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') {
        const box = a.getBoundingClientRect();
        limit = Math.min(limit, box.left + a.clientLeft + a.clientWidth);
      }
    }
    if (r.right > limit + 1 || r.left < -1) out.push((el.className || el.tagName).toString().slice(0, 50) + ' [' + (el.innerText || '').slice(0, 30) + '] right=' + Math.round(r.right) + ' limit=' + Math.round(limit));
  }
  if (document.documentElement.scrollWidth > width + 1) out.push('page scrolls sideways: ' + document.documentElement.scrollWidth);
  return out.slice(0, 10);
}"""


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_nothing_is_cut_off(app_page: tuple[Page, list[str]], size: str) -> None:
    page, _ = app_page
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    clipped = {}
    try:
        for name in TABS:
            _tab(page, name)
            found = page.evaluate(CLIPPED)
            if found:
                clipped[name] = found
            shot = ARTEFACTS / f"{size}-{name.split()[0].lower()}.png"
            page.screenshot(path=str(shot), full_page=True)
        _tab(page, "Findings")
        save = page.locator("button.pr-f-save")
        save.scroll_into_view_if_needed()
        box = save.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height  # the Save row fully on screen
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
    assert clipped == {}, clipped


def test_findings_list_filters_by_kloe_and_mine(app_page: tuple[Page, list[str]], served: tuple[str, Path]) -> None:
    """Beside the KLOE filter, "Only mine": unticked, the list shows the team's findings with their
    reviewers' names; another's finding picked is shown in full, not put in the form."""
    from playwright.sync_api import expect

    from toolkit.capture.store import open_review

    page, _ = app_page
    _tab(page, "Findings")
    _, scope, _ = open_review(served[1])
    coproduction = next(k.title for k in scope.kloes if k.id == "lt-coproduction")
    listing = page.locator(".pr-f-list select")
    mine = page.locator(".pr-f-mine input")
    expect(mine).to_be_checked()
    expect(listing).not_to_contain_text("Ruth Adeyemi | ")
    mine.uncheck()
    expect(listing).to_contain_text("Ruth Adeyemi | ")
    expect(listing).to_contain_text("Colin Marsh | ")
    page.select_option(".pr-f-filter select", label=coproduction)
    expect(listing.locator("option", has_text="Health visitors")).to_have_count(0)  # an identify finding
    ruth = listing.locator("option", has_text="Ruth Adeyemi | ").first
    expect(ruth).to_contain_text(coproduction)
    listing.select_option(label=ruth.inner_text())
    expect(page.locator(".pr-f-theirs")).to_contain_text("Ruth Adeyemi's finding")
    expect(page.locator(".pr-f-statement textarea")).to_have_value("")
    mine.check()
    expect(listing).not_to_contain_text("Ruth Adeyemi | ")
    expect(page.locator(".pr-f-theirs")).to_have_text("")
    page.select_option(".pr-f-filter select", index=0)


def _settled(count: int | None = None, timeout: float = 60.0) -> list[int]:
    """The server's processes once there are ``count`` of them (if given) and they and their memory
    have not changed for two seconds: a page taking the pre-heated kernel leaves the pool to be
    refilled (a kernel started a second later, which then runs the notebook), and a closed tab's
    kernel takes a moment to go."""
    deadline = time.monotonic() + timeout
    last: tuple[list[int], float] = ([], -1.0)
    steady_since = time.monotonic()
    while time.monotonic() < deadline:
        tree = _server_tree()
        mb = _rss_mb(tree)
        if tree != last[0] or abs(mb - last[1]) > max(1.0, 0.01 * mb) or (count is not None and len(tree) != count):
            last, steady_since = (tree, mb), time.monotonic()
        elif time.monotonic() - steady_since >= 2.0:
            return tree
        time.sleep(0.2)  # polling processes: no Playwright condition to wait on
    raise AssertionError(f"the server's processes did not settle (expected {count}): {last}")


def _kernel_ids() -> set[str]:
    """The ids of the server's running kernels, from their command lines (``-f .../kernel-<id>.json``;
    Voila serves no list of kernels)."""
    found = set()
    for pid in _server_tree():
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        found |= {m.group(1) for a in argv if (m := re.search(r"kernel-([0-9a-f-]{36})\.json$", a))}
    return found


def _page_kernel(page: Page) -> str:
    config = json.loads(page.locator("#jupyter-config-data").text_content() or "{}")
    return str(config["kernelId"])


def test_closed_tabs_release_their_kernels(app_page: tuple[Page, list[str]], served: tuple[str, Path],
                                          browser: BrowserContext) -> None:
    """Tabs opened and closed leave the server (Voila and its kernels) where it started: each closed
    tab shuts its kernel down (the page's script), so nothing waits for the cull.

    The steady state is Voila, the pre-heated kernel kept ready for the next page, and one kernel
    per open tab (here the module's page): a tab takes the pre-heated kernel and the pool is refilled.
    """
    from playwright.sync_api import expect

    url, _ = served
    start = _settled()
    start_mb = _rss_mb(start)
    for _ in range(TABS_OPENED):
        page = browser.new_page()
        page.goto(url + "?reviewer=Colin%20Marsh", timeout=LOAD)
        page.locator(".pr-f-statement textarea").wait_for(timeout=LOAD)
        expect(page.locator("#pr-connection")).to_contain_text("Connected", timeout=LOAD)
        _settled(len(start) + 1)  # its own kernel, and the pool refilled
        page.close(run_before_unload=True)  # as a person closes a tab: pagehide runs
    # within 30 s, below the cull (50 s idle after the close, checked every 10 s): the script released them
    end = _settled(len(start), timeout=30.0)
    assert _rss_mb(end) <= start_mb * 1.10


def test_a_preheated_kernel_serves_the_reviewer_its_page_asked_for(served: tuple[str, Path], browser: BrowserContext) -> None:
    """The kernel kept ready has run the notebook before any page asked for it; the page's
    ``?reviewer=`` still reaches it. A page asked for while the pool is being refilled gets a kernel
    of its own, with its reviewer too."""
    from playwright.sync_api import expect

    url, _ = served
    _settled()
    ready = _kernel_ids()
    pages = []
    for reviewer in ("Ruth Adeyemi", "Lena Duarte"):  # the second asked for at once: the pool is empty
        page = browser.new_page()
        page.goto(url + "?reviewer=" + reviewer.replace(" ", "%20"), timeout=LOAD)
        pages.append((page, reviewer))
    for page, reviewer in pages:
        expect(page.locator(".pr-app")).to_contain_text(f"Recording as {reviewer}", timeout=LOAD)
        expect(page.locator(".pr-reviewer select")).to_have_value(reviewer)
    first, second = (_page_kernel(p) for p, _ in pages)
    assert first in ready  # started before the page was asked for: the pre-heated kernel
    assert second not in ready and second != first
    for page, _ in pages:
        page.close(run_before_unload=True)


def test_chromium_is_debians() -> None:
    assert CHROMIUM is None or shutil.which("chromium") == CHROMIUM
