"""The project's install files agree with each other and with the README."""

from __future__ import annotations

import re
import tomllib

import yaml
from support.paths import ROOT


def _name(req: str) -> str:
    return re.split(r"[<>=!~\[ ;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in meta["dependencies"]}
    for extra in meta.get("optional-dependencies", {}).values():
        declared |= {_name(r) for r in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    listed = {_name(r) for r in pip_lists[0] if not r.startswith("-e")}
    assert listed == declared


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert readme.index("make demo") < readme.index("## ")  # given first, before any section
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
