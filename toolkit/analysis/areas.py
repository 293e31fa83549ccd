"""Which local authority a review is about: found by name or code, across code changes.

An :class:`Area` gathers every code (and name) an authority has been published under, so its
trend spans a change of ONS code; :func:`find_authority` finds it in the files read, and in any
area lookup among them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from toolkit.analysis.indicators import IndicatorData
from toolkit.errors import InputError
from toolkit.inputs.observations import MISSING_CODES, Observation
from toolkit.inputs.performance import AreaEntry, AreaLookup
from toolkit.inputs.privacy import quote
from toolkit.wording import canonical_region

_ONS = re.compile(r"^[EWSN]\d{8}$", re.IGNORECASE)
_OLD = re.compile(r"^\d{3}$")


@dataclass(frozen=True)
class Area:
    """A local authority, with every code (and name) it has been published under."""
    name: str
    code: str
    old_code: str
    region_code: str
    region_name: str
    codes: frozenset[str] = frozenset()
    old_codes: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()  # normalised names, for rows that carry no code at all

    def matches(self, obs: Observation) -> bool:
        """Whether ``obs`` is a local authority row for this area: by its ONS or old LA code, or
        by name when the row has neither code."""
        if not obs.is_local_authority:
            return False
        if real_code(obs.code) or real_code(obs.old_code):
            return obs.code in self.codes or obs.old_code in self.old_codes
        return norm_name(obs.name) in (self.names or {norm_name(self.name)})


def norm_name(name: str) -> str:
    """A name for matching: ``&`` as ``and``, runs of spaces as one, case ignored."""
    return re.sub(r"\s+", " ", name.replace("&", "and")).strip().casefold()


def real_code(code: str) -> bool:
    """Whether ``code`` is a code, not empty or a missing-value code such as ``x``."""
    return bool(code) and code.casefold() not in MISSING_CODES


def _hits(query: str, code: str, old_code: str, name: str) -> bool:
    if _ONS.match(query):
        return code.upper() == query.upper()
    if _OLD.match(query):
        return old_code == query
    return norm_name(name) == norm_name(query)


def _entry_hits(query: str, entry: AreaEntry) -> bool:
    return (any(_hits(query, c, "", "") for c in entry.codes) or any(_hits(query, "", c, "") for c in entry.old_codes)
            or _hits(query, "", "", entry.name))


def find_authority(query: str, data: Sequence[IndicatorData],
                   lookups: Sequence[AreaLookup] = ()) -> Area:
    """The local authority named by ``query``: its name, ONS code or old three-digit LA code.

    Codes an authority was published under in other periods (the same old LA code with a new ONS
    code, or single-authority lookup rows sharing a code) are gathered so its trend spans the
    change. A joint lookup row ("E09000021 / E09000027") names two authorities: its codes are
    never merged into one identity.
    """
    query = query.strip()
    rows = [o for d in data for o in d.observations if o.is_local_authority]
    found = [o for o in rows if _hits(query, o.code, o.old_code, o.name)]
    singles = [e for lk in lookups for e in lk.entries if e.is_area and not e.joint]
    entries = [e for e in singles if _entry_hits(query, e)]
    if not found and not entries:
        files = ", ".join(sorted({d.source for d in data} | {lk.display for lk in lookups})) or "performance data"
        joint = next(((lk, e) for lk in lookups for e in lk.entries if e.joint and _entry_hits(query, e)), None)
        if joint is not None:
            lk, e = joint
            raise InputError(lk.display, f"{quote(query)} is only in a joint row naming several authorities "
                             f"({e.name}); give one authority's own code or name", row=e.row)
        raise InputError(files, f"no local authority matches {quote(query)} "
                         "(give its name, ONS code such as E08000034, or three-digit LA code)")
    codes = {o.code for o in found if real_code(o.code)} | {c for e in entries for c in e.codes}
    old = {o.old_code for o in found if real_code(o.old_code)} | {c for e in entries for c in e.old_codes}
    for entry in singles:
        if codes & set(entry.codes) or old & set(entry.old_codes):
            codes |= set(entry.codes)
            old |= set(entry.old_codes)
    related = [o for o in rows
               if (real_code(o.code) and o.code in codes) or (real_code(o.old_code) and o.old_code in old)]
    codes |= {o.code for o in related if real_code(o.code)}
    names = frozenset(norm_name(o.name) for o in [*found, *related] if o.name) | {norm_name(e.name) for e in entries}
    if found or related:
        latest = max(found or related, key=lambda o: o.period)
        region = next((o for o in sorted(related, key=lambda o: o.period, reverse=True) if o.region_code), latest)
        return Area(latest.name, latest.code, latest.old_code, region.region_code, canonical_region(region.region_name),
                    frozenset(codes), frozenset(old), names)
    entry = entries[-1]
    return Area(entry.name, entry.codes[0] if entry.codes else "", entry.old_codes[0] if entry.old_codes else "",
                entry.region_code, canonical_region(entry.region_name), frozenset(codes), frozenset(old), names)
