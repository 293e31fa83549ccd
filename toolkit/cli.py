"""The ``peer-review`` command: parses arguments and calls the library, nothing more."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.errors import InputError, ToolkitError, ValidationFailed

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def _fail_with(errors: list[InputError] | list[str], code: int) -> None:
    for e in errors:
        click.echo(str(e), err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="send-peer-review-toolkit")
def main() -> None:
    """Draft SEND peer-challenge letters from what a review team gathers on site."""


@main.command()
@click.argument("params", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(params: tuple[Path, ...]) -> None:
    """Check every input of each review; print every problem (exit 2 if any)."""
    from toolkit.review import validate as validate_review

    problems = [e for p in params for e in validate_review(p)]
    if problems:
        _fail_with(problems, EXIT_BAD_INPUT)
    for p in params:
        click.echo(f"{p}: ok")


@main.command()
@click.argument("params", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--reports", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the reports (default: reports/ beside params/).")
def draft(params: tuple[Path, ...], reports: Path | None) -> None:
    """Build the letter draft of each review: reports/<review>/letter.html."""
    from toolkit.render import draft as draft_review
    from toolkit.review import validate as validate_review

    problems = [e for p in params for e in validate_review(p)]
    if problems:
        _fail_with(problems, EXIT_BAD_INPUT)
    for p in params:
        try:
            result = draft_review(p, reports)
        except ValidationFailed as exc:
            _fail_with(exc.errors, EXIT_BAD_INPUT)
        except ToolkitError as exc:
            _fail_with([str(exc)], EXIT_FAILED)
        click.echo(str(result.letter))


if __name__ == "__main__":  # pragma: no cover
    main()
