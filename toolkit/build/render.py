"""Drafting a review: run the letter notebook with papermill, export it with nbconvert.

Each draft is written into a temporary folder beside its final place and moved there only when
complete, so a failed run never leaves a half-written report and never harms the previous one.
The executed notebook is normalised (fixed cell ids, no timings or paths) so the same inputs give
byte-identical files.
"""

from __future__ import annotations

import functools
import html as html_lib
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import nbformat

from toolkit.build.kernels import KERNEL_NAME, IPCKernelManager, ensure_kernel
from toolkit.build.manifest import (
    DOCX_NAME,
    MANIFEST_NAME,
    OPTIONAL_OUTPUTS,
    PARTS_NAME,
    SLIDES_NAME,
    build_manifest,
)
from toolkit.build.notebooks import PACKAGE_DIR, notebook_path
from toolkit.build.pdf import PDF_NAME, PdfPrinter, pdf_unavailable
from toolkit.build.processes.sources import Kernel, KernelSource, StartedKernels
from toolkit.build.reportdirs import remove_stale_temp_folders
from toolkit.build.timelimit import DRAFT_SECONDS, TimeLimitPassed, in_background, stop_signals_raise, time_left
from toolkit.errors import BuildError, display_path
from toolkit.inputs.notebook_params import hide_outside_paths
from toolkit.inputs.params import project_root_for
from toolkit.letter.charts import ChartImage
from toolkit.letter.deck import charts_by_section
from toolkit.letter.docx import letter_docx_parts
from toolkit.letter.sections import PAGE_MIMETYPE
from toolkit.letter.slides_pptx import letter_slides
from toolkit.review import Review, load_review

T = TypeVar("T")
NBCONVERT_TEMPLATES = PACKAGE_DIR / "nbconvert_templates"
LETTER_TAG = "letter"
_BANNER = re.compile(r'<p class="draft-banner"[^>]*>(.*?)</p>', re.S)


def normalise_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove everything that changes between runs of the same inputs."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:03d}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)
    return nb


def export_letter(nb: nbformat.NotebookNode, review: Review, kind: ReportKind | None = None) -> str:
    """nbconvert with the toolkit's ``letter`` template: only the tagged outputs, self-contained.

    The template needs nothing but the notebook (``jupyter nbconvert --to html --template letter
    --TemplateExporter.extra_template_basedirs=toolkit/nbconvert_templates`` gives the same page):
    the notebook's last cell shows the page around the report, and the tagged cells its sections.
    """
    kind = kind or LETTER
    from nbconvert.exporters import TemplateExporter



    shells = [out["data"][PAGE_MIMETYPE] for cell in nb.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if PAGE_MIMETYPE in out.get("data", {})]
    if not shells or shells[-1].get("tag") != kind.tag:
        raise BuildError(f"{review.params_file}: the {kind.name} notebook shows no page for its "
                         f"'{kind.tag}' cells (its last cell should call page_shell(review))")
    # TemplateExporter, not HTMLExporter: the latter re-serialises the page through BeautifulSoup,
    # which would make nbconvert's letter differ from the in-process build of the same letter.
    exporter = TemplateExporter(template_name="letter",  # type: ignore[no-untyped-call]
                                extra_template_basedirs=[str(NBCONVERT_TEMPLATES)])
    exporter.file_extension = ".html"
    exporter.output_mimetype = "text/html"
    body, _ = exporter.from_notebook_node(nb)
    return body


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


@contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Hold SIGTERM and SIGINT back until the block ends, then deliver them.

    A batch worker turns SIGTERM into an exception; landing between the two renames of a swap it
    would leave no report in place. Python runs handlers in the main thread only, so outside it
    nothing can interrupt the block and nothing is done. Within it the handlers are swapped for
    ones that note the signal, and the signals are also blocked at the C level while the block runs.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    stops = (signal.SIGTERM, signal.SIGINT)
    saved = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in stops}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, stops)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a pending signal reaches the note-taker now
        for sig, handler in saved.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)  # to the handler that was there before


