"""Findings the data seems to contradict: a strength in the lowest quarter, an area for
consideration (or urgent action) in the best. For the team's working notebook only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.indicators import wording
from toolkit.inputs.findings import Kind


@dataclass(frozen=True)
class ConsistencyFlag:
    """A finding the data seems to contradict (for the team's working notebook only)."""
    finding: Any
    indicator: str
    band: str
    message: str


def _kind(raw: object) -> Kind | None:
    """The kind of a finding given as a :class:`Kind` or as its words (any case and spacing;
    "recommended urgent action" too), or None for anything else."""
    text = " ".join(str(getattr(raw, "value", raw)).split()).casefold()
    text = Kind.URGENT.value if text == "recommended urgent action" else text
    return next((k for k in Kind if k.value == text), None)


def check_consistency(findings: Iterable[Any], comparisons: Sequence[Comparison]) -> list[ConsistencyFlag]:
    """Flag a strength linked to an indicator in band D, or an area for consideration (or a
    recommended urgent action) linked to one in band A.

    ``findings`` are any objects with ``.kind`` and ``.indicator`` (an indicator id or empty).
    """
    by_id = {c.indicator.id: c for c in comparisons}
    flags = []
    for finding in findings:
        comp = by_id.get(str(getattr(finding, "indicator", "") or "").strip())
        kind = _kind(getattr(finding, "kind", ""))
        if comp is None or comp.band is None:
            continue
        if kind is Kind.STRENGTH and comp.band == "D":
            said = "a strength"
        elif kind in (Kind.AREA, Kind.URGENT) and comp.band == "A":
            said = "an area for consideration" if kind is Kind.AREA else "a recommended urgent action"
        else:
            continue
        where = f"{wording()['bands'][comp.band]} (band {comp.band})"
        flags.append(ConsistencyFlag(finding, comp.indicator.id, comp.band, (
            f"Called {said}, but {comp.area.name} is in {where} of {comp.count} local authorities "
            f"for {comp.indicator.short_title} in {comp.period.label} (rank {comp.rank}).")))
    return flags
