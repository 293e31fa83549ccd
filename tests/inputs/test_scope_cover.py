"""A scope item no section of the letter answers is a warning naming it (toolkit.inputs.scope_cover)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from support.kestrelmoor_2016 import kestrelmoor_2016, write
from support.paths import ROOT

from toolkit.inputs.frameworks import resolve_scope
from toolkit.inputs.params import load_params
from toolkit.inputs.scope_cover import answering, scope_link_errors, unanswered_scope
from toolkit.review import check


def _kestrelmoor(tmp_path: Path, edit: Any = None) -> Path:
    """Kestrelmoor as it was on the 2016 framework, its inspection item answered by no section."""
    data = kestrelmoor_2016()
    if edit:
        edit(data)
    return write(data, tmp_path / "x.yaml")


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


@pytest.mark.parametrize("review", ["brindleford-2026", "harrowdene-2025", "harrowdene-2026", "kestrelmoor-2026"])
def test_the_demo_reviews_answer_every_scope_item(review: str) -> None:
    result = check(ROOT / "params" / f"{review}.yaml")
    assert not result.errors
    assert not [w for w in result.warnings if (w.column or "").startswith("scope.requested")]


def test_kestrelmoor_on_2016_validates_with_the_warnings(tmp_path: Path) -> None:
    """The replaced framework and the unanswered item are warnings, not errors (the demo's findings,
    written for send-2025, are replaced by one of the 2016 framework's)."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "data" / "kestrelmoor-2026", project / "data" / "kestrelmoor-2026")
    shutil.copytree(ROOT / "data" / "performance", project / "data" / "performance")
    (project / "params").mkdir()
    (project / "data" / "kestrelmoor-2026" / "findings_2016.csv").write_text(
        "id,kloe,kind,headline,statement,detail,evidence,reviewer,include,order,indicator\n"
        "k1,2016-identify,strength,no,Health visitors notice speech delay early.,,interview,Priya Raman,yes,,\n",
        encoding="utf-8")
    result = check(_kestrelmoor(project / "params", _findings_on_2016))
    assert not result.errors
    assert [w.column for w in result.warnings if (w.column or "").startswith("scope.")] == [
        "scope.frameworks[1]", "scope.requested[4]"]


def _findings_on_2016(data: dict[str, Any]) -> None:
    data["inputs"]["findings"] = ["data/kestrelmoor-2026/findings_2016.csv"]
    data["inputs"]["checklist"] = []
    data["inputs"]["sef"] = None


def test_kestrelmoor_on_send_2025_answers_every_scope_item() -> None:
    """The demo on the current framework: the inspection item is answered by the leadership strand
    (named under the item), the rest by the strands and the area's own KLOE their words share."""
    params = load_params(ROOT / "params" / "kestrelmoor-2026.yaml")
    scope = resolve_scope(params, ROOT, "x.yaml")
    assert params.scope.frameworks == ["send-2025"] and unanswered_scope(params, scope, "x.yaml") == []
    assert answering(params.scope.requested[3], scope) == ["2025-leadership"]
    assert answering(params.scope.requested[2], scope) == ["annual-reviews"]
