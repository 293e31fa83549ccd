"""The letter as a PDF: ``letter.html`` printed by headless Chromium (Debian's package) through
Playwright's ``page.pdf``.

A4, with the letter's own print stylesheet (``@media print`` in the style's ``style.css``: no
heading left at a page foot, no table row, finding or chart split across pages), "Page X of Y"
in every footer and, while the letter is a draft, DRAFT and the banner's words in every header.
The PDF is tagged, so it carries the page's title and language (``en-GB``) and its headings.

Chromium writes the time of printing as the PDF's ``/CreationDate`` and ``/ModDate``; both are
replaced by the letter's date, written in the same number of bytes so the cross-reference table
stays true, and any ``/ID`` by a fixed one. Nothing else in Skia's PDF changes between runs, so
the same HTML gives the same bytes with the same Chromium.

Where Chromium (or Playwright) is missing, :func:`pdf_unavailable` says so in one line and the
build writes every other file.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import re
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from html import escape
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import PdfMargins

PDF_NAME = "letter.pdf"
#: Where Chromium is looked for: ``$PEER_REVIEW_CHROMIUM``, then ``chromium`` on the PATH.
CHROMIUM_ENV = "PEER_REVIEW_CHROMIUM"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]
INSTALL_HINT = "sudo apt-get install chromium (Debian's package), or make chromium"
_FONT = "font-family: Arial, 'Liberation Sans', Helvetica, sans-serif; font-size: 9pt; width: 100%; text-align: center;"
FOOTER = (f'<div style="{_FONT} color: #1b1b1b;">'
          'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')
DRAFT_MARK = "DRAFT"
_DATES = re.compile(rb"/(CreationDate|ModDate) \((D:[^)]*)\)")
_ID = re.compile(rb"/ID \[<([0-9A-Fa-f]+)> ?<([0-9A-Fa-f]+)>\]")
#: A part of the page for the screen only (the draft's "Check before sending" panel): print hides
#: it, and it is taken out of the HTML before printing besides.
SCREEN_ONLY = re.compile(r'<aside\b[^>]*\bclass="[^"]*\bscreen-only\b[^"]*"[^>]*>.*?</aside>\s*', re.S)


def printable(html: str) -> str:
    """The page without its screen-only parts."""
    return SCREEN_ONLY.sub("", html)


def chromium_path() -> str | None:
    """Debian's Chromium (or the one ``$PEER_REVIEW_CHROMIUM`` names), if installed."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named if os.access(named, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pdf_unavailable() -> str | None:
    """Why no PDF can be printed here (one line), or ``None`` when it can."""
    if chromium_path() is None:
        return f"{PDF_NAME} not written: Chromium is not installed ({INSTALL_HINT})"
    if find_spec("playwright") is None:
        return f"{PDF_NAME} not written: Playwright is not installed (pip install playwright)"
    return None


def header_template(draft: str | None) -> str:
    """DRAFT and the banner's words in red bold on every page of a draft; nothing once final."""
    if draft is None:
        return "<span></span>"
    words = f" \u2013 {escape(draft)}" if draft else ""
    return (f'<div style="{_FONT} color: #b01e0d; -webkit-print-color-adjust: exact;">'
            f"<b>{DRAFT_MARK}</b>{words}</div>")


def stable_pdf(data: bytes, when: dt.date) -> bytes:
    """The PDF with its dates set to ``when`` and a fixed ``/ID``, each in as many bytes as before."""
    stamp = when.strftime("%Y%m%d")

    def date(match: re.Match[bytes]) -> bytes:  # D:YYYYMMDDHHmmSS and an offset, same length
        old = match[2]
        digits = len(re.match(rb"D:(\d*)", old)[1])  # type: ignore[index]
        zone = re.sub(rb"\d", b"0", old[2 + digits:])
        return b"/" + match[1] + b" (D:" + f"{stamp}000000".encode()[:digits].ljust(digits, b"0") + zone + b")"

    def ident(match: re.Match[bytes]) -> bytes:
        return b"/ID [<" + b"0" * len(match[1]) + b"> <" + b"0" * len(match[2]) + b">]"

    return _ID.sub(ident, _DATES.sub(date, data))


