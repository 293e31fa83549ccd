"""A fork server: one process that has done the toolkit's imports once, and forks ready processes.

A fresh kernel spends about 2 s starting Python and importing what the letter notebook needs
(pandas, matplotlib, IPython, the toolkit); a ``peer-review draft`` process spends another second
importing papermill, nbconvert and the toolkit before it does anything. Both are the same work
every time. The fork server does it once and then, on request, forks (:mod:`.children`):

* a **kernel** (``kind: kernel``): the child becomes ``python -m ipykernel_launcher -f
  <connection file> ...`` exactly as a kernel manager would have started it (same command line,
  working folder and environment, the requester's stdout and stderr), but with its imports done.
  It has never run a line of any notebook: it is as fresh as a kernel started from nothing, which
  is what makes it safe where a reused (warm) kernel needs a reset.
  :class:`toolkit.build.processes.forked.ForkKernelManager` is the kernel manager that asks for one;
* a **command** (``kind: run``): the child calls a click command's entry point (``entry``,
  ``module:function``; the ``peer-review`` command's is ``toolkit.cli:main``) with the requester's
  arguments, working folder, environment and standard streams (passed over the socket), as a
  fresh process would. :mod:`toolkit.build.processes.daemon` sends these.

The protocol (:mod:`.protocol`) is one request per connection on a Unix socket in a private
folder. Closing the connection early kills the child: a requester that dies takes its kernel
with it (:meth:`Server._requester_closed`).

The server is single-threaded, so forking it is safe; it imports nothing that starts threads.
``python -m toolkit.build.processes.forkserver SOCKET [--idle SECONDS]`` runs one; it prints
``ready`` on its standard output when it listens, and exits after ``--idle`` seconds without a
child or a request (0: never), when asked to stop (``stop``, SIGTERM), or when the process named
by ``--parent`` is gone. Who starts one and who ends it: :mod:`toolkit.build.processes`.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import socket
import struct
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolkit.build.processes.children import (
    become_kernel,
    interpreter_options,
    kernel_arguments,
    kernel_options,
    run_command,
)
from toolkit.build.processes.protocol import ForkServerError, children, close_all, recv_message, send_message

#: What a kernel of the letter notebooks imports, and what a drafting command imports.
KERNEL_MODULES = ("ipykernel.kernelapp", "ipykernel.ipkernel", "toolkit.letter", "toolkit.letter.audit",
                  "toolkit.letter.performance", "toolkit.letter.working_views", "toolkit.letter.briefing",
                  "toolkit.review")
COMMAND_MODULES = ("toolkit.cli", "toolkit.build.render", "toolkit.build.processes.sources", "papermill",
                   "papermill.execute", "nbclient", "nbconvert.exporters", "toolkit.letter.docx",
                   "toolkit.letter.slides_pptx", "toolkit.build.pdf", "toolkit.build.manifest")

#: The toolkit this server runs (``ping`` answers it): which project a drafting daemon is of.
TOOLKIT_FOLDER = str(Path(__file__).resolve().parents[2])


class ServerProcess:
    """A fork server of kernels for one batch round: started here, stopped by :meth:`close`.

    Its socket is in a private temporary folder; the round's workers ask it for their kernels.
    """

    def __init__(self, kernel_name: str) -> None:
        import shutil
        import subprocess
        import tempfile

        folder = tempfile.mkdtemp(prefix="peer-review-fork-")
        if len(folder) > 90:  # a socket's path must fit in 107 bytes
            shutil.rmtree(folder, ignore_errors=True)
            folder = tempfile.mkdtemp(prefix="peer-review-fork-", dir="/tmp")
        self.folder = Path(folder)
        self.path = self.folder / "kernels.sock"
        self.process = subprocess.Popen(  # this Python, this toolkit's module
            [sys.executable, "-m", "toolkit.build.processes.forkserver", str(self.path), "--kernel", kernel_name,
             "--parent", str(os.getpid())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True,
        )

    def kernels_of(self, requester: int) -> list[Any]:
        """The kernels this server forked for the process ``requester`` and still runs
        (``psutil.Process`` each). A forked kernel is the server's child, not its requester's, so a
        batch worker's kernel is not among the worker's descendants; the server knows whom it
        forked each child for (:func:`toolkit.build.processes.protocol.children`)."""
        import psutil

        found = []
        for pid, asked_by in (children(self.path) or {}).items():
            if asked_by == requester:
                try:
                    found.append(psutil.Process(pid))
                except psutil.Error:
                    pass
        return found

    def close(self) -> None:
        import shutil

        if self.process.poll() is None:
            self.process.terminate()  # it exits once its kernels have ended
            try:
                self.process.wait(10)
            except Exception:  # subprocess.TimeoutExpired: it must not outlive the round
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


# ------------------------------------------------------------------------------------- server

class _KernelShell:
    """What ``get_ipython()`` returns in a kernel, as far as an importing module looks: pandas
    chooses its display width (``display.max_columns``) by whether the shell has a ``kernel``."""
    kernel = None


def preload(modules: Sequence[str]) -> None:
    """Import what the children need, as a kernel would see them imported.

    A module that looks at its surroundings when imported must find a kernel's: ``get_ipython``
    exists while they are imported (pandas then picks a kernel's display options, not a
    terminal's), and matplotlib finds the backend the kernel would have set (``MPLBACKEND``).
    A module that fails to import is left for the child to import (and report) itself, exactly
    as it would without the server.
    """
    import builtins
    import importlib

    backend = os.environ.get("MPLBACKEND")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as ipykernel does
    builtins.get_ipython = _KernelShell  # type: ignore[attr-defined]
    try:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # the child meets the same error in its own import
                pass
    finally:
        del builtins.get_ipython  # type: ignore[attr-defined]
        if backend is None:
            os.environ.pop("MPLBACKEND", None)


#: The requests answered at once, without a child: ``stop``, ``ping`` and ``children`` (each
#: running child's pid and its requester's).
_ANSWERED = ("stop", "ping", "children")


class _Child:
    def __init__(self, pid: int, conn: socket.socket, requester: int) -> None:
        self.pid = pid
        self.conn = conn
        self.requester = requester  # the pid of the process that asked for it (``SO_PEERCRED``)


class Server:
    """The accept loop. Each request forks one child; the loop reaps children and reports their
    exit to their requester."""

    def __init__(self, path: Path, idle: float, parent: int | None = None, lock: int | None = None) -> None:
        self.path = path
        self.lock = lock  # held for the server's life (:func:`hold_lock`); closed in every child
        self.idle = idle
        self.parent = parent  # stop when this process (the batch round that started it) is gone
        self.children: dict[int, _Child] = {}
        self.stopping = False
        self.served = 0  # children forked so far (``ping`` answers it)
        self.last_active = time.monotonic()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if path.exists():
            path.unlink()
        old = os.umask(0o177)
        try:
            self.listener.bind(str(path))
        finally:
            os.umask(old)
        self.listener.listen(64)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        signal.set_wakeup_fd(self._wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        signal.signal(signal.SIGTERM, self._on_stop)
        signal.signal(signal.SIGINT, self._on_stop)

    def _on_stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def serve(self) -> None:
        try:
            while True:
                self._reap()
                if self._done():
                    return
                watched: list[Any] = [self._wake_r, *(c.conn for c in self.children.values())]
                if not self.stopping:
                    watched.append(self.listener)
                try:
                    ready, _, _ = select.select(watched, [], [], 1.0)
                except InterruptedError:
                    continue
                for item in ready:
                    if item == self._wake_r:
                        self._drain_wakeups()
                    elif item is self.listener:
                        self._accept()
                    else:
                        self._requester_closed(item)
        finally:
            self._close()

    def _done(self) -> bool:
        if self.parent is not None and os.getppid() != self.parent:
            self.stopping = True
        if self.children:
            self.last_active = time.monotonic()
            return False
        if self.stopping:
            return True
        return bool(self.idle) and time.monotonic() - self.last_active > self.idle

    def _drain_wakeups(self) -> None:
        try:
            while os.read(self._wake_r, 512):
                pass
        except BlockingIOError:
            pass

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = self.children.pop(pid, None)
            if child is not None:
                try:
                    send_message(child.conn, {"exit": os.waitstatus_to_exitcode(status)})
                except OSError:
                    pass
                child.conn.close()

    def _requester_closed(self, conn: Any) -> None:
        """A requester's connection became readable: it closed (or broke the protocol) while its
        child runs, so the child has no one to serve and is killed."""
        for child in list(self.children.values()):
            if child.conn is conn:
                try:
                    data = conn.recv(1)
                except OSError:
                    data = b""
                if not data:
                    try:
                        os.kill(child.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass

    def _accept(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        self.last_active = time.monotonic()
        received = self._receive(conn)
        if received is None:  # another user's, broken, or a probe (``wait_ready``): connected and closed
            conn.close()
            return
        message, fds, requester = received
        kind = message.get("kind")
        refused = (f"unknown request {kind!r}" if kind not in ("kernel", "run", *_ANSWERED) else
                   "not a kernel command line of this server's Python" if kind == "kernel"
                   and kernel_arguments(message.get("cmd") or []) is None else None)
        if refused or kind in _ANSWERED:
            close_all(fds)
            self._answer(conn, {"error": refused} if refused else self._answer_to(str(kind)))
            return
        pid = os.fork()
        if pid == 0:
            self._in_child(conn, message, fds)  # never returns
        close_all(fds)
        self.served += 1
        self.children[pid] = _Child(pid, conn, requester)
        try:
            send_message(conn, {"pid": pid})
        except OSError:
            os.kill(pid, signal.SIGKILL)

    def _receive(self, conn: socket.socket) -> tuple[dict[str, Any], list[int], int] | None:
        """The request on ``conn``, its descriptors and the requester's pid; ``None`` when there is
        none to serve (another user's process, a broken request, a probe)."""
        fds: list[int] = []
        try:
            conn.settimeout(5.0)
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            requester, uid, _ = struct.unpack("3i", creds)
            if uid != os.getuid():
                return None
            message, fds = recv_message(conn, max_fds=8)
            conn.settimeout(None)
        except (OSError, ValueError, ForkServerError):
            close_all(fds)
            return None
        return (message, fds, requester) if message is not None else None

    def _answer_to(self, kind: str) -> dict[str, Any]:
        if kind == "stop":
            self.stopping = True
            return {"stopping": True}
        if kind == "children":
            return {"children": {str(c.pid): c.requester for c in self.children.values()}}
        return {"pid": os.getpid(), "served": self.served, "running": len(self.children), "toolkit": TOOLKIT_FOLDER}

    @staticmethod
    def _answer(conn: socket.socket, answer: dict[str, Any]) -> None:
        try:
            send_message(conn, answer)
        except OSError:
            pass
        conn.close()

    def _in_child(self, conn: socket.socket, message: dict[str, Any], fds: list[int]) -> None:
        code = 1
        try:
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGCHLD, signal.SIGTERM):
                signal.signal(sig, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self.listener.close()
            os.close(self._wake_r)
            os.close(self._wake_w)
            if self.lock is not None:  # a draft or kernel outliving the server must not keep its lock
                os.close(self.lock)
            for child in self.children.values():
                child.conn.close()
            conn.close()
            if message["kind"] == "kernel":
                code = become_kernel(message, fds)
            else:
                code = run_command(message, fds, self.path)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except KeyboardInterrupt:  # its requester was stopped (Ctrl-C) and stopped it
            code = 128 + signal.SIGINT
        except BaseException:  # the child must end here, never return into the server loop
            traceback.print_exc()
            code = 1
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError):
                    pass
            os._exit(code)

    def _close(self) -> None:
        self.listener.close()
        try:
            if self.path.exists():
                self.path.unlink()
        except OSError:
            pass


def hold_lock(path: Path) -> int | None:
    """The lock file at ``path`` opened (close-on-exec) and locked for this process; ``None``
    when another process holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m toolkit.build.processes.forkserver")
    parser.add_argument("socket", type=Path)
    parser.add_argument("--idle", type=float, default=0.0, help="exit after this many idle seconds (0: never)")
    parser.add_argument("--commands", action="store_true", help="also import what a drafting command needs")
    parser.add_argument("--kernel", default="peer-review", help="the kernel whose command line to match")
    parser.add_argument("--lock", type=Path, default=None,
                        help="a lock file held for the server's life; exit at once when another holds it")
    parser.add_argument("--parent", type=int, default=None, help="stop when this process is gone")
    args = parser.parse_args(argv)
    options = kernel_options(args.kernel)
    if options is not None and options != interpreter_options():  # run as the kernel's Python runs
        os.execv(sys.executable, [sys.executable, *options, "-m", "toolkit.build.processes.forkserver",
                                  *(sys.argv[1:] if argv is None else argv)])
    # listening before the imports: a request made meanwhile waits for them, rather than find no
    # server and start its kernel (or run its command) the slow way
    lock = hold_lock(args.lock) if args.lock is not None else None
    if args.lock is not None and lock is None:
        return  # another server of this socket started first (or is starting): this one is not needed
    server = Server(args.socket, args.idle, args.parent, lock)
    preload(KERNEL_MODULES + (COMMAND_MODULES if args.commands else ()))
    print("ready", flush=True)
    server.serve()


if __name__ == "__main__":
    main()

