"""Content hashes: of a file, and of the toolkit's own code.

Low in the layers so that both the build (a report's manifest, :mod:`toolkit.build.manifest`)
and the analysis (the performance cache, :mod:`toolkit.analysis.performance_cache`) hash the
same way, with one implementation.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from pathlib import Path

#: The toolkit package folder.
PACKAGE_DIR = Path(__file__).parents[1]

#: Files of the toolkit package that shape a report: its code, templates, styles and data.
CODE_SUFFIXES = (".py", ".j2", ".tpl", ".yaml", ".yml", ".json", ".csv", ".txt", ".css", ".ipynb")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def code_hash(package: Path | None = None, extra: Sequence[tuple[str, Path]] = ()) -> str:
    """sha256 over the package's own files that shape a report (:data:`CODE_SUFFIXES`), then
    ``extra`` files, each given with the name it is hashed under.

    Each file contributes its path inside the package and its bytes, in sorted order, so the hash
    depends only on the contents (not on where the package is installed or on file times).
    ``package`` is the package folder (default: this toolkit's).
    """
    package = package or PACKAGE_DIR
    digest = hashlib.sha256()
    files = [(f"toolkit/{p.relative_to(package).as_posix()}", p) for p in files_under(package)
             if p.suffix in CODE_SUFFIXES]
    files.extend(extra)
    for name, path in files:
        digest.update(name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@functools.cache
def package_code_hash() -> str:
    """:func:`code_hash` of this toolkit, worked out once per process (its code does not change
    while it runs)."""
    return code_hash()
