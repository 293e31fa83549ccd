"""Serving the capture app: Voilà on ``notebooks/capture.ipynb``, localhost by default.

``peer-review capture PARAMS`` calls :func:`serve`. The review's parameters file reaches the
notebook through the ``PEER_REVIEW_PARAMS`` environment variable (Voilà hands its own environment
to each page's kernel). On ``127.0.0.1``/``localhost`` there is no token. On any other host (a team
sharing one laptop over the venue's network) the app is served over HTTPS (the review's own
certificate, :mod:`toolkit.capture.certificate`, or the organisation's with ``--certfile``) and a
fresh token from :func:`secrets.token_urlsafe` is required, the team's and one per reviewer: a page
without one meets our own refusal page, the API answers 403 (:mod:`toolkit.capture.access`). The
page is our ``peer-review`` Voilà template (``share/``). The tokens reach Voilà in the environment
(``JUPYTER_TOKEN``, with ``Voila.auto_token``, and ``PEER_REVIEW_REVIEWER_TOKENS``), never on its
command line, so ``ps`` does not show them. Source code and tracebacks are never sent to the page
(``strip_sources``, ``show_tracebacks=False``).

Voilà runs as :mod:`toolkit.capture.voila_app` (HTTPS, quiet refusals, no token in its log, its life
tied to this command's: :mod:`toolkit.capture.lifetime`). It keeps one kernel pre-heated
(``--preheat_kernel``, a pool of :data:`POOL_SIZE`): it has run the notebook up to the point where
the page's query string is needed (:func:`toolkit.capture.app.page_query`), so a page is served
without waiting for a kernel to start and import the app. :func:`serve` prints the link once the
first is ready. Two are kept by default: a second page opened straight after the first (two
reviewers starting together) then finds one too, rather than waiting 5-10 s for a kernel started for
it while the first is refilled (``--ready-kernels 1`` saves a kernel's memory, about 120 MB).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import quote

from toolkit.build.kernels import ensure_kernel
from toolkit.capture.access import (
    REVIEWER_HEADER,
    REVIEWER_TOKENS_ENV,
    lan_addresses,
    needs_token,
    new_token,
    qr_text,
    reviewer_tokens,
    says,
)
from toolkit.capture.app import PARAMS_ENV, READY_ENV
from toolkit.capture.certificate import ServerCertificate, read_certificate, review_certificate
from toolkit.capture.lifetime import CLI_PID_ENV, ServerProcess, port_problem
from toolkit.capture.store import CaptureStore, OpenReview, open_review
from toolkit.errors import ToolkitError
from toolkit.inputs.capture_layout import capture_folder

DEFAULT_PORT = 8866
PACKAGE_DIR = Path(__file__).resolve().parents[1]
SHARE_DIR = Path(__file__).resolve().parent / "share"  # voila/templates/peer-review, pages/
TEMPLATE = "peer-review"
IDENTITY_PROVIDER = "toolkit.capture.access.CaptureIdentityProvider"
CULL_IDLE_S = 50
CULL_INTERVAL_S = 10
POOL_SIZE = 2  # kernels kept ready by default (--ready-kernels): two pages opened together both find one
FILL_DELAY_S = 1.0
READY_TIMEOUT_S = 90.0
LINKS_FILE = ".links.txt"  # under the capture folder, 0600: the links of the current run
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def capture_notebook() -> Path:
    """The project's ``notebooks/capture.ipynb``, else the copy shipped in the package."""
    project = PACKAGE_DIR.parent / "notebooks" / "capture.ipynb"
    return project if project.is_file() else PACKAGE_DIR / "notebooks" / "capture.ipynb"


