"""What a report was built from: ``reports/<review>/manifest.json`` and ``peer-review verify``.

The manifest records the sha256 of every input file (the parameters file and every file it
names, as paths relative to the project root), the parameters as papermill received them, the
toolkit version and the versions of the packages that shape the output. It holds no timestamps
and no absolute paths, and its keys are sorted, so the same inputs give the same bytes.

:func:`verify` re-hashes the inputs, rebuilds the report into a temporary folder and compares
every file byte for byte with the report on disk.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import toolkit
from toolkit.analysis.previous import previous_inputs
from toolkit.build.notebooks import notebook_path
from toolkit.build.pdf import PDF_NAME
from toolkit.errors import InputError, display_path
from toolkit.inputs.capture_layout import capture_inputs
from toolkit.inputs.files import file_problem
from toolkit.inputs.frameworks import FRAMEWORK_DIR
from toolkit.inputs.hashing import code_hash, sha256_file
from toolkit.inputs.limits import check_size
from toolkit.inputs.manifest_file import MANIFEST_NAME as MANIFEST_NAME
from toolkit.inputs.manifest_file import parse_manifest
from toolkit.inputs.notebook_params import outside_name
from toolkit.inputs.styles import STYLES_DIR, style_dir, style_files

DOCX_NAME = "letter.docx"
#: Beside letter.docx: the draft's id and each part's hash (toolkit.letter.docx_parts), which
#: ``peer-review absorb`` reads a coordinator's copy against (docs/word-round-trip.md).
PARTS_NAME = "letter.parts.json"
SLIDES_NAME = "slides.pptx"
#: Files a letter build writes only when the review's ``outputs`` ask for them.
OPTIONAL_OUTPUTS = {"docx": DOCX_NAME, "pdf": PDF_NAME, "pptx": SLIDES_NAME}
MANIFEST_FORMAT = 1

#: Packages whose version can change the bytes of a report. ``black`` is among them because
#: papermill formats the injected-parameters cell with it when it is installed.
OUTPUT_PACKAGES = ("black", "ipykernel", "ipython", "jinja2", "matplotlib", "nbclient", "nbconvert", "nbformat",
                   "numpy", "pandas", "papermill", "playwright", "pydantic", "python-docx", "python-pptx",
                   "pyyaml")

def package_versions() -> dict[str, str]:
    """Versions of the packages that shape the output, and of Python itself."""
    versions = {"python": platform.python_version()}
    for name in OUTPUT_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def toolkit_version() -> str:
    return toolkit.__version__


def toolkit_code_hash(notebook: Path | None = None, package: Path | None = None) -> str:
    """sha256 over the toolkit package's own files that shape a report, and the letter notebook
    (:func:`toolkit.inputs.hashing.code_hash`). ``package`` is the package folder (default: this
    toolkit's)."""
    return code_hash(package, [(f"<notebook>/{notebook.name}", notebook)] if notebook is not None else [])


def input_files(params: Any, params_path: Path, root: Path) -> list[Path]:
    """The parameters file, every file it names and the team's capture files (existing ones),
    without duplicates.

    ``params`` is a :class:`toolkit.inputs.params.ReviewParams`. Shipped frameworks and letter styles
    belong to the toolkit (its version is recorded); framework files and style folders given as
    paths in the project are inputs.
    """
    named: list[Path] = [params_path]
    inputs = params.inputs
    captured = capture_inputs(params)  # the team's capture files: the letter reads those that exist
    for rel in [*inputs.findings, *inputs.checklist, *inputs.performance, inputs.audit, inputs.sef,
                inputs.progress, inputs.improvement_plan, inputs.timetable, inputs.recommendations,
                *previous_inputs(inputs, root),
                params.performance.catalogue,
                *captured["findings"], *captured["checklist"], *captured["audit"], *captured["progress"]]:
        if rel:
            named.append(root / rel)
    for fw in params.scope.frameworks:
        if not (FRAMEWORK_DIR / f"{fw}.yaml").is_file():
            named.append(root / fw)
    style = style_dir(params.letter_style, root)
    if style is not None and style.parent != STYLES_DIR:
        named.extend(style_files(style))
    seen: dict[str, Path] = {}
    for p in named:
        if p.is_file():
            seen.setdefault(p.resolve().as_posix(), p)
    return list(seen.values())


def relative_name(path: Path, root: Path) -> str:
    """An input's name in the manifest: relative to the project; a file in a folder beside the
    project (a previous review's project) with ``../``, which moves with the two projects; any
    other file outside by its name (``<outside the project>/sen2.csv``). The manifest never holds a
    path of the building machine."""
    where = path.resolve()
    try:
        return where.relative_to(root.resolve()).as_posix()
    except ValueError:
        pass
    try:
        return "../" + where.relative_to(root.resolve().parent).as_posix()
    except ValueError:
        return outside_name(path.name)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Manifest:
    review_id: str
    params_file: str
    inputs: dict[str, str]
    parameters: dict[str, Any]
    toolkit_version: str
    packages: dict[str, str]
    notebook: str = "notebooks/letter.ipynb"
    toolkit_code: str = ""  # toolkit_code_hash() at build time
    format: int = MANIFEST_FORMAT

    def to_json(self) -> str:
        data = {
            "format": self.format, "review_id": self.review_id, "params_file": self.params_file,
            "inputs": self.inputs, "parameters": self.parameters, "notebook": self.notebook,
            "toolkit_version": self.toolkit_version, "toolkit_code": self.toolkit_code, "packages": self.packages,
        }
        return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, shown: str = MANIFEST_NAME) -> Manifest:
        """A manifest's text, checked by its model (:class:`toolkit.inputs.manifest_file.ManifestFile`):
        raise :class:`InputError` naming ``shown`` when it is not what ``draft`` writes."""
        m = parse_manifest(text, shown)
        return cls(review_id=m.review_id, params_file=m.params_file, inputs=dict(m.inputs),
                   parameters=dict(m.parameters), toolkit_version=m.toolkit_version, packages=dict(m.packages),
                   notebook=m.notebook, format=m.format, toolkit_code=m.toolkit_code)


