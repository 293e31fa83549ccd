"""The capture app as one widget: the reviewer picks their name, then works in four tabs.

Parameters reach the app (``notebooks/capture.ipynb`` served by Voilà) through the environment:
``PEER_REVIEW_PARAMS`` is the review's parameters file (set by ``peer-review capture``; Voilà
passes the server's environment to each page's kernel). A query string may preselect the
reviewer: ``?reviewer=Ruth%20Adeyemi`` (Voilà gives the kernel the page's query string in
``QUERY_STRING``).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import parse_qs

import ipywidgets as widgets

from toolkit.analysis.indicators import load_catalogue
from toolkit.analysis.performance_data import review_catalogue
from toolkit.capture.audit_tab import audit_tab
from toolkit.capture.checklist_tab import ChecklistTab
from toolkit.capture.findings_tab import FindingsTab
from toolkit.capture.progress_tab import progress_tab
from toolkit.capture.store import CaptureStore, open_review
from toolkit.capture.team_tabs import CoverageTab, RefineTab
from toolkit.capture.ui import STYLE, MessageArea, esc, run_guarded
from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.params import ReviewParams

PARAMS_ENV = "PEER_REVIEW_PARAMS"
log = logging.getLogger("toolkit.capture")


def indicator_ids(params: ReviewParams | None = None, root: Path | None = None) -> list[str]:
    """Ids in the review's indicator catalogue: the shipped one with the review's own
    (``performance.catalogue``) merged over it, as the letter reads it; the shipped one alone
    without a review. Empty if it cannot be read: the field stays free text (``validate`` then
    says what is wrong with the catalogue)."""
    try:
        catalogue = review_catalogue(params, root or Path.cwd()) if params is not None else load_catalogue()
        return sorted(i.id for i in catalogue.indicators)
    except (ValidationFailed, InputError, OSError, ImportError, AttributeError) as exc:
        log.warning("capture: indicator catalogue unavailable: %s", exc)
        return []


def reviewer_from_query(query: str | None, team: list[str]) -> str | None:
    values = parse_qs(query or "").get("reviewer", [])
    return values[0] if values and values[0] in team else None


class CaptureApp:
    def __init__(self, params: ReviewParams, scope: KloeScope, root: Path, preselect: str | None = None) -> None:
        self.params, self.scope, self.root = params, scope, root
        self.indicators = indicator_ids(params, root)
        team = [m.name for m in params.team]
        self.messages = MessageArea("pr-app-msg")
        self.picker = widgets.Dropdown(options=[("- choose your name -", "")] + [(n, n) for n in team],
                                       value=preselect or "", description="Reviewer")
        self.picker.add_class("pr-reviewer")
        self.start = widgets.Button(description="Start", button_style="primary")
        self.start.add_class("pr-start")
        self.start.on_click(lambda _: run_guarded(self.messages, self._begin))
        self.body = widgets.VBox()
        title = f"{params.authority.name}: peer review capture"
        self.widget = widgets.VBox([
            widgets.HTML(STYLE + f"<h1>{esc(title)}</h1>"),
            widgets.HBox([self.picker, self.start]), self.messages.widget, self.body,
        ])
        self.widget.add_class("pr-app")
        if preselect:
            run_guarded(self.messages, self._begin)

    def _begin(self) -> None:
        name = self.picker.value
        if not name:
            self.messages.error("Choose your name first.")
            return
        ids = set(self.indicators) if self.indicators else None
        store = CaptureStore(self.root, self.params, self.scope, name, indicators=ids)
        store.ensure_files()
        self.findings = FindingsTab(store, self.indicators)
        self.checklist = ChecklistTab(store)
        self.coverage = CoverageTab(self.params, self.scope, self.root)
        self.refine = RefineTab(self.params, self.scope, self.root)
        self.audit = audit_tab(store)
        self.progress = progress_tab(store)  # a follow-up review's Progress tab, last (None otherwise)
        extra = [] if self.progress is None else [(self.progress.widget, "Progress since last review")]
        tabs = widgets.Tab(children=[self.findings.widget, self.checklist.widget, self.coverage.widget,
                                     self.refine.widget, self.audit.widget, *(w for w, _ in extra)],
                           titles=("Findings", "Checklist", "Coverage", "Refine (team)", "EHCP audit",
                                   *(t for _, t in extra)))
        tabs.add_class("pr-tabs")
        tabs.observe(self._on_tab, names="selected_index")
        self.body.children = [widgets.HTML(f"<p>Recording as <b>{esc(name)}</b>. Every change is saved at once to "
                                           f"<code>{esc(display_path(store.findings_path, self.root))}</code> and "
                                           f"<code>{esc(display_path(store.checklist_path, self.root))}</code>.</p>"),
                              tabs]
        self.messages.clear()

    def _on_tab(self, change: dict[str, object]) -> None:
        index = change.get("new")
        if index == 0:
            run_guarded(self.findings.messages, self.findings.refresh)
        elif index == 1:
            run_guarded(self.messages, self.checklist.refresh)
        elif index == 2:
            self.coverage.refresh()
        elif index == 3:
            self.refine.refresh()
        elif index == 4:
            run_guarded(self.audit.messages, self.audit.refresh)
        elif index == 5 and self.progress is not None:
            run_guarded(self.progress.messages, self.progress.refresh)


def _failure(lines: list[str]) -> widgets.Widget:
    area = MessageArea()
    area.error(lines)
    return widgets.VBox([widgets.HTML(STYLE + "<h1>Peer review capture</h1>"), area.widget])


def capture_app(params_file: str | Path | None = None, query: str | None = None) -> widgets.Widget:
    """The app widget for a review (default: the file named by ``PEER_REVIEW_PARAMS``)."""
    path = params_file or os.environ.get(PARAMS_ENV)
    if not path:
        return _failure([f"No review given: start the app with 'peer-review capture params/<review>.yaml' "
                         f"(it sets {PARAMS_ENV})."])
    try:  # the kernel's one reading of the parameters: the tabs share them
        params, scope, root = open_review(path)
    except ValidationFailed as exc:
        return _failure([str(e) for e in exc.errors])
    except InputError as exc:
        return _failure([str(exc)])
    team = [m.name for m in params.team]
    q = query if query is not None else os.environ.get("QUERY_STRING", "")
    return CaptureApp(params, scope, root, reviewer_from_query(q, team)).widget
