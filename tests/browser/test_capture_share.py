"""Share mode (``--host 0.0.0.0``) for people, in Chromium: without the token a plain page in our
words (never Jupyter's login), the API answers 403, and the token leaves the address bar once the
server has set its cookie, so a reload still works."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from test_capture_support import copy_mini, stop_server

from browser.test_capture_browser import CHROMIUM, _free_port
from toolkit.capture.server import wait_until_listening

pytestmark = pytest.mark.browser

LOAD = 90_000
OUR_WORDS = "This page needs the team's link"
JUPYTER_WORDS = ("Jupyter", "Password", "jupyter server list", "Token")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed")
    params_file = copy_mini(tmp_path_factory.mktemp("share"))
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.cli", "capture", str(params_file), "--host", "0.0.0.0",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        while not line.startswith("Access token"):
            line = proc.stdout.readline()
            assert line, "no access token printed"
        token = line.rsplit(" ", 1)[1].strip()
        assert wait_until_listening("127.0.0.1", port, timeout=60)
        yield port, token
    finally:
        stop_server(proc)


def _get(port: int, path: str) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.getheader("Location") or "", response.read().decode("utf-8", "replace")


def test_without_the_token_a_page_in_our_words_and_403_for_the_api(shared: tuple[int, str]) -> None:
    port, token = shared
    status, location, _ = _get(port, "/")
    assert status == 302 and location.startswith("/login")
    status, _, body = _get(port, "/login?next=%2F")
    assert status == 403 and OUR_WORDS in body
    assert not any(w in body for w in JUPYTER_WORDS) and "<form" not in body
    assert _get(port, "/?token=not-the-token")[0] == 302
    for path in ("/api/kernels", "/api/kernels/00000000-0000-0000-0000-000000000000", "/api/sessions"):
        assert _get(port, path)[0] == 403, path
    assert _get(port, f"/api/kernels?token={token}")[0] != 403


def test_a_reviewer_without_the_link_reads_our_page(shared: tuple[int, str], fresh_browser: object) -> None:
    from playwright.sync_api import expect

    port, _ = shared
    page = fresh_browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"http://127.0.0.1:{port}/", timeout=LOAD)
    expect(page.locator("h1")).to_have_text(OUR_WORDS)
    text = page.inner_text("body")
    assert not any(w in text for w in JUPYTER_WORDS)
    assert page.locator(".pr-reviewer").count() == 0
    page.close()


def test_the_token_leaves_the_address_bar_and_the_cookie_keeps_the_device_in(shared: tuple[int, str],
                                                                            fresh_browser: object) -> None:
    from playwright.sync_api import expect

    port, token = shared
    page = fresh_browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"http://127.0.0.1:{port}/?token={token}&reviewer=Lena%20Duarte", timeout=LOAD)
    page.locator(".pr-f-statement textarea").wait_for(timeout=LOAD)
    expect(page).to_have_url(re.compile(rf"^http://127\.0\.0\.1:{port}/\?reviewer=Lena(\+|%20)Duarte$"), timeout=LOAD)
    expect(page.locator("#pr-connection")).to_contain_text("Connected", timeout=LOAD)
    page.fill(".pr-f-statement textarea", "Recorded over the venue network.")
    page.select_option(".pr-f-kloe select", index=1)
    page.check(".pr-f-ev-visit input")
    page.click("button.pr-f-save")
    expect(page.locator(".pr-f-msg .pr-msg-ok")).to_contain_text("Saved", timeout=30_000)
    assert token not in page.inner_text("body")
    page.reload(timeout=LOAD)  # no token in the address any more: the cookie lets the device in
    expect(page.locator(".pr-f-list select")).to_contain_text("Recorded over the venue network.", timeout=LOAD)
    page.close()
