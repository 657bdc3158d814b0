"""Files of the store written whole or not at all, and where this machine keeps what it
derives from a folder."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either nothing new or all of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def code_version(salt: str, sources: Iterable[tuple[str, Path]], libraries: Iterable[str]) -> str:
    """A hash of what derived data depends on: ``salt`` (a format's name), the Python
    version, each source file (its label and bytes) and each library's installed
    version. Any change gives another hash, so a cache keyed by it is never stale."""
    h = hashlib.sha256(salt.encode())
    h.update(repr(sys.version_info[:2]).encode())
    for label, path in sources:
        h.update(label.encode() + b"\0" + path.read_bytes() + b"\0")
    for library in libraries:
        try:
            h.update(f"{library}={importlib.metadata.version(library)}".encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(f"{library}=?".encode())
    return h.hexdigest()


def cache_path(kind: str, folder: Path, suffix: str = "") -> Path:
    """Where this machine keeps data derived from ``folder`` (a data directory, an output
    folder): ``<cache>/portal/<kind>-<key><suffix>`` in the user's cache
    (``XDG_CACHE_HOME``, else ``~/.cache``), the key a hash of the folder's path."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    return base / "portal" / f"{kind}-{key}{suffix}"
