"""The batch's worker process: drafts the reviews the coordinator (:mod:`toolkit.build.batch`)
sends it, one at a time, each with its own log.

A worker is a Python process (``spawn``) that imports the notebook machinery once and drafts
review after review with :func:`toolkit.build.render.draft` (optionally on a warm kernel,
:mod:`toolkit.build.warm`). It sends ``("started", index)`` when it takes a review and
``("done", {...})`` when it has finished it; a failing review is a failed result, never the end
of the worker. SIGTERM (the coordinator stopping it) ends it at once; Ctrl-C is the
coordinator's to handle.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any

from toolkit.build.batch_report import FAILED, OK, Job
from toolkit.build.kernels import kernel_peak_kb, process_peak_kb
from toolkit.errors import ToolkitError
from toolkit.inputs.privacy import redact

#: The logger a review's log lines come from (the name the logs have always shown).
LOGGER = "toolkit.build.batch"


class _Stopped(BaseException):
    """Raised in a worker when the coordinator stops it (SIGTERM)."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Stopped()


def _peaks(keeper: Any | None) -> tuple[int, int]:
    """Peak resident memory (KB, VmHWM) of this worker, and of the largest kernel it has run.

    Not ``ru_maxrss``: on Linux a child's starts at its parent's size (it counts the fork before
    the exec), so the kernels' figure would be at least the worker's.
    """
    return process_peak_kb(), max(kernel_peak_kb(), keeper.kernel_kb() if keeper else 0)


def _first_line(exc: BaseException) -> str:
    """The line the summary shows for a failure, never holding apparent personal data."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else ""
    return redact(line) if line else type(exc).__name__


def _draft_one(job: Job, keeper: Any | None) -> dict[str, Any]:
    # Heavy (papermill, nbconvert, pandas): imported in the worker process only, never in the
    # coordinator, which imports this module for worker_main.
    from toolkit.build.render import draft

    job.log.parent.mkdir(parents=True, exist_ok=True)
    job.log.write_text("", encoding="utf-8")
    # The worker's stderr (inherited by the kernel it starts) goes to the review's log too.
    log_fd = os.open(job.log, os.O_WRONLY | os.O_APPEND)
    saved_stderr = os.dup(2)
    os.dup2(log_fd, 2)
    handler = logging.FileHandler(job.log, mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    log = logging.getLogger(LOGGER)
    log.info("drafting %s from %s (worker %d)", job.review_id, job.params, os.getpid())
    started = time.perf_counter()
    status, output, reason, files = FAILED, None, "", ()
    try:
        result = keeper.draft(job.params, job.reports) if keeper is not None else draft(job.params, job.reports)
        status, output, files = OK, str(result.letter), tuple(result.written)
        log.info("wrote %s", result.folder)
        for note in result.notes:
            log.warning("%s", note)
    except ToolkitError as exc:
        reason = _first_line(exc)
        log.error("failed:\n%s", redact(str(exc)))
    except Exception as exc:  # a worker must survive anything one review does
        reason = f"{type(exc).__name__}: {_first_line(exc)}"
        log.error("failed: %s\n%s", reason, redact(traceback.format_exc()))
    finally:
        log.info("finished in %.2f s", time.perf_counter() - started)
        root.removeHandler(handler)
        handler.close()
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(log_fd)
    self_kb, kids_kb = _peaks(keeper)
    return {"index": job.index, "status": status, "output": output, "reason": reason,
            "worker_kb": self_kb, "kernel_kb": kids_kb, "files": files}


def _own_signals() -> None:
    # nbclient installs its own handlers while a notebook runs and leaves the defaults behind.
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the coordinator decides when workers stop
    signal.signal(signal.SIGTERM, _on_sigterm)


def worker_main(conn: Connection, reuse_kernels: bool = False, fork_server: str = "") -> None:
    """Entry point of a worker process: draft jobs received on ``conn`` until told to stop.

    ``fork_server``: the round's fork server (a socket path), from which each review's fresh
    kernel is forked; the worker waits for it to be ready before its first review."""
    os.setpgrp()  # a Ctrl-C at the terminal reaches the coordinator only; it stops the workers
    _own_signals()
    logging.getLogger().setLevel(logging.INFO)
    keeper = None
    stopped = False
    try:
        # Heavy, worker only (see _draft_one): imported here, once per worker, before the first review.
        import toolkit.build.render  # noqa: F401
        from toolkit.build.warm import KernelKeeper

        if reuse_kernels:
            keeper = KernelKeeper()
        elif fork_server:
            from toolkit.build import forkserver

            if forkserver.wait_ready(Path(fork_server), timeout=10):  # it listens at once
                forkserver.DEFAULT_SERVER = fork_server
        while True:
            job = conn.recv()
            if job is None:
                break
            conn.send(("started", job.index))
            conn.send(("done", _draft_one(job, keeper)))
            _own_signals()
    except _Stopped:
        stopped = True
    except (EOFError, BrokenPipeError):
        pass
    finally:
        if keeper is not None:
            keeper.close()
    if stopped:
        # The review's temporary folder is gone (removed as the draft unwound) and its kernel was
        # killed by the coordinator; the interpreter's own teardown (zmq sockets lingering) would
        # only keep the coordinator waiting.
        sys.stderr.flush()
        os._exit(0)
