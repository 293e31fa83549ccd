"""The capture app as one widget: the reviewer picks their name, then works in five tabs (six in a
follow-up review: the previous review's items to mark).

Parameters reach the app (``notebooks/capture.ipynb`` served by Voilà) through the environment:
``PEER_REVIEW_PARAMS`` is the review's parameters file (set by ``peer-review capture``; Voilà
passes the server's environment to each page's kernel). A query string may preselect the
reviewer: ``?reviewer=Ruth%20Adeyemi`` (read by :func:`page_query`, also in a pre-heated kernel).
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote

import ipywidgets as widgets

from toolkit.analysis.indicators import load_catalogue
from toolkit.analysis.performance_data import review_catalogue
from toolkit.capture.audit_tab import AuditTab, UnavailableAuditTab, audit_tab
from toolkit.capture.checklist_tab import ChecklistTab
from toolkit.capture.findings_tab import FindingsTab
from toolkit.capture.progress_tab import ProgressTab, UnavailableProgressTab, progress_tab
from toolkit.capture.store import CaptureStore, open_review
from toolkit.capture.team_tabs import CoverageTab, RefineTab
from toolkit.capture.ui import STYLE, MessageArea, esc, run_guarded, words, words_template
from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.params import ReviewParams

PARAMS_ENV = "PEER_REVIEW_PARAMS"
READY_ENV = "PEER_REVIEW_READY_FILE"
PREHEAT_ENV = "VOILA_PREHEAT"  # "True" in a kernel Voila pre-heats (voila.utils.ENV_VARIABLE)
QUERY_URL_ENV = "PEER_REVIEW_QUERY_URL"  # the server's plain websocket for a page's request (HTTPS mode)
# The reviewer a page is for, when it was opened with their own link: the server's request header
# toolkit.capture.access.REVIEWER_HEADER, as Voila names it in the kernel's environment.
REVIEWER_ENV = "HTTP_X_PEER_REVIEW_REVIEWER"
TAB_TITLES = ("Findings", "Checklist", "Coverage", "Refine (team)", "EHCP audit")
PROGRESS_TITLE = "Progress since last review"  # a follow-up review's last tab
PROGRESS = len(TAB_TITLES)  # its index
_Tab = ChecklistTab | CoverageTab | RefineTab | AuditTab | UnavailableAuditTab | ProgressTab | UnavailableProgressTab
log = logging.getLogger("toolkit.capture")


def indicator_ids(params: ReviewParams | None = None, root: Path | None = None) -> list[str]:
    """Ids in the review's indicator catalogue: the shipped one with the review's own
    (``performance.catalogue``) merged over it, as the letter reads it; the shipped one (read once
    per kernel) without a review or a catalogue of its own. Empty if it cannot be read: the field
    stays free text (``validate`` then says what is wrong with the catalogue)."""
    if params is None or not params.performance.catalogue:
        return list(_catalogue_ids())
    try:
        return sorted(i.id for i in review_catalogue(params, root or Path.cwd()).indicators)
    except (ValidationFailed, InputError, OSError) as exc:
        log.warning("capture: the review's indicator catalogue is unavailable: %s", exc)
        return []


@functools.cache
def _catalogue_ids() -> tuple[str, ...]:  # the shipped catalogue, read once per kernel
    try:
        return tuple(sorted(i.id for i in load_catalogue().indicators))
    except (ValidationFailed, InputError, OSError, ImportError, AttributeError) as exc:
        log.warning("capture: indicator catalogue unavailable: %s", exc)
        return ()


def page_reviewer() -> str | None:
    """The reviewer this page is for, when it was opened with a reviewer's own link (else None)."""
    value = os.environ.get(REVIEWER_ENV, "")
    return unquote(value) if value else None


def reviewer_from_query(query: str | None, team: list[str]) -> str | None:
    values = parse_qs(query or "").get("reviewer", [])
    return values[0] if values and values[0] in team else None


