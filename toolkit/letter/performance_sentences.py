"""What a letter writes of a comparison: its sentences, and its cells in a table.

Every phrase comes from the catalogue's wording file (``toolkit/catalogue/wording.yaml``, read
by :func:`toolkit.analysis.indicators.wording`): :func:`describe` joins the three sentences of
one indicator (its value against the comparators, its rank and band, its trend);
:func:`comparator_cells`, :func:`rank_cell` and :func:`direction_text` fill a table row.
"""

from __future__ import annotations

from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.indicators import Indicator, format_value, plain_number, round_half_up, wording
from toolkit.analysis.ranks import published_on
from toolkit.wording import ordinal, region_in_sentence


def relation(indicator: Indicator, value: float, other: float) -> str:
    """``better than`` / ``worse than`` / ``above`` / ``below`` / ``the same as``, compared as
    rounded for display so the words never contradict the numbers printed beside them."""
    mine, theirs = round_half_up(value, indicator.decimals), round_half_up(other, indicator.decimals)
    key = "same" if mine == theirs else ("higher" if mine > theirs else "lower")
    return str(wording()["relation"][indicator.polarity][key])


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def missing_reason(comp: Comparison) -> str:
    """Why the authority has no figure, in plain words, from the code its cell holds
    ("the figure is suppressed to protect confidentiality" for ``c``)."""
    if comp.value is not None:
        return ""
    words = wording()
    if comp.no_row:
        return str(words["no_row"])
    meanings = {str(code).casefold(): text for code, text in words["missing_codes"].items()}
    return str(meanings.get(" ".join(comp.raw.split()).casefold(), meanings[""]))


def not_published(comp: Comparison) -> str:
    """A table cell for an authority with no figure: "not published (the figure is …)"."""
    return str(wording()["not_published"].format(reason=missing_reason(comp)))


def comparison_sentence(comp: Comparison) -> str:
    """The value with its comparators: "…: 92.0% in 2022, better than England (49.2%), …"; for
    a figure not published, what its code means ("…: not published for X in 2022 (the figure is
    suppressed to protect confidentiality).")."""
    ind, words = comp.indicator, wording()
    fill = {"title": ind.title, "period": comp.period.label, "area": comp.area.name}
    if comp.value is None:
        return str(words["missing"].format(reason=missing_reason(comp), **fill))
    fill["value"] = format_value(ind, comp.value)
    comparisons = _comparisons(comp)
    if not comparisons:
        return str(words["value_alone"].format(**fill))
    return str(words["value"].format(comparisons=comparisons, **fill))


def _rank_words(comp: Comparison, key: str) -> str:
    """The rank in the words of ``wording.yaml``'s ``key`` (``rank``, ``rank_clause``, ``rank_cell``):
    "132nd of 148 local authorities, in the weakest quarter"; a neutral measure counted from the
    nearer end ("the 12th highest", "the 5th lowest"). Empty without a rank."""
    if comp.rank is None:
        return ""
    words = wording()
    tie = "joint" if comp.tied else "single"
    ordinal_of = {"ordinal": ordinal(comp.rank), "count": comp.count}
    if comp.band is None:
        from_bottom = comp.count - comp.rank + 1
        if comp.rank == 1:
            pattern = "first_" + tie if comp.tied else "first"
        elif not comp.tied and from_bottom == 1:
            pattern = "last"
        elif not comp.tied and from_bottom < comp.rank:
            pattern, ordinal_of["ordinal"] = "low", ordinal(from_bottom)
        else:
            pattern = tie
        return str(words[key + "_neutral"][pattern].format(**ordinal_of))
    return str(words[key][tie].format(band_text=words["bands"][comp.band], quarter=words["quarters"][comp.band],
                                      **ordinal_of))


def rank_sentence(comp: Comparison) -> str:
    """"It is 12th of 150 local authorities, in the best quarter." ("joint 12th" when another
    authority has the same value; "the highest" or "the 5th lowest" for a neutral measure) or empty."""
    return _rank_words(comp, "rank")


def rank_words(comp: Comparison) -> str:
    """The rank as a table cell: "3rd of 145, best quarter", "12th highest of 145", or "-"."""
    return _rank_words(comp, "rank_cell") or "-"


def _in_sentence(kind: str, name: str) -> str:
    """A comparator's name as a sentence needs it: a region with its article ("the North West")."""
    return region_in_sentence(name) if kind.startswith("region") else name


def _comparisons(comp: Comparison) -> str:
    """"better than England (51.8%), ..." for a rate or share; empty for a count, which is never
    set beside other authorities' counts, and for a figure not published."""
    ind = comp.indicator
    if comp.value is None or comp.averages_stand_in:
        return ""
    parts = [relation(ind, comp.value, other) + " " + wording()["comparator"][kind].format(
        name=_in_sentence(kind, name), value=format_value(ind, other))
        for kind, name, other in comp.benchmarks()]
    return _join(parts) if parts else ""


def _letter_comparisons(comp: Comparison) -> str:
    """"better than England and Yorkshire and The Humber, worse than similar areas" (empty for a
    count, and for a figure not published)."""
    if comp.value is None or comp.averages_stand_in:
        return ""
    words = wording()
    groups: dict[str, list[str]] = {}
    for kind, name, other in comp.benchmarks():
        who = words["letter_names"][kind].format(name=_in_sentence(kind, name))
        groups.setdefault(relation(comp.indicator, comp.value, other), []).append(who)
    return ", ".join(f"{rel} {_join(names)}" for rel, names in groups.items())


