"""``peer-review themes --anonymise`` (issue 31, item 2): the shareable copy names no authority,
place or person the inputs hold, anywhere (themes.html, .docx, .pdf, the executed notebook, the
round file and the manifest), and holds back every group spanning fewer than three areas.

The names are collected by the test itself from the raw parameters files
(:func:`tests.analysis.test_anonymise.independent_names`), not through the toolkit's collector."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support.names import DEMO_PARAMS, independent_names
from support.paths import ROOT

from toolkit.analysis.anonymise import MINIMUM_AREAS
from toolkit.analysis.round_json import round_from_json
from toolkit.analysis.round_themes import themes_data


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return " ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8")) for n in z.namelist() if n.endswith(".xml"))


def _pdf_text(path: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text cannot be read")
    return subprocess.run([tool, str(path), "-"], capture_output=True, text=True, check=True, timeout=120).stdout


def _survivors(text: str, names: set[str]) -> list[str]:
    return sorted(n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.I))


@pytest.mark.slow
def test_an_anonymised_round_names_no_area_place_or_person(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "shareable"
    run = subprocess.run([sys.executable, "-m", "toolkit.cli", "themes", str(ROOT / "params"), "--out", str(out),
                          "--anonymise"], capture_output=True, text=True, timeout=900,
                         env={**os.environ, "PEER_REVIEW_DAEMON": "off"})
    assert run.returncode == 0, run.stderr
    names = set().union(*(independent_names(p) for p in DEMO_PARAMS))
    assert {"Brindleford", "Harrowdene", "Kestrelmoor", "Stallbridge", "Fairclough", "Mensah"} <= names
    texts = {name: (out / name).read_text(encoding="utf-8")
             for name in ("themes.html", "themes.ipynb", "round.json", "manifest.json")}
    texts["themes.docx"] = _docx_text(out / "themes.docx")
    if (out / "themes.pdf").exists():
        texts["themes.pdf"] = _pdf_text(out / "themes.pdf")
    for file, text in texts.items():
        assert len(text) > 1000, file
        assert not _survivors(text, names), (file, _survivors(text, names))
    review_ids = [p.stem for p in DEMO_PARAMS]
    assert not any(r in text for r in review_ids for text in texts.values())
    manifest = json.loads(texts["manifest.json"])
    reviews = manifest["reviews"]  # which letter the Harrowdene pair gets follows from the demos' content
    assert manifest["anonymised"] is True and len(reviews) == 4
    assert sorted({r.split(" (")[0] for r in reviews}) == ["Area A", "Area B", "Area C"]
    assert sorted(r[-3:] for r in reviews if r.endswith(")")) == ["(1)", "(2)"]
    assert manifest["parameters"]["params_files"] == [] and manifest["parameters"]["project_root"] is None
    assert "Area A" in texts["themes.html"] and "with the areas' names replaced by letters" in texts["themes.html"]
    # every group shown spans three areas or more (a review and its follow-up are one area)
    data = themes_data(round_from_json(texts["round.json"]))
    area = {r.review_id: r.authority for r in data.round.reviews}
    assert data.groups and all(len({area[r] for r in g.review_ids}) >= MINIMUM_AREAS for g in data.groups)
    assert texts["themes.html"].count('class="themes-group"') == len(data.groups)
    assert data.withheld  # the demo round's two-area groups and unique values were held back
