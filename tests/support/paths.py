"""Where the tests find the project, its fixtures and the shared reference data, and the types of
the fixtures that edit files (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
DFE = SHARED / "data" / "dfe"
DEMO_PARAMS = sorted((ROOT / "params").glob("*.yaml"))
SYNTH = ROOT / "data" / "performance" / "sen2_synthetic.csv"

EditParams = Callable[[Path, Callable[[dict[str, Any]], object]], Path]
AppendRows = Callable[[Path, list[str]], Path]


def needs_shared() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not DFE.is_dir(), reason=f"reference data not found at {DFE} (../shared is absent)")
