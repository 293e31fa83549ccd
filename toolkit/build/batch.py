"""Drafting many reviews at once: parallel, fault-isolated, with a per-review time limit.

Workers are Python processes (``spawn``) that import the toolkit once and draft review after
review with :func:`toolkit.build.render.draft` (optionally on a warm kernel, :mod:`toolkit.build.warm`). The
coordinator hands out reviews one at a time, enforces the time limit and collects results:

- a review that fails (bad input, a failing cell) is a failed result with the first line of
  its error; the others carry on;
- a review that runs past the time limit (default :data:`DEFAULT_TIMEOUT`) has its worker stopped
  (SIGTERM, then SIGKILL after :data:`STOP_GRACE` s) and the worker's kernel killed, its temporary report folder is removed and a fresh worker takes over;
- Ctrl-C (or SIGTERM) stops every busy worker the same way, all at once, after reading any
  result a worker has already sent (a review that finished is never reported as interrupted),
  so no half-written report folder and no kernel is left behind; reviews not yet started are
  reported as ``not run``.

Every review gets a log, ``<reports>/.logs/<review>.log``. Progress goes to a
:class:`BatchReporter` passed in (the CLI's shows a progress bar); this module prints nothing.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Iterable, Protocol

from toolkit.inputs.privacy import redact
from toolkit.inputs.params import parse_yaml
from toolkit.inputs.params import project_root_for
from toolkit.errors import ToolkitError
from toolkit.build.reportdirs import remove_stale_temp_folders

OK, FAILED, TIMEOUT, INTERRUPTED, NOT_RUN = "ok", "failed", "timed out", "interrupted", "not run"
LOG_DIR = ".logs"
STOP_GRACE = 3.0  # seconds a stopped worker gets to clean up before it is killed
DEFAULT_TIMEOUT = 600.0  # seconds one review may take; None or 0: no limit


@dataclass(frozen=True)
class Job:
    """One review to draft."""
    index: int
    params: Path
    review_id: str
    reports: Path

    @property
    def log(self) -> Path:
        return self.reports / LOG_DIR / f"{self.review_id}.log"


@dataclass
class JobResult:
    job: Job
    status: str
    seconds: float = 0.0
    output: Path | None = None
    reason: str = ""
    worker_peak_kb: int = 0  # peak resident memory of the worker process
    kernel_peak_kb: int = 0  # peak resident memory of its largest kernel so far
    files: tuple[str, ...] = ()  # the files the draft wrote into the report folder, by name

    @property
    def review_id(self) -> str:
        return self.job.review_id


@dataclass
class BatchResult:
    results: list[JobResult]
    seconds: float
    workers: int
    interrupted: bool = False

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status != OK]

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else 1 if self.failed else 0


class BatchReporter(Protocol):
    def start(self, total: int, workers: int) -> None: ...

    def finished(self, result: JobResult) -> None: ...

    def close(self) -> None: ...


class NullReporter(BatchReporter):
    """Reports nothing (the protocol's methods do nothing)."""


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
    import yaml


    try:
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
        rid = review_id_of(p)
        folder = Path(reports) if reports is not None else project_root_for(p) / "reports"
        job = Job(i, p, rid, folder)
        key = (str(folder.resolve()), rid)
        if key in taken:
            early.append(JobResult(job, FAILED, reason=f"review_id '{rid}' is also used by {taken[key]}"))
            continue
        taken[key] = p
        jobs.append(job)
    return jobs, early


# --- the worker process ---------------------------------------------------------------------

class _Stopped(BaseException):
    """Raised in a worker when the coordinator stops it (SIGTERM)."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Stopped()


def _limit(timeout: float | None) -> float | None:
    """The per-review limit in seconds, None for no limit (``None`` or 0)."""
    return timeout if timeout else None


def _peaks(keeper: Any | None) -> tuple[int, int]:
    """Peak resident memory (KB, VmHWM) of this worker, and of the largest kernel it has run.

    Not ``ru_maxrss``: on Linux a child's starts at its parent's size (it counts the fork before
    the exec), so the kernels' figure would be at least the worker's.
    """
    from toolkit.build.kernels import kernel_peak_kb, process_peak_kb

    return process_peak_kb(), max(kernel_peak_kb(), keeper.kernel_kb() if keeper else 0)


def _first_line(exc: BaseException) -> str:
    """The line the summary shows for a failure, never holding apparent personal data."""
    text = str(exc).strip()
    line = text.splitlines()[0] if text else ""
    return redact(line) if line else type(exc).__name__


def _draft_one(job: Job, keeper: Any | None) -> dict[str, Any]:
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
    log = logging.getLogger("toolkit.build.batch")
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


def worker_main(conn: Connection, reuse_kernels: bool = False) -> None:
    """Entry point of a worker process: draft jobs received on ``conn`` until told to stop."""
    os.setpgrp()  # a Ctrl-C at the terminal reaches the coordinator only; it stops the workers
    _own_signals()
    logging.getLogger().setLevel(logging.INFO)
    keeper = None
    stopped = False
    try:
        import toolkit.build.render  # noqa: F401  (warm up: imports happen once per worker)

        if reuse_kernels:
            from toolkit.build.warm import KernelKeeper

            keeper = KernelKeeper()
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
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def stop_workers(workers: list[_Worker], grace: float = STOP_GRACE) -> None:
    """Stop busy workers and every process they started, all at once.

    Every worker gets SIGTERM at the same moment and its kernels SIGKILL (a kernel holds no
    report file; the worker removes its own temporary folder as it unwinds); whatever is still
    alive ``grace`` seconds later is killed. Results a worker sent before it stopped stay
    readable on its pipe.
    """
    import psutil

    kids = [k for w in workers for k in _descendants(w.process.pid)]
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


def stop_worker(worker: _Worker, grace: float = STOP_GRACE) -> None:
    """Stop one worker and its kernels (see :func:`stop_workers`), and close its pipe."""
    stop_workers([worker], grace)
    worker.conn.close()


def _spawn(ctx: Any, reuse_kernels: bool) -> _Worker:
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=worker_main, args=(child, reuse_kernels), daemon=True, name="peer-review-worker")
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
                 method: str, reuse_kernels: bool = False) -> None:
        self.reuse_kernels = reuse_kernels
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
        elapsed = {id(w): time.perf_counter() - (w.started or time.perf_counter()) for w in busy}
        stop_workers(busy)
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
            self.pool.append(_spawn(self.ctx, self.reuse_kernels))
        for w in self.pool:
            if w.job is None and self.pending:
                w.job = self.pending.popleft()
                w.started = time.perf_counter()
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
            w.started = time.perf_counter()
        elif kind == "done" and w.job is not None and (payload["status"] == OK or not stopping):
            # (a failure reported while the worker was being stopped may be the stop's doing)
            w.worker_kb, w.kernel_kb = payload["worker_kb"], payload["kernel_kb"]
            out = Path(payload["output"]) if payload["output"] else None
            seconds = time.perf_counter() - (w.started or time.perf_counter())
            self._finish(w, JobResult(w.job, payload["status"], seconds, out, payload["reason"],
                                      w.worker_kb, w.kernel_kb, tuple(payload.get("files", ()))))

    def _check(self, busy: list[_Worker]) -> None:
        dead = [w for w in busy if w.job is not None and not w.process.is_alive() and (w.eof or not w.conn.poll())]
        for w in dead:
            self._stop_busy([w], FAILED, f"the worker process died (exit code {w.process.exitcode})")
        if self.timeout is None:
            return
        now = time.perf_counter()
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
                ends = [w.started + self.timeout - time.perf_counter() for w in busy if w.started is not None]
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
            stop_workers(late)
        for w in idle:
            w.conn.close()
        self.pool.clear()


def run_batch(paths: Iterable[str | Path], workers: int | None = None, timeout: float | None = DEFAULT_TIMEOUT,
              reports: str | Path | None = None, reporter: BatchReporter | None = None,
              method: str = "spawn", reuse_kernels: bool = False) -> BatchResult:
    """Draft every review named by ``paths`` (files, or folders of parameters files).

    ``timeout``: seconds one review may take (default :data:`DEFAULT_TIMEOUT`; ``None`` or 0 for
    no limit). ``reuse_kernels``: each worker keeps one kernel and resets it between reviews
    (:mod:`toolkit.build.warm`) instead of starting a fresh kernel per review.
    """
    from toolkit.build.kernels import ensure_kernel

    reporter = reporter or NullReporter()
    jobs, early = plan(collect_params(paths), Path(reports) if reports is not None else None)
    n = workers or os.cpu_count() or 1
    started = time.perf_counter()
    reporter.start(len(jobs) + len(early), n)
    for r in early:
        _append_log(r.job, r.reason)
        reporter.finished(r)
    ensure_kernel()  # once, here: workers starting at once must not race to register it
    coordinator = _Coordinator(jobs, n, timeout, reporter, method, reuse_kernels)
    in_main = threading.current_thread() is threading.main_thread()
    # Ctrl-C and SIGTERM only set a flag and wake the coordinator through a pipe: an exception
    # raised at an arbitrary point could land between reading a worker's result and recording it.
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)

    def request_stop(signum: int, frame: Any) -> None:
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
            reporter.close()
    results = {r.job.index: r for r in early}
    results.update(coordinator.results)
    for job in coordinator.pending:
        results[job.index] = JobResult(job, NOT_RUN, reason="the batch was stopped before it started")
    ordered = [results[i] for i in sorted(results)]
    return BatchResult(ordered, time.perf_counter() - started, coordinator.size, interrupted)


def _written(r: JobResult) -> str:
    """The letter's path, and the other outputs written beside it (``letter.docx, letter.pdf``)."""
    extra = [name for name in r.files if r.output is None or name != r.output.name]
    return f"{r.output} (+ {', '.join(extra)})" if extra else str(r.output)


def summary_table(result: BatchResult) -> str:
    """A plain-text table (review, status, seconds, output and the files written beside it, or error) with
    a closing line of totals."""
    header = ("review", "status", "seconds", "output or error")
    rows = [(r.review_id, r.status, f"{r.seconds:.1f}", _written(r) if r.status == OK and r.output else r.reason)
            for r in result.results]
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i]) for i in range(3)]
    lines = ["  ".join([header[i].ljust(widths[i]) for i in range(3)] + [header[3]])]
    lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len(header[3]))
    for r in rows:
        lines.append("  ".join([r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]), r[3]]))
    ok = sum(1 for r in result.results if r.status == OK)
    lines.append(f"{ok} of {len(result.results)} letters drafted in {result.seconds:.1f} s with "
                 f"{result.workers} worker{'s' if result.workers != 1 else ''}"
                 + (f"; {len(result.failed)} not drafted" if result.failed else ""))
    return "\n".join(lines)


class ProgressBarReporter:
    """One tqdm progress bar across the batch (on stderr); failures are noted as they happen."""
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def start(self, total: int, workers: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, unit="review", desc=f"drafting ({workers} workers)",
                        disable=not self.enabled, dynamic_ncols=True)

    def finished(self, result: JobResult) -> None:
        if self.bar is None:
            return
        if result.status != OK:
            self.bar.write(f"{result.review_id}: {result.status}: {result.reason}")
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
