"""Fictional reviews for batch runs, benchmarks and scale tests: ``peer-review demo``.

:func:`generate` writes a project folder (``params/<review>.yaml`` and ``data/<review>/``) with N
made-up reviews: 3 to 5 reviewers, 100 to 250 raw findings split across one file per reviewer,
KLOEs from the shipped frameworks (the area SEND framework of June 2025 and the common local themes),
each scope item linked to the KLOE that answers it. Every authority, person and organisation is invented. Most
findings under a KLOE say one of a few things about it, each written several ways
(``toolkit/demo/phrases.yaml``), so a round of generated reviews has recurring findings for the
themes report to group; the rest are composed from the generic phrase banks below. Everything comes
from one seed, and each review from its own stream of it, so the same seed always gives the same bytes.

Audit files (10 to 30 plans) and DfE-layout performance files come from the colleagues'
generators, :mod:`toolkit.demo.auditsynth` and :mod:`toolkit.demo.synthdata`, when they are installed;
without them the reviews simply have no audit or performance inputs.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import random
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from toolkit.inputs.findings import Kind
from toolkit.inputs.frameworks import load_framework
from toolkit.inputs.privacy import screen_text

FRAMEWORKS = ("send-2025", "local-themes")  # the area SEND framework current in 2026, and common local themes
PHRASES_FILE = Path(__file__).with_name("phrases.yaml")
PERFORMANCE_DIR = "data/performance"

_PLACE_START = ("Ash", "Brack", "Cold", "Dun", "Elder", "Fern", "Glen", "Hollin", "Ivy", "Kettle", "Lark",
                "Marsh", "North", "Oak", "Pen", "Quarry", "Rook", "Sedge", "Thorn", "Upper", "Wold", "Yew")
_PLACE_END = ("ford", "mere", "dale", "wick", "bury", "holt", "stead", "ton", "by", "combe", "ham", "moor",
              "field", "ley", "bridge", "haven")
_GIVEN = ("Aisha", "Bernard", "Carys", "Declan", "Esme", "Farid", "Gwen", "Hamish", "Imogen", "Jasper",
          "Kavita", "Lewis", "Maeve", "Nikhil", "Orla", "Pedro", "Rhian", "Stellan", "Tamsin", "Umar",
          "Vera", "Wilf", "Yasmin", "Zoltan")
_FAMILY = ("Abbott", "Baptiste", "Chowdhury", "Dalgleish", "Ekwueme", "Fenn", "Galloway", "Haddad",
           "Iredale", "Jowett", "Kowalczyk", "Lindqvist", "Mbeki", "Nuttall", "Oyelaran", "Pennock",
           "Quayle", "Rushworth", "Sandhu", "Trevelyan", "Underhill", "Varga", "Whitlock", "Yeung")
_ROLES = ("Assistant Director for SEND", "Head of Inclusion", "Designated Clinical Officer",
          "Parent carer forum co-chair", "Principal Educational Psychologist", "Head of Children's Social Care",
          "SEND Commissioning Manager", "Headteacher of a special school")
_LEAD_ROLES = ("Director of Children's Services", "Director of Education", "Assistant Director for Inclusion")
_ORG_KIND = ("Council", "Integrated Care Board", "Parent Carer Forum", "Council", "Borough Council")
_ACTIVITIES = ("interviews and focus groups", "visits to schools and colleges", "a review of a sample of EHC plans",
               "observation of the EHC panel", "meetings with the parent carer forum",
               "a desk review of strategy documents")
_GROUPS = ("officers from education, health and care", "headteachers and SENCOs", "parent carers",
           "young people", "health providers", "social workers", "elected members", "early years practitioners")
_SUBJECTS = ("Leaders across the partnership", "The SEND casework team", "Health partners", "School leaders",
             "The parent carer forum", "Commissioners", "Early years settings", "Social care teams",
             "The local offer team", "Special school headteachers", "The EHC panel", "Further education colleges")
_STRENGTH_VERBS = ("share a clear and ambitious plan for", "work closely together on", "have strengthened",
                   "take quick and practical action on", "use good information to steer", "listen to families about",
                   "have built trusted relationships around", "show real commitment to improving")
_AREA_VERBS = ("do not yet have a shared view of", "find it hard to sustain progress on",
               "could make better use of data about", "have not yet agreed priorities for",
               "rarely check the impact of their work on", "describe inconsistent practice in")
_URGENT_VERBS = ("must act now to reduce delays in", "need an immediate plan to address weaknesses in")
_TOPICS = ("the timeliness of EHC plans", "early identification of need", "transitions between phases",
           "preparation for adulthood", "therapy provision", "short breaks", "joint commissioning",
           "inclusion in mainstream schools", "communication with families", "workforce training",
           "annual reviews", "the quality of advice from partners", "attendance and exclusions")
_DETAILS = ("Several groups gave the team the same account, and the documents supported it.",
            "Families described both good and poor experiences, which suggests practice varies by team.",
            "The area's own data shows the trend, although it is not yet reported to the partnership board.",
            "Practitioners were positive but could not always say how the change had been measured.",
            "The team saw examples in case files, with clear records of what had been agreed.",
            "This was raised in more than one focus group and in the documents sent before the visit.",
            "Partners agreed on the issue but had different views of whose role it is to resolve it.",
            "Recent changes are promising; it is too early to see their effect on outcomes.")
_EVIDENCE = ("documents", "interview", "focus group", "observation", "case file", "data", "visit")
#: What an area asks the team to look at, each with the KLOE whose section answers it (named under
#: the scope item, so every item has its section).
_REQUESTS = (("How well the area identifies needs early", "2025-identify"),
             ("The quality and timeliness of EHC plans", "2025-identify"),
             ("How well partners commission services together", "lt-joint-commissioning"),
             ("How well young people are prepared for adulthood", "2025-next-steps"),
             ("Whether families feel listened to and involved", "2025-views"),
             ("The accuracy of the area's self-evaluation", "2025-leadership"),
             ("How well the area oversees the alternative provision its children attend", "2025-alternative-provision"),
             ("How ready the area is for the reforms proposed in 2026", "2025-reform-readiness"))


@dataclass(frozen=True)
class DemoReview:
    review_id: str
    params: Path
    findings: int
    reviewers: int
    audit_plans: int = 0


@dataclass
class DemoProject:
    root: Path
    reviews: list[DemoReview] = field(default_factory=list)
    performance: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> list[str]:
        n = sum(r.findings for r in self.reviews)
        out = [f"{len(self.reviews)} reviews in {self.root} ({n} raw findings)"]
        out += [f"  {r.params.relative_to(self.root)}: {r.reviewers} reviewers, {r.findings} findings, "
                f"{r.audit_plans} audited plans" for r in self.reviews]
        return out + self.notes


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _kloes() -> list[str]:
    return [k.id for fw in FRAMEWORKS for k in load_framework(fw).kloes]


def _person(rng: random.Random, used: set[str]) -> str:
    """A made-up name whose family name nobody else in ``used`` has (it names their findings file)."""
    while True:
        given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
        if family not in used:
            used.add(family)
            return f"{given} {family}"


def _place(rng: random.Random) -> str:
    return rng.choice(_PLACE_START) + rng.choice(_PLACE_END)


def _organisation(rng: random.Random) -> str:
    """An invented organisation that the personal-data screen does not take for a person's name
    (an invented place can be a first name: "Ashton Borough Council" reads as "Ashton Borough")."""
    while True:
        organisation = f"{_place(rng)} {rng.choice(_ORG_KIND)}"
        if not screen_text(organisation):
            return organisation


@cache
def phrases() -> dict[str, dict[str, list[list[str]]]]:
    """KLOE id: {"strength" | "area": ideas, each a list of ways of saying it} (phrases.yaml)."""
    data: dict[str, dict[str, list[list[str]]]] = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    return data


def _statement(rng: random.Random, kind: Kind, kloe: str) -> str:
    """One of the KLOE's ideas in one of its wordings; a generic composed sentence for a KLOE
    phrases.yaml has no ideas for."""
    pool = phrases().get(kloe, {}).get("strength" if kind is Kind.STRENGTH else "area")
    if pool:
        return rng.choice(rng.choice(pool))
    verbs = {Kind.STRENGTH: _STRENGTH_VERBS, Kind.AREA: _AREA_VERBS, Kind.URGENT: _URGENT_VERBS}[kind]
    return f"{rng.choice(_SUBJECTS)} {rng.choice(verbs)} {rng.choice(_TOPICS)}."


def _finding_row(rng: random.Random, kloes: list[str], reviewer: str, fid: str) -> dict[str, str]:
    roll = rng.random()
    kind = Kind.URGENT if roll < 0.03 else Kind.STRENGTH if roll < 0.52 else Kind.AREA
    headline = kind is not Kind.URGENT and rng.random() < 0.05
    about = rng.choice(kloes)  # a headline speaks of one of the review's KLOEs, under none
    kloe = "" if headline else about
    statement = _statement(rng, kind, about)
    evidence = ";".join(rng.sample(_EVIDENCE, rng.randint(1, 3)))
    return {
        "id": fid, "kloe": kloe, "kind": kind.value,
        "headline": "yes" if headline else "no", "statement": statement,
        "detail": rng.choice(_DETAILS) if rng.random() < 0.8 else "", "evidence": evidence, "reviewer": reviewer,
        "include": "no" if rng.random() < 0.15 else "yes",
        "order": str(rng.randint(1, 20)) if rng.random() < 0.1 else "",
    }


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")


def _authority(rng: random.Random, pool: list[Any], taken: set[str]) -> tuple[str, str, str, str, str | None]:
    """(name, ONS code, region name, region code, old LA code): from synthdata's authorities if any.

    Once every authority has a review, they are used again (a second round of reviews): the
    review ids stay distinct, and every review's authority is in the performance files.
    """
    free = [a for a in pool if a.name not in taken] or list(pool)
    if free:
        a = rng.choice(free)
        return a.name, a.code, a.region_name, a.region_code, a.old_code
    while True:
        name = _place(rng)
        if name not in taken and not screen_text(name):  # "Ashley" is a place and a given name
            return name, f"E06{rng.randint(9500, 9999):06d}", "East Midlands", "E12000004", None


def _audit(review_id: str, auditors: list[str], rng: random.Random, out: Path,
           audit_mod: Any) -> tuple[str | None, int]:
    if audit_mod is None:
        return None, 0
    plans = rng.randint(10, 30)
    profile = audit_mod.AreaProfile(prefix=review_id[:3].upper(), n_plans=plans, n_double=rng.randint(2, 4),
                                    auditors=tuple(auditors[:3]), base_rate=round(rng.uniform(0.55, 0.85), 2))
    rel = f"data/{review_id}/audit.csv"
    audit_mod.write_audit_file(audit_mod.synthesise_audit(profile, seed=rng.randint(0, 10**6)), out / rel)
    return rel, plans


def _review(i: int, seed: int, out: Path, kloe_pool: list[str], authorities: list[Any], taken: set[str],
            performance: list[str], neighbours: dict[str, list[str]], audit_mod: Any) -> DemoReview:
    rng = random.Random(f"peer-review-demo:{seed}:{i}")
    name, code, region, region_code, la_code = _authority(rng, authorities, taken)
    taken.add(name)
    review_id = f"{name.lower()}-{i + 1:03d}"
    people: set[str] = set()
    size = rng.randint(3, 5)
    team: list[dict[str, Any]] = [{"name": _person(rng, people), "role": rng.choice(_ROLES if k else _LEAD_ROLES),
             "organisation": _organisation(rng), "lead": k == 0} for k in range(size)]
    start = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 300))
    start += dt.timedelta(days=(7 - start.weekday()) % 7)  # a Monday
    days = [start + dt.timedelta(days=d) for d in range(rng.choice((2, 3)))]
    present = days[-1] + dt.timedelta(days=1)
    requests = rng.sample(_REQUESTS, rng.randint(2, 4))
    kloes = list(dict.fromkeys(k for _, k in requests))
    kloes += rng.sample([k for k in kloe_pool if k not in kloes], max(0, rng.randint(3, 6) - len(kloes)))
    total = rng.randint(100, 250)
    cuts = sorted(rng.sample(range(1, total), size - 1))
    counts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    findings_files = []
    for k, (member, count) in enumerate(zip(team, counts, strict=True), start=1):
        family = member["name"].split()[-1].lower()
        rel = f"data/{review_id}/findings_{family}.csv"
        rows = [_finding_row(rng, kloes, member["name"], f"r{k}-{n + 1:03d}") for n in range(count)]
        _write_csv(out / rel, rows)
        findings_files.append(rel)
    audit_file, plans = _audit(review_id, [m["name"] for m in team], rng, out, audit_mod)
    director = _person(rng, people)
    params: dict[str, Any] = {
        "review_id": review_id,
        "authority": {"name": name, "ons_code": code, **({"la_code": la_code} if la_code else {})},
        "region": {"name": region, "code": region_code},
        "programme": {"name": "SEND Peer Review", "region_label": f"{region} Region", "sequence": rng.randint(5, 40),
                      "theme": "SEND", "theme_sequence": rng.randint(1, 9)},
        "visit": {"dates": days, "presentation_date": present},
        "letter_date": present + dt.timedelta(days=rng.randint(7, 21)),
        "recipient": {"name": director, "role": "Director of Children's Services",
                      "organisation": f"{name} Council", "salutation": f"Dear {director.split()[0]}"},
        "team": team,
        "coordinator": {"name": _person(rng, people), "organisation": f"{region} Improvement Partnership"},
        "scope": {"requested": [{"text": text, "kloes": [k]} for text, k in requests], "frameworks": list(FRAMEWORKS),
                  "kloes": kloes, "custom_kloes": []},
        "people_met": rng.randint(40, 130),
        "activities": rng.sample(_ACTIVITIES, rng.randint(2, 4)),
        "groups_met": rng.sample(_GROUPS, rng.randint(3, 6)),
        "inputs": {"findings": findings_files, "checklist": [], "audit": audit_file,
                   "performance": list(performance), "sef": None},
        "performance": {"neighbours": neighbours.get(name, []), "period": None, "indicators": None},
        "letter_style": "standard",
        "outputs": ["html"],
    }
    path = out / "params" / f"{review_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"# Fictional review generated by `peer-review demo` (seed {seed}, review {i + 1}).\n"
    text += yaml.safe_dump(params, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8", newline="")
    return DemoReview(review_id, path, total, size, plans)


def generate(out: str | Path, reviews: int, seed: int = 0, *, audit: bool = True,
             performance: bool = True) -> DemoProject:
    """Write ``reviews`` fictional reviews into the project folder ``out`` (repeatable by ``seed``)."""
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    project = DemoProject(root)
    synth = _optional("toolkit.demo.synthdata") if performance else None
    audit_mod = _optional("toolkit.demo.auditsynth") if audit else None
    authorities: list[Any] = []
    perf_files: list[str] = []
    neighbours: dict[str, list[str]] = {}
    if synth is not None:
        authorities = list(synth.fictional_authorities(seed))
        project.performance = list(synth.write_demo_data(root / PERFORMANCE_DIR, seed))
        perf_files = [p.relative_to(root).as_posix() for p in project.performance]
        for a in authorities:
            neighbours[a.name] = [n.code for n in synth.statistical_neighbours(a, authorities)]
    elif performance:
        project.notes.append("toolkit.demo.synthdata is not available: the reviews have no performance files")
    if audit and audit_mod is None:
        project.notes.append("toolkit.demo.auditsynth is not available: the reviews have no audit files")
    kloe_pool = _kloes()
    taken: set[str] = set()
    for i in range(reviews):
        project.reviews.append(_review(i, seed, root, kloe_pool, authorities, taken, perf_files, neighbours,
                                       audit_mod))
    return project
