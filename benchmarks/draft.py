"""The floor and one draft, in the benchmark's own warm process.

The floor is papermill running a notebook that only does the letter notebook's imports, then
nbconvert on it, with the same kernel, kernel manager and papermill options as
:func:`toolkit.build.render.draft`: the ratio draft/floor is what the toolkit adds on top of the
notebook machinery itself. Floors and drafts are interleaved so that both see the same load.
"""

from __future__ import annotations

import ast
import statistics
import tempfile
import time
from dataclasses import dataclass
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

    from toolkit.build.kernels import KERNEL_NAME, IPCKernelManager

    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        src = floor_notebook(notebook, Path(tmp))
        started = time.perf_counter()
        nb = pm.execute_notebook(str(src), str(Path(tmp) / "out.ipynb"), parameters={}, kernel_name=KERNEL_NAME,
                                 cwd=str(cwd), progress_bar=False, log_output=False,
                                 request_save_on_cell_execute=False, kernel_manager_class=IPCKernelManager)
        HTMLExporter(template_name="basic").from_notebook_node(nb)
        return time.perf_counter() - started


@dataclass(frozen=True)
class SingleResult:
    floor: list[float]
    draft: list[float]

    @property
    def floor_median(self) -> float:
        return statistics.median(self.floor)

    @property
    def draft_median(self) -> float:
        return statistics.median(self.draft)

    @property
    def ratio(self) -> float:
        return self.draft_median / self.floor_median


def time_draft(params: Path, reports: Path) -> float:
    from toolkit.build.render import draft

    started = time.perf_counter()
    draft(params, reports)
    return time.perf_counter() - started


def run_single(params: Path, repeats: int) -> SingleResult:
    """Median of ``repeats`` floors and drafts, after one warm-up of each (imports, caches)."""
    from toolkit.build.render import notebook_path
    from toolkit.inputs.params import project_root_for

    root = project_root_for(params)
    floors, drafts = [], []
    with tempfile.TemporaryDirectory(prefix="bench-single-") as tmp:
        run_floor_once(notebook_path(), root)
        time_draft(params, Path(tmp))
        for _ in range(repeats):
            floors.append(run_floor_once(notebook_path(), root))
            drafts.append(time_draft(params, Path(tmp)))
    return SingleResult(floors, drafts)
