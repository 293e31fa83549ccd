"""The parameters as papermill injects them into a notebook, and back.

papermill injects each top-level key of a review's parameters file as a variable of the notebook.
A file outside the project is injected by a marker and its name only, never by a path of the
machine that built it (:func:`hide_outside_paths`), so the same review drafted in two folders
injects the same parameters; inside the kernel, :func:`from_notebook` rebuilds the validated
parameters, reading those paths from the parameters file itself (:func:`restore_outside_paths`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolkit.errors import InputError, ValidationFailed
from toolkit.inputs.files import resolved
from toolkit.inputs.params import (
    TOP_LEVEL_FIELDS,
    ReviewParams,
    load_params,
    parse_params,
    project_root_for,
    read_params,
)

#: The parameters that name files (or folders): section, field. A file outside the project is
#: named in the notebook's injected parameters by this marker and its name only, never by a path
#: of the machine that built it (:func:`hide_outside_paths`); the kernel reads the path itself
#: from the parameters file (:func:`restore_outside_paths`).
PATH_FIELDS = (("inputs", "findings"), ("inputs", "checklist"), ("inputs", "audit"), ("inputs", "audit_framework"),
               ("inputs", "performance"), ("inputs", "sef"), ("inputs", "previous_review"), ("inputs", "progress"),
               ("inputs", "improvement_plan"), ("inputs", "timetable"), ("inputs", "recommendations"),
               ("performance", "catalogue"), ("performance", "neighbours_file"))
OUTSIDE = "<outside the project>/"


def is_outside(value: str, root: Path) -> bool:
    """Whether a path of the parameters names something that exists outside the project root."""
    if value.startswith(OUTSIDE):
        return False
    path = resolved(root / value)
    return path.exists() and not path.is_relative_to(resolved(root))


def outside_name(value: str) -> str:
    """How a file outside the project is named where a path of the building machine must not be."""
    return OUTSIDE + Path(value).name


def _map_paths(data: dict[str, Any], change: Callable[[str, str, int | None], str]) -> dict[str, Any]:
    """``data`` with each path field's value (or each item of a list) passed through ``change``."""
    out = dict(data)
    for section, key in PATH_FIELDS:
        part = out.get(section)
        if not isinstance(part, dict) or key not in part:
            continue
        value = part[key]
        if isinstance(value, list):
            value = [change(key, v, i) if isinstance(v, str) else v for i, v in enumerate(value)]
        elif isinstance(value, str):
            value = change(key, value, None)
        out[section] = {**part, key: value}
    return out


def hide_outside_paths(data: dict[str, Any], root: Path) -> dict[str, Any]:
    """The parameters with every path outside the project replaced by :func:`outside_name`, so the
    same review in two folders injects the same parameters."""
    return _map_paths(data, lambda _k, v, _i: outside_name(v) if is_outside(v, root) else v)


def restore_outside_paths(data: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """Injected parameters with each :data:`OUTSIDE` name replaced by the path the parameters file
    (``original``, as read) gives in the same place."""
    def back(key: str, value: str, index: int | None) -> str:
        if not value.startswith(OUTSIDE):
            return value
        section = next(s for s, k in PATH_FIELDS if k == key)
        given = (original.get(section) or {}).get(key)
        if index is not None:
            given = given[index] if isinstance(given, list) and index < len(given) else None
        if not isinstance(given, str) or outside_name(given) != value:
            raise ValidationFailed([InputError("papermill parameters", f"{value} is not named in the same place of "
                                               "the parameters file: draft the review again", column=key)])
        return given

    return _map_paths(data, back)


def from_notebook(namespace: dict[str, Any]) -> tuple[ReviewParams, Path]:
    """Build the parameters inside the letter notebook.

    papermill injects each top-level key of the YAML file as a variable (turning dates into
    strings, which validation parses back). When nothing was injected (``review_id`` is None),
    the notebook's default ``params_file`` is read instead, so the stored notebook runs as is.
    Files outside the project arrive by name only (:func:`hide_outside_paths`): their paths are
    read from the parameters file. Returns the parameters and the project root.
    """
    root_param = namespace.get("project_root")
    if namespace.get("review_id") is None:
        params_file = Path(namespace["params_file"])
        root = Path(root_param) if root_param else project_root_for(params_file)
        return load_params(params_file), root.resolve()
    data = {k: namespace[k] for k in TOP_LEVEL_FIELDS if namespace.get(k) is not None}
    shown = "papermill parameters"
    root = Path(root_param) if root_param else Path.cwd()
    if OUTSIDE in repr(data) and namespace.get("params_file"):  # files outside the project, by name
        data = restore_outside_paths(data, read_params(root / str(namespace["params_file"])).data)
    return parse_params(data, shown, root), root.resolve()
