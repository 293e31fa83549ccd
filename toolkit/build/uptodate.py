"""Which reviews of a round need drafting again: the kept manifest against the inputs of today.

A review's report is *up to date* when its folder holds a manifest, the letter and every output
its parameters ask for, and nothing the manifest recorded has changed since:

- the parameters file and every file it names (findings, checklists, audit, SEF, performance
  data, the team's capture files, framework files and style folders kept in the project) hash to
  the same sha256, and no input has appeared or gone (a capture file the team has just started,
  a file the parameters now name);
- the toolkit's own code, templates, styles and notebook hash to the same ``toolkit_code``;
- the packages that shape the output are at the same versions.

This is the manifest :func:`toolkit.build.verify.verify` already checks, read the other way round:
``verify`` rebuilds and compares the outputs, this module compares only the inputs, so a round of
unchanged reviews costs a few file hashes each. Each file is hashed once per round however many
reviews share it (the performance data usually are shared), keyed by its path, size and
modification time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from toolkit.build.manifest import (
    MANIFEST_NAME,
    OPTIONAL_OUTPUTS,
    Manifest,
    input_files,
    package_versions,
    read_manifest,
    relative_name,
    toolkit_code_hash,
)
from toolkit.build.notebooks import notebook_path
from toolkit.errors import ToolkitError
from toolkit.inputs.hashing import sha256_file
from toolkit.inputs.params import ReviewParams, load_params, project_root_for

__all__ = ["RoundState", "outputs_expected"]



def outputs_expected(formats: Iterable[str]) -> list[str]:
    """The files a report folder must hold for the formats asked for (always the letter, its
    notebook and its manifest)."""
    names = {"letter.html", "letter.ipynb", MANIFEST_NAME}
    names.update(OPTIONAL_OUTPUTS[f] for f in formats if f in OPTIONAL_OUTPUTS)
    return sorted(names)


@dataclass
class RoundState:
    """What a round compares every review with, worked out once: the toolkit's code hash, the
    package versions, and the hashes of the files seen so far."""

    toolkit_code: str = field(default_factory=lambda: toolkit_code_hash(notebook_path()))
    packages: dict[str, str] = field(default_factory=package_versions)
    _hashes: dict[tuple[str, int, int], str] = field(default_factory=dict)

    def digest(self, path: Path) -> str | None:
        """sha256 of ``path``, or None when it is not a readable file."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
        if key not in self._hashes:
            try:
                self._hashes[key] = sha256_file(path)
            except OSError:
                return None
        return self._hashes[key]

    def up_to_date(self, params_path: Path, report_dir: Path, params: ReviewParams | None = None) -> bool:
        """True when the report in ``report_dir`` was built from exactly today's inputs (``params``:
        the parameters already read from ``params_path``, if the caller has them)."""
        try:
            manifest = read_manifest(report_dir)
            params = params if params is not None else load_params(params_path)
        except (ToolkitError, ValidationError, OSError):
            return False
        if manifest.toolkit_code != self.toolkit_code or manifest.packages != self.packages:
            return False
        if manifest.review_id != params.review_id:
            return False
        if any(not (report_dir / name).is_file() for name in outputs_expected(params.outputs)):
            return False
        return self._inputs_match(manifest, params_path, params)

    def _inputs_match(self, manifest: Manifest, params_path: Path, params: object) -> bool:
        root = project_root_for(params_path)
        try:
            current = input_files(params, params_path, root)
        except (ToolkitError, OSError):
            return False
        recorded = {k: v for k, v in manifest.inputs.items() if not k.startswith("<toolkit>/")}
        if {relative_name(p, root) for p in current} != set(recorded):
            return False
        return all(self.digest(p) == recorded[relative_name(p, root)] for p in current)
