"""Recurring findings: findings of different reviews grouped by what they say.

Findings of one kind (strengths apart from areas for consideration and urgent actions, which are
grouped together: both ask for change) are compared by their words. scikit-learn does the work:
:class:`~sklearn.feature_extraction.text.TfidfVectorizer` weighs the words of each statement (read
``statement_weight`` times) and its detail, leaving out English stop words, the words every SEND
finding uses (``toolkit/catalogue/themes.yaml``) and every word of the names the round's reviews
hold (an authority's name would otherwise join its own findings); then
:class:`~sklearn.cluster.AgglomerativeClustering` joins findings by average cosine distance up to
the ``distance`` set there. Both are deterministic for the same findings in the same order.

Clustering cannot forbid two findings of one review in one group, so each group then keeps one
finding per review, the one nearest the group's others; the rest stay in the round's counts but
not in the group. A group is reported when it spans ``min_reviews`` reviews; its representatives
are the findings nearest its centre (ties: round order). Groups come largest first, then by the
round order of their first finding.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from toolkit.analysis.round_model import AREA, STRENGTH, URGENT, FindingGroup, Round, RoundFinding, Theme
from toolkit.inputs.yamlfiles import read_yaml

SETTINGS_FILE = Path(__file__).parents[1] / "catalogue" / "themes.yaml"
#: The pools grouped apart, and the kind a group of each is reported as.
POOLS = ((STRENGTH, (STRENGTH,)), (AREA, (AREA, URGENT)))
_TOKEN = r"(?u)\b[^\W\d_][^\W\d_]+\b"  # words of two letters or more, no digits


class Grouping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    distance: float = Field(gt=0, lt=1)
    statement_weight: int = Field(ge=1, le=5)
    min_reviews: int = Field(ge=2)
    representatives: int = Field(ge=1, le=5)
    common_words: list[str] = Field(default_factory=list)


class ThemesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    grouping: Grouping
    missing_criteria: int = Field(ge=1)


@cache
def settings() -> ThemesSettings:
    """The shipped settings of the themes report."""
    return ThemesSettings.model_validate(read_yaml(SETTINGS_FILE, "toolkit/catalogue/themes.yaml"))


def name_words(round_: Round) -> set[str]:
    """Every word of every name the round's reviews hold, lower case."""
    words: set[str] = set()
    for review in round_.reviews:
        for name in (*review.names, review.authority, review.region):
            words.update(w.casefold() for w in name.replace("'", " ").replace("-", " ").split())
    return words


class _Similarity:
    """The pool's findings as L2-normalised TF-IDF rows, each distinct text once.

    A round of many reviews repeats texts (a phrase bank's, a team's own boilerplate): each is
    weighed (the vectoriser is fitted on every finding, so word weights are as before) and compared
    once, and the cosine similarities of a cluster's findings are worked out only for that
    cluster, never for the whole pool: memory grows with the distinct texts, not their square."""

    def __init__(self, findings: Sequence[RoundFinding], stop: frozenset[str], weight: int) -> None:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
        from sklearn.preprocessing import normalize

        texts = [" ".join([f.statement] * weight + [f.detail]) for f in findings]
        distinct: dict[str, int] = {}
        self.which = np.array([distinct.setdefault(t, len(distinct)) for t in texts], dtype=np.int64)
        first = np.unique(self.which, return_index=True)[1]
        vectoriser = TfidfVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS | stop), sublinear_tf=True,
                                     token_pattern=_TOKEN, lowercase=True)
        try:
            self.unit: Any = normalize(vectoriser.fit_transform(texts)[first].tocsr())
        except ValueError:  # no word left to compare (every finding only stop words): no cluster
            self.unit, self.worded = None, np.zeros(len(first), dtype=bool)
            return
        self.worded = np.asarray(self.unit.getnnz(axis=1) > 0)  # a text with no word left is like no other

    def block(self, members: Sequence[int]) -> np.ndarray:
        """The cosine similarities between the findings ``members`` (positions in the pool)."""
        rows = self.unit[self.which[list(members)]]
        return np.asarray((rows @ rows.T).toarray())


