"""Refinement for the team: every reviewer's findings side by side, near-duplicates, selection.

The team's decisions are written into each finding's own row in its reviewer's capture file
(``headline``, ``include``, ``order``; a merge also adds the merged findings' evidence kinds to
the one kept), through :class:`toolkit.capture.store.CaptureStore`, so they are saved atomically, under
the file's lock, and journalled. The letter reads the capture files directly
(:func:`toolkit.analysis.coverage.review_findings`), so these decisions are what the letter shows.

Near-duplicates: two findings from *different* reviewers on the same KLOE, neither withdrawn nor
excluded, whose statements are similar by either measure:

* token Jaccard >= :data:`JACCARD_THRESHOLD` (0.5): the share of content words in common (lower
  case, stop words dropped, a plural ``s`` dropped), or
* ``difflib.SequenceMatcher`` ratio >= :data:`RATIO_THRESHOLD` (0.8) on the normalised text.

These are suggestions; nothing is merged until the team says so.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import pandas as pd

from toolkit.capture.records import CapturedFinding, FormMessage, SaveResult
from toolkit.capture.store import CaptureStore
from toolkit.capture.validate import screen_args
from toolkit.errors import StoreError
from toolkit.inputs import privacy
from toolkit.inputs.capture_layout import findings_path
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.params import ReviewParams

JACCARD_THRESHOLD = 0.5
RATIO_THRESHOLD = 0.8
STOP_WORDS = frozenset(
    "a an and are as at be been but by for from has have in into is it its not of on or that the their "
    "there they this to was were which who with within all some more most very can do does".split()
)


def team_findings(params: ReviewParams, root: Path) -> list[CapturedFinding]:
    """Every team member's captured findings (withdrawn ones included), team order then file order."""
    out: list[CapturedFinding] = []
    for m in params.team:
        path = findings_path(root, params.review_id, m.name)
        if path.is_file():
            store = CaptureStore(root, params, KloeScope(()), m.name)
            out.extend(store.findings())
    return out


def tokens(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in words if w not in STOP_WORDS}


def similarity(a: str, b: str) -> tuple[float, float]:
    """(token Jaccard, difflib ratio) of two statements."""
    ta, tb = tokens(a), tokens(b)
    jaccard = len(ta & tb) / len(ta | tb) if ta | tb else 0.0
    na, nb = " ".join(a.lower().split()), " ".join(b.lower().split())
    return jaccard, difflib.SequenceMatcher(None, na, nb).ratio()


@dataclass(frozen=True)
class MergeSuggestion:
    first: CapturedFinding
    second: CapturedFinding
    jaccard: float
    ratio: float

    @property
    def same_kind(self) -> bool:
        return self.first.kind == self.second.kind


def suggest_merges(findings: Sequence[CapturedFinding], jaccard_threshold: float = JACCARD_THRESHOLD,
                   ratio_threshold: float = RATIO_THRESHOLD) -> list[MergeSuggestion]:
    """Pairs of near-duplicate statements from different reviewers on the same KLOE, most similar first."""
    live = [f for f in findings if not f.withdrawn and f.include]
    out = []
    for a, b in combinations(live, 2):
        if a.reviewer == b.reviewer or a.kloe != b.kloe:
            continue
        j, r = similarity(a.statement, b.statement)
        if j >= jaccard_threshold or r >= ratio_threshold:
            out.append(MergeSuggestion(a, b, j, r))
    return sorted(out, key=lambda s: (-max(s.jaccard, s.ratio), s.first.id, s.second.id))


def section_key(f: CapturedFinding) -> tuple[str, str, bool]:
    """The letter section a finding lands in: headlines by kind, else KLOE and kind."""
    return ("" if f.headline else f.kloe, f.kind, f.headline)


def ordered(findings: Sequence[CapturedFinding]) -> list[CapturedFinding]:
    """As the letter orders them: explicit order first (ascending), then as read."""
    return sorted(findings, key=lambda f: (f.order is None, f.order if f.order is not None else 0.0))


def side_by_side(findings: Sequence[CapturedFinding], kloe_id: str, reviewers: Sequence[str],
                 include_withdrawn: bool = False) -> pd.DataFrame:
    """One column per reviewer, their findings on the KLOE listed down it ("kind: statement")."""
    cols: dict[str, list[str]] = {}
    for r in reviewers:
        mine = [f for f in ordered(findings) if f.reviewer == r and f.kloe == kloe_id
                and (include_withdrawn or not f.withdrawn)]
        cols[r] = [f"{f.kind}: {f.statement}" + ("" if f.include else " (excluded)") for f in mine]
    depth = max((len(v) for v in cols.values()), default=0)
    return pd.DataFrame({r: v + [""] * (depth - len(v)) for r, v in cols.items()})


def move(findings: Sequence[CapturedFinding], finding_id: str, step: int) -> list[str]:
    """The ids of a finding's section in their new order after moving it ``step`` places."""
    target = next(f for f in findings if f.id == finding_id)
    section = ordered([f for f in findings if not f.withdrawn and section_key(f) == section_key(target)])
    ids = [f.id for f in section]
    i = ids.index(finding_id)
    j = max(0, min(len(ids) - 1, i + step))
    ids.insert(j, ids.pop(i))
    return ids


class Refiner:
    """Writes the team's decisions into each finding's reviewer file."""
    def __init__(self, params: ReviewParams, scope: KloeScope, root: Path) -> None:
        self.params, self.scope, self.root = params, scope, root

    def findings(self) -> list[CapturedFinding]:
        return team_findings(self.params, self.root)

    def _store_for(self, finding_id: str) -> CaptureStore | None:
        for f in self.findings():
            if f.id == finding_id:
                return CaptureStore(self.root, self.params, self.scope, f.reviewer)
        return None

    def set_flags(self, finding_id: str, *, headline: bool | None = None, include: bool | None = None,
                  order: float | None | str = "keep") -> SaveResult:
        store = self._store_for(finding_id)
        if store is None:
            shown = privacy.quote(finding_id, *screen_args(self.params))
            return SaveResult(False, (FormMessage("", f"No finding {shown} in the capture files."),))
        return store.set_flags(finding_id, headline=headline, include=include, order=order)

    def reorder(self, ordered_ids: Sequence[str]) -> list[SaveResult]:
        """Number the findings 1, 2, 3... in the given order (only rows whose order changes are written)."""
        current = {f.id: f for f in self.findings()}
        results = []
        for n, fid in enumerate(ordered_ids, start=1):
            f = current.get(fid)
            if f is not None and f.order != n:
                results.append(self.set_flags(fid, order=n))
        return results

    def move(self, finding_id: str, step: int) -> list[SaveResult]:
        return self.reorder(move(self.findings(), finding_id, step))

    def merge(self, keep_id: str, drop_ids: Sequence[str]) -> list[SaveResult]:
        """Keep one finding, exclude the others (kept in their files) and pool their evidence kinds."""
        current = {f.id: f for f in self.findings()}
        keep = current.get(keep_id)
        if keep is None or any(d not in current for d in drop_ids):
            return [SaveResult(False, (FormMessage("", "A finding to merge is no longer in the capture files."),))]
        evidence = list(keep.evidence)
        for d in drop_ids:
            evidence += [e for e in current[d].evidence if e not in evidence]
        results = []
        for d in drop_ids:
            results.append(self.set_flags(d, include=False))
        store = CaptureStore(self.root, self.params, self.scope, keep.reviewer)
        try:
            results.append(store.set_flags(keep_id, include=True, evidence=evidence))
        except StoreError as exc:
            results.append(SaveResult(False, (FormMessage("", str(exc)),)))
        return results
