"""Reading an edited copy of the draft letter.docx into its identified parts (issue 28).

The draft's paragraphs carry hidden bookmarks naming their part (:mod:`toolkit.letter.docx_parts`).
:func:`read_copy` reads a copy saved by Word, LibreOffice or a script into a :class:`LetterCopy`:

* each paragraph of the body, in order (tables are the review's figures, not read), with its
  words as they read once every tracked change is accepted (an insertion kept, a deletion
  dropped, a paragraph whose mark was deleted joined to the next), the bookmark it carries (the
  part's id hash, its place in the part, the hash of the part's words as drafted), the leading
  bold words (a finding's statement) and whether a tracked change is still pending in it;
* each tracked change still pending, to list (:class:`PendingChange`);
* each comment with its author, words, the paragraph it is anchored on, the comment it answers
  (Word's ``commentsExtended`` part, or a reply written as a comment on the same paragraph) and
  whether it is resolved (``done``);
* the draft's id from the document's properties (``dc:identifier``), when the editor kept it.

A file that is not a Word document, or too big, is one :class:`InputError` naming the file.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from docx.oxml.parser import parse_xml

from toolkit.errors import InputError
from toolkit.inputs.files import regular_file

MESSAGES = Path(__file__).resolve().parents[1] / "catalogue" / "absorb.yaml"
#: A letter.docx as saved (a demo's is under 1 MB with its charts), and its parts once inflated.
DOCX_BYTES = 20 * 1024 * 1024
DOCX_INFLATED_BYTES = 60 * 1024 * 1024

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_NS = {"w": W, "w15": W15}
_BOOKMARK = re.compile(r"^_PR_([0-9a-f]{10})_(\d+)_([0-9a-f]{10})([0-9a-f]{6})?([0-9a-f]{6})?$")
_DC = "{http://purl.org/dc/elements/1.1/}identifier"
_OFF = ("0", "false", "off")


@functools.cache
def _messages() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))
    return data


def message(key: str, **values: object) -> str:
    """A sentence of ``catalogue/absorb.yaml`` with its values filled in."""
    return str(_messages()[key]).format(**values)


def names(key: str) -> dict[str, str]:
    """A table of words of ``catalogue/absorb.yaml`` (a section's name, a kind's plural)."""
    return {str(k): str(v) for k, v in _messages()[key].items()}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True)
class Mark:
    """A part's hidden bookmark: its id hash, the paragraph's place in the part, the drafted hash
    of the part's words and, for a finding, of its statement and its detail."""
    part: str
    index: int
    drafted: str
    statement: str = ""
    detail: str = ""


@dataclass(frozen=True)
class CopyParagraph:
    text: str
    mark: Mark | None = None
    statement: str = ""  # the leading bold words
    pending: bool = False
    style: str = ""


@dataclass(frozen=True)
class PendingChange:
    paragraph: int  # index into LetterCopy.paragraphs
    what: str  # "insertion", "deletion", "move" or "formatting"
    author: str
    text: str


@dataclass(frozen=True)
class CopyComment:
    id: str
    author: str
    text: str
    paragraph: int | None  # index into LetterCopy.paragraphs, None when its anchor is lost
    parent: str | None = None  # the id of the comment it answers
    done: bool = False


@dataclass(frozen=True)
class LetterCopy:
    file: str
    paragraphs: tuple[CopyParagraph, ...]
    comments: tuple[CopyComment, ...] = ()
    pending: tuple[PendingChange, ...] = ()
    draft_id: str = ""

    @property
    def marked(self) -> bool:
        return any(p.mark is not None for p in self.paragraphs)


def _is_deleted(node: Any) -> bool:
    """Inside a tracked deletion (or the source of a tracked move): not in the accepted text."""
    for parent in node.iterancestors():
        if parent.tag in (_w("del"), _w("moveFrom")):
            return True
        if parent.tag == _w("p"):
            return False
    return False


def _run_text(run: Any) -> str:
    out = []
    for node in run:
        if node.tag == _w("t"):
            out.append(node.text or "")
        elif node.tag == _w("tab"):
            out.append("\t")
        elif node.tag in (_w("br"), _w("cr")):
            out.append("\n")
        elif node.tag == _w("noBreakHyphen"):
            out.append("-")
    return "".join(out)


def _bold(run: Any) -> bool:
    b = run.find("w:rPr/w:b", _NS)
    return b is not None and b.get(_w("val"), "true").lower() not in _OFF


def _paragraph_words(p: Any) -> tuple[str, str]:
    """The paragraph's accepted words and its leading bold words."""
    text: list[str] = []
    statement: list[str] = []
    leading = True
    for run in p.iter(_w("r")):
        if _is_deleted(run):
            continue
        words = _run_text(run)
        if leading and words.strip() and not _bold(run):
            leading = False
        if leading:
            statement.append(words)
        text.append(words)
    return "".join(text), "".join(statement).strip()


def _mark_of(p: Any, before: list[str]) -> Mark | None:
    names = [b.get(_w("name"), "") for b in p.iter(_w("bookmarkStart"))] + before
    for name in names:
        found = _BOOKMARK.match(name)
        if found:
            return Mark(found[1], int(found[2]), found[3], found[4] or "", found[5] or "")
    return None


def _changes_in(p: Any, index: int) -> list[PendingChange]:
    out = []
    kinds = {"ins": "insertion", "del": "deletion", "moveFrom": "move", "moveTo": "move",
             "rPrChange": "formatting", "pPrChange": "formatting"}
    for node in p.iter(*(_w(k) for k in kinds)):
        local = str(node.tag).rsplit("}", 1)[-1]
        if local in ("ins", "del") and node.getparent() is not None and node.getparent().tag == _w("rPr"):
            continue  # a paragraph mark's: counted with the paragraph join
        words = "".join(_run_text(r) + "".join(t.text or "" for t in r.iter(_w("delText"))) for r in node.iter(_w("r")))
        out.append(PendingChange(index, kinds[local], node.get(_w("author"), ""), words.strip()))
    return out


