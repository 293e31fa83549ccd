from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.paths import EditParams

from toolkit.errors import ValidationFailed
from toolkit.inputs.notebook_params import from_notebook
from toolkit.inputs.params import TOP_LEVEL_FIELDS, ReviewParams, load_params


def test_loads_a_complete_file(mini: Path) -> None:
    p = load_params(mini)
    assert p.review_id == "mini-review"
    assert p.visit.dates == [dt.date(2026, 2, 3), dt.date(2026, 2, 4)]
    assert p.lead.name == "Ruth Adeyemi"
    assert p.scope.requested[1].items == ["Leadership", "EHC plans"]
    assert p.scope.custom_kloes[0].prompts[1].id == "ehcp-timeliness.2"


def test_every_design_field_is_a_top_level_parameter() -> None:
    assert set(TOP_LEVEL_FIELDS) == set(ReviewParams.model_fields)


def _errors(path: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        load_params(path)
    return [str(e) for e in info.value.errors]


def test_missing_team_role_names_the_member(mini: Path, edit_params: EditParams) -> None:
    edit_params(mini, lambda d: d["team"][1].pop("role"))
    errs = _errors(mini)
    assert len(errs) == 1
    assert errs[0].endswith("mini.yaml: team[2].role: required but missing: add it (docs/inputs.md says what it holds)")


def test_every_problem_is_reported_at_once(mini: Path, edit_params: EditParams) -> None:
    def change(d: dict[str, Any]) -> None:
        d.pop("letter_date")
        d["authority"]["ons_code"] = "Fenwick"
        d["people_met"] = "lots"
        d["colour"] = "blue"

    errs = _errors(edit_params(mini, change))
    joined = "\n".join(errs)
    assert "letter_date: required but missing: add it" in joined
    assert "authority.ons_code: 'Fenwick' is not an ONS code" in joined
    assert "people_met:" in joined
    assert "colour: unknown field" in joined
    assert len(errs) == 4


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda d: d["team"][0].update(lead=False), "exactly one lead"),
        (lambda d: d["visit"].update(dates=["2026-02-04", "2026-02-03"]), "visit dates must be in order"),
        (lambda d: d.update(letter_date="2026-01-01"), "letter cannot be dated before the presentation"),
        (lambda d: d.update(review_id="Mini Review"), "review_id: use lower-case"),
        (lambda d: d["scope"].update(requested=[]), "scope.requested"),
        (lambda d: d["visit"].update(presentation_date="not a date"), "visit.presentation_date"),
        (lambda d: d["inputs"].update(findings=[]), "inputs.findings"),
        (lambda d: d.update(outputs=["odt"]), "outputs[1]"),
    ],
)
def test_bad_values_are_named(mini: Path, edit_params: EditParams, change: Callable[[dict[str, Any]], None], expected: str) -> None:
    errs = _errors(edit_params(mini, change))
    assert any(expected in e for e in errs), errs


def test_not_yaml_gives_the_line(mini: Path) -> None:
    mini.write_text("review_id: x\nteam: [a, b\n", encoding="utf-8")
    errs = _errors(mini)
    assert "not valid YAML" in errs[0] and "line 3" in errs[0]


def test_not_a_mapping(mini: Path) -> None:
    mini.write_text("- just\n- a list\n", encoding="utf-8")
    assert "expected a mapping" in _errors(mini)[0]


def test_missing_file(tmp_path: Path) -> None:
    assert "file not found" in _errors(tmp_path / "nope.yaml")[0]


def test_papermill_style_injection_parses_dates_back(mini: Path) -> None:
    from papermill.iorw import read_yaml_file

    values = read_yaml_file(str(mini))  # papermill keeps dates as strings
    assert isinstance(values["letter_date"], str)
    ns = {**{k: None for k in TOP_LEVEL_FIELDS}, **values, "params_file": "x", "project_root": str(mini.parents[1])}
    params, root = from_notebook(ns)
    assert params == load_params(mini)
    assert root == mini.parents[1].resolve()


def test_notebook_default_reads_params_file(mini: Path) -> None:
    ns = {**{k: None for k in TOP_LEVEL_FIELDS}, "params_file": str(mini), "project_root": None}
    params, root = from_notebook(ns)
    assert params.review_id == "mini-review"
    assert root == mini.parents[1].resolve()


@pytest.mark.parametrize(
    "field, bad, expected",
    [
        ("presentation_date", "2026-02-31", "visit.presentation_date:"),
        ("presentation_date", "2026-13-01", "visit.presentation_date:"),
        ("letter_date", "2026-02-30", "letter_date:"),
    ],
)
def test_impossible_calendar_dates_written_in_the_file_are_named(mini: Path, field: str, bad: str, expected: str) -> None:
    # Written as raw YAML text (unquoted), as a coordinator types it: YAML's own date parsing
    # must not turn an impossible day into a bare exception.
    text = mini.read_text(encoding="utf-8")
    lines = [f"{ln.split(':')[0]}: {bad}" if ln.strip().startswith(f"{field}:") else ln for ln in text.splitlines()]
    assert lines != text.splitlines()
    mini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errs = _errors(mini)
    assert any(expected in e and "date" in e for e in errs), errs


def test_whole_file_checks_name_the_field(mini: Path, edit_params: EditParams) -> None:
    def change(d: dict[str, Any]) -> None:
        d["team"][0].update(lead=False)
        d.update(letter_date="2026-01-01")

    edit_params(mini, change)
    errs = _errors(mini)
    assert any(e.endswith("team: the team needs exactly one lead; found 0: write lead: true under one member only")
               for e in errs), errs
    assert any("letter_date: the letter cannot be dated before the presentation" in e for e in errs), errs
    assert not any("(top level)" in e for e in errs)


def test_outputs_default_to_the_letter_its_word_copy_and_its_pdf(mini: Path, edit_params: EditParams) -> None:
    """What coordinators send: without `outputs`, a review drafts html, docx and pdf (issue 15)."""
    assert load_params(edit_params(mini, lambda d: d.pop("outputs"))).outputs == ["html", "docx", "pdf"]
