"""A warm kernel for batch workers: one kernel drafts many reviews, reset to a fresh state between them.

A fresh kernel costs its start-up and the letter notebook's imports (pandas, matplotlib, the
toolkit) on every review; that is most of a draft. A :class:`WarmKernel` pays them once per
worker and, before each review, puts the kernel back in the state a fresh kernel would be in
after those imports:

- the user namespace, ``In``/``Out`` and the ``_`` variables are cleared (IPython's ``reset``)
  and the execution counter goes back to 1, so execution counts in the notebook are the same;
- the working folder is the review's project root, as papermill's ``cwd`` would make it;
- matplotlib's settings and open figures, and the warning filters (and the "already shown"
  registries) are put back as they were right after the imports, so a warning shown once by a
  fresh kernel is shown again.

Imported modules stay imported: that is the saving. A review whose notebook fails discards the
kernel (the next review gets a new one). ``peer-review batch --reuse-kernels`` uses it; the
tests build the same reviews with fresh and warm kernels and compare the bytes.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import nbformat
from jupyter_core.utils import run_sync

from toolkit.build.kernels import KERNEL_NAME, IPCKernelManager, kernel_pid, process_peak_kb
from toolkit.build.notebooks import notebook_path
from toolkit.build.render import DraftResult, draft
from toolkit.errors import BuildError, ValidationFailed
from toolkit.inputs.params import project_root_for

#: Run once, silently, when the kernel starts: the notebook's own imports, then a snapshot of the
#: state they leave. ``{imports}`` is replaced by the notebook's import statements.
_SNAPSHOT = '''
import sys as _sys, types as _types
exec(compile(r"""
import sys, matplotlib, warnings
{imports}
rc = dict(matplotlib.rcParams)
filters = list(warnings.filters)

def reset(ip, cwd):
    import os
    ip.reset(new_session=False)
    ip.execution_count = 1
    os.chdir(cwd)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    matplotlib.rcParams.update(rc)
    warnings.filters[:] = filters
    warnings._filters_mutated()
""", "<peer-review warm kernel>", "exec"),
     _sys.modules.setdefault("_peer_review_warm", _types.ModuleType("_peer_review_warm")).__dict__)
del _sys, _types
'''

_RESET = '__import__("sys").modules["_peer_review_warm"].reset(get_ipython(), {cwd!r})'


def notebook_imports(notebook: Path) -> list[str]:
    """Every top-level import statement in the code cells of a notebook, in order."""
    nb = nbformat.read(str(notebook), as_version=4)  # type: ignore[no-untyped-call]
    lines: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        lines += [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    return lines


class WarmKernel:
    """A kernel kept alive across reviews by one worker (see the module's docstring)."""
    def __init__(self, notebook: Path, kernel_name: str = KERNEL_NAME, start_timeout: float = 120.0) -> None:
        self.km = IPCKernelManager(kernel_name=kernel_name)  # it remembers papermill's clients
        run_sync(self.km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        self.kc: Any = self.km.blocking_client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=start_timeout)
        self.reviews = 0
        imports = "\n".join(notebook_imports(notebook))
        self._run(_SNAPSHOT.replace("{imports}", imports), timeout=start_timeout)

    def _run(self, code: str, timeout: float = 60.0) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise BuildError(f"the warm kernel could not be reset: {content.get('ename')}: {content.get('evalue')}")

    def prepare(self, cwd: Path) -> IPCKernelManager:
        """Reset the kernel for the next review (run from ``cwd``); return its kernel manager."""
        self.km.close_clients()
        self._run(_RESET.format(cwd=str(Path(cwd).resolve())))
        self.reviews += 1
        return self.km

    def alive(self) -> bool:
        return bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        try:
            self.km.close_clients()
            self.kc.stop_channels()
        finally:
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=False)


class KernelKeeper:
    """A batch worker's warm kernel: started on first use, reset per review, replaced after a failure."""
    def __init__(self, notebook: Path | None = None, kernel_name: str = KERNEL_NAME) -> None:
        self.notebook = notebook
        self.kernel_name = kernel_name
        self.kernel: WarmKernel | None = None

    def draft(self, params: Path, reports: Path | None) -> DraftResult:
        """:func:`toolkit.build.render.draft` on the warm kernel; returns its ``DraftResult``."""
        if self.kernel is not None and not self.kernel.alive():
            self.close()
        if self.kernel is None:
            self.kernel = WarmKernel(self.notebook or notebook_path(), self.kernel_name)
        km = self.kernel.prepare(project_root_for(Path(params)))
        try:
            result = draft(params, reports, kernel_name=self.kernel_name, kernel_manager=km)
            self.kernel.km.close_clients()
            return result
        except ValidationFailed:
            raise  # refused before the notebook ran: the kernel is untouched
        except BaseException:
            self.close()  # a failed notebook may leave any state behind: start afresh next time
            raise

    def kernel_kb(self) -> int:
        """Peak resident memory of the warm kernel so far (KB, VmHWM), 0 when there is none."""
        pid = kernel_pid(self.kernel.km) if self.kernel is not None else None
        return process_peak_kb(pid) if pid is not None else 0

    def close(self) -> None:
        if self.kernel is not None:
            kernel, self.kernel = self.kernel, None
            kernel.shutdown()