def _letter_trend(comp: Comparison) -> str:
    window, ind = comp.trend.window, comp.indicator
    if comp.trend.direction is None or len(window) < 2:
        return ""
    (p0, v0), (_, v1) = window[0], window[-1]
    r0, r1 = round_half_up(v0, ind.decimals), round_half_up(v1, ind.decimals)
    key = "stable" if comp.trend.direction == "stable" or r0 == r1 else ("rose" if r1 > r0 else "fell")
    return str(wording()["letter_trend"][key].format(start=format_value(ind, v0), start_period=p0.label))


def letter_sentence(comp: Comparison) -> str:
    """The letter's one sentence for an indicator, beside its figures in the summary table: how it
    compares with England, the region and similar areas, its rank and which way it has moved; a
    count (whose comparison with other authorities would mislead) with its own trend only. A
    figure not published says why."""
    words = wording()
    if comp.value is None:
        text = not_published(comp)
        return text[:1].upper() + text[1:] + str(words["letter_end"])
    rank = "" if comp.averages_stand_in else _rank_words(comp, "rank_clause")
    parts = [p for p in (_letter_comparisons(comp), rank, _letter_trend(comp)) if p]
    if not parts:
        return ""
    text = str(words["letter_join"]).join(parts)
    return text[:1].upper() + text[1:] + str(words["letter_end"])


def trend_sentence(comp: Comparison) -> str:
    """"It has fallen from 16.3% in 2019 to 9.9% in 2022." over the trend window, or empty."""
    window, ind = comp.trend.window, comp.indicator
    if comp.trend.direction is None or len(window) < 2:
        return ""
    (p0, v0), (p1, v1) = window[0], window[-1]
    r0, r1 = round_half_up(v0, ind.decimals), round_half_up(v1, ind.decimals)
    key = "stable" if comp.trend.direction == "stable" or r0 == r1 else ("rose" if r1 > r0 else "fell")
    return str(wording()["trend"][key].format(start=format_value(ind, v0), end=format_value(ind, v1),
                                              start_period=p0.label, end_period=p1.label))


def direction_text(comp: Comparison) -> str:
    """The direction as tables write it, from the same rounded first and last figures of the
    trend window as :func:`trend_sentence` ("rising, worse", "falling", "stable", "too few
    periods"): never "declining" for a figure that rose."""
    words, window, ind = wording(), comp.trend.window, comp.indicator
    if comp.trend.direction is None or len(window) < 2:
        return str(words["direction"][None])
    r0, r1 = round_half_up(window[0][1], ind.decimals), round_half_up(window[-1][1], ind.decimals)
    key = "stable" if comp.trend.direction == "stable" or r0 == r1 else ("rose" if r1 > r0 else "fell")
    moved = str(words["direction_moved"][key])
    if key == "stable" or ind.polarity == "neutral":
        return moved
    better = (key == "rose") == (ind.polarity == "higher_better")
    return str(words["direction_judged"].format(moved=moved, judgement=words["direction_judgement"][
        "better" if better else "worse"]))


def describe(comp: Comparison) -> str:
    """All three sentences for one indicator, as a paragraph (a count, never set beside other
    authorities' counts, has no comparators and no rank)."""
    rank = "" if comp.averages_stand_in else rank_sentence(comp)
    return " ".join(s for s in (comparison_sentence(comp), rank, trend_sentence(comp)) if s)


# --- Table cells ------------------------------------------------------------------------------

def exact_value(indicator: Indicator, value: float | None, missing: str) -> str:
    """A published value exactly as the file gives it (no rounding), with its unit."""
    if value is None:
        return missing
    return plain_number(value) + ("%" if indicator.unit == "percent" else "")


def comparator_cells(comp: Comparison, exact: bool = False, missing: str = "-") -> tuple[str, str]:
    """The England and region cells of a table row. Counts show the average local authority,
    labelled as such (their published England and region rows are totals); other measures show
    the published rows, exactly as read when ``exact``, else rounded as a letter writes them."""
    ind = comp.indicator
    if comp.averages_stand_in:
        label = wording()["average_cell"]

        def average(value: float | None) -> str:
            return missing if value is None else label.format(value=format_value(ind, value))

        return average(comp.england_la_mean), average(comp.region_la_mean if comp.area.region_name else None)
    if exact:
        return exact_value(ind, comp.england, missing), exact_value(ind, comp.region, missing)
    return format_value(ind, comp.england, missing), format_value(ind, comp.region, missing)


def rank_cell(comp: Comparison, of: str = "/") -> str:
    """``12/150``, ``=12/150`` for a shared rank, ``-`` without a rank."""
    if comp.rank is None:
        return "-"
    return f"{'=' if comp.tied else ''}{comp.rank}{of}{comp.count}"


def publication_name(comp: Comparison) -> str:
    """Where a figure comes from, as a letter names it: "DfE, Education, health and care plans,
    2023" (the year the period used was published), never a file."""
    words, ind = wording()["sources"], comp.indicator
    pub = ind.source.publication
    if comp.local:
        return str(words["local"].format(area=comp.area.name, title=ind.short_title))
    if pub is None:
        return str(words["unnamed"].format(title=ind.short_title))
    year = pub.year or published_on(comp.period, ind.publication_lag_months).year
    return str(words["publication"].format(publisher=pub.publisher, title=pub.title, year=year))
