"""The West Midlands report form read as a reader would, beside the region's published reports
(seed 003): Brindleford's demo report, built in-process."""

from __future__ import annotations

import copy
import csv
import dataclasses

import pytest
from bs4 import BeautifulSoup
from support.paths import ROOT

from toolkit.inputs.findings import Kind
from toolkit.letter.sections import build_letter
from toolkit.review import Review, load_review

BRINDLEFORD = ROOT / "params" / "brindleford-2026.yaml"
#: The published report's sections, in its order (the toolkit adds the audit, the data and the
#: area's self-evaluation after the evidence).
SEED_ORDER = ["Purpose of the review", "The review team", "Key lines of enquiry", "Methodology",
              "Services and settings involved", "Case files reviewed", "Acronyms used in this report",
              "Overall findings", "Recommended urgent actions", "Evidence by area", "Recommendations", "Next steps"]


@pytest.fixture(scope="module")
def report() -> tuple[Review, BeautifulSoup]:
    review = load_review(BRINDLEFORD)
    return review, BeautifulSoup(build_letter(review), "html.parser")


def _text(tag: object) -> str:
    assert tag is not None
    return tag.get_text(" ", strip=True)  # type: ignore[attr-defined, no-any-return]


def test_sections_in_the_published_order(report: tuple[Review, BeautifulSoup]) -> None:
    _, soup = report
    heads = [_text(h) for h in soup.find_all("h2") if not h.find_parent(class_=["screen-only", "appendix"])]
    assert [h for h in heads if h in SEED_ORDER] == SEED_ORDER
    assert heads.index("Evidence by area") < heads.index("The area's self-evaluation") < heads.index(
        "Recommendations")
    title = soup.select_one("header.title-page")
    assert title is not None and "Brindleford" in _text(title)
    # the prompts have an appendix of their own, before the figures
    appendices = [_text(s.find("h2")) for s in soup.select("section.appendix")]
    assert appendices == ["Appendix A: The points tested under each key line of enquiry",
                          "Appendix B: Further figures"]


def test_recommendations_are_the_teams_own_grouped_by_theme(report: tuple[Review, BeautifulSoup]) -> None:
    review, soup = report
    with (ROOT / "data/brindleford-2026/recommendations.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    section = soup.find("section", id="recommendations")
    themes = [_text(h) for h in section.find_all("h3")]
    titles = {k.id: k.title for k in review.scope.kloes}
    assert themes == list(dict.fromkeys(titles.get(r["theme"], r["theme"]) for r in rows))
    paragraphs = [_text(p) for p in section.select("div.recommendation > p[data-team-text]")]
    assert sorted(paragraphs) == sorted(" ".join(r["recommendation"].split()) for r in rows)
    statements = {f.statement for f in review.findings.included}
    assert not set(paragraphs) & statements  # never a copy of a finding
    helps = [_text(p) for p in section.select("p.help")]
    assert len(helps) == sum(1 for r in rows if r["help"]) and all(h.startswith("Who could help:") for h in helps)
    answered = {q["data-finding"] for q in section.select("p.answers q")}
    assert answered == {i.strip() for r in rows for i in r["findings"].split(";") if i.strip()}


def test_no_recommendations_says_so_and_never_copies_the_headlines(report: tuple[Review, BeautifulSoup]) -> None:
    review, _ = report
    bare = dataclasses.replace(review, recommendations=None)
    section = BeautifulSoup(build_letter(bare), "html.parser").find("section", id="recommendations")
    assert section.select("[data-finding]") == [] and section.select_one("p.none") is not None


def test_overall_findings_open_with_the_teams_view_signed(report: tuple[Review, BeautifulSoup]) -> None:
    review, soup = report
    overall = soup.find("section", id="overall")
    view = overall.select_one("div.overall-view")
    assert view is not None
    assert _text(view.find("p")) == " ".join((review.params.overall_view or "").split())
    assert _text(view.select_one("p.signed")) == "Helen Fairclough, Owen Pryce and Colette Daniels"
    # then each theme's headline findings, a line each, under the KLOE's title
    lines = {_text(li) for li in overall.select("ul.theme-summary li")}
    themed = {f.statement for k in Kind for f in review.findings.headlines(k) if f.kloe}
    assert lines == themed
    for f in review.findings.headlines(Kind.AREA):  # and in full under the evidence for its KLOE
        if f.kloe:
            assert soup.select_one(f'#kloe-{f.kloe} li.finding[data-finding="{f.id}"]') is not None


def test_the_visit_is_recorded(report: tuple[Review, BeautifulSoup]) -> None:
    review, soup = report
    settings = _text(soup.find("section", id="settings"))
    assert all(s in settings for s in review.params.settings_visited)
    assert "Observations and focus groups attended" in settings and "EHC needs assessment panel" in settings
    kloes = soup.find("section", id="kloe-list")
    for kloe, activities in review.params.explored_through.items():
        listed = [_text(li) for li in kloes.select(f'ul.explored[data-kloe="{kloe}"] li')]
        assert listed == activities
    assert "This was explored through:" in _text(kloes)
    urgent = soup.find("section", id="urgent")
    assert _text(urgent.select_one("p.none")) == "The team recommends no urgent actions."
    assert soup.find("section", id="sef") is not None


def test_scope_and_organisation_read_as_english(report: tuple[Review, BeautifulSoup]) -> None:
    _, soup = report
    purpose = soup.find("section", id="purpose")
    assert "The Midlands SEND Improvement Consortium arranged this review" in _text(purpose)
    lead_in = [p for p in purpose.find_all("p") if "asked the team" in _text(p)]
    assert [_text(p) for p in lead_in] == ["Brindleford asked the team:"]
    items = [li.find(string=True, recursive=False).strip() for li in purpose.select("ul.scope > li")]
    assert all(i.startswith("to ") for i in items)


def test_at_most_1500_words_of_its_own(report: tuple[Review, BeautifulSoup]) -> None:
    """The template's words around the team's (findings, recommendations, overall view, the SEF
    reasoning and the area's scope are marked): at most 1,500, the appendices aside, the notes
    the toolkit adds beside a finding counted."""
    _, soup = report
    main = copy.copy(soup.find("main"))
    notes = sum(len(_text(n).split()) for n in main.select(".repeat-note"))
    for tag in main.select("[data-finding], [data-team-text], .appendix, .screen-only, .draft-banner"):
        tag.decompose()
    own = len(main.get_text(" ", strip=True).split()) + notes
    assert 1000 < own <= 1500, own


def test_outcomes_in_the_weakest_quarter_reach_the_body(report: tuple[Review, BeautifulSoup]) -> None:
    """KS4, absence and suspensions rank in the weakest quarter and the performance section leaves
    them to the appendix: the evidence states them where a KLOE or its findings speak of outcomes."""
    review, soup = report
    said = soup.select("#evidence p.weak-outcomes")
    assert len(said) == 1
    kloe = said[0].find_parent("section", class_="kloe")
    assert kloe is not None and kloe["id"] == "kloe-ehc-planning"
    words = " ".join(f.statement + " " + f.detail for f in review.findings.included if f.kloe == "ehc-planning")
    assert "outcomes" in words
    text = _text(said[0])
    assert all(t in text for t in ("KS4 Attainment 8 (EHC plan), 147th of 150", "Absence (EHC plan), 146th of 150",
                                   "Suspensions (SEN), 131st of 150"))
    stated = {_text(tr.find("th")).split(" (")[0] for tr in soup.select("#performance tbody tr")}
    assert not any(s.startswith("KS4") for s in stated)  # not already in the performance section
