"""The EHCP audit tab: the auditor enters one plan at a time; the grades the rule derives are shown.

Criteria are grouped by plan section (one Accordion page per section), each with its text, what
good looks like, and Met / Not met / n/a buttons. Criteria the framework's rules exclude for the
plan (preparing for adulthood before Year 9, a new plan's timeliness for an annual review) are set
to n/a and locked; issued-within-20-weeks is derived from the weeks to issue. Saving writes one
row to the auditor's ``audit_<reviewer>.csv`` (:mod:`toolkit.capture.audit_store`); a button combines all
auditors' files into the ``audit.csv`` the letter reads.
"""

from __future__ import annotations

import ipywidgets as widgets

from toolkit.capture.audit_store import (
    FIELD_LABELS,
    AuditStore,
    PlanEntry,
    capture_audit_input,
    combine_capture_audits,
    derived_values,
    not_applicable,
    undecided,
)
from toolkit.capture.files import read_rows
from toolkit.capture.store import CaptureStore
from toolkit.capture.ui import MessageArea, esc, fluid, html_table, kept_form, run_guarded, words
from toolkit.capture.validate import refused_keys
from toolkit.errors import ValidationFailed, display_path
from toolkit.inputs.audit_framework import MET, NA, NOT_MET, AuditFramework, Criterion, load_audit_framework
from toolkit.inputs.audit_grades import PlanGrades
from toolkit.review import merge_audits, read_audit_parts
from toolkit.wording import number_words, plural

GRADE_WORDS = {4: "outstanding", 3: "good", 2: "requires improvement", 1: "inadequate"}
PHASE_OPTIONS = ["early years", "KS1", "KS2", "KS3", "KS4", "KS5", "post-16", "post-19"]
NEED_OPTIONS = [("ASD: autism", "ASD"), ("SEMH: social, emotional and mental health", "SEMH"),
                ("SLCN: speech, language and communication", "SLCN"),
                ("MLD: moderate learning difficulty", "MLD"), ("SLD: severe learning difficulty", "SLD"),
                ("PMLD: profound and multiple learning difficulty", "PMLD"),
                ("SpLD: specific learning difficulty", "SpLD"), ("PD: physical disability", "PD"),
                ("HI: hearing impairment", "HI"), ("VI: vision impairment", "VI"),
                ("MSI: multi-sensory impairment", "MSI"), ("OTH: other", "OTH")]
SETTING_OPTIONS = ["mainstream", "resourced provision", "special", "independent", "alternative provision",
                   "early years", "FE college", "home or EOTAS", "none or NEET"]
STAGE_OPTIONS = ["new", "annual review", "transfer"]
YEAR_OPTIONS = [("- not given -", ""), ("Nursery", "N"), ("Reception", "R")] + [
    (f"Year {n}", str(n)) for n in range(1, 15)]
VALUE_OPTIONS = [("Met", MET), ("Not met", NOT_MET), ("n/a", NA)]
CHOOSE = "- choose -"


def grade_text(grade: int | None) -> str:
    return "no grade" if grade is None else f"{grade} {GRADE_WORDS.get(grade, '')}".strip()


def grades_html(grades: PlanGrades, fw: AuditFramework) -> str:
    """The derived section grades and plan grade as an escaped table and sentence."""
    rows = []
    for s in fw.sections:
        share = grades.section_shares.get(s.code)
        rows.append([f"{s.code}. {s.title}" + (" (key)" if s.key else ""),
                     "-" if share is None else f"{share:.0%}",
                     "no applicable criteria" if s.code not in grades.section_grades
                     else grade_text(grades.section_grades[s.code])])
    mean = "" if grades.weighted_mean is None else f" (weighted mean {grades.weighted_mean:.2f}, rounded down)"
    capped = " Capped: a key section is inadequate." if grades.capped else ""
    return (f'<p class="pr-a-plan-grade"><b>Plan grade: {esc(grade_text(grades.plan_grade))}</b>'
            f"{esc(mean)}.{esc(capped)}</p>"
            + html_table(["Section", "Weighted share of criteria met", "Section grade"], rows,
                         caption="Grades derived by the framework's rule"))