def build_manifest(params: Any, params_path: Path, root: Path, parameters: dict[str, Any],
                   notebook: Path | None = None) -> Manifest:
    """The manifest of one review: ``params`` is its :class:`~toolkit.inputs.params.ReviewParams`."""
    inputs = {relative_name(p, root): sha256_file(p) for p in input_files(params, params_path, root)}
    nb_shown = "notebooks/letter.ipynb"
    if notebook is not None:
        nb_shown = f"{notebook.parent.name}/{notebook.name}"
        inputs[f"<toolkit>/{nb_shown}"] = sha256_file(notebook)
    return Manifest(review_id=params.review_id, params_file=relative_name(params_path, root), inputs=inputs,
                    parameters=_jsonable(parameters), toolkit_version=toolkit_version(),
                    packages=package_versions(), notebook=nb_shown,
                    toolkit_code=toolkit_code_hash(notebook if notebook is not None else _default_notebook()))


def _default_notebook() -> Path:
    return notebook_path()


def read_manifest(report_dir: Path) -> Manifest:
    """The manifest of a report folder; raise :class:`InputError` in one line when there is none
    or it is not what ``draft`` writes (a path outside the project included)."""
    path = report_dir / MANIFEST_NAME
    shown = display_path(path)
    if not report_dir.is_dir():
        raise InputError(display_path(report_dir), "no such report folder: name a folder peer-review draft "
                         "wrote (reports/<review>)")
    problem = file_problem(path)
    if problem is not None:
        raise InputError(shown, "no manifest.json here: name a report folder built by peer-review draft "
                         "(reports/<review>)" if problem.startswith("file not found") else
                         f"{problem.split(':')[0]}: name a report folder built by peer-review draft")
    try:
        check_size(path, shown)
        return Manifest.from_json(path.read_text(encoding="utf-8"), shown)
    except UnicodeDecodeError:
        raise InputError(shown, "not UTF-8 text, so not a manifest written by peer-review draft: draft the "
                         "report again") from None
    except OSError as exc:
        raise InputError(shown, f"cannot be read ({exc.strerror or type(exc).__name__}): check its "
                         "permissions") from None


def find_project_root(report_dir: Path, manifest: Manifest) -> Path:
    """The nearest folder above the report holding the manifest's parameters file."""
    for folder in report_dir.resolve().parents:
        if (folder / manifest.params_file).is_file():
            return folder
    raise InputError(display_path(report_dir), f"cannot find {manifest.params_file} in any folder above the report: "
                     "keep the report inside its project, or name the project with --root")
