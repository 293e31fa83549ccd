"""Every message a module asks its catalogue file for is there, with the values it fills in
(docs/messages.md): a key misspelt or a ``{value}`` left unfilled fails here, not in front of a user."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support.paths import ROOT

from toolkit.messages import CATALOGUE, Messages


def _readers() -> list[tuple[Path, str, str]]:
    """(module, the name it reads its messages through, the catalogue file) of every module with a
    ``name = Messages("file.yaml")`` at its top level, and of every module that imports that name
    from one of them."""
    found = []
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "toolkit").rglob("*.py"))}
    for path, tree in trees.items():
        for node in tree.body:
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Name) and node.value.func.id == "Messages"):
                first = node.value.args[0]
                assert isinstance(first, ast.Constant) and isinstance(node.targets[0], ast.Name)
                found.append((path, node.targets[0].id, str(first.value)))
    owners = {(".".join(p.relative_to(ROOT).with_suffix("").parts), name): file for p, name, file in found}
    for path, tree in trees.items():
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    file = owners.get((node.module, alias.name))
                    if file is not None:
                        found.append((path, alias.asname or alias.name, file))
    return found


READERS = _readers()


def test_the_modules_with_messages_are_found() -> None:
    assert {"progress.yaml", "workbook.yaml", "newreview.yaml", "plans.yaml", "sef.yaml"} <= {f for _, _, f in READERS}


@pytest.mark.parametrize("module, name, file", READERS,
                         ids=[f"{p.parent.name}/{p.stem}:{f}" for p, _, f in READERS])
def test_every_message_asked_for_exists_with_its_values(module: Path, name: str, file: str) -> None:
    messages = Messages(file)
    keys = set(messages.keys())
    assert keys, f"{file} holds no message"
    for key in keys:  # each fills in as written
        messages(key, **dict.fromkeys(messages.fields(key), "x"))
    calls = [n for n in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name
             and n.args and isinstance(n.args[0], ast.Constant)]
    for call in calls:
        key = str(call.args[0].value)  # type: ignore[attr-defined]
        assert key in keys, f"{module.name}:{call.lineno}: no message {key!r} in {file}"
        given = {k.arg for k in call.keywords}
        if None in given:  # **values: checked where they are built
            continue
        assert given == messages.fields(key), f"{module.name}:{call.lineno}: {key} takes {messages.fields(key)}"


def test_every_catalogue_file_of_messages_is_read() -> None:
    read = {f for _, _, f in READERS}
    for path in CATALOGUE.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if text.startswith("# Messages"):
            assert path.name in read, f"{path.name} says it holds messages but no module reads it"


_MESSAGE_CALLS = {"InputError": 1, "InputWarning": 1, "FormMessage": 1, "StoreError": 0, "ToolkitError": 0, "bad": 1}


def _writes_messages(path: Path) -> bool:
    """Whether the module writes a message's words in Python (a literal or f-string given to an
    error, a warning, a form message or a row's ``bad``)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        at = _MESSAGE_CALLS.get(name)
        if at is None or len(node.args) <= at:
            continue
        arg = node.args[at]
        if isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
            return True
    return False


def test_only_the_modules_listed_in_the_docs_write_messages_in_python() -> None:
    doc = (ROOT / "docs" / "messages.md").read_text(encoding="utf-8").split("## Modules not yet moved", 1)[1]
    listed = {line.strip()[3:-1] for line in doc.splitlines() if line.startswith("- `")}
    writing = {str(p.relative_to(ROOT)) for p in (ROOT / "toolkit").rglob("*.py") if _writes_messages(p)}
    assert writing - listed == set(), "messages written in Python (move them to a catalogue file, docs/messages.md)"
    assert listed - writing == set(), "moved to the convention: take them off the list in docs/messages.md"
