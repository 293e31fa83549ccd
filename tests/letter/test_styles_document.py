"""A style declares its document: sections in the style's order, the glossary, bullets and
paragraph breaks, and refusals that name the style file and row (real files throughout)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from support.paths import DEMO_PARAMS, FIXTURES

from toolkit.inputs.glossary import shipped_glossary
from toolkit.letter.glossary import glossary_for
from toolkit.letter.sections import build_letter, document, glossary_check
from toolkit.review import Review, check, load_review

#: The sections of each shipped document, as their headings read (None: present only with that input).
YORKSHIRE_HUMBER = ["Background", "Process", "Our findings", ("audit", "EHC plan sample audit"),
                    ("performance", "Performance data"), ("sef", "Your self-evaluation"),
                    ("progress", "Progress since the last peer challenge"), ("urgent", "Recommended urgent actions"),
                    "Next steps"]
WEST_MIDLANDS = ["Purpose of the review", "The review team", "Key lines of enquiry", "Methodology",
                 "Services and settings involved", ("audit", "Case files reviewed"), "Acronyms used in this report",
                 "Overall findings", "Recommended urgent actions",  # always: or a line saying there are none
                 ("progress", "Progress since the last peer review"), "Evidence by area",
                 ("audit", "What the EHC plans we read showed"), ("performance", "What the published data shows"),
                 ("sef", "The area's self-evaluation"), "Recommendations", "Next steps"]


def _restyled(review: Review, style: str) -> Review:
    return dataclasses.replace(review, params=review.params.model_copy(update={"letter_style": style}))


def _expected(review: Review, spec: list[object]) -> list[str]:
    present = {"audit": review.audit is not None, "performance": review.performance is not None,
               "sef": review.sef is not None, "urgent": bool(review.findings.urgent_actions()),
               "progress": review.previous is not None}
    out = []
    for item in spec:
        if isinstance(item, tuple):
            if present[item[0]]:
                out.append(item[1])
        else:
            out.append(str(item))
    return out


def _h2s(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [re.sub(r"^\d+\.\s*", "", h.get_text(" ", strip=True)) for h in soup.find_all("h2")
            if not h.find_parent(class_=["screen-only", "appendix"])]  # the draft's panel, the appendix


@pytest.fixture(scope="module", params=[p.stem for p in DEMO_PARAMS])
def demo_review(request: pytest.FixtureRequest) -> Review:
    return load_review(DEMO_PARAMS[[p.stem for p in DEMO_PARAMS].index(request.param)])


_LETTERS: dict[tuple[str, str], str] = {}


def _letter(review: Review, style: str) -> str:
    """The demo review's letter in a style, built once for the module (several tests read each)."""
    key = (review.params.review_id, style)
    if key not in _LETTERS:
        _LETTERS[key] = build_letter(_restyled(review, style))
    return _LETTERS[key]


@pytest.mark.parametrize("style, spec", [("yorkshire-humber", YORKSHIRE_HUMBER), ("standard", YORKSHIRE_HUMBER),
                                         ("west-midlands", WEST_MIDLANDS)])
def test_switching_style_gives_its_sections_in_order(demo_review: Review, style: str, spec: list[object]) -> None:
    review = _restyled(demo_review, style)
    assert _h2s(_letter(demo_review, style)) == _expected(review, spec)


def test_west_midlands_report_form(demo_review: Review) -> None:
    review = _restyled(demo_review, "west-midlands")
    soup = BeautifulSoup(_letter(demo_review, "west-midlands"), "html.parser")
    title = soup.select_one("header.title-page h1")
    assert title is not None and review.params.authority.name in title.get_text()
    assert soup.find("address") is None  # a report, not a letter
    team = soup.select_one("#team").get_text(" ", strip=True)
    assert all(m.name in team for m in review.params.team)
    # findings are bullets, statement in bold; opportunities to consider sit beside strengths
    kloe = soup.select("#evidence section.kloe")
    assert len(kloe) == len(review.scope.kloes)
    assert [h.get_text() for h in kloe[0].find_all("h4")] == ["Strengths", "Opportunities to consider"]
    items = soup.select("#evidence li.finding")
    assert items and all(li.find("strong") for li in items)
    assert not soup.select("#evidence p.finding")
    # every finding in the letter appears once as a finding
    assert len(soup.select("p.finding, li.finding")) == len(review.findings.included)


