"""No shipped wording file repeats a run of nine words from a real published letter.

The seed letters (``../shared/seeds/*.txt``) are real peer-challenge letters: the toolkit's own
templates, wording and framework files are written in its own words, so none may share a run of
nine words with any of them (a phrase of that length is a copied sentence, not a common idiom).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.paths import ROOT, SHARED

RUN = 9
#: the files whose words a reader of a letter, briefing or checklist sees
WORDING = {".yaml", ".yml", ".j2", ".md", ".txt", ".html"}
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
pytestmark = pytest.mark.skipif(not SEEDS, reason=f"no seed letters in {SHARED / 'seeds'} (../shared is absent)")


def words(text: str) -> list[str]:
    """The words of ``text``, lower case, curly apostrophes straightened, markup's punctuation dropped."""
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.casefold().replace("\u2019", "'"))


def runs(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i:i + RUN]) for i in range(len(w) - RUN + 1)}


def shipped() -> list[Path]:
    return sorted(p for p in (ROOT / "toolkit").rglob("*") if p.is_file() and p.suffix in WORDING)


def test_the_check_finds_a_copied_run() -> None:
    seed = SEEDS[0].read_text(encoding="utf-8")
    copied = " ".join(words(seed)[100:100 + RUN])
    assert runs(f"<p>{copied.upper()}</p>") & runs(seed)
    assert not runs(" ".join(words(seed)[100:100 + RUN - 1])) & runs(seed)


def test_no_shipped_wording_shares_a_nine_word_run_with_a_seed() -> None:
    seen: dict[tuple[str, ...], str] = {}
    for seed in SEEDS:
        for r in runs(seed.read_text(encoding="utf-8")):
            seen.setdefault(r, seed.name)
    files = shipped()
    assert len(files) > 50, "the toolkit's wording files were not found"
    copied = [f"{p.relative_to(ROOT)}: '{' '.join(r)}' (as in {seen[r]})"
              for p in files for r in sorted(runs(p.read_text(encoding="utf-8")) & seen.keys())]
    assert not copied, "reword these runs in the toolkit's own words:\n" + "\n".join(copied)
