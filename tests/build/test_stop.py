"""Nothing runs for ever (issue 23, item 4): a style template that loops is stopped by the draft's
time limit, and SIGTERM or Ctrl-C of a real draft stops it within seconds, leaving no kernel and
no temporary folder. Each test runs ``peer-review draft`` as a child process, in a process
group of its own, on a copy of the small review whose style loops for ever; and once through the
drafting daemon."""

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

from toolkit.build.processes import daemon, protocol
from toolkit.inputs.styles import STYLES_DIR

pytestmark = pytest.mark.slow

PEER_REVIEW = Path(sys.executable).parent / "peer-review"
LOOP = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}<p>never</p>\n"


def _looping_review(mini: Path) -> Path:
    proj = mini.parents[1]
    folder = proj / "styles" / "loop"
    folder.mkdir(parents=True)
    shutil.copy(STYLES_DIR / "standard" / "document.yaml", folder)
    (folder / "closing.html.j2").write_text(LOOP, encoding="utf-8")
    text = mini.read_text(encoding="utf-8")
    mini.write_text("\n".join(line for line in text.splitlines() if not line.startswith("letter_style:"))
                    + "\nletter_style: styles/loop\n", encoding="utf-8")
    return proj


def _kernels_in(proj: Path) -> list[int]:
    """Kernel processes working in ``proj`` (this test's own, by their folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes()
            if b"ipykernel" in cmd and os.readlink(entry / "cwd") == str(proj):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _draft(proj: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PEER_REVIEW_DAEMON": "off"}
    return subprocess.Popen([sys.executable, "-m", "toolkit.cli", "draft", "params/mini.yaml", *extra], cwd=proj,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_a_looping_template_is_stopped_by_the_time_limit(mini: Path) -> None:
    proj = _looping_review(mini)
    started = time.monotonic()
    done = _draft(proj, "--time-limit", "10")
    out, err = done.communicate(timeout=120)
    assert done.returncode == 1, err
    assert time.monotonic() - started < 60
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("params/mini.yaml: the letter took longer than 10 s"), err
    assert "--time-limit" in lines[0]
    assert not [p.name for p in (proj / "reports").iterdir() if p.name != ".gitkeep"]
    assert _wait_until(lambda: not _kernels_in(proj), 10)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_signal_leaves_no_kernel_and_no_folder(mini: Path, signum: int) -> None:
    proj = _looping_review(mini)
    draft = _draft(proj, "--time-limit", "0")
    try:
        assert _wait_until(lambda: bool(_kernels_in(proj)) and any((proj / "reports").glob(".mini-review.tmp-*")), 90)
        time.sleep(2)  # the kernel is in the template's loop
        # Ctrl-C reaches the terminal's whole foreground group; kill, the process alone
        os.killpg(draft.pid, signum) if signum == signal.SIGINT else draft.send_signal(signum)
        sent = time.monotonic()
        _, err = draft.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        if draft.poll() is None:
            os.killpg(draft.pid, signal.SIGKILL)
    assert draft.returncode == 128 + signum
    assert "Traceback" not in err, err
    assert err.strip() == (f"peer-review: stopped ({signal.Signals(signum).name}): the draft under way was not "
                           "written, and its kernel and temporary folder are gone"), err
    assert took < 15, f"stopped after {took:.1f} s"  # about 0.5 s; room for a loaded machine
    assert not list((proj / "reports").glob(".mini-review.tmp-*"))
    assert _wait_until(lambda: not _kernels_in(proj), 5)


@pytest.fixture()
def daemon_env() -> Iterator[dict[str, str]]:
    """A drafting daemon in a runtime folder of this test's own (as tests/build/test_daemon.py)."""
    run = tempfile.mkdtemp(prefix="pr-run-", dir="/tmp")
    env = dict(os.environ, XDG_RUNTIME_DIR=run)
    env.pop(daemon.DAEMON_ENV, None)
    try:
        yield env
    finally:
        subprocess.run([str(PEER_REVIEW), "daemon", "stop"], env=env, capture_output=True, timeout=60)
        shutil.rmtree(run, ignore_errors=True)


def test_sigterm_stops_a_looping_draft_in_the_daemon(mini: Path, daemon_env: dict[str, str]) -> None:
    proj = _looping_review(mini)
    subprocess.run([str(PEER_REVIEW), "validate", "params/mini.yaml"], env=daemon_env, cwd=proj,
                   capture_output=True, timeout=300)  # starts the daemon for the next command
    folder = Path(daemon_env["XDG_RUNTIME_DIR"]) / "peer-review"
    assert _wait_until(lambda: any(protocol.wait_ready(p, 1) for p in folder.glob("*.sock")), 120)
    path = next(p for p in folder.glob("*.sock") if protocol.wait_ready(p, 1))
    before = protocol.ping(path)
    assert before is not None
    draft = subprocess.Popen([str(PEER_REVIEW), "draft", "params/mini.yaml", "--time-limit", "0"], env=daemon_env,
                             cwd=proj, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_until(lambda: (protocol.ping(path) or {}).get("served", 0) >= before["served"] + 2
                           and list((proj / "reports").glob(".mini-review.tmp-*")), 120)
        time.sleep(3)  # the kernel is in the template's loop
        draft.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        _, err = draft.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        if draft.poll() is None:
            draft.kill()
    assert draft.returncode == 128 + signal.SIGTERM and "Traceback" not in err, err
    assert took < 15, f"stopped after {took:.1f} s"
    assert not list((proj / "reports").glob(".mini-review.tmp-*"))
    assert _wait_until(lambda: (protocol.ping(path) or {}).get("running") == 0, 10)  # its kernel is gone