def test_yorkshire_humber_is_todays_letter(demo_review: Review) -> None:
    assert _letter(demo_review, "yorkshire-humber") == _letter(demo_review, "standard")


def _acronyms_by_hand(text: str, defined: set[str]) -> set[str]:
    found = set()
    for word in re.findall(r"(?<![\w-])[A-Za-z][A-Za-z0-9]*(?![\w-])", text):
        caps = sum(c.isupper() for c in word)
        small = sum(c.islower() for c in word)
        if word.endswith("s") and word[:-1] in defined:
            word = word[:-1]
            caps, small = caps, small - 1
        if caps >= 2 and caps > small:
            found.add(word)
    return found


def test_glossary_lists_exactly_the_acronyms_used(demo_review: Review) -> None:
    review = _restyled(demo_review, "west-midlands")
    soup = BeautifulSoup(_letter(demo_review, "west-midlands"), "html.parser")
    listed = [th.get_text() for th in soup.select("#glossary th[scope=row]")]
    assert listed == sorted(listed, key=str.casefold)
    glossary = soup.find(id="glossary")
    assert glossary is not None
    glossary.decompose()
    for tag in soup.select(".screen-only"):  # the draft's panel is for the team, not the document
        tag.decompose()
    for tag in soup(["svg", "style", "title"]):
        tag.decompose()
    defined = set(glossary_for(review))
    used = _acronyms_by_hand(soup.get_text(" "), defined)
    assert set(listed) == used & defined
    assert {"SEND", "EHC"} <= set(listed)
    working = BeautifulSoup(glossary_check(review).html, "html.parser")
    undefined = {td.get_text() for td in working.find_all("table")[0].find_all("td")} if used - defined else set()
    assert undefined == used - defined


def test_shipped_glossary_size() -> None:
    terms = shipped_glossary()
    assert len(terms) >= 60
    for acronym in ("EHCP", "SENCO", "SENDIASS", "PfA", "DCO", "DMO", "CAMHS", "ICB", "CCG", "SEMH", "ASD",
                    "SLCN", "AP", "NEET", "CLA"):
        assert terms[acronym]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "mini", tmp_path / "proj")
    return tmp_path / "proj"


def _set(params: Path, **fields: object) -> None:
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    data.update(fields)
    params.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_unknown_section_refused_with_file_and_row(project: Path) -> None:
    style = project / "styles" / "x"
    style.mkdir(parents=True)
    (style / "document.yaml").write_text("# a trial style\nsections:\n  - opening\n  - preface\n  - closing\n",
                                         encoding="utf-8")
    params = project / "params" / "mini.yaml"
    _set(params, letter_style="styles/x")
    errors = check(params).errors
    assert len(errors) == 1
    err = errors[0]
    assert err.file == "styles/x/document.yaml" and err.row == 4
    assert "preface" in str(err) and "unknown section" in str(err)


def test_unknown_option_and_missing_template_refused(project: Path) -> None:
    style = project / "styles" / "y"
    style.mkdir(parents=True)
    (style / "document.yaml").write_text("sections:\n  - name: purpose\n    template: nowhere.html.j2\n"
                                         "options:\n  bullets: true\n", encoding="utf-8")
    params = project / "params" / "mini.yaml"
    _set(params, letter_style="styles/y")
    rows = sorted((e.file, e.row) for e in check(params).errors)
    assert rows == [("styles/y/document.yaml", 2), ("styles/y/document.yaml", 5)]


def test_a_region_adds_a_style_as_a_folder(project: Path) -> None:
    style = project / "styles" / "short"
    style.mkdir(parents=True)
    (style / "document.yaml").write_text("sections:\n  - team\n  - evidence\n  - closing\n", encoding="utf-8")
    params = project / "params" / "mini.yaml"
    _set(params, letter_style="styles/short")
    review = load_review(params)
    assert [f.name for f in document(review)] == ["team", "evidence", "closing"]
    assert _h2s(build_letter(review)) == ["The review team", "Evidence by area", "Next steps"]


