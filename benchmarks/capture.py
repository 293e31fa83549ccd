"""Capture app start-up in headless Chromium, against stock Voilà serving a trivial widgets notebook.

``python -m benchmarks.capture`` (about three minutes) or ``--rounds N``; ``--json PATH`` also saves
the figures. Each round starts both servers afresh and a fresh browser for each (nothing cached),
the baseline first, then the capture app, so that both see the same load:

* **baseline**: ``python -m voila`` (its own lab template, no options) on a notebook that shows one
  ipywidgets Dropdown and one Button, the least a widgets page can be;
* **capture**: ``peer-review capture`` on a realistic demo review (about 200 findings).

Figures per server:

* *ready*: from launching the command to the moment it answers: for the baseline, the port
  accepting connections; for the capture app, the command printing its link (it does so once the
  page is ready to be served);
* *cold page*: the first page of the fresh server and browser, from ``goto`` until its form is
  visible (the baseline's Dropdown; the capture app's reviewer picker and Start button). Voilà
  draws widgets only once the page's kernel is connected, so a visible form answers;
* *warm page*: the next pages, each in a new tab of the same browser (its cache holding Voilà's
  scripts) after the previous tab was closed, ``--gap`` seconds apart (a team's members arriving one after another);
* *Start to form*: (capture only) pressing Start until the findings form's statement box is visible;
* *first tab openings*: (capture only, on the cold page after Start) clicking the Checklist tab,
  then the EHCP audit tab, until a button of the tab is visible (they are built when first opened);
* *link to form*: (capture only) a page opened with ``?reviewer=<name>`` until the findings form's
  statement box is visible (no Start to press);
* *memory*: the resident memory of the server's processes (Voilà and its kernels) when it is ready,
  before any page, and (capture) again after its last page was closed.

The targets (issue 11): a page usable in 3 s or less and Start to form in 1 s or less, warm or cold.
Not a test: the seconds depend on the machine and its load, which is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

from benchmarks.scale import machine

PAGE_TARGET = 3.0
START_TARGET = 1.0
TIMEOUT_MS = 120_000
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]
TRIVIAL_SOURCE = (
    "import ipywidgets as widgets\n"
    "widgets.HBox([widgets.Dropdown(options=['a', 'b'], description='Pick'), widgets.Button(description='Go')])"
)


@dataclass
class ServerRun:
    ready: float
    cold_page: float
    warm_pages: list[float] = field(default_factory=list)
    cold_start: float | None = None  # capture only: Start to form on the cold page
    warm_starts: list[float] = field(default_factory=list)
    first_tabs: dict[str, float] = field(default_factory=dict)  # capture only: opening a tab the first time
    link_pages: list[float] = field(default_factory=list)  # capture only: a ?reviewer= link to the form
    ready_mb: float = 0.0  # the server's processes (Voila and its kernels) when ready, before any page
    end_mb: float = 0.0  # the same after the last page was closed, once settled (see settled())
    end_wait: float = 0.0  # seconds from closing the last page until then


def tree(pid: int) -> tuple[int, float]:
    """How many processes a process and its descendants are, and their resident memory in MB (/proc)."""
    total, count = 0, 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text(encoding="utf-8")
            kids = Path(f"/proc/{p}/task/{p}/children").read_text(encoding="utf-8").split()
        except OSError:
            continue
        count += 1
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        todo += [int(k) for k in kids]
    return count, total / 1024


def settled(pid: int, count: int, timeout: float = 60.0) -> tuple[float, float]:
    """The server's memory once it is back to ``count`` processes and its memory has not moved for
    two seconds (a closed page's kernel shut down, the pool's kernel refilled and heated), and the
    seconds that took (``timeout`` at most)."""
    started = time.monotonic()
    last, since = (0, -1.0), started
    while time.monotonic() - started < timeout:
        now = tree(pid)
        if now[0] != count or now[0] != last[0] or abs(now[1] - last[1]) > max(1.0, 0.01 * now[1]):
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= 2.0:
            return now[1], since - started
        time.sleep(0.25)
    return tree(pid)[1], timeout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def trivial_notebook(folder: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(TRIVIAL_SOURCE)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "trivial.ipynb"
    nbformat.write(nb, str(path))
    return path


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@contextmanager
def baseline_server(folder: Path) -> Iterator[tuple[str, float, int]]:
    notebook = trivial_notebook(folder)
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        if not listening(port):
            raise RuntimeError("stock Voila did not start")
        yield f"http://127.0.0.1:{port}/", time.perf_counter() - started, proc.pid
    finally:
        stop(proc)


@contextmanager
def capture_server(params: Path) -> Iterator[tuple[str, float, int]]:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.cli", "capture", str(params), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("Capture app: "):
            raise RuntimeError(f"the capture command did not start: {line!r}")
        ready = time.perf_counter() - started
        if not listening(port):
            raise RuntimeError("the capture app did not listen")
        # the server is the command's child, Voila (the command itself only waits for it)
        [voila] = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text(encoding="utf-8").split()
        yield line.split(": ", 1)[1].strip(), ready, int(voila)
    finally:
        stop(proc)


def _page_seconds(browser: object, url: str, form: str) -> tuple[object, float]:
    page = browser.new_page()  # type: ignore[attr-defined]
    started = time.perf_counter()
    page.goto(url, timeout=TIMEOUT_MS)
    page.locator(form).first.wait_for(state="visible", timeout=TIMEOUT_MS)
    return page, time.perf_counter() - started


def _start_seconds(page: object, reviewer: str) -> float:
    page.select_option(".pr-reviewer select", label=reviewer)  # type: ignore[attr-defined]
    started = time.perf_counter()
    page.click("button.pr-start")  # type: ignore[attr-defined]
    page.locator(".pr-f-statement textarea").wait_for(state="visible", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    return time.perf_counter() - started


FIRST_TABS = (("Checklist", "button.pr-c-reload"), ("EHCP audit", "button.pr-a-save"))


def _tab_seconds(page: object, name: str, ready_css: str) -> float:
    """A tab opened for the first time (it is built then) until a control of it is visible."""
    started = time.perf_counter()
    page.get_by_role("tab", name=name).click()  # type: ignore[attr-defined]
    page.locator(ready_css).wait_for(state="visible", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def measure(playwright: object, url: str, ready: float, warm: int, gap: float,
            reviewers: list[str] | None, server: int) -> ServerRun:
    """One fresh browser: the cold page, then ``warm`` more pages, each after closing the last. The
    server's memory when it is ready, and at the end, with every page closed."""
    ready_count, ready_mb = tree(server)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    launched = playwright.chromium.launch(executable_path=chromium, headless=True,  # type: ignore[attr-defined]
                                          args=CHROMIUM_ARGS)
    try:
        browser = launched.new_context()  # one profile: the warm pages find the page's scripts in its cache
        form = ".pr-reviewer select" if reviewers else ".widget-dropdown select"
        page, cold = _page_seconds(browser, url, form)
        run = ServerRun(ready, cold, ready_mb=ready_mb)
        if reviewers:
            page.locator("button.pr-start").wait_for(state="visible", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
            run.cold_start = _start_seconds(page, reviewers[0])
            run.first_tabs = {name: _tab_seconds(page, name, ready_css) for name, ready_css in FIRST_TABS}
        for i in range(warm):
            page.close(run_before_unload=True)  # type: ignore[attr-defined]
            time.sleep(gap)
            page, seconds = _page_seconds(browser, url, form)
            run.warm_pages.append(seconds)
            if reviewers:
                run.warm_starts.append(_start_seconds(page, reviewers[(i + 1) % len(reviewers)]))
        if reviewers:  # a reviewer's own link (?reviewer=): the page opens on the findings form
            page.close(run_before_unload=True)  # type: ignore[attr-defined]
            time.sleep(gap)
            link = url + ("&" if "?" in url else "?") + "reviewer=" + quote(reviewers[0])
            page, seconds = _page_seconds(browser, link, ".pr-f-statement textarea")
            run.link_pages.append(seconds)
        page.close(run_before_unload=True)  # type: ignore[attr-defined]
        if reviewers:  # stock Voila keeps a closed page's kernel until it is culled (voila#1458)
            run.end_mb, run.end_wait = settled(server, ready_count)
        else:
            run.end_mb = tree(server)[1]
        return run
    finally:
        launched.close()


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def _worst(xs: list[float]) -> float:
    return max(xs) if xs else float("nan")


def _fmt(xs: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in xs)


def report(baseline: list[ServerRun], capture: list[ServerRun]) -> list[str]:
    rows = [("ready (command to link)", [r.ready for r in baseline], [r.ready for r in capture]),
            ("cold page usable", [r.cold_page for r in baseline], [r.cold_page for r in capture]),
            ("warm page usable", [x for r in baseline for x in r.warm_pages],
             [x for r in capture for x in r.warm_pages])]
    out = ["figure                    baseline median   capture median (worst)   x baseline   all capture values"]
    for name, b, c in rows:
        out.append(f"{name:25s} {_median(b):15.2f}   {_median(c):8.2f} ({_worst(c):5.2f})        "
                   f"{_median(c) / _median(b):10.2f}   {_fmt(c)}")
    b_mb, c_mb = _median([r.ready_mb for r in baseline]), _median([r.ready_mb for r in capture])
    c_end, c_wait = _median([r.end_mb for r in capture]), _worst([r.end_wait for r in capture])
    out.append(f"server memory when ready: baseline {b_mb:.0f} MB (Voila alone), capture {c_mb:.0f} MB (Voila and "
               f"the kernel kept ready, +{c_mb - b_mb:.0f} MB); capture after its pages closed {c_end:.0f} MB "
               f"(settled within {c_wait:.1f} s)")
    for name, _ in FIRST_TABS:
        xs = [r.first_tabs[name] for r in capture if name in r.first_tabs]
        out.append(f"first opening of {name:12s} median {_median(xs):.2f} s (worst {_worst(xs):.2f}): {_fmt(xs)}")
    links = [x for r in capture for x in r.link_pages]
    out.append(f"?reviewer= link to the form   median {_median(links):.2f} s (worst {_worst(links):.2f}): "
               f"{_fmt(links)}")
    cold_starts = [r.cold_start for r in capture if r.cold_start is not None]
    warm_starts = [x for r in capture for x in r.warm_starts]
    out.append(f"Start to form, cold page      median {_median(cold_starts):.2f} s (worst {_worst(cold_starts):.2f}): "
               f"{_fmt(cold_starts)}")
    out.append(f"Start to form, warm pages     median {_median(warm_starts):.2f} s (worst {_worst(warm_starts):.2f}): "
               f"{_fmt(warm_starts)}")
    pages = [r.cold_page for r in capture] + [x for r in capture for x in r.warm_pages] + links
    starts = cold_starts + warm_starts
    out.append(f"target: page usable <= {PAGE_TARGET} s, worst {_worst(pages):.2f}: "
               f"{'met' if _worst(pages) <= PAGE_TARGET else 'MISSED'}; "
               f"Start to form <= {START_TARGET} s, worst {_worst(starts):.2f}: "
               f"{'met' if _worst(starts) <= START_TARGET else 'MISSED'}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.capture", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="fresh servers of each kind (default 3)")
    parser.add_argument("--warm", type=int, default=3, help="warm pages after each cold one (default 3)")
    parser.add_argument("--gap", type=float, default=5.0, help="seconds between a tab's close and the next page")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from toolkit.demo.reviews import generate
    from toolkit.inputs.params import load_params

    m = machine()
    print(f"machine: {m.describe()}", flush=True)
    started = time.perf_counter()
    baseline: list[ServerRun] = []
    capture: list[ServerRun] = []
    with tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp, sync_playwright() as pw:
        params = generate(Path(tmp) / "demo", 1, seed=2026).reviews[0].params
        team = [member.name for member in load_params(params).team]
        for n in range(args.rounds):
            with baseline_server(Path(tmp)) as (url, ready, pid):
                baseline.append(measure(pw, url, ready, args.warm, args.gap, None, pid))
            with capture_server(params) as (url, ready, pid):
                capture.append(measure(pw, url, ready, args.warm, args.gap, team, pid))
            print(f"round {n + 1}: baseline {asdict(baseline[-1])}", flush=True)
            print(f"round {n + 1}: capture  {asdict(capture[-1])}", flush=True)
    for line in report(baseline, capture):
        print(line, flush=True)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"finished in {time.perf_counter() - started:.0f} s; load average at the end {load}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": m.as_dict(), "load_after": os.getloadavg(), "gap": args.gap,
            "baseline": [asdict(r) for r in baseline], "capture": [asdict(r) for r in capture],
        }, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
