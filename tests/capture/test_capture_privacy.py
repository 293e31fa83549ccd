"""One personal-data screen at every door of capture: the app's forms, the Excel import, the journal.

Everything here runs the real store, tabs and command line on a copy of the small review, and then
reads every file under the review's capture folder, the journal included, for the refused text.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from support.capture import copy_mini, draft, store_for

from toolkit.capture.app import CaptureApp
from toolkit.capture.files import atomic_write_text, read_rows, rows_to_csv
from toolkit.capture.store import CaptureStore, open_review
from toolkit.capture.ui import MessageArea, run_guarded
from toolkit.capture.workbook import export_workbook
from toolkit.inputs.capture_layout import capture_folder
from toolkit.inputs.findings import COLUMNS
from toolkit.inputs.privacy import NOT_SHOWN, REDACTED
from toolkit.inputs.tables import CELL_LIMIT

CHILD = "Oliver Bennett, born 14/03/2015"
CHILD_BITS = ("Oliver", "Bennett", "14/03/2015")
NHS = "943 476 5919"
REVIEWER = "Lena Duarte"


def _app(tmp_path: Path) -> tuple[CaptureApp, Path]:
    params_file = copy_mini(tmp_path)
    params, scope, root = open_review(params_file)
    return CaptureApp(params, scope, root, REVIEWER), params_file


def _folder(params_file: Path) -> Path:
    params, _, root = open_review(params_file)
    return capture_folder(root, params.review_id)


def _files_holding(folder: Path, *bits: str) -> list[str]:
    """Every file under ``folder`` (hidden ones, the journal and lock files included) holding any of ``bits``."""
    if not folder.exists():
        return []
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", errors="replace")
            if any(b in data for b in bits):
                found.append(path.name)
    return found


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit.cli", *args], capture_output=True, text=True, timeout=120)


# -- the app ---------------------------------------------------------------------------------------
def test_finding_with_a_childs_name_and_birth_date_is_refused_next_to_the_statement(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    tab = app.findings
    tab.kloe.value = "lt-coproduction"
    tab.statement.value = f"{CHILD}, waited a year for a plan."
    tab.evidence["case file"].value = True
    tab._on_save(None)
    msg = tab.messages.widget.value
    assert 'role="alert"' in msg
    assert "Lead statement: This looks like a person&#x27;s name and a date of birth, which a finding must " \
           "not hold: refer to a child by their case reference only." in msg
    assert "If it is a member of staff" in msg  # the name hint
    assert not any(b in msg for b in CHILD_BITS)
    assert tab.statement.value == f"{CHILD}, waited a year for a plan."  # still in the form
    assert store_for(params_file, REVIEWER).findings() == []
    assert _files_holding(_folder(params_file), *CHILD_BITS) == []


def test_finding_with_an_nhs_number_in_the_detail_is_refused_next_to_the_detail(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    tab = app.findings
    tab.kloe.value = "lt-coproduction"
    tab.statement.value = "Health records reach the plan writers late."
    tab.detail.value = f"The record for NHS {NHS} arrived after the draft."
    tab.evidence["case file"].value = True
    tab._on_save(None)
    msg = tab.messages.widget.value
    assert "Detail: This looks like an NHS number, which a finding must not hold" in msg
    assert "Lead statement" not in msg and NHS not in msg and "5919" not in msg
    assert tab.detail.value.endswith("arrived after the draft.")
    assert _files_holding(_folder(params_file), NHS, "9434765919") == []
    # corrected, it saves, and the confirmation quotes the statement
    tab.detail.value = "The health record arrived after the draft."
    tab._on_save(None)
    assert "Saved: &#x27;Health records reach the plan writers late.&#x27;" in tab.messages.widget.value


def test_editing_a_finding_to_add_a_childs_data_is_refused_and_the_saved_row_stays(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    store = store_for(params_file, REVIEWER)
    saved = store.add(draft("Plans are written with families.", kloe="lt-coproduction")).finding
    assert saved is not None
    before = store.findings_path.read_bytes()
    tab = app.findings
    tab.refresh()
    tab.listing.value = saved.id
    tab.detail.value = f"As {CHILD} told us."
    tab._on_save(None)
    assert "Detail: This looks like" in tab.messages.widget.value
    assert tab.detail.value == f"As {CHILD} told us."
    assert store.findings_path.read_bytes() == before
    assert _files_holding(_folder(params_file), *CHILD_BITS) == []


def test_over_long_statement_is_refused_saying_the_limit(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    tab = app.findings
    tab.kloe.value = "lt-coproduction"
    tab.statement.value = "word " * (CELL_LIMIT // 5 + 1)
    tab.evidence["interview"].value = True
    tab._on_save(None)
    assert f"at most {CELL_LIMIT:,} characters" in tab.messages.widget.value
    assert store_for(params_file, REVIEWER).findings() == []


def test_checklist_notes_with_personal_data_are_refused_next_to_the_notes(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    row = app.checklist.rows["2016-identify.3"]
    row.notes.value = f"Asked about {CHILD}"
    msg = row.messages.widget.value
    assert "Evidence notes: This looks like a person&#x27;s name and a date of birth, which checklist notes " \
           "must not hold" in msg
    assert not any(b in msg for b in CHILD_BITS)
    assert row.notes.value == f"Asked about {CHILD}"
    row.status.value = "covered"  # a status change carries the notes: refused too, and the buttons say so
    assert "Evidence notes: This looks like" in row.messages.widget.value
    assert row.status.value == "not yet"
    assert "2016-identify.3" not in store_for(params_file, REVIEWER).checklist()
    assert _files_holding(_folder(params_file), *CHILD_BITS) == []
    row.notes.value = "Asked the SENCOs"
    row.status.value = "covered"
    entry = store_for(params_file, REVIEWER).checklist()["2016-identify.3"]
    assert (entry.status, entry.notes) == ("covered", "Asked the SENCOs")


def test_a_failing_callback_logs_no_message_text(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    area = MessageArea()

    def boom() -> None:
        raise ValueError(f"could not handle {CHILD}")

    with caplog.at_level(logging.DEBUG, logger="toolkit.capture"):
        run_guarded(area, boom)
    assert "ValueError" in caplog.text and "boom" in caplog.text
    assert not any(b in caplog.text for b in CHILD_BITS)
    assert not any(b in area.widget.value for b in CHILD_BITS)


def test_messages_quoting_input_never_show_personal_data(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    store = store_for(params_file, REVIEWER)
    bad = store.add(draft(kloe=CHILD))
    text = " ".join(m.text for m in bad.messages)
    assert NOT_SHOWN in text and not any(b in text for b in CHILD_BITS)
    result = store.set_prompt(f"DOB {NHS}", "covered", "")
    assert not result.ok and NHS not in result.messages[0].text
    assert "'no-such-kloe' is not a KLOE" in store.add(draft(kloe="no-such-kloe")).messages[0].text


# -- the journal -----------------------------------------------------------------------------------
def _old_journal_line(op: str, row: dict[str, str]) -> str:
    """A journal entry as the store wrote it before the screen (the text kept as typed)."""
    return json.dumps({"at": "2026-02-03T10:00:00.000+00:00", "session": "old", "op": op, "row": row},
                      ensure_ascii=False)


def test_journal_never_repeats_old_personal_data_on_a_later_save(tmp_path: Path) -> None:
    """A row saved before the screen existed, withdrawn now: the journal gets the redaction mark."""
    params_file = copy_mini(tmp_path)
    store = store_for(params_file, REVIEWER)
    ok = store.add(draft("Families shape the offer.", kloe="lt-coproduction")).finding
    assert ok is not None
    rows = read_rows(store.findings_path, COLUMNS)
    rows[0]["detail"] = CHILD  # as an older version of the toolkit could have saved it
    atomic_write_text(store.findings_path, rows_to_csv(rows, COLUMNS))
    assert store.set_withdrawn(ok.id, True).ok
    journal = store.journal_path.read_text(encoding="utf-8")
    assert REDACTED in journal and not any(b in journal for b in CHILD_BITS)


def _slipped_in(params_file: Path) -> tuple[CaptureStore, list[bytes]]:
    """Ruth's journal as an older toolkit left it: a child's data saved, then edited out of the files."""
    store = store_for(params_file, "Ruth Adeyemi")
    store.ensure_files()
    f = store.add(draft("Plans are written with families.", kloe="lt-coproduction")).finding
    assert f is not None and store.set_prompt("2016-identify.1", "covered", "panel minutes").ok
    old = [
        _old_journal_line("add", {**f.to_row(), "statement": f"{CHILD} waited a year."}),
        _old_journal_line("edit", {**f.to_row(), "detail": f"NHS number {NHS}"}),
        _old_journal_line("checklist", {"prompt_id": "2016-identify.1", "kloe": "2016-identify",
                                        "status": "covered", "notes": f"about {CHILD}", "reviewer": "Ruth Adeyemi"}),
        '{"at": "2026-02-03T10:00:00", "op": "add", "row": {"statement": "Oliver Bennett, born 14/03/2',  # torn
    ]
    with store.journal_path.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(old) + "\n")
    folder = _folder(params_file)
    return store, [p.read_bytes() for p in sorted(folder.glob("*.csv"))]


def test_capture_purge_removes_slipped_in_text_and_keeps_every_current_row(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    store, csv_before = _slipped_in(params_file)
    folder = _folder(params_file)
    entries_before = store.journal_path.read_text(encoding="utf-8").splitlines()
    assert _files_holding(folder, *CHILD_BITS) == [store.journal_path.name]
    res = _cli("capture-purge", str(params_file))
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    assert f".journal_ruth-adeyemi.jsonl: 4 of {len(entries_before)} entries removed" in res.stdout
    assert not any(b in res.stdout + res.stderr for b in (*CHILD_BITS, NHS))
    assert _files_holding(folder, *CHILD_BITS, NHS) == []
    assert [p.read_bytes() for p in sorted(folder.glob("*.csv"))] == csv_before  # findings as they were
    kept = store.journal_path.read_text(encoding="utf-8").splitlines()
    assert kept == entries_before[:-4]  # the clean history, in order, untouched
    assert [json.loads(line)["op"] for line in kept][-2:] == ["add", "checklist"]
    # the store carries on appending to the purged journal
    assert store.set_prompt("2016-identify.2", "partly", "").ok
    assert len(store.journal_path.read_text(encoding="utf-8").splitlines()) == len(kept) + 1
    again = _cli("capture-purge", str(params_file))
    assert again.returncode == 0 and "0 journal entries removed" in again.stdout


def test_capture_purge_names_current_rows_that_still_hold_personal_data(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    store, _ = _slipped_in(params_file)
    rows = read_rows(store.findings_path, COLUMNS)
    rows[-1]["statement"] = f"{CHILD} waited a year."  # not yet edited out of the file
    atomic_write_text(store.findings_path, rows_to_csv(rows, COLUMNS))
    before = store.findings_path.read_bytes()
    res = _cli("capture-purge", str(params_file))
    assert res.returncode == 1
    assert f"findings_ruth-adeyemi.csv: row {len(rows) + 1}, column statement: still looks like" in res.stderr
    assert not any(b in res.stdout + res.stderr for b in CHILD_BITS) and "Traceback" not in res.stderr
    assert store.findings_path.read_bytes() == before  # never changed by the purge
    assert not any(b in store.journal_path.read_text(encoding="utf-8") for b in CHILD_BITS)


def test_capture_purge_without_capture_files(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    res = _cli("capture-purge", str(params_file))
    assert res.returncode == 0 and "nothing to purge" in res.stdout


# -- capture-import --------------------------------------------------------------------------------
def _workbook(tmp_path: Path) -> tuple[Path, Path]:
    params_file = copy_mini(tmp_path)
    store = store_for(params_file, "Ruth Adeyemi")
    store.ensure_files()
    params, scope, root = open_review(params_file)
    return params_file, export_workbook(params, scope, root, "Ruth Adeyemi", tmp_path / "ruth.xlsx")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def _col(name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(COLUMNS.index(name) + 1)


def _refused(params_file: Path, xlsx: Path, folder: Path, before: dict[str, bytes]) -> str:
    res = _cli("capture-import", str(params_file), str(xlsx))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert _snapshot(folder) == before  # nothing merged or written, the journal included
    return res.stderr


def test_import_refuses_personal_data_naming_file_sheet_row_and_column(tmp_path: Path) -> None:
    params_file, xlsx = _workbook(tmp_path)
    folder = _folder(params_file)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Findings"]
    ws.append(["", "lt-coproduction", "strength", "no", f"{CHILD} waited a year.", "", "case file", "", "", "",
               "", ""])
    ws[f"{_col('detail')}2"] = f"NHS {NHS}"
    wb["Checklist"]["D3"] = f"about {CHILD}"
    wb.save(xlsx)
    before = _snapshot(folder)
    err = _refused(params_file, xlsx, folder, before)
    new_row = ws.max_row
    assert (f"ruth.xlsx [Findings]: row {new_row}, column statement: This looks like a person's name and a date "
            "of birth, which a finding must not hold") in err
    assert "ruth.xlsx [Findings]: row 2, column detail: This looks like an NHS number" in err
    assert "ruth.xlsx [Checklist]: row 3, column notes: This looks like a person's name and a date of birth" in err
    assert not any(b in err for b in (*CHILD_BITS, NHS, "5919"))
    assert _files_holding(folder, *CHILD_BITS, NHS) == []


def test_import_refuses_a_workbook_without_its_findings_sheet(tmp_path: Path) -> None:
    params_file, xlsx = _workbook(tmp_path)
    folder = _folder(params_file)
    wb = openpyxl.load_workbook(xlsx)
    wb["Findings"].title = "My findings"
    wb.save(xlsx)
    err = _refused(params_file, xlsx, folder, _snapshot(folder))
    assert len(err.strip().splitlines()) == 1
    assert "ruth.xlsx: the workbook has no Findings sheet" in err
    del wb["Checklist"]
    wb.save(xlsx)
    err = _refused(params_file, xlsx, folder, _snapshot(folder))
    assert "ruth.xlsx: the workbook has no Findings or Checklist sheet" in err


def test_import_refuses_an_over_long_cell(tmp_path: Path) -> None:
    params_file, xlsx = _workbook(tmp_path)
    folder = _folder(params_file)
    wb = openpyxl.load_workbook(xlsx)
    wb["Findings"][f"{_col('statement')}2"] = "a" * (CELL_LIMIT + 1)
    wb["Checklist"]["D2"] = "b" * (CELL_LIMIT + 5)
    wb.save(xlsx)
    err = _refused(params_file, xlsx, folder, _snapshot(folder))
    assert f"ruth.xlsx [Findings]: row 2, column statement: This text is {CELL_LIMIT + 1:,} characters long; " \
           f"it may be at most {CELL_LIMIT:,} characters" in err
    assert "ruth.xlsx [Checklist]: row 2, column notes: This text is" in err
    assert "aaaaaaaaaa" not in err


def test_import_refuses_a_hidden_findings_sheet(tmp_path: Path) -> None:
    params_file, xlsx = _workbook(tmp_path)
    folder = _folder(params_file)
    wb = openpyxl.load_workbook(xlsx)
    wb["Findings"].sheet_state = "hidden"
    wb.active = wb.sheetnames.index("Checklist")
    wb.save(xlsx)
    err = _refused(params_file, xlsx, folder, _snapshot(folder))
    assert "ruth.xlsx [Findings]: this sheet is hidden" in err


def test_seeding_never_copies_a_listed_row_holding_personal_data(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    params, _, root = open_review(params_file)
    listed = root / "data" / "mini" / "findings_adeyemi.csv"
    rows = read_rows(listed, COLUMNS)
    rows[0]["detail"] = CHILD
    listed.write_text(rows_to_csv(rows, COLUMNS), encoding="utf-8")
    store = store_for(params_file, "Ruth Adeyemi")
    store.ensure_files()
    assert rows[0]["id"] not in {f.id for f in store.findings()}
    assert _files_holding(_folder(params_file), *CHILD_BITS) == []