def test_undefined_acronym_warned_and_defined_in_params(project: Path) -> None:
    findings = project / "data" / "mini" / "findings_marsh.csv"
    findings.write_text(findings.read_text(encoding="utf-8")
                        + "m5,2016-identify,strength,no,The QRSTV panel meets weekly.,,documents,Colin Marsh,yes,,\n",
                        encoding="utf-8")
    params = project / "params" / "mini.yaml"
    warned = check(params).warnings
    assert any("QRSTV" in str(w) and w.column == "glossary" for w in warned)
    _set(params, glossary={"QRSTV": "Quarterly Review of Support Team Visits"}, letter_style="west-midlands")
    checked = check(params)
    assert not any("QRSTV" in str(w) for w in checked.warnings)
    assert checked.review is not None
    soup = BeautifulSoup(build_letter(checked.review), "html.parser")
    rows = {th.get_text(): th.find_next("td").get_text() for th in soup.select("#glossary th[scope=row]")}
    assert rows["QRSTV"] == "Quarterly Review of Support Team Visits"


def test_words_in_capitals_for_emphasis_are_not_acronyms(project: Path) -> None:
    """As a real letter is written: "MY Support Plan", "AND on an upward trajectory", "HAS had an
    impact", a word shouted that the text also writes small; only the real candidate is warned."""
    findings = project / "data" / "mini" / "findings_marsh.csv"
    rows = ["m5,2016-identify,strength,no,The MY Support Plan is valued.,Timeliness is good AND on an upward "
            "trajectory.,documents,Colin Marsh,yes,,",
            "m6,2016-identify,strength,no,The new hub HAS had an impact.,Families SAID so; the hub said it "
            "too. The PQXZ panel meets weekly.,documents,Colin Marsh,yes,,"]
    findings.write_text(findings.read_text(encoding="utf-8") + "\n".join(rows) + "\n", encoding="utf-8")
    warned = [str(w) for w in check(project / "params" / "mini.yaml").warnings if w.column == "glossary"]
    assert len(warned) == 1 and "acronym PQXZ used but not defined" in warned[0], warned


def test_bullets_paragraph_breaks_and_escaping(project: Path) -> None:
    findings = project / "data" / "mini" / "findings_marsh.csv"
    findings.write_text(findings.read_text(encoding="utf-8")
                        + 'm5,2016-identify,strength,no,Panels <b>decide</b> & explain.,"First   part\n\n'
                          'Second <i>part</i> &amp; more",documents,Colin Marsh,yes,,\n', encoding="utf-8")
    params = project / "params" / "mini.yaml"
    review = load_review(params)
    found = next(f for f in review.findings.all if f.id == "m5")
    assert found.detail == "First part\n\nSecond <i>part</i> &amp; more"
    for style, selector in (("west-midlands", "li.finding"), ("yorkshire-humber", "p.finding")):
        html = build_letter(_restyled(review, style))
        assert "<b>decide</b>" not in html and "<i>part</i>" not in html and "<script>" not in html
        assert "Panels &lt;b&gt;decide&lt;/b&gt; &amp; explain." in html
        soup = BeautifulSoup(html, "html.parser")
        item = next(el for el in soup.select(selector) if "Panels" in el.get_text())
        if style == "west-midlands":
            paras = [p.get_text() for p in item.find_all("p")]
            assert paras == ["Panels <b>decide</b> & explain. First part", "Second <i>part</i> &amp; more"]
        else:
            more = item.find_next_sibling("p")
            assert item.get_text() == "Panels <b>decide</b> & explain. First part"
            assert more is not None and more.get_text() == "Second <i>part</i> &amp; more"


