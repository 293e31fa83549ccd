"""Claims read from the words a team writes: shares, quantifiers, movements, ranks and what they
are about, clause by clause. The grammar is data: ``toolkit/catalogue/claim_grammar.yaml`` (and
the indicators' ``topics`` in ``claims.yaml``); nothing here holds an English word of its own.

A text is split into sentences and each sentence into clauses (``clause_breaks``); a clause
speaks of the indicators whose words it holds (:func:`topics_in`), else of those of the clause
before it in the same sentence. A clause speaking of the future or of a wish (``not_a_claim``)
claims nothing. What a claim is checked against is in :mod:`toolkit.analysis.figure_claims`
(published figures) and :mod:`toolkit.analysis.audit_claims` (the EHC plan audit).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from toolkit.analysis.comparisons import Comparison
from toolkit.inputs.params import parse_yaml

CATALOGUE = Path(__file__).parents[1] / "catalogue"
GRAMMAR_PATH = CATALOGUE / "claim_grammar.yaml"
CLAIMS_PATH = CATALOGUE / "claims.yaml"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_YEAR = re.compile(r"\b((?:19|20)\d\d)(?:/(\d\d))?\b")


@functools.cache
def grammar() -> dict[str, Any]:
    """The claim grammar in ``catalogue/claim_grammar.yaml``."""
    return cast(dict[str, Any], parse_yaml(GRAMMAR_PATH.read_text(encoding="utf-8")))


@functools.cache
def claim_words() -> dict[str, Any]:
    """The claim phrases, topics and contradiction patterns in ``catalogue/claims.yaml``."""
    return cast(dict[str, Any], parse_yaml(CLAIMS_PATH.read_text(encoding="utf-8")))


@functools.cache
def pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``phrases`` as whole words, in any case (the longest first)."""
    alts = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.IGNORECASE)


def has(text: str, phrases: Sequence[Any]) -> bool:
    return bool(phrases) and bool(pattern(tuple(str(p) for p in phrases)).search(text))


def has_all(text: str, groups: Sequence[Any]) -> bool:
    """Whether ``text`` holds a phrase of each group (a flat list is one group)."""
    if not groups:
        return False
    lists = groups if all(isinstance(g, list) for g in groups) else [groups]
    return all(has(text, g) for g in lists)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(" ".join(str(text or "").split())) if s.strip()]


@functools.cache
def _breaks() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{b})" for b in grammar()["clause_breaks"]), re.IGNORECASE)


def clauses(sentence: str) -> list[str]:
    return [c.strip(" ,.") for c in _breaks().split(sentence) if c and c.strip(" ,.")]


def hedged(clause: str) -> bool:
    """Whether a clause speaks of the future, a wish or a target (it claims nothing)."""
    return has(clause, grammar()["not_a_claim"])


def years_in(clause: str) -> list[int]:
    """The years a clause names; an academic year ("2023/24") by the year it ends in."""
    return [int(y[:2] + end) if end else int(y) for y, end in _YEAR.findall(clause)]


# --- what a clause is about ------------------------------------------------------------------

@functools.lru_cache(maxsize=1 << 16)
def _names(clause: str, indicator: str, short_title: str, title: str) -> bool:
    """Whether ``clause`` names the indicator (:func:`topics_in`); kept per clause, since a round
    or a batch reads the same clauses against the same indicators for every review."""
    words = claim_words()["topics"].get(indicator)
    alone = claim_words().get("alone", {}).get(indicator, [])
    return bool(((words and has_all(clause, words)) or has(clause, [short_title, title, *alone]))
                and not has(clause, claim_words().get("excluded_by", {}).get(indicator, [])))


