"""Seeded synthetic EHCP audit files for the demo reviews and for tests.

Nothing here describes a real child: case references are made up (``KES-0142``), the notes come
from a small bank of generic audit remarks, and each area has its own profile so that the demo
letters differ (Kestrelmoor's social care needs rarely reach outcomes; Harrowdene's plans are good
but late and thin on preparing for adulthood; Brindleford's outcomes and provision are vague).
``python -m toolkit.demo.auditsynth`` rewrites the committed demo files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from toolkit.inputs.audit_framework import AuditFramework, load_audit_framework
from toolkit.inputs.xlsx import append_text_row

_PHASE_YEARS: dict[str, list[str | int]] = {
    "early years": ["N", "R"], "KS1": [1, 2], "KS2": [3, 4, 5, 6], "KS3": [7, 8, 9],
    "KS4": [10, 11], "KS5": [12, 13], "post-16": [12, 13, 14], "post-19": [14]}
_PHASE_SETTINGS = {
    "early years": ["early years", "mainstream"],
    "KS1": ["mainstream", "mainstream", "special", "resourced provision"],
    "KS2": ["mainstream", "mainstream", "special", "resourced provision"],
    "KS3": ["mainstream", "special", "resourced provision", "independent", "alternative provision"],
    "KS4": ["mainstream", "special", "independent", "alternative provision", "home or EOTAS"],
    "KS5": ["special", "mainstream", "FE college"],
    "post-16": ["FE college", "FE college", "special", "none or NEET"],
    "post-19": ["FE college", "independent", "none or NEET"],
}
_NOTES = {
    "strong": [
        "Child's voice comes through clearly, with their own words about school and home.",
        "Outcomes are measurable and the steps towards them are dated by term.",
        "Provision in F is quantified with hours, group sizes and staff expertise.",
        "Health advice is summarised well and carried through to provision.",
        "Aspirations for college and work run through the whole plan.",
        "A well-organised plan that a family could follow easily.",
    ],
    "weak": [
        "Outcomes describe services rather than what the young person will achieve.",
        "Provision relies on phrases such as 'access to' and 'regular'.",
        "Social care involvement mentioned in D but nothing in H2 or the outcomes.",
        "Views section copied from the previous plan; no fresh contribution.",
        "Advice list incomplete and undated.",
        "Section J left blank.",
        "No preparing-for-adulthood outcomes despite the young person's age.",
    ],
    "neutral": [
        "Plan is clear in most sections; some outcomes lack a timescale.",
        "Draft and final plan both on file; amendments tracked.",
        "Therapy provision described but frequency not stated.",
        "",
    ],
}


@dataclass(frozen=True)
class AreaProfile:
    """How an area's plans tend to look: base chance a criterion is met, and its exceptions."""
    prefix: str
    n_plans: int
    n_double: int
    auditors: tuple[str, ...]
    base_rate: float = 0.72
    section_rates: Mapping[str, float] = field(default_factory=dict)
    criterion_rates: Mapping[str, float] = field(default_factory=dict)
    stage_weights: Mapping[str, float] = field(default_factory=lambda: {
        "new": 0.45, "annual review": 0.45, "transfer": 0.10})
    late_share: float = 0.2
    social_care_share: float = 0.5
    health_share: float = 0.7
    flip_rate: float = 0.12
    agreed_rows: int = 0
    direct_sections: tuple[str, ...] = ()
    value_words: tuple[str, str, str] = ("met", "not met", "n/a")
    criterion_notes: tuple[str, ...] = ()


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _plan_row(rng: random.Random, fw: AuditFramework, p: AreaProfile, ref: str) -> dict[str, str]:
    phase = _pick(rng, {"early years": 1, "KS1": 2, "KS2": 4, "KS3": 4, "KS4": 4, "KS5": 2,
                        "post-16": 2, "post-19": 1})
    stage = _pick(rng, p.stage_weights)
    year = rng.choice(_PHASE_YEARS[phase])
    need = _pick(rng, {"ASD": 5, "SEMH": 3, "SLCN": 3, "MLD": 2, "SLD": 1, "PMLD": 0.5, "SpLD": 1,
                       "PD": 0.7, "HI": 0.4, "VI": 0.3, "MSI": 0.1, "OTH": 0.3})
    social = rng.random() < p.social_care_share
    health = rng.random() < p.health_share or need in ("PMLD", "PD", "MSI")
    quality = rng.gauss(0, 0.12)
    yes, no, na = p.value_words
    row = {
        "case_ref": ref, "auditor": "", "phase": phase, "plan_stage": stage,
        "year_group": "" if rng.random() < 0.1 else str(year), "primary_need": need,
        "setting_type": rng.choice(_PHASE_SETTINGS[phase]), "weeks_to_issue": "",
    }
    if stage == "new":
        late = rng.random() < p.late_share
        row["weeks_to_issue"] = str(rng.randint(21, 34) if late else rng.randint(12, 20))
    year_num = {"N": -1, "R": 0}.get(str(year), year)
    for c in fw.criteria:
        rule = c.applies
        skip = (rule.plan_stages is not None and stage not in rule.plan_stages) or (
            rule.min_year_group is not None and int(year_num) < rule.min_year_group)
        skip = skip or (not social and c.id in ("d2", "e4", "h1", "h2"))
        skip = skip or (not health and c.id in ("c2", "e5", "g1"))
        if skip or c.id == fw.grading.timeliness_criterion:
            row[c.id] = na if rng.random() < 0.5 else ""
            continue
        rate = p.criterion_rates.get(c.id, p.section_rates.get(c.section, p.base_rate))
        row[c.id] = yes if rng.random() < min(0.98, max(0.02, rate + quality)) else no
    for code in p.direct_sections:
        row[f"section:{code}"] = str(rng.choice([2, 3, 3, 4])) if rng.random() < 0.6 else ""
    mood = "strong" if quality > 0.08 else "weak" if quality < -0.08 else "neutral"
    row["notes"] = rng.choice(_NOTES[mood])
    for cid in p.criterion_notes:
        row[f"note:{cid}"] = ("Need recorded earlier in the plan; no matching outcome or provision."
                              if row.get(cid) == no else "")
    return row


