"""The letter built in-process (no kernel) for 100, 1,000 and 10,000 findings."""

from __future__ import annotations

import csv
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from toolkit.demo import generate


@dataclass(frozen=True)
class InProcessRun:
    findings: int
    load_seconds: float  # reading and validating the inputs (load_review)
    build_seconds: float  # build_letter on the loaded review

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


def run_inprocess(sizes: list[int], repeats: int = 3) -> list[InProcessRun]:
    from toolkit.letter import build_letter
    from toolkit.review import load_review

    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-inproc-") as tmp:
        project = Path(tmp)
        demo = generate(project, 1, seed=7, audit=False, performance=False)
        build_letter(load_review(demo.reviews[0].params))  # warm-up: imports, template compilation
        for n in sizes:
            params = _scaled_review(project, demo.reviews[0].params, n)
            loads, builds = [], []
            for _ in range(repeats):
                t0 = time.perf_counter()
                review = load_review(params)
                t1 = time.perf_counter()
                build_letter(review)
                t2 = time.perf_counter()
                loads.append(t1 - t0)
                builds.append(t2 - t1)
            runs.append(InProcessRun(n, statistics.median(loads), statistics.median(builds)))
    return runs
