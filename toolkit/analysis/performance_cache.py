"""The comparisons of a review's performance data, worked out once (:mod:`toolkit.inputs.cache`).

A draft loads its review twice (the parent checks it, the notebook's kernel reads it again) and a
batch loads many reviews over the same DfE files; comparing an authority on every indicator is
most of a load. The comparisons and the catalogue warnings are kept under a key over everything
that shapes them:

* each performance file's sha256, with the name messages show for it and its file name (the
  catalogue's ``source.files`` patterns match the name);
* the merged catalogue's content (its validated model, as JSON);
* the authority code, the pinned period, the first visit day and the statistical neighbours;
* the sha256 of the toolkit's code (:func:`toolkit.inputs.hashing.package_code_hash`).

Only results are kept, never errors: a review whose performance input is wrong is compared
afresh each time and raises the same error. Entries are JSON of the dataclasses
(:func:`encode` / :func:`decode`); an indicator is stored as its id and taken back from the
catalogue, which is part of the key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from toolkit.analysis.areas import Area
from toolkit.analysis.comparisons import Comparison
from toolkit.analysis.indicators import Catalogue, Indicator
from toolkit.analysis.ranks import Trend
from toolkit.errors import InputError
from toolkit.inputs.cache import Cache
from toolkit.inputs.files import is_regular_file
from toolkit.inputs.hashing import package_code_hash, sha256_bytes
from toolkit.inputs.observations import Period
from toolkit.inputs.performance_columns import shown_path

#: Bump when the entry's layout changes (the code hash changes with it anyway).
PAYLOAD_FORMAT = 1

COMPARISONS = Cache("comparisons", max_entries=500, max_bytes=200 * 1024 * 1024, memory_entries=64)


@dataclasses.dataclass(frozen=True)
class Compared:
    """What the cache keeps for one review's performance files: the comparisons made and the
    catalogue indicators some file was meant to provide but does not."""
    comparisons: tuple[Comparison, ...]
    warnings: tuple[InputError, ...]


def file_fingerprints(paths: Sequence[Path], root: Path | None) -> list[tuple[str, str, str]] | None:
    """``(shown name, file name, sha256)`` of each file, or ``None`` when one is not a regular
    file that can be read (the uncached path then raises its usual error)."""
    out = []
    for path in paths:
        if not is_regular_file(path):
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        out.append((shown_path(path, root), path.name, sha256_bytes(data)))
    return out


def comparison_key(files: Sequence[tuple[str, str, str]], catalogue: Catalogue, authority: str,
                   period: str | int | None, visit_date: dt.date | None, neighbours: Sequence[str],
                   code: str | None = None) -> str:
    """The key of a review's comparisons (see the module notes); ``code`` defaults to the
    toolkit's code hash."""
    parts = {
        "format": PAYLOAD_FORMAT,
        "code": code if code is not None else package_code_hash(),
        "files": [list(f) for f in files],
        "catalogue": _catalogue_hash(catalogue),
        "authority": authority,
        "period": None if period is None else [type(period).__name__, str(period)],
        "visit_date": None if visit_date is None else visit_date.isoformat(),
        "neighbours": list(neighbours),
    }
    return sha256_bytes(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode("utf-8"))


def _catalogue_hash(catalogue: Catalogue) -> str:
    return sha256_bytes(catalogue.model_dump_json().encode("utf-8"))


def cached_compare(key: str | None, catalogue: Catalogue, compute: Callable[[], Compared],
                   still_same: Callable[[], bool] = lambda: True) -> Compared:
    """The comparisons under ``key``: from this process, else from disk, else ``compute()``d
    and kept (``key`` ``None``: computed, not kept). ``still_same()`` is asked after computing;
    when it says the files changed meanwhile, the result is returned but not kept."""
    if key is None:
        return compute()
    hit = COMPARISONS.get_memory(key)
    if isinstance(hit, Compared):
        return hit
    data = COMPARISONS.get_disk(key)
    if data is not None:
        try:
            found = decode_compared(data, catalogue)
        except (KeyError, TypeError, ValueError, IndexError, InputError):
            found = None  # an entry of another shape: recompute and rewrite it
        if found is not None:
            COMPARISONS.put_memory(key, found)
            return found
    result = compute()  # an error propagates and nothing is kept
    if still_same():
        COMPARISONS.put_memory(key, result)
        try:
            data = encode_compared(result)
        except TypeError:
            return result  # a value JSON cannot hold: kept in this process only
        COMPARISONS.put_disk(key, data)
    return result


