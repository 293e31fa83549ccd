"""A round of reviews held in memory: what each review found, audited, compared and marked, and
the themes report's data drawn from them.

A *round* is every review a regional programme ran in a year (or any list of reviews). Each
review is reduced to what the themes report reads (:class:`RoundReview`): its findings with their
KLOE and framework, its EHC plan audit counts, its indicators beside England and every authority,
its self-evaluation judgements against the peers', its marks on the previous review's items and
the places its own evidence contradicted a finding. Everything is plain, frozen and ordered, so
the same inputs give the same report byte for byte, and the anonymiser
(``--anonymise``) can rewrite a round into another round of the same shape: it needs nothing but
this module, and the names each review holds (:attr:`RoundReview.names`).

Built by :func:`toolkit.analysis.round_review.round_review` (one review) and
``toolkit.round.load_round`` (a folder or list of parameters files); summarised into
:class:`ThemesData` by :func:`toolkit.analysis.round_themes.themes_data`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

#: How a finding is kinded in a round (the values of :class:`toolkit.inputs.findings.Kind`).
STRENGTH, AREA, URGENT = "strength", "area for consideration", "urgent action"
KINDS = (STRENGTH, AREA, URGENT)
#: Progress statuses in the order the report counts them (``toolkit.inputs.progress.Status``),
#: then the items the team has not marked.
PROGRESS_STATUSES = ("addressed", "progressing", "not yet addressed", "no longer relevant", "not yet marked")
#: Self-evaluation accuracy (``toolkit.inputs.sef.Accuracy`` by name, lower case).
SEF_ACCURACY = ("concur", "over", "under")


@dataclass(frozen=True)
class RoundFinding:
    """One finding in the review's letter (included and not withdrawn)."""
    review_id: str
    id: str  # the finding's id within its review
    kind: str  # one of KINDS
    theme: str  # the KLOE or local theme id ("" for a headline under none)
    statement: str
    detail: str = ""
    headline: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """Unique across a round: the review and the finding's id."""
        return (self.review_id, self.id)

    @property
    def text(self) -> str:
        """What the finding says, as grouping reads it: the statement and its detail."""
        return f"{self.statement}\n{self.detail}" if self.detail else self.statement


@dataclass(frozen=True)
class Theme:
    """A KLOE of a framework, or a local theme (``framework`` is the framework's id, or ``local``
    for a KLOE the review wrote inline)."""
    id: str
    title: str
    framework: str
    framework_title: str = ""


@dataclass(frozen=True)
class SectionGrades:
    """How one review's plans were graded on one plan section (grade 4 outstanding .. 1 inadequate)."""
    code: str
    title: str
    grades: dict[int, int]  # grade -> plans


@dataclass(frozen=True)
class CriterionTally:
    """How often one audit criterion applied and was met in one review's sample."""
    id: str
    section: str
    text: str
    applicable: int
    met: int

    @property
    def missing(self) -> int:
        return self.applicable - self.met


@dataclass(frozen=True)
class AuditTally:
    """One review's EHC plan audit, counted (``toolkit.analysis.audit_results``, ``moderation``)."""
    framework: str  # the audit framework's id: sections and criteria compare only within one
    plans: int
    sections: tuple[SectionGrades, ...]
    criteria: tuple[CriterionTally, ...]
    moderated_pairs: int = 0  # plans audited twice
    section_pairs: int = 0  # section grades compared between the two auditors
    section_agreed: int = 0  # ... and found equal
    kappa: float | None = None  # linear-weighted Cohen's kappa on those section grades


@dataclass(frozen=True)
class AuthorityValue:
    """One authority's published value of an indicator."""
    code: str
    name: str
    value: float


@dataclass(frozen=True)
class IndicatorFigure:
    """One indicator for one reviewed area, in the period its letter used."""
    id: str
    title: str
    short_title: str
    unit: str
    decimals: int
    polarity: str
    period: str  # the period's label as published ("2024", "2023/24")
    value: float | None
    england: float | None
    #: every local authority with a value in the same period (the chart's dots), by code
    authorities: tuple[AuthorityValue, ...] = ()


@dataclass(frozen=True)
class DataFlag:
    """A finding the review's own figures or audit contradicted (``toolkit.analysis.flags``)."""
    finding_id: str  # the finding, or a self-evaluation / progress row's id
    check: str  # band, direction, england, audit, ...
    indicator: str  # the indicator's id ("" for the audit and documents)
    message: str  # what the finding says and the figure that disagrees
    statement: str = ""  # the finding's (or the row's) own words


@dataclass(frozen=True)
class SefRow:
    """One self-evaluation area: the area's own judgement against the peers'."""
    area: str
    area_judgement: str
    peer_judgement: str
    accuracy: str  # one of SEF_ACCURACY


@dataclass(frozen=True)
class ProgressItem:
    """One area for consideration or urgent action of the previous review, with the team's mark."""
    id: str
    kind: str
    statement: str
    status: str  # one of PROGRESS_STATUSES


