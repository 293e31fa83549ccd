"""What the batch tests share: rounds of good, broken and hanging reviews, a held clock, process checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from multiprocessing import resource_tracker
from pathlib import Path

import psutil
import pytest
import yaml

from toolkit.build import batch
from toolkit.build.batch import (
    FAILED,
    OK,
    TIMEOUT,
    BatchResult,
    JobResult,
    run_batch,
)
from toolkit.demo.reviews import generate
from toolkit.inputs.styles import STYLES_DIR

PEER_REVIEW = Path(sys.executable).with_name("peer-review")
HANG_TIMEOUT = 20.0
DEADLINE = 300.0  # seconds a test waits for a process at most (a hang, not a measurement)


def _marked(marker: str) -> list[psutil.Process]:
    """Live processes (other than this one) whose environment carries the test's marker."""
    found = []
    for proc in psutil.process_iter():
        if proc.pid == os.getpid():
            continue
        try:
            if proc.environ().get("PEER_REVIEW_TEST_MARK") == marker and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.Error:
            continue
    return found


def _kernels(marker: str) -> list[psutil.Process]:
    """The marked kernels: started anew (an ``ipykernel`` command line), or forked by the round's
    fork server (its children: they keep its command line, toolkit/build/processes/forkserver.py)."""
    out = []
    for p in _marked(marker):
        try:
            if "ipykernel" in " ".join(p.cmdline()) or _forked(p):
                out.append(p)
        except psutil.Error:
            continue
    return out


def _forked(proc: psutil.Process) -> bool:
    parent = proc.parent()
    return (parent is not None and "toolkit.build.processes.forkserver" in " ".join(parent.cmdline())
            and "toolkit.build.processes.forkserver" in " ".join(proc.cmdline()))


def make_round(root: Path, reviews: int, seed: int = 11) -> dict[str, list[str]]:
    """Demo reviews in ``root``: the first hangs, the second and third have broken inputs."""
    project = generate(root, reviews, seed)
    ids = sorted(r.review_id for r in project.reviews)
    hang, bad_row, bad_params = ids[0], ids[1], ids[2]
    # Hangs: a letter style whose opening loops for ever (a template cannot read a file: the sandbox).
    style = root / "styles" / "shared-style"
    style.mkdir(parents=True)
    shutil.copy(STYLES_DIR / "standard" / "document.yaml", style)
    (style / "opening.html.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}<p>never</p>\n",
        encoding="utf-8")
    params = root / "params" / f"{hang}.yaml"
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    data["letter_style"] = "styles/shared-style"
    params.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    # Broken: a finding under a KLOE that is not in scope.
    data = yaml.safe_load((root / "params" / f"{bad_row}.yaml").read_text(encoding="utf-8"))
    with (root / data["inputs"]["findings"][0]).open("a", encoding="utf-8") as fh:
        fh.write("x1,no-such-kloe,strength,no,A finding.,,interview,"
                 f"{data['team'][0]['name']},yes,\n")
    # Broken: the parameters lack the review team.
    params = root / "params" / f"{bad_params}.yaml"
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    del data["team"]
    params.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    good = [i for i in ids if i not in (hang, bad_row, bad_params)]
    return {"good": good, "hang": [hang], "bad": [bad_row, bad_params]}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".logs" not in p.parts}


def _first_difference(a: dict[str, bytes], b: dict[str, bytes]) -> str:
    for name in a:
        if a[name] != b.get(name):
            la = a[name].decode(errors="replace").splitlines()
            lb = b.get(name, b"").decode(errors="replace").splitlines()
            i = next((k for k, (x, y) in enumerate(zip(la, lb, strict=False)) if x != y), min(len(la), len(lb)))
            return f"{name} line {i + 1}: {la[i] if i < len(la) else ''!r} != {lb[i] if i < len(lb) else ''!r}"
    return ""


def check_round(root: Path, roles: dict[str, list[str]], marker: str, stdout: str, code: int) -> None:
    assert code == 1, stdout
    reports = root / "reports"
    folders = sorted(p.name for p in reports.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert folders == roles["good"]
    assert not [p for p in reports.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    for rid in roles["good"]:
        assert {p.name for p in (reports / rid).iterdir()} == {"letter.html", "letter.ipynb", "manifest.json"}
        assert (reports / ".logs" / f"{rid}.log").is_file()
    rows = {line.split()[0]: line for line in stdout.splitlines() if line.split() and line.split()[0] in
            roles["good"] + roles["hang"] + roles["bad"]}
    assert f"{TIMEOUT} " in rows[roles["hang"][0]] and f"after {HANG_TIMEOUT:g} s" in rows[roles["hang"][0]]
    assert "no-such-kloe" in rows[roles["bad"][0]] and f" {FAILED} " in rows[roles["bad"][0]]
    assert "team: required but missing: add it" in rows[roles["bad"][1]]
    for rid in roles["good"]:
        assert f" {OK} " in rows[rid] and "letter.html" in rows[rid]
    assert "timed out" in (reports / ".logs" / f"{roles['hang'][0]}.log").read_text(encoding="utf-8")
    assert not _kernels(marker), "a kernel outlived the batch"


def run_cli(args: list[str], marker: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PEER_REVIEW_TEST_MARK=marker)
    return subprocess.run([str(PEER_REVIEW), *args], capture_output=True, text=True, env=env, timeout=DEADLINE)


class HeldClock:
    """The coordinator's clock, held still until every review but ``waiting`` have finished; then it
    jumps past the time limit, so only the reviews still running then are timed out, and runs on."""

    def __init__(self, total: int, waiting: int = 1) -> None:
        self.now = 0.0
        self.left = total - waiting
        self.released: float | None = None  # when it jumped (time.perf_counter())

    def __call__(self) -> float:
        return self.now + (time.perf_counter() - self.released if self.released is not None else 0.0)

    def start(self, total: int, workers: int) -> None:
        return None

    def finished(self, result: JobResult) -> None:
        self.left -= 1
        if self.left <= 0 and self.released is None:
            self.now, self.released = HANG_TIMEOUT + 1.0, time.perf_counter()

    def close(self) -> None:
        return None


def run_round(root: Path, monkeypatch: pytest.MonkeyPatch, total: int, reuse_kernels: bool = False) -> BatchResult:
    """The round's batch, as ``peer-review batch <root> -j 2 --timeout 20`` runs it, on a held clock."""
    clock = HeldClock(total)
    monkeypatch.setattr(batch, "clock", clock)
    return run_batch([root], workers=2, timeout=HANG_TIMEOUT, reporter=clock, reuse_kernels=reuse_kernels)


@pytest.fixture
def marker(monkeypatch: pytest.MonkeyPatch) -> str:
    # multiprocessing's resource tracker (started with the first worker, and living as long as
    # pytest) must not carry the mark: start it before the mark is set.
    resource_tracker.ensure_running()
    mark = uuid.uuid4().hex
    monkeypatch.setenv("PEER_REVIEW_TEST_MARK", mark)
    return mark

