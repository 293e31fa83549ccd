"""The review's own documents checked against each other: the self-evaluation's peer judgements
against the findings they cite, the findings on the same area and the audit of it; a share stated
in two places stated alike (a progress mark against the new findings on the same item is
:mod:`toolkit.analysis.progress_checks`'s); and
the letter's own audit sentences against the audit table. The reasoning of each self-evaluation
row and the evidence of each progress mark are read for claims like a finding's.

Thresholds and words: ``sef``, ``stop_words`` and ``message`` in
``toolkit/catalogue/claim_grammar.yaml``. See docs/checks.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from toolkit.analysis.audit_claims import audit_claim_flags
from toolkit.analysis.audit_results import AuditResult, strong_and_missing
from toolkit.analysis.claim_reading import Share, grammar, has_all
from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.figure_claims import read_claims, stated_shares
from toolkit.analysis.flags import ConsistencyFlag, Said
from toolkit.analysis.previous import ProgressRow
from toolkit.inputs.findings import Finding, Kind
from toolkit.inputs.params import Kloe
from toolkit.inputs.sef import SefComparison, SefJudgement

_WORD = re.compile(r"[a-z]+")


def words_of(text: str) -> set[str]:
    """The words that say what a text is about: lower case, ``'s`` and a plural ``s`` dropped,
    without ``stop_words``."""
    stop = {str(w) for w in grammar()["stop_words"]}
    out = set()
    for w in _WORD.findall(text.casefold().replace("'s", "").replace("\u2019s", "")):
        w = w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
        if w not in stop and len(w) > 1:
            out.add(w)
    return out


def _where(kind: str, **names: object) -> str:
    return str(grammar()["where"][kind].format(**names))


def _doc_flag(said: Any, message: str, check: str, source: str = "") -> ConsistencyFlag:
    return ConsistencyFlag(said, "", "", message, check, "document", "", source)


# --- the self-evaluation ---------------------------------------------------------------------

def sef_rows(sef: SefComparison) -> list[Said]:
    """Each judgement's reasoning as a row that makes claims."""
    return [Said(f"sef:{j.area}", sef.file, j.row, j.reasoning, "self-evaluation", column="reasoning")
            for j in sef.judgements]


def _section_of(area: str, result: AuditResult) -> str | None:
    """The audit section an area of the self-evaluation names (by the section's words or title)."""
    for code, words in grammar()["audit_sections"].items():
        section = next((s for s in result.framework.sections if s.code == code), None)
        if section is not None and (has_all(area, words) or area.casefold() in section.title.casefold()):
            return str(code)
    return None


def _kloes_of(area: str, kloes: Sequence[Kloe]) -> list[str]:
    """The KLOEs whose title, or one of whose prompts, holds every word of the area's name (an
    inspection framework's strand titles are broad: "Preparing for adulthood" is a prompt of its
    next-steps strand)."""
    need = words_of(area)
    return [k.id for k in kloes if need and any(need <= words_of(t) for t in (k.title, *(p.text for p in k.prompts)))]


def sef_flags(sef: SefComparison, findings: Sequence[Finding], kloes: Sequence[Kloe],
              result: AuditResult | None) -> list[ConsistencyFlag]:
    """A peer judgement on the better half of the scale beside a weak audit section, beside
    findings on the area that are mostly areas for consideration, or citing only those; one on
    the worse half citing only strengths."""
    rules, msg = grammar()["sef"], grammar()["message"]
    by_id = {f.id: f for f in findings}
    out: list[ConsistencyFlag] = []
    for j, said in zip(sef.judgements, sef_rows(sef), strict=True):
        good = j.peer_point < int(rules["good_points"])
        on_it = [f for f in findings if f.kloe in _kloes_of(j.area, kloes)]
        weak = [f for f in on_it if f.kind is not Kind.STRENGTH]
        also = "" if not on_it or len(weak) / len(on_it) < 0.5 else msg["sef_also"].format(areas=len(weak),
                                                                                          total=len(on_it))
        audit_flagged = False
        if good and result is not None:
            code = _section_of(j.area, result)
            counts = result.section_grades.get(code or "")
            if code and counts and sum(counts.values()):
                share = (counts[4] + counts[3]) / sum(counts.values())
                if share < float(rules["audit_share"]):
                    audit_flagged = True
                    out.append(_doc_flag(said, msg["sef_audit"].format(
                        area=j.area, judgement=j.peer_judgement, section=result.framework.section(code).title,
                        good=counts[4] + counts[3], graded=sum(counts.values()), also=also), "self-evaluation",
                        str(grammar()["source"]["audit"])))
        out.extend(_sef_findings(j, said, good and not audit_flagged, on_it, weak, by_id))
    return out
    return out


def _sef_findings(j: SefJudgement, said: Said, good: bool, on_it: Sequence[Finding], weak: Sequence[Finding],
                  by_id: Mapping[str, Finding]) -> list[ConsistencyFlag]:
    rules, msg = grammar()["sef"], grammar()["message"]
    out = []
    if good and len(on_it) >= int(rules["min_findings"]) and len(weak) / len(on_it) >= float(rules["areas_share"]):
        out.append(_doc_flag(said, msg["sef_findings"].format(area=j.area, judgement=j.peer_judgement,
                                                              areas=len(weak), total=len(on_it)), "self-evaluation"))
    cited = [by_id[i] for i in j.findings if i in by_id]
    kinds = {f.kind is Kind.STRENGTH for f in cited}
    good = j.peer_point < int(rules["good_points"])
    if cited and len(kinds) == 1 and (next(iter(kinds)) is not good):
        kind = str(grammar()["message"]["sef_kinds"]["strength" if not good else "area"])
        out.append(_doc_flag(said, msg["sef_cited"].format(area=j.area, judgement=j.peer_judgement, kind=kind),
                             "self-evaluation"))
    return out


