"""A full round of twenty reviews (three of them hanging or broken) on warm kernels.

The fresh-kernel path, the re-run and Ctrl-C are tested on smaller rounds in test_batch.py; this
file holds the one large round so that it runs beside them rather than after them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.batch import check_round, make_round, marker, run_round

from toolkit.build.batch import summary_table

__all__ = ["marker"]  # the fixture, used by name


@pytest.mark.slow
def test_batch_of_twenty_on_warm_kernels_gives_seventeen_letters(tmp_path: Path, marker: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    roles = make_round(tmp_path, 20, seed=5)
    done = run_round(tmp_path / "params", monkeypatch, 20, reuse_kernels=True)
    check_round(tmp_path, roles, marker, summary_table(done), done.exit_code)
    assert len(roles["good"]) == 17 and "17 of 20 letters drafted" in summary_table(done)
