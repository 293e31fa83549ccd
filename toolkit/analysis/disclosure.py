"""What an anonymised themes report holds back: any group or figure that would identify an area.

Three rules (``docs/themes.md``, "Sharing without naming areas"):

- **Small groups**: a group of findings, a count or a summary that spans fewer than
  :data:`~toolkit.analysis.anonymise.MINIMUM_AREAS` reviewed areas is held back (two reviews of
  one authority are one area).
- **Ranks**: a reviewed area's rank among all authorities is never shown: with the published
  figures, a rank names the area.
- **Unique values**: a reviewed area's indicator value that fewer than ``MINIMUM_AREAS``
  authorities in the published figures share is held back, and the charts show every authority
  without marking the reviewed ones (a marked value could be looked up).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from toolkit.analysis.anonymise import MINIMUM_AREAS

T = TypeVar("T")


def areas_spanned(review_ids: Iterable[str], labels: Mapping[str, str]) -> int:
    """How many distinct areas the reviews belong to (a review and its follow-up are one)."""
    return len({labels.get(r, r) for r in review_ids})


def enough_areas(review_ids: Iterable[str], labels: Mapping[str, str], minimum: int = MINIMUM_AREAS) -> bool:
    """The reviews span at least ``minimum`` areas, so a figure over them identifies none."""
    return areas_spanned(review_ids, labels) >= minimum


def shown_groups(groups: Sequence[T], spans: Mapping[int, Iterable[str]], labels: Mapping[str, str],
                 minimum: int = MINIMUM_AREAS) -> tuple[list[T], int]:
    """The groups that span enough areas (``spans``: group index to its review ids), and how many
    were held back."""
    kept = [g for i, g in enumerate(groups) if enough_areas(spans.get(i, ()), labels, minimum)]
    return kept, len(groups) - len(kept)


def _key(value: float, decimals: int) -> float:
    return round(float(value), decimals)


def identifying_values(reviewed: Mapping[str, float], population: Iterable[float], decimals: int = 1,
                       minimum: int = MINIMUM_AREAS) -> set[str]:
    """The reviewed areas whose value (at the published ``decimals``) fewer than ``minimum``
    authorities of ``population`` (every authority's value, the reviewed ones included) share."""
    shared = Counter(_key(v, decimals) for v in population)
    return {area for area, v in reviewed.items() if shared[_key(v, decimals)] < minimum}


def safe_values(reviewed: Mapping[str, float], population: Iterable[float], decimals: int = 1,
                minimum: int = MINIMUM_AREAS) -> dict[str, float]:
    """The reviewed values that identify no area (:func:`identifying_values` left out)."""
    held = identifying_values(reviewed, population, decimals, minimum)
    return {area: v for area, v in reviewed.items() if area not in held}
