"""A batch's records and how they are reported: the jobs, their results, the summary table and
the progress reporters.

:mod:`toolkit.build.batch` (the coordinator) fills these in; :mod:`toolkit.build.processes.worker` drafts one
:class:`Job` at a time. This module imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tqdm import tqdm

if TYPE_CHECKING:
    from toolkit.inputs.params import ReviewParams

OK, FAILED, TIMEOUT, INTERRUPTED, NOT_RUN = "ok", "failed", "timed out", "interrupted", "not run"
#: A review whose kept report was built from exactly today's inputs (:mod:`toolkit.build.uptodate`).
UP_TO_DATE = "up to date"
DONE = (OK, UP_TO_DATE)
LOG_DIR = ".logs"


@dataclass(frozen=True)
class Job:
    """One review to draft. ``loaded``: its parameters as the coordinator read them when planning
    (None when they do not validate: the worker then reports why), so the round reads each file once."""
    index: int
    params: Path
    review_id: str
    reports: Path
    loaded: ReviewParams | None = field(default=None, compare=False, repr=False)

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
    workers: int  # workers started (0 when every review was up to date)
    interrupted: bool = False

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if r.status not in DONE]

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else 1 if self.failed else 0


class BatchReporter(Protocol):
    def start(self, total: int, workers: int) -> None: ...

    def finished(self, result: JobResult) -> None: ...

    def close(self) -> None: ...


class NullReporter:
    """Reports nothing."""

    def start(self, total: int, workers: int) -> None:
        return None

    def finished(self, result: JobResult) -> None:
        return None

    def close(self) -> None:
        return None


def _written(r: JobResult) -> str:
    """The letter's path, and the other outputs written beside it (``letter.docx, letter.pdf``)."""
    extra = [name for name in r.files if r.output is None or name != r.output.name]
    return f"{r.output} (+ {', '.join(extra)})" if extra else str(r.output)


def summary_table(result: BatchResult) -> str:
    """A plain-text table (review, status, seconds, output or error) with a closing line of totals."""
    header = ("review", "status", "seconds", "output or error")
    rows = [(r.review_id, r.status, f"{r.seconds:.1f}", _written(r) if r.status in DONE and r.output else r.reason)
            for r in result.results]
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i]) for i in range(3)]
    lines = ["  ".join([header[i].ljust(widths[i]) for i in range(3)] + [header[3]])]
    lines.append("  ".join("-" * w for w in widths) + "  " + "-" * len(header[3]))
    for r in rows:
        lines.append("  ".join([r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]), r[3]]))
    ok = sum(1 for r in result.results if r.status == OK)
    kept = sum(1 for r in result.results if r.status == UP_TO_DATE)
    workers = f" with {result.workers} worker{'s' if result.workers != 1 else ''}" if result.workers else ""
    lines.append(f"{ok} of {len(result.results)} letters drafted in {result.seconds:.1f} s{workers}"
                 + (f"; {kept} up to date" if kept else "")
                 + (f"; {len(result.failed)} not drafted" if result.failed else ""))
    return "\n".join(lines)


class ProgressBarReporter:
    """One tqdm progress bar across the batch (on stderr); failures are noted as they happen."""
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def start(self, total: int, workers: int) -> None:
        self.bar = tqdm(total=total, unit="review", desc=f"drafting ({workers} workers)",
                        disable=not self.enabled, dynamic_ncols=True)

    def finished(self, result: JobResult) -> None:
        if self.bar is None:
            return
        if result.status not in DONE:
            self.bar.write(f"{result.review_id}: {result.status}: {result.reason}")
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
