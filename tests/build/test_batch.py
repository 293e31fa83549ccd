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
from pathlib import Path

import pytest
from support.batch import (
    DEADLINE,
    PEER_REVIEW,
    _first_difference,
    _kernels,
    _marked,
    check_round,
    make_round,
    marker,
    run_cli,
    run_round,
    snapshot,
)

from toolkit.build.batch import (
    INTERRUPTED,
    OK,
    TIMEOUT,
    NullReporter,
    _Coordinator,
    collect_params,
    plan,
    run_batch,
    summary_table,
)
from toolkit.build.kernels import ensure_kernel, process_peak_kb
from toolkit.demo.reviews import generate

__all__ = ["marker"]  # the fixture, used by name


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
                      reuse_kernels=True, force=True)
    assert again.exit_code == 0, summary_table(again)
    second = snapshot(tmp_path / "reports")
    assert second.keys() == first.keys()
    assert [n for n in first if first[n] != second[n]] == [], _first_difference(first, second)
    assert not _kernels(marker)


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
