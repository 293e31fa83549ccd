"""The review's own words for the letter's own paragraphs (``letter_text:``), printed in place.

A coordinator who rewords a paragraph the letter writes itself (the opening's framing, the
process, the next steps) in letter.docx makes it the review's own: ``peer-review absorb`` keeps
the words in the parameters' ``letter_text``, keyed by the paragraph's place as letter.docx names
it (``process:2`` for the part ``text:process:2``: :func:`toolkit.letter.docx_parts.places`).
:func:`apply_own_words` puts them in the document's sections before anything else reads them, so
the notebook, the HTML, the PDF and the Word copy all say the same.

The words are text: escaped, with no markup of their own. Words left empty ("") leave the
paragraph empty; it stays in the page (hidden), so every later paragraph keeps its place and its
name. Places are counted on the document as the style writes it, so a key always names the same
paragraph however many of them the review rewords. A review with no ``letter_text`` gets its
sections exactly as rendered (the same bytes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bs4 import BeautifulSoup, Tag

from toolkit.letter.docx_parts import places

PREFIX = "text:"
_WRAP = "data-own-words"


#: Blocks inside a paragraph's tag that are parts of their own (a scope item's sub-list): kept.
_OWN_PARTS = ("ul", "ol", "p", "table", "div", "figure")


def _set_words(tag: Tag, words: str) -> None:
    """The tag's own words replaced (its sub-lists kept: they are parts of their own); no words and
    nothing kept: the tag is hidden, so it still counts for the places of the parts after it."""
    kept = [c for c in tag.children if isinstance(c, Tag) and c.name in _OWN_PARTS]
    for child in list(tag.children):
        if child not in kept:
            child.extract()
    if words:
        tag.insert(0, words)  # a NavigableString: escaped when the page is written
    elif not kept:
        tag["hidden"] = ""


def apply_own_words(htmls: Sequence[str], words: Mapping[str, str]) -> list[str]:
    """``htmls`` (a document's sections, in order) with each paragraph ``words`` names in its
    words; a section with none of them is returned as it was, byte for byte."""
    if not words:
        return list(htmls)
    soup = BeautifulSoup("".join(f'<div {_WRAP}="{i}">{h}</div>' for i, h in enumerate(htmls)), "html.parser")
    tags = {id(t): t for t in soup.find_all(True)}
    changed: set[int] = set()
    for tag_id, place in places(soup).items():
        key = place.part[len(PREFIX):] if place.part.startswith(PREFIX) else None
        if key is None or key not in words:
            continue
        tag = tags[tag_id]
        _set_words(tag, words[key])
        wrapper = tag.find_parent("div", attrs={_WRAP: True})
        if isinstance(wrapper, Tag):
            changed.add(int(str(wrapper[_WRAP])))
    out = list(htmls)
    for wrapper in soup.find_all("div", attrs={_WRAP: True}):
        i = int(str(wrapper[_WRAP]))
        if i in changed:
            out[i] = wrapper.decode_contents()
    return out
