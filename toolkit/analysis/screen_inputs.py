"""The personal-data screen over every YAML input of a review, each read with its own model.

The parameters (:class:`~toolkit.inputs.params.ReviewParams`, every field at any depth), and the
files of the review's own that reach the letter: KLOE framework files named in
``scope.frameworks``, the indicator catalogue in ``performance.catalogue`` (its additions, as
:class:`~toolkit.analysis.indicators.CatalogueAddition`) and the audit framework in
``inputs.audit_framework``. Shipped frameworks and catalogues are the toolkit's own text and are
not screened. The walk is :func:`toolkit.inputs.screening.screen_model`: a field added to any of
these models is screened unless it is declared :class:`~toolkit.inputs.screening.NotScreened`.
A file that cannot be read is left to its own reader, which reports it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ValidationError

from toolkit.analysis.indicators import CatalogueAddition
from toolkit.errors import InputError, ToolkitError, display_path
from toolkit.inputs.audit_framework import AuditFramework
from toolkit.inputs.files import is_regular_file
from toolkit.inputs.frameworks import FRAMEWORK_DIR, Framework
from toolkit.inputs.params import ReviewParams, read_yaml
from toolkit.inputs.screening import screen_model

#: The models of a review's YAML inputs, each screened whole (the tests enumerate their fields).
SCREENED_MODELS: tuple[type[BaseModel], ...] = (ReviewParams, Framework, CatalogueAddition, AuditFramework)


def _own_file(root: Path, rel: str | None, model: type[BaseModel]) -> tuple[BaseModel, str] | None:
    """A file of the review's own read as ``model``, or ``None`` when its reader will report it."""
    if not rel:
        return None
    path = root / rel
    if not is_regular_file(path):
        return None
    shown = display_path(path, root)
    try:
        return model.model_validate(read_yaml(path, shown)), shown
    except (ToolkitError, ValidationError):
        return None


def own_files(params: ReviewParams, root: Path) -> list[tuple[BaseModel, str]]:
    """The review's own framework, catalogue and audit framework files, each read as its model."""
    wanted: list[tuple[str | None, type[BaseModel]]] = [
        *((fw, Framework) for fw in params.scope.frameworks if not (FRAMEWORK_DIR / f"{fw}.yaml").is_file()),
        (params.performance.catalogue, CatalogueAddition), (params.inputs.audit_framework, AuditFramework)]
    return [read for rel, model in wanted if (read := _own_file(root, rel, model)) is not None]


def _adults_words(params: ReviewParams) -> list[str]:
    """Each word of the names of the adults the parameters name: a salutation or a thanks calls
    them by one ("Dear Sam"), which the parameters (not the findings) may do."""
    people = [m.name for m in params.team] + [params.recipient.name, params.coordinator.name]
    return [w for name in people for w in name.replace(".", " ").split() if len(w) > 1]


def yaml_allow(params: ReviewParams) -> list[str]:
    """What the screen of the YAML inputs accepts: the adults the parameters name, each word of
    their names included, and ``privacy.allow``."""
    return [*params.allowed_phrases(), *_adults_words(params)]


def screen_review_yaml(params: ReviewParams, root: Path, params_file: str) -> list[InputError]:
    """Every string of the parameters and of the review's own YAML files that looks like a child's
    personal data, one line each naming the file and the field."""
    allow, year = yaml_allow(params), params.visit.dates[0].year
    errors = screen_model(params, params_file, allow, year)
    for model, shown in own_files(params, root):
        errors.extend(screen_model(model, shown, allow, year))
    return errors
