"""Who may use a capture app, and where the team reaches it: the team's link, a page in our words
for everyone else.

On ``127.0.0.1``/``localhost`` the app needs no token (:func:`needs_token`); on any other host the
command prints the link with a fresh token, and with ``--host 0.0.0.0`` one link per network address
of the machine (:func:`lan_addresses`), for tablets that cannot resolve its name.

With a token (any ``--host`` but localhost), Voilà's Jupyter-server login would send a visitor
without it to Jupyter's own login page. :class:`CaptureIdentityProvider` (named to Voilà with
``--Voila.identity_provider_class``) keeps the token check and changes what the visitor meets:

* a page without the token, or with a wrong one, is sent to ``/login``, which shows
  ``share/pages/no_access.html`` (what this is, and to ask the coordinator for the link), with
  status 403 and no form;
* ``/api`` and ``/api/...`` without it answer 403 (no redirect), the kernel's websocket included;
* ``/voila/query/<kernel id>``, where a pre-heated kernel asks for the request of the page that took
  it (the page's query string, which holds the token on a first visit), is Voilà's websocket without
  any login check: only this machine may open it (the kernels do); any other address gets 403;
* the token, once accepted, is kept in the server's login cookie (Jupyter server sets it: HttpOnly,
  SameSite=Lax, and Secure over HTTPS), and the page's script removes it from the address bar;
* besides the team's token (the coordinator's link), each reviewer of the team may have a token of
  their own (``PEER_REVIEW_REVIEWER_TOKENS``, read once by the Voila process): a page opened with it
  is that reviewer's only. The server tells the page's kernel who it is in the request header
  :data:`REVIEWER_HEADER`, which it removes from every request first, so a browser cannot claim
  it; Voila hands the header to the kernel (``VoilaConfiguration.http_header_envs``), and the app
  then starts as that reviewer with no other name to choose.
"""

from __future__ import annotations

import functools
import hmac
import io
import ipaddress
import json
import os
import secrets
import socket
from collections.abc import Awaitable, Iterable
from http.client import responses
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

import qrcode
import yaml
from jupyter_server.auth.identity import PasswordIdentityProvider, User
from tornado import web
from traitlets import Dict, default

QUERY_ROUTE = r"/voila/query/(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)"  # as Voila's own route (voila.app)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SHARE = Path(__file__).resolve().parent / "share"
NO_ACCESS_PAGE = SHARE / "pages" / "no_access.html"
ERROR_PAGE = SHARE / "pages" / "error.html"
SERVER_WORDS = SHARE / "server_words.yaml"
REVIEWER_TOKENS_ENV = "PEER_REVIEW_REVIEWER_TOKENS"  # {reviewer's name: their token}, JSON
REVIEWER_HEADER = "X-Peer-Review-Reviewer"  # set by the server only: the reviewer a page is for
TEAM_USER = "team"
REVIEWER_USER = "reviewer:"  # + the reviewer's name


@functools.cache
def _server_words() -> dict[str, str]:
    loaded = yaml.safe_load(SERVER_WORDS.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in loaded.items()}


def says(key: str, **values: object) -> str:
    """A line the capture command prints (``share/server_words.yaml``), its values filled in."""
    return _server_words()[key].format(**values)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def reviewer_tokens(names: Iterable[str]) -> dict[str, str]:
    """A fresh token for each reviewer of the team."""
    return {name: new_token() for name in names}


_given: dict[str, Any] = {}  # the tokens the Voila process was given (take_tokens)


def take_tokens() -> list[str]:
    """In the Voila process, before Voila starts: the team's token (``JUPYTER_TOKEN``) and the
    reviewers' (``PEER_REVIEW_REVIEWER_TOKENS``) move from the environment, which every kernel
    inherits, to :class:`CaptureIdentityProvider`. Returns every token, for the log's redaction."""
    team = os.environ.pop("JUPYTER_TOKEN", "")
    raw = os.environ.pop(REVIEWER_TOKENS_ENV, "")
    own = {str(k): str(v) for k, v in json.loads(raw).items()} if raw else {}
    _given.update(team=team, reviewers=own)
    return [t for t in (team, *own.values()) if t]


def needs_token(host: str) -> bool:
    return host not in LOCAL_HOSTS


def lan_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (sorted; empty when it has no network).

    From the host name's addresses and the address the kernel would send from to a public
    address (a UDP ``connect`` sends no packet).
    """
    found: set[str] = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(str(info[4][0]))
    except OSError:
        pass
    for probe in ("192.0.2.1", "10.255.255.255"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((probe, 9))
                found.add(str(s.getsockname()[0]))
            except OSError:
                continue
    return sorted(a for a in found if not a.startswith("127.") and a != "0.0.0.0")


def qr_text(url: str) -> str:
    """A QR code of ``url`` drawn with block characters, for the terminal: a reviewer on a tablet
    scans it instead of typing the address and its token."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue().rstrip("\n")


