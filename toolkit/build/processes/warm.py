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
kernel (the next review gets a new one). ``peer-review batch --reuse-kernels`` uses it
(:class:`WarmKernels`, a :class:`~toolkit.build.processes.sources.KernelSource`); the tests build
the same reviews with fresh and warm kernels and compare the bytes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
from jupyter_core.utils import run_sync

from toolkit.build.kernels import IPCKernelManager, kernel_pid, process_peak_kb
from toolkit.build.notebooks import notebook_path
from toolkit.build.processes.sources import Kernel, kill_kernel
from toolkit.errors import BuildError, ValidationFailed

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
    def __init__(self, notebook: Path, kernel_name: str, start_timeout: float = 120.0) -> None:
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


class _Lent:
    """The warm kernel as one draft sees it."""

    def __init__(self, km: IPCKernelManager) -> None:
        self.km = km

    def manager(self) -> IPCKernelManager:
        return self.km

    def kill(self) -> None:
        kill_kernel(self.km)


class WarmKernels:
    """A batch worker's kernel source: one warm kernel, started on first use, reset before each
    review, kept after a review that succeeded (or was refused before the notebook ran) and
    replaced after one that failed: a failed notebook may leave any state behind."""

    def __init__(self, notebook: Path | None = None) -> None:
        self.notebook = notebook
        self.warm: WarmKernel | None = None

    @contextmanager
    def kernel(self, kernel_name: str, cwd: Path) -> Iterator[Kernel]:
        if self.warm is not None and not self.warm.alive():
            self.close()
        if self.warm is None:
            self.warm = WarmKernel(self.notebook or notebook_path(), kernel_name)
        lent = _Lent(self.warm.prepare(cwd))
        failed = True
        try:
            yield lent
            failed = False
        except ValidationFailed:
            failed = False  # refused before the notebook ran: the kernel is untouched
            raise
        finally:
            if failed:
                self.close()
            else:
                lent.km.close_clients()

    def kernel_kb(self) -> int:
        """Peak resident memory of the warm kernel so far (KB, VmHWM), 0 when there is none."""
        pid = kernel_pid(self.warm.km) if self.warm is not None else None
        return process_peak_kb(pid) if pid is not None else 0

    def close(self) -> None:
        """Shut the warm kernel down (the worker ends, or a review failed on it)."""
        if self.warm is not None:
            warm, self.warm = self.warm, None
            warm.shutdown()
