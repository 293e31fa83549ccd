"""Building a round's themes report: ``peer-review themes PARAMS... --out reports/<round>/``.

The report is made as the letter is (:mod:`toolkit.build.render`): papermill runs
``notebooks/themes.ipynb`` with the round's parameters files, the executed notebook (normalised:
fixed cell ids, no timings) is kept as the record, nbconvert's ``letter`` template turns the
cells tagged ``themes`` into ``themes.html``, the Word copy is converted from that HTML with the
charts as pictures (:func:`toolkit.letter.docx.letter_docx`), and Chromium prints the PDF
(:func:`toolkit.build.pdf.letter_pdf`). ``manifest.json`` records every input's sha256. The round is
read once, here, and handed to the notebook as ``round.json`` (anonymised first with
``--anonymise``: then no file name or name of the inputs reaches the notebook).

Every review is loaded and checked first; a bad input stops the build with one line per problem
and nothing written. The report is made in a temporary folder beside ``--out`` and swapped into
place whole, so a failed build leaves no half-made report and the previous one untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from toolkit.analysis.round_anonymise import anonymise_round
from toolkit.analysis.round_json import round_to_json
from toolkit.analysis.round_model import Round
from toolkit.analysis.round_themes import figures_data
from toolkit.build.kernels import KERNEL_NAME, ensure_kernel
from toolkit.build.manifest import input_files, package_versions, relative_name, toolkit_code_hash, toolkit_version
from toolkit.build.notebooks import PACKAGE_DIR, notebook_path
from toolkit.build.pdf import letter_pdf, pdf_unavailable
from toolkit.build.processes.sources import KernelSource, StartedKernels
from toolkit.build.render import normalise_notebook
from toolkit.build.timelimit import in_background
from toolkit.errors import BuildError, display_path
from toolkit.inputs.hashing import sha256_file
from toolkit.inputs.manifest_file import MANIFEST_NAME
from toolkit.inputs.params import project_root_for
from toolkit.letter.charts import ChartImage, collect_charts
from toolkit.letter.docx import letter_docx
from toolkit.letter.sections import PAGE_MIMETYPE
from toolkit.letter.themes_report import THEMES_TAG, indicator_charts
from toolkit.review import Review
from toolkit.round import load_reviews, round_files, round_of

NOTEBOOK = "themes.ipynb"
HTML_NAME, DOCX_NAME, PDF_NAME = "themes.html", "themes.docx", "themes.pdf"
ROUND_NAME = "round.json"  # the round the notebook reads (toolkit.analysis.round_json)
OUTPUTS = ("html", "docx", "pdf")
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class ThemesResult:
    folder: Path
    reviews: tuple[str, ...]
    written: tuple[str, ...]
    notes: tuple[str, ...] = ()  # one line each: an output asked for and not written (no Chromium)


def _shown(path: Path, root: Path) -> str:
    """A parameters file as the notebook is given it: relative to the project where it can be."""
    where = path.resolve()
    return where.relative_to(root.resolve()).as_posix() if where.is_relative_to(root.resolve()) else str(where)


def injected_parameters(files: Sequence[Path], root: Path, name: str, folder: Path,
                        anonymise: bool = False) -> dict[str, Any]:
    """What papermill injects: the round's file (``round.json``, beside the notebook in the report
    folder), its name and, to load it afresh, the parameters files (relative to the project) and
    the project as seen from the report folder. An anonymised round names neither: the files'
    names name the areas."""
    if anonymise:
        return {"params_files": [], "round_name": name, "project_root": None, "round_file": ROUND_NAME}
    inside = folder.resolve().is_relative_to(root.resolve())  # else a path of the machine: left out
    return {"params_files": [_shown(p, root) for p in files], "round_name": name,
            "project_root": Path(os.path.relpath(root.resolve(), folder.resolve())).as_posix() if inside else None,
            "round_file": ROUND_NAME}


def export_html(nb: nbformat.NotebookNode) -> str:
    """nbconvert with the toolkit's ``letter`` template: the cells tagged ``themes`` in the page
    the notebook's last cell shows."""
    from nbconvert.exporters import TemplateExporter

    shells = [out["data"][PAGE_MIMETYPE] for cell in nb.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if PAGE_MIMETYPE in out.get("data", {})]
    if not shells or shells[-1].get("tag") != THEMES_TAG:
        raise BuildError(f"{NOTEBOOK}: the notebook shows no page for its '{THEMES_TAG}' cells (its last cell "
                         "should call themes.page_shell(data))")
    exporter = TemplateExporter(template_name="letter",  # type: ignore[no-untyped-call]
                                extra_template_basedirs=[str(PACKAGE_DIR / "nbconvert_templates")])
    exporter.file_extension = ".html"
    exporter.output_mimetype = "text/html"
    body, _ = exporter.from_notebook_node(nb)
    return str(body)


