"""Serving the capture app: Voilà on ``notebooks/capture.ipynb``, localhost by default.

``peer-review capture PARAMS`` calls :func:`serve`. The review's parameters file reaches the
notebook through the ``PEER_REVIEW_PARAMS`` environment variable (Voilà hands its own environment
to each page's kernel). On ``127.0.0.1``/``localhost`` there is no token. On any other host (a team
sharing one laptop over the venue's network) a fresh token from :func:`secrets.token_urlsafe` is
required: a page without it meets our own refusal page, the API answers 403
(:mod:`toolkit.capture.access`). The page is our ``peer-review`` Voilà template (``share/``). The
token reaches Voilà in the ``JUPYTER_TOKEN`` environment variable (with ``Voila.auto_token``),
never on its command line, so ``ps`` does not show it. Source code and
tracebacks are never sent to the page (``strip_sources``, ``show_tracebacks=False``).

Voilà keeps one kernel pre-heated (``--preheat_kernel``, a pool of :data:`POOL_SIZE`): it has run
the notebook up to the point where the page's query string is needed
(:func:`toolkit.capture.app.page_query`), so a page is served without waiting for a kernel to start
and import the app. :func:`serve` prints the link once that kernel is ready.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import quote

from toolkit.build.kernels import ensure_kernel
from toolkit.capture.access import lan_addresses, needs_token, qr_text
from toolkit.capture.app import PARAMS_ENV, READY_ENV
from toolkit.capture.store import CaptureStore, OpenReview, open_review
from toolkit.errors import ToolkitError

DEFAULT_PORT = 8866
PACKAGE_DIR = Path(__file__).resolve().parents[1]
SHARE_DIR = Path(__file__).resolve().parent / "share"  # voila/templates/peer-review, pages/
TEMPLATE = "peer-review"
IDENTITY_PROVIDER = "toolkit.capture.access.CaptureIdentityProvider"
CULL_IDLE_S = 50
CULL_INTERVAL_S = 10
POOL_SIZE = 1
FILL_DELAY_S = 1.0
READY_TIMEOUT_S = 90.0


def capture_notebook() -> Path:
    """The project's ``notebooks/capture.ipynb``, else the copy shipped in the package."""
    project = PACKAGE_DIR.parent / "notebooks" / "capture.ipynb"
    return project if project.is_file() else PACKAGE_DIR / "notebooks" / "capture.ipynb"


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def pick_port(host: str) -> int:
    """8866 (Voilà's usual port) when free, else any free port."""
    if port_is_free(host, DEFAULT_PORT):
        return DEFAULT_PORT
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class ServerPlan:
    """How the server will be started and where it will be reached."""
    argv: tuple[str, ...]
    env: dict[str, str]
    host: str
    port: int
    url: str
    token: str | None
    local_url: str = ""
    lan_urls: tuple[str, ...] = ()


def plan_server(params_path: Path, port: int | None = None, host: str = "127.0.0.1",
                token: str | None = None, env: dict[str, str] | None = None) -> ServerPlan:
    """The Voilà command line and environment for a review's capture app."""
    notebook = capture_notebook()
    if not notebook.is_file():
        raise ToolkitError(f"the capture notebook is missing ({notebook})")
    port = port or pick_port(host)
    if needs_token(host):
        token = token or secrets.token_urlsafe(24)
    else:
        token = None
    argv = [
        sys.executable, "-m", "voila", str(notebook),
        f"--port={port}", f"--Voila.ip={host}", "--Voila.port_retries=0", "--no-browser",
        f"--Voila.root_dir={notebook.parent}",
        "--VoilaConfiguration.show_tracebacks=False", "--strip_sources=True",
        # Voilà cannot always shut a closed tab's kernel down (voila#1458): a disconnected kernel idle
        # for CULL_IDLE_S is culled (checked every CULL_INTERVAL_S); a connected one never is. The page
        # keeps typed text in the browser and says when its kernel has gone.
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        # our page template (no public CDN, the connection watch) and our refusal page for share mode
        f"--template={TEMPLATE}", f"--Voila.identity_provider_class={IDENTITY_PROVIDER}",
        # One kernel kept ready with the notebook already run up to the page's query string
        # (toolkit.capture.app.page_query): a page is served at once instead of after a kernel's
        # start and the app's imports. A page taking it leaves the pool empty until its refill,
        # FILL_DELAY_S later: a page asked for meanwhile gets a kernel started for it, as without
        # the pool. The pool's kernel is never culled; it costs one kernel's memory for the
        # server's lifetime.
        "--preheat_kernel=True", f"--pool_size={POOL_SIZE}", f"--VoilaKernelManager.fill_delay={FILL_DELAY_S}",
    ]
    full_env = dict(os.environ if env is None else env)
    full_env.pop("JUPYTER_TOKEN", None)
    full_env.pop("JUPYTER_TOKEN_FILE", None)
    if token:  # through the environment: a command line is visible to every user in ps
        argv.append("--Voila.auto_token=True")
        full_env["JUPYTER_TOKEN"] = token
    full_env[PARAMS_ENV] = str(params_path.resolve())
    # where a pre-heated kernel's notebook asks the server for its page's request (voila.utils.wait_for_request)
    full_env["VOILA_APP_IP"] = _probe_host(host, bracket=True)
    # Voilà finds the page template in share/voila/templates/<TEMPLATE> through the Jupyter data path
    full_env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(SHARE_DIR), full_env.get("JUPYTER_PATH", "")) if p)
    shown_host = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    url = f"http://{shown_host}:{port}/" + (f"?token={quote(token)}" if token else "")
    query = f"?token={quote(token)}" if token else ""
    local_host = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else shown_host
    lan = tuple(f"http://{a}:{port}/{query}" for a in lan_addresses()) if host in ("0.0.0.0", "::", "") else ()
    return ServerPlan(tuple(argv), full_env, host, port, url, token, f"http://{local_host}:{port}/{query}", lan)