def _second_opinion(rng: random.Random, row: dict[str, str], p: AreaProfile,
                    fw: AuditFramework) -> dict[str, str]:
    yes, no, _ = p.value_words
    other = dict(row)
    for c in fw.criteria:
        if other.get(c.id) in (yes, no) and rng.random() < p.flip_rate:
            other[c.id] = no if other[c.id] == yes else yes
    for code in p.direct_sections:
        if other.get(f"section:{code}") and rng.random() < 0.3:
            other[f"section:{code}"] = str(max(1, min(4, int(other[f"section:{code}"]) - 1)))
    other["notes"] = "Second reading for moderation."
    return other


def synthesise_audit(profile: AreaProfile, framework: AuditFramework | None = None,
                     seed: int = 0) -> list[dict[str, str]]:
    """Rows of a plausible audit file for an area (the same seed gives the same rows)."""
    fw = framework or load_audit_framework()
    rng = random.Random(seed)
    refs = sorted(rng.sample(range(100, 9999), profile.n_plans))
    rows: list[dict[str, str]] = []
    doubles = set(rng.sample(range(profile.n_plans), profile.n_double))
    agreed = set(sorted(doubles)[: profile.agreed_rows])
    for i, number in enumerate(refs):
        row = _plan_row(rng, fw, profile, f"{profile.prefix}-{number:04d}")
        first, second = rng.sample(profile.auditors, 2)
        row["auditor"] = first
        rows.append(row)
        if i in doubles:
            other = _second_opinion(rng, row, profile, fw)
            other["auditor"] = second
            rows.append(other)
        if i in agreed:
            settled = dict(row, auditor=profile.auditors[0], moderation="agreed",
                           notes="Agreed at moderation.")
            rows.append(settled)
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    return [{c: r.get(c, "") for c in columns} for r in rows]