def test_spell_out_first_use_option(project: Path) -> None:
    style = project / "styles" / "spelt"
    style.mkdir(parents=True)
    (style / "document.yaml").write_text("sections:\n  - purpose\n  - evidence\n  - glossary\n"
                                         "options:\n  spell_out_first_use: true\n", encoding="utf-8")
    params = project / "params" / "mini.yaml"
    _set(params, letter_style="styles/spelt")
    html = build_letter(load_review(params))
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    assert text.count("Special Educational Needs Co-ordinators (SENCOs)") == 1
    assert text.count("Education, Health and Care (EHC)") == 1
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_letter_tables_speak_words(demo_review: Review) -> None:
    framework = demo_review.audit.framework if demo_review.audit else None
    if framework is None:
        pytest.skip("no audit in this review")
    for style in ("yorkshire-humber", "west-midlands"):
        soup = BeautifulSoup(_letter(demo_review, style), "html.parser")
        for tag in soup(["svg"]):
            tag.decompose()
        cells = [c.get_text(" ", strip=True) for table in soup.find_all("table") for c in table.find_all(["th", "td"])]
        for s in framework.sections:
            assert not any(cell.startswith(f"{s.code}: ") for cell in cells)
            if len(s.code) > 1:  # single letters are also the bands A to D of the data tables
                assert s.code not in cells
        assert framework.sections[0].title in cells


def test_word_copy_follows_the_report_sections(project: Path) -> None:
    import io

    import docx

    from toolkit.letter.docx import letter_docx

    params = project / "params" / "mini.yaml"
    _set(params, letter_style="west-midlands")
    html = build_letter(load_review(params))
    doc = docx.Document(io.BytesIO(letter_docx(html)))
    appendix = BeautifulSoup(html, "html.parser").select(".appendix h2")
    assert [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"] == [
        *_h2s(html), *(h.get_text(" ", strip=True) for h in appendix)]  # the appendix too, never the panel


@pytest.mark.slow
def test_drafted_report_equals_in_process_build(project: Path) -> None:
    import subprocess
    import sys

    import nbformat

    params = project / "params" / "mini.yaml"
    _set(params, letter_style="west-midlands", glossary={"QRSTV": "Quarterly Review of Support Team Visits"})
    res = subprocess.run([sys.executable, "-m", "toolkit.cli", "draft", str(params)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    letter = project / "reports" / "mini-review" / "letter.html"
    assert letter.read_text(encoding="utf-8") == build_letter(load_review(params))
    nb = nbformat.read(letter.parent / "letter.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "letter" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    names = [o["data"]["text/plain"] for o in tagged[0].outputs]
    # the report form's prompts are an appendix of their own; the mini review has no further figures
    assert names[0] == "<letter section: title_page>" and names[-2:] == [
        "<letter section: closing>", "<letter section: appendix_prompts>"]


def test_urgent_actions_up_front_in_the_report(project: Path) -> None:
    findings = project / "data" / "mini" / "findings_marsh.csv"
    findings.write_text(findings.read_text(encoding="utf-8")
                        + "m6,,urgent,yes,Fix the backlog of annual reviews now.,,data,Colin Marsh,yes,,\n",
                        encoding="utf-8")
    params = project / "params" / "mini.yaml"
    review = load_review(params)
    report = _h2s(build_letter(_restyled(review, "west-midlands")))
    order = [report.index(h) for h in ("Overall findings", "Recommended urgent actions", "Evidence by area")]
    assert order == sorted(order)
    soup = BeautifulSoup(build_letter(_restyled(review, "west-midlands")), "html.parser")
    assert "Fix the backlog" in soup.select_one("#urgent").get_text()
    letter = BeautifulSoup(build_letter(_restyled(review, "yorkshire-humber")), "html.parser")
    assert "Fix the backlog" in letter.select_one("#headlines").get_text()


def test_cases_reviewed_without_an_audit(project: Path) -> None:
    params = project / "params" / "mini.yaml"
    _set(params, letter_style="west-midlands", cases_reviewed=["5 care plans", "5 EP advice reports"])
    soup = BeautifulSoup(build_letter(load_review(params)), "html.parser")
    cases = soup.select_one("#cases")
    assert cases is not None
    assert [li.get_text() for li in cases.find_all("li")] == ["5 care plans", "5 EP advice reports"]
    glossary = {th.get_text() for th in soup.select("#glossary th[scope=row]")}
    assert "EP" in glossary
