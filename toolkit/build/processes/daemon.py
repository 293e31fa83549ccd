"""The drafting daemon: ``peer-review draft`` handed to a fork server that has done its imports.

A coordinator drafts a letter, reads it, edits a finding and drafts it again, many times a day.
Each ``peer-review draft`` would start Python, import papermill, nbconvert and the toolkit, and
start a kernel that imports pandas, matplotlib and the letter modules: about 2.5 s of the same
work every time before the letter's own. Build tools that meet this keep a process ready between
runs (Quarto keeps a Jupyter kernel daemon for five minutes, Gradle keeps its daemon); so does
this one, with one difference that matters for a record: nothing is reused from one draft to the
next. The daemon is a :mod:`toolkit.build.processes.forkserver` that has only imported; each draft is a
child forked from it that runs the command as a fresh process would (same arguments, folder,
environment and streams), and its kernel is another such child, that has never run a notebook.
The letters are byte-identical to those of a process started from nothing
(``tests/build/test_daemon.py`` compares them).

* **Which commands**: ``draft``, ``briefing`` and ``validate`` (:data:`COMMANDS`). Others run in
  the calling process as before.
* **When there is none**: the command runs in the calling process as before, and a daemon is
  started in the background for the next one (at most one per key: the daemon holds a lock file
  for its life, and one that finds it taken exits at once; no draft or kernel it forks keeps it).
* **Which daemon**: one per *key*, a hash of this Python (its path, version and options), the
  toolkit's code (:func:`toolkit.inputs.hashing.package_code_hash`), the import path with each
  folder's modification time (a package installed or removed changes it), and the environment
  (bar the shell's own bookkeeping: ``PWD``, ``OLDPWD``, ``SHLVL``, ``_``, ``COLUMNS``, ``LINES``).
  A changed toolkit, environment or installation never meets an old daemon.
* **Where**: a socket in a private folder, ``$XDG_RUNTIME_DIR/peer-review`` or, without one or
  when its path is too long for a socket, ``/tmp/peer-review-<uid>`` (mode 0700, refused when
  another user owns it or others can enter it).
* **How long**: the daemon exits after :data:`IDLE_SECONDS` without a request (Quarto's default
  too); ``peer-review daemon stop`` stops this project's at once (those running this toolkit's
  folder, which each daemon's ``ping`` answers; ``--all``: every daemon of the user), and
  ``peer-review daemon status`` lists them.
* **Off**: ``PEER_REVIEW_DAEMON=off`` (the test suite sets it; CI needs no background process).
* **Ctrl-C** and ``kill`` reach the draft: the caller passes SIGINT, SIGTERM and SIGHUP on to its
  child, which stops as a draft in the caller's own process would (nothing half-written).
"""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from toolkit.build.processes import protocol
from toolkit.build.processes.forkserver import TOOLKIT_FOLDER, hold_lock

#: The environment variable that turns the daemon off (``off``, ``0``, ``no``, ``false``).
DAEMON_ENV = "PEER_REVIEW_DAEMON"
#: Commands handed to the daemon.
COMMANDS = frozenset({"draft", "briefing", "validate"})
#: Seconds a daemon waits for its next request before it exits.
IDLE_SECONDS = 300
_MAX_FOLDER = 107 - len("/0123456789abcdef0123.sock")


def _fallback_folder() -> Path:
    return Path("/tmp") / f"peer-review-{os.getuid()}"


_SHELL_BOOKKEEPING = frozenset({"PWD", "OLDPWD", "SHLVL", "_", "COLUMNS", "LINES"})


def enabled() -> bool:
    return os.environ.get(DAEMON_ENV, "").strip().lower() not in {"off", "0", "no", "false"}


def runtime_folder() -> Path | None:
    """The private folder of this user's daemon sockets (made if missing); ``None`` when it cannot
    be made private."""
    base = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    folder = Path(base) / "peer-review" if base else _fallback_folder()
    if len(str(folder)) > _MAX_FOLDER:  # a socket's path must fit in 107 bytes
        folder = _fallback_folder()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def key() -> str:
    """What a daemon must share with this process to draft for it (see the module's notes)."""
    from toolkit.inputs.hashing import package_code_hash

    digest = hashlib.sha256()
    for part in (os.path.realpath(sys.executable), sys.version, package_code_hash()):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for entry in sys.path:
        try:
            mtime = os.stat(entry or ".").st_mtime_ns
        except OSError:
            mtime = 0
        digest.update(f"{entry}\0{mtime}\0".encode("utf-8", "surrogateescape"))
    for name, value in sorted(os.environ.items()):
        if name not in _SHELL_BOOKKEEPING:
            digest.update(f"{name}={value}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:20]


def socket_path(folder: Path, daemon_key: str) -> Path:
    return folder / f"{daemon_key}.sock"


def start(folder: Path, daemon_key: str) -> bool:
    """Start this key's daemon in the background unless one is running or starting; whether one
    was started. The daemon takes its lock file itself and holds it for its life (no child of it
    inherits it); of two started at once, the one that finds the lock taken exits at once."""
    lock_path = folder / f"{daemon_key}.lock"
    try:
        lock = hold_lock(lock_path)
        if lock is None:
            return False
        os.close(lock)  # free: no daemon of this key runs or starts
        subprocess.Popen(  # this Python, this toolkit's module
            [sys.executable, "-m", "toolkit.build.processes.forkserver", str(socket_path(folder, daemon_key)),
             "--idle", str(IDLE_SECONDS), "--commands", "--lock", str(lock_path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd="/", start_new_session=True,
        )
        return True
    except OSError:
        return False


def delegate(argv: Sequence[str], entry: str) -> int | None:
    """Run ``peer-review <argv>`` in this key's daemon and return its exit code; ``None`` when the
    command is not one for the daemon, or no daemon is ready (one is then started for next time).
    ``entry``: the command's click entry point, ``module:function``."""
    if not argv or argv[0] not in COMMANDS or not enabled():
        return None
    folder = runtime_folder()
    if folder is None:
        return None
    daemon_key = key()
    path = socket_path(folder, daemon_key)
    message = {"kind": "run", "entry": entry, "argv": [sys.argv[0], *argv], "cwd": os.getcwd(), "env": dict(os.environ),
               "encoding": getattr(sys.stdout, "encoding", None), "errors": getattr(sys.stdout, "errors", None)}
    try:
        conn, pid = protocol.request(path, message, fds=(0, 1, 2))
    except protocol.ForkServerError:
        start(folder, daemon_key)
        return None

    def pass_on(signum: int, frame: FrameType | None) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, pass_on)
    with conn:
        code = protocol.wait_exit(conn)
    return code if code is not None else 1


def daemons(every: bool = False) -> dict[Path, dict[str, Any]]:
    """This project's daemons that answer (those running this toolkit, :func:`is_ours`), or with
    ``every`` all of this user's, by socket, each with its ``ping`` answer."""
    folder = runtime_folder()
    found = {}
    for path in sorted(folder.glob("*.sock")) if folder else []:
        answer = protocol.ping(path)
        if answer is not None and (every or is_ours(answer)):
            found[path] = answer
    return found


def is_ours(answer: dict[str, Any]) -> bool:
    """Whether a daemon (its ``ping`` answer) runs this toolkit: is this project's. One that does not
    say (a toolkit from before it did) is another project's."""
    return answer.get("toolkit") == TOOLKIT_FOLDER


def stop(every: bool = False) -> int:
    """Stop this project's daemons (with ``every``, all of this user's); how many answered."""
    return sum(protocol.stop(path) for path in daemons(every))
