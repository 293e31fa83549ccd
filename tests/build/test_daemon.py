"""The drafting daemon: the second ``peer-review draft`` is handed to a daemon that has done its
imports, and writes the same files, says the same things and exits the same way as a draft in a
process of its own; it follows Ctrl-C; a changed toolkit or environment never meets it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.paths import ROOT

from toolkit.build.processes import daemon, forkserver, protocol

PEER_REVIEW = Path(sys.executable).parent / "peer-review"
KESTRELMOOR = ROOT / "params" / "kestrelmoor-2026.yaml"


def test_the_key_changes_with_the_environment_and_the_toolkit(monkeypatch: pytest.MonkeyPatch) -> None:
    first = daemon.key()
    assert daemon.key() == first
    monkeypatch.setenv("PEER_REVIEW_SOMETHING_NEW", "1")
    assert daemon.key() != first
    monkeypatch.delenv("PEER_REVIEW_SOMETHING_NEW")
    monkeypatch.setenv("OLDPWD", "/elsewhere")  # the shell's bookkeeping does not count
    assert daemon.key() == first
    import toolkit.inputs.hashing as hashing

    monkeypatch.setattr(hashing, "package_code_hash", lambda: "another toolkit")
    assert daemon.key() != first


def test_off_means_no_daemon(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv(daemon.DAEMON_ENV, "off")
    assert daemon.delegate(["draft", str(KESTRELMOOR)], "toolkit.cli:main") is None
    assert not (tmp_path / "peer-review").exists() or not list((tmp_path / "peer-review").iterdir())


def test_the_runtime_folder_is_private_and_short(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    short = Path(tempfile.mkdtemp(prefix="pr-", dir="/tmp"))
    try:
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(short))
        folder = daemon.runtime_folder()
        assert folder == short / "peer-review" and folder.stat().st_mode & 0o777 == 0o700
        folder.chmod(0o755)
        assert daemon.runtime_folder() is None  # another user could reach its sockets
    finally:
        shutil.rmtree(short)
    deep = tmp_path / ("d" * 60) / ("e" * 60)  # a socket's path must fit in 107 bytes
    deep.mkdir(parents=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    folder = daemon.runtime_folder()
    assert folder is not None and folder.parent == Path("/tmp")
    assert len(str(daemon.socket_path(folder, daemon.key()))) <= 107


@pytest.fixture()
def daemon_env() -> Iterator[dict[str, str]]:
    """The daemon in a runtime folder of this test's own: short, as a socket's path must be."""
    run = tempfile.mkdtemp(prefix="pr-run-", dir="/tmp")
    env = dict(os.environ, XDG_RUNTIME_DIR=run)
    env.pop(daemon.DAEMON_ENV, None)
    try:
        yield env
    finally:
        subprocess.run([str(PEER_REVIEW), "daemon", "stop"], env=env, capture_output=True, timeout=60)
        shutil.rmtree(run, ignore_errors=True)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PEER_REVIEW), *args], env=env, capture_output=True, text=True, timeout=600,
                          cwd=ROOT)


def _socket(env: dict[str, str]) -> Path:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = list((Path(env["XDG_RUNTIME_DIR"]) / "peer-review").glob("*.sock"))
        if found and protocol.wait_ready(found[0], 1):
            return found[0]
        time.sleep(0.2)
    raise AssertionError("no drafting daemon started")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.slow
def test_a_draft_through_the_daemon_is_the_draft_of_a_fresh_process(daemon_env: dict[str, str],
                                                                      tmp_path: Path) -> None:
    local = _run(["draft", str(KESTRELMOOR), "--reports", str(tmp_path / "local")], daemon_env)
    assert local.returncode == 0, local.stderr
    path = _socket(daemon_env)  # the first draft started one for the next
    before = protocol.ping(path)
    assert before is not None
    through = _run(["draft", str(KESTRELMOOR), "--reports", str(tmp_path / "daemon")], daemon_env)
    after = protocol.ping(path)
    assert after is not None and after["served"] == before["served"] + 2  # the command and its kernel
    assert (through.returncode, through.stdout, through.stderr) == (local.returncode, local.stdout.replace(
        str(tmp_path / "local"), str(tmp_path / "daemon")), local.stderr)
    review = "kestrelmoor-2026"
    assert _files(tmp_path / "daemon" / review) == _files(tmp_path / "local" / review)
    status = _run(["daemon", "status"], daemon_env)
    assert status.stdout.startswith("1 drafting daemon(s) running")

    # bad input: the same one-line message and exit code, nothing written, no traceback
    bad = tmp_path / "bad.yaml"
    bad.write_text(KESTRELMOOR.read_text(encoding="utf-8").replace("review_id:", "review_idd:", 1), encoding="utf-8")
    refused = _run(["validate", str(bad)], daemon_env)
    alone = _run(["validate", str(bad)], dict(daemon_env, **{daemon.DAEMON_ENV: "off"}))
    assert refused.returncode == alone.returncode == 2
    assert refused.stderr == alone.stderr and "Traceback" not in refused.stderr

    stopped = _run(["daemon", "stop"], daemon_env)
    assert stopped.stdout.strip() == "stopped 1 drafting daemon(s)"
    deadline = time.monotonic() + 30
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not path.exists()


@pytest.mark.slow
def test_ctrl_c_reaches_a_draft_in_the_daemon(daemon_env: dict[str, str], tmp_path: Path) -> None:
    _run(["validate", str(KESTRELMOOR)], daemon_env)  # starts the daemon
    path = _socket(daemon_env)
    before = protocol.ping(path)
    assert before is not None
    reports = tmp_path / "reports"
    proc = subprocess.Popen([str(PEER_REVIEW), "draft", str(KESTRELMOOR), "--reports", str(reports)],
                            env=daemon_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until its kernel is asked for: mid-draft
        now = protocol.ping(path)
        if now is not None and now["served"] >= before["served"] + 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, out + err
    assert "Traceback" not in err, err[-2500:]
    assert not (reports / "kestrelmoor-2026").exists()  # nothing half-written, nothing moved into place
    assert not list(reports.glob(".kestrelmoor*")), (list(reports.iterdir()), err)
    deadline = time.monotonic() + 30  # and its kernel is gone too
    while (protocol.ping(path) or {}).get("running") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert protocol.ping(path) == {"pid": before["pid"], "served": before["served"] + 2, "running": 0,
                                     "toolkit": forkserver.TOOLKIT_FOLDER}
