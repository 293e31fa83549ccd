"""The ``peer-review`` command's entry point: a drafting command goes to the drafting daemon when
one is ready (:mod:`toolkit.build.processes.daemon`), everything else (and a draft with no daemon) to
:func:`toolkit.cli.main` in this process.

Kept to the standard library and the toolkit's hashing, so that handing a draft over costs a few
hundredths of a second rather than the second it takes to import the CLI.
"""

from __future__ import annotations

import sys


def main() -> None:
    from toolkit.build.processes.daemon import delegate

    code = delegate(sys.argv[1:], "toolkit.cli:main")
    if code is not None:
        sys.exit(code)
    from toolkit.cli import main as cli

    cli()