def no_access_page() -> str:
    return NO_ACCESS_PAGE.read_text(encoding="utf-8")


def error_page(status: int) -> str:
    """The page for a refused or failed request: our refusal page for 403, else a short page naming
    the status (never a traceback, never Jupyter's)."""
    if status == 403:
        return no_access_page()
    return Template(ERROR_PAGE.read_text(encoding="utf-8")).substitute(
        status=status, reason=responses.get(status, "Error"))


def _same(given: str, token: str) -> bool:
    return bool(token) and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


class NoAccessHandler(web.RequestHandler):
    """``/login``: the page in our words, for any method, with status 403."""

    def _refuse(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(no_access_page())

    def get(self) -> None:
        self._refuse()

    def post(self) -> None:
        self._refuse()

    def check_xsrf_cookie(self) -> None:  # nothing is accepted here, so nothing to forge
        return None


class CaptureIdentityProvider(PasswordIdentityProvider):
    """Jupyter server's token check, with our own refusal page and 403 for the API, and a token per
    reviewer beside the team's."""

    reviewer_tokens = Dict(help="Each reviewer's own token (name: token).")

    @default("reviewer_tokens")
    def _reviewer_tokens_default(self) -> dict[str, str]:
        return dict(_given.get("reviewers", {}))

    @default("token")
    def _token_default(self) -> str:
        team = _given.get("team")
        return str(team) if team else str(super()._token_default())

    @default("cookie_options")
    def _cookie_options_default(self) -> dict[str, Any]:
        return {"samesite": "Lax"}

    async def get_user_token(self, handler: web.RequestHandler) -> User | None:
        """The team (the shared token) or one reviewer (their own token); None for any other."""
        given = self.get_token(handler)
        if not given or not self.token:
            return None
        if _same(given, self.token):
            return User(TEAM_USER, "Team", "Team")
        for name, token in self.reviewer_tokens.items():
            if _same(given, token):
                return User(REVIEWER_USER + name, name, name)
        return None

    def get_handlers(self) -> list[tuple[str, object]]:
        # Voila adds these before its own routes, so ours answer /voila/query/ first.
        if not self.auth_enabled:
            return []
        return [(r"/login", NoAccessHandler), (QUERY_ROUTE, local_request_info_handler())]

    async def get_user(self, handler: web.RequestHandler) -> User | None:
        handler.request.headers.pop(REVIEWER_HEADER, None)  # only the server says who a page is for
        found = super().get_user(handler)
        user: User | None = await found if isinstance(found, Awaitable) else found
        if user is None and self.auth_enabled and _is_api(handler):
            raise web.HTTPError(403)
        if user is not None and user.username.startswith(REVIEWER_USER):
            handler.request.headers[REVIEWER_HEADER] = quote(user.username[len(REVIEWER_USER):])
        if user is not None:
            _forget_token(handler.request)
        return user


def _forget_token(request: Any) -> None:
    """The request without its ``token`` argument, once accepted: Voila gives a page's kernel its
    query string and address (``QUERY_STRING``, ``VOILA_REQUEST_URL``), and the log its address."""
    if "token" not in request.query_arguments:
        return
    request.query_arguments.pop("token", None)
    request.arguments.pop("token", None)
    kept = [part for part in request.query.split("&") if part and part.split("=", 1)[0] != "token"]
    request.query = "&".join(kept)
    request.uri = request.path + (f"?{request.query}" if request.query else "")


def _is_api(handler: web.RequestHandler) -> bool:
    base = str(handler.settings.get("base_url", "/") or "/")
    if not base.endswith("/"):
        base += "/"
    path = handler.request.path
    return path == base + "api" or path.startswith(base + "api/")


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@functools.cache
def local_request_info_handler() -> type[web.RequestHandler]:
    """Voila's request-info websocket for pre-heated kernels, refused (403) to any client that is
    not on this machine. Built on first use: only the Voila process needs Voila imported."""
    from voila.request_info_handler import RequestInfoSocketHandler

    class LocalRequestInfoHandler(RequestInfoSocketHandler):  # type: ignore[misc]
        async def get(self, *args: Any, **kwargs: Any) -> None:
            if not is_loopback(self.request.remote_ip or ""):
                raise web.HTTPError(403)
            await super().get(*args, **kwargs)

    return LocalRequestInfoHandler
