"""The command line: a thin layer whose exits and messages users rely on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.paths import DFE, ROOT, needs_shared


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit.cli", *args], capture_output=True, text=True, timeout=120)


def test_help_lists_every_command() -> None:
    res = cli("--help")
    assert res.returncode == 0
    for command in ("validate", "draft", "briefing", "capture", "indicators", "batch", "verify", "demo"):
        assert command in res.stdout


@needs_shared()
def test_indicators_prints_timeliness_beside_england_exactly_as_published() -> None:
    res = cli("indicators", str(DFE / "sen2_mi.csv"), "--authority", "Kirklees", "--period", "2015")
    assert res.returncode == 0, res.stderr
    line = next(x for x in res.stdout.splitlines() if x.startswith("EHC plans in 20 weeks (excl. exceptions)"))
    assert "10.4%" in line and "59.2%" in line  # file: 10.400000000000 and 59.200000000000
    res = cli("indicators", str(DFE / "sen2_mi.csv"), "--authority", "E08000034", "--period", "2022", "--format", "csv")
    row = next(x for x in res.stdout.splitlines() if x.startswith("ehcp_20wk_no_exc,"))
    assert ",14.428,49.166," in row  # file: " 14.428" and " 49.166"


def test_indicators_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    res = cli("indicators", str(ROOT / "data/performance/sen2_synthetic.csv"), "--authority", "Atlantis")
    assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    res = cli("indicators", str(bad), "--authority", "Atlantis")
    assert res.returncode == 2 and "Traceback" not in res.stderr and "x.csv" in res.stderr


def test_validate_demo_reviews() -> None:
    res = cli("validate", *[str(p) for p in sorted((ROOT / "params").glob("*.yaml"))])
    assert res.returncode == 0, res.stderr
    assert res.stdout.count(": ok") == len(list((ROOT / "params").glob("*.yaml")))


@pytest.mark.slow  # drafts through a kernel
def test_draft_reads_the_parameters_once_in_the_parent(mini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One load per draft: the review the CLI validates is the one drafted, and papermill is
    given the mapping it was validated from (no second parse, no papermill YAML loader)."""
    import papermill.iorw
    from click.testing import CliRunner

    import toolkit.inputs.params as params_module
    from toolkit.cli import main

    reads: list[str] = []
    real = params_module.read_yaml

    def counting(path: Path, shown: str) -> Any:
        reads.append(str(path))
        return real(path, shown)

    monkeypatch.setattr(params_module, "read_yaml", counting)
    monkeypatch.setattr(papermill.iorw, "read_yaml_file", lambda *a, **k: pytest.fail("papermill parsed the YAML"))
    result = CliRunner().invoke(main, ["draft", str(mini)])
    assert result.exit_code == 0, result.output
    assert reads == [str(mini)]
