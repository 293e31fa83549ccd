"""The capture store: atomic saves, merged concurrent saves, validation, withdrawal."""

from __future__ import annotations

import multiprocessing as mp
import os
from pathlib import Path

import pytest
from support.capture import copy_mini, draft, store_for

from toolkit.capture.files import atomic_write_text, locked, read_rows
from toolkit.capture.records import FindingDraft, new_finding_id
from toolkit.capture.store import CaptureStore, open_review
from toolkit.inputs.findings import COLUMNS, read_findings_file
from toolkit.review import load_review


@pytest.fixture
def params_file(tmp_path: Path) -> Path:
    return copy_mini(tmp_path)


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "f.csv"
    atomic_write_text(target, "old\n")
    atomic_write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]


def test_failed_replace_keeps_the_last_good_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.csv"
    atomic_write_text(target, "good\n")

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(target, "half")
    assert target.read_text() == "good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]


def test_stale_temp_files_are_removed_under_the_lock(tmp_path: Path) -> None:
    target = tmp_path / "f.csv"
    stale = tmp_path / ".f.csv.tmp-abc"
    stale.write_text("partial")
    with locked(target):
        pass
    assert not stale.exists()


@pytest.mark.parametrize("bad, field", [
    (draft(statement="   "), "statement"),
    (draft(kloe="no-such-kloe"), "kloe"),
    (draft(evidence=()), "evidence"),
    (draft(kloe=""), "kloe"),
    (draft(kind="opinion"), "kind"),
])
def test_invalid_entries_get_messages_and_write_nothing(params_file: Path, bad: FindingDraft, field: str) -> None:
    store = store_for(params_file, "Ruth Adeyemi")
    result = store.add(bad)
    assert not result.ok and field in [m.field for m in result.messages]
    assert not store.findings_path.exists()


def test_reviewer_not_in_team_is_refused(params_file: Path) -> None:
    store = store_for(params_file, "Someone Else")
    result = store.add(draft())
    assert not result.ok and result.messages[0].field == "reviewer"
    assert not store.findings_path.exists()


def test_saved_files_are_what_the_letter_reads(params_file: Path) -> None:
    store = store_for(params_file, "Lena Duarte")
    store.ensure_files()
    saved = store.add(draft(statement='Quotes "and", commas; new\nlines', detail="<b>bold</b>",
                            evidence=("interview", "case file")))
    assert saved.ok
    store.set_prompt("2016-identify.1", "covered", "minutes of the panel")
    params, scope, root = open_review(params_file)
    got, errors = read_findings_file(store.findings_path, "f", params, scope)
    assert errors == [] and [f.id for f in got] == [saved.finding.id]  # type: ignore[union-attr]
    assert got[0].evidence == ("interview", "case file")
    review = load_review(params_file)  # the parameters still list only the reviewers' own files
    assert saved.finding.id in {f.id for f in review.findings.all}  # type: ignore[union-attr]


def test_new_capture_file_is_seeded_from_the_listed_files(params_file: Path) -> None:
    store = store_for(params_file, "Ruth Adeyemi")
    store.ensure_files()
    assert [f.id for f in store.findings()] == ["a1", "a2", "a3", "a4", "a5", "a6"]
    a5 = store.get("a5")
    assert a5 is not None and not a5.include and a5.reviewer == "Ruth Adeyemi"
    before = store.findings_path.read_bytes()
    store.ensure_files()  # an existing file is never reseeded
    assert store.findings_path.read_bytes() == before
    assert store_for(params_file, "Lena Duarte").findings() == []


def test_ids_are_initials_and_random_hex() -> None:
    ids = {new_finding_id("Ruth Adeyemi") for _ in range(200)}
    assert len(ids) == 200 and all(i.startswith("ra-") and len(i) == 11 for i in ids)


def test_two_tabs_interleaved_saves_are_all_kept(params_file: Path) -> None:
    tab1, tab2 = store_for(params_file, "Colin Marsh"), store_for(params_file, "Colin Marsh")
    made = []
    for i in range(5):
        made.append(tab1.add(draft(statement=f"tab one finding {i}")).finding)
        made.append(tab2.add(draft(statement=f"tab two finding {i}")).finding)
    assert {f.id for f in tab1.findings()} == {f.id for f in made if f}
    # both tabs edit the same finding from the same base, different fields: both edits are kept
    base = made[0]
    assert base is not None
    r1 = tab1.edit(base, FindingDraft(**{**base.draft().__dict__, "statement": "edited in tab one"}))
    r2 = tab2.edit(base, FindingDraft(**{**base.draft().__dict__, "detail": "detail from tab two"}))
    assert r1.ok and r2.ok
    now = tab1.get(base.id)
    assert now is not None and (now.statement, now.detail) == ("edited in tab one", "detail from tab two")
    # the same field changed differently from a stale base: refused, nothing lost or written
    before = tab1.findings_path.read_bytes()
    r3 = tab2.edit(base, FindingDraft(**{**base.draft().__dict__, "statement": "tab two's wording"}))
    assert not r3.ok and r3.conflict and "statement" in r3.messages[0].text
    assert tab1.findings_path.read_bytes() == before


