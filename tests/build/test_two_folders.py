"""The same review drafted in two folders gives the same bytes: no path of the building machine
reaches the letter, the executed notebook (its injected parameters and outputs) or the manifest."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml
from support.paths import FIXTURES, SYNTH

from toolkit.build.render import draft

pytestmark = pytest.mark.slow


def _project(base: Path) -> Path:
    """The small test review with performance data and a catalogue of its own, under ``base``."""
    project = base / "proj"
    shutil.copytree(FIXTURES / "mini", project)
    (project / "data" / "performance").mkdir(parents=True)
    shutil.copy(SYNTH, project / "data" / "performance" / SYNTH.name)
    (project / "data" / "catalogue.yaml").write_text(
        "indicators:\n  - id: assessed_no_plan\n    title: Assessments that ended without a plan\n"
        "    short_title: No plan after assessment\n    unit: count\n    polarity: neutral\n    decimals: 0\n"
        "    publication_lag_months: 6\n    source:\n      files: \"sen2*.csv\"\n      column: ass_none_ehc\n"
        "      publication: {publisher: DfE, title: \"Education, health and care plans\"}\n", encoding="utf-8")
    with SYNTH.open(encoding="utf-8") as fh:
        la = next(r for r in csv.DictReader(fh) if r["geographic_level"] == "Local authority")
    params = project / "params" / "mini.yaml"
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    data["authority"]["ons_code"] = la["new_la_code"]
    data["region"] = {"name": la["region_name"], "code": la["region_code"]}
    data["programme"].pop("region_label", None)
    data["inputs"]["performance"] = [f"data/performance/{SYNTH.name}"]
    data["performance"]["catalogue"] = "data/catalogue.yaml"
    data["performance"]["indicators"] = ["ehcp_20wk_no_exc", "assessed_no_plan"]
    params.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return params


def test_same_review_in_two_folders_gives_the_same_bytes(tmp_path: Path) -> None:
    one = _project(tmp_path / "a")
    two = _project(tmp_path / "somewhere" / "much" / "deeper")
    out = []
    for params in (one, two):
        result = draft(params)
        out.append(result.folder)
    for name in ("letter.html", "letter.ipynb", "manifest.json"):
        a, b = (d / name for d in out)
        assert a.read_bytes() == b.read_bytes(), name
    html = (out[0] / "letter.html").read_text(encoding="utf-8")
    assert "Sources: DfE, Education, health and care plans, 20" in html
    assert ".csv" not in html and "data/" not in html
    notebook = (out[0] / "letter.ipynb").read_text(encoding="utf-8")
    for text in (html, notebook, (out[0] / "manifest.json").read_text(encoding="utf-8")):
        assert str(tmp_path) not in text and "/tmp/" not in text and "/work/" not in text
    manifest = json.loads((out[0] / "manifest.json").read_text(encoding="utf-8"))
    assert "data/catalogue.yaml" in manifest["inputs"]


def test_a_data_file_outside_the_project_is_named_never_located(tmp_path: Path) -> None:
    """The performance file lives outside the project (named by its absolute path), and the same
    review is drafted from two folders of different depths: the injected parameters, the working
    tables and the manifest name it by its file name only, and the outputs are the same bytes.
    The manifest still tracks the file: changing it makes the report stale."""
    from toolkit.build.manifest import read_manifest
    from toolkit.build.uptodate import RoundState
    from toolkit.build.verify import changed_inputs

    outside = tmp_path / "elsewhere" / "dfe" / SYNTH.name
    outside.parent.mkdir(parents=True)
    shutil.copy(SYNTH, outside)
    folders = []
    for base in (tmp_path / "a", tmp_path / "b" / "much" / "deeper"):
        params = _project(base)
        data = yaml.safe_load(params.read_text(encoding="utf-8"))
        data["inputs"]["performance"] = [str(outside)]
        params.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        shutil.rmtree(base / "proj" / "data" / "performance")
        folders.append(draft(params).folder)
    for name in ("letter.html", "letter.ipynb", "manifest.json"):
        a, b = (d / name for d in folders)
        assert a.read_bytes() == b.read_bytes(), name
        assert str(tmp_path) not in a.read_text(encoding="utf-8"), name
    notebook = json.loads((folders[0] / "letter.ipynb").read_text(encoding="utf-8"))
    injected = next("".join(c["source"]) for c in notebook["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    assert f"<outside the project>/{SYNTH.name}" in injected
    manifest = read_manifest(folders[0])
    assert f"<outside the project>/{SYNTH.name}" in manifest.inputs
    root = tmp_path / "a" / "proj"
    assert changed_inputs(manifest, root) == []
    assert RoundState().up_to_date(root / "params" / "mini.yaml", folders[0])
    with outside.open("a", encoding="utf-8") as fh:
        fh.write("\n")
    assert changed_inputs(manifest, root) == [f"<outside the project>/{SYNTH.name}"]
