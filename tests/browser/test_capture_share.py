"""Share mode (``--host 0.0.0.0``) for people, in Chromium, over HTTPS: without the token a plain page
in our words (never Jupyter's login), the API answers 403, the token leaves the address bar once the
server has set its (Secure) cookie, so a reload still works; a reviewer's own link opens the app as
that reviewer only, and what they save is theirs whatever the address asks for."""

from __future__ import annotations

import http.client
import re
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from support.browser import CHROMIUM
from support.capture import copy_mini, free_port, stop_server

from toolkit.capture.server import wait_until_listening

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

LOAD = 90_000
OUR_WORDS = "This page needs the team's link"
JUPYTER_WORDS = ("Jupyter", "Password", "jupyter server list", "Token")


@dataclass
class Share:
    port: int
    token: str
    links: dict[str, str]  # reviewer: their own link
    params_file: Path
    cert: str


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Share]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    params_file = copy_mini(tmp_path_factory.mktemp("share"))
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.cli", "capture", str(params_file), "--host", "0.0.0.0",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline()]
        while not lines[-1].startswith("Stop it"):
            lines.append(proc.stdout.readline())
            assert lines[-1], f"the command ended early: {lines}"
        token = next(ln for ln in lines if ln.startswith("Access token")).rsplit(" ", 1)[1].strip()
        links = {ln.split(" (opens")[0].removeprefix("Link for "): ln.rsplit(" ", 1)[1].strip()
                 for ln in lines if ln.startswith("Link for ")}
        cert = next(ln for ln in lines if ln.startswith("HTTPS certificate")).rsplit(" ", 1)[1].strip()
        assert wait_until_listening("127.0.0.1", port, timeout=60)
        yield Share(port, token, links, params_file, cert)
    finally:
        stop_server(proc)


def _get(share: Share, path: str) -> tuple[int, str, str]:
    conn = http.client.HTTPSConnection("127.0.0.1", share.port, timeout=60,
                                       context=ssl.create_default_context(cafile=share.cert))
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.getheader("Location") or "", response.read().decode("utf-8", "replace")


def test_without_the_token_a_page_in_our_words_and_403_for_the_api(shared: Share) -> None:
    status, location, _ = _get(shared, "/")
    assert status == 302 and location.startswith("/login")
    status, _, body = _get(shared, "/login?next=%2F")
    assert status == 403 and OUR_WORDS in body
    assert not any(w in body for w in JUPYTER_WORDS) and "<form" not in body
    assert _get(shared, "/?token=not-the-token")[0] == 302
    for path in ("/api/kernels", "/api/kernels/00000000-0000-0000-0000-000000000000", "/api/sessions"):
        assert _get(shared, path)[0] == 403, path
    assert _get(shared, f"/api/kernels?token={shared.token}")[0] != 403


def test_a_reviewer_without_the_link_reads_our_page(shared: Share, fresh_browser: Browser) -> None:
    from playwright.sync_api import expect

    page = fresh_browser.new_page(ignore_https_errors=True)
    page.goto(f"https://127.0.0.1:{shared.port}/", timeout=LOAD)
    expect(page.locator("h1")).to_have_text(OUR_WORDS)
    text = page.inner_text("body")
    assert not any(w in text for w in JUPYTER_WORDS)
    assert page.locator(".pr-reviewer").count() == 0
    page.close()


def test_the_token_leaves_the_address_bar_and_the_cookie_keeps_the_device_in(shared: Share,
                                                                            fresh_browser: Browser) -> None:
    from playwright.sync_api import expect

    port, token = shared.port, shared.token
    context = fresh_browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    page.goto(f"https://127.0.0.1:{port}/?token={token}&reviewer=Lena%20Duarte", timeout=LOAD)
    page.locator(".pr-f-statement textarea").wait_for(timeout=LOAD)
    cookie = next(c for c in context.cookies() if c["name"].startswith("username-"))
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    expect(page).to_have_url(re.compile(rf"^https://127\.0\.0\.1:{port}/\?reviewer=Lena(\+|%20)Duarte$"), timeout=LOAD)
    expect(page.locator("#pr-connection")).to_contain_text("Connected", timeout=LOAD)
    page.fill(".pr-f-statement textarea", "Recorded over the venue network.")
    page.select_option(".pr-f-kloe select", index=1)
    page.check(".pr-f-ev-visit input")
    page.click("button.pr-f-save")
    expect(page.locator(".pr-f-msg .pr-msg-ok")).to_contain_text("Saved", timeout=30_000)
    assert token not in page.inner_text("body")
    page.reload(timeout=LOAD)  # no token in the address any more: the cookie lets the device in
    expect(page.locator(".pr-f-list select")).to_contain_text("Recorded over the venue network.", timeout=LOAD)
    context.close()


def test_a_reviewers_own_link_opens_the_app_as_them_only(shared: Share, fresh_browser: Browser) -> None:
    """Ruth's link, with an address asking for Colin: the app starts as Ruth, offers no other name,
    and her finding is saved in her file, not Colin's."""
    from playwright.sync_api import expect

    from toolkit.capture.store import open_review

    page = fresh_browser.new_page(ignore_https_errors=True)
    local = re.sub(r"^https://[^/]+/", f"https://127.0.0.1:{shared.port}/", shared.links["Ruth Adeyemi"])
    page.goto(local + "&reviewer=Colin%20Marsh", timeout=LOAD)
    page.locator(".pr-f-statement textarea").wait_for(timeout=LOAD)
    picker = page.locator(".pr-reviewer select")
    expect(picker).to_be_disabled()
    assert [t.replace("\xa0", " ") for t in picker.locator("option").all_inner_texts()[1:]] == ["Ruth Adeyemi"]
    expect(page.locator(".pr-app")).to_contain_text("Recording as Ruth Adeyemi")
    page.fill(".pr-f-statement textarea", "Saved through a reviewer's own link.")
    page.select_option(".pr-f-kloe select", index=1)
    page.check(".pr-f-ev-visit input")
    page.click("button.pr-f-save")
    expect(page.locator(".pr-f-msg .pr-msg-ok")).to_contain_text("Saved", timeout=30_000)
    params, _, root = open_review(shared.params_file)
    folder = root / "data" / params.review_id / "capture"
    assert "Saved through a reviewer's own link." in (folder / "findings_ruth-adeyemi.csv").read_text()
    assert "Saved through a reviewer's own link." not in (folder / "findings_colin-marsh.csv").read_text()
    page.close()
