"""What a child of the fork server becomes: a kernel, or a command run as a fresh process would.

The server (:mod:`toolkit.build.processes.forkserver`) forks; the child closes what is the
server's (its socket, its lock, the other requesters' connections) and then either

* becomes ``python -m ipykernel_launcher -f <connection file> ...`` (:func:`become_kernel`), with
  the requester's working folder, environment and streams, its imports already done; or
* calls a click command's entry point (:func:`run_command`, ``module:function``) with the
  requester's arguments, folder, environment and standard streams. The command is told which
  fork server its kernels come from through click's context object
  (``{"fork_server": <socket path>}``): the CLI chooses its kernel source from it
  (:func:`toolkit.build.processes.sources.kernel_source`).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolkit.build.processes.protocol import close_all


def _adopt(message: dict[str, Any], fds: list[int], first_path: str) -> None:
    """Take on the requester's streams, working folder, environment and ``sys.path[0]``."""
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
    close_all([fd for fd in fds if fd > 2])
    os.chdir(message["cwd"])
    os.environ.clear()
    os.environ.update(message["env"])
    if sys.path:
        sys.path[0] = first_path
    encoding = message.get("encoding") or "utf-8"
    errors = message.get("errors") or "strict"
    stdin = open(0, encoding=encoding, closefd=False)  # the process-wide descriptor, not closed here
    sys.stdin = stdin
    setattr(sys, "__stdin__", stdin)  # noqa: B010 - a final name to mypy, a plain attribute to Python
    for fd, name in ((1, "stdout"), (2, "stderr")):
        stream = io.TextIOWrapper(open(fd, "wb", buffering=0, closefd=False),  # kept open for the process
                                  encoding=encoding, errors=errors if fd == 1 else "backslashreplace",
                                  line_buffering=os.isatty(fd) or fd == 2, write_through=fd == 2)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def interpreter_options() -> list[str]:
    """This interpreter's own command-line options (``-X...`` and the like), before ``-m``."""
    argv = list(sys.orig_argv[1:])
    return argv[:argv.index("-m")] if "-m" in argv else []


def kernel_arguments(cmd: Sequence[str]) -> int | None:
    """Where the kernel's own arguments start in ``cmd`` when this server can become that kernel:
    ``<this python> <this server's options> -m ipykernel_launcher ...``; otherwise ``None``."""
    cmd = list(cmd)
    if "-m" not in cmd or not cmd:
        return None
    at = cmd.index("-m")
    if cmd[at + 1:at + 2] != ["ipykernel_launcher"] or cmd[1:at] != interpreter_options():
        return None
    if os.path.realpath(cmd[0]) != os.path.realpath(sys.executable):
        return None
    return at + 2


def become_kernel(message: dict[str, Any], fds: list[int]) -> int:
    """Become the kernel of ``message["cmd"]`` (the server's own kernel command line)."""
    cmd = message["cmd"]
    start = kernel_arguments(cmd)
    if start is None:
        raise ValueError(f"not a command line this server's kernels can take: {cmd}")
    import ipykernel_launcher
    from ipykernel import kernelapp

    os.setsid()  # as jupyter_client starts its kernels: a terminal's Ctrl-C does not reach them
    devnull = os.open(os.devnull, os.O_RDWR)  # a kernel reads nothing from its starter's input
    fds = [devnull, *(fds[:2] if len(fds) >= 2 else [devnull, devnull]), *fds[2:]]
    _adopt(message, fds, message["cwd"])
    sys.argv = [ipykernel_launcher.__file__, *cmd[start:]]
    # parent_handle's default was read from the environment when ipykernel was imported, in the
    # server: it is given here from the kernel's own environment, as a started kernel reads it
    kernelapp.IPKernelApp.launch_instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))
    return 0


def run_command(message: dict[str, Any], fds: list[int], server: Path) -> int:
    """Run ``message["entry"]`` (a click command) as ``message["argv"]``; its exit code."""
    argv = message["argv"]
    _adopt(message, fds, os.path.dirname(argv[0]) if argv else "")
    sys.argv = list(argv)
    import importlib

    module, _, function = str(message["entry"]).partition(":")
    main = getattr(importlib.import_module(module), function)
    try:  # its kernels come from the same server: said to the command, in click's context object
        main(args=list(argv[1:]), prog_name=os.path.basename(argv[0]) or "peer-review",
             obj={"fork_server": str(server)})
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def kernel_options(kernel_name: str) -> list[str] | None:
    """The interpreter options of a kernel's command line (``-Xfrozen_modules=off`` for
    ipykernel's own kernelspec), when it runs this Python's ipykernel; ``None`` otherwise."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv = list(KernelSpecManager().get_kernel_spec(kernel_name).argv)
    except (NoSuchKernel, OSError, ValueError):
        return None
    if "-m" not in argv or argv[argv.index("-m") + 1:argv.index("-m") + 2] != ["ipykernel_launcher"]:
        return None
    return argv[1:argv.index("-m")]

