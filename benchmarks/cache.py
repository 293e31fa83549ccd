"""The performance cache (toolkit/inputs/cache.py, toolkit/analysis/performance_cache.py), measured.

``python -m benchmarks.cache [--repeats 5] [--params params/kestrelmoor-2026.yaml]``. After one
warm-up of each, in turn (A B C D E, A B C D E, ...), so that every variant sees the same load:

* whole processes: ``peer-review draft`` of the review with the cache off
  (``PEER_REVIEW_CACHE=off``), as a first run (an empty cache folder: the parent compares, the
  notebook's kernel reads what the parent kept a second earlier) and as a second run (the folder
  the first run filled); then ``peer-review validate`` with the cache off and from a filled cache;
* in this process: ``load_review`` with the cache off, with an empty cache (it compares and keeps
  the result), from disk (the memory cleared: what a new process finds) and from memory (the same
  review again in one process); and the review loaded just after another review over the same
  files (``--other``), as a batch worker does: with the cache off, and with the files already
  parsed in the process (its comparisons are new).

Medians and their ratio against the cache off, measured in the same run. Also checks that the
three drafts write byte-identical letters.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
LETTER_FILES = ("letter.html", "letter.ipynb", "letter.docx")


def run_cli(args: list[str], cache: str) -> float:
    env = {**os.environ, "PEER_REVIEW_CACHE": cache}
    started = time.perf_counter()
    proc = subprocess.run([str(BIN / "peer-review"), *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"peer-review {' '.join(args)} failed: {proc.stderr.strip()[-500:]}")
    return seconds


def same_letters(a: Path, b: Path) -> bool:
    return all(not (a / f).exists() and not (b / f).exists() or (a / f).read_bytes() == (b / f).read_bytes()
               for f in LETTER_FILES)


def processes(params: Path, repeats: int, work: Path) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in ("draft, cache off", "draft, first run", "draft, second run",
                                                     "validate, cache off", "validate, cache filled")}
    review = params.stem
    for round_ in range(repeats + 1):  # round 0 is the warm-up
        folder = work / f"cache-{round_}"
        reports = {k: work / f"reports-{round_}-{i}" for i, k in enumerate(("off", "first", "second"))}
        got = {
            "draft, cache off": run_cli(["draft", str(params), "--reports", str(reports["off"])], "off"),
            "draft, first run": run_cli(["draft", str(params), "--reports", str(reports["first"])], str(folder)),
            "draft, second run": run_cli(["draft", str(params), "--reports", str(reports["second"])], str(folder)),
            "validate, cache off": run_cli(["validate", str(params)], "off"),
            "validate, cache filled": run_cli(["validate", str(params)], str(folder)),
        }
        letters = [reports[k] / review for k in ("off", "first", "second")]
        if not (same_letters(letters[0], letters[1]) and same_letters(letters[0], letters[2])):
            raise SystemExit(f"the letters differ between the cache off and on (round {round_})")
        if round_:
            for k, v in got.items():
                times[k].append(v)
        for r in reports.values():
            shutil.rmtree(r, ignore_errors=True)
    return times


def in_process(params: Path, repeats: int, work: Path, other: Path) -> dict[str, list[float]]:
    from toolkit.analysis.performance_cache import COMPARISONS
    from toolkit.inputs import performance
    from toolkit.review import load_review

    def clear() -> None:
        COMPARISONS.clear_memory()
        performance.PARSED.clear_memory()

    def timed(cache: str, before: Callable[[], None]) -> float:
        os.environ["PEER_REVIEW_CACHE"] = cache
        before()
        gc.collect()
        started = time.perf_counter()
        load_review(params)
        return time.perf_counter() - started

    def after_other(cache: str) -> Callable[[], None]:
        def before() -> None:  # a batch worker's previous review, over the same files
            clear()
            os.environ["PEER_REVIEW_CACHE"] = cache
            load_review(other)
        return before

    times: dict[str, list[float]] = {k: [] for k in (
        "load_review, cache off", "load_review, empty cache", "load_review, from disk", "load_review, from memory",
        "next review, cache off", "next review, files parsed")}
    for round_ in range(repeats + 1):
        folder = str(work / f"inproc-{round_}")
        got = {
            "load_review, cache off": timed("off", clear),
            "load_review, empty cache": timed(folder, clear),
            "load_review, from disk": timed(folder, clear),
            "load_review, from memory": timed(folder, lambda: None),
            "next review, cache off": timed("off", after_other("off")),
            "next review, files parsed": timed(folder + "-next", after_other(folder + "-next")),
        }
        if round_:
            for k, v in got.items():
                times[k].append(v)
    return times


def report(times: dict[str, list[float]], base: str) -> list[str]:
    """Each variant's median, its ratio to the median of ``base``, and the median of the ratios
    taken round by round (each against ``base`` in the same round: robust to a load that drifts)."""
    ref = statistics.median(times[base])
    out = []
    for name, values in times.items():
        med = statistics.median(values)
        paired = sorted(v / b for v, b in zip(values, times[base], strict=True))
        out.append(f"{name:28s} median {med:6.3f} s ({min(values):.3f}-{max(values):.3f}, n={len(values)})"
                   f"  x {med / ref:.2f} of {base}; paired ratio median {statistics.median(paired):.2f}"
                   f" ({paired[0]:.2f}-{paired[-1]:.2f})")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--params", type=Path, default=ROOT / "params" / "kestrelmoor-2026.yaml")
    parser.add_argument("--other", type=Path, default=ROOT / "params" / "brindleford-2026.yaml",
                        help="a review over the same performance files, loaded just before (a batch worker's)")
    parser.add_argument("--skip-processes", action="store_true")
    args = parser.parse_args(argv)
    params = args.params.resolve()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        work = Path(tmp)
        inproc = in_process(params, args.repeats + 2, work, args.other.resolve())
        load = {k: v for k, v in inproc.items() if k.startswith("load_review")}
        after = {k: v for k, v in inproc.items() if k.startswith("next review")}
        for line in report(load, "load_review, cache off") + report(after, "next review, cache off"):
            print(line)
        if not args.skip_processes:
            procs = processes(params, args.repeats, work)
            draft = {k: v for k, v in procs.items() if k.startswith("draft")}
            validate = {k: v for k, v in procs.items() if k.startswith("validate")}
            for line in report(draft, "draft, cache off") + report(validate, "validate, cache off"):
                print(line)
            print("letters byte-identical with the cache off, as a first run and as a second run: yes")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
