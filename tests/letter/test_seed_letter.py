"""A real published letter (``../shared/seeds/001_*.txt``), encoded in the documented input format,
comes out with its counts, dates, team and sources as that letter states them.

Only the seed's facts are used, never its sentences, and never its council's name: the review
is written at test time into a temporary folder outside the project, for a placeholder authority,
with placeholder findings (the real findings would be invented otherwise). The facts the test
checks are read from the seed itself, so a different seed would fail rather than pass quietly.
"""

from __future__ import annotations

import html as html_lib
import re

import pytest
import yaml
from support.paths import SHARED

from toolkit.letter.sections import build_letter
from toolkit.review import check

SEEDS = sorted((SHARED / "seeds").glob("001_*.txt"))
pytestmark = pytest.mark.skipif(not SEEDS, reason=f"seed letter 001 not found in {SHARED / 'seeds'} "
                                                  "(../shared is absent)")

PLACEHOLDER = "Placeholder Borough"  # never the real council's name

#: The seed's facts, as its text states them (checked against the seed below).
FACTS = {
    "letter_date": "February 2018",
    "people_met": "over 50",
    "findings_recorded": "over 130",
    "visit": ["2018-02-06", "2018-02-07"],
    "presentation": "2018-02-08",
    "programme": ("Children's Services Peer Challenge", 32, 3, "SEND", 6),
}


def _seed_text() -> str:
    return SEEDS[0].read_text(encoding="utf-8")


def _params() -> dict[str, object]:
    name, sequence, in_area, theme, themed = FACTS["programme"]
    return {
        "review_id": "seed-001",
        "authority": {"name": PLACEHOLDER, "ons_code": "E06009998"},
        "region": {"name": "Yorkshire and The Humber", "code": "E12000003"},
        "programme": {"name": name, "region_label": "Yorkshire and Humber Region", "sequence": sequence,
                      "authority_sequence": in_area, "theme": theme, "theme_sequence": themed},
        "visit": {"dates": FACTS["visit"], "presentation_date": FACTS["presentation"]},
        "letter_date": FACTS["letter_date"],
        "recipient": {"name": "Placeholder Director", "salutation": "Dear Director"},  # no address block
        "team": [
            {"name": "Lead Reviewer", "role": "Director of Children's Services", "organisation": "Council A",
             "lead": True},
            {"name": "Second Peer", "role": "Head of SEND", "organisation": "Council B"},
            {"name": "Health Peer", "role": "Designated Clinical Officer", "organisation": "Health Body C",
             "days": [2]},  # the seed's member present on day 2 only
        ],
        "coordinator": {"name": "Programme Coordinator", "role": "Programme Manager",
                        "organisation": "Regional Partnership"},
        "scope": {"requested": ["The response to the SEND reforms",
                                {"text": "The accuracy of the self-evaluation", "items": [
                                    "Leadership and management", "Governance", "EHCPs", "Voice"]}],
                  "custom_kloes": [{"id": "reforms", "title": "The response to the SEND reforms"},
                                   {"id": "leadership", "title": "Leadership and management"},
                                   {"id": "governance", "title": "Governance"},
                                   {"id": "ehcps", "title": "EHCPs and voice"}]},
        "people_met": FACTS["people_met"],
        "findings_recorded": FACTS["findings_recorded"],
        "activities": ["interviews", "focus groups", "visits to settings", "observation of meetings"],
        "groups_met": ["officers", "the Lead Member", "parent carers", "health colleagues"],
        "inputs": {"findings": ["data/findings_lead.csv"]},
        "opening": {"thanks": "We were glad to carry out"},
        "letter_style": "yorkshire-humber",
    }


FINDINGS = """kloe,kind,headline,statement,detail,evidence,reviewer
,strength,yes,Placeholder headline strength.,,documents,Lead Reviewer
,area for consideration,yes,Placeholder headline area.,,documents,Lead Reviewer
reforms,strength,,Placeholder strength on the reforms.,,documents,Lead Reviewer
leadership,strength,,Placeholder strength on leadership.,,documents,Lead Reviewer
governance,area for consideration,,Placeholder area on governance.,,documents,Second Peer
ehcps,strength,,Placeholder strength on plans.,,documents,Health Peer
"""


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> str:
    project = tmp_path_factory.mktemp("seed") / "proj"
    (project / "params").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "data" / "findings_lead.csv").write_text(FINDINGS, encoding="utf-8")
    params = project / "params" / "seed-001.yaml"
    params.write_text(yaml.safe_dump(_params(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    checked = check(params)
    assert not checked.errors, [str(e) for e in checked.errors]
    assert checked.review is not None
    text = re.sub(r"<[^>]+>", " ", build_letter(checked.review))
    return re.sub(r"\s+", " ", html_lib.unescape(text))


def test_the_facts_are_the_seeds() -> None:
    """The facts encoded are those the seed states (its words are not copied into the letter)."""
    seed = re.sub(r"<sup>(st|nd|rd|th)</sup>", r"\1", _seed_text())
    assert seed.lstrip().startswith(FACTS["letter_date"])
    flat = " ".join(seed.split())
    for fact in (r"over 50\b", r"over 130\b", r"\bthirty-second\b", r"\bthird\b", r"\bsixth\b",
                 r"Tuesday 6th February", r"Wednesday 7th February", r"Thursday 8th February 2018"):
        assert re.search(fact, flat), fact  # the facts, looked up one by one (no sentence copied here)
    assert "on day three" in seed and "managed and coordinated by" in seed
    assert "Dear " in seed and "Director of Children's Services" not in seed.split("Dear ")[0]  # no address block


def test_counts_as_the_seed_states_them(letter: str) -> None:
    assert "met over 50 people" in letter
    assert "recorded over 130 strengths and areas for consideration" in letter


def test_dates_as_the_seed_states_them(letter: str) -> None:
    assert "February 2018 Dear Director " in letter  # the month-only date, then no address block
    assert "Tuesday 6th and Wednesday 7th February 2018" in letter
    assert "presented its conclusions on Thursday 8th February 2018" in letter
    assert ("We were glad to carry out the thirty-second Yorkshire and the Humber Children's Services Peer "
            f"Challenge activity, the third to take place in {PLACEHOLDER} and the sixth with SEND as its focus.") in letter


def test_team_with_the_one_day_member(letter: str) -> None:
    assert "The team was led by Lead Reviewer, Director of Children's Services, Council A." in letter
    assert ("The other members of the team were Second Peer (Head of SEND, Council B) and, on day 2, Health Peer "
            "(Designated Clinical Officer, Health Body C).") in letter
    assert "managed and coordinated by Programme Coordinator, Programme Manager, Regional Partnership." in letter


def test_sources_as_the_seed_states_them(letter: str) -> None:
    """The seed names no data publication and no file: neither does the letter."""
    assert "Sources:" not in letter
    assert not re.search(r"(/tmp|/work|\.csv|\.yaml|\.xlsx)", letter)
    assert "Yorkshire and The Humber" not in letter and "Humber Region" not in letter
