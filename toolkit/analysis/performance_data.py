"""A review's performance data: every catalogue indicator its files provide, compared.

Reads the performance files a review names and compares its authority with England, its region
and its statistical neighbours (:mod:`toolkit.analysis.comparisons`); the review's own choices
(``performance.indicators``, ``performance.neighbours``) are checked against what the files hold.
What the letter, the briefing and the working notebook make of it lives in
:mod:`toolkit.letter.performance`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.analysis.comparisons import Comparison, compare_all
from toolkit.analysis.indicators import Catalogue, data_warnings, indicator_data, load_catalogue
from toolkit.analysis.performance_cache import Compared, cached_compare, comparison_key, file_fingerprints
from toolkit.errors import InputError, ToolkitError, ValidationFailed
from toolkit.inputs.findings import Finding
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.performance import PerformanceSource, read_performance_files
from toolkit.inputs.privacy import quote


@dataclass(frozen=True)
class PerformanceData:
    """Every catalogue indicator found for the review's authority, in catalogue order."""
    comparisons: tuple[Comparison, ...]
    neighbours: tuple[str, ...]
    letter_ids: tuple[str, ...] | None = None  # the review's choice for the letter (None: all)
    warnings: tuple[InputError, ...] = ()  # catalogue indicators a file was meant to provide but does not

    def get(self, indicator_id: str) -> Comparison | None:
        return next((c for c in self.comparisons if c.indicator.id == indicator_id), None)

    @property
    def with_values(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.value is not None]

    @property
    def for_letter(self) -> list[Comparison]:
        """The indicators the letter states: the review's list (in its order), else all with a value.

        An indicator the review names whose figure is not published (a code such as ``c``) stays,
        so the letter says it is not published and why, rather than leaving it out."""
        return self.letter_comparisons()

    def letter_comparisons(self, linked: Sequence[str] = ()) -> list[Comparison]:
        """:attr:`for_letter`, with the indicators findings link to (``linked``) kept too when the
        review names no list, even where their figure is not published."""
        if self.letter_ids is None:
            return [c for c in self.comparisons if c.value is not None or c.indicator.id in linked]
        chosen = [self.get(i) for i in self.letter_ids]
        return [c for c in chosen if c is not None]


def review_catalogue(params: ReviewParams, root: Path) -> Catalogue:
    """The shipped catalogue with the review's own (``performance.catalogue``) merged over it;
    raise :class:`ValidationFailed` naming the file and the field that is wrong."""
    own = params.performance.catalogue
    try:
        return load_catalogue(own=root / own if own else None, root=root)
    except InputError as exc:
        raise ValidationFailed([exc]) from None


def load_performance(params: ReviewParams, root: Path, params_file: str,
                     catalogue: Catalogue | None = None) -> PerformanceData | None:
    """Compare the review's authority on every indicator its files provide (None without files).

    An indicator the review names (``performance.indicators``) that no file provides is refused
    naming the file and the column looked for; catalogue indicators left out otherwise are kept
    as warnings for the working notebook (:func:`warnings_table`)."""
    if not params.inputs.performance:
        return None
    paths = [root / p for p in params.inputs.performance]
    catalogue = catalogue or review_catalogue(params, root)
    files = file_fingerprints(paths, root)
    read: list[list[PerformanceSource]] = []

    def sources() -> list[PerformanceSource]:
        if not read:
            read.append(read_performance_files(paths, root, None if files is None else [f[2] for f in files]))
        return read[0]

    def compute() -> Compared:
        found = compare_all(
            sources(), params.authority.ons_code, catalogue=catalogue, period=params.performance.period,
            visit_date=params.visit.dates[0], neighbours=params.performance.neighbours,
            period_source=params_file, period_column="performance.period",
        )
        return Compared(tuple(found), tuple(data_warnings(sources(), catalogue)))

    key = None if files is None else comparison_key(
        files, catalogue, params.authority.ons_code, params.performance.period, params.visit.dates[0],
        params.performance.neighbours)
    try:
        compared = cached_compare(key, catalogue, compute, lambda: file_fingerprints(paths, root) == files)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    except ToolkitError as exc:
        raise ValidationFailed([InputError(params_file, str(exc), column="inputs.performance")]) from None
    comparisons, warnings = list(compared.comparisons), compared.warnings
    errors = _neighbour_errors(params, params_file, comparisons)
    errors += _indicator_errors(params, params_file, catalogue, {c.indicator.id for c in comparisons}, sources)
    if errors:
        raise ValidationFailed(errors)
    letter_ids = tuple(params.performance.indicators) if params.performance.indicators is not None else None
    return PerformanceData(tuple(comparisons), tuple(params.performance.neighbours), letter_ids, warnings)


def _neighbour_errors(params: ReviewParams, params_file: str, comparisons: Sequence[Comparison]) -> list[InputError]:
    """A statistical neighbour named that no file knows, or that has no figure in the period used."""
    errors = []
    for i, code in enumerate(params.performance.neighbours, start=1):
        if all(code in c.neighbours_unknown for c in comparisons):
            errors.append(InputError(params_file, f"statistical neighbour {quote(code)} is not a local authority in "
                                     "the performance files", column=f"performance.neighbours[{i}]"))
        elif all(code in c.neighbours_unknown or code in c.neighbours_missing for c in comparisons):
            errors.append(InputError(params_file, f"statistical neighbour {quote(code)} has no value for any indicator "
                                     "in the period used", column=f"performance.neighbours[{i}]"))
    return errors


def _indicator_errors(params: ReviewParams, params_file: str, catalogue: Catalogue, known: set[str],
                      sources: Callable[[], list[PerformanceSource]]) -> list[InputError]:
    """An indicator the review names that no comparison holds: why (not in the catalogue, no column
    in the files, or no period before the visit)."""
    errors = []
    for i, ind in enumerate(params.performance.indicators or [], start=1):
        if ind in known:
            continue
        where = f"performance.indicators[{i}]"
        if ind not in catalogue.ids:
            errors.append(InputError(params_file, f"indicator {quote(ind)} is not in the catalogue: name an "
                                     "indicator of the catalogue, or add it to performance.catalogue", column=where))
            continue
        try:
            indicator_data(sources(), catalogue.get(ind), required=True)
        except InputError as exc:
            errors.append(InputError(params_file, f"{where}: {exc}"))
            continue
        errors.append(InputError(params_file, f"indicator {quote(ind)} has no period published before the visit "
                                 "(or none matching performance.period)", column=where))
    return errors


def check_indicator_ids(findings: Sequence[Finding], catalogue: Catalogue | None = None) -> list[InputError]:
    """Findings may only link to indicators in the catalogue (the review's, when given)."""
    known = set((catalogue or load_catalogue()).ids)
    return [InputError(f.file, f"{quote(f.indicator)} is not an indicator in the catalogue "
                       f"({', '.join(sorted(known))}): write one of them, or leave it blank", row=f.row,
                       column="indicator")
            for f in findings if f.indicator and f.indicator not in known]
