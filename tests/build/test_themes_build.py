"""``peer-review themes``: the round's report built through its notebook, byte for byte the same
when built again, and bad input refused in one line per problem with nothing written."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import ROOT

from toolkit.analysis.round_themes import themes_data
from toolkit.letter.themes_report import build_page
from toolkit.round import load_round


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit.cli", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PEER_REVIEW_DAEMON": "off"})


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_the_demo_round_builds_the_same_bytes_twice(tmp_path: Path) -> None:
    out = tmp_path / "reports" / "round-2026"
    first = cli("themes", str(ROOT / "params"), "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == str(out / "themes.html")
    built = _hashes(out)
    expected = {"manifest.json", "round.json", "themes.docx", "themes.html", "themes.ipynb"}
    assert expected <= set(built) and set(built) <= expected | {"themes.pdf"}
    html = (out / "themes.html").read_text(encoding="utf-8")
    assert "What the round taught us: themes across four reviews" in html
    assert html.count('class="themes-group"') == 19
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reviews"] == ["brindleford-2026", "harrowdene-2025", "harrowdene-2026", "kestrelmoor-2026"]
    assert manifest["parameters"]["params_files"] == [f"params/{p.name}" for p in sorted((ROOT / "params").glob("*.yaml"))]
    assert not any(str(tmp_path) in line or str(ROOT) in line for line in (out / "manifest.json").read_text().splitlines())
    again = cli("themes", str(ROOT / "params"), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert _hashes(out) == built
    assert [p.name for p in out.parent.iterdir()] == ["round-2026"]  # no temporary folder left


def test_bad_input_is_one_line_a_review_and_nothing_is_written(mini: Path, tmp_path: Path) -> None:
    findings = mini.parents[1] / "data" / "mini" / "findings_marsh.csv"
    findings.write_text(findings.read_text(encoding="utf-8").replace("area for consideration", "weakness", 1),
                        encoding="utf-8")
    out = tmp_path / "reports" / "bad"
    result = cli("themes", str(mini), "--out", str(out))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "findings_marsh.csv: row 2, column kind: 'weakness' is not strength" in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists() and not out.parent.exists()


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = cli("themes", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"{tmp_path / 'nowhere'}: no such file or folder: name a review's "
                                                  "parameters file or a folder of them"]


def test_a_round_of_one_review_without_audit_or_figures_says_so(mini: Path) -> None:
    html = build_page(themes_data(load_round([mini], "mini")))
    assert "None of the reviews audited EHC plans." in html or "The teams read" in html
    assert "None of the reviews in this round followed up an earlier review." in html
    assert "No strengths recur in more than one review." in html
    assert html.count("<h2>") == 6
