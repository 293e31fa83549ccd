"""Drafting many reviews at once: parallel, fault-isolated, with a per-review time limit.

Workers are Python processes (``spawn``, :mod:`toolkit.build.processes.worker`) that import the toolkit
once and draft review after review. This module is the coordinator: it plans the jobs, hands out
reviews one at a time, enforces the time limit and collects results:

- a review that fails (bad input, a failing cell) is a failed result with the first line of
  its error; the others carry on;
- a review that runs past the time limit (default :data:`DEFAULT_TIMEOUT`) has its worker stopped
  (SIGTERM, then SIGKILL after :data:`STOP_GRACE` s) and the worker's kernel killed, its temporary
  report folder is removed and a fresh worker takes over;
- Ctrl-C (or SIGTERM) stops every busy worker the same way, all at once, after reading any
  result a worker has already sent (a review that finished is never reported as interrupted),
  so no half-written report folder and no kernel is left behind; reviews not yet started are
  reported as ``not run``.

Every review gets a log, ``<reports>/.logs/<review>.log``. Progress goes to a
:class:`~toolkit.build.batch_report.BatchReporter` passed in (the CLI's shows a progress bar);
this module prints nothing. The records (:class:`Job`, :class:`JobResult`, :class:`BatchResult`),
the statuses and :func:`summary_table` live in :mod:`toolkit.build.batch_report` and are
importable from here too.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import FrameType
from typing import Any

import psutil
import yaml
from pydantic import ValidationError

from toolkit.build.batch_report import (
    FAILED,
    INTERRUPTED,
    LOG_DIR,
    NOT_RUN,
    OK,
    TIMEOUT,
    UP_TO_DATE,
    BatchReporter,
    BatchResult,
    Job,
    JobResult,
    NullReporter,
    ProgressBarReporter,
    summary_table,
)
from toolkit.build.kernels import KERNEL_NAME, ensure_kernel
from toolkit.build.processes.forkserver import ServerProcess
from toolkit.build.processes.worker import worker_main
from toolkit.build.reportdirs import remove_stale_temp_folders
from toolkit.build.uptodate import RoundState
from toolkit.errors import ToolkitError
from toolkit.inputs.limits import YAML_BYTES
from toolkit.inputs.params import ReviewParams, load_params, parse_yaml, project_root_for

__all__ = ["DEFAULT_TIMEOUT", "FAILED", "INTERRUPTED", "LOG_DIR", "NOT_RUN", "OK", "STOP_GRACE", "TIMEOUT",
           "UP_TO_DATE", "BatchReporter", "BatchResult", "Job", "JobResult", "NullReporter", "ProgressBarReporter",
           "collect_params", "plan", "review_id_of", "run_batch", "split_up_to_date", "stop_worker", "stop_workers",
           "summary_table", "worker_main"]

STOP_GRACE = 3.0  # seconds a stopped worker gets to clean up before it is killed
DEFAULT_TIMEOUT = 600.0  # seconds one review may take; None or 0: no limit

#: The coordinator's clock (seconds) for the per-review time limit and the results' durations.
clock: Callable[[], float] = time.perf_counter


# --- planning -------------------------------------------------------------------------------

def collect_params(paths: Iterable[str | Path]) -> list[Path]:
    """Parameters files from files and folders (a folder's ``params/`` if it has one), in order."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            folder = p / "params" if (p / "params").is_dir() else p
            out.extend(sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]))
        else:
            out.append(p)
    seen: set[str] = set()
    unique = []
    for p in out:
        key = str(p.resolve())
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def review_id_of(params: Path) -> str:
    """The review id a parameters file declares, or its file name when it cannot be read."""
    try:
        if params.stat().st_size > YAML_BYTES:
            return params.stem  # too large to be a parameters file: validating it says so
        data = parse_yaml(params.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return params.stem
    rid = data.get("review_id") if isinstance(data, dict) else None
    return rid if isinstance(rid, str) and rid and "/" not in rid and not rid.startswith(".") else params.stem


def plan(params: list[Path], reports: Path | None = None) -> tuple[list[Job], list[JobResult]]:
    """Jobs for the batch, and failures known before anything runs (duplicate review ids)."""
    jobs: list[Job] = []
    early: list[JobResult] = []
    taken: dict[tuple[str, str], Path] = {}
    for i, p in enumerate(params):
        try:
            loaded: ReviewParams | None = load_params(p)
        except (ToolkitError, ValidationError, OSError):
            loaded = None  # the worker's load reports why, with the file and line
        rid = loaded.review_id if loaded is not None else review_id_of(p)
        folder = Path(reports) if reports is not None else project_root_for(p) / "reports"
        job = Job(i, p, rid, folder, loaded)
        key = (str(folder.resolve()), rid)
        if key in taken:
            early.append(JobResult(job, FAILED, reason=f"review_id '{rid}' is also used by {taken[key]}"))
            continue
        taken[key] = p
        jobs.append(job)
    return jobs, early


def split_up_to_date(jobs: list[Job]) -> tuple[list[Job], list[JobResult]]:
    """The jobs to draft, and results for those whose kept report is up to date."""
    if not jobs:
        return jobs, []
    state = RoundState()
    todo: list[Job] = []
    kept: list[JobResult] = []
    for job in jobs:
        folder = job.reports / job.review_id
        if state.up_to_date(job.params, folder, job.loaded):
            files = tuple(sorted(p.name for p in folder.iterdir() if p.is_file()))
            kept.append(JobResult(job, UP_TO_DATE, output=folder / "letter.html", files=files))
        else:
            todo.append(job)
    return todo, kept


def _limit(timeout: float | None) -> float | None:
    """The per-review limit in seconds, None for no limit (``None`` or 0)."""
    return timeout if timeout else None


# --- the coordinator ------------------------------------------------------------------------

@dataclass
class _Worker:
    process: Any
    conn: Connection
    job: Job | None = None
    started: float | None = None
    kernel_kb: int = 0
    worker_kb: int = 0
    eof: bool = False  # its pipe is closed: it has exited


def _descendants(pid: int) -> list[Any]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _kernels_of(worker: _Worker, server: ServerProcess | None) -> list[Any]:
    """Every kernel a worker is running, to be killed with it: the processes it started itself (a
    kernel started anew is its child), and the kernels the round's fork server forked for it,
    which are the server's children, not the worker's
    (:meth:`toolkit.build.processes.forkserver.ServerProcess.kernels_of`). Were one missed, it
    would still end with its worker: the server kills a child whose requester's connection closes
    (:meth:`toolkit.build.processes.forkserver.Server._requester_closed`)."""
    pid = worker.process.pid
    return _descendants(pid) + (server.kernels_of(pid) if server is not None else [])


def stop_workers(workers: list[_Worker], grace: float = STOP_GRACE, server: ServerProcess | None = None) -> None:
    """Stop busy workers and every kernel they run, all at once.

    Every worker gets SIGTERM at the same moment and its kernels SIGKILL (:func:`_kernels_of`,
    ``server``: the round's fork server; a kernel holds no report file; the worker removes its own
    temporary folder as it unwinds); whatever is still alive ``grace`` seconds later is killed.
    Results a worker sent before it stopped stay readable on its pipe. Who starts and who ends
    each process: :mod:`toolkit.build.processes`.
    """
    kids = [k for w in workers for k in _kernels_of(w, server)]
    for w in workers:
        if w.process.is_alive():
            w.process.terminate()
    for k in kids:
        try:
            k.kill()
        except psutil.Error:
            pass
    deadline = time.monotonic() + grace
    while True:
        alive = [w for w in workers if w.process.is_alive()]
        left = deadline - time.monotonic()
        if not alive or left <= 0:
            break
        wait([w.process.sentinel for w in alive], timeout=left)
    for w in workers:
        if w.process.is_alive():
            w.process.kill()
    for w in workers:
        w.process.join(grace)
    psutil.wait_procs(kids, timeout=grace)


def stop_worker(worker: _Worker, grace: float = STOP_GRACE, server: ServerProcess | None = None) -> None:
    """Stop one worker and its kernels (see :func:`stop_workers`), and close its pipe."""
    stop_workers([worker], grace, server)
    worker.conn.close()


def _spawn(ctx: Any, reuse_kernels: bool, fork_server: ServerProcess | None = None) -> _Worker:
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=worker_main, args=(child, reuse_kernels, str(fork_server.path) if fork_server else ""),
                       daemon=True,
                       name="peer-review-worker")
    proc.start()
    child.close()
    return _Worker(proc, parent)


