"""The desk-review listing of ``peer-review indicators``: an authority's indicators as a table
or as CSV, with comparators, rank, band and direction, and notes on what is missing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from toolkit.analysis.comparisons import Comparison, ComparisonSet, compare_set
from toolkit.analysis.indicators import data_warnings, format_value, load_catalogue, plain_number, wording
from toolkit.inputs.performance import read_performance_files
from toolkit.letter.catalogue_starter import starter
from toolkit.letter.performance_sentences import (
    comparator_cells,
    direction_text,
    exact_value,
    missing_reason,
    rank_cell,
)

REPORT_COLUMNS = ("indicator", "title", "period", "authority", "authority_code", "value", "england",
                  "england_la_average", "region", "region_value", "region_la_average", "neighbours_mean",
                  "neighbours_median", "neighbours_with_value", "rank", "of", "joint_rank", "band", "direction",
                  "source")


def report_rows(comparisons: Sequence[Comparison]) -> list[dict[str, str]]:
    """One row per indicator with every number exactly as read (no re-rounding).

    ``england`` and ``region_value`` are the published England and region rows (totals, for
    counts); ``england_la_average`` and ``region_la_average`` the means of the local
    authorities' values, which the letter compares counts with."""
    rows = []
    for c in comparisons:
        rows.append({
            "indicator": c.indicator.id, "title": c.indicator.title, "period": c.period.text,
            "authority": c.area.name, "authority_code": c.area.code,
            "value": plain_number(c.value) if c.value is not None else c.raw,
            "england": plain_number(c.england), "england_la_average": plain_number(c.england_la_mean),
            "region": c.area.region_name, "region_value": plain_number(c.region),
            "region_la_average": plain_number(c.region_la_mean),
            "neighbours_mean": plain_number(c.neighbours_mean),
            "neighbours_median": plain_number(c.neighbours_median),
            "neighbours_with_value": str(len(c.neighbours)) if c.neighbours or c.neighbours_missing else "",
            "rank": "" if c.rank is None else str(c.rank), "of": str(c.count),
            "joint_rank": "yes" if c.rank is not None and c.tied else "", "band": c.band or "",
            "direction": c.trend.direction or "", "source": c.source,
        })
    return rows


def _table(comparisons: Sequence[Comparison]) -> str:
    head = ("Indicator", "Period", "Value", "England", "Region", "Neighbours", "Rank", "Band", "Direction")
    body = []
    for c in comparisons:
        ind = c.indicator
        england, region = comparator_cells(c, exact=True)
        body.append((ind.short_title, c.period.label, exact_value(ind, c.value, c.raw or "-"), england, region,
                     format_value(ind, c.neighbours_mean, "-"), rank_cell(c), c.band or "-", direction_text(c)))
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    right = {2, 3, 4, 5, 6}
    lines = ["  ".join(v.rjust(w) if i in right else v.ljust(w)
                       for i, (v, w) in enumerate(zip(row, widths, strict=True))).rstrip() for row in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report_notes(result: ComparisonSet) -> list[str]:
    """Notes under the listing: counts' averages, neighbours not found or without a value, and
    indicators left out for want of the period."""
    words, comps = wording(), result.comparisons
    notes = []
    if any(c.averages_stand_in for c in comps):
        notes.append(words["average_note"])
    if any(c.tied for c in comps if c.rank is not None):
        notes.append(words["joint_note"])
    unknown = [code for code in (comps[0].neighbours_unknown if comps else [])
               if all(code in c.neighbours_unknown for c in comps)]
    if unknown:
        notes.append(words["neighbours_unknown"].format(codes=", ".join(unknown)))
    for c in comps:
        missing = [code for code in [*c.neighbours_missing, *c.neighbours_unknown] if code not in unknown]
        if missing:
            notes.append(words["neighbours_no_value"].format(indicator=c.indicator.short_title,
                                                             period=c.period.label, codes=", ".join(missing)))
    gaps = [c for c in comps if c.value is None]
    if gaps:
        notes.append(words["not_published_note"].format(area=gaps[0].area.name, items="; ".join(
            f"{c.indicator.short_title} ({c.raw + ': ' if c.raw else ''}{missing_reason(c)})" for c in gaps)))
    if result.no_period:
        notes.append(words["no_period"].format(
            indicators=", ".join(d.indicator.short_title for d, _ in result.no_period)))
    return notes


def indicators_report(files: Sequence[str | Path], authority: str, period: str | int | None = None,
                      neighbours: Sequence[str] = (), fmt: Literal["table", "csv"] = "table",
                      ids: Sequence[str] | None = None, root: str | Path | None = None,
                      warn: Callable[[str], None] | None = None, catalogue: str | Path | None = None) -> str:
    """The desk-review listing of an authority's indicators with comparators, rank, band and
    direction. Published values (the authority, England, the region) are printed exactly as
    read in both formats; only the neighbours' average (and, for counts, the average local
    authority) is rounded in the table. ``warn`` receives one line for each catalogue indicator
    a file was meant to provide but does not (see :func:`toolkit.analysis.indicators.data_warnings`).
    ``catalogue`` names a catalogue file of one's own, merged over the shipped one."""

    if fmt not in ("table", "csv"):
        raise ValueError(f"format must be table or csv, not {fmt!r}")
    sources = read_performance_files(files, root)
    merged = load_catalogue(own=catalogue)
    if warn is not None and ids is None:
        for problem in data_warnings(sources, merged):
            warn(f"warning: {problem}")
    result = compare_set(sources, authority, catalogue=merged, ids=ids, period=period, neighbours=neighbours)
    comparisons = result.comparisons
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=REPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(report_rows(comparisons))
        return buf.getvalue()
    area = comparisons[0].area
    title = f"{area.name} ({area.code or area.old_code or 'no code'}), {area.region_name or 'region unknown'}"
    notes = report_notes(result)
    return "\n".join([title, "", _table(comparisons), *([""] + notes if notes else [])]) + "\n"


def measures_listing(files: Sequence[str | Path], root: str | Path | None = None,
                     catalogue: str | Path | None = None) -> str:
    """``peer-review indicators FILE`` without an authority: each file's measure columns, the
    indicator that reads each, and a catalogue entry to start from for the others (YAML)."""
    return starter(read_performance_files(files, root), load_catalogue(own=catalogue))
