"""Write docs/letter.png, the README's picture of a demo letter's opening, with Debian's chromium.

    .venv/bin/peer-review draft params/kestrelmoor-2026.yaml
    .venv/bin/python scripts/letter_picture.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
LETTER = ROOT / "reports" / "kestrelmoor-2026" / "letter.html"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic"]


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None or not LETTER.is_file():
        print("needs Debian's chromium and a drafted reports/kestrelmoor-2026/letter.html", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(profile, executable_path=chromium, headless=True, args=ARGS,
                                                        viewport={"width": 900, "height": 1300})
        page = context.new_page()
        page.goto(LETTER.as_uri())
        page.screenshot(path=str(ROOT / "docs" / "letter.png"))
        context.close()
    print(ROOT / "docs" / "letter.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
