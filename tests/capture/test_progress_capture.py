"""Progress marks saved in the capture app: the store, and how the letter combines them with the
progress file (the workbook round trip)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from support.capture import copy_follow_up, store_for

from toolkit.analysis.previous import load_previous
from toolkit.build.manifest import input_files
from toolkit.capture.files import read_rows
from toolkit.capture.journal import purge_journals
from toolkit.capture.progress_store import ProgressEntry, ProgressStore
from toolkit.capture.progress_workbook import progress_rows_for_export
from toolkit.inputs.capture_layout import PROGRESS_COLUMNS
from toolkit.letter.sections import section
from toolkit.review import check, load_review, validate

ITEMS = ["m3", "m1", "a2", "m4", "a6"]  # the previous letter's areas, in its order
HEADER = "id,kind,statement,area_status,status,evidence\n"


def progress_for(params_file: Path, reviewer: str) -> ProgressStore:
    store = store_for(params_file, reviewer)
    previous = load_previous("params/mini-2025.yaml", store.root, "params/mini.yaml", store.params.review_id)
    return ProgressStore(store, previous)


def statuses(params_file: Path) -> dict[str, str]:
    soup = BeautifulSoup(section(load_review(params_file), "progress").html, "html.parser")
    return {r["data-id"]: r["data-status"] for r in soup.find("tbody").find_all("tr")}


@pytest.fixture
def follow_up(tmp_path: Path) -> Path:
    return copy_follow_up(tmp_path)


def test_a_mark_is_saved_journalled_and_read_back(follow_up: Path) -> None:
    lena = progress_for(follow_up, "Lena Duarte")
    result = lena.save("m1", "progressing", "  Waits have fallen\n by a month. ")
    assert result.ok and result.entry is not None
    assert result.entry.status == "progressing" and result.entry.evidence == "Waits have fallen by a month."
    rows = read_rows(lena.path, PROGRESS_COLUMNS)
    assert [(r["id"], r["status"], r["reviewer"]) for r in rows] == [("m1", "progressing", "Lena Duarte")]
    assert rows[0]["saved_at"].endswith("+00:00")
    assert lena.path.name == "progress_lena-duarte.csv"
    journal = (lena.path.parent / ".journal_lena-duarte.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(journal[-1])["op"] == "progress"
    assert lena.entries()["m1"] == result.entry
    [tmp] = [p.name for p in lena.path.parent.iterdir() if ".tmp" in p.name] or [None]
    assert tmp is None  # atomic replace: no temporary file left


def test_refused_marks_write_nothing(follow_up: Path) -> None:
    lena = progress_for(follow_up, "Lena Duarte")
    assert [m.field for m in lena.save("m1", "addressed", "").messages] == ["evidence"]
    assert [m.field for m in lena.save("m1", "done-ish", "x").messages] == ["status"]
    assert lena.save("zz", "addressed", "x").messages[0].field == ""
    refused = lena.save("m1", "addressed", "Seen in the file of a pupil with NHS number 943 476 5919.")
    assert [m.field for m in refused.messages] == ["evidence"] and "5919" not in refused.messages[0].text
    assert not lena.path.exists()
    assert not (lena.path.parent / ".journal_lena-duarte.jsonl").exists()
    intruder = progress_for(follow_up, "Someone Else")
    assert [m.field for m in intruder.save("m1", "addressed", "x").messages] == ["reviewer"]


def test_two_windows_merge_and_a_clash_is_refused(follow_up: Path) -> None:
    one, two = progress_for(follow_up, "Lena Duarte"), progress_for(follow_up, "Lena Duarte")
    first = one.save("m1", "progressing", "Waits have fallen.")
    assert first.ok
    # the second window saw no mark and gives another status: refused, naming the field
    clash = two.save("m1", "addressed", "Waits have fallen.", base=None)
    assert not clash.ok and clash.conflict and "status" in clash.messages[0].text
    # the first window changes the evidence only, from what it saw: kept with the status
    again = one.save("m1", "progressing", "Waits have fallen by a month.", base=first.entry)
    assert again.ok
    # another item from the second window is simply added
    assert two.save("a2", "addressed", "Screening starts in Year 7.").ok
    assert {k: (e.status, e.evidence) for k, e in one.entries().items()} == {
        "m1": ("progressing", "Waits have fallen by a month."), "a2": ("addressed", "Screening starts in Year 7.")}
    cleared = one.save("m1", "", "", base=again.entry)
    assert cleared.ok and one.entries()["m1"] == ProgressEntry("m1", "", "", "Lena Duarte",
                                                                 one.entries()["m1"].saved_at)


def test_marks_reach_the_letter_without_editing_the_parameters(follow_up: Path) -> None:
    before = follow_up.read_bytes()
    assert statuses(follow_up) == {i: "not yet marked" for i in ITEMS}
    assert progress_for(follow_up, "Lena Duarte").save("m3", "addressed", "A joint strategy was agreed.").ok
    assert progress_for(follow_up, "Colin Marsh").save("a6", "no longer relevant", "The service moved.").ok
    assert follow_up.read_bytes() == before
    got = statuses(follow_up)
    assert got["m3"] == "addressed" and got["a6"] == "no longer relevant" and got["m1"] == "not yet marked"
    review = load_review(follow_up)
    # the three not yet marked (the mini follow-up's findings, the same as its first review's, also
    # return to the items marked addressed: those flags are the consistency check's, column statement)
    assert [w.column for w in review.warnings if w.column != "statement"] == ["inputs.progress"] * 3
    files = {p.name for p in input_files(review.params, follow_up, review.root)}
    assert {"progress_lena-duarte.csv", "progress_colin-marsh.csv"} <= files  # verify sees a later mark
    cleared = progress_for(follow_up, "Colin Marsh")
    assert cleared.save("a6", "", "", base=cleared.entries()["a6"]).ok
    assert statuses(follow_up)["a6"] == "not yet marked"  # a cleared mark is no mark


def test_the_app_and_the_file_both_mark_an_item(tmp_path: Path) -> None:
    """The rule: the app's mark wins, the file's differing row is reported; the file's area status stays."""
    params_file = copy_follow_up(tmp_path, progress="data/mini/progress.csv")
    (params_file.parents[1] / "data/mini/progress.csv").write_text(
        HEADER + "m3,,,progressing,addressed,The strategy was agreed in June.\n"
                 "m1,,,,progressing,Waits are shorter.\n", encoding="utf-8")
    lena = progress_for(params_file, "Lena Duarte")
    assert lena.save("m3", "addressed", "The strategy is in use.").ok  # agrees with the file
    assert lena.save("m1", "not yet addressed", "Waits are as long as last year.").ok  # disagrees
    checked = check(params_file)
    assert checked.errors == ()
    [disagree] = [str(w) for w in checked.warnings if w.column == "status"]
    assert disagree == ("data/mini/progress.csv: row 3, column status: warning: m1 is marked progressing here "
                        "but not yet addressed in the capture app (data/mini-review/capture/progress_lena-duarte.csv, "
                        "row 3): the letter uses the capture app's mark; change it there, or make this row agree")
    assert checked.review is not None
    rows = {r.item.id: r for r in checked.review.progress_rows()}
    assert rows["m3"].mark is not None and rows["m3"].mark.evidence == "The strategy is in use."
    assert rows["m3"].mark.area_status is not None and rows["m3"].mark.area_status.value == "progressing"
    assert rows["m1"].status is not None and rows["m1"].status.value == "not yet addressed"
    # the workbook export shows what the letter shows, so a fresh export agrees with the app
    exported = {r["id"]: (r["area_status"], r["status"]) for r in progress_rows_for_export(checked.review)}
    assert exported["m3"] == ("progressing", "addressed") and exported["m1"] == ("", "not yet addressed")


