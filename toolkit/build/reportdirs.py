"""Leftovers of report folders written atomically (:func:`toolkit.build.render.build_report`).

A draft writes ``reports/.<review>.tmp-<pid>-<random>/`` and swaps it into place by renaming the
old report to ``.<review>.old-<pid>`` first. A process that dies leaves those behind; this module
tidies them up. It imports nothing heavy, so the batch coordinator can use it right after it
stops a worker without first importing the notebook machinery.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def remove_stale_temp_folders(reports: Path, review_id: str | None = None) -> list[Path]:
    """Remove ``.<review>.tmp-<pid>-*`` / ``.<review>.old-<pid>`` folders left by dead processes.

    An ``.old`` folder whose report folder is missing is the previous good report of a process
    that died between the two renames of a swap: it is put back in place, not removed.
    """
    removed = []
    prefix = f".{review_id}." if review_id else "."
    for folder in sorted(reports.glob(f"{prefix}*")):
        parts = folder.name.rsplit(".", 1)
        kind, _, rest = parts[-1].partition("-")
        if len(parts) != 2 or kind not in ("tmp", "old") or not folder.is_dir():
            continue
        pid = rest.split("-", 1)[0]
        if pid.isdigit() and pid_alive(int(pid)):
            continue
        final = reports / parts[0][1:]
        if kind == "old" and parts[0][1:] and not final.exists():
            folder.rename(final)
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
