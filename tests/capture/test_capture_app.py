"""The capture app's widgets without a browser: forms, messages, escaping, tabs."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
from support.capture import copy_mini, draft, store_for

from toolkit.capture.app import CaptureApp, capture_app, page_query, reviewer_from_query
from toolkit.capture.store import open_review


def _app(tmp_path: Path, reviewer: str = "Lena Duarte") -> tuple[CaptureApp, Path]:
    params_file = copy_mini(tmp_path)
    params, scope, root = open_review(params_file)
    return CaptureApp(params, scope, root, reviewer), params_file


def test_bad_entry_shows_messages_and_saves_nothing(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    tab = app.findings
    tab.statement.value = "<script>alert(1)</script>"
    tab._on_save(None)
    msg = tab.messages.widget.value
    assert 'role="alert"' in msg and "KLOE" in msg and "Evidence" in msg
    assert store_for(params_file, "Lena Duarte").findings() == []
    assert tab.statement.value == "<script>alert(1)</script>"  # the entry stays in the form


def test_add_edit_withdraw_restore(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    tab = app.findings
    tab.kloe.value = "lt-coproduction"
    tab.statement.value = "Families <b>shape</b> services."
    tab.evidence["focus group"].value = True
    tab._on_save(None)
    assert "&lt;b&gt;shape&lt;/b&gt;" in tab.messages.widget.value and "<b>shape" not in tab.messages.widget.value
    [(label, fid)] = tab.listing.options
    tab.listing.value = fid
    assert tab.editing is not None and tab.save.description == "Save changes"
    tab.detail.value = "Seen at the forum."
    tab._on_save(None)
    assert store_for(params_file, "Lena Duarte").get(fid).detail == "Seen at the forum."  # type: ignore[union-attr]
    tab.withdraw.click()
    assert store_for(params_file, "Lena Duarte").get(fid).withdrawn  # type: ignore[union-attr]
    assert not tab.restore.disabled
    tab.restore.click()
    assert not store_for(params_file, "Lena Duarte").get(fid).withdrawn  # type: ignore[union-attr]


def test_checklist_saves_on_change(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    row = app.checklist.rows["2016-identify.3"]
    row.status.value = "partly"
    row.notes.value = "asked SENCOs"
    entry = store_for(params_file, "Lena Duarte").checklist()["2016-identify.3"]
    assert (entry.status, entry.notes) == ("partly", "asked SENCOs")
    assert "Notes saved (status: Partly)." in row.messages.widget.value  # says what was saved
    assert 'data-pr-saved="{&quot;pr-notes&quot;: &quot;asked SENCOs&quot;}"' in row.messages.widget.value


def test_a_refused_note_leaves_the_status_buttons_as_saved(tmp_path: Path) -> None:
    """Status and notes are saved together: notes refused as personal data take the status with
    them, the buttons go back to the saved status, and the message says so and names the field the
    page must not keep."""
    app, params_file = _app(tmp_path)
    row = app.checklist.rows["2016-identify.3"]
    row.notes.value = "NHS number 943 476 5919 on file"
    row.status.value = "covered"
    assert row.status.value == "not yet"
    said = row.messages.widget.value
    assert "the status stays Not yet, not Covered" in said and "NHS number" in said
    assert 'data-pr-refused="[&quot;pr-notes&quot;]"' in said and "943" not in said
    assert "2016-identify.3" not in store_for(params_file, "Lena Duarte").checklist()
    row.notes.value = "asked SENCOs"
    row.status.value = "covered"
    assert "Saved: Covered." in row.messages.widget.value
    entry = store_for(params_file, "Lena Duarte").checklist()["2016-identify.3"]
    assert (entry.status, entry.notes) == ("covered", "asked SENCOs")


def test_coverage_and_refine_tabs_render_escaped(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    app.coverage.refresh()
    assert "pr-table" in app.coverage.table.value and "<script>" not in app.coverage.table.value
    app.refine.kloe.value = "lt-coproduction"
    app.refine.refresh()
    assert "<script>" not in app.refine.table.value  # the fixture holds a <script> statement, not captured here
    assert app.refine.messages.widget.value == "" or "pr-msg-ok" in app.refine.messages.widget.value


def test_missing_or_bad_params_give_a_message_not_a_traceback(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("PEER_REVIEW_PARAMS", raising=False)
    w = capture_app()
    assert isinstance(w, widgets.VBox) and "peer-review capture" in w.children[1].value
    bad = tmp_path / "bad.yaml"
    bad.write_text("review_id: Not A Slug\n")
    w = capture_app(bad)
    assert "bad.yaml" in w.children[1].value and 'role="alert"' in w.children[1].value


def test_a_kernel_started_for_its_page_reads_the_query_string_at_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without pre-heating (nbval, a kernel started because the pool was empty) the page's query
    string is in the environment already: nothing waits and Voila is not imported for it."""
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "reviewer=Lena%20Duarte")
    assert page_query() == "reviewer=Lena%20Duarte"
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    assert page_query() == "reviewer=Lena%20Duarte"


