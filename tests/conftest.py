"""Shared fixtures: the small test review, the demo reviews and the shared reference data."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.paths import FIXTURES, SYNTH, AppendRows, EditParams

# No drafting daemon (toolkit/build/processes/daemon.py) for the CLI runs the tests start: a test must not
# leave a background process behind, nor draft through one another test left. The daemon's own
# tests turn it on in their own runtime folder and stop it.
os.environ["PEER_REVIEW_DAEMON"] = "off"
# Capture servers the tests start keep one kernel ready, not two (`peer-review capture
# --ready-kernels`): a kernel's start is seconds of CPU on a 2-core runner. The test of two pages
# opened together (tests/capture/test_capture_server.py) asks for the default, two.
os.environ.setdefault("PEER_REVIEW_READY_KERNELS", "1")



@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The toolkit's cache (toolkit/inputs/cache.py) in a temporary folder for the whole run, so
    a test never reads what a developer's own drafts left in ~/.cache/peer-review; the CLI runs,
    batch workers and notebook kernels the tests start inherit it."""
    os.environ["PEER_REVIEW_CACHE"] = str(tmp_path_factory.mktemp("peer-review-cache"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """nbval's notebook cells run through a kernel: they are slow tests like the others that do."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the small test review in a project folder of its own; returns its params file."""
    shutil.copytree(FIXTURES / "mini", tmp_path / "proj")
    return tmp_path / "proj" / "params" / "mini.yaml"


@pytest.fixture
def edit_params() -> EditParams:
    """Change a params file in place through a function on its parsed YAML."""

    def edit(path: Path, change: Callable[[dict[str, Any]], object]) -> Path:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path

    return edit


@pytest.fixture
def append_rows() -> AppendRows:
    def append(path: Path, lines: list[str]) -> Path:
        with path.open("a", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
        return path

    return append


@pytest.fixture
def mini_perf(mini: Path, edit_params: EditParams) -> tuple[Path, dict[str, str], list[str]]:
    """The small review with the synthetic DfE file; its authority is one of the fictional LAs."""
    dest = mini.parents[1] / "data" / "performance"
    dest.mkdir(parents=True)
    shutil.copy(SYNTH, dest / SYNTH.name)
    with SYNTH.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh)
                if r["geographic_level"] == "Local authority" and r["time_period"] == "2024"]
    la = rows[10]
    neighbours = [r["new_la_code"] for r in rows[20:24]]

    def change(d: dict[str, Any]) -> None:
        d["authority"]["ons_code"] = la["new_la_code"]
        d["region"] = {"name": la["region_name"], "code": la["region_code"]}
        d["programme"].pop("region_label", None)  # one region per letter: the data's
        d["inputs"]["performance"] = [f"data/performance/{SYNTH.name}"]
        d["performance"]["neighbours"] = neighbours
        d["visit"]["dates"] = ["2026-02-03", "2026-02-04"]
    edit_params(mini, change)
    return mini, la, neighbours
