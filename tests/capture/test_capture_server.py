"""The capture server: localhost without a token; any other host over HTTPS and only with a
printed token (the team's, or a reviewer's own); no token and no traceback in its log."""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from support.capture import children, copy_mini, free_port, stop_server

from toolkit.capture.access import lan_addresses
from toolkit.capture.certificate import review_certificate
from toolkit.capture.server import plan_server, share_certificate, wait_until_listening
from toolkit.capture.store import open_review


def test_localhost_plan_has_no_token(tmp_path: Path) -> None:
    plan = plan_server(copy_mini(tmp_path), port=9999)
    assert plan.token is None and plan.url == "http://127.0.0.1:9999/"
    assert "--Voila.ip=127.0.0.1" in plan.argv and not any(a.startswith("--token") for a in plan.argv)
    assert plan.env["PEER_REVIEW_PARAMS"].endswith("mini.yaml")
    assert "--VoilaConfiguration.show_tracebacks=False" in plan.argv


def test_one_kernel_is_kept_ready_and_knows_where_to_ask_for_its_page(tmp_path: Path) -> None:
    """A pool of pre-heated kernels (two by default); the kernel's notebook reaches the server's request socket
    at an address of this machine (bracketed for IPv6, as Voila writes it into a URL)."""
    params_file = copy_mini(tmp_path)
    plan = plan_server(params_file, port=9999)
    assert {"--preheat_kernel=True", "--pool_size=2"} <= set(plan.argv)  # two: two pages opened together
    assert "--pool_size=1" in plan_server(params_file, port=9999, pool_size=1).argv
    assert plan_server(params_file, port=9999, host="0.0.0.0").env["VOILA_APP_IP"] == "127.0.0.1"
    assert plan_server(params_file, port=9999, host="::").env["VOILA_APP_IP"] == "[::1]"
    assert plan.env["VOILA_APP_IP"] == "127.0.0.1"


def test_other_hosts_get_a_fresh_token(tmp_path: Path) -> None:
    a = plan_server(copy_mini(tmp_path), port=9999, host="0.0.0.0")
    b = plan_server(tmp_path / "proj" / "params" / "mini.yaml", port=9999, host="0.0.0.0")
    assert a.token and b.token and a.token != b.token and len(a.token) >= 24
    assert a.url.endswith(f"?token={a.token}")
    assert not any(a.token in arg for arg in a.argv)  # never on the command line (ps shows it)
    assert a.env["JUPYTER_TOKEN"] == a.token and "--Voila.auto_token=True" in a.argv


def test_localhost_plan_drops_an_inherited_token(tmp_path: Path) -> None:
    plan = plan_server(copy_mini(tmp_path), port=9999, env={"JUPYTER_TOKEN": "x", "PATH": "/usr/bin"})
    assert "JUPYTER_TOKEN" not in plan.env and plan.lan_urls == ()


def test_all_interfaces_plan_lists_the_lan_addresses(tmp_path: Path) -> None:
    plan = plan_server(copy_mini(tmp_path), port=9999, host="0.0.0.0")
    assert plan.lan_urls == tuple(f"http://{a}:9999/?token={plan.token}" for a in lan_addresses())
    assert all(not u.startswith("http://127.") for u in plan.lan_urls)


