"""One review reduced to what the themes report reads (:class:`RoundReview`).

Each function here turns one part of a loaded review (its findings and scope, its audit, its
figures, its self-evaluation, its progress marks, the contradictions its own evidence finds) into
the round model's plain form; ``toolkit.round.load_round`` calls them for every review of a round.
Only findings the letter states (included, not withdrawn) count: the round learns from what the
areas were told.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from toolkit.analysis.audit_results import audit_results
from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.flags import ConsistencyFlag
from toolkit.analysis.indicators import indicator_data
from toolkit.analysis.moderation import moderate
from toolkit.analysis.performance_data import PerformanceData
from toolkit.analysis.previous import ProgressRow
from toolkit.analysis.round_model import (
    AuditTally,
    AuthorityValue,
    CriterionTally,
    DataFlag,
    IndicatorFigure,
    ProgressItem,
    RoundFinding,
    SectionGrades,
    SefRow,
    Theme,
)
from toolkit.inputs.audit_grades import AuditData
from toolkit.inputs.findings import FindingSet
from toolkit.inputs.frameworks import KloeScope, load_framework
from toolkit.inputs.params import ReviewParams
from toolkit.inputs.performance import PerformanceSource
from toolkit.inputs.sef import SefComparison

LOCAL = "local"  # the framework of a KLOE a review wrote inline


def round_findings(review_id: str, findings: FindingSet) -> tuple[RoundFinding, ...]:
    """The findings the letter states, in the order they were read."""
    return tuple(RoundFinding(review_id, f.id, f.kind.value, f.kloe or "", f.statement, f.detail, f.headline)
                 for f in findings.included)


def review_themes(params: ReviewParams, scope: KloeScope, root: Path) -> tuple[Theme, ...]:
    """The KLOEs in scope with the framework each comes from (``local`` for an inline one)."""
    source: dict[str, tuple[str, str]] = {}
    for name in params.scope.frameworks:
        framework = load_framework(name, root)  # read already by the review: it loads
        for kloe in framework.kloes:
            source.setdefault(kloe.id, (framework.id, framework.title))
    return tuple(Theme(k.id, k.title, *source.get(k.id, (LOCAL, ""))) for k in scope.kloes)


def audit_tally(audit: AuditData | None) -> AuditTally | None:
    """The audit's grades by section, its criteria met, and its moderation, counted."""
    if audit is None or not audit.plans:
        return None
    result = audit_results(audit)
    moderation = moderate(audit)
    titles = {s.code: s.title for s in audit.framework.sections}
    sections = tuple(SectionGrades(code, titles[code], dict(grades)) for code, grades in result.section_grades.items())
    criteria = tuple(CriterionTally(c.id, c.section, c.text, c.applicable, c.met) for c in result.criteria)
    pairs = moderation.section_grade_pairs
    return AuditTally(audit.framework.id, result.plans, sections, criteria, len(moderation.pairs), len(pairs),
                      sum(a == b for a, b in pairs), moderation.kappa)


#: Every authority's values by (the sources, indicator, period): the reviews of a round share
#: their DfE files, so each indicator and period is read once. The sources are kept with their
#: entry, so the ids in its key stay theirs while it lasts.
_SHARED: dict[tuple[tuple[int, ...], str, str], tuple[Sequence[PerformanceSource], tuple[AuthorityValue, ...]]] = {}
_SHARED_MAX = 512


def _authority_values(sources: Sequence[PerformanceSource], comparison: Comparison) -> tuple[AuthorityValue, ...]:
    """Every local authority's value of the comparison's indicator in its period, by code."""
    key = (tuple(id(s) for s in sources), repr(comparison.indicator), repr(comparison.period))
    hit = _SHARED.get(key)
    if hit is not None and hit[0] is sources:
        return hit[1]
    if len(_SHARED) >= _SHARED_MAX:
        _SHARED.clear()
    values = _read_authority_values(sources, comparison)
    _SHARED[key] = (sources, values)
    return values


def _read_authority_values(sources: Sequence[PerformanceSource],
                           comparison: Comparison) -> tuple[AuthorityValue, ...]:
    data = indicator_data(sources, comparison.indicator)
    if data is None:
        return ()
    found = {o.code: AuthorityValue(o.code, o.name, o.value) for o in data.observations
             if o.is_local_authority and o.period == comparison.period and o.value is not None and o.code}
    return tuple(found[code] for code in sorted(found))


def indicator_figures(performance: PerformanceData | None,
                      sources: Sequence[PerformanceSource]) -> tuple[IndicatorFigure, ...]:
    """The indicators the review's letter states, each with England and every authority's value.

    The area's own value is the one published for it (as the letter states it); for counts,
    whose England row is a total, England stands as the average local authority."""
    if performance is None:
        return ()
    out = []
    for c in performance.for_letter:
        ind = c.indicator
        england = c.england_la_mean if c.averages_stand_in else c.england
        out.append(IndicatorFigure(ind.id, ind.title, ind.short_title, ind.unit, ind.decimals, ind.polarity,
                                   c.period.label, c.value, england, _authority_values(sources, c)))
    return tuple(out)


def data_flags(flags: Iterable[ConsistencyFlag]) -> tuple[DataFlag, ...]:
    """Where the review's findings and its own figures or audit disagreed."""
    return tuple(DataFlag(str(f.finding.id), f.check, f.indicator, f.message, str(getattr(f.finding, "statement", "")))
                 for f in flags)


def sef_rows(sef: SefComparison | None) -> tuple[SefRow, ...]:
    """The self-evaluation's areas with how the area's judgement stood against the peers'."""
    if sef is None:
        return ()
    return tuple(SefRow(j.area, j.area_judgement, j.peer_judgement, j.accuracy.name.lower())
                 for j in sef.judgements)


def progress_items(rows: Sequence[ProgressRow]) -> tuple[ProgressItem, ...]:
    """The previous review's items with the team's marks (``not yet marked`` when none)."""
    return tuple(ProgressItem(r.item.id, r.item.kind.value, r.item.statement,
                              r.status.value if r.status else "not yet marked") for r in rows)


def review_names(params: ReviewParams, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Every name the parameters hold: the authority, the team, their organisations, the
    coordinator, the recipient, the settings visited and the names the privacy screen allows."""
    names: list[str] = [params.authority.name, params.recipient.name, params.coordinator.name,
                        params.coordinator.organisation]
    names += [n for m in params.team for n in (m.name, m.organisation)]
    names += [params.recipient.organisation or "", *params.settings_visited, *params.privacy.allow, *extra]
    return tuple(dict.fromkeys(n.strip() for n in names if n and n.strip()))
