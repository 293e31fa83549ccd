"""Finding a letter style's folder and its files: the one resolver every stage uses.

A style is a folder of Jinja templates (``*.j2``), ``words.yaml`` and ``style.css``; a shipped style
is named by its folder under ``toolkit/styles/``, a project's own by a path relative to the
project root. A folder that holds none of a style's files is not a style, so ``letter_style: ../..``
is refused at validation instead of being walked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.files import is_regular_file
from toolkit.inputs.yamlfiles import parse_yaml, yaml_error

STYLES_DIR = Path(__file__).parents[1] / "styles"
DEFAULT_STYLE = "standard"

#: The file in a style folder that lists the document's sections in order.
DOCUMENT_FILE = "document.yaml"

#: Files that make a folder a style, besides its templates (the deck's words and template too).
STYLE_NAMES = ("words.yaml", "style.css", DOCUMENT_FILE, "slides.yaml", "slides.pptx")

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
    ``words.yaml``, ``style.css``, ``document.yaml`` or the deck's ``slides.yaml`` and ``slides.pptx``),
    so ``letter_style: ../..`` is refused, not walked.
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
    if not any(p.suffix == ".j2" or p.name in STYLE_NAMES for p in own):
        return None
    return candidate

#: Every section a style's document may list (the letter layer renders each one).
SECTION_NAMES = (
    "title_page", "opening", "purpose", "team", "kloe_list", "methodology", "settings", "cases",
    "glossary", "process", "overall", "overall_view",
    "headlines", "urgent", "kloes", "evidence", "audit", "performance",
    "sef", "progress", "recommendations", "closing",
)

#: The options a style's document may set, with their defaults (true or false).
DOCUMENT_OPTIONS: dict[str, bool] = {"finding_bullets": False, "spell_out_first_use": False,
                                     "numbered_headings": True, "appendix": True, "plan_themes": False,
                                     "urgent_always": False}
#: The options that are a whole number, with their defaults: how many indicators the letter's
#: performance section states at most (the rest go to the appendix and the briefing pack), and
#: how many of those the findings rest on it charts at most; and how many of the unusual
#: indicators the briefing pack charts (the most unusual first, so that the pack stays short);
#: and how many lines of room the signature block leaves to sign in, above the lead's name.
NUMBER_OPTIONS: dict[str, int] = {"performance_indicators": 5, "performance_charts": 1, "briefing_charts": 3,
                                  "signature_lines": 3}


@dataclass(frozen=True)
class DocumentSection:
    """One entry of a style's document: a section name, its template and the row it is on."""
    name: str
    template: str
    row: int


@dataclass(frozen=True)
class Document:
    """A style's document: its sections in order and its options."""
    file: str
    sections: tuple[DocumentSection, ...]
    options: dict[str, bool | int] = field(default_factory=dict)

    def option(self, key: str) -> bool:
        return bool(self.options.get(key, DOCUMENT_OPTIONS[key]))

    def number(self, key: str) -> int:
        return int(self.options.get(key, NUMBER_OPTIONS[key]))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sections)


#: A file's identity as the caches of a style's files key it: modification time (ns), size and inode.
FileStamp = tuple[int, int, int]


def file_stamp(path: Path) -> FileStamp:
    """``path``'s :data:`FileStamp`, ``(0, 0, 0)`` when it cannot be read. Every cache of a style's
    files (``document.yaml``, ``words.yaml``, ``slides.yaml``, the templates) is keyed by the file's
    path and this stamp, so an edited file is read again in a running process (a Jupyter session,
    the capture app, a warm kernel, the drafting daemon)."""
    try:
        info = path.stat()
    except OSError:
        return (0, 0, 0)
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def document_file(folder: Path) -> Path:
    """The style's own ``document.yaml``, or the standard style's when it has none."""
    own = folder / DOCUMENT_FILE
    return own if is_regular_file(own) else STYLES_DIR / DEFAULT_STYLE / DOCUMENT_FILE


