"""The Progress tab of a follow-up review: the previous letter's items, for the team to mark.

One block per area for consideration and urgent action of the review this one follows, in that
letter's order: the item, what the letter will show for it now (the team's marks combined as the
letter combines them: :func:`toolkit.analysis.previous.team_marks`), four status buttons
(addressed, progressing, not yet addressed, no longer relevant), the evidence and Save / Clear.
Saves go through :class:`toolkit.capture.progress_store.ProgressStore`.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from toolkit.analysis.previous import PreviousItem, PreviousReview, load_previous, team_marks
from toolkit.capture.progress_store import ProgressEntry, ProgressStore
from toolkit.capture.store import CaptureStore
from toolkit.capture.ui import MessageArea, esc, fluid, kept_form, run_guarded, slug, words
from toolkit.capture.validate import refused_keys
from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.findings import Kind
from toolkit.inputs.progress import Mark, ProgressMarks, Status

STATUS_LABELS = {Status.ADDRESSED: "Addressed", Status.PROGRESSING: "Progressing",
                 Status.NOT_YET: "Not yet addressed", Status.NO_LONGER: "No longer relevant"}
FIELD_LABELS = {"status": "Status", "evidence": "Evidence", "reviewer": "Reviewer"}


class ItemRow:
    """One previous item: the letter's view of it, this reviewer's mark and its evidence."""
    def __init__(self, progress: ProgressStore, item: PreviousItem, entry: ProgressEntry | None,
                 on_saved: Callable[[], None] = lambda: None) -> None:
        self.progress, self.item, self.base, self.on_saved = progress, item, entry, on_saved
        self.messages = MessageArea("pr-p-msg")
        self.status = widgets.ToggleButtons(options=[(STATUS_LABELS[s], s.value) for s in Status], value=None,
                                            style={"button_width": "10rem"})
        self.status.add_class("pr-p-status")
        self.evidence = widgets.Textarea(placeholder=words("progress_evidence_hint"),
                                         layout=fluid("46rem", height="4rem"))
        self.evidence.add_class("pr-p-evidence")
        self.save = widgets.Button(description="Save", button_style="primary")
        self.save.add_class("pr-p-save")
        self.clear = widgets.Button(description="Clear my mark")
        self.clear.add_class("pr-p-clear")
        self.now = widgets.HTML()
        self.now.add_class("pr-p-now")
        kind = words("progress_urgent") if item.kind == Kind.URGENT else words("progress_area")
        where = f" ({esc(item.kloe_title)})" if item.kloe_title else ""
        head = widgets.HTML(f'<p class="pr-p-item"><b>{esc(kind)}</b>{where}: {esc(item.statement)}</p>')
        self.widget = widgets.VBox([head, self.now, self.status, self.evidence,
                                    widgets.HBox([self.save, self.clear]), self.messages.widget])
        self.widget.add_class("pr-p-row")
        self.widget.add_class(f"pr-p-item-{slug(item.id)}")
        kept_form(self.widget, self.evidence)
        self.save.on_click(lambda _: run_guarded(self.messages, self._save))
        self.clear.on_click(lambda _: run_guarded(self.messages, self._clear))
        self.set_entry(entry)

    def set_entry(self, entry: ProgressEntry | None) -> None:
        self.base = entry
        self.status.value = entry.status if entry and entry.status in {s.value for s in Status} else None
        self.evidence.value = entry.evidence if entry else ""

    def show_letter(self, mark: Mark | None) -> None:
        lines = []
        if mark is not None and mark.status is not None:
            who = mark.reviewer or words("progress_from_file")
            lines.append(words("progress_now_by", status=mark.status.value, who=who))
        else:
            lines.append(words("progress_now_none"))
        if mark is not None and mark.area_status is not None:
            lines.append(words("progress_area_said", status=mark.area_status.value))
        self.now.value = "<p><small>" + "<br>".join(esc(line) for line in lines) + "</small></p>"

    def _save(self) -> None:
        evidence = self.evidence.value
        result = self.progress.save(self.item.id, self.status.value or "", evidence, base=self.base)
        if not result.ok:
            refused = refused_keys({"pr-p-evidence": evidence}, self.progress.params)
            self.messages.form_messages(result.messages, FIELD_LABELS, refused)  # the text stays in the form
            return
        self.set_entry(result.entry)
        status = result.entry.status if result.entry else ""
        self.on_saved()
        self.messages.ok(words("progress_saved", status=status) if status else words("progress_cleared"),
                         saved={"pr-p-evidence": evidence})

    def _clear(self) -> None:
        result = self.progress.save(self.item.id, "", "", base=self.base)
        if not result.ok:
            self.messages.form_messages(result.messages, FIELD_LABELS)
            return
        self.set_entry(result.entry)
        self.on_saved()
        self.messages.ok(words("progress_cleared"))


class ProgressTab:
    """Every previous item with this reviewer's mark; Reload shows what others saved meanwhile."""
    def __init__(self, store: CaptureStore, previous: PreviousReview) -> None:
        self.store, self.previous = store, previous
        self.progress = ProgressStore(store, previous)
        self.messages = MessageArea("pr-p-tab-msg")
        saved = self.progress.entries()
        self.rows = {i.id: ItemRow(self.progress, i, saved.get(i.id), self.show_letter) for i in previous.items}
        self.reload = widgets.Button(description="Reload")
        self.reload.add_class("pr-p-reload")
        self.reload.on_click(lambda _: run_guarded(self.messages, self.refresh))
        intro = words("progress_intro", previous=previous.review_id,
                      file=display_path(self.progress.path, store.root))
        self.widget = widgets.VBox([
            widgets.HTML(f"<h2>{esc(words('progress_title'))}</h2><p>{esc(intro)}</p>"),
            self.reload, self.messages.widget, *(r.widget for r in self.rows.values()),
        ])
        self.widget.add_class("pr-progress")
        self.show_letter()

    def letter_marks(self) -> ProgressMarks | None:
        """The marks as the letter combines them (raises ``ValidationFailed`` with the files' problems)."""
        return team_marks(self.store.params, self.store.root, self.previous)

    def show_letter(self) -> None:
        try:
            marks = self.letter_marks()
        except ValidationFailed as exc:
            self.messages.error([words("progress_now_unknown"), *(str(e) for e in exc.errors)])
            marks = None
        else:
            self.messages.clear()
        for item_id, row in self.rows.items():
            row.show_letter(marks.get(item_id) if marks else None)

    def refresh(self) -> None:
        saved = self.progress.entries()
        for item_id, row in self.rows.items():
            row.set_entry(saved.get(item_id))
            row.messages.clear()
        self.show_letter()


class UnavailableProgressTab:
    """Stands in for the tab when the previous review cannot be read (the message says why)."""
    def __init__(self, lines: list[str]) -> None:
        self.messages = MessageArea("pr-p-tab-msg")
        self.messages.error(lines)
        self.widget = widgets.VBox([widgets.HTML(f"<h2>{esc(words('progress_title'))}</h2>"), self.messages.widget])

    def refresh(self) -> None:
        return None


def progress_tab(store: CaptureStore) -> ProgressTab | UnavailableProgressTab | None:
    """The tab for a follow-up review (None when the review follows none)."""
    ref = store.params.inputs.previous_review
    if not ref:
        return None
    try:
        previous = load_previous(ref, store.root, "parameters", store.params.review_id)
    except ValidationFailed as exc:
        return UnavailableProgressTab([words("progress_unavailable"), *(str(e) for e in exc.errors)])
    except InputError as exc:
        return UnavailableProgressTab([words("progress_unavailable"), str(exc)])
    return ProgressTab(store, previous)