def _mark_deleted(p: Any) -> bool:
    return p.find("w:pPr/w:rPr/w:del", _NS) is not None


def _style(p: Any) -> str:
    style = p.find("w:pPr/w:pStyle", _NS)
    return style.get(_w("val"), "") if style is not None else ""


def _read_body(body: Any) -> tuple[list[CopyParagraph], list[PendingChange], dict[str, int]]:
    """The body's paragraphs (not those in tables), the pending changes and each comment's anchor."""
    paragraphs: list[CopyParagraph] = []
    pending: list[PendingChange] = []
    anchors: dict[str, int] = {}
    loose: list[str] = []  # bookmarks between paragraphs: the next paragraph's
    joined: tuple[str, str, Mark | None, bool, str] | None = None
    for child in body:
        if child.tag == _w("bookmarkStart"):
            loose.append(child.get(_w("name"), ""))
            continue
        if child.tag != _w("p"):
            continue
        text, statement = _paragraph_words(child)
        mark = _mark_of(child, loose)
        loose = []
        changes = _changes_in(child, len(paragraphs))
        if joined is not None:  # the previous paragraph's mark was deleted: one paragraph now
            kept = bool(joined[0].strip())  # a paragraph deleted whole gives the next nothing of its own
            text, statement = joined[0] + text, (joined[1] if kept else "") or statement
            mark, changes_before, style = (joined[2] if kept else None) or mark, joined[3], joined[4]
        else:
            changes_before, style = False, _style(child)
        for ref in child.iter(_w("commentRangeStart"), _w("commentReference")):
            anchors.setdefault(ref.get(_w("id"), ""), len(paragraphs))
        if _mark_deleted(child):
            joined = (text, statement, mark, changes_before or bool(changes), style)
            pending.extend(changes)
            continue
        joined = None
        pending.extend(changes)
        if not text.strip():
            continue
        paragraphs.append(CopyParagraph(text, mark, statement, changes_before or bool(changes), style))
    return paragraphs, pending, anchors


def _xml(archive: zipfile.ZipFile, name: str) -> Any | None:
    try:
        data = archive.read(name)
    except KeyError:
        return None
    return parse_xml(data)  # python-docx's parser: no entities resolved, no network


def _comments(archive: zipfile.ZipFile, anchors: dict[str, int]) -> list[CopyComment]:
    root = _xml(archive, "word/comments.xml")
    if root is None:
        return []
    extended = _xml(archive, "word/commentsExtended.xml")
    by_para: dict[str, tuple[str | None, bool]] = {}
    if extended is not None:
        for ex in extended.iter(f"{{{W15}}}commentEx"):
            by_para[ex.get(f"{{{W15}}}paraId", "")] = (ex.get(f"{{{W15}}}paraIdParent"),
                                                       ex.get(f"{{{W15}}}done", "0") in ("1", "true"))
    para_owner: dict[str, str] = {}
    found = []
    for c in root.iter(_w("comment")):
        cid = c.get(_w("id"), "")
        paras = c.findall("w:p", _NS)
        ids = [p.get(f"{{{W14}}}paraId", "") for p in paras]
        for pid in ids:
            para_owner[pid] = cid
        text = "\n".join(_paragraph_words(p)[0] for p in paras)
        found.append((cid, c.get(_w("author"), ""), text, ids[-1] if ids else ""))
    out = []
    for cid, author, text, last in found:
        parent_para, done = by_para.get(last, (None, False))
        parent = para_owner.get(parent_para) if parent_para else None
        out.append(CopyComment(cid, author, text.strip(), anchors.get(cid), parent, done))
    return out


def _draft_id(archive: zipfile.ZipFile) -> str:
    core = _xml(archive, "docProps/core.xml")
    found = core.find(_DC) if core is not None else None
    return (found.text or "").strip() if found is not None else ""


def read_copy(path: Path, shown: str | None = None) -> LetterCopy:
    """The copy at ``path`` read into its parts; :class:`InputError` naming ``shown`` when it is
    not a Word document, is too big, or cannot be read."""
    shown = shown or str(path)
    regular_file(path, shown, DOCX_BYTES)
    return read_copy_bytes(path.read_bytes(), shown)


def read_copy_bytes(data: bytes, shown: str) -> LetterCopy:
    """:func:`read_copy` of a document's bytes (the current draft, made in memory)."""
    if len(data) > DOCX_BYTES:
        raise InputError(shown, message("too_big", limit=DOCX_BYTES // (1024 * 1024)))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(m.file_size for m in archive.infolist()) > DOCX_INFLATED_BYTES:
                raise InputError(shown, message("too_big_inflated", limit=DOCX_INFLATED_BYTES // (1024 * 1024)))
            document = _xml(archive, "word/document.xml")
            body = document.find("w:body", _NS) if document is not None else None
            if body is None:
                raise InputError(shown, message("not_docx"))
            paragraphs, pending, anchors = _read_body(body)
            return LetterCopy(shown, tuple(paragraphs), tuple(_comments(archive, anchors)), tuple(pending),
                              _draft_id(archive))
    # lxml's XMLSyntaxError is a SyntaxError
    except (zipfile.BadZipFile, zipfile.LargeZipFile, SyntaxError, ValueError, OSError, EOFError):
        raise InputError(shown, message("not_docx")) from None
