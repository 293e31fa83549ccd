"""The one Jinja environment of a letter style, and the one way a style names its folder.

A letter style is a folder of templates (``toolkit/styles/<name>/`` or a path given in the
parameters), found by :func:`toolkit.inputs.styles.style_dir`. A region's style need only hold the
templates it changes: anything missing is taken from the ``standard`` style. All free text is
HTML-escaped by Jinja's autoescaping; the computed words of :mod:`toolkit.wording` are filters.

Every part of the letter (its sections, the audit section and its charts, the briefing) renders
through :func:`environment_for`, so one style folder has one environment and its compiled templates
are reused between letters. Compiled templates are also kept on disk, in the toolkit's private
cache folder (:mod:`toolkit.inputs.cache`, ``templates/``; Jinja's own bytecode cache, checked
against each template's source), so a new process (a kernel, each draft's) does not compile them
again; ``PEER_REVIEW_CACHE=off`` turns it off with the rest of the cache.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from toolkit import wording
from toolkit.inputs.cache import cache_folder
from toolkit.inputs.styles import DEFAULT_STYLE, STYLES_DIR, style_dir
from toolkit.letter import report_words


def style_folder(style: str | Path | None, root: Path | None = None) -> Path:
    """The folder of ``style`` (a shipped name, or a path relative to ``root``), or the standard
    style's folder when ``style`` is None or names no style."""
    found = None if style is None else style_dir(str(style), root)
    return found or STYLES_DIR / DEFAULT_STYLE


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's bytecode cache in the toolkit's cache folder; ``None`` when the cache is off or the
    folder cannot be made."""
    folder = cache_folder()
    if folder is None:
        return None
    target = folder / "templates"
    try:
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(target))


@lru_cache(maxsize=16)
def environment_for(folder: str) -> jinja2.Environment:
    """One environment per style folder, falling back to the standard style's templates."""
    loaders = [jinja2.FileSystemLoader(folder)]
    if Path(folder) != STYLES_DIR / DEFAULT_STYLE:
        loaders.append(jinja2.FileSystemLoader(str(STYLES_DIR / DEFAULT_STYLE)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        ordinal_words=wording.ordinal_words,
        ordinal=wording.ordinal,
        long_date=wording.long_date,
        month_year=wording.month_year,
        date_list=wording.date_list,
        join_words=wording.join_words,
        number_words=wording.number_words,
        plural=wording.plural,
        letter_date=wording.letter_date,
        counted=wording.counted,
        day_numbers=wording.day_numbers,
        region_in_sentence=wording.region_in_sentence,
        canonical_region=wording.canonical_region,
        with_article=report_words.with_article,
        sentence_start=report_words.sentence_start,
        scope_form=report_words.scope_form,
        scope_item=report_words.scope_item,
    )
    return env


def environment(style: str | Path | None, root: Path | None = None) -> jinja2.Environment:
    """The environment of ``style`` (see :func:`style_folder`)."""
    return environment_for(str(style_folder(style, root)))
