"""The fork server's protocol, as its requesters use it: one request per connection.

A request is a length-prefixed JSON object on a Unix socket, with the requester's file
descriptors attached (``SCM_RIGHTS``). The server (:mod:`toolkit.build.processes.forkserver`)
answers ``{"pid": N}`` once the child runs, and ``{"exit": code}`` when it has ended; a requester
that closes its connection early has its child killed (that is how a kernel forked for a batch
worker ends with the worker: :func:`toolkit.build.batch.stop_workers`). ``stop``, ``ping`` and
``children`` (whom each running child was forked for) are answered at once. Only processes of the
same user are served (``SO_PEERCRED``).
"""

from __future__ import annotations

import json
import os
import socket
import struct
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_HEADER = struct.Struct("!I")
_MAX_MESSAGE = 16 << 20


class ForkServerError(Exception):
    """The fork server could not be reached, or broke the protocol."""


# ----------------------------------------------------------------------------------- protocol

def send_message(sock: socket.socket, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
    data = json.dumps(message).encode("utf-8")
    payload = _HEADER.pack(len(data)) + data
    if fds:
        sent = socket.send_fds(sock, [payload], list(fds))
        payload = payload[sent:]
    if payload:
        sock.sendall(payload)


def recv_message(sock: socket.socket, max_fds: int = 0) -> tuple[dict[str, Any] | None, list[int]]:
    """One message and the descriptors that came with it; ``None`` when the peer has closed."""
    fds: list[int] = []
    buffer = b""
    while len(buffer) < _HEADER.size:
        if max_fds and not fds:
            chunk, got, _, _ = socket.recv_fds(sock, 1 << 16, max_fds)
            fds.extend(got)
        else:
            chunk = sock.recv(1 << 16)
        if not chunk:
            close_all(fds)
            return None, []
        buffer += chunk
    (size,) = _HEADER.unpack(buffer[:_HEADER.size])
    if size > _MAX_MESSAGE:
        close_all(fds)
        raise ForkServerError(f"message of {size} bytes is too long")
    body = buffer[_HEADER.size:]
    while len(body) < size:
        chunk = sock.recv(size - len(body))
        if not chunk:
            close_all(fds)
            return None, []
        body += chunk
    return json.loads(body[:size].decode("utf-8")), fds


def close_all(fds: Sequence[int]) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def connect(path: Path, timeout: float | None = 5.0) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
    except OSError as exc:
        sock.close()
        raise ForkServerError(f"no fork server at {path}: {exc.strerror or exc}") from None
    sock.settimeout(None)
    return sock


def request(path: Path, message: dict[str, Any], fds: Sequence[int] = ()) -> tuple[socket.socket, int]:
    """Send one request; the open connection and the child's pid. The connection's next message
    is the child's exit; closing it kills the child."""
    sock = connect(path)
    try:
        send_message(sock, message, fds)
        reply, _ = recv_message(sock)
    except (OSError, ValueError) as exc:
        sock.close()
        raise ForkServerError(f"fork server at {path} did not answer: {exc}") from None
    if not reply or not isinstance(reply.get("pid"), int):
        sock.close()
        reason = reply.get("error") if reply else "it closed the connection"
        raise ForkServerError(f"fork server at {path} refused the request: {reason}")
    return sock, int(reply["pid"])


def wait_exit(sock: socket.socket) -> int | None:
    """Block until the child's exit code arrives (``None``: the server went away first)."""
    try:
        reply, _ = recv_message(sock)
    except (OSError, ValueError):
        return None
    code = reply.get("exit") if reply else None
    return code if isinstance(code, int) else None


def _ask(path: Path, kind: str) -> dict[str, Any] | None:
    """One short request (``stop``, ``ping``, ``children``) and its answer; ``None`` when no
    server answers."""
    try:
        sock = connect(path, timeout=2.0)
    except ForkServerError:
        return None
    with sock:
        try:
            send_message(sock, {"kind": kind})
            reply, _ = recv_message(sock)
        except (OSError, ValueError):
            return None
    return reply


def stop(path: Path) -> bool:
    """Ask the server at ``path`` to exit once its children have ended; whether one answered."""
    return _ask(path, "stop") is not None


def children(path: Path) -> dict[int, int] | None:
    """The server's running children: each one's pid, and the pid of the process it was forked
    for; ``None`` when no server answers."""
    answer = _ask(path, "children")
    found = answer.get("children") if answer else None
    return {int(pid): int(by) for pid, by in found.items()} if isinstance(found, dict) else None


def ping(path: Path) -> dict[str, Any] | None:
    """The server's pid, how many children it has forked and how many run; ``None`` when none answers."""
    return _ask(path, "ping")


def wait_ready(path: Path, timeout: float) -> bool:
    """Wait until a server answers at ``path`` (at most ``timeout`` seconds); whether it did."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connect(path, timeout=1.0).close()
            return True
        except ForkServerError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

