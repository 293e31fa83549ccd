"""The capture app's EHCP audit tab without a browser: enter, save, edit, validate, combine, moderate."""

from __future__ import annotations

import html
from pathlib import Path

from support.capture import UNMET, audit_app, audit_tab, copy_mini, fill_audit

from toolkit.analysis.moderation import moderate
from toolkit.capture.app import CaptureApp
from toolkit.capture.audit_store import (
    AuditStore,
    PlanEntry,
    audit_capture_path,
    capture_audit_input,
    combine_capture_audits,
)
from toolkit.capture.audit_tab import grade_text
from toolkit.capture.store import CaptureStore, open_review
from toolkit.inputs.audit import read_audit
from toolkit.inputs.audit_framework import MET, NA, NOT_MET, load_audit_framework
from toolkit.inputs.audit_grades import grade_plan

NHS = "943 476 5919"  # a valid NHS number (modulus-11 check digit right)


def test_rules_lock_criteria_that_do_not_apply(tmp_path: Path) -> None:
    tab = audit_tab(audit_app(tmp_path)[0])
    tab.phase.value, tab.year_group.value, tab.plan_stage.value = "KS2", "5", "annual review"
    for cid in ("pfa1", "pfa2", "tl1", "k2"):  # PfA before Year 9; new-plan criteria on an annual review
        assert tab.rows[cid].value.value == NA and tab.rows[cid].value.disabled
        assert "Not applicable" in tab.rows[cid].hint.value
    assert not tab.rows["tl2"].value.disabled and tab.rows["tl2"].value.value is None
    tab.year_group.value, tab.plan_stage.value, tab.weeks.value = "10", "new", "24"
    assert not tab.rows["pfa1"].value.disabled and tab.rows["pfa1"].value.value is None
    assert tab.rows["tl1"].value.value == NOT_MET and tab.rows["tl1"].value.disabled  # derived: 24 > 20
    assert tab.rows["tl2"].value.disabled
    good = load_audit_framework().criterion("a1").good
    assert html.escape(good) in tab.rows["a1"].widget.children[0].children[0].value


def test_save_writes_a_row_read_audit_reads_with_the_grades_shown(tmp_path: Path) -> None:
    app, params_file = audit_app(tmp_path)
    tab = audit_tab(app)
    fill_audit(tab)
    tab.save.click()
    assert "pr-msg-ok" in tab.messages.widget.value, tab.messages.widget.value
    params, _, root = open_review(params_file)
    path = audit_capture_path(root, params.review_id, "Lena Duarte")
    assert path.name == "audit_lena-duarte.csv"
    fw = load_audit_framework()
    data = read_audit(path, fw, allow=params.allowed_phrases())
    [record] = data.records
    assert (record.case_ref, record.auditor, record.phase, record.year_group) == ("FEN-0142", "Lena Duarte", "KS2", 5)
    assert record.values["pfa1"] == NA and record.values["e1"] == NOT_MET and record.values["a1"] == MET
    grades = grade_plan(record, fw)
    assert tab.last_grades == grades
    shown = tab.grades.value
    assert f"Plan grade: {grade_text(grades.plan_grade)}" in shown
    for code, grade in grades.section_grades.items():
        assert html.escape(grade_text(grade)) in shown and code in shown
    # same columns as the demo audit files (bar the demo's own note: column)
    demo = (Path(__file__).resolve().parents[2] / "data/kestrelmoor-2026/audit.csv").read_text().splitlines()[0]
    assert path.read_text().splitlines()[0] == demo.replace(",note:e4", "")
    assert [label for label, _ in tab.listing.options][0].startswith("FEN-0142 | KS2 | ASD")


def test_bad_case_ref_and_nhs_number_give_messages_and_write_nothing(tmp_path: Path) -> None:
    app, params_file = audit_app(tmp_path)
    tab = audit_tab(app)
    params, _, root = open_review(params_file)
    path = audit_capture_path(root, params.review_id, "Lena Duarte")
    fill_audit(tab, case_ref="Oliver Smith")
    tab.notes.value = f"NHS number {NHS} on the front page."
    tab.save.click()
    msg = tab.messages.widget.value
    assert 'role="alert"' in msg and "Case reference" in msg and "NHS number" in msg
    assert "Oliver" not in msg and NHS not in msg and "943" not in msg  # never echo the data
    assert not path.exists() or path.read_text().count("\n") <= 1
    tab.case_ref.value = ""
    tab.notes.value = ""
    tab.rows["a1"].value.value = None
    tab.phase.value = ""
    tab.save.click()
    msg = tab.messages.widget.value
    assert "Case reference: enter" in msg and "Phase: choose" in msg and "a1" in msg
    assert not path.exists() or path.read_text().count("\n") <= 1


