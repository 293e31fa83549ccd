"""Reading YAML files: one safe loader for every YAML file the toolkit reads, and one line per problem.

Every YAML file a review names or the toolkit ships (parameters, frameworks, indicator catalogues,
audit frameworks, glossaries, styles' ``document.yaml`` and ``words.yaml``) is read through
:func:`parse_yaml`. Its loader

- leaves dates as text (PyYAML turns ``2026-02-31`` into a bare ``ValueError``; left as text,
  pydantic validates it and reports the field that holds it);
- refuses a key written twice in one mapping (``letter_date`` twice: YAML would silently keep the
  second), naming the key and both lines: :class:`DuplicateKey`.

:func:`yaml_error` turns any YAML problem into one :class:`~toolkit.errors.InputError` naming the
file and the line, and saying what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from toolkit.errors import InputError, ValidationFailed
from toolkit.inputs.files import regular_file
from toolkit.inputs.privacy import quote

#: libyaml's C parser where PyYAML was built with it (its wheels are): same documents, same errors
#: with their line marks, about ten times faster than the pure-Python one.
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKey(yaml.constructor.ConstructorError):
    """A mapping of a YAML document holds the same key twice."""

    def __init__(self, key: object, first: yaml.Mark, again: yaml.Mark) -> None:
        super().__init__(None, None, "duplicate key", again)
        self.key = key
        self.first_line = first.line + 1


class _Loader(_BASE_LOADER):  # type: ignore[misc]
    """A safe loader that leaves dates as text and refuses a key written twice in a mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, yaml.Mark] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # a merge (<<) may repeat keys on purpose
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # an unhashable key: the constructor itself refuses it
                if first is not None:
                    raise DuplicateKey(key, first, key_node.start_mark)
                seen[key] = key_node.start_mark
        return dict(super().construct_mapping(node, deep=deep))


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BASE_LOADER.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str) -> Any:
    """``yaml.safe_load`` through the fastest safe loader available, refusing duplicate keys."""
    return yaml.load(text, Loader=_Loader)  # a safe loader


def yaml_error(exc: yaml.YAMLError, shown: str) -> InputError:
    """One line for a YAML problem: the file, the line, what is wrong and what to do."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    if isinstance(exc, DuplicateKey):
        return InputError(shown, f"the key {quote(exc.key)} appears twice in the same mapping (first on line "
                          f"{exc.first_line}), and only one can count: keep one and delete the other", line=line)
    problem = getattr(exc, "problem", None) or "the file cannot be read as YAML"
    return InputError(shown, f"not valid YAML: {problem}: check the quotes, brackets, colons and indentation "
                      "on this line and the one above", line=line)


def read_yaml(path: Path, shown: str) -> Any:
    """A YAML file read safely; raise :class:`ValidationFailed` with one line when it cannot be."""
    try:
        text = regular_file(path, shown).read_text(encoding="utf-8")
    except InputError as exc:
        raise ValidationFailed([exc]) from None
    except UnicodeDecodeError:
        raise ValidationFailed([InputError(shown, "not UTF-8 text: save the file as UTF-8")]) from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ValidationFailed([InputError(shown, f"cannot read the file ({reason}): check that it exists "
                                           "and can be read")]) from None
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        raise ValidationFailed([yaml_error(exc, shown)]) from None
