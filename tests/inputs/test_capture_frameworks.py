"""The KLOE frameworks shipped for capture: the ones the issue names, each KLOE with prompts."""

from __future__ import annotations

import pytest

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
