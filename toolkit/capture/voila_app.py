"""The capture app's Voilà process: Voilà with HTTPS, quiet refusals, a log without tokens, and a
life tied to the ``peer-review capture`` command that started it.

``peer-review capture`` runs ``python -m toolkit.capture.voila_app`` (Voilà's own command line) rather
than ``python -m voila``. :class:`CaptureVoila` changes Voilà in four ways:

* **Its life is the command's.** The command's pid is in ``PEER_REVIEW_CLI_PID``: the process asks
  Linux for SIGTERM when that parent dies (``prctl(PR_SET_PDEATHSIG)``), and a watch thread sends it
  the same when its parent changes (other systems, or a parent gone before the ``prctl``). Voilà
  handles SIGTERM by shutting its kernels down; a kernel whose Voilà died by SIGKILL ends itself
  within a second (ipykernel's parent poller, from ``JPY_PARENT_PID``).
* **HTTPS** with ``--CaptureVoila.certfile/keyfile`` (share mode). The pre-heated kernel asks for its
  page's request over a plain websocket, so the process also listens on a port of ``127.0.0.1``
  only, which the kernels find in ``PEER_REVIEW_QUERY_URL``.
* **Refusals without tracebacks.** A refused or unknown request gets our page
  (``share/pages/``), never Jupyter's error template, whose rendering fails in Voilà and logs a
  double traceback; ``/voila/templates/..`` answers 404 rather than 500.
* **No token in any log line.** Requests are logged with ``token=`` hidden, and the process's
  standard output and error replace every token it knows (:func:`redact`) before a line is written.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import re
import signal
import ssl
import sys
import threading
import time
from typing import IO, Any

from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from traitlets import Unicode
from voila.app import Voila
from voila.static_file_handler import TemplateStaticFileHandler

from toolkit.capture.access import error_page, take_tokens
from toolkit.capture.lifetime import CLI_PID_ENV

QUERY_URL_ENV = "PEER_REVIEW_QUERY_URL"  # toolkit.capture.app.QUERY_URL_ENV: where a pre-heated kernel asks
PR_SET_PDEATHSIG = 1
HIDDEN = "[hidden]"
_TOKEN_ARGUMENT = re.compile(r"((?:^|[?&;\s])token=)[^&#\s\"']+", re.IGNORECASE)
_AUTH_HEADER = re.compile(r"((?:token|bearer)\s+)[A-Za-z0-9_\-.~+/=]{8,}", re.IGNORECASE)
_known_tokens: set[str] = set()
access_log = logging.getLogger("tornado.access")


def redact(text: str) -> str:
    """``text`` with every token hidden: ``token=`` arguments, ``token``/``bearer`` headers and
    any token this process was given."""
    for token in _known_tokens:
        if token and token in text:
            text = text.replace(token, HIDDEN)
    text = _TOKEN_ARGUMENT.sub(rf"\1{HIDDEN}", text)
    return _AUTH_HEADER.sub(rf"\1{HIDDEN}", text)


class RedactingStream:
    """A text stream that writes through :func:`redact`, and never fails: a closed terminal (its
    window shut) must not stop the server's shutdown."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        with contextlib.suppress(OSError, ValueError):
            self._stream.write(redact(text))
        return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def log_request(handler: web.RequestHandler) -> None:
    """Tornado's access log line, with any token hidden and no request headers."""
    status = handler.get_status()
    request = handler.request
    level = logging.INFO if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    access_log.log(level, "%d %s %s (%s) %.2fms", status, request.method, redact(request.uri or ""),
                   request.remote_ip, 1000.0 * request.request_time())


class QuietErrors(web.RequestHandler):
    """Mixed into Voilà's page handlers: an error is our short page, never a template render
    (Jupyter's error template needs settings Voilà does not set, and fails with a traceback)."""

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(error_page(status_code))


class TemplateFiles(QuietErrors, TemplateStaticFileHandler):  # type: ignore[misc]
    """Voilà's template files; a path that is not ``<template>/static/<file>`` (``..``) is 404."""

    def parse_url_path(self, url_path: str) -> str:
        try:
            return str(super().parse_url_path(url_path))
        except (ValueError, AssertionError):
            raise web.HTTPError(404) from None

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        try:
            return str(super().get_absolute_path(root, path))
        except (ValueError, AssertionError):
            raise web.HTTPError(404) from None


def quiet(handler: tuple[Any, ...]) -> tuple[Any, ...]:
    """A route of Voilà's with :class:`QuietErrors` mixed into its handler (API handlers already
    answer errors in JSON)."""
    pattern, cls, *rest = handler
    if cls is TemplateStaticFileHandler:
        return (pattern, TemplateFiles, *rest)
    if not isinstance(cls, type) or not issubclass(cls, web.RequestHandler):
        return handler
    if issubclass(cls, (APIHandler, QuietErrors)):
        return handler
    return (pattern, type(cls.__name__, (QuietErrors, cls), {}), *rest)


class CaptureVoila(Voila):  # type: ignore[misc]
    name = "peer-review-capture"
    certfile = Unicode("", config=True, help="PEM certificate: serve HTTPS (share mode).")
    keyfile = Unicode("", config=True, help="The certificate's private key.")

    def init_settings(self) -> dict[str, Any]:
        if self.certfile:  # bound before the kernel manager copies the environment for its pool
            self._query_sockets = bind_sockets(0, "127.0.0.1")
            port = self._query_sockets[0].getsockname()[1]
            os.environ[QUERY_URL_ENV] = f"ws://127.0.0.1:{port}{self.server_url or self.base_url}voila/query"
        settings: dict[str, Any] = super().init_settings()
        settings["log_function"] = log_request
        if self.certfile:
            settings["xsrf_cookie_kwargs"] = {"secure": True, "samesite": "Lax"}
        return settings

    def init_handlers(self) -> list[Any]:
        return [quiet(h) for h in super().init_handlers()]

    def _url(self, ip: str) -> str:
        proto = "https" if self.certfile else "http"
        return f"{proto}://{ip}:{self.port}{self.base_url}"

    def listen(self) -> None:
        if self.certfile:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.certfile, self.keyfile or None)
            HTTPServer(self.app).add_sockets(self._query_sockets)  # the kernels' plain websocket, here only
            self.app.listen = functools.partial(self.app.listen, ssl_options=context)
        super().listen()


def guard_parent(parent: int) -> None:
    """SIGTERM to this process when ``parent`` (the command) dies: at once through Linux's
    parent-death signal, within a second through a watch thread elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # gone before the prctl
        sys.exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="peer-review-parent-watch", daemon=True).start()


def main() -> None:
    parent = os.environ.get(CLI_PID_ENV, "")
    if parent.isdigit():
        guard_parent(int(parent))
    _known_tokens.update(take_tokens())  # out of the environment the kernels inherit
    sys.stdout = RedactingStream(sys.stdout)
    sys.stderr = RedactingStream(sys.stderr)
    CaptureVoila.launch_instance()


if __name__ == "__main__":
    main()
