"""Checking a letter style at ``validate``: every template compiled, every word parsed.

A style's template fails where the letter is rendered, in the kernel, as a cell of the notebook
("the letter notebook failed at cell 20: TemplateSyntaxError") unless it is checked first. So
:func:`check_style` compiles every ``.j2`` file of the style's own folder in the sandbox
(:mod:`toolkit.inputs.style_sandbox`), and every entry of its ``words.yaml`` and ``slides.yaml``,
and refuses, one line each naming the file and its line:

* a syntax error; a filter or test no style has; a name no template is given (a typo such as
  ``{{ reviw }}``);
* an ``include``, ``import`` or ``extends`` of a file that is not the style's (a path, ``..``, a
  link out of the folder) or that does not exist, or whose name is not written as a quoted name;
* a folder that has no ``document.yaml`` of its own, and a folder of nbconvert templates (a
  ``conf.json`` or an ``index.*.j2``) named as a letter style.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jinja2
import jinja2.meta
import yaml
from jinja2 import nodes

from toolkit.errors import InputError, display_path
from toolkit.inputs.files import file_problem, is_regular_file
from toolkit.inputs.limits import TEMPLATE_BYTES
from toolkit.inputs.style_sandbox import LETTER_FILTERS, StyleSandbox, StyleTemplateRefused, sandboxed_environment
from toolkit.inputs.styles import DEFAULT_STYLE, DOCUMENT_FILE, STYLES_DIR

#: The names the toolkit gives a style's templates (docs/styles.md lists them by template). A name
#: outside these is a typo and is refused at ``validate``.
TEMPLATE_NAMES = frozenset({
    "Kind", "actions", "appendix", "areas", "audit", "banner", "body", "by_reviewer", "cases", "checks",
    "counts", "css", "data", "day", "entries", "findings", "heading", "heads", "intro", "items", "kept_areas",
    "kept_strengths", "kept_urgent", "kloes", "lead", "leads", "linked", "marked", "missing", "numbers",
    "options", "others", "overdue", "p", "plan", "plan_themes", "previous", "prompts", "raw_total", "review",
    "rows", "s", "sef", "sessions", "sources", "supporting", "themes", "title", "views", "word", "_",
    # the report's parts (toolkit.letter.report_parts) and the names its templates pass on
    "ahead", "behind", "counted", "differ", "document_sections", "explored", "headline_themes", "overall_view",
    "r", "recommendation_groups", "repeats", "session_groups", "signatories", "story", "verb", "weak_outcomes",
    "average_note", "recorded", "area_one", "area_many", "author", "arrangement",
    # the themes report's templates (themes_*.html.j2; toolkit.letter.themes_report, docs/themes.md)
    "audited", "by_area", "by_framework", "by_kind", "charts", "d", "flags", "many", "moderation", "plans",
    "progress", "reviews", "sections", "statuses", "totals",
})

#: The files that mark a folder of nbconvert templates (an exporter's, not a letter style).
_NBCONVERT_MARKS = ("conf.json",)

_WORD_FILES = ("words.yaml", "slides.yaml")


def _shown(path: Path, root: Path | None) -> str:
    return display_path(path, root)


def check_style(folder: Path, root: Path | None = None) -> list[InputError]:
    """Every problem of the style in ``folder`` (empty for a style that renders); a shipped style
    is checked by the toolkit's own tests, so only a review's own folder is looked at."""
    try:
        if folder.resolve().is_relative_to(STYLES_DIR.resolve()):
            return []
    except OSError:
        return []
    shown = _shown(folder, root)
    nbconvert = [p.name for p in sorted(folder.iterdir()) if p.name in _NBCONVERT_MARKS
                 or (p.name.startswith("index.") and p.suffix == ".j2")]
    if nbconvert:
        return [InputError(shown, f"this is a folder of nbconvert templates ({', '.join(nbconvert)}), not a "
                           "letter style: name a folder holding a document.yaml and the style's .j2 templates "
                           "(docs/styles.md)", column="letter_style")]
    if not is_regular_file(folder / DOCUMENT_FILE):
        return [InputError(shown, f"a letter style needs its own {DOCUMENT_FILE} listing its sections: copy "
                           f"toolkit/styles/{DEFAULT_STYLE}/{DOCUMENT_FILE} into the folder and edit it "
                           "(docs/styles.md)", column="letter_style")]
    env = sandboxed_environment([folder, STYLES_DIR / DEFAULT_STYLE])
    env.filters.update(dict.fromkeys(LETTER_FILTERS, str))  # compiled, not run: their names suffice
    errors: list[InputError] = []
    for path in sorted(folder.glob("*.j2")):
        errors.extend(_check_template(env, path, _shown(path, root)))
    for name in _WORD_FILES:
        if (folder / name).exists():
            errors.extend(_check_words(env, folder / name, _shown(folder / name, root)))
    return errors


def _source(path: Path, shown: str) -> tuple[str | None, InputError | None]:
    problem = file_problem(path)
    if problem is not None:
        return None, InputError(shown, problem)
    if path.stat().st_size > TEMPLATE_BYTES:
        return None, InputError(shown, f"the file is {path.stat().st_size:,} bytes; a style's file may hold at most "
                                f"{TEMPLATE_BYTES:,}: split it into smaller templates")
    try:
        return path.read_text(encoding="utf-8"), None
    except (OSError, UnicodeDecodeError):
        return None, InputError(shown, "cannot be read as UTF-8 text: save it again as UTF-8")


def _compile(env: jinja2.Environment, text: str, shown: str, line: int | None = None,
             column: str | None = None) -> tuple[nodes.Template | None, list[InputError]]:
    """The template's syntax tree, or the error naming its line (``line``: where the text starts
    in its file, for words)."""
    def at(lineno: int | None) -> int | None:
        return (line or 1) + (lineno or 1) - 1 if line is not None or lineno is not None else None

    try:
        tree = env.parse(text)
        env.compile(tree)
    except jinja2.TemplateSyntaxError as exc:
        return None, [InputError(shown, f"template error: {exc.message}: correct the template", line=at(exc.lineno),
                                 column=column)]
    errors = []
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        known = {*env.filters, *LETTER_FILTERS} if isinstance(node, nodes.Filter) else set(env.tests)
        if node.name not in known:
            kind = "filter" if isinstance(node, nodes.Filter) else "test"
            errors.append(InputError(shown, f"no {kind} named {node.name!r}: the filters a style may use are listed "
                                     "in docs/styles.md", line=at(node.lineno), column=column))
    return tree, errors


def _check_template(env: StyleSandbox, path: Path, shown: str) -> list[InputError]:
    text, problem = _source(path, shown)
    if problem is not None or text is None:
        return [problem] if problem is not None else []
    tree, errors = _compile(env, text, shown)
    if tree is None:
        return errors
    for node in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        target = getattr(node, "template", None)
        if not isinstance(target, nodes.Const) or not isinstance(target.value, str):
            errors.append(InputError(shown, "include, import and extends name a template of the style in quotes "
                                     "(such as \"_finding.html.j2\"), not a computed name", line=node.lineno))
            continue
        try:
            env.loader.get_source(env, target.value)  # type: ignore[union-attr]
        except StyleTemplateRefused as exc:
            errors.append(InputError(shown, str(exc.message), line=node.lineno))
        except jinja2.TemplateNotFound:
            errors.append(InputError(shown, f"no template {target.value!r} in the style's folder or the standard "
                                     "style's: check its name", line=node.lineno))
    known = TEMPLATE_NAMES | set(env.globals)
    unknown = sorted(jinja2.meta.find_undeclared_variables(tree) - known)
    for name in unknown:
        first = min((n.lineno for n in tree.find_all(nodes.Name) if n.name == name), default=None)
        errors.append(InputError(shown, f"no name {name!r} is given to a style's templates: check its spelling "
                                 "(the names are listed in docs/styles.md)", line=first))
    return errors


def _strings(node: yaml.Node, path: str) -> Iterator[tuple[str, yaml.ScalarNode]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if path == "" and str(key.value) == "headings":
                continue  # headings are printed as they are written, never rendered
            yield from _strings(value, f"{path}.{key.value}" if path else str(key.value))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _strings(item, f"{path}[{i}]")
    elif isinstance(node, yaml.ScalarNode) and node.tag.endswith(":str"):
        yield path, node


def _check_words(env: StyleSandbox, path: Path, shown: str) -> list[InputError]:
    text, problem = _source(path, shown)
    if problem is not None or text is None:
        return [problem] if problem is not None else []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [InputError(shown, "not valid YAML: check the quotes, colons and indentation",
                           line=mark.line + 1 if mark is not None else None)]
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        return [InputError(shown, "expected a mapping of words (key: text), as in toolkit/styles/standard/"
                           f"{path.name}")]
    plain = env.overlay(autoescape=False)
    errors: list[InputError] = []
    for key, node in _strings(root, ""):
        errors.extend(_compile(plain, str(node.value), shown, line=node.start_mark.line + 1, column=key)[1])
    return errors
