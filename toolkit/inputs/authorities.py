"""England's local authorities, read from DfE files the user holds, and the reorganisations since 2019.

The toolkit ships no list of authorities. :func:`read_authorities` reads them from any CSV in DfE's
Explore Education Statistics layout with the geography columns ``new_la_code``, ``old_la_code``
and ``la_name`` (``region_code``, ``region_name`` too where present): a review project's
performance files, or DfE's ``region_la_hierarchy.csv``. Where to look (:func:`dfe_data_files`):
``peer-review new --dfe-data``, else the ``PEER_REVIEW_DFE_DATA`` setting, else the project's
``data/performance/`` and ``data/dfe/`` folders.

``toolkit/catalogue/reorganisations.yaml`` holds the public facts the toolkit needs without any
file: the authorities reorganised away since 2019 and their successors, and the authorities ONS
recoded (:func:`same_authority_codes`, so a neighbour's figures are found under either code).

:func:`find_authority_record` reads an authority from any common spelling of its name, its old LA
code or its ONS code (current or former).
"""

from __future__ import annotations

import csv
import difflib
import functools
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from toolkit.errors import InputError, display_path
from toolkit.inputs.privacy import quote
from toolkit.messages import Messages
from toolkit.wording import join_words

CATALOGUE = Path(__file__).resolve().parents[1] / "catalogue"
FACTS = CATALOGUE / "reorganisations.yaml"
ENV_DFE_DATA = "PEER_REVIEW_DFE_DATA"
DEFAULT_FOLDERS = ("data/performance", "data/dfe")
GEOGRAPHY = ("new_la_code", "old_la_code", "la_name")

_ONS = re.compile(r"^E\d{8}$", re.IGNORECASE)
_OLD = re.compile(r"^\d{3}$")
_PREFIXES = ("london borough of ", "royal borough of ", "metropolitan borough of ", "borough of ", "city of ",
             "county of ", "the ", "county ")
_SUFFIXES = (" metropolitan borough council", " borough council", " county council", " city council",
             " council", " borough", " city", " county")


#: This module's messages (docs/messages.md).
message = Messages("newreview.yaml")


@dataclass(frozen=True)
class AuthorityRecord:
    """One English local authority as the user's DfE files (or the reorganisation facts) give it."""
    la_code: str
    ons_code: str
    name: str
    region_code: str
    region_name: str
    current: bool = True
    successors: tuple[str, ...] = ()  # ONS codes of the authorities that replaced a former one
    former_ons_codes: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.ons_code, *self.former_ons_codes)


@dataclass(frozen=True)
class Authorities:
    """The authorities read, and the files they were read from (named when one is not found)."""
    records: tuple[AuthorityRecord, ...]
    files: tuple[Path, ...] = ()

    def by_la_code(self, code: str) -> AuthorityRecord | None:
        return next((a for a in self.records if a.la_code == code and a.current),
                    next((a for a in self.records if a.la_code == code), None))

    def by_ons_code(self, code: str) -> AuthorityRecord | None:
        """The authority a code is (or was) published under: a current one for a changed code."""
        code = code.upper()
        return next((a for a in self.records if code in a.codes), None)

    def name_of(self, code: str) -> str | None:
        a = self.by_ons_code(code)
        return a.name if a is not None else _facts()["successor_names"].get(code)


def norm_authority(name: str) -> str:
    """A name for matching: case, "&", punctuation, "Saint", and words such as "Council",
    "London Borough of" or "City of" do not matter."""
    text = re.sub(r"[.,'’()]", " ", name.replace("&", " and ").casefold())
    text = " ".join(text.replace("-", " ").split())
    text = re.sub(r"\bsaint\b", "st", text)
    for _ in range(2):
        for p in _PREFIXES:
            text = text.removeprefix(p)
        for s in _SUFFIXES:
            text = text.removesuffix(s)
    return text.removesuffix(" city of").removesuffix(" county of").strip()


def letter_name(name: str) -> str:
    """A name as a letter writes it: DfE's "Bristol, City of" is Bristol, "Herefordshire, County of"
    Herefordshire."""
    return re.sub(r",\s*(city|county) of$", "", name.strip(), flags=re.IGNORECASE)


@functools.cache
def _facts() -> dict[str, Any]:
    data = yaml.safe_load(FACTS.read_text(encoding="utf-8"))
    return {"former": list(data["former"]), "recoded": list(data["recoded"]),
            "successor_names": {str(k): str(v) for k, v in data["successor_names"].items()}}


def _former_codes() -> dict[str, str]:
    """Each code ONS replaced without a change of area, with its new code."""
    return {str(r["old"]): str(r["new"]) for r in _facts()["recoded"]}


@functools.cache
def same_authority_codes(code: str) -> frozenset[str]:
    """Every ONS code the authority with this code was published under (the code alone for one
    recoded never), so a neighbour's rows are found across a change of code."""
    for r in _facts()["recoded"]:
        if code.upper() in (r["old"], r["new"]):
            return frozenset({str(r["old"]), str(r["new"])})
    return frozenset({code})


