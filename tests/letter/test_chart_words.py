"""Chart titles, alternative text and labels are the style's words (``charts:`` in words.yaml):
a style rewords any of them in its own words.yaml, the rest stay the standard style's, and an
edited word is read again in a running process. Real demo reviews, real style folders."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest
from support.paths import ROOT

from toolkit.analysis.comparisons import Comparison
from toolkit.letter.audit import audit_charts
from toolkit.letter.performance_charts import comparison_chart, trend_chart
from toolkit.letter.sections import build_letter
from toolkit.letter.style_words import ChartWords, chart_words, words_of
from toolkit.review import Review, load_review

OWN_WORDS = """\
charts:
  comparison_title: "How {{ area }} compares on {{ indicator }} ({{ period }})"
  comparison_alt: "Bars for {{ indicator }}: {% for label, value in rows %}{{ label }} at {{ value }}{{ ', ' if not loop.last }}{% endfor %}."
  trend_title: "{{ indicator }} in {{ area }}, year by year"
  trend_alt: "Lines for {{ indicator }} over {{ first }} to {{ last }}."
  trend_period: Year
  units:
    percent: Percentage of plans
  comparators:
    England: All of England
  audit_group_title: "Plans by {{ label | lower_words }}, graded"
  audit_timely:
    met: In time
"""


def _style(tmp_path: Path, text: str = OWN_WORDS) -> Path:
    folder = tmp_path / "own-style"
    folder.mkdir()
    (folder / "words.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def review() -> Review:
    return load_review(ROOT / "params" / "harrowdene-2026.yaml")  # performance with trends, and an audit


def _percent_comparison(review: Review) -> Comparison:
    assert review.performance is not None
    return next(c for c in review.performance.comparisons
                if c.indicator.unit == "percent" and c.value is not None and len(c.trend.points) >= 2
                and c.series.get("England"))


def test_a_style_rewords_the_performance_charts(review: Review, tmp_path: Path) -> None:
    comp = _percent_comparison(review)
    words = chart_words(_style(tmp_path))
    bars, standard = comparison_chart(comp, words=words), comparison_chart(comp)
    assert bars is not None and standard is not None
    ind, area, period = comp.indicator.short_title, comp.area.name, comp.period.label
    assert bars.title == f"How {area} compares on {ind} ({period})"
    assert standard.title == f"{ind}, {period}: {area} and comparators"
    assert bars.alt.startswith(f"Bars for {ind}: {area} at ") and "All of England at " in bars.alt
    assert standard.alt.startswith(f"Bar chart of {ind} in {period}: ")
    assert ["All of England" in r[0] for r in bars.rows] == ["England" == r[0] for r in standard.rows]
    assert bars.columns == standard.columns == ["Area", "Value"]  # not reworded: the standard words
    for text in (bars.title, bars.alt, "Percentage of plans"):
        assert _escaped(text) in bars.svg
    assert "Per cent" in standard.svg and "Per cent" not in bars.svg

    line = trend_chart(comp, words=words)
    assert line is not None
    assert line.title == f"{ind} in {area}, year by year"
    assert line.alt == f"Lines for {ind} over {line.rows[0][0]} to {line.rows[-1][0]}."
    assert line.columns[0] == "Year" and "All of England" in line.columns


def test_a_style_rewords_the_audit_charts(review: Review, tmp_path: Path) -> None:
    assert review.audit is not None
    own = {c.id: c for c in audit_charts(review.audit, _style(tmp_path)).charts}
    standard = {c.id: c for c in audit_charts(review.audit).charts}
    assert own["audit-by-phase"].title == "Plans by phase, graded"
    assert standard["audit-by-phase"].title == "Overall grades of the plans we read, by phase"
    assert own["audit-by-phase"].alt == standard["audit-by-phase"].alt  # not reworded
    assert own["audit-timeliness"].columns[2] == "In time"
    assert standard["audit-timeliness"].columns[2] == "On time or up to date"


def test_the_letter_draws_its_style_chart_words(review: Review, tmp_path: Path) -> None:
    own = dataclasses.replace(review, params=review.params.model_copy(update={"letter_style": str(_style(tmp_path))}))
    letter, standard = build_letter(own), build_letter(review)
    assert "year by year" in letter and "year by year" not in standard
    assert " over time</title>" in standard and " over time</title>" not in letter


def test_edited_chart_words_are_read_again(review: Review, tmp_path: Path) -> None:
    comp = _percent_comparison(review)
    folder = _style(tmp_path)
    words = ChartWords(str(folder))
    first = trend_chart(comp, words=words)
    path = folder / "words.yaml"
    before = path.stat().st_mtime_ns
    path.write_text(OWN_WORDS.replace("year by year", "over the years"), encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))  # an edit a second later
    again = trend_chart(comp, words=words)
    assert first is not None and again is not None
    assert first.title.endswith("year by year") and again.title.endswith("over the years")


def test_the_standard_words_hold_every_chart_word() -> None:
    """Every word the chart code asks for is in the standard style (a style may leave any out)."""
    code = "".join((ROOT / "toolkit" / "letter" / name).read_text(encoding="utf-8")
                   for name in ("performance_charts.py", "audit_charts.py"))
    asked = {m[1] for m in re.finditer(r'(?:words\(|_said\(words, |labels\()"([a-z_]+)"', code)}
    assert {"comparison_title", "trend_alt", "units", "audit_timely", "audit_sections_alt"} <= asked
    assert asked <= set(words_of(chart_words().folder)["charts"])


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
