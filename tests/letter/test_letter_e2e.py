"""End to end: build a letter through the CLI and read what it says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from pptx import Presentation
from support.paths import FIXTURES, ROOT, AppendRows, EditParams

from toolkit.letter.sections import build_letter
from toolkit.review import load_review

pytestmark = pytest.mark.slow


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.fixture(scope="module")
def drafted_params(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small test review, drafted once for the module's tests; returns its params file."""
    project = tmp_path_factory.mktemp("drafted") / "proj"
    shutil.copytree(FIXTURES / "mini", project)
    params = project / "params" / "mini.yaml"
    text = params.read_text(encoding="utf-8")  # the day-three slides too (tests/letter/test_slides.py has the rest)
    params.write_text(text.replace("outputs: [html]", "outputs: [html, pptx]"), encoding="utf-8")
    res = run_cli("draft", str(params))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == str(project / "reports" / "mini-review" / "letter.html")
    return params


@pytest.fixture(scope="module")
def drafted(drafted_params: Path) -> tuple[Path, BeautifulSoup]:
    """The drafted letter (not to be changed: the module's tests share it) and its parsed HTML."""
    letter = drafted_params.parents[1] / "reports" / "mini-review" / "letter.html"
    return letter, BeautifulSoup(letter.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def drafted_copy(drafted_params: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the drafted project, report included, for a test that changes it: (letter, params)."""
    shutil.copytree(drafted_params.parents[1], tmp_path / "proj")
    return tmp_path / "proj" / "reports" / "mini-review" / "letter.html", tmp_path / "proj" / "params" / "mini.yaml"


def _section_text(soup: BeautifulSoup, section_id: str) -> str:
    sec = soup.find("section", id=section_id)
    assert sec is not None, f"no section {section_id}"
    return sec.get_text(" ", strip=True)


def test_letter_has_every_part(drafted: tuple[Path, BeautifulSoup]) -> None:
    _, soup = drafted
    text = soup.get_text(" ", strip=True)
    assert soup.title is not None
    assert soup.title.string == "Children's Services Peer Challenge: Fenwick Cross, February 2026"
    assert "19th February 2026" in text
    assert "Dear Sam" in text
    assert "twenty-first East of England Children's Services Peer Challenge activity" in text
    assert "second to take place in Fenwick Cross" in text and "fourth with SEND as its focus" in text
    assert "Tuesday 3rd and Wednesday 4th February 2026" in text
    assert "Thursday 5th February 2026" in text
    assert "This was a review by peers, not an inspection." in text
    signature = soup.find(class_="signature")
    assert signature is not None and "Ruth Adeyemi" in signature.get_text()
    headings = [h.get_text(" ", strip=True) for h in soup.find_all(["h2", "h3"])]
    assert headings == [
        "1. Background", "2. Process", "3. Our findings",
        "3.1 Headline messages: strengths and areas for consideration",
        "3.2 How effectively the area identifies children and young people with SEND",
        "3.3 Co-production and partnership with parents and carers",
        "3.4 Timeliness of EHC plans",
        "4. Next steps",
    ]


def test_counts_are_computed(drafted: tuple[Path, BeautifulSoup]) -> None:
    _, soup = drafted
    text = soup.get_text(" ", strip=True)
    # 10 recorded (one excluded); in the letter: 4 strengths, 5 areas for consideration.
    assert "recorded ten strengths and areas for consideration" in text
    assert "four strengths and five areas for consideration in this letter" in text
    assert len(soup.select(".finding")) == 9


def test_findings_sit_in_their_sections(drafted: tuple[Path, BeautifulSoup]) -> None:
    _, soup = drafted
    identify = _section_text(soup, "kloe-2016-identify")
    assert "Health visitors pick up speech delay early." in identify
    assert identify.index("Waiting times for autism") < identify.index("Late-emerging needs")  # explicit order
    assert "Annual reviews are often late." in _section_text(soup, "kloe-ehcp-timeliness")
    headlines = _section_text(soup, "headlines")
    assert "A shared ambition across partners." in headlines
    # a headline appears once, only among the headlines
    assert soup.get_text().count("A shared ambition across partners.") == 1
    assert "A dropped duplicate finding." not in soup.get_text()


def test_no_code_and_free_text_is_escaped(drafted: tuple[Path, BeautifulSoup]) -> None:
    letter, soup = drafted
    raw = letter.read_text(encoding="utf-8")
    assert soup.find("script") is None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<script>alert(1)</script>" in soup.get_text()  # shown as text
    for code_sign in ("from toolkit", "letter.opening(", "import ", "In&nbsp;[", "jp-Cell", "params_file"):
        assert code_sign not in raw
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", raw)  # self-contained, nothing fetched


def test_same_inputs_give_byte_identical_outputs(drafted_copy: tuple[Path, Path]) -> None:
    letter, mini = drafted_copy
    first_html = letter.read_bytes()
    first_nb = (letter.parent / "letter.ipynb").read_bytes()
    first_slides = (letter.parent / "slides.pptx").read_bytes()
    res = run_cli("draft", str(mini))
    assert res.returncode == 0, res.stderr
    assert letter.read_bytes() == first_html
    assert (letter.parent / "letter.ipynb").read_bytes() == first_nb
    assert (letter.parent / "slides.pptx").read_bytes() == first_slides


def test_draft_writes_the_day_three_slides(drafted: tuple[Path, BeautifulSoup], drafted_params: Path) -> None:
    letter, soup = drafted
    prs = Presentation(str(letter.parent / "slides.pptx"))
    titles = [s.shapes.title.text for s in prs.slides if s.shapes.title is not None]
    assert len(titles) == len(prs.slides)
    assert titles[:3] == ["Children's Services Peer Challenge: Fenwick Cross, February 2026", "The review team",
                          "What you asked us to look at"]
    assert "Headline strength 1 of 1" in titles and titles[-1] == "Next steps"
    assert "Co-production and partnership with parents and carers: strengths" in titles
    shown = {p.text for s in prs.slides for sh in s.shapes if sh.has_text_frame for p in sh.text_frame.paragraphs}
    notes = {p.text for s in prs.slides if s.has_notes_slide for p in s.notes_slide.notes_text_frame.paragraphs}
    statements = [f.find("strong").get_text() for f in soup.select(".finding")]
    assert len(statements) == 9 and all(s in shown for s in statements)  # every finding of the letter
    for f in load_review(drafted_params).findings.included:  # and every paragraph of its detail, in the notes
        assert all(para in notes for para in f.detail.split("\n\n") if para)


def test_notebook_letter_equals_in_process_build(drafted: tuple[Path, BeautifulSoup], drafted_params: Path) -> None:
    letter, _ = drafted
    assert letter.read_text(encoding="utf-8") == build_letter(load_review(drafted_params))


def test_executed_notebook_is_kept_as_the_record(drafted: tuple[Path, BeautifulSoup]) -> None:
    letter, _ = drafted
    nb = nbformat.read(letter.parent / "letter.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "review_id = \"mini-review\"" in injected[0].source
    assert all(c.get("id", "").startswith("cell-") for c in nb.cells)
    assert "papermill" not in nb.metadata
    # nothing machine-specific: the same review drafted in another folder gives the same notebook
    text = (letter.parent / "letter.ipynb").read_text(encoding="utf-8")
    assert str(letter.parents[2]) not in text and "/tmp/" not in text


def test_bad_input_fails_with_one_line_per_problem_and_writes_nothing(mini: Path, append_rows: AppendRows,
                                                                       edit_params: EditParams) -> None:
    append_rows(mini.parents[1] / "data/mini/findings_marsh.csv",
                ["m9,lt-imaginary,strength,no,Something good.,,interview,Colin Marsh,yes,,"])
    edit_params(mini, lambda d: d["team"][1].pop("role"))
    for command in ("validate", "draft"):
        res = run_cli(command, str(mini))
        assert res.returncode == 2, (command, res.stderr)
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
        assert lines[0].endswith("team[2].role: required but missing: add it (docs/inputs.md says what it holds)")
    assert not (mini.parents[1] / "reports").exists()


def test_bad_findings_fail_validate_and_draft(mini: Path, append_rows: AppendRows) -> None:
    append_rows(mini.parents[1] / "data/mini/findings_marsh.csv",
                ["m9,lt-imaginary,strength,no,Something good.,,interview,Colin Marsh,yes,,",
                 "m10,2016-identify,strength,no,,,interview,Colin Marsh,yes,,"])
    for command in ("validate", "draft"):
        res = run_cli(command, str(mini))
        assert res.returncode == 2
        assert res.stderr.strip().splitlines() == [
            "data/mini/findings_marsh.csv: row 6, column kloe: 'lt-imaginary' is not a KLOE in this review's scope "
            "(2016-identify, lt-coproduction, ehcp-timeliness): use one of them, or add it to scope.kloes in the parameters",
            "data/mini/findings_marsh.csv: row 7, column statement: empty: every finding needs its lead statement",
        ]
    assert not (mini.parents[1] / "reports").exists()


def test_failed_redraft_keeps_previous_report(drafted_copy: tuple[Path, Path], append_rows: AppendRows) -> None:
    letter, mini = drafted_copy
    before = letter.read_bytes()
    append_rows(mini.parents[1] / "data/mini/findings_marsh.csv", ["bad,,,,,,,,,,"])
    assert run_cli("draft", str(mini)).returncode == 2
    assert letter.read_bytes() == before
    leftovers = [p.name for p in letter.parents[1].iterdir() if p.name.startswith(".mini-review")]
    assert leftovers == []


def test_papermill_cli_accepts_the_params_file(mini: Path, tmp_path: Path) -> None:
    """The params file is also papermill's own parameters file."""
    out = tmp_path / "out.ipynb"
    nb_path = ROOT / "notebooks" / "letter.ipynb"
    res = subprocess.run([sys.executable, "-m", "papermill", str(nb_path), str(out), "-f", str(mini),
                          "-k", "peer-review", "--no-progress-bar"],
                         capture_output=True, text=True, cwd=mini.parents[1], timeout=300)
    assert res.returncode == 0, res.stderr
    assert "Fenwick Cross" in out.read_text(encoding="utf-8")


def test_nbconvert_alone_renders_the_kept_notebook_to_the_same_letter(drafted: tuple[Path, BeautifulSoup],
                                                                       tmp_path: Path) -> None:
    # The executed notebook is the review's record: nbconvert and our template, with no toolkit
    # code, must turn it back into exactly the letter the draft wrote.
    letter, _ = drafted
    templates = ROOT / "toolkit" / "nbconvert_templates"
    res = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "nbconvert.exporters.TemplateExporter",
         "--template", "letter", f"--TemplateExporter.extra_template_basedirs={templates}",
         "--TemplateExporter.file_extension=.html", str(letter.with_suffix(".ipynb")),
         "--output-dir", str(tmp_path), "--output", "again"],
        capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "again.html").read_bytes() == letter.read_bytes()