@dataclass(frozen=True)
class RoundReview:
    """What the themes report reads of one review."""
    review_id: str
    authority: str  # the authority's name as the parameters give it
    ons_code: str
    region: str
    visit_start: dt.date
    params_file: str  # as shown to the user (relative to the project)
    findings: tuple[RoundFinding, ...]
    themes: tuple[Theme, ...]  # the KLOEs in scope, in the review's order
    audit: AuditTally | None = None
    indicators: tuple[IndicatorFigure, ...] = ()
    flags: tuple[DataFlag, ...] = ()
    sef: tuple[SefRow, ...] = ()
    previous_review: str | None = None  # the review this one follows up
    progress: tuple[ProgressItem, ...] = ()
    #: every name the review's parameters hold (authority, team, coordinator, recipient, places
    #: the team visited, names the personal-data screen allows): the anonymiser replaces them
    names: tuple[str, ...] = ()

    @property
    def follow_up(self) -> bool:
        return self.previous_review is not None


@dataclass(frozen=True)
class Round:
    """Every review of a round, in the order given (a folder's files sorted by name)."""
    name: str  # the report folder's name (``reports/<round>/``)
    reviews: tuple[RoundReview, ...]
    anonymised: bool = False
    #: names the anonymiser gave, old -> new ("Brindleford" -> "Area A"): kept out of every output
    #: and the manifest; empty when not anonymised
    aliases: dict[str, str] = field(default_factory=dict)

    def review(self, review_id: str) -> RoundReview:
        return next(r for r in self.reviews if r.review_id == review_id)

    def __repr__(self) -> str:
        # Short and free of paths: the themes notebook shows it, and its record must not vary.
        return (f"<Round {self.name}: {len(self.reviews)} reviews, {len(self.findings)} findings in their letters"
                f"{', anonymised' if self.anonymised else ''}>")

    @property
    def findings(self) -> tuple[RoundFinding, ...]:
        return tuple(f for r in self.reviews for f in r.findings)


# ---------------------------------------------------------------- the report's data


@dataclass(frozen=True)
class ThemeCount:
    """A KLOE or local theme across the round: how many reviews looked at it and found each kind."""
    theme: Theme
    reviews: int  # reviews with the theme in scope
    strengths: int  # reviews with at least one strength under it
    areas: int  # reviews with at least one area for consideration under it
    urgent: int = 0


@dataclass(frozen=True)
class FindingGroup:
    """Findings of different reviews that say the same kind of thing (same kind, one theme's
    words): each review at most once."""
    kind: str
    theme: Theme | None  # the theme its findings share, None when they span several
    findings: tuple[RoundFinding, ...]  # one per review, in round order
    representatives: tuple[RoundFinding, ...]  # two or three, nearest the group's centre first

    @property
    def size(self) -> int:
        return len(self.findings)

    @property
    def review_ids(self) -> tuple[str, ...]:
        return tuple(f.review_id for f in self.findings)


@dataclass(frozen=True)
class SectionRound:
    """One plan section across the round: plans at each grade (every review's sample together)."""
    code: str
    title: str
    grades: dict[int, int]
    reviews: int


@dataclass(frozen=True)
class CriterionRound:
    """One audit criterion across the round: the plans it applied to and how many missed it."""
    id: str
    section: str
    text: str
    applicable: int
    missing: int
    reviews: int  # reviews whose sample it applied to


@dataclass(frozen=True)
class ModerationRound:
    """Moderation across the round: second audits and how often section grades agreed."""
    review_id: str
    pairs: int
    section_pairs: int
    section_agreed: int
    kappa: float | None


@dataclass(frozen=True)
class IndicatorRound:
    """One indicator: each reviewed area's figure beside England's and every authority's."""
    id: str
    title: str
    short_title: str
    unit: str
    decimals: int
    polarity: str
    figures: tuple[tuple[str, IndicatorFigure], ...]  # review id -> its figure, in round order


@dataclass(frozen=True)
class SefRound:
    """One review's self-evaluation accuracy: areas that concurred, over- and under-rated."""
    review_id: str
    concur: int
    over: int
    under: int
    over_areas: tuple[str, ...] = ()
    under_areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgressRound:
    """One follow-up review: the previous items by status (every status of PROGRESS_STATUSES)."""
    review_id: str
    previous_review: str
    counts: dict[str, int]


@dataclass(frozen=True)
class ThemesData:
    """Everything the themes report states, computed from a :class:`Round`."""
    round: Round
    themes: tuple[ThemeCount, ...]
    groups: tuple[FindingGroup, ...]
    sections: tuple[SectionRound, ...]
    missing_criteria: tuple[CriterionRound, ...]
    moderation: tuple[ModerationRound, ...]
    indicators: tuple[IndicatorRound, ...]
    flags: tuple[tuple[str, DataFlag], ...]  # review id, flag
    sef: tuple[SefRound, ...]
    progress: tuple[ProgressRound, ...]
    #: what was held back (anonymised copies): one line each, from the wording file
    withheld: tuple[str, ...] = ()
