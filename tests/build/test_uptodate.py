"""Incremental rounds: a batch redrafts only the reviews whose inputs, toolkit or packages changed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from toolkit.build.batch import OK, UP_TO_DATE, run_batch, summary_table
from toolkit.build.manifest import MANIFEST_NAME
from toolkit.build.uptodate import RoundState, outputs_expected
from toolkit.demo.reviews import generate
from toolkit.inputs.capture_layout import capture_inputs
from toolkit.inputs.params import load_params


def statuses(result: object) -> dict[str, str]:
    return {r.review_id: r.status for r in result.results}  # type: ignore[attr-defined]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".logs" not in p.parts}


def test_outputs_expected_follow_the_formats() -> None:
    assert outputs_expected(["html"]) == ["letter.html", "letter.ipynb", MANIFEST_NAME]
    assert "letter.docx" in outputs_expected(["html", "docx"]) and "letter.pdf" in outputs_expected(["pdf"])


def test_a_folder_without_a_report_is_not_up_to_date(tmp_path: Path) -> None:
    project = generate(tmp_path, 1, seed=3)
    params = tmp_path / "params" / f"{project.reviews[0].review_id}.yaml"
    assert not RoundState().up_to_date(params, tmp_path / "reports" / project.reviews[0].review_id)


@pytest.mark.slow
def test_a_round_redrafts_only_what_changed(tmp_path: Path) -> None:
    project = generate(tmp_path, 2, seed=4)
    ids = sorted(r.review_id for r in project.reviews)
    first = run_batch([tmp_path], workers=1, reuse_kernels=True)
    assert set(statuses(first).values()) == {OK}, summary_table(first)
    before = snapshot(tmp_path / "reports")

    # Nothing changed: nothing drafted, every report as it was, a clean exit.
    again = run_batch([tmp_path], workers=1, reuse_kernels=True)
    assert statuses(again) == dict.fromkeys(ids, UP_TO_DATE), summary_table(again)
    assert again.exit_code == 0 and "2 up to date" in summary_table(again)
    assert again.workers == 0 and "worker" not in summary_table(again).splitlines()[-1]  # none was started
    assert snapshot(tmp_path / "reports") == before

    # One findings file changed: exactly that review is drafted again.
    changed = ids[1]
    data = yaml.safe_load((tmp_path / "params" / f"{changed}.yaml").read_text(encoding="utf-8"))
    findings = tmp_path / data["inputs"]["findings"][0]
    text = findings.read_text(encoding="utf-8")
    first_row = text.splitlines()[1]
    findings.write_text(text.replace(first_row, first_row.replace(".,", " as we heard.,", 1)), encoding="utf-8")
    assert findings.read_text(encoding="utf-8") != text
    third = run_batch([tmp_path], workers=1, reuse_kernels=True)
    assert statuses(third) == {**dict.fromkeys(ids, UP_TO_DATE), changed: OK}, summary_table(third)

    # An output removed, or a capture file the team has just started: drafted again.
    (tmp_path / "reports" / ids[0] / "letter.html").unlink()
    state = RoundState()
    assert not state.up_to_date(tmp_path / "params" / f"{ids[0]}.yaml", tmp_path / "reports" / ids[0])
    last = tmp_path / "params" / f"{ids[1]}.yaml"
    assert state.up_to_date(last, tmp_path / "reports" / ids[1])
    capture = tmp_path / capture_inputs(load_params(last))["findings"][0]
    capture.parent.mkdir(parents=True, exist_ok=True)
    capture.write_text("anything\n", encoding="utf-8")
    assert not RoundState().up_to_date(last, tmp_path / "reports" / ids[1])
    capture.unlink()

    # Other toolkit code, or other package versions: every review is out of date.
    for other in (RoundState(toolkit_code="another"), RoundState(packages={"python": "0"})):
        assert not [i for i in ids[1:] if other.up_to_date(tmp_path / "params" / f"{i}.yaml",
                                                             tmp_path / "reports" / i)]

    # --force drafts an up-to-date review again, to the same bytes; the removed letter is back.
    forced = run_batch([tmp_path / "params" / f"{ids[0]}.yaml"], workers=1, reuse_kernels=True, force=True)
    assert statuses(forced) == {ids[0]: OK}, summary_table(forced)
    after = snapshot(tmp_path / "reports")
    assert {k: v for k, v in after.items() if k.startswith(f"{ids[0]}/")} == \
        {k: v for k, v in before.items() if k.startswith(f"{ids[0]}/")}
