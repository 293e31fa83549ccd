"""The capture server's life is its command's: what holds a port, and how the server is stopped.

``peer-review capture`` starts Voila in a session of its own (a Ctrl+C in the terminal reaches the
command, not Voila, which would otherwise ask on the terminal whether to stop). The command passes
SIGINT, SIGTERM and SIGHUP (the terminal closed) on to Voila as SIGTERM, waits for it and then ends
any of its kernels still running (:class:`ServerProcess`). When the command dies without a word
(SIGKILL), Voila gets SIGTERM from Linux, being its parent's child
(:func:`toolkit.capture.voila_app.guard_parent`), and each kernel ends itself when its Voila is
gone (ipykernel's parent poller).

A port that is already held is named in one line saying what holds it (:func:`port_problem`):
an earlier capture server of the same review, one of another review, or another program.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from pathlib import Path

import psutil

from toolkit.capture.access import says

CLI_PID_ENV = "PEER_REVIEW_CLI_PID"  # the command's pid, for Voila to watch
PARAMS_ENV = "PEER_REVIEW_PARAMS"  # as toolkit.capture.app.PARAMS_ENV (the server's environment)
STOP_WAIT_S = 20.0  # Voila's own shutdown of its kernels, before SIGKILL
KERNEL_WAIT_S = 5.0  # kernels left after Voila ended, before SIGKILL


def port_holder(port: int) -> psutil.Process | None:
    """The process listening on ``port`` (TCP, any address), when this user may see it."""
    try:
        connections = psutil.net_connections(kind="inet")
    except (psutil.AccessDenied, OSError):
        return None
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            with contextlib.suppress(psutil.Error):
                return psutil.Process(conn.pid)
    return None


def _served_params(proc: psutil.Process) -> str | None:
    """The parameters file a capture server serves (from its environment), else None."""
    try:
        return proc.environ().get(PARAMS_ENV)
    except (psutil.Error, OSError):
        return None


def port_problem(port: int, params_path: Path) -> str:
    """One line saying what holds ``port`` and what to do."""
    holder = port_holder(port)
    if holder is None:
        return says("port_unknown", port=port)
    served = _served_params(holder)
    if served is not None:
        if Path(served) == params_path.resolve():
            return says("port_ours", port=port, pid=holder.pid)
        return says("port_capture", port=port, pid=holder.pid, params=served)
    try:
        name = holder.name()
    except psutil.Error:
        name = "?"
    return says("port_process", port=port, pid=holder.pid, name=name)


class ServerProcess:
    """Voila as the command started it, with the kernels it has started, seen while it runs."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.known: dict[int, psutil.Process] = {}
        self.stop_asked_at: float | None = None

    def look(self) -> None:
        """Note Voila's descendants (kernels), so that they can be ended after Voila is gone."""
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(self.proc.pid).children(recursive=True):
                self.known.setdefault(child.pid, child)

    def ask_to_stop(self) -> None:
        """SIGTERM to Voila (it shuts its kernels down); safe in a signal handler."""
        if self.stop_asked_at is None:
            self.stop_asked_at = time.monotonic()
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()

    def wait(self) -> int:
        """Until Voila ends; after a stop asked for, SIGKILL once :data:`STOP_WAIT_S` have passed."""
        while True:
            try:
                return self.proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                self.look()
                if self.stop_asked_at is not None and time.monotonic() - self.stop_asked_at > STOP_WAIT_S:
                    self.proc.kill()

    def end_all(self) -> None:
        """Voila and every kernel it started are stopped: SIGTERM, then SIGKILL to what is left."""
        self.look()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        left = [p for p in self.known.values() if _running(p)]
        for p in left:
            with contextlib.suppress(psutil.Error):
                p.terminate()
        _, still = psutil.wait_procs(left, timeout=KERNEL_WAIT_S)
        for p in still:
            with contextlib.suppress(psutil.Error):
                p.kill()


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