class CriterionRow:
    """One criterion: what to check, what good looks like, and Met / Not met / n/a."""
    def __init__(self, c: Criterion) -> None:
        self.criterion = c
        self.chosen: str | None = None  # the auditor's own choice, restored when a rule stops applying
        self.forced = False
        self.value = widgets.ToggleButtons(options=VALUE_OPTIONS, value=None, style={"button_width": "6rem"})
        self.value.add_class(f"pr-a-c-{c.id}")
        self.hint = widgets.HTML()
        text = widgets.HTML(
            f'<div class="pr-a-criterion"><b>{esc(c.id)}</b> {esc(c.text)}'
            f'<br><small><i>What good looks like:</i> {esc(c.good)}</small></div>',
            layout=fluid("36rem"))
        self.widget = widgets.VBox([widgets.HBox([text, widgets.VBox([self.value, self.hint])],
                                                 layout=widgets.Layout(flex_flow="row wrap"))])

    def set(self, value: str | None, forced: bool = False, hint: str = "") -> None:
        self.forced = forced
        self.value.disabled = forced
        self.value.value = value if value in (MET, NOT_MET, NA) else None
        self.hint.value = f"<small>{esc(hint)}</small>" if hint else ""


class AuditTab:
    """Saved plans on top, the plan form below, derived grades and the combine step at the end."""
    def __init__(self, store: CaptureStore, framework: AuditFramework) -> None:
        self.fw = framework
        self.audit = AuditStore(store, framework)
        self.editing: PlanEntry | None = None
        self.last_grades: PlanGrades | None = None
        self._loading = False
        self.messages = MessageArea("pr-a-msg")
        self.combine_messages = MessageArea("pr-a-combine-msg")
        lay = fluid("30rem")
        self.listing = widgets.Select(options=[], rows=6, description="Saved plans", layout=fluid("50rem"))
        self.listing.add_class("pr-listing")
        self.case_ref = widgets.Text(description="Case ref", placeholder="pseudonymous, such as KES-0142",
                                     layout=lay)
        self.phase = widgets.Dropdown(options=[(CHOOSE, "")] + [(p, p) for p in PHASE_OPTIONS], value="",
                                      description="Phase", layout=lay)
        self.year_group = widgets.Dropdown(options=YEAR_OPTIONS, value="", description="Year group", layout=lay)
        self.primary_need = widgets.Dropdown(options=[(CHOOSE, "")] + NEED_OPTIONS, value="",
                                             description="Primary need", layout=lay)
        self.setting_type = widgets.Dropdown(options=[(CHOOSE, "")] + [(s, s) for s in SETTING_OPTIONS],
                                             value="", description="Setting", layout=lay)
        self.plan_stage = widgets.Dropdown(options=[(CHOOSE, "")] + [(s, s) for s in STAGE_OPTIONS], value="",
                                           description="Plan stage", layout=lay)
        self.weeks = widgets.Text(description="Weeks to issue", placeholder="new plans: request to final plan",
                                  layout=lay, style={"description_width": "initial"})
        self.notes = widgets.Textarea(description="Notes", placeholder="about the plan; never a name, date of "
                                      "birth, NHS number or UPN", layout=fluid("46rem", height="5rem"))
        self.rows = {c.id: CriterionRow(c) for c in framework.criteria}
        self.sections = [s for s in framework.sections if framework.criteria_in(s.code)]
        self.accordion = widgets.Accordion(
            children=[widgets.VBox([self.rows[c.id].widget for c in framework.criteria_in(s.code)])
                      for s in self.sections], selected_index=None)
        self.save = widgets.Button(description="Save plan", button_style="primary")
        self.new = widgets.Button(description="New plan")
        self.reload = widgets.Button(description="Reload")
        self.combine = widgets.Button(description="Combine all auditors' plans", layout=widgets.Layout(width="16rem"))
        self.mode = widgets.HTML()
        self.grades = widgets.HTML()
        for name in ("listing", "case_ref", "phase", "year_group", "primary_need", "setting_type",
                     "plan_stage", "weeks", "notes", "save", "new", "reload", "combine", "grades"):
            getattr(self, name).add_class(f"pr-a-{name.replace('_', '-')}")
        self.listing.observe(self._on_pick, names="value")
        for w in (self.phase, self.year_group, self.plan_stage, self.weeks):
            w.observe(self._on_details, names="value")
        for row in self.rows.values():
            row.value.observe(lambda ch, r=row: self._on_value(r, ch), names="value")
        self.save.on_click(lambda _: run_guarded(self.messages, self._save))
        self.new.on_click(lambda _: run_guarded(self.messages, self._new))
        self.reload.on_click(lambda _: run_guarded(self.messages, self.refresh))
        self.combine.on_click(lambda _: run_guarded(self.combine_messages, self._combine))
        target = capture_audit_input(store.params)
        self.widget = widgets.VBox([
            widgets.HTML("<h2>EHCP audit</h2><p>One plan at a time: the plan's details, then each criterion "
                         "as met, not met or n/a. Section and plan grades are derived by the framework's rule "
                         f"and shown when you save. Your plans are saved to "
                         f"<code>{esc(display_path(self.audit.path, store.root))}</code>.</p>"),
            widgets.HTML("<h3>Your audited plans</h3>"), widgets.HBox([self.new, self.reload]), self.listing,
            self.mode, self.case_ref, self.phase, self.year_group, self.primary_need, self.setting_type,
            self.plan_stage, self.weeks, widgets.HTML("<h3>Criteria by plan section</h3>"), self.accordion,
            self.notes, self.messages.widget, self.save, self.grades,
            widgets.HTML(f"<h3>For the letter</h3><p>{esc(words('audit_for_letter', target=target))}</p>"),
            self.combine, self.combine_messages.widget,
        ])
        self.widget.add_class("pr-a-form")
        kept_form(self.widget, self.case_ref, self.phase, self.year_group, self.primary_need, self.setting_type,
                  self.plan_stage, self.weeks, self.notes)
        self.load(None)
        self.refresh()

    # -- form state --------------------------------------------------------------------------
    def entry(self) -> PlanEntry:
        return PlanEntry(
            case_ref=self.case_ref.value, phase=self.phase.value or "", plan_stage=self.plan_stage.value or "",
            primary_need=self.primary_need.value or "", setting_type=self.setting_type.value or "",
            year_group=self.year_group.value or "", weeks_to_issue=self.weeks.value,
            values={cid: r.value.value or "" for cid, r in self.rows.items()}, notes=self.notes.value,
            moderation=self.editing.moderation if self.editing else "")

    @staticmethod
    def _pick_option(widget: widgets.Dropdown, value: str) -> None:
        values = [v for _, v in widget.options]
        widget.value = value if value in values else ""

    def load(self, plan: PlanEntry | None) -> None:
        self._loading = True
        try:
            self.editing = plan
            self.case_ref.value = plan.case_ref if plan else ""
            for name in ("phase", "year_group", "primary_need", "setting_type", "plan_stage"):
                self._pick_option(getattr(self, name), str(getattr(plan, name)) if plan else "")
            self.weeks.value = plan.weeks_to_issue if plan else ""
            self.notes.value = plan.notes if plan else ""
            ruled = set(not_applicable(plan, self.fw)) | set(derived_values(plan, self.fw)) if plan else set()
            for cid, row in self.rows.items():  # a value the rule forced is not the auditor's choice
                row.chosen = (plan.values.get(cid) or None) if plan and cid not in ruled else None
                row.set(row.chosen)
        finally:
            self._loading = False
        self._apply_rules()
        self.mode.value = ("<h3>New plan</h3>" if plan is None else
                           f"<h3>Editing plan {esc(plan.key)}</h3>")
        self.save.description = "Save plan" if plan is None else "Save changes"

    def _apply_rules(self) -> None:
        """Lock criteria the framework excludes (n/a) or derives; unlock the rest with the auditor's choice."""
        entry = self.entry()
        excluded = not_applicable(entry, self.fw)
        derived = derived_values(entry, self.fw)
        open_rules = undecided(entry, self.fw)
        self._loading = True
        try:
            for cid, row in self.rows.items():
                if cid in excluded:
                    row.set(NA, forced=True, hint=f"Not applicable to this plan ({excluded[cid]}).")
                elif cid in derived:
                    row.set(derived[cid], forced=True, hint=f"Derived from weeks to issue (limit "
                            f"{self.fw.grading.timeliness_weeks:g} weeks).")
                else:
                    hint = (f"Applies {open_rules[cid]}: give the year group, or choose n/a."
                            if cid in open_rules else "")
                    row.set(row.chosen, hint=hint)
        finally:
            self._loading = False
        self._titles()

    def _titles(self) -> None:
        for i, s in enumerate(self.sections):
            rows = [self.rows[c.id] for c in self.fw.criteria_in(s.code)]
            done = sum(1 for r in rows if r.value.value is not None)
            self.accordion.set_title(i, f"{s.code}. {s.title} ({done} of {len(rows)} answered)")

    def refresh(self) -> None:
        plans = self.audit.plans()
        graded = self.audit.graded()
        self._loading = True
        try:
            self.listing.options = [(self._label(p, graded.get(p.key)), p.key) for p in plans]
            keys = {p.key for p in plans}
            self.listing.value = self.editing.key if self.editing and self.editing.key in keys else None
        finally:
            self._loading = False

    @staticmethod
    def _label(p: PlanEntry, grades: PlanGrades | None) -> str:
        grade = f" | plan grade {grade_text(grades.plan_grade)}" if grades is not None else ""
        return f"{p.key} | {p.phase} | {p.primary_need} | {p.setting_type} | {p.plan_stage}{grade}"

    # -- callbacks ---------------------------------------------------------------------------
    def _on_details(self, _: object) -> None:
        if not self._loading:
            run_guarded(self.messages, self._apply_rules)

    def _on_value(self, row: CriterionRow, change: dict[str, object]) -> None:
        if self._loading or row.forced:
            return
        new = change.get("new")
        row.chosen = new if isinstance(new, str) else None
        self._titles()

    def _on_pick(self, change: dict[str, object]) -> None:
        if self._loading or not change.get("new"):
            return
        run_guarded(self.messages, lambda: self._pick(str(change["new"])))

    def _pick(self, case_ref: str) -> None:
        plan = self.audit.get(case_ref)
        self.messages.clear()
        self.grades.value = ""
        if plan is None:
            self.messages.error("That plan is no longer in your file; the list has been reloaded.")
            self.refresh()
            return
        self.load(plan)
        grades = self.audit.graded().get(plan.key)
        if grades is not None:
            self.last_grades = grades
            self.grades.value = "<h3>Derived grades</h3>" + grades_html(grades, self.fw)

    def _new(self) -> None:
        self.load(None)
        self.grades.value = ""
        self.messages.clear()
        self.refresh()

    def _save(self) -> None:
        entry = self.entry()
        texts = {"pr-a-case-ref": entry.case_ref, "pr-a-weeks": entry.weeks_to_issue, "pr-a-notes": entry.notes}
        result = self.audit.save(entry, base=self.editing)
        if not result.ok or result.entry is None:
            refused = refused_keys(texts, self.audit.params)
            self.messages.form_messages(result.messages, FIELD_LABELS, refused)
            return
        self.load(result.entry)
        self.refresh()
        self.messages.ok(f"Saved plan {result.entry.key}. You can change it and save again, or start a new plan.",
                         saved=texts)
        self.last_grades = result.grades
        if result.grades is not None:
            self.grades.value = "<h3>Derived grades</h3>" + grades_html(result.grades, self.fw)

    def _combine(self) -> None:
        try:
            path = combine_capture_audits(self.audit.params, self.audit.root, self.fw)
        except ValidationFailed as exc:
            self.combine_messages.error(["Not combined (nothing was written):"] + [str(e) for e in exc.errors])
            return
        refs = [r["case_ref"] for r in read_rows(path, self.audit.columns)]
        double = {r for r in refs if refs.count(r) > 1}
        lines = [words("combined", file=display_path(path, self.audit.root), rows=len(refs), plans=len(set(refs)),
                       double=len(double))]
        self.combine_messages.ok(" ".join(lines + self._letter_count()))

    def _letter_count(self) -> list[str]:
        """What the letter will read, counted as the letter counts it (:func:`toolkit.review.read_letter_audit`)."""
        try:
            listed, captured = read_audit_parts(self.audit.params, self.audit.root)
        except ValidationFailed as exc:
            return [words("combined_letter_unknown"), *(str(e) for e in exc.errors)]
        if captured is None:
            return []
        if listed is None:
            return [words("combined_letter_alone", letter_plans=plural(len(captured.plans), "plan"))]
        merged = merge_audits(listed, captured)
        here = {r.case_ref for r in captured.records}
        only_listed = {p.case_ref for p in merged.plans} - here
        replaced = len(listed.records) + len(captured.records) - len(merged.records)
        return [words("combined_letter_listed", letter_plans=plural(len(merged.plans), "plan"),
                      captured_plans=number_words(len(here)), listed_plans=number_words(len(only_listed)),
                      listed=listed.file, replaced=_replaced(replaced))]


def _replaced(count: int) -> str:
    """How many of the listed audit file's rows a plan entered here replaces, in words."""
    if count == 0:
        return words("combined_replaced_none")
    if count == 1:
        return words("combined_replaced_one")
    return words("combined_replaced_some", replaced=number_words(count))


class UnavailableAuditTab:
    """Stands in for the tab when the review's audit framework cannot be read (the message says why)."""
    def __init__(self, lines: list[str]) -> None:
        self.messages = MessageArea("pr-a-msg")
        self.messages.error(lines)
        self.widget = widgets.VBox([widgets.HTML("<h2>EHCP audit</h2>"), self.messages.widget])

    def refresh(self) -> None:
        return None


def audit_tab(store: CaptureStore) -> AuditTab | UnavailableAuditTab:
    """The tab for a reviewer, or a message when the review's audit framework cannot be read."""
    try:
        fw = load_audit_framework(store.params.inputs.audit_framework, store.root)
    except ValidationFailed as exc:
        return UnavailableAuditTab(["The EHCP audit form is unavailable: the audit framework has problems."]
                                   + [str(e) for e in exc.errors])
    return AuditTab(store, fw)
