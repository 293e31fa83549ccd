"""The Checklist tab: each KLOE's prompts with a status and evidence notes, saved on every change."""

from __future__ import annotations

import ipywidgets as widgets

from toolkit.capture.records import ChecklistEntry
from toolkit.capture.store import CaptureStore
from toolkit.capture.ui import MessageArea, esc, kept_form, run_guarded, slug, words
from toolkit.capture.validate import refused_keys
from toolkit.inputs.capture_layout import ChecklistStatus
from toolkit.inputs.params import Prompt
from toolkit.wording import number_words

STATUS_LABELS: dict[str, str] = {ChecklistStatus.COVERED: "Covered", ChecklistStatus.PARTLY: "Partly",
                 ChecklistStatus.NOT_YET: "Not yet"}
NOTE_LABELS = {"notes": "Evidence notes", "status": "Status", "prompt": "Prompt", "reviewer": "Reviewer"}


class PromptRow:
    """One prompt: status buttons and a notes box; a change saves both at once (notes on Enter or
    leaving the box). A save refused leaves nothing looking saved: the status buttons go back to
    the saved status, and the message says so; the notes stay in the box to be put right."""
    def __init__(self, store: CaptureStore, kloe_id: str, prompt: Prompt, entry: ChecklistEntry | None) -> None:
        self.store, self.kloe_id, self.prompt = store, kloe_id, prompt
        self.base = entry
        self.messages = MessageArea()
        self.status = widgets.ToggleButtons(options=[(STATUS_LABELS[s], s.value) for s in ChecklistStatus],
                                            value=entry.status if entry else ChecklistStatus.NOT_YET.value,
                                            style={"button_width": "6rem"})
        self.notes = widgets.Text(value=entry.notes if entry else "", placeholder="evidence notes",
                                  continuous_update=False, layout=widgets.Layout(width="24rem"))
        self.status.add_class("pr-status")
        self.notes.add_class("pr-notes")
        text = widgets.HTML(f'<span class="pr-prompt-text">{esc(prompt.text)}</span>',
                            layout=widgets.Layout(width="28rem"))
        self.widget = widgets.VBox([widgets.HBox([text, self.status, self.notes]), self.messages.widget])
        self.widget.add_class("pr-prompt")
        self.widget.add_class(f"pr-prompt-{slug(prompt.id)}")
        kept_form(self.widget, self.notes)
        self._loading = False
        self.status.observe(self._changed, names="value")
        self.notes.observe(self._changed, names="value")

    def set_entry(self, entry: ChecklistEntry | None) -> None:
        self._loading = True
        try:
            self.base = entry
            self.status.value = entry.status if entry else ChecklistStatus.NOT_YET.value
            self.notes.value = entry.notes if entry else ""
        finally:
            self._loading = False

    def _changed(self, _: object) -> None:
        if not self._loading:
            run_guarded(self.messages, self._save)

    def _save(self) -> None:
        status = self.status.value or ChecklistStatus.NOT_YET.value
        notes = self.notes.value
        was_status = self.base.status if self.base else ChecklistStatus.NOT_YET.value
        was_notes = self.base.notes if self.base else ""
        result = self.store.set_prompt(self.prompt.id, status, notes, base=self.base)
        if not result.ok or result.entry is None:
            lines = [f"{NOTE_LABELS.get(m.field, m.field.capitalize())}: {m.text}" if m.field else m.text
                     for m in result.messages]
            if status != was_status:  # the buttons show what is saved, never the refused choice
                self._loading = True
                try:
                    self.status.value = was_status
                finally:
                    self._loading = False
                lines.insert(0, words("checklist_status_not_saved", status=STATUS_LABELS.get(status, status),
                                      saved=STATUS_LABELS.get(was_status, was_status)))
            refused = refused_keys({"pr-notes": notes}, self.store.params)
            self.messages.error(lines + ([words("refused_not_kept")] if refused else []), refused=refused)
            return  # the notes stay in the box
        self.base = result.entry
        label = STATUS_LABELS.get(result.entry.status, result.entry.status)
        notes_changed = result.entry.notes != was_notes.strip()
        if notes_changed and result.entry.status != was_status:
            said = words("checklist_saved_both", status=label)
        elif notes_changed:
            said = words("checklist_saved_notes" if result.entry.notes else "checklist_cleared_notes", status=label)
        else:
            said = words("checklist_saved_status", status=label)
        self.messages.ok(said, saved={"pr-notes": notes})


def lens_html(store: CaptureStore) -> str:
    """The outcomes of each framework in use that offers them, as a lens for the team: never a grade."""
    return "".join(
        f'<div class="pr-lens"><p>{esc(words("checklist_lens", framework=fw.title, count=number_words(len(fw.lens))))}'
        "</p><ul>" + "".join(f"<li>{esc(outcome)}</li>" for outcome in fw.lens) + "</ul></div>"
        for fw in store.scope.lenses())


class ChecklistTab:
    def __init__(self, store: CaptureStore) -> None:
        self.store = store
        done = store.checklist()
        self.rows: dict[str, PromptRow] = {}
        pages = []
        titles = []
        for k in store.scope.kloes:
            rows = [PromptRow(store, k.id, p, done.get(p.id)) for p in k.prompts]
            self.rows.update({r.prompt.id: r for r in rows})
            body: list[widgets.Widget] = [r.widget for r in rows] or [widgets.HTML("<p>This KLOE has no prompts.</p>")]
            if k.status == "proposed":
                body.insert(0, widgets.HTML(f'<p class="pr-proposed">{esc(words("checklist_proposed_note"))}</p>'))
            pages.append(widgets.VBox(body))
            titles.append(words("checklist_title_proposed" if k.status == "proposed" else "checklist_title",
                                title=k.title, id=k.id))
        self.accordion = widgets.Accordion(children=pages, titles=tuple(titles), selected_index=0 if pages else None)
        self.reload = widgets.Button(description="Reload")
        self.reload.add_class("pr-c-reload")
        self.reload.on_click(lambda _: self.refresh())
        self.widget = widgets.VBox([
            widgets.HTML("<h2>KLOE checklist</h2><p>Mark each prompt as you cover it; a change is saved at once. "
                         "Notes are saved when you press Enter or leave the box.</p>" + lens_html(store)),
            self.reload, self.accordion,
        ])

    def refresh(self) -> None:
        done = self.store.checklist()
        for pid, row in self.rows.items():
            row.set_entry(done.get(pid))
            row.messages.clear()
