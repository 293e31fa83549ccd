"""``peer-review new``: a review set up from an authority, the visit dates, the team and a framework.

It writes, and never over an existing review:

- ``params/<review>.yaml`` from ``toolkit/catalogue/newreview.yaml.j2``: every field commented,
  the authority's ONS and old LA codes, its region, its published statistical neighbours
  (``toolkit.inputs.authorities``), the performance files the project holds for it, the default
  outputs; ``[to fill in]`` where only the team can say (``validate`` warns of each);
- ``data/<review>/``: a findings workbook per reviewer with its drop-down lists (the blank
  workbook of ``capture-export --blank``), an audit and a SEF workbook
  (``toolkit.capture.starter_books``), and ``to-do.md``, the list of what is left to fill in
  (``toolkit/catalogue/newreview_todo.md.j2``), which the command also prints.

Everything is built in a temporary folder and moved into place at the end: a refused or failed
start leaves nothing behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from toolkit.capture.files import atomic_write_text
from toolkit.capture.starter_books import audit_workbook, sef_workbook
from toolkit.capture.workbook import export_workbook
from toolkit.errors import InputError, ValidationFailed, display_path
from toolkit.inputs.audit_framework import load_audit_framework
from toolkit.inputs.authorities import (
    Authorities,
    AuthorityRecord,
    dfe_data_files,
    find_authority_record,
    message,
    read_authorities,
)
from toolkit.inputs.findings import COLUMNS as FINDINGS_COLUMNS
from toolkit.inputs.frameworks import load_framework, resolve_scope, shipped_frameworks
from toolkit.inputs.neighbours_file import published_neighbours, read_neighbours_file
from toolkit.inputs.params import SLUG, parse_params, parse_yaml
from toolkit.inputs.privacy import quote
from toolkit.inputs.sef import SefOptions

CATALOGUE = Path(__file__).resolve().parents[1] / "catalogue"
PARAMS_TEMPLATE = "newreview.yaml.j2"
TODO_TEMPLATE = "newreview_todo.md.j2"
DEFAULT_FRAMEWORK = "send-2025"
PERFORMANCE_FOLDERS = ("data/performance", "data/dfe")


@dataclass(frozen=True)
class Member:
    name: str
    role: str
    organisation: str
    lead: bool = False


@dataclass(frozen=True)
class NewReview:
    """What ``peer-review new`` was told (as typed: every value is checked here)."""
    authority: str
    dates: Sequence[str]
    members: Sequence[str] = ()  # "Name; Role; Organisation"
    team_file: Path | None = None  # CSV: name, role, organisation[, lead]
    lead: str | None = None  # default: the file's lead, else the first member
    framework: str = DEFAULT_FRAMEWORK
    review_id: str | None = None
    presentation: str | None = None  # default: the day after the last visit day
    coordinator: str | None = None  # "Name; Role; Organisation"
    programme: str = "SEND Peer Review"
    sequence: int = 1
    dfe_data: Sequence[Path] = ()  # DfE CSVs (or folders) listing authorities; default: the project's
    neighbours_file: Path | None = None  # DfE's statistical neighbour workbook


@dataclass(frozen=True)
class Started:
    """What was written, and what is left to fill in."""
    review_id: str
    params: Path
    files: tuple[Path, ...]
    todo: str
    neighbours: tuple[str, ...] = field(default_factory=tuple)

    def lines(self, root: Path) -> list[str]:
        written = [message("written", what="parameters", path=display_path(self.params, root))]
        written += [message("written", what="file", path=display_path(f, root)) for f in self.files]
        return [*written, "", self.todo.rstrip()]


def _date(value: str, field_name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(field_name, message("date_bad", value=quote(value))) from None


def _dates(values: Sequence[str]) -> list[dt.date]:
    days = [_date(v, "--dates") for raw in values for v in raw.split(",") if v.strip()]
    if not days:
        raise InputError("--dates", message("date_bad", value="''"))
    if days != sorted(set(days)):
        raise InputError("--dates", message("dates_order", dates=", ".join(d.isoformat() for d in days)))
    return days


def _member(text: str, where: str) -> Member:
    parts = [p.strip() for p in text.split(";")]
    if len(parts) != 3 or not all(parts):
        raise InputError(where, message("member_bad", value=quote(text)))
    return Member(parts[0], parts[1], parts[2])


def _team_file(path: Path) -> list[Member]:
    shown = display_path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            header = [h.strip().casefold() for h in reader.fieldnames or [] if h]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(shown, str(getattr(exc, "strerror", None) or exc.__class__.__name__)) from None
    if not {"name", "role", "organisation"} <= set(header):
        raise InputError(shown, message("team_file_columns", columns=", ".join(header) or "none"))
    members = []
    for n, row in enumerate(rows, start=2):
        cells = {k.strip().casefold(): (v or "").strip() for k, v in row.items() if k}
        for col in ("name", "role", "organisation"):
            if not cells[col]:
                raise InputError(shown, message("team_file_cell", column=col), row=n, column=col)
        members.append(Member(cells["name"], cells["role"], cells["organisation"],
                              cells.get("lead", "").casefold() in ("yes", "y", "true", "1")))
    return members


def _team(request: NewReview) -> list[Member]:
    members = _team_file(request.team_file) if request.team_file else []
    members += [_member(m, f"--member {i}") for i, m in enumerate(request.members, start=1)]
    if not members:
        raise InputError("--member", message("team_empty"))
    names = [m.name for m in members]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice:
        raise InputError("--member", message("team_twice", name=quote(twice)))
    if request.lead is not None:
        if request.lead not in names:
            raise InputError("--lead", message("lead_unknown", lead=quote(request.lead), names=", ".join(names)))
        return [Member(m.name, m.role, m.organisation, m.name == request.lead) for m in members]
    leads = sum(m.lead for m in members)
    if leads == 0:
        return [Member(m.name, m.role, m.organisation, i == 0) for i, m in enumerate(members)]
    if leads > 1:
        raise InputError(display_path(request.team_file) if request.team_file else "--member",
                         message("lead_count", found=leads))
    return members


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def _member_slugs(team: Sequence[Member]) -> list[str]:
    last = [_slug(m.name.split()[-1]) for m in team]
    return [s if last.count(s) == 1 else _slug(m.name) for s, m in zip(last, team, strict=True)]


#: the columns of DfE's open-data files (and of local long-format files) that hold an area's code
CODE_COLUMNS = frozenset({"new_la_code", "old_la_code", "la_code", "area_code"})


def _holds(path: Path, codes: frozenset[str]) -> bool:
    """Whether a CSV has a row for one of ``codes`` in a code column (never a figure that happens
    to read like an LA number)."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
            rows = csv.reader(f)
            header = [h.strip().casefold() for h in next(rows, [])]
            columns = [i for i, h in enumerate(header) if h in CODE_COLUMNS]
            return bool(columns) and any(i < len(row) and row[i].strip() in codes for row in rows for i in columns)
    except (OSError, csv.Error):
        return False


