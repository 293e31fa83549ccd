"""The capture app when its server dies, in Chromium: never silent, and the typed text is kept.

A reviewer types a finding, the server and its kernel are killed with SIGKILL mid-sentence: Save
shows a clear message (never a button that does nothing); the server is restarted: the page says so
and offers a reload; after the reload the typed text is offered back from the browser and saves.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from support.browser import CHROMIUM, serve
from support.capture import alive, children, copy_mini, free_port, process_tree, stop_server

from toolkit.capture.store import open_review

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

TYPED = "Parent carers told us the local offer is hard to find and out of date"
LOAD = 90_000  # a first page renders its widgets once a kernel has started: slow on a loaded machine


def _kill_tree(cli_pid: int) -> list[int]:
    [voila] = children(cli_pid)
    server = process_tree(voila)
    for pid in server:  # Voila's process group, and each kernel's (they run in sessions of their own)
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    os.killpg(cli_pid, signal.SIGKILL)
    return server


def test_killed_server_shows_a_warning_keeps_the_text_and_offers_it_back(tmp_path: Path,
                                                                         fresh_browser: Browser) -> None:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import expect

    params_file = copy_mini(tmp_path)
    params, scope, root = open_review(params_file)
    findings_file = root / "data" / params.review_id / "capture" / "findings_lena-duarte.csv"
    port = free_port()
    url = f"http://127.0.0.1:{port}/?reviewer=Lena%20Duarte"
    cli = serve(params_file, port)
    server: list[int] = []
    context = fresh_browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, timeout=LOAD)
        statement = page.locator(".pr-f-statement textarea")
        statement.wait_for(timeout=LOAD)
        expect(page.locator("#pr-connection")).to_contain_text("Connected", timeout=LOAD)
        statement.press_sequentially(TYPED[:40])  # typed key by key, as a person does

        server = _kill_tree(cli.pid)
        cli.wait(20)
        statement.press_sequentially(TYPED[40:])  # still typing: the text stays in the page
        banner = page.locator("#pr-connection [role=alert]")
        expect(banner).to_contain_text("connection to the capture app is lost", timeout=30_000)
        page.click("button.pr-f-save")
        expect(banner).to_contain_text("Not saved")
        assert findings_file.read_text(encoding="utf-8").count("\n") == 1  # nothing reached the file

        cli = serve(params_file, port)  # the same server comes back: this page's kernel does not
        expect(banner).to_contain_text("was restarted", timeout=LOAD)
        page.click("#pr-connection button.pr-conn-reload")
        statement = page.locator(".pr-f-statement textarea")
        statement.wait_for(timeout=LOAD)
        offer = page.locator("#pr-kept")
        expect(offer).to_contain_text(TYPED[:60], timeout=LOAD)
        expect(page.locator("#pr-connection")).to_contain_text("Connected", timeout=LOAD)
        page.click("#pr-kept button.pr-conn-restore")
        expect(statement).to_have_value(TYPED)

        page.select_option(".pr-f-kloe select", index=1)
        page.check(".pr-f-ev-interview input")
        page.click("button.pr-f-save")
        expect(page.locator(".pr-f-msg .pr-msg-ok")).to_contain_text("Saved", timeout=30_000)
        assert TYPED in findings_file.read_text(encoding="utf-8")
        kept = page.evaluate("() => Object.keys(localStorage).map(k => localStorage.getItem(k)).join(' ')")
        assert TYPED not in kept  # saved: no longer kept in the browser
    finally:
        context.close()
        if cli.poll() is None:
            stop_server(cli)
        for pid in alive(server):
            os.kill(pid, signal.SIGKILL)


# Stands in for Voila's widgets failing to render on a page (voila#920): every form the page draws is
# taken out again, on as many first loads of the tab as the test fills in (counted in its sessionStorage).
HIDE_FORM = """
window.prFormWaitMs = 2000;
(function () {
  var loads = Number(sessionStorage.getItem("test-loads") || 0) + 1;
  sessionStorage.setItem("test-loads", String(loads));
  if (loads > %d) { return; }
  new MutationObserver(function () {
    document.querySelectorAll(".pr-app").forEach(function (el) { el.remove(); });
  }).observe(document, {childList: true, subtree: true});
})();
"""


def test_a_page_whose_form_never_appears_reloads_once_then_says_so(tmp_path: Path, fresh_browser: Browser) -> None:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import expect

    params_file = copy_mini(tmp_path)
    port = free_port()
    cli = serve(params_file, port)
    context = fresh_browser.new_context()
    try:
        context.add_init_script(HIDE_FORM % 2)  # the form fails on the first two loads of the tab
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/?reviewer=Lena%20Duarte", timeout=LOAD)
        banner = page.locator("#pr-connection [role=alert]")
        # the first load fails: the app reloads by itself; the second fails too: it says so, no loop
        expect(banner).to_contain_text("The form did not appear", timeout=LOAD)
        assert page.evaluate("() => sessionStorage.getItem('test-loads')") == "2"
        page.click("#pr-connection button.pr-conn-reload")  # the reviewer reloads: the form is there
        page.locator(".pr-f-statement textarea").wait_for(timeout=LOAD)
        assert page.evaluate("() => sessionStorage.getItem('test-loads')") == "3"
        expect(page.locator("#pr-connection")).to_contain_text("Connected", timeout=LOAD)
    finally:
        context.close()
        stop_server(cli)
