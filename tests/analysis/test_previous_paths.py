"""A follow-up reads its previous review's findings where that review keeps them, never at the
same paths in the follow-up's own project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from conftest import FIXTURES

from toolkit.build.manifest import build_manifest, input_files, relative_name
from toolkit.inputs.params import read_params
from toolkit.review import load_review, validate

PREVIOUS_IDS = ["m3", "m1", "a2", "m4", "a6"]  # the mini review's areas, in its letter's order


def _edit(path: Path, change: dict[str, object]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(change)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _inputs(path: Path, **change: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["inputs"].update(change)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _projects(tmp_path: Path) -> tuple[Path, Path]:
    """``old``: the previous review (mini-2025) in a project of its own; ``new``: the follow-up in
    another, whose findings files have the same names but other ids (m3 is n3 there)."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURES / "mini", old)
    (old / "params" / "mini.yaml").rename(old / "params" / "mini-2025.yaml")
    _edit(old / "params" / "mini-2025.yaml", {"review_id": "mini-2025"})
    shutil.copytree(FIXTURES / "mini", new)
    for f in (new / "data" / "mini").glob("findings_*.csv"):
        f.write_text(f.read_text(encoding="utf-8").replace("m3,", "n3,"), encoding="utf-8")
    return old, new


def _keep_report(old: Path, folder: Path) -> None:
    """A report folder's manifest, as ``peer-review draft`` writes it for the previous review."""
    loaded = read_params(old / "params" / "mini-2025.yaml")
    folder.mkdir(parents=True)
    manifest = build_manifest(loaded.params, loaded.path, old, loaded.data)
    (folder / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")


def test_a_previous_parameters_file_in_another_project(tmp_path: Path) -> None:
    old, new = _projects(tmp_path)
    params = new / "params" / "mini.yaml"
    _inputs(params, previous_review="../old/params/mini-2025.yaml")
    review = load_review(params)
    assert review.previous is not None and review.previous.ids == PREVIOUS_IDS
    names = [relative_name(p, review.root) for p in input_files(review.params, params, review.root)]
    assert names[-3:] == ["../old/params/mini-2025.yaml", "../old/data/mini/findings_adeyemi.csv",
                          "../old/data/mini/findings_marsh.csv"]  # its own files, not ours of the same names
    assert not any(n.startswith("/") for n in names)  # the manifest holds no absolute path


def test_a_previous_parameters_file_naming_files_beside_it(tmp_path: Path) -> None:
    """A parameters file outside any params/ folder names its inputs relative to its own folder."""
    old, new = _projects(tmp_path)
    flat = tmp_path / "kept-2025"
    flat.mkdir()
    for f in (old / "data" / "mini").iterdir():
        shutil.copy(f, flat / f.name)
    data = yaml.safe_load((old / "params" / "mini-2025.yaml").read_text(encoding="utf-8"))
    data["inputs"]["findings"] = [Path(p).name for p in data["inputs"]["findings"]]
    (flat / "mini-2025.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    params = new / "params" / "mini.yaml"
    _inputs(params, previous_review="../kept-2025/mini-2025.yaml")
    review = load_review(params)
    assert review.previous is not None and review.previous.ids == PREVIOUS_IDS
    assert "../kept-2025/findings_marsh.csv" in {relative_name(p, review.root)
                                                 for p in input_files(review.params, params, review.root)}


def test_a_kept_report_folder_read_in_its_own_project_from_elsewhere(tmp_path: Path) -> None:
    old, new = _projects(tmp_path)
    _keep_report(old, old / "reports" / "mini-2025")
    params = new / "params" / "mini.yaml"
    _inputs(params, previous_review="../old/reports/mini-2025")
    review = load_review(params)
    assert review.previous is not None and review.previous.ids == PREVIOUS_IDS


def test_a_kept_report_folder_copied_away_from_its_project_is_refused(tmp_path: Path) -> None:
    """Copied into the follow-up's project alone, its manifest names findings files that the
    follow-up also has, with other content: refused, naming them, instead of read as ours."""
    old, new = _projects(tmp_path)
    _keep_report(old, new / "previous" / "mini-2025")
    params = new / "params" / "mini.yaml"
    _inputs(params, previous_review="previous/mini-2025")
    [error] = validate(params)
    assert error.file == "previous/mini-2025/manifest.json" and error.column == "inputs.previous_review"
    assert "have changed since it was drafted (data/mini/findings_marsh.csv)" in error.message
    # with the previous project's findings copied beside it, exactly as drafted, it reads them
    shutil.copytree(old / "params", new / "previous" / "params")
    shutil.copytree(old / "data", new / "previous" / "data")
    shutil.move(new / "previous" / "mini-2025", new / "previous" / "reports" / "mini-2025")
    _inputs(params, previous_review="previous/reports/mini-2025")
    review = load_review(params)
    assert review.previous is not None and review.previous.ids == PREVIOUS_IDS


def test_findings_changed_after_the_kept_report_was_drafted_are_refused(tmp_path: Path) -> None:
    old, new = _projects(tmp_path)
    _keep_report(old, old / "reports" / "mini-2025")
    marsh = old / "data" / "mini" / "findings_marsh.csv"
    marsh.write_text(marsh.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    params = new / "params" / "mini.yaml"
    _inputs(params, previous_review="../old/reports/mini-2025")
    [error] = validate(params)
    assert "(../old/data/mini/findings_marsh.csv)" in error.message


def test_a_manifest_without_its_inputs_is_not_a_kept_report(tmp_path: Path) -> None:
    old, new = _projects(tmp_path)
    folder = new / "reports" / "mini-2025"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"params_file": "params/mini-2025.yaml", "parameters": {}}),
                                          encoding="utf-8")
    params = new / "params" / "mini.yaml"
    _inputs(params, previous_review="reports/mini-2025")
    assert [str(e) for e in validate(params)] == [
        "reports/mini-2025/manifest.json: not a manifest written by peer-review draft"]