def manifest_json(reviews: Sequence[Review], root: Path, parameters: dict[str, Any], notebook: Path,
                  round_: Round) -> str:
    """The round's manifest: each review's inputs by sha256, the parameters, the code's versions.
    An anonymised round's manifest says so and lists its inputs' sha256 without their names."""
    inputs: dict[str, str] = {}
    for review in reviews:
        if review.source is not None:
            for path in input_files(review.params, review.source.path, root):
                inputs[relative_name(path, root)] = sha256_file(path)
    inputs[f"<toolkit>/notebooks/{notebook.name}"] = sha256_file(notebook)
    listed: dict[str, str] | list[str] = sorted(set(inputs.values())) if round_.anonymised else inputs
    data = {"format": MANIFEST_FORMAT, "kind": "themes", "round": parameters["round_name"],
            "reviews": [r.review_id for r in round_.reviews], "parameters": parameters, "inputs": listed,
            "anonymised": round_.anonymised,
            "notebook": f"notebooks/{notebook.name}", "toolkit_version": toolkit_version(),
            "toolkit_code": toolkit_code_hash(notebook), "packages": package_versions()}
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _run_notebook(parameters: dict[str, Any], out_nb: Path, kernel_name: str, failed: Path,
                  kernels: KernelSource) -> nbformat.NotebookNode:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        with kernels.kernel(kernel_name, out_nb.parent) as kernel:  # the source ends the kernel
            km = kernel.manager()
            nb = pm.execute_notebook(str(notebook_path(NOTEBOOK)), str(out_nb), parameters=parameters,
                                     kernel_name=kernel_name, cwd=str(out_nb.parent), progress_bar=False,
                                     log_output=False, request_save_on_cell_execute=False,
                                     **({"km": km} if km is not None else {}))
    except PapermillExecutionError as exc:
        failed.mkdir(exist_ok=True)
        kept = failed / f"{parameters['round_name']}.themes.ipynb"
        if out_nb.exists():
            shutil.copyfile(out_nb, kept)
        first = str(exc.evalue).splitlines()[0] if exc.evalue else ""
        raise BuildError(f"{NOTEBOOK}: the themes notebook failed at cell {exc.exec_count}: {exc.ename}: {first} "
                         f"(notebook kept in {display_path(kept)})") from None
    return normalise_notebook(nb)


def _swap(tmp: Path, final: Path) -> None:
    """Replace ``final`` by the complete folder ``tmp`` with two renames (the old one put back on failure)."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}") if final.exists() else None
    if old is not None:
        final.rename(old)
    try:
        tmp.rename(final)
    except BaseException:
        if old is not None and not final.exists():
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def chart_pictures(round_: Round) -> dict[str, ChartImage]:
    """The report's charts as PNG pictures, by the id their SVG carries (for the Word copy): the
    charts only, without grouping the findings again (the notebook groups them)."""
    with collect_charts() as pictures:
        indicator_charts(figures_data(round_))
    return pictures


def _write(tmp: Path, html: str, pictures: Future[dict[str, ChartImage]] | None, pdf: bool,
           when: dt.date) -> list[str]:
    """The Word copy and the PDF beside the HTML; the notes of outputs that could not be made."""
    notes: list[str] = []
    if pictures is not None:
        (tmp / DOCX_NAME).write_bytes(letter_docx(html, pictures.result()))
    if pdf:
        missing = pdf_unavailable()
        if missing is None:
            (tmp / PDF_NAME).write_bytes(letter_pdf(html, draft=None, when=when))
        else:
            notes.append(f"{PDF_NAME}: {missing}")
    return notes


def build_themes(paths: Iterable[str | Path], out: str | Path, *, outputs: Sequence[str] = OUTPUTS,
                 kernel_name: str = KERNEL_NAME, anonymise: bool = False,
                 kernels: KernelSource | None = None) -> ThemesResult:
    """Build ``<out>/themes.ipynb``, ``themes.html`` (and ``.docx``, ``.pdf``), ``round.json`` and
    ``manifest.json`` for every review the paths name (files, or folders of them); the round is
    named after ``out``. ``anonymise``: every area's names replaced and every figure that would
    identify an area held back (:mod:`toolkit.analysis.round_anonymise`). ``kernels``: where the
    notebook's kernel comes from (a fresh one started anew by default)."""
    files = round_files(paths)
    reviews = load_reviews(files)  # every input checked, and the round read, once: the notebook reads round.json
    root = project_root_for(files[0])
    final = Path(out)
    name = final.resolve().name
    round_ = round_of(reviews, name)
    if anonymise:
        round_ = anonymise_round(round_, [r.params for r in reviews])
    final.parent.mkdir(parents=True, exist_ok=True)
    ensure_kernel(kernel_name)
    parameters = injected_parameters(files, root, name, final, anonymise)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-{os.getpid()}-", dir=final.parent))
    # while the kernel runs the notebook, this process draws the charts as pictures for the Word copy
    pictures = in_background(chart_pictures, round_) if "docx" in outputs else None
    try:
        (tmp / ROUND_NAME).write_text(round_to_json(round_), encoding="utf-8", newline="\n")
        nb = _run_notebook(parameters, tmp / NOTEBOOK, kernel_name, final.parent / ".failed",
                           kernels or StartedKernels())
        (tmp / NOTEBOOK).write_text(nbformat.writes(nb) + "\n", encoding="utf-8", newline="\n")  # type: ignore[no-untyped-call]
        html = export_html(nb)
        (tmp / HTML_NAME).write_text(html, encoding="utf-8", newline="\n")
        when = max(r.params.visit.presentation_date for r in reviews)
        notes = _write(tmp, html, pictures, "pdf" in outputs, when)
        (tmp / MANIFEST_NAME).write_text(manifest_json(reviews, root, parameters, notebook_path(NOTEBOOK), round_),
                                         encoding="utf-8", newline="\n")
        written = tuple(sorted(p.name for p in tmp.iterdir()))
        tmp.chmod(0o755)
        _swap(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ThemesResult(final, tuple(r.review_id for r in round_.reviews), written, tuple(notes))
