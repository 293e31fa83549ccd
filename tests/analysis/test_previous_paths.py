"""A follow-up reads its previous review's findings where that review keeps them, never at the
same paths in the follow-up's own project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from support.paths import FIXTURES

from toolkit.build.manifest import build_manifest, input_files, relative_name
from toolkit.build.render import injected_parameters
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
    """A report folder's manifest, as ``peer-review draft`` writes it for the previous review: its
    parameters are what papermill injected (the file's, with the notebook's ``params_file`` and
    ``project_root``)."""
    review = load_review(old / "params" / "mini-2025.yaml")
    assert review.source is not None
    folder.mkdir(parents=True)
    manifest = build_manifest(review.params, review.source.path, old, injected_parameters(review))
    assert {"params_file", "project_root"} <= set(manifest.parameters)
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
        "reports/mini-2025/manifest.json: review_id is missing, so this is not a manifest written by peer-review "
        "draft: draft the report again with peer-review draft, or restore the manifest.json that draft wrote "
        "(a manifest is never edited by hand)"]


def test_a_manifest_naming_a_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    """A hand-edited manifest never sends a reader outside the project (``../../etc/passwd``)."""
    old, new = _projects(tmp_path)
    folder = new / "reports" / "mini-2025"
    _keep_report(old, folder)
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    params = new / "params" / "mini.yaml"
    _inputs(params, previous_review="reports/mini-2025")
    for bad in ("../../etc/passwd", "/etc/passwd"):
        (folder / "manifest.json").write_text(json.dumps({**data, "params_file": bad}), encoding="utf-8")
        [error] = validate(params)
        assert str(error).startswith("reports/mini-2025/manifest.json: params_file: the parameters file it names ")
        assert "draft the report again" in str(error)


def test_a_previous_review_that_does_not_exist_says_so(tmp_path: Path) -> None:
    _, new = _projects(tmp_path)
    params = new / "params" / "mini.yaml"
    _inputs(params, previous_review="reports/mini-2024")
    [error] = validate(params)
    assert error.file.endswith("params/mini.yaml") and error.column == "inputs.previous_review"
    assert error.message.startswith("'reports/mini-2024' does not exist: name the previous review's parameters "
                                    "file (params/<review>.yaml) or the report folder peer-review draft wrote")


@pytest.mark.slow
def test_a_report_folder_written_by_draft_is_a_previous_review(tmp_path: Path) -> None:
    """The folder exactly as ``peer-review draft`` wrote it: read in its project; copied away into
    the follow-up's project, refused; its findings changed since, refused."""
    from toolkit.build.render import draft

    old, new = _projects(tmp_path)
    _edit(old / "params" / "mini-2025.yaml", {"outputs": ["html"]})
    folder = draft(old / "params" / "mini-2025.yaml").folder
    assert folder == old / "reports" / "mini-2025"
    params = new / "params" / "mini.yaml"
    _inputs(params, previous_review="../old/reports/mini-2025")
    review = load_review(params)
    assert review.previous is not None and review.previous.ids == PREVIOUS_IDS
    shutil.copytree(folder, new / "reports" / "mini-2025")
    _inputs(params, previous_review="reports/mini-2025")
    [error] = validate(params)
    assert error.file == "reports/mini-2025/manifest.json" and "(data/mini/findings_marsh.csv)" in error.message
    marsh = old / "data" / "mini" / "findings_marsh.csv"
    marsh.write_text(marsh.read_text(encoding="utf-8").replace("m3,", "k3,"), encoding="utf-8")
    _inputs(params, previous_review="../old/reports/mini-2025")
    [error] = validate(params)
    assert "have changed since it was drafted (../old/data/mini/findings_marsh.csv)" in error.message
