"""Report manifests, ``verify``, and atomic re-runs of one draft."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit import __version__
from toolkit.build.manifest import (
    MANIFEST_NAME,
    OUTPUT_PACKAGES,
    Manifest,
    build_manifest,
    read_manifest,
    toolkit_code_hash,
)
from toolkit.build.processes.sources import PapermillKernels
from toolkit.build.render import draft, injected_parameters
from toolkit.build.reportdirs import remove_stale_temp_folders
from toolkit.build.verify import verify
from toolkit.cli import main
from toolkit.errors import BuildError, InputError, ValidationFailed
from toolkit.inputs.params import load_params
from toolkit.inputs.styles import STYLES_DIR
from toolkit.review import load_review


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_manifest_content(mini: Path) -> None:
    root = mini.parents[1]
    params = load_params(mini)
    m = build_manifest(params, mini, root, injected_parameters(load_review(mini)))
    assert m.review_id == "mini-review" and m.params_file == "params/mini.yaml"
    assert m.inputs == {
        "params/mini.yaml": sha(mini),
        "data/mini/findings_adeyemi.csv": sha(root / "data/mini/findings_adeyemi.csv"),
        "data/mini/findings_marsh.csv": sha(root / "data/mini/findings_marsh.csv"),
    }
    assert m.toolkit_version == __version__
    assert set(m.packages) == {*OUTPUT_PACKAGES, "python"}
    for name in ("black", "ipykernel", "ipython", "numpy", "pyyaml"):  # "not installed" is recorded too
        assert m.packages[name]
    assert re.fullmatch(r"[0-9a-f]{64}", m.toolkit_code) and m.toolkit_code == toolkit_code_hash(
        Path(__file__).parents[2] / "notebooks" / "letter.ipynb")
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


@pytest.mark.slow  # drafts through a kernel
def test_draft_verify_and_atomic_rerun(mini: Path, edit_params: Callable[..., Path],
                                       append_rows: Callable[..., Path]) -> None:
    root = mini.parents[1]
    reports = root / "reports"
    reports.mkdir()
    stale = reports / ".mini-review.tmp-999999999-abc"  # left by a process that no longer exists
    stale.mkdir()
    # Built with the kernel papermill starts itself; verify rebuilds with a kernel started early,
    # during validation (the default), so "identical" below also shows the two give the same bytes.
    result = draft(mini, kernels=PapermillKernels())
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
    shutil.copy(STYLES_DIR / "standard" / "document.yaml", broken)
    (broken / "headlines.html.j2").write_text("{{ p.no_such_field }}\n", encoding="utf-8")  # passes validate
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


def test_toolkit_code_hash_follows_the_package_files(tmp_path: Path) -> None:
    import shutil

    import toolkit

    package = tmp_path / "toolkit"
    shutil.copytree(Path(toolkit.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    notebook = Path(__file__).parents[2] / "notebooks" / "letter.ipynb"
    first = toolkit_code_hash(notebook, package)
    assert first == toolkit_code_hash(notebook, package) == toolkit_code_hash(notebook)  # not where it lives
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert toolkit_code_hash(notebook, package) == first  # compiled files do not count
    template = next(package.joinpath("styles", "standard").glob("*.j2"))
    template.write_text(template.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert toolkit_code_hash(notebook, package) != first


@pytest.mark.slow  # drafts through a kernel
def test_verify_names_a_toolkit_change(mini: Path) -> None:
    result = draft(mini)
    path = result.folder / MANIFEST_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    data["toolkit_code"] = "0" * 64  # as if built by another version of the toolkit's code
    path.write_text(json.dumps(data, sort_keys=True, indent=2) + "\n", encoding="utf-8")
    out = verify(result.folder)
    assert not out.identical and out.toolkit_changed and out.different == [MANIFEST_NAME]
    assert "  toolkit code changed since the build" in out.lines()
    assert "  no input changed since the build" in out.lines()


def test_stale_cleanup_puts_an_orphaned_old_report_back(tmp_path: Path) -> None:
    orphan = tmp_path / ".r.old-999999999"  # a process died between the two renames of its swap
    orphan.mkdir()
    (orphan / "letter.html").write_text("the previous good letter", encoding="utf-8")
    dead_tmp = tmp_path / ".r.tmp-999999999-q"
    dead_tmp.mkdir()
    assert remove_stale_temp_folders(tmp_path, "r") == [dead_tmp]
    assert (tmp_path / "r" / "letter.html").read_text(encoding="utf-8") == "the previous good letter"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_failed_swap_puts_the_old_report_back(tmp_path: Path) -> None:
    from toolkit.build.render import _swap_into_place

    final = tmp_path / "r"
    (final / "charts").mkdir(parents=True)
    (final / "charts" / "a.svg").write_text("old", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        _swap_into_place(tmp_path / ".r.tmp-1-gone", final)  # the new folder vanished
    assert (final / "charts" / "a.svg").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_stop_signals_wait_for_the_swap(tmp_path: Path) -> None:
    import os
    import signal

    from toolkit.build.render import _stop_signals_held

    class Stopped(BaseException):
        pass

    def stop(signum: int, frame: object) -> None:
        raise Stopped()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        steps = []
        with pytest.raises(Stopped):
            with _stop_signals_held():
                os.kill(os.getpid(), signal.SIGTERM)
                steps.append("first rename")
                os.kill(os.getpid(), signal.SIGTERM)
                steps.append("second rename")
        assert steps == ["first rename", "second rename"]
        assert signal.getsignal(signal.SIGTERM) is stop
        assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == set()
    finally:
        signal.signal(signal.SIGTERM, previous)
