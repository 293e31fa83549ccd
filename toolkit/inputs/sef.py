"""The area's self-evaluation (SEF): its own judgements beside the peers', with the reasoning.

One CSV or XLSX file (sheet ``SEF``), a row per area of the self-evaluation:

| column | meaning |
|---|---|
| `area` | one of the SEF areas (``self_evaluation.areas``; defaults: ``catalogue/self_evaluation.yaml``) |
| `area_judgement` | the area's own judgement, a point of the four-point scale (``self_evaluation.scale``) |
| `peer_judgement` | the peers' judgement on the same scale |
| `reasoning` | why the peers judge so, in a sentence or two (required) |
| `findings` | ids of the findings that support the peers' judgement, separated by ``;`` (each must exist) |

Unknown areas, judgements off the scale and finding ids the review does not hold are refused
with the file, row and column. The reasoning is screened for a child's personal data.

The options (``self_evaluation:`` in the parameters, :class:`SefOptions`) say which areas and which
four-point scale the self-evaluation uses; the defaults live in
``toolkit/catalogue/self_evaluation.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.privacy import quote, screen_table
from toolkit.inputs.screening import screened_columns
from toolkit.inputs.tables import Row, Table, header_errors, read_table
from toolkit.inputs.yamlfiles import parse_yaml
from toolkit.messages import Messages

#: This module's messages (docs/messages.md).
message = Messages("sef.yaml")

DEFAULTS_FILE = Path(__file__).resolve().parents[1] / "catalogue" / "self_evaluation.yaml"
SCALE_POINTS = 4


@lru_cache(maxsize=1)
def defaults() -> dict[str, list[str]]:
    """The shipped areas and scale (``toolkit/catalogue/self_evaluation.yaml``)."""
    data: dict[str, Any] = parse_yaml(DEFAULTS_FILE.read_text(encoding="utf-8"))
    return {"areas": [str(a) for a in data["areas"]], "scale": [str(s) for s in data["scale"]]}


def _key(text: str) -> str:
    return " ".join(text.lower().split())


class SefOptions(BaseModel):
    """``self_evaluation:`` in the parameters: the SEF's areas (in the letter's order) and the
    four-point scale of judgements, best first."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    areas: list[str] = Field(default_factory=lambda: list(defaults()["areas"]), min_length=1)
    scale: list[str] = Field(default_factory=lambda: list(defaults()["scale"]),
                             min_length=SCALE_POINTS, max_length=SCALE_POINTS)

    @field_validator("areas", "scale")
    @classmethod
    def _distinct(cls, v: list[str]) -> list[str]:
        keys = [_key(x) for x in v]
        if any(not k for k in keys):
            raise ValueError("an entry is empty: write it, or delete the line")
        if len(set(keys)) != len(keys):
            raise ValueError("an entry appears twice: keep one of them")
        return v

    def area(self, text: str) -> str | None:
        """The configured area ``text`` names (any case and spacing), or ``None``."""
        return {_key(a): a for a in self.areas}.get(_key(text))

    def point(self, text: str) -> int | None:
        """The position of ``text`` on the scale (0 is the best), or ``None``."""
        return {_key(s): i for i, s in enumerate(self.scale)}.get(_key(text))


COLUMNS = ("area", "area_judgement", "peer_judgement", "reasoning", "findings")
REQUIRED = ("area", "area_judgement", "peer_judgement", "reasoning")
#: Columns the personal-data screen leaves out, with the reason: none (every column is screened).
NOT_SCREENED: dict[str, str] = {}
OLD_COLUMNS = ("sef_judgement", "peer_view")


class Accuracy(Enum):
    """How the area's judgement stands against the peers'."""
    CONCUR = "concur"
    OVER = "more positive"   # the area rates itself better than the evidence supports
    UNDER = "undersells"     # the area rates itself lower than the peers would


@dataclass(frozen=True)
class SefJudgement:
    area: str
    area_judgement: str
    peer_judgement: str
    reasoning: str
    findings: tuple[str, ...] = ()
    area_point: int = 0  # position on the scale, 0 the best
    peer_point: int = 0
    row: int = 0

    @property
    def accuracy(self) -> Accuracy:
        if self.area_point == self.peer_point:
            return Accuracy.CONCUR
        return Accuracy.OVER if self.area_point < self.peer_point else Accuracy.UNDER


