"""Small helpers shared by the capture app's tabs: escaped messages, guarded callbacks, tables.

Every piece of text a reviewer typed or a file holds goes through :func:`html.escape` before it
reaches an HTML widget. Widget callbacks run inside :func:`guarded`, so a failure becomes a message
in the form (and a line in the server's log), never a Python traceback on the page.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import ipywidgets as widgets
import yaml

from toolkit.capture.records import FormMessage
from toolkit.errors import ToolkitError
from toolkit.inputs import privacy

log = logging.getLogger("toolkit.capture")
F = TypeVar("F", bound=Callable[..., Any])

STYLE = """
<style>
.pr-app { max-width: 70rem; font-size: 15px; }
.pr-app h1 { font-size: 1.6rem; margin: 0.2rem 0 0.6rem; }
.pr-msg { padding: 0.4rem 0.7rem; margin: 0.3rem 0; border-radius: 4px; }
.pr-msg-error { background: #fde8e8; border-left: 4px solid #b00020; color: #5c0011; }
.pr-msg-ok { background: #e6f4ea; border-left: 4px solid #1e7b34; color: #0b3d17; }
.pr-msg-info { background: #eef3fb; border-left: 4px solid #2a5db0; color: #10284f; }
.pr-table { border-collapse: collapse; margin: 0.4rem 0; }
.pr-table th, .pr-table td { border: 1px solid #bbb; padding: 0.25rem 0.5rem; vertical-align: top; text-align: left; }
.pr-table th { background: #f1f1f1; }
.pr-prompt-text { width: 30rem; }
.pr-app .widget-hbox { flex-wrap: wrap; }
.pr-app .pr-table { max-width: 100%; }
.pr-app .pr-table th, .pr-app .pr-table td { overflow-wrap: anywhere; }
.pr-app .pr-listing { flex-direction: column; align-items: stretch; }
.pr-app .pr-listing > .widget-label { width: auto; max-width: none; text-align: left; font-weight: 600; }
</style>
"""


WORDS_FILE = Path(__file__).resolve().parent / "share" / "words.yaml"


@functools.cache
def _words() -> dict[str, str]:
    loaded = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in loaded.items()}


def words(key: str, **values: object) -> str:
    """A sentence of ``share/words.yaml`` with its values filled in (not escaped: show it escaped)."""
    return _words()[key].format(**values)


def words_template(key: str) -> str:
    """A sentence of ``share/words.yaml`` with its ``{braces}`` left in: escape it, then fill them in
    with HTML that is already escaped."""
    return _words()[key]


def fluid(max_width: str, **more: str) -> widgets.Layout:
    """A widget as wide as its column, up to ``max_width``: nothing runs off a tablet's screen."""
    return widgets.Layout(width="calc(100% - 4px)", max_width=max_width, **more)  # 4px: the widgets' margins


def order_text(order: float | None) -> str:
    """A finding's order as a person writes it: 1, 2, 2.5 (never '1.0'); '' when it has none."""
    if order is None:
        return ""
    return str(int(order)) if float(order).is_integer() else f"{order:g}"


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def kept_form(form: widgets.Widget, *parts: widgets.Widget) -> None:
    """Mark ``form`` as a form whose unsaved entry the page keeps in the browser (``static/capture.js``)
    and ``parts`` (each with a ``pr-`` class of its own, its key there) as what it keeps: text,
    choices and ticks. The form's :class:`MessageArea` must be inside it: its ``saved`` and
    ``refused`` values (keyed by those classes) tell the page what to drop."""
    form.add_class("pr-form")
    for part in parts:
        part.add_class("pr-keep")


class MessageArea:
    """An HTML widget showing escaped messages (role=alert for errors, status for the rest)."""
    def __init__(self, css_class: str = "") -> None:
        self.widget = widgets.HTML(value="")
        self.widget.add_class("pr-messages")
        if css_class:
            self.widget.add_class(css_class)

    def clear(self) -> None:
        self.widget.value = ""

    def show(self, kind: str, lines: Sequence[str], data: Mapping[str, object] | None = None) -> None:
        """``data``: ``data-pr-*`` attributes for the page's script, as JSON (escaped)."""
        role = "alert" if kind == "error" else "status"
        items = "".join(f"<li>{esc(line)}</li>" for line in lines)
        body = f"<ul>{items}</ul>" if len(lines) > 1 else esc(lines[0]) if lines else ""
        attrs = "".join(f' data-pr-{name}="{esc(json.dumps(value, ensure_ascii=False))}"'
                        for name, value in (data or {}).items())
        self.widget.value = f'<div class="pr-msg pr-msg-{kind}" role="{role}"{attrs}>{body}</div>'

    def ok(self, text: str, saved: Mapping[str, str] | None = None) -> None:
        """A success; ``saved``: the form's text as the server saved it (by the field's class), so
        the page drops its kept copy of that same text, and only that."""
        self.show("ok", [text], {"saved": dict(saved)} if saved is not None else None)

    def info(self, text: str) -> None:
        self.show("info", [text])

    def error(self, lines: Sequence[str] | str, refused: Sequence[str] = ()) -> None:
        """An error; ``refused``: the classes of the form's fields whose text was refused as a
        child's personal data, which the page then removes from the browser."""
        self.show("error", [lines] if isinstance(lines, str) else list(lines),
                  {"refused": list(refused)} if refused else None)

    def form_messages(self, messages: Sequence[FormMessage], labels: dict[str, str] | None = None,
                      refused: Sequence[str] = ()) -> None:
        labels = labels or {}
        self.error([f"{labels.get(m.field, m.field.capitalize())}: {m.text}" if m.field else m.text
                    for m in messages], refused)


def _frames(exc: BaseException) -> str:
    """Where an exception was raised (files, lines, code), without its message: a message may carry
    what a reviewer typed, and the server's log must never hold a child's data."""
    return "".join(traceback.format_tb(exc.__traceback__))


def guarded(messages: Callable[[], MessageArea]) -> Callable[[F], F]:
    """Turn any failure inside a widget callback into a message in the form."""
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except ToolkitError as exc:  # a StoreError too
                line = privacy.redact(str(exc))  # messages quote through privacy.quote; this is the last net
                log.warning("capture: %s", line)
                messages().error([f"Not saved: {line}"])
            except OSError as exc:
                log.error("capture: file error (%s) in %s\n%s", exc.strerror or type(exc).__name__,
                          fn.__name__, _frames(exc))
                messages().error([f"Not saved: the file could not be written ({exc.strerror or 'file error'}). "
                                  "Your entry is still in the form; try again."])
            except Exception as exc:  # the UI boundary: never show a traceback to a reviewer
                log.error("capture: unexpected %s in %s\n%s", type(exc).__name__, fn.__name__, _frames(exc))
                messages().error(["Something went wrong and this action was not completed. "
                                  "Your entry is still in the form; try again, or tell the coordinator."])
            return None

        return inner  # type: ignore[return-value]

    return wrap


def html_table(headers: Sequence[str], rows: Sequence[Sequence[object]], caption: str = "") -> str:
    """An escaped HTML table."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f'<table class="pr-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def run_guarded(area: MessageArea, fn: Callable[[], None]) -> None:
    """Run ``fn`` now, showing any failure in ``area`` (see :func:`guarded`)."""
    guarded(lambda: area)(fn)()
