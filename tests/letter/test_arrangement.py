"""The letter's sentence on how the findings are arranged is true for the review at hand: under
the headings of its scope, under a framework's questions, or both (toolkit.letter.arrangement)."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from support.kestrelmoor_2016 import kestrelmoor_2016, write
from support.paths import ROOT

from toolkit.inputs.frameworks import resolve_scope
from toolkit.inputs.params import load_params
from toolkit.letter.arrangement import Arrangement, arrangement
from toolkit.letter.sections import background_and_process
from toolkit.review import load_review

LETTER = ("opening", "process", "headlines", "kloes", "closing")


def _sentence(review: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", background_and_process(load_review(ROOT / "params" / f"{review}.yaml")).html))
    found = re.search(r"In all the team recorded[^\n]*", text)
    assert found, text
    return found.group(0)


def _arranged(tmp_path: Path, edit: Any, sections: tuple[str, ...] = LETTER) -> Arrangement:
    data = kestrelmoor_2016()
    edit(data)
    params = load_params(write(data, tmp_path / "x.yaml"))
    return arrangement(resolve_scope(params, ROOT, "x.yaml"), params.scope.requested, sections)


def test_kestrelmoor_names_the_2025_questions_and_its_own_heading() -> None:
    sentence = _sentence("kestrelmoor-2026")
    assert ("arranged under the questions of the Area SEND inspection framework (June 2025) and, where your "
            "scope asks about something they do not cover, under headings taken from your scope, after a section "
            "of headline strengths and areas for consideration.") in sentence
    assert "headings of your scope" not in sentence


def test_a_review_on_headings_of_its_own_says_so() -> None:
    assert _sentence("harrowdene-2025").endswith("arranged under the headings of your scope, after a section of "
                                                 "headline strengths and areas for consideration.")


def test_its_follow_up_on_send_2025_and_local_themes_says_both() -> None:
    assert "arranged under the questions of the Area SEND inspection framework (June 2025) and, where your scope " \
           "asks about something they do not cover, under headings taken from your scope" in _sentence("harrowdene-2026")


def test_the_questions_alone_with_an_item_no_section_answers(tmp_path: Path) -> None:
    def no_own(data: dict[str, Any]) -> None:
        data["scope"]["custom_kloes"] = []
    got = _arranged(tmp_path, no_own)
    assert got == Arrangement("arranged_questions", ("Local area SEND inspection framework (2016)",), False)


def test_the_questions_answering_every_item(tmp_path: Path) -> None:
    def linked(data: dict[str, Any]) -> None:
        data["scope"]["custom_kloes"] = []
        data["scope"]["requested"][1]["kloes"] = ["2016-assess-meet"]
        data["scope"]["requested"][2] = {"text": data["scope"]["requested"][2], "kloes": ["2016-assess-meet"]}
        data["scope"]["requested"][3] = {"text": data["scope"]["requested"][3], "kloes": ["2016-outcomes"]}
    assert _arranged(tmp_path, linked) == Arrangement(
        "arranged_questions", ("Local area SEND inspection framework (2016)",), True)


def test_two_frameworks_of_questions_are_both_named_and_themes_are_the_scopes(tmp_path: Path) -> None:
    def mixed(data: dict[str, Any]) -> None:
        data["scope"]["frameworks"] = ["send-2016", "send-2025", "local-themes"]
        data["scope"]["kloes"] = ["2016-identify", "2025-leadership", "lt-pfa"]
        data["scope"]["custom_kloes"] = []
    got = _arranged(tmp_path, mixed)
    assert got.key == "arranged_both" and got.frameworks == (
        "Local area SEND inspection framework (2016)", "Area SEND inspection framework (June 2025)")

    def themes(data: dict[str, Any]) -> None:
        data["scope"]["frameworks"] = ["local-themes"]
        data["scope"]["kloes"] = ["lt-governance", "lt-inclusion"]
    assert _arranged(tmp_path, themes).key == "arranged_scope"


def test_a_document_without_findings_sections_says_nothing_of_them(tmp_path: Path) -> None:
    assert not _arranged(tmp_path, lambda _data: None, ("opening", "process", "closing"))
    assert _arranged(tmp_path, lambda _data: None, ("purpose", "evidence")).key == "arranged_both"