def port_is_free(host: str, port: int) -> bool:
    """Whether the server could listen on ``port`` (as tornado binds: a connection of an earlier
    server still closing, in TIME_WAIT, does not hold the port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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
    reviewer_links: tuple[tuple[str, str], ...] = ()  # (reviewer, their own link)
    certificate: ServerCertificate | None = None
    reviewer_tokens: dict[str, str] = field(default_factory=dict)


def plan_server(params_path: Path, port: int | None = None, host: str = "127.0.0.1",
                token: str | None = None, env: dict[str, str] | None = None,
                certificate: ServerCertificate | None = None, reviewers: tuple[str, ...] = (),
                pool_size: int = POOL_SIZE) -> ServerPlan:
    """The Voilà command line and environment for a review's capture app (HTTPS with
    ``certificate``; a token of their own for each of ``reviewers`` when a token is needed)."""
    notebook = capture_notebook()
    if not notebook.is_file():
        raise ToolkitError(says("notebook_missing", notebook=notebook))
    port = port or pick_port(host)
    own: dict[str, str] = {}
    if needs_token(host):
        token = token or new_token()
        own = reviewer_tokens(reviewers)
    else:
        token = None
    argv = [
        sys.executable, "-m", "toolkit.capture.voila_app", str(notebook),
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
        # the reviewer a page is for, as the server says it (toolkit.capture.access), reaches its kernel
        f"--VoilaConfiguration.http_header_envs={REVIEWER_HEADER}",
        # Kernels kept ready (pool_size) with the notebook already run up to the page's query string
        # (toolkit.capture.app.page_query): a page is served at once instead of after a kernel's
        # start and the app's imports. A page taking one starts its refill FILL_DELAY_S later; a
        # page asked for while the pool is empty gets a kernel started for it, as without the pool.
        # The pool's kernels are never culled; each costs one kernel's memory while the server runs.
        "--preheat_kernel=True", f"--pool_size={max(pool_size, 1)}", f"--VoilaKernelManager.fill_delay={FILL_DELAY_S}",
    ]
    if certificate is not None:
        argv += [f"--CaptureVoila.certfile={certificate.certfile}", f"--CaptureVoila.keyfile={certificate.keyfile}"]
    full_env = dict(os.environ if env is None else env)
    for name in ("JUPYTER_TOKEN", "JUPYTER_TOKEN_FILE", REVIEWER_TOKENS_ENV, CLI_PID_ENV):
        full_env.pop(name, None)
    if token:  # through the environment: a command line is visible to every user in ps
        argv.append("--Voila.auto_token=True")
        full_env["JUPYTER_TOKEN"] = token
        if own:
            full_env[REVIEWER_TOKENS_ENV] = json.dumps(own)
    full_env[PARAMS_ENV] = str(params_path.resolve())
    # where a pre-heated kernel's notebook asks the server for its page's request (voila.utils.wait_for_request)
    full_env["VOILA_APP_IP"] = _probe_host(host, bracket=True)
    # Voilà finds the page template in share/voila/templates/<TEMPLATE> through the Jupyter data path
    full_env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(SHARE_DIR), full_env.get("JUPYTER_PATH", "")) if p)
    scheme = "https" if certificate is not None else "http"
    shown_host = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    query = f"?token={quote(token)}" if token else ""
    url = f"{scheme}://{shown_host}:{port}/{query}"
    local_host = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else shown_host
    lan_bases = [f"{scheme}://{a}:{port}/" for a in lan_addresses()] if host in ("0.0.0.0", "::", "") else []
    base = lan_bases[0] if lan_bases else f"{scheme}://{shown_host}:{port}/"
    links = tuple((name, f"{base}?token={quote(t)}") for name, t in own.items())
    return ServerPlan(tuple(argv), full_env, host, port, url, token, f"{scheme}://{local_host}:{port}/{query}",
                      tuple(b + query for b in lan_bases), links, certificate, own)


def share_certificate(review: OpenReview, host: str, certfile: Path | None = None,
                      keyfile: Path | None = None) -> ServerCertificate | None:
    """The certificate the server presents: the organisation's own when given, the review's own in
    share mode (any host but localhost), none on localhost."""
    if certfile is not None:
        return read_certificate(certfile, keyfile or certfile)
    if not needs_token(host):
        return None
    params, _, root = review
    names = [socket.gethostname(), socket.getfqdn()]
    if host not in ("0.0.0.0", "::", ""):
        names.append(host)
    addresses = [a for a in [*lan_addresses(), host] if _is_ip(a) and a not in ("0.0.0.0", "::")]
    return review_certificate(capture_folder(root, params.review_id), params.review_id,
                              [n for n in names if not _is_ip(n)], addresses)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


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


def write_links(plan: ServerPlan, folder: Path) -> Path | None:
    """The run's links (the team's and each reviewer's) in ``LINKS_FILE``, readable by its owner only
    (removed on a run without tokens: an earlier run's links are dead)."""
    if not plan.token:
        (folder / LINKS_FILE).unlink(missing_ok=True)
        return None
    lines = [says("app_link", url=plan.lan_urls[0] if plan.lan_urls else plan.url)]
    lines += [says("reviewer_link", name=name, url=url) for name, url in plan.reviewer_links]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LINKS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path


def announce(plan: ServerPlan, echo: Callable[[str], None], links_file: Path | None = None) -> None:
    echo(says("app_link", url=plan.url))
    for url in plan.lan_urls:
        echo(says("lan_link", url=url))
    if plan.lan_urls:
        echo(says("qr_intro"))
        echo(qr_text(plan.lan_urls[0]))
    if plan.token:
        echo(says("team_token", token=plan.token))
    for name, url in plan.reviewer_links:
        echo(says("reviewer_link", name=name, url=url))
    if links_file is not None:
        echo(says("links_file", path=links_file))
    cert = plan.certificate
    if cert is not None:
        own = cert.certfile.parent.name != ".tls"
        echo(says("certificate_own" if own else "certificate_made" if cert.made else "certificate_kept",
                  path=cert.certfile))
        echo(says("fingerprint", fingerprint=cert.fingerprint))
    echo(says("stop"))


def serve(params_path: Path, port: int | None = None, host: str = "127.0.0.1", open_browser: bool = False,
          echo: Callable[[str], None] = lambda s: None, review: OpenReview | None = None,
          certfile: Path | None = None, keyfile: Path | None = None, pool_size: int = POOL_SIZE) -> int:
    """Run the capture app until interrupted; returns Voilà's exit code.

    ``echo`` receives the lines to show the user (the URL, the machine's network addresses when it
    listens on all of them, the tokens and links when one is required, the certificate's
    fingerprint in share mode). SIGINT, SIGTERM and SIGHUP are passed on to Voilà as SIGTERM, which
    it handles by shutting its kernels down (a SIGINT could be ignored: a process started in the
    background inherits SIGINT ignored); what is left of them afterwards is ended
    (:class:`toolkit.capture.lifetime.ServerProcess`). The handlers are in place before Voilà
    starts, so a signal arriving meanwhile still stops it. A port already held is named in one
    line (:func:`toolkit.capture.lifetime.port_problem`), as a :class:`ToolkitError`.

    ``review`` is the review as :func:`toolkit.capture.store.open_review` already opened it (the
    command line checks it before serving), so this process reads the parameters once; without it,
    the parameters are opened here. The app's kernel, a separate process, opens them itself.
    """
    plan, links_file = _prepare(params_path, port, host, review, certfile, keyfile, pool_size)
    stopping = _Stopping(echo)
    # SIGHUP already ignored means `nohup peer-review capture ...`: the server is meant to outlive
    # the terminal, so that one is left as it is (SIGINT ignored only means a background job).
    stops = [s for s in STOP_SIGNALS if not (s == signal.SIGHUP and signal.getsignal(s) == signal.SIG_IGN)]
    previous = {s: signal.signal(s, stopping.forward) for s in stops}
    marks = tempfile.mkdtemp(prefix="peer-review-capture-")
    try:
        return _run(plan, stopping, Path(marks) / "kernel-ready", links_file, open_browser, params_path)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for running in stopping.server:
            running.end_all()
        shutil.rmtree(marks, ignore_errors=True)


def _prepare(params_path: Path, port: int | None, host: str, review: OpenReview | None, certfile: Path | None,
             keyfile: Path | None, pool_size: int) -> tuple[ServerPlan, Path | None]:
    """The server's plan, every reviewer's capture files, the links file and the app's kernel, ready."""
    review = review if review is not None else open_review(params_path)
    params, scope, root = review
    if port is not None and not port_is_free(host, port):
        raise ToolkitError(port_problem(port, params_path))
    certificate = share_certificate(review, host, certfile, keyfile)
    plan = plan_server(params_path, port, host, certificate=certificate,
                       reviewers=tuple(m.name for m in params.team), pool_size=pool_size)
    for member in params.team:  # every reviewer's files exist, seeded from the listed files
        CaptureStore(root, params, scope, member.name).ensure_files()
    links_file = write_links(plan, capture_folder(root, params.review_id))
    ensure_kernel()
    return plan, links_file


class _Stopping:
    """The stop signals, passed on to Voilà's process once it runs; after SIGHUP the terminal has
    gone and nothing more is written to it."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.server: list[ServerProcess] = []
        self.asked: list[int] = []
        self.quiet = False

    def say(self, line: str) -> None:
        if not self.quiet:
            with contextlib.suppress(OSError):
                self.echo(line)

    def forward(self, signum: int, frame: FrameType | None) -> None:
        self.asked.append(signum)
        if signum == signal.SIGHUP:
            self.quiet = True
        for running in self.server:
            running.ask_to_stop()


def _run(plan: ServerPlan, stopping: _Stopping, ready: Path, links_file: Path | None, open_browser: bool,
         params_path: Path) -> int:
    """Start Voilà, announce it once its first kernel is ready, and wait for it to end."""
    env = {**plan.env, READY_ENV: str(ready), CLI_PID_ENV: str(os.getpid())}
    proc = subprocess.Popen(plan.argv, env=env, start_new_session=True)
    stopping.server.append(ServerProcess(proc))
    if stopping.asked:  # a signal came while Voilà was being started
        stopping.server[0].ask_to_stop()
    elif wait_until_ready(proc, ready, plan.host, plan.port, stopping.asked):
        announce(plan, stopping.say, links_file)
        if open_browser:
            webbrowser.open(plan.local_url)
    elif proc.poll() is not None and not stopping.asked:
        code = proc.wait()
        problem = port_problem(plan.port, params_path) if not port_is_free(plan.host, plan.port) else None
        raise ToolkitError(problem or says("server_ended", code=code))
    return stopping.server[0].wait()
