"""The team tabs: Coverage (what is covered, what is thin) and Refine (the evening's selection)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import ipywidgets as widgets

from toolkit.analysis.coverage import CoverageReport, compute_coverage, review_checklist, review_findings
from toolkit.capture.records import CapturedFinding, SaveResult
from toolkit.capture.refine import Refiner, ordered, section_key, side_by_side, suggest_merges
from toolkit.capture.ui import MessageArea, esc, fluid, html_table, order_text, run_guarded
from toolkit.inputs.capture_layout import ChecklistStatus
from toolkit.inputs.findings import Finding
from toolkit.inputs.frameworks import KloeScope
from toolkit.inputs.params import ReviewParams

HEADLINES = "(headlines)"


class CoverageTab:
    """Per KLOE: the counts, then the prompts not yet covered and the findings on one evidence kind."""
    def __init__(self, params: ReviewParams, scope: KloeScope, root: Path) -> None:
        self.params, self.scope, self.root = params, scope, root
        self.messages = MessageArea()
        self.table = widgets.HTML()
        self.table.add_class("pr-coverage")
        self.details = widgets.HTML()
        self.details.add_class("pr-coverage-details")
        self.refresh_button = widgets.Button(description="Refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.widget = widgets.VBox([widgets.HTML("<h2>Coverage</h2>"), self.refresh_button,
                                    self.messages.widget, self.table,
                                    widgets.HTML("<h3>Still to do, KLOE by KLOE</h3>"), self.details])

    def refresh(self) -> None:
        run_guarded(self.messages, self._refresh)

    def _refresh(self) -> None:
        findings, problems, _ = review_findings(self.params, self.scope, self.root)
        checklist, more = review_checklist(self.params, self.scope, self.root)
        report = compute_coverage(self.scope, findings, checklist, [*problems, *more])
        rows = [[k.title + (f" ({k.kloe})" if k.kloe else ""), f"{k.covered} of {k.prompts}", k.partly, k.not_yet,
                 k.strengths, k.areas, k.urgent, k.single_evidence, ", ".join(k.reviewers) or "none yet"]
                for k in report.kloes]
        self.table.value = html_table(
            ["KLOE", "Prompts covered", "Partly", "Not yet", "Strengths", "Areas for consideration",
             "Urgent actions", "On one kind of evidence only", "Reviewers"], rows,
            caption="Findings withdrawn are not counted; a prompt counts as covered when any reviewer covered it.")
        self.details.value = coverage_details_html(report, self.scope, findings)
        if report.problems:
            self.messages.error([f"Left out: {p}" for p in report.problems[:20]])
        else:
            self.messages.clear()


def coverage_details_html(report: CoverageReport, scope: KloeScope, findings: Sequence[Finding]) -> str:
    """For each KLOE: the prompts not covered yet (with their best status) and the findings that
    rest on one kind of evidence only (statement, reviewer, the evidence kind). All text escaped."""
    prompt_text = {p.id: p.text for k in scope.kloes for p in k.prompts}
    by_id = {f.id: f for f in findings}
    parts = []
    for k in report.kloes:
        todo = [(pid, status) for pid, status in k.prompt_status if status != ChecklistStatus.COVERED]
        thin = [by_id[i] for i in k.single_evidence_ids if i in by_id]
        if not todo and not thin:
            continue
        title = k.title + (f" ({k.kloe})" if k.kloe else "")
        body = [f'<section class="pr-cov-kloe" data-kloe="{esc(k.kloe)}"><h4>{esc(title)}</h4>']
        if todo:
            items = "".join(f'<li class="pr-cov-prompt">{esc(prompt_text.get(pid, pid))} '
                            f"<small>({esc(status)})</small></li>" for pid, status in todo)
            body.append(f"<p>Prompts not yet covered ({len(todo)}):</p><ul>{items}</ul>")
        if thin:
            items = "".join(f'<li class="pr-cov-single">{esc(f.statement)} <small>({esc(f.reviewer)}; only '
                            f"{esc(f.evidence[0] if f.evidence else '')})</small></li>" for f in thin)
            body.append(f"<p>Findings resting on one kind of evidence only ({len(thin)}):</p><ul>{items}</ul>")
        parts.append("".join(body) + "</section>")
    return "".join(parts) or "<p>Every prompt is covered and every finding rests on more than one kind of evidence.</p>"


class RefineTab:
    """One KLOE at a time: reviewers side by side, merge suggestions, and headline/include/order."""
    def __init__(self, params: ReviewParams, scope: KloeScope, root: Path) -> None:
        self.params, self.scope, self.root = params, scope, root
        self.refiner = Refiner(params, scope, root)
        self.messages = MessageArea("pr-r-msg")
        self.kloe = widgets.Dropdown(options=[(f"{k.title} ({k.id})", k.id) for k in scope.kloes]
                                     + [("Headlines (any KLOE)", HEADLINES)],
                                     description="KLOE", layout=fluid("46rem"))
        self.kloe.observe(lambda _: self.refresh(), names="value")
        self.refresh_button = widgets.Button(description="Refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        self.table = widgets.HTML()
        self.suggestions = widgets.VBox()
        self.editor = widgets.VBox()
        self.widget = widgets.VBox([
            widgets.HTML("<h2>Refine the team's findings</h2><p>Decisions are saved at once in each reviewer's "
                         "file, and the letter reads those files as they are: nothing needs copying.</p>"),
            widgets.HBox([self.kloe, self.refresh_button], layout=widgets.Layout(flex_flow="row wrap")),
            self.messages.widget,
            widgets.HTML("<h3>Side by side</h3>"), self.table,
            widgets.HTML("<h3>Possible duplicates</h3>"), self.suggestions,
            widgets.HTML("<h3>Selection and order</h3>"), self.editor,
        ])

    def refresh(self) -> None:
        run_guarded(self.messages, self._refresh)

    def _pool(self, findings: list[CapturedFinding]) -> list[CapturedFinding]:
        if self.kloe.value == HEADLINES:
            return [f for f in findings if f.headline and not f.withdrawn]
        return [f for f in findings if f.kloe == self.kloe.value and not f.withdrawn]

    def _refresh(self) -> None:
        findings = self.refiner.findings()
        pool = self._pool(findings)
        reviewers = [m.name for m in self.params.team]
        if self.kloe.value == HEADLINES:
            frame = None
        else:
            frame = side_by_side(findings, str(self.kloe.value), reviewers)
        self.table.value = (html_table(list(frame.columns), frame.values.tolist()) if frame is not None and len(frame)
                            else "<p>No findings here yet.</p>")
        sugg = suggest_merges(pool)
        self.suggestions.children = [self._suggestion(s.first, s.second, max(s.jaccard, s.ratio))
                                     for s in sugg] or [widgets.HTML("<p>None found.</p>")]
        sections: dict[tuple[str, str, bool], list[CapturedFinding]] = {}
        for f in pool:
            sections.setdefault(section_key(f), []).append(f)
        rows: list[widgets.Widget] = []
        for key in sorted(sections, key=lambda k: (k[1], k[0])):
            rows.append(widgets.HTML(f"<h4>{esc(key[1])}{' (headline)' if key[2] else ''}</h4>"))
            rows.extend(self._editor_row(f) for f in ordered(sections[key]))
        self.editor.children = rows or [widgets.HTML("<p>No findings here yet.</p>")]

    def _suggestion(self, a: CapturedFinding, b: CapturedFinding, score: float) -> widgets.Widget:
        text = widgets.HTML(f"<p>{esc(a.reviewer)}: <q>{esc(a.statement)}</q><br>{esc(b.reviewer)}: "
                            f"<q>{esc(b.statement)}</q> (similarity {score:.2f})</p>")
        tip = "exclude the other, pool evidence"
        keep_a = widgets.Button(description=f"Keep {a.reviewer.split()[0]}'s", tooltip=tip)
        keep_b = widgets.Button(description=f"Keep {b.reviewer.split()[0]}'s", tooltip=tip)
        keep_a.on_click(lambda _: self._act(lambda: self.refiner.merge(a.id, [b.id])))
        keep_b.on_click(lambda _: self._act(lambda: self.refiner.merge(b.id, [a.id])))
        return widgets.VBox([text, widgets.HBox([keep_a, keep_b])])

    def _editor_row(self, f: CapturedFinding) -> widgets.Widget:
        number = f"{order_text(f.order)}. " if f.order is not None else ""
        label = widgets.HTML(f"{esc(number)}<b>{esc(f.statement)}</b> "
                             f"<small>({esc(f.reviewer)}; {esc(', '.join(f.evidence))})</small>",
                             layout=fluid("38rem"))
        headline = widgets.Checkbox(value=f.headline, description="headline", indent=False,
                                    layout=widgets.Layout(width="7rem"))
        include = widgets.Checkbox(value=f.include, description="in letter", indent=False,
                                   layout=widgets.Layout(width="7rem"))
        up = widgets.Button(description="Up", layout=widgets.Layout(width="4rem"))
        down = widgets.Button(description="Down", layout=widgets.Layout(width="4.5rem"))
        headline.observe(lambda ch: self._act(lambda: [self.refiner.set_flags(f.id, headline=bool(ch["new"]))]),
                         names="value")
        include.observe(lambda ch: self._act(lambda: [self.refiner.set_flags(f.id, include=bool(ch["new"]))]),
                        names="value")
        up.on_click(lambda _: self._act(lambda: self.refiner.move(f.id, -1)))
        down.on_click(lambda _: self._act(lambda: self.refiner.move(f.id, +1)))
        return widgets.HBox([label, headline, include, up, down], layout=widgets.Layout(flex_flow="row wrap"))

    def _act(self, action: Callable[[], Sequence[SaveResult]]) -> None:
        def run() -> None:
            results = action()
            bad = [m.text for r in results if not r.ok for m in r.messages]
            self._refresh()
            if bad:
                self.messages.error(bad)
            else:
                self.messages.ok("Saved.")

        run_guarded(self.messages, run)