def _performance_files(root: Path, a: AuthorityRecord) -> list[str]:
    """The project's performance CSVs that hold a row for the authority (by any of its codes)."""
    codes = frozenset((*a.codes, a.la_code))
    return [path.relative_to(root).as_posix() for folder in PERFORMANCE_FOLDERS
            for path in sorted((root / folder).glob("*.csv")) if _holds(path, codes)]


def _named(code: str, table: Authorities) -> str:
    name = table.name_of(code) or (a.name if (a := table.by_la_code(code)) else None)
    return f"{code} {name}" if name else code


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(CATALOGUE), keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             autoescape=False)  # YAML and Markdown, values quoted by ``q``
    env.filters["q"] = lambda v: json.dumps(str(v), ensure_ascii=False)  # a YAML double-quoted scalar
    return env


def _presentation(request: NewReview, days: list[dt.date]) -> dt.date:
    """The presentation's date: as given (not before the last day on site), or the day after."""
    if not request.presentation:
        return days[-1] + dt.timedelta(days=1)
    presentation = _date(request.presentation, "--presentation")
    if presentation < days[-1]:
        raise InputError("--presentation", message("presentation_before", presentation=presentation,
                                                   last=days[-1]))
    return presentation


def _new_places(root: Path, review_id: str) -> tuple[Path, Path]:
    """The new review's parameters file and data folder, neither of them there yet (or the folder empty)."""
    if not SLUG.match(review_id):
        raise InputError("--id", message("id_bad", value=quote(review_id)))
    params_path = root / "params" / f"{review_id}.yaml"
    folder = root / "data" / review_id
    if params_path.exists():
        raise InputError(display_path(params_path, root), message("exists"))
    if folder.exists() and any(folder.iterdir()):
        raise InputError(display_path(folder, root), message("exists_folder"))
    return params_path, folder


