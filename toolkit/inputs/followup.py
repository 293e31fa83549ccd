"""Parameters of a review that builds on others: its self-evaluation's areas and scale.

A review names its self-evaluation judgements (``inputs.sef``), the previous review it follows
(``inputs.previous_review``), the team's marks on that review's items (``inputs.progress``), the
area's improvement plan (``inputs.improvement_plan``) and its visit timetable
(``inputs.timetable``) in :class:`toolkit.inputs.params.Inputs`; the options here say which areas
and which four-point scale the self-evaluation uses. The defaults live in
``toolkit/catalogue/self_evaluation.yaml``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULTS_FILE = Path(__file__).resolve().parents[1] / "catalogue" / "self_evaluation.yaml"
SCALE_POINTS = 4


@lru_cache(maxsize=1)
def defaults() -> dict[str, list[str]]:
    """The shipped areas and scale (``toolkit/catalogue/self_evaluation.yaml``)."""
    data: dict[str, Any] = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
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
            raise ValueError("an entry is empty")
        if len(set(keys)) != len(keys):
            raise ValueError("an entry appears twice")
        return v

    def area(self, text: str) -> str | None:
        """The configured area ``text`` names (any case and spacing), or ``None``."""
        return {_key(a): a for a in self.areas}.get(_key(text))

    def point(self, text: str) -> int | None:
        """The position of ``text`` on the scale (0 is the best), or ``None``."""
        return {_key(s): i for i, s in enumerate(self.scale)}.get(_key(text))