def test_share_plan_is_https_with_a_token_per_reviewer_kept_off_the_command_line(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    params, _, root = open_review(params_file)
    cert = review_certificate(root / "data" / params.review_id / "capture", params.review_id, ["vm"], ["192.0.2.2"])
    plan = plan_server(params_file, port=9999, host="0.0.0.0", certificate=cert, reviewers=("Ann", "Bo"))
    assert plan.url.startswith("https://") and plan.local_url.startswith("https://127.0.0.1:9999/")
    assert all(u.startswith("https://") for u in plan.lan_urls)
    assert f"--CaptureVoila.certfile={cert.certfile}" in plan.argv
    tokens = plan.reviewer_tokens
    assert set(tokens) == {"Ann", "Bo"} and len({plan.token, *tokens.values()}) == 3
    assert all(len(t) >= 24 for t in tokens.values())
    assert json.loads(plan.env["PEER_REVIEW_REVIEWER_TOKENS"]) == tokens
    assert not any(t in arg for t in tokens.values() for arg in plan.argv)
    assert [name for name, _ in plan.reviewer_links] == ["Ann", "Bo"]
    assert all(url.startswith("https://") and url.endswith(f"?token={tokens[name]}") for name, url in plan.reviewer_links)
    local = plan_server(params_file, port=9999, reviewers=("Ann",))  # localhost: no token at all
    assert local.reviewer_tokens == {} and "PEER_REVIEW_REVIEWER_TOKENS" not in local.env


def test_the_reviews_certificate_is_made_once_kept_and_renewed_for_new_addresses(tmp_path: Path) -> None:
    from cryptography import x509

    folder = tmp_path / "capture"
    first = review_certificate(folder, "r-2026", ["laptop"], ["192.0.2.2"])
    assert first.made and first.certfile == folder / ".tls" / "cert.pem"
    assert stat.S_IMODE(first.keyfile.stat().st_mode) == 0o600
    assert len(first.fingerprint.split(":")) == 32
    cert = x509.load_pem_x509_certificate(first.certfile.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {"localhost", "laptop"} <= set(san.get_values_for_type(x509.DNSName))
    assert {"127.0.0.1", "192.0.2.2"} <= {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    again = review_certificate(folder, "r-2026", ["laptop"], ["192.0.2.2"])
    assert not again.made and again.fingerprint == first.fingerprint  # reused: devices are not asked again
    key = first.keyfile.read_bytes()
    moved = review_certificate(folder, "r-2026", ["laptop"], ["198.51.100.7"])  # another venue's network
    assert moved.made and moved.fingerprint != first.fingerprint and moved.keyfile.read_bytes() == key


def test_an_organisations_certificate_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    from toolkit.capture.certificate import read_certificate
    from toolkit.errors import ToolkitError

    (tmp_path / "cert.pem").write_text("not a certificate")
    with pytest.raises(ToolkitError, match="not a PEM certificate"):
        read_certificate(tmp_path / "cert.pem", tmp_path / "cert.pem")
    with pytest.raises(ToolkitError, match="cannot read"):
        read_certificate(tmp_path / "missing.pem", tmp_path / "missing.pem")


def test_log_lines_never_show_a_token() -> None:
    from toolkit.capture import voila_app

    voila_app._known_tokens.add("Kn0wnT0ken-abcdefgh")
    try:
        for line, hidden in (("403 GET /login?token=abc-DEF_123 (1.2.3.4)", "abc-DEF_123"),
                             ("404 GET /x?a=1&token=s3cret&b=2 (::1)", "s3cret"),
                             ("Authorization: token 0123456789abcdef", "0123456789abcdef"),
                             ("Authorization: Bearer 0123456789abcdef", "0123456789abcdef"),
                             ("cookie value Kn0wnT0ken-abcdefgh seen", "Kn0wnT0ken-abcdefgh")):
            assert hidden not in voila_app.redact(line) and "[hidden]" in voila_app.redact(line)
        assert voila_app.redact("GET /?reviewer=Ruth%20Adeyemi") == "GET /?reviewer=Ruth%20Adeyemi"
    finally:
        voila_app._known_tokens.discard("Kn0wnT0ken-abcdefgh")


def test_a_reviewers_own_link_starts_the_app_as_that_reviewer_only(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel learns the reviewer from the server (a request header Voila passes on): the app
    starts as them, with no other name to choose; ``?reviewer=`` cannot change it."""
    from toolkit.capture import app
    from toolkit.capture.access import REVIEWER_HEADER

    assert app.REVIEWER_ENV == "HTTP_" + REVIEWER_HEADER.upper().replace("-", "_")  # Voila's naming
    params_file = copy_mini(tmp_path)
    monkeypatch.setenv(app.REVIEWER_ENV, "Ruth%20Adeyemi")
    widget = app.capture_app(params_file, query="reviewer=Colin%20Marsh")
    picker = next(w for w in _walk(widget) if "pr-reviewer" in getattr(w, "_dom_classes", ()))
    assert picker.disabled and [v for _, v in picker.options if v] == ["Ruth Adeyemi"]
    assert picker.value == "Ruth Adeyemi"
    assert any("Recording as <b>Ruth Adeyemi</b>" in str(getattr(w, "value", "")) for w in _walk(widget))
    monkeypatch.setenv(app.REVIEWER_ENV, "Someone%20Else")
    refused = app.capture_app(params_file, query="")
    assert any("no longer in the review" in str(getattr(w, "value", "")) for w in _walk(refused))
    assert not any("pr-reviewer" in getattr(w, "_dom_classes", ()) for w in _walk(refused))


def _walk(widget: object) -> Iterator[object]:
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _start_cli(params_file: Path, *args: str, stderr: Path | None = None) -> subprocess.Popen[str]:
    err = open(stderr, "w") if stderr else subprocess.DEVNULL  # closed with the process
    return subprocess.Popen([sys.executable, "-m", "toolkit.cli", "capture", str(params_file), *args],
                            stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)


def _lines_until_stop(proc: subprocess.Popen[str]) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    while not lines or not lines[-1].startswith("Stop it"):
        line = proc.stdout.readline()
        assert line, f"the command ended early: {lines}"
        lines.append(line.strip())
    return lines


class Shared:
    """A share-mode server of a copy of the small review: its port, tokens, printed lines, the
    command's pid, its certificate and the file its standard error goes to."""

    def __init__(self, params_file: Path, port: int, lines: list[str], cli: int, log: Path) -> None:
        self.params_file, self.port, self.lines, self.cli, self.log = params_file, port, lines, cli, log
        self.token = next(line for line in lines if line.startswith("Access token")).rsplit(" ", 1)[1]
        self.reviewer_tokens = {line.split(" (opens")[0].removeprefix("Link for "): line.rsplit("token=", 1)[1]
                                for line in lines if line.startswith("Link for ")}
        self.cert = next(line for line in lines if line.startswith("HTTPS certificate")).rsplit(" ", 1)[1]
        self.context = ssl.create_default_context(cafile=self.cert)  # the certificate itself is trusted

    def request(self, method: str, path: str, host: str = "127.0.0.1",
                headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPSConnection(host, self.port, timeout=60, context=self.context)
        conn.request(method, path, headers=headers or {})
        return conn.getresponse()

    def get(self, path: str) -> http.client.HTTPResponse:
        return self.request("GET", path)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    tmp = tmp_path_factory.mktemp("shared")
    params_file = copy_mini(tmp)
    share_certificate(open_review(params_file), "0.0.0.0")  # made before: the server must reuse it
    port = free_port()
    log = tmp / "server.log"
    proc = _start_cli(params_file, "--host", "0.0.0.0", "--port", str(port), stderr=log)
    try:
        lines = _lines_until_stop(proc)
        assert wait_until_listening("127.0.0.1", port, timeout=60)
        yield Shared(params_file, port, lines, proc.pid, log)
    finally:
        stop_server(proc)


KERNEL = "00000000-0000-0000-0000-000000000000"
UPGRADE = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


@pytest.mark.slow  # starts Voila
def test_host_0000_refuses_requests_without_the_token(shared: Shared) -> None:
    """A page without the token (or with a wrong one) is sent to our refusal page; the API answers
    403, never a redirect to a login page, for every method, the kernel's websocket too."""
    for path in ("/", "/?token=not-the-token"):
        page = shared.get(path)
        assert page.status == 302 and (page.getheader("Location") or "").startswith("/login"), path
    assert shared.get("/login?next=%2F").status == 403
    for method, path in (("GET", "/api"), ("GET", "/api/"), ("GET", "/api/kernels"), ("POST", "/api/kernels"),
                         ("GET", f"/api/kernels/{KERNEL}"), ("DELETE", f"/api/kernels/{KERNEL}"),
                         ("GET", "/api/sessions"), ("GET", "/api/contents"), ("GET", "/api/status"),
                         ("GET", "/api/kernels?token=not-the-token")):
        answer = shared.request(method, path)
        assert (answer.status, answer.getheader("Location")) == (403, None), (method, path)
    assert shared.request("GET", f"/api/kernels/{KERNEL}/channels", headers=UPGRADE).status == 403
    ok = shared.get(f"/?token={shared.token}")
    assert ok.status == 200
    assert b"<html" in ok.read(2000).lower()


@pytest.mark.slow  # starts Voila
def test_share_mode_is_https_only(shared: Shared) -> None:
    """The links printed are https; a plain HTTP request gets no page."""
    assert shared.lines[0].startswith("Capture app: https://")
    conn = http.client.HTTPConnection("127.0.0.1", shared.port, timeout=30)
    with pytest.raises((http.client.HTTPException, OSError)):
        conn.request("GET", f"/?token={shared.token}")
        conn.getresponse().read()


@pytest.mark.slow  # starts Voila
def test_the_login_cookie_is_secure_httponly_and_samesite(shared: Shared) -> None:
    for token in (shared.token, *shared.reviewer_tokens.values()):
        answer = shared.get(f"/?token={token}")
        cookies = [v for k, v in answer.getheaders() if k.lower() == "set-cookie" and v.startswith("username-")]
        assert len(cookies) == 1, answer.getheaders()
        flags = {f.strip().split("=")[0].lower() for f in cookies[0].split(";")[1:]}
        assert {"secure", "httponly", "samesite"} <= flags
        assert "SameSite=Lax" in cookies[0] and token not in cookies[0]


@pytest.mark.slow  # starts Voila
def test_the_certificate_is_the_reviews_own_reused_and_its_fingerprint_printed(shared: Shared) -> None:
    """The certificate made before the server started (share_certificate) is the one it serves:
    kept under the review's capture folder, key readable by its owner only, fingerprint printed."""
    params, _, root = open_review(shared.params_file)
    folder = root / "data" / params.review_id / "capture" / ".tls"
    assert Path(shared.cert) == folder / "cert.pem"
    assert stat.S_IMODE((folder / "key.pem").stat().st_mode) == 0o600
    assert any(line.startswith("HTTPS certificate of this review:") for line in shared.lines)  # kept, not made
    served = ssl.get_server_certificate(("127.0.0.1", shared.port))
    from cryptography import x509

    from toolkit.capture.certificate import fingerprint

    printed = next(line for line in shared.lines if "SHA-256 fingerprint" in line).rsplit(" ", 1)[1]
    assert fingerprint(x509.load_pem_x509_certificate(served.encode())) == printed
    assert served.strip() == Path(shared.cert).read_text().strip()


@pytest.mark.slow  # starts Voila
def test_the_preheated_kernels_request_socket_is_for_this_machine_only(shared: Shared) -> None:
    """Voila's /voila/query/<kernel> websocket hands a pre-heated kernel its page's request (the
    query string, with the token on a first visit) without any login: only a client on this machine
    (the kernels) may open it."""
    assert shared.request("GET", f"/voila/query/{KERNEL}", headers=UPGRADE).status == 101  # from 127.0.0.1
    addresses = lan_addresses()
    if not addresses:
        pytest.skip("this machine has no network address but loopback")
    answer = shared.request("GET", f"/voila/query/{KERNEL}", host=addresses[0], headers=UPGRADE)
    assert answer.status == 403


@pytest.mark.slow  # starts Voila
def test_tokens_are_not_on_any_command_line_nor_in_a_kernels_environment_and_links_are_printed(
        shared: Shared) -> None:
    voila = children(shared.cli)
    assert voila, "the capture command has started Voilà"
    tokens = [shared.token, *shared.reviewer_tokens.values()]
    assert len(set(tokens)) == 4 and set(shared.reviewer_tokens) == {"Ruth Adeyemi", "Colin Marsh", "Lena Duarte"}
    kernels = [k for v in voila for k in children(v)]
    assert kernels, "the kernel kept ready"
    for pid in [shared.cli, *voila, *kernels]:
        assert not any(t in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace") for t in tokens)
    for pid in kernels:  # a kernel's environment holds no token (Voila took them out of its own)
        assert not any(t in Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace") for t in tokens)
    for address in lan_addresses():
        assert (f"Capture app at this machine's network address: https://{address}:{shared.port}/?token={shared.token}"
                in shared.lines)
    params, _, root = open_review(shared.params_file)
    links = root / "data" / params.review_id / "capture" / ".links.txt"
    assert stat.S_IMODE(links.stat().st_mode) == 0o600
    text = links.read_text(encoding="utf-8")
    assert all(t in text for t in tokens)


@pytest.mark.slow  # starts Voila
def test_no_token_and_no_traceback_in_the_log_after_refused_and_failed_requests(shared: Shared) -> None:
    """Tokenless requests to the API, failed requests carrying the team's or a reviewer's token,
    and paths Voila used to answer with 500: the log names each request without its token and
    shows no traceback; ``/voila/templates/..`` is 404."""
    tokens = [shared.token, *shared.reviewer_tokens.values()]
    for token in tokens:
        for path in (f"/login?token={token}", f"/voila/api/themes/light?token={token}",
                     f"/voila/templates/..?token={token}", f"/api/kernels/{KERNEL}?token={token}"):
            assert shared.get(path).status in (403, 404), path
        assert shared.request("GET", f"/api/kernels/{KERNEL}", headers={"Authorization": f"token {token}"}).status == 404
    for path in ("/api", "/api/kernels", "/api/sessions", "/api/contents/x", "/voila/templates/..",
                 "/voila/templates/lab/static/../../../x", "/voila/templates/%2e%2e", "/voila/templates/lab"):
        answer = shared.get(path)
        assert answer.status in (403, 404), (path, answer.status)
        body = answer.read().decode("utf-8", "replace")
        assert "Traceback" not in body and "Jupyter" not in body
    assert shared.get("/voila/templates/..").status == 404
    conn = socket.create_connection(("127.0.0.1", shared.port), timeout=30)  # and a raw request, as a probe sends
    ctx = shared.context.wrap_socket(conn, server_hostname="127.0.0.1")
    ctx.sendall(f"GET /voila/templates/../x?token={shared.token} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert ctx.recv(100).startswith(b"HTTP/1.1 404")
    ctx.close()
    deadline = time.monotonic() + 30
    while "templates/../x" not in shared.log.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the requests were not logged"
        time.sleep(0.2)
    log = shared.log.read_text(errors="replace")
    assert "403 GET /login?token=[hidden]" in log
    assert not any(t in log for t in tokens)
    assert "Traceback" not in log and "Uncaught exception" not in log


@pytest.mark.slow  # starts Voila
def test_a_port_held_by_this_reviews_server_is_named_with_what_to_do(shared: Shared) -> None:
    [voila] = children(shared.cli)
    done = subprocess.run([sys.executable, "-m", "toolkit.cli", "capture", str(shared.params_file),
                           "--port", str(shared.port)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"port {shared.port} is held by an earlier capture server of this review (pid {voila})" in lines[0]
    assert f"kill {voila}" in lines[0] and "--port" in lines[0]


@pytest.mark.slow  # starts Voila
def test_two_pages_opened_together_each_take_a_kernel_kept_ready(tmp_path: Path) -> None:
    """With the default two kernels kept ready, a page opened straight after another does not wait
    for a kernel started for it: both are served by kernels kept ready."""
    params_file = copy_mini(tmp_path)
    port = free_port()
    log = tmp_path / "server.log"
    proc = _start_cli(params_file, "--port", str(port), "--ready-kernels", "2", stderr=log)
    try:
        _lines_until_stop(proc)
        deadline = time.monotonic() + 120
        while "is filled with 2 kernel(s)" not in log.read_text(errors="replace"):
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
            time.sleep(0.2)
        for _ in range(2):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", "/")
            answer = conn.getresponse()
            assert answer.status == 200
            answer.read()
        assert log.read_text(errors="replace").count("Using pre-heated kernel") == 2
    finally:
        stop_server(proc)


def test_a_port_held_by_another_program_is_named(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "toolkit.cli", "capture", str(params_file), "--port", str(port)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    name = psutil.Process().name()
    assert line == f"port {port} is held by another program ({name}, pid {os.getpid()}); choose another port with --port"


def test_the_lan_link_is_drawn_as_a_qr_code_for_tablets() -> None:
    """The terminal shows the shared link as a QR code: a square of block characters, one module
    per character across and two per line, that changes with the link."""
    from toolkit.capture.access import qr_text

    url = "http://192.168.1.20:8866/?token=0123456789abcdef"
    lines = qr_text(url).splitlines()
    assert len({len(line) for line in lines}) == 1 and len(lines[0]) >= 25
    assert abs(len(lines) - (len(lines[0]) + 1) // 2) <= 1  # square: two rows of modules a line
    assert set("".join(lines)) <= set("\xa0 █▀▄")  # qrcode draws blanks as no-break spaces
    assert qr_text(url) == qr_text(url) != qr_text(url.replace("0123", "9999"))