def test_query_string_preselects_only_team_members() -> None:
    assert reviewer_from_query("reviewer=Lena%20Duarte&token=x", ["Lena Duarte"]) == "Lena Duarte"
    assert reviewer_from_query("reviewer=Mallory", ["Lena Duarte"]) is None


SCRIPT = "Families <script>alert('x')</script> shape the offer."


def _html_of(w: widgets.Widget) -> str:
    """All the HTML a widget tree puts on the page."""
    out = [w.value] if isinstance(w, widgets.HTML) else []
    for child in getattr(w, "children", ()):
        out.append(_html_of(child))
    return "".join(out)


def test_coverage_lists_uncovered_prompts_and_single_evidence_findings_escaped(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    lena = store_for(params_file, "Lena Duarte")
    thin = lena.add(draft(SCRIPT, kloe="lt-coproduction", evidence=("focus group",))).finding
    assert thin is not None
    assert lena.set_prompt("lt-coproduction.1", "covered", "").ok
    assert lena.set_prompt("lt-coproduction.2", "partly", "").ok
    app.coverage.refresh()
    page = app.coverage.details.value
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    section = page.split('data-kloe="lt-coproduction"')[1].split("</section>")[0]
    _, scope, _ = open_review(params_file)
    prompts = {p.id: p.text for k in scope.kloes for p in k.prompts}
    assert prompts["lt-coproduction.1"] not in section  # covered: not listed
    assert f"{prompts['lt-coproduction.2']} <small>(partly)</small>" in section
    assert section.count('class="pr-cov-prompt"') == sum(1 for p in prompts if p.startswith("lt-coproduction.")) - 1
    assert "(Lena Duarte; only focus group)" in section
    assert "A dropped duplicate finding." in section  # the fixture's a5 rests on an interview only


def test_refine_shows_a_script_statement_escaped(tmp_path: Path) -> None:
    app, params_file = _app(tmp_path)
    params, _, _ = open_review(params_file)
    for m in params.team:  # as peer-review capture does at start
        store_for(params_file, m.name).ensure_files()
    lena = store_for(params_file, "Lena Duarte")
    assert lena.add(draft(SCRIPT, kloe="lt-coproduction", evidence=("interview",))).ok
    assert lena.add(draft("The forum shapes strategy from the start.", kloe="lt-coproduction")).ok
    app.refine.kloe.value = "lt-coproduction"
    app.refine.refresh()
    shown = _html_of(app.refine.widget)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in shown  # Lena's, in table and editor
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # the fixture's a4, seeded into Ruth's file
    assert "<script>" not in shown
    assert "inputs:" not in shown  # no parameters snippet to paste any more


def test_findings_list_for_the_evening(tmp_path: Path) -> None:
    """KLOE titles, not ids; in or out of the letter, withdrawn and headline marked; newest first and
    the one just saved marked; a KLOE filter; the same statement twice is warned before saving; a
    refused edit says how to go back to the saved version and lets the finding be picked again."""
    app, params_file = _app(tmp_path)
    tab = app.findings
    title = tab.titles["lt-coproduction"]
    for text in ("Families shape services.", "Health visitors spot needs early."):
        tab.kloe.value = "lt-coproduction" if text.startswith("Families") else "2016-identify"
        tab.statement.value = text
        tab.evidence["interview"].value = True
        tab._on_save(None)
    labels = [label for label, _ in tab.listing.options]
    assert labels[0].startswith(f"{tab.titles['2016-identify']} | Strength | just saved, in letter | Health")
    assert labels[1] == f"{title} | Strength | in letter | Families shape services."
    assert "2016-identify" not in " ".join(labels) and "1.0" not in " ".join(labels)

    tab.filter.value = "lt-coproduction"
    assert [label for label, _ in tab.listing.options] == [labels[1]]
    tab.filter.value = ""

    tab.kloe.value = "lt-coproduction"
    tab.statement.value = "families  shape services."  # the same statement again
    tab.evidence["interview"].value = True
    tab._on_save(None)
    assert "already saved this statement" in tab.messages.widget.value and title in tab.messages.widget.value
    assert len(store_for(params_file, "Lena Duarte").findings()) == 2
    tab._on_save(None)  # pressed again: saved anyway
    assert len(store_for(params_file, "Lena Duarte").findings()) == 3

    fid = tab.listing.options[-1][1]
    tab.listing.value = fid
    tab.statement.value = ""
    tab._on_save(None)
    assert "pick the finding in the list again" in tab.messages.widget.value
    assert tab.listing.value is None and tab.statement.value == ""
    tab.listing.value = fid  # picking it again reloads the saved version
    assert tab.statement.value == "Families shape services."


def test_indicator_list_is_the_reviews_own_catalogue(tmp_path: Path) -> None:
    """A review with a catalogue of its own: the form offers its indicators beside the shipped
    ones, and saves a finding linked to one of them (the shipped list alone would refuse it)."""
    import yaml

    params_file = copy_mini(tmp_path)
    root = params_file.parents[1]
    (root / "my_catalogue.yaml").write_text(
        "indicators:\n  - id: plans_ended\n    title: EHC plans that ended in the year\n    short_title: Plans ended\n"
        "    unit: count\n    polarity: neutral\n    decimals: 0\n    publication_lag_months: 6\n"
        "    source: {files: \"ehc_mi*.csv\", column: discontinued_total}\n", encoding="utf-8")
    data = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    data["performance"]["catalogue"] = "my_catalogue.yaml"
    params_file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    params, scope, root = open_review(params_file)
    app = CaptureApp(params, scope, root, "Lena Duarte")
    options = list(app.findings.indicator.options)
    assert "plans_ended" in options and "ehcp_20wk_no_exc" in options
    tab = app.findings
    tab.kloe.value = "lt-coproduction"
    tab.statement.value = "Fewer plans end without their outcomes met."
    tab.evidence["documents"].value = True
    tab.indicator.value = "plans_ended"
    tab._on_save(None)
    [saved] = store_for(params_file, "Lena Duarte").findings()
    assert saved.indicator == "plans_ended", tab.messages.widget.value


def test_findings_list_only_mine_or_the_whole_team(tmp_path: Path) -> None:
    """"Only mine" (ticked at first) lists this reviewer's findings; unticked, every reviewer's, each
    with its reviewer's name, still filtered by KLOE. Another's finding, picked, is shown in full
    (escaped) and not loaded into the form, which keeps what is typed in it."""
    app, params_file = _app(tmp_path)
    params, _, _ = open_review(params_file)
    for m in params.team:  # as peer-review capture does at start
        store_for(params_file, m.name).ensure_files()
    assert store_for(params_file, "Lena Duarte").add(draft("Short breaks are easy to book.", kloe="lt-coproduction")).ok
    tab = app.findings
    tab.refresh()
    assert tab.mine.value and [label.rsplit(" | ", 1)[1] for label, _ in tab.listing.options] == ["Short breaks are easy to book."]
    tab.statement.value = "Half typed"
    tab.mine.value = False
    labels = [label for label, _ in tab.listing.options]
    assert labels[0].startswith("Lena Duarte | ") and any(x.startswith("Colin Marsh | ") for x in labels)
    assert any(x.startswith("Ruth Adeyemi | ") for x in labels)
    assert "team" in tab.listing.description
    tab.filter.value = "lt-coproduction"
    by_label = dict(tab.listing.options)
    assert {label.split(" | ")[0] for label in by_label} == {"Lena Duarte", "Ruth Adeyemi", "Colin Marsh"}
    assert all(f" | {tab.titles['lt-coproduction']} | " in label for label in by_label)
    ruth = next(v for label, v in by_label.items() if label.startswith("Ruth Adeyemi") and "<script>" in label)
    tab.listing.value = ruth
    assert "Ruth Adeyemi&#x27;s finding" in tab.theirs.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in tab.theirs.value and "<script>" not in tab.theirs.value
    assert tab.statement.value == "Half typed" and tab.editing is None
    mine = next(v for label, v in by_label.items() if label.startswith("Lena Duarte"))
    tab.listing.value = mine  # one's own finding loads into the form, as before
    assert tab.theirs.value == "" and tab.editing is not None and tab.statement.value == "Short breaks are easy to book."
    tab.mine.value = True
    assert [label.rsplit(" | ", 1)[1] for label, _ in tab.listing.options] == ["Short breaks are easy to book."]


def test_start_names_the_reviewer_it_will_start_as(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    params, scope, root = open_review(params_file)
    app = CaptureApp(params, scope, root)
    assert app.start.description == "Start"
    app.picker.value = "Colin Marsh"
    assert app.start.description == "Start as Colin Marsh"
    app.picker.value = ""
    assert app.start.description == "Start"
