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

from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum, default

KERNEL_NAME = "peer-review"


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on IPC sockets in its own temporary folder."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)  # type: ignore[assignment]

    @default("ip")
    def _ip_default(self) -> str:
        self._ipc_dir = tempfile.mkdtemp(prefix="peer-review-kernel-")
        return str(Path(self._ipc_dir) / "kernel")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        folder = getattr(self, "_ipc_dir", None)
        if folder and not restart:
            shutil.rmtree(folder, ignore_errors=True)


def ensure_kernel(name: str = KERNEL_NAME) -> None:
    """Register the notebooks' kernel for this Python environment if it is missing."""
    from jupyter_client.kernelspec import KernelSpecManager

    if name in KernelSpecManager().find_kernel_specs():
        return
    from ipykernel.kernelspec import install

    install(kernel_name=name, display_name="Python (peer-review)", prefix=sys.prefix)
