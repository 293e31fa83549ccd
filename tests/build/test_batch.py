"""Batch drafting: fault isolation, per-review timeouts, clean Ctrl-C, byte-identical re-runs.

The hanging review is legitimate input, not a patched toolkit: its letter style (a folder in the
project) has an opening template that reads a "shared" text file which is a named pipe nobody
writes to, like a file on a network share that has stalled. Validation passes; the kernel then
blocks when it renders the letter, until the batch's per-review timeout stops it.

No test depends on how fast the machine is. The rounds of good, broken and hanging reviews run
on a :class:`HeldClock`: the coordinator's clock stands still until every other review is done,
then moves past the limit, so a good review is never timed out however loaded the machine is, and
the hanging one always is. Waits for a process are generous deadlines, never margins.
"""

from __future__ import annotations

import os
import re
import signal
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
    INTERRUPTED,
    OK,
    TIMEOUT,
    BatchResult,
    JobResult,
    NullReporter,
    _Coordinator,
    collect_params,
    plan,
    run_batch,
    summary_table,
)
from toolkit.build.kernels import ensure_kernel, process_peak_kb
from toolkit.demo.reviews import generate

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
    out = []
    for p in _marked(marker):
        try:
            if "ipykernel" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:
            continue
    return out


def make_round(root: Path, reviews: int, seed: int = 11) -> dict[str, list[str]]:
    """Demo reviews in ``root``: the first hangs, the second and third have broken inputs."""
    project = generate(root, reviews, seed)
    ids = sorted(r.review_id for r in project.reviews)
    hang, bad_row, bad_params = ids[0], ids[1], ids[2]
    # Hangs: a letter style whose opening reads from a pipe that nobody writes to.
    style = root / "styles" / "shared-style"
    style.mkdir(parents=True)
    os.mkfifo(root / "data" / "stalled-share.txt")
    (style / "opening.html.j2").write_text(
        "<p>{{ review.root.joinpath('data/stalled-share.txt').read_text() }}</p>\n", encoding="utf-8")
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
    assert "team: field required" in rows[roles["bad"][1]]
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


def run_round(root: Path, monkeypatch: pytest.MonkeyPatch, total: int) -> BatchResult:
    """The round's batch, as ``peer-review batch <root> -j 2 --timeout 20`` runs it, on a held clock."""
    clock = HeldClock(total)
    monkeypatch.setattr(batch, "clock", clock)
    return run_batch([root], workers=2, timeout=HANG_TIMEOUT, reporter=clock)


@pytest.fixture
def marker(monkeypatch: pytest.MonkeyPatch) -> str:
    # multiprocessing's resource tracker (started with the first worker, and living as long as
    # pytest) must not carry the mark: start it before the mark is set.
    resource_tracker.ensure_running()
    mark = uuid.uuid4().hex
    monkeypatch.setenv("PEER_REVIEW_TEST_MARK", mark)
    return mark


