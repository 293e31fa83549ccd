"""Style templates that cannot run code: the sandboxed Jinja environment of a letter style.

A letter style is a folder a review may bring itself (``letter_style: styles/north-east``), so its
templates are input, not code. They render in Jinja's :class:`~jinja2.sandbox.SandboxedEnvironment`
with three further limits (docs/styles.md, "What a template may do"):

* **Files**: :class:`StyleLoader` loads only files directly in the style's folder or the standard
  style's (a plain name ending ``.j2`` or ``.css``, no sub-folder, no ``..``); a file that is a
  link to somewhere outside those folders is refused, and so is one larger than
  :data:`toolkit.inputs.limits.TEMPLATE_BYTES`. ``include``, ``import`` and ``extends`` go
  through it, so nothing else can be read.
* **Attributes**: Jinja's sandbox already refuses names starting with ``_`` and the internals of
  functions and frames. Here, besides, no attribute of a path and no module is reachable, and
  only the toolkit's own functions, the template's macros and the plain methods of text,
  numbers, dates and containers can be called: a pydantic model's ``parse_file``, a path's
  ``read_text`` or a table's ``to_csv`` are refused.
* **Time**: the sandbox's ``range`` stops at 100,000 items; a template that loops for ever is
  stopped by the draft's time limit (:mod:`toolkit.build.timelimit`).

The letter layer makes one environment per style folder from :func:`sandboxed_environment`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import types
from collections.abc import Callable
from pathlib import Path, PurePath
from typing import Any

import jinja2
import jinja2.runtime
import jinja2.utils
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from toolkit import wording
from toolkit.inputs.files import is_regular_file
from toolkit.inputs.limits import TEMPLATE_BYTES
from toolkit.inputs.styles import FileStamp, file_stamp

#: The suffixes of the files a template may load (templates, and the stylesheet the page holds).
LOADABLE_SUFFIXES = (".j2", ".css")

#: Values whose plain methods a template may call (``", ".join``, ``text.split()``, ``list.append``).
_PLAIN_TYPES: tuple[type, ...] = (str, Markup, bytes, int, float, bool, list, tuple, dict, set, frozenset,
                                  dt.date, dt.datetime, dt.time, dt.timedelta, decimal.Decimal, type(None))

#: The modules whose callables a template may call: the toolkit's own code and Jinja's runtime
#: (macros, ``loop.cycle``, ``caller()``, ``super()``, ``namespace``, ``cycler``, ``joiner``).
_CALLABLE_MODULES = ("toolkit.", "jinja2.runtime", "jinja2.utils", "jinja2.sandbox", "jinja2.defaults")


class StyleTemplateRefused(jinja2.TemplateNotFound):
    """A template name or file a style may not load (outside its folder, a link out, too large)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(name, message)


class StyleLoader(jinja2.BaseLoader):
    """Templates of a style's folder, then of the standard style's, and nothing else."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [Path(os.path.realpath(f)) for f in folders]

    def _check_name(self, name: str) -> None:
        if ("/" in name or "\\" in name or name.startswith(".") or "\0" in name
                or not name.endswith(LOADABLE_SUFFIXES)):
            raise StyleTemplateRefused(name, f"{name!r} is not a file of the style's own folder: a template "
                                       "includes, imports or extends only another .j2 file of its style by its "
                                       "plain name (no folder, no '..')")

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        self._check_name(template)
        for at, folder in enumerate(self.folders):
            path = folder / template
            if not is_regular_file(path):
                continue
            if Path(os.path.realpath(path)).parent != folder:
                raise StyleTemplateRefused(template, f"{template!r} is a link to a file outside the style's folder: "
                                           "copy the file itself into the style's folder")
            try:
                stat = path.stat()
                if stat.st_size > TEMPLATE_BYTES:
                    raise StyleTemplateRefused(template, f"{template!r} is {stat.st_size:,} bytes; a style's file "
                                               f"may hold at most {TEMPLATE_BYTES:,}: split it into smaller templates")
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)  # taken before reading: an edit meanwhile reads again
            earlier = [f / template for f in self.folders[:at]]  # the standard's stands in for the style's own

            def uptodate(path: Path = path, stamp: FileStamp = stamp, earlier: list[Path] = earlier) -> bool:
                return file_stamp(path) == stamp and not any(is_regular_file(p) for p in earlier)

            return source, str(path), uptodate
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        for folder in self.folders:
            try:
                names.update(p.name for p in folder.iterdir() if p.name.endswith(LOADABLE_SUFFIXES))
            except OSError:
                continue
        return sorted(names)


def _plain_method(obj: Any) -> bool:
    """A method of a plain value (``str.split`` bound to a string...), builtin or not."""
    owner = getattr(obj, "__self__", None)
    return owner is not None and not isinstance(owner, types.ModuleType) and isinstance(owner, _PLAIN_TYPES) \
        and type(owner).__module__ in ("builtins", "datetime", "decimal", "markupsafe")


def _toolkit_callable(obj: Any) -> bool:
    """A function, bound method, macro or class of the toolkit or of Jinja's runtime."""
    function = getattr(obj, "__func__", obj)
    module = getattr(function, "__module__", None) or type(obj).__module__
    return isinstance(module, str) and module.startswith(_CALLABLE_MODULES)


class StyleSandbox(SandboxedEnvironment):
    """Jinja's sandbox with the style's limits: no path, no module, only known callables."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, (PurePath, types.ModuleType)) or isinstance(value, (PurePath, types.ModuleType)):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def is_safe_callable(self, obj: Any) -> bool:
        if not super().is_safe_callable(obj):
            return False
        return (_plain_method(obj) or _toolkit_callable(obj)
                or isinstance(obj, (jinja2.runtime.Macro, jinja2.utils.Namespace))
                or obj in (dict, range, self.globals.get("range")))


#: The filters of computed words every style may use (docs/styles.md).
FILTERS: dict[str, Callable[..., Any]] = {
    "capitalize": wording.capitalise_first,
    "short_statement": wording.short_statement,
    "ordinal_words": wording.ordinal_words,
    "ordinal": wording.ordinal,
    "long_date": wording.long_date,
    "month_year": wording.month_year,
    "date_list": wording.date_list,
    "join_words": wording.join_words,
    "number_words": wording.number_words,
    "plural": wording.plural,
    "letter_date": wording.letter_date,
    "counted": wording.counted,
    "day_numbers": wording.day_numbers,
    "region_in_sentence": wording.region_in_sentence,
    "canonical_region": wording.canonical_region,
}


#: The filters the letter layer adds to every style's environment (toolkit.letter.templates: the
#: report's words), known here by name so that ``validate`` accepts them.
LETTER_FILTERS = ("lower_words", "with_article", "sentence_start", "scope_form", "scope_item")


def sandboxed_environment(folders: list[Path], bytecode_cache: jinja2.BytecodeCache | None = None,
                          finalize: Callable[[Any], Any] | None = None) -> StyleSandbox:
    """The environment of a style whose templates are in ``folders`` (its own first, then the
    standard style's): sandboxed, autoescaped, undefined names an error."""
    env = StyleSandbox(
        loader=StyleLoader(folders),
        bytecode_cache=bytecode_cache,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters.update(FILTERS)
    return env
