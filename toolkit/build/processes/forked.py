"""Kernels forked from a fork server (:mod:`toolkit.build.processes.forkserver`) instead of started anew.

:class:`ForkKernelManager` is the toolkit's IPC kernel manager with one difference: its kernel
process comes from the fork server named by ``fork_server``, already past the letter notebook's
imports. Everything else (connection file, command line, working folder, environment, shutdown,
interrupts) is jupyter_client's own. When the server cannot take the request (it has gone, or
it runs another Python) the kernel is started the usual way: a fork server makes kernels
faster, never different, and never makes a draft fail.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from traitlets import Unicode

from toolkit.build.kernels import IPCKernelManager
from toolkit.build.processes.protocol import ForkServerError, request, wait_exit


class ForkedProcess:
    """The part of :class:`subprocess.Popen` that a provisioner uses, for a forked kernel.

    The kernel is the fork server's child, not ours: its exit arrives as a message on the
    request's connection, and closing that connection makes the server kill it.
    """

    stdin = stdout = stderr = None

    def __init__(self, sock: socket.socket, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._sock = sock

    def _collect(self) -> None:
        code = wait_exit(self._sock)
        self.returncode = code if code is not None else -signal.SIGKILL
        self._sock.close()

    def _readable(self, timeout: float | None) -> bool:
        poller = select.poll()  # not select(): a worker's descriptors may number above 1024
        poller.register(self._sock, select.POLLIN | select.POLLHUP)
        return bool(poller.poll(None if timeout is None else int(timeout * 1000)))

    def poll(self) -> int | None:
        if self.returncode is None and self._readable(0):
            self._collect()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not self._readable(timeout):
                raise subprocess.TimeoutExpired(["forked kernel", str(self.pid)], timeout or 0)
            self._collect()
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching through a fork server when it can."""

    fork_server = Unicode("")
    forked = False  # whether the running kernel came from the fork server

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        self.forked = False
        if self.fork_server:
            env = dict(kwargs.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
            message = {"kind": "kernel", "cmd": list(cmd), "cwd": str(kwargs.get("cwd") or os.getcwd()), "env": env}
            try:
                sock, pid = request(Path(self.fork_server), message, fds=(1, 2))
            except ForkServerError as exc:
                self.log.debug("kernel started anew: %s", exc)
            else:
                self.process = ForkedProcess(sock, pid)  # type: ignore[assignment]
                self.pid = self.pgid = pid
                self.cwd = kwargs.get("cwd", Path.cwd())
                self.forked = True
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)


class ForkKernelManager(IPCKernelManager):
    """An IPC kernel manager whose kernels are forked from ``fork_server`` (a socket path; empty:
    started anew)."""

    fork_server = Unicode("", config=True)

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        server = self.fork_server
        if self.provisioner is None and server:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                               parent=self, fork_server=server)
        return await super()._async_pre_start_kernel(**kw)


def forked(km: Any) -> bool:
    """Whether a kernel manager's running kernel came from a fork server."""
    return bool(getattr(getattr(km, "provisioner", None), "forked", False))
