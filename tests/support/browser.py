"""What the real-browser tests share: Debian's Chromium, axe-core, and a capture server to drive."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from support.paths import ROOT
from toolkit.capture.server import wait_until_listening

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = shutil.which("chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
REVIEWER = "Lena Duarte"


def serve(params_file: Path, port: int) -> subprocess.Popen[str]:
    """``peer-review capture`` on a review, in a session of its own, once it listens."""
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.cli", "capture", str(params_file), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("Capture app: ")
    assert wait_until_listening("127.0.0.1", port, timeout=60)
    return proc


def start_recording(page: Page, url: str) -> None:
    """Open the capture app and start recording as the test reviewer."""
    page.goto(url, timeout=90_000)
    page.wait_for_selector(".pr-reviewer select", timeout=90_000)
    page.select_option(".pr-reviewer select", label=REVIEWER)
    page.click("button.pr-start")
    page.wait_for_selector(".pr-f-statement textarea", timeout=30_000)
