"""Kestrelmoor's parameters as they were before the demo moved to send-2025: the 2016
framework's three questions, one KLOE of the area's own, and a scope item (readiness for an
inspection) that no section answers. The replaced-framework and scope-cover tests use them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from support.paths import ROOT

INSPECTION_ITEM = "What more we need to do to be ready for an area SEND inspection"


def kestrelmoor_2016() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "params" / "kestrelmoor-2026.yaml").read_text(encoding="utf-8"))
    scope = data["scope"]
    scope["requested"][3] = INSPECTION_ITEM
    scope["frameworks"] = ["send-2016"]
    scope["kloes"] = ["2016-identify", "2016-assess-meet", "2016-outcomes"]
    return data


def write(data: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