def write_audit_file(rows: Sequence[Mapping[str, str]], path: Path) -> Path:
    """Write rows as CSV or XLSX (by suffix), atomically, with repeatable bytes where possible."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(rows[0]) if rows else []
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=path.suffix)
    os.close(fd)
    try:
        if path.suffix.lower() == ".xlsx":
            wb = openpyxl.Workbook()
            ws = wb.active
            ws.title = "audit"
            append_text_row(ws, columns)
            for r in rows:
                append_text_row(ws, [_xlsx_cell(r[c]) for c in columns])
            fixed = dt.datetime(2026, 1, 1)
            wb.properties.created = wb.properties.modified = fixed
            wb.save(tmp)
            _fix_zip_times(Path(tmp))
        else:
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            Path(tmp).write_text(buf.getvalue(), encoding="utf-8")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _fix_zip_times(path: Path) -> None:
    """Give every member of a workbook a fixed timestamp so the bytes repeat."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, payload in members:
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with now
                payload = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", payload)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, payload)


def _xlsx_cell(value: str) -> str | int:
    return int(value) if value.isdigit() and not value.startswith("0") else value


#: The demo reviews' audit files: review id -> (profile, file name, seed).
DEMO_AREAS: dict[str, tuple[AreaProfile, str, int]] = {
    "kestrelmoor-2026": (AreaProfile(
        prefix="KES", n_plans=18, n_double=4, agreed_rows=2,
        auditors=("Priya Raman", "Gareth Holloway", "Joanne Pickering"), base_rate=0.74,
        section_rates={"A": 0.9, "AP": 0.85, "H": 0.35},
        criterion_rates={"e4": 0.25, "h2": 0.3, "d2": 0.55},
        social_care_share=0.6, late_share=0.15, value_words=("y", "n", "na"),
        criterion_notes=("e4",)), "audit.csv", 142),
    "harrowdene-2026": (AreaProfile(
        prefix="HAR", n_plans=22, n_double=5,
        auditors=("Siobhan Kerrigan", "Lorraine Beckworth", "Nadia Farouk"), base_rate=0.82,
        section_rates={"PFA": 0.4, "K": 0.6},
        stage_weights={"new": 0.6, "annual review": 0.3, "transfer": 0.1}, late_share=0.55,
        social_care_share=0.35, direct_sections=("I", "J")), "audit.xlsx", 207),
    "harrowdene-2025": (AreaProfile(
        prefix="HAR", n_plans=12, n_double=3,
        auditors=("Graham Otley", "Dr Imran Qureshi", "Nadia Farouk"), base_rate=0.7,
        section_rates={"PFA": 0.3, "K": 0.5},
        stage_weights={"new": 0.6, "annual review": 0.3, "transfer": 0.1}, late_share=0.45,
        social_care_share=0.3), "audit.csv", 125),
    "brindleford-2026": (AreaProfile(
        prefix="BRF", n_plans=14, n_double=3,
        auditors=("Helen Fairclough", "Owen Pryce", "Colette Daniels"), base_rate=0.7,
        section_rates={"E": 0.6, "F": 0.6, "GT": 0.45, "C": 0.9, "G": 0.85, "A": 0.8},
        criterion_rates={"e1": 0.4, "f1": 0.5, "f3": 0.3},
        late_share=0.05, health_share=0.8, flip_rate=0.15,
        value_words=("met", "not met", "n/a")), "audit.csv", 315),
}


def write_demo_audits(root: Path) -> list[Path]:
    """(Re)write the demo audit files under ``root/data/<review id>/``."""
    fw = load_audit_framework()
    written = []
    for review_id, (profile, name, seed) in DEMO_AREAS.items():
        rows = synthesise_audit(profile, fw, seed)
        written.append(write_audit_file(rows, root / "data" / review_id / name))
    return written


if __name__ == "__main__":  # pragma: no cover - a maintenance entry point
    write_demo_audits(Path(__file__).resolve().parents[2])
