"""Ships the project's notebooks inside the package, so that a wheel install can draft.

The notebooks live in ``notebooks/`` (kept with their stored outputs, for nbval); a build copies
``notebooks/*.ipynb`` into the wheel as ``toolkit/notebooks/``, where
:func:`toolkit.build.notebooks.notebook_path` (and the capture server) find them outside a
checkout. Everything else about the package is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


class BuildWithNotebooks(build_py):
    """``build_py``, then the project's notebooks copied to ``toolkit/notebooks/``."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads them from notebooks/ itself
            return
        target = Path(self.build_lib) / "toolkit" / "notebooks"
        self.mkpath(str(target))
        for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
            self.copy_file(str(notebook), str(target / notebook.name))


setup(cmdclass={"build_py": BuildWithNotebooks})
