"""The capture server: localhost without a token; any other host only with the printed token."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_capture_support import copy_mini
from toolkit.capture.server import plan_server, wait_until_listening


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_localhost_plan_has_no_token(tmp_path: Path) -> None:
    plan = plan_server(copy_mini(tmp_path), port=9999)
    assert plan.token is None and plan.url == "http://127.0.0.1:9999/"
    assert "--Voila.ip=127.0.0.1" in plan.argv and not any(a.startswith("--token") for a in plan.argv)
    assert plan.env["PEER_REVIEW_PARAMS"].endswith("mini.yaml")
    assert "--VoilaConfiguration.show_tracebacks=False" in plan.argv


def test_other_hosts_get_a_fresh_token(tmp_path: Path) -> None:
    a = plan_server(copy_mini(tmp_path), port=9999, host="0.0.0.0")
    b = plan_server(tmp_path / "proj" / "params" / "mini.yaml", port=9999, host="0.0.0.0")
    assert a.token and b.token and a.token != b.token and len(a.token) >= 24
    assert f"--token={a.token}" in a.argv and a.url.endswith(f"?token={a.token}")


@pytest.fixture
def remote_server(tmp_path: Path) -> Iterator[tuple[int, str]]:
    params_file = copy_mini(tmp_path)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "toolkit.cli", "capture", str(params_file), "--host", "0.0.0.0",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        token = lines[1].rsplit(" ", 1)[1].strip()
        assert token in lines[0] and lines[1].startswith("Access token")
        assert wait_until_listening("127.0.0.1", port, timeout=60)
        yield port, token
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _get(port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    return conn.getresponse()


def test_host_0000_refuses_requests_without_the_token(remote_server: tuple[int, str]) -> None:
    port, token = remote_server
    page = _get(port, "/")
    assert page.status in (302, 401, 403)
    if page.status == 302:
        assert "/login" in (page.getheader("Location") or "")
    wrong = _get(port, "/?token=not-the-token")
    assert wrong.status in (302, 401, 403)
    assert _get(port, "/api/kernels/00000000-0000-0000-0000-000000000000").status in (401, 403)
    ok = _get(port, f"/?token={token}")
    assert ok.status == 200
    assert b"<html" in ok.read(2000).lower()