SAVES = 300


def _writer(params_file: str, tag: str, n: int, barrier: object) -> None:
    store = store_for(Path(params_file), "Colin Marsh")
    barrier.wait(60)  # type: ignore[attr-defined]  # both start saving at the same moment
    for i in range(n):
        assert store.add(draft(statement=f"{tag} {i}")).ok


@pytest.mark.slow  # several processes for seconds
def test_two_processes_saving_at_once_lose_nothing(params_file: Path) -> None:
    """Two kernels saving to one reviewer's file as fast as they can: every row is kept.

    Without the file lock the two read-modify-write cycles interleave and one overwrites the
    other's rows (checked by commenting out the ``fcntl.flock`` call: this test then fails).
    """
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(str(params_file), tag, SAVES, barrier)) for tag in ("left", "right")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    store = store_for(params_file, "Colin Marsh")
    statements = sorted(f.statement for f in store.findings())
    assert statements == sorted([f"left {i}" for i in range(SAVES)] + [f"right {i}" for i in range(SAVES)])
    assert len({f.id for f in store.findings()}) == 2 * SAVES


def test_withdrawn_findings_stay_and_can_be_restored(params_file: Path) -> None:
    store = store_for(params_file, "Ruth Adeyemi")
    f = store.add(draft()).finding
    assert f is not None
    assert store.set_withdrawn(f.id, True).ok
    rows = read_rows(store.findings_path, COLUMNS)
    assert rows[0]["withdrawn"] == "yes" and rows[0]["statement"] == f.statement
    assert store.findings(include_withdrawn=False) == []
    params, scope, _ = open_review(params_file)
    got, errors = read_findings_file(store.findings_path, "f", params, scope)
    assert errors == [] and got[0].withdrawn and not got[0].in_letter
    assert store.set_withdrawn(f.id, False).ok
    assert [x.id for x in store.findings(include_withdrawn=False)] == [f.id]


def test_checklist_saves_and_merges(params_file: Path) -> None:
    tab1, tab2 = store_for(params_file, "Lena Duarte"), store_for(params_file, "Lena Duarte")
    assert not tab1.set_prompt("nope.1", "covered", "").ok
    assert not tab1.set_prompt("2016-identify.1", "done", "").ok
    assert not tab1.checklist_path.exists()
    r = tab1.set_prompt("2016-identify.1", "partly", "")
    assert r.ok
    base = r.entry
    assert tab2.set_prompt("2016-identify.2", "covered", "seen it").ok
    assert tab2.set_prompt("2016-identify.1", "partly", "notes from tab two", base=base).ok
    assert tab1.set_prompt("2016-identify.1", "covered", "", base=base).ok
    got = tab1.checklist()
    assert (got["2016-identify.1"].status, got["2016-identify.1"].notes) == ("covered", "notes from tab two")
    assert got["2016-identify.2"].status == "covered"


def test_journal_records_every_save(params_file: Path) -> None:
    store = store_for(params_file, "Ruth Adeyemi")
    f = store.add(draft()).finding
    assert f is not None
    store.set_withdrawn(f.id, True)
    lines = store.journal_path.read_text().splitlines()
    assert [line.split('"op": ')[1].split('"')[1] for line in lines] == ["add", "withdraw"]


def test_unknown_column_is_refused_not_dropped(params_file: Path) -> None:
    store = store_for(params_file, "Ruth Adeyemi")
    store.findings_path.parent.mkdir(parents=True)
    store.findings_path.write_text(",".join(COLUMNS) + ",mystery\n")
    from toolkit.errors import StoreError

    with pytest.raises(StoreError):
        store.add(draft())
    assert store.findings_path.read_text().endswith("mystery\n")


def test_store_is_plain_dataclass(params_file: Path) -> None:
    assert isinstance(store_for(params_file, "Ruth Adeyemi"), CaptureStore)