def topics_in(clause: str, candidates: Sequence[Comparison]) -> list[Comparison]:
    """The indicators ``clause`` names: by the words of ``topics`` in claims.yaml, else by the
    indicator's short title or title; an indicator another named one takes precedence over
    (``topic_precedence``) is dropped."""
    found = [c for c in candidates if _names(clause, c.indicator.id, c.indicator.short_title, c.indicator.title)]
    over = claim_words().get("topic_precedence", {})
    dropped = {i for c in found for i in over.get(c.indicator.id, [])}
    return [c for c in found if c.indicator.id not in dropped]


def same_topic(a: Comparison, b: Comparison) -> bool:
    """Whether two indicators are named by the same words (a claim about either is about both)."""
    topics = claim_words()["topics"]
    return a.indicator.id in topics and topics.get(a.indicator.id) == topics.get(b.indicator.id)


def opens_with_anaphor(clause: str, later: bool = False) -> bool:
    """Whether a clause opens with a word pointing back ("It has fallen", "The share has", not
    "The share of reviews"), or, for a later clause of a sentence, with a verb carrying on."""
    words = [*grammar()["anaphors"], *(grammar()["carry_on"] if later else [])]
    alts = "|".join(re.escape(str(w)) for w in sorted(words, key=len, reverse=True))
    return bool(re.match(rf"(?:{alts})\b(?!\s+of\b)", clause.strip(), re.IGNORECASE))


def quantifies(clause: str, share: Share, subject: Sequence[Any]) -> bool:
    """Whether the words right after a quantifier name the subject (``subject`` phrases, or
    ``quantified`` in the grammar): "most new plans", "few families"."""
    m = pattern((share.said,)).search(clause)
    if m is None:
        return False
    after = " ".join(clause[m.end():].split()[:4])
    flat = [p for g in subject for p in (g if isinstance(g, list) else [g])]
    return has(after, [*flat, *grammar()["quantified"]])


# --- shares ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Share:
    """A share a clause claims, as percentage bounds, and the words that claim it."""
    low: float
    high: float
    said: str
    of: int | None = None  # "N of M": M, when the words give it
    count: int | None = None  # "N of M": N


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    value = grammar()["numbers"].get(word.casefold())
    return int(value) if value is not None else None


def _bounded(text: str, start: int, value: float, said: str) -> Share:
    """The share ``value`` with the bound the words just before it give."""
    g = grammar()
    before = text[max(0, start - 30):start].rstrip().casefold()
    slack, within = float(g["bound_slack"]), float(g["about_within"])
    for key in ("below", "above", "about"):
        for phrase in sorted(g["share_bounds"][key], key=len, reverse=True):
            if re.search(rf"(?<![\w-]){re.escape(str(phrase))}$", before):
                said = f"{phrase} {said}"
                if key == "below":
                    return Share(0.0, value + slack, said)
                if key == "above":
                    return Share(value - slack, 100.0, said)
                return Share(value - within, value + within, said)
    return Share(value - within, value + within, said)


def shares_in(clause: str) -> list[Share]:
    """Percentages, "N in M" fractions, share words ("a third") and "N of M" in ``clause``."""
    g, out = grammar(), []
    for m in re.finditer(r"(\d+(?:\.\d+)?)\s*(?:%|per cent\b|percent\b)", clause, re.IGNORECASE):
        out.append(_bounded(clause, m.start(), float(m.group(1)), m.group(0)))
    for m in re.finditer(r"\b(\w+)\s+(?:in|out of)\s+(?:every\s+)?(\w+)\b", clause, re.IGNORECASE):
        top, bottom = _number(m.group(1)), _number(m.group(2))
        if top is not None and bottom is not None and 2 <= bottom <= 20 and top < bottom:
            out.append(_bounded(clause, m.start(), 100.0 * top / bottom, m.group(0)))
    for m in re.finditer(r"\b(\w+)\s+of\s+(?:the\s+)?(\w+)\b", clause, re.IGNORECASE):
        top, bottom = _number(m.group(1)), _number(m.group(2))
        if top is not None and bottom is not None and 0 < bottom and top <= bottom and m.group(1) != "a":
            share = _bounded(clause, m.start(), 100.0 * top / bottom, m.group(0))
            out.append(Share(share.low, share.high, share.said, bottom, top))
    words = g["share_words"]
    for m in pattern(tuple(words)).finditer(clause):
        if any(s.said.endswith(m.group(0)) for s in out):
            continue
        out.append(_bounded(clause, m.start(), float(words[m.group(0).casefold()]), m.group(0)))
    return out


