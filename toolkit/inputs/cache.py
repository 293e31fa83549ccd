"""A small cache of derived data: in the process, and on disk between processes and runs.

Entries are JSON, found by a key the caller derives from everything that shapes them (sha256
hex digests), so a changed input is a different key and never a stale entry. The disk copy:

* lives in a per-user folder: ``$PEER_REVIEW_CACHE`` when set (``off`` disables caching, in
  memory too), else ``$XDG_CACHE_HOME/peer-review``, else ``~/.cache/peer-review``; the folder
  is created private (0700);
* is JSON only: loading an entry runs no code, whoever wrote it; and only entries in folders
  this user owns and nobody else can write to are read or written (figures planted by another
  user never reach a letter);
* is written to a temporary file in the same folder and moved into place with ``os.replace``,
  so a reader (or a second writer) never sees half an entry;
* ignores an entry it cannot read or whose key or format does not match (it is rewritten by the
  next store);
* keeps at most ``max_entries`` entries and ``max_bytes`` bytes per kind, dropping the least
  recently used (a hit refreshes an entry's time).

The cache is an optimisation only: any problem reading or writing it (a full disk, a read-only
home) is a miss, never an error the user sees.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The environment variable naming the cache folder, or ``off``.
CACHE_ENV = "PEER_REVIEW_CACHE"
_OFF = frozenset({"off", "0", "no", "false", "none", "disabled"})
#: The layout of an entry file; a different one is ignored.
ENTRY_FORMAT = 1


def cache_enabled() -> bool:
    return os.environ.get(CACHE_ENV, "").strip().casefold() not in _OFF


def cache_folder() -> Path | None:
    """Where the disk cache lives (``None`` when caching is off)."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.casefold() in _OFF:
        return None
    if chosen:
        return Path(chosen).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "peer-review"
    try:
        home = Path.home()
    except RuntimeError:  # no home folder known
        return None
    return home / ".cache" / "peer-review" if home.is_absolute() else None  # never a folder relative to here


@dataclass
class Cache:
    """One kind of entry (``kind`` names its sub-folder), kept in memory and on disk."""
    kind: str
    max_entries: int = 200
    max_bytes: int = 100 * 1024 * 1024
    memory_entries: int = 64
    _memory: OrderedDict[str, Any] = field(default_factory=OrderedDict, repr=False)

    def folder(self) -> Path | None:
        base = cache_folder()
        return None if base is None else base / self.kind

    def get_memory(self, key: str) -> Any | None:
        """What this process stored under ``key`` (as stored: the caller's own objects)."""
        if not cache_enabled():
            return None
        try:
            self._memory.move_to_end(key)
            return self._memory[key]
        except KeyError:  # not kept (or dropped by another thread meanwhile)
            return None

    def put_memory(self, key: str, value: Any) -> None:
        if not cache_enabled():
            return
        self._memory[key] = value
        self._memory.move_to_end(key)
        while len(self._memory) > self.memory_entries:
            try:
                self._memory.popitem(last=False)
            except KeyError:
                break

    def clear_memory(self) -> None:
        self._memory.clear()

    def get_disk(self, key: str) -> Any | None:
        """The JSON data stored on disk under ``key``, or ``None`` (no entry, or one that cannot
        be read, or was written for another key or format)."""
        folder = self.folder()
        if folder is None:
            return None
        path = folder / f"{key}.json"
        if not (_mine(folder.parent) and _mine(folder) and _mine(path)):
            return None
        try:
            entry = json.loads(path.read_bytes())
        except (OSError, ValueError):  # ValueError: not JSON, or not UTF-8 (a torn or corrupt file)
            return None
        if not isinstance(entry, dict) or entry.get("format") != ENTRY_FORMAT or entry.get("kind") != self.kind \
                or entry.get("key") != key or "data" not in entry:
            return None
        _touch(path)  # recently used: kept longest
        return entry["data"]

    def put_disk(self, key: str, data: Any) -> None:
        """Store JSON ``data`` under ``key`` (atomically), then keep the folder within bounds."""
        folder = self.folder()
        if folder is None:
            return
        text = json.dumps({"format": ENTRY_FORMAT, "kind": self.kind, "key": key, "data": data},
                          ensure_ascii=False, separators=(",", ":"))
        try:
            folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the cache's own folder: private
            folder.mkdir(mode=0o700, exist_ok=True)
            if not (_mine(folder.parent) and _mine(folder)):
                return
            handle, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as fh:
                fh.write(text.encode("utf-8"))
            os.replace(temp, folder / f"{key}.json")
            _touch(folder / f"{key}.json")
        except OSError:
            _remove(Path(temp))
            return
        self.prune()

    def prune(self) -> None:
        """Drop the least recently used entries beyond ``max_entries`` or ``max_bytes``, and
        temporary files a killed writer left behind (older than an hour)."""
        folder = self.folder()
        if folder is None:
            return
        entries: list[tuple[int, int, Path]] = []
        try:
            with os.scandir(folder) as listing:
                for item in listing:
                    try:
                        info = item.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    path = Path(item.path)
                    if item.name.startswith(".tmp-"):
                        if _age_seconds(info.st_mtime_ns) > 3600:
                            _remove(path)
                        continue
                    if item.name.endswith(".json"):
                        entries.append((info.st_mtime_ns, info.st_size, path))
        except OSError:
            return
        entries.sort(reverse=True)  # newest first
        total = 0
        for count, (_, size, path) in enumerate(entries, start=1):
            total += size
            if count > self.max_entries or (total > self.max_bytes and count > 1):
                _remove(path)



def _mine(path: Path) -> bool:
    """Whether ``path`` belongs to this user and nobody else may write to it: the cache trusts
    only what this user wrote (an entry someone else planted would put their figures in a
    letter)."""
    try:
        info = os.stat(path, follow_symlinks=path.suffix != ".json")  # a folder may be a link; an entry may not
    except OSError:
        return False
    owner = getattr(os, "getuid", lambda: info.st_uid)()
    return info.st_uid == owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _touch(path: Path) -> None:
    """Give ``path`` the time now, to the nanosecond (file systems stamp writes more coarsely, so
    entries written in one millisecond would otherwise tie)."""
    try:
        os.utime(path, ns=(time.time_ns(), time.time_ns()))
    except OSError:
        pass


def _age_seconds(mtime_ns: int) -> float:
    return time.time() - mtime_ns / 1e9


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