def _swap_into_place(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp`` (a complete report folder) with two renames.

    Files of the old folder that this build did not write (the briefing, when drafting the
    letter, and the reverse) are carried over into ``tmp`` first, so each build replaces only
    its own files and the folder is never seen half-made. Stop signals wait until both renames
    are done, and if the second rename fails the old folder is put back.
    """
    old = None
    if final.is_dir():
        for item in final.iterdir():
            if item.is_file() and not (tmp / item.name).exists():
                shutil.copy2(item, tmp / item.name)
    with _stop_signals_held():
        if final.exists():
            old = final.with_name(f".{final.name}.old-{os.getpid()}")
            final.rename(old)
        moved = False
        try:
            tmp.rename(final)
            moved = True
        finally:
            if not moved and old is not None and not final.exists():
                old.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@dataclass(frozen=True)
class ReportKind:
    """A notebook that renders one report of a review: the letter, or the briefing pack."""
    name: str  # file stem of the executed notebook and the HTML
    tag: str  # cells whose output is the report
    manifest: bool  # whether the report records its inputs (the letter does; verify rebuilds it)


LETTER = ReportKind("letter", LETTER_TAG, True)
BRIEFING = ReportKind("briefing", "briefing", False)


@dataclass(frozen=True)
class DraftResult:
    review_id: str
    folder: Path
    letter: Path
    notebook: Path
    written: tuple[str, ...] = ()  # the files this build wrote into the folder, by name
    notes: tuple[str, ...] = ()  # one line each: an output asked for and not written (no Chromium)


def injected_parameters(review: Review) -> dict[str, Any]:
    """What papermill injects: the mapping the review was validated from (read once, by the
    toolkit's own loader, in the file's own shape), plus where it came from; a file outside the
    project is named by its name only (``toolkit.inputs.notebook_params.hide_outside_paths``), so the same
    review in two folders injects the same parameters.

    The kernel validates it again (the notebook is the record and must stand on its own)."""
    if review.source is None:
        raise BuildError(f"{review.params_file}: this review was not loaded from a parameters file")
    path = review.source.path.resolve()
    values = hide_outside_paths(dict(review.source.data), review.root)  # no path of this machine
    values["params_file"] = path.relative_to(review.root).as_posix() if path.is_relative_to(review.root) else str(path)
    values["project_root"] = "."
    return values


#: Seconds papermill is given to notice that the kernel was killed and end, before the draft's
#: temporary folder is removed (it takes about one: nbclient checks the kernel every second).
_SETTLE_SECONDS = 4.0


def _beside_kernel(kernel: Kernel, deadline: float | None, run: Callable[[], T]) -> T:
    """``run()`` (papermill) in a thread of its own while this one waits for it, until ``deadline``.

    nbclient, run in the main thread, replaces the handlers of SIGINT and SIGTERM by its own, which
    ask the kernel to shut down and go on waiting for the cell: a kernel looping in a template
    never answers, so Ctrl-C stopped nothing. In a thread of its own it installs none, and this
    thread, woken by Ctrl-C, SIGTERM or the deadline, kills the kernel first; papermill then finds
    it dead and ends, and the caller removes the temporary folder."""
    job = in_background(run)
    try:
        return job.result(timeout=time_left(deadline))
    except FutureTimeout:
        if job.done():
            return job.result()  # it ended just as the time was up
        raise TimeLimitPassed from None
    finally:
        if not job.done():  # stopped or out of time: the kernel goes first, papermill follows
            _kill_and_settle(kernel, job)


def _kill_and_settle(kernel: Kernel, job: Future[Any]) -> None:
    papermill_log = logging.getLogger("papermill")
    papermill_log.disabled = True  # its "kernel died" note: the draft says why
    try:
        kernel.kill()
        try:
            job.exception(timeout=_SETTLE_SECONDS)
        except (FutureTimeout, CancelledError):
            pass
    finally:
        papermill_log.disabled = False


def _too_long(review: Review, kind: ReportKind, seconds: float | None) -> BuildError:
    return BuildError(f"{review.params_file}: the {kind.name} took longer than {seconds:g} s, the time limit of a "
                      "draft, and was stopped (nothing was written): a template of the style may loop for ever, or "
                      "an input be far larger than a review's; give more time with --time-limit SECONDS")


def build_report(kind: ReportKind, params_path: str | Path | Review, reports_dir: str | Path | None = None, *,
                 kernels: KernelSource | None = None, kernel_name: str = KERNEL_NAME, start_timeout: int = 120,
                 execution_timeout: int | None = None, time_limit: float | None = DRAFT_SECONDS) -> DraftResult:
    """Build ``reports/<review>/<kind>.ipynb`` and ``<kind>.html`` for one review.

    ``params_path`` is a parameters file, or the :class:`Review` the caller has already loaded and
    validated from one (the CLI's ``draft`` does: the review is loaded once per draft).
    ``kernels``: where the notebook's kernel comes from, chosen by the caller
    (:mod:`toolkit.build.processes.sources`; default: a fresh kernel started anew while the inputs
    are validated). The kernel is ended (or handed back) when the notebook has run, however the
    draft ends: the ``with`` block of the source's ``kernel()`` below is the one place.

    Raises ``ValidationFailed`` for bad inputs (nothing is written) and :class:`BuildError` when
    the notebook fails (the failed notebook is kept under ``reports/.failed/`` for debugging).
    ``execution_timeout`` limits each cell (seconds), ``time_limit`` the whole draft (its kernel
    is killed when it passes: :mod:`toolkit.build.timelimit`). The report folder also gets
    ``manifest.json`` (see :mod:`toolkit.build.manifest`). Temporary folders left by killed runs of
    the same review are removed first. SIGTERM and SIGHUP stop it as Ctrl-C does, with its clean-up
    (:func:`toolkit.build.timelimit.stop_signals_raise`).
    """
    loaded = params_path if isinstance(params_path, Review) else None
    path = Path(loaded.source.path if loaded is not None and loaded.source is not None else params_path)  # type: ignore[arg-type]
    root = project_root_for(path)
    ensure_kernel(kernel_name)
    limits = _Limits(kernel_name, start_timeout, execution_timeout, time_limit,
                     time.monotonic() + time_limit if time_limit else None)
    with stop_signals_raise(), ExitStack() as undo:
        with (kernels or StartedKernels()).kernel(kernel_name, root) as kernel:  # starts beside the validation
            review = loaded or load_review(path)  # validates every input before the notebook runs
            reports = Path(reports_dir) if reports_dir is not None else root / "reports"
            tmp = undo.enter_context(_draft_folder(reports, review.review_id))  # gone unless moved into place
            parameters = injected_parameters(review)
            wanted: set[str] = set(review.params.outputs) if kind is LETTER else set()
            notes: list[str] = []
            printer = _pdf_printer(wanted, review, notes)  # Chromium starts now, beside the kernel
            if printer is not None:
                undo.callback(printer.cancel)
            # while the kernel runs the notebook, this process draws the charts as pictures (once, for
            # the Word copy and the slides) and makes the slides: they need the review, not the page
            pictures_job = (in_background(_pictures_and_slides, review, "pptx" in wanted)
                            if wanted & {"docx", "pptx"} else None)
            run = _Run(tmp, root, reports, parameters, wanted, limits)
            nb = _run_notebook(kind, review, kernel, run)
        # the kernel has ended (or gone back to its keeper): the rest is this process's
        written = _write_outputs(kind, review, nb, printer, pictures_job, path, run)
        final = reports / review.review_id
        _swap_into_place(tmp, final)
    if kind is LETTER:  # an output not made this time is not left from an earlier draft: it would be stale
        for name in (*OPTIONAL_OUTPUTS.values(), PARTS_NAME):
            if name not in written:
                (final / name).unlink(missing_ok=True)
    return DraftResult(review.review_id, final, final / f"{kind.name}.html", final / f"{kind.name}.ipynb",
                       written, tuple(notes))


@dataclass(frozen=True)
class _Limits:
    kernel_name: str
    start_timeout: int
    execution_timeout: int | None
    time_limit: float | None
    deadline: float | None  # time.monotonic() when the time limit passes


@dataclass(frozen=True)
class _Run:
    """Where one draft runs and what it was asked for."""
    tmp: Path  # the temporary report folder
    root: Path  # the project root: the notebook's working folder
    reports: Path
    parameters: dict[str, Any]  # injected by papermill
    wanted: set[str]  # the optional outputs asked for
    limits: _Limits


@contextmanager
def _draft_folder(reports: Path, review_id: str) -> Iterator[Path]:
    """A temporary report folder beside its final place, removed unless it was moved there; the
    temporary folders that killed runs of the same review left are removed first."""
    reports.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_folders(reports, review_id)
    tmp = Path(tempfile.mkdtemp(prefix=f".{review_id}.tmp-{os.getpid()}-", dir=reports))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # nothing there once moved into place


def _pdf_printer(wanted: set[str], review: Review, notes: list[str]) -> PdfPrinter | None:
    """A printer started now, when the PDF is wanted and Chromium is there (otherwise a note why)."""
    if "pdf" not in wanted:
        return None
    missing = pdf_unavailable()
    if missing is None:
        return PdfPrinter()
    notes.append(f"{review.params_file}: {missing}")
    return None


def _run_notebook(kind: ReportKind, review: Review, kernel: Kernel, run: _Run) -> nbformat.NotebookNode:
    """papermill runs the report's notebook on ``kernel``; its failures as one line each."""
    import papermill as pm
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    limits = run.limits
    km = kernel.manager()  # a Ctrl-C while it starts removes tmp too
    out_nb = run.tmp / f"{kind.name}.ipynb"
    try:
        nb: nbformat.NotebookNode = _beside_kernel(kernel, limits.deadline, functools.partial(
            pm.execute_notebook,
            str(notebook_path(f"{kind.name}.ipynb")), str(out_nb), parameters=run.parameters,
            kernel_name=limits.kernel_name, cwd=str(run.root), progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, start_timeout=limits.start_timeout,
            kernel_manager_class=IPCKernelManager, execution_timeout=limits.execution_timeout,
            **({"km": km} if km is not None else {}),
        ))
    except TimeLimitPassed:
        raise _too_long(review, kind, limits.time_limit) from None
    except DeadKernelError:
        raise BuildError(f"{review.params_file}: the kernel running the {kind.name} notebook stopped before "
                         "it ended (killed, or out of memory; nothing was written): draft again, and if it "
                         "stops again, check the inputs' sizes (docs/inputs.md, 'Size limits')") from None
    except PapermillExecutionError as exc:
        raise _failed(kind, review, exc, out_nb, run.reports) from None
    return nb


def _failed(kind: ReportKind, review: Review, exc: Any, out_nb: Path, reports: Path) -> BuildError:
    """The failed notebook kept under ``reports/.failed/``, and the one line that says so."""
    failed = reports / ".failed"
    failed.mkdir(exist_ok=True)
    kept = failed / f"{review.review_id}.{kind.name}.ipynb"
    if out_nb.exists():
        shutil.copyfile(out_nb, kept)
    if exc.ename == "InputError":  # a style's template, named with its line
        return BuildError(f"{str(exc.evalue).splitlines()[0]} "
                          f"(the {kind.name} of {review.params_file} was not written)")
    first = str(exc.evalue).splitlines()[0] if exc.evalue else ""
    return BuildError(f"{review.params_file}: the {kind.name} notebook failed at cell {exc.exec_count}: "
                      f"{exc.ename}: {first} (notebook kept in {display_path(kept)})")


def _write_outputs(kind: ReportKind, review: Review, nb: nbformat.NotebookNode, printer: PdfPrinter | None,
                   pictures_job: Future[Any] | None, params_path: Path, run: _Run) -> tuple[str, ...]:
    """Write the executed notebook, the page and the copies asked for into ``tmp``; their names."""
    tmp, limits = run.tmp, run.limits
    nb = normalise_notebook(nb)
    _write_text(tmp / f"{kind.name}.ipynb", nbformat.writes(nb) + "\n")  # type: ignore[no-untyped-call]
    html = export_letter(nb, review, kind)
    _write_text(tmp / f"{kind.name}.html", html)
    pdf_job = None
    if printer is not None:  # the same HTML printed by Chromium, beside the rest
        pdf_job = printer.print(html, draft=draft_banner(html), when=review.params.letter_day)
    if pictures_job is not None:
        try:
            charts, slides = pictures_job.result(timeout=time_left(limits.deadline))
        except FutureTimeout:
            raise _too_long(review, kind, limits.time_limit) from None
        if "docx" in run.wanted:  # the Word copy coordinators edit, converted from the same HTML
            pictures = {c.id: c for drawn in charts.values() for c in drawn}
            docx, parts = letter_docx_parts(html, pictures)
            (tmp / DOCX_NAME).write_bytes(docx)
            _write_text(tmp / PARTS_NAME, parts)  # its parts' record, swapped in with it
        if slides is not None:  # the team's day-three presentation, from the same review
            (tmp / SLIDES_NAME).write_bytes(slides)
    if pdf_job is not None:
        (tmp / PDF_NAME).write_bytes(pdf_job.result())
    if kind.manifest:
        _write_text(tmp / MANIFEST_NAME, build_manifest(review.params, params_path, run.root, run.parameters,
                                                        notebook_path()).to_json())
    tmp.chmod(0o755)  # mkdtemp makes it private; a report folder is not
    return tuple(sorted(p.name for p in tmp.iterdir()))


def _pictures_and_slides(review: Review, slides: bool) -> tuple[dict[str, list[ChartImage]], bytes | None]:
    """The letter's charts as PNG pictures by section, and the slides when they are wanted."""
    charts = charts_by_section(review)
    return charts, letter_slides(review, charts) if slides else None


def draft_banner(html: str) -> str | None:
    """The words of the page's draft banner (``None`` when it has none: the letter is final)."""
    found = _BANNER.search(html)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", found[1])).split()) if found else None


def draft(params_path: str | Path | Review, reports_dir: str | Path | None = None, *,
          kernels: KernelSource | None = None, kernel_name: str = KERNEL_NAME, start_timeout: int = 120,
          execution_timeout: int | None = None, time_limit: float | None = DRAFT_SECONDS) -> DraftResult:
    """Build ``reports/<review>/letter.ipynb``, ``letter.html`` and ``manifest.json`` for one review
    (:func:`build_report`)."""
    return build_report(LETTER, params_path, reports_dir, kernels=kernels, kernel_name=kernel_name,
                        start_timeout=start_timeout, execution_timeout=execution_timeout, time_limit=time_limit)


def briefing(params_path: str | Path | Review, reports_dir: str | Path | None = None, *,
             kernels: KernelSource | None = None, kernel_name: str = KERNEL_NAME, start_timeout: int = 120,
             execution_timeout: int | None = None, time_limit: float | None = DRAFT_SECONDS) -> DraftResult:
    """Build the pre-visit briefing pack: ``reports/<review>/briefing.ipynb`` and ``briefing.html``."""
    return build_report(BRIEFING, params_path, reports_dir, kernels=kernels, kernel_name=kernel_name,
                        start_timeout=start_timeout, execution_timeout=execution_timeout, time_limit=time_limit)
