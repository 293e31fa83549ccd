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

from toolkit.build.processes import children, forkserver, protocol
from toolkit.build.processes.forked import ForkKernelManager
from toolkit.build.processes.forked import forked as was_forked
from toolkit.build.processes.sources import StartedKernels
from toolkit.build.render import draft

KESTRELMOOR = ROOT / "params" / "kestrelmoor-2026.yaml"


def test_only_this_pythons_ipykernel_command_line_is_taken() -> None:
    options = children.interpreter_options()
    ours = [sys.executable, *options, "-m", "ipykernel_launcher", "-f", "k.json"]
    assert children.kernel_arguments(ours) == len(options) + 3
    assert children.kernel_arguments([sys.executable, *options, "-m", "other_kernel", "-f", "k.json"]) is None
    assert children.kernel_arguments([sys.executable, "-X", "dev", "-m", "ipykernel_launcher"]) is None
    assert children.kernel_arguments(["/usr/bin/false", *options, "-m", "ipykernel_launcher"]) is None


@pytest.fixture(scope="module")
def server() -> Iterator[forkserver.ServerProcess]:
    started = forkserver.ServerProcess("peer-review")
    try:
        assert protocol.wait_ready(started.path, 60), "the fork server did not start"
        yield started
    finally:
        started.close()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.slow
def test_a_forked_kernel_drafts_the_same_letter_as_one_started_anew(
        server: forkserver.ServerProcess, tmp_path: Path) -> None:
    before = protocol.ping(server.path)
    assert before is not None
    from_fork = draft(KESTRELMOOR, tmp_path / "forked", kernels=StartedKernels(str(server.path)))
    after = protocol.ping(server.path)
    assert after is not None and after["served"] == before["served"] + 1  # this draft's kernel
    assert after["running"] == 0  # and the source ended it when the notebook had run
    anew = draft(KESTRELMOOR, tmp_path / "anew", kernels=StartedKernels())
    assert protocol.ping(server.path) == after  # started anew: the server was not asked
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
        # the server answers with the child's pid as soon as it has forked: the child takes on the
        # requester's folder a moment later
        deadline = time.monotonic() + 60
        while Path(kernel.cwd()) != tmp_path and time.monotonic() < deadline:
            time.sleep(0.05)
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
    with pytest.raises(protocol.ForkServerError, match="refused"):
        protocol.request(server.path, {"kind": "kernel", "cmd": ["/usr/bin/python3", "-m", "ipykernel_launcher"],
                                         "cwd": str(tmp_path), "env": dict(os.environ)})


@pytest.mark.slow
def test_a_kernel_whose_requester_dies_is_killed(server: forkserver.ServerProcess, tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from jupyter_core.utils import run_sync\n"
        "from toolkit.build.processes.forked import ForkKernelManager\n"
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
        # the server's child, not the requester's: found by whom it was forked for (the batch's kill path)
        assert kernel_pid not in [p.pid for p in psutil.Process(requester.pid).children(recursive=True)]
        assert [p.pid for p in server.kernels_of(requester.pid)] == [kernel_pid]
        assert server.kernels_of(os.getpid()) == []
        requester.send_signal(signal.SIGKILL)
        requester.wait(30)
        deadline = time.monotonic() + 30
        while psutil.pid_exists(kernel_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not psutil.pid_exists(kernel_pid), "the dead requester's kernel is still running"
    finally:
        requester.kill()
        requester.wait()
