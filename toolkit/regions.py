"""The nine English regions: one canonical spelling each, and the article English puts before it.

A review's ``region.name`` and ``programme.region_label``, and the region names DfE files carry
("Yorkshire and The Humber"), all resolve to one :class:`EnglishRegion` from
``toolkit/catalogue/regions.yaml``, so a letter writes one spelling throughout: "the North West"
in a sentence, "North West" before a noun ("the fourteenth North West SEND Peer Review
activity"), "London" and "Yorkshire and the Humber" with no article of their own.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REGIONS_PATH = Path(__file__).parent / "catalogue" / "regions.yaml"


@dataclass(frozen=True)
class EnglishRegion:
    name: str  # the canonical spelling ("North West", "Yorkshire and the Humber")
    article: str  # "the", or "" when English puts none before the name
    code: str  # the ONS region code (E12000002)

    @property
    def in_sentence(self) -> str:
        """The name as a sentence uses it: "the North West", "London"."""
        return f"{self.article} {self.name}" if self.article else self.name


_SPACES = re.compile(r"[\s\-_]+")


def match_key(name: str) -> str:
    """A region's name as it is matched: lower case, "&" as "and", no hyphens, no leading "the",
    no trailing "region" or "England" (but "East of England" keeps its own)."""
    text = _SPACES.sub(" ", name.replace("&", " and ")).strip().casefold()
    changed = True
    while changed:
        before = text
        text = text.removeprefix("the ").removesuffix(" region").strip()
        if text.endswith(" england") and not text.endswith(" of england"):
            text = text.removesuffix(" england").strip()
        changed = text != before
    return text


@functools.cache
def _table() -> tuple[tuple[EnglishRegion, ...], dict[str, EnglishRegion]]:
    data: Any = yaml.safe_load(REGIONS_PATH.read_text(encoding="utf-8"))
    regions = tuple(EnglishRegion(str(r["name"]), str(r.get("article") or ""), str(r["code"]))
                    for r in data["regions"])
    keys: dict[str, EnglishRegion] = {}
    for raw, region in zip(data["regions"], regions, strict=True):
        for spelling in [region.name, *raw.get("variants", [])]:
            keys[match_key(str(spelling))] = region
    return regions, keys


def english_regions() -> tuple[EnglishRegion, ...]:
    """The nine regions, in the ONS order (North East first)."""
    return _table()[0]


def find_region(name: str | None) -> EnglishRegion | None:
    """The region a spelling names (any accepted variant), else None."""
    if not name:
        return None
    return _table()[1].get(match_key(name))


def region_by_code(code: str | None) -> EnglishRegion | None:
    return next((r for r in english_regions() if code and r.code == code.strip().upper()), None)


def canonical_region(name: str) -> str:
    """The canonical spelling of a region's name; a name that is not an English region (a
    Welsh area in a file, say) is returned as given."""
    region = find_region(name)
    return region.name if region is not None else name


def region_in_sentence(name: str) -> str:
    """A region's name as a sentence writes it, with its article: "the North West", "London"."""
    region = find_region(name)
    return region.in_sentence if region is not None else name