class CaptureApp:
    def __init__(self, params: ReviewParams, scope: KloeScope, root: Path, preselect: str | None = None,
                 only: str | None = None) -> None:
        """``only``: the page was opened with this reviewer's own link; no other name can be chosen."""
        self.params, self.scope, self.root = params, scope, root
        self.indicators = indicator_ids(params, root)
        team = [only] if only else [m.name for m in params.team]
        preselect = only or preselect
        self.messages = MessageArea("pr-app-msg")
        self.picker = widgets.Dropdown(options=[("- choose your name -", "")] + [(n, n) for n in team],
                                       value=preselect or "", description="Reviewer", disabled=bool(only))
        self.picker.add_class("pr-reviewer")
        self.start = widgets.Button(description=self._start_label(), button_style="primary")
        self.start.add_class("pr-start")
        # The button names the reviewer it will start as: a check for the person, and the sign that
        # the server has the name (a fast keyboard's last choice can still be on its way otherwise).
        self.picker.observe(lambda _: setattr(self.start, "description", self._start_label()), names="value")
        self.start.on_click(lambda _: run_guarded(self.messages, self._begin))
        self.body = widgets.VBox()
        self._built: dict[int, _Tab] = {}  # the tabs after Findings, once built (see _tab)
        self._pages: list[widgets.VBox] = []
        title = f"{params.authority.name}: peer review capture"
        self.widget = widgets.VBox([
            widgets.HTML(STYLE + f"<h1>{esc(title)}</h1>"),
            widgets.HBox([self.picker, self.start]), self.messages.widget, self.body,
        ])
        self.widget.add_class("pr-app")
        if preselect:
            run_guarded(self.messages, self._begin)

    def _start_label(self) -> str:
        name = self.picker.value
        return words("start_as", name=name) if name else words("start")

    def _begin(self) -> None:
        name = self.picker.value
        if not name:
            self.messages.error("Choose your name first.")
            return
        ids = set(self.indicators) if self.indicators else None
        self.store = CaptureStore(self.root, self.params, self.scope, name, indicators=ids)
        self.store.ensure_files()
        # Only the Findings tab is built now: the others (hundreds of widgets between them, most of
        # the time from Start to the form) are built the first time they are opened.
        self.findings = FindingsTab(self.store, self.indicators)
        self._built = {}
        titles = TAB_TITLES + ((PROGRESS_TITLE,) if self.params.inputs.previous_review else ())
        self._pages = [self.findings.widget] + [widgets.VBox([widgets.HTML(esc(words("tab_opening")))])
                                                for _ in titles[1:]]
        tabs = widgets.Tab(children=self._pages, titles=titles)
        tabs.add_class("pr-tabs")
        tabs.observe(self._on_tab, names="selected_index")
        where = {"name": f"<b>{esc(name)}</b>",
                 "findings": f"<code>{esc(display_path(self.store.findings_path, self.root))}</code>",
                 "checklist": f"<code>{esc(display_path(self.store.checklist_path, self.root))}</code>"}
        self.body.children = [widgets.HTML(f"<p>{esc(words_template('recording_as')).format(**where)}</p>"), tabs]
        self.messages.clear()

    def _tab(self, index: int) -> _Tab:
        """The tab at ``index`` (1-5), built and put in its page the first time it is asked for."""
        tab = self._built.get(index)
        if tab is None:
            tab = self._build(index)
            self._built[index] = tab
            self._pages[index].children = [tab.widget]
        return tab

    def _open(self, index: int) -> None:
        self._tab(index)

    def _build(self, index: int) -> _Tab:
        if index == 1:
            return ChecklistTab(self.store)
        if index == 2:
            return CoverageTab(self.params, self.scope, self.root)
        if index == 3:
            return RefineTab(self.params, self.scope, self.root)
        if index == PROGRESS:
            progress = progress_tab(self.store)
            assert progress is not None  # the tab is there only when the review follows another
            return progress
        return audit_tab(self.store)

    @property
    def checklist(self) -> ChecklistTab:
        tab = self._tab(1)
        assert isinstance(tab, ChecklistTab)
        return tab

    @property
    def coverage(self) -> CoverageTab:
        tab = self._tab(2)
        assert isinstance(tab, CoverageTab)
        return tab

    @property
    def refine(self) -> RefineTab:
        tab = self._tab(3)
        assert isinstance(tab, RefineTab)
        return tab

    @property
    def audit(self) -> AuditTab | UnavailableAuditTab:
        tab = self._tab(4)
        assert isinstance(tab, (AuditTab, UnavailableAuditTab))
        return tab

    @property
    def progress(self) -> ProgressTab | UnavailableProgressTab | None:
        """A follow-up review's Progress tab (None when the review follows none)."""
        if not self.params.inputs.previous_review:
            return None
        tab = self._tab(PROGRESS)
        assert isinstance(tab, (ProgressTab, UnavailableProgressTab))
        return tab

    def _on_tab(self, change: dict[str, object]) -> None:
        index = change.get("new")
        if index == 0:
            run_guarded(self.findings.messages, self.findings.refresh)
        elif index == 1:
            run_guarded(self.messages, lambda: self.checklist.refresh())
        elif index == 2:
            run_guarded(self.messages, lambda: self.coverage.refresh())
        elif index == 3:
            run_guarded(self.messages, lambda: self.refine.refresh())
        elif index == 4:
            run_guarded(self.messages, lambda: self._open(4))
            if 4 in self._built:
                run_guarded(self.audit.messages, self.audit.refresh)
        elif index == PROGRESS:
            run_guarded(self.messages, lambda: self._open(PROGRESS))
            progress = self._built.get(PROGRESS)
            if isinstance(progress, (ProgressTab, UnavailableProgressTab)):
                run_guarded(progress.messages, progress.refresh)


