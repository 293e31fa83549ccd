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
from typing import Literal

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
    linkage: Literal["average", "complete"] = "average"
    statement_weight: int = Field(ge=1, le=5)
    min_reviews: int = Field(ge=2)
    representatives: int = Field(ge=1, le=5)
    common_words: list[str] = Field(default_factory=list)


class ThemesSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    grouping: Grouping
    missing_criteria: int = Field(ge=1)
    chart_rows: int = Field(ge=1)


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


@dataclass(frozen=True)
class _Pool:
    """One pool's findings, each mapped to its words' node (findings worded alike share one), and
    the cosine similarity of every two nodes."""
    findings: list[RoundFinding]
    node_of: list[int]  # finding -> node
    sims: np.ndarray  # node x node, float32 (a round of 150 reviews has some 4,000 nodes a pool)


def _text(f: RoundFinding, weight: int) -> str:
    return " ".join(" ".join([f.statement] * weight + [f.detail]).casefold().split())


def _pool(findings: list[RoundFinding], stop: frozenset[str], weight: int) -> _Pool:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    nodes: dict[str, int] = {}
    node_of = [nodes.setdefault(_text(f, weight), len(nodes)) for f in findings]
    vectoriser = TfidfVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS | stop), sublinear_tf=True,
                                 token_pattern=_TOKEN, lowercase=True)
    try:
        matrix = vectoriser.fit_transform(list(nodes))
    except ValueError:  # no word left to compare (every finding only stop words)
        return _Pool(findings, node_of, np.zeros((len(nodes), len(nodes)), dtype=np.float32))
    return _Pool(findings, node_of, cosine_similarity(matrix).astype(np.float32))


def _labels(sims: np.ndarray, distance: float, linkage: str) -> list[int]:
    """Cluster labels of the nodes whose similarities ``sims`` holds (none without words)."""
    from scipy.cluster.hierarchy import ClusterWarning
    from sklearn.cluster import AgglomerativeClustering

    if len(sims) < 2:
        return [0] * len(sims)
    distances = np.clip(1.0 - sims, 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    model = AgglomerativeClustering(n_clusters=None, distance_threshold=distance, metric="precomputed",
                                    linkage=linkage)
    with warnings.catch_warnings():  # scipy suspects a small matrix of distances of being one: it is
        warnings.simplefilter("ignore", ClusterWarning)
        return [int(x) for x in model.fit_predict(distances)]


@dataclass(frozen=True)
class _Member:
    index: int  # position in the pool (round order)
    closeness: float  # mean cosine similarity to the cluster's other members


def _one_per_review(members: list[int], pool: _Pool) -> list[_Member]:
    """The cluster's findings, one per review: the nearest the cluster's others (earliest on a tie)."""
    nodes = [pool.node_of[i] for i in members]
    counts: dict[int, int] = {}
    for n in nodes:
        counts[n] = counts.get(n, 0) + 1
    order = list(counts)
    block = pool.sims[np.ix_(order, order)].astype(np.float64)
    totals = block @ np.array([counts[n] for n in order], dtype=np.float64)
    closeness = {n: (float(t) - 1.0) / max(len(members) - 1, 1) for n, t in zip(order, totals, strict=True)}
    best: dict[str, _Member] = {}
    for i, n in zip(members, nodes, strict=True):
        review = pool.findings[i].review_id
        if review not in best or closeness[n] > best[review].closeness + 1e-9:
            best[review] = _Member(i, closeness[n])
    return sorted(best.values(), key=lambda m: m.index)


def _shared_theme(found: Sequence[RoundFinding], themes: dict[tuple[str, str], Theme]) -> Theme | None:
    chosen = {themes.get(f.key) for f in found}
    return chosen.pop() if len(chosen) == 1 else None


def _group(kind: str, kept: list[_Member], pool: _Pool, themes: dict[tuple[str, str], Theme],
           shown: int) -> FindingGroup:
    """The group of the kept findings; its representatives the nearest its centre, no statement twice."""
    picked = [m.index for m in kept]
    nodes = [pool.node_of[i] for i in picked]
    block = pool.sims[np.ix_(nodes, nodes)].astype(np.float64)
    centre = (block.sum(axis=1) - 1.0) / max(len(picked) - 1, 1)
    order = sorted(range(len(picked)), key=lambda k: (-round(float(centre[k]), 6), picked[k]))
    found = tuple(pool.findings[i] for i in picked)
    chosen: dict[str, RoundFinding] = {}
    for k in order:
        f = pool.findings[picked[k]]
        chosen.setdefault(" ".join(f.statement.casefold().split()), f)
    return FindingGroup(kind, _shared_theme(found, themes), found, tuple(chosen.values())[:shown])


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
    pool = _pool(findings, stop, grouping.statement_weight)
    worded = [n for n in range(len(pool.sims)) if pool.sims[n, n] > 0]  # a node with no word is like no other
    labels = _labels(pool.sims[np.ix_(worded, worded)], grouping.distance, grouping.linkage)
    label_of = dict(zip(worded, labels, strict=True))
    clusters: dict[int, list[int]] = {}
    for i, node in enumerate(pool.node_of):
        if node in label_of:
            clusters.setdefault(label_of[node], []).append(i)
    groups = []
    for members in clusters.values():
        kept = _one_per_review(members, pool)
        if len(kept) >= grouping.min_reviews:
            groups.append(_group(kind, kept, pool, themes, grouping.representatives))
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
