"""A scope item no section of the letter answers is a warning naming it (toolkit.inputs.scope_cover)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from support.paths import ROOT

from toolkit.inputs.frameworks import resolve_scope
from toolkit.inputs.params import load_params
from toolkit.inputs.scope_cover import answering, scope_link_errors, unanswered_scope
from toolkit.review import check


def _kestrelmoor(tmp_path: Path, edit: Any = None) -> Path:
    data = yaml.safe_load((ROOT / "params" / "kestrelmoor-2026.yaml").read_text(encoding="utf-8"))
    if edit:
        edit(data)
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_inspection_item_of_kestrelmoor_has_no_section(tmp_path: Path) -> None:
    params = load_params(_kestrelmoor(tmp_path))
    scope = resolve_scope(params, ROOT, "x.yaml")
    (warning,) = unanswered_scope(params, scope, "x.yaml")
    assert warning.column == "scope.requested[4]" and "ready for an area SEND inspect" in warning.message
    assert answering(params.scope.requested[0], scope) == ["2016-identify"]
    assert answering(params.scope.requested[2], scope) == ["annual-reviews"]


def test_naming_the_answering_section_clears_the_warning(tmp_path: Path) -> None:
    def link(data: dict[str, Any]) -> None:
        data["scope"]["requested"][3] = {"text": data["scope"]["requested"][3], "kloes": ["2016-outcomes"]}
    params = load_params(_kestrelmoor(tmp_path, link))
    scope = resolve_scope(params, ROOT, "x.yaml")
    assert unanswered_scope(params, scope, "x.yaml") == []
    assert scope_link_errors(params, scope, "x.yaml") == []


def test_a_kloe_on_the_subject_clears_the_warning(tmp_path: Path) -> None:
    def readiness(data: dict[str, Any]) -> None:
        data["scope"]["custom_kloes"].append({"id": "inspection-ready", "title": "Readiness for an area SEND inspection",
                                              "prompts": ["The area knows what inspectors will ask for"]})
    params = load_params(_kestrelmoor(tmp_path, readiness))
    assert unanswered_scope(params, resolve_scope(params, ROOT, "x.yaml"), "x.yaml") == []


def test_a_link_to_a_kloe_out_of_scope_is_refused_with_its_field(tmp_path: Path) -> None:
    def bad(data: dict[str, Any]) -> None:
        data["scope"]["requested"][3] = {"text": "Inspection readiness", "kloes": ["2023-leadership"]}
    params = load_params(_kestrelmoor(tmp_path, bad))
    (error,) = scope_link_errors(params, resolve_scope(params, ROOT, "x.yaml"), "x.yaml")
    assert error.column == "scope.requested[4].kloes[1]" and "'2023-leadership' is not a KLOE in scope" in str(error)


@pytest.mark.parametrize("review", ["brindleford-2026", "harrowdene-2025", "harrowdene-2026"])
def test_the_demo_reviews_answer_every_scope_item(review: str) -> None:
    result = check(ROOT / "params" / f"{review}.yaml")
    assert not result.errors
    assert not [w for w in result.warnings if (w.column or "").startswith("scope.requested")]


def test_kestrelmoor_validates_with_the_warning(tmp_path: Path) -> None:
    result = check(ROOT / "params" / "kestrelmoor-2026.yaml")
    assert not result.errors
    assert [w.column for w in result.warnings if (w.column or "").startswith("scope.")] == [
        "scope.frameworks[1]", "scope.requested[4]"]
