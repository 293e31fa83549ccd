"""Synthetic performance data in exactly the DfE open-data layout, for demos and tests.

Every name and code is fictional (ONS-style codes ``E06009xxx``, ``E08009xxx``, ``E09009xxx``,
``E10009xxx``; old LA codes 944–999 and 600–699, which DfE does not use); only the nine English
regions are real. The generator is seeded, so the same seed always gives the same bytes, and it
can make any number of authorities for future fictional reviews. Three demo authorities have
set profiles: Kestrelmoor strong on timeliness, Harrowdene weak, Brindleford declining.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REGIONS = (
    ("E12000001", "North East"), ("E12000002", "North West"), ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"), ("E12000005", "West Midlands"), ("E12000006", "East of England"),
    ("E12000007", "London"), ("E12000008", "South East"), ("E12000009", "South West"),
)
#: How many authorities of each type (ONS code prefix) each region gets, out of 150.
REGION_MIX = {
    "E12000001": {"E06": 6, "E08": 5}, "E12000002": {"E06": 8, "E08": 10, "E10": 2},
    "E12000003": {"E06": 5, "E08": 9, "E10": 1}, "E12000004": {"E06": 5, "E10": 5},
    "E12000005": {"E06": 4, "E08": 7, "E10": 3}, "E12000006": {"E06": 6, "E10": 5},
    "E12000007": {"E09": 32}, "E12000008": {"E06": 12, "E10": 7}, "E12000009": {"E06": 14, "E10": 4},
}
GEOGRAPHY = ("time_period", "time_identifier", "geographic_level", "country_code", "country_name",
             "region_code", "region_name", "new_la_code", "old_la_code", "la_name")
#: SEN2 measure columns written, with the names and order of the published file.
MEASURES = ("ass_none_ehc", "ass_none_ehc_pc", "ass_refused_ehc", "ass_refused_ehc_pc", "inc_exc_20week_ehc",
            "inc_exc_20week_rate", "inreq_ehc", "mainstream_to_special_ehc", "new_all_ehc", "no_exc_20week_ehc",
            "no_exc_20week_rate", "total_tribunal", "personal_budgets", "tot_inc_exc_ehc", "tot_no_exc_ehc",
            "total_mediation", "total_tribunal_pc")
_RATES = {"ass_none_ehc_pc": ("ass_none_ehc", "inreq_ehc"), "ass_refused_ehc_pc": ("ass_refused_ehc", "inreq_ehc"),
          "inc_exc_20week_rate": ("inc_exc_20week_ehc", "tot_inc_exc_ehc"),
          "no_exc_20week_rate": ("no_exc_20week_ehc", "tot_no_exc_ehc"),
          "total_tribunal_pc": ("total_tribunal", "_appealable")}
OUTCOMES = {  # indicator id: (typical LA mean, spread, lower bound, upper bound, yearly drift)
    "ks2_rwm_ehcp": (8.0, 3.0, 0.0, 30.0, 0.2), "ks2_rwm_sen_support": (22.0, 4.0, 5.0, 45.0, 0.3),
    "ks4_att8_ehcp": (14.0, 2.5, 5.0, 25.0, 0.1), "ks4_att8_sen_support": (33.0, 3.0, 20.0, 45.0, 0.1),
    "absence_ehcp": (11.5, 1.8, 6.0, 20.0, 0.3), "suspensions_sen": (9.0, 4.0, 1.0, 30.0, 0.6),
}
_NO_EXAMS = {"201920", "202021"}  # no key stage 2 or 4 results were published for these years

_PREFIXES = ("Alder", "Bracken", "Caddis", "Dunlin", "Eskerby", "Fallow", "Gorsey", "Heronby", "Ivel", "Juniper",
             "Larkspur", "Marten", "Nethers", "Ouzel", "Plover", "Quarrel", "Rushmere", "Sedge", "Tansy", "Umber",
             "Vetch", "Wrenby", "Yarrow", "Corvel", "Lindow", "Merrow", "Pellin", "Sorrel", "Teasel", "Whinny")
_SUFFIXES = ("combe", "holt", "stead", "wick", "thorpe", "dale", "mere", "hurst", "worth", "field", "ley", "gate")


@dataclass(frozen=True)
class FictionalAuthority:
    """A made-up local authority with a performance profile."""
    name: str
    code: str
    old_code: str
    region_code: str
    region_name: str
    profile: str = "typical"  # typical, strong_timeliness, weak or declining
    size: float = 1.0  # scales its volumes
    timeliness: float = 58.0  # its usual 20-week rate
    outcome: float = 0.0  # spreads its outcome measures (standard deviations)

    @property
    def kind(self) -> str:
        return self.code[:3]


DEMO_AUTHORITIES = (
    FictionalAuthority("Kestrelmoor", "E06009901", "991", "E12000003", "Yorkshire and The Humber",
                       "strong_timeliness", 0.9, 95.0, 0.8),
    FictionalAuthority("Harrowdene", "E08009902", "992", "E12000002", "North West", "weak", 1.3, 24.0, -1.0),
    FictionalAuthority("Brindleford", "E10009903", "993", "E12000005", "West Midlands", "declining", 2.4, 85.0, 0.2),
)


def fictional_authorities(seed: int = 2026, featured: Sequence[FictionalAuthority] = DEMO_AUTHORITIES,
                          scale: float = 1.0) -> list[FictionalAuthority]:
    """About ``150 * scale`` fictional authorities across the nine regions, ``featured`` among them."""
    rng = random.Random(seed)
    names = [p + s for p in _PREFIXES for s in _SUFFIXES]
    rng.shuffle(names)
    taken = {a.name for a in featured}
    names = [n for n in names if n not in taken]
    old_codes = [str(c) for c in list(range(944, 991)) + list(range(600, 700))]
    numbers = {"E06": 1, "E08": 1, "E09": 1, "E10": 1}
    regions = dict(REGIONS)
    out: list[FictionalAuthority] = []
    for region_code, mix in REGION_MIX.items():
        for kind, count in mix.items():
            demos = [a for a in featured if a.region_code == region_code and a.kind == kind]
            out.extend(demos)
            for _ in range(max(0, round(count * scale) - len(demos))):
                size = rng.lognormvariate(0, 0.5) * (2.2 if kind == "E10" else 1.0)
                out.append(FictionalAuthority(
                    names.pop(), f"{kind}009{numbers[kind]:03d}", old_codes.pop(0), region_code,
                    regions[region_code], "typical", round(size, 3),
                    round(min(100.0, max(5.0, rng.gauss(58, 18))), 1), round(rng.gauss(0, 1), 3)))
                numbers[kind] += 1
    return out


def statistical_neighbours(authority: FictionalAuthority, authorities: Sequence[FictionalAuthority],
                           count: int = 7) -> list[FictionalAuthority]:
    """The ``count`` authorities of the same type most like ``authority`` in size and outcomes."""
    def distance(other: FictionalAuthority) -> float:
        return (abs(other.size - authority.size) / max(authority.size, 0.1)
                + 0.3 * abs(other.outcome - authority.outcome))

    pool = [a for a in authorities if a.kind == authority.kind and a.code != authority.code]
    if authority.kind in ("E06", "E10"):  # shire areas: unitaries and counties are compared together
        pool = [a for a in authorities if a.kind in ("E06", "E10") and a.code != authority.code]
    return sorted(pool, key=lambda a: (distance(a), a.code))[:count]


def _timeliness(a: FictionalAuthority, year: int, first: int, last: int, rng: random.Random) -> float:
    if a.profile == "declining":
        return max(5.0, 85.0 - 55.0 * (year - first) / max(1, last - first) + rng.gauss(0, 2))
    if a.profile == "strong_timeliness":
        return min(100.0, 95.0 + rng.gauss(0, 2))
    if a.profile == "weak":
        return max(3.0, 24.0 + rng.gauss(0, 1.2))
    return min(100.0, max(2.0, a.timeliness - 0.8 * (year - first) + rng.gauss(0, 9)))


def _la_counts(a: FictionalAuthority, year: int, first: int, last: int, rng: random.Random) -> dict[str, float]:
    growth = 1.07 ** (year - first)
    requests = max(30, round(a.size * 520 * growth * rng.uniform(0.85, 1.15)))
    refused_share = {"weak": 0.36, "strong_timeliness": 0.14}.get(a.profile, rng.uniform(0.12, 0.32))
    refused = round(requests * refused_share)
    no_plan = round((requests - refused) * rng.uniform(0.02, 0.1))
    new = max(10, round((requests - refused - no_plan) * rng.uniform(0.8, 0.95)))
    tot_no_exc = max(5, round(new * rng.uniform(0.9, 0.99)))
    rate = _timeliness(a, year, first, last, rng)
    tribunal_share = {"weak": 0.09, "strong_timeliness": 0.015}.get(a.profile, rng.uniform(0.01, 0.05))
    appealable = new + refused + no_plan
    return {
        "inreq_ehc": requests, "ass_refused_ehc": refused, "ass_none_ehc": no_plan, "new_all_ehc": new,
        "tot_no_exc_ehc": tot_no_exc, "no_exc_20week_ehc": round(tot_no_exc * rate / 100),
        "tot_inc_exc_ehc": new, "inc_exc_20week_ehc": round(new * max(0.0, rate - rng.uniform(0, 4)) / 100),
        "total_mediation": round(appealable * rng.uniform(0.03, 0.08)),
        "total_tribunal": round(appealable * tribunal_share), "_appealable": appealable,
        "personal_budgets": round(new * a.size * rng.uniform(0.5, 2.5)),
        "mainstream_to_special_ehc": round(new * rng.uniform(0.08, 0.2)),
    }


def _fmt(column: str, value: float, year: int) -> str:
    if column not in _RATES:
        return str(int(value))
    return f" {value:.3f}" if year == 2022 else f"{value:.1f}"  # 2022 as published: leading space


def _row(year: int, level: str, region: tuple[str, str], la: tuple[str, str, str], counts: dict[str, float],
         rng: random.Random, sprinkle: bool) -> dict[str, str]:
    row = dict(zip(GEOGRAPHY, (str(year), "Calendar year", level, "E92000001", "England", *region, *la),
                   strict=True))
    for column in MEASURES:
        if column in _RATES:
            num, den = _RATES[column]
            cell = _fmt(column, 100 * counts[num] / counts[den], year) if counts[den] else "x"
        else:
            cell = _fmt(column, counts[column], year)
        if column == "total_tribunal_pc" and year == 2018 or column == "mainstream_to_special_ehc" and year == 2018:
            cell = "z"  # not collected that year
        elif sprinkle and rng.random() < 0.012:
            cell = "x"
        row[column] = cell
    return row


def generate_sen2(authorities: Sequence[FictionalAuthority], years: Sequence[int] = range(2018, 2026),
                  seed: int = 2026) -> pd.DataFrame:
    """An SEN2-style EES file: per year, every authority, the nine regions and England.

    Regional and national rows add up their authorities' counts; rates are recomputed from the
    sums. Years come in a shuffled order, as in the published file.
    """
    rng = random.Random(seed)
    years = list(years)
    order = years[:]
    random.Random(seed + 1).shuffle(order)
    rows: list[dict[str, str]] = []
    per_year: dict[int, list[dict[str, str]]] = {}
    for year in years:
        block: list[dict[str, str]] = []
        region_sums: dict[str, dict[str, float]] = {}
        national: dict[str, float] = {}
        for a in authorities:
            counts = _la_counts(a, year, years[0], years[-1], rng)
            block.append(_row(year, "Local authority", (a.region_code, a.region_name),
                              (a.code, a.old_code, a.name), counts, rng, sprinkle=a.profile == "typical"))
            for totals in (region_sums.setdefault(a.region_code, {}), national):
                for key, value in counts.items():
                    totals[key] = totals.get(key, 0) + value
        for code, name in REGIONS:
            block.append(_row(year, "Regional", (code, name), ("", "", ""), region_sums.get(code, {}) or
                              dict.fromkeys(national, 0), rng, sprinkle=False))
        block.append(_row(year, "National", ("", ""), ("", "", ""), national, rng, sprinkle=False))
        per_year[year] = block
    for year in order:
        rows.extend(per_year[year])
    return pd.DataFrame(rows, columns=[*GEOGRAPHY, *MEASURES], dtype=str)


def _outcome_value(a: FictionalAuthority, indicator: str, i: int, rng: random.Random) -> float:
    mean, spread, low, high, drift = OUTCOMES[indicator]
    sign = -1 if indicator in ("absence_ehcp", "suspensions_sen") else 1
    quality = a.outcome - (0.25 * i if a.profile == "declining" else 0.0)
    value = mean + drift * i + sign * quality * spread * 0.8 + rng.gauss(0, spread * 0.4)
    return min(high, max(low, value))


def _outcome_decimals(indicator: str) -> int:
    return 0 if indicator.startswith("ks2") else 1 if not indicator.startswith("susp") else 2


def _academic(year: int) -> str:
    return f"{year - 1}{year % 100:02d}"


def outcome_values(authorities: Sequence[FictionalAuthority], years: Sequence[int] = range(2019, 2026),
                   seed: int = 2026) -> dict[tuple[str, str], dict[str, str]]:
    """Every outcome cell as published text: ``(indicator, period) -> {area code: cell}``.

    England and the regions are the size-weighted means of their authorities. Both layouts
    (:func:`generate_local_outcomes` and :func:`generate_outcome_files`) write these cells, so the
    two hold the same figures.
    """
    rng = random.Random(seed + 7)
    out: dict[tuple[str, str], dict[str, str]] = {}
    for indicator in OUTCOMES:
        decimals = _outcome_decimals(indicator)
        for i, year in enumerate(years):
            period = _academic(year)
            values = {a.code: _outcome_value(a, indicator, i, rng) for a in authorities}
            blank = indicator.startswith(("ks2", "ks4")) and period in _NO_EXAMS

            def cell(v: float, blank: bool = blank, decimals: int = decimals) -> str:
                return "z" if blank else f"{v:.{decimals}f}"

            cells = {"E92000001": cell(sum(values[a.code] * a.size for a in authorities)
                                       / sum(a.size for a in authorities))}
            for code, _ in REGIONS:
                members = [a for a in authorities if a.region_code == code]
                if members:
                    cells[code] = cell(sum(values[a.code] * a.size for a in members) / sum(a.size for a in members))
            cells.update((a.code, cell(values[a.code])) for a in authorities)
            out[(indicator, period)] = cells
    return out


def generate_local_outcomes(authorities: Sequence[FictionalAuthority], years: Sequence[int] = range(2019, 2026),
                            seed: int = 2026) -> pd.DataFrame:
    """The outcome measures as a local long-format file, for every authority, region and England.

    ``years`` are the academic years' ending years (2025 -> ``202425``); key stage results are
    the code ``z`` for 2019/20 and 2020/21, when no exams were held.
    """
    cells = outcome_values(authorities, years, seed)
    regions = dict(REGIONS)
    rows = []
    for (indicator, period), by_code in cells.items():
        rows.append((indicator, period, "E92000001", "England", "National", "", by_code["E92000001"]))
        for code, _name in REGIONS:
            if code in by_code:
                rows.append((indicator, period, code, regions[code], "Regional", "", by_code[code]))
        for a in authorities:
            rows.append((indicator, period, a.code, a.name, "Local authority", a.region_code, by_code[a.code]))
    columns = ["indicator", "period", "area_code", "area_name", "geographic_level", "region_code", "value"]
    return pd.DataFrame(rows, columns=columns, dtype=str)


@dataclass(frozen=True)
class OutcomeFile:
    """How one outcome file is laid out: its name, filter columns and measure column, and which
    filter values carry which indicator (the rest of each row's cells are a Total)."""

    name: str
    filters: tuple[str, ...]
    measure: str
    rows: tuple[tuple[tuple[str, ...], str | None], ...]  # filter values -> indicator (None: all pupils)
    everyone: tuple[float, float]  # all pupils' typical value and spread, for the Total rows


#: The outcome files in the EES layout. Their filter names differ on purpose, as DfE's own files
#: do (``breakdown_topic``/``breakdown`` in one, ``sen_status`` in another, ``EHCP`` for "EHC
#: plan"): the catalogue's filter aliases read them.
OUTCOME_FILES = (
    OutcomeFile("ks2_synthetic.csv", ("breakdown_topic", "breakdown"), "pt_rwm_met_expected_standard",
                ((("Total", "Total"), None), (("SEN provision", "EHCP"), "ks2_rwm_ehcp"),
                 (("SEN provision", "SEN support"), "ks2_rwm_sen_support")), (60.0, 4.0)),
    OutcomeFile("ks4_synthetic.csv", ("sen_status",), "avg_att8",
                ((("Total",), None), (("EHC plan",), "ks4_att8_ehcp"), (("SEN support",), "ks4_att8_sen_support")),
                (46.0, 2.5)),
    OutcomeFile("pupil_absence_synthetic.csv", ("sen_status",), "sess_overall_percent",
                ((("Total",), None), (("EHC plan",), "absence_ehcp")), (6.8, 0.8)),
    OutcomeFile("exclusions_synthetic.csv", ("sen_status",), "susp_rate",
                ((("Total",), None), (("Total SEN",), "suspensions_sen")), (9.5, 3.0)),
)


def generate_outcome_files(authorities: Sequence[FictionalAuthority], years: Sequence[int] = range(2019, 2026),
                           seed: int = 2026) -> dict[str, pd.DataFrame]:
    """The outcome measures in the EES open-data layout, one file per topic (see
    :data:`OUTCOME_FILES`), with the same figures as :func:`generate_local_outcomes`.

    Academic years (``202425``, time_identifier "Academic year"); ``z`` where no exams were held;
    Total rows for all pupils come from a separate seeded stream, so they never shift the
    indicators' figures."""
    cells = outcome_values(authorities, years, seed)
    regions = dict(REGIONS)
    rng = random.Random(seed + 11)
    out: dict[str, pd.DataFrame] = {}
    for spec in OUTCOME_FILES:
        indicator = next(i for _, i in spec.rows if i)
        decimals = _outcome_decimals(indicator)
        rows: list[dict[str, str]] = []
        for year in years:
            period = _academic(year)
            blank = spec.measure != "sess_overall_percent" and spec.measure != "susp_rate" and period in _NO_EXAMS
            areas = [("National", "", "", "", "", "", "E92000001")]
            areas += [("Regional", code, regions[code], "", "", "", code) for code, _ in REGIONS
                      if code in cells[(indicator, period)]]
            areas += [("Local authority", a.region_code, a.region_name, a.code, a.old_code, a.name, a.code)
                      for a in authorities]
            for level, region_code, region_name, code, old, name, key in areas:
                geo = dict(zip(GEOGRAPHY, (period, "Academic year", level, "E92000001", "England",
                                           region_code, region_name, code, old, name), strict=True))
                for values, ind in spec.rows:
                    if ind is None:
                        mean, spread = spec.everyone
                        cell = "z" if blank else f"{mean + rng.gauss(0, spread):.{decimals}f}"
                    else:
                        cell = cells[(ind, period)][key]
                    rows.append({**geo, **dict(zip(spec.filters, values, strict=False)), spec.measure: cell})
        out[spec.name] = pd.DataFrame(rows, columns=[*GEOGRAPHY, *spec.filters, spec.measure], dtype=str)
    return out


def write_demo_data(out_dir: str | Path, seed: int = 2026, outcomes: str = "ees") -> list[Path]:
    """Write the demo performance files into ``out_dir``; return the paths a review lists.

    ``sen2_synthetic.csv`` always; the outcome measures in the EES layout (``outcomes="ees"``:
    ``ks2_synthetic.csv``, ``ks4_synthetic.csv``, ``pupil_absence_synthetic.csv``,
    ``exclusions_synthetic.csv``), as the local long-format ``local_outcomes.csv``
    (``"long"``), or both (``"both"``, EES files first: the first file providing an indicator wins).
    """
    if outcomes not in ("ees", "long", "both"):
        raise ValueError(f"outcomes must be ees, long or both, not {outcomes!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    authorities = fictional_authorities(seed)
    paths = [out / "sen2_synthetic.csv"]
    generate_sen2(authorities, seed=seed).to_csv(paths[0], index=False, lineterminator="\n")
    if outcomes in ("ees", "both"):
        for name, frame in generate_outcome_files(authorities, seed=seed).items():
            paths.append(out / name)
            frame.to_csv(paths[-1], index=False, lineterminator="\n")
    if outcomes in ("long", "both"):
        paths.append(out / "local_outcomes.csv")
        generate_local_outcomes(authorities, seed=seed).to_csv(paths[-1], index=False, lineterminator="\n")
    return paths


def demo_neighbours(seed: int = 2026, count: int = 7) -> dict[str, list[FictionalAuthority]]:
    """The statistical neighbours of each demo authority (by name), for review parameters."""
    authorities = fictional_authorities(seed)
    return {a.name: statistical_neighbours(a, authorities, count) for a in DEMO_AUTHORITIES}


__all__ = ["DEMO_AUTHORITIES", "OUTCOME_FILES", "FictionalAuthority", "demo_neighbours", "fictional_authorities",
           "generate_local_outcomes", "generate_outcome_files", "generate_sen2", "outcome_values",
           "statistical_neighbours", "write_demo_data"]