def _append_log(job: Job, line: str) -> None:
    job.log.parent.mkdir(parents=True, exist_ok=True)
    with job.log.open("a", encoding="utf-8") as fh:
        fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} ERROR toolkit.build.batch: {line}\n")


def _clean_after_kill(job: Job) -> None:
    if job.reports.is_dir():
        remove_stale_temp_folders(job.reports, job.review_id)


class _Coordinator:
    def __init__(self, jobs: list[Job], workers: int, timeout: float | None, reporter: BatchReporter,
                 method: str, reuse_kernels: bool = False, fork_server: ServerProcess | None = None) -> None:
        self.reuse_kernels = reuse_kernels
        self.fork_server = fork_server
        self.pending = deque(jobs)
        self.size = max(1, min(workers, len(jobs)))
        self.timeout = _limit(timeout)
        self.reporter = reporter
        self.ctx = mp.get_context(method)
        self.pool: list[_Worker] = []
        self.results: dict[int, JobResult] = {}
        self.stop_requested = False  # set by the signal handler: Ctrl-C or SIGTERM

    def _finish(self, w: _Worker, result: JobResult) -> None:
        self.results[result.job.index] = result
        w.job, w.started = None, None
        self.reporter.finished(result)

    def _stop_busy(self, busy: list[_Worker], status: str, reason: str) -> None:
        """Stop these busy workers at once; a review whose result arrived meanwhile keeps it."""
        for w in busy:  # results already sent (a review that finished just now) come first
            self._drain(w)
        busy = [w for w in busy if w.job is not None]
        if not busy:
            return
        elapsed = {id(w): clock() - (w.started or clock()) for w in busy}
        stop_workers(busy, server=self.fork_server)
        for w in busy:
            self._drain(w, stopping=True)  # sent before SIGTERM landed: a complete letter is kept
            w.conn.close()
            self.pool.remove(w)
            job = w.job
            if job is None:
                continue
            _clean_after_kill(job)
            _append_log(job, reason + "; its worker and kernel were stopped")
            self._finish(w, JobResult(job, status, elapsed[id(w)], None, reason, w.worker_kb, w.kernel_kb))

    def _drain(self, w: _Worker, stopping: bool = False) -> None:
        try:
            while w.job is not None and not w.eof and w.conn.poll():
                self._receive(w, stopping)
        except (OSError, ValueError):  # a closed or broken pipe: nothing more to read
            w.eof = True

    def _dispatch(self) -> None:
        for w in [w for w in self.pool if w.job is None and not w.process.is_alive()]:
            w.conn.close()  # an idle worker that died (out of memory, killed): replace it
            self.pool.remove(w)
        while len(self.pool) < min(self.size, len(self.pending) + self._busy()):
            self.pool.append(_spawn(self.ctx, self.reuse_kernels, self.fork_server))
        for w in self.pool:
            if w.job is None and self.pending:
                w.job = self.pending.popleft()
                w.started = clock()
                try:
                    w.conn.send(w.job)
                except OSError:  # it died just now: _check reports the review, a new worker follows
                    pass

    def _busy(self) -> int:
        return sum(1 for w in self.pool if w.job is not None)

    def _receive(self, w: _Worker, stopping: bool = False) -> None:
        try:
            kind, payload = w.conn.recv()
        except (EOFError, OSError):  # the worker is gone and everything it sent has been read
            w.eof = True
            return
        if kind == "started":
            w.started = clock()
        elif kind == "done" and w.job is not None and (payload["status"] == OK or not stopping):
            # (a failure reported while the worker was being stopped may be the stop's doing)
            w.worker_kb, w.kernel_kb = payload["worker_kb"], payload["kernel_kb"]
            out = Path(payload["output"]) if payload["output"] else None
            seconds = clock() - (w.started or clock())
            self._finish(w, JobResult(w.job, payload["status"], seconds, out, payload["reason"],
                                      w.worker_kb, w.kernel_kb, tuple(payload.get("files", ()))))

    def _check(self, busy: list[_Worker]) -> None:
        dead = [w for w in busy if w.job is not None and not w.process.is_alive() and (w.eof or not w.conn.poll())]
        for w in dead:
            self._stop_busy([w], FAILED, f"the worker process died (exit code {w.process.exitcode})")
        if self.timeout is None:
            return
        now = clock()
        late = [w for w in busy if w.job is not None and w.started is not None and now - w.started > self.timeout]
        if late:
            self._stop_busy(late, TIMEOUT, f"timed out after {self.timeout:g} s")

    def run(self, wakeup: int | None = None) -> None:
        """Draft until every review is done or :attr:`stop_requested` is set (``wakeup``: an fd
        that becomes readable when it is)."""
        while (self.pending or self._busy()) and not self.stop_requested:
            self._dispatch()
            busy = [w for w in self.pool if w.job is not None]
            waits: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
            if wakeup is not None:
                waits.append(wakeup)
            limit = 1.0
            if self.timeout is not None:
                ends = [w.started + self.timeout - clock() for w in busy if w.started is not None]
                limit = max(0.01, min([limit, *ends]))
            wait(waits, timeout=limit)
            for w in busy:
                self._drain(w)
            self._check(busy)

    def shutdown(self, interrupted: bool) -> None:
        busy = [w for w in self.pool if w.job is not None]
        self._stop_busy(busy, INTERRUPTED, "stopped by the user" if interrupted else "stopped")
        idle = list(self.pool)
        for w in idle:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + STOP_GRACE
        while any(w.process.is_alive() for w in idle) and time.monotonic() < deadline:
            wait([w.process.sentinel for w in idle if w.process.is_alive()], timeout=deadline - time.monotonic())
        late = [w for w in idle if w.process.is_alive()]
        if late:
            stop_workers(late, server=self.fork_server)
        for w in idle:
            w.conn.close()
        self.pool.clear()


