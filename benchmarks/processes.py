"""Whole processes, as a user runs them: ``peer-review draft`` and ``validate`` beside the bare tools.

``python -m benchmarks.processes [--repeats 5]``. One realistic demo review (seed 2026, in a
scratch folder) is drafted by the CLI in three ways, and the chain a user would write with the bare
tools runs beside it, interleaved (A B C D E, A B C D E, ...) after one warm-up of each, so that all
see the same load:

* ``draft (html)``: ``peer-review draft`` of the review with ``outputs: [html]``, the same
  output the bare chain makes;
* ``draft (html, docx, pdf, pptx)``: the same review with every output;
* ``bare chain``: ``papermill -k peer-review <imports-only notebook> out.ipynb -f <params>`` then
  ``jupyter nbconvert --to html --no-input out.ipynb``: the letter notebook's own imports, the same
  kernel, two processes;
* ``validate``: ``peer-review validate`` of the review;
* the parts: ``python -c pass`` (the interpreter's start), ``import toolkit.cli`` and ``import
  papermill`` (a process's imports), an empty notebook through papermill (a kernel's start and
  shut-down around one cell) and the letter's imports through papermill (the same, plus the
  imports in the kernel).

Each figure is the median wall time of the whole process (with its kernel) and its peak resident
memory (the largest of the process and its children, from ``wait4``). The ratios are against the
bare chain measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from benchmarks.draft import floor_notebook
from toolkit.build.processes.daemon import DAEMON_ENV
from toolkit.build.processes.protocol import wait_ready

BIN = Path(sys.executable).parent


@dataclass
class Figure:
    name: str
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


GNU_TIME = shutil.which("time", path="/usr/bin")  # Debian's package ``time``


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one command (it must succeed). The peak is GNU time's
    (``%M``: the largest of the process and its waited-for children); ``wait4``'s own figure would
    count the benchmark's size, which a forked child starts with, so without GNU time it is 0."""
    wrapped = [GNU_TIME, "-f", "peak-kb %M", *argv] if GNU_TIME else argv
    started = time.perf_counter()
    proc = subprocess.run(wrapped, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=env)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    peaks = [line.split()[1] for line in proc.stderr.splitlines() if line.startswith("peak-kb ")]
    return seconds, int(peaks[-1]) / 1024 if peaks else 0.0


def commands(project: Path, params: Path, work: Path) -> dict[str, list[list[str]]]:
    from toolkit.build.notebooks import notebook_path

    html_only = params.with_name(f"{params.stem}-html.yaml")
    data = yaml.safe_load(params.read_text(encoding="utf-8"))
    data["outputs"] = ["html"]
    data["review_id"] = f"{data['review_id']}-html"
    html_only.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    every = params.with_name(f"{params.stem}-all.yaml")
    data["outputs"] = ["html", "docx", "pdf", "pptx"]
    data["review_id"] = f"{data['review_id'][:-5]}-all"
    every.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    floor = floor_notebook(notebook_path(), work)
    empty = work / "empty.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")],
                                            metadata=nbformat.read(str(floor), as_version=4).metadata), str(empty))
    out = work / "out.ipynb"
    cli = [str(BIN / "peer-review")]
    off = [f"{DAEMON_ENV}=off"]  # a step's leading NAME=value items are its environment
    return {
        "draft (html)": [cli + ["draft", str(html_only), "--reports", str(work / "reports")]],
        "draft (html), no daemon": [off + cli + ["draft", str(html_only), "--reports", str(work / "reports")]],
        "draft (html, docx, pdf, pptx)": [cli + ["draft", str(every), "--reports", str(work / "reports")]],
        "draft (4 outputs), no daemon": [off + cli + ["draft", str(every), "--reports", str(work / "reports")]],
        "bare chain": [[str(BIN / "papermill"), "-k", "peer-review", "--no-progress-bar", str(floor), str(out),
                        "-f", str(html_only)],
                       [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)]],
        "validate": [cli + ["validate", str(params)]],
        "validate, no daemon": [off + cli + ["validate", str(params)]],
        "python -c pass": [[sys.executable, "-c", "pass"]],
        "import toolkit.cli": [[sys.executable, "-c", "import toolkit.cli"]],
        "import papermill": [[sys.executable, "-c", "import papermill"]],
        "empty notebook (papermill)": [[str(BIN / "papermill"), "-k", "peer-review", "--no-progress-bar",
                                        str(empty), str(work / "empty-out.ipynb")]],
        "letter's imports in a kernel": [[str(BIN / "papermill"), "-k", "peer-review", "--no-progress-bar",
                                          str(floor), str(work / "floor-out.ipynb")]],
    }


def run(repeats: int) -> list[Figure]:
    from toolkit.demo.reviews import generate

    with tempfile.TemporaryDirectory(prefix="bench-processes-") as tmp:
        project = Path(tmp) / "project"
        params = generate(project, 1, seed=2026).reviews[0].params
        work = Path(tmp) / "work"
        work.mkdir()
        plan = commands(project, params, work)
        figures = {name: Figure(name) for name in plan}
        # the drafting daemon (toolkit/build/processes/daemon.py) of these runs lives in a folder of its own
        base_env = dict(os.environ, XDG_RUNTIME_DIR=str(Path(tmp) / "run"))
        base_env.pop(DAEMON_ENV, None)
        (Path(tmp) / "run").mkdir()
        for round_ in range(repeats + 1):  # the first round warms the caches and is not counted
            if round_ == 1:  # the warm-up round's first draft started the daemon: wait until it listens
                for sock in (Path(tmp) / "run" / "peer-review").glob("*.sock"):
                    wait_ready(sock, 60)
            for name, steps in plan.items():
                seconds, peak = 0.0, 0.0
                for step in steps:
                    env = dict(base_env)
                    while "=" in step[0]:
                        key, _, value = step[0].partition("=")
                        env[key] = value
                        step = step[1:]
                    s, p = timed(step, project, env)
                    seconds, peak = seconds + s, max(peak, p)
                if round_:
                    figures[name].seconds.append(seconds)
                    figures[name].peak_mb.append(peak)
            shutil.rmtree(work / "reports", ignore_errors=True)
        subprocess.run([str(BIN / "peer-review"), "daemon", "stop"], env=base_env, capture_output=True)
    return list(figures.values())


def report(figures: list[Figure]) -> list[str]:
    base = next(f for f in figures if f.name == "bare chain")
    out = ["process                          median s  (range)          x bare chain  peak MB"]
    for f in figures:
        out.append(f"{f.name:32s} {f.median:7.2f}  ({min(f.seconds):.2f}-{max(f.seconds):.2f})"
                   f"{f.median / base.median:13.2f}  {max(f.peak_mb):7.0f}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out.append(f"load average at the end: {load}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.processes", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    for line in report(run(args.repeats)):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
