"""Files of the store written whole or not at all, and where this machine keeps what it
derives from a folder."""

from __future__ import annotations

import hashlib
import os
import tempfile
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


def cache_path(kind: str, folder: Path, suffix: str = "") -> Path:
    """Where this machine keeps data derived from ``folder`` (a data directory, an output
    folder): ``<cache>/portal/<kind>-<key><suffix>`` in the user's cache
    (``XDG_CACHE_HOME``, else ``~/.cache``), the key a hash of the folder's path."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:16]
    return base / "portal" / f"{kind}-{key}{suffix}"
