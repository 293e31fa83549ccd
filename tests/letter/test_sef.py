from __future__ import annotations

from toolkit.letter.sections import build_letter, self_evaluation
from toolkit.review import load_review, validate

SEF = "area,sef_judgement,peer_view,peer_judgement,comment\n"


def _with_sef(mini, edit_params, text: str):
    (mini.parents[1] / "data/mini/sef.csv").write_text(SEF + text, encoding="utf-8")
    edit_params(mini, lambda d: d["inputs"].update(sef="data/mini/sef.csv"))
    return mini


def test_sef_section_counts_agreement(mini, edit_params):
    _with_sef(mini, edit_params, "Leadership,Good,agree,,\nEHC plans,Good,Disagree,Requires improvement,Plans lack outcomes.\nVoice,Good,partly,,\n")
    review = load_review(mini)
    html = self_evaluation(review).html
    assert "Of your three judgements, we agreed with one, partly agreed with one and took a different view of one." in html
    assert "(peers: Requires improvement)" in html
    letter = build_letter(review)
    assert letter.index("4. Your self-evaluation") < letter.index("5. Next steps")


def test_no_sef_no_section(mini):
    review = load_review(mini)
    assert review.sef is None
    assert self_evaluation(review).html.strip() == ""
    assert "self-evaluation</h2>" not in build_letter(review)


def test_bad_peer_view_is_located(mini, edit_params):
    _with_sef(mini, edit_params, "Leadership,Good,agree,,\nVoice,,maybe,,\n")
    assert [str(e) for e in validate(mini)] == [
        "data/mini/sef.csv: row 3, column sef_judgement: empty",
        "data/mini/sef.csv: row 3, column peer_view: 'maybe' is not one of: agree, partly agree, disagree",
    ]
