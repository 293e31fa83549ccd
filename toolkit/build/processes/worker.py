"""The batch's worker process: drafts the reviews the coordinator (:mod:`toolkit.build.batch`)
sends it, one at a time, each with its own log.

A worker is a Python process (``spawn``) that imports the notebook machinery once and drafts
review after review with :func:`toolkit.build.render.draft`, on the kernel source it chose once
when it started (:mod:`.sources`): fresh kernels forked from the round's fork server, fresh
kernels started anew, or one warm kernel (:mod:`.warm`). It sends ``("started", index)`` when it
takes a review and ``("done", {...})`` when it has finished it; a failing review is a failed
result, never the end of the worker.

Stopping (SIGTERM, from :func:`toolkit.build.batch.stop_workers`): while a review is drafted, the
signal stops the draft as Ctrl-C would (:func:`toolkit.build.timelimit.stop_signals_raise`: its
kernel killed, its temporary folder removed, the swap into place never cut in half) and the
worker ends. Between reviews the handler only notes the stop and wakes the worker's wait, which
then ends it: no exception is raised from a handler at an arbitrary point. Ctrl-C is the
coordinator's to handle (the worker ignores SIGINT).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from toolkit.build.batch_report import FAILED, OK, Job
from toolkit.build.kernels import kernel_peak_kb, process_peak_kb
from toolkit.build.processes.protocol import wait_ready
from toolkit.errors import ToolkitError
from toolkit.inputs.privacy import redact

if TYPE_CHECKING:
    from toolkit.build.processes.sources import KernelSource
    from toolkit.build.processes.warm import WarmKernels

#: The logger a review's log lines come from (the name the logs have always shown).
LOGGER = "toolkit.build.batch"


class _StopNoted:
    """SIGTERM between reviews: noted, and the worker's wait woken through a pipe."""

    def __init__(self) -> None:
        self.requested = False
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        try:
            os.write(self.wake_w, b"x")
        except OSError:  # the pipe is full: the worker has been woken already
            pass

    def between_reviews(self) -> None:
        """Note SIGTERM (nbclient leaves the defaults behind after a notebook); Ctrl-C is ignored."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the coordinator decides when workers stop
        signal.signal(signal.SIGTERM, self)

    def during_a_review(self) -> None:
        """SIGTERM to the draft's own stop (:func:`toolkit.build.timelimit.stop_signals_raise`)."""
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _peaks(warm: WarmKernels | None) -> tuple[int, int]:
    """Peak resident memory (KB, VmHWM) of this worker, and of the largest kernel it has run.

    Not ``ru_maxrss``: on Linux a child's starts at its parent's size (it counts the fork before
    the exec), so the kernels' figure would be at least the worker's.
    """
    return process_peak_kb(), max(kernel_peak_kb(), warm.kernel_kb() if warm is not None else 0)


def _first_line(exc: BaseException) -> str:
    """The line the summary shows for a failure, never holding apparent personal data."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else ""
    return redact(line) if line else type(exc).__name__


def _draft_one(job: Job, kernels: KernelSource, stop: _StopNoted) -> dict[str, Any]:
    # Heavy (papermill, nbconvert, pandas): imported in the worker process only, never in the
    # coordinator, which imports this module for worker_main.
    from toolkit.build.processes.warm import WarmKernels
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
    status, output, reason = FAILED, None, ""
    files: tuple[str, ...] = ()
    try:
        stop.during_a_review()
        result = draft(job.params, job.reports, kernels=kernels, time_limit=None)  # the coordinator's --timeout governs
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
        stop.between_reviews()
        log.info("finished in %.2f s", time.perf_counter() - started)
        root.removeHandler(handler)
        handler.close()
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(log_fd)
    self_kb, kids_kb = _peaks(kernels if isinstance(kernels, WarmKernels) else None)
    return {"index": job.index, "status": status, "output": output, "reason": reason,
            "worker_kb": self_kb, "kernel_kb": kids_kb, "files": files}


def _kernel_source(reuse_kernels: bool, fork_server: str) -> KernelSource:
    """The worker's choice, made once: a warm kernel, or fresh kernels forked from the round's
    fork server (once it listens), or started anew."""
    from toolkit.build.processes.sources import StartedKernels
    from toolkit.build.processes.warm import WarmKernels

    if reuse_kernels:
        return WarmKernels()
    if fork_server and wait_ready(Path(fork_server), timeout=10):  # it listens at once
        return StartedKernels(fork_server)
    return StartedKernels()


def _next_job(conn: Connection, stop: _StopNoted) -> Job | None:
    """The next review to draft; ``None`` when told to stop (``None`` on the pipe, or SIGTERM)."""
    while not stop.requested:
        if conn in wait([conn, stop.wake_r]):
            job: Job | None = conn.recv()
            return job
    return None


def worker_main(conn: Connection, reuse_kernels: bool = False, fork_server: str = "") -> None:
    """Entry point of a worker process: draft jobs received on ``conn`` until told to stop.

    ``fork_server``: the round's fork server (a socket path), from which each review's fresh
    kernel is forked; the worker waits for it to be ready before its first review."""
    os.setpgrp()  # a Ctrl-C at the terminal reaches the coordinator only; it stops the workers
    stop = _StopNoted()
    stop.between_reviews()
    logging.getLogger().setLevel(logging.INFO)
    warm: WarmKernels | None = None
    stopped = False
    try:
        # Heavy, worker only (see _draft_one): imported here, once per worker, before the first review.
        import toolkit.build.render  # noqa: F401
        from toolkit.build.processes.warm import WarmKernels

        kernels = _kernel_source(reuse_kernels, fork_server)
        warm = kernels if isinstance(kernels, WarmKernels) else None
        while (job := _next_job(conn, stop)) is not None:
            conn.send(("started", job.index))
            conn.send(("done", _draft_one(job, kernels, stop)))
        stopped = stop.requested
    except KeyboardInterrupt:  # SIGTERM stopped the draft under way (timelimit.Stopped)
        stopped = True
    except (EOFError, BrokenPipeError):
        pass
    finally:
        if warm is not None:  # a warm kernel ends with its worker
            warm.close()
    if stopped:
        # The review's temporary folder is gone (removed as the draft unwound) and its kernel was
        # killed by the coordinator; the interpreter's own teardown (zmq sockets lingering) would
        # only keep the coordinator waiting.
        sys.stderr.flush()
        os._exit(0)
