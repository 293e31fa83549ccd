"""SIGKILL at random moments while a process saves in a loop: every save that returned is kept; and
whatever ends `peer-review capture` (Ctrl+C, kill, a closed terminal, kill -9) ends its server."""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from support.capture import copy_mini, free_port

from toolkit.capture.store import open_review
from toolkit.inputs.findings import read_findings_file

SAVER = """
import sys
from pathlib import Path
from toolkit.capture.records import FindingDraft
from toolkit.capture.store import CaptureStore, open_review
params, scope, root = open_review(Path(sys.argv[1]))
store = CaptureStore(root, params, scope, "Colin Marsh")
tag = sys.argv[2]
i = 0
while True:
    r = store.add(FindingDraft("2016-identify", "strength", f"{tag} saved {i} " + "x" * (i % 200),
                               "detail " * (i % 50), ("interview",)))
    assert r.ok
    if i % 3 == 0 and r.finding is not None:
        store.set_withdrawn(r.finding.id, True)
    print(r.finding.id, flush=True)
    i += 1
"""


@pytest.mark.slow  # several processes for seconds
def test_sigkill_between_and_during_saves_loses_nothing(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    params, scope, root = open_review(params_file)
    path = root / "data" / params.review_id / "capture" / "findings_colin-marsh.csv"
    rng = random.Random(20260303)
    returned: list[str] = []
    for round_ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(params_file), f"round{round_}"],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()  # imports done, at least one save returned
        assert first
        returned.append(first)
        time.sleep(rng.uniform(0.05, 0.6))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        returned += [line.strip() for line in proc.stdout.read().splitlines() if line.strip()]
        got, errors = read_findings_file(path, "findings_colin-marsh.csv", params, scope)
        assert errors == [], errors
        ids = {f.id for f in got}
        missing = [r for r in returned if r not in ids]
        assert not missing, f"saves that returned but were lost: {missing[:5]}"
    assert len(returned) > 30
    leftovers = [p.name for p in path.parent.iterdir() if ".tmp-" in p.name]
    assert len(leftovers) <= 1  # at most the temp file of the last kill; the next save removes it


# The server's life is its command's: whatever ends `peer-review capture`, no Voila and no kernel
# of the review is left, and the port is free again.

def _serving(params_file: Path) -> list[psutil.Process]:
    """Every process of this user serving the review (Voila and its kernels carry its parameters
    file in their environment), whoever their parent is now."""
    wanted = f"PEER_REVIEW_PARAMS={params_file.resolve()}"
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            environ = Path(f"/proc/{proc.pid}/environ").read_bytes().decode(errors="replace").split("\0")
            if wanted in environ and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (OSError, psutil.Error):
            continue
    return found


def _open_page(port: int, https: bool, token: str | None) -> None:
    """A page, as a browser asks for it: it takes the kernel kept ready (and a new one is started)."""
    if https:
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=120, context=ssl._create_unverified_context())
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("GET", f"/?token={token}" if token else "/")
    answer = conn.getresponse()
    assert answer.status == 200
    answer.read()


@pytest.mark.slow  # starts Voila
@pytest.mark.parametrize("sig,share", [(signal.SIGINT, False), (signal.SIGTERM, False), (signal.SIGHUP, True),
                                       (signal.SIGKILL, True)], ids=["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"])
def test_ending_the_command_ends_voila_and_every_kernel_and_frees_the_port(tmp_path: Path, sig: int,
                                                                          share: bool) -> None:
    """Ctrl+C, kill, a closed terminal (SIGHUP) or kill -9 of the command: within seconds no
    process of the server is left (checked through every process's environment, so a kernel
    that lost its parent is found too) and the port can be listened on again. Started as a
    background job (SIGINT ignored, as a shell's '&' does)."""
    params_file = copy_mini(tmp_path)
    port = free_port()
    args = ["--port", str(port)] + (["--host", "0.0.0.0"] if share else [])

    def background() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    proc = subprocess.Popen([sys.executable, "-m", "toolkit.cli", "capture", str(params_file), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
                            preexec_fn=background)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("Stop it"):
            line = proc.stdout.readline()
            assert line, f"the command ended early: {lines}"
            lines.append(line.strip())
        token = next((ln.rsplit(" ", 1)[1] for ln in lines if ln.startswith("Access token")), None)
        _open_page(port, share, token)
        deadline = time.monotonic() + 60
        while len(_serving(params_file)) < 3:  # Voila, the page's kernel, the kernel kept ready again
            assert time.monotonic() < deadline, [p.pid for p in _serving(params_file)]
            time.sleep(0.2)
        seen = _serving(params_file)
        tree = {p.pid for p in psutil.Process(proc.pid).children(recursive=True)}
        # what is found through the environment is the command's server (a short-lived process that
        # ended between the two looks aside)
        assert [p.pid for p in seen if p.pid not in tree and p.is_running()] == []
        os.kill(proc.pid, sig)
        started = time.monotonic()
        while _serving(params_file) and time.monotonic() - started < 60:
            time.sleep(0.1)
        took = time.monotonic() - started
        assert _serving(params_file) == [], f"left after {took:.1f} s"
        assert took < 30, f"the server took {took:.1f} s to stop"
        # the port is free once the last process holding it has finished exiting (a process part
        # way through its exit is no longer found by its environment but may still hold the socket)
        freed = None
        while freed is None and time.monotonic() - started < 40:
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("0.0.0.0" if share else "127.0.0.1", port))
                except OSError:
                    time.sleep(0.1)
                    continue
                freed = time.monotonic() - started
        holders = [] if freed is not None else [
            (c.pid, c.status) for c in psutil.net_connections("tcp") if c.laddr and c.laddr.port == port]
        assert freed is not None, f"port {port} still held {time.monotonic() - started:.1f} s after the signal: {holders}"
        proc.wait(30)
        if sig != signal.SIGKILL:
            assert proc.returncode is not None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for left in _serving(params_file):  # never leave a server behind, even when the test fails
            left.kill()