def _probe_host(host: str, bracket: bool = False) -> str:
    """The address at which this machine reaches a server listening on ``host``."""
    probe = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    return f"[{probe}]" if bracket and ":" in probe else probe


def wait_until_listening(host: str, port: int, timeout: float = 60.0) -> bool:
    probe = _probe_host(host)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((probe, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def wait_until_ready(proc: subprocess.Popen[bytes], ready: Path, host: str, port: int, stop_asked: list[int],
                     timeout: float = READY_TIMEOUT_S) -> bool:
    """Wait until Voilà listens and its pre-heated kernel has run the notebook up to the page's
    request (it touches ``ready``), so that the first page is served at once. False when Voilà
    ended or a stop was asked meanwhile; after ``timeout`` True anyway (a page then waits for the
    kernel, as it would without the pool)."""
    deadline = time.monotonic() + timeout
    listening = False
    while time.monotonic() < deadline:
        if proc.poll() is not None or stop_asked:
            return False
        listening = listening or wait_until_listening(host, port, timeout=0.2)
        if listening and ready.exists():
            return True
        time.sleep(0.05)
    return True


def announce(plan: ServerPlan, echo: Callable[[str], None]) -> None:
    echo(f"Capture app: {plan.url}")
    for url in plan.lan_urls:
        echo(f"Capture app at this machine's network address: {url}")
    if plan.lan_urls:
        echo("On a tablet, scan this code to open the app at the first of those addresses:")
        echo(qr_text(plan.lan_urls[0]))
    if plan.token:
        echo(f"Access token (needed by everyone who opens the app): {plan.token}")
    echo("Stop it with Ctrl+C.")


def serve(params_path: Path, port: int | None = None, host: str = "127.0.0.1", open_browser: bool = False,
          echo: Callable[[str], None] = lambda s: None, review: OpenReview | None = None) -> int:
    """Run the capture app until interrupted; returns Voilà's exit code.

    ``echo`` receives the lines to show the user (the URL, the machine's network addresses when it
    listens on all of them, and the token when one is required). SIGINT and SIGTERM are passed on
    to Voilà as SIGTERM, which it handles by shutting its kernels down (a SIGINT could be ignored:
    a process started in the background inherits SIGINT ignored). The handlers are in place before
    Voilà starts, so a signal arriving meanwhile still stops it.

    ``review`` is the review as :func:`toolkit.capture.store.open_review` already opened it (the
    command line checks it before serving), so this process reads the parameters once; without it,
    the parameters are opened here. The app's kernel, a separate process, opens them itself.
    """
    plan = plan_server(params_path, port, host)
    params, scope, root = review if review is not None else open_review(params_path)
    for member in params.team:  # every reviewer's files exist, seeded from the listed files
        CaptureStore(root, params, scope, member.name).ensure_files()
    ensure_kernel()
    running: list[subprocess.Popen[bytes]] = []
    stop_asked: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        stop_asked.append(signum)
        for proc in running:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    marks = tempfile.mkdtemp(prefix="peer-review-capture-")
    ready = Path(marks) / "kernel-ready"
    try:
        proc = subprocess.Popen(plan.argv, env={**plan.env, READY_ENV: str(ready)}, start_new_session=True)
        running.append(proc)
        if stop_asked:  # a signal came while Voilà was being started
            proc.send_signal(signal.SIGTERM)
        elif wait_until_ready(proc, ready, plan.host, plan.port, stop_asked):
            announce(plan, echo)
            if open_browser:
                webbrowser.open(plan.local_url)
        return proc.wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for proc in running:
            if proc.poll() is None:
                proc.kill()
        shutil.rmtree(marks, ignore_errors=True)
