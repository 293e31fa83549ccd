"""One personal-data screen by construction (toolkit/inputs/screening.py).

Every string field of every input model, and every column of every table reader, is proved
screened by planting a child's name in it, or is declared exempt with a reason; a field added to a
model is screened without anyone listing it.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import pkgutil
import shutil
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, create_model
from support.paths import FIXTURES

import toolkit
from toolkit.analysis.coverage import CHECKLIST_NOT_SCREENED, read_checklist_file
from toolkit.analysis.indicators import Catalogue
from toolkit.analysis.round_groups import Grouping, ThemesSettings
from toolkit.analysis.screen_inputs import SCREENED_MODELS, yaml_allow
from toolkit.errors import InputError, ValidationFailed
from toolkit.inputs import audit, findings, plans, progress, recommendations, sef
from toolkit.inputs.capture_layout import PROGRESS_COLUMNS
from toolkit.inputs.manifest_file import ManifestFile
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.screening import NotScreened, exemption, screen_model, text_fields
from toolkit.review import load_review

CHILD = "Oliver Bennett"
NHS = "943 476 5919"

#: pydantic models of the toolkit that are not a review's input, each with the reason.
NOT_INPUTS = {
    ManifestFile: "written by peer-review draft from screened parameters, read back by verify and follow-ups",
    Catalogue: "the shipped catalogue with a review's own merged over it: the review's is screened as "
               "CatalogueAddition",
    ThemesSettings: "the themes report's shipped settings (toolkit/catalogue/themes.yaml), never a review's input",
    Grouping: "part of ThemesSettings",
}


def _all_models() -> set[type[BaseModel]]:
    for info in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
        if info.name != "toolkit.launcher":
            importlib.import_module(info.name)

    def subclasses(cls: type[BaseModel]) -> set[type[BaseModel]]:
        found = set(cls.__subclasses__())
        return found.union(*(subclasses(c) for c in list(found)))

    return {m for m in subclasses(BaseModel) if m.__module__.startswith("toolkit.") and m.model_fields}


def _reachable(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for arg in [field.annotation, *_flat_args(field.annotation)]:
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                _reachable(arg, seen)
    return seen


def _flat_args(annotation: Any) -> list[Any]:
    out = []
    for arg in typing.get_args(annotation):
        out.extend([arg, *_flat_args(arg)])
    return out


def test_every_input_model_is_screened_whole() -> None:
    """Each pydantic model of the toolkit is reached from a screened root, or is not an input."""
    screened: set[type[BaseModel]] = set()
    for root in SCREENED_MODELS:
        _reachable(root, screened)
    left = {m.__qualname__ for m in _all_models() - screened - set(NOT_INPUTS)}
    assert not left, f"models neither screened nor declared not an input: {sorted(left)}"


# ---- a sample instance of any model, with one string planted ---------------------------------

def _sample(annotation: Any, path: str, target: str, here: str) -> Any:
    """A value of ``annotation`` (no validation), holding the child's name where ``here`` is ``target``."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is str:
        return CHILD if here == target else "plain words"
    if origin is typing.Literal:
        return CHILD if here == target else args[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        values = {name: _sample(f.annotation, path, target, f"{here}.{name}" if here else name)
                  for name, f in annotation.model_fields.items()}
        return annotation.model_construct(**values)
    if origin in (list, tuple, set, typing.Sequence):
        return [_sample(args[0], path, target, here)]
    if origin is dict:
        key = CHILD if here == target else "KEY"
        return {key: _sample(args[1], path, target, here)}
    if args:  # a union: the member that can hold text, else the first
        texty = [a for a in args if a is not type(None)]
        return _sample(texty[0], path, target, here)
    if annotation is bool:
        return False
    if annotation in (int, float):
        return 1
    if annotation is dt.date:
        return dt.date(2026, 2, 3)
    return None


@pytest.mark.parametrize("model", SCREENED_MODELS, ids=[m.__name__ for m in SCREENED_MODELS])
def test_every_string_field_is_screened_or_declared_exempt(model: type[BaseModel]) -> None:
    fields = list(text_fields(model))
    assert len(fields) >= 5
    for path, reason in fields:
        instance = _sample(model, path, path, "")
        located = {e.column for e in screen_model(instance, "file.yaml", reference_year=2026)}
        if reason is not None:
            assert reason.strip(), path
            continue
        assert any(c is not None and (c == path or c.startswith(path)) for c in _paths(located, path)), \
            f"{model.__name__}.{path} is not screened: {located}"


def _paths(located: set[str | None], path: str) -> set[str]:
    """The screen's field paths without list positions (``team[1].name`` is ``team.name``)."""
    import re

    return {re.sub(r"\[\d+\]", "", c) for c in located if c is not None}


def test_a_new_field_is_screened_by_default() -> None:
    """A field added to any input model is screened without being listed anywhere."""
    grown = create_model("GrownParams", __base__=ReviewParams, extra_note=(str, "plain words"))
    kept = create_model("KeptParams", __base__=ReviewParams,
                        internal=(typing.Annotated[str, NotScreened("a test's reason")], "x"))
    assert ("extra_note", None) in list(text_fields(grown))
    assert ("internal", "a test's reason") in list(text_fields(kept))
    base = load_review(FIXTURES / "mini" / "params" / "mini.yaml").params
    note = grown.model_construct(**dict(base), extra_note=f"{CHILD} was there")
    [error] = screen_model(note, "params/mini.yaml", yaml_allow(base), 2026)
    assert error.column == "extra_note" and CHILD not in str(error)
    assert exemption(kept.model_fields["internal"]) == "a test's reason"
    assert not screen_model(kept.model_construct(**dict(base), internal=CHILD), "p.yaml", yaml_allow(base), 2026)


def test_a_mapping_key_that_looks_like_a_name_is_named_by_position() -> None:
    base = load_review(FIXTURES / "mini" / "params" / "mini.yaml").params
    changed = base.model_copy(update={"glossary": {"SENCO": "special educational needs coordinator",
                                                   CHILD: "a child"}})
    errors = screen_model(changed, "params/mini.yaml", yaml_allow(base), 2026)
    assert [e.column for e in errors] == ["glossary[2]"]
    assert all(CHILD not in str(e) and "Oliver" not in str(e) for e in errors)


# ---- every column of every table reader ---------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "mini", tmp_path / "proj")
    return tmp_path / "proj"


def _write(path: Path, row: dict[str, str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(list(row))
        writer.writerow(list(row.values()))
    return path


def _errors(read: Callable[[], object]) -> list[InputError]:
    try:
        got = read()
    except ValidationFailed as exc:
        return list(exc.errors)
    if isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], list):
        return list(got[1])
    return []


Reader = Callable[[Path, Path], Callable[[], object]]


def _readers(proj: Path) -> dict[str, tuple[dict[str, str], dict[str, str], Reader]]:
    """Each table reader: a valid row (column: value), its NOT_SCREENED, and how to read a file."""
    review = load_review(proj / "params" / "mini.yaml")
    p, scope, year = review.params, review.scope, 2026
    allow = p.allowed_phrases()
    kloe, prompt = "2016-identify", "2016-identify.1"
    return {
        "findings": ({"id": "a9", "kloe": kloe, "kind": "strength", "headline": "no", "statement": "Sound.",
                      "detail": "", "evidence": "documents", "reviewer": "Ruth Adeyemi", "include": "yes",
                      "order": "", "indicator": "", "withdrawn": "no"}, findings.NOT_SCREENED,
                     lambda f, r: lambda: findings.read_findings_file(f, "f.csv", p, scope)),
        "checklist": ({"prompt_id": prompt, "kloe": kloe, "status": "covered", "notes": "Fine.",
                       "reviewer": "Ruth Adeyemi"}, CHECKLIST_NOT_SCREENED,
                      lambda f, r: lambda: read_checklist_file(f, "c.csv", p, scope)),
        "audit": ({"case_ref": "MIN-0101", "auditor": "Ruth Adeyemi", "phase": "KS2", "primary_need": "ASD",
                   "setting_type": "mainstream", "plan_stage": "annual review", "year_group": "5",
                   "weeks_to_issue": "", "a1": "y", "note:a1": "", "notes": "", "moderation": ""},
                  audit.NOT_SCREENED, lambda f, r: lambda: audit.read_audit(f, None, r, allow, year)),
        "sef": ({"area": "Leadership and governance", "area_judgement": "good", "peer_judgement": "good", "reasoning": "Fine.",
                 "findings": ""}, sef.NOT_SCREENED,
                lambda f, r: lambda: sef.load_sef(f, r, p.self_evaluation, None, allow, year)),
        "progress": ({"id": "m3", "kind": "area for consideration", "statement": "Old words.",
                      "area_status": "", "status": "addressed", "evidence": "Seen."}, progress.NOT_SCREENED,
                     lambda f, r: lambda: progress.read_progress(f, r, ["m3"], allow, year)),
        "progress capture": (dict(zip(PROGRESS_COLUMNS, ["m3", "addressed", "Seen.", "Ruth Adeyemi",
                                                         "2026-02-03T10:00:00"], strict=True)),
                             progress.NOT_SCREENED,
                             lambda f, r: lambda: progress.read_captured_marks(f, r, "Ruth Adeyemi", ["m3"], allow,
                                                                               year)),
        "improvement plan": ({"theme": "Identification", "action": "Train staff", "owner": "Head of SEND",
                              "due_date": "2025-03-31", "rag": "green", "evidence": "", "kloes": kloe, "items": ""},
                             plans.NOT_SCREENED,
                             lambda f, r: lambda: plans.read_improvement_plan(f, r, scope.ids(), allow, year)),
        "recommendations": ({"theme": kloe, "recommendation": "Do more.", "findings": "", "help": "",
                             "order": ""}, recommendations.NOT_SCREENED,
                            lambda f, r: lambda: recommendations.read_recommendations(f, r, None, allow, year)),
        "timetable": ({"day": "1", "time": "09:30", "activity": "Meeting officers", "reviewers": "Ruth Adeyemi",
                       "kloes": kloe, "location": "Town hall"}, plans.NOT_SCREENED,
                      lambda f, r: lambda: plans.read_timetable(f, r, list(p.visit.dates), [m.name for m in p.team],
                                                                scope.ids(), allow, year)),
    }


def test_every_column_of_every_table_is_screened_or_declared_exempt(project: Path) -> None:
    """A child's name in any column (ids and numbers included) is refused at that cell; an exempt
    column has its reason; the valid row reads without a problem."""
    checked = 0
    for name, (row, exempt, read) in _readers(project).items():
        assert all(reason.strip() for reason in exempt.values())
        path = project / f"{name.replace(' ', '_')}.csv"
        assert not _errors(read(_write(path, row), project)), name
        for column in row:
            if column in exempt:
                continue
            bad = {**row, column: f"{CHILD} {NHS}"}
            errors = _errors(read(_write(path, bad), project))
            hits = [e for e in errors if e.row == 2 and e.column == column and "looks like" in e.message]
            assert hits, f"{name}: column {column} is not screened: {[str(e) for e in errors]}"
            assert not any(CHILD in str(e) or "Oliver" in str(e) for e in errors)
            checked += 1
    assert checked >= 45


def test_an_auditors_name_column_is_screened_for_numbers_and_dates(project: Path) -> None:
    row, _, read = _readers(project)["audit"]
    path = _write(project / "audit.csv", {**row, "auditor": f"Pat Lee {NHS}"})
    [error] = _errors(read(path, project))
    assert error.column == "auditor" and "an NHS number" in error.message and NHS not in str(error)


def test_an_unknown_header_that_looks_like_a_name_is_never_printed(project: Path) -> None:
    row, _, read = _readers(project)["improvement plan"]
    path = _write(project / "plan.csv", {**row, CHILD: "x"})
    [error] = _errors(read(path, project))
    assert str(error) == ("plan.csv: row 1, column (a header not shown: it may identify a child): unknown column: "
                          f"rename it to one of {', '.join(plans.PLAN_COLUMNS)} (docs/inputs.md), or delete the "
                          "column")