@dataclass(frozen=True)
class SefComparison:
    """Every judgement of the file, in the order of the review's areas."""
    judgements: tuple[SefJudgement, ...]
    scale: tuple[str, ...] = ()
    file: str = ""

    @property
    def total(self) -> int:
        return len(self.judgements)

    def with_accuracy(self, accuracy: Accuracy) -> list[SefJudgement]:
        return [j for j in self.judgements if j.accuracy is accuracy]

    @property
    def concur(self) -> list[SefJudgement]:
        return self.with_accuracy(Accuracy.CONCUR)

    @property
    def over(self) -> list[SefJudgement]:
        return self.with_accuracy(Accuracy.OVER)

    @property
    def under(self) -> list[SefJudgement]:
        return self.with_accuracy(Accuracy.UNDER)

    def finding_ids(self) -> list[str]:
        return [i for j in self.judgements for i in j.findings]


def _header_errors(columns: Sequence[str], shown: str) -> list[InputError]:
    if any(c in columns for c in OLD_COLUMNS):
        return [InputError(shown, message("old_layout", columns=", ".join(COLUMNS)), row=1)]
    return header_errors(Table(shown, tuple(columns), ()), COLUMNS, REQUIRED)


_Bad = Callable[[str, str], None]


def _judgement(row: Row, options: SefOptions, finding_ids: Collection[str] | None, seen: dict[str, int],
               bad: _Bad) -> SefJudgement | None:
    """One row as an area's judgements (None when a cell it needs is wrong; each problem to ``bad``);
    ``seen`` holds the rows of the areas read so far."""
    for c in REQUIRED:
        if not row.get(c).strip():
            bad(c, message("no_reasoning") if c == "reasoning" else message("empty", column=c.replace("_", " ")))
    area = _area(row, options, seen, bad)
    a, p = (_point(row, c, options, bad) for c in ("area_judgement", "peer_judgement"))
    ids = tuple(i.strip() for i in row.get("findings").split(";") if i.strip())
    for i in ids:
        if finding_ids is not None and i not in finding_ids:
            bad("findings", message("not_a_finding", value=quote(i)))
    if area is None or a is None or p is None:
        return None
    return SefJudgement(area, options.scale[a], options.scale[p], " ".join(row.get("reasoning").split()),
                        ids, a, p, row.number)


def _area(row: Row, options: SefOptions, seen: dict[str, int], bad: _Bad) -> str | None:
    area = options.area(row.get("area")) if row.get("area").strip() else None
    if row.get("area").strip() and area is None:
        bad("area", message("not_an_area", value=quote(row.get("area")), areas="; ".join(options.areas)))
    elif area is not None and area in seen:
        bad("area", message("judged_twice", area=area, row=seen[area]))
    elif area is not None:
        seen[area] = row.number
    return area


def _point(row: Row, column: str, options: SefOptions, bad: _Bad) -> int | None:
    text = row.get(column).strip()
    point = options.point(text) if text else None
    if text and point is None:
        bad(column, message("not_a_point", value=quote(text), scale=", ".join(options.scale)))
    return point


def load_sef(path: Path, root: Path, options: SefOptions | None = None, finding_ids: Collection[str] | None = None,
             allow: Sequence[str] = (), reference_year: int | None = None) -> SefComparison:
    """Read and check the SEF judgements file; raise :class:`ValidationFailed` listing every problem.

    ``finding_ids`` are the ids of the review's findings (``None``: not checked, as when the
    findings themselves have problems); ``allow`` lists phrases that are never names."""
    options = options or SefOptions()
    shown = display_path(path, root)
    try:
        table = read_table(path, shown, sheet="SEF", expected=COLUMNS)
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    errors = _header_errors(table.columns, shown)
    if errors:
        raise ValidationFailed(errors)
    errors += screen_table(((r.number, r.values) for r in table.rows), shown,
                           screened_columns(table.columns, NOT_SCREENED), allow, reference_year)
    out: list[SefJudgement] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        def bad(column: str, message: str, number: int = row.number) -> None:
            errors.append(InputError(shown, message, row=number, column=column))

        judgement = _judgement(row, options, finding_ids, seen, bad)
        if judgement is not None:
            out.append(judgement)
    if not table.rows:
        errors.append(InputError(shown, message("no_judgements"), row=2))
    if errors:
        raise ValidationFailed(errors)
    order = {a: i for i, a in enumerate(options.areas)}
    return SefComparison(tuple(sorted(out, key=lambda j: order[j.area])), tuple(options.scale), shown)
