"""Report manifests, ``verify``, and atomic re-runs of one draft."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from toolkit import __version__
from toolkit.cli import main
from toolkit.errors import BuildError, InputError, ValidationFailed
from toolkit.manifest import OUTPUT_PACKAGES, Manifest, build_manifest, read_manifest, verify
from toolkit.params import load_params
from toolkit.render import draft, injected_parameters, remove_stale_temp_folders


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_content(mini: Path) -> None:
    root = mini.parents[1]
    params = load_params(mini)
    m = build_manifest(params, mini, root, injected_parameters(mini, root))
    assert m.review_id == "mini-review" and m.params_file == "params/mini.yaml"
    assert m.inputs == {
        "params/mini.yaml": sha(mini),
        "data/mini/findings_adeyemi.csv": sha(root / "data/mini/findings_adeyemi.csv"),
        "data/mini/findings_marsh.csv": sha(root / "data/mini/findings_marsh.csv"),
    }
    assert m.toolkit_version == __version__
    assert set(m.packages) == {*OUTPUT_PACKAGES, "python"}
    assert m.parameters["visit"]["dates"] == ["2026-02-03", "2026-02-04"]
    assert m.parameters["params_file"] == "params/mini.yaml" and m.parameters["project_root"] == "."
    text = m.to_json()
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"  # sorted keys
    assert Manifest.from_json(text) == m
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text), "no timestamps"
    assert str(root) not in text, "no absolute paths"


def test_manifest_names_project_styles_and_frameworks(mini: Path, edit_params: Callable[..., Path]) -> None:
    root = mini.parents[1]
    style = root / "styles" / "house"
    style.mkdir(parents=True)
    (style / "style.css").write_text("p { margin: 0 }\n", encoding="utf-8")
    edit_params(mini, lambda d: d.update(letter_style="styles/house"))
    m = build_manifest(load_params(mini), mini, root, {})
    assert "styles/house/style.css" in m.inputs


def test_draft_verify_and_atomic_rerun(mini: Path, edit_params: Callable[..., Path],
                                       append_rows: Callable[..., Path]) -> None:
    root = mini.parents[1]
    reports = root / "reports"
    reports.mkdir()
    stale = reports / ".mini-review.tmp-999999999-abc"  # left by a process that no longer exists
    stale.mkdir()
    # Built with the kernel papermill starts itself; verify rebuilds with a kernel started early,
    # during validation (the default), so "identical" below also shows the two give the same bytes.
    result = draft(mini, early_kernel=False)
    assert not stale.exists()
    assert sorted(p.name for p in result.folder.iterdir()) == ["letter.html", "letter.ipynb", "manifest.json"]
    assert read_manifest(result.folder).inputs["params/mini.yaml"] == sha(mini)
    good = {p.name: p.read_bytes() for p in result.folder.iterdir()}

    ok = verify(result.folder)
    assert ok.identical and ok.lines() == [f"{result.folder}: identical to a fresh build"]
    runner = CliRunner()
    assert runner.invoke(main, ["verify", str(result.folder)]).exit_code == 0

    # A re-run that fails at validation, then one that fails inside the kernel: the good report stays.
    findings = root / "data/mini/findings_marsh.csv"
    original = findings.read_bytes()
    append_rows(findings, ["m9,not-a-kloe,strength,no,Text.,,interview,Colin Marsh,yes,,"])
    with pytest.raises(ValidationFailed):
        draft(mini)
    findings.write_bytes(original)
    broken = root / "styles" / "broken"
    broken.mkdir(parents=True)
    (broken / "headlines.html.j2").write_text("{{ no_such_name }}\n", encoding="utf-8")
    edit_params(mini, lambda d: d.update(letter_style="styles/broken"))
    with pytest.raises(BuildError):
        draft(mini)
    assert {p.name: p.read_bytes() for p in result.folder.iterdir()} == good
    assert [p.name for p in reports.iterdir() if p.name.startswith(".")] == [".failed"]

    # The inputs changed since the build: verify fails and says which input.
    edit_params(mini, lambda d: d.update(letter_style="standard", people_met=65))
    changed = verify(result.folder)
    assert not changed.identical
    assert "letter.html" in changed.different and "manifest.json" in changed.different
    assert changed.changed_inputs == ["params/mini.yaml"]
    out = runner.invoke(main, ["verify", str(result.folder)])
    assert out.exit_code == 1
    assert "differs: letter.html" in out.output and "input changed since the build: params/mini.yaml" in out.output


def test_verify_refuses_a_folder_without_manifest(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no manifest.json"):
        verify(tmp_path)
    assert CliRunner().invoke(main, ["verify", str(tmp_path)]).exit_code == 2


def test_remove_stale_temp_folders_keeps_live_ones(tmp_path: Path) -> None:
    import os

    live = tmp_path / f".r.tmp-{os.getpid()}-x"
    dead = tmp_path / ".r.tmp-999999999-y"
    old = tmp_path / ".r.old-999999999"
    other = tmp_path / ".other.tmp-999999999-z"
    report = tmp_path / "r"
    for p in (live, dead, old, other, report):
        p.mkdir()
    assert sorted(p.name for p in remove_stale_temp_folders(tmp_path, "r")) == [old.name, dead.name]
    assert live.exists() and other.exists() and report.exists()
