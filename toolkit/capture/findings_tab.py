"""The Findings tab: a reviewer's own findings, with a form to add, edit, withdraw and restore."""

from __future__ import annotations

from dataclasses import replace

import ipywidgets as widgets

from toolkit.capture.records import CapturedFinding, FindingDraft
from toolkit.capture.store import CaptureStore
from toolkit.capture.ui import MessageArea, esc, fluid, kept_form, run_guarded, slug, words
from toolkit.capture.validate import refused_keys, screen_args
from toolkit.inputs import privacy
from toolkit.inputs.findings import EVIDENCE_KINDS, Kind

FIELD_LABELS = {"kloe": "KLOE", "kind": "Kind", "statement": "Lead statement", "detail": "Detail",
                "evidence": "Evidence", "indicator": "Linked indicator", "reviewer": "Reviewer"}
KIND_LABELS = {Kind.STRENGTH.value: "Strength", Kind.AREA.value: "Area for consideration",
               Kind.URGENT.value: "Recommended urgent action"}
NO_KLOE = ""


def finding_label(f: CapturedFinding, titles: dict[str, str] | None = None, just_saved: bool = False) -> str:
    """'Co-production | Strength | in letter, headline | statement...' (KLOE titles, not ids)."""
    text = f.statement if len(f.statement) <= 90 else f.statement[:87] + "..."
    marks = [words("mark_just_saved")] if just_saved else []
    if f.withdrawn:
        marks.append(words("mark_withdrawn"))
    else:
        marks.append(words("mark_in_letter") if f.include else words("mark_not_in_letter"))
    if f.headline:
        marks.append(words("mark_headline"))
    kloe = (titles or {}).get(f.kloe, f.kloe) if f.kloe else words("no_kloe")
    return f"{kloe} | {KIND_LABELS.get(f.kind, f.kind)} | {', '.join(marks)} | {text}"


