"""Run the benchmarks and print the figures with their ratios against the floor.

``python -m benchmarks.run`` (full: batches of 50 and 150 reviews, several minutes) or
``python -m benchmarks.run --quick`` (small batches, about a minute). ``--json PATH`` also saves
the figures. The floor is measured in the same run, interleaved with the single drafts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from benchmarks.draft import SingleResult, run_single
from benchmarks.scale import BatchRun, InProcessRun, efficiency, machine, run_batches, run_inprocess

DRAFT_TARGET = 1.3
EFFICIENCY_TARGET = 0.85


def _mark(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def report_single(s: SingleResult) -> list[str]:
    return [
        f"floor (papermill, imports-only notebook + nbconvert): median {s.floor_median:.2f} s "
        f"of {len(s.floor)} ({', '.join(f'{x:.2f}' for x in s.floor)})",
        f"one draft: median {s.draft_median:.2f} s of {len(s.draft)} ({', '.join(f'{x:.2f}' for x in s.draft)}) "
        f"= {s.ratio:.2f} x floor; target <= {DRAFT_TARGET} x: {_mark(s.ratio <= DRAFT_TARGET)}",
    ]


def report_batches(runs: list[BatchRun], s: SingleResult) -> list[str]:
    out = ["batch: kernels  reviews  workers  wall s  s/review  x floor  vs one draft  ok   peak MB worker/kernel"]
    for r in runs:
        out.append(f"       {'warm ' if r.warm else 'fresh'}  {r.reviews:7d}  {r.workers:7d}  {r.seconds:6.1f}  {r.per_review:8.2f}  "
                   f"{r.per_review / s.floor_median:7.2f}  {r.per_review / s.draft_median:12.2f}  "
                   f"{r.ok:3d}  {r.worker_peak_mb:.0f}/{r.kernel_peak_mb:.0f}")
    for n, warm in sorted({(r.reviews, r.warm) for r in runs}):
        one = next((r for r in runs if r.reviews == n and r.warm == warm and r.workers == 1), None)
        for many in (r for r in runs if r.reviews == n and r.warm == warm and r.workers > 1):
            if one is not None:
                e = efficiency(one, many)
                out.append(f"parallel efficiency, {'warm' if warm else 'fresh'} kernels, {n} reviews, "
                           f"{many.workers} workers: {e:.2f} "
                           f"(target >= {EFFICIENCY_TARGET}: {_mark(e >= EFFICIENCY_TARGET)})")
    worst = max(r.per_review for r in runs if not r.warm) if any(not r.warm for r in runs) else 0.0
    out.append(f"time per review in a batch (fresh kernels), worst {worst:.2f} s vs one draft "
               f"{s.draft_median:.2f} s: {_mark(worst <= s.draft_median)}")
    warm = [r for r in runs if r.warm]
    if warm:
        best = min(r.per_review for r in warm)
        out.append(f"warm kernels: best {best:.2f} s per review = {best / s.floor_median:.2f} x floor "
                   f"({'below' if best < s.floor_median else 'not below'} the floor)")
    return out


def report_inprocess(all_runs: list[InProcessRun]) -> list[str]:
    out = []
    for full in sorted({r.full for r in all_runs}):
        runs = [r for r in all_runs if r.full == full]
        what = "findings, audit and performance charts" if full else "findings only"
        out.append(f"in-process letter (no kernel), {what}: findings  load s  build s  build s per 1,000")
        for r in runs:
            out.append(f"    {r.findings:8d}  {r.load_seconds:6.3f}  {r.build_seconds:7.3f}  {r.build_per_1000:.3f}")
        thousand = next((r for r in runs if r.findings == 1000), None)
        if thousand is not None:
            total = thousand.load_seconds + thousand.build_seconds
            out.append(f"    1,000 findings ({what}), load + build {total:.3f} s: {_mark(total < 1.0)} (under 1 s)")
        if len(runs) >= 2:  # from the second size on, so the fixed cost of a small letter does not flatter it
            a, b = runs[-2], runs[-1]
            growth = (b.build_seconds / a.build_seconds) / (b.findings / a.findings)
            out.append(f"    growth {a.findings} -> {b.findings} findings: build time "
                       f"x{b.build_seconds / a.build_seconds:.1f} for x{b.findings / a.findings:.0f} findings "
                       f"(1.0 = linear: {growth:.2f})")
    return out


def demo_params(folder: Path) -> Path:
    """A realistic single review (a demo review with about 200 findings) in the scratch project ``folder``."""
    from toolkit.demo.reviews import generate

    return generate(folder, 1, seed=2026).reviews[0].params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small batches and fewer repeats")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="batch sizes (default 50 150; quick 8)")
    parser.add_argument("--kernels", choices=["fresh", "warm", "both"], default="both",
                        help="batches with fresh kernels per review, warm kernels per worker, or both")
    args = parser.parse_args(argv)
    m = machine()
    print(f"machine: {m.describe()}", flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-one-") as one:
        single = run_single(demo_params(Path(one)), repeats=3 if args.quick else 5)
    for line in report_single(single):
        print(line, flush=True)
    sizes = args.sizes or ([8] if args.quick else [50, 150])
    modes = {"fresh": (False,), "warm": (True,), "both": (False, True)}[args.kernels]
    batches = run_batches(sizes, [1, 2], modes=modes)
    for line in report_batches(batches, single):
        print(line, flush=True)
    inproc = run_inprocess([100, 1000, 10000], repeats=1 if args.quick else 3)
    for line in report_inprocess(inproc):
        print(line, flush=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"finished in {time.perf_counter() - started:.0f} s; load average at the end {load}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": m.as_dict(), "quick": args.quick, "load_after": os.getloadavg(),
            "single": asdict(single), "batches": [asdict(b) for b in batches],
            "inprocess": [asdict(r) for r in inproc],
        }, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
