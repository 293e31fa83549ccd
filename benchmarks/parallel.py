"""Batches of demo reviews with 1 and 2 workers: wall time, time per review, efficiency, memory."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from toolkit.batch import OK, run_batch
from toolkit.demo import generate


@dataclass(frozen=True)
class BatchRun:
    reviews: int
    workers: int
    seconds: float
    ok: int
    worker_peak_mb: float
    kernel_peak_mb: float

    @property
    def per_review(self) -> float:
        return self.seconds / self.reviews


def efficiency(one: BatchRun, many: BatchRun) -> float:
    """Parallel efficiency: speed-up divided by the number of workers."""
    return one.seconds / (many.seconds * many.workers)


def run_batches(sizes: list[int], workers: list[int], seed: int = 2026) -> list[BatchRun]:
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        for n in sizes:
            project = Path(tmp) / f"round-{n}"
            generate(project, n, seed)
            for w in workers:
                reports = project / f"reports-{w}"
                result = run_batch([project / "params"], workers=w, reports=reports)
                ok = sum(1 for r in result.results if r.status == OK)
                runs.append(BatchRun(n, w, result.seconds, ok,
                                     max((r.worker_peak_kb for r in result.results), default=0) / 1024,
                                     max((r.kernel_peak_kb for r in result.results), default=0) / 1024))
                shutil.rmtree(reports, ignore_errors=True)
    return runs