def same_statement(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


class FindingsTab:
    """List on top, form below. ``self.editing`` is the finding as last loaded (the edit's base)."""
    def __init__(self, store: CaptureStore, indicator_ids: list[str]) -> None:
        self.store = store
        self.editing: CapturedFinding | None = None
        self.messages = MessageArea("pr-f-msg")
        scope = store.scope
        lay = fluid("46rem")
        self.show_withdrawn = widgets.Checkbox(value=False, description="Show withdrawn findings", indent=False)
        self.titles = {k.id: k.title for k in scope.kloes}
        self.just_saved: str | None = None
        self.confirm_duplicate = ""  # a statement the reviewer was warned is already saved
        self.filter = widgets.Dropdown(options=[(words("findings_filter_all"), "")]
                                       + [(k.title, k.id) for k in scope.kloes],
                                       value="", description=words("findings_filter"), layout=fluid("30rem"))
        self.filter.add_class("pr-f-filter")
        self.mine = widgets.Checkbox(value=True, description=words("findings_mine"), indent=False)
        self.mine.add_class("pr-f-mine")
        self.theirs = widgets.HTML()  # another reviewer's finding, picked in the list: shown, not edited here
        self.theirs.add_class("pr-f-theirs")
        self.listing = widgets.Select(options=[], rows=10, description=words("findings_list"), layout=fluid("60rem"))
        self.listing.add_class("pr-f-list")
        self.listing.add_class("pr-listing")
        self.kloe = widgets.Dropdown(
            options=[("- choose a KLOE (none only for a headline or urgent action) -", NO_KLOE)]
            + [(f"{k.title} ({k.id})", k.id) for k in scope.kloes],
            value=NO_KLOE, description="KLOE", layout=lay)
        self.kind = widgets.Dropdown(options=[(v, k) for k, v in KIND_LABELS.items()],
                                     value=Kind.STRENGTH.value, description="Kind", layout=lay)
        self.headline = widgets.Checkbox(value=False, description="Headline finding", indent=False)
        # The text boxes reach the server when left (continuous_update=False), not at every key: the
        # browser sends a widget's changes one at a time and holds back the rest meanwhile, so a Save
        # pressed just after fast typing could reach the server before the last of the text.
        # Leaving the box for Save sends the text first.
        self.statement = widgets.Textarea(description="Statement", placeholder="The bold lead sentence",
                                          continuous_update=False, layout=fluid("46rem", height="4rem"))
        self.detail = widgets.Textarea(description="Detail", placeholder="What you heard, read or saw",
                                       continuous_update=False, layout=fluid("46rem", height="7rem"))
        self.evidence = {e: widgets.Checkbox(value=False, description=e, indent=False,
                                             layout=widgets.Layout(width="9rem")) for e in EVIDENCE_KINDS}
        self.indicator = widgets.Combobox(options=indicator_ids, ensure_option=False, description="Indicator",
                                          placeholder="optional: a performance indicator id", layout=lay)
        self.save = widgets.Button(description="Save new finding", button_style="primary")
        self.new = widgets.Button(description="New finding")
        self.withdraw = widgets.Button(description="Withdraw", button_style="warning", disabled=True)
        self.restore = widgets.Button(description="Restore", disabled=True)
        self.reload = widgets.Button(description="Reload")
        self.mode = widgets.HTML()
        for name, w in (("kloe", self.kloe), ("kind", self.kind), ("headline", self.headline),
                        ("statement", self.statement), ("detail", self.detail), ("indicator", self.indicator),
                        ("save", self.save), ("new", self.new), ("withdraw", self.withdraw),
                        ("restore", self.restore), ("reload", self.reload), ("withdrawn", self.show_withdrawn)):
            w.add_class(f"pr-f-{name}")
        for e, w in self.evidence.items():
            w.add_class(f"pr-f-ev-{slug(e)}")
        self.listing.observe(self._on_pick, names="value")
        self.show_withdrawn.observe(lambda _: self.refresh(), names="value")
        self.filter.observe(lambda _: self.refresh(), names="value")
        self.mine.observe(lambda _: self.refresh(), names="value")
        self.save.on_click(self._on_save)
        self.new.on_click(self._on_new)
        self.withdraw.on_click(lambda _: self._set_withdrawn(True))
        self.restore.on_click(lambda _: self._set_withdrawn(False))
        self.reload.on_click(lambda _: self.refresh())
        evidence_box = widgets.HBox([widgets.Label("Evidence", layout=widgets.Layout(width="6rem")),
                                     widgets.HBox(list(self.evidence.values()),
                                                  layout=fluid("40rem", flex_flow="row wrap"))])
        self.widget = widgets.VBox([
            widgets.HTML("<h2>Your findings</h2>"),
            widgets.HBox([self.filter, self.mine, self.show_withdrawn, self.reload],
                         layout=widgets.Layout(flex_flow="row wrap")), self.listing, self.theirs,
            self.mode, self.kloe, self.kind, self.headline, self.statement, self.detail, evidence_box,
            self.indicator, self.messages.widget,
            widgets.HBox([self.save, self.new, self.withdraw, self.restore]),
        ])
        self.widget.add_class("pr-f-form")
        kept_form(self.widget, self.kloe, self.kind, self.headline, self.statement, self.detail, self.indicator,
                  *self.evidence.values())
        self._loading = False
        self._set_mode()
        self.refresh()

    # -- form state --------------------------------------------------------------------------
    def draft(self) -> FindingDraft:
        return FindingDraft(
            kloe=self.kloe.value or "", kind=self.kind.value or "", statement=self.statement.value,
            detail=self.detail.value, evidence=tuple(e for e, w in self.evidence.items() if w.value),
            headline=self.headline.value, indicator=self.indicator.value)

    def load(self, f: CapturedFinding | None) -> None:
        self._loading = True
        try:
            self.editing = f
            kloe_ids = [v for _, v in self.kloe.options]
            self.kloe.value = f.kloe if f is not None and f.kloe in kloe_ids else NO_KLOE
            self.kind.value = f.kind if f is not None and f.kind in KIND_LABELS else Kind.STRENGTH.value
            self.headline.value = bool(f and f.headline)
            self.statement.value = f.statement if f else ""
            self.detail.value = f.detail if f else ""
            for e, w in self.evidence.items():
                w.value = bool(f and e in f.evidence)
            self.indicator.value = f.indicator if f else ""
        finally:
            self._loading = False
        self._set_mode()

    def _set_mode(self) -> None:
        f = self.editing
        if f is None:
            self.mode.value = "<h3>New finding</h3>"
            self.save.description = "Save new finding"
        else:
            state = " (withdrawn: not in the letter)" if f.withdrawn else ""
            self.mode.value = f"<h3>Editing finding {esc(f.id)}{esc(state)}</h3>"
            self.save.description = "Save changes"
        self.withdraw.disabled = f is None or f.withdrawn
        self.restore.disabled = f is None or not f.withdrawn

    def refresh(self, select: str | None = None) -> None:
        """The list: this reviewer's findings, newest first, or with "only mine" unticked every
        reviewer's (each reviewer's newest first, this reviewer's first), labelled with their names.
        A value is a finding id for this reviewer's findings, (reviewer, id) for another's."""
        kloe = self.filter.value
        shown = self.show_withdrawn.value
        mine = [f for f in reversed(self.store.findings(include_withdrawn=shown)) if not kloe or f.kloe == kloe]
        options: list[tuple[str, str | tuple[str, str]]] = []
        if self.mine.value:
            options = [(finding_label(f, self.titles, f.id == self.just_saved), f.id) for f in mine]
        else:
            options = [(f"{f.reviewer} | {finding_label(f, self.titles, f.id == self.just_saved)}", f.id) for f in mine]
            for other in self._others():
                options += [(f"{f.reviewer} | {finding_label(f, self.titles)}", (other.reviewer, f.id))
                            for f in reversed(other.findings(include_withdrawn=shown)) if not kloe or f.kloe == kloe]
        self._loading = True
        try:
            self.listing.description = words("findings_list" if self.mine.value else "findings_list_team")
            self.listing.options = options
            ids = [f.id for f in mine]
            self.listing.value = select if select in ids else None
        finally:
            self._loading = False
        self.theirs.value = ""

    def _others(self) -> list[CaptureStore]:
        """The capture files of the team's other reviewers, in the team's order."""
        return [replace(self.store, reviewer=m.name) for m in self.store.params.team
                if m.name != self.store.reviewer]

    # -- callbacks ---------------------------------------------------------------------------
    def _on_pick(self, change: dict[str, object]) -> None:
        picked = change.get("new")
        if self._loading or not picked:
            return
        if isinstance(picked, tuple):
            run_guarded(self.messages, lambda: self._show_theirs(str(picked[0]), str(picked[1])))
            return
        self.theirs.value = ""
        run_guarded(self.messages, lambda: self._pick(str(picked)))

    def _show_theirs(self, reviewer: str, finding_id: str) -> None:
        """Another reviewer's finding, in full, above the form (which keeps what is in it)."""
        other = replace(self.store, reviewer=reviewer)
        f = other.get(finding_id)
        if f is None:
            self.refresh()
            return
        parts = [f"<h3>{esc(words('theirs_heading', reviewer=reviewer))}</h3>",
                 f"<p><b>{esc(f.statement)}</b></p>"]
        if f.detail:
            parts.append(f"<p>{esc(f.detail)}</p>")
        parts.append(f"<p><small>{esc(words('theirs_hint', reviewer=reviewer))}</small></p>")
        self.theirs.value = "".join(parts)

    def _pick(self, finding_id: str) -> None:
        f = self.store.get(finding_id)
        self.messages.clear()
        if f is None:
            self.messages.error("That finding is no longer in your file; the list has been reloaded.")
            self.refresh()
            return
        self.load(f)

    def _on_new(self, _: object) -> None:
        self.load(None)
        self.messages.clear()
        self.refresh()

    def _on_save(self, _: object) -> None:
        run_guarded(self.messages, self._save)

    def _texts(self, draft: FindingDraft) -> dict[str, str]:
        """The form's text as sent to the store, by the class the page knows each box by."""
        return {"pr-f-statement": draft.statement, "pr-f-detail": draft.detail, "pr-f-indicator": draft.indicator}

    def _duplicate_of(self, draft: FindingDraft) -> CapturedFinding | None:
        """A finding of this reviewer already saved with the same statement (a new entry only)."""
        if self.editing is not None or not draft.statement.strip() or same_statement(self.confirm_duplicate,
                                                                                       draft.statement):
            return None
        return next((f for f in self.store.findings(include_withdrawn=False)
                     if same_statement(f.statement, draft.statement)), None)

    def _save(self) -> None:
        draft = self.draft()
        twin = self._duplicate_of(draft)
        if twin is not None:
            self.confirm_duplicate = draft.statement
            self.messages.error(words("duplicate_statement", kloe=self.titles.get(twin.kloe, words("no_kloe"))))
            return
        result = self.store.add(draft) if self.editing is None else self.store.edit(self.editing, draft)
        if not result.ok or result.finding is None:
            refused = refused_keys(self._texts(draft), self.store.params)
            self.messages.error([f"{FIELD_LABELS.get(m.field, m.field.capitalize())}: {m.text}" if m.field else m.text
                                 for m in result.messages] + [words("refused_hint")]  # the text stays in the form
                                + ([words("refused_not_kept")] if refused else []), refused=refused)
            self._loading = True
            try:
                self.listing.value = None  # so picking the finding again reloads it
            finally:
                self._loading = False
            return
        self.confirm_duplicate = ""
        if self.editing is None:
            self.load(None)
            self.just_saved = result.finding.id
            self.refresh()
            self.messages.ok(f"Saved: {privacy.quote(result.finding.statement, *screen_args(self.store.params))}",
                             saved=self._texts(draft))
        else:
            self.load(result.finding)
            self.refresh(select=result.finding.id)
            self.messages.ok("Changes saved.", saved=self._texts(draft))

    def _set_withdrawn(self, withdrawn: bool) -> None:
        def run() -> None:
            if self.editing is None:
                return
            result = self.store.set_withdrawn(self.editing.id, withdrawn)
            if not result.ok or result.finding is None:
                self.messages.form_messages(result.messages, FIELD_LABELS)
                return
            if withdrawn and not self.show_withdrawn.value:
                self.show_withdrawn.value = True
            self.load(result.finding)
            self.refresh(select=result.finding.id)
            self.messages.ok("Withdrawn: it stays in your file and can be restored." if withdrawn
                             else "Restored.")

        run_guarded(self.messages, run)
