"""The themes report as the round grows: ``peer-review themes`` over 15, 50 and 150 generated reviews.

``python -m benchmarks.themes [--sizes 15 50 150] [--json PATH]``. Each round is generated once by
``peer-review demo`` (seed 2026; not timed), then built as a user builds it, a whole process
(``peer-review themes <round>/params --out <round>/reports/round``, the default outputs: HTML,
Word and PDF), twice: **cold**, with an empty cache folder (every review's comparisons worked out
afresh), and **warm**, the same command again (the comparisons read from the cache, as when a
coordinator rebuilds the report after an edit). Inside one process the stages are timed too:
loading and checking every review, the round model, and the report's data (grouping).

The baseline, measured in the same run before each round so that both see the same load: the
**floor**, papermill running a notebook of the themes notebook's own imports, then nbconvert
(:func:`benchmarks.draft.run_floor_once`). Every figure is also given as a ratio to it, and each
round's growth against the previous one as (time ratio) / (reviews ratio): 1 is linear.
The target (issue 31): 150 reviews in under two minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.draft import run_floor_once
from benchmarks.scale import machine
from toolkit.build.notebooks import notebook_path

TARGET_SECONDS = 120.0
TARGET_REVIEWS = 150


@dataclass(frozen=True)
class RoundRun:
    reviews: int
    findings: int
    floor: float  # the floor measured just before this round
    cold: float  # peer-review themes, empty cache
    warm: float  # the same again
    load: float  # in one process: load and check every review (warm cache)
    model: float  # the round model from the loaded reviews
    data: float  # the report's data: counts, grouping, audit, figures


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "PEER_REVIEW_DAEMON": "off", "PEER_REVIEW_CACHE": str(cache)}


def _timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True, timeout=3600)
    return time.perf_counter() - started


def _stages(params: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """load, model and data seconds, measured in a process of their own (warm cache)."""
    code = ("import json,sys,time\n"
            "from toolkit.round import load_reviews, round_of\n"
            "from toolkit.analysis.round_themes import themes_data\n"
            "t=time.perf_counter(); r=load_reviews([sys.argv[1]]); a=time.perf_counter()\n"
            "m=round_of(r,'x'); b=time.perf_counter(); themes_data(m); c=time.perf_counter()\n"
            "print(json.dumps([a-t,b-a,c-b]))\n")
    out = subprocess.run([sys.executable, "-c", code, str(params)], env=env, check=True, capture_output=True,
                         text=True, timeout=3600)
    load, model, data = json.loads(out.stdout.strip().splitlines()[-1])
    return float(load), float(model), float(data)


def run_round(n: int, folder: Path, seed: int = 2026) -> RoundRun:
    project, cache = folder / f"round-{n}", folder / f"cache-{n}"
    cli = [sys.executable, "-m", "toolkit.cli"]
    subprocess.run([*cli, "demo", "--reviews", str(n), "--out", str(project), "--seed", str(seed)],
                   env=_env(cache), check=True, capture_output=True, timeout=1800)
    findings = sum(max(0, len(p.read_text(encoding="utf-8").splitlines()) - 1)
                   for p in (project / "data").glob("*/findings_*.csv"))
    floor = run_floor_once(notebook_path("themes.ipynb"), project)
    build = [*cli, "themes", str(project / "params"), "--out", str(project / "reports" / "round")]
    cold = _timed(build, _env(cache))
    warm = _timed(build, _env(cache))
    return RoundRun(n, findings, floor, cold, warm, *_stages(project / "params", _env(cache)))


def report(runs: list[RoundRun]) -> list[str]:
    floor = statistics.median(r.floor for r in runs)
    out = [f"floor (papermill, the themes notebook's imports + nbconvert): median {floor:.2f} s "
           f"({', '.join(f'{r.floor:.2f}' for r in runs)})",
           "reviews  findings  cold s  x floor  warm s  x floor  s/review (cold)  load s  model s  data s"]
    for r in runs:
        out.append(f"{r.reviews:7d}  {r.findings:8d}  {r.cold:6.1f}  {r.cold / floor:7.1f}  {r.warm:6.1f}  "
                   f"{r.warm / floor:7.1f}  {r.cold / r.reviews:15.2f}  {r.load:6.1f}  {r.model:7.1f}  {r.data:6.1f}")
    for a, b in zip(runs, runs[1:], strict=False):
        grow = b.reviews / a.reviews
        out.append(f"growth {a.reviews} -> {b.reviews} reviews (x{grow:.1f}): cold x{b.cold / a.cold:.2f} "
                   f"({b.cold / a.cold / grow:.2f} of linear), warm x{b.warm / a.warm:.2f} "
                   f"({b.warm / a.warm / grow:.2f} of linear)")
    big = next((r for r in runs if r.reviews == TARGET_REVIEWS), None)
    if big is not None:
        ok = big.cold < TARGET_SECONDS
        out.append(f"{TARGET_REVIEWS} reviews, cold: {big.cold:.1f} s against {TARGET_SECONDS:.0f} s: "
                   f"{'meets' if ok else 'MISSES'} the target")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.themes", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[15, 50, TARGET_REVIEWS])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    print(machine().describe(), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-themes-") as tmp:
        runs = []
        for n in args.sizes:
            runs.append(run_round(n, Path(tmp)))
            print(f"  {n} reviews: cold {runs[-1].cold:.1f} s, warm {runs[-1].warm:.1f} s", flush=True)
    for line in report(runs):
        print(line)
    if args.json is not None:
        args.json.write_text(json.dumps({"machine": machine().as_dict(), "runs": [asdict(r) for r in runs]},
                                        indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
