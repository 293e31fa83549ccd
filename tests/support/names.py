"""Names a round's inputs hold, collected from the raw YAML independently of the toolkit's
anonymiser: what the anonymisation tests search the outputs for."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from toolkit.analysis.area_names import shipped_ordinary_words

from .paths import DEMO_PARAMS as DEMO_PARAMS
from .paths import ROOT as ROOT

KINDS = {"council", "county", "city", "borough", "metropolitan"}  # what kind of body, not its name


def strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def independent_names(params_file: Path) -> set[str]:
    """Every authority, person and place name a parameters file holds, read from the raw YAML
    (not through the toolkit's model): the test's own list."""
    data = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    names = {data["authority"]["name"]}
    people = [m["name"] for m in data["team"]] + [data["recipient"]["name"], data["coordinator"]["name"]]
    for person in people:
        words = [w for w in person.split() if w.rstrip(".") not in {"Dr", "Mr", "Mrs", "Ms"}]
        names.update([" ".join(words), words[-1]])
    orgs = [m["organisation"] for m in data["team"]] + [data["coordinator"]["organisation"]]
    orgs += [data["recipient"].get("organisation") or ""] + list(data.get("settings_visited", []))
    for org in orgs:  # the place word of each organisation: the capitalised words before its kind
        for word in re.findall(r"\b[A-Z][a-z]+\b", org):
            if word.lower() not in shipped_ordinary_words() | KINDS and word not in data["region"]["name"]:
                names.add(word)
    return {n for n in names if n}
