"""The KLOE frameworks shipped for capture: the ones the issue names, each KLOE with prompts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from support.kestrelmoor_2016 import kestrelmoor_2016, write
from support.paths import ROOT

from toolkit.inputs.frameworks import load_framework, shipped_frameworks

EXPECTED = {
    "send-2016": [  # the 2016 inspection framework's three questions
        ("2016-identify", "identifies"), ("2016-assess-meet", "assesses and meets"), ("2016-outcomes", "outcomes"),
    ],
    "send-2023": [  # the five strands of experiences and outcomes, then leadership
        ("2023-identify", "identified accurately and assessed in a timely and effective way"),
        ("2023-participate", "participate in decisions about their plans and support"),
        ("2023-right-help", "right help at the right time"),
        ("2023-next-steps", "well prepared for their next steps"),
        ("2023-included", "valued, visible and included in their communities"),
        ("2023-leadership", "Leaders"),
    ],
    "local-themes": [
        ("lt-coproduction", "Co-production"), ("lt-joint-commissioning", "Joint commissioning"),
        ("lt-pfa", "Preparing for adulthood"), ("lt-local-offer", "local offer"), ("lt-governance", "Governance"),
        ("lt-inclusion", "Inclusion in schools and SEN support"), ("lt-short-breaks", "Short breaks"),
        ("lt-workforce", "Workforce"),
    ],
}


def test_the_three_frameworks_are_shipped() -> None:
    assert set(EXPECTED) <= set(shipped_frameworks())


@pytest.mark.parametrize("framework", sorted(EXPECTED))
def test_framework_has_its_kloes_in_order_each_with_prompts(framework: str) -> None:
    fw = load_framework(framework)
    assert [k.id for k in fw.kloes] == [kid for kid, _ in EXPECTED[framework]]
    for kloe, (_, words) in zip(fw.kloes, EXPECTED[framework], strict=False):
        assert words.lower() in kloe.title.lower(), kloe.title
        assert len(kloe.prompts) >= 3, f"{kloe.id} has {len(kloe.prompts)} prompts"
        texts = [p.text.strip() for p in kloe.prompts]
        assert all(texts) and len(set(texts)) == len(texts)
        assert len({p.id for p in kloe.prompts}) == len(kloe.prompts)


def test_send_2025_has_alternative_provision_a_proposed_strand_and_a_lens() -> None:
    fw = load_framework("send-2025")
    assert fw.current_from is not None and str(fw.current_from) == "2025-06-06" and fw.replaced_on is None
    assert fw.source and "6 June 2025" in fw.source
    ap = next(k for k in fw.kloes if k.id == "2025-alternative-provision")
    assert "registered and unregistered" in ap.title and len(ap.prompts) >= 3
    assert [k.id for k in fw.kloes if k.status == "proposed"] == ["2025-reform-readiness"]
    assert all(k.status is None for k in fw.kloes if k.id != "2025-reform-readiness")
    assert len(fw.lens) == 3 and not any("grade" in w.lower() for w in fw.lens)


@pytest.mark.parametrize("framework", ["send-2016", "send-2023", "send-2025"])
def test_each_inspection_framework_records_its_source_and_dates(framework: str) -> None:
    fw = load_framework(framework)
    assert fw.source and fw.current_from is not None
    if fw.replaced_on is not None:
        successor = load_framework(str(fw.replaced_by))
        assert successor.current_from == fw.replaced_on


def test_a_review_after_its_framework_was_replaced_is_warned_naming_the_current_one(tmp_path: Path) -> None:
    from toolkit.inputs.frameworks import framework_warnings
    from toolkit.inputs.params import load_params

    data = kestrelmoor_2016()
    path = write(data, tmp_path / "x.yaml")
    (warning,) = framework_warnings(load_params(path), ROOT, "x.yaml")
    assert "send-2016" in warning.message and "current at the visit is send-2025" in warning.message
    assert warning.column == "scope.frameworks[1]" and "warning:" in str(warning)
    data["visit"] = {"dates": ["2024-02-10"], "presentation_date": "2024-02-11"}
    data["letter_date"] = "2024-02-27"
    data["team"] = [{k: v for k, v in m.items() if k != "days"} for m in data["team"]]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (warning,) = framework_warnings(load_params(path), ROOT, "x.yaml")
    assert "current at the visit is send-2023" in warning.message
    data["scope"]["frameworks"] = ["send-2025"]
    data["scope"]["kloes"] = ["2025-identify"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert framework_warnings(load_params(path), ROOT, "x.yaml") == []


def test_keeping_a_replaced_framework_knowingly_silences_the_warning(tmp_path: Path) -> None:
    from toolkit.inputs.frameworks import framework_warnings
    from toolkit.inputs.params import load_params

    data = kestrelmoor_2016()
    assert len(framework_warnings(load_params(write(data, tmp_path / "x.yaml")), ROOT, "x.yaml")) == 1
    data["scope"]["keep_frameworks"] = True
    assert framework_warnings(load_params(write(data, tmp_path / "x.yaml")), ROOT, "x.yaml") == []


def test_the_2026_demos_draw_on_a_current_framework() -> None:
    from toolkit.inputs.params import load_params
    from toolkit.review import check

    demos = sorted((ROOT / "params").glob("*-2026.yaml"))
    assert len(demos) == 3
    for path in demos:
        assert "send-2025" in load_params(path).scope.frameworks, path
        result = check(path)
        assert not result.errors, path
        assert not [w for w in result.warnings if (w.column or "").startswith("scope.frameworks")], path