def dfe_data_files(root: Path, given: Sequence[Path] = ()) -> tuple[Path, ...]:
    """The CSVs to read authorities from: ``given`` (files or folders), else the folders of the
    ``PEER_REVIEW_DFE_DATA`` setting, else the project's ``data/performance`` and ``data/dfe``."""
    places = list(given)
    if not places and os.environ.get(ENV_DFE_DATA, "").strip():
        places = [Path(p) for p in os.environ[ENV_DFE_DATA].split(os.pathsep) if p.strip()]
    if not places:
        places = [root / f for f in DEFAULT_FOLDERS]
    found: list[Path] = []
    for place in places:
        p = place if place.is_absolute() else root / place
        if p.is_dir():
            found.extend(sorted(f for f in p.rglob("*") if f.suffix.casefold() == ".csv" and f.is_file()))
        elif p.is_file():
            found.append(p)
    return tuple(dict.fromkeys(found))


def _rows(path: Path) -> Iterable[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not set(GEOGRAPHY) <= {(h or "").strip() for h in reader.fieldnames or []}:
                return
            for row in reader:
                level = (row.get("geographic_level") or "Local authority").strip()
                if level.casefold() == "local authority":
                    yield {k.strip(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
    except (OSError, UnicodeDecodeError, csv.Error):
        return


def read_authorities(files: Sequence[Path]) -> Authorities:
    """The current authorities ``files`` name (one an old LA code, its newest ONS code current and
    the others former), and the reorganised ones of ``reorganisations.yaml``."""
    former = {str(f["ons_code"]) for f in _facts()["former"]}
    recoded = _former_codes()
    seen: dict[str, dict[str, Any]] = {}
    for path in files:
        for row in _rows(path):
            la, ons, name = row["old_la_code"], row["new_la_code"].upper(), row["la_name"]
            if not (_OLD.match(la) and _ONS.match(ons) and name) or ons in former:
                continue
            name = letter_name(name)
            entry = seen.setdefault(la, {"codes": [], "name": name, "region_code": "", "region_name": ""})
            if ons not in entry["codes"]:
                entry["codes"].append(ons)
            entry["name"] = name if ons not in recoded else entry["name"]
            entry["region_code"] = row.get("region_code") or entry["region_code"]
            entry["region_name"] = row.get("region_name") or entry["region_name"]
    records = []
    for la, e in seen.items():
        codes: list[str] = e["codes"]
        newest = [c for c in codes if c not in recoded] or codes
        current = next((c for c in reversed(newest) if not c.startswith("E10")), newest[-1])
        olds = {c for c in codes if c != current} | {o for o, n in recoded.items() if n == current}
        records.append(AuthorityRecord(la, current, e["name"], e["region_code"], e["region_name"],
                                       former_ons_codes=tuple(sorted(olds))))
    for f in _facts()["former"]:
        records.append(AuthorityRecord(str(f["la_code"]), str(f["ons_code"]), str(f["name"]), "", "",
                                       current=False, successors=tuple(str(s) for s in f["successors"])))
    return Authorities(tuple(records), tuple(files))


def _replaced(a: AuthorityRecord, table: Authorities) -> InputError:
    succ = [(table.name_of(c) or c, c) for c in a.successors]
    if len(succ) == 1:
        return InputError("authority", message("authority_replaced_one", name=a.name, code=a.ons_code,
                                               successor=succ[0][0], successor_code=succ[0][1]))
    return InputError("authority", message("authority_replaced", name=a.name, code=a.ons_code,
                                           successors=join_words([f"{n} ({c})" for n, c in succ])))


def _by_name(query: str, table: Authorities) -> list[AuthorityRecord]:
    key = norm_authority(query)
    if not key:
        return []
    for current in (True, False):
        exact = [a for a in table.records if a.current is current and key == norm_authority(a.name)]
        if exact:
            return exact
    words = re.compile(rf"\b{re.escape(key)}\b")
    return [a for a in table.records if a.current and words.search(norm_authority(a.name))]


def _unknown(q: str, table: Authorities, root: Path | None) -> InputError:
    names = [a.name for a in table.records if a.current]
    close = difflib.get_close_matches(norm_authority(q), [norm_authority(n) for n in names], n=3, cutoff=0.75)
    near = [n for n in names if norm_authority(n) in close]
    hint = message("authority_hint", names=join_words(near, "or")) if near else ""
    searched = ", ".join(display_path(f, root) for f in table.files) or message("authority_no_files")
    return InputError("authority", message("authority_unknown", query=quote(q), hint=hint, searched=searched))


def find_authority_record(query: str, table: Authorities, root: Path | None = None) -> AuthorityRecord:
    """The current authority ``query`` names (any common spelling, old LA code, ONS code); raise
    :class:`InputError` in one line saying what to write, or where to point, for an unknown,
    ambiguous or reorganised one."""
    q = query.strip()
    if _ONS.match(q):
        found = table.by_ons_code(q)
        hits = [found] if found else []
    elif _OLD.match(q):
        found = table.by_la_code(q)
        hits = [found] if found else []
    else:
        hits = _by_name(q, table)
    if len(hits) > 1:
        raise InputError("authority", message("authority_ambiguous", query=quote(q),
                                              names=join_words([f"{a.name} ({a.ons_code})" for a in hits], "or")))
    if not hits:
        raise _unknown(q, table, root)
    if not hits[0].current:
        raise _replaced(hits[0], table)
    return hits[0]