@pytest.mark.slow
def test_batch_isolates_failures_and_hangs_then_reruns_identically(tmp_path: Path, marker: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    roles = make_round(tmp_path, 6)
    done = run_round(tmp_path, monkeypatch, 6)
    monkeypatch.undo()  # the real clock again, and the default limit, for the re-run
    monkeypatch.setenv("PEER_REVIEW_TEST_MARK", marker)
    check_round(tmp_path, roles, marker, summary_table(done), done.exit_code)
    stdout = summary_table(done)
    assert "3 of 6 letters drafted" in stdout
    first = snapshot(tmp_path / "reports")
    # Again, in-process, only the good reviews, all on one warm kernel reset between reviews:
    # every output is byte-identical to the fresh-kernel build, and the exit code is 0.
    again = run_batch([tmp_path / "params" / f"{rid}.yaml" for rid in roles["good"]], workers=1,
                      reuse_kernels=True)
    assert again.exit_code == 0, summary_table(again)
    second = snapshot(tmp_path / "reports")
    assert second.keys() == first.keys()
    assert [n for n in first if first[n] != second[n]] == [], _first_difference(first, second)
    assert not _kernels(marker)


@pytest.mark.slow
def test_batch_of_twenty_gives_seventeen_letters(tmp_path: Path, marker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    roles = make_round(tmp_path, 20, seed=5)
    done = run_round(tmp_path / "params", monkeypatch, 20)
    check_round(tmp_path, roles, marker, summary_table(done), done.exit_code)
    assert len(roles["good"]) == 17 and "17 of 20 letters drafted" in summary_table(done)


@pytest.mark.slow
def test_ctrl_c_stops_cleanly(tmp_path: Path, marker: str) -> None:
    roles = make_round(tmp_path, 4, seed=2)
    env = dict(os.environ, PEER_REVIEW_TEST_MARK=marker)
    proc = subprocess.Popen([str(PEER_REVIEW), "batch", str(tmp_path), "-j", "1", "--no-progress"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    reports = tmp_path / "reports"
    deadline = time.monotonic() + DEADLINE
    temp = f".{roles['hang'][0]}.tmp-*"

    def mid_draft() -> bool:
        return bool(_kernels(marker)) and reports.is_dir() and any(reports.glob(temp))

    try:
        while time.monotonic() < deadline and not mid_draft():
            time.sleep(0.2)  # the hanging review runs first: wait until it is mid-draft
        time.sleep(1.0)
        assert _kernels(marker), "no kernel started"
        assert list(reports.glob(temp)), "the review's temporary folder should exist by now"
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole foreground group
        out, err = proc.communicate(timeout=DEADLINE)
    assert proc.returncode == 130, out + err
    assert "interrupted" in out and "not run" in out
    assert not [p for p in reports.iterdir() if p.name.startswith(".") and p.name != ".logs"]
    assert not [p for p in reports.iterdir() if not p.name.startswith(".")]
    assert not _marked(marker), "a worker or kernel outlived Ctrl-C"


def test_collect_and_plan(tmp_path: Path) -> None:
    generate(tmp_path, 3, seed=1)
    params = collect_params([tmp_path])
    assert [p.parent.name for p in params] == ["params"] * 3
    assert collect_params([tmp_path / "params", params[0]]) == params  # no duplicates
    twin = tmp_path / "params" / "twin.yaml"
    twin.write_text(params[0].read_text(encoding="utf-8"), encoding="utf-8")
    jobs, early = plan(collect_params([tmp_path]))
    assert len(jobs) == 3 and len(early) == 1 and "also used by" in early[0].reason


@pytest.mark.slow
def test_a_finished_review_is_not_reported_as_interrupted(tmp_path: Path, marker: str) -> None:
    """Ctrl-C arriving after a worker sent its result, before the coordinator read it."""
    project = generate(tmp_path, 2, seed=3)
    jobs, _ = plan(collect_params([tmp_path]))
    ensure_kernel()
    coordinator = _Coordinator(jobs[:1], 1, None, NullReporter(), "spawn")
    coordinator._dispatch()
    worker = coordinator.pool[0]
    letter = tmp_path / "reports" / jobs[0].review_id / "letter.html"
    coordinator._receive(worker)  # its "started" message; the next one is the result
    assert worker.job is not None and worker.started is not None
    assert worker.conn.poll(DEADLINE), "the review was not drafted"
    assert letter.is_file()  # its "done" message is on the pipe, unread
    coordinator.shutdown(interrupted=True)
    result = coordinator.results[0]
    assert result.status == OK != INTERRUPTED and result.output == letter
    assert result.worker_peak_kb > 0 and result.kernel_peak_kb > 0
    assert not _marked(marker) and project.reviews


@pytest.mark.slow
def test_stopping_a_hanging_review_takes_little_longer_than_its_limit(tmp_path: Path, marker: str) -> None:
    roles = make_round(tmp_path, 3, seed=2)
    done = run_cli(["batch", str(tmp_path / "params" / f"{roles['hang'][0]}.yaml"), "-j", "1", "--timeout", "8",
                    "--no-progress"], marker)
    assert done.returncode == 1 and "timed out after 8 s" in done.stdout, done.stdout + done.stderr
    # Stopped once its limit had passed (how much later depends on the machine's load: not measured).
    row = re.search(rf"^{roles['hang'][0]} +{TIMEOUT} +([0-9.]+) ", done.stdout, re.M)  # its row in the summary
    assert row is not None and float(row.group(1)) >= 8.0, done.stdout
    assert not _marked(marker)


def test_process_peak_memory_is_the_processes_own() -> None:
    big = bytearray(200 * 1024 * 1024)  # this process is at least 200 MB at its peak
    child = subprocess.Popen([sys.executable, "-c", "import sys; print('ready', flush=True); sys.stdin.read()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"  # running Python, not the fork
        own, small = process_peak_kb(), process_peak_kb(child.pid)
    finally:
        child.communicate(timeout=DEADLINE)
    del big
    assert own > 200 * 1024 and 0 < small < 60 * 1024  # not the parent's size, as ru_maxrss would say
    assert process_peak_kb(child.pid) == 0  # gone
