"""The floor: papermill running a notebook that only does the letter notebook's imports, then nbconvert.

Measured in the benchmark's own (warm) process with the same kernel, kernel manager and papermill
options as :func:`toolkit.render.draft`, so the ratio draft/floor is what the toolkit adds on top
of the notebook machinery itself.
"""

from __future__ import annotations

import ast
import tempfile
import time
from pathlib import Path

import nbformat


def letter_imports(notebook: Path) -> list[str]:
    """Every import statement in the code cells of a notebook, in order."""
    nb = nbformat.read(str(notebook), as_version=4)
    lines: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                lines.append(ast.unparse(node))
    return lines


def floor_notebook(notebook: Path, folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("\n".join(letter_imports(notebook)))]
    nb.metadata["kernelspec"] = {"name": "peer-review", "display_name": "Python (peer-review)", "language": "python"}
    path = folder / "floor.ipynb"
    nbformat.write(nb, str(path))
    return path


def run_floor_once(notebook: Path, cwd: Path) -> float:
    """Seconds for one papermill run of the imports-only notebook plus its nbconvert export."""
    import papermill as pm
    from nbconvert.exporters import HTMLExporter

    from toolkit.kernels import KERNEL_NAME, IPCKernelManager

    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        src = floor_notebook(notebook, Path(tmp))
        started = time.perf_counter()
        nb = pm.execute_notebook(str(src), str(Path(tmp) / "out.ipynb"), parameters={}, kernel_name=KERNEL_NAME,
                                 cwd=str(cwd), progress_bar=False, log_output=False,
                                 request_save_on_cell_execute=False, kernel_manager_class=IPCKernelManager)
        HTMLExporter(template_name="basic").from_notebook_node(nb)
        return time.perf_counter() - started
