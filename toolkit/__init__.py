"""SEND peer-review toolkit: from what a review team gathers to a draft peer-challenge letter.

Stages, each a subpackage, imports pointing down only (docs/architecture.md):
``cli`` > ``capture`` | ``demo`` > ``build`` > ``letter`` > ``review`` > ``analysis`` > ``inputs``
> ``errors`` | ``wording``.

The notebooks' own names: the letter and briefing notebooks (and every executed notebook kept as
a review's record) import ``from toolkit import auditreport, letter, perfletter, summary`` and
``briefing``; the themes notebook imports ``themes``. Those names stay stable, so a kept record
re-runs unchanged; they are loaded only when a notebook asks for them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from toolkit.errors import BuildError, InputError, ToolkitError, ValidationFailed

__version__ = "0.1.0"

#: Names the notebooks import from ``toolkit``, and the modules they stand for.
NOTEBOOK_MODULES = {
    "auditreport": "toolkit.letter.audit",
    "perfletter": "toolkit.letter.performance",
    "summary": "toolkit.letter.working_views",
    "briefing": "toolkit.letter.briefing",
    "themes": "toolkit.letter.themes_report",
}

__all__ = [
    "BuildError",
    "InputError",
    "NOTEBOOK_MODULES",
    "ToolkitError",
    "ValidationFailed",
    "__version__",
]


def __getattr__(name: str) -> ModuleType:
    """``from toolkit import summary`` (and the other notebook names) loads the module on demand."""
    if name in NOTEBOOK_MODULES:
        module = importlib.import_module(NOTEBOOK_MODULES[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