def _labels(vectors: np.ndarray, distance: float) -> list[int]:
    """Cluster labels of the findings (rows of ``vectors``, none of them all zeros)."""
    from sklearn.cluster import AgglomerativeClustering

    if len(vectors) < 2:
        return [0] * len(vectors)
    from scipy.cluster.hierarchy import ClusterWarning

    model = AgglomerativeClustering(n_clusters=None, distance_threshold=distance, metric="cosine",
                                    linkage="average")
    with warnings.catch_warnings():  # scipy takes a small square matrix of words for distances: it is not
        warnings.simplefilter("ignore", ClusterWarning)
        return [int(x) for x in model.fit_predict(vectors)]


@dataclass(frozen=True)
class _Member:
    index: int  # position in the pool (round order)
    closeness: float  # mean cosine similarity to the cluster's other members


def _one_per_review(members: list[int], findings: Sequence[RoundFinding], sims: _Similarity) -> list[_Member]:
    """The cluster's findings, one per review: the nearest the cluster's others (earliest on a tie)."""
    block = sims.block(members)
    closeness = (block.sum(axis=1) - 1.0) / max(len(members) - 1, 1)
    best: dict[str, _Member] = {}
    for i, c in zip(members, closeness, strict=True):
        review = findings[i].review_id
        if review not in best or float(c) > best[review].closeness + 1e-12:
            best[review] = _Member(i, float(c))
    return sorted(best.values(), key=lambda m: m.index)


def _shared_theme(found: Sequence[RoundFinding], themes: dict[tuple[str, str], Theme]) -> Theme | None:
    chosen = {themes.get(f.key) for f in found}
    return chosen.pop() if len(chosen) == 1 else None


def _group(kind: str, kept: list[_Member], findings: Sequence[RoundFinding], sims: _Similarity,
           themes: dict[tuple[str, str], Theme], shown: int) -> FindingGroup:
    picked = [m.index for m in kept]
    block = sims.block(picked)
    centre = (block.sum(axis=1) - 1.0) / max(len(picked) - 1, 1)
    order = sorted(range(len(picked)), key=lambda k: (-round(float(centre[k]), 9), picked[k]))
    found = tuple(findings[i] for i in picked)
    return FindingGroup(kind, _shared_theme(found, themes), found,
                        tuple(findings[picked[k]] for k in order[:shown]))


def finding_themes(round_: Round) -> dict[tuple[str, str], Theme]:
    """Each finding's theme (by review and finding id), where its review has it in scope."""
    out: dict[tuple[str, str], Theme] = {}
    for review in round_.reviews:
        by_id = {t.id: t for t in review.themes}
        for f in review.findings:
            if f.theme in by_id:
                out[f.key] = by_id[f.theme]
    return out


def _pool_groups(kind: str, findings: list[RoundFinding], stop: frozenset[str],
                 themes: dict[tuple[str, str], Theme]) -> list[FindingGroup]:
    grouping = settings().grouping
    if len(findings) < 2:
        return []
    sims = _Similarity(findings, stop, grouping.statement_weight)
    worded = np.flatnonzero(sims.worded)  # distinct texts, clustered once each
    label_of = dict(zip(worded.tolist(), _labels(sims.unit[worded].toarray(), grouping.distance), strict=True))
    clusters: dict[int, list[int]] = {}
    for i, u in enumerate(sims.which.tolist()):
        if u in label_of:
            clusters.setdefault(label_of[u], []).append(i)
    groups = []
    for members in clusters.values():
        kept = _one_per_review(members, findings, sims)
        if len(kept) >= grouping.min_reviews:
            groups.append(_group(kind, kept, findings, sims, themes, grouping.representatives))
    return groups


def recurring_groups(round_: Round) -> tuple[FindingGroup, ...]:
    """The groups of findings that recur across the round's reviews, largest first."""
    stop = frozenset(w.casefold() for w in settings().grouping.common_words) | name_words(round_)
    themes = finding_themes(round_)
    position = {f.key: i for i, f in enumerate(round_.findings)}
    out: list[FindingGroup] = []
    for kind, kinds in POOLS:  # strengths first, then what needs to change
        pool = [f for f in round_.findings if f.kind in kinds]
        out.extend(sorted(_pool_groups(kind, pool, stop, themes), key=lambda g: (-g.size, position[g.findings[0].key])))
    return tuple(out)