def _failure(lines: list[str]) -> widgets.Widget:
    area = MessageArea()
    area.error(lines)
    return widgets.VBox([widgets.HTML(STYLE + "<h1>Peer review capture</h1>"), area.widget])


def page_query() -> str:
    """The query string of the page this kernel serves (``reviewer=...``).

    Voilà puts a page's query string in the environment of the kernel it starts for the page
    (``QUERY_STRING``). A pre-heated kernel (``peer-review capture`` runs Voilà with
    ``--preheat_kernel``) runs the notebook before any page is asked for; there the notebook stops
    in Voilà's :func:`voila.utils.get_query_string`, which waits until a page takes the kernel and
    then hands over that page's request. Just before it waits, the file named by ``READY_ENV`` (set
    by :func:`toolkit.capture.server.serve`) is touched: the server then knows a page can be served
    at once. Voilà is imported only there: a kernel started for a page does not pay for it.
    """
    if os.environ.get(PREHEAT_ENV) != "True":
        return os.environ.get("QUERY_STRING", "")
    from voila.utils import get_query_string

    url = os.environ.get(QUERY_URL_ENV) or None  # HTTPS: the server's plain port on 127.0.0.1

    ready = os.environ.get(READY_ENV)
    if ready:
        try:
            Path(ready).touch()
        except OSError as exc:  # the server then announces the app after its timeout instead
            log.warning("capture: cannot mark the kernel ready: %s", exc)
    return get_query_string(url) or ""


def capture_app(params_file: str | Path | None = None, query: str | None = None) -> widgets.Widget:
    """The app widget for a review (default: the file named by ``PEER_REVIEW_PARAMS``).

    Everything that does not depend on the page is done before its query string is read (imports,
    the indicator catalogue): in a pre-heated kernel that happens before anyone asks for the page.
    The parameters are read after it, so a page always shows the review as it is now.
    """
    indicator_ids()
    q = query if query is not None else page_query()
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
    own = page_reviewer()
    if own is not None and own not in team:
        return _failure([words("link_not_in_team", name=own)])
    return CaptureApp(params, scope, root, reviewer_from_query(q, team), only=own).widget
