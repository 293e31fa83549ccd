"""``peer-review verify``: rebuild a report from its inputs and compare it byte for byte."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.build.manifest import (
    Manifest,
    find_project_root,
    input_files,
    package_versions,
    read_manifest,
    relative_name,
    toolkit_code_hash,
)
from toolkit.build.notebooks import notebook_path
from toolkit.build.processes.sources import KernelSource
from toolkit.build.render import draft
from toolkit.errors import ToolkitError
from toolkit.inputs.hashing import files_under, sha256_file
from toolkit.inputs.notebook_params import OUTSIDE
from toolkit.inputs.params import load_params


@dataclass
class VerifyResult:
    report_dir: Path
    identical: bool
    different: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # made by the build, absent from the report
    unchecked: list[str] = field(default_factory=list)  # in the report, not made by the letter build (a briefing)
    changed_inputs: list[str] = field(default_factory=list)
    packages_changed: dict[str, tuple[str, str]] = field(default_factory=dict)
    toolkit_changed: bool = False  # the toolkit's code, templates or notebook differ from the build's
    error: str | None = None

    def lines(self) -> list[str]:
        """Human-readable account, one line each."""
        if self.identical:
            return [f"{self.report_dir}: identical to a fresh build"]
        out = [f"{self.report_dir}: differs from a fresh build"]
        if self.error:
            out.append(f"  rebuild failed: {self.error}")
        out += [f"  differs: {name}" for name in self.different]
        out += [f"  missing from the report: {name}" for name in self.missing]
        if self.changed_inputs:
            out += [f"  input changed since the build: {name}" for name in self.changed_inputs]
        else:
            out.append("  no input changed since the build")
        if self.toolkit_changed:
            out.append("  toolkit code changed since the build")
        out += [f"  package {k}: {a} at build, {b} now" for k, (a, b) in sorted(self.packages_changed.items())]
        return out


def _report_files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in files_under(folder)}


def _outside_inputs(manifest: Manifest, root: Path) -> dict[str, Path]:
    """The inputs outside the project (named by their names in the manifest), where today's
    parameters file names them; empty when it cannot be read (they then count as missing)."""
    try:
        params = load_params(root / manifest.params_file)
    except ToolkitError:
        return {}
    files = input_files(params, root / manifest.params_file, root)
    return {name: p for p in files if (name := relative_name(p, root)).startswith(OUTSIDE)}


def changed_inputs(manifest: Manifest, root: Path) -> list[str]:
    """Inputs whose hash differs from the manifest's (or that disappeared)."""
    changed = []
    outside = _outside_inputs(manifest, root) if any(k.startswith(OUTSIDE) for k in manifest.inputs) else {}
    for rel, digest in sorted(manifest.inputs.items()):
        if rel.startswith("<toolkit>/"):
            path = notebook_path()
        elif rel.startswith(OUTSIDE):
            path = outside.get(rel, root / rel)
        else:
            path = root / rel
        if not path.is_file():
            changed.append(f"{rel} (missing)")
        elif sha256_file(path) != digest:
            changed.append(rel)
    return changed


def verify(report_dir: str | Path, root: str | Path | None = None, kernels: KernelSource | None = None) -> VerifyResult:
    """Rebuild a report from its inputs into a temporary folder and compare every file it makes
    (on a kernel from ``kernels``, the caller's choice: :func:`toolkit.build.render.build_report`).

    Files in the report folder that the letter build does not make (a briefing pack built
    separately) are listed in ``unchecked`` and do not count as differences.
    """
    folder = Path(report_dir)
    manifest = read_manifest(folder)
    project = Path(root) if root is not None else find_project_root(folder, manifest)
    result = VerifyResult(report_dir=folder, identical=False)
    result.changed_inputs = changed_inputs(manifest, project)
    result.toolkit_changed = bool(manifest.toolkit_code) and manifest.toolkit_code != toolkit_code_hash(notebook_path())
    now = package_versions()
    result.packages_changed = {k: (v, now.get(k, "not installed")) for k, v in manifest.packages.items()
                               if now.get(k) != v}
    scratch = Path(tempfile.mkdtemp(prefix="peer-review-verify-"))
    try:
        try:
            rebuilt = draft(project / manifest.params_file, scratch, kernels=kernels).folder
        except ToolkitError as exc:
            result.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return result
        old, new = _report_files(folder), _report_files(rebuilt)
        result.different = sorted(n for n in old.keys() & new.keys() if old[n].read_bytes() != new[n].read_bytes())
        result.missing = sorted(new.keys() - old.keys())
        result.unchecked = sorted(old.keys() - new.keys())
        result.identical = not (result.different or result.missing)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result
