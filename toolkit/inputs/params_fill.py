"""What a review's parameters leave to the toolkit, and what they still leave to the coordinator.

- ``performance.neighbours: published`` (or no ``neighbours`` at all) is the authority's published
  statistical neighbours, read from DfE's workbook at ``performance.neighbours_file`` (a path
  absolute or, like every path of the parameters, relative to the project root: the folder that
  holds the parameters file's ``params/``, wherever ``peer-review`` runs; ``toolkit.inputs.neighbours_file``);
  neighbours are ONS codes where the project's DfE files (``inputs.performance``, ``data/performance``,
  ``data/dfe`` or the ``PEER_REVIEW_DFE_DATA`` setting) name them, else their old LA numbers, which
  the performance files carry too; a list of codes is the coordinator's own and always wins.
  ``published`` asked for by name with no file, or for an authority the file has no row for, is
  refused in one line; left out, it is simply none (a fictional demo authority has none).
- Text still reading ``[to fill in]`` (what ``peer-review new`` writes where only the team can say)
  and ``people_met: 0`` are warnings, so a new review validates and says what is left to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toolkit.errors import InputError, InputWarning
from toolkit.inputs.authorities import dfe_data_files, message, read_authorities
from toolkit.inputs.neighbours_file import published_neighbours, read_neighbours_file

PUBLISHED = "published"
PLACEHOLDER = "[to fill in]"


def fill_neighbours(data: dict[str, Any], file: str, errors: list[InputError],
                    root: Path | None = None) -> dict[str, Any]:
    """``data`` with ``performance.neighbours`` as a list of codes; the file and the DfE files
    are found relative to ``root``, the project root (default: the current folder)."""
    performance = data.get("performance")
    if performance is None:
        performance = {}
    if not isinstance(performance, dict):
        return data
    given = performance.get("neighbours", PUBLISHED)
    if isinstance(given, str) and given.strip().casefold() != PUBLISHED:
        errors.append(InputError(file, message("neighbours_word"), column="performance.neighbours"))
        return {**data, "performance": {**performance, "neighbours": []}}  # reported once, here
    if not isinstance(given, str):
        return data
    asked = "neighbours" in performance  # by name: say why there are none
    given_file = performance.get("neighbours_file")
    authority = data.get("authority")
    la_code = authority.get("la_code") if isinstance(authority, dict) else None
    codes: list[str] = []
    if not isinstance(given_file, str) or not given_file.strip():
        if asked:
            errors.append(InputError(file, message("neighbours_no_file"), column="performance.neighbours"))
    elif not isinstance(la_code, str | int) or not str(la_code).strip():
        if asked:
            errors.append(InputError(file, message("neighbours_no_la_code"), column="authority.la_code"))
    else:
        root = root or Path.cwd()
        inputs = data.get("inputs")
        listed = inputs.get("performance") if isinstance(inputs, dict) else None
        held = [root / str(p) for p in listed if isinstance(p, str)] if isinstance(listed, list) else []
        try:
            table = read_neighbours_file(root / given_file.strip(), root)
            known = read_authorities([*dfe_data_files(root), *held])
            codes = list(published_neighbours(str(la_code), table, known, file))
        except InputError as exc:
            errors.append(exc)
    return {**data, "performance": {**performance, "neighbours": codes}}


def _placeholders(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        return [where] if value.strip().casefold().startswith(PLACEHOLDER) else []
    if isinstance(value, dict):
        return [w for k, v in value.items() for w in _placeholders(v, f"{where}.{k}" if where else str(k))]
    if isinstance(value, list):
        return [w for i, v in enumerate(value, start=1) for w in _placeholders(v, f"{where}[{i}]")]
    return []


def placeholder_warnings(data: dict[str, Any], file: str) -> list[InputWarning]:
    """A warning for each field still holding ``[to fill in]`` text, and for ``people_met: 0``."""
    found = [InputWarning(file, message("placeholder"), column=w) for w in _placeholders(data, "")]
    if data.get("people_met") in (0, "0"):
        found.append(InputWarning(file, message("people_met_zero"), column="people_met"))
    return found
