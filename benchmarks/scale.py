"""Scale: batches of demo reviews (1 and 2 workers), the in-process letter build, the machine."""

from __future__ import annotations

import csv
import gc
import os
import platform
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from toolkit.build.batch import OK, run_batch
from toolkit.demo.reviews import generate


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu: str
    ram_gb: float
    python: str
    system: str
    load_before: tuple[float, float, float]

    def describe(self) -> str:
        load = ", ".join(f"{x:.2f}" for x in self.load_before)
        return (f"{self.cores} cores ({self.cpu}), {self.ram_gb} GB RAM, Python {self.python}, {self.system}; "
                f"load average at start {load}")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def machine() -> Machine:
    return Machine(cores=os.cpu_count() or 1, cpu=_cpu_model(), ram_gb=_ram_gb(), python=platform.python_version(),
                   system=f"{platform.system()} {platform.release()}", load_before=os.getloadavg())


@dataclass(frozen=True)
class BatchRun:
    reviews: int
    workers: int
    seconds: float
    ok: int
    worker_peak_mb: float
    kernel_peak_mb: float
    warm: bool = False  # one kernel per worker, reset between reviews
    forked: bool = True  # fresh kernels forked from the round's fork server (not started anew)

    @property
    def per_review(self) -> float:
        return self.seconds / self.reviews


def efficiency(one: BatchRun, many: BatchRun) -> float:
    """Parallel efficiency: speed-up divided by the number of workers."""
    return one.seconds / (many.seconds * many.workers)


def run_batches(sizes: list[int], workers: list[int], seed: int = 2026,
                modes: tuple[bool, ...] = (False,), fork: bool = True) -> list[BatchRun]:
    """Each size with each number of workers, with fresh kernels and/or warm ones (``modes``);
    ``fork``: fresh kernels forked from the round's fork server (the default), or started anew."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        for n in sizes:
            project = Path(tmp) / f"round-{n}"
            generate(project, n, seed)
            for warm, w in ((m, w) for m in modes for w in workers):
                reports = project / f"reports-{w}-{warm}"
                result = run_batch([project / "params"], workers=w, reports=reports, reuse_kernels=warm,
                                   fork_kernels=fork)
                ok = sum(1 for r in result.results if r.status == OK)
                runs.append(BatchRun(n, w, result.seconds, ok,
                                     max((r.worker_peak_kb for r in result.results), default=0) / 1024,
                                     max((r.kernel_peak_kb for r in result.results), default=0) / 1024, warm,
                                     fork and not warm))
                shutil.rmtree(reports, ignore_errors=True)
    return runs


@dataclass(frozen=True)
class InProcessRun:
    findings: int
    load_seconds: float  # reading and validating the inputs (load_review)
    build_seconds: float  # build_letter on the loaded review
    full: bool = False  # the review also has an audit and performance files (the letter's charts)

    @property
    def build_per_1000(self) -> float:
        return self.build_seconds / self.findings * 1000


def _scaled_review(project: Path, params: Path, n: int) -> Path:
    """A copy of a demo review whose one findings file holds ``n`` findings (its own, repeated)."""
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    rows: list[dict[str, str]] = []
    for rel in data["inputs"]["findings"]:
        with (project / rel).open(encoding="utf-8", newline="") as fh:
            rows.extend(csv.DictReader(fh))
    out = project / "data" / f"scaled-{n}.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for i in range(n):
            writer.writerow(dict(rows[i % len(rows)], id=f"b{i + 1:05d}"))
    data["inputs"]["findings"] = [out.relative_to(project).as_posix()]
    data["review_id"] = f"scaled-{n}"
    path = project / "params" / f"scaled-{n}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run_inprocess(sizes: list[int], repeats: int = 3, variants: tuple[bool, ...] = (False, True)) -> list[InProcessRun]:
    """The letter built in this process for each size: findings only (``False`` in ``variants``),
    and with the review's audit and performance files too (``True``: the real letter's charts)."""
    runs = []
    for full in variants:
        runs += _inprocess(sizes, repeats, full)
    return runs


def _inprocess(sizes: list[int], repeats: int, full: bool) -> list[InProcessRun]:
    from toolkit.letter.sections import build_letter
    from toolkit.review import load_review

    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-inproc-") as tmp:
        project = Path(tmp)
        demo = generate(project, 1, seed=7, audit=full, performance=full)
        build_letter(load_review(demo.reviews[0].params))  # warm-up: imports, template compilation
        for n in sizes:
            params = _scaled_review(project, demo.reviews[0].params, n)
            loads, builds = [], []
            for _ in range(repeats):
                # A full garbage collection first, as timeit does: otherwise a collection of
                # everything loading left behind lands, at random, inside the timed build.
                gc.collect()
                t0 = time.perf_counter()
                review = load_review(params)
                gc.collect()
                t1 = time.perf_counter()
                build_letter(review)
                t2 = time.perf_counter()
                loads.append(t1 - t0)
                builds.append(t2 - t1)
            runs.append(InProcessRun(n, statistics.median(loads), statistics.median(builds), full))
    return runs
