"""Where a draft's kernel comes from: the one seam between rendering and the process machinery.

:func:`toolkit.build.render.build_report` runs its notebook on the kernel a :class:`KernelSource`
lends it, and does not know which kind it is. The caller chooses the source once and passes it in,
as papermill hands execution to an ``Engine`` and httpx sends through a ``Transport``:

* :class:`StartedKernels` — a fresh kernel for each draft, started while the inputs are validated.
  With ``fork_server`` (a socket path) it is forked from that fork server, already past the letter
  notebook's imports (:mod:`.forked`), and started anew when the server cannot serve it. The CLI's
  choice (:func:`kernel_source`: a command run by the drafting daemon forks from the daemon), and a
  batch worker's for a round of fresh kernels;
* :class:`toolkit.build.processes.warm.WarmKernels` — one kernel kept by a batch worker and reset
  between reviews (``peer-review batch --reuse-kernels``);
* :class:`PapermillKernels` — none lent: papermill starts the kernel itself (the tests compare it).

A source's :meth:`KernelSource.kernel` is a context manager, and the one place a draft's kernel is
ended: leaving its block shuts a fresh kernel down (killed first when the draft failed or was
stopped), or hands a warm one back to its keeper.
"""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from jupyter_core.utils import run_sync

from toolkit.build.processes.forked import ForkKernelManager


class Kernel(Protocol):
    """A kernel lent to one draft."""

    def manager(self) -> Any | None:
        """The running kernel's manager, for papermill's ``km``; ``None``: papermill starts one itself.
        Waits until the kernel has started."""

    def kill(self) -> None:
        """Kill the kernel at once (SIGKILL), from any thread: the draft's time limit passed, or it
        was stopped. Nothing when there is none."""


class KernelSource(Protocol):
    """Where the kernels of drafts come from (see the module's notes)."""

    def kernel(self, kernel_name: str, cwd: Path) -> AbstractContextManager[Kernel]:
        """A kernel for one draft run from ``cwd``, for the length of the ``with`` block."""


def kill_kernel(km: Any) -> None:
    """Kill ``km``'s kernel process at once (SIGKILL), from any thread; nothing when it has none."""
    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    if isinstance(pid, int) and pid > 0:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


_START_LOCK = threading.Lock()


@functools.cache
def _start_loop() -> asyncio.AbstractEventLoop:
    """The one event loop early kernels are started on, in their threads one at a time: a loop
    per thread, left open for the kernel manager, would keep its descriptors for every draft a
    batch worker makes."""
    return asyncio.new_event_loop()


class _EarlyKernel:
    """A fresh kernel started in the background while the inputs are validated.

    Starting a kernel is mostly waiting for another process, so it overlaps the validation.
    The kernel is as fresh as the one papermill would start (same kernel, working folder and
    arguments) and serves this one review only.
    """

    def __init__(self, kernel_name: str, cwd: Path, fork_server: str) -> None:
        self.km = ForkKernelManager(kernel_name=kernel_name, fork_server=fork_server)
        self.error: Exception | None = None
        # waited for on an Event, not with Thread.join: a join interrupted by Ctrl-C can leave the
        # thread looking finished while it still starts the kernel (CPython gh-90882), and the
        # shutdown that follows would miss the kernel and leave it running
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._start, args=(cwd,), daemon=True)
        self._thread.start()

    def _start(self, cwd: Path) -> None:
        try:  # nbclient starts its kernels with an in-memory history, and so does this
            with _START_LOCK:
                _start_loop().run_until_complete(self.km.start_kernel(
                    cwd=str(cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"]))
        except Exception as exc:  # papermill will start its own kernel instead, and report its error
            self.error = exc
        finally:
            self._started.set()

    def manager(self) -> ForkKernelManager | None:
        self._started.wait()
        return self.km if self.error is None and self.km.has_kernel else None

    def kill(self) -> None:
        kill_kernel(self.km)

    def end(self, failed: bool) -> None:
        """Stop the kernel: at once (SIGKILL), since it has nothing left to do for this review.

        By the time this runs papermill has every output, and the kernel keeps nothing on disk (its
        history is in memory), so waiting for a polite shutdown (a shutdown request, then ~0.4 s
        while the kernel process tears itself down) would only delay the draft. A draft that failed
        or was stopped has its kernel killed first, whatever state its client is in.
        """
        self._started.wait()
        self.km.close_clients()  # papermill's client of a kernel it did not start (kernels.py)
        if failed:
            kill_kernel(self.km)
        if self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)


class StartedKernels:
    """A fresh kernel per draft, started early; forked from ``fork_server`` when one is given."""

    def __init__(self, fork_server: str = "") -> None:
        self.fork_server = fork_server

    @contextmanager
    def kernel(self, kernel_name: str, cwd: Path) -> Iterator[Kernel]:
        early = _EarlyKernel(kernel_name, cwd, self.fork_server)
        failed = True
        try:
            yield early
            failed = False
        finally:
            early.end(failed)


class _PapermillsOwn:
    def manager(self) -> None:
        return None

    def kill(self) -> None:
        """papermill's own kernel is papermill's to end."""


class PapermillKernels:
    """No kernel lent: papermill starts the draft's kernel itself, and shuts it down."""

    @contextmanager
    def kernel(self, kernel_name: str, cwd: Path) -> Iterator[Kernel]:
        yield _PapermillsOwn()


def kernel_source(context_object: object = None) -> KernelSource:
    """The CLI's choice: kernels forked from the drafting daemon when the command runs in one
    (click's context object says which, :func:`toolkit.build.processes.children.run_command`),
    otherwise fresh kernels started anew."""
    server = context_object.get("fork_server") if isinstance(context_object, dict) else None
    return StartedKernels(server if isinstance(server, str) else "")
