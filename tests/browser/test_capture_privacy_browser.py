"""In Chromium: a finding naming a child and their date of birth is refused in the page, and no file
under the review's capture folder (the journal included) ever holds the text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from support.browser import CHROMIUM, serve, start_recording
from support.capture import copy_mini, free_port, stop_server

from toolkit.capture.store import open_review
from toolkit.inputs.capture_layout import capture_folder

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

CHILD_TEXT = "Oliver Bennett, born 14/03/2015, waited a year for his plan."
BITS = ("Oliver", "Bennett", "14/03/2015")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium): no browser to drive")
    pytest.importorskip("playwright.sync_api")
    params_file = copy_mini(tmp_path)
    port = free_port()
    proc = serve(params_file, port)
    try:
        yield f"http://127.0.0.1:{port}/", params_file
    finally:
        stop_server(proc)


def _holding(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.is_file()
            and any(b in p.read_bytes().decode("utf-8", errors="replace") for b in BITS)]


def test_a_childs_name_and_birth_date_are_refused_in_the_page(served: tuple[str, Path], fresh_browser: Browser) -> None:
    from playwright.sync_api import expect

    url, params_file = served
    params, scope, root = open_review(params_file)
    folder = capture_folder(root, params.review_id)
    kloe_label = next(f"{k.title} ({k.id})" for k in scope.kloes if k.id == "lt-coproduction")
    page = fresh_browser.new_page()
    start_recording(page, url)
    page.fill(".pr-f-statement textarea", CHILD_TEXT)
    page.select_option(".pr-f-kloe select", label=kloe_label)
    page.check(".pr-f-ev-interview input")
    page.click("button.pr-f-save")
    error = page.locator(".pr-f-msg .pr-msg-error")
    expect(error).to_contain_text("Lead statement: This looks like a person's name and a date of birth, which a "
                                  "finding must not hold", timeout=30_000)
    shown = error.inner_text()
    assert not any(b in shown for b in BITS)
    assert page.input_value(".pr-f-statement textarea") == CHILD_TEXT  # the text stays in the form
    assert "Traceback" not in page.content()
    assert folder.is_dir() and _holding(folder) == []
    page.close()