def _neighbours(request: NewReview, authority: AuthorityRecord, table: Authorities,
                root: Path) -> tuple[tuple[str, ...], str | None]:
    """The authority's published statistical neighbours and the file they came from (none without one)."""
    if request.neighbours_file is None:
        return (), None
    nfile = request.neighbours_file.resolve()
    found = published_neighbours(authority.la_code, read_neighbours_file(nfile, root), table, "--neighbours-file")
    return found, display_path(nfile, root)


def start_review(root: Path, request: NewReview) -> Started:
    """Write a new review's parameters and starting files under ``root``; raise
    :class:`InputError` (one line, nothing written) for anything wrong or already there."""
    table = read_authorities(dfe_data_files(root, [p.resolve() for p in request.dfe_data]))  # as typed: from here
    a = find_authority_record(request.authority, table, root)
    days = _dates(request.dates)
    presentation = _presentation(request, days)
    team = _team(request)
    if request.framework not in shipped_frameworks() and not (root / request.framework).is_file():
        raise InputError("--framework", message("framework_unknown", framework=quote(request.framework),
                                                known=", ".join(shipped_frameworks())))
    review_id = request.review_id or f"{_slug(a.name)}-{days[0].year}"
    params_path, folder = _new_places(root, review_id)
    coordinator = _member(request.coordinator, "--coordinator") if request.coordinator else None
    framework = load_framework(request.framework, root)
    neighbours, neighbours_file = _neighbours(request, a, table, root)
    slugs = _member_slugs(team)
    csvs, books = [f"findings_{s}.csv" for s in slugs], [f"workbook_{s}.xlsx" for s in slugs]
    rel = f"data/{review_id}"
    sef = SefOptions()
    letter_date = presentation + dt.timedelta(days=14)
    values = {
        "params_path": f"params/{review_id}.yaml", "review_id": review_id,
        "authority": a, "programme": request.programme, "sequence": request.sequence,
        "dates": [d.isoformat() for d in days], "presentation": presentation.isoformat(),
        "letter_date": letter_date.isoformat(), "letter_month": f"{letter_date:%B %Y}", "team": team,
        "coordinator": coordinator, "framework": request.framework, "framework_title": framework.title,
        "kloes": [k.id for k in framework.kloes], "findings": [f"{rel}/{n}" for n in csvs],
        "audit": f"{rel}/audit.xlsx", "sef": f"{rel}/sef.xlsx", "performance": _performance_files(root, a),
        "neighbours": [_named(c, table) for c in neighbours],
        "neighbours_file": neighbours_file, "sef_areas": sef.areas, "sef_scale": sef.scale,
    }
    env = _environment()
    text = env.get_template(PARAMS_TEMPLATE).render(**values)
    shown = display_path(params_path, root)
    params = parse_params(parse_yaml(text), shown, root)  # what was written reads back, or nothing is written
    scope = resolve_scope(params, root, shown)
    todo = env.get_template(TODO_TEMPLATE).render(**values, members=[m.name for m in team],
                                                 workbooks=list(zip(team, csvs, books, strict=True)))
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{review_id}.", dir=folder.parent))
    try:
        for member, name, book in zip(team, csvs, books, strict=True):
            (building / name).write_text(",".join(FINDINGS_COLUMNS) + "\n", encoding="utf-8")
            export_workbook(params, scope, root, member.name, building / book, blank=True)
        audit_workbook(building / "audit.xlsx", load_audit_framework(None, root), [m.name for m in team])
        sef_workbook(building / "sef.xlsx", sef)
        (building / "to-do.md").write_text(todo, encoding="utf-8")
        building.chmod(0o755)  # as any folder the project makes (mkdtemp makes it private)
        if folder.exists():
            folder.rmdir()  # empty: checked above
        building.rename(folder)
    except (OSError, ValidationFailed):
        shutil.rmtree(building, ignore_errors=True)
        raise
    try:
        atomic_write_text(params_path, text)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    files = tuple(folder / n for n in [*csvs, *books, "audit.xlsx", "sef.xlsx", "to-do.md"])
    return Started(review_id, params_path, files, todo, tuple(neighbours))
