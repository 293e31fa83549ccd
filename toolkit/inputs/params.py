"""Review parameters: ``params/<review>.yaml`` validated into a typed model.

The same YAML file is papermill's parameters file: each top-level key is a notebook parameter.
Paths inside it are relative to the project root, the folder that holds ``params/``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from toolkit.errors import InputError, InputWarning, ValidationFailed, display_path
from toolkit.inputs.files import resolved
from toolkit.inputs.params_fill import fill_neighbours, placeholder_warnings
from toolkit.inputs.params_letter import (
    Coordinator,
    Count,
    MonthOnly,
    Opening,
    Programme,
    Recipient,
    Region,
    day_first,
    field_line,
    member_days,
    month_only,
    not_before,
)
from toolkit.inputs.privacy import quote
from toolkit.inputs.sef import SefOptions
from toolkit.inputs.validation_lines import validation_errors
from toolkit.inputs.yamlfiles import parse_yaml as parse_yaml
from toolkit.inputs.yamlfiles import read_yaml as read_yaml

ONS_CODE = re.compile(r"^[EWSN]\d{8}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: A key of ``letter_text``: a section of the letter and the place of its own paragraph (``process:2``).
TEXT_PART = re.compile(r"^[a-z0-9][a-z0-9_-]*(:[a-z0-9][a-z0-9_.-]*)?:[1-9][0-9]*$")

#: Top-level keys of a review parameters file, in order. The letter notebook's parameters cell
#: declares exactly these (plus ``params_file`` and ``project_root``).
TOP_LEVEL_FIELDS = (
    "review_id", "authority", "region", "programme", "visit", "letter_date", "recipient", "team",
    "coordinator", "scope", "people_met", "activities", "groups_met", "inputs", "performance",
    "privacy", "letter_style", "outputs", "final", "glossary", "cases_reviewed", "findings_recorded", "opening",
    "self_evaluation", "overall_view", "settings_visited", "sessions_attended", "explored_through",
    "letter_text",
)


OutputFormat = Literal["html", "ipynb", "docx", "pdf", "pptx"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Authority(_Model):
    name: str = Field(min_length=1)
    ons_code: str
    la_code: str | None = None

    @field_validator("ons_code")
    @classmethod
    def _ons(cls, v: str) -> str:
        if not ONS_CODE.match(v):
            raise ValueError(f"{quote(v)} is not an ONS code (a letter and 8 digits, such as E06000012)")
        return v

    @field_validator("la_code", mode="before")
    @classmethod
    def _la(cls, v: Any) -> Any:
        return None if v is None else str(v)


class Visit(_Model):
    dates: list[dt.date] = Field(min_length=1)
    presentation_date: dt.date

    @model_validator(mode="after")
    def _order(self) -> Visit:
        if sorted(self.dates) != list(self.dates):
            raise ValueError("visit dates must be in order: list them from the first day to the last")
        if self.presentation_date < self.dates[-1]:
            raise ValueError("the presentation cannot come before the last visit day: check presentation_date "
                             "and the visit dates")
        return self


class TeamMember(_Model):
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    organisation: str = Field(min_length=1)
    lead: bool = False
    days: list[dt.date] | None = None


class ScopeItem(_Model):
    text: str = Field(min_length=1)
    items: list[str] = Field(default_factory=list)
    kloes: list[str] = Field(default_factory=list)  # the sections that answer it (toolkit.inputs.scope_cover)


class Prompt(_Model):
    id: str
    text: str = Field(min_length=1)


class Kloe(_Model):
    """A key line of enquiry: from a shipped framework or written inline in a review."""
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    prompts: list[Prompt] = Field(default_factory=list)
    framework: str | None = None
    status: Literal["proposed"] | None = None  # a strand on proposals, not yet law or inspection practice
    #: catalogue indicators that evidence this KLOE: findings under it are checked against those
    #: their statement names (``toolkit.analysis.consistency``)
    indicators: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _prompts(cls, data: Any) -> Any:
        """Prompts may be plain strings; they get ids ``<kloe id>.<n>``."""
        if isinstance(data, dict) and isinstance(data.get("prompts"), list):
            kid = data.get("id", "kloe")
            data = dict(data)
            data["prompts"] = [
                {"id": f"{kid}.{i}", "text": p} if isinstance(p, str) else p
                for i, p in enumerate(data["prompts"], start=1)
            ]
        return data


class Scope(_Model):
    requested: list[ScopeItem] = Field(min_length=1)
    frameworks: list[str] = Field(default_factory=list)
    kloes: list[str] = Field(default_factory=list)
    custom_kloes: list[Kloe] = Field(default_factory=list)
    keep_frameworks: bool = False  # true: no warning that a framework was replaced before the visit

    @field_validator("requested", mode="before")
    @classmethod
    def _requested(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"text": x} if isinstance(x, str) else x for x in v]
        return v

    @model_validator(mode="after")
    def _some_kloe(self) -> Scope:
        if not self.kloes and not self.custom_kloes:
            raise ValueError("name at least one KLOE in kloes or custom_kloes")
        return self


class Inputs(_Model):
    findings: list[str] = Field(min_length=1)
    checklist: list[str] = Field(default_factory=list)
    audit: str | None = None
    audit_framework: str | None = None
    performance: list[str] = Field(default_factory=list)
    sef: str | None = None
    # A review that builds on others (toolkit.inputs.sef): the previous review's parameters
    # file or kept report folder, the team's marks on its items, the improvement plan, the timetable.
    previous_review: str | None = None
    progress: str | None = None
    improvement_plan: str | None = None
    timetable: str | None = None
    recommendations: str | None = None  # the team's own recommendations (toolkit.inputs.recommendations)


class PerformanceOptions(_Model):
    neighbours: list[str] = Field(default_factory=list)
    neighbours_file: str | None = None  # DfE's statistical neighbour workbook (toolkit.inputs.neighbours_file)
    period: str | None = None
    indicators: list[str] | None = None
    catalogue: str | None = None  # the review's own indicator catalogue, merged over the shipped one

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> Any:
        return None if v is None else str(v)


class PrivacyOptions(_Model):
    """Phrases the personal-data screen must never take for a child's name (service names...).

    The team's, the recipient's and the coordinator's names are always allowed.
    """

    allow: list[str] = Field(default_factory=list)


class ReviewParams(_Model):
    """Everything a review's parameters file holds."""
    review_id: str
    authority: Authority
    region: Region
    programme: Programme
    visit: Visit
    letter_date: dt.date | MonthOnly  # a day, or a month only ("February 2018", "2018-02")
    recipient: Recipient
    team: list[TeamMember] = Field(min_length=1)
    coordinator: Coordinator
    scope: Scope
    people_met: Count  # 85, or with a qualifier: "over 50" ({number: 50, qualifier: over})
    activities: list[str] = Field(min_length=1)
    groups_met: list[str] = Field(default_factory=list)
    inputs: Inputs
    performance: PerformanceOptions = Field(default_factory=PerformanceOptions)
    privacy: PrivacyOptions = Field(default_factory=PrivacyOptions)
    letter_style: str = "standard"
    outputs: list[OutputFormat] = Field(default_factory=lambda: list[OutputFormat](["html", "docx", "pdf"]))
    #: The letter is a draft (the HTML's banner, DRAFT on every page of the Word copy and the PDF)
    #: until the team marks it final.
    final: bool = False
    glossary: dict[str, str] = Field(default_factory=dict)  # acronyms this review adds to the shipped glossary
    cases_reviewed: list[str] = Field(default_factory=list)  # case files read beyond the EHC plan audit
    self_evaluation: SefOptions = Field(default_factory=SefOptions)  # the SEF's areas and scale
    #: The strengths and areas for consideration the team recorded, as the letter states them
    #: ("over 130"); default: the rows of the findings files.
    findings_recorded: Count | None = None
    opening: Opening = Field(default_factory=Opening)  # the opening's thanks and welcome
    # The report form's record of the visit and the team's own view (toolkit.inputs.params_report).
    overall_view: str | None = Field(default=None, min_length=1)  # the team's overall judgement
    settings_visited: list[str] = Field(default_factory=list)  # settings and services, by name
    sessions_attended: dict[str, list[str]] | list[str] = Field(default_factory=list)  # observations, focus groups
    explored_through: dict[str, list[str]] = Field(default_factory=dict)  # KLOE id: the activities that tested it
    #: The review's own words for paragraphs of the letter's own (``<section>:<n>``, as letter.docx
    #: names them: docs/word-round-trip.md), written by ``peer-review absorb``; "" leaves one out.
    letter_text: dict[str, str] = Field(default_factory=dict)

    @field_validator("review_id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG.match(v):
            raise ValueError("use lower-case letters, digits and hyphens only")
        return v

    @field_validator("glossary", mode="before")
    @classmethod
    def _glossary_blank(cls, v: Any) -> Any:
        """``SENCO:`` with nothing after it is an empty definition (refused below), not a wrong type."""
        return {k: ("" if d is None else d) for k, d in v.items()} if isinstance(v, dict) else v

    @field_validator("glossary")
    @classmethod
    def _glossary_defined(cls, v: dict[str, str]) -> dict[str, str]:
        for acronym, definition in v.items():
            if not definition.strip():
                raise ValueError(f"{quote(acronym)} has no definition: write what it stands for after the colon "
                                 f"(such as SENCO: special educational needs coordinator), or delete the line")
        return v

    @field_validator("letter_text")
    @classmethod
    def _text_parts(cls, v: dict[str, str]) -> dict[str, str]:
        for key in v:
            if not TEXT_PART.match(key):
                raise ValueError(f"{quote(key)} is not a paragraph of the letter (a section and a number, such as "
                                 "process:2): leave these keys as peer-review absorb wrote them")
        return v

    @field_validator("team")
    @classmethod
    def _one_lead(cls, team: list[TeamMember]) -> list[TeamMember]:
        leads = [m.name for m in team if m.lead]
        if len(leads) != 1:
            raise ValueError(f"the team needs exactly one lead; found {len(leads)}: write lead: true under one "
                             "member only")
        return team

    @field_validator("letter_date", mode="before")
    @classmethod
    def _month_only(cls, v: Any) -> Any:
        return month_only(v)

    @field_validator("letter_date")
    @classmethod
    def _after_presentation(cls, letter_date: dt.date | MonthOnly, info: ValidationInfo) -> dt.date | MonthOnly:
        visit = info.data.get("visit")
        if visit is not None and not not_before(letter_date, visit.presentation_date):
            raise ValueError("the letter cannot be dated before the presentation: date it on or after "
                             "visit.presentation_date")
        return letter_date

    @property
    def letter_day(self) -> dt.date:
        """The letter's date as a day (the first of its month for a month-only date)."""
        return self.letter_date.first_day if isinstance(self.letter_date, MonthOnly) else self.letter_date

    @property
    def lead(self) -> TeamMember:
        return next(m for m in self.team if m.lead)

    def allowed_phrases(self) -> list[str]:
        """What the personal-data screen accepts: adults named in the parameters, and privacy.allow."""
        people = [m.name for m in self.team] + [self.recipient.name, self.coordinator.name]
        return [*people, *self.privacy.allow]

    def member_days(self, member: TeamMember) -> list[dt.date]:
        return list(member.days) if member.days else self.visit_days

    @property
    def visit_days(self) -> list[dt.date]:
        """The days day numbers count: the on-site days, then the presentation (when on its own day)."""
        days = list(self.visit.dates)
        return days if self.visit.presentation_date in days else [*days, self.visit.presentation_date]

    def day_numbers(self, member: TeamMember) -> list[int]:
        """The numbers of the days a member was there (1 = the first visit day), or [] when the
        member was there throughout."""
        days = set(self.member_days(member))
        numbers = [n for n, d in enumerate(self.visit_days, start=1) if d in days]
        return [] if len(numbers) == len(self.visit_days) else numbers


def errors_from_validation(exc: ValidationError, file: str,
                           model: type[BaseModel] | None = None) -> list[InputError]:
    """Turn pydantic's errors into our one-line errors (``team[2].role: required but missing: add
    it ...``), each saying what to do (:mod:`toolkit.inputs.validation_lines`). List positions are
    counted from 1, as a person reading the file counts them."""
    return validation_errors(exc, file, model or ReviewParams)


def _normalise(data: dict[str, Any], file: str) -> tuple[dict[str, Any], list[InputError], list[InputWarning]]:
    """Day-first dates read as dates, and team ``days`` given as day numbers (1 = the first
    visit day) turned into the visit's dates; returns the data, problems and warnings."""
    errors: list[InputError] = []
    warnings: list[InputWarning] = []
    data = dict(data)
    visit = data.get("visit")
    if isinstance(visit, dict):
        visit = dict(visit)
        if isinstance(visit.get("dates"), list):
            visit["dates"] = [day_first(d, f"visit.dates[{i}]", file, warnings)
                              for i, d in enumerate(visit["dates"], start=1)]
        if "presentation_date" in visit:
            visit["presentation_date"] = day_first(visit["presentation_date"], "visit.presentation_date",
                                                    file, warnings)
        data["visit"] = visit
    if "letter_date" in data:
        data["letter_date"] = day_first(data["letter_date"], "letter_date", file, warnings)
    if isinstance(data.get("team"), list):
        data["team"] = [member_days(member, i, visit, file, errors, warnings)
                        for i, member in enumerate(data["team"], start=1)]
    warnings.extend(placeholder_warnings(data, file))
    return fill_neighbours(data, file, errors), errors, warnings


def _region_errors(params: ReviewParams, file: str) -> list[InputError]:
    """A letter names one region: the programme's label must be the review's region."""
    label = params.programme.region_label
    if label is None or label == params.region.name:
        return []
    return [InputError(file, f"names {label}, but region.name is {params.region.name}: a letter names one "
                       "region (write the same region in both, in any accepted spelling)",
                       column="programme.region_label")]


def parse_params_checked(data: Any, file: str) -> tuple[ReviewParams, list[InputWarning]]:
    """Validate a mapping (from YAML or from papermill's injected parameters); also return the
    warnings (day-first dates, team days outside the visit). Raise :class:`ValidationFailed`."""
    if not isinstance(data, dict):
        raise ValidationFailed([InputError(file, "expected a mapping of review parameters")])
    data, errors, warnings = _normalise(data, file)
    try:
        params = ReviewParams.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed([*errors, *errors_from_validation(exc, file)]) from None
    errors.extend(_region_errors(params, file))
    if errors:
        raise ValidationFailed(errors)
    return params, warnings


def parse_params(data: Any, file: str) -> ReviewParams:
    """Validate a mapping (from YAML or from papermill's injected parameters)."""
    return parse_params_checked(data, file)[0]


def project_root_for(params_path: Path) -> Path:
    """The folder input paths are relative to: the parent of ``params/``."""
    folder = resolved(params_path).parent
    return folder.parent if folder.name == "params" else folder


@dataclass(frozen=True)
class LoadedParams:
    """A parameters file read once: the validated model, its warnings, and the mapping it was
    validated from (what papermill injects into the notebook, in the file's own shape)."""

    params: ReviewParams
    warnings: tuple[InputWarning, ...]
    data: dict[str, Any]
    path: Path


def _located(exc: ValidationFailed, path: Path) -> ValidationFailed:
    """The same problems, each with the line of the parameters file that holds its field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return exc
    return ValidationFailed([dataclasses.replace(e, line=field_line(text, e.column))
                             if e.row is None and e.line is None and e.column else e for e in exc.errors])


def _located_warnings(warnings: list[InputWarning], path: Path) -> tuple[InputWarning, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return tuple(warnings)
    return tuple(dataclasses.replace(w, line=field_line(text, w.column)) if w.line is None and w.column else w
                 for w in warnings)


def read_params(path: str | Path) -> LoadedParams:
    """Read and validate ``params/<review>.yaml`` once; raise :class:`ValidationFailed` (each
    problem with the line of the file that holds its field)."""
    p = Path(path)
    shown = display_path(p)
    data = read_yaml(p, shown)
    try:
        params, warnings = parse_params_checked(data, shown)
    except ValidationFailed as exc:
        raise _located(exc, p) from None
    return LoadedParams(params, _located_warnings(warnings, p), dict(data), p)


def load_params_checked(path: str | Path) -> tuple[ReviewParams, list[InputWarning]]:
    """Read and validate ``params/<review>.yaml`` with its warnings; raise :class:`ValidationFailed`."""
    loaded = read_params(path)
    return loaded.params, list(loaded.warnings)


def load_params(path: str | Path) -> ReviewParams:
    """Read and validate ``params/<review>.yaml``; raise :class:`ValidationFailed` listing every problem."""
    return load_params_checked(path)[0]
