"""One draft against the floor, interleaved so both see the same load."""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.floor import run_floor_once


@dataclass(frozen=True)
class SingleResult:
    floor: list[float]
    draft: list[float]

    @property
    def floor_median(self) -> float:
        return statistics.median(self.floor)

    @property
    def draft_median(self) -> float:
        return statistics.median(self.draft)

    @property
    def ratio(self) -> float:
        return self.draft_median / self.floor_median


def time_draft(params: Path, reports: Path) -> float:
    from toolkit.render import draft

    started = time.perf_counter()
    draft(params, reports)
    return time.perf_counter() - started


def run_single(params: Path, repeats: int) -> SingleResult:
    """Median of ``repeats`` floors and drafts, after one warm-up of each (imports, caches)."""
    from toolkit.render import notebook_path
    from toolkit.params import project_root_for

    root = project_root_for(params)
    floors, drafts = [], []
    with tempfile.TemporaryDirectory(prefix="bench-single-") as tmp:
        run_floor_once(notebook_path(), root)
        time_draft(params, Path(tmp))
        for _ in range(repeats):
            floors.append(run_floor_once(notebook_path(), root))
            drafts.append(time_draft(params, Path(tmp)))
    return SingleResult(floors, drafts)
