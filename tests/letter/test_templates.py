"""The style's Jinja environment keeps compiled templates in the toolkit's cache folder, and
renders the same with and without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.inputs.styles import DEFAULT_STYLE, STYLES_DIR
from toolkit.letter import templates


def _render(monkeypatch: pytest.MonkeyPatch, cache: str) -> str:
    monkeypatch.setenv("PEER_REVIEW_CACHE", cache)
    templates.environment_for.cache_clear()
    try:
        env = templates.environment_for(str(STYLES_DIR / DEFAULT_STYLE))
        name = next(n for n in env.list_templates() if n.endswith(".html.j2") and "page" not in n)
        return env.get_template(name).module.__name__ + str(env.get_template(name).blocks.keys())
    finally:
        templates.environment_for.cache_clear()


def test_compiled_templates_are_kept_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _render(monkeypatch, str(tmp_path))
    kept = sorted((tmp_path / "templates").glob("*/__jinja2_*.cache"))  # in a folder named after the filters
    assert kept and (tmp_path / "templates").stat().st_mode & 0o077 == 0  # a private folder
    assert kept[0].parent.stat().st_mode & 0o077 == 0
    stamps = [p.stat().st_mtime_ns for p in kept]
    assert _render(monkeypatch, str(tmp_path)) == first  # read back, not compiled again
    assert [p.stat().st_mtime_ns for p in kept] == stamps


def test_no_bytecode_cache_when_the_cache_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEER_REVIEW_CACHE", "off")
    templates.environment_for.cache_clear()
    try:
        assert templates.environment_for(str(STYLES_DIR / DEFAULT_STYLE)).bytecode_cache is None
    finally:
        templates.environment_for.cache_clear()