def test_unknown_values_are_refused_by_the_library(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    params, scope, root = open_review(params_file)
    fw = load_audit_framework()
    store = AuditStore(CaptureStore(root, params, scope, "Colin Marsh"), fw)
    entry = PlanEntry("FEN-0200", phase="KS9", plan_stage="new", primary_need="ADHD", setting_type="mainstream",
                      year_group="Year 20", weeks_to_issue="soon", values={c.id: "maybe" for c in fw.criteria})
    result = store.save(entry)
    fields = {m.field for m in result.messages}
    assert not result.ok and {"phase", "primary_need", "year_group", "weeks_to_issue", "criteria"} <= fields
    assert not store.path.exists()


def test_edit_a_saved_plan(tmp_path: Path) -> None:
    app, params_file = audit_app(tmp_path)
    tab = audit_tab(app)
    fill_audit(tab)
    tab.save.click()
    fill_audit(tab, case_ref="FEN-0143", unmet=set())
    tab.new.click()
    assert tab.editing is None and tab.case_ref.value == ""
    fill_audit(tab, case_ref="FEN-0143", unmet=set())
    tab.save.click()
    tab.listing.value = "FEN-0142"
    assert tab.editing is not None and tab.editing.key == "FEN-0142" and tab.save.description == "Save changes"
    assert tab.rows["e1"].value.value == NOT_MET and tab.rows["pfa1"].value.disabled
    for cid in UNMET:
        tab.rows[cid].value.value = MET
    tab.save.click()
    assert "pr-msg-ok" in tab.messages.widget.value
    params, _, root = open_review(params_file)
    data = read_audit(audit_capture_path(root, params.review_id, "Lena Duarte"), load_audit_framework())
    assert [r.case_ref for r in data.records] == ["FEN-0142", "FEN-0143"]
    assert data.records[0].values["e1"] == MET
    assert tab.last_grades is not None and tab.last_grades.plan_grade == 4
    tab.new.click()  # a second plan with a case ref already in the file is refused
    fill_audit(tab, case_ref="fen-0143")
    tab.save.click()
    assert "already audited" in tab.messages.widget.value


def test_two_auditors_then_combine_and_moderate(tmp_path: Path) -> None:
    lena, params_file = audit_app(tmp_path)
    params, scope, root = open_review(params_file)
    colin = CaptureApp(params, scope, root, "Colin Marsh")
    fill_audit(audit_tab(lena))
    audit_tab(lena).save.click()
    fill_audit(audit_tab(lena), case_ref="FEN-0150")
    audit_tab(lena).new.click()
    fill_audit(audit_tab(lena), case_ref="FEN-0150")
    audit_tab(lena).save.click()
    fill_audit(audit_tab(colin), unmet={"e1", "a1"})
    audit_tab(colin).save.click()
    audit_tab(colin).combine.click()
    assert "pr-msg-ok" in audit_tab(colin).combine_messages.widget.value
    assert "1 read by two or more auditors" in audit_tab(colin).combine_messages.widget.value
    assert capture_audit_input(params) in audit_tab(colin).widget.children[-3].value
    assert "The letter will read two plans, all entered here." in audit_tab(colin).combine_messages.widget.value
    combined = combine_capture_audits(params, root)
    assert combined.relative_to(root).as_posix() == capture_audit_input(params)
    data = read_audit(combined.relative_to(root), load_audit_framework(), root=root)
    assert len(data.records) == 3 and len(data.plans) == 2
    result = moderate(data)
    assert result.plans == 1
    [pair] = result.pairs
    assert pair.case_ref == "FEN-0142" and {pair.first.auditor, pair.second.auditor} == {"Lena Duarte", "Colin Marsh"}
    differ = {d.item for d in result.disagreements if d.level == "criterion"}
    assert differ == {"a1", "e4", "h2", "gt2"}  # Lena: e1, e4, h2, gt2 unmet; Colin: e1, a1


def test_combine_with_no_plans_writes_nothing(tmp_path: Path) -> None:
    app, params_file = audit_app(tmp_path)
    tab = audit_tab(app)
    tab.combine.click()
    assert 'role="alert"' in tab.combine_messages.widget.value and "nothing" in tab.combine_messages.widget.value
    params, _, root = open_review(params_file)
    assert not (root / capture_audit_input(params)).exists()


def test_two_windows_editing_one_plan_merge_or_refuse(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    params, scope, root = open_review(params_file)
    fw = load_audit_framework()
    one, two = (AuditStore(CaptureStore(root, params, scope, "Colin Marsh"), fw) for _ in range(2))
    values = {c.id: MET for c in fw.criteria}
    first = one.save(PlanEntry("FEN-0300", "KS4", "annual review", "SEMH", "special", "10", "", values))
    assert first.ok and first.entry is not None
    base = first.entry
    assert one.save(PlanEntry(**{**base.__dict__, "notes": "Clear plan."}), base=base).ok
    merged = two.save(PlanEntry(**{**base.__dict__, "values": {**values, "e1": NOT_MET}}), base=base)
    assert merged.ok and merged.entry is not None
    assert merged.entry.notes == "Clear plan." and merged.entry.values["e1"] == NOT_MET
    clash = two.save(PlanEntry(**{**base.__dict__, "notes": "Thin plan."}), base=base)
    assert not clash.ok and clash.conflict and "notes" in clash.messages[0].text
    assert one.get("FEN-0300").notes == "Clear plan."  # type: ignore[union-attr]
    journal = (root / "data" / params.review_id / "capture" / ".journal_colin-marsh.jsonl").read_text()
    assert journal.count('"op": "audit"') == 3


def _demo_copy(tmp_path: Path) -> Path:
    """The Kestrelmoor demo (its parameters name data/kestrelmoor-2026/audit.csv), copied untouched."""
    import shutil

    from support.paths import ROOT

    proj = tmp_path / "demo"
    (proj / "params").mkdir(parents=True)
    shutil.copy(ROOT / "params" / "kestrelmoor-2026.yaml", proj / "params")
    for folder in ("kestrelmoor-2026", "performance"):
        shutil.copytree(ROOT / "data" / folder, proj / "data" / folder)
    return proj / "params" / "kestrelmoor-2026.yaml"


def test_captured_plans_reach_the_letter_beside_the_listed_audit(tmp_path: Path) -> None:
    """The demo's parameters name an audit file and are never edited: after Combine the letter reads
    the listed plans plus the captured ones; a plan an auditor re-enters in the app replaces their
    row in the listed file, another auditor's row for it stays (moderation); the manifest hashes both."""
    from toolkit.build.manifest import input_files
    from toolkit.letter.sections import build_letter
    from toolkit.review import load_review

    params_file = _demo_copy(tmp_path)
    before = params_file.read_bytes()
    params, scope, root = open_review(params_file)
    listed = read_audit(params.inputs.audit, load_audit_framework(), root=root)  # type: ignore[arg-type]
    n_listed = len(listed.plans)
    priya_row = next(r for r in listed.records if r.auditor == "Priya Raman")
    priya = CaptureApp(params, scope, root, "Priya Raman")
    fill_audit(audit_tab(priya), case_ref="KES-9001")
    audit_tab(priya).save.click()
    fill_audit(audit_tab(priya), case_ref=priya_row.case_ref)  # re-entered: replaces her listed row
    audit_tab(priya).new.click()
    fill_audit(audit_tab(priya), case_ref=priya_row.case_ref)
    audit_tab(priya).save.click()
    assert "pr-msg-ok" in audit_tab(priya).messages.widget.value
    audit_tab(priya).combine.click()
    said = html.unescape(audit_tab(priya).combine_messages.widget.value)
    assert "pr-msg-ok" in said
    assert "The letter will read" in said and "two entered here" in said and "one of its rows is replaced" in said

    review = load_review(params_file)
    assert review.audit is not None
    assert len(review.audit.plans) == n_listed + 1  # KES-9001 added; the re-entered plan counted once
    mine = [r for r in review.audit.records if r.case_ref == priya_row.case_ref and r.auditor == "Priya Raman"]
    assert len(mine) == 1 and mine[0].notes.startswith("Outcomes describe services")
    assert len(review.audit.records) == len(listed.records) + 1
    letter = build_letter(review)
    from toolkit.wording import plural
    assert f"We read {plural(n_listed + 1, 'plan')}" in letter
    hashed = {p.relative_to(root).as_posix() for p in input_files(params, params_file, root)}
    assert {params.inputs.audit, capture_audit_input(params)} <= hashed
    assert params_file.read_bytes() == before
