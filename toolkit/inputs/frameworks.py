"""KLOE frameworks: shipped YAML files of key lines of enquiry and their prompts.

A framework file holds an ``id``, a ``title`` and a list of ``kloes``, each with an ``id``, a
``title``, its ``prompts`` (plain strings get ids ``<kloe id>.<n>``) and, optionally, the
``indicators`` of the catalogue that evidence it (findings under it are checked against those
their statement names: ``toolkit.analysis.consistency``). A review names the frameworks it draws
on and the KLOEs in scope; it may also write its own KLOEs inline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toolkit.errors import InputError, InputWarning, ValidationFailed, display_path
from toolkit.inputs.files import file_problem
from toolkit.inputs.params import Kloe, ReviewParams, errors_from_validation, read_yaml
from toolkit.inputs.privacy import quote

FRAMEWORK_DIR = Path(__file__).parents[1] / "frameworks"


class Framework(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    kloes: list[Kloe] = Field(min_length=1)
    source: str | None = None  # the publication: title, publisher, date (and paragraphs drawn on)
    current_from: dt.date | None = None  # the day it came into use
    replaced_on: dt.date | None = None  # the day another framework replaced it ...
    replaced_by: str | None = None  # ... and that framework's id
    #: wording the team may hold its evidence against (an inspection's outcomes): never a grade
    #: the letter gives
    lens: list[str] = Field(default_factory=list)
    #: ``questions``: a published framework's own questions, which the letter names as such;
    #: ``themes``: headings a review picks to answer its scope (the toolkit's common local themes)
    kind: Literal["questions", "themes"] = "themes"


def _current(fw: Framework, day: dt.date, root: Path) -> str:
    """The id of the framework in use on ``day``, following ``replaced_by`` from ``fw``."""
    seen = {fw.id}
    while fw.replaced_on is not None and day >= fw.replaced_on and fw.replaced_by and fw.replaced_by not in seen:
        try:
            fw = load_framework(fw.replaced_by, root)
        except ValidationFailed:
            break
        seen.add(fw.id)
    return fw.id


def framework_warnings(params: ReviewParams, root: Path, params_file: str) -> list[InputWarning]:
    """A warning for each framework the review draws on that was replaced before its first visit day."""
    found: list[InputWarning] = []
    for i, name in enumerate(params.scope.frameworks if not params.scope.keep_frameworks else [], start=1):
        try:
            fw = load_framework(name, root)
        except ValidationFailed:
            continue  # reported by resolve_scope
        if fw.replaced_on is not None and params.visit.dates[0] >= fw.replaced_on:
            current = _current(fw, params.visit.dates[0], root)
            found.append(InputWarning(
                params_file, f"{fw.id} ({fw.title}) was replaced on {fw.replaced_on:%-d %B %Y}; the framework "
                f"current at the visit is {current}: "
                "name the current framework in scope.frameworks (and its KLOEs in scope.kloes), or keep "
                "this one knowingly (scope.keep_frameworks: true)", column=f"scope.frameworks[{i}]"))
    return found


def shipped_frameworks() -> list[str]:
    """Ids of the KLOE frameworks shipped with the toolkit."""
    return sorted(p.stem for p in FRAMEWORK_DIR.glob("*.yaml") if not p.stem.startswith("ehcp"))


def load_framework(name_or_path: str, root: Path | None = None) -> Framework:
    """A shipped framework by id, or a framework file by path (relative to ``root``)."""
    shipped = FRAMEWORK_DIR / f"{name_or_path}.yaml"
    path = shipped if shipped.is_file() else (root or Path.cwd()) / name_or_path
    shown = display_path(path, root)
    problem = file_problem(path)
    if problem == "file not found":
        known = ", ".join(shipped_frameworks())
        raise ValidationFailed([InputError(shown, f"no such KLOE framework: name a shipped one ({known}) or the "
                                           "path of a framework file, relative to the project folder")])
    if problem is not None:
        raise ValidationFailed([InputError(shown, problem)])
    data = read_yaml(path, shown)
    try:
        fw = Framework.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(errors_from_validation(exc, shown, Framework)) from None
    fw = fw.model_copy(update={"kloes": [k.model_copy(update={"framework": fw.id}) for k in fw.kloes]})
    return fw


@dataclass(frozen=True)
class KloeScope:
    """The KLOEs a review is about, in the letter's order, and the frameworks they come from."""
    kloes: tuple[Kloe, ...]
    frameworks: tuple[Framework, ...] = ()

    def framework(self, kloe: Kloe) -> Framework | None:
        """The framework a KLOE comes from (None for a review's own KLOE)."""
        return next((f for f in self.frameworks if f.id == kloe.framework), None)

    def lenses(self) -> list[Framework]:
        """The frameworks in use (one of their KLOEs in scope) that offer a lens: the outcomes an
        inspection reports, for the team to hold its evidence against; never a grade."""
        return [f for f in self.frameworks if f.lens and any(k.framework == f.id for k in self.kloes)]

    def ids(self) -> list[str]:
        return [k.id for k in self.kloes]

    def get(self, kloe_id: str) -> Kloe | None:
        return next((k for k in self.kloes if k.id == kloe_id), None)

    def __contains__(self, kloe_id: object) -> bool:
        return any(k.id == kloe_id for k in self.kloes)