# --- progress marks --------------------------------------------------------------------------

def progress_said(row: ProgressRow) -> Said | None:
    """A mark's evidence as a row that makes claims (None when it has no mark). A mark against a
    new finding that returns to its item is :mod:`toolkit.analysis.progress_checks`'s."""
    if row.mark is None:
        return None
    return Said(f"progress:{row.item.id}", row.mark.file, row.mark.row, row.mark.evidence, "progress mark",
                column="evidence")


# --- the same share in two places ------------------------------------------------------------

def _central(share: Share) -> float:
    return (share.low + share.high) / 2


def _disagree(a: Share, b: Share) -> bool:
    """Two statements of one figure that cannot both hold: an approximate one outside the
    other's bounds (bounds from the words), or two bounds that do not meet."""
    slack = float(grammar()["bound_slack"])

    def bounded(s: Share) -> bool:
        return s.low <= slack or s.high >= 100.0 - slack

    if bounded(a) and bounded(b):
        return a.high < b.low or b.high < a.low
    if bounded(a) or bounded(b):
        fixed, loose = (a, b) if bounded(a) else (b, a)
        return not fixed.low <= _central(loose) <= fixed.high
    return abs(_central(a) - _central(b)) > float(grammar()["about_within"])


def twice_flags(rows: Sequence[Any], comparisons: Sequence[Comparison]) -> list[ConsistencyFlag]:
    """A share of one indicator stated in two places (findings, the self-evaluation's reasoning,
    progress marks) that cannot both be right: flagged on the later, naming the earlier."""
    seen: list[tuple[Any, Comparison, Share]] = []
    out: list[ConsistencyFlag] = []
    for row in rows:
        for comp, share in stated_shares(row, comparisons):
            other = next(((r, s) for r, c, s in seen if c.indicator.id == comp.indicator.id and r is not row
                          and _disagree(s, share)), None)
            if other is not None:
                text = grammar()["message"]["twice"].format(
                    said=share.said, title=comp.indicator.short_title, other_where=name_of(other[0]),
                    other_said=other[1].said)
                out.append(ConsistencyFlag(row, comp.indicator.id, comp.band or "", text, "stated twice",
                                           "document", share.said, name_of(other[0])))
            seen.append((row, comp, share))
    return out


def name_of(row: Any) -> str:
    """Where a finding or a document row is, in words."""
    if isinstance(row, Said) and row.kind == "self-evaluation":
        return _where("sef", area=row.id.removeprefix("sef:"))
    if isinstance(row, Said) and row.kind == "progress mark":
        return _where("progress", item=row.id.removeprefix("progress:"))
    return _where("finding", file=getattr(row, "file", ""), row=getattr(row, "row", ""))


# --- the letter's own audit sentences ----------------------------------------------------------

def letter_audit_flags(result: AuditResult) -> list[ConsistencyFlag]:
    """The letter's "in all N plans, ..." sentences (a criterion every plan met) against the
    audit table's grades of the section the words name."""
    g = grammar()
    strong, missing = strong_and_missing(result)
    out = []
    for kind, crits in (("strengths", strong), ("gaps", missing)):
        for c in crits:
            counts = result.section_grades.get(c.section, {})
            good, graded = counts.get(4, 0) + counts.get(3, 0), sum(counts.values())
            if c.met != c.applicable or c.applicable != result.plans or not graded or good == graded:
                continue
            said = Said(f"audit:{c.id}", result.file, 0, g["letter_audit"].format(met=c.met, of=c.applicable,
                                                                                finding=c.finding),
                        str(g["letter_audit_where"].format(kind=kind)), column="")
            section = result.framework.section(c.section)
            text = g["message"]["audit_share"].format(
                said=f"{c.met} of the {c.applicable}", met=good, of=graded,
                what=f"graded good or better in section {c.section} ({section.title})")
            out.append(ConsistencyFlag(said, "", "", text, "audit section", "audit", said.statement,
                                       str(g["source"]["audit"])))
    return out


def document_flags(sef: SefComparison | None, rows: Sequence[ProgressRow], findings: Sequence[Finding],
                   kloes: Sequence[Kloe], result: AuditResult | None, comparisons: Sequence[Comparison],
                   by_id: Mapping[str, Comparison]) -> list[ConsistencyFlag]:
    """Every check of this module, and the claims of the self-evaluation's reasoning and the
    progress marks' evidence against the figures and the audit."""
    said = [*(sef_rows(sef) if sef is not None else []), *(s for r in rows if (s := progress_said(r)))]
    out: list[ConsistencyFlag] = []
    for row in said:
        out.extend(read_claims(row, comparisons, None, (), by_id))
        if result is not None:
            out.extend(audit_claim_flags(row, result))
    if sef is not None:
        out.extend(sef_flags(sef, findings, kloes, result))
    out.extend(twice_flags([*findings, *said], comparisons))
    if result is not None:
        out.extend(letter_audit_flags(result))
    return out
