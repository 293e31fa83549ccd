"""What a review's parameters say about the visit and the team's view, for the report form.

* ``overall_view``: the team's overall judgement in its own words, a short paragraph (a blank line
  starts another); the report form prints it under Overall findings, signed by the team, and a
  letter style that lists the ``overall_view`` section prints it before the headline messages.
* ``settings_visited``: the settings and services the team visited or met, by name.
* ``sessions_attended``: the observations and focus groups the team attended: a list, or a
  mapping of headings (a KLOE id in scope, or a heading of the team's own) to lists.
* ``explored_through``: for a KLOE id in scope, the activities that tested it ("This was explored
  through: ...").

Every text is screened for a child's personal data, like the parameters' other free text, and a
KLOE id that is not in scope is refused with its field.
"""

from __future__ import annotations

from collections.abc import Collection

from toolkit.errors import InputError
from toolkit.inputs.privacy import NOT_SHOWN, quote, screen_table

#: The top-level keys this module describes (docs/inputs.md).
REPORT_FIELDS = ("overall_view", "settings_visited", "sessions_attended", "explored_through")


def sessions_groups(sessions: dict[str, list[str]] | list[str]) -> list[tuple[str, list[str]]]:
    """``sessions_attended`` as (heading, items) pairs; a plain list is one group without a heading."""
    if isinstance(sessions, dict):
        return [(str(k), list(v)) for k, v in sessions.items()]
    return [("", list(sessions))] if sessions else []


def report_texts(overall_view: str | None, settings_visited: list[str],
                 sessions_attended: dict[str, list[str]] | list[str],
                 explored_through: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Every free text of these fields with the field that holds it (``settings_visited[2]``)."""
    out: list[tuple[str, str]] = []
    if overall_view:
        out.append(("overall_view", overall_view))
    out += [(f"settings_visited[{i}]", t) for i, t in enumerate(settings_visited, start=1)]
    for heading, items in sessions_groups(sessions_attended):
        where = f"sessions_attended.{heading}" if heading else "sessions_attended"
        if heading:
            out.append((where, heading))
        out += [(f"{where}[{i}]", t) for i, t in enumerate(items, start=1)]
    for kloe, items in explored_through.items():
        out += [(f"explored_through.{kloe}[{i}]", t) for i, t in enumerate(items, start=1)]
    return out


def screen_report_texts(texts: list[tuple[str, str]], params_file: str, allow: list[str],
                        reference_year: int) -> list[InputError]:
    """Each text that looks like a child's personal data, named by its field (never quoted)."""
    errors = []
    for field, text in texts:
        for e in screen_table([(0, {"text": text})], params_file, ("text",), allow, reference_year):
            errors.append(InputError(params_file, e.message, column=field))
    return errors


def kloe_field_errors(explored_through: dict[str, list[str]],
                      kloe_ids: Collection[str], params_file: str) -> list[InputError]:
    """``explored_through`` may name only KLOEs in scope (its keys are KLOE ids)."""
    return [InputError(params_file, f"{quote(k)} is not a KLOE in this review's scope ({', '.join(kloe_ids)}): "
                       "use the id of a KLOE under scope", column=f"explored_through.{k}" if quote(k) != NOT_SHOWN
                       else f"explored_through[{n}]")
            for n, k in enumerate(explored_through, start=1) if k not in kloe_ids]