def resolve_scope(params: ReviewParams, root: Path, params_file: str) -> KloeScope:
    """The review's KLOEs: those named from its frameworks, then any inline ones not named."""
    errors: list[InputError] = []
    available, missing_framework, frameworks = _framework_kloes(params, root, params_file, errors)
    custom = _custom_kloes(params, available, params_file, errors)
    available.update(custom)
    ordered: list[Kloe] = []
    for i, kid in enumerate(params.scope.kloes, start=1):
        if kid not in available and missing_framework:
            continue  # its framework could not be read: that problem is already reported
        if kid not in available:
            errors.append(InputError(params_file,
                                     f"unknown KLOE {quote(kid)}: name a KLOE of the frameworks in "
                                     "scope.frameworks, or define it under scope.custom_kloes",
                                     column=f"scope.kloes[{i}]"))
        elif all(k.id != kid for k in ordered):
            ordered.append(available[kid])
    ordered.extend(k for k in custom.values() if all(o.id != k.id for o in ordered))
    if errors:
        raise ValidationFailed(errors)
    return KloeScope(tuple(ordered), tuple(frameworks))


def _framework_kloes(params: ReviewParams, root: Path, params_file: str,
                     errors: list[InputError]) -> tuple[dict[str, Kloe], bool, list[Framework]]:
    """The KLOEs of the review's frameworks by id (the first framework's where two share one),
    whether a framework could not be read (its problem in ``errors``), and the frameworks read."""
    available: dict[str, Kloe] = {}
    frameworks: list[Framework] = []
    missing_framework = False
    for i, name in enumerate(params.scope.frameworks, start=1):
        shipped = FRAMEWORK_DIR / f"{name}.yaml"
        if not shipped.is_file() and not (root / name).is_file():
            # Named where the reviewer wrote it: the params file and the field.
            known = ", ".join(shipped_frameworks())
            errors.append(InputError(params_file,
                                     f"no KLOE framework {quote(name)}: name a shipped one ({known}) or "
                                     "the path of a framework file, relative to the project folder",
                                     column=f"scope.frameworks[{i}]"))
            missing_framework = True
            continue
        try:
            fw = load_framework(name, root)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            missing_framework = True
            continue
        frameworks.append(fw)
        for k in fw.kloes:
            available.setdefault(k.id, k)
    return available, missing_framework, frameworks


def _custom_kloes(params: ReviewParams, available: dict[str, Kloe], params_file: str,
                  errors: list[InputError]) -> dict[str, Kloe]:
    """The review's own KLOEs by id, each id new (not a framework's, not defined twice)."""
    custom: dict[str, Kloe] = {}
    for i, k in enumerate(params.scope.custom_kloes, start=1):
        if k.id in available:
            errors.append(InputError(params_file, f"custom KLOE id {quote(k.id)} is already a framework KLOE: give "
                                     "the custom KLOE another id",
                                     column=f"scope.custom_kloes[{i}].id"))
        elif k.id in custom:
            errors.append(InputError(params_file, f"custom KLOE id {quote(k.id)} is defined twice: give each custom "
                                     "KLOE an id of its own",
                                     column=f"scope.custom_kloes[{i}].id"))
        else:
            custom[k.id] = k
    return custom
