"""End to end: the report form (Brindleford) and the follow-up letter (Harrowdene 2026) drafted
through the command line, twice, into two folders: the same bytes, and the sections issue 27 asks
for where a reader looks for them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner
from support.paths import ROOT

from toolkit.cli import main

REVIEWS = ("brindleford-2026", "harrowdene-2025", "harrowdene-2026")


def _project(tmp_path: Path) -> Path:
    """The three demo reviews in a project of their own, drafted as HTML and Word only."""
    project = tmp_path / "proj"
    (project / "params").mkdir(parents=True)
    for review in REVIEWS:
        data = yaml.safe_load((ROOT / "params" / f"{review}.yaml").read_text(encoding="utf-8"))
        data["outputs"] = ["html", "docx"]
        (project / "params" / f"{review}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        shutil.copytree(ROOT / "data" / review, project / "data" / review)
    shutil.copytree(ROOT / "data" / "performance", project / "data" / "performance")
    return project


@pytest.mark.slow  # a kernel per draft
def test_drafts_read_as_the_real_ones_and_repeat_byte_for_byte(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    params = ["params/brindleford-2026.yaml", "params/harrowdene-2026.yaml"]
    built = []
    for folder in ("first", "second"):
        result = CliRunner().invoke(main, ["draft", *params, "--reports", folder])
        assert result.exit_code == 0, result.output
        built.append({p.relative_to(project / folder).as_posix(): p.read_bytes()
                      for p in sorted((project / folder).rglob("*")) if p.suffix in (".html", ".docx")})
    assert built[0] == built[1] and len(built[0]) == 4

    report = BeautifulSoup(built[0]["brindleford-2026/letter.html"], "html.parser")
    overall = report.find("section", id="overall")
    assert overall.select_one("div.overall-view p.signed") is not None
    recs = report.find("section", id="recommendations")
    assert len(recs.select("div.recommendation")) == 12 and not recs.select("li[data-finding]")
    assert report.find("section", id="sef") is not None
    assert report.select_one("#urgent p.none") is not None
    assert report.find("section", id="appendix-prompts") is not None

    letter = BeautifulSoup(built[0]["harrowdene-2026/letter.html"], "html.parser")
    assert letter.select_one("#headlines p.progress-headline") is not None
    assert letter.select_one("#progress p.area-view") is not None
    assert letter.select_one("#progress p.plan-state") is not None
    assert len(letter.select(".repeat-note")) >= 4
