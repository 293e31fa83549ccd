"""Shared helpers of the capture tests (a copy of a review in tmp_path, its store)."""

from __future__ import annotations

import shutil
from pathlib import Path

from toolkit.store import CaptureStore, FindingDraft, open_review

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"


def copy_mini(tmp_path: Path) -> Path:
    shutil.copytree(MINI, tmp_path / "proj")
    return tmp_path / "proj" / "params" / "mini.yaml"


def store_for(params_file: Path, reviewer: str) -> CaptureStore:
    params, scope, root = open_review(params_file)
    return CaptureStore(root, params, scope, reviewer)


def draft(statement: str = "Health visitors spot speech delay early.", kloe: str = "2016-identify",
          kind: str = "strength", evidence: tuple[str, ...] = ("interview",), **kw: object) -> FindingDraft:
    return FindingDraft(kloe=kloe, kind=kind, statement=statement, evidence=evidence, **kw)  # type: ignore[arg-type]
