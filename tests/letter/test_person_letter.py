"""A letter written by a person comes out of the toolkit with the same sections and findings.

``tests/fixtures/person_letter/letter.txt`` is a peer-challenge letter written by hand in the form
real letters take (headline strengths and areas for consideration, then a numbered section per
line of enquiry with its strengths and areas for consideration, each finding a lead sentence and
its detail). The same review is encoded beside it in the toolkit's input formats, as
docs/inputs.md documents them: the parameters file with the letter's sections as custom KLOEs, and
two reviewers' findings files holding the findings in scrambled order with ``order`` numbers,
headline flags (one headline carries a KLOE) and two findings the team excluded.

The test reads the hand-written letter and the drafted HTML independently and requires the same
sections, in the same order, holding the same findings of the same kind in the same order.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from toolkit.build.render import draft

pytestmark = pytest.mark.slow  # drafts through a kernel

FIXTURE = Path(__file__).parents[1] / "fixtures" / "person_letter"
HEADLINES = "Headlines"
KINDS = {"strengths": "strength", "areas for consideration": "area for consideration"}

Finding = tuple[str, str, str]  # kind, lead sentence, detail
Sections = list[tuple[str, list[Finding]]]


def read_written_letter(path: Path) -> Sections:
    """The sections and findings of the hand-written letter (plain text, blank-line paragraphs)."""
    sections: Sections = []
    kind = None
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        text = " ".join(block.split())
        lowered = text.casefold()
        if lowered in ("headline strengths", "headline areas for consideration"):
            if not sections or sections[-1][0] != HEADLINES:
                sections.append((HEADLINES, []))
            kind = KINDS[lowered.removeprefix("headline ")]
        elif (heading := re.fullmatch(r"\d+\. (.+)", text)) is not None:
            sections.append((heading.group(1), []))
            kind = None
        elif lowered in KINDS:
            kind = KINDS[lowered]
        elif lowered == "next steps":
            break
        elif sections and kind is not None:
            lead, _, detail = text.partition(". ")
            sections[-1][1].append((kind, lead + ".", detail))
    return sections


def read_drafted_letter(html: str) -> Sections:
    """The same structure read from the letter's HTML: the headlines, then each KLOE section."""
    soup = BeautifulSoup(html, "html.parser")
    sections: Sections = []
    for section in soup.select("section#headlines, section.kloe"):
        if section.get("id") == "headlines":
            title = HEADLINES
        else:
            title = re.sub(r"^[\d.]+\s+", "", section.find("h3").get_text(" ", strip=True))
        findings: list[Finding] = []
        kind = None
        for node in section.find_all(["h4", "p", "li"]):
            if node.name == "h4":
                kind = KINDS[node.get_text(strip=True).casefold()]
            elif "finding" in (node.get("class") or []):
                lead = node.find("strong").get_text(" ", strip=True)
                full = " ".join(node.get_text(" ").split())
                detail = full[len(lead):].strip()
                assert node.get("data-kind") == kind
                findings.append((kind, lead, detail))
        sections.append((title, findings))
    return sections


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Sections, Sections]:
    project = tmp_path_factory.mktemp("person") / "proj"
    shutil.copytree(FIXTURE, project)
    result = draft(project / "params" / "saltmere-2025.yaml", project / "reports")
    return read_written_letter(FIXTURE / "letter.txt"), read_drafted_letter(result.letter.read_text(encoding="utf-8"))


def test_the_written_letter_is_read_as_expected(both: tuple[Sections, Sections]) -> None:
    written, _ = both
    assert [title for title, _ in written] == [HEADLINES, "Identifying needs early", "The quality of EHC plans",
                                               "Preparing young people for adulthood"]
    assert sum(len(f) for _, f in written) == 12


def test_same_sections_in_the_same_order(both: tuple[Sections, Sections]) -> None:
    written, drafted = both
    assert [title for title, _ in drafted] == [title for title, _ in written]


def test_same_findings_in_the_same_places(both: tuple[Sections, Sections]) -> None:
    written, drafted = both
    for (title, want), (_, got) in zip(written, drafted, strict=True):
        assert got == want, title


def test_excluded_findings_and_headline_kloes_stay_out_of_the_sections(both: tuple[Sections, Sections]) -> None:
    _, drafted = both
    leads = [lead for _, findings in drafted for _, lead, _ in findings]
    assert "The local offer website is easy to search." not in leads  # include = no
    assert "Transport to college is sometimes late." not in leads
    assert leads.count("Make sure what families are told about waiting times matches what they experience.") == 1
