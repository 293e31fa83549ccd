"""The batch summary lists the files each draft wrote beside its letter."""

from __future__ import annotations

from pathlib import Path

from toolkit.build.batch import OK, BatchResult, Job, JobResult, summary_table


def test_summary_lists_the_files_written(tmp_path: Path) -> None:
    job = Job(1, tmp_path / "a.yaml", "a-2026", tmp_path)
    letter = tmp_path / "a-2026" / "letter.html"
    files = ("letter.docx", "letter.html", "letter.ipynb", "letter.pdf", "manifest.json")
    table = summary_table(BatchResult([JobResult(job, OK, 1.0, letter, "", 0, 0, files)], 1.0, 1))
    row = next(line for line in table.splitlines() if line.startswith("a-2026"))
    assert row.endswith(f"{letter} (+ letter.docx, letter.ipynb, letter.pdf, manifest.json)")
    plain = summary_table(BatchResult([JobResult(job, OK, 1.0, letter)], 1.0, 1))
    assert next(line for line in plain.splitlines() if line.startswith("a-2026")).endswith(str(letter))
