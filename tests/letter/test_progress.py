"""Follow-up reviews: the previous review's items, the team's marks and the progress section."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup
from support.paths import ROOT, EditParams

from toolkit.analysis.previous import load_previous
from toolkit.capture.progress_workbook import export_progress_workbook
from toolkit.errors import InputError
from toolkit.inputs.progress import Status
from toolkit.letter.sections import build_letter, section
from toolkit.review import check, load_review, validate

PROGRESS = "id,kind,statement,area_status,status,evidence\n"


@pytest.fixture
def follow_up(mini: Path, edit_params: EditParams) -> Path:
    """The mini review made the follow-up of a copy of itself (as ``mini-2025``)."""
    proj = mini.parents[1]
    earlier = proj / "params" / "mini-2025.yaml"
    shutil.copy(mini, earlier)
    edit_params(earlier, lambda d: d.update(review_id="mini-2025"))
    edit_params(mini, lambda d: d["inputs"].update(previous_review="params/mini-2025.yaml",
                                                   progress="data/mini/progress.csv"))
    return mini


def _marks(follow_up: Path, text: str) -> None:
    (follow_up.parents[1] / "data/mini/progress.csv").write_text(PROGRESS + text, encoding="utf-8")


def test_previous_items_are_the_letters_areas_and_actions_in_its_order(follow_up: Path) -> None:
    prev = load_previous("params/mini-2025.yaml", follow_up.parents[1], "params/mini.yaml", "mini-review")
    assert prev.review_id == "mini-2025"
    assert prev.ids == ["m3", "m1", "a2", "m4", "a6"]  # the headline first, then KLOE by KLOE in order
    assert {i.kind.value for i in prev.items} == {"area for consideration"}


def test_progress_section_lists_every_item_with_its_status(follow_up: Path) -> None:
    _marks(follow_up, "m3,,,,addressed,A joint strategy was agreed in June.\n"
                      "a2,,,progressing,progressing,Screening now starts in Year 7.\n"
                      "m1,,,,not yet,Waits are as long as last year.\n")
    checked = check(follow_up)
    assert checked.errors == ()
    assert [str(w) for w in checked.warnings if w.column != "statement"] == [
        f"data/mini/progress.csv: warning: {i} of mini-2025 is not yet marked (addressed, "
        "progressing, not yet addressed or no longer relevant): the letter says so" for i in ("m4", "a6")]
    review = checked.review
    soup = BeautifulSoup(section(review, "progress").html, "html.parser")
    rows = soup.find("tbody").find_all("tr")
    assert [(r["data-id"], r["data-status"]) for r in rows] == [
        ("m3", "addressed"), ("m1", "not yet addressed"), ("a2", "progressing"), ("m4", "not yet marked"),
        ("a6", "not yet marked")]
    assert rows[0].find_all("td")[-1].get_text() == "A joint strategy was agreed in June."
    assert rows[2].find_all("td")[1].get_text() == "Progressing"  # the area's own view, the same as ours
    text = soup.get_text(" ", strip=True)
    assert "set out five areas for consideration" in text
    letter = BeautifulSoup(build_letter(review), "html.parser").get_text(" ", strip=True)
    # the counts are among the headline messages
    assert "we judge one addressed, one progressing and one not yet addressed. Two are not yet marked." in letter
    assert "This review follows the peer challenge held in Fenwick Cross in February 2026" in letter


def test_bad_marks_are_located(follow_up: Path) -> None:
    _marks(follow_up, "m3,,,,done-ish,x\nzz,,,,addressed,x\nm1,,,,addressed,\nm3,,,,addressed,again\n")
    assert [str(e) for e in validate(follow_up)] == [
        "data/mini/progress.csv: row 2, column status: 'done-ish' is not one of: addressed, progressing, "
        "not yet addressed, no longer relevant",
        "data/mini/progress.csv: row 3, column id: 'zz' is not an area for consideration or urgent action "
        "of the previous review",
        "data/mini/progress.csv: row 4, column evidence: empty: say what the mark rests on",
        "data/mini/progress.csv: row 5, column id: marked twice (first on row 2)",
    ]


def test_evidence_is_screened_and_a_review_cannot_follow_itself(follow_up: Path, edit_params: EditParams) -> None:
    _marks(follow_up, "m3,,,,addressed,Seen in the file of a pupil with NHS number 943 476 5919.\n")
    errors = [str(e) for e in validate(follow_up)]
    assert len(errors) == 1 and "row 2, column evidence: this looks like an NHS number" in errors[0]
    assert "5919" not in errors[0]
    edit_params(follow_up, lambda d: d["inputs"].update(previous_review="params/mini.yaml", progress=None))
    errors = [str(e) for e in validate(follow_up)]
    assert len(errors) == 1
    assert errors[0].endswith("mini.yaml: inputs.previous_review: a review cannot follow itself: name the previous review")


def test_previous_review_read_from_a_kept_report_folder(follow_up: Path, edit_params: EditParams) -> None:
    """The report folder's manifest holds the parameters its letter was drafted from."""
    proj = follow_up.parents[1]
    kept = proj / "reports" / "mini-2025"
    kept.mkdir(parents=True)
    from toolkit.build.manifest import build_manifest
    from toolkit.inputs.params import read_params
    loaded = read_params(proj / "params" / "mini-2025.yaml")
    manifest = build_manifest(loaded.params, loaded.path, proj, loaded.data)
    (kept / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
    edit_params(follow_up, lambda d: d["inputs"].update(previous_review="reports/mini-2025", progress=None))
    review = load_review(follow_up)
    assert review.previous is not None and review.previous.ids == ["m3", "m1", "a2", "m4", "a6"]
    assert len(review.warnings) == 5  # every item not yet marked
    assert section(review, "progress").html.count('data-status="not yet marked"') == 5


def test_demo_follow_up_lists_every_previous_item_with_the_teams_status() -> None:
    """The judged check: the follow-up demo's section against its progress file read here."""
    review = load_review(ROOT / "params" / "harrowdene-2026.yaml")
    with (ROOT / review.params.inputs.progress).open(encoding="utf-8-sig") as fh:
        marks = {r["id"]: r["status"] for r in csv.DictReader(fh)}
    soup = BeautifulSoup(build_letter(review), "html.parser")
    rows = soup.find("section", id="progress").find("tbody").find_all("tr")
    assert review.previous is not None and len(rows) == len(review.previous.items) == len(marks) == 14
    assert {r["data-id"]: r["data-status"] for r in rows} == marks
    assert {Status(v) for v in marks.values()} == set(Status)
    # every item is marked: the warnings are the checks before sending (the figures', the
    # self-evaluation's and the progress marks' words; new findings returning to items the team
    # marks closed: tests/analysis/test_claims.py pins them), none says an item is not yet marked
    assert review.warnings and all(w.column in ("statement", "reasoning", "evidence") for w in review.warnings)


def test_progress_workbook_writes_formula_like_evidence_as_text(follow_up: Path, edit_params: EditParams) -> None:
    """Evidence a reviewer typed beginning with =, +, - or @ goes out as text and reads back the same."""
    typed = ['=HYPERLINK("http://example.org","minutes")', "+3 weeks faster.", "-1 on the target.", "@panel: agreed."]
    rows = io.StringIO()
    csv.writer(rows, lineterminator="\n").writerows([i, "", "", "", "progressing", t]
                                                     for i, t in zip(["m3", "m1", "a2", "m4"], typed, strict=True))
    _marks(follow_up, rows.getvalue())
    out = follow_up.parents[1] / "progress.xlsx"
    export_progress_workbook(load_review(follow_up), out)
    ws = openpyxl.load_workbook(out)["Progress"]
    cells = [ws.cell(row=r, column=6) for r in range(2, 6)]
    assert [c.value for c in cells] == typed
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    edit_params(follow_up, lambda d: d["inputs"].update(progress="progress.xlsx"))
    marks = {r.item.id: r.mark.evidence for r in load_review(follow_up).progress_rows() if r.mark}
    assert [marks[i] for i in ["m3", "m1", "a2", "m4"]] == typed


def test_progress_workbook_round_trip(follow_up: Path, edit_params: EditParams) -> None:
    """Exported with the marks so far, marked in the workbook, read back by the letter."""
    _marks(follow_up, "m3,,,,addressed,A joint strategy was agreed in June.\n")
    out = follow_up.parents[1] / "progress.xlsx"
    export_progress_workbook(load_review(follow_up), out)
    wb = openpyxl.load_workbook(out)
    ws = wb["Progress"]
    assert [c.value for c in ws[1]] == ["id", "kind", "statement", "area_status", "status", "evidence",
                                        "repeated_in"]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["m3", "m1", "a2", "m4", "a6"]
    assert ws["E2"].value == "addressed" and ws["E3"].value is None
    assert {str(dv.sqref) for dv in ws.data_validations.dataValidation} == {"D2:D6", "E2:E6"}
    ws["E3"], ws["F3"] = "progressing", "Waits have fallen by a month."
    wb.save(out)
    edit_params(follow_up, lambda d: d["inputs"].update(progress="progress.xlsx"))
    review = load_review(follow_up)
    assert [r.status.value if r.status else None for r in review.progress_rows()] == [
        "addressed", "progressing", None, None, None]
    assert len([w for w in review.warnings if w.column != "statement"]) == 3
    edit_params(follow_up, lambda d: d["inputs"].update(previous_review=None, progress=None))
    with pytest.raises(InputError, match="follows no previous review"):
        export_progress_workbook(load_review(follow_up), out)