def test_two_reviewers_mark_one_item_differently(follow_up: Path) -> None:
    """The mark saved last wins; the earlier one is reported at its row."""
    assert progress_for(follow_up, "Ruth Adeyemi").save("a2", "progressing", "Screening is being piloted.").ok
    assert progress_for(follow_up, "Lena Duarte").save("a2", "addressed", "Screening starts in Year 7.").ok
    checked = check(follow_up)
    assert checked.errors == () and statuses(follow_up)["a2"] == "addressed"
    [note] = [str(w) for w in checked.warnings if w.column == "status"]
    assert note.startswith("data/mini-review/capture/progress_ruth-adeyemi.csv: row 2, column status: warning: a2 is "
                           "marked progressing here but addressed by Lena Duarte")
    assert progress_for(follow_up, "Ruth Adeyemi").save(
        "a2", "progressing", "Screening is being piloted in two schools.",
        base=progress_for(follow_up, "Ruth Adeyemi").entries()["a2"]).ok
    assert statuses(follow_up)["a2"] == "progressing"  # now Ruth's is the later


def test_a_bad_capture_file_is_located(follow_up: Path) -> None:
    lena = progress_for(follow_up, "Lena Duarte")
    lena.path.parent.mkdir(parents=True, exist_ok=True)
    lena.path.write_text("id,status,evidence,reviewer,saved_at\n"
                         "zz,addressed,x,Lena Duarte,\n"
                         "m1,half done,x,Lena Duarte,\n"
                         "m3,addressed,,Colin Marsh,\n", encoding="utf-8")
    assert [str(e) for e in validate(follow_up)] == [
        "data/mini-review/capture/progress_lena-duarte.csv: row 2, column id: 'zz' is not an area for consideration "
        "or urgent action of the previous review",
        "data/mini-review/capture/progress_lena-duarte.csv: row 3, column status: 'half done' is not one of: addressed, "
        "progressing, not yet addressed, no longer relevant",
        "data/mini-review/capture/progress_lena-duarte.csv: row 4, column reviewer: 'Colin Marsh' is not this file's "
        "reviewer (Lena Duarte): each team member's marks are in their own file",
        "data/mini-review/capture/progress_lena-duarte.csv: row 4, column evidence: empty: say what the mark rests on",
    ]