def _launch(pw: Any, profile: str, executable: str) -> Any:
    return pw.chromium.launch_persistent_context(profile, executable_path=executable, headless=True,
                                                 args=CHROMIUM_ARGS, offline=True)


def _page_pdf(context: Any, html: str, draft: str | None) -> bytes:
    margin: PdfMargins = {"top": "20mm", "bottom": "20mm", "left": "18mm", "right": "18mm"}
    page = context.new_page()
    page.set_content(html, wait_until="load")
    data: bytes = page.pdf(format="A4", print_background=True, display_header_footer=True,
                           header_template=header_template(draft), footer_template=FOOTER, margin=margin,
                           tagged=True, outline=True)
    return data


def _print(html: str, draft: str | None, executable: str) -> bytes:
    from playwright.sync_api import sync_playwright  # 0.7 s to import: only when a PDF is printed

    with tempfile.TemporaryDirectory(prefix="peer-review-pdf-") as profile, sync_playwright() as pw:
        context = _launch(pw, profile, executable)
        try:
            return _page_pdf(context, html, draft)
        finally:
            context.close()


def letter_pdf(html: str, *, draft: str | None, when: dt.date) -> bytes:
    """Print the letter page to PDF bytes (see the module's notes); ``draft`` is the banner's
    words while the letter is a draft (``None`` once final), ``when`` the letter's date.

    Playwright's sync API refuses to run in a thread with a running event loop (a notebook's), so
    the printing runs in a thread of its own.
    """
    executable = chromium_path()
    if executable is None:
        raise RuntimeError(pdf_unavailable())
    with ThreadPoolExecutor(max_workers=1) as pool:
        data = pool.submit(_print, printable(html), draft, executable).result()
    return stable_pdf(data, when)


class PdfPrinter:
    """Chromium started before the page exists, in a thread of its own, then given the page.

    A draft starts one as it starts the kernel: Playwright's driver and Chromium's launch (about
    0.9 s) then overlap the notebook's run instead of following it. The browser, its fresh profile
    and the printing are exactly :func:`letter_pdf`'s, so the bytes are the same. One page per
    printer; :meth:`cancel` stops a printer that will not be given one.
    """

    def __init__(self) -> None:
        executable = chromium_path()
        if executable is None:
            raise RuntimeError(pdf_unavailable())
        self._pages: queue.Queue[tuple[str, str | None] | None] = queue.Queue()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="draft-pdf")
        self._printed = self._pool.submit(self._run, executable)
        self._given = False  # a page: it prints and ends by itself

    def _run(self, executable: str) -> bytes | None:
        from playwright.sync_api import sync_playwright  # 0.7 s to import: only when a PDF is printed

        with tempfile.TemporaryDirectory(prefix="peer-review-pdf-") as profile, sync_playwright() as pw:
            context = _launch(pw, profile, executable)
            try:
                job = self._pages.get()
                return None if job is None else _page_pdf(context, *job)
            finally:
                context.close()

    def print(self, html: str, *, draft: str | None, when: dt.date) -> Future[bytes]:
        """The PDF of ``html`` (as :func:`letter_pdf` prints it), when it is ready."""
        self._pages.put((printable(html), draft))
        self._given = True
        done: Future[bytes] = Future()

        def finish(printed: Future[bytes | None]) -> None:
            try:
                data = printed.result()
            except BaseException as exc:  # handed on to whoever waits for the PDF
                done.set_exception(exc)
            else:
                done.set_result(stable_pdf(data or b"", when))

        self._printed.add_done_callback(finish)
        self._pool.shutdown(wait=False)
        return done

    def cancel(self) -> None:
        """No page will come: close the browser (waits for it, so nothing is left running).
        Nothing once it was given a page (it prints, and ends, by itself)."""
        if self._given:
            return
        self._pages.put(None)
        self._pool.shutdown(wait=True)