def encode_compared(compared: Compared) -> dict[str, Any]:
    return {
        "comparisons": [encode(c) for c in compared.comparisons],
        "warnings": [[w.file, w.message, w.row, w.column, w.line] for w in compared.warnings],
    }


def decode_compared(data: dict[str, Any], catalogue: Catalogue) -> Compared:
    decoder = _Decoder(catalogue)
    comparisons = tuple(decoder.value(c, Comparison) for c in data["comparisons"])
    warnings = tuple(InputError(str(f), str(m), r, c, line) for f, m, r, c, line in data["warnings"])
    return Compared(comparisons, warnings)


def encode(value: Any) -> Any:
    """A comparison (or any value in one) as JSON data: dataclasses as mappings of their fields,
    dates as ISO text, sets as sorted lists, an indicator as its id."""
    if isinstance(value, Indicator):
        return value.id
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (frozenset, set)):
        return sorted(encode(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__} in the performance cache")


#: The dataclasses a comparison is made of, which :class:`_Decoder` rebuilds.
_DATACLASSES: tuple[type, ...] = (Comparison, Area, Trend, Period)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


class _Decoder:
    """JSON data back into the types a :class:`Comparison`'s fields declare."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.indicators = {i.id: i for i in catalogue.indicators}
        self.periods: dict[tuple[str, str, str, str], Period] = {}

    def value(self, data: Any, hint: Any) -> Any:
        origin = typing.get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            return self.optional(data, hint)
        if origin in (list, frozenset, tuple, dict):
            return self.container(data, hint, origin)
        if hint is Indicator:
            return self.indicators[data]
        if hint is Period:
            return self.period(data)
        if isinstance(hint, type) and hint in _DATACLASSES:
            return self.dataclass(data, hint)
        if hint is dt.date:
            return dt.date.fromisoformat(data)
        if hint in (str, int, float, bool):
            return _scalar(data, hint)
        if hint is Any:
            return data
        raise TypeError(f"cannot read {hint} from the performance cache")

    def optional(self, data: Any, hint: Any) -> Any:
        """``X | None``: None as stored, or an ``X`` (no other union is kept)."""
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        real = [o for o in options if o is not type(None)]
        if len(real) != 1:
            raise TypeError(f"cannot read {hint} from the performance cache")
        return self.value(data, real[0])

    def dataclass(self, data: Any, cls: type) -> Any:
        hints = _hints(cls)
        if not isinstance(data, dict):
            raise TypeError(f"expected the fields of {cls.__name__}")
        return cls(**{name: self.value(data[name], hints[name]) for name in hints})

    def container(self, data: Any, hint: Any, origin: Any) -> Any:
        """A list, frozenset, tuple (fixed or ``...``) or str-keyed dict of typed items."""
        args = typing.get_args(hint)
        if origin is dict:
            if args[0] is not str or not isinstance(data, dict):
                raise TypeError("expected a mapping")
            return {k: self.value(v, args[1]) for k, v in data.items()}
        items = _listed(data)
        if origin is list:
            return [self.value(v, args[0]) for v in items]
        if origin is frozenset:
            return frozenset(self.value(v, args[0]) for v in items)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(self.value(v, args[0]) for v in items)
        if len(items) != len(args):
            raise ValueError("a tuple of another length")
        return tuple(self.value(v, a) for v, a in zip(items, args, strict=True))

    def period(self, data: Any) -> Period:
        if not isinstance(data, dict):
            raise TypeError("expected a period")
        key = (str(data["text"]), str(data["kind"]), str(data["end"]), str(data["identifier"]))
        found = self.periods.get(key)
        if found is None:
            found = self.periods[key] = Period(key[0], key[1], dt.date.fromisoformat(key[2]), key[3])
        return found


def _scalar(data: Any, hint: type) -> Any:
    if hint is float and isinstance(data, (int, float)) and not isinstance(data, bool):
        return data  # as stored: an int stays an int, so it prints as it did
    if not isinstance(data, hint) or (hint is int and isinstance(data, bool)):
        raise TypeError(f"expected a {hint.__name__}")
    return data


def _listed(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TypeError("expected a list")
    return data
