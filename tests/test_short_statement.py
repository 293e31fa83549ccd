"""Computed words: a finding's statement shortened as a table or a group's heading names it."""

from __future__ import annotations

import pytest

from toolkit.wording import short_statement


@pytest.mark.parametrize(("statement", "short"), [
    ("Recover the timeliness of new plans, which has fallen sharply since 2022.", "Recover the timeliness of new plans"),
    ("Jointly commission support for children with social, emotional and mental health needs.",
     "Jointly commission support for children with social, emotional and mental…"),
    ("Parents, carers and young people are heard at every stage of planning.",
     "Parents, carers and young people are heard at every stage…"),
    ("The local offer is hard to navigate: families cannot find what they need.", "The local offer is hard to navigate"),
    ("Few disagreements reach the tribunal.", "Few disagreements reach the tribunal"),
    ("Plans are late, often.", "Plans are late, often"),  # a first clause under four words is not a name
])
def test_a_statement_is_named_by_its_first_clause_unless_a_list_runs_on(statement: str, short: str) -> None:
    assert short_statement(statement) == short
