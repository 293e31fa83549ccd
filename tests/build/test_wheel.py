"""A wheel that works: built from the checkout, installed (not editable) in a fresh venv, it drafts a
demo review in a project folder outside the checkout, and the letter is the checkout's, byte for byte.

The venv reuses this environment's installed dependencies (a ``.pth`` file naming its
site-packages, and a copy of the data files nbconvert installs beside them, its templates) so
nothing is downloaded but the build's own tools; the toolkit itself, its notebooks, templates and
data, come from the wheel only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from support.paths import ROOT

pytestmark = pytest.mark.slow

REVIEW = "harrowdene-2026"
PREVIOUS = "harrowdene-2025"  # inputs.previous_review of REVIEW
DEADLINE = 900  # seconds any one step may take (a hang, not a measurement)
SHIPPED = ["toolkit/py.typed", "toolkit/notebooks/letter.ipynb", "toolkit/notebooks/briefing.ipynb",
           "toolkit/notebooks/themes.ipynb", "toolkit/catalogue/themes.yaml", "toolkit/styles/standard/themes_groups.html.j2",
           "toolkit/notebooks/capture.ipynb", "toolkit/nbconvert_templates/letter/index.html.j2",
           "toolkit/styles/standard/page.html.j2", "toolkit/frameworks/send-2023.yaml",
           "toolkit/catalogue/indicators.yaml", "toolkit/data/surnames.txt"]


def run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=DEADLINE)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheels")
    build = tmp_path_factory.mktemp("build")
    env = dict(os.environ, TMPDIR=str(build))
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, ROOT], cwd=build, env=env)
    (built,) = out.glob("send_peer_review_toolkit-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv with the wheel installed (not editable) and its own ``peer-review`` kernel."""
    home = tmp_path_factory.mktemp("venv")
    venv = home / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=home)
    python = venv / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=home).strip())
    # This environment's dependencies, after the venv's own site-packages: its .pth files (the
    # checkout's editable hook among them) are not run, so ``toolkit`` can only come from the wheel.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    shutil.copytree(Path(sys.prefix) / "share" / "jupyter" / "nbconvert", venv / "share" / "jupyter" / "nbconvert")
    run([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel], cwd=home)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH", "VIRTUAL_ENV")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", JUPYTER_DATA_DIR=str(home / "jupyter"))
    run([python, "-m", "ipykernel", "install", "--sys-prefix", "--name", "peer-review"], cwd=home, env=env)
    return venv, env


def test_the_wheel_ships_notebooks_templates_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [n for n in SHIPPED if n not in names] == []
    assert not [n for n in names if n.startswith(("tests/", "notebooks/", "params/"))]


def test_the_installed_toolkit_and_kernel_are_the_venvs(venv: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    prefix, env = venv
    where = run([prefix / "bin" / "python", "-c", "import toolkit; print(toolkit.__file__)"], cwd=tmp_path, env=env)
    assert Path(where.strip()).is_relative_to(prefix) and not Path(where.strip()).is_relative_to(ROOT)
    spec = json.loads((prefix / "share" / "jupyter" / "kernels" / "peer-review" / "kernel.json").read_text())
    assert Path(spec["argv"][0]).is_relative_to(prefix)


def test_a_wheel_install_drafts_the_checkouts_letter(venv: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    prefix, env = venv
    project = tmp_path / "project"
    (project / "params").mkdir(parents=True)
    for review in (REVIEW, PREVIOUS):  # the follow-up, and the review it follows
        shutil.copy(ROOT / "params" / f"{review}.yaml", project / "params")
        shutil.copytree(ROOT / "data" / review, project / "data" / review)
    shutil.copytree(ROOT / "data" / "performance", project / "data" / "performance")
    run([prefix / "bin" / "peer-review", "draft", f"params/{REVIEW}.yaml"], cwd=project, env=env)
    letter = project / "reports" / REVIEW / "letter.html"
    assert letter.is_file()
    checkout = tmp_path / "checkout-reports"
    run([Path(sys.executable).with_name("peer-review"), "draft", ROOT / "params" / f"{REVIEW}.yaml",
         "--reports", checkout], cwd=ROOT)
    assert letter.read_bytes() == (checkout / REVIEW / "letter.html").read_bytes()
