"""The capture server: localhost without a token; any other host only with the printed token."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_capture_support import alive, children, copy_mini, free_port, process_tree, stop_server

from toolkit.capture.server import lan_addresses, plan_server, wait_until_listening


def test_localhost_plan_has_no_token(tmp_path: Path) -> None:
    plan = plan_server(copy_mini(tmp_path), port=9999)
    assert plan.token is None and plan.url == "http://127.0.0.1:9999/"
    assert "--Voila.ip=127.0.0.1" in plan.argv and not any(a.startswith("--token") for a in plan.argv)
    assert plan.env["PEER_REVIEW_PARAMS"].endswith("mini.yaml")
    assert "--VoilaConfiguration.show_tracebacks=False" in plan.argv


def test_one_kernel_is_kept_ready_and_knows_where_to_ask_for_its_page(tmp_path: Path) -> None:
    """A pool of one pre-heated kernel; the kernel's notebook reaches the server's request socket
    at an address of this machine (bracketed for IPv6, as Voila writes it into a URL)."""
    params_file = copy_mini(tmp_path)
    plan = plan_server(params_file, port=9999)
    assert {"--preheat_kernel=True", "--pool_size=1"} <= set(plan.argv)
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


def _start_cli(params_file: Path, *args: str, ignore_sigint: bool = False) -> subprocess.Popen[str]:
    def background() -> None:  # as a shell starts a job with '&': SIGINT ignored, inherited by children
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    return subprocess.Popen([sys.executable, "-m", "toolkit.cli", "capture", str(params_file), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True,
                            preexec_fn=background if ignore_sigint else None)


def _lines_until_stop(proc: subprocess.Popen[str]) -> list[str]:
    assert proc.stdout is not None
    lines = []
    while not lines or not lines[-1].startswith("Stop it"):
        line = proc.stdout.readline()
        assert line, f"the command ended early: {lines}"
        lines.append(line.strip())
    return lines


@pytest.fixture
def remote_server(tmp_path: Path) -> Iterator[tuple[int, str, list[str], int]]:
    params_file = copy_mini(tmp_path)
    port = free_port()
    proc = _start_cli(params_file, "--host", "0.0.0.0", "--port", str(port))
    try:
        lines = _lines_until_stop(proc)
        token = next(line for line in lines if line.startswith("Access token")).rsplit(" ", 1)[1]
        assert token in lines[0] and lines[0].startswith("Capture app: http://")
        assert wait_until_listening("127.0.0.1", port, timeout=60)
        yield port, token, lines, proc.pid
    finally:
        stop_server(proc)


def _get(port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    return conn.getresponse()


def _request(port: int, method: str, path: str, host: str = "127.0.0.1",
             headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request(method, path, headers=headers or {})
    return conn.getresponse()


KERNEL = "00000000-0000-0000-0000-000000000000"
UPGRADE = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


@pytest.mark.slow  # starts Voila
def test_host_0000_refuses_requests_without_the_token(remote_server: tuple[int, str]) -> None:
    """A page without the token (or with a wrong one) is sent to our refusal page; the API answers
    403, never a redirect to a login page, for every method, the kernel's websocket included."""
    port, token, _, _ = remote_server
    for path in ("/", "/?token=not-the-token"):
        page = _get(port, path)
        assert page.status == 302 and (page.getheader("Location") or "").startswith("/login"), path
    assert _get(port, "/login?next=%2F").status == 403
    for method, path in (("GET", "/api"), ("GET", "/api/"), ("GET", "/api/kernels"), ("POST", "/api/kernels"),
                         ("GET", f"/api/kernels/{KERNEL}"), ("DELETE", f"/api/kernels/{KERNEL}"),
                         ("GET", "/api/sessions"), ("GET", "/api/contents"), ("GET", "/api/status"),
                         ("GET", "/api/kernels?token=not-the-token")):
        answer = _request(port, method, path)
        assert (answer.status, answer.getheader("Location")) == (403, None), (method, path)
    assert _request(port, "GET", f"/api/kernels/{KERNEL}/channels", headers=UPGRADE).status == 403
    ok = _get(port, f"/?token={token}")
    assert ok.status == 200
    assert b"<html" in ok.read(2000).lower()


@pytest.mark.slow  # starts Voila
def test_the_preheated_kernels_request_socket_is_for_this_machine_only(remote_server: tuple[int, str]) -> None:
    """Voila's /voila/query/<kernel> websocket hands a pre-heated kernel its page's request (the
    query string, with the token on a first visit) without any login: only a client on this machine
    (the kernels) may open it."""
    port, _, _, _ = remote_server
    assert _request(port, "GET", f"/voila/query/{KERNEL}", headers=UPGRADE).status == 101  # from 127.0.0.1
    addresses = lan_addresses()
    if not addresses:
        pytest.skip("this machine has no network address but loopback")
    answer = _request(port, "GET", f"/voila/query/{KERNEL}", host=addresses[0], headers=UPGRADE)
    assert answer.status == 403


@pytest.mark.slow  # starts Voila
def test_token_is_not_on_any_command_line_and_lan_urls_are_printed(
        remote_server: tuple[int, str, list[str], int]) -> None:
    port, token, lines, cli = remote_server
    voila = children(cli)
    assert voila, "the capture command has started Voilà"
    for pid in [cli, *voila, *(k for v in voila for k in children(v))]:
        assert token not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    for address in lan_addresses():
        assert f"Capture app at this machine's network address: http://{address}:{port}/?token={token}" in lines


@pytest.mark.slow  # starts Voila
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_voila_and_its_kernels_even_when_started_in_background(tmp_path: Path, sig: int) -> None:
    """Started as a background job (SIGINT ignored), the command still stops Voilà and its kernels."""
    import http.client as hc

    params_file = copy_mini(tmp_path)
    port = free_port()
    proc = _start_cli(params_file, "--port", str(port), ignore_sigint=True)
    server: list[int] = []
    try:
        _lines_until_stop(proc)
        assert wait_until_listening("127.0.0.1", port, timeout=60)
        conn = hc.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", "/")  # renders the notebook: one kernel starts
        assert conn.getresponse().status == 200
        [voila] = children(proc.pid)
        server = process_tree(voila)
        assert len(server) >= 2  # Voilà and the page's kernel
        os.kill(proc.pid, sig)
        proc.wait(30)
        deadline = time.monotonic() + 20
        while alive(server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert alive(server) == []
    finally:
        if proc.poll() is None:
            stop_server(proc)
        for pid in alive(server):  # never leave a server behind, even when the test fails
            os.kill(pid, signal.SIGKILL)


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
