"""A capture session reaches the letter without anyone editing the parameters file."""

from __future__ import annotations

from pathlib import Path

from support.capture import audit_app, audit_tab, copy_mini, draft, fill_audit, store_for

from toolkit.build.manifest import build_manifest, input_files
from toolkit.build.verify import changed_inputs
from toolkit.capture.refine import Refiner
from toolkit.capture.store import open_review
from toolkit.inputs.findings import Kind
from toolkit.review import load_review

LISTED = ["a1", "a2", "a3", "a4", "a5", "a6", "m1", "m2", "m3", "m4"]


def _session(tmp_path: Path) -> Path:
    """What ``peer-review capture`` does at start, then a day's work in the app."""
    params_file = copy_mini(tmp_path)
    params, _, _ = open_review(params_file)
    for m in params.team:
        store_for(params_file, m.name).ensure_files()
    return params_file


def test_captured_findings_and_ticks_reach_the_review_without_editing_params(tmp_path: Path) -> None:
    params_file = _session(tmp_path)
    text = params_file.read_text(encoding="utf-8")
    lena, ruth = store_for(params_file, "Lena Duarte"), store_for(params_file, "Ruth Adeyemi")
    new = lena.add(draft("Families are welcomed at the front door.", kloe="lt-coproduction")).finding
    a1 = ruth.get("a1")
    assert new is not None and a1 is not None
    assert ruth.edit(a1, draft("Health visitors pick up speech delay at the two-year check.")).ok
    assert ruth.set_withdrawn("a2", True).ok
    assert lena.set_prompt("2016-identify.3", "covered", "").ok
    review = load_review(params_file)
    assert params_file.read_text(encoding="utf-8") == text
    ids = [f.id for f in review.findings.all]
    assert sorted(ids) == sorted(LISTED + [new.id])  # each listed finding once, from its capture copy
    got = {f.id: f for f in review.findings.all}
    assert got["a1"].statement == "Health visitors pick up speech delay at the two-year check."
    assert got["a2"].withdrawn and got["a2"].file.endswith("capture/findings_ruth-adeyemi.csv")
    assert got[new.id] in review.findings.for_kloe("lt-coproduction", Kind.STRENGTH)
    assert ("2016-identify.3", "Lena Duarte") in {(c.prompt_id, c.reviewer) for c in review.checklist}
    assert "data/mini-review/capture/findings_lena-duarte.csv" in review.findings.files


def test_reading_order_is_listed_files_then_capture_files_in_team_order(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    colin = store_for(params_file, "Colin Marsh")
    colin.add(draft("A second reviewer's new finding."))  # no seeding: created by a save, not by ensure_files
    lena = store_for(params_file, "Lena Duarte")
    lena.add(draft("A third reviewer's first finding."))
    review = load_review(params_file)
    assert [f.statement for f in review.findings.all][-2:] == ["A second reviewer's new finding.",
                                                               "A third reviewer's first finding."]
    assert [f.id for f in review.findings.all][:10] == LISTED  # not superseded: read from the listed files
    again = load_review(params_file)
    assert [f.id for f in again.findings.all] == [f.id for f in review.findings.all]


def test_refinement_is_what_the_letter_reads(tmp_path: Path) -> None:
    params_file = _session(tmp_path)
    params, scope, root = open_review(params_file)
    lena = store_for(params_file, "Lena Duarte")
    dup = lena.add(draft("Health visitors pick up speech delay early.", evidence=("visit",))).finding
    assert dup is not None
    refiner = Refiner(params, scope, root)
    assert all(r.ok for r in refiner.merge("a1", [dup.id]))
    assert refiner.set_flags("m1", headline=True).ok
    assert refiner.set_flags("a4", include=False).ok
    assert all(r.ok for r in refiner.reorder(["a2"]))
    review = load_review(params_file)
    got = {f.id: f for f in review.findings.all}
    assert "visit" in got["a1"].evidence and got["a1"].in_letter  # the merge pooled the evidence kinds
    assert not got[dup.id].in_letter and not got["a4"].in_letter
    assert got["m1"] in review.findings.headlines(Kind.AREA)
    assert [f.id for f in review.findings.for_kloe("2016-identify", Kind.AREA)] == ["a2"]
    assert got["a2"].order == 1


def test_manifest_hashes_the_capture_files(tmp_path: Path) -> None:
    params_file = _session(tmp_path)
    params, _, root = open_review(params_file)
    names = {p.relative_to(root).as_posix() for p in input_files(params, params_file, root)}
    assert {"data/mini-review/capture/findings_lena-duarte.csv",
            "data/mini-review/capture/checklist_ruth-adeyemi.csv"} <= names
    manifest = build_manifest(params, params_file, root, {})
    store_for(params_file, "Lena Duarte").add(draft("Added after the draft."))
    assert changed_inputs(manifest, root) == ["data/mini-review/capture/findings_lena-duarte.csv"]


def test_listed_rows_the_capture_file_does_not_hold_are_still_read(tmp_path: Path, append_rows) -> None:  # type: ignore[no-untyped-def]
    params_file = _session(tmp_path)
    root = params_file.parents[1]
    append_rows(root / "data" / "mini" / "findings_marsh.csv",
                ["m5,ehcp-timeliness,strength,no,Added to the listed file later.,,data,Colin Marsh,yes,,"])
    review = load_review(params_file)
    assert [f.id for f in review.findings.all].count("m5") == 1
    assert [f.id for f in review.findings.all].count("m1") == 1


def test_captured_audit_reaches_the_review_once_combined_and_not_before(tmp_path: Path) -> None:
    import pytest

    from toolkit.errors import ValidationFailed

    app, params_file = audit_app(tmp_path)
    text = params_file.read_text(encoding="utf-8")
    assert load_review(params_file).audit is None  # no plans yet, no audit section
    fill_audit(audit_tab(app))
    audit_tab(app).save.click()
    # saved but not combined: the letter must not quietly leave the plan out
    with pytest.raises(ValidationFailed) as info:
        load_review(params_file)
    [err] = info.value.errors
    assert "capture/audit_lena-duarte.csv" in str(err) and "not yet in the letter" in str(err)
    audit_tab(app).combine.click()
    review = load_review(params_file)
    assert review.audit is not None and [p.case_ref for p in review.audit.plans] == ["FEN-0142"]
    assert params_file.read_text(encoding="utf-8") == text
    root = params_file.parents[1]
    assert root / "data/mini-review/capture/audit.csv" in input_files(review.params, params_file, root)


def test_an_auditor_file_with_no_plans_yet_does_not_stop_the_letter(tmp_path: Path) -> None:
    app, params_file = audit_app(tmp_path)
    empty = params_file.parents[1] / "data/mini-review/capture/audit_lena-duarte.csv"
    empty.parent.mkdir(parents=True, exist_ok=True)
    if not empty.exists():
        empty.write_text("case_ref,auditor\n", encoding="utf-8")
    assert load_review(params_file).audit is None
