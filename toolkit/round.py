"""A round of reviews: every review a folder or a list of parameters files names, loaded, checked
and reduced to the round model (:mod:`toolkit.analysis.round_model`) the themes report reads.

Every review is loaded and checked as ``peer-review validate`` checks it; the problems of all of
them are reported together, one line each, and nothing is built until there are none. A review
named twice (the same ``review_id`` in two files) is refused, so no review is counted twice.
Performance files shared by several reviews (a region's DfE downloads) are read once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from toolkit.analysis.round_json import round_from_json
from toolkit.analysis.round_model import Round, RoundReview
from toolkit.analysis.round_review import (
    audit_tally,
    data_flags,
    indicator_figures,
    progress_items,
    review_names,
    review_themes,
    round_findings,
    sef_rows,
)
from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.performance import PerformanceSource, read_performance_files
from toolkit.inputs.privacy import quote
from toolkit.messages import Messages
from toolkit.review import Review, check

PARAMS_SUFFIXES = (".yaml", ".yml")
MESSAGE = Messages("round.yaml", collapse=True)


def round_files(paths: Iterable[str | Path]) -> list[Path]:
    """Parameters files from files and folders (a folder's own ``*.yaml``, or its ``params/``'s),
    in the order given, each folder's sorted by name; a file named twice is read once."""
    out: list[Path] = []
    errors: list[InputError] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            folder = path / "params" if (path / "params").is_dir() else path
            found = sorted(p for p in folder.iterdir() if p.suffix in PARAMS_SUFFIXES and p.is_file())
            if not found:
                errors.append(InputError(display_path(folder), MESSAGE("empty_folder")))
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            errors.append(InputError(display_path(path), MESSAGE("no_such_path")))
    if errors:
        raise ValidationFailed(errors)
    return list({str(p.resolve()): p for p in out}.values())


def load_reviews(paths: Iterable[str | Path]) -> list[Review]:
    """Every review the paths name, checked; every problem of every review raised together."""
    reviews: list[Review] = []
    errors: list[InputError] = []
    seen: dict[str, str] = {}
    for path in round_files(paths):
        checked = check(path)
        errors.extend(checked.errors)
        if checked.review is None:
            continue
        review = checked.review
        if review.review_id in seen:
            errors.append(InputError(review.params_file, MESSAGE("named_twice", review=quote(review.review_id),
                                                                    first=seen[review.review_id]), column="review_id"))
            continue
        seen[review.review_id] = review.params_file
        reviews.append(review)
    if errors:
        raise ValidationFailed(errors)
    return reviews


def _sources(review: Review, read: dict[tuple[str, ...], list[PerformanceSource]]) -> list[PerformanceSource]:
    files = tuple(str((review.root / p).resolve()) for p in review.params.inputs.performance)
    if files and files not in read:
        read[files] = read_performance_files([Path(f) for f in files], review.root)
    return read.get(files, [])


def round_review(review: Review, sources: Sequence[PerformanceSource] = ()) -> RoundReview:
    """What the themes report reads of one loaded review."""
    p = review.params
    return RoundReview(
        review_id=p.review_id, authority=p.authority.name, ons_code=p.authority.ons_code, region=p.region.name,
        visit_start=p.visit.dates[0], params_file=review.params_file,
        findings=round_findings(p.review_id, review.findings), themes=review_themes(p, review.scope, review.root),
        audit=audit_tally(review.audit), indicators=indicator_figures(review.performance, sources),
        flags=data_flags(review.contradictions()), sef=sef_rows(review.sef),
        previous_review=review.previous.review_id if review.previous else None,
        progress=progress_items(review.progress_rows()), names=review_names(p),
    )


def round_of(reviews: Sequence[Review], name: str) -> Round:
    """The round of already loaded reviews, in the order given."""
    read: dict[tuple[str, ...], list[PerformanceSource]] = {}
    return Round(name, tuple(round_review(r, _sources(r, read)) for r in reviews))


def load_round(paths: Iterable[str | Path], name: str) -> Round:
    """Load and check every review the paths name (files, or folders of them) into one round."""
    return round_of(load_reviews(paths), name)


def read_round(round_file: str | Path | None, params_files: Sequence[str | Path], project_root: str | Path | None,
               name: str) -> Round:
    """The themes notebook's round: the ``round.json`` ``peer-review themes`` wrote (the round read
    and checked once, anonymised when asked), else the reviews ``params_files`` name, read afresh
    (paths relative to ``project_root``)."""
    if round_file:
        return round_from_json(Path(round_file).read_text(encoding="utf-8"))
    root = Path(project_root or ".")
    return load_round([root / p for p in params_files], name)
