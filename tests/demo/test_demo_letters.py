"""The three demo reviews: every part of the letter, with counts checked against the raw files."""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from support.paths import DEMO_PARAMS, ROOT

from toolkit.build.pdf import printable
from toolkit.letter.docx import letter_docx
from toolkit.letter.sections import build_letter, style_words
from toolkit.review import Review, load_review, validate
from toolkit.wording import number_words, plural

#: Demo reviews another demo follows (inputs.previous_review).
FIRST_OF_PAIR = {Path(yaml.safe_load(p.read_text(encoding="utf-8"))["inputs"].get("previous_review") or "").stem
                 for p in DEMO_PARAMS} - {""}


def _rows(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        values = list(ws.iter_rows(values_only=True))
        head = [str(h).strip().lower() for h in values[0]]
        return [{h: ("" if v is None else str(v)) for h, v in zip(head, r, strict=False)}
                for r in values[1:] if any(v is not None for v in r)]
    with path.open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module", params=[p.stem for p in DEMO_PARAMS])
def demo(request: pytest.FixtureRequest) -> tuple[Review, BeautifulSoup]:
    review = load_review(ROOT / "params" / f"{request.param}.yaml")
    return review, BeautifulSoup(build_letter(review), "html.parser")


def test_demo_reviews_validate() -> None:
    assert len(DEMO_PARAMS) >= 3
    for p in DEMO_PARAMS:
        assert validate(p) == []


def test_demo_volumes(demo: tuple[Review, BeautifulSoup]) -> None:
    review, _ = demo
    files = review.params.inputs.findings
    assert 2 <= len(files) <= 4
    # The first review of the demo pair is a smaller, earlier one; its follow-up is a full review.
    assert len(review.findings.all) >= (20 if review.review_id in FIRST_OF_PAIR else 40)
    assert len({f.kloe for f in review.findings.all if f.kloe}) >= 3


def test_counts_in_process_paragraph_match_files(demo: tuple[Review, BeautifulSoup]) -> None:
    review, soup = demo
    raw = [r for f in review.params.inputs.findings for r in _rows(ROOT / f)]
    kinds = Counter(r["kind"].strip().lower() for r in raw)
    kept = Counter(r["kind"].strip().lower() for r in raw
                   if r["include"].strip().lower() not in ("no", "n", "false", "0"))
    text = soup.get_text(" ", strip=True)
    recorded = review.params.findings_recorded  # the team's own total, where it gives one
    stated = (f"{recorded.qualifier + ' ' if recorded.qualifier else ''}{recorded.number}" if recorded
              else str(kinds["strength"] + kinds["area for consideration"]))
    area_many = style_words(review, "area_many")  # "opportunities to consider" in the West Midlands
    assert f"recorded {stated} strengths and {area_many}" in text
    if recorded:
        assert recorded.number >= kinds["strength"] + kinds["area for consideration"]  # the tally holds the rows
    if review.params.letter_style == "west-midlands":  # the report form: tests/letter/test_document.py
        assert f"keeps {plural(kept['strength'], 'strength')} and " in text
    else:
        assert (f"to the {plural(kept['strength'], 'strength')} and "
                f"{plural(kept['area for consideration'], 'area for consideration', 'areas for consideration')}"
                " in this letter") in text
    n_letter = len(soup.select("p.finding, li.finding"))
    assert n_letter == sum(kept.values())


def test_audit_section_counts_match_the_audit_file(demo: tuple[Review, BeautifulSoup]) -> None:
    review, soup = demo
    assert review.params.inputs.audit is not None
    rows = _rows(ROOT / review.params.inputs.audit)
    plans = {r["case_ref"].strip().upper() for r in rows}
    twice = [ref for ref, n in Counter(r["case_ref"].strip().upper() for r in rows
                                       if r.get("moderation", "").strip().lower() != "agreed").items() if n > 1]
    section = soup.find("section", id="ehcp-audit")
    assert section is not None
    text = section.get_text(" ", strip=True)
    assert f"We read {len(plans)} plans" in text
    stages = Counter(r["plan_stage"].strip().lower() for r in rows if r["case_ref"].strip().upper() in plans
                     and r.get("moderation", "").strip().lower() != "agreed")
    new = sum(1 for ref in plans if any(r["case_ref"].strip().upper() == ref
                                        and r["plan_stage"].strip().lower() == "new" for r in rows))
    if new:
        assert f"{number_words(new)} new plan" in text
    assert f"{number_words(len(twice)).capitalize()} plan" in text
    for ref in plans:  # no case-level row reaches the letter
        assert ref not in str(soup)
    assert stages  # the file has plan stages


def test_performance_section_states_comparators_and_shows_charts(demo: tuple[Review, BeautifulSoup]) -> None:
    review, soup = demo
    section = soup.find("section", id="performance")
    assert section is not None and review.performance is not None
    text = section.get_text(" ", strip=True)
    assert "England" in text and "statistical neighbours" in text and "similar areas" in text
    figure = section.find("figure")
    assert section.find("svg") is not None and figure is not None and figure.find("table") is not None
    ind = review.performance.get("ehcp_20wk_no_exc")
    assert ind is not None
    assert f"{ind.value:.1f}%" in text and ind.period.label in text


def _letter_heads(soup: BeautifulSoup) -> list[str]:
    """The document's headings, without the draft's screen-only panel and the appendix."""
    return [h.get_text(" ", strip=True).split(". ", 1)[-1] for h in soup.find_all("h2")
            if not h.find_parent(class_=["screen-only", "appendix"])]


def test_section_order(demo: tuple[Review, BeautifulSoup]) -> None:
    review, soup = demo
    heads = _letter_heads(soup)
    assert soup.find_all("section")[-1].get("id") == "appendix"  # the appendix comes last
    if review.params.letter_style == "west-midlands":  # the report form: tests/letter/test_document.py
        assert heads[0] == "Purpose of the review" and heads[-1] == "Next steps"
        return
    assert heads[:3] == ["Background", "Process", "Our findings"]
    assert heads[-1] == "Next steps"
    assert heads.index("EHC plan sample audit") < heads.index("Performance data") < heads.index("Your self-evaluation")


def _words(tag: Tag | None) -> int:
    return 0 if tag is None else len(tag.get_text(" ", strip=True).split())


def test_a_real_letters_length(demo: tuple[Review, BeautifulSoup]) -> None:
    """What the toolkit adds to the team's findings (their own text is marked ``data-finding``, and
    their other words, the SEF reasoning and the progress evidence, ``data-team-text``):
    at most 1,500 words, the performance section at most 500 and the audit section at most 400;
    the appendix, the draft banner, the screen-only panel and the figures of a table's number
    cells (a count's comparators, "1,049 (LA average)") aside."""
    review, soup = demo
    main = copy.copy(soup.find("main"))
    assert main is not None
    marked = main.select("[data-finding]")
    assert len({t["data-finding"] for t in marked}) == len(review.findings.included)
    performance, audit = _words(main.find(id="performance")), _words(main.find(id="ehcp-audit"))
    for tag in main.select("[data-finding], [data-team-text], .appendix, .screen-only, .draft-banner, td.num"):
        tag.decompose()
    added = _words(main)
    assert added <= 1500, added
    assert 0 < performance <= 500, performance
    assert 0 < audit <= 400, audit


def test_each_demo_panel_and_warnings_list_every_flag(demo: tuple[Review, BeautifulSoup]) -> None:
    """Every claim the demo's own evidence contradicts (pinned and read one by one in
    tests/analysis/test_claims.py) is an item of the draft's screen-only panel, naming its file
    and row, and one warning line."""
    review, soup = demo
    flags = review.contradictions()
    assert flags
    panel = soup.select_one("aside.check-panel.screen-only")
    assert panel is not None and panel.find_parent("main") is not None
    items = [li.get_text(" ", strip=True) for li in panel.find_all("li")]
    assert len(items) == len(flags)
    for flag, text in zip(flags, items, strict=True):
        where = f"{flag.finding.file}, row {flag.finding.row}" if flag.finding.row else flag.finding.file
        assert where in text and flag.finding.statement in text and flag.message[1:] in text
        lines = [str(w) for w in review.warnings if w.row == (flag.finding.row or None)
                 and w.file == flag.finding.file and flag.message in str(w)]
        assert len(lines) == 1 and "warning:" in lines[0]
    flag = flags[0]
    assert not re.search(r"\bband [ABCD]\b", soup.get_text(" ", strip=True))  # never "band A"
    html = str(soup)
    assert "<aside" not in printable(html) and "Check before sending" not in printable(html)  # never printed
    words = Document(io.BytesIO(letter_docx(html)))  # nor in the Word copy
    assert not any(flag.message[1:] in p.text or "Check before sending" in p.text for p in words.paragraphs)


def _commented_paragraphs(doc: DocxDocument) -> dict[str, str]:
    """Each comment's id and the text of the paragraph its range starts in."""
    out: dict[str, str] = {}
    for para in doc.paragraphs:
        for start in para._p.iter(qn("w:commentRangeStart")):
            out[start.get(qn("w:id"))] = para.text
    return out


def test_each_contradiction_is_a_word_comment_on_its_finding(demo: tuple[Review, BeautifulSoup]) -> None:
    """The coordinator edits the Word copy: each "Check before sending" item is a comment there,
    anchored on the paragraph of its finding, saying what the figures show; a final letter has none."""
    review, soup = demo
    flags = review.contradictions()
    doc = Document(io.BytesIO(letter_docx(str(soup))))
    comments = list(doc.comments)
    assert len(comments) == len(flags) >= 1
    anchored = _commented_paragraphs(doc)
    in_letter = {str(tag["data-finding"]) for tag in soup.select(".finding[data-finding]")}
    first = next(p.text for p in doc.paragraphs if p.runs)
    for flag in flags:  # every kind of flag, each a comment on its own finding
        mine = [c for c in comments if flag.message[1:] in c.text]
        assert len(mine) >= 1, flag.message
        assert all(c.author == "Peer review toolkit" and c.text.startswith("Check before sending") for c in mine)
        if flag.finding.id in in_letter:
            assert any(flag.finding.statement in anchored[str(c.comment_id)] for c in mine)
        else:  # a self-evaluation row, a progress mark: on the letter's first paragraph, never lost
            assert any(anchored[str(c.comment_id)] == first for c in mine)
    final = dataclasses.replace(review, params=review.params.model_copy(update={"final": True}))
    final_doc = Document(io.BytesIO(letter_docx(build_letter(final))))
    assert not list(final_doc.comments) and not _commented_paragraphs(final_doc)
