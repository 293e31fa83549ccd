"""The one Jinja environment of a letter style, and the one way a style names its folder.

A letter style is a folder of templates (``toolkit/styles/<name>/`` or a path given in the
parameters), found by :func:`toolkit.inputs.styles.style_dir`. A region's style need only hold the
templates it changes: anything missing is taken from the ``standard`` style. All free text is
HTML-escaped by Jinja's autoescaping; the computed words of :mod:`toolkit.wording` are filters.
The environment is a sandbox (:mod:`toolkit.inputs.style_sandbox`): a template reads no file
outside its style and the standard one, and calls no code but the toolkit's.

Every part of the letter (its sections, the audit section and its charts, the briefing) renders
through :func:`environment_for`, so one style folder has one environment and its compiled templates
are reused between letters. Compiled templates are also kept on disk, in the toolkit's private
cache folder (:mod:`toolkit.inputs.cache`, ``templates/``; Jinja's own bytecode cache, checked
against each template's source), so a new process (a kernel, each draft's) does not compile them
again; ``PEER_REVIEW_CACHE=off`` turns it off with the rest of the cache. A template compiled in
this process is used again only while its file keeps the same stamp
(:func:`toolkit.inputs.styles.file_stamp`, the rule of every file a style holds) and the style's own
folder has not gained a template of that name that the standard style's was standing in for
(:class:`toolkit.inputs.style_sandbox.StyleLoader`).
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.exceptions import SecurityError

from toolkit import wording
from toolkit.errors import InputError, display_path
from toolkit.inputs.cache import cache_folder
from toolkit.inputs.glossary import merged_glossary
from toolkit.inputs.style_sandbox import sandboxed_environment
from toolkit.inputs.styles import DEFAULT_STYLE, STYLES_DIR, style_dir
from toolkit.letter import report_words


def style_folder(style: str | Path | None, root: Path | None = None) -> Path:
    """The folder of ``style`` (a shipped name, or a path relative to ``root``), or the standard
    style's folder when ``style`` is None or names no style."""
    found = None if style is None else style_dir(str(style), root)
    return found or STYLES_DIR / DEFAULT_STYLE


def _bytecode_cache(env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    """Jinja's bytecode cache in the toolkit's cache folder; ``None`` when the cache is off or the
    folder cannot be made. Compiled code depends on the filters too (whether each is passed the
    context) and on the ``finalize``, not on a template's source alone, so the folder is named after them."""
    folder = cache_folder()
    if folder is None:
        return None
    signature = ",".join([f"{name}:{getattr(f, 'jinja_pass_arg', '')}" for name, f in sorted(env.filters.items())]
                         + [f"finalize:{getattr(env.finalize, '__qualname__', '')}"])
    target = folder / "templates" / hashlib.sha256(signature.encode()).hexdigest()[:16]
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        target.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(target))


def _finalize(value: object) -> object:
    """Every printed value worded as the letter words it (:func:`toolkit.wording.as_words`); an
    undefined value is left to Jinja."""
    return value if isinstance(value, jinja2.Undefined) else wording.as_words(value)


@lru_cache(maxsize=16)
def environment_for(folder: str) -> jinja2.Environment:
    """One environment per style folder (sandboxed: :mod:`toolkit.inputs.style_sandbox`), falling
    back to the standard style's templates."""
    folders = [Path(folder)]
    if Path(folder) != STYLES_DIR / DEFAULT_STYLE:
        folders.append(STYLES_DIR / DEFAULT_STYLE)
    env = sandboxed_environment(folders, finalize=_finalize)
    env.filters.update(  # the report's words (docs/styles.md); style_sandbox.LETTER_FILTERS names them
        lower_words=_lower_words,
        with_article=report_words.with_article,
        sentence_start=report_words.sentence_start,
        scope_form=report_words.scope_form,
        scope_item=report_words.scope_item,
    )
    env.bytecode_cache = _bytecode_cache(env)
    return env


def proper_names(params: object) -> frozenset[str]:
    """The words that keep their capitals when a phrase is lowered: the glossary's acronyms (the
    shipped one and the review's own) and each word of the names the review's parameters give
    (the authority, region, programme, team and coordinator, and their organisations)."""
    names: list[str] = []
    if params is not None:
        for path in ("authority.name", "region.name", "programme.name", "coordinator.name",
                     "coordinator.organisation", "recipient.name", "recipient.organisation"):
            value: object = params
            for part in path.split("."):
                value = getattr(value, part, None)
            names.append(str(value or ""))
        for m in getattr(params, "team", ()):
            names += [m.name, m.organisation]
    own = getattr(params, "glossary", None) or {}
    return frozenset(_capitalised(names)) | frozenset(merged_glossary(own))


def _capitalised(names: Iterable[str]) -> Iterable[str]:
    for name in names:
        yield from (w for w in wording.WORDS.findall(name) if w[:1].isupper())


@jinja2.pass_context
def _lower_words(context: jinja2.runtime.Context, text: object) -> str:
    """Words in lower case as a sentence writes them: acronyms and the review's proper nouns kept
    as written (Jinja's ``lower`` lowers everything, for identifiers)."""
    return wording.lower_keeping(text, proper_names(context.get("p")))


def environment(style: str | Path | None, root: Path | None = None) -> jinja2.Environment:
    """The environment of ``style`` (see :func:`style_folder`)."""
    return environment_for(str(style_folder(style, root)))


#: What a template can raise while it renders, besides Jinja's own errors (a filter given a
#: wrong value, a division by zero, a macro that calls itself for ever).
_RENDER_ERRORS = (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError,
                  RecursionError)


@contextmanager
def template_errors(root: Path | None = None) -> Iterator[None]:
    """A style's template that fails while it renders becomes one :class:`InputError` naming the
    template's file and line (the innermost template frame), not a traceback through Jinja."""
    try:
        yield
    except _RENDER_ERRORS as exc:
        where = [(frame.f_code.co_filename, line) for frame, line in traceback.walk_tb(exc.__traceback__)
                 if frame.f_code.co_filename.endswith((".j2", ".css"))]
        if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
            where.append((exc.filename, exc.lineno))
        if not where:
            raise
        file, line = where[-1]
        text = (str(exc).splitlines() or [exc.__class__.__name__])[0]
        if isinstance(exc, SecurityError):
            message = f"a template may not do this ({text}): a style's templates are sandboxed (docs/styles.md)"
        else:
            message = f"the template failed ({exc.__class__.__name__}: {text}): correct the template (docs/styles.md)"
        raise InputError(display_path(file, root), message, line=line) from None
