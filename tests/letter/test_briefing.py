"""The pre-visit briefing pack: built by papermill and nbconvert, read back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.paths import DEMO_PARAMS

from toolkit.letter.briefing import build_briefing
from toolkit.review import load_review

pytestmark = pytest.mark.slow


def test_briefing_lists_every_indicator_and_what_to_test(mini_perf: tuple[Path, dict[str, str], list[str]]) -> None:
    mini, la, _ = mini_perf
    res = subprocess.run([sys.executable, "-m", "toolkit.cli", "briefing", str(mini)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    html_path = mini.parents[1] / "reports" / "mini-review" / "briefing.html"
    html = html_path.read_text(encoding="utf-8")
    review = load_review(mini)
    assert html == build_briefing(review)  # nbconvert's page equals the in-process build
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title.string.startswith("Pre-visit briefing: Fenwick Cross")
    rows = soup.find("section", id="indicators").find("tbody").find_all("tr")
    assert len(rows) == len(review.performance.comparisons)
    flagged = [c for c in review.performance.with_values if c.band == "D" or c.trend.direction == "declining"]
    items = soup.find("section", id="to-test").find_all("li")
    assert len(items) == len(flagged)
    detail = soup.find("section", id="detail")  # a chart only for an unusual indicator
    assert len(detail.find_all("svg") if detail else []) == len(flagged)
    assert soup.find("script") is None and "from toolkit" not in html


def test_letter_and_briefing_share_a_report_folder(mini_perf: tuple[Path, dict[str, str], list[str]]) -> None:
    mini, _, _ = mini_perf
    for command in ("briefing", "draft"):
        res = subprocess.run([sys.executable, "-m", "toolkit.cli", command, str(mini)],
                             capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
    folder = mini.parents[1] / "reports" / "mini-review"
    assert sorted(p.name for p in folder.iterdir()) == [
        "briefing.html", "briefing.ipynb", "letter.html", "letter.ipynb", "manifest.json"]


#: Drafted through the CLI and a kernel: the follow-up (previous review, SEF, plan, timetable) and a
#: first review with a KLOE of its own; every demo is built in process below, as the kernel builds it.
THROUGH_A_KERNEL = ("harrowdene-2026", "brindleford-2026")


@pytest.mark.slow
def test_briefing_builds_for_every_demo_review(tmp_path: Path) -> None:
    chosen = [p for p in DEMO_PARAMS if p.stem in THROUGH_A_KERNEL]
    assert len(chosen) == len(THROUGH_A_KERNEL)
    res = subprocess.run([sys.executable, "-m", "toolkit.cli", "briefing", *map(str, chosen),
                          "--reports", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    for params in chosen:
        review = load_review(params)
        html = (tmp_path / review.review_id / "briefing.html").read_text(encoding="utf-8")
        assert html == build_briefing(review)  # the kernel's page is the in-process build
    for params in DEMO_PARAMS:
        review = load_review(params)
        title = BeautifulSoup(build_briefing(review), "html.parser").title
        assert title is not None and review.params.authority.name in title.string
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == sorted(
        load_review(p).review_id for p in chosen)