def test_purge_checks_the_progress_files(follow_up: Path) -> None:
    lena = progress_for(follow_up, "Lena Duarte")
    assert lena.save("m1", "progressing", "Waits have fallen.").ok
    lena.path.write_text(lena.path.read_text(encoding="utf-8").replace(
        "Waits have fallen.", "Seen for a pupil with NHS number 943 476 5919."), encoding="utf-8")
    report = purge_journals(lena.params, lena.root)
    assert [(e.row, e.column) for e in report.still_current] == [(2, "evidence")]


def _marker(params_file: str, items: list[str], rounds: int, barrier: object) -> None:
    progress = progress_for(Path(params_file), "Lena Duarte")
    barrier.wait(60)  # type: ignore[attr-defined]  # both windows start saving at the same moment
    for i in range(rounds):
        for item in items:
            entry = progress.entries().get(item)
            assert progress.save(item, "progressing", f"round {i} for {item}", base=entry).ok


def test_two_kernels_marking_at_once_lose_nothing(follow_up: Path) -> None:
    """Two kernels (two browser tabs) of one reviewer, each saving its own items over and over:
    every item ends with its last save, and the file holds each item once."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    rounds = 40
    procs = [ctx.Process(target=_marker, args=(str(follow_up), items, rounds, barrier))
             for items in (["m3", "m1"], ["a2", "m4", "a6"])]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    lena = progress_for(follow_up, "Lena Duarte")
    rows = read_rows(lena.path, PROGRESS_COLUMNS)
    assert sorted(r["id"] for r in rows) == sorted(ITEMS)
    assert {r["id"]: r["evidence"] for r in rows} == {i: f"round {rounds - 1} for {i}" for i in ITEMS}
