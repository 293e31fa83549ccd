"""A follow-up review's Progress tab in a real browser: mark a previous item, then draft the letter
and read that status in its "Progress since the last peer challenge" section."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from bs4 import BeautifulSoup
from support.browser import AXE, TAGS
from support.capture import copy_follow_up, free_port, stop_server

from toolkit.capture.server import wait_until_listening

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

REVIEWER = "Lena Duarte"
EVIDENCE = "Waits for a first assessment have fallen from 19 to 14 weeks."


TAB_LABELS_CUT = """() => [...document.querySelectorAll('.pr-tabs .lm-TabBar-tab')].filter(tab => {
  const label = tab.querySelector('.lm-TabBar-tabLabel');
  return label.scrollWidth > label.clientWidth + 1 || label.scrollHeight > label.clientHeight + 1
    || tab.getBoundingClientRect().right > document.documentElement.clientWidth + 1;
}).map(tab => tab.textContent)"""


def test_mark_a_previous_item_in_chromium_then_the_letter_shows_it(tmp_path: Path, fresh_browser: Browser) -> None:
    from playwright.sync_api import expect

    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed")
    params_file = copy_follow_up(tmp_path)
    root = params_file.parents[1]
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.cli", "capture", str(params_file), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("Capture app: ")
        assert wait_until_listening("127.0.0.1", port, timeout=60)
        page = fresh_browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/?reviewer=Lena%20Duarte", timeout=90_000)
        page.wait_for_selector(".pr-f-statement textarea", timeout=90_000)
        page.get_by_role("tab", name="Progress since last review").click()
        item = page.locator(".pr-p-item-m1")
        expect(item.locator(".pr-p-now")).to_contain_text("not yet marked")
        item.locator(".pr-p-status button", has_text=re.compile("^Progressing$")).click()
        item.locator("button.pr-p-save").click()  # no evidence: refused in the form, nothing written
        expect(item.locator(".pr-p-msg .pr-msg-error")).to_contain_text("Evidence")
        capture = root / "data" / "mini-review" / "capture" / "progress_lena-duarte.csv"
        assert not capture.exists()
        item.locator(".pr-p-evidence textarea").fill(EVIDENCE)
        item.locator("button.pr-p-save").click()
        expect(item.locator(".pr-p-msg .pr-msg-ok")).to_contain_text("Saved: progressing")
        expect(item.locator(".pr-p-now")).to_contain_text("progressing (Lena Duarte)")
        assert "Traceback" not in page.content()

        # a reload finds the mark in the form
        page.reload(timeout=90_000)
        page.wait_for_selector(".pr-f-statement textarea", timeout=90_000)
        page.get_by_role("tab", name="Progress since last review").click()
        expect(page.locator(".pr-p-item-m1 .pr-p-status button.mod-active")).to_have_text("Progressing")
        expect(page.locator(".pr-p-item-m1 .pr-p-evidence textarea")).to_have_value(EVIDENCE)
        if AXE.is_file():  # the tab, marked and unmarked items both on it: no WCAG 2.2 AA violation
            page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            result = page.evaluate(
                "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
            assert len(result["passes"]) > 5  # axe really ran
            assert [f"{v['id']} ({v['impact']}): {v['help']}" for v in result["violations"]] == []
        page.set_viewport_size({"width": 810, "height": 1080})  # an iPad: the sixth tab's long label whole
        page.wait_for_function("() => document.documentElement.clientWidth <= 810")
        assert page.evaluate(TAB_LABELS_CUT) == []
    finally:
        stop_server(proc)

    from toolkit.build.render import draft

    before = params_file.read_bytes()
    result = draft(params_file, root / "reports")
    assert params_file.read_bytes() == before  # nobody edited the parameters
    soup = BeautifulSoup(result.letter.read_text(encoding="utf-8"), "html.parser")
    row = soup.find("section", id="progress").find("tr", attrs={"data-id": "m1"})
    assert row["data-status"] == "progressing"
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells == ["Progressing", EVIDENCE]
