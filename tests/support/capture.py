"""Shared helpers of the capture tests (a copy of a review in tmp_path, its store)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

from toolkit.capture.app import CaptureApp
from toolkit.capture.audit_tab import AuditTab
from toolkit.capture.records import FindingDraft
from toolkit.capture.store import CaptureStore, open_review
from toolkit.inputs.audit_framework import MET, NOT_MET

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"

# Ports for the test servers: below Linux's ephemeral range (32768-60999), so no kernel's zmq socket
# or browser connection can take one between the pick and the server's bind, and a range of its own
# for each xdist worker, so two workers never pick the same one.
_PORT_BASE = 20000
_PORTS_PER_WORKER = 1500
_picked = [0]


def free_port() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    first = _PORT_BASE + (int(worker[2:]) if worker[2:].isdigit() else 0) * _PORTS_PER_WORKER
    for _ in range(_PORTS_PER_WORKER):
        port = first + (os.getpid() + _picked[0]) % _PORTS_PER_WORKER  # a new run starts elsewhere
        _picked[0] += 1
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in the range of {worker}")


def copy_mini(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "proj")
    return tmp_path / "proj" / "params" / "mini.yaml"


def store_for(params_file: Path, reviewer: str) -> CaptureStore:
    params, scope, root = open_review(params_file)
    return CaptureStore(root, params, scope, reviewer)


def draft(statement: str = "Health visitors spot speech delay early.", kloe: str = "2016-identify",
          kind: str = "strength", evidence: tuple[str, ...] = ("interview",), **kw: object) -> FindingDraft:
    return FindingDraft(kloe=kloe, kind=kind, statement=statement, evidence=evidence, **kw)  # type: ignore[arg-type]


def children(pid: int) -> list[int]:
    """The direct children of a process (Linux ``/proc``)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Jupyter starts each kernel in a session of its own, so a
    server's kernels are found as its children, not by process group)."""
    out = [pid]
    for child in children(pid):
        out.extend(process_tree(child))
    return out


def alive(pids: list[int]) -> list[int]:
    """Those of ``pids`` still running (zombies count as gone)."""
    out = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.append(pid)
    return out


def stop_server(proc: subprocess.Popen[str]) -> None:
    """Stop a ``peer-review capture`` started in a session of its own: Ctrl+C, then SIGKILL after 20 s."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def copy_follow_up(tmp_path: Path, progress: str | None = None) -> Path:
    """The small review made the follow-up of a copy of itself (``mini-2025``, the same findings);
    ``progress`` names a progress file for ``inputs.progress``. Returns the follow-up's params file."""
    import yaml

    params_file = copy_mini(tmp_path)
    data = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    earlier = dict(data, review_id="mini-2025")
    (params_file.parent / "mini-2025.yaml").write_text(yaml.safe_dump(earlier, sort_keys=False), encoding="utf-8")
    data["inputs"]["previous_review"] = "params/mini-2025.yaml"
    data["inputs"]["progress"] = progress
    params_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return params_file


# ---- the capture app's audit tab, without a browser ----------------------------------------------

UNMET = {"e1", "e4", "h2", "gt2"}


def audit_app(tmp_path: Path, reviewer: str = "Lena Duarte") -> tuple[CaptureApp, Path]:
    params_file = copy_mini(tmp_path)
    params, scope, root = open_review(params_file)
    return CaptureApp(params, scope, root, reviewer), params_file


def audit_tab(app: CaptureApp) -> AuditTab:
    assert isinstance(app.audit, AuditTab)
    return app.audit


def fill_audit(tab: AuditTab, case_ref: str = "FEN-0142", unmet: set[str] = UNMET) -> None:
    tab.case_ref.value = case_ref
    tab.phase.value = "KS2"
    tab.year_group.value = "5"
    tab.primary_need.value = "ASD"
    tab.setting_type.value = "mainstream"
    tab.plan_stage.value = "annual review"
    for cid, row in tab.rows.items():
        if not row.value.disabled:
            row.value.value = NOT_MET if cid in unmet else MET
    tab.notes.value = "Outcomes describe services rather than what the child will achieve."
