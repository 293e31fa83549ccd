"""letter.pdf: printed by Debian's Chromium, A4, "Page X of Y", DRAFT on every page of a draft, no
page ending in a heading, title and language set, the same bytes twice; skipped without Chromium."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import time
from pathlib import Path

import psutil
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from support.paths import EditParams

from toolkit.build.manifest import DOCX_NAME
from toolkit.build.pdf import (
    CHROMIUM_ENV,
    DRAFT_MARK,
    PDF_NAME,
    PdfPrinter,
    chromium_path,
    letter_pdf,
    stable_pdf,
)
from toolkit.build.render import draft, draft_banner
from toolkit.build.verify import verify
from toolkit.cli import main
from toolkit.letter.sections import build_letter
from toolkit.review import Review, load_review

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "params" / "harrowdene-2026.yaml"

needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="pdftotext (poppler-utils) is not installed")


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def _info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def _collapse(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def demo() -> Review:
    return load_review(DEMO)


@pytest.fixture(scope="module")
def demo_html(demo: Review) -> str:
    return build_letter(demo)


@pytest.fixture(scope="module")
def demo_pdf(demo: Review, demo_html: str) -> bytes:
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed")
    return letter_pdf(demo_html, draft=draft_banner(demo_html), when=demo.params.letter_date)


def test_stable_pdf_fixes_the_dates_and_the_id_in_as_many_bytes() -> None:
    raw = (b"%PDF-1.4\n<</Title (x)\n/CreationDate (D:20261202035316+01'00')\n"
           b"/ModDate (D:20261202035317+01'00')>>\ntrailer\n<</ID [<0A1B2C> <3D4E5F>]>>\n")
    fixed = stable_pdf(raw, dt.date(2026, 2, 19))
    assert len(fixed) == len(raw)
    assert b"/CreationDate (D:20260219000000+00'00')" in fixed and b"/ModDate (D:20260219000000+00'00')" in fixed
    assert b"/ID [<000000> <000000>]" in fixed


def test_draft_banner_is_read_from_the_page(demo_html: str) -> None:
    assert draft_banner(demo_html) == "Draft for the review team: check every statement before this letter is sent."
    assert draft_banner(demo_html.replace('class="draft-banner"', 'class="x"')) is None


@pytest.mark.browser
@needs_chromium
@needs_pdftotext
def test_every_page_numbered_and_marked_draft(demo_pdf: bytes, tmp_path: Path) -> None:
    pages = _pages(demo_pdf, tmp_path)
    n = len(pages)
    assert n > 5
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {n}" in page
        assert page.lstrip().startswith(DRAFT_MARK)
    assert "Draft for the review team" in pages[0].split(DRAFT_MARK, 1)[1]  # the banner too, not only the header


@pytest.mark.browser
@needs_chromium
@needs_pdftotext
def test_a4_title_language_and_tags(demo: Review, demo_pdf: bytes, demo_html: str, tmp_path: Path) -> None:
    info = _info(demo_pdf, tmp_path)
    title = BeautifulSoup(demo_html, "html.parser").title
    assert title is not None and info["Title"] == title.get_text(strip=True)
    assert info["Tagged"] == "yes"
    assert "(A4)" in info["Page size"]
    assert b"/Lang (en-GB)" in demo_pdf
    date = demo.params.letter_date.strftime("%Y%m%d").encode()  # the letter's date, not the day of printing
    assert b"/CreationDate (D:" + date + b"000000" in demo_pdf and b"/ModDate (D:" + date + b"000000" in demo_pdf


@pytest.mark.browser
@needs_chromium
@needs_pdftotext
def test_no_page_ends_in_a_heading(demo_pdf: bytes, demo_html: str, tmp_path: Path) -> None:
    main_tag = BeautifulSoup(demo_html, "html.parser").find("main")
    headings = [_collapse(h.get_text(" ")) for h in main_tag.find_all(["h1", "h2", "h3", "h4"])]
    pages = _pages(demo_pdf, tmp_path)
    for number, page in enumerate(pages, start=1):
        body = _collapse(re.sub(rf"Page {number} of {len(pages)}", "", page))
        assert not any(body.endswith(h) for h in headings), f"page {number} ends in a heading"


@pytest.mark.browser
@needs_chromium
def test_the_same_page_prints_to_the_same_bytes(demo: Review, demo_html: str, demo_pdf: bytes) -> None:
    assert letter_pdf(demo_html, draft=draft_banner(demo_html), when=demo.params.letter_date) == demo_pdf


@pytest.mark.browser
@needs_chromium
def test_a_printer_started_before_the_page_prints_the_same_bytes(demo: Review, demo_html: str, demo_pdf: bytes) -> None:
    printer = PdfPrinter()  # as a draft starts it, beside the kernel
    assert printer.print(demo_html, draft=draft_banner(demo_html), when=demo.params.letter_date).result() == demo_pdf


@pytest.mark.browser
@needs_chromium
def test_a_printer_given_no_page_leaves_no_browser_running() -> None:
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    printer = PdfPrinter()
    time.sleep(0.5)
    printer.cancel()
    left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before and p.is_running()
            and p.status() != psutil.STATUS_ZOMBIE]
    assert left == []


@pytest.mark.browser
@needs_chromium
@needs_pdftotext
def test_a_final_letter_prints_without_draft_marking(demo: Review, tmp_path: Path) -> None:
    final = dataclasses.replace(demo, params=demo.params.model_copy(update={"final": True}))
    html = build_letter(final)
    assert draft_banner(html) is None
    pages = _pages(letter_pdf(html, draft=None, when=final.params.letter_date), tmp_path)
    assert not any(DRAFT_MARK in page or "Draft for the review team" in page for page in pages)
    assert f"Page 1 of {len(pages)}" in pages[0]


@pytest.mark.slow
def test_without_chromium_draft_writes_the_rest_and_says_how_to_get_it(mini: Path, edit_params: EditParams, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    edit_params(mini, lambda d: d.update(outputs=["html", "docx", "pdf"]))
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-chromium-here"))
    result = CliRunner().invoke(main, ["draft", str(mini)])
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stderr.splitlines() if PDF_NAME in line]
    assert len(notes) == 1 and "apt-get install chromium" in notes[0]
    folder = mini.parents[1] / "reports" / "mini-review"
    assert (folder / "letter.html").is_file() and (folder / DOCX_NAME).is_file()
    assert not (folder / PDF_NAME).exists()


@pytest.mark.slow
@pytest.mark.browser
@needs_chromium
def test_draft_writes_every_format_and_verify_finds_them_identical(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d.update(outputs=["html", "docx", "pdf"]))
    result = draft(mini)
    assert set(result.written) >= {"letter.html", "letter.ipynb", DOCX_NAME, PDF_NAME, "manifest.json"}
    assert (result.folder / PDF_NAME).read_bytes().startswith(b"%PDF-")
    checked = verify(result.folder)
    assert checked.identical, checked.lines()
    edit_params(mini, lambda d: d.update(outputs=["html"]))
    again = draft(mini)  # outputs no longer asked for are not left behind, stale
    assert not (again.folder / PDF_NAME).exists() and not (again.folder / DOCX_NAME).exists()
