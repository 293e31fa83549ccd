"""Where the toolkit's notebooks are: the project's ``notebooks/`` folder in a checkout, else the
copies shipped inside the package (a wheel install: ``setup.py`` copies ``notebooks/*.ipynb`` into
the wheel as ``toolkit/notebooks/``)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).parents[1]


def notebook_path(name: str = "letter.ipynb") -> Path:
    """The project's notebook (``notebooks/``), else the copy shipped in the package."""
    project = PACKAGE_DIR.parent / "notebooks" / name
    return project if project.is_file() else PACKAGE_DIR / "notebooks" / name
