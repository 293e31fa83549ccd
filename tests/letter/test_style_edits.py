"""A style edited while a process runs (a Jupyter session, the capture app, a warm kernel, the
drafting daemon) is read again: every file a style holds is cached by its path and its stamp
(modification time, size, inode), never by its folder alone. Real files, one process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from support.paths import EditParams

from toolkit.inputs.styles import STYLES_DIR, file_stamp
from toolkit.letter.deck import words_for
from toolkit.letter.sections import build_letter, heading_title, style_words
from toolkit.review import load_review


def _edit(path: Path, text: str) -> None:
    """Rewrite ``path`` in place and move its modification time on by a second, as an edit a
    moment later would (no sleeping: a coarse file system could give both writes one time)."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def _region(mini: Path, edit_params: EditParams) -> tuple[Path, Path]:
    style = mini.parents[1] / "styles" / "region"
    style.mkdir(parents=True)
    shutil.copy(STYLES_DIR / "standard" / "document.yaml", style / "document.yaml")
    (style / "words.yaml").write_text("headings:\n  next: Where next\nletter_title: First title\n",
                                      encoding="utf-8")
    (style / "slides.yaml").write_text("team_title: Who came\n", encoding="utf-8")
    edit_params(mini, lambda d: d.update(letter_style="styles/region"))
    return style, mini


def test_edited_words_are_read_again_in_the_same_process(mini: Path, edit_params: EditParams) -> None:
    style, params = _region(mini, edit_params)
    review = load_review(params)
    assert heading_title(review, "next") == "Where next"
    assert str(style_words(review, "letter_title")) == "First title"
    assert words_for(review).one("team_title") == "Who came"
    assert "Where next" in build_letter(review)

    # same length, same second would fool a cache keyed by modification time in whole seconds
    _edit(style / "words.yaml", "headings:\n  next: What next\nletter_title: Final title\n")
    _edit(style / "slides.yaml", "team_title: Who went\n")
    review = load_review(params)
    assert heading_title(review, "next") == "What next"
    assert str(style_words(review, "letter_title")) == "Final title"
    assert words_for(review).one("team_title") == "Who went"
    letter = build_letter(review)
    assert "What next" in letter and "Where next" not in letter


def test_edited_and_added_templates_are_read_again(mini: Path, edit_params: EditParams) -> None:
    style, params = _region(mini, edit_params)
    review = load_review(params)
    assert "Thank you again for inviting the team" in build_letter(review)  # the standard closing

    # a template the style lacked (the standard one stood in for it) now added to the style
    closing = style / "closing.html.j2"
    closing.write_text("<section id=\"next-steps\"><h2>{{ heads.next.label }}</h2><p>Our thanks, first.</p>"
                       "</section>\n", encoding="utf-8")
    letter = build_letter(load_review(params))
    assert "Our thanks, first." in letter and "Thank you again for inviting the team" not in letter

    _edit(closing, closing.read_text(encoding="utf-8").replace("Our thanks, first.", "Our thanks, again"))
    letter = build_letter(load_review(params))
    assert "Our thanks, again" in letter and "Our thanks, first." not in letter

    # replaced by another file (a new inode, as an editor's atomic save) with the same time and size
    replacement = style / "closing.tmp"
    replacement.write_text(closing.read_text(encoding="utf-8").replace("again", "third"), encoding="utf-8")
    stat = closing.stat()
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(replacement, closing)
    assert file_stamp(closing)[:2] == (stat.st_mtime_ns, stat.st_size)
    letter = build_letter(load_review(params))
    assert "Our thanks, third" in letter and "Our thanks, again" not in letter


def test_an_unchanged_style_is_not_read_again(mini: Path, edit_params: EditParams) -> None:
    """The cache still holds: the same words object while no file changes."""
    from toolkit.letter.style_words import words_of

    style, params = _region(mini, edit_params)
    review = load_review(params)
    folder = str(style)
    first = words_of(folder)
    assert words_of(folder) is first
    heading_title(review, "next")
    _edit(style / "words.yaml", (style / "words.yaml").read_text(encoding="utf-8"))
    assert words_of(folder) is not first
