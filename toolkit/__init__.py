"""SEND peer-review toolkit: from what a review team gathers to a draft peer-challenge letter."""

from toolkit.errors import BuildError, InputError, ToolkitError, ValidationFailed

__version__ = "0.1.0"

__all__ = [
    "BuildError",
    "InputError",
    "ToolkitError",
    "ValidationFailed",
    "__version__",
]