def quantifier_in(clause: str) -> Share | None:
    """The share a quantifier claims ("most plans", "few families", "every plan"), turned round
    when the clause says the group did not ("most did not say how often")."""
    g = grammar()
    found: tuple[str, dict[str, Any], re.Match[str]] | None = None
    for key, rule in g["quantifiers"].items():
        m = pattern(tuple(str(w) for w in rule["words"])).search(clause)
        if m and (found is None or len(m.group(0)) > len(found[2].group(0)) or m.start() < found[2].start()):
            found = (key, rule, m)
    if found is None:
        return None
    _, rule, m = found
    low, high = float(rule["low"]), float(rule["high"])
    if has(clause[m.end():], g["negations"]):
        low, high = 100.0 - high, 100.0 - low
    return Share(low, high, m.group(0))


# --- movements -------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendClaim:
    move: str  # up, down, stable, better or worse
    said: str
    run: int | None = None  # consecutive years claimed ("for three years")
    again: bool = False
    since: int | None = None
    year: int | None = None  # the year the movement is claimed for ("fell in 2025")
    ratio: tuple[str, float] | None = None  # ("at_most", 0.6) for "halved"


def trend_in(clause: str) -> TrendClaim | None:
    """The one movement ``clause`` claims (none when it holds words of two), with its run,
    "again", "since YEAR", the year it names and a ratio ("halved")."""
    g = grammar()
    hits = {key: m for key, words in g["trend"].items()
            if (m := pattern(tuple(str(w) for w in words)).search(clause))}
    if len(hits) != 1:
        return None
    move, m = next(iter(hits.items()))
    before = " ".join(clause[:m.start()].split()[-3:])
    if has(before, g["trend_negations"]):
        return None
    said = m.group(0)
    run = None
    for rx in g["run_words"]:
        r = re.search(rx, clause, re.IGNORECASE)
        if r:
            run = _number(r.group(1)) if r.groups() else int(g["run_default"])
            said = f"{said} {r.group(0)}"
            break
    since_m = re.search(r"\bsince\s+(((?:19|20)\d\d)(?:/\d\d)?)\b", clause, re.IGNORECASE)
    since = years_in(since_m.group(1))[0] if since_m else None
    others = [y for y in years_in(clause) if y != since]
    ratio = None
    for word, rule in g["ratios"].items():
        if has(clause, [word]):
            key = next(iter(rule))
            ratio = (str(key), float(rule[key]))
    again = has(clause, g["again"])
    if since is not None:
        said = f"{said} since {since}"
    if again:
        said = f"{said} again"
    return TrendClaim(move, said, run, again, since, others[-1] if others else None, ratio)


def extreme_in(clause: str) -> tuple[str, str] | None:
    """``(best|worst|highest|lowest, words)`` for a rank claim ("among the slowest")."""
    for key, rule in grammar()["extremes"].items():
        m = pattern(tuple(str(w) for w in rule["words"])).search(clause)
        if m:
            return str(key), m.group(0)
    return None


def comparisons_in(clause: str) -> list[tuple[str, str, bool]]:
    """``(comparator, relation, strong)`` a clause claims ("well above similar areas")."""
    words, g = claim_words(), grammar()
    relations = {k: list(v) + list(g["relation_extra"].get(k, [])) for k, v in words["relation"].items()}
    found = [k for k, phrases in relations.items() if has(clause, phrases)]
    if len(found) != 1:
        return []
    strong = has(clause, g["strong_comparison"])
    return [(who, found[0], strong) for who, phrases in words["comparator"].items() if has(clause, phrases)]