def run_batch(paths: Iterable[str | Path], workers: int | None = None, timeout: float | None = DEFAULT_TIMEOUT,
              reports: str | Path | None = None, reporter: BatchReporter | None = None,
              method: str = "spawn", reuse_kernels: bool = False, force: bool = False,
              fork_kernels: bool = True) -> BatchResult:
    """Draft every review named by ``paths`` (files, or folders of parameters files).

    A review whose kept report was built from exactly today's inputs, toolkit and packages
    (:mod:`toolkit.build.uptodate`) is not drafted again but reported as ``up to date``, unless
    ``force``.

    ``timeout``: seconds one review may take (default :data:`DEFAULT_TIMEOUT`; ``None`` or 0 for
    no limit). ``reuse_kernels``: each worker keeps one kernel and resets it between reviews
    (:mod:`toolkit.build.processes.warm`) instead of starting a fresh kernel per review. ``fork_kernels``:
    each fresh kernel is forked from a fork server that has done the letter's imports once for the
    round (:mod:`toolkit.build.processes.forkserver`), instead of started from nothing; it is as fresh, and
    the letters are the same.
    """
    reporter = reporter or NullReporter()
    started = clock()  # the round's time includes reading the parameters and the up-to-date check
    jobs, early = plan(collect_params(paths), Path(reports) if reports is not None else None)
    if not force:
        jobs, kept = split_up_to_date(jobs)
        early.extend(kept)
    n = workers or os.cpu_count() or 1
    reporter.start(len(jobs) + len(early), n)
    for r in early:
        if r.status != UP_TO_DATE:  # a kept report keeps the log of the draft that made it
            _append_log(r.job, r.reason)
        reporter.finished(r)
    ensure_kernel()  # once, here: workers starting at once must not race to register it
    server = ServerProcess(KERNEL_NAME) if fork_kernels and jobs and not reuse_kernels else None
    coordinator = _Coordinator(jobs, n, timeout, reporter, method, reuse_kernels, server)
    in_main = threading.current_thread() is threading.main_thread()
    # Ctrl-C and SIGTERM only set a flag and wake the coordinator through a pipe: an exception
    # raised at an arbitrary point could land between reading a worker's result and recording it.
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)

    def request_stop(signum: int, frame: FrameType | None) -> None:
        coordinator.stop_requested = True
        try:
            os.write(wake_w, b"x")
        except OSError:  # the pipe is full: the coordinator has been woken already
            pass

    saved = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)} if in_main else {}
    interrupted = False
    try:
        coordinator.run(wake_r)
    except KeyboardInterrupt:  # raised by someone else's handler
        interrupted = True
    finally:
        interrupted = interrupted or coordinator.stop_requested
        try:
            coordinator.shutdown(interrupted)  # a second Ctrl-C only sets the flag again
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
            os.close(wake_r)
            os.close(wake_w)
            if server is not None:
                server.close()
            reporter.close()
    results = {r.job.index: r for r in early}
    results.update(coordinator.results)
    for job in coordinator.pending:
        results[job.index] = JobResult(job, NOT_RUN, reason="the batch was stopped before it started")
    ordered = [results[i] for i in sorted(results)]
    return BatchResult(ordered, clock() - started, coordinator.size if jobs else 0, interrupted)
