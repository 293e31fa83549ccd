"""``peer-review daemon status|stop`` keep to this project's drafting daemons (``--all``: every
daemon of the user), and a daemon's lock is its own: a second daemon of the same key exits at once,
and no process the daemon forks holds the lock. Real fork servers from two project folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_core.utils import run_sync
from support.paths import ROOT

from toolkit.build.kernels import kernel_pid
from toolkit.build.processes import daemon, protocol
from toolkit.build.processes.forked import ForkKernelManager
from toolkit.build.processes.forked import forked as was_forked
from toolkit.build.processes.forkserver import hold_lock

PEER_REVIEW = Path(sys.executable).parent / "peer-review"


@pytest.fixture()
def runtime() -> Iterator[tuple[dict[str, str], Path]]:
    """A runtime folder of this test's own (short, as a socket's path must be) and its environment."""
    run = tempfile.mkdtemp(prefix="pr-run-", dir="/tmp")
    folder = Path(run) / "peer-review"
    folder.mkdir(mode=0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=run)
    env.pop(daemon.DAEMON_ENV, None)
    try:
        yield env, folder
    finally:
        shutil.rmtree(run, ignore_errors=True)


def _server(path: Path, env: dict[str, str], cwd: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "toolkit.build.processes.forkserver", str(path), "--idle", "300", *extra],
                            env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            start_new_session=True)


def _links(folder: Path) -> list[str]:
    """Where each descriptor listed in ``folder`` (``/proc/<pid>/fd``) leads."""
    links = []
    for fd in folder.iterdir():
        try:
            links.append(os.readlink(fd))
        except OSError:
            pass
    return links


def _cli(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([str(PEER_REVIEW), "daemon", *args], env=env, capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_status_and_stop_keep_to_this_projects_daemons(runtime: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, folder = runtime
    other = tmp_path / "other-checkout"  # another project's toolkit: a copy, imported from its own folder
    shutil.copytree(ROOT / "toolkit", other / "toolkit", ignore=shutil.ignore_patterns("__pycache__"))
    ours_path, theirs_path = folder / "a-ours.sock", folder / "b-theirs.sock"
    ours = _server(ours_path, env, ROOT)
    theirs = _server(theirs_path, env, other)
    try:
        assert protocol.wait_ready(ours_path, 120) and protocol.wait_ready(theirs_path, 120)
        answers = {p: protocol.ping(p) for p in (ours_path, theirs_path)}
        assert answers[theirs_path] is not None and answers[theirs_path]["toolkit"] == str(other / "toolkit")
        assert answers[ours_path] is not None and answers[ours_path]["toolkit"] == str(ROOT / "toolkit")

        status = _cli(["status"], env).splitlines()
        assert status[0].startswith("1 drafting daemon(s) running")
        assert status[1:] == [f"  {ours_path}", "  and 1 of other projects (peer-review daemon status --all)"]
        every = _cli(["status", "--all"], env).splitlines()
        assert every[0].startswith("2 drafting daemon(s) running")
        assert every[1:] == [f"  {ours_path} ({ROOT / 'toolkit'})", f"  {theirs_path} ({other / 'toolkit'})"]

        assert _cli(["stop"], env).strip() == "stopped 1 drafting daemon(s)"
        assert ours.wait(60) == 0
        assert protocol.ping(theirs_path) is not None  # the other project's daemon runs on
        assert _cli(["stop", "--all"], env).strip() == "stopped 1 drafting daemon(s)"
        assert theirs.wait(60) == 0
    finally:
        _end(ours)
        _end(theirs)


PROBE = '''import os


def main(args, prog_name, obj=None):
    """Write where each of this process's descriptors leads, one a line."""
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    with open(args[0], "w", encoding="utf-8") as fh:
        fh.write("\\n".join(links) + "\\n")
'''


@pytest.mark.slow
def test_the_lock_is_the_daemons_alone(runtime: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, folder = runtime
    path, lock = folder / "k.sock", folder / "k.lock"
    first = _server(path, env, ROOT, "--lock", str(lock))
    try:
        assert protocol.wait_ready(path, 120)
        served = protocol.ping(path)
        second = _server(path, env, ROOT, "--lock", str(lock))  # another caller's, started a moment later
        assert second.wait(120) == 0  # it found the lock taken and left at once
        assert protocol.ping(path) == served  # the first still answers on its socket
        assert hold_lock(lock) is None  # and still holds the lock

        (tmp_path / "fd_probe.py").write_text(PROBE, encoding="utf-8")
        out = tmp_path / "fds.txt"
        null = os.open(os.devnull, os.O_RDWR)
        try:
            conn, _ = protocol.request(path, {"kind": "run", "entry": "fd_probe:main", "cwd": str(tmp_path),
                                                "argv": [str(tmp_path / "probe"), str(out)], "env": dict(env)},
                                         fds=(null, null, null))
        finally:
            os.close(null)
        with conn:
            assert protocol.wait_exit(conn) == 0
        links = out.read_text(encoding="utf-8").splitlines()
        assert links and str(lock) not in links  # a child of the daemon holds no lock

        km = ForkKernelManager(kernel_name="peer-review", fork_server=str(path))  # nor a kernel it forks
        run_sync(km.start_kernel)(cwd=str(tmp_path))
        try:
            assert was_forked(km)
            kernel_fds = _links(Path(f"/proc/{kernel_pid(km)}/fd"))
            assert kernel_fds and str(lock) not in kernel_fds
            assert str(lock) in _links(Path(f"/proc/{first.pid}/fd"))  # while the daemon holds it
        finally:
            run_sync(km.shutdown_kernel)(now=True)
    finally:
        _end(first)
    assert (fd := hold_lock(lock)) is not None  # the daemon gone, the lock is free
    os.close(fd)
