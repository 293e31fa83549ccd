"""The document's glossary: the acronyms its text uses, and spelling out their first use.

The acronyms are found in the rendered sections' text (tags and charts left out), so the
glossary lists exactly what a reader meets. What each stands for comes from the shipped
glossary (``toolkit/catalogue/glossary.yaml``) with the review's own ``glossary:`` entries over it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from markupsafe import escape

from toolkit.inputs.glossary import _WORD, acronym_of, acronyms_in, merged_glossary
from toolkit.review import Review

_TAG = re.compile(r"(<[^>]*>)")
_SKIP = ("svg", "style", "script", "title")


class _Part(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def html(self) -> str: ...


F = TypeVar("F", bound=_Part)


@dataclass(frozen=True)
class GlossaryEntry:
    acronym: str
    expansion: str


def glossary_for(review: Review) -> dict[str, str]:
    return merged_glossary(review.params.glossary)


def text_of(fragment_html: str) -> str:
    """The text a reader sees in an HTML fragment: no tags, no chart, entities decoded."""
    out: list[str] = []
    for chunk, skipping in _chunks(fragment_html):
        if not chunk.startswith("<") and not skipping:
            out.append(chunk)
    return html.unescape(" ".join(out))


def _chunks(fragment_html: str) -> Iterable[tuple[str, bool]]:
    """The fragment in tags and text, each with whether it sits inside a chart, style or title."""
    depth = 0
    for chunk in _TAG.split(fragment_html):
        if chunk.startswith("<"):
            closing = chunk.startswith("</")
            name = re.split(r"[\s/>]", chunk[2:] if closing else chunk[1:], maxsplit=1)[0].lower()
            if name in _SKIP and closing:
                depth = max(0, depth - 1)
            elif name in _SKIP and not chunk.endswith("/>"):
                depth += 1
        yield chunk, depth > 0


def acronyms_used(review: Review, htmls: Sequence[str]) -> list[GlossaryEntry]:
    """The defined acronyms the text uses, in alphabetical order (undefined ones are warnings)."""
    glossary = glossary_for(review)
    used = acronyms_in((text_of(h) for h in htmls), glossary)
    return [GlossaryEntry(a, glossary[a]) for a in sorted(used, key=str.casefold) if a in glossary]


def undefined_acronyms(review: Review, htmls: Sequence[str]) -> list[str]:
    glossary = glossary_for(review)
    return [a for a in acronyms_in((text_of(h) for h in htmls), glossary) if a not in glossary]


def spell_out_first_use(parts: list[F], glossary: Mapping[str, str]) -> list[F]:
    """Each defined acronym's first use in the text written out: "Designated Clinical Officer (DCO)"."""
    seen: set[str] = set()

    def spell(match: re.Match[str]) -> str:
        word = match.group()
        acronym = acronym_of(word, glossary)
        if acronym is None or acronym not in glossary or acronym in seen:
            return word
        seen.add(acronym)
        plural = "s" if word != acronym else ""  # EHCPs: Education, Health and Care Plans (EHCPs)
        return f"{escape(glossary[acronym])}{plural} ({word})"

    out: list[F] = []
    for part in parts:
        if part.name == "glossary":
            out.append(part)
            continue
        chunks = [c if c.startswith("<") or skip else _WORD.sub(spell, c) for c, skip in _chunks(part.html)]
        out.append(type(part)(part.name, "".join(chunks)))  # type: ignore[call-arg]
    return out
