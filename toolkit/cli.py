"""The ``peer-review`` command: parses arguments and calls the library, nothing more.

Each subcommand imports the part of the library it calls when it runs (the imports inside the
commands below), so ``validate`` or ``--help`` never pays for papermill, nbconvert, Voilà or
Playwright (a second or more of imports)."""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from toolkit.build.timelimit import DRAFT_SECONDS
from toolkit.errors import InputError, ToolkitError, ValidationFailed
from toolkit.inputs.privacy import redact
from toolkit.review import Review, check

if TYPE_CHECKING:
    from toolkit.build.processes.sources import KernelSource

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def _say(lines: Sequence[object]) -> None:
    """Print lines on stderr, each through the last personal-data net (:func:`toolkit.inputs.privacy.redact`)."""
    for line in lines:
        for part in str(line).splitlines() or [""]:
            click.echo(redact(part), err=True)


def _fail_with(errors: Sequence[object], code: int) -> None:
    _say(errors)
    sys.exit(code)


F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(toolkit_error: int = EXIT_FAILED) -> Callable[[F], F]:
    """The one place errors become exit codes: bad input (every problem, one line each) exits 2;
    any other :class:`ToolkitError` or an operating-system error exits ``toolkit_error``."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return command(*args, **kwargs)
            except ValidationFailed as exc:
                _fail_with(exc.errors, EXIT_BAD_INPUT)
            except InputError as exc:
                _fail_with([exc], EXIT_BAD_INPUT)
            except ToolkitError as exc:
                _fail_with([str(exc)], toolkit_error)
            except OSError as exc:
                _fail_with([f"{exc.filename or 'peer-review'}: {exc.strerror or exc.__class__.__name__}"],
                           toolkit_error)
            return None

        return run  # type: ignore[return-value]

    return decorate


def _check_all(params: tuple[Path, ...]) -> list[Review]:
    """Load and check every review (exit 2 listing every problem); print the warnings of those
    that pass; return the reviews, each loaded once, for the command to use."""
    checked = [check(p) for p in params]
    problems = [e for c in checked for e in c.errors]
    if problems:
        _fail_with(problems, EXIT_BAD_INPUT)
    _say([w for c in checked for w in c.warnings])
    return [c.review for c in checked if c.review is not None]


def _build_each(params: tuple[Path, ...], reports: Path | None, build: Callable[[Review, Path | None], Any]) -> None:
    """Validate every review first (exit 2 listing every problem), then build each in turn from
    the review validated (no second load).

    Ctrl-C, SIGTERM or SIGHUP stop the draft under way; once its clean-up is done (its kernel
    killed, its temporary folder removed) the process ends at once, with 128 + the signal's
    number, rather than spend seconds tearing down the libraries it loaded."""
    try:
        for review in _check_all(params):
            result = build(review, reports)
            click.echo(str(result.letter))
            for note in getattr(result, "notes", ()):
                click.echo(note, err=True)
    except KeyboardInterrupt as exc:
        signum = int(getattr(exc, "signum", signal.SIGINT))
        _say([f"peer-review: stopped ({signal.Signals(signum).name}): the draft under way was not written, "
              "and its kernel and temporary folder are gone"])
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + signum)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="send-peer-review-toolkit")
def main() -> None:
    """Draft SEND peer-challenge letters from what a review team gathers on site."""


@main.command()
@click.argument("params", nargs=-1, required=True, type=click.Path(path_type=Path))
@reports_errors()
def validate(params: tuple[Path, ...]) -> None:
    """Check every input of each review; print every problem (exit 2 if any) and warning."""
    _check_all(params)
    for p in params:
        click.echo(f"{p}: ok")


def _kernels() -> KernelSource:
    """Where this command's kernels come from, chosen once: forked from the drafting daemon that
    runs the command (it says so in click's context object), otherwise started anew."""
    from toolkit.build.processes.sources import kernel_source

    return kernel_source(click.get_current_context().obj)


_time_limit = click.option("--time-limit", type=click.FloatRange(min=0), default=DRAFT_SECONDS, show_default=True,
                           help="Seconds one draft may take before it is stopped; 0 for no limit.")


@main.command()
@click.argument("params", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--reports", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the reports (default: reports/ beside params/).")
@_time_limit
@reports_errors()
def draft(params: tuple[Path, ...], reports: Path | None, time_limit: float) -> None:
    """Build the letter draft of each review: reports/<review>/letter.html."""
    from toolkit.build.render import draft as draft_review

    _build_each(params, reports, functools.partial(draft_review, kernels=_kernels(), time_limit=time_limit or None))


@main.command()
@click.argument("params", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--reports", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the reports (default: reports/ beside params/).")
@_time_limit
@reports_errors()
def briefing(params: tuple[Path, ...], reports: Path | None, time_limit: float) -> None:
    """Build the pre-visit briefing pack of each review: reports/<review>/briefing.html."""
    from toolkit.build.render import briefing as build_briefing

    _build_each(params, reports, functools.partial(build_briefing, kernels=_kernels(), time_limit=time_limit or None))


@main.command()
@click.argument("params", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The round's report folder, reports/<round>/ (its name names the round).")
@click.option("--format", "formats", multiple=True, type=click.Choice(["html", "docx", "pdf"]),
              help="Outputs besides the notebook and the HTML (default: docx and pdf); repeat for several.")
@click.option("--anonymise", is_flag=True,
              help="Areas as Area A, Area B...: no authority, place or person named, and no group or figure "
                   "that would identify an area (fewer than three areas, a rank, a unique value).")
@reports_errors()
def themes(params: tuple[Path, ...], out: Path, formats: tuple[str, ...], anonymise: bool) -> None:
    """Build the themes report of a round: every review the files or folders name, in one report
    (themes.html, .docx, .pdf and the executed notebook in --out)."""
    from toolkit.build.themes import OUTPUTS, build_themes

    result = build_themes(params, out, outputs=formats or OUTPUTS, anonymise=anonymise, kernels=_kernels())
    click.echo(str(result.folder / "themes.html"))
    _say(result.notes)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Parallel worker processes (default: the number of cores).")
@click.option("--timeout", type=click.FloatRange(min=0), default=600.0, show_default=True,
              help="Seconds one review may take before it is stopped; 0 for no limit.")
@click.option("--reports", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the reports (default: reports/ beside each params/).")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
@click.option("--reuse-kernels", is_flag=True, help="Each worker keeps one kernel, reset between reviews (faster).")
@click.option("--force", is_flag=True, help="Draft every review again, even those whose report is up to date.")
@reports_errors()
def batch(paths: tuple[Path, ...], workers: int | None, timeout: float | None, reports: Path | None,
          progress: bool, reuse_kernels: bool, force: bool) -> None:
    """Draft many reviews in parallel: PARAMS files, or folders of them (a project's params/)."""
    from toolkit.build.batch import ProgressBarReporter, collect_params, run_batch, summary_table

    if not collect_params(paths):
        _fail_with(["no parameters files found in " + ", ".join(map(str, paths))], EXIT_BAD_INPUT)
    result = run_batch(paths, workers=workers, timeout=timeout, reports=reports,
                       reporter=ProgressBarReporter(progress), reuse_kernels=reuse_kernels, force=force)
    click.echo(summary_table(result))
    sys.exit(result.exit_code)


@main.command()
@click.argument("report", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Project root (default: the folder above the report holding its params file).")
@reports_errors()
def verify(report: Path, root: Path | None) -> None:
    """Rebuild a report from its inputs and compare it byte for byte (exit 1 if it differs)."""
    from toolkit.build.verify import verify as verify_report

    result = verify_report(report, root, kernels=_kernels())
    for line in result.lines():
        click.echo(line)
    sys.exit(0 if result.identical else EXIT_FAILED)


@main.command()
@click.option("--reviews", "-n", type=click.IntRange(min=1), default=20, help="How many reviews.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Project folder to write (params/ and data/).")
@click.option("--seed", type=int, default=0, help="Random seed: the same seed gives the same files.")
@reports_errors()
def demo(reviews: int, out: Path, seed: int) -> None:
    """Write N fictional reviews (parameters and findings) for batch runs and benchmarks."""
    from toolkit.demo.reviews import generate

    project = generate(out, reviews, seed)
    for line in project.describe():
        click.echo(line)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--authority", "-a", default=None,
              help="Local authority name, ONS code or old three-digit code (without it: list the files' measure "
                   "columns and print catalogue entries to start from).")
@click.option("--period", "-p", default=None, help="Period to report, e.g. 2022 or 202223 (default: the latest).")
@click.option("--neighbours", default="", help="Statistical neighbours' codes, separated by commas.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True)
@click.option("--catalogue", "catalogue", type=click.Path(path_type=Path), default=None,
              help="An indicator catalogue of your own (YAML), merged over the shipped one.")
@reports_errors(toolkit_error=EXIT_BAD_INPUT)
def indicators(files: tuple[Path, ...], authority: str | None, period: str | None, neighbours: str, fmt: str,
               catalogue: Path | None) -> None:
    """Print an authority's indicators with England, region, neighbours, rank, band and direction."""
    from toolkit.letter.indicator_report import indicators_report, measures_listing

    if authority is None:
        click.echo(measures_listing(list(files), catalogue=catalogue), nl=False)
        return
    codes = [c.strip() for c in neighbours.split(",") if c.strip()]
    table_format: Literal["table", "csv"] = "csv" if fmt == "csv" else "table"
    click.echo(indicators_report(list(files), authority, period=period, neighbours=codes, fmt=table_format,
                                 warn=lambda line: click.echo(redact(line), err=True), catalogue=catalogue), nl=False)


@main.command("new")
@click.argument("authority")
@click.option("--dates", required=True, multiple=True, help="The visit days, YYYY-MM-DD, separated by commas.")
@click.option("--member", "members", multiple=True,
              help='A peer: "Name; Role; Organisation" (repeat; the first leads).')
@click.option("--team", "team_file", type=click.Path(path_type=Path),
              help="A CSV of the team: name, role, organisation, lead.")
@click.option("--lead", help="The team member who leads (default: the file's lead, else the first).")
@click.option("--framework", default="send-2025", show_default=True, help="A shipped KLOE framework, or a path.")
@click.option("--id", "review_id", help="The review's id (default: <authority>-<year>).")
@click.option("--presentation", help="The presentation day (default: the day after the visit).")
@click.option("--coordinator", help='"Name; Role; Organisation" of the programme\'s coordinator.')
@click.option("--programme", default="SEND Peer Review", show_default=True, help="The programme's name.")
@click.option("--sequence", type=click.IntRange(min=1), default=1, show_default=True,
              help="This activity's number in the regional programme.")
@click.option("--dfe-data", "dfe_data", multiple=True, type=click.Path(path_type=Path),
              help="DfE CSVs or folders listing the authorities (default: PEER_REVIEW_DFE_DATA, else "
                   "data/performance and data/dfe).")
@click.option("--neighbours-file", type=click.Path(path_type=Path),
              help="DfE's statistical neighbour workbook (sn_may_2025.xlsx) or its sheet as CSV.")
@click.option("--root", type=click.Path(path_type=Path), default=Path("."), help="The project folder (default: here).")
@reports_errors()
def new(authority: str, dates: tuple[str, ...], members: tuple[str, ...], team_file: Path | None, lead: str | None,
        framework: str, review_id: str | None, presentation: str | None, coordinator: str | None, programme: str,
        sequence: int, dfe_data: tuple[Path, ...], neighbours_file: Path | None, root: Path) -> None:
    """Start a review: its parameters, the reviewers' workbooks and what is left to fill in."""
    from toolkit.capture.newreview import NewReview, start_review

    request = NewReview(authority, dates, members, team_file, lead, framework, review_id, presentation,
                        coordinator, programme, sequence, dfe_data, neighbours_file)
    for line in start_review(root.resolve(), request).lines(root.resolve()):
        click.echo(line)


@main.command()
@click.argument("params", type=click.Path(path_type=Path))
@click.option("--port", type=int, default=None, help="Port (default: 8866, or a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but localhost requires the printed access token.")
@click.option("--open", "open_browser", is_flag=True, help="Open the app in a browser.")
@click.option("--certfile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Your organisation's HTTPS certificate (PEM) instead of the review's own.")
@click.option("--keyfile", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The private key of --certfile (if not in the same file).")
@click.option("--ready-kernels", type=click.IntRange(1, 8), default=2, show_default=True,
              envvar="PEER_REVIEW_READY_KERNELS",
              help="Kernels kept ready, so that pages opened together open at once (about 120 MB each).")
@reports_errors()
def capture(params: Path, port: int | None, host: str, open_browser: bool, certfile: Path | None,
            keyfile: Path | None, ready_kernels: int) -> None:
    """Serve the reviewers' capture app for a review (prints its URLs; Ctrl+C stops it)."""
    from toolkit.capture.server import serve
    from toolkit.capture.store import open_review

    review = open_review(params)
    code = serve(params, port=port, host=host, open_browser=open_browser, echo=lambda s: click.echo(s),
                 review=review, certfile=certfile, keyfile=keyfile, pool_size=ready_kernels)
    sys.exit(code)


@main.command("capture-export")
@click.argument("params", type=click.Path(path_type=Path))
@click.option("--reviewer", required=True, help="Team member whose workbook this is.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Workbook to write (.xlsx).")
@click.option("--blank", is_flag=True, help="No entries, only the lists and the checklist prompts.")
@reports_errors()
def capture_export(params: Path, reviewer: str, out: Path, blank: bool) -> None:
    """Write a reviewer's findings and checklist workbook (blank or filled) for Excel."""
    from toolkit.capture.store import open_review
    from toolkit.capture.workbook import export_workbook

    p, scope, root = open_review(params)
    click.echo(str(export_workbook(p, scope, root, reviewer, out, blank=blank)))


@main.command("capture-import")
@click.argument("params", type=click.Path(path_type=Path))
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="List every change the import would make; write nothing.")
@reports_errors()
def capture_import(params: Path, workbook: Path, dry_run: bool) -> None:
    """Check a filled workbook and merge it into the reviewers' capture files (nothing written on error)."""
    from toolkit.capture.store import open_review
    from toolkit.capture.workbook import import_workbook

    p, scope, root = open_review(params)
    for line in import_workbook(p, scope, root, workbook, dry_run=dry_run).lines():
        click.echo(line)


@main.command("progress-export")
@click.argument("params", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Workbook to write (.xlsx).")
@reports_errors()
def progress_export(params: Path, out: Path) -> None:
    """Write the previous review's areas and urgent actions as a workbook for the team to mark."""
    from toolkit.capture.progress_workbook import export_progress_workbook
    from toolkit.review import load_review

    click.echo(str(export_progress_workbook(load_review(params), out)))


@main.command()
@click.argument("action", type=click.Choice(["status", "stop"]), default="status")
@click.option("--all", "every", is_flag=True, help="Every drafting daemon of this user, not only this project's.")
def daemon(action: str, every: bool) -> None:
    """This project's drafting daemons, that keep draft, briefing and validate quick: list them, or stop them."""
    from toolkit.build.processes import daemon as drafting

    if action == "stop":
        click.echo(f"stopped {drafting.stop(every)} drafting daemon(s)")
        return
    running = drafting.daemons(every=True)
    shown = {path: answer for path, answer in running.items() if every or drafting.is_ours(answer)}
    click.echo(f"{len(shown)} drafting daemon(s) running" + ("" if drafting.enabled() else
                                                             f"; {drafting.DAEMON_ENV}=off: none is used"))
    for path, answer in shown.items():
        click.echo(f"  {path}" + (f" ({answer.get('toolkit', 'an older toolkit')})" if every else ""))
    if len(shown) < len(running):
        click.echo(f"  and {len(running) - len(shown)} of other projects (peer-review daemon status --all)")


@main.command("capture-purge")
@click.argument("params", type=click.Path(path_type=Path))
@reports_errors()
def capture_purge(params: Path) -> None:
    """Remove from the review's capture journals every entry that looks like a child's personal data."""
    from toolkit.capture.journal import purge_journals, purge_lines
    from toolkit.capture.store import open_review

    p, _, root = open_review(params)
    report = purge_journals(p, root)
    for line in purge_lines(report, root):
        click.echo(line)
    if report.still_current:
        _fail_with(list(report.still_current), EXIT_FAILED)


@main.command()
@click.argument("params", type=click.Path(path_type=Path))
@click.argument("copy", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="List every change the copy makes; write nothing.")
@click.option("--force", is_flag=True, help="Absorb changes to parts that changed since the copy's draft.")
@reports_errors()
def absorb(params: Path, copy: Path, dry_run: bool, force: bool) -> None:
    """Read a coordinator's edited copy of letter.docx and list, part by part, what it changes
    (docs/word-round-trip.md)."""
    from toolkit.letter.absorb import read_changes, review_report

    review = _check_all((params,))[0]
    changes = read_changes(review, copy)
    for line in review_report(review, changes):  # the write-back's summary says what was written
        click.echo(redact(line))
    from toolkit.capture.absorb_check import absorb_copy

    lines, clean = absorb_copy(review, params, copy, changes, force=force, dry_run=dry_run,
                               load=lambda p: _check_all((p,))[0])
    for line in lines:
        click.echo(line)
    if not clean:
        sys.exit(EXIT_FAILED)  # conflicts listed above: nothing of theirs was written


if __name__ == "__main__":  # pragma: no cover
    main()
