"""Finding a letter style's folder and its files: the one resolver every stage uses.

A style is a folder of Jinja templates (``*.j2``), ``words.yaml`` and ``style.css``; a shipped style
is named by its folder under ``toolkit/styles/``, a project's own by a path relative to the
project root. A folder that holds none of a style's files is not a style, so ``letter_style: ../..``
is refused at validation instead of being walked.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.inputs.files import is_regular_file

STYLES_DIR = Path(__file__).parents[1] / "styles"
DEFAULT_STYLE = "standard"

#: The files a letter style folder holds (directly, with no sub-folders of templates).
STYLE_FILE_SUFFIXES = (".j2", ".css", ".yaml", ".pptx", ".docx")


def style_files(folder: Path) -> list[Path]:
    """The style's own files in ``folder`` (templates, ``words.yaml``, stylesheet), sorted."""
    try:
        return sorted(p for p in folder.iterdir() if p.suffix in STYLE_FILE_SUFFIXES and is_regular_file(p))
    except OSError:
        return []


def style_dir(style: str, root: Path | None = None) -> Path | None:
    """The folder of a letter style: a shipped name or a path (relative to the project root).

    A folder counts as a style only when it holds a style's files (templates ending ``.j2``,
    ``words.yaml`` or ``style.css``), so ``letter_style: ../..`` is refused, not walked.
    """
    shipped = STYLES_DIR / style
    if "/" not in style and "\\" not in style and style not in ("", ".", "..") and shipped.is_dir():
        return shipped
    candidate = (root or Path.cwd()) / style
    try:
        if not candidate.is_dir():
            return None
    except (OSError, ValueError):
        return None
    own = style_files(candidate)
    if not any(p.suffix == ".j2" or p.name in ("words.yaml", "style.css") for p in own):
        return None
    return candidate
