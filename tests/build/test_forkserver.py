"""Kernels forked from a fork server: as fresh as kernels started anew, the same letters, and a
kernel that cannot be forked is started the usual way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from jupyter_core.utils import run_sync
from support.paths import ROOT

from toolkit.build import forkserver
from toolkit.build.forked import ForkKernelManager
from toolkit.build.forked import forked as was_forked
from toolkit.build.render import draft

KESTRELMOOR = ROOT / "params" / "kestrelmoor-2026.yaml"


def test_only_this_pythons_ipykernel_command_line_is_taken() -> None:
    options = forkserver.interpreter_options()
    ours = [sys.executable, *options, "-m", "ipykernel_launcher", "-f", "k.json"]
    assert forkserver.kernel_arguments(ours) == len(options) + 3
    assert forkserver.kernel_arguments([sys.executable, *options, "-m", "other_kernel", "-f", "k.json"]) is None
    assert forkserver.kernel_arguments([sys.executable, "-X", "dev", "-m", "ipykernel_launcher"]) is None
    assert forkserver.kernel_arguments(["/usr/bin/false", *options, "-m", "ipykernel_launcher"]) is None


@pytest.fixture(scope="module")
def server() -> Iterator[forkserver.ServerProcess]:
    started = forkserver.ServerProcess("peer-review")
    try:
        assert forkserver.wait_ready(started.path, 60), "the fork server did not start"
        yield started
    finally:
        started.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.slow
def test_a_forked_kernel_drafts_the_same_letter_as_one_started_anew(
        server: forkserver.ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = forkserver.ping(server.path)
    assert before is not None
    monkeypatch.setattr(forkserver, "DEFAULT_SERVER", str(server.path))
    from_fork = draft(KESTRELMOOR, tmp_path / "forked")
    after = forkserver.ping(server.path)
    assert after is not None and after["served"] == before["served"] + 1  # this draft's kernel
    monkeypatch.setattr(forkserver, "DEFAULT_SERVER", "")
    anew = draft(KESTRELMOOR, tmp_path / "anew")
    assert forkserver.ping(server.path) == after  # started anew: the server was not asked
    assert _files(from_fork.folder) == _files(anew.folder)


@pytest.mark.slow
def test_a_forked_kernel_is_the_servers_child_runs_where_asked_and_shuts_down(
        server: forkserver.ServerProcess, tmp_path: Path) -> None:
    km = ForkKernelManager(kernel_name="peer-review", fork_server=str(server.path))
    run_sync(km.start_kernel)(cwd=str(tmp_path))
    try:
        assert was_forked(km)
        kernel = psutil.Process(km.provisioner.pid)
        assert kernel.ppid() == server.process.pid
        assert Path(kernel.cwd()) == tmp_path
        assert run_sync(km.is_alive)()
    finally:
        run_sync(km.shutdown_kernel)(now=True)
    assert not psutil.pid_exists(kernel.pid) or kernel.status() == psutil.STATUS_ZOMBIE


@pytest.mark.slow
def test_a_kernel_another_python_would_run_is_started_anew(server: forkserver.ServerProcess, tmp_path: Path) -> None:
    km = ForkKernelManager(kernel_name="peer-review", fork_server=str(tmp_path / "no-server.sock"))
    run_sync(km.start_kernel)(cwd=str(tmp_path))
    try:
        assert not was_forked(km) and run_sync(km.is_alive)()
    finally:
        run_sync(km.shutdown_kernel)(now=True)
    with pytest.raises(forkserver.ForkServerError, match="refused"):
        forkserver.request(server.path, {"kind": "kernel", "cmd": ["/usr/bin/python3", "-m", "ipykernel_launcher"],
                                         "cwd": str(tmp_path), "env": dict(os.environ)})


@pytest.mark.slow
def test_a_kernel_whose_requester_dies_is_killed(server: forkserver.ServerProcess, tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from jupyter_core.utils import run_sync\n"
        "from toolkit.build.forked import ForkKernelManager\n"
        f"km = ForkKernelManager(kernel_name='peer-review', fork_server={str(server.path)!r})\n"
        f"run_sync(km.start_kernel)(cwd={str(tmp_path)!r})\n"
        "print(km.provisioner.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    requester = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert requester.stdout is not None
        kernel_pid = int(requester.stdout.readline())
        assert psutil.pid_exists(kernel_pid)
        requester.send_signal(signal.SIGKILL)
        requester.wait(30)
        deadline = time.monotonic() + 30
        while psutil.pid_exists(kernel_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not psutil.pid_exists(kernel_pid), "the dead requester's kernel is still running"
    finally:
        requester.kill()
        requester.wait()
