"""Letter sections rendered in-process: styles, escaping, outline."""

from __future__ import annotations

import shutil
from pathlib import Path

from support.paths import AppendRows, EditParams

from toolkit.inputs.styles import STYLES_DIR
from toolkit.letter.sections import build_letter, outline
from toolkit.review import load_review, validate


def test_a_region_style_overrides_only_what_it_holds(mini: Path, edit_params: EditParams) -> None:
    style = mini.parents[1] / "styles" / "northern"
    style.mkdir(parents=True)
    shutil.copy(STYLES_DIR / "standard" / "document.yaml", style)  # a style lists its own sections
    (style / "closing.html.j2").write_text(
        '<section id="next-steps"><h2>{{ heads.next.number }}. Next steps</h2><p>Northern sign-off for {{ p.authority.name }}.</p></section>\n',
        encoding="utf-8")
    edit_params(mini, lambda d: d.update(letter_style="styles/northern"))
    html = build_letter(load_review(mini))
    assert "Northern sign-off for Fenwick Cross." in html
    assert "This was a review by peers, not an inspection." in html  # the rest still comes from the standard style


def test_unknown_style_is_reported(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d.update(letter_style="styles/missing"))
    problems = [str(e) for e in validate(mini)]
    assert len(problems) == 1
    assert problems[0].endswith("params/mini.yaml: letter_style: no letter style 'styles/missing': name a style shipped "
                                "in toolkit/styles/ or the path of a folder holding a style's templates or words.yaml")


def test_outline_numbers_sections_and_kloes(mini: Path) -> None:
    heads = [(h.number, h.title) for h in outline(load_review(mini))]
    assert heads[:4] == [("1", "Background"), ("2", "Process"), ("3", "Our findings"),
                         ("3.1", "Headline messages: strengths and areas for consideration")]
    assert heads[-1] == ("4", "Next steps")


def test_urgent_actions_section_appears_only_when_there_are_some(mini: Path, append_rows: AppendRows) -> None:
    assert "Recommended urgent actions" not in build_letter(load_review(mini))
    append_rows(mini.parents[1] / "data/mini/findings_marsh.csv",
                ["u1,,urgent action,no,Stop using part-time timetables without review.,Three schools use them for months.,data;visit,Colin Marsh,yes,,"])
    html = build_letter(load_review(mini))
    assert "<h2 id=\"urgent-h\">4. Recommended urgent actions</h2>" in html
    assert "5. Next steps" in html
    assert html.count("Stop using part-time timetables without review.") == 1


def test_a_headline_urgent_action_is_shown_once_among_the_headlines(mini: Path, append_rows: AppendRows) -> None:
    append_rows(mini.parents[1] / "data/mini/findings_marsh.csv",
                ["u1,,urgent action,yes,Stop using part-time timetables without review.,Three schools use them for months.,data;visit,Colin Marsh,yes,,"])
    html = build_letter(load_review(mini))
    head = html[html.index('<section id="headlines"'):]
    head = head[:head.index("</section>")]
    assert "<h4>Recommended urgent actions</h4>" in head
    assert "Stop using part-time timetables without review." in head
    assert html.count("Stop using part-time timetables without review.") == 1
    # the process paragraph's count and the letter agree; no empty urgent section
    assert "together with one recommended urgent action" in html
    assert 'id="urgent-h"' not in html


def test_a_region_style_can_rename_headings_and_the_banner(mini: Path, edit_params: EditParams) -> None:
    style = mini.parents[1] / "styles" / "northern"
    style.mkdir(parents=True)
    shutil.copy(STYLES_DIR / "standard" / "document.yaml", style)  # a style lists its own sections
    (style / "words.yaml").write_text(
        "headings:\n  next: What happens next\nletter_banner: 'Working draft & not for circulation'\n", encoding="utf-8")
    edit_params(mini, lambda d: d.update(letter_style="styles/northern"))
    html = build_letter(load_review(mini))
    assert "4. What happens next" in html
    assert "1. Background" in html  # the other headings still come from the standard style
    assert "Working draft &amp; not for circulation" in html
    assert "<title>Children&#39;s Services Peer Challenge: Fenwick Cross, February 2026</title>" in html
