"""The EHCP sample audit's framework: its criteria by plan section, and how they are graded.

The framework is ``toolkit/frameworks/ehcp_audit.yaml`` or a review's own file; this module reads
it into typed models (:func:`load_audit_framework`). The grading rule it configures is applied
in :mod:`toolkit.inputs.audit_grades`; the audit file is read in :mod:`toolkit.inputs.audit`.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.files import file_problem
from toolkit.inputs.limits import check_size
from toolkit.inputs.privacy import quote
from toolkit.inputs.validation_lines import validation_errors
from toolkit.inputs.yamlfiles import parse_yaml, yaml_error

DEFAULT_FRAMEWORK = Path(__file__).parents[1] / "frameworks" / "ehcp_audit.yaml"

#: What an auditor's entry for a criterion reads as.
MET, NOT_MET, NA = "met", "not met", "n/a"
#: The plan stages an audit row names (its ``plan_stage``), by the words accepted for each.
PLAN_STAGES = {"new": "new", "annual review": "annual review", "ar": "annual review",
               "review": "annual review", "transfer": "transfer"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Applicability(_Model):
    plan_stages: list[str] | None = None
    min_year_group: int | None = None


class Criterion(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    section: str
    text: str
    good: str
    weight: float = Field(gt=0)
    applies: Applicability = Applicability()
    finding: str


class Section(_Model):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9]*$")
    title: str
    key: bool = False
    weight: float = Field(ge=0)
    cross_cutting: bool = False


class Band(_Model):
    min_share: float = Field(ge=0, le=1)
    grade: int = Field(ge=2, le=4)
    #: the fewest applicable checks a section needs for this grade: a section read on fewer
    #: falls to the next band it reaches (one check met is not "outstanding")
    min_checks: int = Field(default=1, ge=1)


class KeyCap(_Model):
    when_at_most: int = Field(ge=1, le=4)
    cap: int = Field(ge=1, le=4)


class Grading(_Model):
    section_bands: list[Band] = Field(min_length=1)
    key_cap: KeyCap | None = None
    timeliness_weeks: float = 20
    timeliness_criterion: str | None = None
    #: The criterion behind "the annual review was up to date in N of the M plans at annual review".
    review_criterion: str | None = None


class AuditFramework(_Model):
    id: str
    title: str
    grading: Grading
    sections: list[Section] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> AuditFramework:
        codes = [s.code for s in self.sections]
        if len(set(codes)) != len(codes):
            raise ValueError("section codes must be unique: give each section a code of its own")
        ids = [c.id for c in self.criteria]
        if len(set(ids)) != len(ids):
            raise ValueError("criterion ids must be unique: give each criterion an id of its own")
        for c in self.criteria:
            if c.section not in codes:
                raise ValueError(f"criterion {quote(c.id)} names unknown section {quote(c.section)}: use the code of "
                                 "a section listed under sections")
            for stage in c.applies.plan_stages or []:
                if stage not in set(PLAN_STAGES.values()):
                    raise ValueError(f"criterion {quote(c.id)}: unknown plan stage {quote(stage)}: use new or "
                                     "annual review")
        for key in ("timeliness_criterion", "review_criterion"):
            named = getattr(self.grading, key)
            if named is not None and named not in ids:
                raise ValueError(f"grading.{key} names {quote(named)}, which is not a criterion id of this "
                                 f"framework (its criteria are {', '.join(ids)})")
        return self

    def section(self, code: str) -> Section:
        return next(s for s in self.sections if s.code == code)

    def criteria_in(self, code: str) -> list[Criterion]:
        return [c for c in self.criteria if c.section == code]

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)


def load_audit_framework(path: str | Path | None = None, root: Path | None = None) -> AuditFramework:
    """The shipped audit framework, or a review's own framework file (relative to ``root``)."""
    file = DEFAULT_FRAMEWORK if path is None else (root or Path.cwd()) / Path(path)
    shown = display_path(file, root)
    problem = file_problem(file)
    if problem is not None:
        message = "audit framework " + problem if problem == "file not found" else problem
        raise ValidationFailed([InputError(shown, message)])
    try:
        check_size(file, shown)
        data = parse_yaml(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValidationFailed([yaml_error(exc, shown)]) from None
    try:
        return AuditFramework.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(validation_errors(exc, shown, AuditFramework)) from None


