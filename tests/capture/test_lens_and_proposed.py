"""send-2025's outcomes are a lens shown to reviewers (capture checklist, briefing), never a grade
in the letter; a strand marked ``status: proposed`` is shown as proposed in both."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from support.capture import copy_mini
from support.paths import ROOT

from toolkit.capture.app import CaptureApp
from toolkit.capture.store import open_review
from toolkit.inputs.frameworks import load_framework
from toolkit.letter.briefing import build_briefing
from toolkit.letter.sections import build_letter
from toolkit.review import load_review

LENS = load_framework("send-2025").lens
PROPOSED = "2025-reform-readiness"


def _mini_with_2025(tmp_path: Path) -> Path:
    """The small review with two strands of send-2025 added, one of them the proposed one."""
    path = copy_mini(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["scope"]["frameworks"].append("send-2025")
    data["scope"]["kloes"] += ["2025-leadership", PROPOSED]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _checklist(path: Path) -> CaptureApp:
    params, scope, root = open_review(path)
    return CaptureApp(params, scope, root, "Lena Duarte")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", BeautifulSoup(html, "html.parser").get_text(" "))


def test_the_send_2025_lens_is_three_outcomes() -> None:
    assert len(LENS) == 3 and all(LENS)


def test_the_checklist_shows_the_lens_and_marks_the_proposed_strand(tmp_path: Path) -> None:
    app = _checklist(_mini_with_2025(tmp_path))
    intro = app.checklist.widget.children[0].value
    assert 'class="pr-lens"' in intro and "Area SEND inspection framework (June 2025)" in intro
    assert all(outcome in _text(intro) for outcome in LENS) and "no grade" in intro
    titles = app.checklist.accordion.titles
    proposed = [t for t in titles if t.endswith(", proposed")]
    assert proposed == [f"Readiness for the reforms proposed in 2026 ({PROPOSED}), proposed"]
    page = app.checklist.accordion.children[titles.index(proposed[0])]
    assert "not yet law or inspection practice" in page.children[0].value
    others = [app.checklist.accordion.children[i] for i, t in enumerate(titles) if t not in proposed]
    assert not any("pr-proposed" in getattr(w, "value", "") for page in others for w in page.children)


def test_a_review_without_a_lens_shows_none(tmp_path: Path) -> None:
    app = _checklist(copy_mini(tmp_path))
    assert "pr-lens" not in app.checklist.widget.children[0].value
    assert not any(t.endswith(", proposed") for t in app.checklist.accordion.titles)


def test_the_briefing_shows_the_lens_and_the_proposed_strand(tmp_path: Path) -> None:
    soup = BeautifulSoup(build_briefing(load_review(_mini_with_2025(tmp_path))), "html.parser")
    prompts = soup.find("section", id="prompts")
    assert prompts is not None
    assert [li.get_text() for li in prompts.select("ul.lens li")] == LENS
    (heading,) = [h for h in prompts.find_all("h3") if "proposed" in h.get_text()]
    assert heading.get_text().endswith("Readiness for the reforms proposed in 2026 (proposed)")
    note = heading.find_next("p", class_="proposed")
    assert note is not None and "not yet law or inspection practice" in note.get_text()


def test_kestrelmoor_briefs_the_lens_and_its_letter_never_grades() -> None:
    review = load_review(ROOT / "params" / "kestrelmoor-2026.yaml")
    briefing = _text(build_briefing(review))
    assert all(outcome in briefing for outcome in LENS)
    letter = _text(build_letter(review)).casefold()
    for outcome in LENS:
        assert outcome.casefold() not in letter
    assert "positive experiences and outcomes" not in letter and "systemic failings" not in letter
