"""SIGKILL at random moments while a process saves in a loop: every save that returned is kept."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_capture_support import copy_mini

from toolkit.capture.store import open_review
from toolkit.inputs.findings import read_findings_file

SAVER = """
import sys
from pathlib import Path
from toolkit.capture.records import FindingDraft
from toolkit.capture.store import CaptureStore, open_review
params, scope, root = open_review(Path(sys.argv[1]))
store = CaptureStore(root, params, scope, "Colin Marsh")
tag = sys.argv[2]
i = 0
while True:
    r = store.add(FindingDraft("2016-identify", "strength", f"{tag} saved {i} " + "x" * (i % 200),
                               "detail " * (i % 50), ("interview",)))
    assert r.ok
    if i % 3 == 0 and r.finding is not None:
        store.set_withdrawn(r.finding.id, True)
    print(r.finding.id, flush=True)
    i += 1
"""


@pytest.mark.slow  # several processes for seconds
def test_sigkill_between_and_during_saves_loses_nothing(tmp_path: Path) -> None:
    params_file = copy_mini(tmp_path)
    params, scope, root = open_review(params_file)
    path = root / "data" / params.review_id / "capture" / "findings_colin-marsh.csv"
    rng = random.Random(20260303)
    returned: list[str] = []
    for round_ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(params_file), f"round{round_}"],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()  # imports done, at least one save returned
        assert first
        returned.append(first)
        time.sleep(rng.uniform(0.05, 0.6))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        returned += [line.strip() for line in proc.stdout.read().splitlines() if line.strip()]
        got, errors = read_findings_file(path, "findings_colin-marsh.csv", params, scope)
        assert errors == [], errors
        ids = {f.id for f in got}
        missing = [r for r in returned if r not in ids]
        assert not missing, f"saves that returned but were lost: {missing[:5]}"
    assert len(returned) > 30
    leftovers = [p.name for p in path.parent.iterdir() if ".tmp-" in p.name]
    assert len(leftovers) <= 1  # at most the temp file of the last kill; the next save removes it
