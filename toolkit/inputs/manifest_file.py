"""A report folder's ``manifest.json`` read with its own model.

``peer-review draft`` writes the manifest (:mod:`toolkit.build.manifest`); two readers take it back:
``peer-review verify`` and a follow-up naming a kept report folder as ``inputs.previous_review``
(:mod:`toolkit.analysis.previous`). Both read it here, so a manifest exactly as ``draft`` wrote it
is always accepted, and a manifest edited by hand is refused in one line before any path it
names is used.

The manifest's ``parameters`` are the values papermill injected into the letter notebook: the
review's parameters file plus the notebook's own ``params_file`` and ``project_root``
(:data:`NOTEBOOK_KEYS`), which :meth:`ManifestFile.review_parameters` leaves out.

Every path a manifest names must stay inside the project: ``params_file`` relative to the project
root with no ``..``; an input may also be in a folder beside the project (one leading ``../``, a
previous review's project), the toolkit's notebook (``<toolkit>/``) or a file outside named by
its name only (``<outside the project>/``). An absolute path or any other ``..`` is refused.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from toolkit.errors import InputError, ValidationFailed
from toolkit.inputs.files import regular_file

MANIFEST_NAME = "manifest.json"
#: Notebook parameters that ``draft`` injects beside the review's own (not parameters of a review).
NOTEBOOK_KEYS = ("params_file", "project_root")
TOOLKIT_PREFIX = "<toolkit>/"
OUTSIDE_PREFIX = "<outside the project>/"
FIX = ("draft the report again with peer-review draft, or restore the manifest.json that draft wrote "
       "(a manifest is never edited by hand)")


def unsafe_path(text: str, beside: bool = False) -> str | None:
    """Why a path a manifest names could reach outside the project (``None`` when it cannot).

    ``beside`` allows one leading ``../`` (a file in a folder beside the project)."""
    if not text or "\x00" in text or "\\" in text:
        return "is not a path of the project"
    if text.startswith(("/", "~")) or PurePosixPath(text).is_absolute() or (len(text) > 1 and text[1] == ":"):
        return "is an absolute path, outside the project"
    parts = PurePosixPath(text).parts
    if beside and parts and parts[0] == "..":
        parts = parts[1:]
    if ".." in parts or not parts:
        return "leads outside the project (..)"
    return None


class ManifestFile(BaseModel):
    """What ``manifest.json`` holds (:meth:`toolkit.build.manifest.Manifest.to_json` writes it)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    format: int = 1
    review_id: str = Field(min_length=1)
    params_file: str
    inputs: dict[str, str]
    parameters: dict[str, Any]
    toolkit_version: str
    packages: dict[str, str]
    notebook: str = "notebooks/letter.ipynb"
    toolkit_code: str = ""

    @field_validator("params_file")
    @classmethod
    def _params_inside(cls, v: str) -> str:
        problem = unsafe_path(v)
        if problem is not None:
            raise ValueError(f"the parameters file it names {problem}")
        return v

    @field_validator("inputs")
    @classmethod
    def _inputs_inside(cls, v: dict[str, str]) -> dict[str, str]:
        for name in v:
            if name.startswith((TOOLKIT_PREFIX, OUTSIDE_PREFIX)):
                rest = name.split("/", 1)[1] if "/" in name else ""
                problem = unsafe_path(rest) if name.startswith(TOOLKIT_PREFIX) else (
                    None if rest and "/" not in rest and rest not in (".", "..") else "is not a file name")
            else:
                problem = unsafe_path(name, beside=True)
            if problem is not None:
                raise ValueError(f"an input it names {problem}")
        return v

    def review_parameters(self) -> dict[str, Any]:
        """The review's parameters as its parameters file held them (without the notebook's own)."""
        return {k: v for k, v in self.parameters.items() if k not in NOTEBOOK_KEYS}


def _problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "the file"
    if err["type"] == "missing":
        return f"{where} is missing, so this is not a manifest written by peer-review draft"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["loc"] and err["loc"][0] in ("params_file", "inputs"):
        return f"{where}: {msg}"
    return f"{where} is not what peer-review draft writes ({msg})"


def parse_manifest(text: str, shown: str) -> ManifestFile:
    """A manifest's text as its model; raise :class:`InputError` in one line saying what to do."""
    try:
        data = json.loads(text)
    except ValueError:
        raise InputError(shown, f"not valid JSON, so not a manifest written by peer-review draft: {FIX}") from None
    if not isinstance(data, dict):
        raise InputError(shown, f"not a manifest written by peer-review draft: {FIX}")
    try:
        return ManifestFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(shown, f"{_problem(exc)}: {FIX}") from None


def read_manifest_file(folder: Path, shown: str) -> ManifestFile:
    """``folder/manifest.json`` read and checked; raise :class:`ValidationFailed` (one line)."""
    path = folder / MANIFEST_NAME
    try:
        text = regular_file(path, shown).read_text(encoding="utf-8")
        return parse_manifest(text, shown)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    except UnicodeDecodeError:
        raise ValidationFailed([InputError(shown, f"not UTF-8 text, so not a manifest written by peer-review "
                                           f"draft: {FIX}")]) from None
    except OSError as exc:
        raise ValidationFailed([InputError(shown, f"cannot be read ({exc.strerror or type(exc).__name__}): "
                                           "check its permissions")]) from None
