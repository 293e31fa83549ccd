"""Kernel management for running notebooks: a registered kernel and IPC transport.

Kernels talk over IPC sockets in a private temporary folder rather than TCP ports on localhost:
nothing listens on the network, and kernels started at the same moment in parallel workers
cannot race for the same port (``ZMQError: Address already in use``).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from ipykernel.kernelspec import install
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, default

KERNEL_NAME = "peer-review"

_kernel_peak_kb = 0  # the largest VmHWM of any kernel this process has shut down


def process_peak_kb(pid: int | str = "self") -> int:
    """Peak resident memory (``VmHWM``, KB) of a live process, from /proc; 0 when unreadable.

    Unlike ``ru_maxrss`` of a child, this counts the process's own pages only: a kernel's
    figure does not start at the size of the worker that started it.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def kernel_peak_kb() -> int:
    """The largest peak resident memory (KB) of the kernels this process has shut down so far."""
    return _kernel_peak_kb


def kernel_pid(km: Any) -> int | None:
    """Process id of a kernel manager's running kernel, if there is one."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    pid = getattr(process, "pid", None)
    return pid if isinstance(pid, int) else None


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on IPC sockets in its own temporary folder."""
    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("ip")
    def _ip_default(self) -> str:
        self._ipc_dir = tempfile.mkdtemp(prefix="peer-review-kernel-")
        return str(Path(self._ipc_dir) / "kernel")

    def client(self, **kwargs: Any) -> Any:
        """A client of this kernel, remembered so that :meth:`close_clients` can close it.

        papermill (nbclient) leaves the client it makes open when it did not start the kernel
        itself (an early, forked or warm kernel): its heartbeat thread, sockets and event loop
        would stay, about a dozen descriptors per review in a worker, and a warm kernel's iopub
        socket would go on receiving, and keeping, every later review's output.
        """
        kc = super().client(**kwargs)
        self.__dict__.setdefault("_made", []).append(kc)
        return kc

    def close_clients(self) -> None:
        for kc in self.__dict__.pop("_made", []):
            kc.stop_channels()

    def _note_peak(self) -> None:
        global _kernel_peak_kb
        pid = kernel_pid(self)
        if pid is not None:
            _kernel_peak_kb = max(_kernel_peak_kb, process_peak_kb(pid))

    async def _async_request_shutdown(self, restart: bool = False) -> None:
        self._note_peak()  # the last moment the kernel's /proc entry is sure to be there
        await super()._async_request_shutdown(restart=restart)

    async def _async_kill_kernel(self, restart: bool = False) -> None:
        self._note_peak()
        await super()._async_kill_kernel(restart=restart)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        folder = getattr(self, "_ipc_dir", None)
        if folder and not restart:
            shutil.rmtree(folder, ignore_errors=True)


def ensure_kernel(name: str = KERNEL_NAME) -> None:
    """Register the notebooks' kernel for this Python environment if it is missing."""
    if name in KernelSpecManager().find_kernel_specs():
        return
    install(kernel_name=name, display_name="Python (peer-review)", prefix=sys.prefix)
