"""A follow-up's new findings that return to an item of the previous review, and the flag raised
when the team marks such an item closed."""

from __future__ import annotations

import dataclasses

from support.paths import ROOT

from toolkit.analysis.previous import PreviousItem
from toolkit.analysis.progress_checks import progress_flags
from toolkit.analysis.repeats import content_words, find_repeats
from toolkit.inputs.findings import Finding, Kind
from toolkit.inputs.progress import Mark, ProgressMarks, Status
from toolkit.review import load_review

FOLLOW_UP = ROOT / "params" / "harrowdene-2026.yaml"


def _finding(fid: str, statement: str, kind: Kind = Kind.AREA) -> Finding:
    return Finding(fid, "k", kind, statement, file="f.csv", row=2)


def test_words_are_folded() -> None:
    assert content_words("Start planning for adult life in every plan.") == {"start", "plan", "adult", "life"}
    assert content_words("Families' waits") == content_words("family wait")


def test_the_demo_follow_up_finds_the_items_it_returns_to() -> None:
    review = load_review(FOLLOW_UP)
    assert review.previous is not None
    found = {r.item.id: r.finding.statement for r in find_repeats(review.findings.included, review.previous.items,
                                                                 review.progress)}
    # the three named in issue 27, and the urgent action on part-time timetables
    assert "speech and language therapy" in found["h25-iq-003"]
    assert found["h25-nf-003"] == "Show families what has changed because of what they said."
    assert "Year 9" in found["h25-go-012"]
    assert "part-time timetables" in found["h25-go-008"]
    # a strength never repeats an item, and unrelated items find nothing
    assert all(r.finding.kind is not Kind.STRENGTH for r in find_repeats(
        review.findings.included, review.previous.items, review.progress))
    assert "h25-nf-002" not in found and "h25-go-002" not in found


def test_an_explicit_link_wins_and_unrelated_words_do_not_match() -> None:
    items = [PreviousItem("p1", Kind.AREA, "Reduce the wait for speech and language therapy."),
             PreviousItem("p2", Kind.AREA, "Publish the local offer in community languages.")]
    findings = [_finding("n1", "Publish the local offer in more community languages, starting with Urdu."),
                _finding("n2", "Agree a joint commissioning strategy."),
                _finding("n3", "Shorten speech and language therapy waits.")]
    got = {r.finding.id: (r.item.id, r.explicit) for r in find_repeats(findings, items, None)}
    assert got == {"n1": ("p2", False), "n3": ("p1", False)}
    marks = ProgressMarks({"p1": Mark("p1", Status.PROGRESSING, "x", repeated_in=("n2",))}, "progress.csv")
    got = {r.finding.id: (r.item.id, r.explicit) for r in find_repeats(findings, items, marks)}
    assert got["n2"] == ("p1", True)


def test_a_closed_item_a_new_finding_returns_to_is_flagged() -> None:
    review = load_review(FOLLOW_UP)
    flags = progress_flags(review.findings.included, review.previous, review.progress)
    by_item = {f.finding.id: f.message for f in flags}
    part_time = next(f for f in review.findings.included if "part-time timetables" in f.statement
                     and f.kind is Kind.URGENT)
    assert "which the team marks no longer relevant" in by_item[part_time.id]
    assert all(f.check == "progress" for f in flags)
    assert [f for f in review.contradictions() if f.check == "progress"] == flags  # in the same list
    # marked progressing instead: no flag
    assert review.progress is not None
    marks = dict(review.progress.marks)
    marks["h25-go-008"] = dataclasses.replace(marks["h25-go-008"], status=Status.PROGRESSING)
    opened = dataclasses.replace(review.progress, marks=marks)
    assert part_time.id not in {f.finding.id for f in progress_flags(review.findings.included, review.previous,
                                                                      opened)}
    warnings = [str(w) for w in review.warnings if "returns to" in str(w)]
    assert len(warnings) == len(flags) and all("change the mark in the progress file" in w for w in warnings)