def _row(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def read_document(folder: Path, root: Path | None = None) -> Document:
    """The sections ``folder``'s style lists, checked: an unknown name, a bad entry or a template
    the style lacks is an :class:`InputError` naming the style file and its row."""
    path = document_file(folder)
    return _read_document(str(path), _shown(path, root), str(folder), file_stamp(path))


def _shown(path: Path, root: Path | None) -> str:
    try:
        return "toolkit/styles/" + path.resolve().relative_to(STYLES_DIR.resolve()).as_posix()
    except ValueError:
        return display_path(path, root)


@lru_cache(maxsize=16)
def _read_document(path: str, shown: str, folder: str, stamp: FileStamp) -> Document:
    try:
        text = Path(path).read_text(encoding="utf-8")
        parse_yaml(text)  # a key written twice is refused here, with its line
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed([InputError(shown, f"cannot read the style's document ({exc.__class__.__name__}): "
                                           "save it as UTF-8 text")]) from None
    except yaml.YAMLError as exc:
        raise ValidationFailed([yaml_error(exc, shown)]) from None
    if not isinstance(root, yaml.MappingNode):
        raise ValidationFailed([InputError(shown, "expected a mapping with a list of sections under 'sections'")])
    fields = {str(k.value): v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    errors: list[InputError] = []
    sections = _sections(fields.get("sections"), shown, errors, _row(root))
    for s in sections:
        if not any(is_regular_file(Path(base) / s.template) for base in (folder, STYLES_DIR / DEFAULT_STYLE)):
            errors.append(InputError(shown, f"section {s.name!r}: no template {s.template!r} in the style's folder",
                                     row=s.row))
    options = _options(fields.get("options"), shown, errors)
    for key, node in fields.items():
        if key not in ("sections", "options"):
            errors.append(InputError(shown, f"unknown field {key!r}: a style's document holds 'sections' and "
                                     "'options'", row=_row(node)))
    if errors:
        raise ValidationFailed(errors)
    return Document(shown, tuple(sections), options)


def _sections(node: yaml.Node | None, shown: str, errors: list[InputError], row: int) -> list[DocumentSection]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        errors.append(InputError(shown, "'sections' must list the document's sections in order", row=row))
        return []
    out: list[DocumentSection] = []
    known = ", ".join(SECTION_NAMES)
    for item in node.value:
        name: str | None = None
        template: str | None = None
        if isinstance(item, yaml.ScalarNode):
            name = str(item.value)
        elif isinstance(item, yaml.MappingNode):
            entry = {str(k.value): v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
            for key in entry:
                if key not in ("name", "template"):
                    errors.append(InputError(shown, f"unknown field {key!r} in a section: a section has a 'name' "
                                             "and may name its 'template'", row=_row(entry[key])))
            name_node, template_node = entry.get("name"), entry.get("template")
            name = str(name_node.value) if isinstance(name_node, yaml.ScalarNode) else None
            template = str(template_node.value) if isinstance(template_node, yaml.ScalarNode) else None
        if name is None:
            errors.append(InputError(shown, "a section must be a name, or a mapping with a 'name'", row=_row(item)))
            continue
        if name not in SECTION_NAMES:
            errors.append(InputError(shown, f"unknown section {name!r}: a style's document may list {known}",
                                     row=_row(item)))
            continue
        if template is not None and ("/" in template or "\\" in template or not template.endswith(".j2")):
            errors.append(InputError(shown, f"template {template!r}: name a .j2 file in the style's folder",
                                     row=_row(item)))
            continue
        out.append(DocumentSection(name, template or f"{name}.html.j2", _row(item)))
    return out


def _options(node: yaml.Node | None, shown: str, errors: list[InputError]) -> dict[str, bool | int]:
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        errors.append(InputError(shown, "'options' must be a mapping of option: true or false", row=_row(node)))
        return {}
    out: dict[str, bool | int] = {}
    for key_node, value in node.value:
        key = str(key_node.value)
        if key in NUMBER_OPTIONS:
            if not isinstance(value, yaml.ScalarNode) or not value.value.isdigit() or not 0 <= int(value.value) < 100:
                errors.append(InputError(shown, f"option {key!r} must be a whole number from 0 to 99", row=_row(value)))
            else:
                out[key] = int(value.value)
        elif key not in DOCUMENT_OPTIONS:
            errors.append(InputError(shown, f"unknown option {key!r}: the options are "
                                     f"{', '.join([*DOCUMENT_OPTIONS, *NUMBER_OPTIONS])}", row=_row(key_node)))
        elif not isinstance(value, yaml.ScalarNode) or value.value not in ("true", "false"):
            errors.append(InputError(shown, f"option {key!r} must be true or false", row=_row(value)))
        else:
            out[key] = value.value == "true"
    return out
