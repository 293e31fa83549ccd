"""``draft`` writes the record of letter.docx's parts beside it (issue 28): the same bytes on every
draft, the parts the Word copy's bookmarks name, and gone with the Word copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EditParams

from toolkit.build.manifest import PARTS_NAME
from toolkit.build.render import draft
from toolkit.letter.absorb import read_changes
from toolkit.letter.docx import letter_docx_parts
from toolkit.review import load_review


@pytest.mark.slow  # drafts through a kernel, three times
def test_draft_writes_the_parts_record_beside_the_word_copy(mini: Path, edit_params: EditParams,
                                                           tmp_path: Path) -> None:
    def outputs(formats: list[str]) -> Any:
        return lambda data: data.update(outputs=formats)

    edit_params(mini, outputs(["html", "docx"]))
    reports = tmp_path / "reports"
    folder = draft(mini, reports).folder
    record = (folder / PARTS_NAME).read_bytes()
    assert draft(mini, reports).folder == folder and (folder / PARTS_NAME).read_bytes() == record
    html = (folder / "letter.html").read_text(encoding="utf-8")
    assert letter_docx_parts(html)[1].encode("utf-8") == record  # the record of the letter.docx drafted
    parsed = json.loads(record)
    assert {"finding:a1", "finding:m1", "text:opening:1"} <= {p["id"] for p in parsed["parts"]}
    changes = read_changes(load_review(mini), folder / "letter.docx")
    assert changes.changes == () and changes.draft_id == parsed["draft"] == changes.current_id
    edit_params(mini, outputs(["html"]))
    draft(mini, reports)
    assert not (folder / PARTS_NAME).exists() and not (folder / "letter.docx").exists()
